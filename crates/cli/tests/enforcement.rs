//! Guardrails that act: SCPs, RCPs and role trust policies decide every request, through the
//! AWS SDK for Rust, on the organization AWS recommends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::PolicyType;
use aws_sdk_sts::config::Credentials;
use common::{
    DENY_ALL, MANAGEMENT, Organization, client, client_in_region, session_credentials,
    shared_policy, start_server, start_with, sts_with,
};
use server::{RunningServer, ServerConfig};
use store::Location;

/// A region restriction that leaves out only the global services bulkhead serves, so that STS
/// calls signed for another region are denied.
const REGION_RESTRICTION: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyOutsideApprovedRegions",
    "Effect": "Deny",
    "NotAction": ["iam:*", "organizations:*", "sts:GetCallerIdentity"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
  }]
}"#;

const DENY_ASSUME_ROLE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoRoleHopping","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}"#;

/// Checks that an error message contains `expected`.
fn assert_message_contains(message: Option<&str>, expected: &str) {
    let message = message.unwrap_or_default();
    assert!(message.contains(expected), "{message:?} lacks {expected:?}");
}

/// Checks that an error message ends with `expected`.
fn assert_message_ends_with(message: Option<&str>, expected: &str) {
    let message = message.unwrap_or_default();
    assert!(
        message.ends_with(expected),
        "{message:?} does not end with {expected:?}"
    );
}

fn sts_client(server: &RunningServer, access_key: &str, region: &str) -> aws_sdk_sts::Client {
    sts_with(
        server,
        Credentials::new(access_key, "test-secret", None, None, "test"),
        region,
    )
}

/// Assumes the access role of `account` as `caller` and returns an STS client for the session.
async fn session_in(
    server: &RunningServer,
    caller: &aws_sdk_sts::Client,
    account: &str,
) -> Result<
    aws_sdk_sts::Client,
    aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError>,
> {
    let assumed = caller
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("enforcement")
        .send()
        .await?;
    let credentials = assumed.credentials().unwrap();
    Ok(sts_with(
        server,
        session_credentials(credentials),
        "us-east-1",
    ))
}

#[tokio::test]
async fn suspended_accounts_are_denied_everything_even_their_root_user() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let (sandbox, policy_id) = organization.suspend_sandbox().await;

    let denied = client(&server, &sandbox)
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    let denied = denied.into_service_error();
    assert!(denied.is_access_denied_exception(), "{denied:?}");
    let message = denied.message().unwrap();
    assert!(
        message.starts_with(&format!(
            "User: arn:aws:iam::{sandbox}:root is not authorized to perform: organizations:DescribeOrganization with an explicit deny in a service control policy: arn:aws:organizations::{MANAGEMENT}:policy/o-"
        )),
        "{message}"
    );
    assert!(message.ends_with(&policy_id), "{message}");

    let sts = sts_client(&server, &sandbox, "us-east-1");
    let denied = sts.get_session_token().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_eq!(denied.raw_response().unwrap().status().as_u16(), 403);
    // GetCallerIdentity is allowed even against an explicit deny.
    sts.get_caller_identity().send().await.unwrap();

    // Other accounts and the management account are untouched.
    client(&server, organization.account("App A Prod"))
        .describe_organization()
        .send()
        .await
        .unwrap();
    organization
        .management
        .detach_policy()
        .policy_id(&policy_id)
        .target_id(organization.unit("Suspended"))
        .send()
        .await
        .unwrap();
    client(&server, &sandbox)
        .describe_organization()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn region_restriction_on_workloads_spares_approved_regions_and_the_management_account() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            REGION_RESTRICTION,
            organization.unit("Workloads"),
        )
        .await;
    let production = organization.account("App A Prod");

    let denied = sts_client(&server, production, "ap-southeast-2")
        .get_session_token()
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_message_contains(
        denied.message(),
        "sts:GetSessionToken with an explicit deny in a service control policy: arn:",
    );
    for region in ["us-east-1", "eu-west-1"] {
        sts_client(&server, production, region)
            .get_session_token()
            .send()
            .await
            .unwrap();
    }
    // Organizations is exempt, whatever region the client signs for.
    client_in_region(&server, production, "ap-southeast-2")
        .describe_organization()
        .send()
        .await
        .unwrap();
    // An account outside Workloads, and the management account, are not restricted.
    sts_client(
        &server,
        organization.account("Networking"),
        "ap-southeast-2",
    )
    .get_session_token()
    .send()
    .await
    .unwrap();
    sts_client(&server, MANAGEMENT, "ap-southeast-2")
        .get_session_token()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn deny_leave_scp_blocks_leave_organization() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let policy_id = organization
        .attach(
            PolicyType::ServiceControlPolicy,
            &shared_policy("scp/scp-deny-leave-organization.json"),
            &organization.root_id,
        )
        .await;
    let member = client(&server, organization.account("App A Dev"));
    let denied = member.leave_organization().send().await.unwrap_err();
    let denied = denied.into_service_error();
    assert!(denied.is_access_denied_exception(), "{denied:?}");
    assert_message_contains(
        denied.message(),
        "organizations:LeaveOrganization with an explicit deny in a service control policy",
    );
    organization
        .management
        .detach_policy()
        .policy_id(&policy_id)
        .target_id(&organization.root_id)
        .send()
        .await
        .unwrap();
    // Without the guardrail the request reaches the service, which applies its own rules.
    if let Err(error) = member.leave_organization().send().await {
        let error = error.into_service_error();
        assert!(!error.is_access_denied_exception(), "{error:?}");
    }
}

#[tokio::test]
async fn https_only_rcp_denies_plain_http_requests_to_protected_accounts() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    organization
        .management
        .enable_policy_type()
        .root_id(&organization.root_id)
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    organization
        .attach(
            PolicyType::ResourceControlPolicy,
            &shared_policy("rcp/rcp-enforce-https.json"),
            organization.unit("Security"),
        )
        .await;
    let management = sts_client(&server, MANAGEMENT, "us-east-1");

    // bulkhead serves plain HTTP, so aws:SecureTransport is false.
    let denied = session_in(&server, &management, organization.account("Log Archive"))
        .await
        .err()
        .unwrap();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_message_contains(
        denied.message(),
        "with an explicit deny in a resource control policy",
    );
    // The RCP protects the resources of Security accounts only.
    session_in(&server, &management, organization.account("Networking"))
        .await
        .unwrap();
}

#[tokio::test]
async fn assume_role_needs_the_trust_policy_and_the_callers_own_scps() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            DENY_ASSUME_ROLE,
            organization.unit("Sandbox"),
        )
        .await;
    let management = sts_client(&server, MANAGEMENT, "us-east-1");

    // The management account is exempt from SCPs and trusted by every access role.
    let sandbox = session_in(
        &server,
        &management,
        organization.account("Developer Sandbox"),
    )
    .await
    .unwrap();
    let identity = sandbox.get_caller_identity().send().await.unwrap();
    assert_eq!(
        identity.account(),
        Some(organization.account("Developer Sandbox"))
    );

    // The sandbox session's own SCP denies role hopping.
    let denied = session_in(&server, &sandbox, organization.account("Networking"))
        .await
        .err()
        .unwrap();
    assert_message_contains(
        denied.message(),
        "sts:AssumeRole on resource: arn:aws:iam::",
    );
    assert_message_contains(
        denied.message(),
        "with an explicit deny in a service control policy",
    );

    // Without an SCP in the way, the role's trust policy decides: it trusts the management
    // account only.
    let networking = session_in(&server, &management, organization.account("Networking"))
        .await
        .unwrap();
    let denied = session_in(&server, &networking, organization.account("App A Prod"))
        .await
        .err()
        .unwrap();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_message_ends_with(
        denied.message(),
        "because no resource-based policy allows the sts:AssumeRole action",
    );
}

#[tokio::test]
async fn no_enforce_lets_every_authenticated_request_through() {
    let mut config = ServerConfig::new(Location::InMemory);
    config.enforce = false;
    let server = start_with(config).await;
    let organization = Organization::build(&server).await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            DENY_ALL,
            &organization.root_id,
        )
        .await;
    let member = organization.account("Networking");
    client(&server, member)
        .describe_organization()
        .send()
        .await
        .unwrap();
    sts_client(&server, member, "us-east-1")
        .get_session_token()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn session_policies_bound_the_role_session() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let management = sts_client(&server, MANAGEMENT, "us-east-1");
    let networking = organization.account("Networking");
    let assumed = management
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{networking}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("bounded")
        .policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:Describe*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let session = session_credentials(credentials);
    let organizations = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .credentials_provider(session)
            .endpoint_url(server.endpoint_url())
            .build(),
    );
    organizations.describe_organization().send().await.unwrap();

    let denied = organizations
        .leave_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(denied.is_access_denied_exception(), "{denied:?}");
    assert_message_ends_with(
        denied.message(),
        "because no session policy allows the organizations:LeaveOrganization action",
    );
}

#[tokio::test]
async fn assume_role_checks_session_inputs() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let management = sts_client(&server, MANAGEMENT, "us-east-1");
    let role_arn = format!(
        "arn:aws:iam::{}:role/OrganizationAccountAccessRole",
        organization.account("Networking")
    );

    let malformed = management
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("malformed")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow""#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Some("MalformedPolicyDocument"));

    // The access role's trust policy allows sts:AssumeRole only, so session tags, which also
    // need sts:TagSession, are refused.
    let tag = aws_sdk_sts::types::Tag::builder()
        .key("team")
        .value("platform")
        .build()
        .unwrap();
    let denied = management
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("tagged")
        .tags(tag.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    assert_message_contains(denied.message(), "sts:TagSession");

    let untagged_transitive = management
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("transitive")
        .transitive_tag_keys("team")
        .send()
        .await
        .unwrap_err();
    assert_eq!(untagged_transitive.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn decode_authorization_message_reveals_the_denied_request() {
    let server = start_server().await;
    let deny = policy::Policy::compile(
        "arn:aws:iam::123456789012:policy/NoBuckets",
        policy::PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoBuckets","Effect":"Deny","Action":"s3:CreateBucket","Resource":"*"}]}"#,
    )
    .unwrap();
    let principal = policy::Principal::from_arn("arn:aws:iam::123456789012:user/dev").unwrap();
    let request =
        policy::Request::builder(principal, "s3:CreateBucket", policy::Resource::new("*"))
            .region("eu-west-1")
            .build()
            .unwrap();
    let identity = [deny];
    let policies = policy::PolicySet {
        identity: &identity,
        ..policy::PolicySet::default()
    };
    let authorization = policy::Evaluator::new().authorize(&request, &policies);
    let encoded = cloud::access::encode_authorization_message(&request, &authorization);

    let sts = sts_client(&server, "123456789012", "us-east-1");
    let decoded = sts
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap();
    let document: serde_json::Value =
        serde_json::from_str(decoded.decoded_message().unwrap()).unwrap();
    assert_eq!(document["allowed"], false);
    assert_eq!(document["explicitDeny"], true);
    assert_eq!(document["context"]["action"], "s3:CreateBucket");
    assert_eq!(
        document["matchedStatements"]["items"][0]["statementId"],
        "NoBuckets"
    );

    let invalid = sts
        .decode_authorization_message()
        .encoded_message("not an encoded message")
        .send()
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), Some("InvalidAuthorizationMessageException"));
}

#[tokio::test]
async fn global_services_request_their_home_region() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let strict = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"sts:GetCallerIdentity","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            strict,
            organization.unit("Workloads"),
        )
        .await;
    let production = organization.account("App A Prod");

    // IAM and Organizations have one endpoint in us-east-1, so AWS sets aws:RequestedRegion to
    // us-east-1 whatever region the client signs for; STS is regional.
    client_in_region(&server, production, "ap-southeast-2")
        .describe_organization()
        .send()
        .await
        .unwrap();
    common::iam_with(
        &server,
        Credentials::new(production, "test-secret", None, None, "test"),
        "ap-southeast-2",
    )
    .list_roles()
    .send()
    .await
    .unwrap();
    let denied = sts_client(&server, production, "ap-southeast-2")
        .get_session_token()
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
}
