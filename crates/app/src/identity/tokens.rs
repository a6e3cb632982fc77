//! API tokens for integrations: issued by an administrator for an account, limited
//! to some of its roles and sites, expiring, revocable.

use std::collections::BTreeSet;

use vplant_domain::DomainError;
use vplant_domain::Timestamp;
use vplant_domain::fields::{Errors, Name, Reason};
use vplant_domain::identity::api_token::{ApiTokenCommand, ApiTokenState};
use vplant_domain::identity::user::Access;
use vplant_domain::identity::{Principal, Role};
use vplant_store::queries::identity::ApiToken;

use super::passwords::{hex, token_hash};
use super::{AuthError, Authenticated, Via, principal_of};
use crate::{App, AppError, Request};

/// The longest a token may live; integrations rotate at least yearly.
pub const MAX_DAYS: u32 = 366;

/// A token just issued; `secret` is shown once and never stored.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: ApiToken,
    pub secret: String,
}

impl App {
    /// Issues a token for `owner`. Its roles must be roles the owner holds and its
    /// sites within the owner's, so a token never grants more than its owner has.
    pub async fn issue_api_token(
        &self,
        owner: &str,
        name: &str,
        roles: &[String],
        sites: &[String],
        valid_days: u32,
        request: &Request,
    ) -> Result<IssuedToken, AppError> {
        let owner = self.user(owner).await?;
        let owner_principal = principal_of(&owner);
        let mut errors = Errors::default();
        let name = errors.take(Name::parse("name", name));
        if !(1..=MAX_DAYS).contains(&valid_days) {
            errors.push(vplant_domain::FieldError::new(
                "valid_days",
                format!("must be 1 to {MAX_DAYS} days"),
            ));
        }
        let access = match Access::parse(roles, sites) {
            Ok(access) => Some(access),
            Err(fields) => {
                fields.into_iter().for_each(|f| errors.push(f));
                None
            }
        };
        if let Some(access) = &access {
            for role in &access.roles {
                if !owner_principal.roles.contains(role) {
                    errors.push(vplant_domain::FieldError::new(
                        "roles",
                        format!(
                            "{} does not hold the role '{}'",
                            owner.username,
                            role.as_str()
                        ),
                    ));
                }
            }
            for site in &access.sites {
                if !owner_principal.scope().sees(site) {
                    errors.push(vplant_domain::FieldError::new(
                        "sites",
                        format!("{} cannot see site '{site}'", owner.username),
                    ));
                }
            }
        }
        errors.into_result()?;
        let (Some(name), Some(access)) = (name, access) else {
            return Err(DomainError::field("name", "could not be read").into());
        };
        let passwords = &self.security.passwords;
        let secret = format!("vpt_{}", hex(&passwords.random::<32>()?));
        let id = hex(&passwords.random::<8>()?);
        let expires_at = Timestamp::from_micros(
            self.store
                .now()
                .as_micros()
                .saturating_add(i64::from(valid_days) * 86_400_000_000),
        );
        let command = ApiTokenCommand::Issue {
            owner: owner.username.clone(),
            name,
            token_hash: token_hash(&secret),
            access,
            expires_at,
        };
        self.execute::<ApiTokenState>(&id, command, request).await?;
        let token = self
            .store
            .api_token_by_hash(&token_hash(&secret))
            .await?
            .ok_or_else(|| DomainError::NotFound {
                what: "API token",
                id: id.clone(),
            })?;
        Ok(IssuedToken { token, secret })
    }

    pub async fn revoke_api_token(
        &self,
        id: &str,
        reason: &str,
        request: &Request,
    ) -> Result<(), AppError> {
        let reason =
            Reason::parse("reason", reason).map_err(|e| DomainError::Validation(vec![e]))?;
        self.execute::<ApiTokenState>(id, ApiTokenCommand::Revoke { reason }, request)
            .await
            .map_err(|e| match e {
                AppError::Domain(DomainError::NotFound { .. }) => DomainError::NotFound {
                    what: "API token",
                    id: id.to_owned(),
                }
                .into(),
                other => other,
            })?;
        Ok(())
    }

    /// The person an API token acts for: its owner, with only the token's roles (those
    /// the owner still holds) and, when the token names sites, only those sites.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Authenticated, AppError> {
        let token = self
            .store
            .api_token_by_hash(&token_hash(secret))
            .await?
            .ok_or(AuthError::BadToken)?;
        if token.revoked_at.is_some() || token.expires_at <= self.store.now() {
            return Err(AuthError::BadToken.into());
        }
        let creds = self
            .store
            .credentials(&token.owner)
            .await?
            .ok_or(AuthError::BadToken)?;
        if !creds.user.active || creds.user.locked || token.created_at < creds.sessions_valid_after
        {
            return Err(AuthError::BadToken.into());
        }
        let owner = principal_of(&creds.user);
        let roles: BTreeSet<Role> = token
            .roles
            .iter()
            .filter_map(|r| Role::parse("roles", r).ok())
            .filter(|r| owner.roles.contains(r))
            .collect();
        let token_sites: BTreeSet<String> = token.sites.iter().cloned().collect();
        let sites = if token_sites.is_empty() {
            owner.sites.clone()
        } else if owner.limited_to_sites {
            owner.sites.intersection(&token_sites).cloned().collect()
        } else {
            token_sites.clone()
        };
        let mut principal = Principal::new(&owner.username, &owner.full_name, roles, sites);
        principal.limited_to_sites = owner.limited_to_sites || !token_sites.is_empty();
        Ok(Authenticated {
            principal,
            via: Via::Token(token.id),
            must_change_password: false,
        })
    }
}
