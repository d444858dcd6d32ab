//! IAM through the AWS SDK for Rust: roles, users, policies and access keys over awsQuery,
//! the access role CreateAccount makes, and STS AssumeRole against IAM roles.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{StatusType, Tag};
use aws_sdk_iam::{Client, config::BehaviorVersion, config::Credentials, config::Region};
use common::{MANAGEMENT, convenience_auth, raw_request, start_server, start_with};
use server::{RunningServer, ServerConfig};
use store::Location;

/// The account the IAM tests act in, as its root user.
const ACCOUNT: &str = "222222222222";

const TRUST_ACCOUNT_ROOT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#;

const ALLOW_S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

fn iam_client(
    server: &RunningServer,
    access_key: &str,
    secret: &str,
    token: Option<&str>,
) -> Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            access_key,
            secret,
            token.map(str::to_owned),
            None,
            "test",
        ))
        .endpoint_url(server.endpoint_url())
        .build();
    Client::from_conf(config)
}

/// Returns an IAM client acting as the root user of `account`.
fn root_client(server: &RunningServer, account: &str) -> Client {
    iam_client(server, account, "test-secret", None)
}

fn sts_client(
    server: &RunningServer,
    access_key: &str,
    secret: &str,
    token: Option<&str>,
) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            access_key,
            secret,
            token.map(str::to_owned),
            None,
            "test",
        ))
        .endpoint_url(server.endpoint_url())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// Decodes a URL-encoded policy document as IAM returns it.
fn decode(document: &str) -> serde_json::Value {
    let mut bytes = Vec::new();
    let mut rest = document.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

/// Returns the HTTP status of a failed request.
fn status_of<E>(
    error: &aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
) -> u16 {
    error
        .raw_response()
        .map_or(0, |response| response.status().as_u16())
}

#[tokio::test]
async fn role_lifecycle_and_defaults() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);

    let created = iam
        .create_role()
        .role_name("Deployer")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .description("deploys things")
        .tags(
            Tag::builder()
                .key("team")
                .value("platform")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let role = created.role().unwrap();
    assert_eq!(role.path(), "/");
    assert_eq!(role.arn(), format!("arn:aws:iam::{ACCOUNT}:role/Deployer"));
    assert!(role.role_id().starts_with("AROA"), "{}", role.role_id());
    assert_eq!(role.role_id().len(), 21);
    assert_eq!(role.max_session_duration(), Some(3600));

    let fetched = iam.get_role().role_name("deployer").send().await.unwrap();
    let role = fetched.role().unwrap();
    assert_eq!(role.role_name(), "Deployer");
    assert_eq!(role.description(), Some("deploys things"));
    assert_eq!(role.tags().len(), 1);
    let document = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(document["Statement"][0]["Action"], "sts:AssumeRole");

    let duplicate = iam
        .create_role()
        .role_name("DEPLOYER")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some("EntityAlreadyExists"));
    assert_eq!(status_of(&duplicate), 409);

    iam.update_role()
        .role_name("Deployer")
        .max_session_duration(7200)
        .description("deploys more")
        .send()
        .await
        .unwrap();
    let trust_any_role = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.update_assume_role_policy()
        .role_name("Deployer")
        .policy_document(trust_any_role)
        .send()
        .await
        .unwrap();
    let role = iam.get_role().role_name("Deployer").send().await.unwrap();
    let role = role.role().unwrap();
    assert_eq!(role.max_session_duration(), Some(7200));
    assert_eq!(role.description(), Some("deploys more"));
    let document = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        document["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );

    iam.tag_role()
        .role_name("Deployer")
        .tags(Tag::builder().key("env").value("dev").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_role()
        .role_name("Deployer")
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_role_tags()
        .role_name("Deployer")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = tags.tags().iter().map(|tag| tag.key()).collect();
    assert_eq!(keys, ["env"]);

    iam.delete_role()
        .role_name("Deployer")
        .send()
        .await
        .unwrap();
    let missing = iam
        .get_role()
        .role_name("Deployer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));
    assert_eq!(status_of(&missing), 404);
}

#[tokio::test]
async fn roles_page_with_max_items() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    for name in ["alpha", "bravo", "charlie"] {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
            .send()
            .await
            .unwrap();
    }

    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = iam
            .list_roles()
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(page.roles().len(), 1);
        names.push(page.roles()[0].role_name().to_owned());
        if !page.is_truncated() {
            assert!(page.marker().is_none());
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    assert_eq!(names, ["alpha", "bravo", "charlie"]);

    // Another account sees none of them.
    let other = root_client(&server, "333333333333");
    let roles = other.list_roles().send().await.unwrap();
    assert!(roles.roles().is_empty());
}

#[tokio::test]
async fn forged_and_foreign_markers_are_refused() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    for name in ["alpha", "bravo"] {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
            .send()
            .await
            .unwrap();
        iam.create_user().user_name(name).send().await.unwrap();
    }
    let roles_marker = iam
        .list_roles()
        .max_items(1)
        .send()
        .await
        .unwrap()
        .marker()
        .unwrap()
        .to_owned();

    // A ListRoles marker sent to ListUsers, a role name, and text that is no marker at all.
    for marker in [roles_marker.as_str(), "bravo", "not a marker", "%%%"] {
        let error = iam.list_users().marker(marker).send().await.unwrap_err();
        assert_eq!(error.code(), Some("ValidationError"), "marker {marker:?}");
        assert_eq!(status_of(&error), 400, "marker {marker:?}");
    }

    // The marker still works where it came from.
    let rest = iam.list_roles().marker(&roles_marker).send().await.unwrap();
    assert_eq!(rest.roles()[0].role_name(), "bravo");
}

#[tokio::test]
async fn bad_inputs_get_iam_errors() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);

    let malformed = iam
        .create_role()
        .role_name("Broken")
        .assume_role_policy_document("{not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Some("MalformedPolicyDocument"));
    assert_eq!(status_of(&malformed), 400);

    let long_name = "r".repeat(65);
    let too_long = iam
        .create_role()
        .role_name(&long_name)
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("ValidationError"));
    assert_eq!(status_of(&too_long), 400);

    let bad_characters = iam
        .create_user()
        .user_name("no spaces")
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_characters.code(), Some("ValidationError"));

    // The SDK checks required members itself, so this request is sent by hand.
    let mut headers = convenience_auth(ACCOUNT, "iam");
    headers.push((
        "Content-Type",
        "application/x-www-form-urlencoded".to_owned(),
    ));
    let missing = raw_request(
        &server,
        "POST",
        "/",
        &headers,
        b"Action=GetRole&Version=2010-05-08",
    )
    .await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(
        missing.body.contains("<Code>ValidationError</Code>"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("RoleName"), "{}", missing.body);

    let unknown = iam.list_groups().send().await.unwrap_err();
    assert_eq!(unknown.code(), Some("InvalidAction"));

    let bad_arn = iam
        .get_policy()
        .policy_arn("not-an-arn-but-long-enough")
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_arn.code(), Some("InvalidInput"));
}

#[tokio::test]
async fn inline_role_policies() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_role()
        .role_name("Reader")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .send()
        .await
        .unwrap();

    iam.put_role_policy()
        .role_name("Reader")
        .policy_name("s3-read")
        .policy_document(ALLOW_S3_READ)
        .send()
        .await
        .unwrap();
    let policy = iam
        .get_role_policy()
        .role_name("Reader")
        .policy_name("s3-read")
        .send()
        .await
        .unwrap();
    assert_eq!(policy.role_name(), "Reader");
    assert!(
        policy.policy_document().starts_with("%7B"),
        "{}",
        policy.policy_document()
    );
    assert_eq!(
        decode(policy.policy_document())["Statement"][0]["Action"],
        "s3:GetObject"
    );
    let names = iam
        .list_role_policies()
        .role_name("Reader")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["s3-read"]);

    let conflict = iam
        .delete_role()
        .role_name("Reader")
        .send()
        .await
        .unwrap_err();
    assert_eq!(conflict.code(), Some("DeleteConflict"));
    assert_eq!(status_of(&conflict), 409);

    let malformed = iam
        .put_role_policy()
        .role_name("Reader")
        .policy_name("bad")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Some("MalformedPolicyDocument"));

    iam.delete_role_policy()
        .role_name("Reader")
        .policy_name("s3-read")
        .send()
        .await
        .unwrap();
    let gone = iam
        .get_role_policy()
        .role_name("Reader")
        .policy_name("s3-read")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchEntity"));
    iam.delete_role().role_name("Reader").send().await.unwrap();
}

#[tokio::test]
async fn managed_policy_versions() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    let created = iam
        .create_policy()
        .policy_name("S3Read")
        .policy_document(ALLOW_S3_READ)
        .description("reads objects")
        .send()
        .await
        .unwrap();
    let policy = created.policy().unwrap();
    let arn = policy.arn().unwrap().to_owned();
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:policy/S3Read"));
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));
    assert_eq!(policy.default_version_id(), Some("v1"));

    let duplicate = iam
        .create_policy()
        .policy_name("S3Read")
        .policy_document(ALLOW_S3_READ)
        .send()
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some("EntityAlreadyExists"));

    for _ in 2..=5 {
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(ALLOW_S3_READ)
            .send()
            .await
            .unwrap();
    }
    let sixth = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(ALLOW_S3_READ)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sixth.code(), Some("LimitExceeded"));
    assert_eq!(status_of(&sixth), 409);

    iam.delete_policy_version()
        .policy_arn(&arn)
        .version_id("v5")
        .send()
        .await
        .unwrap();
    let newest = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let version = newest.policy_version().unwrap();
    assert_eq!(version.version_id(), Some("v6"));
    assert!(version.is_default_version());

    let policy = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(policy.policy().unwrap().default_version_id(), Some("v6"));
    assert_eq!(
        policy.policy().unwrap().description(),
        Some("reads objects")
    );
    let document = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v6")
        .send()
        .await
        .unwrap();
    let document = document.policy_version().unwrap().document().unwrap();
    assert_eq!(decode(document)["Statement"][0]["Action"], "s3:ListBucket");

    let unknown = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some("NoSuchEntity"));
    assert_eq!(status_of(&unknown), 404);

    let versions = iam
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|version| version.version_id())
        .collect();
    assert_eq!(ids, ["v6", "v4", "v3", "v2", "v1"]);

    let default = iam
        .delete_policy_version()
        .policy_arn(&arn)
        .version_id("v6")
        .send()
        .await
        .unwrap_err();
    assert_eq!(default.code(), Some("DeleteConflict"));
    let with_versions = iam
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(with_versions.code(), Some("DeleteConflict"));

    for version in ["v1", "v2", "v3", "v4"] {
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id(version)
            .send()
            .await
            .unwrap();
    }
    iam.delete_policy().policy_arn(&arn).send().await.unwrap();
    let gone = iam.get_policy().policy_arn(&arn).send().await.unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn managed_policies_attach_and_list() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_role()
        .role_name("Admin")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .send()
        .await
        .unwrap();
    let local = iam
        .create_policy()
        .policy_name("Local")
        .policy_document(ALLOW_S3_READ)
        .send()
        .await
        .unwrap();
    let local_arn = local.policy().unwrap().arn().unwrap().to_owned();

    let aws = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = aws
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(
        names,
        ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]
    );
    let admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    let admin = iam
        .get_policy_version()
        .policy_arn(admin_arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    let document = decode(admin.policy_version().unwrap().document().unwrap());
    assert_eq!(document["Statement"][0]["Action"], "*");
    let read_only = iam
        .get_policy()
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(read_only.policy().unwrap().default_version_id(), Some("v1"));

    let local_only = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap();
    assert_eq!(local_only.policies().len(), 1);

    iam.attach_role_policy()
        .role_name("Admin")
        .policy_arn(admin_arn)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("Admin")
        .policy_arn(&local_arn)
        .send()
        .await
        .unwrap();
    let attached = iam
        .list_attached_role_policies()
        .role_name("Admin")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(names, ["AdministratorAccess", "Local"]);

    let only_attached = iam
        .list_policies()
        .only_attached(true)
        .send()
        .await
        .unwrap();
    let attached_names: Vec<&str> = only_attached
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(attached_names, ["AdministratorAccess", "Local"]);
    assert_eq!(only_attached.policies()[0].attachment_count(), Some(1));

    let in_use = iam
        .delete_policy()
        .policy_arn(&local_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(in_use.code(), Some("DeleteConflict"));
    let attached_role = iam
        .delete_role()
        .role_name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(attached_role.code(), Some("DeleteConflict"));

    let missing = iam
        .attach_role_policy()
        .role_name("Admin")
        .policy_arn("arn:aws:iam::aws:policy/NoSuchPolicy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));

    iam.detach_role_policy()
        .role_name("Admin")
        .policy_arn(&local_arn)
        .send()
        .await
        .unwrap();
    let not_attached = iam
        .detach_role_policy()
        .role_name("Admin")
        .policy_arn(&local_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(not_attached.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn attachment_quota_is_ten() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_user().user_name("busy").send().await.unwrap();
    for index in 0..11 {
        let policy = iam
            .create_policy()
            .policy_name(format!("P{index}"))
            .policy_document(ALLOW_S3_READ)
            .send()
            .await
            .unwrap();
        let result = iam
            .attach_user_policy()
            .user_name("busy")
            .policy_arn(policy.policy().unwrap().arn().unwrap())
            .send()
            .await;
        if index < 10 {
            result.unwrap();
        } else {
            let error = result.unwrap_err();
            assert_eq!(error.code(), Some("LimitExceeded"));
        }
    }
}

#[tokio::test]
async fn permissions_boundaries() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    let boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
    let created = iam
        .create_role()
        .role_name("Bounded")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .permissions_boundary(boundary)
        .send()
        .await
        .unwrap();
    let set = created.role().unwrap().permissions_boundary().unwrap();
    assert_eq!(set.permissions_boundary_arn(), Some(boundary));

    iam.delete_role_permissions_boundary()
        .role_name("Bounded")
        .send()
        .await
        .unwrap();
    let role = iam.get_role().role_name("Bounded").send().await.unwrap();
    assert!(role.role().unwrap().permissions_boundary().is_none());

    iam.create_user()
        .user_name("bounded-user")
        .send()
        .await
        .unwrap();
    iam.put_user_permissions_boundary()
        .user_name("bounded-user")
        .permissions_boundary(boundary)
        .send()
        .await
        .unwrap();
    let user = iam
        .get_user()
        .user_name("bounded-user")
        .send()
        .await
        .unwrap();
    assert!(user.user().unwrap().permissions_boundary().is_some());
    iam.delete_user_permissions_boundary()
        .user_name("bounded-user")
        .send()
        .await
        .unwrap();

    let missing = iam
        .put_role_permissions_boundary()
        .role_name("Bounded")
        .permissions_boundary(format!("arn:aws:iam::{ACCOUNT}:policy/Nope"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn users_and_their_policies() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    let created = iam
        .create_user()
        .user_name("alice")
        .path("/staff/")
        .tags(Tag::builder().key("team").value("red").build().unwrap())
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:iam::{ACCOUNT}:user/staff/alice")
    );
    assert!(user.user_id().starts_with("AIDA"));

    let duplicate = iam
        .create_user()
        .user_name("ALICE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some("EntityAlreadyExists"));

    iam.put_user_policy()
        .user_name("alice")
        .policy_name("read")
        .policy_document(ALLOW_S3_READ)
        .send()
        .await
        .unwrap();
    let policy = iam
        .get_user_policy()
        .user_name("alice")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    assert_eq!(policy.user_name(), "alice");
    let names = iam
        .list_user_policies()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["read"]);
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let attached = iam
        .list_attached_user_policies()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 1);

    iam.tag_user()
        .user_name("alice")
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_user()
        .user_name("alice")
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_user_tags()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = tags.tags().iter().map(|tag| tag.key()).collect();
    assert_eq!(keys, ["env"]);

    let users = iam
        .list_users()
        .path_prefix("/staff/")
        .send()
        .await
        .unwrap();
    assert_eq!(users.users().len(), 1);

    let with_policies = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(with_policies.code(), Some("DeleteConflict"));
    iam.delete_user_policy()
        .user_name("alice")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    let with_attachment = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(with_attachment.code(), Some("DeleteConflict"));
    iam.detach_user_policy()
        .user_name("alice")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("alice").send().await.unwrap();
    let gone = iam.get_user().user_name("alice").send().await.unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn access_keys_authenticate_as_the_user() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_user().user_name("bob").send().await.unwrap();
    let key = iam
        .create_access_key()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    assert!(key.access_key_id().starts_with("AKIA"));
    assert_eq!(key.access_key_id().len(), 20);
    assert_eq!(key.secret_access_key().len(), 40);
    assert_eq!(key.status(), &StatusType::Active);

    let sts = sts_client(&server, key.access_key_id(), key.secret_access_key(), None);
    let identity = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some(ACCOUNT));
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:user/bob").as_str())
    );
    assert!(identity.user_id().unwrap().starts_with("AIDA"));

    // A user with no policy may call nothing but GetCallerIdentity.
    let as_bob = iam_client(&server, key.access_key_id(), key.secret_access_key(), None);
    let denied = as_bob.get_user().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("SelfService")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:*AccessKey*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        )
        .send()
        .await
        .unwrap();

    // GetUser without a name returns the calling user.
    let me = as_bob.get_user().send().await.unwrap();
    assert_eq!(me.user().unwrap().user_name(), "bob");

    let wrong_secret = sts_client(&server, key.access_key_id(), "not-the-secret", None)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong_secret.code(), Some("SignatureDoesNotMatch"));

    let keys = iam
        .list_access_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(keys.access_key_metadata().len(), 1);
    iam.create_access_key()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let third = iam
        .create_access_key()
        .user_name("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(third.code(), Some("LimitExceeded"));

    iam.update_access_key()
        .user_name("bob")
        .access_key_id(key.access_key_id())
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let inactive = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(inactive.code(), Some("InvalidClientTokenId"));
    iam.update_access_key()
        .user_name("bob")
        .access_key_id(key.access_key_id())
        .status(StatusType::Active)
        .send()
        .await
        .unwrap();
    sts.get_caller_identity().send().await.unwrap();

    let with_keys = iam.delete_user().user_name("bob").send().await.unwrap_err();
    assert_eq!(with_keys.code(), Some("DeleteConflict"));

    iam.delete_access_key()
        .user_name("bob")
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap();
    let deleted = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(deleted.code(), Some("InvalidClientTokenId"));
    let again = iam
        .delete_access_key()
        .user_name("bob")
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn listings_authorize_listed_path() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    let key = common::user_with_key(&iam, "carol").await;
    let as_carol = iam_client(&server, key.access_key_id(), key.secret_access_key(), None);

    let denied = as_carol.list_roles().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_eq!(
        denied.message(),
        Some(
            format!(
                "User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: \
                 iam:ListRoles on resource: arn:aws:iam::{ACCOUNT}:role/ because no \
                 identity-based policy allows the iam:ListRoles action"
            )
            .as_str()
        )
    );

    // A policy scoped to the roles under /teams/ allows listing that path only.
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("ListTeamRoles")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:ListRoles","iam:ListUsers"],"Resource":["arn:aws:iam::{ACCOUNT}:role/teams/*","arn:aws:iam::{ACCOUNT}:user/teams/*"]}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let listed = as_carol.list_roles().path_prefix("/teams/").send().await;
    assert!(listed.is_ok(), "{listed:?}");
    let users = as_carol
        .list_users()
        .path_prefix("/teams/red/")
        .send()
        .await;
    assert!(users.is_ok(), "{users:?}");
    let everything = as_carol.list_roles().send().await.unwrap_err();
    assert_eq!(everything.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn created_account_has_access_role() {
    let server = start_server().await;
    let (management, _) = common::organization_with_root(&server).await;
    let member = common::create_account(&management, "Member", "member@example.com").await;

    let sts = sts_client(&server, MANAGEMENT, "test-secret", None);
    let assumed = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("admin")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let member_iam = iam_client(
        &server,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    );
    let role = member_iam
        .get_role()
        .role_name("OrganizationAccountAccessRole")
        .send()
        .await
        .unwrap();
    let role = role.role().unwrap();
    assert_eq!(
        role.arn(),
        format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole")
    );
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{MANAGEMENT}:root")
    );
    let attached = member_iam
        .list_attached_role_policies()
        .role_name("OrganizationAccountAccessRole")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(names, ["AdministratorAccess"]);

    // A session of a role is not an IAM user.
    let not_user = member_iam.get_user().send().await.unwrap_err();
    assert_eq!(not_user.code(), Some("ValidationError"));
}

#[tokio::test]
async fn assume_role_follows_trust_policy() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    let trust_management = TRUST_ACCOUNT_ROOT;
    iam.create_role()
        .role_name("Trusted")
        .assume_role_policy_document(trust_management)
        .max_session_duration(7200)
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/Trusted");

    let management = sts_client(&server, MANAGEMENT, "test-secret", None);
    let assumed = management
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap();
    let role = iam.get_role().role_name("Trusted").send().await.unwrap();
    let role_id = role.role().unwrap().role_id().to_owned();
    assert_eq!(
        assumed.assumed_role_user().unwrap().assumed_role_id(),
        format!("{role_id}:ci")
    );

    let too_long = management
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .duration_seconds(7201)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("ValidationError"));
    assert!(
        too_long.message().unwrap().contains("MaxSessionDuration"),
        "{too_long:?}"
    );

    let stranger = sts_client(&server, "333333333333", "test-secret", None);
    let denied = stranger
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));

    let missing = management
        .assume_role()
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/Missing"))
        .role_session_name("ci")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("AccessDenied"));

    // A role that trusts another role: only that role's sessions may assume it.
    let trust_role = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{role_arn}"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("Chained")
        .assume_role_policy_document(&trust_role)
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let session = sts_client(
        &server,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    );
    let chained_arn = format!("arn:aws:iam::{ACCOUNT}:role/Chained");
    session
        .assume_role()
        .role_arn(&chained_arn)
        .role_session_name("next")
        .send()
        .await
        .unwrap();
    let direct = management
        .assume_role()
        .role_arn(&chained_arn)
        .role_session_name("next")
        .send()
        .await
        .unwrap_err();
    assert_eq!(direct.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn iam_survives_restart() {
    let directory = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(Location::Directory(directory.path().to_owned()));

    let server = start_with(config.clone()).await;
    let (management, _) = common::organization_with_root(&server).await;
    let member = common::create_account(&management, "Member", "member@example.com").await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_role()
        .role_name("Kept")
        .assume_role_policy_document(TRUST_ACCOUNT_ROOT)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("Kept")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let key = common::user_with_key(&iam, "carol").await;

    // A deleted access role must stay deleted after a restart.
    let member_root = root_client(&server, &member);
    member_root
        .detach_role_policy()
        .role_name("OrganizationAccountAccessRole")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    member_root
        .delete_role()
        .role_name("OrganizationAccountAccessRole")
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();

    let server = start_with(config).await;
    let iam = root_client(&server, ACCOUNT);
    let role = iam.get_role().role_name("Kept").send().await.unwrap();
    assert!(role.role().unwrap().role_id().starts_with("AROA"));
    let attached = iam
        .list_attached_role_policies()
        .role_name("Kept")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 1);
    let identity = sts_client(&server, key.access_key_id(), key.secret_access_key(), None)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:user/carol").as_str())
    );

    let member_root = root_client(&server, &member);
    let deleted = member_root
        .get_role()
        .role_name("OrganizationAccountAccessRole")
        .send()
        .await
        .unwrap_err();
    assert_eq!(deleted.code(), Some("NoSuchEntity"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn missing_access_roles_are_created_at_load() {
    let directory = tempfile::tempdir().unwrap();
    let location = Location::Directory(directory.path().to_owned());

    // An organization and a created account as a version without IAM stored them: the
    // account records its access role, but IAM has no role and no record of making one.
    let store = store::Store::open(&location).await.unwrap();
    let member = "444444444444";
    store
        .commit(&[
            store::Change::PutOrganization(store::OrganizationRecord {
                id: "o-exampleorgid".to_owned(),
                feature_set: "ALL".to_owned(),
                management_account_id: MANAGEMENT.to_owned(),
                partition: "aws".to_owned(),
                created_at: 0,
            }),
            store::Change::PutRoot(store::RootRecord {
                id: "r-examplerootid".to_owned(),
                organization_id: "o-exampleorgid".to_owned(),
                name: "Root".to_owned(),
            }),
            store::Change::PutAccount(store::AccountRecord {
                id: member.to_owned(),
                organization_id: "o-exampleorgid".to_owned(),
                parent_id: "r-examplerootid".to_owned(),
                name: "Member".to_owned(),
                email: "member@example.com".to_owned(),
                status: "ACTIVE".to_owned(),
                state: "ACTIVE".to_owned(),
                joined_method: "CREATED".to_owned(),
                joined_at: 0,
                access_role: Some("AdminAccess".to_owned()),
                closed_at: None,
                status_until: None,
            }),
        ])
        .await
        .unwrap();
    assert_eq!(store.count("iam_roles").await.unwrap(), 0);
    store.close().await;

    let server = start_with(ServerConfig::new(location)).await;
    let role = root_client(&server, member)
        .get_role()
        .role_name("AdminAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(
        role.role().unwrap().arn(),
        format!("arn:aws:iam::{member}:role/AdminAccess")
    );
    let assumed = sts_client(&server, MANAGEMENT, "test-secret", None)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{member}:role/AdminAccess"))
        .role_session_name("admin")
        .send()
        .await;
    assert!(assumed.is_ok(), "{assumed:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn session_token_of_a_user_acts_as_the_user() {
    let server = start_server().await;
    let iam = root_client(&server, ACCOUNT);
    iam.create_user().user_name("carol").send().await.unwrap();
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("sessions")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken","iam:GetUser"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let sts = sts_client(&server, key.access_key_id(), key.secret_access_key(), None);

    let too_long = sts
        .get_session_token()
        .duration_seconds(129_601)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("ValidationError"));

    let token = sts.get_session_token().send().await.unwrap();
    let credentials = token.credentials().unwrap();
    let lifetime = credentials.expiration().secs()
        - aws_sdk_sts::primitives::DateTime::from(std::time::SystemTime::now()).secs();
    assert!((43_000..=43_200).contains(&lifetime), "{lifetime}");
    let session = sts_client(
        &server,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    );
    let identity = session.get_caller_identity().send().await.unwrap();
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:user/carol").as_str())
    );
    let as_carol = iam_client(
        &server,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    );
    let me = as_carol.get_user().send().await.unwrap();
    assert_eq!(me.user().unwrap().user_name(), "carol");

    let again = session.get_session_token().send().await.unwrap_err();
    assert_eq!(again.code(), Some("AccessDenied"));
}
