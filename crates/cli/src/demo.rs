//! The structure of the multi-account organization AWS recommends, OUs and accounts without
//! guardrails, built through the Organizations API. Tests and the load generator start from
//! it; `serve --demo` builds the full example landing zone instead.

use anyhow::Context;
use aws_sdk_organizations::Client;
use std::collections::HashMap;

use crate::client::sdk_error;
use crate::landing_zone::apply;
use aws_sdk_organizations::types::OrganizationFeatureSet;

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
    let request_id = apply::start_account_creation(client, name, email).await?;
    apply::wait_for_account(client, &request_id, name).await
}
