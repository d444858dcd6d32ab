//! The control endpoints: health and state reset.

use std::any::Any;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;

use crate::App;

/// `GET /_bulkhead/health`: version, store, uptime and how much the store holds.
pub(crate) async fn health(State(app): State<Arc<App>>) -> Response {
    let (organizations, accounts) = app.organizations.counts();
    let body = json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "store": app.store.description(),
        "uptime_seconds": app.started.elapsed().as_secs_f64(),
        "organizations": organizations,
        "accounts": accounts,
        "roles": app.iam.role_count(),
    });
    json_response(StatusCode::OK, &body)
}

/// `POST /_bulkhead/reset` and `POST /moto-api/reset`: deletes all state.
pub(crate) async fn reset(State(app): State<Arc<App>>) -> Response {
    match app.organizations.reset().await {
        Ok(()) => {
            app.sts.clear();
            app.iam.clear();
            tracing::info!(target: "bulkhead::server", "state reset");
            json_response(StatusCode::OK, &json!({"status": "ok"}))
        }
        Err(error) => {
            tracing::error!(target: "bulkhead::server", %error, "state reset failed");
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"status": "error", "message": error.to_string()}),
            )
        }
    }
}

/// A control path called with the wrong method.
pub(crate) async fn method_not_allowed() -> Response {
    let body = json!({"status": "error", "message": "This control endpoint does not accept that HTTP method."});
    json_response(StatusCode::METHOD_NOT_ALLOWED, &body)
}

/// The response for a request whose handler panicked: AWS's `InternalFailure`, as JSON.
pub(crate) fn panic_response(
    panic: Box<dyn Any + Send + 'static>,
) -> http::Response<axum::body::Body> {
    let detail = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_default();
    tracing::error!(target: "bulkhead::server", panic = %detail, "request handler panicked");
    let error =
        wire::AwsError::internal("The request failed because of an internal error in bulkhead.");
    error
        .render(wire::Protocol::AwsJson1_1, "")
        .map(axum::body::Body::from)
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, Bytes::from(body.to_string())).into_response();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
