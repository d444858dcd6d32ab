//! Reads what a simulation needs into a [`Snapshot`], with read-only API calls only.
//!
//! Organizations: DescribeOrganization, ListRoots (for the enabled policy types), ListParents
//! up to the root, and ListPoliciesForTarget with DescribePolicy at every level. IAM: GetUser
//! or GetRole, the inline policies (ListUserPolicies, GetUserPolicy and the role equivalents),
//! the attached managed policies (ListAttached…Policies, GetPolicy, GetPolicyVersion of the
//! default version) and the permissions boundary.
//!
//! On bulkhead, IAM is per account and a request acts in the account of its access key, so
//! against an endpoint URL each account is read with that account's convenience credentials,
//! unless `AWS_ACCESS_KEY_ID` holds a key bulkhead issued. Against AWS one credential chain reads everything, so the
//! principals must belong to the account those credentials belong to.
//!
//! NOTE: the policies of the IAM groups a user belongs to are not read, so a user's decision
//! misses what its groups allow or deny.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Context;
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};

use super::principal::IamEntity;
use super::snapshot::{
    AccountSnapshot, EntityKind, IamPolicySnapshot, LevelSnapshot, OrganizationPolicySnapshot,
    OrganizationSnapshot, PrincipalSnapshot, Snapshot,
};
use crate::client::{self, Endpoint, sdk_error};

/// The data a set of cases needs read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Accounts whose organization data decisions read: the principals' and the resources'.
    pub accounts: BTreeSet<String>,
    /// IAM users and roles, as (account id, user or role, name).
    pub principals: BTreeSet<(String, EntityKind, String)>,
    /// Roles whose trust policy decides an `sts:AssumeRole` case, as (account id, name).
    pub trust_policies: BTreeSet<(String, String)>,
}

/// The access key that acts as the server's default account on bulkhead: any key that is not
/// a 12-digit number does. `serve --demo` makes that account the management account.
const SERVER_DEFAULT_KEY: &str = "bulkhead-simulate";

/// Reads everything `needs` lists from `endpoint`.
pub async fn read_snapshot(endpoint: &Endpoint, needs: &Needs) -> anyhow::Result<Snapshot> {
    let secure_transport = match endpoint {
        Endpoint::Aws => true,
        Endpoint::Url(url) => url.starts_with("https://"),
    };
    let mut reader = Reader {
        endpoint: endpoint.clone(),
        descriptions: HashMap::new(),
    };
    let mut snapshot = Snapshot::new(secure_transport);
    for account_id in &needs.accounts {
        let account = reader.read_account(account_id).await?;
        snapshot.accounts.insert(account_id.clone(), account);
    }
    for (account_id, kind, name) in &needs.principals {
        let entity = match kind {
            EntityKind::User => IamEntity::User(name),
            EntityKind::Role => IamEntity::Role(name),
        };
        let principal = reader.read_principal(account_id, entity).await?;
        snapshot.principals.push(principal);
    }
    for (account_id, role_name) in &needs.trust_policies {
        let (arn, document) = reader.read_trust_policy(account_id, role_name).await?;
        snapshot.trust_policies.insert(arn, document);
    }
    Ok(snapshot)
}

/// The endpoint of one simulation, and the SCP and RCP contents already read.
struct Reader {
    endpoint: Endpoint,
    /// Organization policies by id, read once however many levels they are attached to.
    descriptions: HashMap<String, OrganizationPolicySnapshot>,
}

impl Reader {
    async fn organizations(&self, access_key: &str) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(
            &client::account_config(&self.endpoint, access_key).await,
        )
    }

    async fn iam(&self, account_id: &str) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&client::account_config(&self.endpoint, account_id).await)
    }

    /// Reads the organization's view of `account_id`.
    ///
    /// The account itself is asked which organization it is in. An SCP may deny it even that
    /// question (a deny-all SCP on a suspended OU does), so on a bulkhead endpoint the
    /// server's default account is asked next. The tree and the policies are then read as the
    /// management account, which may read them all.
    async fn read_account(&mut self, account_id: &str) -> anyhow::Result<AccountSnapshot> {
        let own = self.organizations(account_id).await;
        let organization = match own.describe_organization().send().await {
            Ok(output) => output.organization,
            Err(error) if error.code() == Some("AWSOrganizationsNotInUseException") => {
                return Ok(AccountSnapshot { organization: None });
            }
            Err(error) => {
                let own_error = sdk_error("DescribeOrganization")(error);
                let fallback = self.organizations(SERVER_DEFAULT_KEY).await;
                fallback
                    .describe_organization()
                    .send()
                    .await
                    .map_err(|_| {
                        own_error.context(format!(
                            "cannot tell which organization account {account_id} is in"
                        ))
                    })?
                    .organization
            }
        };
        let organization = organization.context("DescribeOrganization returned no organization")?;
        let organization_id = organization
            .id()
            .context("DescribeOrganization returned no organization id")?
            .to_owned();
        let management_account_id = organization
            .master_account_id()
            .context("DescribeOrganization returned no management account")?
            .to_owned();

        let management = self.organizations(&management_account_id).await;
        let enabled = enabled_policy_types(&management).await?;
        let path = path_to(&management, account_id).await?;
        let parents = path.get(..path.len().saturating_sub(1)).unwrap_or_default();
        let parent_path = format!("{organization_id}/{}/", parents.join("/"));

        let mut chains = [None, None];
        let types = [
            PolicyType::ServiceControlPolicy,
            PolicyType::ResourceControlPolicy,
        ];
        for (chain, policy_type) in chains.iter_mut().zip(types) {
            if !enabled.contains(&policy_type) {
                continue;
            }
            let mut levels = Vec::with_capacity(path.len());
            for target_id in &path {
                let policies = self
                    .attached_policies(&management, target_id, &policy_type)
                    .await?;
                levels.push(LevelSnapshot {
                    target_id: target_id.clone(),
                    policies,
                });
            }
            *chain = Some(levels);
        }
        let [service_control, resource_control] = chains;
        Ok(AccountSnapshot {
            organization: Some(OrganizationSnapshot {
                organization_id,
                management_account_id,
                parent_path,
                service_control,
                resource_control,
            }),
        })
    }

    /// Reads the policies of `policy_type` attached directly to `target_id`.
    async fn attached_policies(
        &mut self,
        client: &aws_sdk_organizations::Client,
        target_id: &str,
        policy_type: &PolicyType,
    ) -> anyhow::Result<Vec<OrganizationPolicySnapshot>> {
        let mut policies = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .list_policies_for_target()
                .target_id(target_id)
                .filter(policy_type.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_error(&format!("ListPoliciesForTarget for {target_id}")))?;
            for summary in page.policies() {
                let id = summary.id().context("a policy summary has no id")?;
                policies.push(self.describe_policy(client, id).await?);
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(policies);
            }
        }
    }

    async fn describe_policy(
        &mut self,
        client: &aws_sdk_organizations::Client,
        policy_id: &str,
    ) -> anyhow::Result<OrganizationPolicySnapshot> {
        if let Some(policy) = self.descriptions.get(policy_id) {
            return Ok(policy.clone());
        }
        let output = client
            .describe_policy()
            .policy_id(policy_id)
            .send()
            .await
            .map_err(sdk_error(&format!("DescribePolicy for {policy_id}")))?;
        let policy = output
            .policy()
            .with_context(|| format!("DescribePolicy returned no policy for {policy_id}"))?;
        let summary = policy
            .policy_summary()
            .with_context(|| format!("DescribePolicy returned no summary for {policy_id}"))?;
        let described = OrganizationPolicySnapshot {
            id: policy_id.to_owned(),
            arn: summary.arn().unwrap_or(policy_id).to_owned(),
            name: summary.name().unwrap_or_default().to_owned(),
            aws_managed: summary.aws_managed(),
            content: policy
                .content()
                .with_context(|| format!("DescribePolicy returned no content for {policy_id}"))?
                .to_owned(),
        };
        self.descriptions
            .insert(policy_id.to_owned(), described.clone());
        Ok(described)
    }

    /// Reads an IAM user or role: its ARN, id, tags, identity policies and boundary.
    async fn read_principal(
        &self,
        account_id: &str,
        entity: IamEntity<'_>,
    ) -> anyhow::Result<PrincipalSnapshot> {
        let iam = self.iam(account_id).await;
        let not_found = |operation: &str, message: Option<&str>| {
            anyhow::anyhow!(
                "the {entity} does not exist in account {account_id}: {operation} returned \
                 NoSuchEntity: {}",
                message.unwrap_or_default()
            )
        };

        let (kind, name, arn, id, tags, boundary_arn) = match entity {
            IamEntity::User(name) => {
                let output = match iam.get_user().user_name(name).send().await {
                    Err(error) if error.code() == Some("NoSuchEntity") => {
                        return Err(not_found("GetUser", error.message()));
                    }
                    other => other.map_err(sdk_error(&format!("GetUser for {name}")))?,
                };
                let user = output.user().context("GetUser returned no user")?;
                (
                    EntityKind::User,
                    name,
                    user.arn().to_owned(),
                    user.user_id().to_owned(),
                    tag_map(user.tags()),
                    user.permissions_boundary()
                        .and_then(|boundary| boundary.permissions_boundary_arn())
                        .map(str::to_owned),
                )
            }
            IamEntity::Role(name) => {
                let output = match iam.get_role().role_name(name).send().await {
                    Err(error) if error.code() == Some("NoSuchEntity") => {
                        return Err(not_found("GetRole", error.message()));
                    }
                    other => other.map_err(sdk_error(&format!("GetRole for {name}")))?,
                };
                let role = output.role().context("GetRole returned no role")?;
                (
                    EntityKind::Role,
                    name,
                    role.arn().to_owned(),
                    role.role_id().to_owned(),
                    tag_map(role.tags()),
                    role.permissions_boundary()
                        .and_then(|boundary| boundary.permissions_boundary_arn())
                        .map(str::to_owned),
                )
            }
        };

        let mut identity_policies = inline_policies(&iam, entity).await?;
        for policy_arn in attached_policy_arns(&iam, entity).await? {
            identity_policies.push(managed_policy(&iam, &policy_arn).await?);
        }
        let permissions_boundary = match boundary_arn {
            Some(policy_arn) => Some(managed_policy(&iam, &policy_arn).await?),
            None => None,
        };
        Ok(PrincipalSnapshot {
            kind,
            account_id: account_id.to_owned(),
            name: name.to_owned(),
            arn,
            id,
            tags,
            identity_policies,
            permissions_boundary,
        })
    }

    /// Reads the trust policy of the role `role_name` in `account_id`; returns the role's ARN
    /// and the decoded document.
    async fn read_trust_policy(
        &self,
        account_id: &str,
        role_name: &str,
    ) -> anyhow::Result<(String, String)> {
        let iam = self.iam(account_id).await;
        let output = match iam.get_role().role_name(role_name).send().await {
            Err(error) if error.code() == Some("NoSuchEntity") => anyhow::bail!(
                "the role {role_name} that sts:AssumeRole names does not exist in account \
                 {account_id}: GetRole returned NoSuchEntity: {}",
                error.message().unwrap_or_default()
            ),
            other => other.map_err(sdk_error(&format!("GetRole for {role_name}")))?,
        };
        let role = output.role().context("GetRole returned no role")?;
        let document = role
            .assume_role_policy_document()
            .with_context(|| format!("GetRole returned no trust policy for {role_name}"))?;
        Ok((role.arn().to_owned(), decode_document(document)?))
    }
}

/// Returns the policy types enabled in the organization's root.
async fn enabled_policy_types(
    client: &aws_sdk_organizations::Client,
) -> anyhow::Result<Vec<PolicyType>> {
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(sdk_error("ListRoots"))?;
    let root = roots
        .roots()
        .first()
        .context("ListRoots returned no root")?;
    Ok(root
        .policy_types()
        .iter()
        .filter(|summary| summary.status() == Some(&PolicyTypeStatus::Enabled))
        .filter_map(|summary| summary.r#type().cloned())
        .collect())
}

/// Returns the ids from the root down to the account, root first and the account last.
async fn path_to(
    client: &aws_sdk_organizations::Client,
    account_id: &str,
) -> anyhow::Result<Vec<String>> {
    // An organization nests OUs five levels deep, so a root, five OUs and the account make
    // the longest path. A longer walk means the API returned an inconsistent tree.
    const MAX_PATH: usize = 7;
    let mut path = vec![account_id.to_owned()];
    while path.len() < MAX_PATH {
        let child = path.last().map(String::as_str).unwrap_or(account_id);
        let parents = client
            .list_parents()
            .child_id(child)
            .send()
            .await
            .map_err(sdk_error(&format!("ListParents for {child}")))?;
        let parent_id = parents
            .parents()
            .first()
            .and_then(|parent| parent.id())
            .with_context(|| format!("ListParents returned no parent for {child}"))?
            .to_owned();
        let is_root = parent_id.starts_with("r-");
        path.push(parent_id);
        if is_root {
            path.reverse();
            return Ok(path);
        }
    }
    anyhow::bail!(
        "the path from account {account_id} to the root is longer than an organization allows"
    )
}

/// Reads the inline policies of a user or role.
async fn inline_policies(
    iam: &aws_sdk_iam::Client,
    entity: IamEntity<'_>,
) -> anyhow::Result<Vec<IamPolicySnapshot>> {
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let (page, truncated, next) = match entity {
            IamEntity::User(user) => {
                let output = iam
                    .list_user_policies()
                    .user_name(user)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("ListUserPolicies for {user}")))?;
                let next = output.marker().map(str::to_owned);
                (output.policy_names().to_vec(), output.is_truncated(), next)
            }
            IamEntity::Role(role) => {
                let output = iam
                    .list_role_policies()
                    .role_name(role)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("ListRolePolicies for {role}")))?;
                let next = output.marker().map(str::to_owned);
                (output.policy_names().to_vec(), output.is_truncated(), next)
            }
        };
        names.extend(page);
        marker = next.filter(|_| truncated);
        if marker.is_none() {
            break;
        }
    }

    let mut policies = Vec::with_capacity(names.len());
    for name in names {
        let document = match entity {
            IamEntity::User(user) => {
                iam.get_user_policy()
                    .user_name(user)
                    .policy_name(&name)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("GetUserPolicy {name} for {user}")))?
                    .policy_document
            }
            IamEntity::Role(role) => {
                iam.get_role_policy()
                    .role_name(role)
                    .policy_name(&name)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("GetRolePolicy {name} for {role}")))?
                    .policy_document
            }
        };
        policies.push(IamPolicySnapshot {
            document: decode_document(&document)?,
            name,
            arn: None,
        });
    }
    Ok(policies)
}

/// Lists the ARNs of the managed policies attached to a user or role.
async fn attached_policy_arns(
    iam: &aws_sdk_iam::Client,
    entity: IamEntity<'_>,
) -> anyhow::Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut marker = None;
    loop {
        let (page, truncated, next) = match entity {
            IamEntity::User(user) => {
                let output = iam
                    .list_attached_user_policies()
                    .user_name(user)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("ListAttachedUserPolicies for {user}")))?;
                let next = output.marker().map(str::to_owned);
                (
                    output.attached_policies().to_vec(),
                    output.is_truncated(),
                    next,
                )
            }
            IamEntity::Role(role) => {
                let output = iam
                    .list_attached_role_policies()
                    .role_name(role)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(sdk_error(&format!("ListAttachedRolePolicies for {role}")))?;
                let next = output.marker().map(str::to_owned);
                (
                    output.attached_policies().to_vec(),
                    output.is_truncated(),
                    next,
                )
            }
        };
        arns.extend(
            page.iter()
                .filter_map(|policy| policy.policy_arn().map(str::to_owned)),
        );
        marker = next.filter(|_| truncated);
        if marker.is_none() {
            return Ok(arns);
        }
    }
}

/// Reads the default version of a managed policy.
async fn managed_policy(
    iam: &aws_sdk_iam::Client,
    policy_arn: &str,
) -> anyhow::Result<IamPolicySnapshot> {
    let output = iam
        .get_policy()
        .policy_arn(policy_arn)
        .send()
        .await
        .map_err(sdk_error(&format!("GetPolicy for {policy_arn}")))?;
    let policy = output
        .policy()
        .with_context(|| format!("GetPolicy returned no policy for {policy_arn}"))?;
    let version_id = policy
        .default_version_id()
        .with_context(|| format!("GetPolicy returned no default version for {policy_arn}"))?;
    let version = iam
        .get_policy_version()
        .policy_arn(policy_arn)
        .version_id(version_id)
        .send()
        .await
        .map_err(sdk_error(&format!(
            "GetPolicyVersion {version_id} for {policy_arn}"
        )))?;
    let document = version
        .policy_version()
        .and_then(|version| version.document())
        .with_context(|| format!("GetPolicyVersion returned no document for {policy_arn}"))?;
    Ok(IamPolicySnapshot {
        name: policy.policy_name().unwrap_or_default().to_owned(),
        arn: Some(policy_arn.to_owned()),
        document: decode_document(document)?,
    })
}

fn tag_map(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
        .collect()
}

/// Decodes an IAM policy document. IAM sends documents percent-encoded (RFC 3986) and the
/// SDK passes them on still encoded. A document that already starts with `{` arrived decoded,
/// as some emulators send it, and is kept as it is.
pub(super) fn decode_document(document: &str) -> anyhow::Result<String> {
    if document.trim_start().starts_with('{') {
        return Ok(document.to_owned());
    }
    let decoded = percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .context("an IAM policy document is not valid UTF-8 once percent-decoded")?;
    Ok(decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_encoded_documents() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_document(encoded).unwrap(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
    }

    #[test]
    fn keeps_decoded_documents() {
        let plain = r#"{"Resource":"arn:aws:s3:::bucket/100%25"}"#;
        assert_eq!(decode_document(plain).unwrap(), plain);
    }
}
