//! Decides one case from a snapshot with the server's authorization step.

use std::sync::Arc;

use anyhow::Context;
use cloud::access::{AccessRequest, Call, Environment, denial_message, evaluator};
use cloud::{Caller, SessionContext, partition_for_region};
use policy::{Policy, PolicyKind};

use super::Case;
use super::principal::PrincipalArn;
use super::report::{Deciding, Outcome};
use super::snapshot::Snapshot;

/// Decides `case` with the data in `snapshot`, at `now_millis` (milliseconds since the Unix
/// epoch, the value of `aws:CurrentTime`). Fails when the snapshot lacks data the case needs or
/// the request cannot be described to the policy engine (an invalid action, for example).
pub fn decide(snapshot: &Snapshot, case: &Case, now_millis: i64) -> anyhow::Result<Outcome> {
    let account_id = case.principal.account_id();
    let caller = caller(snapshot, case, now_millis)?;
    let caller_policies = match case.principal.iam_entity() {
        Some(entity) => Some(snapshot.principal(account_id, entity)?.caller_policies()?),
        None => None,
    };

    let resource_account = case.resource_account();
    let call = Call {
        action: case.action.clone(),
        resource: case.resource.clone(),
        resource_account: resource_account.clone(),
        context: Vec::new(),
    };
    let caller_organization = snapshot.governance(account_id)?;
    let resource_organization = match resource_account.as_deref() {
        Some(account) if account != account_id => snapshot.governance(account)?,
        _ => caller_organization.clone(),
    };
    let trust_policy = match case.assumed_role() {
        Some((role_account, role_name)) => Some(trust_policy(snapshot, &role_account, &role_name)?),
        None => None,
    };
    let environment = Environment {
        source_ip: None,
        secure_transport: snapshot.secure_transport,
        now_millis,
    };

    let request = AccessRequest {
        caller: &caller,
        call: &call,
        environment: &environment,
        caller_policies: caller_policies.as_ref(),
        caller_organization: caller_organization.as_ref(),
        resource_organization: resource_organization.as_ref(),
        resource_policy: trust_policy.as_ref(),
        overrides: &case.context,
    };
    let explanation = request
        .explain(evaluator())
        .map_err(|error| anyhow::anyhow!("the request cannot be evaluated: {error}"))?;
    let authorization = explanation.authorization;
    let message = (!authorization.is_allowed())
        .then(|| denial_message(&caller.arn, &call, &authorization.basis));

    Ok(Outcome {
        principal: caller.arn.clone(),
        action: case.action.clone(),
        resource: case.resource.clone(),
        region: case.region.clone(),
        decision: format!("{:?}", authorization.decision),
        message,
        deciding: Deciding::from_basis(&authorization.basis),
        trace: explanation.trace.to_string(),
    })
}

/// Builds the caller the server would see for the case's principal. A role is simulated as a
/// session of the role, as a request signed with the role's credentials is one.
fn caller(snapshot: &Snapshot, case: &Case, now_millis: i64) -> anyhow::Result<Caller> {
    let region = &case.region;
    let partition = partition_for_region(region);
    let principal = &case.principal;
    let account_id = principal.account_id();
    let Some(entity) = principal.iam_entity() else {
        return Ok(Caller::root_user(account_id, region));
    };
    let stored = snapshot.principal(account_id, entity)?;

    let caller = match principal {
        PrincipalArn::User { .. } => Caller {
            account_id: account_id.to_owned(),
            arn: stored.arn.clone(),
            region: region.clone(),
            partition,
            user_id: stored.id.clone(),
            role_arn: None,
            session: None,
        },
        PrincipalArn::Role { .. } | PrincipalArn::RoleSession { .. } => {
            let session_name = principal
                .session_name()
                .unwrap_or(super::DEFAULT_SESSION_NAME);
            let role_partition = stored.arn.split(':').nth(1).unwrap_or(partition);
            // Every role session carries temporary credentials, so AWS sets
            // aws:TokenIssueTime and aws:MultiFactorAuthPresent for it.
            let session = SessionContext {
                issued_at: now_millis,
                ..SessionContext::default()
            };
            Caller {
                account_id: account_id.to_owned(),
                arn: format!(
                    "arn:{role_partition}:sts::{account_id}:assumed-role/{}/{session_name}",
                    stored.name
                ),
                region: region.clone(),
                partition,
                user_id: format!("{}:{session_name}", stored.id),
                role_arn: Some(stored.arn.clone()),
                session: Some(Arc::new(session)),
            }
        }
        PrincipalArn::Root { .. } => Caller::root_user(account_id, region),
    };
    Ok(caller)
}

/// Compiles the trust policy of the role an `sts:AssumeRole` case names, named by the role's
/// ARN as the server names it.
fn trust_policy(snapshot: &Snapshot, account_id: &str, role_name: &str) -> anyhow::Result<Policy> {
    let (arn, document) = snapshot
        .trust_policy(account_id, role_name)
        .with_context(|| {
            format!("the snapshot contains no trust policy for the role {role_name} in account {account_id}")
        })?;
    Policy::compile(arn, PolicyKind::RoleTrust, document)
        .with_context(|| format!("the trust policy of {arn} does not compile"))
}
