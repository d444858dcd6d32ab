//! State survives restarts: a clean shutdown, and SIGKILL right after acknowledged writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use aws_sdk_organizations::types::{
    ChildType, CreateAccountState, CreateAccountStatus, PolicyType,
};
use common::{
    MANAGEMENT, Shape, all_children, checked_shape, client, create_account, organization_with_root,
    start_with,
};
use server::ServerConfig;
use store::Location;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[tokio::test]
async fn restarted_server_has_all_state() {
    let directory = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(Location::Directory(directory.path().to_owned()));

    let server = start_with(config.clone()).await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Security")
        .send()
        .await
        .unwrap();
    let unit_id = unit.organizational_unit().unwrap().id().unwrap().to_owned();
    let account = create_account(&management, "Log Archive", "log@example.com").await;
    management
        .move_account()
        .account_id(&account)
        .source_parent_id(&root_id)
        .destination_parent_id(&unit_id)
        .send()
        .await
        .unwrap();
    let tag = aws_sdk_organizations::types::Tag::builder()
        .key("team")
        .value("security")
        .build()
        .unwrap();
    management
        .tag_resource()
        .resource_id(&account)
        .tags(tag.clone())
        .send()
        .await
        .unwrap();
    let before = management
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts()
        .to_vec();
    server.shutdown().await.unwrap();

    let server = start_with(config).await;
    let management = client(&server, MANAGEMENT);
    let after = management
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts()
        .to_vec();
    assert_eq!(before, after);
    let parents = management
        .list_parents()
        .child_id(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(unit_id.as_str()));
    let tags = management
        .list_tags_for_resource()
        .resource_id(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), &[tag]);
    let statuses = management
        .list_create_account_status()
        .send()
        .await
        .unwrap();
    assert_eq!(statuses.create_account_statuses().len(), 1);
}

#[tokio::test]
async fn created_account_records_its_access_role() {
    let directory = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(Location::Directory(directory.path().to_owned()));
    let server = start_with(config).await;
    let (management, _) = organization_with_root(&server).await;
    let created = management
        .create_account()
        .account_name("Custom role")
        .email("custom@example.com")
        .role_name("PlatformAdmin")
        .send()
        .await
        .unwrap();
    let request_id = created.create_account_status().unwrap().id().unwrap();
    let status = management
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .unwrap();
    let custom = status
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap()
        .to_owned();
    let default = create_account(&management, "Default role", "default@example.com").await;
    server.shutdown().await.unwrap();

    let store = store::Store::open(&Location::Directory(directory.path().to_owned()))
        .await
        .unwrap();
    let snapshot = store.load().await.unwrap();
    let role_of = |id: &str| {
        snapshot
            .accounts
            .iter()
            .find(|account| account.id == id)
            .unwrap()
            .access_role
            .clone()
    };
    assert_eq!(role_of(&custom).as_deref(), Some("PlatformAdmin"));
    assert_eq!(
        role_of(&default).as_deref(),
        Some(cloud::organizations::DEFAULT_ACCESS_ROLE)
    );
    assert_eq!(role_of(MANAGEMENT), None);
}

/// The `bulkhead serve` binary, started on a free loopback port.
struct Process {
    child: Child,
    endpoint: String,
}

async fn spawn_server(data_dir: &Path) -> Process {
    spawn_server_with(data_dir, &[]).await
}

/// As [`spawn_server`], with more `serve` arguments.
async fn spawn_server_with(data_dir: &Path, extra_args: &[&str]) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-accounts",
            "1000",
            "--log",
            "warn",
            "--data-dir",
        ])
        .arg(data_dir)
        .args(extra_args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let endpoint = line.rsplit(' ').next().unwrap().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
    Process { child, endpoint }
}

fn process_client(process: &Process) -> aws_sdk_organizations::Client {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_organizations::config::Credentials::new(
            MANAGEMENT, "secret", None, None, "test",
        ))
        .endpoint_url(&process.endpoint)
        .build();
    aws_sdk_organizations::Client::from_conf(config)
}

/// Writes OUs as fast as the server acknowledges them until the server dies, and returns the
/// ids of those it acknowledged.
async fn write_until_killed(
    client: aws_sdk_organizations::Client,
    root_id: String,
    round: usize,
) -> BTreeSet<String> {
    let mut acknowledged = BTreeSet::new();
    for index in 0..10_000 {
        let created = client
            .create_organizational_unit()
            .parent_id(&root_id)
            .name(format!("Round {round} unit {index}"))
            .send()
            .await;
        match created {
            Ok(output) => {
                acknowledged.insert(
                    output
                        .organizational_unit()
                        .unwrap()
                        .id()
                        .unwrap()
                        .to_owned(),
                );
            }
            Err(_) => break,
        }
    }
    acknowledged
}

async fn list_units(client: &aws_sdk_organizations::Client, root_id: &str) -> BTreeSet<String> {
    all_children(client, root_id, ChildType::OrganizationalUnit)
        .await
        .into_iter()
        .collect()
}

#[tokio::test]
async fn sigkill_loses_no_acknowledged_write() {
    let directory = tempfile::tempdir().unwrap();
    let mut process = spawn_server(directory.path()).await;
    let management = process_client(&process);
    management.create_organization().send().await.unwrap();
    let root_id = management.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();

    let mut expected = BTreeSet::new();
    // Three rounds, each killed after a different amount of write traffic.
    for (round, run_for) in [(0, 150_u64), (1, 400), (2, 50)].into_iter() {
        let writer = tokio::spawn(write_until_killed(
            process_client(&process),
            root_id.clone(),
            round,
        ));
        tokio::time::sleep(Duration::from_millis(run_for)).await;
        process.child.start_kill().unwrap();
        process.child.wait().await.unwrap();
        let acknowledged = writer.await.unwrap();
        expected.extend(acknowledged);

        process = spawn_server(directory.path()).await;
        let found = list_units(&process_client(&process), &root_id).await;
        let missing: Vec<_> = expected.difference(&found).collect();
        assert!(
            missing.is_empty(),
            "round {round}: acknowledged OUs lost after SIGKILL: {missing:?}"
        );
        assert!(found.len() >= expected.len());
        expected = found;
    }
    assert!(!expected.is_empty());
    process.child.start_kill().unwrap();
    process.child.wait().await.unwrap();
}

/// An organization by names: what the crash test compares, because a write that was in flight
/// when the server died may have created an object whose id the client never received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Names {
    /// OU name to the name of its parent.
    units: BTreeMap<String, String>,
    /// Account name to the name of its parent.
    accounts: BTreeMap<String, String>,
    /// Customer-managed SCPs.
    policies: BTreeSet<String>,
    /// Policy name and target name of every customer-managed SCP's attachment.
    attachments: BTreeSet<(String, String)>,
}

/// One write of the crash test's workload, by the names it touches. OUs and accounts are
/// created in the root.
#[derive(Debug, Clone)]
enum Write {
    CreateUnit { unit: String },
    CreateAccount { account: String },
    MoveAccount { account: String, to: String },
    CreatePolicy { policy: String },
    AttachPolicy { policy: String, target: String },
    DetachPolicy { policy: String, target: String },
    DeleteUnit { unit: String },
}

/// The name AWS gives every root.
const ROOT_NAME: &str = "Root";

impl Names {
    fn apply(&mut self, write: &Write) {
        match write {
            Write::CreateUnit { unit } => {
                self.units.insert(unit.clone(), ROOT_NAME.to_owned());
            }
            Write::CreateAccount { account } => {
                self.accounts.insert(account.clone(), ROOT_NAME.to_owned());
            }
            Write::MoveAccount { account, to } => {
                self.accounts.insert(account.clone(), to.clone());
            }
            Write::CreatePolicy { policy } => {
                self.policies.insert(policy.clone());
            }
            Write::AttachPolicy { policy, target } => {
                self.attachments.insert((policy.clone(), target.clone()));
            }
            Write::DetachPolicy { policy, target } => {
                self.attachments.remove(&(policy.clone(), target.clone()));
            }
            Write::DeleteUnit { unit } => {
                self.units.remove(unit);
            }
        }
    }
}

/// Runs a workload of every kind of write, one at a time, until a call fails because the
/// server was killed. Returns the acknowledged writes in order and the write that was in
/// flight, whose outcome the client never learned.
async fn mixed_writes_until_killed(
    client: aws_sdk_organizations::Client,
    root_id: String,
    round: usize,
) -> (Vec<Write>, Option<Write>) {
    let mut acknowledged = Vec::new();
    macro_rules! write {
        ($write:expr, $call:expr) => {{
            let write = $write;
            match $call.await {
                Ok(output) => {
                    acknowledged.push(write);
                    output
                }
                Err(_) => return (acknowledged, Some(write)),
            }
        }};
    }

    for index in 0..500 {
        let unit = format!("Unit {round}-{index}");
        let account = format!("Account {round}-{index}");
        let policy = format!("policy-{round}-{index}");

        let created = write!(
            Write::CreateUnit { unit: unit.clone() },
            client
                .create_organizational_unit()
                .parent_id(&root_id)
                .name(&unit)
                .send()
        );
        let unit_id = created
            .organizational_unit()
            .unwrap()
            .id()
            .unwrap()
            .to_owned();

        let requested = write!(
            Write::CreateAccount {
                account: account.clone()
            },
            client
                .create_account()
                .account_name(&account)
                .email(format!("account-{round}-{index}@example.com"))
                .send()
        );
        let request_id = requested.create_account_status().unwrap().id().unwrap();
        let Some(account_id) = settled_account(&client, request_id).await else {
            return (acknowledged, None);
        };

        write!(
            Write::MoveAccount {
                account: account.clone(),
                to: unit.clone()
            },
            client
                .move_account()
                .account_id(&account_id)
                .source_parent_id(&root_id)
                .destination_parent_id(&unit_id)
                .send()
        );
        let created = write!(
            Write::CreatePolicy {
                policy: policy.clone()
            },
            client
                .create_policy()
                .name(&policy)
                .description("")
                .r#type(PolicyType::ServiceControlPolicy)
                .content(common::DENY_ALL)
                .send()
        );
        let policy_id = created
            .policy()
            .and_then(|policy| policy.policy_summary())
            .and_then(|summary| summary.id())
            .unwrap()
            .to_owned();
        write!(
            Write::AttachPolicy {
                policy: policy.clone(),
                target: unit.clone()
            },
            client
                .attach_policy()
                .policy_id(&policy_id)
                .target_id(&unit_id)
                .send()
        );

        // Every other OU is taken apart again, so deletes and detaches are killed too.
        if index % 2 == 1 {
            write!(
                Write::DetachPolicy {
                    policy: policy.clone(),
                    target: unit.clone()
                },
                client
                    .detach_policy()
                    .policy_id(&policy_id)
                    .target_id(&unit_id)
                    .send()
            );
            write!(
                Write::MoveAccount {
                    account: account.clone(),
                    to: ROOT_NAME.to_owned()
                },
                client
                    .move_account()
                    .account_id(&account_id)
                    .source_parent_id(&unit_id)
                    .destination_parent_id(&root_id)
                    .send()
            );
            write!(
                Write::DeleteUnit { unit: unit.clone() },
                client
                    .delete_organizational_unit()
                    .organizational_unit_id(&unit_id)
                    .send()
            );
        }
    }
    (acknowledged, None)
}

/// Waits for a CreateAccount request to succeed and returns the account id, or `None` when
/// a request fails first because the server is gone.
async fn settled_account(
    client: &aws_sdk_organizations::Client,
    request_id: &str,
) -> Option<String> {
    for _ in 0..500 {
        let described = client
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .ok()?;
        let status = described.create_account_status().unwrap();
        match status.state().unwrap() {
            CreateAccountState::Succeeded => return Some(status.account_id().unwrap().to_owned()),
            CreateAccountState::InProgress => tokio::time::sleep(Duration::from_millis(5)).await,
            other => panic!("CreateAccount {request_id} ended {other:?}"),
        }
    }
    panic!("CreateAccount {request_id} did not settle in 2.5 seconds");
}

/// Waits until no CreateAccount request is in progress and returns every request's status.
/// A restarted server finishes the requests a kill interrupted, so the organization must be
/// read only after this returns.
async fn settled_create_account_requests(
    client: &aws_sdk_organizations::Client,
) -> Vec<CreateAccountStatus> {
    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses.clear();
        let mut token = None;
        loop {
            let page = client
                .list_create_account_status()
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            statuses.extend(page.create_account_statuses().iter().cloned());
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        if statuses
            .iter()
            .all(|status| status.state() != Some(&CreateAccountState::InProgress))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    statuses
}

/// Checks that no account is half created: every request succeeded and names an account of
/// the organization, and every member account comes from one of those requests.
fn check_create_account_requests(statuses: &[CreateAccountStatus], shape: &Shape) {
    let mut created = BTreeSet::new();
    for status in statuses {
        let id = status.id().unwrap();
        assert_eq!(
            status.state(),
            Some(&CreateAccountState::Succeeded),
            "request {id} after restart"
        );
        let account_id = status.account_id().unwrap();
        assert!(
            shape.account_parents.contains_key(account_id),
            "{id}: {account_id}"
        );
        created.insert(account_id.to_owned());
    }
    let members: BTreeSet<String> = shape
        .account_parents
        .keys()
        .filter(|id| id.as_str() != MANAGEMENT)
        .cloned()
        .collect();
    assert_eq!(
        members, created,
        "member accounts against succeeded requests"
    );
}

/// Reads the organization by names, following every page.
async fn read_names(client: &aws_sdk_organizations::Client, root_id: &str) -> Names {
    let mut names = Names::default();
    let mut parents = vec![(root_id.to_owned(), ROOT_NAME.to_owned())];
    while let Some((parent_id, parent_name)) = parents.pop() {
        let mut token = None;
        loop {
            let page = client
                .list_organizational_units_for_parent()
                .parent_id(&parent_id)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            for unit in page.organizational_units() {
                let name = unit.name().unwrap().to_owned();
                names.units.insert(name.clone(), parent_name.clone());
                parents.push((unit.id().unwrap().to_owned(), name));
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        loop {
            let page = client
                .list_accounts_for_parent()
                .parent_id(&parent_id)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            for account in page.accounts() {
                names
                    .accounts
                    .insert(account.name().unwrap().to_owned(), parent_name.clone());
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }

    let mut token = None;
    loop {
        let page = client
            .list_policies()
            .filter(PolicyType::ServiceControlPolicy)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for policy in page.policies().iter().filter(|p| !p.aws_managed()) {
            let policy_name = policy.name().unwrap().to_owned();
            let targets = client
                .list_targets_for_policy()
                .policy_id(policy.id().unwrap())
                .send()
                .await
                .unwrap();
            assert_eq!(targets.next_token(), None, "one target per policy at most");
            for target in targets.targets() {
                names
                    .attachments
                    .insert((policy_name.clone(), target.name().unwrap().to_owned()));
            }
            names.policies.insert(policy_name);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return names;
        }
    }
}

/// Checks the store's rows directly: every OU and account has a parent that exists, every
/// attachment joins an existing policy to an existing target, and every request that succeeded
/// names an account it created.
fn check_snapshot(snapshot: &store::Snapshot) {
    let roots: BTreeSet<&str> = snapshot.roots.iter().map(|r| r.id.as_str()).collect();
    let units: BTreeSet<&str> = snapshot
        .organizational_units
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    let accounts: BTreeSet<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
    let policies: BTreeSet<&str> = snapshot.policies.iter().map(|p| p.id.as_str()).collect();
    let parent_exists = |id: &str| roots.contains(id) || units.contains(id);
    for unit in &snapshot.organizational_units {
        assert!(
            parent_exists(&unit.parent_id),
            "OU {} has no parent",
            unit.id
        );
    }
    for account in &snapshot.accounts {
        assert!(
            parent_exists(&account.parent_id),
            "account {} has no parent",
            account.id
        );
    }
    for attachment in &snapshot.policy_attachments {
        let managed = attachment.policy_id.starts_with("p-FullAWSAccess")
            || attachment.policy_id.starts_with("p-RCPFullAWSAccess");
        assert!(
            managed || policies.contains(attachment.policy_id.as_str()),
            "attachment of missing policy {}",
            attachment.policy_id
        );
        let target = attachment.target_id.as_str();
        assert!(
            roots.contains(target) || units.contains(target) || accounts.contains(target),
            "attachment to missing target {target}"
        );
    }
    for request in &snapshot.create_account_requests {
        if request.state == "SUCCEEDED" {
            let id = request.account_id.as_deref().unwrap();
            assert!(
                accounts.contains(id),
                "request {} lost account {id}",
                request.id
            );
        } else {
            assert_eq!(request.account_id, None, "request {}", request.id);
        }
    }
}

#[tokio::test]
async fn sigkill_during_mixed_writes_keeps_invariants() {
    let directory = tempfile::tempdir().unwrap();
    // A short creation delay leaves some CreateAccount requests in progress at the kill, so
    // the restarted server must finish them.
    let serve_args = ["--account-creation-delay", "0.02"];
    let mut process = spawn_server_with(directory.path(), &serve_args).await;
    let management = process_client(&process);
    management.create_organization().send().await.unwrap();
    let root_id = management.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let mut expected = read_names(&management, &root_id).await;
    let mut total_acknowledged = 0;

    // Each round is killed after a different amount of write traffic.
    for (round, run_for) in [(0, 250_u64), (1, 90), (2, 600), (3, 170)] {
        let writer = tokio::spawn(mixed_writes_until_killed(
            process_client(&process),
            root_id.clone(),
            round,
        ));
        tokio::time::sleep(Duration::from_millis(run_for)).await;
        process.child.start_kill().unwrap();
        process.child.wait().await.unwrap();
        let (acknowledged, in_flight) = writer.await.unwrap();
        total_acknowledged += acknowledged.len();

        process = spawn_server_with(directory.path(), &serve_args).await;
        let client = process_client(&process);
        let statuses = settled_create_account_requests(&client).await;
        let shape = checked_shape(&client).await;
        check_create_account_requests(&statuses, &shape);

        for write in &acknowledged {
            expected.apply(write);
        }
        let found = read_names(&client, &root_id).await;
        let mut with_in_flight = expected.clone();
        if let Some(write) = &in_flight {
            with_in_flight.apply(write);
        }
        assert!(
            found == expected || found == with_in_flight,
            "round {round}: after SIGKILL the organization is neither the acknowledged state \
             nor that state plus the write in flight ({in_flight:?})\nfound:    {found:?}\nexpected: {expected:?}"
        );
        expected = found;
    }
    assert!(total_acknowledged > 0, "no write was acknowledged");
    process.child.start_kill().unwrap();
    process.child.wait().await.unwrap();

    let store = store::Store::open(&Location::Directory(directory.path().to_owned()))
        .await
        .unwrap();
    check_snapshot(&store.load().await.unwrap());
}
