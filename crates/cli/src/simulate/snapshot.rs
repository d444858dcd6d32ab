//! The snapshot: everything a simulation's decisions read, as versioned JSON.
//!
//! A snapshot contains, per account, the organization's id, the account's parent path and the
//! SCP and RCP levels from the root to the account. Per IAM user or role it contains the ARN, the
//! unique id, the tags, the identity-based policies and the permissions boundary. It also contains
//! the trust policies of the roles that `sts:AssumeRole` cases name, by role ARN. Policy
//! documents are stored as their JSON text, decoded, so a reader can edit or diff them.
//!
//! `bulkhead simulate --save-snapshot` writes one from what it read; `--snapshot` decides from
//! one with no network call. A reader accepts exactly [`SNAPSHOT_VERSION`]: a later format
//! may change any field.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use cloud::iam::PrincipalPolicies;
use cloud::organizations::AccountGovernance;
use policy::{CompileOptions, Level, OrganizationPolicies, Policy, PolicyKind};
use serde::{Deserialize, Serialize};

use super::principal::IamEntity;

/// The version of the snapshot format that this build writes and reads.
pub const SNAPSHOT_VERSION: u64 = 1;

/// Everything the decisions of a simulation read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The format version, [`SNAPSHOT_VERSION`].
    pub version: u64,
    /// Whether the simulated requests travel over TLS, the value of `aws:SecureTransport`.
    pub secure_transport: bool,
    /// The organization's view of each account, by account id.
    pub accounts: BTreeMap<String, AccountSnapshot>,
    /// The IAM users and roles whose requests are simulated.
    pub principals: Vec<PrincipalSnapshot>,
    /// Role trust policies, by the role's ARN as IAM reports it (with its path).
    pub trust_policies: BTreeMap<String, String>,
}

/// The organization's view of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSnapshot {
    /// The account's organization; `None` when the account is in no organization.
    pub organization: Option<OrganizationSnapshot>,
}

/// An account's place in its organization and the policies that govern it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSnapshot {
    /// The `o-` id of the organization.
    pub organization_id: String,
    /// The organization's management account.
    pub management_account_id: String,
    /// The path of the account's parent, `o-…/r-…/ou-…/`.
    pub parent_path: String,
    /// The SCP levels from the root to the account; `None` when SCPs are not enabled.
    pub service_control: Option<Vec<LevelSnapshot>>,
    /// The RCP levels from the root to the account; `None` when RCPs are not enabled.
    pub resource_control: Option<Vec<LevelSnapshot>>,
}

/// The policies attached directly to one root, OU or account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSnapshot {
    /// The root, OU or account id.
    pub target_id: String,
    /// The attached policies.
    pub policies: Vec<OrganizationPolicySnapshot>,
}

/// One SCP or RCP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPolicySnapshot {
    /// The `p-` id.
    pub id: String,
    /// The policy's ARN, which traces and denial messages name it by.
    pub arn: String,
    /// The policy's name.
    pub name: String,
    /// True for AWS-managed policies such as `FullAWSAccess`.
    pub aws_managed: bool,
    /// The policy document.
    pub content: String,
}

/// Whether an IAM principal is a user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// An IAM user or role and its policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipalSnapshot {
    /// User or role.
    pub kind: EntityKind,
    /// The account id.
    pub account_id: String,
    /// The user or role name.
    pub name: String,
    /// The ARN with its path.
    pub arn: String,
    /// The unique id, `AIDA…` for a user and `AROA…` for a role.
    pub id: String,
    /// The principal's tags, the values of `aws:PrincipalTag/…`.
    pub tags: BTreeMap<String, String>,
    /// Inline and attached managed policies.
    pub identity_policies: Vec<IamPolicySnapshot>,
    /// The permissions boundary, if one is set.
    pub permissions_boundary: Option<IamPolicySnapshot>,
}

/// One IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamPolicySnapshot {
    /// The policy name.
    pub name: String,
    /// The ARN of a managed policy; `None` for an inline policy.
    pub arn: Option<String>,
    /// The policy document (for a managed policy, its default version).
    pub document: String,
}

impl Snapshot {
    /// Returns an empty snapshot of the current version.
    pub fn new(secure_transport: bool) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            secure_transport,
            accounts: BTreeMap::new(),
            principals: Vec::new(),
            trust_policies: BTreeMap::new(),
        }
    }

    /// Reads a snapshot from `path`. Fails with a message naming the file when it cannot be
    /// read, is not JSON, has another version or does not match the format.
    pub fn load(path: &Path) -> anyhow::Result<Snapshot> {
        let file = path.display();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the snapshot {file}"))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("the snapshot {file} is not valid JSON"))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(SNAPSHOT_VERSION) => {}
            Some(version) => anyhow::bail!(
                "the snapshot {file} has format version {version}, but this bulkhead reads \
                 version {SNAPSHOT_VERSION} only; save the snapshot again with this bulkhead"
            ),
            None => anyhow::bail!(
                "the snapshot {file} has no numeric \"version\" field; is it a file written by \
                 bulkhead simulate --save-snapshot?"
            ),
        }
        serde_json::from_value(value)
            .with_context(|| format!("the snapshot {file} does not match format version 1"))
    }

    /// Writes the snapshot to `path` as indented JSON.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self).context("cannot encode the snapshot")?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the snapshot {}", path.display()))
    }

    /// Compiles the organization's view of `account_id`; `Ok(None)` when the account is in no
    /// organization.
    pub fn governance(&self, account_id: &str) -> anyhow::Result<Option<AccountGovernance>> {
        let account = self.accounts.get(account_id).with_context(|| {
            format!("the snapshot contains no organization data for account {account_id}")
        })?;
        let Some(organization) = &account.organization else {
            return Ok(None);
        };
        let is_management = organization.management_account_id == account_id;
        let chain = |levels: &Option<Vec<LevelSnapshot>>, kind| {
            levels
                .as_deref()
                .map(|levels| compile_chain(levels, kind, is_management))
                .transpose()
        };
        Ok(Some(AccountGovernance {
            organization_id: organization.organization_id.clone(),
            management_account_id: organization.management_account_id.clone(),
            parent_path: organization.parent_path.clone(),
            service_control: chain(&organization.service_control, PolicyKind::ServiceControl)?,
            resource_control: chain(&organization.resource_control, PolicyKind::ResourceControl)?,
        }))
    }

    /// Returns the stored IAM user or role `entity` of `account_id`.
    pub fn principal(
        &self,
        account_id: &str,
        entity: IamEntity<'_>,
    ) -> anyhow::Result<&PrincipalSnapshot> {
        let (kind, name) = match entity {
            IamEntity::User(name) => (EntityKind::User, name),
            IamEntity::Role(name) => (EntityKind::Role, name),
        };
        self.principals
            .iter()
            .find(|principal| {
                principal.kind == kind
                    && principal.account_id == account_id
                    && principal.name == name
            })
            .with_context(|| {
                format!(
                    "the snapshot contains no IAM data for the {entity} in account {account_id}"
                )
            })
    }

    /// Returns the ARN and trust policy of the role `role_name` of `account_id`.
    pub fn trust_policy(&self, account_id: &str, role_name: &str) -> Option<(&str, &str)> {
        self.trust_policies.iter().find_map(|(arn, document)| {
            let (account, resource) = arn.split(':').nth(4).zip(arn.splitn(6, ':').nth(5))?;
            let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
            (account == account_id && name == role_name)
                .then_some((arn.as_str(), document.as_str()))
        })
    }
}

impl PrincipalSnapshot {
    /// Compiles the principal's policies and collects its tags.
    pub fn caller_policies(&self) -> anyhow::Result<PrincipalPolicies> {
        let identity = self
            .identity_policies
            .iter()
            .map(|policy| policy.compile(PolicyKind::Identity))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let boundary = self
            .permissions_boundary
            .as_ref()
            .map(|policy| policy.compile(PolicyKind::PermissionsBoundary))
            .transpose()?;
        let tags = self
            .tags
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Ok(PrincipalPolicies {
            arn: self.arn.clone(),
            id: self.id.clone(),
            identity,
            boundary,
            tags,
        })
    }
}

impl IamPolicySnapshot {
    /// Compiles the document. A managed policy is named by its ARN, as AWS's denial messages
    /// name it; an inline policy by its name, which those messages leave out.
    fn compile(&self, kind: PolicyKind) -> anyhow::Result<Policy> {
        let id = match &self.arn {
            Some(arn) => arn.clone(),
            None => format!("inline policy {}", self.name),
        };
        Policy::compile(&id, kind, &self.document)
            .with_context(|| format!("the IAM policy {id} does not compile"))
    }
}

/// Compiles a chain of SCP or RCP levels. Each policy is named by its ARN, as the server names
/// it, so that traces and denial messages read the same.
fn compile_chain(
    levels: &[LevelSnapshot],
    kind: PolicyKind,
    is_management: bool,
) -> anyhow::Result<OrganizationPolicies> {
    let mut compiled = Vec::with_capacity(levels.len());
    for level in levels {
        let mut policies = Vec::with_capacity(level.policies.len());
        for policy in &level.policies {
            let options = CompileOptions {
                aws_managed: policy.aws_managed,
                ..CompileOptions::default()
            };
            let compiled_policy =
                Policy::compile_with(&policy.arn, kind, &policy.content, &options).with_context(
                    || {
                        format!(
                            "the policy {} attached to {} does not compile",
                            policy.arn, level.target_id
                        )
                    },
                )?;
            policies.push(compiled_policy);
        }
        compiled.push(Level::new(&level.target_id, policies));
    }
    Ok(if is_management {
        OrganizationPolicies::management(compiled)
    } else {
        OrganizationPolicies::member(compiled)
    })
}
