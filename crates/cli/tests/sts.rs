//! AWS STS through the AWS SDK for Rust: the awsQuery protocol end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use common::start_server;

fn sts_client(endpoint: &str, access_key: &str, region: &str) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(
            access_key,
            "test-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
async fn caller_identity_of_convenience_keys() {
    let server = start_server().await;
    let identity = sts_client(&server.endpoint_url(), "123456789012", "us-east-1")
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.account(), Some("123456789012"));
    assert_eq!(identity.arn(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(identity.user_id(), Some("123456789012"));

    let identity = sts_client(&server.endpoint_url(), "test", "cn-north-1")
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.account(), Some("000000000000"));
    assert_eq!(identity.arn(), Some("arn:aws-cn:iam::000000000000:root"));
}

#[tokio::test]
async fn unserved_sts_operations_are_invalid_actions() {
    let server = start_server().await;
    let error = sts_client(&server.endpoint_url(), "123456789012", "us-east-1")
        .get_federation_token()
        .name("federated")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidAction"));
}

fn session_client(
    endpoint: &str,
    credentials: &aws_sdk_sts::types::Credentials,
) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
            None,
            "assumed",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
async fn management_assumes_organization_access_role() {
    let server = start_server().await;
    let (management, _) = common::organization_with_root(&server).await;
    let member = common::create_account(&management, "Member", "member@example.com").await;
    let sts = sts_client(&server.endpoint_url(), common::MANAGEMENT, "us-east-1");

    let role_arn = format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole");
    let assumed = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("admin")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin")
    );

    // The issued credentials are verified by signature and act in the member account.
    let session = session_client(&server.endpoint_url(), credentials);
    let identity = session.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some(member.as_str()));
    assert_eq!(
        identity.arn(),
        Some(
            format!("arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin")
                .as_str()
        )
    );
    assert!(identity.user_id().unwrap().starts_with("AROA"));
    assert!(identity.user_id().unwrap().ends_with(":admin"));

    // A member account's session is a member for Organizations.
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_organizations::config::Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
            None,
            "assumed",
        ))
        .endpoint_url(server.endpoint_url())
        .build();
    let organizations = aws_sdk_organizations::Client::from_conf(config);
    let denied = organizations.list_accounts().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDeniedException"));

    // The role trusts the management account only, not sessions in the member account.
    let chained = session
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("chained")
        .send()
        .await
        .unwrap_err();
    assert_eq!(chained.code(), Some("AccessDenied"));
    // The role's maximum session is one hour.
    let long = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("long")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(long.code(), Some("ValidationError"));
}

#[tokio::test]
async fn assume_role_rejections() {
    let server = start_server().await;
    let (management, _) = common::organization_with_root(&server).await;
    let member = common::create_account(&management, "Member", "member@example.com").await;
    let role_arn = format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole");

    let stranger = sts_client(&server.endpoint_url(), "444455556666", "us-east-1");
    let denied = stranger
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));

    let sts = sts_client(&server.endpoint_url(), common::MANAGEMENT, "us-east-1");
    let missing = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{member}:role/NoSuchRole"))
        .role_session_name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("AccessDenied"));
    let short = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .duration_seconds(60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(short.code(), Some("ValidationError"));
    let bad_name = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("no spaces")
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_name.code(), Some("ValidationError"));

    // A wrong secret with an issued access key fails the signature check.
    let assumed = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ok")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let forged = aws_sdk_sts::types::Credentials::builder()
        .access_key_id(credentials.access_key_id())
        .secret_access_key("wrong-secret")
        .session_token(credentials.session_token())
        .expiration(*credentials.expiration())
        .build()
        .unwrap();
    let error = session_client(&server.endpoint_url(), &forged)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn session_token_acts_as_the_root_user() {
    let server = start_server().await;
    let sts = sts_client(&server.endpoint_url(), "123456789012", "us-east-1");
    let issued = sts
        .get_session_token()
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let credentials = issued.credentials().unwrap();
    let session = session_client(&server.endpoint_url(), credentials);
    let identity = session.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::123456789012:root"));

    let too_long = sts
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("ValidationError"));
    let info = sts
        .get_access_key_info()
        .access_key_id(credentials.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(info.account(), Some("123456789012"));
    let info = sts
        .get_access_key_info()
        .access_key_id("AKIAIOSFODNN7EXAMPLE")
        .send()
        .await
        .unwrap();
    assert_eq!(info.account(), Some("000000000000"));
    let invalid = sts
        .get_access_key_info()
        .access_key_id("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), Some("ValidationError"));
}

#[tokio::test]
async fn session_credentials_cannot_get_session_tokens() {
    let server = start_server().await;
    let (management, _) = common::organization_with_root(&server).await;
    let member = common::create_account(&management, "Member", "member@example.com").await;
    let sts = sts_client(&server.endpoint_url(), common::MANAGEMENT, "us-east-1");
    let assumed = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("admin")
        .send()
        .await
        .unwrap();
    let session = session_client(&server.endpoint_url(), assumed.credentials().unwrap());
    let denied = session.get_session_token().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
}
