//! The organization itself, its root and its OUs, and the parent/child links between them.

use model::organizations::{Child, PolicyType, PolicyTypeStatus, PolicyTypeSummary};
use model::organizations::{
    ChildType, ConstraintViolationExceptionReason, CreateOrganizationRequest,
    CreateOrganizationResponse, CreateOrganizationalUnitRequest, CreateOrganizationalUnitResponse,
    DeleteOrganizationalUnitRequest, DescribeOrganizationResponse,
    DescribeOrganizationalUnitRequest, DescribeOrganizationalUnitResponse, ListChildrenRequest,
    ListChildrenResponse, ListOrganizationalUnitsForParentRequest,
    ListOrganizationalUnitsForParentResponse, ListParentsRequest, ListParentsResponse,
    ListRootsRequest, ListRootsResponse, Organization, OrganizationFeatureSet, OrganizationalUnit,
    Parent, ParentType, Root, UpdateOrganizationalUnitRequest, UpdateOrganizationalUnitResponse,
};
use store::{
    AccountRecord, Change, EnabledPolicyTypeRecord, OrganizationRecord, OrganizationalUnitRecord,
    PolicyAttachmentRecord, RootRecord,
};

use super::paging::PageRequest;
use super::policies::{FULL_AWS_ACCESS, default_attachments, policy_type_summaries};
use super::state::State;
use super::tags::{initial_tags, validated_tags};
use super::transfers::has_active_transfer;
use super::{
    Empty, OperationResult, Organizations, OrganizationsError, Requester, ids, management,
    membership,
};
use crate::time::now_millis;

/// The name AWS gives every root.
const ROOT_NAME: &str = "Root";

impl Organizations {
    pub(super) async fn create_organization(
        &self,
        caller: &Requester<'_>,
        input: CreateOrganizationRequest,
    ) -> OperationResult<CreateOrganizationResponse> {
        let feature_set = input.feature_set.unwrap_or(OrganizationFeatureSet::All);
        self.write(|state| {
            if state.organization_of(&caller.account_id).is_some() {
                return Err(OrganizationsError::AlreadyInOrganization);
            }
            let now = now_millis();
            let organization = OrganizationRecord {
                id: ids::organization_id(),
                feature_set: feature_set.as_str().to_owned(),
                management_account_id: caller.account_id.clone(),
                partition: caller.partition.to_owned(),
                created_at: now,
            };
            let root = RootRecord {
                id: ids::root_id(),
                organization_id: organization.id.clone(),
                name: ROOT_NAME.to_owned(),
            };
            let management_account = AccountRecord {
                id: caller.account_id.clone(),
                organization_id: organization.id.clone(),
                parent_id: root.id.clone(),
                name: MANAGEMENT_ACCOUNT_NAME.to_owned(),
                email: standalone_account_email(&caller.account_id),
                status: "ACTIVE".to_owned(),
                state: "ACTIVE".to_owned(),
                joined_method: "INVITED".to_owned(),
                joined_at: now,
                access_role: None,
                closed_at: None,
                status_until: None,
            };
            // An organization with all features starts with SCPs enabled on its root and
            // FullAWSAccess attached to the root and the management account, as AWS creates it.
            let all_features = feature_set == OrganizationFeatureSet::All;
            let policy_types = if all_features {
                vec![PolicyTypeSummary {
                    status: Some(PolicyTypeStatus::Enabled),
                    type_: Some(PolicyType::ServiceControlPolicy),
                }]
            } else {
                Vec::new()
            };
            let response = CreateOrganizationResponse {
                organization: Some(organization_shape(
                    &organization,
                    &management_account.email,
                    policy_types,
                )),
            };
            let mut changes = Vec::new();
            if all_features {
                changes.push(Change::EnablePolicyType(EnabledPolicyTypeRecord {
                    root_id: root.id.clone(),
                    organization_id: organization.id.clone(),
                    r#type: PolicyType::ServiceControlPolicy.as_str().to_owned(),
                }));
                for target_id in [&root.id, &management_account.id] {
                    changes.push(Change::AttachPolicy(PolicyAttachmentRecord {
                        policy_id: FULL_AWS_ACCESS.id.to_owned(),
                        target_id: target_id.clone(),
                        organization_id: organization.id.clone(),
                    }));
                }
            }
            changes.splice(
                0..0,
                [
                    Change::PutOrganization(organization),
                    Change::PutRoot(root),
                    Change::PutAccount(management_account),
                ],
            );
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_organization(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<DescribeOrganizationResponse> {
        self.read(|state| {
            let organization = membership(state, caller)?;
            let email = state
                .accounts
                .get(&organization.management_account_id)
                .map(|entry| entry.record.email.clone())
                .unwrap_or_default();
            Ok(DescribeOrganizationResponse {
                organization: Some(organization_shape(
                    organization,
                    &email,
                    root_policy_types(state, &organization.id),
                )),
            })
        })
    }

    pub(super) async fn delete_organization(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let members = state
                .organization(&organization.id)
                .map_or(0, |entry| entry.accounts.len());
            if members > 1 {
                return Err(OrganizationsError::OrganizationNotEmpty);
            }
            if has_active_transfer(state, organization) {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::ActiveResponsibilityTransferProcess,
                    "The organization has a responsibility transfer that is requested or accepted. Cancel, decline or terminate it before you delete the organization.",
                ));
            }
            Ok((
                Empty {},
                vec![Change::DeleteOrganization {
                    id: organization.id.clone(),
                }],
            ))
        })
        .await
    }

    pub(super) fn list_roots(
        &self,
        caller: &Requester<'_>,
        input: ListRootsRequest,
    ) -> OperationResult<ListRootsResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let page = PageRequest::new(
                &format!("ListRoots:{}", organization.id),
                input.next_token.as_deref(),
                input.max_results,
            )?;
            let roots = state
                .organization(&organization.id)
                .and_then(|entry| entry.root_id.as_ref())
                .and_then(|id| state.roots.get(id))
                .map(|root| (root.seq, root_shape(state, organization, &root.record)))
                .into_iter()
                .collect();
            let (roots, next_token) = page.take(&roots);
            Ok(ListRootsResponse {
                roots: Some(roots.into_iter().cloned().collect()),
                next_token,
            })
        })
    }

    pub(super) async fn create_organizational_unit(
        &self,
        caller: &Requester<'_>,
        input: CreateOrganizationalUnitRequest,
    ) -> OperationResult<CreateOrganizationalUnitResponse> {
        let settings = self.settings().clone();
        self.write(|state| {
            let organization = management(state, caller)?;
            if !state.is_parent_in(&input.parent_id, &organization.id) {
                return Err(OrganizationsError::ParentNotFound(input.parent_id.clone()));
            }
            let tags = validated_tags(input.tags.as_deref().unwrap_or_default(), settings.max_tags_per_resource)?;
            let count = state.organization(&organization.id).map_or(0, |entry| entry.organizational_units.len());
            if count >= settings.max_organizational_units {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::OuNumberLimitExceeded,
                    format!("You have reached the maximum number of OUs in an organization ({}).", settings.max_organizational_units),
                ));
            }
            if state.ou_depth(&input.parent_id) + 1 > settings.max_ou_depth {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::OuDepthLimitExceeded,
                    format!(
                        "You can't create an OU under {}: OUs can be nested at most {} levels below the root.",
                        input.parent_id, settings.max_ou_depth
                    ),
                ));
            }
            if sibling_with_name(state, &input.parent_id, &input.name, None) {
                return Err(OrganizationsError::DuplicateOrganizationalUnit(input.name.clone()));
            }

            let root_id = state.organization(&organization.id).and_then(|entry| entry.root_id.clone()).unwrap_or_default();
            let record = OrganizationalUnitRecord {
                id: ids::organizational_unit_id(&root_id),
                organization_id: organization.id.clone(),
                parent_id: input.parent_id.clone(),
                name: input.name.clone(),
            };
            let mut path = path_text(state, organization, &input.parent_id);
            path.push_str(&format!("{}/", record.id));
            let response = CreateOrganizationalUnitResponse {
                organizational_unit: Some(OrganizationalUnit {
                    arn: Some(ids::organizational_unit_arn(organization, &record.id)),
                    id: Some(record.id.clone()),
                    name: Some(record.name.clone()),
                    path: Some(path),
                }),
            };
            let mut changes = vec![Change::PutOrganizationalUnit(record.clone())];
            changes.extend(default_attachments(state, &organization.id, &record.id));
            changes.extend(initial_tags(&record.id, &organization.id, tags));
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_organizational_unit(
        &self,
        caller: &Requester<'_>,
        input: DescribeOrganizationalUnitRequest,
    ) -> OperationResult<DescribeOrganizationalUnitResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let ou = find_organizational_unit(state, organization, &input.organizational_unit_id)?;
            Ok(DescribeOrganizationalUnitResponse {
                organizational_unit: Some(ou_shape(state, organization, ou)),
            })
        })
    }

    pub(super) async fn update_organizational_unit(
        &self,
        caller: &Requester<'_>,
        input: UpdateOrganizationalUnitRequest,
    ) -> OperationResult<UpdateOrganizationalUnitResponse> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let current =
                find_organizational_unit(state, organization, &input.organizational_unit_id)?;
            let mut updated = current.clone();
            if let Some(name) = &input.name {
                if sibling_with_name(state, &current.parent_id, name, Some(&current.id)) {
                    return Err(OrganizationsError::DuplicateOrganizationalUnit(
                        name.clone(),
                    ));
                }
                updated.name = name.clone();
            }
            let response = UpdateOrganizationalUnitResponse {
                organizational_unit: Some(ou_shape(state, organization, &updated)),
            };
            let changes = if updated == *current {
                Vec::new()
            } else {
                vec![Change::PutOrganizationalUnit(updated)]
            };
            Ok((response, changes))
        })
        .await
    }

    pub(super) async fn delete_organizational_unit(
        &self,
        caller: &Requester<'_>,
        input: DeleteOrganizationalUnitRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let ou = find_organizational_unit(state, organization, &input.organizational_unit_id)?;
            if state
                .children
                .get(&ou.id)
                .is_some_and(|children| !children.is_empty())
            {
                return Err(OrganizationsError::OrganizationalUnitNotEmpty(
                    ou.id.clone(),
                ));
            }
            Ok((
                Empty {},
                vec![Change::DeleteOrganizationalUnit { id: ou.id.clone() }],
            ))
        })
        .await
    }

    pub(super) fn list_organizational_units_for_parent(
        &self,
        caller: &Requester<'_>,
        input: ListOrganizationalUnitsForParentRequest,
    ) -> OperationResult<ListOrganizationalUnitsForParentResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let children = children_of(state, organization, &input.parent_id)?;
            let scope = format!("ListOrganizationalUnitsForParent:{}", input.parent_id);
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let (ids, next_token) = page.take(&children.organizational_units);
            let units = ids
                .into_iter()
                .filter_map(|id| state.organizational_units.get(id))
                .map(|entry| ou_shape(state, organization, &entry.record))
                .collect();
            Ok(ListOrganizationalUnitsForParentResponse {
                organizational_units: Some(units),
                next_token,
            })
        })
    }

    pub(super) fn list_children(
        &self,
        caller: &Requester<'_>,
        input: ListChildrenRequest,
    ) -> OperationResult<ListChildrenResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let children = children_of(state, organization, &input.parent_id)?;
            let scope = format!(
                "ListChildren:{}:{}",
                input.parent_id,
                input.child_type.as_str()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let listing = match input.child_type {
                ChildType::Account => &children.accounts,
                ChildType::OrganizationalUnit => &children.organizational_units,
            };
            let (ids, next_token) = page.take(listing);
            let children = ids
                .into_iter()
                .map(|id| Child {
                    id: Some(id.clone()),
                    type_: Some(input.child_type),
                })
                .collect();
            Ok(ListChildrenResponse {
                children: Some(children),
                next_token,
            })
        })
    }

    pub(super) fn list_parents(
        &self,
        caller: &Requester<'_>,
        input: ListParentsRequest,
    ) -> OperationResult<ListParentsResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let in_organization = state
                .accounts
                .get(&input.child_id)
                .map(|entry| &entry.record.organization_id)
                .or_else(|| {
                    state
                        .organizational_units
                        .get(&input.child_id)
                        .map(|entry| &entry.record.organization_id)
                })
                .is_some_and(|id| *id == organization.id);
            let parent_id = match state.parent_of(&input.child_id) {
                Some(parent_id) if in_organization => parent_id,
                _ => return Err(OrganizationsError::ChildNotFound(input.child_id.clone())),
            };
            let page = PageRequest::new(
                &format!("ListParents:{}", input.child_id),
                input.next_token.as_deref(),
                input.max_results,
            )?;
            let parent_type = if state.roots.contains_key(parent_id) {
                ParentType::Root
            } else {
                ParentType::OrganizationalUnit
            };
            let parents = [(
                0,
                Parent {
                    id: Some(parent_id.to_owned()),
                    type_: Some(parent_type),
                },
            )]
            .into_iter()
            .collect();
            let (parents, next_token) = page.take(&parents);
            Ok(ListParentsResponse {
                parents: Some(parents.into_iter().cloned().collect()),
                next_token,
            })
        })
    }
}

/// The name bulkhead gives a management account whose real name it does not have.
pub(super) const MANAGEMENT_ACCOUNT_NAME: &str = "Management Account";

/// Returns the email address bulkhead gives an account that joined without one, such as the
/// management account of an organization created with convenience credentials.
pub(super) fn standalone_account_email(account_id: &str) -> String {
    format!("account-{account_id}@example.com")
}

pub(super) fn organization_shape(
    organization: &OrganizationRecord,
    management_email: &str,
    policy_types: Vec<PolicyTypeSummary>,
) -> Organization {
    Organization {
        arn: Some(ids::organization_arn(organization)),
        available_policy_types: Some(policy_types),
        feature_set: OrganizationFeatureSet::from_wire(&organization.feature_set),
        id: Some(organization.id.clone()),
        master_account_arn: Some(ids::account_arn(
            organization,
            &organization.management_account_id,
        )),
        master_account_email: Some(management_email.to_owned()),
        master_account_id: Some(organization.management_account_id.clone()),
    }
}

fn root_shape(state: &State, organization: &OrganizationRecord, root: &RootRecord) -> Root {
    root_shape_with(organization, root, policy_type_summaries(state, &root.id))
}

/// Returns the `Root` shape with the given policy types, for responses that report a change to them.
pub(super) fn root_shape_with(
    organization: &OrganizationRecord,
    root: &RootRecord,
    policy_types: Vec<PolicyTypeSummary>,
) -> Root {
    Root {
        arn: Some(ids::root_arn(organization, &root.id)),
        id: Some(root.id.clone()),
        name: Some(root.name.clone()),
        policy_types: Some(policy_types),
    }
}

/// Returns the policy types enabled on an organization's root.
fn root_policy_types(state: &State, organization_id: &str) -> Vec<PolicyTypeSummary> {
    state
        .organization(organization_id)
        .and_then(|entry| entry.root_id.as_ref())
        .map(|root_id| policy_type_summaries(state, root_id))
        .unwrap_or_default()
}

fn ou_shape(
    state: &State,
    organization: &OrganizationRecord,
    ou: &OrganizationalUnitRecord,
) -> OrganizationalUnit {
    OrganizationalUnit {
        arn: Some(ids::organizational_unit_arn(organization, &ou.id)),
        id: Some(ou.id.clone()),
        name: Some(ou.name.clone()),
        path: Some(path_text(state, organization, &ou.id)),
    }
}

/// Returns the `Path` of a root, OU or account: `o-…/r-…/ou-…/…/`, ending with the entity itself.
pub(super) fn path_text(state: &State, organization: &OrganizationRecord, id: &str) -> String {
    let mut text = format!("{}/", organization.id);
    for step in state.path_to(id) {
        text.push_str(&step);
        text.push('/');
    }
    text
}

fn find_organizational_unit<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    ou_id: &str,
) -> OperationResult<&'s OrganizationalUnitRecord> {
    state
        .organizational_units
        .get(ou_id)
        .map(|entry| &entry.record)
        .filter(|ou| ou.organization_id == organization.id)
        .ok_or_else(|| OrganizationsError::OrganizationalUnitNotFound(ou_id.to_owned()))
}

/// Returns the children of a root or OU of the organization.
pub(super) fn children_of<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    parent_id: &str,
) -> OperationResult<&'s super::state::Children> {
    if !state.is_parent_in(parent_id, &organization.id) {
        return Err(OrganizationsError::ParentNotFound(parent_id.to_owned()));
    }
    state
        .children
        .get(parent_id)
        .ok_or_else(|| OrganizationsError::ParentNotFound(parent_id.to_owned()))
}

fn sibling_with_name(state: &State, parent_id: &str, name: &str, except: Option<&str>) -> bool {
    state.children.get(parent_id).is_some_and(|children| {
        children.organizational_units.values().any(|id| {
            Some(id.as_str()) != except
                && state
                    .organizational_units
                    .get(id)
                    .is_some_and(|entry| entry.record.name == name)
        })
    })
}
