//! Malformed and hostile requests against a server with an organization and IAM users: each
//! gets AWS's error in the request's protocol, the server stays up, and its state is the same
//! afterwards.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::config::Credentials;
use common::{
    MANAGEMENT, RawResponse, Shape, checked_shape, config_with_accounts, convenience_auth,
    create_account, iam_with, organization_with_root, raw_request, start_with,
};
use server::RunningServer;

const ORGANIZATIONS_PREFIX: &str = "AWSOrganizationsV20161128";

/// Sends an Organizations request with the given body and content type.
async fn organizations(
    server: &RunningServer,
    operation: &str,
    content_type: &str,
    body: &[u8],
) -> RawResponse {
    let mut headers = vec![
        ("Content-Type", content_type.to_owned()),
        (
            "X-Amz-Target",
            format!("{ORGANIZATIONS_PREFIX}.{operation}"),
        ),
    ];
    headers.extend(convenience_auth(MANAGEMENT, "organizations"));
    raw_request(server, "POST", "/", &headers, body).await
}

async fn organizations_json(server: &RunningServer, operation: &str, body: &[u8]) -> RawResponse {
    organizations(server, operation, "application/x-amz-json-1.1", body).await
}

/// Sends an IAM awsQuery request with a form body.
async fn iam_form(server: &RunningServer, content_type: &str, body: &[u8]) -> RawResponse {
    let mut headers = vec![("Content-Type", content_type.to_owned())];
    headers.extend(convenience_auth(MANAGEMENT, "iam"));
    raw_request(server, "POST", "/", &headers, body).await
}

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Asserts an awsJson error response with HTTP 400 and the given `__type`.
fn assert_json_error(response: &RawResponse, code: &str, case: &str) {
    assert_eq!(response.status, 400, "{case}: {}", response.body);
    assert_eq!(response.json()["__type"], code, "{case}");
    assert!(response.header("x-amzn-RequestId").is_some(), "{case}");
}

/// Asserts an Organizations `InvalidInputException` with the given reason.
fn assert_invalid_input(response: &RawResponse, reason: &str, case: &str) {
    assert_json_error(response, "InvalidInputException", case);
    assert_eq!(response.json()["Reason"], reason, "{case}");
}

/// Asserts an awsQuery XML error response with the given status and code.
fn assert_query_error(response: &RawResponse, status: u16, code: &str, case: &str) {
    assert_eq!(response.status, status, "{case}: {}", response.body);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/xml"),
        "{case}"
    );
    assert!(
        response.body.contains(&format!("<Code>{code}</Code>")),
        "{case}: {}",
        response.body
    );
}

/// A server with an organization (one OU, one account) and one IAM user.
struct Fixture {
    server: RunningServer,
    root_id: String,
    unit_id: String,
    iam: aws_sdk_iam::Client,
}

impl Fixture {
    async fn new() -> Fixture {
        let server = start_with(config_with_accounts(10)).await;
        let (management, root_id) = organization_with_root(&server).await;
        let unit = management
            .create_organizational_unit()
            .parent_id(&root_id)
            .name("Workloads")
            .send()
            .await
            .unwrap();
        let unit_id = unit.organizational_unit().unwrap().id().unwrap().to_owned();
        create_account(&management, "Member", "member@example.com").await;
        let credentials = Credentials::new(MANAGEMENT, "test-secret", None, None, "test");
        let iam = iam_with(&server, credentials, "us-east-1");
        iam.create_user().user_name("victim").send().await.unwrap();
        Fixture {
            server,
            root_id,
            unit_id,
            iam,
        }
    }

    /// Reads the organization's shape and the IAM user names.
    async fn state(&self) -> (Shape, Vec<String>) {
        let shape = checked_shape(&common::client(&self.server, MANAGEMENT)).await;
        let users = self.iam.list_users().send().await.unwrap();
        let names = users
            .users()
            .iter()
            .map(|user| user.user_name().to_owned())
            .collect();
        (shape, names)
    }

    /// Asserts that the health endpoint still responds and that the state equals `before`.
    async fn assert_unchanged(&self, before: &(Shape, Vec<String>)) {
        let health = raw_request(&self.server, "GET", "/_bulkhead/health", &[], b"").await;
        assert_eq!(health.status, 200);
        assert_eq!(&self.state().await, before);
    }
}

#[tokio::test]
async fn malformed_json_is_serialization_error() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;
    let root = &fixture.root_id;
    let nested = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", format!(r#"{{"ParentId":"{root}","Name":"#).into_bytes()),
        (
            "trailing data",
            format!(r#"{{"ParentId":"{root}","Name":"A"}}}}"#).into_bytes(),
        ),
        (
            "trailing comma",
            format!(r#"{{"ParentId":"{root}","Name":"A",}}"#).into_bytes(),
        ),
        (
            "single quotes",
            format!("{{'ParentId':'{root}','Name':'A'}}").into_bytes(),
        ),
        ("deep nesting", nested.into_bytes()),
        (
            "invalid UTF-8 in a string",
            [
                format!(r#"{{"ParentId":"{root}","Name":""#).as_bytes(),
                b"\xc3\x28\xff",
                br#""}"#,
            ]
            .concat(),
        ),
        (
            "number for a string",
            format!(r#"{{"ParentId":"{root}","Name":7}}"#).into_bytes(),
        ),
        (
            "XML body",
            format!(
                "<CreateOrganizationalUnitRequest><ParentId>{root}</ParentId><Name>A</Name></CreateOrganizationalUnitRequest>"
            )
            .into_bytes(),
        ),
        ("NUL bytes", b"\0\0\0\0".to_vec()),
    ];
    for (case, body) in &cases {
        let response = organizations_json(&fixture.server, "CreateOrganizationalUnit", body).await;
        assert_json_error(&response, "SerializationException", case);
    }
    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn wrong_content_types_keep_json_errors() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;
    let root = &fixture.root_id;

    // A request with an X-Amz-Target header is awsJson whatever its content type, so a form
    // or XML body is rejected as invalid JSON.
    let form = format!("Action=CreateOrganizationalUnit&ParentId={root}&Name=A");
    let xml = format!("<Name>A</Name><ParentId>{root}</ParentId>");
    let cases: [(&str, &[u8]); 3] = [
        (FORM, form.as_bytes()),
        ("application/xml", xml.as_bytes()),
        ("text/plain", b"Name=A"),
    ];
    for (content_type, body) in cases {
        let response = organizations(
            &fixture.server,
            "CreateOrganizationalUnit",
            content_type,
            body,
        )
        .await;
        assert_json_error(&response, "SerializationException", content_type);
        assert!(!response.body.contains("<html"), "{content_type}");
    }
    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn oversized_values_are_rejected() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;
    let root = &fixture.root_id;

    let long_name = format!(r#"{{"ParentId":"{root}","Name":"{}"}}"#, "a".repeat(129));
    let response = organizations_json(
        &fixture.server,
        "CreateOrganizationalUnit",
        long_name.as_bytes(),
    )
    .await;
    assert_invalid_input(
        &response,
        "MAX_LENGTH_EXCEEDED",
        "OU name of 129 characters",
    );

    let long_non_ascii = format!(r#"{{"ParentId":"{root}","Name":"{}"}}"#, "é".repeat(129));
    let response = organizations_json(
        &fixture.server,
        "CreateOrganizationalUnit",
        long_non_ascii.as_bytes(),
    )
    .await;
    assert_invalid_input(&response, "MAX_LENGTH_EXCEEDED", "OU name of 129 'é'");

    // An SCP may hold 5,120 characters.
    let statement = r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"},"#;
    let statements = statement.repeat(5_200 / statement.len() + 1);
    let content = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.trim_end_matches(',')
    );
    let body = serde_json::json!({
        "Name": "too-long",
        "Description": "",
        "Type": "SERVICE_CONTROL_POLICY",
        "Content": content,
    });
    let response =
        organizations_json(&fixture.server, "CreatePolicy", body.to_string().as_bytes()).await;
    assert_json_error(
        &response,
        "ConstraintViolationException",
        "SCP over 5,120 characters",
    );
    assert_eq!(response.json()["Reason"], "POLICY_CONTENT_LIMIT_EXCEEDED");

    let body = format!(
        "Action=CreateUser&Version=2010-05-08&UserName={}",
        "a".repeat(65)
    );
    let response = iam_form(&fixture.server, FORM, body.as_bytes()).await;
    assert_query_error(
        &response,
        400,
        "ValidationError",
        "user name of 65 characters",
    );

    let body = format!(
        "Action=CreateUser&Version=2010-05-08&UserName={}",
        "a".repeat(server::DEFAULT_MAX_BODY_BYTES)
    );
    let response = iam_form(&fixture.server, FORM, body.as_bytes()).await;
    assert_query_error(
        &response,
        413,
        "RequestEntityTooLargeException",
        "form body over 1 MiB",
    );

    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn out_of_range_max_results_are_rejected() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;

    let cases = [
        ("21", "MAX_VALUE_EXCEEDED"),
        ("2147483647", "MAX_VALUE_EXCEEDED"),
        ("9223372036854775807", "MAX_VALUE_EXCEEDED"),
        ("0", "MIN_VALUE_EXCEEDED"),
        ("-1", "MIN_VALUE_EXCEEDED"),
        ("-9223372036854775808", "MIN_VALUE_EXCEEDED"),
    ];
    for (value, reason) in cases {
        let body = format!(r#"{{"MaxResults":{value}}}"#);
        let response = organizations_json(&fixture.server, "ListAccounts", body.as_bytes()).await;
        assert_invalid_input(&response, reason, value);
    }
    for value in ["99999999999999999999", "1e30", "1.5", "\"5\"", "null"] {
        let body = format!(r#"{{"MaxResults":{value}}}"#);
        let response = organizations_json(&fixture.server, "ListAccounts", body.as_bytes()).await;
        if value == "null" {
            // A null member is an absent one, as in the SDKs.
            assert_eq!(response.status, 200, "{value}: {}", response.body);
        } else {
            assert_json_error(&response, "SerializationException", value);
        }
    }

    for value in ["0", "-1", "1001", "99999999999999999999", "ten"] {
        let body = format!("Action=ListUsers&Version=2010-05-08&MaxItems={value}");
        let response = iam_form(&fixture.server, FORM, body.as_bytes()).await;
        assert_query_error(&response, 400, "ValidationError", value);
    }
    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_rejected() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;
    let root = &fixture.root_id;

    let first_page = organizations_json(&fixture.server, "ListAccounts", br#"{"MaxResults":1}"#)
        .await
        .json();
    let token = first_page["NextToken"].as_str().unwrap().to_owned();

    let forged_sequence = format!("{}{}", &token[..16], "f".repeat(16));
    let cases = [
        (
            "ListChildren",
            format!(r#"{{"ParentId":"{root}","ChildType":"ACCOUNT","NextToken":"{token}"}}"#),
        ),
        ("ListRoots", format!(r#"{{"NextToken":"{token}"}}"#)),
        ("ListAccounts", r#"{"NextToken":"not-a-token"}"#.to_owned()),
        (
            "ListAccounts",
            format!(r#"{{"NextToken":"{}"}}"#, "0".repeat(32)),
        ),
        (
            "ListAccounts",
            format!(r#"{{"NextToken":"{}"}}"#, "é".repeat(32)),
        ),
        (
            "ListAccounts",
            format!(r#"{{"NextToken":"{}"}}"#, "A".repeat(100_000)),
        ),
        ("ListAccounts", r#"{"NextToken":""}"#.to_owned()),
    ];
    for (operation, body) in &cases {
        let response = organizations_json(&fixture.server, operation, body.as_bytes()).await;
        let case = format!("{operation} {}", &body[..body.len().min(80)]);
        assert_invalid_input(&response, "INVALID_NEXT_TOKEN", &case);
    }

    // A token whose sequence number points past the end is well formed: it reads an empty page.
    let body = format!(r#"{{"NextToken":"{forged_sequence}"}}"#);
    let response = organizations_json(&fixture.server, "ListAccounts", body.as_bytes()).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["Accounts"], serde_json::json!([]));

    let too_long = format!("{}{}", token, "0".repeat(100_000));
    let body = format!(r#"{{"NextToken":"{too_long}"}}"#);
    let response = organizations_json(&fixture.server, "ListAccounts", body.as_bytes()).await;
    assert_invalid_input(
        &response,
        "MAX_LENGTH_EXCEEDED",
        "NextToken over 100,000 characters",
    );

    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn non_ascii_names_round_trip() {
    let fixture = Fixture::new().await;
    let management = common::client(&fixture.server, MANAGEMENT);

    // OU names may hold any character, up to 128 of them however many bytes they take.
    for name in ["Sécurité", "セキュリティ", "🛡️ guard", &"é".repeat(128)] {
        let created = management
            .create_organizational_unit()
            .parent_id(&fixture.unit_id)
            .name(name)
            .send()
            .await
            .unwrap();
        let id = created.organizational_unit().unwrap().id().unwrap();
        let described = management
            .describe_organizational_unit()
            .organizational_unit_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(described.organizational_unit().unwrap().name(), Some(name));
    }

    let before = fixture.state().await;
    for name in ["jörg", "a b", "../admin", "a\u{0}b"] {
        let body = format!(
            "Action=CreateUser&Version=2010-05-08&UserName={}",
            name.bytes()
                .map(|byte| format!("%{byte:02X}"))
                .collect::<String>()
        );
        let response = iam_form(&fixture.server, FORM, body.as_bytes()).await;
        assert_query_error(&response, 400, "ValidationError", name);
    }
    let invalid_utf8 = iam_form(
        &fixture.server,
        FORM,
        b"Action=CreateUser&Version=2010-05-08&UserName=\xff\xfe",
    )
    .await;
    assert_query_error(
        &invalid_utf8,
        400,
        "ValidationError",
        "invalid UTF-8 user name",
    );
    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn path_traversal_reaches_no_endpoint() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;

    let cases = [
        ("GET", "/../../etc/passwd"),
        ("GET", "/%2e%2e/%2e%2e/etc/passwd"),
        ("GET", "/_bulkhead/../../etc/passwd"),
        ("POST", "/_bulkhead/../moto-api/reset"),
        ("POST", "/moto-api/reset/.."),
        ("POST", "/_bulkhead/%2e%2e/_bulkhead/reset"),
        ("POST", "/_bulkhead/health/../reset"),
        ("POST", "//_bulkhead/reset"),
    ];
    for (method, path) in cases {
        let response = raw_request(&fixture.server, method, path, &[], b"").await;
        let case = format!("{method} {path}");
        assert_json_error(&response, "UnknownOperationException", &case);
    }
    fixture.assert_unchanged(&before).await;
}

#[tokio::test]
async fn duplicate_query_parameters_keep_first() {
    let fixture = Fixture::new().await;
    let before = fixture.state().await;

    let response = iam_form(
        &fixture.server,
        FORM,
        b"Action=GetUser&Version=2010-05-08&UserName=victim&Action=DeleteUser",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response.body.contains("<GetUserResponse"),
        "{}",
        response.body
    );

    let response = iam_form(
        &fixture.server,
        FORM,
        b"Action=DeleteUser&Version=2010-05-08&UserName=nobody&UserName=victim",
    )
    .await;
    assert_query_error(
        &response,
        404,
        "NoSuchEntity",
        "first UserName names no user",
    );

    let response = raw_request(
        &fixture.server,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08&MaxItems=5&MaxItems=-1",
        &convenience_auth(MANAGEMENT, "iam"),
        b"",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);

    fixture.assert_unchanged(&before).await;
}
