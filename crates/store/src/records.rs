//! The rows the store keeps, the changes that write them, and the SQL behind both.

use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Sqlite, SqlitePool, Transaction};

use crate::StoreError;
use crate::iam::IamChange;

/// Tables in an order that deletes children before the rows they reference.
pub(crate) const TABLES_CHILD_FIRST: &[&str] = &[
    "sessions",
    "resource_policies",
    "service_access",
    "delegated_administrators",
    "enabled_policy_types",
    "policy_attachments",
    "policies",
    "tags",
    "responsibility_transfers",
    "handshakes",
    "create_account_requests",
    "accounts",
    "organizational_units",
    "roots",
    "organizations",
];

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OrganizationRecord {
    /// `o-` id.
    pub id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
    /// The management account's id.
    pub management_account_id: String,
    /// The ARN partition, from the region the organization was created in.
    pub partition: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// The root of an organization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RootRecord {
    /// `r-` id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The root's name, `Root`.
    pub name: String,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OrganizationalUnitRecord {
    /// `ou-` id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The id of the root or OU that contains it.
    pub parent_id: String,
    /// The OU's name.
    pub name: String,
}

/// An account that belongs to an organization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AccountRecord {
    /// The 12-digit account id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The id of the root or OU that contains it.
    pub parent_id: String,
    /// The account name.
    pub name: String,
    /// The root user's email address.
    pub email: String,
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`.
    pub status: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` or `CLOSED`.
    pub state: String,
    /// `CREATED` or `INVITED`.
    pub joined_method: String,
    /// When the account joined, milliseconds since the Unix epoch.
    pub joined_at: i64,
    /// The IAM role CreateAccount made for the management account to assume.
    pub access_role: Option<String>,
    /// When CloseAccount was called, milliseconds since the Unix epoch.
    pub closed_at: Option<i64>,
    /// When a pending status (`PENDING_CLOSURE`) moves on, milliseconds since the Unix epoch.
    pub status_until: Option<i64>,
}

/// A CreateAccount request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CreateAccountRequestRecord {
    /// `car-` id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The requested account name.
    pub account_name: String,
    /// The requested email address.
    pub email: String,
    /// The role to create in the new account.
    pub role_name: String,
    /// The tags for the new account, as JSON encoded by the service layer.
    pub tags: String,
    /// `IN_PROGRESS`, `SUCCEEDED` or `FAILED`.
    pub state: String,
    /// When the request was made, milliseconds since the Unix epoch.
    pub requested_at: i64,
    /// When the request completes, milliseconds since the Unix epoch.
    pub completes_at: i64,
    /// When it completed.
    pub completed_at: Option<i64>,
    /// The new account's id once it succeeded.
    pub account_id: Option<String>,
    /// The failure reason.
    pub failure_reason: Option<String>,
}

/// A handshake: an invitation to join an organization, or a request to enable all features
/// and the approvals it asks of member accounts.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HandshakeRecord {
    /// `h-` id.
    pub id: String,
    /// The organization that sent the handshake.
    pub organization_id: String,
    /// `INVITE`, `ENABLE_ALL_FEATURES` or `APPROVE_ALL_FEATURES`.
    pub action: String,
    /// The state as last written: `REQUESTED`, `OPEN`, `CANCELED`, `ACCEPTED` or `DECLINED`.
    /// Expiry is not written; the service layer derives it from `expires_at`.
    pub state: String,
    /// The recipient's party type: `ACCOUNT`, `EMAIL` or `ORGANIZATION`.
    pub target_type: String,
    /// The recipient: an account id, an email address or an organization id.
    pub target_id: String,
    /// The handshake this one belongs to, for the approvals of an `ENABLE_ALL_FEATURES` request.
    pub parent_id: Option<String>,
    /// The sender's notes for the recipient.
    pub notes: Option<String>,
    /// Tags for the invited account once it joins, as JSON encoded by the service layer.
    pub tags: String,
    /// When the handshake was sent.
    pub requested_at: i64,
    /// When the handshake expires unless it was answered.
    pub expires_at: i64,
    /// When `state` last changed.
    pub state_changed_at: i64,
    /// The account that accepted or declined the handshake.
    pub responder_id: Option<String>,
}

/// A responsibility transfer: the inviting organization's management account manages a
/// responsibility (billing) for the organization whose management account accepts.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ResponsibilityTransferRecord {
    /// `rt-` id.
    pub id: String,
    /// The inviting organization, which manages the responsibility.
    pub organization_id: String,
    /// The `TRANSFER_RESPONSIBILITY` handshake that carried the invitation.
    pub handshake_id: String,
    /// `BILLING`.
    #[sqlx(rename = "type")]
    pub transfer_type: String,
    /// The transfer's name.
    pub name: String,
    /// When the transfer starts, milliseconds since the Unix epoch.
    pub start_at: i64,
    /// When the transfer ends, once it was terminated.
    pub end_at: Option<i64>,
    /// The management account that accepted, whose organization hands over the responsibility.
    pub source_account_id: Option<String>,
    /// Tags for the transfer, as JSON encoded by the service layer.
    pub tags: String,
    /// When the transfer was terminated.
    pub withdrawn_at: Option<i64>,
}

/// One tag of a resource.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TagRecord {
    /// The tagged resource's id.
    pub resource_id: String,
    /// The organization the resource belongs to.
    pub organization_id: String,
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
    /// Position of the tag in the resource's list.
    pub position: i64,
}

/// A customer-managed policy.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PolicyRecord {
    /// `p-` id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The policy type, such as `SERVICE_CONTROL_POLICY`.
    pub r#type: String,
    /// The policy name.
    pub name: String,
    /// The description, possibly empty.
    pub description: String,
    /// The policy document, exactly as the caller sent it.
    pub content: String,
}

/// A policy attached to a root, OU or account.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PolicyAttachmentRecord {
    /// The policy's id, customer-managed or AWS-managed.
    pub policy_id: String,
    /// The root, OU or account id.
    pub target_id: String,
    /// The organization's id.
    pub organization_id: String,
}

/// A policy type enabled on a root.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EnabledPolicyTypeRecord {
    /// The root's id.
    pub root_id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The policy type, such as `TAG_POLICY`.
    pub r#type: String,
}

/// An account registered as delegated administrator for a service.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DelegatedAdministratorRecord {
    /// The member account's id.
    pub account_id: String,
    /// The service principal, such as `config.amazonaws.com`.
    pub service_principal: String,
    /// The organization's id.
    pub organization_id: String,
    /// When the delegation was registered, milliseconds since the Unix epoch.
    pub delegated_at: i64,
}

/// A service with trusted access to the organization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ServiceAccessRecord {
    /// The organization's id.
    pub organization_id: String,
    /// The service principal.
    pub service_principal: String,
    /// When access was enabled, milliseconds since the Unix epoch.
    pub enabled_at: i64,
}

/// The resource policy of an organization.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ResourcePolicyRecord {
    /// The organization's id.
    pub organization_id: String,
    /// `rp-` id.
    pub id: String,
    /// The policy document, exactly as the caller sent it.
    pub content: String,
}

/// Temporary credentials STS issued for a role session.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SessionRecord {
    /// `ASIA` access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret: String,
    /// The session token the client sends as `X-Amz-Security-Token`.
    pub session_token: String,
    /// The account of the role.
    pub account_id: String,
    /// The role's ARN.
    pub role_arn: String,
    /// The role's unique id, `AROA…`.
    pub role_id: String,
    /// The session name the caller chose.
    pub session_name: String,
    /// When the credentials were issued, milliseconds since the Unix epoch.
    pub issued_at: i64,
    /// When they expire, milliseconds since the Unix epoch.
    pub expires_at: i64,
    /// Whether a role session issued them (role chaining).
    pub chained: bool,
    /// The session's source identity, tags and policies as a JSON object, which STS defines.
    pub context: String,
}

/// Every record, as [`crate::Store::load`] reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Organizations in creation order.
    pub organizations: Vec<OrganizationRecord>,
    /// Roots in creation order.
    pub roots: Vec<RootRecord>,
    /// OUs in creation order.
    pub organizational_units: Vec<OrganizationalUnitRecord>,
    /// Accounts in the order they joined.
    pub accounts: Vec<AccountRecord>,
    /// CreateAccount requests in request order.
    pub create_account_requests: Vec<CreateAccountRequestRecord>,
    /// Tags, by resource and position.
    pub tags: Vec<TagRecord>,
    /// Customer-managed policies in creation order.
    pub policies: Vec<PolicyRecord>,
    /// Policy attachments in attachment order.
    pub policy_attachments: Vec<PolicyAttachmentRecord>,
    /// Enabled policy types in the order they were enabled.
    pub enabled_policy_types: Vec<EnabledPolicyTypeRecord>,
    /// Delegated administrators in registration order.
    pub delegated_administrators: Vec<DelegatedAdministratorRecord>,
    /// Trusted service access in the order it was enabled.
    pub service_access: Vec<ServiceAccessRecord>,
    /// Resource policies, one per organization at most.
    pub resource_policies: Vec<ResourcePolicyRecord>,
    /// Handshakes in the order they were sent.
    pub handshakes: Vec<HandshakeRecord>,
    /// Responsibility transfers in the order they were requested.
    pub responsibility_transfers: Vec<ResponsibilityTransferRecord>,
    /// Issued temporary credentials.
    pub sessions: Vec<SessionRecord>,
}

/// One write. A `Put` inserts the record or replaces the one with the same id, keeping its
/// position in insertion order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Insert or replace an organization.
    PutOrganization(OrganizationRecord),
    /// Delete an organization and every row that belongs to it.
    DeleteOrganization {
        /// The organization's id.
        id: String,
    },
    /// Insert or replace a root.
    PutRoot(RootRecord),
    /// Insert or replace an OU.
    PutOrganizationalUnit(OrganizationalUnitRecord),
    /// Delete an OU and its tags.
    DeleteOrganizationalUnit {
        /// The OU's id.
        id: String,
    },
    /// Insert or replace an account.
    PutAccount(AccountRecord),
    /// Delete an account and its tags.
    DeleteAccount {
        /// The account's id.
        id: String,
    },
    /// Insert or replace a CreateAccount request.
    PutCreateAccountRequest(CreateAccountRequestRecord),
    /// Insert or replace a handshake.
    PutHandshake(HandshakeRecord),
    /// Insert or replace a responsibility transfer.
    PutResponsibilityTransfer(ResponsibilityTransferRecord),
    /// Replace every tag of a resource.
    SetTags {
        /// The resource's id.
        resource_id: String,
        /// The organization the resource belongs to.
        organization_id: String,
        /// The full new list of `(key, value)` pairs.
        tags: Vec<(String, String)>,
    },
    /// Insert or replace a customer-managed policy.
    PutPolicy(PolicyRecord),
    /// Delete a policy and its tags. The caller first detaches it everywhere.
    DeletePolicy {
        /// The policy's id.
        id: String,
    },
    /// Attach a policy to a target.
    AttachPolicy(PolicyAttachmentRecord),
    /// Detach a policy from a target.
    DetachPolicy {
        /// The policy's id.
        policy_id: String,
        /// The target's id.
        target_id: String,
    },
    /// Enable a policy type on a root.
    EnablePolicyType(EnabledPolicyTypeRecord),
    /// Disable a policy type on a root. The caller first detaches every policy of the type.
    DisablePolicyType {
        /// The root's id.
        root_id: String,
        /// The policy type.
        r#type: String,
    },
    /// Register a delegated administrator.
    PutDelegatedAdministrator(DelegatedAdministratorRecord),
    /// Deregister a delegated administrator.
    DeleteDelegatedAdministrator {
        /// The member account's id.
        account_id: String,
        /// The service principal.
        service_principal: String,
    },
    /// Enable trusted access for a service.
    PutServiceAccess(ServiceAccessRecord),
    /// Disable trusted access for a service.
    DeleteServiceAccess {
        /// The organization's id.
        organization_id: String,
        /// The service principal.
        service_principal: String,
    },
    /// Insert or replace the organization's resource policy.
    PutResourcePolicy(ResourcePolicyRecord),
    /// Record temporary credentials.
    PutSession(SessionRecord),
    /// An IAM write.
    Iam(IamChange),
    /// Delete the organization's resource policy.
    DeleteResourcePolicy {
        /// The organization's id.
        organization_id: String,
    },
}

pub(crate) async fn load(pool: &SqlitePool) -> Result<Snapshot, StoreError> {
    Ok(Snapshot {
        organizations: fetch(pool, "SELECT * FROM organizations ORDER BY rowid").await?,
        roots: fetch(pool, "SELECT * FROM roots ORDER BY rowid").await?,
        organizational_units: fetch(pool, "SELECT * FROM organizational_units ORDER BY rowid")
            .await?,
        accounts: fetch(pool, "SELECT * FROM accounts ORDER BY rowid").await?,
        create_account_requests: fetch(
            pool,
            "SELECT * FROM create_account_requests ORDER BY rowid",
        )
        .await?,
        tags: fetch(pool, "SELECT * FROM tags ORDER BY resource_id, position").await?,
        policies: fetch(pool, "SELECT * FROM policies ORDER BY rowid").await?,
        policy_attachments: fetch(pool, "SELECT * FROM policy_attachments ORDER BY rowid").await?,
        enabled_policy_types: fetch(pool, "SELECT * FROM enabled_policy_types ORDER BY rowid")
            .await?,
        delegated_administrators: fetch(
            pool,
            "SELECT * FROM delegated_administrators ORDER BY rowid",
        )
        .await?,
        service_access: fetch(pool, "SELECT * FROM service_access ORDER BY rowid").await?,
        resource_policies: fetch(pool, "SELECT * FROM resource_policies ORDER BY rowid").await?,
        sessions: fetch(pool, "SELECT * FROM sessions ORDER BY rowid").await?,
        handshakes: fetch(pool, "SELECT * FROM handshakes ORDER BY rowid").await?,
        responsibility_transfers: fetch(
            pool,
            "SELECT * FROM responsibility_transfers ORDER BY rowid",
        )
        .await?,
    })
}

pub(crate) async fn fetch<T>(pool: &SqlitePool, sql: &'static str) -> Result<Vec<T>, StoreError>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    let rows = sqlx::query(sql).fetch_all(pool).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(T::from_row(row)?);
    }
    Ok(records)
}

pub(crate) async fn apply(
    transaction: &mut Transaction<'static, Sqlite>,
    change: &Change,
) -> Result<(), StoreError> {
    let connection = &mut **transaction;
    match change {
        Change::PutOrganization(record) => {
            sqlx::query(
                "INSERT INTO organizations (id, feature_set, management_account_id, partition, created_at)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET feature_set = excluded.feature_set,
                     management_account_id = excluded.management_account_id,
                     partition = excluded.partition, created_at = excluded.created_at",
            )
            .bind(&record.id)
            .bind(&record.feature_set)
            .bind(&record.management_account_id)
            .bind(&record.partition)
            .bind(record.created_at)
            .execute(connection)
            .await?;
        }
        Change::DeleteOrganization { id } => {
            // Sessions belong to accounts, not organizations; they outlive it until they expire.
            for table in TABLES_CHILD_FIRST
                .iter()
                .filter(|table| **table != "sessions")
            {
                let column = if *table == "organizations" {
                    "id"
                } else {
                    "organization_id"
                };
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE {column} = ?"
                )))
                .bind(id)
                .execute(&mut **transaction)
                .await?;
            }
        }
        Change::PutRoot(record) => {
            sqlx::query(
                "INSERT INTO roots (id, organization_id, name) VALUES (?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.name)
            .execute(connection)
            .await?;
        }
        Change::PutOrganizationalUnit(record) => {
            sqlx::query(
                "INSERT INTO organizational_units (id, organization_id, parent_id, name) VALUES (?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
                     parent_id = excluded.parent_id, name = excluded.name",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.parent_id)
            .bind(&record.name)
            .execute(connection)
            .await?;
        }
        Change::DeleteOrganizationalUnit { id } => {
            delete_with_tags(transaction, "organizational_units", id).await?;
        }
        Change::PutAccount(record) => {
            sqlx::query(
                "INSERT INTO accounts (id, organization_id, parent_id, name, email, status, state,
                     joined_method, joined_at, access_role, closed_at, status_until)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
                     parent_id = excluded.parent_id, name = excluded.name, email = excluded.email,
                     status = excluded.status, state = excluded.state,
                     joined_method = excluded.joined_method, joined_at = excluded.joined_at,
                     access_role = excluded.access_role, closed_at = excluded.closed_at,
                     status_until = excluded.status_until",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.parent_id)
            .bind(&record.name)
            .bind(&record.email)
            .bind(&record.status)
            .bind(&record.state)
            .bind(&record.joined_method)
            .bind(record.joined_at)
            .bind(&record.access_role)
            .bind(record.closed_at)
            .bind(record.status_until)
            .execute(connection)
            .await?;
        }
        Change::DeleteAccount { id } => {
            delete_with_tags(transaction, "accounts", id).await?;
        }
        Change::PutCreateAccountRequest(record) => {
            sqlx::query(
                "INSERT INTO create_account_requests (id, organization_id, account_name, email, role_name,
                     tags, state, requested_at, completes_at, completed_at, account_id, failure_reason)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                     completes_at = excluded.completes_at, completed_at = excluded.completed_at,
                     account_id = excluded.account_id, failure_reason = excluded.failure_reason",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.account_name)
            .bind(&record.email)
            .bind(&record.role_name)
            .bind(&record.tags)
            .bind(&record.state)
            .bind(record.requested_at)
            .bind(record.completes_at)
            .bind(record.completed_at)
            .bind(&record.account_id)
            .bind(&record.failure_reason)
            .execute(connection)
            .await?;
        }
        Change::PutPolicy(record) => {
            sqlx::query(
                "INSERT INTO policies (id, organization_id, type, name, description, content)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                     description = excluded.description, content = excluded.content",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.r#type)
            .bind(&record.name)
            .bind(&record.description)
            .bind(&record.content)
            .execute(connection)
            .await?;
        }
        Change::DeletePolicy { id } => {
            delete_with_tags(transaction, "policies", id).await?;
        }
        Change::AttachPolicy(record) => {
            sqlx::query(
                "INSERT OR IGNORE INTO policy_attachments (policy_id, target_id, organization_id) VALUES (?, ?, ?)",
            )
            .bind(&record.policy_id)
            .bind(&record.target_id)
            .bind(&record.organization_id)
            .execute(connection)
            .await?;
        }
        Change::DetachPolicy {
            policy_id,
            target_id,
        } => {
            sqlx::query("DELETE FROM policy_attachments WHERE policy_id = ? AND target_id = ?")
                .bind(policy_id)
                .bind(target_id)
                .execute(connection)
                .await?;
        }
        Change::EnablePolicyType(record) => {
            sqlx::query("INSERT OR IGNORE INTO enabled_policy_types (root_id, organization_id, type) VALUES (?, ?, ?)")
                .bind(&record.root_id)
                .bind(&record.organization_id)
                .bind(&record.r#type)
                .execute(connection)
                .await?;
        }
        Change::DisablePolicyType { root_id, r#type } => {
            sqlx::query("DELETE FROM enabled_policy_types WHERE root_id = ? AND type = ?")
                .bind(root_id)
                .bind(r#type)
                .execute(connection)
                .await?;
        }
        Change::PutDelegatedAdministrator(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO delegated_administrators (account_id, service_principal, organization_id, delegated_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&record.account_id)
            .bind(&record.service_principal)
            .bind(&record.organization_id)
            .bind(record.delegated_at)
            .execute(connection)
            .await?;
        }
        Change::DeleteDelegatedAdministrator {
            account_id,
            service_principal,
        } => {
            sqlx::query("DELETE FROM delegated_administrators WHERE account_id = ? AND service_principal = ?")
                .bind(account_id)
                .bind(service_principal)
                .execute(connection)
                .await?;
        }
        Change::PutServiceAccess(record) => {
            sqlx::query(
                "INSERT OR IGNORE INTO service_access (organization_id, service_principal, enabled_at) VALUES (?, ?, ?)",
            )
            .bind(&record.organization_id)
            .bind(&record.service_principal)
            .bind(record.enabled_at)
            .execute(connection)
            .await?;
        }
        Change::DeleteServiceAccess {
            organization_id,
            service_principal,
        } => {
            sqlx::query(
                "DELETE FROM service_access WHERE organization_id = ? AND service_principal = ?",
            )
            .bind(organization_id)
            .bind(service_principal)
            .execute(connection)
            .await?;
        }
        Change::PutResourcePolicy(record) => {
            sqlx::query("INSERT OR REPLACE INTO resource_policies (organization_id, id, content) VALUES (?, ?, ?)")
                .bind(&record.organization_id)
                .bind(&record.id)
                .bind(&record.content)
                .execute(connection)
                .await?;
        }
        Change::DeleteResourcePolicy { organization_id } => {
            sqlx::query("DELETE FROM resource_policies WHERE organization_id = ?")
                .bind(organization_id)
                .execute(connection)
                .await?;
        }
        Change::PutHandshake(record) => {
            sqlx::query(
                "INSERT INTO handshakes (id, organization_id, action, state, target_type, target_id,
                     parent_id, notes, tags, requested_at, expires_at, state_changed_at, responder_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                     expires_at = excluded.expires_at, state_changed_at = excluded.state_changed_at,
                     responder_id = excluded.responder_id",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.action)
            .bind(&record.state)
            .bind(&record.target_type)
            .bind(&record.target_id)
            .bind(&record.parent_id)
            .bind(&record.notes)
            .bind(&record.tags)
            .bind(record.requested_at)
            .bind(record.expires_at)
            .bind(record.state_changed_at)
            .bind(&record.responder_id)
            .execute(connection)
            .await?;
        }
        Change::PutResponsibilityTransfer(record) => {
            sqlx::query(
                "INSERT INTO responsibility_transfers (id, organization_id, handshake_id, type, name,
                     start_at, end_at, source_account_id, tags, withdrawn_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, end_at = excluded.end_at,
                     source_account_id = excluded.source_account_id,
                     withdrawn_at = excluded.withdrawn_at",
            )
            .bind(&record.id)
            .bind(&record.organization_id)
            .bind(&record.handshake_id)
            .bind(&record.transfer_type)
            .bind(&record.name)
            .bind(record.start_at)
            .bind(record.end_at)
            .bind(&record.source_account_id)
            .bind(&record.tags)
            .bind(record.withdrawn_at)
            .execute(connection)
            .await?;
        }
        Change::PutSession(record) => {
            sqlx::query(
                "INSERT OR REPLACE INTO sessions (access_key_id, secret, session_token, account_id, role_arn,
                     role_id, session_name, issued_at, expires_at, chained, context)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&record.access_key_id)
            .bind(&record.secret)
            .bind(&record.session_token)
            .bind(&record.account_id)
            .bind(&record.role_arn)
            .bind(&record.role_id)
            .bind(&record.session_name)
            .bind(record.issued_at)
            .bind(record.expires_at)
            .bind(record.chained)
            .bind(&record.context)
            .execute(connection)
            .await?;
        }
        Change::Iam(change) => crate::iam::apply(transaction, change).await?,
        Change::SetTags {
            resource_id,
            organization_id,
            tags,
        } => {
            sqlx::query("DELETE FROM tags WHERE resource_id = ?")
                .bind(resource_id)
                .execute(&mut **transaction)
                .await?;
            for (position, (key, value)) in tags.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO tags (resource_id, organization_id, key, value, position) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(resource_id)
                .bind(organization_id)
                .bind(key)
                .bind(value)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .execute(&mut **transaction)
                .await?;
            }
        }
    }
    Ok(())
}

async fn delete_with_tags(
    transaction: &mut Transaction<'static, Sqlite>,
    table: &str,
    id: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM tags WHERE resource_id = ?")
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    sqlx::query("DELETE FROM policy_attachments WHERE target_id = ? OR policy_id = ?")
        .bind(id)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE id = ?"
    )))
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
