//! Roles: CreateRole, GetRole, DeleteRole, ListRoles, their trust policy, settings and tags.

use policy::PolicyKind;
use serde_json::{Value, json};
use store::{IamChange, IamRoleRecord};

use super::documents::{
    Input, merge_tags, path_or_root, remove_tags, tags_json, url_encode, validated_document,
};
use super::paging::page;
use super::policies::boundary_json;
use super::state::{RoleEntry, State, decode_tags, encode_tags, role_arn};
use super::{Iam, IamError, IamResult, timestamp, unique_id};
use crate::Caller;
use crate::time::now_millis;

/// A role's MaxSessionDuration when CreateRole names none: one hour, in seconds.
pub(crate) const DEFAULT_MAX_SESSION_DURATION: i64 = 3_600;

/// The maximum number of roles in one account: 1,000, AWS's default quota.
pub(crate) const MAX_ROLES_PER_ACCOUNT: usize = 1_000;

impl Iam {
    pub(super) async fn create_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        let name = input.text("RoleName");
        let (trust, _) = validated_document(
            name,
            PolicyKind::RoleTrust,
            input.text("AssumeRolePolicyDocument"),
            None,
        )?;
        let mut tags = Vec::new();
        merge_tags(&mut tags, input.tags())?;
        self.write(|state| {
            let account = state.account(&caller.account_id);
            if state.role(&caller.account_id, name).is_some() {
                return Err(IamError::EntityAlreadyExists(format!(
                    "Role with name {name} already exists."
                )));
            }
            if account.is_some_and(|account| account.roles.len() >= MAX_ROLES_PER_ACCOUNT) {
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for RolesPerAccount: {MAX_ROLES_PER_ACCOUNT}"
                )));
            }
            let boundary = input
                .optional("PermissionsBoundary")
                .map(|arn| state.boundary_policy(caller, arn))
                .transpose()?;
            let record = IamRoleRecord {
                account_id: caller.account_id.clone(),
                name: name.to_owned(),
                role_id: unique_id("AROA"),
                path: path_or_root(input.optional("Path")),
                partition: caller.partition.to_owned(),
                trust_policy: trust,
                description: input.optional("Description").map(str::to_owned),
                max_session_duration: input
                    .integer("MaxSessionDuration")
                    .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
                permissions_boundary: boundary,
                tags: encode_tags(&tags),
                created_at: now_millis(),
            };
            let output = json!({ "Role": role_json(&record, true) });
            Ok((output, vec![IamChange::PutRole(record)]))
        })
        .await
    }

    pub(super) fn get_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let role = existing_role(state, caller, input.text("RoleName"))?;
            Ok(json!({ "Role": role_json(&role.record, true) }))
        })
    }

    pub(super) async fn delete_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.write(|state| {
            let role = existing_role(state, caller, input.text("RoleName"))?;
            if !role.inline.is_empty() {
                return Err(IamError::delete_conflict(
                    "Cannot delete entity, must delete policies first.",
                ));
            }
            if !role.attached.is_empty() {
                return Err(IamError::delete_conflict(
                    "Cannot delete entity, must detach all policies first.",
                ));
            }
            let change = IamChange::DeleteRole {
                account_id: caller.account_id.clone(),
                name: role.record.name.clone(),
            };
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn list_roles(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let prefix = input.optional("PathPrefix").unwrap_or("/");
            let roles = state
                .account(&caller.account_id)
                .map(|account| {
                    account
                        .roles
                        .iter()
                        .filter(|(_, role)| role.record.path.starts_with(prefix))
                        .map(|(key, role)| (key.clone(), role_json(&role.record, false)))
                        .collect()
                })
                .unwrap_or_default();
            page(input, "Roles", roles)
        })
    }

    pub(super) async fn update_assume_role_policy(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let name = input.text("RoleName");
        let (trust, _) = validated_document(
            name,
            PolicyKind::RoleTrust,
            input.text("PolicyDocument"),
            None,
        )?;
        self.update_role_record(caller, name, |record| {
            record.trust_policy = trust;
            Ok(())
        })
        .await
    }

    pub(super) async fn update_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.update_role_record(caller, input.text("RoleName"), |record| {
            if let Some(description) = input.optional("Description") {
                record.description = Some(description.to_owned());
            }
            if let Some(duration) = input.integer("MaxSessionDuration") {
                record.max_session_duration = duration;
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn tag_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.update_role_record(caller, input.text("RoleName"), |record| {
            let mut tags = decode_tags(&record.tags);
            merge_tags(&mut tags, input.tags())?;
            record.tags = encode_tags(&tags);
            Ok(())
        })
        .await
    }

    pub(super) async fn untag_role(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.update_role_record(caller, input.text("RoleName"), |record| {
            let mut tags = decode_tags(&record.tags);
            remove_tags(&mut tags, &input.strings("TagKeys"));
            record.tags = encode_tags(&tags);
            Ok(())
        })
        .await
    }

    pub(super) fn list_role_tags(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let role = existing_role(state, caller, input.text("RoleName"))?;
            let tags = decode_tags(&role.record.tags);
            tags_page(input, &tags)
        })
    }

    /// Changes one role's record with `update` and stores it; the output is empty.
    pub(super) async fn update_role_record(
        &self,
        caller: &Caller,
        name: &str,
        update: impl FnOnce(&mut IamRoleRecord) -> IamResult<()>,
    ) -> IamResult<Value> {
        self.write(|state| {
            let mut record = existing_role(state, caller, name)?.record.clone();
            update(&mut record)?;
            Ok((json!({}), vec![IamChange::PutRole(record)]))
        })
        .await
    }
}

/// Returns one page of tags in ListRoleTags' and ListUserTags' shape, in the order they were
/// added.
pub(super) fn tags_page(input: Input<'_>, tags: &[(String, String)]) -> IamResult<Value> {
    let items = tags
        .iter()
        .enumerate()
        .map(|(index, (key, value))| (format!("{index:05}"), json!({"Key": key, "Value": value})))
        .collect();
    page(input, "Tags", items)
}

/// Finds a role of the caller's account, or fails with NoSuchEntity.
pub(super) fn existing_role<'s>(
    state: &'s State,
    caller: &Caller,
    name: &str,
) -> IamResult<&'s RoleEntry> {
    state
        .role(&caller.account_id, name)
        .ok_or_else(|| IamError::no_such_role(name))
}

/// Returns a role in the wire's `Role` shape. ListRoles leaves out the boundary, tags and
/// last use, as IAM does (`full` false).
fn role_json(record: &IamRoleRecord, full: bool) -> Value {
    let mut role = json!({
        "Path": record.path,
        "RoleName": record.name,
        "RoleId": record.role_id,
        "Arn": role_arn(record),
        "CreateDate": timestamp(record.created_at),
        "AssumeRolePolicyDocument": url_encode(&record.trust_policy),
        "MaxSessionDuration": record.max_session_duration,
    });
    if let Some(description) = &record.description {
        role["Description"] = json!(description);
    }
    if full {
        if let Some(boundary) = &record.permissions_boundary {
            role["PermissionsBoundary"] = boundary_json(boundary);
        }
        let tags = decode_tags(&record.tags);
        if !tags.is_empty() {
            role["Tags"] = tags_json(&tags);
        }
        role["RoleLastUsed"] = json!({});
    }
    role
}

impl State {
    /// Checks that `arn` names a managed policy the caller may use as a permissions boundary
    /// and returns it.
    pub(super) fn boundary_policy(&self, caller: &Caller, arn: &str) -> IamResult<String> {
        if self.managed_policy_exists(caller, arn) {
            Ok(arn.to_owned())
        } else {
            Err(IamError::NoSuchEntity(format!(
                "Scope ARN: {arn} does not exist or is not attachable."
            )))
        }
    }
}
