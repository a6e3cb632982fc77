//! Who may call what (SPEC §1, §3; DESIGN §3 "a table-driven test walks every route
//! with every role"). The walk is generated from the route table itself, so a route
//! added tomorrow is walked tomorrow without anyone remembering to add it here; the
//! decision each route should give comes from an expectation written out by hand from
//! SPEC §1 ([`expected`]), never from `Role::grants`, so that a change to the grants
//! table shows up as a failing test rather than as a silently widened permission.
//!
//! Site scoping is checked on SQLite in the walk and again, reduced, on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use serde_json::json;
use vplant_app::Request as AppRequest;
use vplant_app::identity::NewUserInput;
use vplant_domain::identity::{Permission, Role};
use vplant_domain::signature::Meaning;
use vplant_server::auth::access::{Access, RouteDecl};

use crate::support::{
    Client, EQUIPMENT, INTERNAL, MATERIAL, MBR, OTHER_CMO, OWN_CMO, PASSWORD, Resp, Server,
    on_postgres, register_material, seed_batch_at, seed_exception_at, seed_mes,
};

mod expected;
mod records;

use expected::*;
use records::*;

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The router's answer to an address nobody declared.
fn is_fallback(resp: &Resp) -> bool {
    resp.status == StatusCode::NOT_FOUND
        && (resp.body.contains("There is no page at")
            || resp.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("route '")))
}

/// A redirect that is a refusal: to sign in, to a session-ended page, or to the
/// forced password change.
fn refusal_redirect(resp: &Resp) -> Option<String> {
    let to = resp.location()?;
    (to.starts_with("/login?next=")
        || to.starts_with("/session-expired")
        || to == "/account/password")
        .then_some(to)
}

/// A client that carries the sign-in form's cookie and token, as a browser that has
/// opened the sign-in page does.
async fn at_sign_in_page(server: &Server) -> Client<'_> {
    let page = server.anonymous().get("/login").await;
    let token = page
        .cookie("vplant_signin")
        .expect("the sign-in page sets its cookie");
    Client {
        server,
        token: None,
        csrf: Some(token.clone()),
        extra: vec![("cookie".to_owned(), format!("vplant_signin={token}"))],
    }
}

/// Sends `decl`'s request to `uri`: a GET, or a POST with a minimal body (an empty
/// form for pages, `{}` for the API). Signing in gets the account's credentials, as
/// an empty sign-in form is answered 401 by design.
async fn call(client: &Client<'_>, decl: &RouteDecl, uri: &str, who: Option<Role>) -> Resp {
    match decl.method.as_str() {
        "GET" => client.get(uri).await,
        "POST" if decl.path == "/login" => {
            let username = who.map_or("auditor", Role::as_str);
            client
                .post(uri, &[("username", username), ("password", PASSWORD)])
                .await
        }
        "POST" if is_api(uri) => client.post_json(uri, &json!({})).await,
        "POST" => client.post(uri, &[]).await,
        other => panic!(
            "the walk sends GET and POST; {other} {} needs a case",
            decl.path
        ),
    }
}

fn label(who: Option<Role>) -> &'static str {
    who.map_or("anonymous", Role::as_str)
}

/// Checks one answer against the expectation; returns what is wrong, if anything.
fn judge(
    decl: &RouteDecl,
    uri: &str,
    who: Option<Role>,
    site: SiteOf,
    resp: &Resp,
) -> Option<String> {
    let what = format!("{} {uri} as {}", decl.method, label(who));
    let got = format!(
        "{} {}",
        resp.status,
        resp.location()
            .map_or_else(String::new, |l| format!("→ {l}"))
    );
    if is_fallback(resp) {
        return Some(format!(
            "{what}: reached the 404 fallback although the route is declared"
        ));
    }
    if allowed(decl.access, who) {
        if matches!(
            resp.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Some(format!(
                "{what}: expected to be let in ({:?}), got {got}",
                decl.access
            ));
        }
        if let Some(to) = refusal_redirect(resp) {
            return Some(format!("{what}: expected to be let in, was sent to {to}"));
        }
        let scoped_away = who == Some(Role::CmoPartner) && site == SiteOf::Other;
        if decl.method == Method::GET && !scoped_away && resp.status.is_client_error() {
            return Some(format!("{what}: let in, but not served: {got}"));
        }
        if resp.status.is_server_error() {
            return Some(format!("{what}: server error {got}: {}", resp.body));
        }
        return None;
    }
    let refused = match (is_api(uri), who) {
        (true, None) => resp.status == StatusCode::UNAUTHORIZED,
        (true, Some(_)) => resp.status == StatusCode::FORBIDDEN,
        (false, None) => {
            resp.status == StatusCode::SEE_OTHER
                && resp
                    .location()
                    .is_some_and(|l| l.starts_with("/login?next="))
        }
        (false, Some(_)) => resp.status == StatusCode::FORBIDDEN,
    };
    (!refused).then(|| format!("{what}: expected a refusal ({:?}), got {got}", decl.access))
}

/// For the CMO partner, another site's record is "not found", exactly like a record
/// that does not exist. A GET that redirects (an `{action}` address opened directly)
/// is followed once.
async fn judge_scope(client: &Client<'_>, uri: &str, resp: Resp) -> Option<String> {
    let resp = match resp.location() {
        Some(to) if resp.status.is_redirection() => client.get(&to).await,
        _ => resp,
    };
    (resp.status != StatusCode::NOT_FOUND).then(|| {
        format!(
            "GET {uri} as cmo_partner: another site's record must answer 404, got {}",
            resp.status
        )
    })
}

#[tokio::test]
async fn every_declared_route_answers_every_role_as_spec_section_1_says() {
    let server = Server::new().await;
    let records = Records::create(&server).await;
    let (_, decls) = vplant_server::routes().into_parts();
    let mut sessions = BTreeMap::new();
    for role in Role::ALL {
        sessions.insert(role, server.as_role(role).await);
    }
    let anonymous = server.anonymous();
    let mut wrong = Vec::new();
    let mut checks = 0;
    for decl in &decls {
        for (uri, site) in records.addresses(&decl.path) {
            for who in std::iter::once(None).chain(Role::ALL.map(Some)) {
                // The routes every signed-in person may post act on their own session
                // (sign in again, sign out, sign out everywhere, change the password):
                // each gets a session of its own, so the shared one survives.
                let own_session = decl.method == Method::POST
                    && matches!(decl.access, Access::SignedIn | Access::Public);
                let fresh;
                let client = match who {
                    // Signing in, also again while signed in, is done from the
                    // sign-in page, whose cookie and token the form carries.
                    _ if decl.path == "/login" && decl.method == Method::POST => {
                        let mut page = at_sign_in_page(&server).await;
                        if let Some(role) = who {
                            page.token = server.as_role(role).await.token;
                        }
                        fresh = page;
                        &fresh
                    }
                    None => &anonymous,
                    Some(role) if own_session => {
                        fresh = server.as_role(role).await;
                        &fresh
                    }
                    Some(role) => &sessions[&role],
                };
                let resp = call(client, decl, &uri, who).await;
                checks += 1;
                if let Some(problem) = judge(decl, &uri, who, site, &resp) {
                    wrong.push(problem);
                } else if who == Some(Role::CmoPartner)
                    && site == SiteOf::Other
                    && decl.method == Method::GET
                    && allowed(decl.access, who)
                    && let Some(problem) = judge_scope(client, &uri, resp).await
                {
                    wrong.push(problem);
                }
                // Signing out everywhere ends the shared session too: start another.
                if let Some(role) = who.filter(|_| own_session) {
                    sessions.insert(role, server.as_role(role).await);
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checks} route checks disagree with SPEC §1:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn the_route_table_is_complete_and_the_router_serves_nothing_undeclared() {
    let server = Server::new().await;
    let records = Records::create(&server).await;
    let (_, decls) = vplant_server::routes().into_parts();
    let mut declared: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for decl in &decls {
        let fresh = declared
            .entry(decl.path.clone())
            .or_default()
            .insert(decl.method.to_string());
        assert!(fresh, "{} {} is declared twice", decl.method, decl.path);
    }
    let admin = server.as_role(Role::Administrator).await;
    let anonymous = server.anonymous();
    for (path, methods) in &declared {
        let (uri, _) = records.addresses(path).remove(0);
        // Declared: the router has a handler there (the walk checks what it answers).
        let resp = admin.get(&uri).await;
        if methods.contains("GET") {
            assert!(!is_fallback(&resp), "GET {uri} is declared but not routed");
        }
        // Not declared: no handler hides behind a declared path.
        for method in ["GET", "POST"] {
            if methods.contains(method) {
                continue;
            }
            let resp = if method == "GET" {
                anonymous.get(&uri).await
            } else {
                anonymous.post(&uri, &[]).await
            };
            assert_eq!(
                resp.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} is not declared, yet the router answers it"
            );
        }
    }
    for undeclared in [
        "/admin",
        "/api/v1/admin",
        "/sites/CMO-A/rename/now",
        "/.env",
        "/api/v2/sites",
    ] {
        let resp = admin.get(undeclared).await;
        assert!(
            is_fallback(&resp),
            "{undeclared} is not declared but answers {}",
            resp.status
        );
    }

    // The API description and the table agree: nothing documented is undeclared,
    // nothing declared under /api is undocumented.
    let doc = anonymous.get("/api/v1/openapi.json").await.json();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let table: BTreeSet<(String, String)> = decls
        .iter()
        .map(|d| (d.method.to_string(), d.path.clone()))
        .collect();
    for (method, path) in &documented {
        assert!(
            table.contains(&(method.clone(), path.clone())),
            "{method} {path} is in openapi.json but not in the route table"
        );
    }
    for (method, path) in &table {
        if is_api(path) && path != "/api/v1/openapi.json" {
            assert!(
                documented.contains(&(method.clone(), path.clone())),
                "{method} {path} is declared but missing from openapi.json"
            );
        }
    }
}

#[tokio::test]
async fn only_the_routes_meant_to_be_public_answer_without_signing_in() {
    let server = Server::new().await;
    let (_, decls) = vplant_server::routes().into_parts();
    let public: Vec<&RouteDecl> = decls
        .iter()
        .filter(|d| d.access == Access::Public)
        .collect();
    assert!(!public.is_empty(), "the sign-in page at least is public");
    for decl in public {
        assert!(
            meant_to_be_public(decl),
            "{} {} is declared public; if it must be, add it to `meant_to_be_public`",
            decl.method,
            decl.path
        );
        let client = if decl.method == Method::POST {
            at_sign_in_page(&server).await
        } else {
            server.anonymous()
        };
        let resp = call(&client, decl, &decl.path, None).await;
        assert!(
            !matches!(
                resp.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ) && refusal_redirect(&resp).is_none()
                && !resp.status.is_server_error(),
            "{} {} is public but answered {} {:?}",
            decl.method,
            decl.path,
            resp.status,
            resp.location()
        );
    }
}

#[tokio::test]
async fn an_auditor_can_post_nothing_but_their_own_sign_in_sign_out_and_password() {
    let server = Server::new().await;
    let records = Records::create(&server).await;
    let (_, decls) = vplant_server::routes().into_parts();
    let auditor = server.as_role(Role::Auditor).await;
    for decl in decls.iter().filter(|d| d.method == Method::POST) {
        let own = AUDITOR_POSTS.contains(&decl.path.as_str());
        assert_eq!(
            allowed(decl.access, Some(Role::Auditor)),
            own,
            "POST {} ({:?}) must be closed to auditors unless it is about their own account",
            decl.path,
            decl.access
        );
        if own {
            continue;
        }
        for (uri, _) in records.addresses(&decl.path) {
            let resp = call(&auditor, decl, &uri, Some(Role::Auditor)).await;
            assert_eq!(
                resp.status,
                StatusCode::FORBIDDEN,
                "POST {uri} as auditor must be refused: {}",
                resp.body
            );
        }
    }
}

/// What the CMO partner sees of sites, on whichever backend `server` runs: its own
/// site and nothing else, in lists, counts, details, histories and signatures.
async fn a_cmo_partner_is_held_to_its_own_site(server: &Server) {
    let cmo = server.as_role(Role::CmoPartner).await;

    let listed = cmo.get("/api/v1/sites?include_inactive=true").await;
    assert_eq!(listed.status, StatusCode::OK);
    let codes: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, [OWN_CMO]);

    let page = cmo.get("/sites?include_inactive=true").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("href=\"/sites/{OWN_CMO}\"")));
    for hidden in [OTHER_CMO, INTERNAL] {
        assert!(
            !page.body.contains(&format!("/sites/{hidden}\""))
                && !page.body.contains(&format!(">{hidden}<")),
            "the site list shows {hidden} to the CMO partner"
        );
    }

    let home = cmo.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        stat(&home.body, "Sites"),
        "1",
        "the home page counts only the partner's site"
    );

    for site in [OWN_CMO, OTHER_CMO, INTERNAL] {
        let want = if site == OWN_CMO {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        for uri in [
            format!("/sites/{site}"),
            format!("/sites/{site}/sign"),
            format!("/api/v1/sites/{site}"),
            format!("/api/v1/sites/{site}/history"),
            format!("/api/v1/sites/{site}/signatures"),
        ] {
            let resp = cmo.get(&uri).await;
            assert_eq!(resp.status, want, "GET {uri} as cmo_partner");
        }
    }

    // "Not found" says no more than for a code that does not exist at all.
    let hidden = cmo.get(&format!("/api/v1/sites/{OTHER_CMO}")).await.json();
    let missing = cmo.get("/api/v1/sites/NOWHERE").await.json();
    assert_eq!(
        hidden.to_string().replace(OTHER_CMO, "NOWHERE"),
        missing.to_string()
    );

    // Even with everything a valid signature needs, another site cannot be signed.
    let admin = server.as_role(Role::Administrator).await;
    let head = admin
        .get(&format!("/api/v1/sites/{OTHER_CMO}/signatures"))
        .await
        .json()["head"]
        .clone();
    let attempt = json!({
        "meaning": "reviewed",
        "record_version": head["version"],
        "record_hash": head["hash"],
        "username": Role::CmoPartner.as_str(),
        "password": PASSWORD,
    });
    let signed = cmo
        .post_json(&format!("/api/v1/sites/{OTHER_CMO}/signatures"), &attempt)
        .await;
    assert_eq!(signed.status, StatusCode::NOT_FOUND, "{}", signed.body);
    let after = admin
        .get(&format!("/api/v1/sites/{OTHER_CMO}/signatures"))
        .await
        .json();
    assert_eq!(after["signatures"], json!([]));
}

/// The figure of the home page's "at a glance" card labelled `label`.
fn stat(body: &str, label: &str) -> String {
    let after = body
        .split_once(&format!("<span class=\"stat-label\">{label}</span>"))
        .unwrap_or_else(|| panic!("the home page has no '{label}' figure"))
        .1;
    let value = after.split_once("<span class=\"stat-value\">").unwrap().1;
    value.split_once('<').unwrap().0.trim().to_owned()
}

#[tokio::test]
async fn a_cmo_partner_sees_only_its_own_site_in_lists_counts_and_records() {
    let server = Server::new().await;
    a_cmo_partner_is_held_to_its_own_site(&server).await;
}

#[test]
fn a_cmo_partner_sees_only_its_own_site_on_postgres_too() {
    on_postgres(async |server| a_cmo_partner_is_held_to_its_own_site(server).await);
}

#[test]
fn roles_are_let_in_and_refused_the_same_on_postgres() {
    on_postgres(async |server| {
        let (_, decls) = vplant_server::routes().into_parts();
        let checked = [
            (Method::GET, "/api/v1/sites"),
            (Method::POST, "/api/v1/sites"),
            (Method::GET, "/api/v1/sites/{code}/history"),
            (Method::POST, "/api/v1/sites/{code}/signatures"),
            (Method::GET, "/sites"),
            (Method::POST, "/sites/{code}/{action}"),
        ];
        let records = Records {
            token_id: String::new(),
            follow_ups: BTreeMap::new(),
        };
        for role in Role::ALL {
            let client = server.as_role(role).await;
            let picked = decls
                .iter()
                .filter(|d| checked.iter().any(|(m, p)| *m == d.method && d.path == *p));
            assert_eq!(
                picked.clone().count(),
                checked.len(),
                "the routes checked on PostgreSQL are declared"
            );
            for decl in picked {
                let (uri, site) = records.addresses(&decl.path).remove(0);
                let resp = call(&client, decl, &uri, Some(role)).await;
                if let Some(problem) = judge(decl, &uri, Some(role), site, &resp) {
                    panic!("on PostgreSQL: {problem}");
                }
            }
        }
    });
}
