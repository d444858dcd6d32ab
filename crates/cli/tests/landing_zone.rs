//! `bulkhead plan` and `bulkhead apply` against an in-process server: building the example
//! landing zone, idempotence, the access diff of an SCP edit, invalid files, and resuming an
//! interrupted apply.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail on any error"
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use bulkhead::landing_zone::{self, LandingZone, ProgressMode, file::ROOT};
use bulkhead::tree::{self, Node};
use common::schema::assert_schema_accepts;
use common::{MANAGEMENT, client, config_with_accounts, start_server, start_with};
use policy::{
    Decision, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet, Principal,
    Request, Resource,
};
use server::RunningServer;

fn example() -> LandingZone {
    landing_zone::parse(landing_zone::EXAMPLE, landing_zone::EXAMPLE_NAME, None).unwrap()
}

/// Parses an edit of the example that stays valid, after checking that the JSON Schema
/// accepts it too.
fn parse_edit(text: &str) -> LandingZone {
    assert_schema_accepts(text, "edited.yaml");
    landing_zone::parse(text, "edited.yaml", None).unwrap()
}

/// Returns the one-line description of each change.
fn describe(changes: &[landing_zone::Change]) -> Vec<String> {
    changes.iter().map(landing_zone::Change::describe).collect()
}

/// Finds the root or OU `name` in the tree and returns its path from the root.
fn find<'t>(node: &'t Node, name: &str, path: &mut Vec<String>) -> Option<&'t Node> {
    path.push(node.name.clone());
    if node.name == name {
        return Some(node);
    }
    for unit in &node.units {
        if let Some(found) = find(unit, name, path) {
            return Some(found);
        }
    }
    path.pop();
    None
}

/// Asserts that the live tree has every OU under its parent and every account in its OU.
async fn assert_tree_matches(server: &RunningServer, file: &LandingZone) {
    let tree = tree::fetch(&client(server, MANAGEMENT)).await.unwrap();
    for unit in &file.units {
        let mut path = Vec::new();
        let node = find(&tree.root, &unit.name, &mut path)
            .unwrap_or_else(|| panic!("OU {} is missing", unit.name));
        let parent = &path[path.len() - 2];
        let expected_parent = if unit.parent == ROOT {
            &tree.root.name
        } else {
            &unit.parent
        };
        assert_eq!(parent, expected_parent, "parent of OU {}", unit.name);
        assert_eq!(node.name, unit.name);
    }
    for account in &file.accounts {
        let unit_name = if account.unit == ROOT {
            tree.root.name.clone()
        } else {
            account.unit.clone()
        };
        let node = find(&tree.root, &unit_name, &mut Vec::new()).unwrap();
        assert!(
            node.accounts
                .iter()
                .any(|line| line.name == account.name && line.email == account.email),
            "account {} is not in {unit_name}",
            account.name
        );
    }
}

#[tokio::test]
async fn apply_builds_example_then_changes_nothing() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    let file = example();

    let planned = landing_zone::plan(&management, &file).await.unwrap();
    let first = landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    assert!(first.plan.changes.len() > 40, "{:?}", first.plan.changes);
    // The plan made before the organization exists lists the steps apply runs.
    assert_eq!(
        describe(&planned.structure.changes),
        describe(&first.plan.changes)
    );
    assert_tree_matches(&server, &file).await;

    let second = landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    assert_eq!(second.plan.changes, Vec::new());
    let plan = landing_zone::plan(&management, &file).await.unwrap();
    assert_eq!(plan.structure.changes, Vec::new());
    assert_eq!(plan.access.groups, Vec::new());
}

#[tokio::test]
async fn apply_attaches_and_detaches_to_follow_file() {
    let (_server, management, file) = applied_example().await;

    let mut edited = file.clone();
    let suspended = edited
        .policies
        .iter_mut()
        .find(|policy| policy.name == "DenyAllSuspended")
        .unwrap();
    suspended.targets = vec!["Sandbox".to_owned()];
    let outcome = landing_zone::apply(&management, &edited, ProgressMode::Quiet)
        .await
        .unwrap();
    let descriptions = describe(&outcome.plan.changes);
    assert_eq!(
        descriptions,
        [
            "attach DenyAllSuspended to Sandbox",
            "detach DenyAllSuspended from Suspended"
        ]
    );
    let again = landing_zone::plan(&management, &edited).await.unwrap();
    assert_eq!(again.structure.changes, Vec::new());
}

/// Decides a request of a role session in `account` under one SCP chain with the engine
/// directly, as the access diff is checked against.
fn decide(account: &str, levels: Vec<Level>, action: &str, region: &str) -> Decision {
    let principal =
        Principal::assumed_role(&format!("arn:aws:iam::{account}:role/Probe"), "test").unwrap();
    decide_as(principal, levels, action, region)
}

/// Decides a request of `principal` under one SCP chain with the engine directly.
fn decide_as(principal: Principal, levels: Vec<Level>, action: &str, region: &str) -> Decision {
    let identity = [Policy::compile(
        "allow-all",
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap()];
    let chain = OrganizationPolicies::member(levels);
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(&chain),
        ..PolicySet::default()
    };
    let request = Request::builder(principal, action, Resource::new("*"))
        .region(region)
        .build()
        .unwrap();
    Evaluator::new().authorize(&request, &policies).decision
}

/// Lists the accounts of a plan's flip groups, in the plan's order.
fn flipped_accounts(plan: &landing_zone::Plan) -> Vec<&str> {
    plan.access
        .groups
        .iter()
        .map(|group| group.account.as_str())
        .collect()
}

/// Starts a server and applies the example landing zone to it.
async fn applied_example() -> (RunningServer, aws_sdk_organizations::Client, LandingZone) {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    let file = example();
    landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    (server, management, file)
}

/// Compiles AWS's FullAWSAccess SCP, which is attached to every target by default.
fn full_aws_access() -> Policy {
    Policy::compile(
        "FullAWSAccess",
        PolicyKind::ServiceControl,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap()
}

fn scp(name: &str, file: &LandingZone) -> Policy {
    let declared = file
        .policies
        .iter()
        .find(|policy| policy.name == name)
        .unwrap();
    Policy::compile(name, PolicyKind::ServiceControl, &declared.content).unwrap()
}

#[tokio::test]
async fn plan_of_region_edit_flips_only_workloads() {
    let (_server, management, file) = applied_example().await;

    // The one-line edit: Workloads may use us-east-1 only, no longer us-west-2.
    let edited_text = landing_zone::EXAMPLE.replace(
        "aws:RequestedRegion: [us-east-1, us-west-2]",
        "aws:RequestedRegion: [us-east-1]",
    );
    assert_ne!(edited_text, landing_zone::EXAMPLE);
    let edited = parse_edit(&edited_text);
    let plan = landing_zone::plan(&management, &edited).await.unwrap();
    let descriptions = describe(&plan.structure.changes);
    assert_eq!(
        descriptions,
        ["update SERVICE_CONTROL_POLICY WorkloadRegions (document)"]
    );

    // Independently: the chain of App A Prod before and after, from the file's documents.
    let full_access = full_aws_access();
    let root_policies = vec![
        full_access.clone(),
        scp("DenyLeavingOrganization", &file),
        scp("ProtectAuditTrail", &file),
        scp("DenyRootUser", &file),
    ];
    let chain = |regions: Policy| {
        vec![
            Level::new("Root", root_policies.clone()),
            Level::new("Workloads", vec![full_access.clone(), regions]),
            Level::new("Production", vec![full_access.clone()]),
            Level::new("App A Prod", vec![full_access.clone()]),
        ]
    };
    let before = scp("WorkloadRegions", &file);
    let after = scp("WorkloadRegions", &edited);
    let account = "123456789012";
    let triples = [
        ("ec2:RunInstances", "us-west-2", true),
        ("dynamodb:PutItem", "us-west-2", true),
        ("ec2:RunInstances", "us-east-1", false),
        ("iam:CreateRole", "us-west-2", false),
        ("ec2:RunInstances", "eu-west-1", false),
    ];
    for (action, region, flips) in triples {
        let old = decide(account, chain(before.clone()), action, region);
        let new = decide(account, chain(after.clone()), action, region);
        assert_eq!(old != new, flips, "{action} in {region}");
    }

    // The plan flips exactly the catalog actions the statement's NotAction leaves out, less
    // those ProtectAuditTrail denies already, in us-west-2, for each of the four workload
    // accounts and no other.
    let catalog = catalog::Catalog::builtin().unwrap();
    let newly_denied = catalog.expand_element(after.statements()[0].actions());
    let already_denied =
        catalog.expand_element(scp("ProtectAuditTrail", &file).statements()[0].actions());
    let denied_actions = newly_denied
        .iter()
        .filter(|action| {
            !already_denied
                .iter()
                .any(|denied| denied.full_name() == action.full_name())
        })
        .count();
    assert_eq!(denied_actions + already_denied.len(), newly_denied.len());
    let workloads = ["App A Dev", "App A Prod", "App A Staging", "App B Prod"];
    let flipped_accounts = flipped_accounts(&plan);
    assert_eq!(flipped_accounts, workloads);
    for group in &plan.access.groups {
        // DenyRootUser denies the root user everything before and after the edit.
        assert_eq!(group.principal, landing_zone::access::ROLE_SESSION);
        assert_eq!(group.old, "allow");
        assert_eq!(group.new, "explicit deny");
        assert_eq!(group.policy.as_deref(), Some("WorkloadRegions"));
        assert_eq!(group.statement.as_deref(), Some("DenyOtherRegions"));
        assert_eq!(group.level, "Workloads");
        assert_eq!(group.depth, 1);
        assert_eq!(group.decisions, denied_actions);
        assert_eq!(group.actions, denied_actions);
        assert!(
            group
                .examples
                .iter()
                .all(|example| example.ends_with(" in us-west-2")),
            "{:?}",
            group.examples
        );
    }
    assert_eq!(plan.access.accounts_with_changed_chains, 4);
}

#[tokio::test]
async fn plan_of_root_guardrail_move_flips_root_users() {
    let (_server, management, file) = applied_example().await;

    // The one-line edit: DenyRootUser binds Workloads only, no longer the whole organization.
    let attached_to_root = "SCPs never bind the management account.\n    targets: [Root]";
    assert!(landing_zone::EXAMPLE.contains(attached_to_root));
    let edited_text = landing_zone::EXAMPLE.replace(
        attached_to_root,
        "SCPs never bind the management account.\n    targets: [Workloads]",
    );
    let edited = parse_edit(&edited_text);
    let plan = landing_zone::plan(&management, &edited).await.unwrap();

    // Independently, for Networking (Infrastructure) and App A Prod (Workloads): the root
    // user gains access outside Workloads only, and a role session changes nowhere.
    let full_access = full_aws_access();
    let root_level = |root_user_denied: bool| {
        let mut policies = vec![
            full_access.clone(),
            scp("DenyLeavingOrganization", &file),
            scp("ProtectAuditTrail", &file),
        ];
        if root_user_denied {
            policies.push(scp("DenyRootUser", &file));
        }
        Level::new("Root", policies)
    };
    let infrastructure = |root_user_denied: bool| {
        vec![
            root_level(root_user_denied),
            Level::new("Infrastructure", vec![full_access.clone()]),
            Level::new("Networking", vec![full_access.clone()]),
        ]
    };
    let account = "123456789012";
    let root_user = || Principal::root(account);
    for (action, region, flips) in [
        ("ec2:RunInstances", "eu-west-1", true),
        ("s3:PutObject", "us-east-1", true),
        ("cloudtrail:StopLogging", "us-east-1", false),
        ("organizations:LeaveOrganization", "us-east-1", false),
        ("sts:GetCallerIdentity", "us-west-2", false),
    ] {
        let old = decide_as(root_user(), infrastructure(true), action, region);
        let new = decide_as(root_user(), infrastructure(false), action, region);
        assert_eq!(old != new, flips, "root user, {action} in {region}");
        let old = decide(account, infrastructure(true), action, region);
        let new = decide(account, infrastructure(false), action, region);
        assert_eq!(old, new, "role session, {action} in {region}");
    }

    // The plan flips, for the root user of each member account outside Workloads and
    // Suspended, every catalog action in every region but those another Root guardrail
    // denies (ProtectAuditTrail's and LeaveOrganization) and sts:GetCallerIdentity, which
    // no policy can deny.
    let catalog = catalog::Catalog::builtin().unwrap();
    let unchanged = catalog
        .expand_element(scp("ProtectAuditTrail", &file).statements()[0].actions())
        .len()
        + 2;
    let flipped_actions = catalog.all_actions().count() - unchanged;
    let flipped_accounts = flipped_accounts(&plan);
    assert_eq!(
        flipped_accounts,
        [
            "Developer Sandbox",
            "Log Archive",
            "Networking",
            "Security Tooling",
            "Shared Services"
        ]
    );
    for group in &plan.access.groups {
        assert_eq!(group.principal, landing_zone::access::ROOT_USER);
        assert_eq!(group.old, "explicit deny");
        assert_eq!(group.new, "allow");
        assert_eq!(group.policy.as_deref(), Some("DenyRootUser"));
        assert_eq!(group.statement.as_deref(), Some("DenyRootUserActions"));
        assert_eq!(group.level, "Root");
        assert_eq!(group.depth, 0);
        assert_eq!(group.actions, flipped_actions);
        assert_eq!(group.decisions, flipped_actions * 3);
    }
}

fn bulkhead_command(server: &RunningServer) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bulkhead"));
    command
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", MANAGEMENT)
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_CONFIG_FILE", "/nonexistent/bulkhead-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/bulkhead-test-credentials",
        )
        .env("BULKHEAD_ENDPOINT", server.endpoint_url());
    command
}

#[tokio::test]
async fn unreachable_endpoint_is_named() {
    // A stopped server: its port is free again, so the connection is refused.
    let server = start_server().await;
    let mut command = bulkhead_command(&server);
    server.shutdown().await.unwrap();
    let output = command
        .args(["plan", "../../examples/landing-zone.yaml"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the endpoint cannot be reached"),
        "{stderr}"
    );
    assert!(!stderr.contains("DispatchFailure"), "{stderr}");
}

#[tokio::test]
async fn invalid_files_are_rejected_before_any_call() {
    let server = start_server().await;
    let cases = [
        (
            "unknown OU",
            landing_zone::EXAMPLE.replace(
                "email: networking@example.com, ou: Infrastructure",
                "email: networking@example.com, ou: Infrastructur",
            ),
            "landing-zone.yaml:38:60:",
            "the account `Networking` is in OU `Infrastructur`, which organizational_units does not declare",
        ),
        (
            "malformed policy",
            landing_zone::EXAMPLE.replacen(
                "Effect: Deny\n          Action: \"*\"",
                "Effect: Maybe\n          Action: \"*\"",
                1,
            ),
            "landing-zone.yaml:102:19:",
            "the policy `DenyRootUser` is invalid: Effect \"Maybe\" is not valid",
        ),
        (
            "cycle",
            landing_zone::EXAMPLE.replace(
                "  - name: Workloads\n",
                "  - name: Workloads\n    parent: Non-Production\n",
            ),
            "landing-zone.yaml:",
            "the OU parents form a cycle",
        ),
        (
            "duplicate name",
            landing_zone::EXAMPLE.replace(
                "  - name: Suspended\n",
                "  - name: Suspended\n  - name: Sandbox\n",
            ),
            "landing-zone.yaml:34:11:",
            "the OU name `Sandbox` is declared twice (first at line 23)",
        ),
    ];
    for (case, text, location, message) in cases {
        assert_ne!(
            text,
            landing_zone::EXAMPLE,
            "{case}: the edit did not apply"
        );
        // Each edit breaks a rule the JSON Schema cannot express (a reference, a cycle, a
        // duplicate, the policy grammar), so only the parser rejects it.
        assert_schema_accepts(&text, case);
        let output = tokio::task::spawn_blocking({
            let mut command = bulkhead_command(&server);
            move || {
                let directory = tempfile::tempdir().unwrap();
                let path = directory.path().join("landing-zone.yaml");
                std::fs::write(&path, &text).unwrap();
                command
                    .arg("apply")
                    .arg(&path)
                    .arg("--auto-approve")
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{case}: apply succeeded");
        assert!(stderr.contains(location), "{case}: {stderr}");
        assert!(stderr.contains(message), "{case}: {stderr}");
    }

    // Nothing was created: the caller still belongs to no organization.
    let described = client(&server, MANAGEMENT)
        .describe_organization()
        .send()
        .await;
    assert!(
        described
            .unwrap_err()
            .as_service_error()
            .unwrap()
            .is_aws_organizations_not_in_use_exception()
    );
}

#[tokio::test]
async fn interrupted_apply_resumes_to_the_file() {
    let mut config = config_with_accounts(10);
    config.settings.account_creation_delay = Duration::from_millis(300);
    let server = start_with(config).await;

    // Start an apply and kill it while it creates the third account.
    tokio::task::spawn_blocking({
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("landing-zone.yaml");
        std::fs::write(&path, landing_zone::EXAMPLE).unwrap();
        let mut command = bulkhead_command(&server);
        move || {
            let mut child = command
                .arg("apply")
                .arg(&path)
                .arg("--auto-approve")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            for line in BufReader::new(stdout).lines() {
                if line.unwrap().contains("create account Networking") {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
            child.kill().unwrap();
            child.wait().unwrap();
            drop(directory);
        }
    })
    .await
    .unwrap();

    let management = client(&server, MANAGEMENT);
    let file = example();
    let halfway = landing_zone::plan(&management, &file).await.unwrap();
    assert!(
        !halfway.structure.changes.is_empty(),
        "the apply finished before it was killed"
    );

    let output = tokio::task::spawn_blocking({
        let mut command = bulkhead_command(&server);
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("landing-zone.yaml");
        std::fs::write(&path, landing_zone::EXAMPLE).unwrap();
        move || {
            let output = command
                .arg("apply")
                .arg(&path)
                .arg("--auto-approve")
                .output()
                .unwrap();
            drop(directory);
            output
        }
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    assert_tree_matches(&server, &file).await;
    let after = landing_zone::plan(&management, &file).await.unwrap();
    assert_eq!(after.structure.changes, Vec::new());
    let accounts = management.list_accounts().send().await.unwrap();
    assert_eq!(accounts.accounts().len(), file.accounts.len() + 1);
}

#[test]
fn schema_lists_every_policy_type() {
    let schema = common::schema::schema_value();
    let listed: Vec<&str> = schema["$defs"]["policyType"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert_eq!(listed, landing_zone::file::POLICY_TYPES);
}

#[test]
fn policy_file_is_read_relative_to_landing_zone() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("deny-leave.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#,
    )
    .unwrap();
    let path = directory.path().join("landing-zone.yaml");
    let text = "organization:\n  enabled_policy_types: [SERVICE_CONTROL_POLICY]\npolicies:\n  - name: DenyLeave\n    type: SERVICE_CONTROL_POLICY\n    file: deny-leave.json\n    targets: [Root]\n";
    assert_schema_accepts(text, "landing-zone.yaml");
    std::fs::write(&path, text).unwrap();
    let file = landing_zone::load(&path).unwrap();
    assert_eq!(file.policies.len(), 1);
    assert!(file.policies[0].content.contains("LeaveOrganization"));

    // The schema cannot see that a policy file is missing, so only the parser rejects this.
    let text = "policies:\n  - name: DenyLeave\n    type: SERVICE_CONTROL_POLICY\n    file: missing.json\n";
    assert_schema_accepts(text, "landing-zone.yaml");
    std::fs::write(&path, text).unwrap();
    let errors = landing_zone::load(&path).unwrap_err().to_string();
    assert!(
        errors.contains("landing-zone.yaml:4:11: cannot read the policy file"),
        "{errors}"
    );
}

#[tokio::test]
async fn apply_after_policy_type_disabled() {
    let (_server, management, file) = applied_example().await;
    let roots = management.list_roots().send().await.unwrap();
    management
        .disable_policy_type()
        .root_id(roots.roots()[0].id().unwrap())
        .policy_type(aws_sdk_organizations::types::PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();

    let outcome = landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    let descriptions = describe(&outcome.plan.changes);
    assert_eq!(
        descriptions,
        [
            "enable policy type TAG_POLICY",
            "attach RequiredTags to Root"
        ]
    );
}

/// Returns the id of the SCP named `name`.
async fn scp_id(management: &aws_sdk_organizations::Client, name: &str) -> String {
    let policies = management
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    policies
        .policies()
        .iter()
        .find(|policy| policy.name() == Some(name))
        .and_then(|policy| policy.id())
        .unwrap()
        .to_owned()
}

/// Returns the ids of the targets of the SCP named `name`.
async fn policy_targets(management: &aws_sdk_organizations::Client, name: &str) -> Vec<String> {
    let targets = management
        .list_targets_for_policy()
        .policy_id(scp_id(management, name).await)
        .send()
        .await
        .unwrap();
    targets
        .targets()
        .iter()
        .filter_map(|target| target.target_id().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn apply_detaches_from_undeclared_account() {
    let server = start_with(config_with_accounts(20)).await;
    let management = client(&server, MANAGEMENT);
    let file = example();
    landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    let request = landing_zone::apply::start_account_creation(
        &management,
        "Outsider",
        "outsider@example.com",
    )
    .await
    .unwrap();
    let outsider = landing_zone::apply::wait_for_account(&management, &request, "Outsider")
        .await
        .unwrap();
    management
        .attach_policy()
        .policy_id(scp_id(&management, "DenyAllSuspended").await)
        .target_id(&outsider)
        .send()
        .await
        .unwrap();

    let outcome = landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    let descriptions = describe(&outcome.plan.changes);
    assert_eq!(descriptions, ["detach DenyAllSuspended from Outsider"]);
    let targets = policy_targets(&management, "DenyAllSuspended").await;
    assert!(!targets.contains(&outsider), "{targets:?}");
}

/// Returns the id of the account named `name`.
async fn account_id(management: &aws_sdk_organizations::Client, name: &str) -> String {
    let accounts = management.list_accounts().send().await.unwrap();
    accounts
        .accounts()
        .iter()
        .find(|account| account.name() == Some(name))
        .and_then(|account| account.id())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn apply_tells_account_from_namesake_ou() {
    let (_server, management, file) = applied_example().await;
    let app_a_prod = account_id(&management, "App A Prod").await;
    let roots = management.list_roots().send().await.unwrap();
    let root_id = roots.roots()[0].id().unwrap();
    let namesake = management
        .create_organizational_unit()
        .parent_id(root_id)
        .name("App A Prod")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    management
        .untag_resource()
        .resource_id(&app_a_prod)
        .tag_keys("application")
        .send()
        .await
        .unwrap();

    let mut edited = file.clone();
    let suspended = edited
        .policies
        .iter_mut()
        .find(|policy| policy.name == "DenyAllSuspended")
        .unwrap();
    suspended.targets.push("App A Prod".to_owned());
    landing_zone::apply(&management, &edited, ProgressMode::Quiet)
        .await
        .unwrap();

    let account_tags = management
        .list_tags_for_resource()
        .resource_id(&app_a_prod)
        .send()
        .await
        .unwrap();
    assert_eq!(account_tags.tags().len(), 1, "{account_tags:?}");
    assert_eq!(account_tags.tags()[0].value(), "app-a");
    let unit_tags = management
        .list_tags_for_resource()
        .resource_id(&namesake)
        .send()
        .await
        .unwrap();
    assert_eq!(unit_tags.tags().len(), 0, "{unit_tags:?}");
    let targets = policy_targets(&management, "DenyAllSuspended").await;
    assert!(targets.contains(&app_a_prod), "{targets:?}");
    assert!(!targets.contains(&namesake), "{targets:?}");
}

#[tokio::test]
async fn repeated_ou_names_resolve_by_parent() {
    let server = start_server().await;
    let (management, root_id) = common::organization_with_root(&server).await;
    let alpha = common::create_unit(&management, &root_id, "Alpha").await;
    let beta = common::create_unit(&management, &root_id, "Beta").await;
    let alpha_team = common::create_unit(&management, &alpha, "Team").await;
    let beta_team = common::create_unit(&management, &beta, "Team").await;
    let builder = common::create_account(&management, "Builder", "builder@example.com").await;
    management
        .move_account()
        .account_id(&builder)
        .source_parent_id(&root_id)
        .destination_parent_id(&beta_team)
        .send()
        .await
        .unwrap();

    // The file's Team is Alpha's; Beta and its Team are not in the file.
    let text = "organization:
  enabled_policy_types: [SERVICE_CONTROL_POLICY]
organizational_units:
  - name: Alpha
  - { name: Team, parent: Alpha }
accounts:
  - { name: Builder, email: builder@example.com, ou: Team }
policies:
  - name: NoInstances
    type: SERVICE_CONTROL_POLICY
    targets: [Team]
    content: {Version: \"2012-10-17\", Statement: {Effect: Deny, Action: \"ec2:RunInstances\", Resource: \"*\"}}
";
    let file = landing_zone::parse(text, "teams.yaml", None).unwrap();
    let plan = landing_zone::plan(&management, &file).await.unwrap();
    let descriptions = describe(&plan.structure.changes);
    let moved = format!("move account Builder from Team ({beta_team}) to Team");
    assert!(descriptions.contains(&moved), "{descriptions:?}");
    assert!(
        !descriptions
            .iter()
            .any(|change| change.starts_with("create OU")),
        "{descriptions:?}"
    );
    let refused: Vec<&str> = plan
        .structure
        .refusals
        .iter()
        .map(|refusal| refusal.subject.as_str())
        .collect();
    assert!(refused.contains(&"OU Beta"), "{refused:?}");
    assert!(
        refused.contains(&format!("OU Team ({beta_team})").as_str()),
        "{refused:?}"
    );

    landing_zone::apply(&management, &file, ProgressMode::Quiet)
        .await
        .unwrap();
    let parents = management
        .list_parents()
        .child_id(&builder)
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(alpha_team.as_str()));
    let targets = policy_targets(&management, "NoInstances").await;
    assert_eq!(targets, [alpha_team]);
    let again = landing_zone::plan(&management, &file).await.unwrap();
    assert_eq!(describe(&again.structure.changes), Vec::<String>::new());
}
