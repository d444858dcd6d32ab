//! IAM's rows: roles, users, inline and managed policies, attachments, access keys and the
//! access roles provisioned for created accounts, with the SQL that loads and writes them.

use sqlx::{FromRow, Sqlite, SqlitePool, Transaction};

use crate::StoreError;
use crate::records::fetch;

/// IAM's tables, in an order that deletes children before the rows they reference.
pub(crate) const IAM_TABLES: &[&str] = &[
    "iam_provisioned_access_roles",
    "iam_access_keys",
    "iam_attachments",
    "iam_policy_versions",
    "iam_policies",
    "iam_inline_policies",
    "iam_users",
    "iam_roles",
];

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamRoleRecord {
    /// The account the role belongs to.
    pub account_id: String,
    /// The role name, with the case it was created with.
    pub name: String,
    /// The `AROA…` unique id.
    pub role_id: String,
    /// The path, `/` unless CreateRole named another.
    pub path: String,
    /// The ARN partition, from the region the role was created in.
    pub partition: String,
    /// The trust policy document, as the caller sent it.
    pub trust_policy: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The longest session AssumeRole may grant, in seconds.
    pub max_session_duration: i64,
    /// The ARN of the managed policy that is the role's permissions boundary.
    pub permissions_boundary: Option<String>,
    /// The tags, as JSON encoded by the service layer.
    pub tags: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamUserRecord {
    /// The account the user belongs to.
    pub account_id: String,
    /// The user name, with the case it was created with.
    pub name: String,
    /// The `AIDA…` unique id.
    pub user_id: String,
    /// The path, `/` unless CreateUser named another.
    pub path: String,
    /// The ARN partition, from the region the user was created in.
    pub partition: String,
    /// The ARN of the managed policy that is the user's permissions boundary.
    pub permissions_boundary: Option<String>,
    /// The tags, as JSON encoded by the service layer.
    pub tags: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// An inline policy embedded in a role or user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamInlinePolicyRecord {
    /// The account of the role or user.
    pub account_id: String,
    /// `role` or `user`.
    pub principal_type: String,
    /// The role or user name.
    pub principal_name: String,
    /// The policy name.
    pub name: String,
    /// The policy document, as the caller sent it.
    pub document: String,
}

/// A customer-managed policy.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamPolicyRecord {
    /// The policy ARN, `arn:<partition>:iam::<account>:policy/<path><name>`.
    pub arn: String,
    /// The account the policy belongs to.
    pub account_id: String,
    /// The policy name.
    pub name: String,
    /// The `ANPA…` unique id.
    pub policy_id: String,
    /// The path, `/` unless CreatePolicy named another.
    pub path: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The version that applies, such as `v1`.
    pub default_version_id: String,
    /// The number the next version gets.
    pub next_version: i64,
    /// The tags, as JSON encoded by the service layer.
    pub tags: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When the default version last changed.
    pub updated_at: i64,
}

/// One version of a customer-managed policy.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamPolicyVersionRecord {
    /// The policy's ARN.
    pub policy_arn: String,
    /// `v1`, `v2`, …
    pub version_id: String,
    /// The policy document, as the caller sent it.
    pub document: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// A managed policy attached to a role or user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamAttachmentRecord {
    /// The account of the role or user.
    pub account_id: String,
    /// `role` or `user`.
    pub principal_type: String,
    /// The role or user name.
    pub principal_name: String,
    /// The managed policy's ARN, customer-managed or AWS-managed.
    pub policy_arn: String,
}

/// An access key of an IAM user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamAccessKeyRecord {
    /// The `AKIA…` access key id.
    pub access_key_id: String,
    /// The user's account.
    pub account_id: String,
    /// The user's name.
    pub user_name: String,
    /// The secret access key.
    pub secret: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// True once DeleteAccessKey removed the key; the row stays so the key is rejected.
    pub deleted: bool,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// The access role created once for an account that CreateAccount made.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IamProvisionedAccessRoleRecord {
    /// The created account.
    pub account_id: String,
    /// The role's name.
    pub role_name: String,
    /// When the role was created.
    pub provisioned_at: i64,
}

/// Every IAM row, each table in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamSnapshot {
    /// Roles.
    pub roles: Vec<IamRoleRecord>,
    /// Users.
    pub users: Vec<IamUserRecord>,
    /// Inline policies.
    pub inline_policies: Vec<IamInlinePolicyRecord>,
    /// Customer-managed policies.
    pub policies: Vec<IamPolicyRecord>,
    /// Their versions.
    pub policy_versions: Vec<IamPolicyVersionRecord>,
    /// Managed policy attachments.
    pub attachments: Vec<IamAttachmentRecord>,
    /// Access keys, deleted ones included.
    pub access_keys: Vec<IamAccessKeyRecord>,
    /// Provisioned access roles.
    pub provisioned_access_roles: Vec<IamProvisionedAccessRoleRecord>,
}

/// One IAM write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamChange {
    /// Insert or replace a role.
    PutRole(IamRoleRecord),
    /// Delete a role with its inline policies and attachments.
    DeleteRole {
        /// The role's account.
        account_id: String,
        /// The role's name.
        name: String,
    },
    /// Insert or replace a user.
    PutUser(IamUserRecord),
    /// Delete a user with its inline policies and attachments.
    DeleteUser {
        /// The user's account.
        account_id: String,
        /// The user's name.
        name: String,
    },
    /// Insert or replace an inline policy.
    PutInlinePolicy(IamInlinePolicyRecord),
    /// Delete an inline policy.
    DeleteInlinePolicy {
        /// The account of the role or user.
        account_id: String,
        /// `role` or `user`.
        principal_type: String,
        /// The role or user name.
        principal_name: String,
        /// The policy name.
        name: String,
    },
    /// Insert or replace a customer-managed policy.
    PutPolicy(IamPolicyRecord),
    /// Delete a customer-managed policy and its versions. The caller first detaches it.
    DeletePolicy {
        /// The policy's ARN.
        arn: String,
    },
    /// Insert a policy version.
    PutPolicyVersion(IamPolicyVersionRecord),
    /// Delete a policy version.
    DeletePolicyVersion {
        /// The policy's ARN.
        policy_arn: String,
        /// The version id.
        version_id: String,
    },
    /// Attach a managed policy to a role or user.
    Attach(IamAttachmentRecord),
    /// Detach a managed policy from a role or user.
    Detach(IamAttachmentRecord),
    /// Insert or replace an access key.
    PutAccessKey(IamAccessKeyRecord),
    /// Record that an account's access role was created.
    PutProvisionedAccessRole(IamProvisionedAccessRoleRecord),
}

pub(crate) async fn load(pool: &SqlitePool) -> Result<IamSnapshot, StoreError> {
    Ok(IamSnapshot {
        roles: fetch(pool, "SELECT * FROM iam_roles ORDER BY rowid").await?,
        users: fetch(pool, "SELECT * FROM iam_users ORDER BY rowid").await?,
        inline_policies: fetch(pool, "SELECT * FROM iam_inline_policies ORDER BY rowid").await?,
        policies: fetch(pool, "SELECT * FROM iam_policies ORDER BY rowid").await?,
        policy_versions: fetch(pool, "SELECT * FROM iam_policy_versions ORDER BY rowid").await?,
        attachments: fetch(pool, "SELECT * FROM iam_attachments ORDER BY rowid").await?,
        access_keys: fetch(pool, "SELECT * FROM iam_access_keys ORDER BY rowid").await?,
        provisioned_access_roles: fetch(
            pool,
            "SELECT * FROM iam_provisioned_access_roles ORDER BY rowid",
        )
        .await?,
    })
}

pub(crate) async fn apply(
    transaction: &mut Transaction<'static, Sqlite>,
    change: &IamChange,
) -> Result<(), StoreError> {
    match change {
        IamChange::PutRole(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_roles (account_id, name, role_id, path, partition,
                     trust_policy, description, max_session_duration, permissions_boundary, tags,
                     created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.name)
            .bind(&record.role_id)
            .bind(&record.path)
            .bind(&record.partition)
            .bind(&record.trust_policy)
            .bind(&record.description)
            .bind(record.max_session_duration)
            .bind(&record.permissions_boundary)
            .bind(&record.tags)
            .bind(record.created_at)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::DeleteRole { account_id, name } => {
            delete_principal(transaction, "iam_roles", "role", account_id, name).await?;
        }
        IamChange::PutUser(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_users (account_id, name, user_id, path, partition,
                     permissions_boundary, tags, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.name)
            .bind(&record.user_id)
            .bind(&record.path)
            .bind(&record.partition)
            .bind(&record.permissions_boundary)
            .bind(&record.tags)
            .bind(record.created_at)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::DeleteUser { account_id, name } => {
            delete_principal(transaction, "iam_users", "user", account_id, name).await?;
        }
        IamChange::PutInlinePolicy(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_inline_policies (account_id, principal_type,
                     principal_name, name, document)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.principal_type)
            .bind(&record.principal_name)
            .bind(&record.name)
            .bind(&record.document)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::DeleteInlinePolicy {
            account_id,
            principal_type,
            principal_name,
            name,
        } => {
            sqlx::query(
                "DELETE FROM iam_inline_policies
                 WHERE account_id = ? AND principal_type = ? AND principal_name = ? AND name = ?",
            )
            .bind(account_id)
            .bind(principal_type)
            .bind(principal_name)
            .bind(name)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::PutPolicy(record) => {
            sqlx::query(
                "INSERT INTO iam_policies (arn, account_id, name, policy_id, path, description,
                     default_version_id, next_version, tags, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (arn) DO UPDATE SET description = excluded.description,
                     default_version_id = excluded.default_version_id,
                     next_version = excluded.next_version, tags = excluded.tags,
                     updated_at = excluded.updated_at",
            )
            .bind(&record.arn)
            .bind(&record.account_id)
            .bind(&record.name)
            .bind(&record.policy_id)
            .bind(&record.path)
            .bind(&record.description)
            .bind(&record.default_version_id)
            .bind(record.next_version)
            .bind(&record.tags)
            .bind(record.created_at)
            .bind(record.updated_at)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::DeletePolicy { arn } => {
            sqlx::query("DELETE FROM iam_policy_versions WHERE policy_arn = ?")
                .bind(arn)
                .execute(&mut **transaction)
                .await?;
            sqlx::query("DELETE FROM iam_policies WHERE arn = ?")
                .bind(arn)
                .execute(&mut **transaction)
                .await?;
        }
        IamChange::PutPolicyVersion(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_policy_versions (policy_arn, version_id, document, created_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&record.policy_arn)
            .bind(&record.version_id)
            .bind(&record.document)
            .bind(record.created_at)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::DeletePolicyVersion {
            policy_arn,
            version_id,
        } => {
            sqlx::query("DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?")
                .bind(policy_arn)
                .bind(version_id)
                .execute(&mut **transaction)
                .await?;
        }
        IamChange::Attach(record) => {
            sqlx::query(
                "INSERT OR IGNORE INTO iam_attachments (account_id, principal_type, principal_name, policy_arn)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.principal_type)
            .bind(&record.principal_name)
            .bind(&record.policy_arn)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::Detach(record) => {
            sqlx::query(
                "DELETE FROM iam_attachments
                 WHERE account_id = ? AND principal_type = ? AND principal_name = ? AND policy_arn = ?",
            )
            .bind(&record.account_id)
            .bind(&record.principal_type)
            .bind(&record.principal_name)
            .bind(&record.policy_arn)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::PutAccessKey(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_access_keys (access_key_id, account_id, user_name, secret,
                     status, deleted, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&record.access_key_id)
            .bind(&record.account_id)
            .bind(&record.user_name)
            .bind(&record.secret)
            .bind(&record.status)
            .bind(record.deleted)
            .bind(record.created_at)
            .execute(&mut **transaction)
            .await?;
        }
        IamChange::PutProvisionedAccessRole(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO iam_provisioned_access_roles (account_id, role_name, provisioned_at)
                 VALUES (?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.role_name)
            .bind(record.provisioned_at)
            .execute(&mut **transaction)
            .await?;
        }
    }
    Ok(())
}

/// Deletes a role or user row with its inline policies and attachments.
async fn delete_principal(
    transaction: &mut Transaction<'static, Sqlite>,
    table: &str,
    principal_type: &str,
    account_id: &str,
    name: &str,
) -> Result<(), StoreError> {
    for dependent in ["iam_inline_policies", "iam_attachments"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {dependent} WHERE account_id = ? AND principal_type = ? AND principal_name = ?"
        )))
        .bind(account_id)
        .bind(principal_type)
        .bind(name)
        .execute(&mut **transaction)
        .await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE account_id = ? AND name = ?"
    )))
    .bind(account_id)
    .bind(name)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
