//! Who people are and what they may do: user accounts, roles and permissions, sign-in
//! sessions, API tokens, and the password policy. Hashing and randomness live in the
//! application layer; this module only decides.

pub mod api_token;
pub mod fields;
pub mod history;
pub mod projection;
pub mod role;
pub mod session;
pub mod unknown;
pub mod user;

pub use role::{Permission, Principal, Role, Scope};
