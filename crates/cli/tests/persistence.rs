//! State survives restarts: a clean shutdown, and SIGKILL right after acknowledged writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use aws_sdk_organizations::types::ChildType;
use common::{MANAGEMENT, client, create_account, organization_with_root, start_with};
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
    let mut units = BTreeSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_children()
            .parent_id(root_id)
            .child_type(ChildType::OrganizationalUnit)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        units.extend(
            page.children()
                .iter()
                .map(|child| child.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return units;
        }
    }
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
