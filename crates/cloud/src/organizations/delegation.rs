//! Delegated administrators, trusted service access and the organization's resource policy,
//! and what they allow a member account to call.

use std::collections::BTreeMap;

use model::Timestamp;
use model::organizations::{
    ConstraintViolationExceptionReason, DelegatedAdministrator, DelegatedService,
    DeregisterDelegatedAdministratorRequest, DescribeResourcePolicyResponse,
    DisableAWSServiceAccessRequest, EnableAWSServiceAccessRequest, EnabledServicePrincipal,
    InvalidInputExceptionReason, ListAWSServiceAccessForOrganizationRequest,
    ListAWSServiceAccessForOrganizationResponse, ListDelegatedAdministratorsRequest,
    ListDelegatedAdministratorsResponse, ListDelegatedServicesForAccountRequest,
    ListDelegatedServicesForAccountResponse, Operation, OrganizationFeatureSet,
    PutResourcePolicyRequest, PutResourcePolicyResponse, RegisterDelegatedAdministratorRequest,
    ResourcePolicy, ResourcePolicySummary,
};
use policy::{Evaluator, Policy, PolicyKind, PolicySet, Principal, Request, Resource};
use store::{
    Change, DelegatedAdministratorRecord, OrganizationRecord, ResourcePolicyRecord,
    ServiceAccessRecord,
};

use super::paging::PageRequest;
use super::state::State;
use super::tags::{initial_tags, validated_tags};
use super::{
    Empty, OperationResult, Organizations, OrganizationsError, Requester, ids, management,
};
use crate::time::now_millis;

/// Service principals that can have trusted access to an organization.
const TRUSTED_SERVICES: &[&str] = &[
    "access-analyzer.amazonaws.com",
    "account.amazonaws.com",
    "auditmanager.amazonaws.com",
    "aws-artifact-account-sync.amazonaws.com",
    "backup.amazonaws.com",
    "bedrock.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "compute-optimizer.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "controltower.amazonaws.com",
    "detective.amazonaws.com",
    "devops-guru.amazonaws.com",
    "ds.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "health.amazonaws.com",
    "inspector2.amazonaws.com",
    "ipam.amazonaws.com",
    "license-management.marketplace.amazonaws.com",
    "license-manager.amazonaws.com",
    "license-manager.member-account.amazonaws.com",
    "license-manager-linux-subscriptions.amazonaws.com",
    "macie.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "mgn.amazonaws.com",
    "ram.amazonaws.com",
    "reachabilityanalyzer.networkinsights.amazonaws.com",
    "reporting.trustedadvisor.amazonaws.com",
    "securityhub.amazonaws.com",
    "securitylake.amazonaws.com",
    "servicecatalog.amazonaws.com",
    "servicequotas.amazonaws.com",
    "ssm.amazonaws.com",
    "sso.amazonaws.com",
    "stacksets.cloudformation.amazonaws.com",
    "storage-lens.s3.amazonaws.com",
    "tagpolicies.tag.amazonaws.com",
    "wellarchitected.amazonaws.com",
];

/// Trusted services that cannot have a delegated administrator.
const NOT_DELEGABLE: &[&str] = &[
    "controltower.amazonaws.com",
    "ram.amazonaws.com",
    "tagpolicies.tag.amazonaws.com",
    "aws-artifact-account-sync.amazonaws.com",
    "license-management.marketplace.amazonaws.com",
    "mgn.amazonaws.com",
];

/// Services that accept a single delegated administrator.
///
/// NOTE: AWS lists the delegated-administrator quota per service in its documentation; this
/// short list and the limit of 5 for every other service are bulkhead's estimate.
const SINGLE_ADMINISTRATOR: &[&str] = &[
    "access-analyzer.amazonaws.com",
    "detective.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "inspector2.amazonaws.com",
    "macie.amazonaws.com",
    "securityhub.amazonaws.com",
];

fn max_administrators(service_principal: &str) -> usize {
    if SINGLE_ADMINISTRATOR.contains(&service_principal) {
        1
    } else {
        5
    }
}

/// The read-only operations a delegated administrator of any service may call.
const DELEGATED_READ_OPERATIONS: &[Operation] = &[
    Operation::DescribeAccount,
    Operation::DescribeCreateAccountStatus,
    Operation::DescribeEffectivePolicy,
    Operation::DescribeHandshake,
    Operation::DescribeOrganizationalUnit,
    Operation::DescribePolicy,
    Operation::DescribeResourcePolicy,
    Operation::ListAWSServiceAccessForOrganization,
    Operation::ListAccounts,
    Operation::ListAccountsForParent,
    Operation::ListAccountsWithInvalidEffectivePolicy,
    Operation::ListChildren,
    Operation::ListCreateAccountStatus,
    Operation::ListDelegatedAdministrators,
    Operation::ListDelegatedServicesForAccount,
    Operation::ListEffectivePolicyValidationErrors,
    Operation::ListHandshakesForOrganization,
    Operation::ListOrganizationalUnitsForParent,
    Operation::ListParents,
    Operation::ListPolicies,
    Operation::ListPoliciesForTarget,
    Operation::ListRoots,
    Operation::ListTagsForResource,
    Operation::ListTargetsForPolicy,
];

/// Returns whether a member account may call a management-account operation of its organization: as a
/// delegated administrator for the read-only operations, or because the organization's resource
/// policy allows it.
pub(super) fn is_granted(
    state: &State,
    account_id: &str,
    partition: &str,
    operation: Operation,
) -> bool {
    let Some(organization) = state.organization_of(account_id) else {
        return false;
    };
    if organization.management_account_id == account_id {
        return false;
    }
    if is_delegated_administrator(state, account_id)
        && DELEGATED_READ_OPERATIONS.contains(&operation)
    {
        return true;
    }
    let Some(record) = state.resource_policies.get(&organization.id) else {
        return false;
    };
    resource_policy_allows(organization, record, account_id, partition, operation)
}

/// Evaluates the organization's resource policy for a member account's root user. The root
/// user has every permission in its own account, so the resource policy decides.
///
/// NOTE: the request names the organization's ARN as its resource, whatever the operation
/// targets, so statements scoped to the ARN of a policy, OU or account do not match yet.
fn resource_policy_allows(
    organization: &OrganizationRecord,
    record: &ResourcePolicyRecord,
    account_id: &str,
    partition: &str,
    operation: Operation,
) -> bool {
    let Ok(resource_policy) = Policy::compile(&record.id, PolicyKind::Resource, &record.content)
    else {
        return false;
    };
    let Ok(root_permissions) = Policy::compile(
        "root-user",
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ) else {
        return false;
    };
    let action = format!("organizations:{}", operation.name());
    let resource = Resource::new(&super::ids::organization_arn(organization))
        .with_account(&organization.management_account_id);
    let principal = Principal::root(account_id);
    let Ok(request) = Request::builder(principal, &action, resource)
        .region(partition_region(partition))
        .build()
    else {
        return false;
    };
    let identity = [root_permissions];
    let policies = PolicySet {
        identity: &identity,
        resource: Some(&resource_policy),
        ..PolicySet::default()
    };
    Evaluator::new().authorize(&request, &policies).is_allowed()
}

/// Organizations is served from one region per partition.
fn partition_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

fn require_all_features(organization: &OrganizationRecord) -> OperationResult<()> {
    if organization.feature_set == OrganizationFeatureSet::All.as_str() {
        Ok(())
    } else {
        Err(OrganizationsError::constraint(
            ConstraintViolationExceptionReason::OrganizationNotInAllFeaturesMode,
            "This operation needs an organization with all features enabled.",
        ))
    }
}

fn recognized(service_principal: &str) -> OperationResult<()> {
    if TRUSTED_SERVICES.contains(&service_principal) {
        Ok(())
    } else {
        Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::UnrecognizedServicePrincipal,
            format!(
                "{service_principal} is not a service principal that integrates with AWS Organizations."
            ),
        ))
    }
}

fn member_account<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    account_id: &str,
) -> OperationResult<&'s store::AccountRecord> {
    state
        .accounts
        .get(account_id)
        .map(|entry| &entry.record)
        .filter(|account| account.organization_id == organization.id)
        .ok_or_else(|| OrganizationsError::AccountNotFound(account_id.to_owned()))
}

/// Returns whether an account is a delegated administrator for any service.
pub(super) fn is_delegated_administrator(state: &State, account_id: &str) -> bool {
    state
        .delegated_administrators
        .iter()
        .any(|record| record.account_id == account_id)
}

impl Organizations {
    pub(super) async fn register_delegated_administrator(
        &self,
        caller: &Requester<'_>,
        input: RegisterDelegatedAdministratorRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            require_all_features(organization)?;
            recognized(&input.service_principal)?;
            let account = member_account(state, organization, &input.account_id)?;
            if account.id == organization.management_account_id {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::CannotRegisterMasterAsDelegatedAdministrator,
                    "You can't register the management account as a delegated administrator.",
                ));
            }
            if account.status != "ACTIVE" {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::CannotRegisterSuspendedAccountAsDelegatedAdministrator,
                    format!("The account {} is not active and can't be a delegated administrator.", account.id),
                ));
            }
            if NOT_DELEGABLE.contains(&input.service_principal.as_str()) {
                return Err(OrganizationsError::invalid(
                    InvalidInputExceptionReason::UnrecognizedServicePrincipal,
                    format!("{} does not support delegated administrators.", input.service_principal),
                ));
            }
            let enabled = state.service_access.iter().any(|record| {
                record.organization_id == organization.id && record.service_principal == input.service_principal
            });
            if !enabled {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::ServiceAccessNotEnabled,
                    format!("Enable trusted access for {} before you register a delegated administrator.", input.service_principal),
                ));
            }
            let current: Vec<&DelegatedAdministratorRecord> = state
                .delegated_administrators
                .iter()
                .filter(|record| record.organization_id == organization.id && record.service_principal == input.service_principal)
                .collect();
            if current.iter().any(|record| record.account_id == input.account_id) {
                return Err(OrganizationsError::AccountAlreadyRegistered(input.account_id.clone()));
            }
            let limit = max_administrators(&input.service_principal);
            if current.len() >= limit {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::MaxDelegatedAdministratorsForServiceLimitExceeded,
                    format!("{} accepts at most {limit} delegated administrators.", input.service_principal),
                ));
            }
            let change = Change::PutDelegatedAdministrator(DelegatedAdministratorRecord {
                account_id: input.account_id.clone(),
                service_principal: input.service_principal.clone(),
                organization_id: organization.id.clone(),
                delegated_at: now_millis(),
            });
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) async fn deregister_delegated_administrator(
        &self,
        caller: &Requester<'_>,
        input: DeregisterDelegatedAdministratorRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            recognized(&input.service_principal)?;
            member_account(state, organization, &input.account_id)?;
            let registered = state.delegated_administrators.iter().any(|record| {
                record.account_id == input.account_id
                    && record.service_principal == input.service_principal
            });
            if !registered {
                return Err(OrganizationsError::AccountNotRegistered(
                    input.account_id.clone(),
                ));
            }
            let change = Change::DeleteDelegatedAdministrator {
                account_id: input.account_id.clone(),
                service_principal: input.service_principal.clone(),
            };
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) fn list_delegated_administrators(
        &self,
        caller: &Requester<'_>,
        input: ListDelegatedAdministratorsRequest,
    ) -> OperationResult<ListDelegatedAdministratorsResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let filter = input.service_principal.as_deref();
            let scope = format!(
                "ListDelegatedAdministrators:{}:{}",
                organization.id,
                filter.unwrap_or_default()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            // One entry per account, at the position of its first registration, dated by it.
            let mut listing: BTreeMap<u64, DelegatedAdministrator> = BTreeMap::new();
            let mut seen: Vec<&str> = Vec::new();
            for (position, record) in state.delegated_administrators.iter().enumerate() {
                if record.organization_id != organization.id
                    || filter.is_some_and(|principal| principal != record.service_principal)
                    || seen.contains(&record.account_id.as_str())
                {
                    continue;
                }
                seen.push(&record.account_id);
                if let Some(account) = state.accounts.get(&record.account_id) {
                    let account = &account.record;
                    let shape = DelegatedAdministrator {
                        arn: Some(ids::account_arn(organization, &account.id)),
                        delegation_enabled_date: Some(Timestamp::from_epoch_millis(
                            record.delegated_at,
                        )),
                        email: Some(account.email.clone()),
                        id: Some(account.id.clone()),
                        joined_method: model::organizations::AccountJoinedMethod::from_wire(
                            &account.joined_method,
                        ),
                        joined_timestamp: Some(Timestamp::from_epoch_millis(account.joined_at)),
                        name: Some(account.name.clone()),
                        state: model::organizations::AccountState::from_wire(&account.state),
                        status: model::organizations::AccountStatus::from_wire(&account.status),
                    };
                    listing.insert(position as u64, shape);
                }
            }
            let (administrators, next_token) = page.take(&listing);
            Ok(ListDelegatedAdministratorsResponse {
                delegated_administrators: Some(administrators.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) fn list_delegated_services_for_account(
        &self,
        caller: &Requester<'_>,
        input: ListDelegatedServicesForAccountRequest,
    ) -> OperationResult<ListDelegatedServicesForAccountResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            member_account(state, organization, &input.account_id)?;
            let listing: BTreeMap<u64, DelegatedService> = state
                .delegated_administrators
                .iter()
                .enumerate()
                .filter(|(_, record)| record.account_id == input.account_id)
                .map(|(position, record)| {
                    let service = DelegatedService {
                        delegation_enabled_date: Some(Timestamp::from_epoch_millis(
                            record.delegated_at,
                        )),
                        service_principal: Some(record.service_principal.clone()),
                    };
                    (position as u64, service)
                })
                .collect();
            if listing.is_empty() {
                return Err(OrganizationsError::AccountNotRegistered(
                    input.account_id.clone(),
                ));
            }
            let scope = format!("ListDelegatedServicesForAccount:{}", input.account_id);
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let (services, next_token) = page.take(&listing);
            Ok(ListDelegatedServicesForAccountResponse {
                delegated_services: Some(services.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) async fn enable_aws_service_access(
        &self,
        caller: &Requester<'_>,
        input: EnableAWSServiceAccessRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            require_all_features(organization)?;
            recognized(&input.service_principal)?;
            let change = Change::PutServiceAccess(ServiceAccessRecord {
                organization_id: organization.id.clone(),
                service_principal: input.service_principal.clone(),
                enabled_at: now_millis(),
            });
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) async fn disable_aws_service_access(
        &self,
        caller: &Requester<'_>,
        input: DisableAWSServiceAccessRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            recognized(&input.service_principal)?;
            let change = Change::DeleteServiceAccess {
                organization_id: organization.id.clone(),
                service_principal: input.service_principal.clone(),
            };
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) fn list_aws_service_access_for_organization(
        &self,
        caller: &Requester<'_>,
        input: ListAWSServiceAccessForOrganizationRequest,
    ) -> OperationResult<ListAWSServiceAccessForOrganizationResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let scope = format!("ListAWSServiceAccessForOrganization:{}", organization.id);
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let listing: BTreeMap<u64, EnabledServicePrincipal> = state
                .service_access
                .iter()
                .enumerate()
                .filter(|(_, record)| record.organization_id == organization.id)
                .map(|(position, record)| {
                    let principal = EnabledServicePrincipal {
                        date_enabled: Some(Timestamp::from_epoch_millis(record.enabled_at)),
                        service_principal: Some(record.service_principal.clone()),
                    };
                    (position as u64, principal)
                })
                .collect();
            let (principals, next_token) = page.take(&listing);
            Ok(ListAWSServiceAccessForOrganizationResponse {
                enabled_service_principals: Some(principals.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) async fn put_resource_policy(
        &self,
        caller: &Requester<'_>,
        input: PutResourcePolicyRequest,
    ) -> OperationResult<PutResourcePolicyResponse> {
        let max_tags = self.settings().max_tags_per_resource;
        self.write(|state| {
            let organization = management(state, caller)?;
            let tags = validated_tags(input.tags.as_deref().unwrap_or_default(), max_tags)?;
            validate_resource_policy(&input.content)?;
            let existing = state.resource_policies.get(&organization.id);
            let record = ResourcePolicyRecord {
                organization_id: organization.id.clone(),
                id: existing
                    .map(|record| record.id.clone())
                    .unwrap_or_else(ids::resource_policy_id),
                content: input.content.clone(),
            };
            let response = PutResourcePolicyResponse {
                resource_policy: Some(resource_policy_shape(organization, &record)),
            };
            let mut changes = vec![Change::PutResourcePolicy(record.clone())];
            changes.extend(initial_tags(&record.id, &organization.id, tags));
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_resource_policy(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<DescribeResourcePolicyResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let record = state
                .resource_policies
                .get(&organization.id)
                .ok_or(OrganizationsError::ResourcePolicyNotFound)?;
            Ok(DescribeResourcePolicyResponse {
                resource_policy: Some(resource_policy_shape(organization, record)),
            })
        })
    }

    pub(super) async fn delete_resource_policy(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let record = state
                .resource_policies
                .get(&organization.id)
                .ok_or(OrganizationsError::ResourcePolicyNotFound)?;
            let changes = vec![
                Change::DeleteResourcePolicy {
                    organization_id: organization.id.clone(),
                },
                Change::SetTags {
                    resource_id: record.id.clone(),
                    organization_id: organization.id.clone(),
                    tags: Vec::new(),
                },
            ];
            Ok((Empty {}, changes))
        })
        .await
    }
}

/// Checks a resource policy: the IAM grammar of resource policies, and only Organizations
/// actions.
fn validate_resource_policy(content: &str) -> OperationResult<()> {
    Policy::compile("resource-policy", PolicyKind::Resource, content).map_err(|error| {
        OrganizationsError::invalid(
            InvalidInputExceptionReason::InvalidResourcePolicyJson,
            error.to_string(),
        )
    })?;
    let document: serde_json::Value = serde_json::from_str(content).unwrap_or_default();
    let statements = match &document["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    for statement in statements {
        let actions = match &statement["Action"] {
            serde_json::Value::String(action) => vec![action.clone()],
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(action) = actions
            .iter()
            .find(|action| !action.to_ascii_lowercase().starts_with("organizations:"))
        {
            return Err(OrganizationsError::invalid(
                InvalidInputExceptionReason::UnsupportedActionInResourcePolicy,
                format!("The resource policy may grant only organizations: actions, not {action}."),
            ));
        }
    }
    Ok(())
}

fn resource_policy_shape(
    organization: &OrganizationRecord,
    record: &ResourcePolicyRecord,
) -> ResourcePolicy {
    ResourcePolicy {
        content: Some(record.content.clone()),
        resource_policy_summary: Some(ResourcePolicySummary {
            arn: Some(format!(
                "arn:{}:organizations::{}:resourcepolicy/{}/{}",
                organization.partition,
                organization.management_account_id,
                organization.id,
                record.id
            )),
            id: Some(record.id.clone()),
        }),
    }
}
