//! A compiled policy statement and the test of one statement against one request.
//!
//! A statement applies to a request when its action, resource, principal and every
//! condition match. The checks run cheapest first (action, resource, principal,
//! conditions), and the first one that fails is reported, so a trace can show why a
//! statement did not apply.

use crate::action::{ActionMatcher, ActionPattern};
use crate::arn::ArnPattern;
use crate::condition::Condition;
use crate::error::Location;
use crate::principal::{PrincipalElement, PrincipalMatch};
use crate::request::Request;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The statement grants access.
    Allow,
    /// The statement denies access, overriding any Allow.
    Deny,
}

/// One compiled statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<Box<str>>,
    pub(crate) effect: Effect,
    pub(crate) location: Location,
    pub(crate) actions: ActionElement,
    pub(crate) resources: Option<ResourceElement>,
    pub(crate) principals: Option<PrincipalBlock>,
    pub(crate) conditions: Box<[Condition]>,
}

/// The `Action` or `NotAction` element of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionElement {
    pub(crate) negated: bool,
    pub(crate) patterns: Box<[ActionPattern]>,
    pub(crate) locations: Box<[Location]>,
    pub(crate) matcher: ActionMatcher,
}

impl ActionElement {
    /// Returns true for `NotAction`.
    pub fn is_not_action(&self) -> bool {
        self.negated
    }

    /// Returns the patterns as listed.
    pub fn patterns(&self) -> &[ActionPattern] {
        &self.patterns
    }

    /// Returns where each pattern is written, in the same order as [`Self::patterns`].
    pub fn locations(&self) -> &[Location] {
        &self.locations
    }
}

/// The `Resource` or `NotResource` element of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceElement {
    pub(crate) negated: bool,
    pub(crate) texts: Box<[Box<str>]>,
    pub(crate) patterns: Box<[ArnPattern]>,
}

impl ResourceElement {
    /// Returns true for `NotResource`.
    pub fn is_not_resource(&self) -> bool {
        self.negated
    }

    /// Returns the resource patterns as written.
    pub fn patterns(&self) -> &[Box<str>] {
        &self.texts
    }
}

/// The `Principal` or `NotPrincipal` element of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrincipalBlock {
    pub(crate) negated: bool,
    pub(crate) element: PrincipalElement,
}

/// The outcome of testing one statement against a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum StatementMatch<'p> {
    /// Every element matched; carries how the principal matched (`Direct` when the
    /// statement has no principal element).
    Matched(PrincipalMatch),
    ActionNotMatched,
    ResourceNotMatched,
    PrincipalNotMatched,
    ConditionNotMatched(&'p Condition),
}

impl Statement {
    /// Returns the statement's position in the policy, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Returns the `Sid`, if the statement has one.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Returns the effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Returns where the statement starts in the document.
    pub fn location(&self) -> Location {
        self.location
    }

    /// Returns the `Action` or `NotAction` element.
    pub fn actions(&self) -> &ActionElement {
        &self.actions
    }

    /// Returns the `Resource` or `NotResource` element; `None` in trust policies, which
    /// have neither.
    pub fn resources(&self) -> Option<&ResourceElement> {
        self.resources.as_ref()
    }

    /// Returns the compiled conditions, one per operator and key.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Tests the statement against `request`. `has_permissions_boundary` is true when the
    /// caller has a permissions boundary, because AWS never exempts such a caller from a
    /// Deny with `NotPrincipal`.
    pub(crate) fn evaluate(
        &self,
        request: &Request,
        has_permissions_boundary: bool,
    ) -> StatementMatch<'_> {
        if self.actions.matcher.matches(request.action()) == self.actions.negated {
            return StatementMatch::ActionNotMatched;
        }

        if let Some(resources) = &self.resources {
            let arn = request.resource().arn();
            let any = resources
                .patterns
                .iter()
                .any(|pattern| pattern.matches(arn, request.context()));
            if any == resources.negated {
                return StatementMatch::ResourceNotMatched;
            }
        }

        let principal_match = match &self.principals {
            None => PrincipalMatch::Direct,
            Some(PrincipalBlock {
                negated: false,
                element,
            }) => match element.matches(request.principal()) {
                Some(matched) => matched,
                None => return StatementMatch::PrincipalNotMatched,
            },
            Some(PrincipalBlock {
                negated: true,
                element,
            }) => {
                let boundary_override = self.effect == Effect::Deny && has_permissions_boundary;
                if element.excludes(request.principal()) && !boundary_override {
                    return StatementMatch::PrincipalNotMatched;
                }
                PrincipalMatch::Direct
            }
        };

        for condition in &*self.conditions {
            if !condition.evaluate(request.context()) {
                return StatementMatch::ConditionNotMatched(condition);
            }
        }
        StatementMatch::Matched(principal_match)
    }
}
