//! The one error type of the API: clients get a code, a message and the field at fault
//! for their mistakes; our mistakes are a generic 500 with the request id, and the detail
//! goes to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `not_found`, `forbidden`, `invalid_field`, …
    pub code: String,
    pub message: String,
    /// The request field (JSON path or parameter) at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What was refused in detail (an import's report with every row's problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug)]
pub enum ApiError {
    /// The client's mistake: shown as it is.
    Client { status: StatusCode, code: &'static str, message: String, field: Option<String> },
    /// The client's data was refused, with the details (422 `rejected`).
    Rejected { message: String, details: serde_json::Value },
    /// Ours: logged with its cause, shown as a generic 500.
    Internal(Box<Fault>),
}

/// What went wrong on our side, with the cause as its source; goes to the log only.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    #[error("the store failed")]
    Store(#[source] credence_store::StoreError),
    #[error("the engine failed")]
    Engine(#[source] credence_engine::EngineError),
    /// A step of ours failed (`what` names it) for the reason its source gives.
    #[error("{what}")]
    Failed {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the {0} lock is poisoned")]
    Poisoned(&'static str),
    #[error("the request queue is closed")]
    QueueClosed,
    #[error("user {user} has unknown role {role}")]
    UnknownRole { user: String, role: String },
}

impl From<Fault> for ApiError {
    fn from(f: Fault) -> Self {
        ApiError::Internal(Box::new(f))
    }
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>, field: Option<&str>) -> ApiError {
        ApiError::Client {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            field: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
            field: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.into(),
            field: None,
        }
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message: message.into(),
            field: None,
        }
    }

    pub fn too_many(message: impl Into<String>) -> ApiError {
        ApiError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_requests",
            message: message.into(),
            field: None,
        }
    }

    /// Our fault: `what` failed because of `source`.
    pub fn failed(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> ApiError {
        Fault::Failed { what, source: source.into() }.into()
    }

    /// Our fault: a lock was poisoned by a panic while held.
    pub fn poisoned(what: &'static str) -> ApiError {
        Fault::Poisoned(what).into()
    }

    /// Logs our fault with its whole chain of causes, under the request id.
    pub(crate) fn log_fault(fault: &Fault, request_id: &str, context: &str) {
        tracing::error!(request_id, error = %chain(fault), "{context}");
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Client { status, .. } => *status,
            ApiError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<credence_store::StoreError> for ApiError {
    fn from(e: credence_store::StoreError) -> Self {
        Fault::Store(e).into()
    }
}

/// Engine errors: those about what the client asked for are theirs, the rest ours.
impl From<credence_engine::EngineError> for ApiError {
    fn from(e: credence_engine::EngineError) -> Self {
        use credence_engine::EngineError as E;
        match &e {
            E::UnknownCustomer { .. }
            | E::UnknownCase { .. }
            | E::UnknownBlockedOrder { .. }
            | E::UnknownLimitRequest { .. }
            | E::UnknownBillingRequest { .. }
            | E::UnknownAccount { .. }
            | E::NoBillingRun { .. }
            | E::UnknownGroup { .. }
            | E::UnknownInvoice { .. }
            | E::UnknownDispute { .. }
            | E::UnknownRatingRun { .. }
            | E::UnknownRepairPlan { .. }
            | E::UnknownRepairItem { .. }
            | E::UnknownOverride { .. }
            | E::NotRated { .. } => ApiError::not_found(e.to_string()),
            E::IneligibleApprover { .. } => ApiError::invalid("approver", e.to_string()),
            E::NoAuthority { .. } | E::NotTheApprover { .. } | E::UserDisabled { .. } => {
                ApiError::forbidden(e.to_string())
            }
            E::OrderDecided { .. }
            | E::LimitRequestDecided { .. }
            | E::BillingRequestDecided { .. }
            | E::CaseClosed { .. }
            | E::DisputeOpen { .. }
            | E::DisputeResolved { .. }
            | E::RepairPlanClosed { .. }
            | E::OverrideDecided { .. }
            | E::OverrideSuperseded { .. }
            | E::RepairPlanExists { .. } => ApiError::conflict(e.to_string()),
            E::Read(r) if r.exceeded().is_some() => ApiError::Client {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "limit_exceeded",
                message: chain(&e),
                field: None,
            },
            E::Cancelled(_) | E::Read(credence_records::ReadError::Cancelled { .. }) => ApiError::Client {
                status: StatusCode::REQUEST_TIMEOUT,
                code: "timeout",
                message: "the request ran out of time; nothing was written".into(),
                field: None,
            },
            E::Read(_) => ApiError::Client {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "unreadable_file",
                message: chain(&e),
                field: None,
            },
            E::Request(_) => match e.input() {
                Some(field) => rejected(&e, Some(field)),
                None => Fault::Engine(e).into(),
            },
            E::Override(_)
            | E::ReasonRequired
            | E::Decision(_)
            | E::BadCollectionEntry { .. }
            | E::InvoiceOfAnotherCustomer { .. }
            | E::CaseAtLastStage { .. }
            | E::UnknownTemplate { .. }
            | E::UnknownRepairKind { .. }
            | E::EvidenceRequired
            | E::CommentRequired
            | E::UnknownUser { .. }
            | E::BillingAction { .. }
            | E::RepairItemsOpen { .. } => rejected(&e, e.input()),
            // Ours: the program's policy, strategy or model files, the store, stored data
            // that no longer reads, serialisation.
            _ => Fault::Engine(e).into(),
        }
    }
}

/// A request the engine refused (422 `rejected`), naming the request field when one is
/// at fault.
fn rejected(e: &credence_engine::EngineError, field: Option<&str>) -> ApiError {
    ApiError::Client {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "rejected",
        message: chain(e),
        field: field.map(str::to_owned),
    }
}

/// An error with its causes, for the log or a client message.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

tokio::task_local! {
    /// The id of the request being answered, set by the request middleware so error
    /// bodies and log lines can carry it.
    pub static REQUEST_ID: String;
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID.try_with(Clone::clone).ok();
        let (status, body) = match self {
            ApiError::Client { status, code, message, field } => {
                (status, ErrorBody { code: code.to_owned(), message, field, request_id, details: None })
            }
            ApiError::Rejected { message, details } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    code: "rejected".into(),
                    message,
                    field: None,
                    request_id,
                    details: Some(details),
                },
            ),
            ApiError::Internal(fault) => {
                ApiError::log_fault(&fault, request_id.as_deref().unwrap_or(""), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorBody {
                        code: "internal".into(),
                        message: "internal error; quote the request id when reporting it".into(),
                        field: None,
                        request_id,
                        details: None,
                    },
                )
            }
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_engine::EngineError;

    async fn body(e: ApiError) -> (StatusCode, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_policy_file_the_server_cannot_read_is_its_own_fault() {
        let path = std::path::Path::new("/nonexistent/credit_policy.toml");
        let e = credence_engine::load_policy(Some(path)).unwrap_err();
        assert!(matches!(e, EngineError::PolicyFile(_)), "{e:?}");
        let (status, b) = body(ApiError::from(e)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b["code"], "internal");
        assert!(!b.to_string().contains("credit_policy"), "no internals in the body: {b}");
    }

    #[tokio::test]
    async fn our_fault_keeps_its_cause_for_the_log_and_not_for_the_body() {
        let e = ApiError::failed("writing the upload", std::io::Error::other("disk full"));
        let ApiError::Internal(fault) = &e else { panic!("{e:?}") };
        assert_eq!(chain(fault.as_ref()), "writing the upload: disk full");
        let (status, b) = body(e).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b["code"], "internal");
        assert!(!b.to_string().contains("disk full"), "no internals in the body: {b}");
    }

    #[tokio::test]
    async fn a_refused_entry_is_the_clients_and_names_the_field() {
        let e = EngineError::BadCollectionEntry {
            field: "promised date",
            rule: "must be on or after the day the promise is made",
            value: "2026-01-01 before 2026-02-01".into(),
        };
        let (status, b) = body(ApiError::from(e)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((b["code"].as_str(), b["field"].as_str()), (Some("rejected"), Some("promised_date")));
    }

    #[tokio::test]
    async fn a_stored_route_that_no_longer_reads_is_ours() {
        let source = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let (status, _) = body(ApiError::from(EngineError::BadStoredRoute { id: 7, source })).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
