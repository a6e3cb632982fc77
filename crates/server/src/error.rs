//! The one error type at the web edge. Every failure becomes a status code and a
//! machine-readable body naming the code, a message a person can act on, and for bad
//! input each field with its reason. Internal errors are logged, never leaked.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vplant_app::AppError;
use vplant_domain::{DomainError, FieldError};
use vplant_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `VP-VALIDATION`, `VP-CONFLICT`.
    pub code: String,
    pub message: String,
    /// For bad input: every field that was refused and why.
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub reason: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "VP-NOT-FOUND",
            format!("{what} '{id}' does not exist"),
        )
    }

    pub fn field(field: &str, reason: impl Into<String>) -> ApiError {
        ApiError::from(AppError::Domain(DomainError::field(field, reason)))
    }

    /// A refusal by the domain, before any use case ran (a body that does not read
    /// as a command).
    pub fn domain(e: DomainError) -> ApiError {
        ApiError::from(AppError::Domain(e))
    }

    /// Bad input: a 422 naming every refused field.
    pub fn invalid(fields: Vec<FieldError>) -> ApiError {
        ApiError::from(AppError::Domain(DomainError::Validation(fields)))
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                fields: self
                    .fields
                    .iter()
                    .map(|f| FieldErrorBody {
                        field: f.field.clone(),
                        reason: f.reason.clone(),
                    })
                    .collect(),
            },
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let code = e.code();
        let message = e.to_string();
        let (status, fields) = match e {
            AppError::Domain(DomainError::Validation(fields)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, fields)
            }
            AppError::Domain(DomainError::NotFound { .. }) => (StatusCode::NOT_FOUND, vec![]),
            AppError::Domain(DomainError::AlreadyExists { .. }) => (
                StatusCode::CONFLICT,
                vec![FieldError::new("code", "is already taken")],
            ),
            AppError::Domain(DomainError::InvalidState(_)) => (StatusCode::CONFLICT, vec![]),
            AppError::Domain(DomainError::NotAllowed(_)) => (StatusCode::FORBIDDEN, vec![]),
            AppError::Auth(ref auth) => {
                use vplant_app::identity::AuthError;
                let status = match auth {
                    AuthError::Locked | AuthError::Deactivated => StatusCode::FORBIDDEN,
                    _ => StatusCode::UNAUTHORIZED,
                };
                (status, vec![])
            }
            AppError::Internal(ref internal) => {
                tracing::error!(error = %internal, "internal error");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "an internal error occurred; nothing was written. The details are in the server log",
                );
            }
            AppError::Store(StoreError::Conflict { .. }) => (StatusCode::CONFLICT, vec![]),
            AppError::Store(StoreError::IdempotencyKeyReused(_)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![FieldError::new(
                    "Idempotency-Key",
                    "was already used for a different command",
                )],
            ),
            AppError::Store(StoreError::Unavailable(_) | StoreError::ShuttingDown) => {
                (StatusCode::SERVICE_UNAVAILABLE, vec![])
            }
            AppError::Store(StoreError::Full(_)) => (StatusCode::INSUFFICIENT_STORAGE, vec![]),
            AppError::Store(other) => {
                tracing::error!(error = %other, "internal store error");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    other.code(),
                    "an internal error occurred; nothing was written. The details are in the server log",
                );
            }
        };
        ApiError {
            status,
            code,
            message,
            fields,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::from(AppError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}
