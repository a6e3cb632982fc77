//! The records the walk fills route parameters with, and the concrete addresses a
//! declared path is tried at.

use super::*;

/// The account the `{username}` routes act on. It is not one of the role accounts, so
/// that whatever the walk does to it (an administrator's lock, say) leaves the role
/// sessions alone.
pub(super) const PROBE: &str = "access_probe";

/// Which site a concrete address names, for the CMO partner's scoping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SiteOf {
    /// The path names no site.
    None,
    /// The CMO partner's own site.
    Own,
    /// A site the CMO partner is not bound to.
    Other,
}

/// The records the walk fills the route parameters with.
pub(super) struct Records {
    pub(super) token_id: String,
    /// Per site: an exception and the CAPA that follows it up.
    pub(super) follow_ups: BTreeMap<String, (String, String)>,
}

impl Records {
    /// A probe account with an API token, so that `{username}` and token `{id}`
    /// routes have an existing record to act on, and a batch with its input lot at
    /// every site, for the batch, lot and trace routes, and an exception with a CAPA
    /// following it up at every site, for the exception and action routes.
    pub(super) async fn create(server: &Server) -> Records {
        register_material(&server.app).await;
        seed_mes(&server.app).await;
        let mut follow_ups = BTreeMap::new();
        for site in [OWN_CMO, OTHER_CMO, INTERNAL] {
            seed_batch_at(&server.app, site).await;
            let numbers = seed_exception_at(&server.app, site).await;
            follow_ups.insert(site.to_owned(), numbers);
        }
        let admin = AppRequest::by("administrator");
        let probe = NewUserInput {
            username: PROBE.to_owned(),
            full_name: "Access Probe".to_owned(),
            email: "access.probe@example.com".to_owned(),
            roles: vec![Role::Operator.as_str().to_owned()],
            sites: Vec::new(),
            password: Some(PASSWORD.to_owned()),
            must_change_password: false,
        };
        server.app.create_user(probe, &admin).await.unwrap();
        let roles = [Role::Operator.as_str().to_owned()];
        let issued = server
            .app
            .issue_api_token(PROBE, "access walk", &roles, &[], 30, &admin)
            .await
            .unwrap();
        Records {
            token_id: issued.token.id,
            follow_ups,
        }
    }

    /// The concrete addresses a declared path is tried at. A path that names a
    /// site's record (a site `{code}`, a batch, a lot, an exception, an action, or a
    /// trace from a lot) is tried at the CMO partner's own site, another CMO's site
    /// and an internal site.
    pub(super) fn addresses(&self, path: &str) -> Vec<(String, SiteOf)> {
        let trace = path.ends_with("/trace");
        let per_site = [
            "sites/{code}",
            "batches/{site}",
            "lots/{material}",
            "exceptions/{number}",
            "actions/{number}",
        ]
        .iter()
        .any(|p| path.contains(p));
        let sites: &[(&str, SiteOf)] = if per_site || trace {
            &[
                (OWN_CMO, SiteOf::Own),
                (OTHER_CMO, SiteOf::Other),
                (INTERNAL, SiteOf::Other),
            ]
        } else {
            &[("", SiteOf::None)]
        };
        sites
            .iter()
            .map(|(site, of)| {
                let segments: Vec<String> = path
                    .split('/')
                    .map(|segment| {
                        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(param) => self.value(path, param, site),
                            None => segment.to_owned(),
                        }
                    })
                    .collect();
                let mut uri = segments.join("/");
                // A trace starts at the site's lot.
                if trace {
                    uri = format!("{uri}?lot={MATERIAL}/{site}-1");
                }
                (uri, *of)
            })
            .collect()
    }

    pub(super) fn value(&self, path: &str, param: &str, site: &str) -> String {
        match param {
            "code" if path.contains("sites/{code}") => site.to_owned(),
            "code" if path.contains("products/{code}") => "PRD-1".to_owned(),
            "code" if path.contains("kpi/{code}") => "right_first_time".to_owned(),
            // A month long ended, which may be recorded.
            "period" => "2024-01".to_owned(),
            // Every site has batch `B1` and lot `EXC-1/<site>-1` (`seed_batch_at`).
            "site" if path.contains("batches/{site}") => site.to_owned(),
            "number" if path.contains("batches/{site}") => "B1".to_owned(),
            "material" if path.contains("lots/{material}") => MATERIAL.to_owned(),
            "lot" if path.contains("lots/{material}") => format!("{site}-1"),
            "number" if path.contains("exceptions/{number}") => self.follow_ups[site].0.clone(),
            "number" if path.contains("actions/{number}") => self.follow_ups[site].1.clone(),
            // The one `{step}` of the exception and action pages; an empty form is
            // refused for want of a reason, so the walk changes nothing with it.
            "step" => "cancel".to_owned(),
            "username" => PROBE.to_owned(),
            "id" if path.contains("tokens/{id}") => self.token_id.clone(),
            // The MES records `seed_mes` makes at the internal site.
            "code" if path.contains("mbrs/{code}") => MBR.to_owned(),
            "version" | "from" | "to" => "1".to_owned(),
            "site" if path.contains("ebrs/{site}") => INTERNAL.to_owned(),
            "number" if path.contains("ebrs/{site}") => "E1".to_owned(),
            "id" if path.contains("equipment/{id}") => EQUIPMENT.to_owned(),
            // The one `{action}` route is the master-data change; `rename` is one.
            "action" => "rename".to_owned(),
            _ => panic!(
                "route {path} has a parameter {{{param}}} this test does not know: \
                 add an existing record for it in access.rs `Records::value`"
            ),
        }
    }
}
