//! The handler for every AWS API request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use cloud::Caller;
use cloud::access::{Call, Environment};
use cloud::organizations::{Organizations, OrganizationsError};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use tracing::Instrument;
use wire::query::QueryParameters;
use wire::sigv4::{self, AuthError};
use wire::xml::{QueryResponse, render_query_response};
use wire::{AwsError, Protocol};

use crate::App;
use crate::request_id::RequestId;
use crate::routing::{self, Target};

/// Routes, authenticates and runs one AWS API request.
pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let span = tracing::debug_span!(
        target: "bulkhead::request",
        "request",
        request_id = %request_id,
        service = tracing::field::Empty,
        operation = tracing::field::Empty,
        account = tracing::field::Empty,
        region = tracing::field::Empty,
    );
    async move {
        let (parts, body) = request.into_parts();
        let protocol = routing::protocol_of(&parts.method, &parts.headers, parts.uri.query());
        let outcome = serve(&app, &parts, body, protocol, &request_id).await;
        let response = match outcome {
            Ok(body) => success(protocol, body),
            Err(error) => {
                let level_error = error.status.is_server_error();
                if level_error {
                    tracing::error!(target: "bulkhead::request", error_code = %error.code, error_message = %error.message, "request failed");
                } else {
                    tracing::warn!(target: "bulkhead::request", error_code = %error.code, error_message = %error.message, "request rejected");
                }
                error.render(protocol, &request_id).map(Body::from).into_response()
            }
        };
        tracing::debug!(
            target: "bulkhead::request",
            status = response.status().as_u16(),
            duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request served"
        );
        response
    }
    .instrument(span)
    .await
}

async fn serve(
    app: &App,
    parts: &Parts,
    body: Body,
    protocol: Protocol,
    request_id: &str,
) -> Result<Vec<u8>, AwsError> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let body = read_body(body, app.max_body_bytes).await?;
    let path = parts.uri.path();
    let target = routing::route(
        protocol,
        &parts.headers,
        &parts.method,
        path,
        parts.uri.query(),
        &body,
    )?;
    let span = tracing::Span::current();
    span.record("service", target.service());
    span.record("operation", target.operation());

    let caller =
        authenticate(app, parts, &body, target).map_err(|error| error.to_aws_error(protocol))?;
    span.record("account", caller.account_id.as_str());
    span.record("region", caller.region.as_str());

    match target {
        Target::Organizations(operation) => {
            let input = Organizations::parse_input(operation, &body)?;
            if app.enforce {
                let call = app.organizations.call_for(&caller, operation, &input);
                authorize(app, &caller, &call, peer, None)
                    .map_err(|message| AwsError::from(OrganizationsError::AccessDenied(message)))?;
            }
            app.organizations.handle(&caller, operation, &input).await
        }
        Target::Sts(operation) => {
            let input = query_input(parts, &body, &model::sts::MODEL, operation.input_shape());
            if app.enforce {
                let calls = cloud::sts::calls_for(operation, &input);
                let trust = (operation == model::sts::Operation::AssumeRole)
                    .then(|| {
                        let role_arn = input["RoleArn"].as_str().unwrap_or_default();
                        cloud::sts::role_trust_policy(&app.iam, role_arn)
                    })
                    .flatten();
                for call in &calls {
                    authorize(app, &caller, call, peer, trust.as_ref())
                        .map_err(|message| query_access_denied(&message))?;
                }
            }
            let output = app
                .sts
                .handle(&app.iam, &app.auth, &caller, operation, &input)
                .await?;
            let response = QueryResponse {
                operation: operation.name(),
                namespace: model::sts::SERVICE.xml_namespace,
                result_wrapper: operation.result_wrapper(),
                output_shape: operation.output_shape(),
            };
            Ok(query_output(
                &model::sts::MODEL,
                response,
                &output,
                request_id,
            ))
        }
        Target::Iam(operation) => {
            let input = query_input(parts, &body, &model::iam::MODEL, operation.input_shape());
            if app.enforce {
                let call = app.iam.call_for(&caller, operation, &input);
                authorize(app, &caller, &call, peer, None)
                    .map_err(|message| query_access_denied(&message))?;
            }
            let output = app.iam.handle(&caller, operation, &input).await?;
            let response = QueryResponse {
                operation: operation.name(),
                namespace: model::iam::SERVICE.xml_namespace,
                result_wrapper: operation.result_wrapper(),
                output_shape: operation.output_shape(),
            };
            Ok(query_output(
                &model::iam::MODEL,
                response,
                &output,
                request_id,
            ))
        }
    }
}

/// Decides the request with every policy that applies; `Err` carries AWS's denial message.
fn authorize(
    app: &App,
    caller: &Caller,
    call: &Call,
    peer: Option<SocketAddr>,
    resource_policy: Option<&cloud::access::Policy>,
) -> Result<(), String> {
    let environment = Environment {
        source_ip: peer.map(|address| address.ip().to_string()),
        secure_transport: false,
        now_millis: jiff::Timestamp::now().as_millisecond(),
    };
    app.authorizer
        .check(caller, call, &environment, resource_policy)
}

/// Builds the `AccessDenied` error of the awsQuery services (STS, IAM), with HTTP 403.
fn query_access_denied(message: &str) -> AwsError {
    AwsError::client("AccessDenied", message).with_status(StatusCode::FORBIDDEN)
}

/// Decodes an awsQuery request's parameters, from the query string of a GET or the form body
/// of a POST, into the JSON form of the operation's input shape.
fn query_input(
    parts: &Parts,
    body: &[u8],
    model: &model::shape::Model,
    input_shape: Option<usize>,
) -> serde_json::Value {
    let parameters = if parts.method == http::Method::GET {
        QueryParameters::parse(parts.uri.query().unwrap_or_default().as_bytes())
    } else {
        QueryParameters::parse(body)
    };
    match input_shape {
        Some(shape) => parameters.to_json(model, shape),
        None => serde_json::Value::Object(serde_json::Map::new()),
    }
}

/// Writes an awsQuery operation's JSON output as its XML response body.
fn query_output(
    model: &model::shape::Model,
    response: QueryResponse<'_>,
    output: &serde_json::Value,
    request_id: &str,
) -> Vec<u8> {
    render_query_response(model, response, output, request_id).into_bytes()
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, AwsError> {
    to_bytes(body, limit).await.map_err(|error| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(current) = source {
            if current.is::<http_body_util::LengthLimitError>() {
                return wire::error::request_entity_too_large(limit);
            }
            source = current.source();
        }
        AwsError::client(
            "MalformedHttpRequestException",
            format!("The request body could not be read: {error}."),
        )
    })
}

/// Checks the request's signature information and resolves the calling principal.
fn authenticate(
    app: &App,
    parts: &Parts,
    body: &[u8],
    target: Target,
) -> Result<Caller, AuthError> {
    let now = jiff::Timestamp::now();
    let authorization = sigv4::parse_authorization(&parts.headers, now, app.max_clock_skew)?;
    sigv4::check_scope_service(&authorization, target.signing_name())?;
    if let Some(session) = app.sts.session(&authorization.access_key_id) {
        let secret = sigv4::SigningSecret {
            secret_access_key: &session.record.secret,
            session_token: Some(&session.record.session_token),
        };
        sigv4::verify_signature(&authorization, signed_request(parts, body), secret)?;
        return cloud::sts::Sts::caller_for(&session, &authorization.scope.region)
            .map_err(|cloud::sts::SessionError::Expired| AuthError::ExpiredToken);
    }
    if let Some(key) = app.iam.access_key(&authorization.access_key_id) {
        // An Inactive or deleted key is rejected as an unknown one, as IAM rejects it.
        if !key.active {
            return Err(AuthError::UnknownAccessKey);
        }
        let secret = sigv4::SigningSecret {
            secret_access_key: &key.secret,
            session_token: None,
        };
        sigv4::verify_signature(&authorization, signed_request(parts, body), secret)?;
        return Ok(Caller::iam_user(
            &key.account_id,
            &key.user_arn,
            &key.user_id,
            &authorization.scope.region,
        ));
    }
    app.auth
        .resolve_unissued_key(&authorization.access_key_id, &authorization.scope.region)
}

/// Returns the parts of a request that its signature covers.
fn signed_request<'a>(parts: &'a Parts, body: &'a [u8]) -> sigv4::SignedRequest<'a> {
    sigv4::SignedRequest {
        method: parts.method.as_str(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or("/", |value| value.as_str()),
        headers: &parts.headers,
        body,
    }
}

fn success(protocol: Protocol, body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, Body::from(body)).into_response();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(protocol.content_type()),
    );
    response
}
