//! The live organization, read through the Organizations API: what a plan compares the file
//! with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Context;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{CreateAccountState, PolicyType, PolicyTypeStatus};
use serde_json::Value;

use super::file::{LandingZone, ROOT};
use crate::client::sdk_error;

/// The organization as the API reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveOrganization {
    /// Whether the caller's account belongs to an organization; when false, every other field
    /// is empty.
    pub exists: bool,
    /// The management account's id.
    pub management_account_id: String,
    /// The root's id.
    pub root_id: String,
    /// Policy types enabled in the root.
    pub enabled_policy_types: BTreeSet<String>,
    /// Service principals with trusted access.
    pub trusted_services: BTreeSet<String>,
    /// Tags of the root.
    pub root_tags: BTreeMap<String, String>,
    /// Every OU, parents before children.
    pub units: Vec<LiveUnit>,
    /// Every account, the management account included.
    pub accounts: Vec<LiveAccount>,
    /// CreateAccount requests still in progress, as (request id, account name).
    pub pending_creations: Vec<(String, String)>,
    /// Every policy of every type, AWS managed ones included. A policy of a type the root
    /// does not enable is attached nowhere, since disabling a type detaches its policies.
    pub policies: Vec<LivePolicy>,
    /// Delegated administrators, as (account id, service principal).
    pub delegated_administrators: BTreeSet<(String, String)>,
}

/// An OU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveUnit {
    /// The `ou-` id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The parent's id: the root's or an OU's.
    pub parent_id: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAccount {
    /// The 12-digit id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The root user's email address.
    pub email: String,
    /// The parent's id.
    pub parent_id: String,
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`.
    pub status: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// A policy with its document and targets.
#[derive(Debug, Clone, PartialEq)]
pub struct LivePolicy {
    /// The `p-` id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The API name of the type.
    pub policy_type: String,
    /// The description.
    pub description: String,
    /// The document as stored.
    pub content: String,
    /// The document, parsed; `Null` when it is not JSON.
    pub document: Value,
    /// Whether AWS manages it, as FullAWSAccess.
    pub aws_managed: bool,
    /// Ids of the roots, OUs and accounts it is attached to.
    pub targets: BTreeSet<String>,
    /// Tags; AWS managed policies have none.
    pub tags: BTreeMap<String, String>,
}

impl LiveOrganization {
    /// Returns an OU with this name, wherever it is.
    pub fn unit_by_name(&self, name: &str) -> Option<&LiveUnit> {
        self.units.iter().find(|unit| unit.name == name)
    }

    /// Returns the live id of each OU of `file` that exists where the file puts it: under the
    /// root or under the live OU that matches its declared parent. AWS keeps OU names unique
    /// only among siblings, so a name alone can match OUs in several places.
    pub fn placed_units(&self, file: &LandingZone) -> HashMap<String, String> {
        let mut placed: HashMap<String, String> = HashMap::new();
        loop {
            let found = placed.len();
            for unit in &file.units {
                if placed.contains_key(&unit.name) {
                    continue;
                }
                let parent_id = if unit.parent == ROOT {
                    Some(self.root_id.as_str())
                } else {
                    placed.get(&unit.parent).map(String::as_str)
                };
                let existing = parent_id.and_then(|parent_id| {
                    self.units
                        .iter()
                        .find(|live| live.name == unit.name && live.parent_id == parent_id)
                });
                if let Some(existing) = existing {
                    placed.insert(unit.name.clone(), existing.id.clone());
                }
            }
            if placed.len() == found {
                return placed;
            }
        }
    }

    /// Returns the account with this email address, compared without case.
    pub fn account_by_email(&self, email: &str) -> Option<&LiveAccount> {
        self.accounts
            .iter()
            .find(|account| account.email.eq_ignore_ascii_case(email))
    }

    /// Returns the customer managed policy with this name and type.
    pub fn policy_by_name(&self, name: &str, policy_type: &str) -> Option<&LivePolicy> {
        self.policies.iter().find(|policy| {
            !policy.aws_managed && policy.name == name && policy.policy_type == policy_type
        })
    }

    /// Returns the name of a root, OU or account id in the file's terms: `Root` for the root,
    /// and the live name of an OU or account. An unknown id is returned as it is. The file
    /// may name an account differently, since it identifies accounts by email.
    pub fn target_name(&self, id: &str) -> String {
        if id == self.root_id {
            return super::file::ROOT.to_owned();
        }
        if let Some(unit) = self.units.iter().find(|unit| unit.id == id) {
            return unit.name.clone();
        }
        if let Some(account) = self.accounts.iter().find(|account| account.id == id) {
            return account.name.clone();
        }
        id.to_owned()
    }
}

/// Reads everything a plan compares: the root, OUs, accounts and their tags, policies with
/// documents and targets, trusted services, delegated administrators and CreateAccount
/// requests in progress.
pub async fn read(client: &Client) -> anyhow::Result<LiveOrganization> {
    let organization = match client.describe_organization().send().await {
        Ok(output) => output
            .organization
            .context("DescribeOrganization returned no organization")?,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_aws_organizations_not_in_use_exception()) =>
        {
            return Ok(LiveOrganization::default());
        }
        Err(error) => return Err(sdk_error("DescribeOrganization")(error)),
    };

    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(sdk_error("ListRoots"))?;
    let root = roots
        .roots()
        .first()
        .context("ListRoots returned no root")?;
    let root_id = root.id().context("the root has no id")?.to_owned();
    let enabled_policy_types = root
        .policy_types()
        .iter()
        .filter(|summary| summary.status() == Some(&PolicyTypeStatus::Enabled))
        .filter_map(|summary| summary.r#type().map(|kind| kind.as_str().to_owned()))
        .collect::<BTreeSet<_>>();

    let mut live = LiveOrganization {
        exists: true,
        management_account_id: organization.master_account_id.unwrap_or_default(),
        root_tags: tags(client, &root_id).await?,
        root_id: root_id.clone(),
        enabled_policy_types,
        ..LiveOrganization::default()
    };

    // Breadth first from the root, so parents come before children.
    let mut parents = vec![root_id];
    let mut next = 0;
    while let Some(parent_id) = parents.get(next).cloned() {
        next += 1;
        let units = client
            .list_organizational_units_for_parent()
            .parent_id(&parent_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(sdk_error("ListOrganizationalUnitsForParent"))?
            .into_iter()
            .flat_map(|page| page.organizational_units.unwrap_or_default())
            .collect::<Vec<_>>();
        for unit in units {
            let id = unit.id.context("an OU has no id")?;
            live.units.push(LiveUnit {
                tags: tags(client, &id).await?,
                id: id.clone(),
                name: unit.name.unwrap_or_default(),
                parent_id: parent_id.clone(),
            });
            parents.push(id);
        }
        let accounts = client
            .list_accounts_for_parent()
            .parent_id(&parent_id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(sdk_error("ListAccountsForParent"))?
            .into_iter()
            .flat_map(|page| page.accounts.unwrap_or_default())
            .collect::<Vec<_>>();
        for account in accounts {
            let id = account.id.context("an account has no id")?;
            live.accounts.push(LiveAccount {
                tags: tags(client, &id).await?,
                id,
                name: account.name.unwrap_or_default(),
                email: account.email.unwrap_or_default(),
                parent_id: parent_id.clone(),
                status: account
                    .status
                    .map(|status| status.as_str().to_owned())
                    .unwrap_or_default(),
            });
        }
    }

    let pending = client
        .list_create_account_status()
        .states(CreateAccountState::InProgress)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(sdk_error("ListCreateAccountStatus"))?
        .into_iter()
        .flat_map(|page| page.create_account_statuses.unwrap_or_default())
        .collect::<Vec<_>>();
    live.pending_creations = pending
        .into_iter()
        .filter_map(|status| Some((status.id?, status.account_name?)))
        .collect();

    // Every type, not only the enabled ones: a disabled type keeps its policies, and a plan
    // that enables the type again must find them rather than create them twice.
    for policy_type in super::file::POLICY_TYPES {
        read_policies(client, policy_type, &mut live).await?;
    }
    read_services(client, &mut live).await?;
    Ok(live)
}

async fn read_policies(
    client: &Client,
    policy_type: &str,
    live: &mut LiveOrganization,
) -> anyhow::Result<()> {
    let summaries = client
        .list_policies()
        .filter(PolicyType::from(policy_type))
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(sdk_error("ListPolicies"))?
        .into_iter()
        .flat_map(|page| page.policies.unwrap_or_default())
        .collect::<Vec<_>>();
    for summary in summaries {
        let id = summary.id.context("a policy has no id")?;
        let described = client
            .describe_policy()
            .policy_id(&id)
            .send()
            .await
            .map_err(sdk_error(&format!("DescribePolicy for {id}")))?;
        let content = described
            .policy
            .and_then(|policy| policy.content)
            .unwrap_or_default();
        let targets = client
            .list_targets_for_policy()
            .policy_id(&id)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(sdk_error(&format!("ListTargetsForPolicy for {id}")))?
            .into_iter()
            .flat_map(|page| page.targets.unwrap_or_default())
            .collect::<Vec<_>>();
        let aws_managed = summary.aws_managed;
        live.policies.push(LivePolicy {
            tags: if aws_managed {
                BTreeMap::new()
            } else {
                tags(client, &id).await?
            },
            id,
            name: summary.name.unwrap_or_default(),
            policy_type: policy_type.to_owned(),
            description: summary.description.unwrap_or_default(),
            document: serde_json::from_str(&content).unwrap_or(Value::Null),
            content,
            aws_managed,
            targets: targets
                .into_iter()
                .filter_map(|target| target.target_id)
                .collect(),
        });
    }
    Ok(())
}

async fn read_services(client: &Client, live: &mut LiveOrganization) -> anyhow::Result<()> {
    let trusted = client
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(sdk_error("ListAWSServiceAccessForOrganization"))?
        .into_iter()
        .flat_map(|page| page.enabled_service_principals.unwrap_or_default())
        .collect::<Vec<_>>();
    live.trusted_services = trusted
        .into_iter()
        .filter_map(|service| service.service_principal)
        .collect();

    let administrators = client
        .list_delegated_administrators()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(sdk_error("ListDelegatedAdministrators"))?;
    for administrator in administrators {
        let Some(account_id) = administrator.id else {
            continue;
        };
        let services = client
            .list_delegated_services_for_account()
            .account_id(&account_id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(sdk_error(&format!(
                "ListDelegatedServicesForAccount for {account_id}"
            )))?;
        for service in services {
            if let Some(principal) = service.service_principal {
                live.delegated_administrators
                    .insert((account_id.clone(), principal));
            }
        }
    }
    Ok(())
}

/// Reads the tags of a root, OU, account or policy.
async fn tags(client: &Client, resource_id: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let tags = client
        .list_tags_for_resource()
        .resource_id(resource_id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(sdk_error(&format!("ListTagsForResource for {resource_id}")))?;
    Ok(tags.into_iter().map(|tag| (tag.key, tag.value)).collect())
}
