//! IAM's in-memory state, kept equal to the store by applying the same changes, and the
//! compiled views of each role and user that the authorization layer reads.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use policy::{Policy, PolicyKind};
use store::{
    IamAccessKeyRecord, IamAttachmentRecord, IamChange, IamPolicyRecord, IamPolicyVersionRecord,
    IamRoleRecord, IamSnapshot, IamUserRecord,
};

use super::managed;
use super::{PrincipalPolicies, RoleInfo};

/// `principal_type` of a role's rows.
pub(crate) const ROLE: &str = "role";
/// `principal_type` of a user's rows.
pub(crate) const USER: &str = "user";

/// A role with its inline policies, attached policies and compiled view.
#[derive(Debug, Clone)]
pub(crate) struct RoleEntry {
    pub(crate) record: IamRoleRecord,
    /// Inline policies by name.
    pub(crate) inline: BTreeMap<String, String>,
    /// Attached managed policy ARNs, in attachment order.
    pub(crate) attached: Vec<String>,
    pub(crate) compiled: Option<Arc<RoleInfo>>,
}

/// A user with its inline policies, attached policies and compiled view.
#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) record: IamUserRecord,
    pub(crate) inline: BTreeMap<String, String>,
    pub(crate) attached: Vec<String>,
    pub(crate) compiled: Option<Arc<PrincipalPolicies>>,
}

/// A customer-managed policy with its versions, by version number.
#[derive(Debug, Clone)]
pub(crate) struct PolicyEntry {
    pub(crate) record: IamPolicyRecord,
    pub(crate) versions: BTreeMap<u64, IamPolicyVersionRecord>,
}

impl PolicyEntry {
    /// Returns the document of the default version.
    pub(crate) fn default_document(&self) -> Option<&str> {
        self.versions
            .values()
            .find(|version| version.version_id == self.record.default_version_id)
            .map(|version| version.document.as_str())
    }
}

/// The IAM entities of one account. Roles and users are keyed by their lower-case name,
/// because IAM names are unique regardless of case.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccountEntities {
    pub(crate) roles: BTreeMap<String, RoleEntry>,
    pub(crate) users: BTreeMap<String, UserEntry>,
    /// Customer-managed policies by ARN.
    pub(crate) policies: BTreeMap<String, PolicyEntry>,
}

impl AccountEntities {
    /// Counts the roles and users that have `arn` attached.
    pub(crate) fn attachment_count(&self, arn: &str) -> usize {
        let roles = self
            .roles
            .values()
            .filter(|role| role.attached.iter().any(|a| a == arn));
        let users = self
            .users
            .values()
            .filter(|user| user.attached.iter().any(|a| a == arn));
        roles.count() + users.count()
    }

    /// Counts the roles and users that have `arn` as permissions boundary.
    pub(crate) fn boundary_count(&self, arn: &str) -> usize {
        let roles = self
            .roles
            .values()
            .filter(|role| role.record.permissions_boundary.as_deref() == Some(arn));
        let users = self
            .users
            .values()
            .filter(|user| user.record.permissions_boundary.as_deref() == Some(arn));
        roles.count() + users.count()
    }
}

/// Every account's IAM entities, access keys and provisioned access roles.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) accounts: HashMap<String, AccountEntities>,
    /// Access keys by id, deleted ones included.
    pub(crate) access_keys: HashMap<String, IamAccessKeyRecord>,
    /// The accounts whose CreateAccount access role was created, with the role's name.
    pub(crate) provisioned_access_roles: HashMap<String, String>,
}

impl State {
    /// Builds the state from everything the store holds.
    pub(crate) fn from_snapshot(snapshot: IamSnapshot) -> State {
        let changes = snapshot
            .roles
            .into_iter()
            .map(IamChange::PutRole)
            .chain(snapshot.users.into_iter().map(IamChange::PutUser))
            .chain(
                snapshot
                    .inline_policies
                    .into_iter()
                    .map(IamChange::PutInlinePolicy),
            )
            .chain(snapshot.policies.into_iter().map(IamChange::PutPolicy))
            .chain(
                snapshot
                    .policy_versions
                    .into_iter()
                    .map(IamChange::PutPolicyVersion),
            )
            .chain(snapshot.attachments.into_iter().map(IamChange::Attach))
            .chain(
                snapshot
                    .access_keys
                    .into_iter()
                    .map(IamChange::PutAccessKey),
            )
            .chain(
                snapshot
                    .provisioned_access_roles
                    .into_iter()
                    .map(IamChange::PutProvisionedAccessRole),
            );
        let mut state = State::default();
        let mut touched = Vec::new();
        for change in changes {
            touched.extend(state.apply(&change));
        }
        touched.sort();
        touched.dedup();
        for account_id in touched {
            state.compile_account(&account_id);
        }
        state
    }

    /// Returns an account's entities, if it has any.
    pub(crate) fn account(&self, account_id: &str) -> Option<&AccountEntities> {
        self.accounts.get(account_id)
    }

    /// Finds a role by name, regardless of case.
    pub(crate) fn role(&self, account_id: &str, name: &str) -> Option<&RoleEntry> {
        self.account(account_id)?.roles.get(&name.to_lowercase())
    }

    /// Finds a user by name, regardless of case.
    pub(crate) fn user(&self, account_id: &str, name: &str) -> Option<&UserEntry> {
        self.account(account_id)?.users.get(&name.to_lowercase())
    }

    /// Applies one change and returns the account whose compiled views it invalidates.
    pub(crate) fn apply(&mut self, change: &IamChange) -> Option<String> {
        match change {
            IamChange::PutRole(record) => {
                let account = self.accounts.entry(record.account_id.clone()).or_default();
                let key = record.name.to_lowercase();
                match account.roles.get_mut(&key) {
                    Some(existing) => existing.record = record.clone(),
                    None => {
                        account.roles.insert(
                            key,
                            RoleEntry {
                                record: record.clone(),
                                inline: BTreeMap::new(),
                                attached: Vec::new(),
                                compiled: None,
                            },
                        );
                    }
                }
                Some(record.account_id.clone())
            }
            IamChange::DeleteRole { account_id, name } => {
                let account = self.accounts.get_mut(account_id)?;
                account.roles.remove(&name.to_lowercase());
                Some(account_id.clone())
            }
            IamChange::PutUser(record) => {
                let account = self.accounts.entry(record.account_id.clone()).or_default();
                let key = record.name.to_lowercase();
                match account.users.get_mut(&key) {
                    Some(existing) => existing.record = record.clone(),
                    None => {
                        account.users.insert(
                            key,
                            UserEntry {
                                record: record.clone(),
                                inline: BTreeMap::new(),
                                attached: Vec::new(),
                                compiled: None,
                            },
                        );
                    }
                }
                Some(record.account_id.clone())
            }
            IamChange::DeleteUser { account_id, name } => {
                let account = self.accounts.get_mut(account_id)?;
                account.users.remove(&name.to_lowercase());
                Some(account_id.clone())
            }
            IamChange::PutInlinePolicy(record) => {
                let inline = self.inline_policies(
                    &record.account_id,
                    &record.principal_type,
                    &record.principal_name,
                )?;
                inline.insert(record.name.clone(), record.document.clone());
                Some(record.account_id.clone())
            }
            IamChange::DeleteInlinePolicy {
                account_id,
                principal_type,
                principal_name,
                name,
            } => {
                let inline = self.inline_policies(account_id, principal_type, principal_name)?;
                inline.remove(name);
                Some(account_id.clone())
            }
            IamChange::PutPolicy(record) => {
                let account = self.accounts.entry(record.account_id.clone()).or_default();
                match account.policies.get_mut(&record.arn) {
                    Some(existing) => existing.record = record.clone(),
                    None => {
                        account.policies.insert(
                            record.arn.clone(),
                            PolicyEntry {
                                record: record.clone(),
                                versions: BTreeMap::new(),
                            },
                        );
                    }
                }
                Some(record.account_id.clone())
            }
            IamChange::DeletePolicy { arn } => {
                let account_id = self
                    .accounts
                    .iter()
                    .find(|(_, account)| account.policies.contains_key(arn))
                    .map(|(id, _)| id.clone())?;
                self.accounts.get_mut(&account_id)?.policies.remove(arn);
                Some(account_id)
            }
            IamChange::PutPolicyVersion(record) => {
                let (account_id, policy) = self.policy_mut(&record.policy_arn)?;
                let number = version_number(&record.version_id)?;
                policy.versions.insert(number, record.clone());
                Some(account_id)
            }
            IamChange::DeletePolicyVersion {
                policy_arn,
                version_id,
            } => {
                let (account_id, policy) = self.policy_mut(policy_arn)?;
                policy.versions.remove(&version_number(version_id)?);
                Some(account_id)
            }
            IamChange::Attach(record) => {
                let attached = self.attached_policies(record)?;
                if !attached.contains(&record.policy_arn) {
                    attached.push(record.policy_arn.clone());
                }
                Some(record.account_id.clone())
            }
            IamChange::Detach(record) => {
                let attached = self.attached_policies(record)?;
                attached.retain(|arn| *arn != record.policy_arn);
                Some(record.account_id.clone())
            }
            IamChange::PutAccessKey(record) => {
                self.access_keys
                    .insert(record.access_key_id.clone(), record.clone());
                None
            }
            IamChange::PutProvisionedAccessRole(record) => {
                self.provisioned_access_roles
                    .insert(record.account_id.clone(), record.role_name.clone());
                None
            }
        }
    }

    fn inline_policies(
        &mut self,
        account_id: &str,
        principal_type: &str,
        principal_name: &str,
    ) -> Option<&mut BTreeMap<String, String>> {
        let account = self.accounts.get_mut(account_id)?;
        let key = principal_name.to_lowercase();
        if principal_type == ROLE {
            account.roles.get_mut(&key).map(|role| &mut role.inline)
        } else {
            account.users.get_mut(&key).map(|user| &mut user.inline)
        }
    }

    fn attached_policies(&mut self, record: &IamAttachmentRecord) -> Option<&mut Vec<String>> {
        let account = self.accounts.get_mut(&record.account_id)?;
        let key = record.principal_name.to_lowercase();
        if record.principal_type == ROLE {
            account.roles.get_mut(&key).map(|role| &mut role.attached)
        } else {
            account.users.get_mut(&key).map(|user| &mut user.attached)
        }
    }

    fn policy_mut(&mut self, arn: &str) -> Option<(String, &mut PolicyEntry)> {
        self.accounts
            .iter_mut()
            .find_map(|(id, account)| Some((id.clone(), account.policies.get_mut(arn)?)))
    }

    /// Rebuilds the compiled views of every role and user of an account.
    pub(crate) fn compile_account(&mut self, account_id: &str) {
        let Some(account) = self.accounts.get(account_id) else {
            return;
        };
        let mut compiler = Compiler {
            account,
            cache: HashMap::new(),
        };
        let roles: Vec<(String, Option<Arc<RoleInfo>>)> = account
            .roles
            .iter()
            .map(|(key, role)| (key.clone(), compiler.role(role).map(Arc::new)))
            .collect();
        let users: Vec<(String, Arc<PrincipalPolicies>)> = account
            .users
            .iter()
            .map(|(key, user)| {
                let record = &user.record;
                let policies = compiler.principal(
                    user_arn(record),
                    record.user_id.clone(),
                    &user.inline,
                    &user.attached,
                    record.permissions_boundary.as_deref(),
                    &record.tags,
                );
                (key.clone(), Arc::new(policies))
            })
            .collect();

        let Some(account) = self.accounts.get_mut(account_id) else {
            return;
        };
        for (key, compiled) in roles {
            if let Some(role) = account.roles.get_mut(&key) {
                role.compiled = compiled;
            }
        }
        for (key, compiled) in users {
            if let Some(user) = account.users.get_mut(&key) {
                user.compiled = Some(compiled);
            }
        }
    }
}

/// Compiles the policies of one account's principals, each managed policy once.
struct Compiler<'a> {
    account: &'a AccountEntities,
    cache: HashMap<(String, bool), Option<Policy>>,
}

impl Compiler<'_> {
    fn role(&mut self, role: &RoleEntry) -> Option<RoleInfo> {
        let record = &role.record;
        let arn = role_arn(record);
        let trust = compile_logged(&arn, PolicyKind::RoleTrust, &record.trust_policy)?;
        let policies = self.principal(
            arn.clone(),
            record.role_id.clone(),
            &role.inline,
            &role.attached,
            record.permissions_boundary.as_deref(),
            &record.tags,
        );
        Some(RoleInfo {
            arn,
            role_id: record.role_id.clone(),
            name: record.name.clone(),
            path: record.path.clone(),
            trust,
            max_session_duration: record.max_session_duration,
            tags: policies.tags.clone(),
            policies: Arc::new(policies),
        })
    }

    fn principal(
        &mut self,
        arn: String,
        id: String,
        inline: &BTreeMap<String, String>,
        attached: &[String],
        boundary: Option<&str>,
        tags: &str,
    ) -> PrincipalPolicies {
        let mut identity: Vec<Policy> = inline
            .iter()
            .filter_map(|(name, document)| {
                compile_logged(&format!("{arn}/{name}"), PolicyKind::Identity, document)
            })
            .collect();
        identity.extend(
            attached
                .iter()
                .filter_map(|policy| self.managed(policy, false)),
        );
        PrincipalPolicies {
            arn,
            id,
            identity,
            boundary: boundary.and_then(|policy| self.managed(policy, true)),
            tags: decode_tags(tags),
        }
    }

    /// Compiles the default version of a managed policy, as identity policy or boundary.
    fn managed(&mut self, arn: &str, boundary: bool) -> Option<Policy> {
        if let Some(policy) = managed::find(arn) {
            return if boundary {
                policy.boundary.clone()
            } else {
                policy.identity.clone()
            };
        }
        let account = self.account;
        self.cache
            .entry((arn.to_owned(), boundary))
            .or_insert_with(|| {
                let document = account.policies.get(arn)?.default_document()?;
                let kind = if boundary {
                    PolicyKind::PermissionsBoundary
                } else {
                    PolicyKind::Identity
                };
                compile_logged(arn, kind, document)
            })
            .clone()
    }
}

/// Compiles a stored document. Documents are validated before they are stored, so a failure
/// here means the store was changed by hand; the policy is left out and the error logged.
fn compile_logged(id: &str, kind: PolicyKind, document: &str) -> Option<Policy> {
    Policy::compile(id, kind, document)
        .map_err(|error| {
            tracing::error!(target: "bulkhead::iam", policy = id, %error, "a stored IAM policy does not compile");
        })
        .ok()
}

/// Returns a role's ARN, `arn:<partition>:iam::<account>:role/<path><name>`.
pub(crate) fn role_arn(record: &IamRoleRecord) -> String {
    format!(
        "arn:{}:iam::{}:role{}{}",
        record.partition, record.account_id, record.path, record.name
    )
}

/// Returns a user's ARN, `arn:<partition>:iam::<account>:user/<path><name>`.
pub(crate) fn user_arn(record: &IamUserRecord) -> String {
    format!(
        "arn:{}:iam::{}:user{}{}",
        record.partition, record.account_id, record.path, record.name
    )
}

/// Parses `v7` (or `v7.suffix`) into 7.
pub(crate) fn version_number(version_id: &str) -> Option<u64> {
    let digits = version_id.strip_prefix('v')?;
    let digits = digits.split('.').next()?;
    digits.parse().ok()
}

/// Decodes tags stored as a JSON array of `[key, value]` pairs.
pub(crate) fn decode_tags(tags: &str) -> Vec<(String, String)> {
    serde_json::from_str(tags).unwrap_or_default()
}

/// Encodes tags for the store.
pub(crate) fn encode_tags(tags: &[(String, String)]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}
