//! The changes an account page offers (profile, roles and sites, password reset,
//! lock, unlock, deactivate, reactivate, API token): each one's form, the values it
//! starts from, and the use case it runs. A change that makes a secret hands it
//! back, to be shown once.

use std::sync::LazyLock;

use vplant_app::identity::AccountChange;
use vplant_app::{AppError, Request};
use vplant_store::queries::identity::User;

use super::{BASE, EMAIL, FULL_NAME, SITES, items};
use crate::AppState;
use crate::ui::form::{FieldSpec, FormView, Input, REASON, Values, value};

static PROFILE_FIELDS: [FieldSpec; 3] = [FULL_NAME, EMAIL, REASON];
static REASON_FIELDS: [FieldSpec; 1] = [REASON];
static ACCESS_FIELDS: LazyLock<[FieldSpec; 3]> = LazyLock::new(|| {
    [
        super::roles_field("Roles", super::ROLES_HINT),
        SITES,
        REASON,
    ]
});
static TOKEN_FIELDS: LazyLock<[FieldSpec; 4]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "name",
            label: "What the token is for",
            hint: "E.g. \"LIMS interface\"; shown in the token list and the history.",
            input: Input::Text {
                max: 120,
                upper: false,
            },
        },
        super::roles_field(
            "Roles of the token",
            "Only roles the account holds. The token can do no more than these roles allow.",
        ),
        FieldSpec {
            name: "sites",
            label: "Sites",
            hint: "Limit the token to these site codes, separated by commas (a CMO partner's token must name their sites). Empty: every site the account sees.",
            input: Input::Text {
                max: 200,
                upper: true,
            },
        },
        FieldSpec {
            name: "valid_days",
            label: "Valid for (days)",
            hint: "1 to 366. Integrations get a new token before this runs out.",
            input: Input::Text {
                max: 3,
                upper: false,
            },
        },
    ]
});

/// A secret made by the system, shown on the one page that answers its post.
pub struct Secret {
    pub title: String,
    pub value: String,
    pub advice: &'static str,
}

impl Secret {
    pub fn password(username: &str, value: String) -> Secret {
        Secret {
            title: format!("One-time password for {username}"),
            value,
            advice: "It is shown only this once. Hand it to the person separately from their username (in person or by phone, not in the same e-mail). They must choose their own password when they first sign in.",
        }
    }

    fn token(name: &str, value: String) -> Secret {
        Secret {
            title: format!("Secret of the API token \"{name}\""),
            value,
            advice: "It is shown only this once; only its hash is kept. Put it into the integration's configuration now, and send it as 'Authorization: Bearer <secret>'.",
        }
    }
}

/// The changes this page offers, each posted to `/users/{username}/{slug}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Profile,
    Access,
    ResetPassword,
    Lock,
    Unlock,
    Deactivate,
    Reactivate,
    IssueToken,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Profile,
        Action::Access,
        Action::ResetPassword,
        Action::Lock,
        Action::Unlock,
        Action::Deactivate,
        Action::Reactivate,
        Action::IssueToken,
    ];

    /// The last segment of the address; also the form's id on the page.
    pub fn slug(self) -> &'static str {
        match self {
            Action::Profile => "profile",
            Action::Access => "access",
            Action::ResetPassword => "reset-password",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::Deactivate => "deactivate",
            Action::Reactivate => "reactivate",
            Action::IssueToken => "tokens",
        }
    }

    fn account_change(self) -> Option<AccountChange> {
        match self {
            Action::Lock => Some(AccountChange::Lock),
            Action::Unlock => Some(AccountChange::Unlock),
            Action::Deactivate => Some(AccountChange::Deactivate),
            Action::Reactivate => Some(AccountChange::Reactivate),
            _ => None,
        }
    }

    /// What `user`'s page offers to a person who manages users. Nobody locks or
    /// deactivates their own account here (the use case refuses it too), and one's
    /// own password is changed on the account page, which asks for the current one.
    pub(super) fn offered(user: &User, own: bool) -> Vec<Action> {
        let mut offered = Vec::new();
        if user.active {
            offered.extend([Action::Profile, Action::Access]);
            if !own {
                offered.push(Action::ResetPassword);
            }
        }
        if user.locked {
            offered.push(Action::Unlock);
        } else if user.active && !own {
            offered.push(Action::Lock);
        }
        if !user.active {
            offered.push(Action::Reactivate);
        } else if !own {
            offered.push(Action::Deactivate);
        }
        if user.active {
            offered.push(Action::IssueToken);
        }
        offered
    }

    /// The form of this change for `user`, filled with `values`.
    pub(super) fn form(self, user: &User, values: &Values) -> FormView {
        let action = format!("{BASE}/{}/{}", user.username, self.slug());
        let (specs, title, intro, submit, button): (&'static [FieldSpec], _, _, _, _) = match self {
            Action::Profile => (
                &PROFILE_FIELDS,
                "Change profile",
                "The previous name and e-mail address stay in the history.",
                "Save profile",
                "btn-primary",
            ),
            Action::Access => (
                &*ACCESS_FIELDS,
                "Change roles and sites",
                "Takes effect with the person's next request.",
                "Save roles and sites",
                "btn-primary",
            ),
            Action::ResetPassword => (
                &REASON_FIELDS,
                "Reset password",
                "Makes a new one-time password, shown once on the next page, and ends the person's sessions. They must choose their own password at their next sign-in.",
                "Reset password",
                "btn-danger",
            ),
            Action::Lock => (
                &REASON_FIELDS,
                "Lock account",
                "Ends the person's sessions at once. They cannot sign in, and their API tokens stop working, until the account is unlocked.",
                "Lock",
                "btn-danger",
            ),
            Action::Unlock => (
                &REASON_FIELDS,
                "Unlock account",
                "Confirm the person's identity by a separate channel first. Unlocking clears the failed sign-ins.",
                "Unlock",
                "btn-primary",
            ),
            Action::Deactivate => (
                &REASON_FIELDS,
                "Deactivate account",
                "For people who left or no longer need access. The account and its history are kept and its username is never reused. Its sessions end at once.",
                "Deactivate",
                "btn-danger",
            ),
            Action::Reactivate => (
                &REASON_FIELDS,
                "Reactivate account",
                "The account is deactivated. Reactivate it to let the person sign in again.",
                "Reactivate",
                "btn-primary",
            ),
            Action::IssueToken => (
                &*TOKEN_FIELDS,
                "Issue an API token",
                "For an integration acting as this account. The secret is shown once, on the next page.",
                "Issue token",
                "btn-primary",
            ),
        };
        let form = FormView::new(self.slug(), action, specs, values)
            .titled(title, intro)
            .submit(submit, button);
        // A token is a record of its own; the account's version does not guard it.
        if self == Action::IssueToken {
            form
        } else {
            form.version(user.version)
        }
    }

    /// The blank form's values: the current ones where the form edits them.
    pub(super) fn current(self, user: &User) -> Values {
        let pairs: Vec<(&str, String)> = match self {
            Action::Profile => vec![
                ("full_name", user.full_name.clone()),
                ("email", user.email.clone()),
            ],
            Action::Access => vec![
                ("roles", user.roles.join(",")),
                ("sites", user.sites.join(", ")),
            ],
            // A CMO partner's token must name their sites, so they are filled in.
            Action::IssueToken => vec![
                ("roles", user.roles.join(",")),
                ("sites", user.sites.join(", ")),
                ("valid_days", "90".to_owned()),
            ],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// The fixed success message behind `?done=`; the page never echoes the URL.
    pub(super) fn done_message(done: &str) -> Option<&'static str> {
        Some(match done {
            "profile" => "Profile changed. The change is recorded in the account's history.",
            "access" => "Roles and sites changed. The change is recorded in the account's history.",
            "lock" => "Account locked; its sessions were ended.",
            "unlock" => "Account unlocked.",
            "deactivate" => "Account deactivated; its sessions were ended.",
            "reactivate" => "Account reactivated.",
            "revoked" => "API token revoked.",
            _ => return None,
        })
    }

    /// Runs the change; a secret comes back when the change made one.
    pub(super) async fn run(
        self,
        state: &AppState,
        username: &str,
        values: &Values,
        request: &Request,
    ) -> Result<Option<Secret>, AppError> {
        let app = &state.app;
        let reason = value(values, "reason");
        match self {
            Action::Profile => {
                let (name, email) = (value(values, "full_name"), value(values, "email"));
                app.change_profile(username, name, email, reason, request)
                    .await?;
            }
            Action::Access => {
                let (roles, sites) = (items(values, "roles"), items(values, "sites"));
                app.change_access(username, &roles, &sites, reason, request)
                    .await?;
            }
            Action::ResetPassword => {
                let password = app.reset_password(username, reason, request).await?;
                return Ok(Some(Secret::password(username, password.0)));
            }
            Action::IssueToken => {
                // Not a number reads as 0, which the use case refuses together with
                // any other bad field.
                let days = value(values, "valid_days").trim().parse().unwrap_or(0);
                let name = value(values, "name");
                let (roles, sites) = (items(values, "roles"), items(values, "sites"));
                let issued = app
                    .issue_api_token(username, name, &roles, &sites, days, request)
                    .await?;
                return Ok(Some(Secret::token(&issued.token.name, issued.secret)));
            }
            Action::Lock | Action::Unlock | Action::Deactivate | Action::Reactivate => {
                if let Some(change) = self.account_change() {
                    app.set_account_state(username, change, reason, request)
                        .await?;
                }
            }
        }
        Ok(None)
    }
}
