//! AWS's decision for one request: which policies apply, in what order, and what each
//! contributes.
//!
//! The order, from AWS's evaluation logic:
//! 1. An explicit Deny in any applicable policy (SCP, RCP, resource-based, identity-based,
//!    permissions boundary, session policy) denies.
//! 2. RCPs of the resource's account, then SCPs of the caller's account, need an Allow at
//!    every level from the root through each OU to the account.
//! 3. In the same account, a resource-based policy that names the caller grants access on
//!    its own. One that names the caller's role is still limited by the permissions
//!    boundary and session policy. One that names only the account defers to the identity
//!    policies.
//! 4. Otherwise the identity policies must allow, and so must the permissions boundary and
//!    the session policy when there are any.
//! 5. Across accounts both sides must allow: the resource policy on the resource side and
//!    the identity policies (with boundary and session policy) on the caller's side.
//!
//! [`Evaluator::authorize`] returns the decision and the statement or level that decided
//! it without allocating; [`Evaluator::explain`] runs the same code and also records a
//! trace of every statement. Both are pure functions of their inputs.

mod group;
mod trace;

pub use trace::{
    ChainTrace, ConditionMismatch, Explanation, GroupResult, GroupTrace, LevelTrace,
    StatementOutcome, StatementTrace, Trace,
};

use std::fmt;

use group::{ChainOutcome, GroupOutcome, NoTrace, Sink, Slot, evaluate_chain, evaluate_group};
use trace::Recorder;

use crate::kind::PolicyKind;
use crate::policy::Policy;
use crate::principal::PrincipalMatch;
use crate::request::{PrincipalKind, Request};
use crate::statement::Statement;

/// The final decision for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed.
    Allowed,
    /// No policy allows the request (or a required Allow is missing at some level).
    ImplicitlyDenied,
    /// A Deny statement matches the request.
    ExplicitlyDenied,
}

/// A reference to one statement of one compiled policy.
#[derive(Clone, Copy)]
pub struct StatementRef<'p> {
    policy: &'p Policy,
    index: usize,
}

impl<'p> StatementRef<'p> {
    pub(crate) fn new(policy: &'p Policy, index: usize) -> StatementRef<'p> {
        StatementRef { policy, index }
    }

    /// Returns the policy.
    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// Returns the policy's identifier.
    pub fn policy_id(&self) -> &'p str {
        self.policy.id()
    }

    /// Returns the statement's position in the policy, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Returns the statement.
    pub fn statement(&self) -> Option<&'p Statement> {
        self.policy.statements().get(self.index)
    }

    /// Returns the statement's `Sid`, if it has one.
    pub fn sid(&self) -> Option<&'p str> {
        self.statement().and_then(Statement::sid)
    }
}

impl PartialEq for StatementRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.policy.ptr_eq(other.policy) && self.index == other.index
    }
}

impl Eq for StatementRef<'_> {}

impl fmt::Debug for StatementRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for StatementRef<'_> {
    /// Writes `policy-id` followed by the Sid, or by `#index` for a statement without one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sid() {
            Some(sid) if !sid.is_empty() => write!(f, "{} statement {sid:?}", self.policy_id()),
            _ => write!(f, "{} statement #{}", self.policy_id(), self.index),
        }
    }
}

/// The place in the policy set where a decision was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'p> {
    /// An SCP level: 0 is the root, then each OU, and the last is the account.
    ServiceControl {
        /// Position of the level, from the root.
        level: usize,
        /// The root, OU or account ID of the level.
        target: &'p str,
    },
    /// An RCP level of the resource's account.
    ResourceControl {
        /// Position of the level, from the root.
        level: usize,
        /// The root, OU or account ID of the level.
        target: &'p str,
    },
    /// The resource-based policy.
    ResourcePolicy,
    /// The caller's identity-based policies.
    Identity,
    /// The caller's permissions boundary.
    PermissionsBoundary,
    /// The session policies.
    Session,
}

/// The reason for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis<'p> {
    /// A Deny statement matched.
    ExplicitDeny {
        /// The policy type or level of the statement.
        source: Source<'p>,
        /// The statement.
        statement: StatementRef<'p>,
    },
    /// The first required Allow that is missing, in AWS's order: an RCP level, an SCP
    /// level, the resource policy, the identity policies, the boundary, the session policy.
    NoAllow {
        /// The policy type or level that lacks an Allow.
        source: Source<'p>,
    },
    /// An Allow statement granted the request.
    Allow {
        /// The policy type or level of the statement.
        source: Source<'p>,
        /// The statement.
        statement: StatementRef<'p>,
    },
    /// The root user's implicit full access to its own account.
    RootUser,
    /// `sts:GetCallerIdentity`, which AWS allows for every caller, even against an explicit
    /// Deny.
    AlwaysAllowed,
}

/// The decision for a request and what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'p> {
    /// The decision.
    pub decision: Decision,
    /// The reason for the decision.
    pub basis: Basis<'p>,
}

impl Authorization<'_> {
    /// Returns true when the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allowed
    }
}

/// The SCPs or RCPs that apply to one account: one [`Level`] per node from the root, through
/// each OU, to the account.
#[derive(Debug, Clone, Default)]
pub struct OrganizationPolicies {
    /// True for the management account: SCPs do not apply to its principals and RCPs do not
    /// apply to its resources.
    pub is_management_account: bool,
    /// The levels, root first and account last.
    pub levels: Vec<Level>,
}

impl OrganizationPolicies {
    /// Builds the chain of a member account.
    pub fn member(levels: Vec<Level>) -> OrganizationPolicies {
        OrganizationPolicies {
            is_management_account: false,
            levels,
        }
    }

    /// Builds the chain of the management account, which the evaluator skips.
    pub fn management(levels: Vec<Level>) -> OrganizationPolicies {
        OrganizationPolicies {
            is_management_account: true,
            levels,
        }
    }
}

/// The policies attached directly to one root, OU or account. Inherited policies belong to
/// their own level and are not repeated here.
#[derive(Debug, Clone)]
pub struct Level {
    /// The root ID (`r-...`), OU ID (`ou-...`) or account ID.
    pub target_id: String,
    /// The policies attached to it.
    pub policies: Vec<Policy>,
}

impl Level {
    /// Builds a level.
    pub fn new(target_id: &str, policies: Vec<Policy>) -> Level {
        Level {
            target_id: target_id.to_owned(),
            policies,
        }
    }
}

/// Every policy that may apply to a request, by type.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicySet<'p> {
    /// The caller's identity-based policies: inline and managed, and for an IAM user those of
    /// its groups.
    pub identity: &'p [Policy],
    /// The caller's permissions boundary.
    pub permissions_boundary: Option<&'p Policy>,
    /// The session policies of a role or federated user session.
    pub session: &'p [Policy],
    /// The resource-based policy of the resource. A [`PolicyKind::RoleTrust`] policy must
    /// allow the caller even in the same account.
    pub resource: Option<&'p Policy>,
    /// True when the resource policy must allow the caller even in the same account, as KMS
    /// key policies must.
    pub resource_policy_required: bool,
    /// The SCP chain of the caller's account; `None` outside an organization.
    pub service_control: Option<&'p OrganizationPolicies>,
    /// The RCP chain of the resource's account; `None` outside an organization. AWS does
    /// not document whose chain applies to an action without a resource type (resource
    /// `*`), so the caller decides.
    pub resource_control: Option<&'p OrganizationPolicies>,
}

/// The reason SCPs or RCPs were not applied to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exemption {
    /// No chain was given: the account is not in an organization, or the policy type is not
    /// enabled.
    NoOrganization,
    /// The caller (for SCPs) or the resource (for RCPs) belongs to the management account.
    ManagementAccount,
    /// The caller is a service-linked role.
    ServiceLinkedRole,
    /// The caller is not a principal of an account: an AWS service, a web identity or an
    /// anonymous caller. SCPs only.
    NotAnAccountPrincipal,
    /// The resource is an AWS managed KMS key. RCPs only.
    AwsManagedKey,
    /// The action is exempt from RCPs (`kms:RetireGrant`).
    ExemptAction,
    /// The action's service does not support RCPs.
    ServiceNotSupported,
}

impl fmt::Display for Exemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exemption::NoOrganization => {
                "the policy type is not enabled in the account's organization, or the account \
                 is in none"
            }
            Exemption::ManagementAccount => "the management account is exempt",
            Exemption::ServiceLinkedRole => "service-linked roles are exempt",
            Exemption::NotAnAccountPrincipal => "the caller is not a principal of an account",
            Exemption::AwsManagedKey => "AWS managed KMS keys are exempt",
            Exemption::ExemptAction => "the action is exempt",
            Exemption::ServiceNotSupported => {
                "the service does not support resource control policies"
            }
        })
    }
}

/// Evaluates requests. Holds settings that do not change per request.
#[derive(Debug, Clone, Default)]
pub struct Evaluator {
    /// Service prefixes that enforce RCPs, sorted; `None` applies RCPs to every service.
    rcp_services: Option<Vec<Box<str>>>,
}

impl Evaluator {
    /// Creates an evaluator that applies RCPs to every service.
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// Limits RCPs to the listed service prefixes, as AWS does: an RCP statement about a
    /// service that does not support RCPs has no effect. The `catalog` crate provides
    /// AWS's current list.
    #[must_use]
    pub fn with_rcp_services<I, S>(mut self, services: I) -> Evaluator
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<Box<str>> = services
            .into_iter()
            .map(|service| service.as_ref().to_ascii_lowercase().into_boxed_str())
            .collect();
        list.sort_unstable();
        list.dedup();
        self.rcp_services = Some(list);
        self
    }

    /// Decides `request` against `policies` without recording a trace. Allocates nothing.
    pub fn authorize<'p>(&self, request: &Request, policies: &PolicySet<'p>) -> Authorization<'p> {
        self.run(request, policies, &mut NoTrace)
    }

    /// Decides `request` and records, for every policy type and every SCP and RCP level,
    /// the result and each statement's outcome.
    pub fn explain<'p>(&self, request: &Request, policies: &PolicySet<'p>) -> Explanation<'p> {
        let mut recorder = Recorder::default();
        let authorization = self.run(request, policies, &mut recorder);
        Explanation {
            authorization,
            trace: recorder.finish(),
        }
    }

    fn run<'p, S: Sink<'p>>(
        &self,
        request: &Request,
        policies: &PolicySet<'p>,
        sink: &mut S,
    ) -> Authorization<'p> {
        if request.action().lowercase() == "sts:getcalleridentity" {
            return Authorization {
                decision: Decision::Allowed,
                basis: Basis::AlwaysAllowed,
            };
        }
        let has_boundary = policies.permissions_boundary.is_some();

        let service_control = match service_control_exemption(request, policies) {
            Some(exemption) => {
                sink.exempt(Slot::service_control_chain(), exemption);
                ChainOutcome::NotApplicable
            }
            None => evaluate_chain(policies.service_control, true, request, has_boundary, sink),
        };
        if let (false, ChainOutcome::Denied { source, statement }) = (S::FULL, service_control) {
            return explicit_deny(source, statement);
        }

        let resource_control = match self.resource_control_exemption(request, policies) {
            Some(exemption) => {
                sink.exempt(Slot::resource_control_chain(), exemption);
                ChainOutcome::NotApplicable
            }
            None => evaluate_chain(
                policies.resource_control,
                false,
                request,
                has_boundary,
                sink,
            ),
        };
        if let (false, ChainOutcome::Denied { source, statement }) = (S::FULL, resource_control) {
            return explicit_deny(source, statement);
        }

        let mut group = |policies: &'p [Policy], slot: Slot<'p>| {
            evaluate_group(policies, slot, request, has_boundary, &mut *sink)
        };
        let groups = Groups {
            resource: policies
                .resource
                .map(|policy| group(std::slice::from_ref(policy), Slot::ResourcePolicy)),
            identity: group(policies.identity, Slot::Identity),
            boundary: policies
                .permissions_boundary
                .map(|policy| group(std::slice::from_ref(policy), Slot::PermissionsBoundary)),
            session: (!policies.session.is_empty()).then(|| group(policies.session, Slot::Session)),
        };

        for outcome in [service_control, resource_control] {
            if let ChainOutcome::Denied { source, statement } = outcome {
                return explicit_deny(source, statement);
            }
        }
        if let Some((source, statement)) = groups.first_deny() {
            return explicit_deny(source, statement);
        }

        for outcome in [resource_control, service_control] {
            if let ChainOutcome::MissingAllow { source } = outcome {
                return implicit_deny(source);
            }
        }
        decide_access(request, policies, &groups)
    }

    fn resource_control_exemption(
        &self,
        request: &Request,
        policies: &PolicySet<'_>,
    ) -> Option<Exemption> {
        let Some(chain) = policies.resource_control else {
            return Some(Exemption::NoOrganization);
        };
        if chain.is_management_account {
            return Some(Exemption::ManagementAccount);
        }
        if request.principal().is_service_linked_role() {
            return Some(Exemption::ServiceLinkedRole);
        }
        if request.resource().is_aws_managed_key() {
            return Some(Exemption::AwsManagedKey);
        }
        if request.action().lowercase() == "kms:retiregrant" {
            return Some(Exemption::ExemptAction);
        }
        if let Some(services) = &self.rcp_services {
            let service = request.action().service();
            if services
                .binary_search_by(|supported| (**supported).cmp(service))
                .is_err()
            {
                return Some(Exemption::ServiceNotSupported);
            }
        }
        None
    }
}

fn service_control_exemption(request: &Request, policies: &PolicySet<'_>) -> Option<Exemption> {
    let Some(chain) = policies.service_control else {
        return Some(Exemption::NoOrganization);
    };
    if chain.is_management_account {
        return Some(Exemption::ManagementAccount);
    }
    let principal = request.principal();
    if principal.is_service_linked_role() {
        return Some(Exemption::ServiceLinkedRole);
    }
    if principal.account().is_none() {
        return Some(Exemption::NotAnAccountPrincipal);
    }
    None
}

/// The results of the policy types that are not organization chains.
struct Groups<'p> {
    resource: Option<GroupOutcome<'p>>,
    identity: GroupOutcome<'p>,
    boundary: Option<GroupOutcome<'p>>,
    session: Option<GroupOutcome<'p>>,
}

impl<'p> Groups<'p> {
    fn first_deny(&self) -> Option<(Source<'p>, StatementRef<'p>)> {
        let sources = [
            (Source::ResourcePolicy, self.resource),
            (Source::Identity, Some(self.identity)),
            (Source::PermissionsBoundary, self.boundary),
            (Source::Session, self.session),
        ];
        sources.into_iter().find_map(|(source, outcome)| {
            outcome
                .and_then(|outcome| outcome.deny)
                .map(|statement| (source, statement))
        })
    }
}

fn explicit_deny<'p>(source: Source<'p>, statement: StatementRef<'p>) -> Authorization<'p> {
    Authorization {
        decision: Decision::ExplicitlyDenied,
        basis: Basis::ExplicitDeny { source, statement },
    }
}

fn implicit_deny(source: Source<'_>) -> Authorization<'_> {
    Authorization {
        decision: Decision::ImplicitlyDenied,
        basis: Basis::NoAllow { source },
    }
}

fn allow<'p>(source: Source<'p>, statement: StatementRef<'p>) -> Authorization<'p> {
    Authorization {
        decision: Decision::Allowed,
        basis: Basis::Allow { source, statement },
    }
}

/// Applies steps 3 to 5 of the evaluation order, after explicit denies and the
/// organization chains have let the request through.
fn decide_access<'p>(
    request: &Request,
    policies: &PolicySet<'p>,
    groups: &Groups<'p>,
) -> Authorization<'p> {
    let principal = request.principal();
    let resource_allow = groups.resource.and_then(|outcome| outcome.allow);

    // Service principals, web identities and anonymous callers have no identity policies:
    // only a resource policy that names them (or everyone) can grant access.
    if principal.account().is_none() {
        return match resource_allow {
            Some((statement, PrincipalMatch::Direct)) => allow(Source::ResourcePolicy, statement),
            _ => implicit_deny(Source::ResourcePolicy),
        };
    }

    // The permissions boundary and session policy limit everything but a resource policy
    // that names the caller directly.
    let limit = || {
        if groups
            .boundary
            .is_some_and(|outcome| outcome.allow.is_none())
        {
            Some(Source::PermissionsBoundary)
        } else if principal.is_session()
            && groups
                .session
                .is_some_and(|outcome| outcome.allow.is_none())
        {
            Some(Source::Session)
        } else {
            None
        }
    };

    if request.is_same_account() {
        match resource_allow {
            Some((statement, PrincipalMatch::Direct)) => {
                return allow(Source::ResourcePolicy, statement);
            }
            Some((statement, PrincipalMatch::RoleOrFederatingUser)) => {
                return match limit() {
                    Some(source) => implicit_deny(source),
                    None => allow(Source::ResourcePolicy, statement),
                };
            }
            Some((_, PrincipalMatch::Account)) | None => {}
        }
        let required = policies.resource_policy_required
            || policies
                .resource
                .is_some_and(|policy| policy.kind() == PolicyKind::RoleTrust);
        if required && resource_allow.is_none() {
            return implicit_deny(Source::ResourcePolicy);
        }
    } else if resource_allow.is_none() {
        return implicit_deny(Source::ResourcePolicy);
    }

    if matches!(principal.kind(), PrincipalKind::Root) {
        return Authorization {
            decision: Decision::Allowed,
            basis: Basis::RootUser,
        };
    }
    let Some((identity_statement, _)) = groups.identity.allow else {
        return implicit_deny(Source::Identity);
    };
    match limit() {
        Some(source) => implicit_deny(source),
        None => allow(Source::Identity, identity_statement),
    }
}
