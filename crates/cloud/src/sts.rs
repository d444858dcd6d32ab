//! AWS Security Token Service: who is calling, and temporary credentials for roles.
//!
//! AssumeRole issues `ASIA…` credentials for an IAM role: one made with CreateRole, or the
//! access role CreateAccount made in a member account. The trust decision uses the policy
//! engine with the role's trust policy, and the session may last up to the role's
//! MaxSessionDuration. Issued credentials are stored, expire, and are verified by signature
//! on every request that uses them.
//!
//! A role session carries its source identity, session tags (with the transitive ones of the
//! session that assumed it) and session policies into every later authorization.

use std::collections::HashMap;
use std::sync::Arc;

use model::Timestamp;
use model::sts::{MODEL, Operation};
use parking_lot::RwLock;
use policy::{Policy, PolicyKind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::{Change, SessionRecord, Store};
use wire::AwsError;

use crate::access::Call;
use crate::iam::Iam;
use crate::random::{SECRET_ALPHABET, UPPER_ALPHANUMERIC, random_text};
use crate::time::now_millis;
use crate::{AuthSettings, Caller, SessionContext, partition_for_region};

/// The operations [`Sts::handle`] serves.
pub const SERVED_OPERATIONS: &[Operation] = &[
    Operation::AssumeRole,
    Operation::DecodeAuthorizationMessage,
    Operation::GetAccessKeyInfo,
    Operation::GetCallerIdentity,
    Operation::GetSessionToken,
];

/// The session length when AssumeRole names none, and the longest a role allows by default:
/// one hour.
const DEFAULT_SESSION_SECONDS: i64 = 3_600;

/// The session length when an IAM user's GetSessionToken names none: 12 hours.
const USER_SESSION_SECONDS: i64 = 43_200;

/// The longest session GetSessionToken gives an IAM user: 36 hours.
const USER_SESSION_MAX_SECONDS: i64 = 129_600;

/// Returns whether bulkhead serves this STS operation yet.
pub fn is_served(operation: Operation) -> bool {
    SERVED_OPERATIONS.contains(&operation)
}

/// The STS service and the credentials it issued.
#[derive(Debug)]
pub struct Sts {
    sessions: RwLock<HashMap<String, Arc<IssuedSession>>>,
    store: Store,
}

/// Credentials STS issued, with what they carry into authorization, compiled once.
#[derive(Debug)]
pub struct IssuedSession {
    /// The stored credentials.
    pub record: SessionRecord,
    /// The session's source identity, tags and session policies.
    pub context: Arc<SessionContext>,
    /// For GetSessionToken credentials of an IAM user: the user's ARN and `AIDA…` id.
    pub user: Option<(String, String)>,
}

/// The part of [`SessionContext`] that is stored with the credentials, as JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_identity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    transitive_tag_keys: Vec<String>,
    /// Session policy documents by name: the inline policy, then managed policies by ARN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    policies: Vec<(String, String)>,
    /// The IAM user (ARN and id) that called GetSessionToken; absent for a root user's and a
    /// role's sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<(String, String)>,
}

impl IssuedSession {
    /// Compiles a stored session. A stored policy that no longer compiles is left out and
    /// logged: STS validated it when it issued the credentials.
    fn from_record(record: SessionRecord) -> IssuedSession {
        let stored: StoredContext = serde_json::from_str(&record.context).unwrap_or_else(|error| {
            tracing::error!(target: "bulkhead::sts", access_key_id = %record.access_key_id, %error, "a stored session context does not parse");
            StoredContext::default()
        });
        let policies = stored
            .policies
            .iter()
            .filter_map(|(id, document)| match Policy::compile(id, PolicyKind::Session, document) {
                Ok(policy) => Some(policy),
                Err(error) => {
                    tracing::error!(target: "bulkhead::sts", access_key_id = %record.access_key_id, %error, "a stored session policy no longer compiles");
                    None
                }
            })
            .collect();
        let context = SessionContext {
            issued_at: record.issued_at,
            source_identity: stored.source_identity.clone(),
            tags: stored.tags.clone(),
            transitive_tag_keys: stored.transitive_tag_keys.clone(),
            policies,
            chained: record.chained,
        };
        IssuedSession {
            record,
            context: Arc::new(context),
            user: stored.user,
        }
    }
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
            .map(|record| {
                (
                    record.access_key_id.clone(),
                    Arc::new(IssuedSession::from_record(record)),
                )
            })
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
    pub fn session(&self, access_key_id: &str) -> Option<Arc<IssuedSession>> {
        self.sessions.read().get(access_key_id).cloned()
    }

    /// Returns the caller that issued credentials stand for, or the reason they are refused.
    pub fn caller_for(issued: &IssuedSession, region: &str) -> Result<Caller, SessionError> {
        let session = &issued.record;
        if session.expires_at <= now_millis() {
            return Err(SessionError::Expired);
        }
        // GetSessionToken credentials act as the principal that requested them.
        if session.role_arn.is_empty() {
            let mut caller = match &issued.user {
                Some((arn, id)) => Caller::iam_user(&session.account_id, arn, id, region),
                None => Caller::root_user(&session.account_id, region),
            };
            caller.session = Some(Arc::clone(&issued.context));
            return Ok(caller);
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
            session: Some(Arc::clone(&issued.context)),
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
            // NOTE: no service bulkhead serves returns encoded authorization messages yet (EC2
            // does on AWS), so the only messages to decode are those `encode_authorization_message`
            // produced.
            Operation::DecodeAuthorizationMessage => {
                let encoded = input["EncodedMessage"].as_str().unwrap_or_default();
                match crate::access::decode_authorization_message(encoded) {
                    Some(decoded) => Ok(json!({ "DecodedMessage": decoded })),
                    None => Err(AwsError::client(
                        "InvalidAuthorizationMessageException",
                        "The encoded authorization message is not valid.",
                    )),
                }
            }
            Operation::GetAccessKeyInfo => {
                let access_key_id = input["AccessKeyId"].as_str().unwrap_or_default();
                let issued = self
                    .session(access_key_id)
                    .map(|session| session.record.account_id.clone())
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
    /// 3,600 seconds (one hour by default), an IAM user's 900 to 129,600 seconds (12 hours by
    /// default). Temporary credentials cannot call it.
    async fn get_session_token(&self, caller: &Caller, input: &Value) -> Result<Value, AwsError> {
        if caller.session.is_some() {
            return Err(AwsError::client(
                "AccessDenied",
                "Cannot call GetSessionToken with session credentials",
            )
            .with_status(http::StatusCode::FORBIDDEN));
        }
        let is_user = caller.arn.contains(":user/");
        let (default, longest) = if is_user {
            (USER_SESSION_SECONDS, USER_SESSION_MAX_SECONDS)
        } else {
            (DEFAULT_SESSION_SECONDS, DEFAULT_SESSION_SECONDS)
        };
        let requested = input["DurationSeconds"].as_i64().unwrap_or(default);
        if requested > longest {
            let message = if is_user {
                "The requested DurationSeconds exceeds the 36 hour session limit for IAM users."
            } else {
                "The requested DurationSeconds exceeds the 1 hour session limit for root users."
            };
            return Err(AwsError::client("ValidationError", message));
        }
        let context = StoredContext {
            user: is_user.then(|| (caller.arn.clone(), caller.user_id.clone())),
            ..StoredContext::default()
        };
        let record = new_session(
            &caller.account_id,
            String::new(),
            String::new(),
            "",
            requested,
            false,
            &context,
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
        let issued = IssuedSession::from_record(record);
        self.sessions
            .write()
            .insert(issued.record.access_key_id.clone(), Arc::new(issued));
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
        // The role's trust policy was decided by the authorization step with the caller's own
        // policies and the organization's guardrails.

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

        let context = assumed_session_context(iam, &account_id, caller, input)?;
        let record = new_session(
            &account_id,
            role.arn.clone(),
            role.role_id.clone(),
            session_name,
            requested,
            chained,
            &context,
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

/// Describes an STS request for authorization. `sts:AssumeRole` acts on the role, with the
/// role's account as the resource's account, and needs `sts:TagSession` on the role too when it
/// passes session tags, and `sts:SetSourceIdentity` when it sets a source identity. The other
/// operations have no resource.
pub fn calls_for(operation: Operation, input: &Value) -> Vec<Call> {
    let action = format!("sts:{}", operation.name());
    if operation != Operation::AssumeRole {
        return vec![Call::new(&action, "*", None)];
    }
    let role_arn = input["RoleArn"].as_str().unwrap_or_default();
    let on_role = |action: &str| match parse_role_arn(role_arn) {
        Some((account, _)) => Call::new(action, role_arn, Some(&account)),
        None => Call::new(action, "*", None),
    };
    let mut call = on_role(&action);
    for (key, member) in [
        ("sts:RoleSessionName", "RoleSessionName"),
        ("sts:ExternalId", "ExternalId"),
        ("sts:SourceIdentity", "SourceIdentity"),
    ] {
        if let Some(value) = input[member].as_str() {
            call = call.with(key, value);
        }
    }
    let transitive: Vec<String> = input["TransitiveTagKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|key| key.as_str().map(str::to_owned))
        .collect();
    if !transitive.is_empty() {
        call.context
            .push(("sts:TransitiveTagKeys".to_owned(), transitive));
    }
    let call = call.with_request_tags(input);
    let mut calls = Vec::with_capacity(3);
    if input["Tags"]
        .as_array()
        .is_some_and(|tags| !tags.is_empty())
    {
        let mut tag_session = on_role("sts:TagSession");
        tag_session.context = call.context.clone();
        calls.push(tag_session);
    }
    if input["SourceIdentity"].is_string() {
        let mut set_identity = on_role("sts:SetSourceIdentity");
        set_identity.context = call.context.clone();
        calls.push(set_identity);
    }
    calls.insert(0, call);
    calls
}

/// Returns the trust policy of the role `role_arn` names, or `None` when IAM has no such role.
pub fn role_trust_policy(iam: &Iam, role_arn: &str) -> Option<Policy> {
    let (account_id, role_name) = parse_role_arn(role_arn)?;
    iam.role(&account_id, &role_name)
        .filter(|role| role.arn == role_arn)
        .map(|role| role.trust.clone())
}

/// Builds what a new role session carries: the source identity, the session tags with those
/// that pass on from the caller's own session, and the inline and managed session policies.
///
fn assumed_session_context(
    iam: &Iam,
    role_account: &str,
    caller: &Caller,
    input: &Value,
) -> Result<StoredContext, AwsError> {
    let inherited = caller.session.as_deref();
    let mut context = StoredContext::default();

    // A source identity, once set, stays with every session chained from it.
    let requested_identity = input["SourceIdentity"].as_str();
    let inherited_identity = inherited.and_then(|session| session.source_identity.as_deref());
    context.source_identity = match (inherited_identity, requested_identity) {
        (Some(kept), Some(requested)) if kept != requested => {
            return Err(AwsError::client(
                "ValidationError",
                format!(
                    "The source identity of a chained role session cannot change: it is {kept}, and the request sets {requested}."
                ),
            ));
        }
        (Some(kept), _) => Some(kept.to_owned()),
        (None, requested) => requested.map(str::to_owned),
    };

    // Transitive tags of the caller's session pass on and may not be set again.
    if let Some(session) = inherited {
        for key in &session.transitive_tag_keys {
            if let Some((key, value)) = session.tags.iter().find(|(tag, _)| tag == key) {
                context.tags.push((key.clone(), value.clone()));
                context.transitive_tag_keys.push(key.clone());
            }
        }
    }
    for tag in input["Tags"].as_array().into_iter().flatten() {
        let key = tag["Key"].as_str().unwrap_or_default();
        let value = tag["Value"].as_str().unwrap_or_default();
        if context
            .tags
            .iter()
            .any(|(existing, _)| existing.eq_ignore_ascii_case(key))
        {
            return Err(AwsError::client(
                "InvalidParameterValue",
                format!(
                    "The session tag key {key} is set twice, or overrides a transitive tag of the calling session."
                ),
            ));
        }
        context.tags.push((key.to_owned(), value.to_owned()));
    }
    for key in input["TransitiveTagKeys"].as_array().into_iter().flatten() {
        let key = key.as_str().unwrap_or_default();
        if !context.tags.iter().any(|(tag, _)| tag == key) {
            return Err(AwsError::client(
                "InvalidParameterValue",
                format!("The transitive tag key {key} is not one of the session tags."),
            ));
        }
        context.transitive_tag_keys.push(key.to_owned());
    }

    if let Some(document) = input["Policy"].as_str() {
        if let Err(error) = Policy::compile("session-policy", PolicyKind::Session, document) {
            return Err(match error.kind() {
                policy::ErrorKind::PolicyTooLarge => AwsError::client(
                    "PackedPolicyTooLarge",
                    format!("The session policy is too large: {error}"),
                ),
                policy::ErrorKind::MalformedPolicyDocument => {
                    AwsError::client("MalformedPolicyDocument", error.to_string())
                }
            });
        }
        context
            .policies
            .push(("session-policy".to_owned(), document.to_owned()));
    }
    // Managed session policies come from the role's account or from AWS; their current
    // default version goes into the session.
    for descriptor in input["PolicyArns"].as_array().into_iter().flatten() {
        let arn = descriptor["arn"].as_str().unwrap_or_default();
        let Some(document) = iam.managed_policy_document(role_account, arn) else {
            return Err(AwsError::client(
                "ValidationError",
                format!("The session policy {arn} does not exist or is not attachable."),
            ));
        };
        context.policies.push((arn.to_owned(), document));
    }
    Ok(context)
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
    context: &StoredContext,
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
        context: serde_json::to_string(context).unwrap_or_else(|_| "{}".to_owned()),
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
}
