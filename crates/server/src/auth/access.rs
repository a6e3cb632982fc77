//! The route table: every route is declared with its access decision, and the
//! router is built from the declarations, so a route without a decision cannot
//! exist. The decision is enforced in one place, [`enforce`], and the table is
//! public so that a test can walk every route with every role.

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use vplant_domain::identity::Permission;

use super::refusal::{Refusal, refuse};
use super::{AuthProblem, Viewer};
use crate::AppState;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, health checks, assets).
    Public,
    /// Anyone signed in, also while a password change is pending (the change
    /// password page, sign-out, "who am I").
    SignedIn,
    /// Signed in, password up to date, and holding the permission.
    Allow(Permission),
    /// Signed in and holding at least one signing permission; the meaning chosen is
    /// checked by the signature rules.
    AnySignature,
}

/// One declared route.
#[derive(Clone, Debug)]
pub struct RouteDecl {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

/// Builds the router and the table together.
pub struct Routes {
    router: Router<AppState>,
    decls: Vec<RouteDecl>,
}

impl Default for Routes {
    fn default() -> Routes {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            decls: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, axum::routing::get(handler))
    }

    pub fn post<H, T>(self, path: &str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, axum::routing::post(handler))
    }

    fn add(
        mut self,
        method: Method,
        path: &str,
        access: Access,
        route: axum::routing::MethodRouter<AppState>,
    ) -> Routes {
        let guarded = route.route_layer(from_fn(move |req: Request, next: Next| {
            enforce(access, req, next)
        }));
        self.router = self.router.route(path, guarded);
        self.decls.push(RouteDecl {
            method,
            path: path.to_owned(),
            access,
        });
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.decls.extend(other.decls);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteDecl>) {
        (self.router, self.decls)
    }
}

/// Whether `viewer` passes `access`; `None` means "not signed in".
pub fn decide(access: Access, viewer: Option<&Viewer>) -> Result<(), Refusal> {
    let viewer = match (access, viewer) {
        (Access::Public, _) => return Ok(()),
        (_, None) => return Err(Refusal::NotSignedIn),
        (_, Some(v)) => v,
    };
    if viewer.must_change_password && access != Access::SignedIn {
        return Err(Refusal::PasswordChangeRequired);
    }
    let allowed = match access {
        Access::Public | Access::SignedIn => true,
        Access::Allow(permission) => viewer.principal.can(permission),
        Access::AnySignature => viewer
            .principal
            .roles
            .iter()
            .any(|r| r.grants().iter().any(|p| matches!(p, Permission::Sign(_)))),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// The one place access is enforced, as a layer on every declared route.
async fn enforce(access: Access, req: Request, next: Next) -> Response {
    let viewer = req.extensions().get::<Viewer>();
    match decide(access, viewer) {
        Ok(()) => next.run(req).await,
        Err(Refusal::NotSignedIn) => {
            let problem = req.extensions().get::<AuthProblem>().cloned();
            refuse(&req, Refusal::NotSignedIn, problem).into_response()
        }
        Err(refusal) => refuse(&req, refusal, None).into_response(),
    }
}
