//! How identity events become rows of `users`, `sessions` and `api_tokens`.

use crate::event::Event;
use crate::identity::role::Role;
use crate::projection::{Recorded, RowOp, Value};

/// Roles as stored in a read table: their names, comma-separated, in order.
pub fn join_roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Row operations for an identity event; empty for every other event.
pub fn rows(recorded: Recorded<'_>, event: &Event) -> Vec<RowOp> {
    let at = Value::Int(recorded.at.as_micros());
    let user = |set: Vec<(&'static str, Value)>| update("users", "username", recorded, set);
    match event {
        Event::UserRegistered(e) => vec![RowOp::Insert {
            table: "users",
            values: vec![
                ("username", e.username.as_str().into()),
                ("full_name", e.full_name.as_str().into()),
                ("email", e.email.as_str().into()),
                ("roles", join_roles(&e.roles).into()),
                ("sites", e.sites.join(",").into()),
                ("active", true.into()),
                ("locked", false.into()),
                ("password_hash", e.password_hash.as_str().into()),
                ("must_change_password", e.must_change_password.into()),
                ("failed_sign_ins", Value::Int(0)),
                ("sessions_valid_after", Value::Int(0)),
                ("locked_at", Value::Null),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::UserProfileChanged(e) => user(vec![
            ("full_name", e.full_name.as_str().into()),
            ("email", e.email.as_str().into()),
        ]),
        Event::UserAccessChanged(e) => user(vec![
            ("roles", join_roles(&e.roles).into()),
            ("sites", e.sites.join(",").into()),
        ]),
        Event::UserPasswordChanged(e) | Event::UserPasswordReset(e) => user(vec![
            ("password_hash", e.password_hash.as_str().into()),
            ("must_change_password", e.must_change.into()),
        ]),
        Event::UserSignInFailed(e) => user(vec![("failed_sign_ins", i64::from(e.failures).into())]),
        Event::UserSignInFailuresCleared(_) => user(vec![("failed_sign_ins", Value::Int(0))]),
        Event::UserLocked(_) => user(vec![("locked", true.into()), ("locked_at", at)]),
        Event::UserUnlocked(_) => user(vec![
            ("locked", false.into()),
            ("locked_at", Value::Null),
            ("failed_sign_ins", Value::Int(0)),
        ]),
        Event::UserDeactivated(_) => user(vec![("active", false.into())]),
        Event::UserReactivated(_) => user(vec![("active", true.into())]),
        Event::UserSessionsRevoked(_) => user(vec![("sessions_valid_after", at)]),
        Event::SessionStarted(e) => vec![RowOp::Insert {
            table: "sessions",
            values: vec![
                ("id", recorded.id().into()),
                ("token_hash", e.token_hash.as_str().into()),
                ("username", e.username.as_str().into()),
                ("started_at", at.clone()),
                ("last_seen", at),
                ("idle_timeout_secs", e.idle_timeout_secs.into()),
                ("expires_at", Value::Int(e.expires_at.as_micros())),
                ("client", e.client.as_str().into()),
                ("ended_at", Value::Null),
                ("ended_why", Value::Null),
                ("version", recorded.stream_version.into()),
            ],
        }],
        Event::SessionActive(_) => update("sessions", "id", recorded, vec![("last_seen", at)]),
        Event::SessionEnded(e) => update(
            "sessions",
            "id",
            recorded,
            vec![("ended_at", at), ("ended_why", e.why.as_str().into())],
        ),
        Event::ApiTokenIssued(e) => vec![RowOp::Insert {
            table: "api_tokens",
            values: vec![
                ("id", recorded.id().into()),
                ("token_hash", e.token_hash.as_str().into()),
                ("owner", e.owner.as_str().into()),
                ("name", e.name.as_str().into()),
                ("roles", join_roles(&e.roles).into()),
                ("sites", e.sites.join(",").into()),
                ("expires_at", Value::Int(e.expires_at.as_micros())),
                ("revoked_at", Value::Null),
                ("created_at", at),
                ("version", recorded.stream_version.into()),
            ],
        }],
        Event::ApiTokenRevoked(_) => update("api_tokens", "id", recorded, vec![("revoked_at", at)]),
        _ => Vec::new(),
    }
}

/// Sets columns of the one row keyed by the stream's id, and advances its version
/// (and its update time, for tables that keep one).
pub(crate) fn update(
    table: &'static str,
    key: &'static str,
    recorded: Recorded<'_>,
    mut set: Vec<(&'static str, Value)>,
) -> Vec<RowOp> {
    set.push(("version", recorded.stream_version.into()));
    if matches!(
        table,
        "users"
            | "sites"
            | "products"
            | "materials"
            | "lots"
            | "batches"
            | "exceptions"
            | "actions"
            | "mbrs"
            | "ebrs"
            | "equipment"
    ) {
        set.push(("updated_at", Value::Int(recorded.at.as_micros())));
    }
    vec![RowOp::Update {
        table,
        key: (key, recorded.id().into()),
        set,
    }]
}
