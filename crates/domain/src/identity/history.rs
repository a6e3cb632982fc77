//! Identity and signature events as a person reads them in an audit trail. Password
//! and token hashes are never shown, only that they changed.

use crate::event::Event;
use crate::history::{FieldChange, change, set};
use crate::identity::projection::join_roles;

const HIDDEN: &str = "(hidden)";

pub fn describe(event: &Event) -> (String, Vec<FieldChange>) {
    match event {
        Event::UserRegistered(e) => (
            format!("User {} created", e.username),
            vec![
                set("username", &e.username),
                set("full name", &e.full_name),
                set("e-mail", &e.email),
                set("roles", &join_roles(&e.roles)),
                set("sites", &e.sites.join(",")),
                set("password", HIDDEN),
                set(
                    "must change password",
                    if e.must_change_password { "yes" } else { "no" },
                ),
            ],
        ),
        Event::UserProfileChanged(e) => {
            let mut changes = Vec::new();
            if e.full_name != e.previous_full_name {
                changes.push(change("full name", &e.previous_full_name, &e.full_name));
            }
            if e.email != e.previous_email {
                changes.push(change("e-mail", &e.previous_email, &e.email));
            }
            ("Profile changed".to_owned(), changes)
        }
        Event::UserAccessChanged(e) => {
            let mut changes = Vec::new();
            if e.roles != e.previous_roles {
                changes.push(change(
                    "roles",
                    &join_roles(&e.previous_roles),
                    &join_roles(&e.roles),
                ));
            }
            if e.sites != e.previous_sites {
                changes.push(change(
                    "sites",
                    &e.previous_sites.join(","),
                    &e.sites.join(","),
                ));
            }
            ("Roles or sites changed".to_owned(), changes)
        }
        Event::UserPasswordChanged(_) => (
            "Password changed by the user".to_owned(),
            vec![change("password", HIDDEN, HIDDEN)],
        ),
        Event::UserPasswordReset(_) => (
            "Password reset by an administrator; must be changed at next sign-in".to_owned(),
            vec![
                change("password", HIDDEN, HIDDEN),
                change("must change password", "no", "yes"),
            ],
        ),
        Event::UserSignInFailed(e) => (
            format!("Failed sign-in from {} ({} in a row)", e.client, e.failures),
            vec![set("failed sign-ins", &e.failures.to_string())],
        ),
        Event::UserSignInFailuresCleared(_) => (
            "Signed in; failed sign-ins cleared".to_owned(),
            vec![set("failed sign-ins", "0")],
        ),
        Event::UserLocked(e) => (
            match e.after_failures {
                Some(n) => format!("Locked automatically after {n} failed sign-ins"),
                None => "Locked by an administrator".to_owned(),
            },
            vec![change("locked", "no", "yes")],
        ),
        Event::UserUnlocked(_) => ("Unlocked".to_owned(), vec![change("locked", "yes", "no")]),
        Event::UserDeactivated(_) => (
            "Deactivated".to_owned(),
            vec![change("active", "yes", "no")],
        ),
        Event::UserReactivated(_) => (
            "Reactivated".to_owned(),
            vec![change("active", "no", "yes")],
        ),
        Event::UserSessionsRevoked(_) => ("Signed out everywhere".to_owned(), Vec::new()),
        Event::UnknownUserSignIn(e) => (
            format!("Sign-in with an unknown username from {}", e.client),
            Vec::new(),
        ),
        Event::SessionStarted(e) => (
            format!("{} signed in from {}", e.username, e.client),
            vec![
                set("idle timeout", &format!("{} s", e.idle_timeout_secs)),
                set("expires", &e.expires_at.to_display()),
            ],
        ),
        Event::SessionActive(_) => ("Session active".to_owned(), Vec::new()),
        Event::SessionEnded(e) => (format!("Session ended: {}", e.why.as_str()), Vec::new()),
        Event::ApiTokenIssued(e) => (
            format!("API token '{}' issued for {}", e.name, e.owner),
            vec![
                set("roles", &join_roles(&e.roles)),
                set("sites", &e.sites.join(",")),
                set("expires", &e.expires_at.to_display()),
                set("token", HIDDEN),
            ],
        ),
        Event::ApiTokenRevoked(_) => ("API token revoked".to_owned(), Vec::new()),
        Event::RecordSigned(e) => (
            format!(
                "Signed: {} by {} ({})",
                e.meaning.label(),
                e.printed_name,
                e.signer
            ),
            vec![
                set("meaning", e.meaning.as_str()),
                set("signed version", &e.record_version.to_string()),
                set("signed content hash", &e.record_hash),
            ],
        ),
        _ => (String::new(), Vec::new()),
    }
}
