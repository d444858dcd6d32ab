//! What an organization contributes to the authorization of a request: the SCP chain of the
//! caller's account, the RCP chain of the resource's account, and the organization's id and
//! path for the `aws:PrincipalOrg*` and `aws:ResourceOrg*` condition keys.
//!
//! Compiling a chain costs tens of microseconds per policy, so chains are built once per
//! account and kept until the next committed write, which clears them all.

use std::sync::Arc;

use model::organizations::PolicyType;
use policy::{Level, OrganizationPolicies, Policy, PolicyKind};
use serde_json::Value;
use store::OrganizationRecord;

use super::ids;
use super::policies::{MANAGED_POLICIES, ManagedPolicy};
use super::state::State;
use super::structure::path_text;
use crate::access::Call;

/// The organization's view of one account, for authorization.
#[derive(Debug, Clone)]
pub struct AccountGovernance {
    /// The `o-` id of the account's organization.
    pub organization_id: String,
    /// The organization's management account.
    pub management_account_id: String,
    /// The path of the account's parent, `o-…/r-…/ou-…/`, the value of
    /// `aws:PrincipalOrgPaths` and `aws:ResourceOrgPaths`.
    pub parent_path: String,
    /// The SCPs from the root to the account; `None` when SCPs are not enabled.
    pub service_control: Option<OrganizationPolicies>,
    /// The RCPs from the root to the account; `None` when RCPs are not enabled.
    pub resource_control: Option<OrganizationPolicies>,
}

/// Builds the view of `account_id`, or `None` when the account is in no organization.
pub(super) fn account_governance(state: &State, account_id: &str) -> Option<AccountGovernance> {
    let organization = state.organization_of(account_id)?;
    let account = &state.accounts.get(account_id)?.record;
    let is_management = organization.management_account_id == account_id;
    let chain = |policy_type: PolicyType, kind: PolicyKind| {
        if !state.is_policy_type_enabled(&organization.id, policy_type.as_str()) {
            return None;
        }
        let levels = state
            .path_to(account_id)
            .iter()
            .map(|target| {
                let policies = attached_policies(state, organization, target, policy_type, kind);
                Level::new(target, policies)
            })
            .collect();
        Some(if is_management {
            OrganizationPolicies::management(levels)
        } else {
            OrganizationPolicies::member(levels)
        })
    };
    Some(AccountGovernance {
        organization_id: organization.id.clone(),
        management_account_id: organization.management_account_id.clone(),
        parent_path: path_text(state, organization, &account.parent_id),
        service_control: chain(PolicyType::ServiceControlPolicy, PolicyKind::ServiceControl),
        resource_control: chain(
            PolicyType::ResourceControlPolicy,
            PolicyKind::ResourceControl,
        ),
    })
}

/// Compiles the policies of one type attached directly to `target`. Each compiled policy is
/// named by its ARN, so that traces and denial messages can name it as AWS does.
fn attached_policies(
    state: &State,
    organization: &OrganizationRecord,
    target: &str,
    policy_type: PolicyType,
    kind: PolicyKind,
) -> Vec<Policy> {
    state
        .attachments_by_target
        .get(target)
        .into_iter()
        .flatten()
        .filter_map(|(_, policy_id)| {
            if let Some(managed) = managed(policy_id) {
                if managed.policy_type != policy_type {
                    return None;
                }
                let arn = managed_policy_arn(organization, managed);
                let options = policy::CompileOptions {
                    aws_managed: true,
                    ..policy::CompileOptions::default()
                };
                return compile(&arn, kind, managed.content, &options);
            }
            let record = &state.policies.get(policy_id)?.record;
            if record.r#type != policy_type.as_str() {
                return None;
            }
            let arn = customer_policy_arn(organization, &record.r#type, &record.id);
            compile(
                &arn,
                kind,
                &record.content,
                &policy::CompileOptions::default(),
            )
        })
        .collect()
}

fn managed(policy_id: &str) -> Option<&'static ManagedPolicy> {
    MANAGED_POLICIES
        .into_iter()
        .find(|managed| managed.id == policy_id)
}

/// Compiles a stored policy. CreatePolicy and UpdatePolicy validated it with the same engine, so
/// a failure here means the engine's rules changed since; the policy is left out and logged.
fn compile(
    arn: &str,
    kind: PolicyKind,
    content: &str,
    options: &policy::CompileOptions,
) -> Option<Policy> {
    match Policy::compile_with(arn, kind, content, options) {
        Ok(policy) => Some(policy),
        Err(error) => {
            tracing::error!(target: "bulkhead::organizations", policy = arn, %error, "a stored policy no longer compiles");
            None
        }
    }
}

/// A cache of [`AccountGovernance`] by account id, emptied by every committed write.
#[derive(Debug, Default)]
pub(super) struct GovernanceCache {
    entries: parking_lot::RwLock<std::collections::HashMap<String, Option<Arc<AccountGovernance>>>>,
}

impl GovernanceCache {
    /// Returns the cached view of `account_id`, building it from `state` on a miss.
    pub(super) fn get(&self, state: &State, account_id: &str) -> Option<Arc<AccountGovernance>> {
        if let Some(entry) = self.entries.read().get(account_id) {
            return entry.clone();
        }
        let built = account_governance(state, account_id).map(Arc::new);
        self.entries
            .write()
            .insert(account_id.to_owned(), built.clone());
        built
    }

    /// Forgets every view; called while the state's write lock is held.
    pub(super) fn clear(&self) {
        self.entries.write().clear();
    }
}

/// Describes an Organizations request for authorization: the action `organizations:<Operation>`,
/// the organization resource the input names, and the service's condition keys.
///
/// NOTE: AttachPolicy, DetachPolicy and MoveAccount touch two resources (a policy and a target,
/// an account and its parents) that AWS authorizes one by one; bulkhead authorizes the first.
pub(super) fn call_for(
    state: &State,
    caller_account: &str,
    operation: &str,
    input: &Value,
) -> Call {
    let action = format!("organizations:{operation}");
    let Some(organization) = state.organization_of(caller_account) else {
        return Call::new(&action, "*", None).with_request_tags(input);
    };
    let text = |member: &str| input[member].as_str();
    let policy_type = text("PolicyType")
        .or_else(|| text("Type"))
        .map(str::to_owned)
        .or_else(|| {
            let policy_id = text("PolicyId")?;
            match managed(policy_id) {
                Some(managed) => Some(managed.policy_type.as_str().to_owned()),
                None => Some(state.policies.get(policy_id)?.record.r#type.clone()),
            }
        });
    let resource = text("PolicyId")
        .and_then(|id| policy_arn(state, organization, id))
        .or_else(|| {
            [
                "AccountId",
                "OrganizationalUnitId",
                "ResourceId",
                "TargetId",
                "ChildId",
                "ParentId",
                "RootId",
            ]
            .into_iter()
            .find_map(&text)
            .and_then(|id| entity_arn(state, organization, id))
        });
    // The management account owns every resource of the organization, but whether another
    // account may reach them (as a delegated administrator) is the service's own check, made
    // after authorization. To the policy engine the request stays within the caller's account.
    let mut call = match &resource {
        Some(arn) => Call::new(&action, arn, Some(caller_account)),
        None => Call::new(&action, "*", None),
    };
    if let Some(policy_type) = policy_type {
        call = call.with("organizations:PolicyType", &policy_type);
    }
    if let Some(service) = text("ServicePrincipal") {
        call = call.with("organizations:ServicePrincipal", service);
    }
    call.with_request_tags(input)
}

/// Returns the ARN of a root, OU or account of the organization.
fn entity_arn(state: &State, organization: &OrganizationRecord, id: &str) -> Option<String> {
    if state.roots.contains_key(id) {
        Some(ids::root_arn(organization, id))
    } else if state.organizational_units.contains_key(id) {
        Some(ids::organizational_unit_arn(organization, id))
    } else if state.accounts.contains_key(id) {
        Some(ids::account_arn(organization, id))
    } else {
        None
    }
}

/// Returns the ARN of a customer-managed or AWS-managed policy.
fn policy_arn(state: &State, organization: &OrganizationRecord, policy_id: &str) -> Option<String> {
    if let Some(managed) = managed(policy_id) {
        return Some(managed_policy_arn(organization, managed));
    }
    let record = &state.policies.get(policy_id)?.record;
    Some(customer_policy_arn(
        organization,
        &record.r#type,
        &record.id,
    ))
}

/// Returns the ARN of an AWS-managed policy in the organization's partition.
fn managed_policy_arn(organization: &OrganizationRecord, managed: &ManagedPolicy) -> String {
    format!(
        "arn:{}:organizations::aws:policy/{}/{}",
        organization.partition,
        managed.policy_type.as_str().to_ascii_lowercase(),
        managed.id
    )
}

/// Returns the ARN of a customer-managed policy of the organization.
fn customer_policy_arn(
    organization: &OrganizationRecord,
    policy_type: &str,
    policy_id: &str,
) -> String {
    format!(
        "arn:{}:organizations::{}:policy/{}/{}/{policy_id}",
        organization.partition,
        organization.management_account_id,
        organization.id,
        policy_type.to_ascii_lowercase(),
    )
}
