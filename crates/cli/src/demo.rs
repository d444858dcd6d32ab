//! The structure of the multi-account organization AWS recommends, OUs and accounts without
//! guardrails, built through the Organizations API. Tests and the load generator start from
//! it; `serve --demo` builds the full example landing zone instead. Both come from
//! `examples/landing-zone.yaml`, so the two cannot drift apart.

use anyhow::Context;
use aws_sdk_organizations::Client;

use crate::client::sdk_error;
use crate::landing_zone::{self, LandingZone, ProgressMode, apply};
use aws_sdk_organizations::types::OrganizationFeatureSet;

/// Returns the example landing zone's OUs and accounts, without its policies, enabled policy
/// types, trusted services, delegated administrators and tags.
pub fn structure() -> anyhow::Result<LandingZone> {
    let mut file = landing_zone::parse(landing_zone::EXAMPLE, landing_zone::EXAMPLE_NAME, None)
        .context("the embedded example landing zone is invalid")?;
    file.policies.clear();
    file.enabled_policy_types.clear();
    file.trusted_services.clear();
    file.delegated_administrators.clear();
    file.root_tags.clear();
    for unit in &mut file.units {
        unit.tags.clear();
    }
    for account in &mut file.accounts {
        account.tags.clear();
    }
    Ok(file)
}

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
    apply::apply(client, &structure()?, ProgressMode::Quiet).await?;
    Ok(())
}

/// Creates an account and waits for the request to settle; returns the new account's id.
pub async fn create_account(client: &Client, name: &str, email: &str) -> anyhow::Result<String> {
    let request_id = apply::start_account_creation(client, name, email).await?;
    apply::wait_for_account(client, &request_id, name).await
}
