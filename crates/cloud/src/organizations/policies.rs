//! Policies of every type: their lifecycle, attachments, the policy types enabled on the root,
//! and effective management policies.

use std::collections::BTreeMap;

use model::Timestamp;
use model::organizations::{
    Account, AttachPolicyRequest, ConstraintViolationExceptionReason, CreatePolicyRequest,
    CreatePolicyResponse, DeletePolicyRequest, DescribeEffectivePolicyRequest,
    DescribeEffectivePolicyResponse, DescribePolicyRequest, DescribePolicyResponse,
    DetachPolicyRequest, DisablePolicyTypeRequest, DisablePolicyTypeResponse, EffectivePolicy,
    EffectivePolicyType, EffectivePolicyValidationError, EnablePolicyTypeRequest,
    EnablePolicyTypeResponse, InvalidInputExceptionReason,
    ListAccountsWithInvalidEffectivePolicyRequest, ListAccountsWithInvalidEffectivePolicyResponse,
    ListEffectivePolicyValidationErrorsRequest, ListEffectivePolicyValidationErrorsResponse,
    ListPoliciesForTargetRequest, ListPoliciesForTargetResponse, ListPoliciesRequest,
    ListPoliciesResponse, ListTargetsForPolicyRequest, ListTargetsForPolicyResponse,
    OrganizationFeatureSet, Policy, PolicySummary, PolicyTargetSummary, PolicyType,
    PolicyTypeStatus, PolicyTypeSummary, TargetType, UpdatePolicyRequest, UpdatePolicyResponse,
};
use serde_json::Value;
use store::{
    Change, EnabledPolicyTypeRecord, OrganizationRecord, PolicyAttachmentRecord, PolicyRecord,
};

use super::effective::{self, Merged};
use super::paging::PageRequest;
use super::state::State;
use super::tags::{initial_tags, validated_tags};
use super::{
    Empty, OperationResult, Organizations, OrganizationsError, Requester, documents, ids,
    management, membership,
};

/// An AWS-managed policy, the same in every organization.
pub(crate) struct ManagedPolicy {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) policy_type: PolicyType,
    pub(crate) content: &'static str,
}

/// `FullAWSAccess`, attached to every root, OU and account while SCPs are enabled.
pub(crate) const FULL_AWS_ACCESS: ManagedPolicy = ManagedPolicy {
    id: "p-FullAWSAccess",
    name: "FullAWSAccess",
    description: "Allows access to every operation",
    policy_type: PolicyType::ServiceControlPolicy,
    content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
};

/// `RCPFullAWSAccess`, attached to every root, OU and account while RCPs are enabled; it
/// cannot be detached.
pub(crate) const RCP_FULL_AWS_ACCESS: ManagedPolicy = ManagedPolicy {
    id: "p-RCPFullAWSAccess",
    name: "RCPFullAWSAccess",
    description: "Allows access to every operation",
    policy_type: PolicyType::ResourceControlPolicy,
    content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
};

pub(super) const MANAGED_POLICIES: [&ManagedPolicy; 2] = [&FULL_AWS_ACCESS, &RCP_FULL_AWS_ACCESS];

/// Returns the AWS-managed policy attached everywhere while a type is enabled, if it has one.
pub(crate) fn default_policy(policy_type: PolicyType) -> Option<&'static ManagedPolicy> {
    MANAGED_POLICIES
        .into_iter()
        .find(|managed| managed.policy_type == policy_type)
}

/// Returns how many policies of a type one target may have directly attached: 5 SCPs, 5 RCPs and 5 AI
/// services opt-out policies, 10 of each other type.
fn max_attachments(policy_type: PolicyType) -> usize {
    match policy_type {
        PolicyType::ServiceControlPolicy
        | PolicyType::ResourceControlPolicy
        | PolicyType::AiservicesOptOutPolicy => 5,
        _ => 10,
    }
}

/// Returns how many customer-managed policies of a type an organization may have: 10,000 SCPs and
/// 1,000 of every other type.
fn max_policies(policy_type: PolicyType) -> usize {
    match policy_type {
        PolicyType::ServiceControlPolicy => 10_000,
        _ => 1_000,
    }
}

/// A customer-managed or AWS-managed policy.
enum PolicyView<'s> {
    Managed(&'static ManagedPolicy),
    Customer(&'s PolicyRecord),
}

impl PolicyView<'_> {
    fn id(&self) -> &str {
        match self {
            PolicyView::Managed(managed) => managed.id,
            PolicyView::Customer(record) => &record.id,
        }
    }

    fn policy_type(&self) -> Option<PolicyType> {
        match self {
            PolicyView::Managed(managed) => Some(managed.policy_type),
            PolicyView::Customer(record) => PolicyType::from_wire(&record.r#type),
        }
    }

    fn content(&self) -> &str {
        match self {
            PolicyView::Managed(managed) => managed.content,
            PolicyView::Customer(record) => &record.content,
        }
    }

    fn summary(&self, organization: &OrganizationRecord) -> PolicySummary {
        let type_name = self
            .policy_type()
            .map(|policy_type| policy_type.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        match self {
            PolicyView::Managed(managed) => PolicySummary {
                arn: Some(format!(
                    "arn:{}:organizations::aws:policy/{type_name}/{}",
                    organization.partition, managed.id
                )),
                aws_managed: Some(true),
                description: Some(managed.description.to_owned()),
                id: Some(managed.id.to_owned()),
                name: Some(managed.name.to_owned()),
                type_: Some(managed.policy_type),
            },
            PolicyView::Customer(record) => PolicySummary {
                arn: Some(format!(
                    "arn:{}:organizations::{}:policy/{}/{type_name}/{}",
                    organization.partition,
                    organization.management_account_id,
                    organization.id,
                    record.id
                )),
                aws_managed: Some(false),
                description: Some(record.description.clone()),
                id: Some(record.id.clone()),
                name: Some(record.name.clone()),
                type_: PolicyType::from_wire(&record.r#type),
            },
        }
    }

    fn shape(&self, organization: &OrganizationRecord) -> Policy {
        Policy {
            content: Some(self.content().to_owned()),
            policy_summary: Some(self.summary(organization)),
        }
    }
}

fn find_policy<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    policy_id: &str,
) -> OperationResult<PolicyView<'s>> {
    if let Some(managed) = MANAGED_POLICIES
        .into_iter()
        .find(|managed| managed.id == policy_id)
    {
        return Ok(PolicyView::Managed(managed));
    }
    state
        .policies
        .get(policy_id)
        .filter(|entry| entry.record.organization_id == organization.id)
        .map(|entry| PolicyView::Customer(&entry.record))
        .ok_or_else(|| OrganizationsError::PolicyNotFound(policy_id.to_owned()))
}

/// Returns the type of a target in the organization: its root, an OU or an account.
fn target_type(
    state: &State,
    organization: &OrganizationRecord,
    target_id: &str,
) -> Option<TargetType> {
    if state
        .roots
        .get(target_id)
        .is_some_and(|root| root.record.organization_id == organization.id)
    {
        Some(TargetType::Root)
    } else if state
        .organizational_units
        .get(target_id)
        .is_some_and(|ou| ou.record.organization_id == organization.id)
    {
        Some(TargetType::OrganizationalUnit)
    } else if state
        .accounts
        .get(target_id)
        .is_some_and(|account| account.record.organization_id == organization.id)
    {
        Some(TargetType::Account)
    } else {
        None
    }
}

fn find_target(
    state: &State,
    organization: &OrganizationRecord,
    target_id: &str,
) -> OperationResult<TargetType> {
    target_type(state, organization, target_id)
        .ok_or_else(|| OrganizationsError::TargetNotFound(target_id.to_owned()))
}

/// Returns the policies of a type attached directly to a target, in attachment order.
fn attached<'s>(
    state: &'s State,
    target_id: &str,
    policy_type: PolicyType,
) -> impl Iterator<Item = (u64, &'s String)> + 's {
    state
        .attachments_by_target
        .get(target_id)
        .into_iter()
        .flatten()
        .filter(move |(_, policy_id)| policy_type_of(state, policy_id) == Some(policy_type))
        .map(|(seq, policy_id)| (*seq, policy_id))
}

fn policy_type_of(state: &State, policy_id: &str) -> Option<PolicyType> {
    if let Some(managed) = MANAGED_POLICIES
        .into_iter()
        .find(|managed| managed.id == policy_id)
    {
        return Some(managed.policy_type);
    }
    state
        .policies
        .get(policy_id)
        .and_then(|entry| PolicyType::from_wire(&entry.record.r#type))
}

/// Returns the attachments a new root, OU or account receives: the default AWS-managed policy of every
/// enabled type that has one.
pub(super) fn default_attachments(
    state: &State,
    organization_id: &str,
    target_id: &str,
) -> Vec<Change> {
    [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ]
    .into_iter()
    .filter(|policy_type| state.is_policy_type_enabled(organization_id, policy_type.as_str()))
    .filter_map(default_policy)
    .map(|managed| {
        Change::AttachPolicy(PolicyAttachmentRecord {
            policy_id: managed.id.to_owned(),
            target_id: target_id.to_owned(),
            organization_id: organization_id.to_owned(),
        })
    })
    .collect()
}

/// Returns the policy types enabled on a root, as the API lists them.
pub(super) fn policy_type_summaries(state: &State, root_id: &str) -> Vec<PolicyTypeSummary> {
    state
        .enabled_policy_types
        .get(root_id)
        .into_iter()
        .flatten()
        .filter_map(|name| PolicyType::from_wire(name))
        .map(|policy_type| PolicyTypeSummary {
            status: Some(PolicyTypeStatus::Enabled),
            type_: Some(policy_type),
        })
        .collect()
}

fn require_all_features(
    organization: &OrganizationRecord,
    policy_type: PolicyType,
) -> OperationResult<()> {
    if organization.feature_set == OrganizationFeatureSet::All.as_str() {
        Ok(())
    } else {
        Err(OrganizationsError::PolicyTypeNotAvailableForOrganization(
            policy_type.as_str().to_owned(),
        ))
    }
}

fn immutable(policy_id: &str) -> OrganizationsError {
    OrganizationsError::invalid(
        InvalidInputExceptionReason::ImmutablePolicy,
        format!("The policy {policy_id} is managed by AWS and can't be changed or deleted."),
    )
}

impl Organizations {
    pub(super) async fn create_policy(
        &self,
        caller: &Requester<'_>,
        input: CreatePolicyRequest,
    ) -> OperationResult<CreatePolicyResponse> {
        let max_tags = self.settings().max_tags_per_resource;
        self.write(|state| {
            let organization = management(state, caller)?;
            require_all_features(organization, input.type_)?;
            let tags = validated_tags(input.tags.as_deref().unwrap_or_default(), max_tags)?;
            documents::validate(input.type_, &input.content)?;
            let existing = organization_policies(state, organization, Some(input.type_));
            if existing.iter().any(|record| record.name == input.name) {
                return Err(OrganizationsError::DuplicatePolicy(input.name.clone()));
            }
            let limit = max_policies(input.type_);
            if existing.len() >= limit {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::PolicyNumberLimitExceeded,
                    format!(
                        "The organization already has {limit} policies of type {}, the maximum.",
                        input.type_.as_str()
                    ),
                ));
            }

            let record = PolicyRecord {
                id: ids::policy_id(),
                organization_id: organization.id.clone(),
                r#type: input.type_.as_str().to_owned(),
                name: input.name.clone(),
                description: input.description.clone(),
                content: input.content.clone(),
            };
            let response = CreatePolicyResponse {
                policy: Some(PolicyView::Customer(&record).shape(organization)),
            };
            let mut changes = vec![Change::PutPolicy(record.clone())];
            changes.extend(initial_tags(&record.id, &organization.id, tags));
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_policy(
        &self,
        caller: &Requester<'_>,
        input: DescribePolicyRequest,
    ) -> OperationResult<DescribePolicyResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let policy = find_policy(state, organization, &input.policy_id)?;
            Ok(DescribePolicyResponse {
                policy: Some(policy.shape(organization)),
            })
        })
    }

    pub(super) async fn update_policy(
        &self,
        caller: &Requester<'_>,
        input: UpdatePolicyRequest,
    ) -> OperationResult<UpdatePolicyResponse> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let PolicyView::Customer(current) = find_policy(state, organization, &input.policy_id)?
            else {
                return Err(immutable(&input.policy_id));
            };
            let policy_type =
                PolicyType::from_wire(&current.r#type).unwrap_or(PolicyType::ServiceControlPolicy);
            let mut updated = current.clone();
            if let Some(name) = &input.name {
                let taken = organization_policies(state, organization, Some(policy_type))
                    .iter()
                    .any(|record| record.name == *name && record.id != current.id);
                if taken {
                    return Err(OrganizationsError::DuplicatePolicy(name.clone()));
                }
                updated.name = name.clone();
            }
            if let Some(description) = &input.description {
                updated.description = description.clone();
            }
            if let Some(content) = &input.content {
                documents::validate(policy_type, content)?;
                updated.content = content.clone();
            }
            let response = UpdatePolicyResponse {
                policy: Some(PolicyView::Customer(&updated).shape(organization)),
            };
            Ok((response, vec![Change::PutPolicy(updated)]))
        })
        .await
    }

    pub(super) async fn delete_policy(
        &self,
        caller: &Requester<'_>,
        input: DeletePolicyRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let PolicyView::Customer(record) = find_policy(state, organization, &input.policy_id)?
            else {
                return Err(immutable(&input.policy_id));
            };
            if state
                .attachments_by_policy
                .get(&record.id)
                .is_some_and(|targets| !targets.is_empty())
            {
                return Err(OrganizationsError::PolicyInUse(record.id.clone()));
            }
            Ok((
                Empty {},
                vec![Change::DeletePolicy {
                    id: record.id.clone(),
                }],
            ))
        })
        .await
    }

    pub(super) fn list_policies(
        &self,
        caller: &Requester<'_>,
        input: ListPoliciesRequest,
    ) -> OperationResult<ListPoliciesResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let scope = format!("ListPolicies:{}:{}", organization.id, input.filter.as_str());
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            // AWS-managed policies come first, at positions no customer policy uses.
            let mut listing: BTreeMap<u64, PolicySummary> = BTreeMap::new();
            for (position, managed) in MANAGED_POLICIES.into_iter().enumerate() {
                if managed.policy_type == input.filter {
                    listing.insert(
                        position as u64,
                        PolicyView::Managed(managed).summary(organization),
                    );
                }
            }
            if let Some(entry) = state.organization(&organization.id) {
                for (seq, id) in &entry.policies {
                    if let Some(policy) = state
                        .policies
                        .get(id)
                        .filter(|policy| policy.record.r#type == input.filter.as_str())
                    {
                        listing.insert(
                            seq + MANAGED_POLICIES.len() as u64,
                            PolicyView::Customer(&policy.record).summary(organization),
                        );
                    }
                }
            }
            let (policies, next_token) = page.take(&listing);
            Ok(ListPoliciesResponse {
                policies: Some(policies.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) async fn attach_policy(
        &self,
        caller: &Requester<'_>,
        input: AttachPolicyRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let policy = find_policy(state, organization, &input.policy_id)?;
            find_target(state, organization, &input.target_id)?;
            let policy_type = policy.policy_type().unwrap_or(PolicyType::ServiceControlPolicy);
            if !state.is_policy_type_enabled(&organization.id, policy_type.as_str()) {
                return Err(OrganizationsError::PolicyTypeNotEnabled(policy_type.as_str().to_owned()));
            }
            let current: Vec<&String> = attached(state, &input.target_id, policy_type).map(|(_, id)| id).collect();
            if current.iter().any(|id| **id == input.policy_id) {
                return Err(OrganizationsError::DuplicatePolicyAttachment(input.policy_id.clone(), input.target_id.clone()));
            }
            let limit = max_attachments(policy_type);
            if current.len() >= limit {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::MaxPolicyTypeAttachmentLimitExceeded,
                    format!("The target {} already has {limit} policies of type {} attached, the maximum.", input.target_id, policy_type.as_str()),
                ));
            }
            let change = Change::AttachPolicy(PolicyAttachmentRecord {
                policy_id: policy.id().to_owned(),
                target_id: input.target_id.clone(),
                organization_id: organization.id.clone(),
            });
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) async fn detach_policy(
        &self,
        caller: &Requester<'_>,
        input: DetachPolicyRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let policy = find_policy(state, organization, &input.policy_id)?;
            find_target(state, organization, &input.target_id)?;
            let policy_type = policy
                .policy_type()
                .unwrap_or(PolicyType::ServiceControlPolicy);
            let current: Vec<&String> = attached(state, &input.target_id, policy_type)
                .map(|(_, id)| id)
                .collect();
            if !current.iter().any(|id| **id == input.policy_id) {
                return Err(OrganizationsError::PolicyNotAttached(
                    input.policy_id.clone(),
                    input.target_id.clone(),
                ));
            }
            if input.policy_id == RCP_FULL_AWS_ACCESS.id {
                return Err(OrganizationsError::invalid(
                    InvalidInputExceptionReason::NonDetachablePolicy,
                    "You can't detach RCPFullAWSAccess; it stays attached while RCPs are enabled.",
                ));
            }
            if policy_type == PolicyType::ServiceControlPolicy && current.len() == 1 {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::MinPolicyTypeAttachmentLimitExceeded,
                    format!(
                        "The target {} must keep at least one SCP attached while SCPs are enabled.",
                        input.target_id
                    ),
                ));
            }
            let change = Change::DetachPolicy {
                policy_id: input.policy_id.clone(),
                target_id: input.target_id.clone(),
            };
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) fn list_policies_for_target(
        &self,
        caller: &Requester<'_>,
        input: ListPoliciesForTargetRequest,
    ) -> OperationResult<ListPoliciesForTargetResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            find_target(state, organization, &input.target_id)?;
            let scope = format!(
                "ListPoliciesForTarget:{}:{}",
                input.target_id,
                input.filter.as_str()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let listing: BTreeMap<u64, PolicySummary> =
                attached(state, &input.target_id, input.filter)
                    .filter_map(|(seq, id)| {
                        find_policy(state, organization, id)
                            .ok()
                            .map(|policy| (seq, policy.summary(organization)))
                    })
                    .collect();
            let (policies, next_token) = page.take(&listing);
            Ok(ListPoliciesForTargetResponse {
                policies: Some(policies.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) fn list_targets_for_policy(
        &self,
        caller: &Requester<'_>,
        input: ListTargetsForPolicyRequest,
    ) -> OperationResult<ListTargetsForPolicyResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            find_policy(state, organization, &input.policy_id)?;
            let scope = format!(
                "ListTargetsForPolicy:{}:{}",
                organization.id, input.policy_id
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let listing: BTreeMap<u64, PolicyTargetSummary> = state
                .attachments_by_policy
                .get(&input.policy_id)
                .into_iter()
                .flatten()
                .filter_map(|(seq, target_id)| {
                    target_summary(state, organization, target_id).map(|summary| (*seq, summary))
                })
                .collect();
            let (targets, next_token) = page.take(&listing);
            Ok(ListTargetsForPolicyResponse {
                targets: Some(targets.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) async fn enable_policy_type(
        &self,
        caller: &Requester<'_>,
        input: EnablePolicyTypeRequest,
    ) -> OperationResult<EnablePolicyTypeResponse> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let root = find_root(state, organization, &input.root_id)?;
            require_all_features(organization, input.policy_type)?;
            if state.is_policy_type_enabled(&organization.id, input.policy_type.as_str()) {
                return Err(OrganizationsError::PolicyTypeAlreadyEnabled(
                    input.policy_type.as_str().to_owned(),
                ));
            }
            let changes =
                enable_policy_type_changes(state, organization, &root.id, input.policy_type);
            let mut types = policy_type_summaries(state, &root.id);
            types.push(PolicyTypeSummary {
                status: Some(PolicyTypeStatus::Enabled),
                type_: Some(input.policy_type),
            });
            let response = EnablePolicyTypeResponse {
                root: Some(super::structure::root_shape_with(organization, root, types)),
            };
            Ok((response, changes))
        })
        .await
    }

    pub(super) async fn disable_policy_type(
        &self,
        caller: &Requester<'_>,
        input: DisablePolicyTypeRequest,
    ) -> OperationResult<DisablePolicyTypeResponse> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let root = find_root(state, organization, &input.root_id)?;
            if !state.is_policy_type_enabled(&organization.id, input.policy_type.as_str()) {
                return Err(OrganizationsError::PolicyTypeNotEnabled(
                    input.policy_type.as_str().to_owned(),
                ));
            }
            let mut changes = Vec::new();
            for target_id in organization_targets(state, organization) {
                for (_, policy_id) in attached(state, &target_id, input.policy_type) {
                    changes.push(Change::DetachPolicy {
                        policy_id: policy_id.clone(),
                        target_id: target_id.clone(),
                    });
                }
            }
            changes.push(Change::DisablePolicyType {
                root_id: root.id.clone(),
                r#type: input.policy_type.as_str().to_owned(),
            });
            let types = policy_type_summaries(state, &root.id)
                .into_iter()
                .filter(|summary| summary.type_ != Some(input.policy_type))
                .collect();
            let response = DisablePolicyTypeResponse {
                root: Some(super::structure::root_shape_with(organization, root, types)),
            };
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_effective_policy(
        &self,
        caller: &Requester<'_>,
        input: DescribeEffectivePolicyRequest,
    ) -> OperationResult<DescribeEffectivePolicyResponse> {
        self.read(|state| {
            let organization = membership(state, caller)?;
            let target_id = input.target_id.clone().unwrap_or_else(|| caller.account_id.clone());
            let is_management = organization.management_account_id == caller.account_id;
            if !is_management && target_id != caller.account_id {
                return Err(OrganizationsError::management_only());
            }
            match find_target(state, organization, &target_id)? {
                TargetType::Account => {}
                _ => {
                    return Err(OrganizationsError::invalid(
                        InvalidInputExceptionReason::TargetNotSupported,
                        "DescribeEffectivePolicy takes an account id; a root or OU has no effective policy.",
                    ));
                }
            }
            let merged = effective_policy(state, organization, &target_id, input.policy_type);
            let document = merged.document.ok_or_else(|| {
                OrganizationsError::EffectivePolicyNotFound(input.policy_type.as_str().to_owned(), target_id.clone())
            })?;
            Ok(DescribeEffectivePolicyResponse {
                effective_policy: Some(EffectivePolicy {
                    // NOTE: bulkhead does not track when policies change, so the timestamp is the
                    // time of the request.
                    last_updated_timestamp: Some(Timestamp::now()),
                    policy_content: Some(document.to_string()),
                    policy_type: Some(input.policy_type),
                    target_id: Some(target_id),
                }),
            })
        })
    }

    pub(super) fn list_effective_policy_validation_errors(
        &self,
        caller: &Requester<'_>,
        input: ListEffectivePolicyValidationErrorsRequest,
    ) -> OperationResult<ListEffectivePolicyValidationErrorsResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            if target_type(state, organization, &input.account_id) != Some(TargetType::Account) {
                return Err(OrganizationsError::AccountNotFound(
                    input.account_id.clone(),
                ));
            }
            let merged =
                effective_policy(state, organization, &input.account_id, input.policy_type);
            if merged.document.is_none() && merged.errors.is_empty() {
                return Err(OrganizationsError::EffectivePolicyNotFound(
                    input.policy_type.as_str().to_owned(),
                    input.account_id.clone(),
                ));
            }
            let scope = format!(
                "ListEffectivePolicyValidationErrors:{}:{}",
                input.account_id,
                input.policy_type.as_str()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let listing: BTreeMap<u64, EffectivePolicyValidationError> = merged
                .errors
                .into_iter()
                .enumerate()
                .map(|(position, error)| {
                    let shape = EffectivePolicyValidationError {
                        contributing_policies: Some(error.policies),
                        error_code: Some(error.code.to_owned()),
                        error_message: Some(error.message),
                        path_to_error: Some(error.path),
                    };
                    (position as u64, shape)
                })
                .collect();
            let (errors, next_token) = page.take(&listing);
            Ok(ListEffectivePolicyValidationErrorsResponse {
                account_id: Some(input.account_id.clone()),
                effective_policy_validation_errors: Some(errors.into_iter().cloned().collect()),
                evaluation_timestamp: Some(Timestamp::now()),
                next_token,
                path: Some(super::structure::path_text(
                    state,
                    organization,
                    &input.account_id,
                )),
                policy_type: Some(input.policy_type),
            })
        })
    }

    pub(super) fn list_accounts_with_invalid_effective_policy(
        &self,
        caller: &Requester<'_>,
        input: ListAccountsWithInvalidEffectivePolicyRequest,
    ) -> OperationResult<ListAccountsWithInvalidEffectivePolicyResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let scope = format!(
                "ListAccountsWithInvalidEffectivePolicy:{}:{}",
                organization.id,
                input.policy_type.as_str()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let mut listing: BTreeMap<u64, Account> = BTreeMap::new();
            if let Some(entry) = state.organization(&organization.id) {
                for (seq, account_id) in &entry.accounts {
                    let merged =
                        effective_policy(state, organization, account_id, input.policy_type);
                    if !merged.errors.is_empty()
                        && let Some(account) = state.accounts.get(account_id)
                    {
                        listing.insert(
                            *seq,
                            super::accounts::account_shape(state, organization, &account.record),
                        );
                    }
                }
            }
            let (accounts, next_token) = page.take(&listing);
            Ok(ListAccountsWithInvalidEffectivePolicyResponse {
                accounts: Some(accounts.into_iter().cloned().collect()),
                next_token,
                policy_type: Some(input.policy_type),
            })
        })
    }
}

/// Returns the changes that enable a policy type: the type on the root, and the type's default
/// AWS-managed policy on the root, every OU and every account.
pub(super) fn enable_policy_type_changes(
    state: &State,
    organization: &OrganizationRecord,
    root_id: &str,
    policy_type: PolicyType,
) -> Vec<Change> {
    let mut changes = vec![Change::EnablePolicyType(EnabledPolicyTypeRecord {
        root_id: root_id.to_owned(),
        organization_id: organization.id.clone(),
        r#type: policy_type.as_str().to_owned(),
    })];
    if let Some(managed) = default_policy(policy_type) {
        for target_id in organization_targets(state, organization) {
            changes.push(Change::AttachPolicy(PolicyAttachmentRecord {
                policy_id: managed.id.to_owned(),
                target_id,
                organization_id: organization.id.clone(),
            }));
        }
    }
    changes
}

/// Returns the root, every OU and every account of the organization.
fn organization_targets(state: &State, organization: &OrganizationRecord) -> Vec<String> {
    let Some(entry) = state.organization(&organization.id) else {
        return Vec::new();
    };
    entry
        .root_id
        .iter()
        .chain(entry.organizational_units.values())
        .chain(entry.accounts.values())
        .cloned()
        .collect()
}

fn organization_policies<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    policy_type: Option<PolicyType>,
) -> Vec<&'s PolicyRecord> {
    state
        .organization(&organization.id)
        .into_iter()
        .flat_map(|entry| entry.policies.values())
        .filter_map(|id| state.policies.get(id))
        .map(|entry| &entry.record)
        .filter(|record| {
            policy_type.is_none_or(|policy_type| record.r#type == policy_type.as_str())
        })
        .collect()
}

fn find_root<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    root_id: &str,
) -> OperationResult<&'s store::RootRecord> {
    state
        .roots
        .get(root_id)
        .map(|entry| &entry.record)
        .filter(|root| root.organization_id == organization.id)
        .ok_or_else(|| OrganizationsError::RootNotFound(root_id.to_owned()))
}

fn target_summary(
    state: &State,
    organization: &OrganizationRecord,
    target_id: &str,
) -> Option<PolicyTargetSummary> {
    let target_type = target_type(state, organization, target_id)?;
    let (arn, name) = match target_type {
        TargetType::Root => {
            let root = state.roots.get(target_id)?;
            (
                ids::root_arn(organization, target_id),
                root.record.name.clone(),
            )
        }
        TargetType::OrganizationalUnit => {
            let ou = state.organizational_units.get(target_id)?;
            (
                ids::organizational_unit_arn(organization, target_id),
                ou.record.name.clone(),
            )
        }
        TargetType::Account => {
            let account = state.accounts.get(target_id)?;
            (
                ids::account_arn(organization, target_id),
                account.record.name.clone(),
            )
        }
    };
    Some(PolicyTargetSummary {
        arn: Some(arn),
        name: Some(name),
        target_id: Some(target_id.to_owned()),
        type_: Some(target_type),
    })
}

/// Merges the management policies of a type from the root down to an account. A type that is
/// not enabled has no effective policy.
fn effective_policy(
    state: &State,
    organization: &OrganizationRecord,
    account_id: &str,
    policy_type: EffectivePolicyType,
) -> Merged {
    let Some(policy_type) = PolicyType::from_wire(policy_type.as_str()) else {
        return effective::merge(&[]);
    };
    if !state.is_policy_type_enabled(&organization.id, policy_type.as_str()) {
        return effective::merge(&[]);
    }
    let levels: Vec<Vec<effective::Contribution>> = state
        .path_to(account_id)
        .iter()
        .map(|target_id| {
            attached(state, target_id, policy_type)
                .filter_map(|(_, policy_id)| state.policies.get(policy_id))
                .filter_map(|entry| {
                    serde_json::from_str::<Value>(&entry.record.content)
                        .ok()
                        .map(|document| (entry.record.id.clone(), document))
                })
                .collect()
        })
        .collect();
    effective::merge(&levels)
}
