//! Requests no SDK sends: missing and malformed signatures, unknown services and operations in
//! each protocol, oversized and malformed bodies, and the control endpoints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use common::{
    MANAGEMENT, auth_at, client, convenience_auth, raw_request, start_server, start_with,
};
use server::ServerConfig;
use store::Location;

const TARGET: &str = "AWSOrganizationsV20161128.DescribeOrganization";

fn json_headers(target: &str, auth: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("Content-Type", "application/x-amz-json-1.1".to_owned()),
        ("X-Amz-Target", target.to_owned()),
    ];
    headers.extend(auth);
    headers
}

#[tokio::test]
async fn missing_authorization_is_rejected() {
    let server = start_server().await;
    let response = raw_request(&server, "POST", "/", &json_headers(TARGET, vec![]), b"{}").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json()["__type"],
        "MissingAuthenticationTokenException"
    );
    assert!(response.header("x-amzn-RequestId").is_some());
}

#[tokio::test]
async fn malformed_authorization_is_incomplete_signature() {
    let server = start_server().await;
    let now = jiff::Timestamp::now();
    let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let date = now.strftime("%Y%m%d").to_string();
    let cases = [
        format!(
            "AWS4-HMAC-SHA256 Credential={MANAGEMENT}/{date}/us-east-1/organizations/aws4_request"
        ),
        "AWS4-HMAC-SHA256".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={MANAGEMENT}/{date}/us-east-1/organizations/aws4_request SignedHeaders=host"
        ),
        format!(
            "AWS4-HMAC-SHA1 Credential={MANAGEMENT}/{date}/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature={}",
            "0".repeat(64)
        ),
        format!(
            "AWS4-HMAC-SHA256 Credential={MANAGEMENT}/{date}/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=xyz"
        ),
    ];
    for authorization in cases {
        let auth = vec![
            ("Authorization", authorization.clone()),
            ("X-Amz-Date", amz_date.clone()),
        ];
        let response = raw_request(&server, "POST", "/", &json_headers(TARGET, auth), b"{}").await;
        assert_eq!(response.status, 400, "{authorization}");
        assert_eq!(
            response.json()["__type"],
            "IncompleteSignatureException",
            "{authorization}"
        );
    }
}

#[tokio::test]
async fn scope_for_other_service_is_invalid_signature() {
    let server = start_server().await;
    let response = raw_request(
        &server,
        "POST",
        "/",
        &json_headers(TARGET, convenience_auth(MANAGEMENT, "sts")),
        b"{}",
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["__type"], "InvalidSignatureException");
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("organizations")
    );
}

#[tokio::test]
async fn skewed_clock_is_rejected() {
    let server = start_server().await;
    for minutes in [-6_i64, 6] {
        let time = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap();
        let response = raw_request(
            &server,
            "POST",
            "/",
            &json_headers(TARGET, auth_at(MANAGEMENT, "organizations", time)),
            b"{}",
        )
        .await;
        assert_eq!(response.status, 400, "{minutes} minutes");
        assert_eq!(response.json()["__type"], "InvalidSignatureException");
        assert!(
            response.json()["message"]
                .as_str()
                .unwrap()
                .contains("Signature"),
            "{}",
            response.body
        );
    }
    let time = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_mins(4))
        .unwrap();
    let response = raw_request(
        &server,
        "POST",
        "/",
        &json_headers(TARGET, auth_at(MANAGEMENT, "organizations", time)),
        b"{}",
    )
    .await;
    assert_eq!(
        response.json()["__type"],
        "AWSOrganizationsNotInUseException"
    );
}

#[tokio::test]
async fn strict_auth_rejects_unknown_keys() {
    let mut config = ServerConfig::new(Location::InMemory);
    config.auth.strict = true;
    let server = start_with(config).await;
    let error = client(&server, MANAGEMENT)
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_organizations::error::ProvideErrorMetadata::code(&error),
        Some("UnrecognizedClientException")
    );
}

#[tokio::test]
async fn default_account_takes_non_numeric_keys() {
    let mut config = ServerConfig::new(Location::InMemory);
    config.auth.default_account = "444444444444".to_owned();
    let server = start_with(config).await;
    let created = client(&server, "test")
        .create_organization()
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.organization().unwrap().master_account_id(),
        Some("444444444444")
    );
}

#[tokio::test]
async fn unknown_operations_get_protocol_errors() {
    let server = start_server().await;

    let unknown_target = raw_request(
        &server,
        "POST",
        "/",
        &json_headers(
            "AWSOrganizationsV20161128.NoSuchThing",
            convenience_auth(MANAGEMENT, "organizations"),
        ),
        b"{}",
    )
    .await;
    assert_eq!(unknown_target.status, 400);
    assert_eq!(unknown_target.json()["__type"], "UnknownOperationException");

    let unknown_json_service = raw_request(
        &server,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.0".to_owned()),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables".to_owned()),
        ],
        b"{}",
    )
    .await;
    assert_eq!(unknown_json_service.status, 400);
    assert_eq!(
        unknown_json_service.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(
        unknown_json_service.json()["__type"],
        "UnknownOperationException"
    );

    let mut query_headers = vec![(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
    )];
    query_headers.extend(convenience_auth(MANAGEMENT, "sts"));
    let query = raw_request(
        &server,
        "POST",
        "/",
        &query_headers,
        b"Action=GetFederationToken&Version=2011-06-15",
    )
    .await;
    assert_eq!(query.status, 400);
    assert!(
        query.body.contains("<Code>InvalidAction</Code>"),
        "{}",
        query.body
    );
    assert!(
        query
            .header("content-type")
            .unwrap()
            .starts_with("text/xml")
    );

    let rest_json = raw_request(
        &server,
        "POST",
        "/create-landingzone",
        &convenience_auth(MANAGEMENT, "controltower"),
        b"{}",
    )
    .await;
    assert_eq!(rest_json.status, 400);
    assert_eq!(rest_json.json()["__type"], "UnknownOperationException");

    let rest_xml = raw_request(
        &server,
        "GET",
        "/some-bucket?list-type=2",
        &convenience_auth(MANAGEMENT, "s3"),
        b"",
    )
    .await;
    assert_eq!(rest_xml.status, 400);
    assert!(
        rest_xml
            .body
            .contains("<Code>UnknownOperationException</Code>"),
        "{}",
        rest_xml.body
    );

    let traversal = raw_request(&server, "GET", "/../../etc/passwd", &[], b"").await;
    assert_eq!(traversal.status, 400);
    assert!(traversal.header("x-amzn-RequestId").is_some());
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let server = start_server().await;
    let body = format!(
        "{{\"Name\":\"{}\"}}",
        "x".repeat(server::DEFAULT_MAX_BODY_BYTES)
    );
    let headers = json_headers(
        "AWSOrganizationsV20161128.CreateOrganizationalUnit",
        convenience_auth(MANAGEMENT, "organizations"),
    );
    let response = raw_request(&server, "POST", "/", &headers, body.as_bytes()).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["__type"], "RequestEntityTooLargeException");
}

#[tokio::test]
async fn malformed_bodies_are_serialization_errors() {
    let server = start_server().await;
    client(&server, MANAGEMENT)
        .create_organization()
        .send()
        .await
        .unwrap();
    let cases: [&[u8]; 5] = [
        b"{",
        b"[1,2]",
        b"\xff\xfe",
        b"{\"MaxResults\": \"ten\"}",
        b"\"text\"",
    ];
    for body in cases {
        let headers = json_headers(
            "AWSOrganizationsV20161128.ListAccounts",
            convenience_auth(MANAGEMENT, "organizations"),
        );
        let response = raw_request(&server, "POST", "/", &headers, body).await;
        assert_eq!(response.status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(
            response.json()["__type"],
            "SerializationException",
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let headers = json_headers(
        "AWSOrganizationsV20161128.ListAccounts",
        convenience_auth(MANAGEMENT, "organizations"),
    );
    let empty = raw_request(&server, "POST", "/", &headers, b"").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
}

#[tokio::test]
async fn errors_carry_reason_and_message() {
    let server = start_server().await;
    client(&server, MANAGEMENT)
        .create_organization()
        .send()
        .await
        .unwrap();
    let headers = json_headers(
        "AWSOrganizationsV20161128.DescribeAccount",
        convenience_auth(MANAGEMENT, "organizations"),
    );
    let response = raw_request(&server, "POST", "/", &headers, br#"{"AccountId": "abc"}"#).await;
    let body = response.json();
    assert_eq!(body["__type"], "InvalidInputException");
    assert_eq!(body["Reason"], "INVALID_PATTERN");
    assert!(body["Message"].as_str().unwrap().contains("AccountId"));
}

#[tokio::test]
async fn health_and_reset() {
    let server = start_server().await;
    client(&server, MANAGEMENT)
        .create_organization()
        .send()
        .await
        .unwrap();

    let health = raw_request(&server, "GET", "/_bulkhead/health", &[], b"").await;
    assert_eq!(health.status, 200);
    let body = health.json();
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["store"], "sqlite::memory:");
    assert!(body["uptime_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(body["organizations"], 1);
    assert!(health.header("x-amzn-RequestId").is_some());

    for path in ["/moto-api/reset", "/_bulkhead/reset"] {
        let reset = raw_request(&server, "POST", path, &[], b"").await;
        assert_eq!(reset.status, 200, "{path}");
        let error = client(&server, MANAGEMENT)
            .describe_organization()
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            aws_sdk_organizations::error::ProvideErrorMetadata::code(&error),
            Some("AWSOrganizationsNotInUseException")
        );
        client(&server, MANAGEMENT)
            .create_organization()
            .send()
            .await
            .unwrap();
    }

    let wrong_method = raw_request(&server, "GET", "/_bulkhead/reset", &[], b"").await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json()["status"], "error");
}
