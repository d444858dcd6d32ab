//! The outcome of a case, as data for `--json` and as text for a terminal.

use std::fmt::Write;

use policy::{Basis, Source, StatementRef};
use serde::Serialize;

/// The decision for one case and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The ARN the request is decided for: a role is decided as a session of the role.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The region.
    pub region: String,
    /// `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`.
    pub decision: String,
    /// AWS's `AccessDenied` message for a denial; `None` when the request is allowed.
    pub message: Option<String>,
    /// The policy, statement and level that decided.
    pub deciding: Deciding,
    /// The plain-text trace of every policy type and level.
    pub trace: String,
}

/// The basis of a decision: the rule, policy, statement and level that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// `explicit_deny`, `no_allow`, `allow`, `root_user` (the root user's own account) or
    /// `always_allowed` (`sts:GetCallerIdentity`).
    pub basis: &'static str,
    /// The policy type, in the words of AWS's denial messages, such as `service control
    /// policy`; `None` for `root_user` and `always_allowed`.
    pub policy_type: Option<&'static str>,
    /// For an SCP or RCP: the level, 0 for the root and the last for the account.
    pub level: Option<usize>,
    /// For an SCP or RCP: the root, OU or account id of the level.
    pub target: Option<String>,
    /// The deciding policy's ARN or name; `None` when no statement decided.
    pub policy: Option<String>,
    /// The deciding statement's `Sid`, or `#N` (its position from 0) when it has none.
    pub statement: Option<String>,
}

impl Deciding {
    /// Describes a decision's basis as owned data.
    pub fn from_basis(basis: &Basis<'_>) -> Deciding {
        let (name, source, statement) = match basis {
            Basis::ExplicitDeny { source, statement } => {
                ("explicit_deny", Some(source), Some(statement))
            }
            Basis::NoAllow { source } => ("no_allow", Some(source), None),
            Basis::Allow { source, statement } => ("allow", Some(source), Some(statement)),
            Basis::RootUser => ("root_user", None, None),
            Basis::AlwaysAllowed => ("always_allowed", None, None),
        };
        let (level, target) = match source {
            Some(
                Source::ServiceControl { level, target }
                | Source::ResourceControl { level, target },
            ) => (Some(*level), Some((*target).to_owned())),
            _ => (None, None),
        };
        Deciding {
            basis: name,
            policy_type: source.map(policy_type),
            level,
            target,
            policy: statement.map(|statement| statement.policy_id().to_owned()),
            statement: statement.map(statement_name),
        }
    }

    /// Writes the basis as one phrase, such as `an explicit Deny in service control policy
    /// level 1 (ou-…): POLICY statement "Sid"`.
    pub fn describe(&self) -> String {
        let mut text = match self.basis {
            "explicit_deny" => "an explicit Deny in ".to_owned(),
            "no_allow" => "no Allow in ".to_owned(),
            "allow" => "an Allow in ".to_owned(),
            "root_user" => return "the root user's full access to its own account".to_owned(),
            _ => return "AWS allows this action for every caller".to_owned(),
        };
        text.push_str(self.policy_type.unwrap_or("a policy"));
        if let (Some(level), Some(target)) = (self.level, &self.target) {
            let _ = write!(text, " level {level} ({target})");
        }
        if let Some(policy) = &self.policy {
            let _ = write!(text, ": {policy}");
        }
        // A Sid is alphanumeric, so only a position starts with `#`.
        match &self.statement {
            Some(position) if position.starts_with('#') => {
                let _ = write!(text, " statement {position}");
            }
            Some(sid) => {
                let _ = write!(text, " statement {sid:?}");
            }
            None => {}
        }
        text
    }
}

fn policy_type(source: &Source<'_>) -> &'static str {
    match source {
        Source::ServiceControl { .. } => "service control policy",
        Source::ResourceControl { .. } => "resource control policy",
        Source::ResourcePolicy => "resource-based policy",
        Source::Identity => "identity-based policy",
        Source::PermissionsBoundary => "permissions boundary",
        Source::Session => "session policy",
    }
}

fn statement_name(statement: &StatementRef<'_>) -> String {
    match statement.sid() {
        Some(sid) if !sid.is_empty() => sid.to_owned(),
        _ => format!("#{}", statement.index()),
    }
}

/// Writes the outcomes for a terminal: per case the question, the decision, AWS's message for
/// a denial, what decided, and the indented trace.
pub fn render(outcomes: &[Outcome]) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let _ = writeln!(
            text,
            "{} on {} in {} by {}: {}",
            outcome.action, outcome.resource, outcome.region, outcome.principal, outcome.decision
        );
        if let Some(message) = &outcome.message {
            let _ = writeln!(text, "  message: {message}");
        }
        let _ = writeln!(text, "  decided by: {}", outcome.deciding.describe());
        let _ = writeln!(text, "  trace:");
        for line in outcome.trace.lines() {
            let _ = writeln!(text, "    {line}");
        }
    }
    text
}
