//! The multi-account organization AWS recommends, built through the Organizations API.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use aws_sdk_organizations::Client;

use crate::client::sdk_error;
use aws_sdk_organizations::types::{CreateAccountState, OrganizationFeatureSet};

/// The OUs, each with the name of its parent OU (`None` for the root), parents first.
pub const UNITS: &[(&str, Option<&str>)] = &[
    ("Security", None),
    ("Infrastructure", None),
    ("Sandbox", None),
    ("Workloads", None),
    ("Production", Some("Workloads")),
    ("Non-Production", Some("Workloads")),
    ("Suspended", None),
];

/// The member accounts: name, email address and OU.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Log Archive", "log-archive@example.com", "Security"),
    (
        "Security Tooling",
        "security-tooling@example.com",
        "Security",
    ),
    ("Networking", "networking@example.com", "Infrastructure"),
    (
        "Shared Services",
        "shared-services@example.com",
        "Infrastructure",
    ),
    (
        "Developer Sandbox",
        "developer-sandbox@example.com",
        "Sandbox",
    ),
    ("App A Prod", "app-a-prod@example.com", "Production"),
    ("App B Prod", "app-b-prod@example.com", "Production"),
    ("App A Dev", "app-a-dev@example.com", "Non-Production"),
    (
        "App A Staging",
        "app-a-staging@example.com",
        "Non-Production",
    ),
];

/// How long to wait for one CreateAccount request to settle.
const CREATE_ACCOUNT_TIMEOUT: Duration = Duration::from_secs(300);

/// The result of [`ensure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The caller had no organization, so the demo organization was built.
    Built,
    /// The caller already belongs to an organization, which was left as it is.
    AlreadyPresent,
}

/// Builds the demo organization with the caller's account as management account, unless the
/// caller already belongs to an organization.
pub async fn ensure(client: &Client) -> anyhow::Result<Outcome> {
    if has_organization(client).await? {
        return Ok(Outcome::AlreadyPresent);
    }
    build(client).await?;
    Ok(Outcome::Built)
}

/// Creates an organization with all features unless the caller already belongs to one;
/// returns whether it created one.
pub async fn ensure_organization(client: &Client) -> anyhow::Result<bool> {
    if has_organization(client).await? {
        return Ok(false);
    }
    client
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(sdk_error("CreateOrganization"))?;
    Ok(true)
}

async fn has_organization(client: &Client) -> anyhow::Result<bool> {
    match client.describe_organization().send().await {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_aws_organizations_not_in_use_exception()) =>
        {
            Ok(false)
        }
        Err(error) => Err(sdk_error("DescribeOrganization")(error)),
    }
}

async fn build(client: &Client) -> anyhow::Result<()> {
    ensure_organization(client).await?;
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(sdk_error("ListRoots"))?;
    let root_id = roots
        .roots()
        .first()
        .and_then(|root| root.id())
        .context("ListRoots returned no root")?
        .to_owned();

    let mut unit_ids: HashMap<&str, String> = HashMap::new();
    for (name, parent) in UNITS {
        let parent_id = match parent {
            Some(parent) => unit_ids
                .get(parent)
                .cloned()
                .with_context(|| format!("OU {parent} is not created yet"))?,
            None => root_id.clone(),
        };
        let created = client
            .create_organizational_unit()
            .parent_id(parent_id)
            .name(*name)
            .send()
            .await
            .map_err(sdk_error(&format!("CreateOrganizationalUnit for {name}")))?;
        let id = created
            .organizational_unit()
            .and_then(|unit| unit.id())
            .context("CreateOrganizationalUnit returned no id")?;
        unit_ids.insert(name, id.to_owned());
    }

    for (name, email, unit) in ACCOUNTS {
        let account_id = create_account(client, name, email).await?;
        let destination = unit_ids
            .get(unit)
            .with_context(|| format!("OU {unit} is not created"))?;
        client
            .move_account()
            .account_id(&account_id)
            .source_parent_id(&root_id)
            .destination_parent_id(destination)
            .send()
            .await
            .map_err(sdk_error(&format!("MoveAccount for {name}")))?;
    }
    Ok(())
}

/// Creates an account and waits for the request to settle; returns the new account's id.
pub async fn create_account(client: &Client, name: &str, email: &str) -> anyhow::Result<String> {
    let created = client
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .map_err(sdk_error(&format!("CreateAccount for {name}")))?;
    let request_id = created
        .create_account_status()
        .and_then(|status| status.id())
        .context("CreateAccount returned no request id")?;

    let started = Instant::now();
    loop {
        let described = client
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .map_err(sdk_error(&format!(
                "DescribeCreateAccountStatus for {request_id}"
            )))?;
        let status = described
            .create_account_status()
            .context("DescribeCreateAccountStatus returned no status")?;
        match status.state() {
            Some(CreateAccountState::Succeeded) => {
                return status
                    .account_id()
                    .map(str::to_owned)
                    .context("the succeeded request has no account id");
            }
            Some(CreateAccountState::Failed) => {
                let reason = status
                    .failure_reason()
                    .map(|reason| reason.as_str().to_owned())
                    .unwrap_or_default();
                bail!("CreateAccount for {name} failed: {reason}");
            }
            _ if started.elapsed() > CREATE_ACCOUNT_TIMEOUT => {
                bail!(
                    "CreateAccount for {name} did not finish within {} seconds",
                    CREATE_ACCOUNT_TIMEOUT.as_secs()
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
