//! AWS Identity and Access Management: roles, users, their inline and managed policies,
//! permissions boundaries and access keys, per account.
//!
//! IAM is global, so its ARNs carry no region: `arn:<partition>:iam::<account>:role/<path><name>`.
//! Every resource belongs to the caller's account. Writes follow the Organizations pattern:
//! compute the changes from the in-memory state, commit them to the store, then apply them in
//! memory and recompile the account's policies. Reads, the authorization layer's
//! [`Iam::principal_policies`] and [`Iam::role`] included, never touch the database.
//!
//! Policy documents are validated with the `policy` crate and returned URL-encoded, as IAM
//! returns them.

mod access;
mod documents;
mod error;
mod managed;
mod paging;
mod policies;
mod roles;
mod state;
mod users;

use std::sync::Arc;

use model::Timestamp;
use model::iam::{MODEL, Operation};
use parking_lot::RwLock;
use serde_json::Value;
use store::{Change, IamChange, IamProvisionedAccessRoleRecord, IamRoleRecord, Store};
use wire::AwsError;

use crate::Caller;
use crate::random::{UPPER_ALPHANUMERIC, random_text};
use crate::time::now_millis;
pub use error::IamError;
use state::State;

/// The operations [`Iam::handle`] serves; the rest of the model's operations return the
/// unknown-operation error.
pub const SERVED_OPERATIONS: &[Operation] = &[
    Operation::AttachRolePolicy,
    Operation::AttachUserPolicy,
    Operation::CreateAccessKey,
    Operation::CreatePolicy,
    Operation::CreatePolicyVersion,
    Operation::CreateRole,
    Operation::CreateUser,
    Operation::DeleteAccessKey,
    Operation::DeletePolicy,
    Operation::DeletePolicyVersion,
    Operation::DeleteRole,
    Operation::DeleteRolePermissionsBoundary,
    Operation::DeleteRolePolicy,
    Operation::DeleteUser,
    Operation::DeleteUserPermissionsBoundary,
    Operation::DeleteUserPolicy,
    Operation::DetachRolePolicy,
    Operation::DetachUserPolicy,
    Operation::GetPolicy,
    Operation::GetPolicyVersion,
    Operation::GetRole,
    Operation::GetRolePolicy,
    Operation::GetUser,
    Operation::GetUserPolicy,
    Operation::ListAccessKeys,
    Operation::ListAttachedRolePolicies,
    Operation::ListAttachedUserPolicies,
    Operation::ListPolicies,
    Operation::ListPolicyVersions,
    Operation::ListRolePolicies,
    Operation::ListRoleTags,
    Operation::ListRoles,
    Operation::ListUserPolicies,
    Operation::ListUserTags,
    Operation::ListUsers,
    Operation::PutRolePermissionsBoundary,
    Operation::PutRolePolicy,
    Operation::PutUserPermissionsBoundary,
    Operation::PutUserPolicy,
    Operation::TagRole,
    Operation::TagUser,
    Operation::UntagRole,
    Operation::UntagUser,
    Operation::UpdateAccessKey,
    Operation::UpdateAssumeRolePolicy,
    Operation::UpdateRole,
];

/// Returns whether bulkhead serves this IAM operation yet.
pub fn is_served(operation: Operation) -> bool {
    SERVED_OPERATIONS.contains(&operation)
}

/// A role or user of an account, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamPrincipal<'a> {
    /// The role with this name.
    Role(&'a str),
    /// The user with this name.
    User(&'a str),
}

/// The compiled policies of a role or user, for authorization.
#[derive(Debug, Clone, Default)]
pub struct PrincipalPolicies {
    /// The principal's ARN.
    pub arn: String,
    /// The principal's unique id (`AROA…` or `AIDA…`).
    pub id: String,
    /// The inline policies, then the attached managed policies at their default version.
    pub identity: Vec<policy::Policy>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<policy::Policy>,
    /// The principal's tags, in the order they were added.
    pub tags: Vec<(String, String)>,
}

/// A role as STS and the authorization layer need it.
#[derive(Debug, Clone)]
pub struct RoleInfo {
    /// The role's ARN.
    pub arn: String,
    /// The `AROA…` unique id.
    pub role_id: String,
    /// The role name, with the case it was created with.
    pub name: String,
    /// The role's path.
    pub path: String,
    /// The trust policy, compiled as a role trust policy.
    pub trust: policy::Policy,
    /// The longest session AssumeRole may grant, in seconds.
    pub max_session_duration: i64,
    /// The role's tags.
    pub tags: Vec<(String, String)>,
    /// The role's identity-based policies and boundary.
    pub policies: Arc<PrincipalPolicies>,
}

/// An access key IAM issued, as request authentication needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyInfo {
    /// The `AKIA…` access key id.
    pub access_key_id: String,
    /// The user's account.
    pub account_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's `AIDA…` id; empty once the user was deleted.
    pub user_id: String,
    /// The user's ARN; empty once the user was deleted.
    pub user_arn: String,
    /// The secret access key.
    pub secret: String,
    /// False for an Inactive or deleted key, which authenticates nothing.
    pub active: bool,
}

/// The role CreateAccount makes in a new account for its organization's management account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessRoleGrant {
    /// The new account.
    pub(crate) account_id: String,
    /// The role's name.
    pub(crate) role_name: String,
    /// The management account the role trusts.
    pub(crate) management_account_id: String,
    /// The organization's ARN partition.
    pub(crate) partition: String,
}

/// The IAM service.
#[derive(Debug, Clone)]
pub struct Iam {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: RwLock<State>,
    writer: tokio::sync::Mutex<()>,
    store: Store,
}

/// The outcome of an IAM operation, before it is written on the wire.
type IamResult<T> = Result<T, IamError>;

impl Iam {
    /// Loads every IAM record from `store`.
    pub async fn load(store: Store) -> Result<Iam, store::StoreError> {
        let snapshot = store.load_iam().await?;
        Ok(Iam {
            inner: Arc::new(Inner {
                state: RwLock::new(State::from_snapshot(snapshot)),
                writer: tokio::sync::Mutex::new(()),
                store,
            }),
        })
    }

    /// Forgets every IAM entity, after the store was reset.
    pub fn clear(&self) {
        *self.inner.state.write() = State::default();
    }

    /// Counts the roles of every account, for the health endpoint.
    pub fn role_count(&self) -> usize {
        let state = self.inner.state.read();
        state
            .accounts
            .values()
            .map(|account| account.roles.len())
            .sum()
    }

    /// Returns the default version's document of a managed policy: an AWS-managed policy, or a
    /// customer-managed policy of `account_id`. `None` when there is no such policy.
    pub fn managed_policy_document(&self, account_id: &str, arn: &str) -> Option<String> {
        if let Some(policy) = managed::find(arn) {
            return Some(policy.document.clone());
        }
        let state = self.inner.state.read();
        state
            .account(account_id)?
            .policies
            .get(arn)?
            .default_document()
            .map(str::to_owned)
    }

    /// Describes a request for authorization: its action, the role, user or policy its input
    /// names, and IAM's condition keys. Reads memory only.
    pub fn call_for(
        &self,
        caller: &Caller,
        operation: Operation,
        input: &Value,
    ) -> crate::access::Call {
        let state = self.inner.state.read();
        access::call_for(&state, caller, operation.name(), input)
    }

    /// Returns the compiled policies of a role or user of `account_id`, or `None` when it does
    /// not exist. Reads no database; the value is rebuilt on every write to the account.
    pub fn principal_policies(
        &self,
        account_id: &str,
        principal: IamPrincipal<'_>,
    ) -> Option<Arc<PrincipalPolicies>> {
        let state = self.inner.state.read();
        match principal {
            IamPrincipal::Role(name) => state
                .role(account_id, name)?
                .compiled
                .as_ref()
                .map(|role| Arc::clone(&role.policies)),
            IamPrincipal::User(name) => state.user(account_id, name)?.compiled.clone(),
        }
    }

    /// Returns a role of `account_id` by name (regardless of case), or `None` when it does not
    /// exist. Reads no database.
    pub fn role(&self, account_id: &str, name: &str) -> Option<Arc<RoleInfo>> {
        self.inner
            .state
            .read()
            .role(account_id, name)?
            .compiled
            .clone()
    }

    /// Looks up an access key IAM issued, deleted keys included (as inactive); `None` for a
    /// key IAM did not issue.
    pub fn access_key(&self, access_key_id: &str) -> Option<AccessKeyInfo> {
        let state = self.inner.state.read();
        let key = state.access_keys.get(access_key_id)?;
        let user = state.user(&key.account_id, &key.user_name);
        Some(AccessKeyInfo {
            access_key_id: key.access_key_id.clone(),
            account_id: key.account_id.clone(),
            user_name: key.user_name.clone(),
            user_id: user
                .map(|user| user.record.user_id.clone())
                .unwrap_or_default(),
            user_arn: user
                .map(|user| state::user_arn(&user.record))
                .unwrap_or_default(),
            secret: key.secret.clone(),
            active: !key.deleted && key.status == "Active" && user.is_some(),
        })
    }

    /// Runs one IAM operation for `caller` on its decoded input and returns the output as JSON,
    /// which the wire layer writes as XML.
    pub async fn handle(
        &self,
        caller: &Caller,
        operation: Operation,
        input: &Value,
    ) -> Result<Value, AwsError> {
        crate::query::validate_input(&MODEL, operation.input_shape(), input)?;
        let input = documents::Input(input);
        let output = match operation {
            Operation::CreateRole => self.create_role(caller, input).await,
            Operation::GetRole => self.get_role(caller, input),
            Operation::DeleteRole => self.delete_role(caller, input).await,
            Operation::ListRoles => self.list_roles(caller, input),
            Operation::UpdateAssumeRolePolicy => {
                self.update_assume_role_policy(caller, input).await
            }
            Operation::UpdateRole => self.update_role(caller, input).await,
            Operation::TagRole => self.tag_role(caller, input).await,
            Operation::UntagRole => self.untag_role(caller, input).await,
            Operation::ListRoleTags => self.list_role_tags(caller, input),
            Operation::PutRolePermissionsBoundary => {
                self.put_permissions_boundary(caller, input, state::ROLE)
                    .await
            }
            Operation::DeleteRolePermissionsBoundary => {
                self.delete_permissions_boundary(caller, input, state::ROLE)
                    .await
            }
            Operation::CreateUser => self.create_user(caller, input).await,
            Operation::GetUser => self.get_user(caller, input),
            Operation::DeleteUser => self.delete_user(caller, input).await,
            Operation::ListUsers => self.list_users(caller, input),
            Operation::TagUser => self.tag_user(caller, input).await,
            Operation::UntagUser => self.untag_user(caller, input).await,
            Operation::ListUserTags => self.list_user_tags(caller, input),
            Operation::PutUserPermissionsBoundary => {
                self.put_permissions_boundary(caller, input, state::USER)
                    .await
            }
            Operation::DeleteUserPermissionsBoundary => {
                self.delete_permissions_boundary(caller, input, state::USER)
                    .await
            }
            Operation::PutRolePolicy => self.put_inline_policy(caller, input, state::ROLE).await,
            Operation::GetRolePolicy => self.get_inline_policy(caller, input, state::ROLE),
            Operation::DeleteRolePolicy => {
                self.delete_inline_policy(caller, input, state::ROLE).await
            }
            Operation::ListRolePolicies => self.list_inline_policies(caller, input, state::ROLE),
            Operation::PutUserPolicy => self.put_inline_policy(caller, input, state::USER).await,
            Operation::GetUserPolicy => self.get_inline_policy(caller, input, state::USER),
            Operation::DeleteUserPolicy => {
                self.delete_inline_policy(caller, input, state::USER).await
            }
            Operation::ListUserPolicies => self.list_inline_policies(caller, input, state::USER),
            Operation::AttachRolePolicy => self.attach_policy(caller, input, state::ROLE).await,
            Operation::DetachRolePolicy => self.detach_policy(caller, input, state::ROLE).await,
            Operation::ListAttachedRolePolicies => {
                self.list_attached_policies(caller, input, state::ROLE)
            }
            Operation::AttachUserPolicy => self.attach_policy(caller, input, state::USER).await,
            Operation::DetachUserPolicy => self.detach_policy(caller, input, state::USER).await,
            Operation::ListAttachedUserPolicies => {
                self.list_attached_policies(caller, input, state::USER)
            }
            Operation::CreatePolicy => self.create_policy(caller, input).await,
            Operation::GetPolicy => self.get_policy(caller, input),
            Operation::DeletePolicy => self.delete_policy(caller, input).await,
            Operation::ListPolicies => self.list_policies(caller, input),
            Operation::CreatePolicyVersion => self.create_policy_version(caller, input).await,
            Operation::GetPolicyVersion => self.get_policy_version(caller, input),
            Operation::DeletePolicyVersion => self.delete_policy_version(caller, input).await,
            Operation::ListPolicyVersions => self.list_policy_versions(caller, input),
            Operation::CreateAccessKey => self.create_access_key(caller, input).await,
            Operation::DeleteAccessKey => self.delete_access_key(caller, input).await,
            Operation::UpdateAccessKey => self.update_access_key(caller, input).await,
            Operation::ListAccessKeys => self.list_access_keys(caller, input),
            other => {
                return Err(wire::error::unknown_operation(
                    wire::Protocol::AwsQuery,
                    Some("IAM"),
                    Some(other.name()),
                ));
            }
        };
        output.map_err(AwsError::from)
    }

    /// Computes changes from the current state, commits them, then applies them in memory and
    /// recompiles the accounts they touch. Nothing is written when `operation` fails.
    async fn write<T>(
        &self,
        operation: impl FnOnce(&State) -> IamResult<(T, Vec<IamChange>)>,
    ) -> IamResult<T> {
        let _writer = self.inner.writer.lock().await;
        let (output, changes) = operation(&self.inner.state.read())?;
        let changes: Vec<Change> = changes.into_iter().map(Change::Iam).collect();
        self.inner.store.commit(&changes).await?;
        self.apply_committed(&changes);
        Ok(output)
    }

    /// Runs `operation` against the current state.
    fn read<T>(&self, operation: impl FnOnce(&State) -> IamResult<T>) -> IamResult<T> {
        operation(&self.inner.state.read())
    }

    /// Applies committed changes in memory; changes that are not IAM's are skipped.
    pub(crate) fn apply_committed(&self, changes: &[Change]) {
        let mut state = self.inner.state.write();
        let mut touched: Vec<String> = changes
            .iter()
            .filter_map(|change| match change {
                Change::Iam(change) => state.apply(change),
                _ => None,
            })
            .collect();
        touched.sort();
        touched.dedup();
        for account_id in touched {
            state.compile_account(&account_id);
        }
    }

    /// Waits for IAM's writer lock, so that another service can commit IAM changes in its own
    /// transaction without racing an IAM operation.
    pub(crate) async fn lock_writer(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.writer.lock().await
    }

    /// Returns whether the access role of `account_id` was ever created.
    pub(crate) fn is_access_role_provisioned(&self, account_id: &str) -> bool {
        self.inner
            .state
            .read()
            .provisioned_access_roles
            .contains_key(account_id)
    }

    /// Computes the changes that create an account's access role: a role trusting the
    /// management account, with AdministratorAccess attached, and the record that it was
    /// provisioned. An existing role of that name is kept as it is.
    pub(crate) fn access_role_changes(&self, grant: &AccessRoleGrant) -> Vec<Change> {
        let state = self.inner.state.read();
        let now = now_millis();
        let mut changes = Vec::new();
        if state.role(&grant.account_id, &grant.role_name).is_none() {
            let trust = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:{}:iam::{}:root", grant.partition, grant.management_account_id)},
                    "Action": "sts:AssumeRole",
                }],
            });
            changes.push(IamChange::PutRole(IamRoleRecord {
                account_id: grant.account_id.clone(),
                name: grant.role_name.clone(),
                role_id: unique_id("AROA"),
                path: "/".to_owned(),
                partition: grant.partition.clone(),
                trust_policy: trust.to_string(),
                description: None,
                max_session_duration: roles::DEFAULT_MAX_SESSION_DURATION,
                permissions_boundary: None,
                tags: "[]".to_owned(),
                created_at: now,
            }));
            changes.push(IamChange::Attach(store::IamAttachmentRecord {
                account_id: grant.account_id.clone(),
                principal_type: state::ROLE.to_owned(),
                principal_name: grant.role_name.clone(),
                policy_arn: managed::arn(&grant.partition, "AdministratorAccess"),
            }));
        }
        changes.push(IamChange::PutProvisionedAccessRole(
            IamProvisionedAccessRoleRecord {
                account_id: grant.account_id.clone(),
                role_name: grant.role_name.clone(),
                provisioned_at: now,
            },
        ));
        changes.into_iter().map(Change::Iam).collect()
    }
}

/// Returns a new unique id: `prefix` (`AROA`, `AIDA`, `ANPA`) and 17 random characters.
fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", random_text(UPPER_ALPHANUMERIC, 17))
}

/// Returns the `CreateDate`-style wire value of a time in milliseconds since the epoch.
fn timestamp(millis: i64) -> f64 {
    Timestamp::from_epoch_millis(millis).epoch_seconds()
}
