//! `bulkhead simulate` as a user runs it: the binary against an in-process server on the
//! recommended organization, with the public SCPs kept beside the policy engine's tests.
//!
//! Every principal here is a root user, which needs no IAM read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::PolicyType;
use common::{MANAGEMENT, Organization, Run, args, client, shared_policy, simulate, start_with};
use serde_json::Value;
use server::{RunningServer, ServerConfig};
use store::Location;

fn root(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

/// Starts a server whose default account, the one unknown access keys act in, is the
/// management account, as `serve --demo` sets it up.
async fn start_server() -> RunningServer {
    let mut config = ServerConfig::new(Location::InMemory);
    config.auth.default_account = MANAGEMENT.to_owned();
    start_with(config).await
}

/// Returns the ARN of an Organizations policy.
async fn policy_arn(organization: &Organization, policy_id: &str) -> String {
    let described = organization
        .management
        .describe_policy()
        .policy_id(policy_id)
        .send()
        .await
        .unwrap();
    let summary = described.policy().unwrap().policy_summary().unwrap();
    summary.arn().unwrap().to_owned()
}

/// Suspends the sandbox account behind a deny-all SCP; returns its id and the policy's ARN.
async fn suspend_sandbox(organization: &Organization) -> (String, String) {
    let (sandbox, policy_id) = organization.suspend_sandbox().await;
    (sandbox, policy_arn(organization, &policy_id).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_root_matches_server_denial() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let (sandbox, deny_all_arn) = suspend_sandbox(&organization).await;

    let denied = client(&server, &sandbox)
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    let server_message = denied.message().unwrap().to_owned();

    let run = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--principal",
        &root(&sandbox),
        "--action",
        "organizations:DescribeOrganization",
        "--action",
        "s3:GetObject",
        "--json",
    ]))
    .await;
    let results = run.json();
    let describe = &results[0];
    assert_eq!(describe["decision"], "ExplicitlyDenied");
    assert_eq!(describe["message"], server_message.as_str());
    assert_eq!(describe["deciding"]["basis"], "explicit_deny");
    assert_eq!(
        describe["deciding"]["policy_type"],
        "service control policy"
    );
    assert_eq!(describe["deciding"]["level"], 1);
    assert_eq!(
        describe["deciding"]["target"],
        organization.unit("Suspended")
    );
    assert_eq!(describe["deciding"]["policy"], deny_all_arn.as_str());
    assert_eq!(describe["deciding"]["statement"], "#0");

    let object = &results[1];
    assert_eq!(object["decision"], "ExplicitlyDenied");
    assert_eq!(
        object["message"],
        format!(
            "User: {} is not authorized to perform: s3:GetObject with an explicit deny in a \
             service control policy: {deny_all_arn}",
            root(&sandbox)
        )
        .as_str()
    );
    let trace = object["trace"].as_str().unwrap();
    assert!(
        trace.contains(&format!(
            "level 1 ({}): denied by {deny_all_arn} statement #0",
            organization.unit("Suspended")
        )),
        "{trace}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_restriction_decides_by_region() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let policy_id = organization
        .attach(
            PolicyType::ServiceControlPolicy,
            &shared_policy("scp/scp-region-deny-aws-samples.json"),
            organization.unit("Workloads"),
        )
        .await;
    let region_arn = policy_arn(&organization, &policy_id).await;
    let production = organization.account("App A Prod").to_owned();
    let endpoint = server.endpoint_url();

    let outside = simulate(args(&[
        "--endpoint",
        &endpoint,
        "--account",
        &production,
        "--action",
        "ec2:RunInstances",
        "--action",
        "iam:CreateRole",
        "--region",
        "ap-south-1",
    ]))
    .await;
    assert!(outside.success, "{}", outside.stderr);
    let text = &outside.stdout;
    assert!(
        text.contains(&format!(
            "ec2:RunInstances on * in ap-south-1 by {}: ExplicitlyDenied",
            root(&production)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "decided by: an explicit Deny in service control policy level 1 ({}): {region_arn} statement #0",
            organization.unit("Workloads")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "iam:CreateRole on * in ap-south-1 by {}: Allowed",
            root(&production)
        )),
        "{text}"
    );

    let inside = simulate(args(&[
        "--endpoint",
        &endpoint,
        "--account",
        &production,
        "--action",
        "ec2:RunInstances",
        "--region",
        "eu-west-1",
        "--json",
    ]))
    .await
    .json();
    assert_eq!(inside[0]["decision"], "Allowed");
    assert_eq!(inside[0]["message"], Value::Null);
    let trace = inside[0]["trace"].as_str().unwrap();
    assert!(
        trace.contains(
            r#"condition StringNotEquals on aws:RequestedRegion not met: policy values ["eu-central-1", "eu-west-1"], request values ["eu-west-1"]"#
        ),
        "{trace}"
    );

    let management = simulate(args(&[
        "--endpoint",
        &endpoint,
        "--account",
        MANAGEMENT,
        "--action",
        "ec2:RunInstances",
        "--region",
        "ap-south-1",
        "--json",
    ]))
    .await
    .json();
    assert_eq!(management[0]["decision"], "Allowed");
    assert_eq!(management[0]["deciding"]["basis"], "root_user");
}

/// Builds the recommended organization with the public deny-leave SCP attached to its root.
async fn organization_denying_leave() -> (RunningServer, Organization) {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            &shared_policy("scp/scp-deny-leave-organization.json"),
            &organization.root_id,
        )
        .await;
    (server, organization)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_agrees_with_text() {
    let (server, organization) = organization_denying_leave().await;
    let question = [
        "--endpoint",
        &server.endpoint_url(),
        "--account",
        organization.account("App A Dev"),
        "--action",
        "organizations:LeaveOrganization",
        "--action",
        "organizations:DescribeOrganization",
    ];

    let text = simulate(args(&question)).await;
    assert!(text.success, "{}", text.stderr);
    let json = simulate([args(&question), args(&["--json"])].concat())
        .await
        .json();
    let results = json.as_array().unwrap();
    assert_eq!(results.len(), 2);
    for result in results {
        let heading = format!(
            "{} on {} in {} by {}: {}",
            result["action"].as_str().unwrap(),
            result["resource"].as_str().unwrap(),
            result["region"].as_str().unwrap(),
            result["principal"].as_str().unwrap(),
            result["decision"].as_str().unwrap(),
        );
        assert!(
            text.stdout.contains(&heading),
            "{heading} not in {}",
            text.stdout
        );
        if let Some(message) = result["message"].as_str() {
            assert!(text.stdout.contains(&format!("  message: {message}\n")));
        }
        for line in result["trace"].as_str().unwrap().lines() {
            assert!(text.stdout.contains(&format!("    {line}\n")), "{line}");
        }
    }
    assert_eq!(results[0]["decision"], "ExplicitlyDenied");
    assert_eq!(results[1]["decision"], "Allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelled_action_gets_warning() {
    let (server, organization) = organization_denying_leave().await;
    let run = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--account",
        organization.account("App A Dev"),
        "--action",
        "s3:GetObjekt",
        "--action",
        "s3:GetObject",
    ]))
    .await;
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: s3:GetObjekt is not in the action catalog"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3:GetObject is"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_leave_message_matches_server() {
    let (server, organization) = organization_denying_leave().await;
    let member = organization.account("App A Dev").to_owned();
    let denied = client(&server, &member)
        .leave_organization()
        .send()
        .await
        .unwrap_err();

    let results = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--principal",
        &root(&member),
        "--action",
        "organizations:LeaveOrganization",
        "--json",
    ]))
    .await
    .json();
    assert_eq!(results[0]["decision"], "ExplicitlyDenied");
    assert_eq!(results[0]["message"], denied.message().unwrap());
    assert_eq!(results[0]["deciding"]["level"], 0);
    assert_eq!(
        results[0]["deciding"]["target"],
        organization.root_id.as_str()
    );
}

/// Writes a batch file of cases into `directory`.
fn write_batch(directory: &Path, cases: &Value) -> PathBuf {
    let path = directory.join("cases.json");
    std::fs::write(&path, serde_json::to_string_pretty(cases).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_and_snapshot_agree_offline() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let (sandbox, _) = suspend_sandbox(&organization).await;
    organization
        .attach(
            PolicyType::ServiceControlPolicy,
            &shared_policy("scp/scp-region-deny-aws-samples.json"),
            organization.unit("Workloads"),
        )
        .await;
    let production = organization.account("App A Prod");
    let directory = tempfile::tempdir().unwrap();
    let batch = write_batch(
        directory.path(),
        &serde_json::json!([
            {"principal": root(&sandbox), "action": "s3:ListAllMyBuckets"},
            {"principal": root(production), "action": "ec2:RunInstances", "region": "ap-south-1"},
            {"principal": root(production), "action": "ec2:RunInstances", "region": "eu-central-1",
             "resource": format!("arn:aws:ec2:eu-central-1:{production}:instance/*")},
            {"principal": root(production), "action": "ec2:RunInstances", "region": "ap-south-1",
             "context": {"aws:RequestedRegion": ["eu-west-1"]}},
            {"principal": root("222233334444"), "action": "ec2:RunInstances"},
        ]),
    );
    let snapshot = directory.path().join("snapshot.json");
    let batch = batch.to_str().unwrap();
    let snapshot = snapshot.to_str().unwrap();

    let online = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--batch",
        batch,
        "--save-snapshot",
        snapshot,
        "--json",
    ]))
    .await
    .json();
    let decisions: Vec<&str> = online
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        [
            "ExplicitlyDenied",
            "ExplicitlyDenied",
            "Allowed",
            "Allowed",
            "Allowed"
        ]
    );
    // An account in no organization is governed by no SCP.
    let outsider = online[4]["trace"].as_str().unwrap();
    assert!(
        outsider.starts_with(
            "service control policies: not applied: the policy type is not enabled in the \
             account's organization, or the account is in none"
        ),
        "{outsider}"
    );
    assert_eq!(online[4]["deciding"]["basis"], "root_user");

    let saved: Value = serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    assert_eq!(
        saved["accounts"]["222233334444"]["organization"],
        Value::Null
    );
    assert_eq!(
        saved["accounts"][production]["organization"]["management_account_id"],
        MANAGEMENT
    );

    server.shutdown().await.unwrap();
    let offline = simulate(args(&["--snapshot", snapshot, "--batch", batch, "--json"]))
        .await
        .json();
    assert_eq!(offline, online);
}

/// Checks that a run failed with a message that contains `expected` and did not panic.
fn assert_clean_failure(run: &Run, expected: &str) {
    assert!(!run.success, "expected a failure, got: {}", run.stdout);
    assert!(
        run.stderr.contains(expected),
        "{:?} lacks {expected:?}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// Writes `snapshot_json` to `path` and decides `action` by the root user of 111122223333 from
/// it.
async fn decide_offline(path: &Path, snapshot_json: &str, action: &str) -> Run {
    std::fs::write(path, snapshot_json).unwrap();
    simulate(args(&[
        "--snapshot",
        path.to_str().unwrap(),
        "--account",
        "111122223333",
        "--action",
        action,
    ]))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_fail_clearly() {
    let directory = tempfile::tempdir().unwrap();
    let unused_endpoint = "http://127.0.0.1:9";

    let malformed_principal = simulate(args(&[
        "--endpoint",
        unused_endpoint,
        "--principal",
        "arn:aws:iam::1234:root",
        "--action",
        "s3:GetObject",
    ]))
    .await;
    assert_clean_failure(
        &malformed_principal,
        "invalid principal ARN 'arn:aws:iam::1234:root'",
    );

    let group = simulate(args(&[
        "--endpoint",
        unused_endpoint,
        "--principal",
        "arn:aws:iam::111122223333:group/admins",
        "--action",
        "s3:GetObject",
    ]))
    .await;
    assert_clean_failure(&group, "names no root user, user, role or role session");

    let batch = directory.path().join("broken.json");
    std::fs::write(
        &batch,
        r#"[{"principal": "arn:aws:iam::111122223333:root", "action": }]"#,
    )
    .unwrap();
    let malformed_batch = simulate(args(&[
        "--endpoint",
        unused_endpoint,
        "--batch",
        batch.to_str().unwrap(),
    ]))
    .await;
    assert_clean_failure(&malformed_batch, "is not a JSON array of cases");

    std::fs::write(
        &batch,
        r#"[{"principal": "arn:aws:iam::111122223333:root"}]"#,
    )
    .unwrap();
    let missing_action = simulate(args(&["--batch", batch.to_str().unwrap()])).await;
    assert_clean_failure(&missing_action, "missing field `action`");

    std::fs::write(
        &batch,
        r#"[{"principal": "root", "action": "s3:GetObject"}]"#,
    )
    .unwrap();
    let bad_case = simulate(args(&["--batch", batch.to_str().unwrap()])).await;
    assert_clean_failure(&bad_case, "case 1 of the batch file");

    let snapshot = directory.path().join("snapshot.json");
    let snapshot_cases = [
        (
            r#"{"version": 2, "secure_transport": true, "accounts": {}, "principals": [], "trust_policies": {}}"#,
            "s3:GetObject",
            "has format version 2, but this bulkhead reads version 1",
        ),
        (
            r#"{"version": 1, "secure_transport": true, "accounts": {}, "principals": [], "trust_policies": {}}"#,
            "s3:GetObject",
            "the snapshot contains no organization data for account 111122223333",
        ),
        (
            r#"{"version": 1, "secure_transport": true, "accounts": {"111122223333": {"organization": null}}, "principals": [], "trust_policies": {}}"#,
            "GetObject",
            "the request cannot be evaluated",
        ),
    ];
    for (snapshot_json, action, expected) in snapshot_cases {
        let run = decide_offline(&snapshot, snapshot_json, action).await;
        assert_clean_failure(&run, expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_principal_read_failure_names_operation() {
    let server = start_server().await;
    Organization::build(&server).await;
    let run = simulate(args(&[
        "--endpoint",
        &server.endpoint_url(),
        "--principal",
        &format!("arn:aws:iam::{MANAGEMENT}:user/alice"),
        "--action",
        "s3:GetObject",
    ]))
    .await;
    assert_clean_failure(&run, "GetUser");
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
}

#[tokio::test]
async fn user_principals_read_their_own_account_with_cli_credentials_set() {
    let server = start_server().await;
    let organization = Organization::build(&server).await;
    let production = organization.account("App A Prod").to_owned();
    let iam = common::iam_with(
        &server,
        aws_sdk_iam::config::Credentials::new(&production, "test", None, None, "test"),
        "us-east-1",
    );
    iam.create_user()
        .user_name("deployer")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("deployer")
        .policy_name("deploy")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();

    // The environment the README sets up for the AWS CLI: the management account's key.
    let principal = format!("arn:aws:iam::{production}:user/deployer");
    let run = common::simulate_with_env(
        args(&[
            "--endpoint",
            &server.endpoint_url(),
            "--principal",
            &principal,
            "--action",
            "ec2:RunInstances",
            "--action",
            "ec2:TerminateInstances",
            "--json",
        ]),
        &[
            ("AWS_ACCESS_KEY_ID", MANAGEMENT),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ],
    )
    .await;
    let results = run.json();
    assert_eq!(results[0]["decision"], "Allowed", "{results}");
    assert_eq!(results[1]["decision"], "ImplicitlyDenied");
    assert!(
        results[1]["message"]
            .as_str()
            .unwrap()
            .ends_with("because no identity-based policy allows the ec2:TerminateInstances action")
    );
}
