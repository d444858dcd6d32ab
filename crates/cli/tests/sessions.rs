//! What a role session carries into authorization, through the AWS SDK for Rust: the external
//! id its trust policy requires, session tags as `aws:PrincipalTag`, transitive tags through
//! role chaining, the source identity, and a user's permissions boundary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_iam::config::Credentials;
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_sdk_sts::types::Tag;
use common::{iam_with, session_credentials, start_server, sts_with};
use server::RunningServer;

/// The account whose roles the tests assume; its root user creates them.
const ACCOUNT: &str = "222222222222";

/// The account the callers belong to.
const CALLER: &str = "333333333333";

fn root(account: &str) -> Credentials {
    Credentials::new(account, "test-secret", None, None, "test")
}

/// Creates a role in `ACCOUNT` with a trust policy and an inline identity policy; returns its
/// ARN.
async fn role(server: &RunningServer, name: &str, trust: &str, policy: &str) -> String {
    let iam = iam_with(server, root(ACCOUNT), "us-east-1");
    let created = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(name)
        .policy_name("access")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    created.role().unwrap().arn().to_owned()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

#[tokio::test]
async fn trust_policy_requires_the_external_id() {
    let server = start_server().await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{CALLER}:root"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"partner-7"}}}}}}]}}"#
    );
    let arn = role(
        &server,
        "Partner",
        &trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#,
    )
    .await;
    let sts = sts_with(&server, root(CALLER), "us-east-1");

    for external_id in [None, Some("partner-8")] {
        let denied = sts
            .assume_role()
            .role_arn(&arn)
            .role_session_name("partner")
            .set_external_id(external_id.map(str::to_owned))
            .send()
            .await
            .unwrap_err();
        assert_eq!(denied.code(), Some("AccessDenied"), "{external_id:?}");
        assert!(
            denied
                .message()
                .unwrap()
                .ends_with("because no resource-based policy allows the sts:AssumeRole action"),
            "{:?}",
            denied.message()
        );
    }
    sts.assume_role()
        .role_arn(&arn)
        .role_session_name("partner")
        .external_id("partner-7")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn session_tags_become_principal_tags_and_pass_on() {
    let server = start_server().await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{CALLER}:root"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    );
    // The first role may list users only as team red, and may hop to the second role.
    let first = role(
        &server,
        "Team",
        &trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}},{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#,
    )
    .await;
    let chained_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:role/Team"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    );
    let second = role(
        &server,
        "Hop",
        &chained_trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}"#,
    )
    .await;
    let sts = sts_with(&server, root(CALLER), "us-east-1");

    let mut sessions = Vec::new();
    for team in ["red", "blue"] {
        let assumed = sts
            .assume_role()
            .role_arn(&first)
            .role_session_name(team)
            .tags(tag("team", team))
            .transitive_tag_keys("team")
            .send()
            .await
            .unwrap();
        sessions.push(session_credentials(assumed.credentials().unwrap()));
    }
    let red = iam_with(&server, sessions[0].clone(), "us-east-1");
    red.list_users().send().await.unwrap();
    let blue = iam_with(&server, sessions[1].clone(), "us-east-1");
    let denied = blue.list_users().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));

    // The transitive tag reaches the chained session, which may not set it again.
    let red_sts = sts_with(&server, sessions[0].clone(), "us-east-1");
    let overridden = red_sts
        .assume_role()
        .role_arn(&second)
        .role_session_name("hop")
        .tags(tag("team", "blue"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(overridden.code(), Some("InvalidParameterValue"));
    let chained = red_sts
        .assume_role()
        .role_arn(&second)
        .role_session_name("hop")
        .send()
        .await
        .unwrap();
    let hop = iam_with(
        &server,
        session_credentials(chained.credentials().unwrap()),
        "us-east-1",
    );
    hop.list_roles().send().await.unwrap();

    // A chained session lasts one hour at most.
    let too_long = red_sts
        .assume_role()
        .role_arn(&second)
        .role_session_name("hop")
        .duration_seconds(3_601)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("ValidationError"));
}

#[tokio::test]
async fn source_identity_needs_permission_and_sets_the_key() {
    let server = start_server().await;
    let allow_only_assume = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{CALLER}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let plain = role(
        &server,
        "Plain",
        &allow_only_assume,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#,
    )
    .await;
    let with_identity = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{CALLER}:root"}},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}}]}}"#
    );
    // The role may list users only for sessions whose source identity is alice.
    let audited = role(
        &server,
        "Audited",
        &with_identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice"}}}]}"#,
    )
    .await;
    let sts = sts_with(&server, root(CALLER), "us-east-1");

    let denied = sts
        .assume_role()
        .role_arn(&plain)
        .role_session_name("alice")
        .source_identity("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert!(
        denied.message().unwrap().contains("sts:SetSourceIdentity"),
        "{:?}",
        denied.message()
    );

    for (identity, allowed) in [("alice", true), ("bob", false)] {
        let assumed = sts
            .assume_role()
            .role_arn(&audited)
            .role_session_name("audit")
            .source_identity(identity)
            .send()
            .await
            .unwrap();
        let iam = iam_with(
            &server,
            session_credentials(assumed.credentials().unwrap()),
            "us-east-1",
        );
        assert_eq!(iam.list_users().send().await.is_ok(), allowed, "{identity}");
    }
}

#[tokio::test]
async fn permissions_boundary_caps_a_users_policies() {
    let server = start_server().await;
    let iam = iam_with(&server, root(ACCOUNT), "us-east-1");
    let boundary = iam
        .create_policy()
        .policy_name("ListOnly")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let boundary_arn = boundary.policy().unwrap().arn().unwrap().to_owned();
    iam.create_user()
        .user_name("intern")
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("intern")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("intern")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let intern = iam_with(
        &server,
        Credentials::new(
            key.access_key_id(),
            key.secret_access_key(),
            None,
            None,
            "intern",
        ),
        "us-east-1",
    );

    intern.list_roles().send().await.unwrap();
    let denied = intern
        .create_role()
        .role_name("Escalate")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert!(
        denied
            .message()
            .unwrap()
            .ends_with("because no permissions boundary allows the iam:CreateRole action"),
        "{:?}",
        denied.message()
    );
}
