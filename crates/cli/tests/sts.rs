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
        .credentials_provider(Credentials::new(access_key, "test-secret", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
async fn caller_identity_of_convenience_keys() {
    let server = start_server().await;
    let identity = sts_client(&server.endpoint_url(), "123456789012", "us-east-1").get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some("123456789012"));
    assert_eq!(identity.arn(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(identity.user_id(), Some("123456789012"));

    let identity = sts_client(&server.endpoint_url(), "test", "cn-north-1").get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some("000000000000"));
    assert_eq!(identity.arn(), Some("arn:aws-cn:iam::000000000000:root"));
}

#[tokio::test]
async fn unserved_sts_operations_are_invalid_actions() {
    let server = start_server().await;
    let error = sts_client(&server.endpoint_url(), "123456789012", "us-east-1").get_session_token().send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidAction"));
}
