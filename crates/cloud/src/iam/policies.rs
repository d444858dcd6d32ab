//! Policies of roles and users: inline policies, customer-managed policies with their
//! versions, the AWS-managed policies, attachments and permissions boundaries.

use policy::PolicyKind;
use serde_json::{Value, json};
use store::{
    IamAttachmentRecord, IamChange, IamInlinePolicyRecord, IamPolicyRecord, IamPolicyVersionRecord,
    IamRoleRecord, IamUserRecord,
};

use super::documents::{
    Input, merge_tags, path_or_root, tags_json, url_encode, validated_document,
};
use super::managed::{self, MANAGED_POLICIES, MANAGED_POLICY_CREATED_AT, MANAGED_POLICY_VERSION};
use super::paging::page;
use super::state::{AccountEntities, PolicyEntry, ROLE, State, decode_tags, encode_tags};
use super::{Iam, IamError, IamResult, timestamp, unique_id};
use crate::Caller;
use crate::time::now_millis;

/// The maximum number of managed policies attached to one role or user: 10, AWS's default
/// quota.
pub(crate) const MAX_ATTACHED_POLICIES: usize = 10;

/// The maximum number of versions of one managed policy: 5.
pub(crate) const MAX_POLICY_VERSIONS: usize = 5;

/// The maximum number of customer-managed policies in one account: 1,500, AWS's default quota.
pub(crate) const MAX_POLICIES_PER_ACCOUNT: usize = 1_500;

/// A role or user whose policies an operation changes.
struct Principal {
    principal_type: &'static str,
    name: String,
    inline: Vec<(String, String)>,
    attached: Vec<String>,
}

impl State {
    /// Finds the role or user an operation names, or fails with NoSuchEntity.
    fn principal(
        &self,
        caller: &Caller,
        principal_type: &'static str,
        name: &str,
    ) -> IamResult<Principal> {
        let account = &caller.account_id;
        if principal_type == ROLE {
            let role = self
                .role(account, name)
                .ok_or_else(|| IamError::no_such_role(name))?;
            Ok(Principal {
                principal_type,
                name: role.record.name.clone(),
                inline: role.inline.clone().into_iter().collect(),
                attached: role.attached.clone(),
            })
        } else {
            let user = self
                .user(account, name)
                .ok_or_else(|| IamError::no_such_user(name))?;
            Ok(Principal {
                principal_type,
                name: user.record.name.clone(),
                inline: user.inline.clone().into_iter().collect(),
                attached: user.attached.clone(),
            })
        }
    }

    /// Returns whether `arn` names an AWS-managed policy or a customer-managed policy of the
    /// caller's account.
    pub(super) fn managed_policy_exists(&self, caller: &Caller, arn: &str) -> bool {
        managed::find(arn).is_some()
            || self
                .account(&caller.account_id)
                .is_some_and(|account| account.policies.contains_key(arn))
    }

    /// Finds a customer-managed policy of the caller's account, or fails with NoSuchEntity.
    fn customer_policy(&self, caller: &Caller, arn: &str) -> IamResult<&PolicyEntry> {
        self.account(&caller.account_id)
            .and_then(|account| account.policies.get(arn))
            .ok_or_else(|| IamError::NoSuchEntity(format!("Policy {arn} was not found.")))
    }
}

/// The field names an operation uses for a role or user.
fn name_member(principal_type: &str) -> &'static str {
    if principal_type == ROLE {
        "RoleName"
    } else {
        "UserName"
    }
}

fn entity_word(principal_type: &str) -> &'static str {
    if principal_type == ROLE {
        "role"
    } else {
        "user"
    }
}

impl Iam {
    pub(super) async fn put_inline_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let name = input.text(name_member(principal_type));
        let policy_name = input.text("PolicyName");
        let limit = if principal_type == ROLE {
            policy::ROLE_INLINE_POLICIES_SIZE_LIMIT
        } else {
            policy::USER_INLINE_POLICIES_SIZE_LIMIT
        };
        let (document, compiled) = validated_document(
            policy_name,
            PolicyKind::Identity,
            input.text("PolicyDocument"),
            Some(limit),
        )?;
        self.write(|state| {
            let principal = state.principal(caller, principal_type, name)?;
            // IAM's quota covers the sum of the principal's inline policies.
            let others: usize = principal
                .inline
                .iter()
                .filter(|(existing, _)| existing != policy_name)
                .map(|(_, text)| policy::SizeCounting::WithoutWhitespace.measure(text))
                .sum();
            if others + compiled.size_without_whitespace() > limit {
                return Err(IamError::LimitExceeded(format!(
                    "Maximum policy size of {limit} bytes exceeded for {} {}",
                    entity_word(principal_type),
                    principal.name
                )));
            }
            let change = IamChange::PutInlinePolicy(IamInlinePolicyRecord {
                account_id: caller.account_id.clone(),
                principal_type: principal_type.to_owned(),
                principal_name: principal.name,
                name: policy_name.to_owned(),
                document,
            });
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn get_inline_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let member = name_member(principal_type);
        let policy_name = input.text("PolicyName");
        self.read(|state| {
            let principal = state.principal(caller, principal_type, input.text(member))?;
            let (_, document) = principal
                .inline
                .iter()
                .find(|(existing, _)| existing == policy_name)
                .ok_or_else(|| no_such_inline_policy(principal_type, policy_name))?;
            let mut output = json!({
                "PolicyName": policy_name,
                "PolicyDocument": url_encode(document),
            });
            output[member] = json!(principal.name);
            Ok(output)
        })
    }

    pub(super) async fn delete_inline_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let name = input.text(name_member(principal_type));
        let policy_name = input.text("PolicyName");
        self.write(|state| {
            let principal = state.principal(caller, principal_type, name)?;
            if !principal
                .inline
                .iter()
                .any(|(existing, _)| existing == policy_name)
            {
                return Err(no_such_inline_policy(principal_type, policy_name));
            }
            let change = IamChange::DeleteInlinePolicy {
                account_id: caller.account_id.clone(),
                principal_type: principal_type.to_owned(),
                principal_name: principal.name,
                name: policy_name.to_owned(),
            };
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn list_inline_policies(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        self.read(|state| {
            let principal = state.principal(
                caller,
                principal_type,
                input.text(name_member(principal_type)),
            )?;
            let names = principal
                .inline
                .into_iter()
                .map(|(name, _)| (name.clone(), json!(name)))
                .collect();
            page(input, "PolicyNames", names)
        })
    }

    pub(super) async fn attach_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let name = input.text(name_member(principal_type));
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        self.write(|state| {
            let principal = state.principal(caller, principal_type, name)?;
            if !state.managed_policy_exists(caller, arn) {
                return Err(IamError::no_such_policy(arn));
            }
            if principal.attached.iter().any(|attached| attached == arn) {
                return Ok((json!({}), Vec::new()));
            }
            if principal.attached.len() >= MAX_ATTACHED_POLICIES {
                let quota = if principal_type == ROLE {
                    "PoliciesPerRole"
                } else {
                    "PoliciesPerUser"
                };
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for {quota}: {MAX_ATTACHED_POLICIES}"
                )));
            }
            let change = IamChange::Attach(attachment(caller, &principal, arn));
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) async fn detach_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let name = input.text(name_member(principal_type));
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        self.write(|state| {
            let principal = state.principal(caller, principal_type, name)?;
            if !principal.attached.iter().any(|attached| attached == arn) {
                return Err(IamError::NoSuchEntity(format!(
                    "Policy {arn} was not found."
                )));
            }
            let change = IamChange::Detach(attachment(caller, &principal, arn));
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn list_attached_policies(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        self.read(|state| {
            let principal = state.principal(
                caller,
                principal_type,
                input.text(name_member(principal_type)),
            )?;
            let prefix = input.optional("PathPrefix").unwrap_or("/");
            let account = state.account(&caller.account_id);
            let attached = principal
                .attached
                .iter()
                .filter_map(|arn| {
                    let (name, path) = policy_name_and_path(account, arn)?;
                    path.starts_with(prefix).then(|| {
                        (
                            format!("{} {arn}", name.to_lowercase()),
                            json!({"PolicyName": name, "PolicyArn": arn}),
                        )
                    })
                })
                .collect();
            page(input, "AttachedPolicies", attached)
        })
    }

    pub(super) async fn put_permissions_boundary(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        let arn = input.text("PermissionsBoundary");
        self.set_boundary(caller, input, principal_type, Some(arn))
            .await
    }

    pub(super) async fn delete_permissions_boundary(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
    ) -> IamResult<Value> {
        self.set_boundary(caller, input, principal_type, None).await
    }

    async fn set_boundary(
        &self,
        caller: &Caller,
        input: Input<'_>,
        principal_type: &'static str,
        arn: Option<&str>,
    ) -> IamResult<Value> {
        let name = input.text(name_member(principal_type));
        self.write(|state| {
            let boundary = arn
                .map(|arn| state.boundary_policy(caller, arn))
                .transpose()?;
            let change = if principal_type == ROLE {
                let role = state
                    .role(&caller.account_id, name)
                    .ok_or_else(|| IamError::no_such_role(name))?;
                IamChange::PutRole(IamRoleRecord {
                    permissions_boundary: boundary,
                    ..role.record.clone()
                })
            } else {
                let user = state
                    .user(&caller.account_id, name)
                    .ok_or_else(|| IamError::no_such_user(name))?;
                IamChange::PutUser(IamUserRecord {
                    permissions_boundary: boundary,
                    ..user.record.clone()
                })
            };
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) async fn create_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let name = input.text("PolicyName");
        let path = path_or_root(input.optional("Path"));
        let arn = format!(
            "arn:{}:iam::{}:policy{path}{name}",
            caller.partition, caller.account_id
        );
        let (document, _) = validated_document(
            &arn,
            PolicyKind::Identity,
            input.text("PolicyDocument"),
            None,
        )?;
        let mut tags = Vec::new();
        merge_tags(&mut tags, input.tags())?;
        self.write(|state| {
            let account = state.account(&caller.account_id);
            let taken = account.is_some_and(|account| {
                account
                    .policies
                    .values()
                    .any(|policy| policy.record.name.eq_ignore_ascii_case(name))
            });
            if taken {
                return Err(IamError::EntityAlreadyExists(format!(
                    "A policy called {name} already exists. Duplicate names are not allowed."
                )));
            }
            if account.is_some_and(|account| account.policies.len() >= MAX_POLICIES_PER_ACCOUNT) {
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for PoliciesPerAccount: {MAX_POLICIES_PER_ACCOUNT}"
                )));
            }
            let now = now_millis();
            let record = IamPolicyRecord {
                arn: arn.clone(),
                account_id: caller.account_id.clone(),
                name: name.to_owned(),
                policy_id: unique_id("ANPA"),
                path: path.clone(),
                description: input.optional("Description").map(str::to_owned),
                default_version_id: "v1".to_owned(),
                next_version: 2,
                tags: encode_tags(&tags),
                created_at: now,
                updated_at: now,
            };
            let version = IamPolicyVersionRecord {
                policy_arn: arn.clone(),
                version_id: "v1".to_owned(),
                document,
                created_at: now,
            };
            let output = json!({ "Policy": customer_policy_json(&record, 0, 0, false) });
            Ok((
                output,
                vec![
                    IamChange::PutPolicy(record),
                    IamChange::PutPolicyVersion(version),
                ],
            ))
        })
        .await
    }

    pub(super) fn get_policy(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        self.read(|state| {
            let account = state.account(&caller.account_id);
            let policy = match managed::find(arn) {
                Some(policy) => aws_policy_json(arn, policy, account, true),
                None => {
                    let entry = state.customer_policy(caller, arn)?;
                    customer_policy_entry_json(entry, account, true)
                }
            };
            Ok(json!({ "Policy": policy }))
        })
    }

    pub(super) async fn delete_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        self.write(|state| {
            reject_aws_managed(arn)?;
            let policy = state.customer_policy(caller, arn)?;
            let account = state.account(&caller.account_id);
            let in_use = account
                .is_some_and(|account| account.attachment_count(arn) + account.boundary_count(arn) > 0);
            if in_use {
                return Err(IamError::delete_conflict(
                    "Cannot delete a policy attached to entities.",
                ));
            }
            if policy.versions.len() > 1 {
                return Err(IamError::delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
                ));
            }
            Ok((json!({}), vec![IamChange::DeletePolicy { arn: arn.to_owned() }]))
        })
        .await
    }

    pub(super) fn list_policies(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        let scope = input.optional("Scope").unwrap_or("All");
        let only_attached = input.flag("OnlyAttached").unwrap_or(false);
        let prefix = input.optional("PathPrefix").unwrap_or("/");
        self.read(|state| {
            let account = state.account(&caller.account_id);
            let attached = |arn: &str| account.map_or(0, |account| account.attachment_count(arn));
            let mut policies = Vec::new();
            if scope != "Local" && prefix == "/" {
                for policy in MANAGED_POLICIES.iter() {
                    let arn = managed::arn(caller.partition, policy.name);
                    if !only_attached || attached(&arn) > 0 {
                        let key = format!("{} {arn}", policy.name.to_lowercase());
                        policies.push((key, aws_policy_json(&arn, policy, account, false)));
                    }
                }
            }
            if scope != "AWS" {
                for entry in account
                    .into_iter()
                    .flat_map(|account| account.policies.values())
                {
                    let record = &entry.record;
                    let keep = record.path.starts_with(prefix)
                        && (!only_attached || attached(&record.arn) > 0);
                    if keep {
                        let key = format!("{} {}", record.name.to_lowercase(), record.arn);
                        policies.push((key, customer_policy_entry_json(entry, account, false)));
                    }
                }
            }
            page(input, "Policies", policies)
        })
    }

    pub(super) async fn create_policy_version(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        let (document, _) = validated_document(
            arn,
            PolicyKind::Identity,
            input.text("PolicyDocument"),
            None,
        )?;
        let set_as_default = input.flag("SetAsDefault").unwrap_or(false);
        self.write(|state| {
            reject_aws_managed(arn)?;
            let policy = state.customer_policy(caller, arn)?;
            if policy.versions.len() >= MAX_POLICY_VERSIONS {
                return Err(IamError::LimitExceeded(format!(
                    "A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version."
                )));
            }
            let now = now_millis();
            let version_id = format!("v{}", policy.record.next_version);
            let mut record = policy.record.clone();
            record.next_version += 1;
            if set_as_default {
                record.default_version_id = version_id.clone();
                record.updated_at = now;
            }
            let version = IamPolicyVersionRecord {
                policy_arn: arn.to_owned(),
                version_id: version_id.clone(),
                document,
                created_at: now,
            };
            let output = json!({
                "PolicyVersion": {
                    "VersionId": version_id,
                    "IsDefaultVersion": set_as_default,
                    "CreateDate": timestamp(now),
                },
            });
            Ok((
                output,
                vec![IamChange::PutPolicy(record), IamChange::PutPolicyVersion(version)],
            ))
        })
        .await
    }

    pub(super) fn get_policy_version(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        let version_id = input.text("VersionId");
        check_policy_arn(arn)?;
        self.read(|state| {
            if let Some(policy) = managed::find(arn) {
                if version_id != MANAGED_POLICY_VERSION {
                    return Err(no_such_version(arn, version_id));
                }
                let version = json!({
                    "Document": url_encode(&policy.document),
                    "VersionId": MANAGED_POLICY_VERSION,
                    "IsDefaultVersion": true,
                    "CreateDate": timestamp(MANAGED_POLICY_CREATED_AT),
                });
                return Ok(json!({ "PolicyVersion": version }));
            }
            let policy = state.customer_policy(caller, arn)?;
            let version = policy
                .versions
                .values()
                .find(|version| version.version_id == version_id)
                .ok_or_else(|| no_such_version(arn, version_id))?;
            let mut output = version_json(&policy.record, version);
            output["Document"] = json!(url_encode(&version.document));
            Ok(json!({ "PolicyVersion": output }))
        })
    }

    pub(super) async fn delete_policy_version(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        let version_id = input.text("VersionId");
        check_policy_arn(arn)?;
        self.write(|state| {
            reject_aws_managed(arn)?;
            let policy = state.customer_policy(caller, arn)?;
            if !policy
                .versions
                .values()
                .any(|version| version.version_id == version_id)
            {
                return Err(no_such_version(arn, version_id));
            }
            if policy.record.default_version_id == version_id {
                return Err(IamError::delete_conflict(
                    "Cannot delete the default version of a policy.",
                ));
            }
            let change = IamChange::DeletePolicyVersion {
                policy_arn: arn.to_owned(),
                version_id: version_id.to_owned(),
            };
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn list_policy_versions(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let arn = input.text("PolicyArn");
        check_policy_arn(arn)?;
        self.read(|state| {
            if managed::find(arn).is_some() {
                let version = json!({
                    "VersionId": MANAGED_POLICY_VERSION,
                    "IsDefaultVersion": true,
                    "CreateDate": timestamp(MANAGED_POLICY_CREATED_AT),
                });
                return page(input, "Versions", vec![(String::new(), version)]);
            }
            let policy = state.customer_policy(caller, arn)?;
            // Newest first, as IAM lists them.
            let versions = policy
                .versions
                .iter()
                .map(|(number, version)| {
                    (
                        format!("{:020}", u64::MAX - number),
                        version_json(&policy.record, version),
                    )
                })
                .collect();
            page(input, "Versions", versions)
        })
    }
}

/// Returns the wire's `AttachedPermissionsBoundary` shape.
pub(super) fn boundary_json(arn: &str) -> Value {
    json!({
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": arn,
    })
}

fn attachment(caller: &Caller, principal: &Principal, arn: &str) -> IamAttachmentRecord {
    IamAttachmentRecord {
        account_id: caller.account_id.clone(),
        principal_type: principal.principal_type.to_owned(),
        principal_name: principal.name.clone(),
        policy_arn: arn.to_owned(),
    }
}

/// Rejects a policy ARN that is not an ARN, as IAM does before looking it up.
fn check_policy_arn(arn: &str) -> IamResult<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let valid = matches!(parts.as_slice(), ["arn", _, "iam", "", _, resource] if resource.starts_with("policy/"));
    if valid {
        Ok(())
    } else {
        Err(IamError::InvalidInput(format!("ARN {arn} is not valid.")))
    }
}

fn reject_aws_managed(arn: &str) -> IamResult<()> {
    if managed::find(arn).is_some() || arn.contains(":iam::aws:policy/") {
        return Err(IamError::InvalidInput(format!(
            "The AWS-managed policy {arn} cannot be changed or deleted."
        )));
    }
    Ok(())
}

fn no_such_inline_policy(principal_type: &str, policy_name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "The {} policy with name {policy_name} cannot be found.",
        entity_word(principal_type)
    ))
}

fn no_such_version(arn: &str, version_id: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "Policy {arn} version {version_id} does not exist or is not attachable."
    ))
}

/// Returns the name and path of an attached policy, AWS-managed or customer-managed.
fn policy_name_and_path(account: Option<&AccountEntities>, arn: &str) -> Option<(String, String)> {
    if let Some(policy) = managed::find(arn) {
        return Some((policy.name.to_owned(), "/".to_owned()));
    }
    let record = &account?.policies.get(arn)?.record;
    Some((record.name.clone(), record.path.clone()))
}

fn version_json(record: &IamPolicyRecord, version: &IamPolicyVersionRecord) -> Value {
    json!({
        "VersionId": version.version_id,
        "IsDefaultVersion": version.version_id == record.default_version_id,
        "CreateDate": timestamp(version.created_at),
    })
}

fn customer_policy_entry_json(
    entry: &PolicyEntry,
    account: Option<&AccountEntities>,
    full: bool,
) -> Value {
    let arn = &entry.record.arn;
    let attachments = account.map_or(0, |account| account.attachment_count(arn));
    let boundaries = account.map_or(0, |account| account.boundary_count(arn));
    customer_policy_json(&entry.record, attachments, boundaries, full)
}

/// Returns a customer-managed policy in the wire's `Policy` shape. GetPolicy adds the
/// description and tags (`full`), which ListPolicies leaves out.
fn customer_policy_json(
    record: &IamPolicyRecord,
    attachments: usize,
    boundaries: usize,
    full: bool,
) -> Value {
    let mut policy = json!({
        "PolicyName": record.name,
        "PolicyId": record.policy_id,
        "Arn": record.arn,
        "Path": record.path,
        "DefaultVersionId": record.default_version_id,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": boundaries,
        "IsAttachable": true,
        "CreateDate": timestamp(record.created_at),
        "UpdateDate": timestamp(record.updated_at),
    });
    if full {
        if let Some(description) = &record.description {
            policy["Description"] = json!(description);
        }
        let tags = decode_tags(&record.tags);
        if !tags.is_empty() {
            policy["Tags"] = tags_json(&tags);
        }
    }
    policy
}

fn aws_policy_json(
    arn: &str,
    policy: &managed::ManagedPolicy,
    account: Option<&AccountEntities>,
    full: bool,
) -> Value {
    let mut output = json!({
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": MANAGED_POLICY_VERSION,
        "AttachmentCount": account.map_or(0, |account| account.attachment_count(arn)),
        "PermissionsBoundaryUsageCount": account.map_or(0, |account| account.boundary_count(arn)),
        "IsAttachable": true,
        "CreateDate": timestamp(MANAGED_POLICY_CREATED_AT),
        "UpdateDate": timestamp(MANAGED_POLICY_CREATED_AT),
    });
    if full {
        output["Description"] = json!(policy.description);
    }
    output
}
