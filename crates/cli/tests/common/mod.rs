//! Helpers shared by the integration tests: an in-process server on a loopback port, SDK
//! clients acting as given accounts, a raw HTTP client for requests no SDK would send, and
//! ([`schema`]) the landing-zone file's JSON Schema.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses a different part of these helpers"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test on any error"
)]

pub mod schema;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_organizations::types::PolicyType;
use server::{RunningServer, ServerConfig};
use store::Location;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The management account the tests use.
pub const MANAGEMENT: &str = "111111111111";

/// An SCP that denies every action.
pub const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

/// Starts a server with an in-memory store on a free loopback port.
pub async fn start_server() -> RunningServer {
    start_with(ServerConfig::new(Location::InMemory)).await
}

/// Starts a server with the given configuration on a free loopback port.
pub async fn start_with(config: ServerConfig) -> RunningServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::start(&config, listener).await.unwrap()
}

/// Returns a configuration with an in-memory store and room for `max_accounts` accounts.
pub fn config_with_accounts(max_accounts: usize) -> ServerConfig {
    let mut config = ServerConfig::new(Location::InMemory);
    config.settings.max_accounts = max_accounts;
    config
}

/// Returns an Organizations client acting as the root user of `account_id`, in us-east-1.
pub fn client(server: &RunningServer, account_id: &str) -> Client {
    client_in_region(server, account_id, "us-east-1")
}

/// Returns an Organizations client with explicit test credentials, for `region`.
pub fn client_in_region(server: &RunningServer, account_id: &str, region: &str) -> Client {
    let credentials = Credentials::new(account_id, "test-secret", None, None, "test");
    organizations_with(server, credentials, region)
}

/// Creates an organization with `MANAGEMENT` as management account and returns the root id.
pub async fn organization_with_root(server: &RunningServer) -> (Client, String) {
    let client = client(server, MANAGEMENT);
    client.create_organization().send().await.unwrap();
    let roots = client.list_roots().send().await.unwrap();
    let root_id = roots.roots()[0].id().unwrap().to_owned();
    (client, root_id)
}

/// Creates the OU `name` under `parent_id` and returns its id.
pub async fn create_unit(client: &Client, parent_id: &str, name: &str) -> String {
    let created = client
        .create_organizational_unit()
        .parent_id(parent_id)
        .name(name)
        .send()
        .await
        .unwrap();
    created
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

/// Creates an account and waits until its request settles; returns the account id.
pub async fn create_account(client: &Client, name: &str, email: &str) -> String {
    bulkhead::demo::create_account(client, name, email)
        .await
        .unwrap()
}

/// A raw HTTP response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// Sends one HTTP/1.1 request over a new connection and reads the whole response.
pub async fn raw_request(
    server: &RunningServer,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> RawResponse {
    let mut stream = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        server.address(),
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    parse_response(&bytes)
}

fn parse_response(bytes: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Returns an `Authorization` header and `X-Amz-Date` for `access_key` at the current time, scoped to
/// `service`. The signature is not computed: convenience credentials are not verified.
pub fn convenience_auth(access_key: &str, service: &str) -> Vec<(&'static str, String)> {
    auth_at(access_key, service, jiff::Timestamp::now())
}

/// As [`convenience_auth`], signed at `time`.
pub fn auth_at(
    access_key: &str,
    service: &str,
    time: jiff::Timestamp,
) -> Vec<(&'static str, String)> {
    let date = time.strftime("%Y%m%d").to_string();
    let amz_date = time.strftime("%Y%m%dT%H%M%SZ").to_string();
    vec![
        (
            "Authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{date}/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
                "0".repeat(64)
            ),
        ),
        ("X-Amz-Date", amz_date),
    ]
}

/// Creates a policy as `client` and attaches it to `target`; returns the policy id.
pub async fn attach_new_policy(
    client: &Client,
    policy_type: aws_sdk_organizations::types::PolicyType,
    name: &str,
    content: &str,
    target: &str,
) -> String {
    let created = client
        .create_policy()
        .name(name)
        .description("")
        .r#type(policy_type)
        .content(content)
        .send()
        .await
        .unwrap();
    let id = created
        .policy()
        .and_then(|policy| policy.policy_summary())
        .and_then(|summary| summary.id())
        .unwrap()
        .to_owned();
    client
        .attach_policy()
        .policy_id(&id)
        .target_id(target)
        .send()
        .await
        .unwrap();
    id
}

/// Reads one of the public policy documents kept with the policy engine's tests.
pub fn shared_policy(path: &str) -> String {
    let file = format!(
        "{}/../policy/tests/policies/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{file}: {error}"))
}

/// The recommended organization's ids by name: OUs and accounts.
pub struct Organization {
    pub management: Client,
    pub root_id: String,
    pub units: HashMap<String, String>,
    pub accounts: HashMap<String, String>,
}

impl Organization {
    /// Builds the recommended organization with `MANAGEMENT` as its management account and
    /// reads its ids.
    pub async fn build(server: &RunningServer) -> Organization {
        let management = client(server, MANAGEMENT);
        bulkhead::demo::ensure(&management).await.unwrap();
        let roots = management.list_roots().send().await.unwrap();
        let root_id = roots.roots()[0].id().unwrap().to_owned();
        let mut units = HashMap::new();
        let mut parents = vec![root_id.clone()];
        while let Some(parent) = parents.pop() {
            let children = management
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .send()
                .await
                .unwrap();
            for unit in children.organizational_units() {
                let id = unit.id().unwrap().to_owned();
                units.insert(unit.name().unwrap().to_owned(), id.clone());
                parents.push(id);
            }
        }
        let mut accounts = HashMap::new();
        for account in management.list_accounts().send().await.unwrap().accounts() {
            accounts.insert(
                account.name().unwrap().to_owned(),
                account.id().unwrap().to_owned(),
            );
        }
        Organization {
            management,
            root_id,
            units,
            accounts,
        }
    }

    pub fn unit(&self, name: &str) -> &str {
        &self.units[name]
    }

    pub fn account(&self, name: &str) -> &str {
        &self.accounts[name]
    }

    /// Moves the Developer Sandbox account into the Suspended OU and attaches a deny-all SCP
    /// to that OU; returns the account id and the policy id.
    pub async fn suspend_sandbox(&self) -> (String, String) {
        let sandbox = self.account("Developer Sandbox").to_owned();
        self.management
            .move_account()
            .account_id(&sandbox)
            .source_parent_id(self.unit("Sandbox"))
            .destination_parent_id(self.unit("Suspended"))
            .send()
            .await
            .unwrap();
        let policy_id = self
            .attach(
                PolicyType::ServiceControlPolicy,
                DENY_ALL,
                self.unit("Suspended"),
            )
            .await;
        (sandbox, policy_id)
    }

    /// Creates a policy and attaches it to `target`; returns the policy id.
    pub async fn attach(&self, policy_type: PolicyType, content: &str, target: &str) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!("policy-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        attach_new_policy(&self.management, policy_type, &name, content, target).await
    }
}

/// What one run of the binary printed, and how it exited.
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        assert!(self.success, "simulate failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.stdout))
    }
}

/// Runs `bulkhead simulate ARGS` with a clean environment: explicit region, no credentials,
/// no AWS config files and no instance metadata lookups.
pub async fn simulate(args: Vec<String>) -> Run {
    simulate_with_env(args, &[]).await
}

/// As [`simulate`], with extra environment variables such as the AWS CLI's credentials.
pub async fn simulate_with_env(args: Vec<String>, env: &[(&str, &str)]) -> Run {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_bulkhead"))
            .arg("simulate")
            .args(&args)
            .env_clear()
            .envs(env)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/nonexistent/bulkhead-test-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/bulkhead-test-credentials",
            )
            .output()
            .unwrap();
        Run {
            success: output.status.success(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    })
    .await
    .unwrap()
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

/// Returns an STS client with `credentials`, signing for `region`.
pub fn sts_with(
    server: &RunningServer,
    credentials: Credentials,
    region: &str,
) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .endpoint_url(server.endpoint_url())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// Returns an IAM client with `credentials`, signing for `region`.
pub fn iam_with(
    server: &RunningServer,
    credentials: Credentials,
    region: &str,
) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .endpoint_url(server.endpoint_url())
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

/// Creates the IAM user `name` and an access key for it.
pub async fn user_with_key(iam: &aws_sdk_iam::Client, name: &str) -> aws_sdk_iam::types::AccessKey {
    iam.create_user().user_name(name).send().await.unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    key.access_key().unwrap().clone()
}

/// Returns an Organizations client with `credentials`, signing for `region`.
pub fn organizations_with(
    server: &RunningServer,
    credentials: Credentials,
    region: &str,
) -> Client {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .endpoint_url(server.endpoint_url())
        .build();
    Client::from_conf(config)
}

/// Returns SDK credentials for temporary credentials STS issued.
pub fn session_credentials(credentials: &aws_sdk_sts::types::Credentials) -> Credentials {
    Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_owned()),
        None,
        "assumed",
    )
}

/// Returns the error code of a failed SDK call.
pub fn error_code<E, R>(error: &aws_sdk_organizations::error::SdkError<E, R>) -> String
where
    E: aws_sdk_organizations::error::ProvideErrorMetadata,
{
    aws_sdk_organizations::error::ProvideErrorMetadata::code(error)
        .unwrap_or("(no error code)")
        .to_owned()
}

/// What the public API shows of an organization's shape: every parent's children, every
/// account's parent, and every policy's targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub root_id: String,
    /// OU id to the id of its parent.
    pub unit_parents: std::collections::BTreeMap<String, String>,
    /// Account id to the id of its parent.
    pub account_parents: std::collections::BTreeMap<String, String>,
    /// Policy id to the ids of its targets.
    pub policy_targets: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// Reads the organization's shape through the List operations, walking every page, and
/// fails the test unless the shape is consistent:
///
/// * every account and OU appears under exactly one parent, and `ListParents` names it;
/// * every account that `ListAccounts` returns is in the tree, and the reverse;
/// * `ListTargetsForPolicy` and `ListPoliciesForTarget` agree, and every target exists.
pub async fn checked_shape(client: &Client) -> Shape {
    use aws_sdk_organizations::types::{ChildType, PolicyType};
    use std::collections::{BTreeMap, BTreeSet};

    let root_id = client.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let mut unit_parents = BTreeMap::new();
    let mut account_parents = BTreeMap::new();
    let mut parents = vec![root_id.clone()];
    while let Some(parent) = parents.pop() {
        for child_type in [ChildType::OrganizationalUnit, ChildType::Account] {
            let children = all_children(client, &parent, child_type.clone()).await;
            for child in children {
                let listed = if child_type == ChildType::Account {
                    &mut account_parents
                } else {
                    parents.push(child.clone());
                    &mut unit_parents
                };
                let earlier = listed.insert(child.clone(), parent.clone());
                assert_eq!(earlier, None, "{child} is listed under two parents");
            }
        }
    }
    for (child, parent) in unit_parents.iter().chain(&account_parents) {
        let parents = client.list_parents().child_id(child).send().await.unwrap();
        let ids: Vec<&str> = parents.parents().iter().filter_map(|p| p.id()).collect();
        assert_eq!(ids, vec![parent.as_str()], "ListParents of {child}");
    }

    let mut listed_accounts = BTreeSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed_accounts.extend(page.accounts().iter().map(|a| a.id().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let tree_accounts: BTreeSet<String> = account_parents.keys().cloned().collect();
    assert_eq!(
        listed_accounts, tree_accounts,
        "ListAccounts against the tree"
    );

    let targets: BTreeSet<String> = std::iter::once(root_id.clone())
        .chain(unit_parents.keys().cloned())
        .chain(tree_accounts)
        .collect();
    let mut policy_targets = BTreeMap::new();
    let mut token = None;
    loop {
        let page = client
            .list_policies()
            .filter(PolicyType::ServiceControlPolicy)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for policy in page.policies() {
            let policy_id = policy.id().unwrap().to_owned();
            let ids = policy_target_ids(client, &policy_id).await;
            for target in &ids {
                assert!(
                    targets.contains(target),
                    "{policy_id} is attached to missing {target}"
                );
            }
            policy_targets.insert(policy_id, ids);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut pairs_by_target = 0;
    for target in &targets {
        let attached = client
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ServiceControlPolicy)
            .max_results(20)
            .send()
            .await
            .unwrap();
        for policy in attached.policies() {
            let policy_id = policy.id().unwrap();
            assert!(
                policy_targets
                    .get(policy_id)
                    .is_some_and(|ids| ids.contains(target)),
                "ListPoliciesForTarget({target}) names {policy_id}, ListTargetsForPolicy does not"
            );
            pairs_by_target += 1;
        }
    }
    let pairs_by_policy: usize = policy_targets.values().map(BTreeSet::len).sum();
    assert_eq!(
        pairs_by_target, pairs_by_policy,
        "attachments listed by target and by policy"
    );
    Shape {
        root_id,
        unit_parents,
        account_parents,
        policy_targets,
    }
}

async fn policy_target_ids(client: &Client, policy_id: &str) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_targets_for_policy()
            .policy_id(policy_id)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        ids.extend(
            page.targets()
                .iter()
                .map(|t| t.target_id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return ids;
        }
    }
}

/// Lists the ids of `parent`'s children of one type, following every page.
pub async fn all_children(
    client: &Client,
    parent: &str,
    child_type: aws_sdk_organizations::types::ChildType,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_children()
            .parent_id(parent)
            .child_type(child_type.clone())
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        ids.extend(page.children().iter().map(|c| c.id().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return ids;
        }
    }
}
