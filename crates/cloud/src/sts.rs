//! AWS Security Token Service: who is calling, and temporary credentials for roles.
//!
//! AssumeRole issues `ASIA…` credentials for an IAM role: one made with CreateRole, or the
//! access role CreateAccount made in a member account. The trust decision uses the policy
//! engine with the role's trust policy, and the session may last up to the role's
//! MaxSessionDuration. Issued credentials are stored, expire, and are verified by signature
//! on every request that uses them.
//!
//! NOTE: ExternalId, session policies, tags and source identity are accepted but not applied.

use std::collections::HashMap;

use model::Timestamp;
use model::sts::{MODEL, Operation};
use parking_lot::RwLock;
use policy::{Evaluator, Policy, PolicyKind, PolicySet, Principal, Request, Resource};
use serde_json::{Value, json};
use store::{Change, SessionRecord, Store};
use wire::AwsError;

use crate::iam::Iam;
use crate::random::{SECRET_ALPHABET, UPPER_ALPHANUMERIC, random_text};
use crate::time::now_millis;
use crate::{AuthSettings, Caller, partition_for_region};

/// The operations [`Sts::handle`] serves.
pub const SERVED_OPERATIONS: &[Operation] = &[
    Operation::AssumeRole,
    Operation::GetAccessKeyInfo,
    Operation::GetCallerIdentity,
    Operation::GetSessionToken,
];

/// The session length when AssumeRole names none, and the longest a role allows by default:
/// one hour.
const DEFAULT_SESSION_SECONDS: i64 = 3_600;

/// Returns whether bulkhead serves this STS operation yet.
pub fn is_served(operation: Operation) -> bool {
    SERVED_OPERATIONS.contains(&operation)
}

/// The STS service and the credentials it issued.
#[derive(Debug)]
pub struct Sts {
    sessions: RwLock<HashMap<String, SessionRecord>>,
    store: Store,
}

/// The reason issued credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// The credentials expired.
    Expired,
}

impl Sts {
    /// Loads the credentials issued earlier that have not expired.
    pub async fn load(store: Store) -> Result<Sts, store::StoreError> {
        let sessions = store.load_sessions(now_millis()).await?;
        let sessions = sessions
            .into_iter()
            .map(|record| (record.access_key_id.clone(), record))
            .collect();
        Ok(Sts {
            sessions: RwLock::new(sessions),
            store,
        })
    }

    /// Forgets every issued credential, after the store was reset.
    pub fn clear(&self) {
        self.sessions.write().clear();
    }

    /// Looks up credentials STS issued; `None` for a key it did not issue.
    pub fn session(&self, access_key_id: &str) -> Option<SessionRecord> {
        self.sessions.read().get(access_key_id).cloned()
    }

    /// Returns the caller that issued credentials stand for, or the reason they are refused.
    pub fn caller_for(session: &SessionRecord, region: &str) -> Result<Caller, SessionError> {
        if session.expires_at <= now_millis() {
            return Err(SessionError::Expired);
        }
        // GetSessionToken credentials act as the principal that requested them.
        if session.role_arn.is_empty() {
            return Ok(Caller::root_user(&session.account_id, region));
        }
        let partition = partition_for_region(region);
        let role_name = session.role_arn.rsplit('/').next().unwrap_or_default();
        Ok(Caller {
            account_id: session.account_id.clone(),
            arn: format!(
                "arn:{partition}:sts::{}:assumed-role/{role_name}/{}",
                session.account_id, session.session_name
            ),
            region: region.to_owned(),
            partition,
            user_id: format!("{}:{}", session.role_id, session.session_name),
            role_arn: Some(session.role_arn.clone()),
        })
    }

    /// Runs one STS operation for `caller` on its decoded input and returns the output as JSON,
    /// which the wire layer writes as XML.
    pub async fn handle(
        &self,
        iam: &Iam,
        auth: &AuthSettings,
        caller: &Caller,
        operation: Operation,
        input: &Value,
    ) -> Result<Value, AwsError> {
        crate::query::validate_input(&MODEL, operation.input_shape(), input)?;
        match operation {
            Operation::GetCallerIdentity => Ok(json!({
                "UserId": caller.user_id,
                "Account": caller.account_id,
                "Arn": caller.arn,
            })),
            Operation::AssumeRole => self.assume_role(iam, caller, input).await,
            Operation::GetSessionToken => self.get_session_token(caller, input).await,
            Operation::GetAccessKeyInfo => {
                let access_key_id = input["AccessKeyId"].as_str().unwrap_or_default();
                let issued = self
                    .session(access_key_id)
                    .map(|session| session.account_id)
                    .or_else(|| iam.access_key(access_key_id).map(|key| key.account_id));
                let account = match issued {
                    Some(account) => account,
                    None => auth
                        .resolve_unissued_key(access_key_id, &caller.region)
                        .map(|principal| principal.account_id)
                        .unwrap_or_else(|_| auth.default_account.clone()),
                };
                Ok(json!({ "Account": account }))
            }
            other => Err(wire::error::unknown_operation(
                wire::Protocol::AwsQuery,
                Some("STS"),
                Some(other.name()),
            )),
        }
    }

    /// Issues temporary credentials for the caller itself. A root user's session lasts 900 to
    /// 3,600 seconds, one hour by default; session credentials cannot request more.
    async fn get_session_token(&self, caller: &Caller, input: &Value) -> Result<Value, AwsError> {
        if caller.role_arn.is_some() {
            return Err(AwsError::client(
                "AccessDenied",
                "Cannot call GetSessionToken with session credentials",
            )
            .with_status(http::StatusCode::FORBIDDEN));
        }
        let requested = input["DurationSeconds"]
            .as_i64()
            .unwrap_or(DEFAULT_SESSION_SECONDS);
        if requested > DEFAULT_SESSION_SECONDS {
            return Err(AwsError::client(
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for root users.",
            ));
        }
        let record = new_session(
            &caller.account_id,
            String::new(),
            String::new(),
            "",
            requested,
            false,
        );
        self.remember(record.clone()).await?;
        Ok(json!({ "Credentials": credentials_json(&record) }))
    }

    /// Stores issued credentials before they are handed out.
    async fn remember(&self, record: SessionRecord) -> Result<(), AwsError> {
        self.store.commit(&[Change::PutSession(record.clone())]).await.map_err(|error| {
            tracing::error!(target: "bulkhead::sts", %error, "storing issued credentials failed");
            AwsError::internal("STS could not store the issued credentials. Try again.")
        })?;
        self.sessions
            .write()
            .insert(record.access_key_id.clone(), record);
        Ok(())
    }

    async fn assume_role(
        &self,
        iam: &Iam,
        caller: &Caller,
        input: &Value,
    ) -> Result<Value, AwsError> {
        let role_arn = input["RoleArn"].as_str().unwrap_or_default();
        let session_name = input["RoleSessionName"].as_str().unwrap_or_default();
        let denied = || {
            AwsError::client(
                "AccessDenied",
                format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                    caller.arn
                ),
            )
            .with_status(http::StatusCode::FORBIDDEN)
        };

        let Some((account_id, role_name)) = parse_role_arn(role_arn) else {
            return Err(AwsError::client(
                "ValidationError",
                format!("{role_arn} is not a valid role ARN."),
            ));
        };
        let Some(role) = iam
            .role(&account_id, &role_name)
            .filter(|role| role.arn == role_arn)
        else {
            return Err(denied());
        };
        if !trusts(&role.trust, caller, role_arn) {
            return Err(denied());
        }

        let chained = caller.role_arn.is_some();
        let requested = input["DurationSeconds"]
            .as_i64()
            .unwrap_or(DEFAULT_SESSION_SECONDS);
        let limit = if chained {
            DEFAULT_SESSION_SECONDS
        } else {
            role.max_session_duration
        };
        if requested > limit {
            let reason = if chained {
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
            } else {
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            };
            return Err(AwsError::client("ValidationError", reason));
        }

        let record = new_session(
            &account_id,
            role.arn.clone(),
            role.role_id.clone(),
            session_name,
            requested,
            chained,
        );
        self.remember(record.clone()).await?;

        let assumed_arn = format!(
            "arn:{}:sts::{account_id}:assumed-role/{role_name}/{session_name}",
            caller.partition
        );
        Ok(json!({
                        "Credentials": credentials_json(&record),
            "AssumedRoleUser": {
                "AssumedRoleId": format!("{}:{session_name}", record.role_id),
                "Arn": assumed_arn,
            },
        }))
    }
}

/// Returns new credentials for `account_id` that expire in `seconds`. A session for the caller
/// itself (GetSessionToken) has an empty role ARN, role id and session name.
fn new_session(
    account_id: &str,
    role_arn: String,
    role_id: String,
    session_name: &str,
    seconds: i64,
    chained: bool,
) -> SessionRecord {
    let now = now_millis();
    SessionRecord {
        access_key_id: format!("ASIA{}", random_text(UPPER_ALPHANUMERIC, 16)),
        secret: random_text(SECRET_ALPHABET, 40),
        session_token: random_text(SECRET_ALPHABET, 356),
        account_id: account_id.to_owned(),
        role_arn,
        role_id,
        session_name: session_name.to_owned(),
        issued_at: now,
        expires_at: now.saturating_add(seconds.saturating_mul(1000)),
        chained,
    }
}

/// Returns the `Credentials` shape of issued credentials.
fn credentials_json(record: &SessionRecord) -> Value {
    json!({
        "AccessKeyId": record.access_key_id,
        "SecretAccessKey": record.secret,
        "SessionToken": record.session_token,
        "Expiration": Timestamp::from_epoch_millis(record.expires_at).epoch_seconds(),
    })
}

/// Splits `arn:<partition>:iam::<account>:role/<path/><name>` into the account and role name.
fn parse_role_arn(arn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, _partition, service, region, account, resource] = parts.as_slice() else {
        return None;
    };
    if *scheme != "arn" || *service != "iam" || !region.is_empty() {
        return None;
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    (!name.is_empty()).then(|| ((*account).to_owned(), name.to_owned()))
}

/// Decides the role's trust policy with the policy engine. The caller's own identity-based
/// permissions are not modelled yet, so they count as allowing the call.
fn trusts(trust: &Policy, caller: &Caller, role_arn: &str) -> bool {
    let Ok(identity) = Policy::compile(
        "caller-identity",
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ) else {
        return false;
    };
    let Ok(principal) = Principal::from_arn(&caller.arn) else {
        return false;
    };
    let Some((role_account, _)) = parse_role_arn(role_arn) else {
        return false;
    };
    let resource = Resource::new(role_arn).with_account(&role_account);
    let Ok(request) = Request::builder(principal, "sts:AssumeRole", resource)
        .region(&caller.region)
        .build()
    else {
        return false;
    };
    let identity = [identity];
    let policies = PolicySet {
        identity: &identity,
        resource: Some(trust),
        ..PolicySet::default()
    };
    Evaluator::new().authorize(&request, &policies).is_allowed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_parse() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"),
            Some((
                "111122223333".to_owned(),
                "OrganizationAccountAccessRole".to_owned()
            ))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::111122223333:role/path/to/Admin")
                .unwrap()
                .1,
            "Admin"
        );
        assert_eq!(parse_role_arn("arn:aws:iam::111122223333:user/alice"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::1111:role/x"), None);
        assert_eq!(parse_role_arn("not an arn"), None);
    }

    #[test]
    fn management_account_is_trusted() {
        let trust = Policy::compile(
            "trust",
            PolicyKind::RoleTrust,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        let caller = Caller::root_user("111111111111", "us-east-1");
        let role = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole";
        assert!(trusts(&trust, &caller, role));
        let stranger = Caller::root_user("333333333333", "us-east-1");
        assert!(!trusts(&trust, &stranger, role));
    }
}
