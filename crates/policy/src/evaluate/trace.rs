//! The trace of an evaluation: for every policy type and every SCP and RCP level, the
//! result, the deciding statement, and why each statement did or did not apply.
//!
//! A trace is data for `simulate` and for tests; its `Display` form is a plain-text report.

use std::fmt;

use super::group::{GroupOutcome, Sink, Slot};
use super::{Authorization, Exemption, StatementRef};
use crate::request::Request;
use crate::statement::StatementMatch;

/// A decision with the trace of how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation<'p> {
    /// The decision, identical to what [`Evaluator::authorize`](super::Evaluator::authorize)
    /// returns for the same input.
    pub authorization: Authorization<'p>,
    /// The contribution of each policy type and level.
    pub trace: Trace<'p>,
}

/// The contribution of each policy type and level to a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace<'p> {
    /// The SCP chain of the caller's account.
    pub service_control: ChainTrace<'p>,
    /// The RCP chain of the resource's account.
    pub resource_control: ChainTrace<'p>,
    /// The resource-based policy.
    pub resource_policy: GroupTrace<'p>,
    /// The identity-based policies.
    pub identity: GroupTrace<'p>,
    /// The permissions boundary.
    pub permissions_boundary: GroupTrace<'p>,
    /// The session policies.
    pub session: GroupTrace<'p>,
}

/// The trace of an SCP or RCP chain.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainTrace<'p> {
    /// The chain was not applied, and why.
    NotApplicable(Exemption),
    /// Each level, root first.
    Evaluated(Vec<LevelTrace<'p>>),
}

/// The trace of one level of a chain.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelTrace<'p> {
    /// Position of the level, from the root.
    pub level: usize,
    /// The root, OU or account ID.
    pub target: &'p str,
    /// The level's result.
    pub result: GroupResult<'p>,
    /// Each statement of the policies attached to the level.
    pub statements: Vec<StatementTrace<'p>>,
}

/// The trace of one policy type.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTrace<'p> {
    /// The result.
    pub result: GroupResult<'p>,
    /// Each statement of the policies of this type.
    pub statements: Vec<StatementTrace<'p>>,
}

/// The result of one policy type or one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupResult<'p> {
    /// There is no policy of this type.
    NotPresent,
    /// A Deny statement matched: the first one found.
    Denied(StatementRef<'p>),
    /// No Deny matched and this Allow statement did.
    Allowed(StatementRef<'p>),
    /// Neither a Deny nor an Allow matched.
    NoMatchingAllow,
}

/// One statement and whether it applied.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementTrace<'p> {
    /// The statement.
    pub statement: StatementRef<'p>,
    /// Whether it applied, and if not, which element did not match.
    pub outcome: StatementOutcome,
}

/// Whether a statement applied to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementOutcome {
    /// Every element matched.
    Matched,
    /// The action is not covered by `Action`, or is covered by `NotAction`.
    ActionNotMatched,
    /// The resource is not covered by `Resource`, or is covered by `NotResource`.
    ResourceNotMatched,
    /// The caller is not named by `Principal`, or is excluded by `NotPrincipal`.
    PrincipalNotMatched,
    /// A condition does not hold.
    ConditionNotMatched(ConditionMismatch),
}

/// A condition that did not hold: what it compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionMismatch {
    /// The operator as written in the policy.
    pub operator: String,
    /// The condition key as written in the policy.
    pub key: String,
    /// The policy's values.
    pub policy_values: Vec<String>,
    /// The request's values for the key; `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
}

impl Default for GroupTrace<'_> {
    fn default() -> Self {
        GroupTrace {
            result: GroupResult::NotPresent,
            statements: Vec::new(),
        }
    }
}

/// A sink that records everything into a [`Trace`].
pub(crate) struct Recorder<'p> {
    pending: Vec<StatementTrace<'p>>,
    trace: Trace<'p>,
}

impl Default for Recorder<'_> {
    fn default() -> Self {
        Recorder {
            pending: Vec::new(),
            trace: Trace {
                service_control: ChainTrace::Evaluated(Vec::new()),
                resource_control: ChainTrace::Evaluated(Vec::new()),
                resource_policy: GroupTrace::default(),
                identity: GroupTrace::default(),
                permissions_boundary: GroupTrace::default(),
                session: GroupTrace::default(),
            },
        }
    }
}

impl<'p> Recorder<'p> {
    pub(crate) fn finish(self) -> Trace<'p> {
        self.trace
    }
}

fn group_result<'p>(outcome: &GroupOutcome<'p>) -> GroupResult<'p> {
    match (outcome.deny, outcome.allow) {
        (Some(statement), _) => GroupResult::Denied(statement),
        (None, Some((statement, _))) => GroupResult::Allowed(statement),
        (None, None) => GroupResult::NoMatchingAllow,
    }
}

impl<'p> Sink<'p> for Recorder<'p> {
    const FULL: bool = true;

    fn statement(
        &mut self,
        statement: StatementRef<'p>,
        outcome: &StatementMatch<'p>,
        request: &Request,
    ) {
        let outcome = match outcome {
            StatementMatch::Matched(_) => StatementOutcome::Matched,
            StatementMatch::ActionNotMatched => StatementOutcome::ActionNotMatched,
            StatementMatch::ResourceNotMatched => StatementOutcome::ResourceNotMatched,
            StatementMatch::PrincipalNotMatched => StatementOutcome::PrincipalNotMatched,
            StatementMatch::ConditionNotMatched(condition) => {
                StatementOutcome::ConditionNotMatched(ConditionMismatch {
                    operator: condition.operator_text().to_owned(),
                    key: condition.key().to_owned(),
                    policy_values: condition.values().iter().map(ToString::to_string).collect(),
                    request_values: condition
                        .request_values(request.context())
                        .map(|values| values.iter().map(ToString::to_string).collect()),
                })
            }
        };
        self.pending.push(StatementTrace { statement, outcome });
    }

    fn close_group(&mut self, slot: Slot<'p>, outcome: &GroupOutcome<'p>) {
        let statements = std::mem::take(&mut self.pending);
        let result = group_result(outcome);
        let group = GroupTrace { result, statements };

        match slot {
            Slot::ServiceControlLevel { level, target } => {
                push_level(&mut self.trace.service_control, level, target, group)
            }
            Slot::ResourceControlLevel { level, target } => {
                push_level(&mut self.trace.resource_control, level, target, group)
            }
            Slot::ResourcePolicy => self.trace.resource_policy = group,
            Slot::Identity => self.trace.identity = group,
            Slot::PermissionsBoundary => self.trace.permissions_boundary = group,
            Slot::Session => self.trace.session = group,
        }
    }

    fn exempt(&mut self, chain: Slot<'p>, exemption: Exemption) {
        match chain {
            Slot::ServiceControlLevel { .. } => {
                self.trace.service_control = ChainTrace::NotApplicable(exemption)
            }
            Slot::ResourceControlLevel { .. } => {
                self.trace.resource_control = ChainTrace::NotApplicable(exemption)
            }
            Slot::ResourcePolicy | Slot::Identity | Slot::PermissionsBoundary | Slot::Session => {}
        }
    }
}

fn push_level<'p>(
    chain: &mut ChainTrace<'p>,
    level: usize,
    target: &'p str,
    group: GroupTrace<'p>,
) {
    if let ChainTrace::Evaluated(levels) = chain {
        levels.push(LevelTrace {
            level,
            target,
            result: group.result,
            statements: group.statements,
        });
    }
}

impl fmt::Display for GroupResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupResult::NotPresent => f.write_str("no policy"),
            GroupResult::Denied(statement) => write!(f, "denied by {statement}"),
            GroupResult::Allowed(statement) => write!(f, "allowed by {statement}"),
            GroupResult::NoMatchingAllow => f.write_str("no matching Allow"),
        }
    }
}

impl fmt::Display for StatementOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementOutcome::Matched => f.write_str("matched"),
            StatementOutcome::ActionNotMatched => f.write_str("action not matched"),
            StatementOutcome::ResourceNotMatched => f.write_str("resource not matched"),
            StatementOutcome::PrincipalNotMatched => f.write_str("principal not matched"),
            StatementOutcome::ConditionNotMatched(mismatch) => {
                write!(
                    f,
                    "condition {} on {} not met: policy values {:?}, ",
                    mismatch.operator, mismatch.key, mismatch.policy_values
                )?;
                match &mismatch.request_values {
                    Some(values) => write!(f, "request values {values:?}"),
                    None => f.write_str("key missing from the request"),
                }
            }
        }
    }
}

fn write_statements(f: &mut fmt::Formatter<'_>, statements: &[StatementTrace<'_>]) -> fmt::Result {
    for statement in statements {
        writeln!(f, "    {}: {}", statement.statement, statement.outcome)?;
    }
    Ok(())
}

fn write_chain(f: &mut fmt::Formatter<'_>, name: &str, chain: &ChainTrace<'_>) -> fmt::Result {
    match chain {
        ChainTrace::NotApplicable(exemption) => writeln!(f, "{name}: not applied: {exemption}"),
        ChainTrace::Evaluated(levels) => {
            writeln!(f, "{name}:")?;
            for level in levels {
                writeln!(
                    f,
                    "  level {} ({}): {}",
                    level.level, level.target, level.result
                )?;
                write_statements(f, &level.statements)?;
            }
            Ok(())
        }
    }
}

fn write_group(f: &mut fmt::Formatter<'_>, name: &str, group: &GroupTrace<'_>) -> fmt::Result {
    writeln!(f, "{name}: {}", group.result)?;
    write_statements(f, &group.statements)
}

impl fmt::Display for Trace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_chain(f, "service control policies", &self.service_control)?;
        write_chain(f, "resource control policies", &self.resource_control)?;
        write_group(f, "resource-based policy", &self.resource_policy)?;
        write_group(f, "identity-based policies", &self.identity)?;
        write_group(f, "permissions boundary", &self.permissions_boundary)?;
        write_group(f, "session policies", &self.session)
    }
}
