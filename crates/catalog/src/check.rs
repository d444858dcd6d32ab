//! Findings about the actions a policy names, in the manner of IAM Access Analyzer's policy
//! checks: an unknown service prefix, or an action pattern that matches no known action.
//! These are warnings: AWS accepts such policies, and the action may be newer than the
//! catalog.

use std::fmt;

use policy::{Location, Policy};

use crate::catalog::Catalog;

/// A finding about one action pattern of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The kind of finding.
    pub kind: WarningKind,
    /// The action pattern as written.
    pub pattern: String,
    /// Location of the pattern in the document.
    pub location: Location,
    /// Position of the statement in the policy, from 0.
    pub statement: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
}

/// The kind of a [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// The service prefix is not in the catalog.
    UnknownService,
    /// The service is known but the pattern matches none of its actions.
    UnknownAction,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let service = self.pattern.split(':').next().unwrap_or_default();
        match self.kind {
            WarningKind::UnknownService => write!(
                f,
                "{}: unknown service {service:?} in action {:?}; check the service prefix",
                self.location, self.pattern
            ),
            WarningKind::UnknownAction => write!(
                f,
                "{}: action {:?} matches no known {service} action; check the action name",
                self.location, self.pattern
            ),
        }
    }
}

impl Catalog {
    /// Checks every `Action` and `NotAction` pattern of `policy` against the catalog.
    pub fn check_policy(&self, policy: &Policy) -> Vec<Warning> {
        let mut warnings = Vec::new();

        for statement in policy.statements() {
            let actions = statement.actions();
            for (pattern, location) in actions.patterns().iter().zip(actions.locations()) {
                let Some(kind) = self.check_pattern(pattern) else {
                    continue;
                };
                warnings.push(Warning {
                    kind,
                    pattern: pattern.as_str().to_owned(),
                    location: *location,
                    statement: statement.index(),
                    sid: statement.sid().map(ToOwned::to_owned),
                });
            }
        }
        warnings
    }

    /// Returns what is wrong with one pattern, if anything.
    fn check_pattern(&self, pattern: &policy::ActionPattern) -> Option<WarningKind> {
        if pattern.is_any() {
            return None;
        }
        if let Some(prefix) = pattern.literal_service()
            && self.service(prefix).is_none()
        {
            return Some(WarningKind::UnknownService);
        }
        if self.expand(pattern).is_empty() {
            return Some(WarningKind::UnknownAction);
        }
        None
    }
}
