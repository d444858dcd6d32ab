//! `bulkhead simulate` and the server's enforcement agree. A table of (principal, action,
//! resource, region) cases goes to the server as real requests through the AWS SDK for Rust, and to the
//! `simulate` binary as one batch. Every decision must match.
//!
//! The organization is the recommended one with guardrails a careful team would attach: a
//! deny-all SCP on Suspended, a region restriction on Workloads, a deny-leave SCP at the root,
//! an SCP against role hopping on Infrastructure, and the HTTPS-only RCP on Security. The
//! principals are every account's root user, two IAM users (one with a policy, one with none)
//! and two role sessions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_iam::config::Credentials;
use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::PolicyType;
use common::{
    MANAGEMENT, Organization, args, iam_with, organizations_with, session_credentials,
    shared_policy, simulate, start_with, sts_with,
};
use server::{RunningServer, ServerConfig};
use store::Location;

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

const ACTIONS: [&str; 8] = [
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListAccounts",
    "organizations:LeaveOrganization",
    "iam:ListRoles",
    "iam:ListUsers",
    "sts:GetSessionToken",
    "sts:GetCallerIdentity",
];

/// A region restriction that leaves out only the global services, so that STS calls signed for
/// another region are denied.
const REGION_RESTRICTION: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","organizations:*","sts:GetCallerIdentity"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#;

const NO_ROLE_HOPPING: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["sts:AssumeRole","iam:ListUsers"],"Resource":"*"}]}"#;

/// What a user in App A Prod may do: read the organization, list roles and get session
/// credentials; nothing in IAM beyond that.
const DEVELOPER_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*","iam:ListRoles","sts:GetSessionToken"],"Resource":"*"}]}"#;

/// A principal with the credentials that act as it.
struct Principal {
    arn: String,
    credentials: Credentials,
}

fn root(account: &str) -> Principal {
    Principal {
        arn: format!("arn:aws:iam::{account}:root"),
        credentials: Credentials::new(account, "test-secret", None, None, "test"),
    }
}

/// Creates an IAM user with an access key in `account`, and gives it `policy` when there is one.
async fn user(
    server: &RunningServer,
    account: &str,
    name: &str,
    policy: Option<&str>,
) -> Principal {
    let iam = iam_with(server, root(account).credentials, "us-east-1");
    let key = common::user_with_key(&iam, name).await;
    if let Some(document) = policy {
        iam.put_user_policy()
            .user_name(name)
            .policy_name("access")
            .policy_document(document)
            .send()
            .await
            .unwrap();
    }
    Principal {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        credentials: Credentials::new(
            key.access_key_id(),
            key.secret_access_key(),
            None,
            None,
            "iam-user",
        ),
    }
}

/// Assumes the access role of `account` from the management account.
async fn role_session(server: &RunningServer, account: &str) -> Principal {
    let sts = sts_with(server, root(MANAGEMENT).credentials, "us-east-1");
    let assumed = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("agreement")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    Principal {
        arn: assumed.assumed_role_user().unwrap().arn().to_owned(),
        credentials: session_credentials(credentials),
    }
}

/// Returns the error code and message of a failed request; `None` when it succeeded.
fn failure<T, E: ProvideErrorMetadata>(result: Result<T, E>) -> Option<(String, String)> {
    let error = result.err()?;
    Some((
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    ))
}

/// Sends `action` as a real request and returns whether the authorization step denied it.
///
/// The service itself may refuse a request after authorization allowed it, for example a
/// member calling a management-only operation. Such a message lacks the form `… is not
/// authorized to perform: ACTION …`, so it counts as allowed.
async fn denied_by_server(
    server: &RunningServer,
    principal: &Principal,
    action: &str,
    resource: &str,
    region: &str,
) -> bool {
    let credentials = principal.credentials.clone();
    let error = match action {
        "sts:AssumeRole" => failure(
            sts_with(server, credentials, region)
                .assume_role()
                .role_arn(resource)
                .role_session_name("hop")
                .send()
                .await,
        ),
        "organizations:DescribeOrganization" => failure(
            organizations_with(server, credentials, region)
                .describe_organization()
                .send()
                .await,
        ),
        "organizations:ListRoots" => failure(
            organizations_with(server, credentials, region)
                .list_roots()
                .send()
                .await,
        ),
        "organizations:ListAccounts" => failure(
            organizations_with(server, credentials, region)
                .list_accounts()
                .send()
                .await,
        ),
        "organizations:LeaveOrganization" => failure(
            organizations_with(server, credentials, region)
                .leave_organization()
                .send()
                .await,
        ),
        "iam:ListRoles" => failure(
            iam_with(server, credentials, region)
                .list_roles()
                .send()
                .await,
        ),
        "iam:ListUsers" => failure(
            iam_with(server, credentials, region)
                .list_users()
                .send()
                .await,
        ),
        "sts:GetSessionToken" => failure(
            sts_with(server, credentials, region)
                .get_session_token()
                .send()
                .await,
        ),
        "sts:GetCallerIdentity" => failure(
            sts_with(server, credentials, region)
                .get_caller_identity()
                .send()
                .await,
        ),
        other => panic!("no request for {other}"),
    };
    let Some((code, message)) = error else {
        return false;
    };
    let is_access_denied = code == "AccessDenied" || code == "AccessDeniedException";
    is_access_denied && message.contains(&format!("is not authorized to perform: {action}"))
}

#[tokio::test]
async fn simulate_and_enforcement_agree_on_every_case() {
    let mut config = ServerConfig::new(Location::InMemory);
    config.auth.default_account = MANAGEMENT.to_owned();
    let server = start_with(config).await;
    let organization = Organization::build(&server).await;
    organization.suspend_sandbox().await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            REGION_RESTRICTION,
            organization.unit("Workloads"),
        )
        .await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            &shared_policy("scp/scp-deny-leave-organization.json"),
            &organization.root_id,
        )
        .await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            NO_ROLE_HOPPING,
            organization.unit("Infrastructure"),
        )
        .await;
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

    let mut principals = vec![root(MANAGEMENT)];
    let mut names: Vec<&String> = organization.accounts.keys().collect();
    names.sort();
    for name in names {
        if organization.accounts[name] != MANAGEMENT {
            principals.push(root(&organization.accounts[name]));
        }
    }
    principals.push(
        user(
            &server,
            organization.account("App A Prod"),
            "developer",
            Some(DEVELOPER_POLICY),
        )
        .await,
    );
    principals.push(user(&server, organization.account("Networking"), "nobody", None).await);
    principals.push(role_session(&server, organization.account("Networking")).await);
    principals.push(role_session(&server, organization.account("App A Dev")).await);

    // Every principal calls every action in every region, and tries to assume the access roles
    // of two accounts, which their trust policies allow the management account only.
    let mut table: Vec<(&Principal, &str, String, &str)> = Vec::new();
    for principal in &principals {
        for action in ACTIONS {
            for region in REGIONS {
                table.push((principal, action, "*".to_owned(), region));
            }
        }
        for account in ["App A Prod", "Networking"] {
            let role = format!(
                "arn:aws:iam::{}:role/OrganizationAccountAccessRole",
                organization.account(account)
            );
            table.push((principal, "sts:AssumeRole", role, "us-east-1"));
        }
    }
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (principal, action, resource, region) in table {
        cases.push(serde_json::json!({
            "principal": principal.arn,
            "action": action,
            "resource": resource,
            "region": region,
        }));
        expected.push(denied_by_server(&server, principal, action, &resource, region).await);
    }
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    // The table must contain both decisions, or agreement proves little.
    assert!(expected.iter().filter(|denied| **denied).count() >= 20);
    assert!(expected.iter().filter(|denied| !**denied).count() >= 20);

    let directory = tempfile::tempdir().unwrap();
    let batch = directory.path().join("cases.json");
    std::fs::write(&batch, serde_json::to_string(&cases).unwrap()).unwrap();
    let results = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--batch",
        batch.to_str().unwrap(),
        "--json",
    ]))
    .await
    .json();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), cases.len());

    let mismatches: Vec<String> = cases
        .iter()
        .zip(results)
        .zip(&expected)
        .filter(|((_, result), denied)| (result["decision"] != "Allowed") != **denied)
        .map(|((case, result), denied)| {
            format!(
                "{} {} on {} in {}: server {}, simulate {} ({})",
                case["principal"],
                case["action"],
                case["resource"],
                case["region"],
                if *denied { "denied" } else { "allowed" },
                result["decision"],
                result["message"]
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} cases disagree:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
