//! Users and their access keys: CreateUser, GetUser, DeleteUser, ListUsers, user tags,
//! CreateAccessKey, DeleteAccessKey, UpdateAccessKey and ListAccessKeys.

use serde_json::{Value, json};
use store::{IamAccessKeyRecord, IamChange, IamUserRecord};

use super::documents::{Input, merge_tags, path_or_root, remove_tags, tags_json};
use super::paging::page;
use super::policies::boundary_json;
use super::roles::tags_page;
use super::state::{State, UserEntry, decode_tags, encode_tags, user_arn};
use super::{Iam, IamError, IamResult, timestamp, unique_id};
use crate::Caller;
use crate::random::{SECRET_ALPHABET, UPPER_ALPHANUMERIC, random_text};
use crate::time::now_millis;

/// The maximum number of users in one account: 5,000, AWS's quota.
pub(crate) const MAX_USERS_PER_ACCOUNT: usize = 5_000;

/// The maximum number of access keys of one user: 2, AWS's quota.
pub(crate) const MAX_ACCESS_KEYS_PER_USER: usize = 2;

impl Iam {
    pub(super) async fn create_user(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        let name = input.text("UserName");
        let mut tags = Vec::new();
        merge_tags(&mut tags, input.tags())?;
        self.write(|state| {
            if state.user(&caller.account_id, name).is_some() {
                return Err(IamError::EntityAlreadyExists(format!(
                    "User with name {name} already exists."
                )));
            }
            let account = state.account(&caller.account_id);
            if account.is_some_and(|account| account.users.len() >= MAX_USERS_PER_ACCOUNT) {
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for UsersPerAccount: {MAX_USERS_PER_ACCOUNT}"
                )));
            }
            let boundary = input
                .optional("PermissionsBoundary")
                .map(|arn| state.boundary_policy(caller, arn))
                .transpose()?;
            let record = IamUserRecord {
                account_id: caller.account_id.clone(),
                name: name.to_owned(),
                user_id: unique_id("AIDA"),
                path: path_or_root(input.optional("Path")),
                partition: caller.partition.to_owned(),
                permissions_boundary: boundary,
                tags: encode_tags(&tags),
                created_at: now_millis(),
            };
            let output = json!({ "User": user_json(&record, true) });
            Ok((output, vec![IamChange::PutUser(record)]))
        })
        .await
    }

    /// Returns the named user, or the caller when the request names none. A root user gets
    /// its own shape; a role session must name a user, as IAM requires.
    pub(super) fn get_user(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let name = match input.optional("UserName") {
                Some(name) => name,
                None => match caller_user_name(caller) {
                    Some(name) => name,
                    None if caller.role_arn.is_none() && caller.arn.ends_with(":root") => {
                        return Ok(json!({
                            "User": {
                                "UserId": caller.account_id,
                                "Arn": caller.arn,
                                "Path": "/",
                                "UserName": "",
                                "CreateDate": timestamp(0),
                            },
                        }));
                    }
                    None => return Err(non_user_credentials()),
                },
            };
            let user = existing_user(state, caller, name)?;
            Ok(json!({ "User": user_json(&user.record, true) }))
        })
    }

    pub(super) async fn delete_user(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.write(|state| {
            let user = existing_user(state, caller, input.text("UserName"))?;
            if !live_keys(state, caller, &user.record.name).is_empty() {
                return Err(IamError::delete_conflict(
                    "Cannot delete entity, must delete access keys first.",
                ));
            }
            if !user.inline.is_empty() {
                return Err(IamError::delete_conflict(
                    "Cannot delete entity, must delete policies first.",
                ));
            }
            if !user.attached.is_empty() {
                return Err(IamError::delete_conflict(
                    "Cannot delete entity, must detach all policies first.",
                ));
            }
            let change = IamChange::DeleteUser {
                account_id: caller.account_id.clone(),
                name: user.record.name.clone(),
            };
            Ok((json!({}), vec![change]))
        })
        .await
    }

    pub(super) fn list_users(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let prefix = input.optional("PathPrefix").unwrap_or("/");
            let users = state
                .account(&caller.account_id)
                .map(|account| {
                    account
                        .users
                        .iter()
                        .filter(|(_, user)| user.record.path.starts_with(prefix))
                        .map(|(key, user)| (key.clone(), user_json(&user.record, false)))
                        .collect()
                })
                .unwrap_or_default();
            page(input, "Users", users)
        })
    }

    pub(super) async fn tag_user(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.update_user_tags(caller, input, |tags| merge_tags(tags, input.tags()))
            .await
    }

    pub(super) async fn untag_user(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.update_user_tags(caller, input, |tags| {
            remove_tags(tags, &input.strings("TagKeys"));
            Ok(())
        })
        .await
    }

    pub(super) fn list_user_tags(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let user = existing_user(state, caller, input.text("UserName"))?;
            tags_page(input, &decode_tags(&user.record.tags))
        })
    }

    async fn update_user_tags(
        &self,
        caller: &Caller,
        input: Input<'_>,
        update: impl FnOnce(&mut Vec<(String, String)>) -> IamResult<()>,
    ) -> IamResult<Value> {
        self.write(|state| {
            let mut record = existing_user(state, caller, input.text("UserName"))?
                .record
                .clone();
            let mut tags = decode_tags(&record.tags);
            update(&mut tags)?;
            record.tags = encode_tags(&tags);
            Ok((json!({}), vec![IamChange::PutUser(record)]))
        })
        .await
    }

    pub(super) async fn create_access_key(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        self.write(|state| {
            let name = key_owner(caller, input)?;
            let user = existing_user(state, caller, name)?;
            if live_keys(state, caller, &user.record.name).len() >= MAX_ACCESS_KEYS_PER_USER {
                return Err(IamError::LimitExceeded(format!(
                    "Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS_PER_USER}"
                )));
            }
            let record = IamAccessKeyRecord {
                access_key_id: format!("AKIA{}", random_text(UPPER_ALPHANUMERIC, 16)),
                account_id: caller.account_id.clone(),
                user_name: user.record.name.clone(),
                secret: random_text(SECRET_ALPHABET, 40),
                status: "Active".to_owned(),
                deleted: false,
                created_at: now_millis(),
            };
            let output = json!({
                "AccessKey": {
                    "UserName": record.user_name,
                    "AccessKeyId": record.access_key_id,
                    "Status": record.status,
                    "SecretAccessKey": record.secret,
                    "CreateDate": timestamp(record.created_at),
                },
            });
            Ok((output, vec![IamChange::PutAccessKey(record)]))
        })
        .await
    }

    pub(super) async fn delete_access_key(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        self.update_access_key_record(caller, input, |record| {
            record.deleted = true;
            Ok(())
        })
        .await
    }

    pub(super) async fn update_access_key(
        &self,
        caller: &Caller,
        input: Input<'_>,
    ) -> IamResult<Value> {
        let status = input.text("Status");
        self.update_access_key_record(caller, input, |record| {
            if !matches!(status, "Active" | "Inactive") {
                return Err(IamError::InvalidInput(format!(
                    "Status {status} is not valid; an access key is Active or Inactive."
                )));
            }
            record.status = status.to_owned();
            Ok(())
        })
        .await
    }

    async fn update_access_key_record(
        &self,
        caller: &Caller,
        input: Input<'_>,
        update: impl FnOnce(&mut IamAccessKeyRecord) -> IamResult<()>,
    ) -> IamResult<Value> {
        let access_key_id = input.text("AccessKeyId");
        self.write(|state| {
            let name = key_owner(caller, input)?;
            let user = existing_user(state, caller, name)?;
            let mut record = live_keys(state, caller, &user.record.name)
                .into_iter()
                .find(|key| key.access_key_id == access_key_id)
                .cloned()
                .ok_or_else(|| {
                    IamError::NoSuchEntity(format!(
                        "The Access Key with id {access_key_id} cannot be found."
                    ))
                })?;
            update(&mut record)?;
            Ok((json!({}), vec![IamChange::PutAccessKey(record)]))
        })
        .await
    }

    pub(super) fn list_access_keys(&self, caller: &Caller, input: Input<'_>) -> IamResult<Value> {
        self.read(|state| {
            let name = key_owner(caller, input)?;
            let user = existing_user(state, caller, name)?;
            let keys = live_keys(state, caller, &user.record.name)
                .into_iter()
                .map(|key| {
                    let item = json!({
                        "UserName": key.user_name,
                        "AccessKeyId": key.access_key_id,
                        "Status": key.status,
                        "CreateDate": timestamp(key.created_at),
                    });
                    (
                        format!("{:020} {}", key.created_at, key.access_key_id),
                        item,
                    )
                })
                .collect();
            page(input, "AccessKeyMetadata", keys)
        })
    }
}

/// Finds a user of the caller's account, or fails with NoSuchEntity.
fn existing_user<'s>(state: &'s State, caller: &Caller, name: &str) -> IamResult<&'s UserEntry> {
    state
        .user(&caller.account_id, name)
        .ok_or_else(|| IamError::no_such_user(name))
}

/// Returns the access keys of a user that were not deleted.
fn live_keys<'s>(
    state: &'s State,
    caller: &Caller,
    user_name: &str,
) -> Vec<&'s IamAccessKeyRecord> {
    state
        .access_keys
        .values()
        .filter(|key| {
            !key.deleted
                && key.account_id == caller.account_id
                && key.user_name.eq_ignore_ascii_case(user_name)
        })
        .collect()
}

/// Returns the user an access key operation is about: the named one, or the calling user.
fn key_owner<'a>(caller: &'a Caller, input: Input<'a>) -> IamResult<&'a str> {
    match input.optional("UserName") {
        Some(name) => Ok(name),
        None => caller_user_name(caller).ok_or_else(non_user_credentials),
    }
}

/// Returns the name of the calling IAM user, or `None` for another kind of principal.
fn caller_user_name(caller: &Caller) -> Option<&str> {
    let (_, resource) = caller.arn.rsplit_once(':')?;
    resource.strip_prefix("user/")?.rsplit('/').next()
}

fn non_user_credentials() -> IamError {
    IamError::Validation("Must specify userName when calling with non-User credentials".to_owned())
}

/// Returns a user in the wire's `User` shape. ListUsers leaves out the boundary and tags, as
/// IAM does (`full` false).
fn user_json(record: &IamUserRecord, full: bool) -> Value {
    let mut user = json!({
        "Path": record.path,
        "UserName": record.name,
        "UserId": record.user_id,
        "Arn": user_arn(record),
        "CreateDate": timestamp(record.created_at),
    });
    if full {
        if let Some(boundary) = &record.permissions_boundary {
            user["PermissionsBoundary"] = boundary_json(boundary);
        }
        let tags = decode_tags(&record.tags);
        if !tags.is_empty() {
            user["Tags"] = tags_json(&tags);
        }
    }
    user
}
