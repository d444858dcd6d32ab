//! The authorization step: every request is decided with the policy engine before its
//! operation runs, as AWS decides it.
//!
//! A decision reads the caller's identity policies, permissions boundary and session policies,
//! the SCPs from the root to the caller's account, the RCPs from the root to the resource's
//! account, and the resource's own policy. The request context carries the global condition
//! keys AWS sets for the caller and the request, plus the service's own keys.
//!
//! [`AccessRequest`] gathers those inputs. The server fills it from the services' memory;
//! `bulkhead simulate` fills it from read-only API calls. Both then call
//! [`AccessRequest::authorize`] or [`AccessRequest::explain`], so a simulation decides with the
//! very function the server enforces with.

use std::sync::OnceLock;

pub use policy::Policy;
use policy::{
    Authorization, Basis, Evaluator, Explanation, PolicySet, Principal, Request, RequestError,
    Resource, Source,
};
use serde_json::Value;

use crate::Caller;
use crate::iam::{Iam, IamPrincipal, PrincipalPolicies};
use crate::organizations::{AccountGovernance, Organizations};

/// One API call as the authorization step describes it: the action, the resource and the request's own
/// condition keys.
#[derive(Debug, Clone)]
pub struct Call {
    /// The IAM action, `service:Operation`.
    pub action: String,
    /// The resource's ARN, or `*` for an action without a resource type.
    pub resource: String,
    /// The account that owns the resource; `None` for `*`.
    pub resource_account: Option<String>,
    /// Condition keys of the request, such as `aws:RequestTag/…` and the service's own keys.
    pub context: Vec<(String, Vec<String>)>,
}

impl Call {
    /// Describes a call to `action` on `resource`, owned by `resource_account`.
    pub fn new(action: &str, resource: &str, resource_account: Option<&str>) -> Call {
        Call {
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account: resource_account.map(str::to_owned),
            context: Vec::new(),
        }
    }

    /// Adds a single-valued condition key.
    #[must_use]
    pub fn with(mut self, key: &str, value: &str) -> Call {
        self.context.push((key.to_owned(), vec![value.to_owned()]));
        self
    }

    /// Adds `aws:RequestTag/…` and `aws:TagKeys` from a `Tags` list of `{Key, Value}` objects
    /// and a `TagKeys` list in the request's input, the shapes the governance APIs share.
    #[must_use]
    pub fn with_request_tags(mut self, input: &Value) -> Call {
        let mut keys = Vec::new();
        for tag in input["Tags"].as_array().into_iter().flatten() {
            if let (Some(key), Some(value)) = (tag["Key"].as_str(), tag["Value"].as_str()) {
                self.context
                    .push((format!("aws:RequestTag/{key}"), vec![value.to_owned()]));
                keys.push(key.to_owned());
            }
        }
        for key in input["TagKeys"].as_array().into_iter().flatten() {
            if let Some(key) = key.as_str() {
                keys.push(key.to_owned());
            }
        }
        if !keys.is_empty() {
            self.context.push(("aws:TagKeys".to_owned(), keys));
        }
        self
    }
}

/// Facts of the connection rather than of the caller.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The client's IP address (`aws:SourceIp`).
    pub source_ip: Option<String>,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    pub secure_transport: bool,
    /// The time of the request, milliseconds since the Unix epoch (`aws:CurrentTime`,
    /// `aws:EpochTime`).
    pub now_millis: i64,
}

/// Everything one decision reads.
#[derive(Debug, Clone)]
pub struct AccessRequest<'a> {
    /// The caller.
    pub caller: &'a Caller,
    /// The call.
    pub call: &'a Call,
    /// The connection.
    pub environment: &'a Environment,
    /// The caller's identity policies; `None` for a root user, who needs none in its own
    /// account.
    pub caller_policies: Option<&'a PrincipalPolicies>,
    /// The organization of the caller's account.
    pub caller_organization: Option<&'a AccountGovernance>,
    /// The organization of the resource's account.
    pub resource_organization: Option<&'a AccountGovernance>,
    /// The resource's policy: a role's trust policy for `sts:AssumeRole`.
    pub resource_policy: Option<&'a Policy>,
    /// Condition keys to set or replace after the global keys are derived, for simulations
    /// that ask "what if".
    pub overrides: &'a [(String, Vec<String>)],
}

impl AccessRequest<'_> {
    /// Builds the engine's request: the principal, action and resource, and the request
    /// context with the global condition keys AWS sets for this caller.
    pub fn to_request(&self) -> Result<Request, RequestError> {
        let caller = self.caller;
        let principal = match &caller.role_arn {
            Some(role_arn) => {
                let session_name = caller.arn.rsplit('/').next().unwrap_or_default();
                Principal::assumed_role(role_arn, session_name)?
            }
            None => Principal::from_arn(&caller.arn)?,
        };
        let mut resource = Resource::new(&self.call.resource);
        if let Some(account) = &self.call.resource_account {
            resource = resource.with_account(account);
        }
        let mut builder = Request::builder(principal, &self.call.action, resource)
            .region(requested_region(&self.call.action, caller))
            .context("aws:userid", &caller.user_id)
            .context(
                "aws:SecureTransport",
                bool_text(self.environment.secure_transport),
            )
            .context("aws:ViaAWSService", "false")
            .context("aws:CurrentTime", &iso_time(self.environment.now_millis))
            .context(
                "aws:EpochTime",
                &(self.environment.now_millis / 1000).to_string(),
            );
        if let Some(ip) = &self.environment.source_ip {
            builder = builder.context("aws:SourceIp", ip);
        }
        if let Some(organization) = self.caller_organization {
            builder = builder
                .context("aws:PrincipalOrgID", &organization.organization_id)
                .context_multi("aws:PrincipalOrgPaths", [&organization.parent_path]);
        }
        if let Some(organization) = self.resource_organization {
            builder = builder
                .context("aws:ResourceOrgID", &organization.organization_id)
                .context_multi("aws:ResourceOrgPaths", [&organization.parent_path]);
        }
        // Session tags take precedence over the principal's own tags with the same key.
        let session = caller.session.as_deref();
        let session_tags = session
            .map(|session| session.tags.as_slice())
            .unwrap_or_default();
        let own_tags = self
            .caller_policies
            .map(|policies| policies.tags.as_slice())
            .unwrap_or_default();
        for (key, value) in session_tags.iter().chain(own_tags) {
            builder = builder.context(&format!("aws:PrincipalTag/{key}"), value);
        }
        if let Some(session) = session {
            // MFA is never used with bulkhead's credentials; AWS sets the key only for
            // temporary credentials.
            builder = builder
                .context("aws:MultiFactorAuthPresent", "false")
                .context("aws:TokenIssueTime", &iso_time(session.issued_at));
            if let Some(source_identity) = &session.source_identity {
                builder = builder.context("aws:SourceIdentity", source_identity);
            }
        }
        for (key, values) in self.call.context.iter().chain(self.overrides) {
            builder = builder.context_multi(key, values);
        }
        builder.build()
    }

    /// Returns the policies that apply, by type.
    pub fn policy_set(&self) -> PolicySet<'_> {
        let session = self
            .caller
            .session
            .as_deref()
            .map(|session| session.policies.as_slice())
            .unwrap_or_default();
        PolicySet {
            identity: self
                .caller_policies
                .map(|policies| policies.identity.as_slice())
                .unwrap_or_default(),
            permissions_boundary: self
                .caller_policies
                .and_then(|policies| policies.boundary.as_ref()),
            session,
            resource: self.resource_policy,
            resource_policy_required: false,
            service_control: self
                .caller_organization
                .and_then(|organization| organization.service_control.as_ref()),
            resource_control: self
                .resource_organization
                .and_then(|organization| organization.resource_control.as_ref()),
        }
    }

    /// Decides the request. An error means the request could not be described to the engine
    /// (an unparseable principal ARN or action), which denies it.
    pub fn authorize(&self, evaluator: &Evaluator) -> Result<Authorization<'_>, RequestError> {
        let request = self.to_request()?;
        Ok(evaluator.authorize(&request, &self.policy_set()))
    }

    /// Decides the request and records the trace of every policy and level.
    pub fn explain(&self, evaluator: &Evaluator) -> Result<Explanation<'_>, RequestError> {
        let request = self.to_request()?;
        Ok(evaluator.explain(&request, &self.policy_set()))
    }
}

/// Services with a single global endpoint in the partition's home region: AWS sets
/// `aws:RequestedRegion` to that region for their requests, whatever region a client signs for.
const GLOBAL_SERVICES: [&str; 9] = [
    "budgets",
    "cloudfront",
    "globalaccelerator",
    "iam",
    "importexport",
    "organizations",
    "route53",
    "support",
    "waf",
];

/// Returns the value of `aws:RequestedRegion`: the home region of the caller's partition for a
/// global service, the signing region for the others.
fn requested_region<'a>(action: &str, caller: &'a Caller) -> &'a str {
    let service = action.split(':').next().unwrap_or_default();
    if !GLOBAL_SERVICES
        .iter()
        .any(|global| global.eq_ignore_ascii_case(service))
    {
        return &caller.region;
    }
    match caller.partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// Returns the evaluator bulkhead decides with: RCPs apply to the services AWS lists as
/// supporting them.
pub fn evaluator() -> &'static Evaluator {
    static EVALUATOR: OnceLock<Evaluator> = OnceLock::new();
    EVALUATOR.get_or_init(|| match catalog::Catalog::builtin() {
        Ok(catalog) => Evaluator::new().with_rcp_services(catalog.rcp_supported_services()),
        Err(error) => {
            tracing::error!(target: "bulkhead::access", %error, "the action catalog does not load; RCPs apply to every service");
            Evaluator::new()
        }
    })
}

/// Returns AWS's message for a denied request, which names the policy type that denied it:
/// `User: ARN is not authorized to perform: ACTION on resource: ARN because no
/// identity-based policy allows the ACTION action`, or `… with an explicit deny in a service
/// control policy: POLICY-ARN`.
pub fn denial_message(caller_arn: &str, call: &Call, basis: &Basis<'_>) -> String {
    let mut message = format!(
        "User: {caller_arn} is not authorized to perform: {}",
        call.action
    );
    if call.resource != "*" {
        message.push_str(" on resource: ");
        message.push_str(&call.resource);
    }
    match basis {
        Basis::ExplicitDeny { source, statement } => {
            message.push_str(" with an explicit deny in ");
            message.push_str(source_name(source, true));
            let policy_id = statement.policy_id();
            if policy_id.starts_with("arn:") {
                message.push_str(": ");
                message.push_str(policy_id);
            }
        }
        Basis::NoAllow { source } => {
            message.push_str(" because no ");
            message.push_str(source_name(source, false));
            message.push_str(" allows the ");
            message.push_str(&call.action);
            message.push_str(" action");
        }
        Basis::Allow { .. } | Basis::RootUser | Basis::AlwaysAllowed => {}
    }
    message
}

/// Names a policy type as AWS's denial messages do, with its article when `article` is set.
fn source_name(source: &Source<'_>, article: bool) -> &'static str {
    match (source, article) {
        (Source::ServiceControl { .. }, true) => "a service control policy",
        (Source::ServiceControl { .. }, false) => "service control policy",
        (Source::ResourceControl { .. }, true) => "a resource control policy",
        (Source::ResourceControl { .. }, false) => "resource control policy",
        (Source::ResourcePolicy, true) => "a resource-based policy",
        (Source::ResourcePolicy, false) => "resource-based policy",
        (Source::Identity, true) => "an identity-based policy",
        (Source::Identity, false) => "identity-based policy",
        (Source::PermissionsBoundary, true) => "a permissions boundary",
        (Source::PermissionsBoundary, false) => "permissions boundary",
        (Source::Session, true) => "a session policy",
        (Source::Session, false) => "session policy",
    }
}

/// Returns true when nothing can deny the request: a root user acting on its own account,
/// with no session policy, no resource policy, and neither SCPs nor RCPs that apply (outside
/// an organization, or in its management account). The engine would return `Allowed` on the
/// root user's implicit access; skipping it saves building the request context.
fn is_unrestricted_root(
    caller: &Caller,
    call: &Call,
    resource_policy: Option<&Policy>,
    caller_organization: Option<&AccountGovernance>,
    resource_organization: Option<&AccountGovernance>,
) -> bool {
    let exempt = |organization: Option<&AccountGovernance>, rcp: bool| {
        organization.is_none_or(|organization| {
            let chain = if rcp {
                &organization.resource_control
            } else {
                &organization.service_control
            };
            chain
                .as_ref()
                .is_none_or(|chain| chain.is_management_account)
        })
    };
    let is_root = caller.role_arn.is_none() && caller.arn.ends_with(":root");
    let own_resource = call
        .resource_account
        .as_deref()
        .is_none_or(|account| account == caller.account_id);
    let no_session_policy = caller
        .session
        .as_deref()
        .is_none_or(|session| session.policies.is_empty());
    is_root
        && own_resource
        && no_session_policy
        && resource_policy.is_none()
        && exempt(caller_organization, false)
        && exempt(resource_organization, true)
}

/// Formats milliseconds since the Unix epoch as ISO 8601 in UTC, as AWS sets date keys.
/// The last second formatted on this thread is kept, since every request of that second
/// formats the same `aws:CurrentTime`.
fn iso_time(millis: i64) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let second = millis.div_euclid(1000);
    LAST.with_borrow_mut(|(cached, text)| {
        if *cached != second {
            *text = jiff::Timestamp::from_second(second)
                .map(|time| time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            *cached = second;
        }
        text.clone()
    })
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The server's authorization step, reading the services' memory and no database.
#[derive(Debug, Clone)]
pub struct Authorizer {
    organizations: Organizations,
    iam: Iam,
}

impl Authorizer {
    /// Creates the authorizer over the services whose state decisions read.
    pub fn new(organizations: Organizations, iam: Iam) -> Authorizer {
        Authorizer { organizations, iam }
    }

    /// Decides `call` for `caller`. Returns `Err` with AWS's denial message when the request
    /// is denied; the caller of this function wraps it in the service's error.
    pub fn check(
        &self,
        caller: &Caller,
        call: &Call,
        environment: &Environment,
        resource_policy: Option<&Policy>,
    ) -> Result<(), String> {
        let caller_organization = self.organizations.governance(&caller.account_id);
        let resource_organization = match call.resource_account.as_deref() {
            Some(account) if account == caller.account_id => caller_organization.clone(),
            Some(account) => self.organizations.governance(account),
            None => caller_organization.clone(),
        };
        if is_unrestricted_root(
            caller,
            call,
            resource_policy,
            caller_organization.as_deref(),
            resource_organization.as_deref(),
        ) {
            return Ok(());
        }
        let caller_policies = self.caller_policies(caller);
        let request = AccessRequest {
            caller,
            call,
            environment,
            caller_policies: caller_policies.as_deref(),
            caller_organization: caller_organization.as_deref(),
            resource_organization: resource_organization.as_deref(),
            resource_policy,
            overrides: &[],
        };
        match request.authorize(evaluator()) {
            Ok(authorization) if authorization.is_allowed() => Ok(()),
            Ok(authorization) => Err(denial_message(&caller.arn, call, &authorization.basis)),
            Err(error) => Err(format!(
                "User: {} is not authorized to perform: {}: {error}",
                caller.arn, call.action
            )),
        }
    }

    /// Returns the identity policies, boundary and tags of an IAM user or of a role session's
    /// role; `None` for a root user, and for a principal IAM no longer has, which then has no
    /// identity policy to allow anything.
    fn caller_policies(&self, caller: &Caller) -> Option<std::sync::Arc<PrincipalPolicies>> {
        let principal = match &caller.role_arn {
            Some(role_arn) => IamPrincipal::Role(role_arn.rsplit('/').next()?),
            None => IamPrincipal::User(caller.arn.split_once(":user/")?.1.rsplit('/').next()?),
        };
        let found = self.iam.principal_policies(&caller.account_id, principal);
        Some(found.unwrap_or_default())
    }
}

/// Encodes what AWS reveals about a denied request to those allowed to call
/// `sts:DecodeAuthorizationMessage`: whether it was allowed, whether an explicit deny decided,
/// the statement that decided it, and the request context. The text is base64 of the JSON
/// document that [`decode_authorization_message`] returns.
pub fn encode_authorization_message(
    request: &Request,
    authorization: &Authorization<'_>,
) -> String {
    use base64::Engine;

    let statement = match &authorization.basis {
        Basis::ExplicitDeny { statement, source } | Basis::Allow { statement, source } => {
            Some(serde_json::json!({
                "sourcePolicyId": statement.policy_id(),
                "sourcePolicyType": source_name(source, false),
                "statementId": statement.sid().unwrap_or_default(),
                "effect": if matches!(authorization.basis, Basis::ExplicitDeny { .. }) { "DENY" } else { "ALLOW" },
            }))
        }
        Basis::NoAllow { .. } | Basis::RootUser | Basis::AlwaysAllowed => None,
    };
    let conditions: Vec<Value> = request
        .context()
        .iter()
        .map(|(key, values)| {
            let values: Vec<Value> = values
                .iter()
                .map(|value| serde_json::json!({ "value": value.as_ref() }))
                .collect();
            serde_json::json!({ "key": key, "values": { "items": values } })
        })
        .collect();
    let document = serde_json::json!({
        "allowed": authorization.is_allowed(),
        "explicitDeny": matches!(authorization.basis, Basis::ExplicitDeny { .. }),
        "matchedStatements": { "items": statement.into_iter().collect::<Vec<_>>() },
        "failures": { "items": [] },
        "context": {
            "principal": { "arn": request.principal().arn() },
            "action": request.action().as_str(),
            "resource": request.resource().arn(),
            "conditions": { "items": conditions },
        },
    });
    base64::engine::general_purpose::STANDARD.encode(document.to_string())
}

/// Decodes a message from [`encode_authorization_message`] into its JSON document; `None`
/// when the text is not such a message.
pub fn decode_authorization_message(encoded: &str) -> Option<String> {
    use base64::Engine;

    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let document: Value = serde_json::from_slice(&bytes).ok()?;
    let is_message = document["allowed"].is_boolean()
        && document["explicitDeny"].is_boolean()
        && document["context"]["action"].is_string();
    is_message.then(|| document.to_string())
}
