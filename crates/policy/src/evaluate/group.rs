//! Evaluation of a group of policies of one type, and of an SCP or RCP chain level by
//! level, reporting each statement to a [`Sink`].
//!
//! The sink decides whether anything is recorded. [`NoTrace`] records nothing and lets
//! evaluation stop at the first Deny. The trace recorder receives every statement. Because
//! both run this same code, `authorize` and `explain` cannot disagree.

use super::{Exemption, OrganizationPolicies, Source, StatementRef};
use crate::policy::Policy;
use crate::principal::PrincipalMatch;
use crate::request::Request;
use crate::statement::{Effect, StatementMatch};

/// The position of a group of statements in the policy set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot<'p> {
    ServiceControlLevel { level: usize, target: &'p str },
    ResourceControlLevel { level: usize, target: &'p str },
    ResourcePolicy,
    Identity,
    PermissionsBoundary,
    Session,
}

impl<'p> Slot<'p> {
    /// Returns the slot that names a whole SCP chain, for exemptions.
    pub(crate) fn service_control_chain() -> Slot<'p> {
        Slot::ServiceControlLevel {
            level: 0,
            target: "",
        }
    }

    /// Returns the slot that names a whole RCP chain, for exemptions.
    pub(crate) fn resource_control_chain() -> Slot<'p> {
        Slot::ResourceControlLevel {
            level: 0,
            target: "",
        }
    }
}

/// Receives what the evaluator finds.
pub(crate) trait Sink<'p> {
    /// True when the sink needs every statement evaluated, even after a Deny has decided.
    const FULL: bool;

    /// Reports the outcome of one statement.
    fn statement(
        &mut self,
        statement: StatementRef<'p>,
        outcome: &StatementMatch<'p>,
        request: &Request,
    );

    /// Reports that the statements reported since the last call form the group `slot`.
    fn close_group(&mut self, slot: Slot<'p>, outcome: &GroupOutcome<'p>);

    /// Reports that a chain was not applied.
    fn exempt(&mut self, chain: Slot<'p>, exemption: Exemption);
}

/// A sink that records nothing.
pub(crate) struct NoTrace;

impl<'p> Sink<'p> for NoTrace {
    const FULL: bool = false;

    #[inline(always)]
    fn statement(
        &mut self,
        _statement: StatementRef<'p>,
        _outcome: &StatementMatch<'p>,
        _request: &Request,
    ) {
    }

    #[inline(always)]
    fn close_group(&mut self, _slot: Slot<'p>, _outcome: &GroupOutcome<'p>) {}

    #[inline(always)]
    fn exempt(&mut self, _chain: Slot<'p>, _exemption: Exemption) {}
}

/// The matching Deny and the strongest matching Allow of a group of policies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GroupOutcome<'p> {
    /// The first Deny statement that matched.
    pub(crate) deny: Option<StatementRef<'p>>,
    /// The first matching Allow of the strongest principal match (a direct grant beats a
    /// grant to the caller's role, which beats a grant to its account).
    pub(crate) allow: Option<(StatementRef<'p>, PrincipalMatch)>,
}

/// Evaluates every statement of `policies` and reports the group as `slot`.
pub(crate) fn evaluate_group<'p, S: Sink<'p>>(
    policies: &'p [Policy],
    slot: Slot<'p>,
    request: &Request,
    has_boundary: bool,
    sink: &mut S,
) -> GroupOutcome<'p> {
    let outcome = scan(policies, request, has_boundary, sink);
    sink.close_group(slot, &outcome);
    outcome
}

fn scan<'p, S: Sink<'p>>(
    policies: &'p [Policy],
    request: &Request,
    has_boundary: bool,
    sink: &mut S,
) -> GroupOutcome<'p> {
    let mut outcome = GroupOutcome::default();

    for policy in policies {
        for (index, statement) in policy.statements().iter().enumerate() {
            let best_allow_found = matches!(outcome.allow, Some((_, PrincipalMatch::Direct)));
            if !S::FULL && best_allow_found && statement.effect() == Effect::Allow {
                continue;
            }

            let result = statement.evaluate(request, has_boundary);
            let reference = StatementRef::new(policy, index);
            sink.statement(reference, &result, request);

            let StatementMatch::Matched(principal_match) = result else {
                continue;
            };
            match statement.effect() {
                Effect::Deny => {
                    outcome.deny.get_or_insert(reference);
                    if !S::FULL {
                        return outcome;
                    }
                }
                Effect::Allow => {
                    if outcome.allow.is_none_or(|(_, best)| principal_match > best) {
                        outcome.allow = Some((reference, principal_match));
                    }
                }
            }
        }
    }
    outcome
}

/// The result of an SCP or RCP chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChainOutcome<'p> {
    /// The chain does not apply to this request.
    NotApplicable,
    /// A level has a matching Deny (the first such level from the root).
    Denied {
        source: Source<'p>,
        statement: StatementRef<'p>,
    },
    /// No Deny, but a level lacks a matching Allow (the first such level from the root).
    MissingAllow { source: Source<'p> },
    /// Every level allows.
    Allowed,
}

/// Evaluates an SCP chain (`service_control`) or RCP chain level by level. An empty chain
/// allows; a level without policies has no Allow.
pub(crate) fn evaluate_chain<'p, S: Sink<'p>>(
    chain: Option<&'p OrganizationPolicies>,
    service_control: bool,
    request: &Request,
    has_boundary: bool,
    sink: &mut S,
) -> ChainOutcome<'p> {
    let Some(chain) = chain else {
        return ChainOutcome::NotApplicable;
    };
    let mut first_deny = None;
    let mut missing_allow = None;

    for (level, node) in chain.levels.iter().enumerate() {
        let target = node.target_id.as_str();
        let (slot, source) = if service_control {
            (
                Slot::ServiceControlLevel { level, target },
                Source::ServiceControl { level, target },
            )
        } else {
            (
                Slot::ResourceControlLevel { level, target },
                Source::ResourceControl { level, target },
            )
        };

        let outcome = evaluate_group(&node.policies, slot, request, has_boundary, sink);
        if let Some(statement) = outcome.deny {
            if !S::FULL {
                return ChainOutcome::Denied { source, statement };
            }
            // A full sink still receives the later levels, which cannot change the result.
            first_deny.get_or_insert((source, statement));
        }
        if outcome.allow.is_none() && missing_allow.is_none() {
            missing_allow = Some(source);
        }
    }

    match (first_deny, missing_allow) {
        (Some((source, statement)), _) => ChainOutcome::Denied { source, statement },
        (None, Some(source)) => ChainOutcome::MissingAllow { source },
        (None, None) => ChainOutcome::Allowed,
    }
}
