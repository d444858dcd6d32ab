//! The rules that differ by policy kind: which elements a statement of each kind needs or
//! must not have, what an RCP may contain, and the legacy SCP grammar.
//!
//! The grammar shared by every kind (JSON shape, element types, action and ARN syntax,
//! condition operators) is checked in `parse` as the document is read. `parse` consults
//! this module for the kind-specific decisions.

use crate::error::{ActionProblem, Violation};
use crate::kind::{CompileOptions, PolicyKind, ScpGrammar};
use crate::policy::Version;
use crate::statement::Effect;

/// Whether a kind's statements take `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalRule {
    /// Neither element is allowed; the caller is implied by where the policy is attached.
    Forbidden(&'static str),
    /// One of the two is required.
    Required,
    /// `Principal` is required, `NotPrincipal` is not allowed.
    PrincipalOnly(&'static str),
}

/// Whether a kind's statements take `Resource` / `NotResource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResourceRule {
    /// One of the two is required.
    Required,
    /// Neither is allowed.
    Forbidden(&'static str),
}

pub(crate) fn principal_rule(kind: PolicyKind) -> PrincipalRule {
    match kind {
        PolicyKind::ServiceControl => PrincipalRule::Forbidden(
            "an SCP applies to the principals of the accounts it is attached to; use a condition on aws:PrincipalArn to narrow it",
        ),
        PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session => {
            PrincipalRule::Forbidden(
                "the principal is the identity the policy is attached to; remove the element",
            )
        }
        PolicyKind::Resource => PrincipalRule::Required,
        PolicyKind::RoleTrust => PrincipalRule::PrincipalOnly(
            "a trust policy must name who may assume the role; use Principal with a condition instead",
        ),
        PolicyKind::ResourceControl => PrincipalRule::PrincipalOnly(
            "resource control policies accept only \"Principal\": \"*\"; narrow the principals with conditions",
        ),
    }
}

pub(crate) fn resource_rule(kind: PolicyKind) -> ResourceRule {
    match kind {
        PolicyKind::RoleTrust => ResourceRule::Forbidden(
            "the resource of a trust policy is the role it is attached to; remove the element",
        ),
        _ => ResourceRule::Required,
    }
}

/// Checks the `Version` element (or its absence) for the kind.
pub(crate) fn check_version(kind: PolicyKind, version: Version) -> Result<(), Violation> {
    if kind == PolicyKind::ResourceControl && version != Version::V2012_10_17 {
        return Err(Violation::VersionRequired { kind });
    }
    Ok(())
}

/// Checks a `Sid` against the kind's rules. IAM and STS accept only ASCII letters and
/// digits; Organizations and resource policies accept any string.
pub(crate) fn check_sid(kind: PolicyKind, sid: &str) -> Result<(), Violation> {
    if kind.is_iam() && !sid.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(Violation::InvalidSid {
            sid: sid.to_owned(),
            kind,
        });
    }
    Ok(())
}

/// Finds the first character that IAM does not accept in its policy documents: anything
/// but tab, line feed, carriage return and U+0020 to U+00FF. Returns its byte offset and
/// code point.
pub(crate) fn find_unsupported_character(kind: PolicyKind, document: &str) -> Option<(usize, u32)> {
    if !kind.is_iam() {
        return None;
    }
    document
        .char_indices()
        .find(|(_, ch)| !matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
        .map(|(offset, ch)| (offset, u32::from(ch)))
}

/// The elements of a statement that the kind rules look at together.
pub(crate) struct StatementShape<'a> {
    pub(crate) effect: Effect,
    pub(crate) not_principal: bool,
    pub(crate) not_action: bool,
    pub(crate) actions: &'a [&'a str],
    pub(crate) not_resource: bool,
    pub(crate) resources: &'a [&'a str],
    pub(crate) has_condition: bool,
}

/// A violation of a statement-level kind rule, with the element it concerns so that the
/// parser can point at it.
pub(crate) struct ShapeViolation {
    pub(crate) element: &'static str,
    pub(crate) violation: Violation,
}

/// Checks the rules of RCPs and of the legacy SCP grammar.
pub(crate) fn check_statement_shape(
    kind: PolicyKind,
    options: &CompileOptions,
    shape: &StatementShape<'_>,
) -> Result<(), ShapeViolation> {
    let fail =
        |element: &'static str, violation: Violation| Err(ShapeViolation { element, violation });

    if shape.not_principal && shape.effect == Effect::Allow {
        return fail("NotPrincipal", Violation::NotPrincipalWithAllow);
    }

    match kind {
        PolicyKind::ResourceControl => {
            if shape.effect == Effect::Allow && !options.aws_managed {
                return fail("Effect", Violation::AllowInResourceControlPolicy);
            }
            if shape.not_action {
                return fail(
                    "NotAction",
                    Violation::ElementNotAllowed {
                        element: "NotAction",
                        kind,
                        reason: "list the denied actions in Action",
                    },
                );
            }
            if shape.actions.contains(&"*") && !options.aws_managed {
                return fail("Action", Violation::ResourceControlBareWildcardAction);
            }
        }
        PolicyKind::ServiceControl if options.scp_grammar == ScpGrammar::Legacy => {
            check_legacy_scp(shape)?;
        }
        _ => {}
    }
    Ok(())
}

fn check_legacy_scp(shape: &StatementShape<'_>) -> Result<(), ShapeViolation> {
    let legacy = |element: &'static str, construct: &'static str| {
        Err(ShapeViolation {
            element,
            violation: Violation::LegacyScpConstruct { construct },
        })
    };

    if let Some(action) = shape.actions.iter().find(|action| {
        let without_final_star = action.strip_suffix('*').unwrap_or(action);
        without_final_star.contains(['*', '?'])
    }) {
        return Err(ShapeViolation {
            element: if shape.not_action {
                "NotAction"
            } else {
                "Action"
            },
            violation: Violation::InvalidAction {
                action: (*action).to_owned(),
                problem: ActionProblem::WildcardNotAtEnd,
            },
        });
    }
    if shape.not_resource {
        return legacy("NotResource", "NotResource");
    }
    if shape.effect == Effect::Allow {
        if shape.not_action {
            return legacy("NotAction", "NotAction in an Allow statement");
        }
        if shape.has_condition {
            return legacy("Condition", "a Condition in an Allow statement");
        }
        if shape.resources.iter().any(|resource| *resource != "*") {
            return legacy("Resource", "a resource ARN in an Allow statement");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape<'a>(
        effect: Effect,
        actions: &'a [&'a str],
        resources: &'a [&'a str],
    ) -> StatementShape<'a> {
        StatementShape {
            effect,
            not_principal: false,
            not_action: false,
            actions,
            not_resource: false,
            resources,
            has_condition: false,
        }
    }

    fn legacy() -> CompileOptions {
        CompileOptions {
            scp_grammar: ScpGrammar::Legacy,
            ..CompileOptions::default()
        }
    }

    #[test]
    fn legacy_scp_rules() {
        let scp = PolicyKind::ServiceControl;
        let ok = |shape: StatementShape<'_>| check_statement_shape(scp, &legacy(), &shape).is_ok();

        assert!(ok(shape(Effect::Allow, &["s3:Get*"], &["*"])));
        assert!(ok(shape(Effect::Deny, &["s3:Get*"], &["arn:aws:s3:::b"])));
        assert!(!ok(shape(Effect::Allow, &["s3:Get*"], &["arn:aws:s3:::b"])));
        assert!(!ok(shape(Effect::Deny, &["s3:*Object"], &["*"])));
        assert!(!ok(StatementShape {
            has_condition: true,
            ..shape(Effect::Allow, &["s3:*"], &["*"])
        }));
        assert!(ok(StatementShape {
            has_condition: true,
            ..shape(Effect::Deny, &["s3:*"], &["*"])
        }));
        assert!(!ok(StatementShape {
            not_action: true,
            ..shape(Effect::Allow, &["s3:*"], &["*"])
        }));
        assert!(ok(StatementShape {
            not_action: true,
            ..shape(Effect::Deny, &["s3:*"], &["*"])
        }));
        assert!(!ok(StatementShape {
            not_resource: true,
            ..shape(Effect::Deny, &["s3:*"], &["arn:aws:s3:::b"])
        }));

        let full = CompileOptions::default();
        assert!(
            check_statement_shape(
                scp,
                &full,
                &shape(Effect::Allow, &["s3:*Object"], &["arn:aws:s3:::b"])
            )
            .is_ok()
        );
    }

    #[test]
    fn resource_control_rules() {
        let rcp = PolicyKind::ResourceControl;
        let customer = CompileOptions::default();
        let managed = CompileOptions {
            aws_managed: true,
            ..CompileOptions::default()
        };
        assert!(
            check_statement_shape(rcp, &customer, &shape(Effect::Deny, &["s3:*"], &["*"])).is_ok()
        );
        assert!(
            check_statement_shape(rcp, &customer, &shape(Effect::Allow, &["s3:*"], &["*"]))
                .is_err()
        );
        assert!(
            check_statement_shape(rcp, &customer, &shape(Effect::Deny, &["*"], &["*"])).is_err()
        );
        assert!(
            check_statement_shape(rcp, &managed, &shape(Effect::Allow, &["*"], &["*"])).is_ok()
        );
    }

    #[test]
    fn sid_and_character_rules() {
        assert!(check_sid(PolicyKind::Identity, "AllowRead1").is_ok());
        assert!(check_sid(PolicyKind::Identity, "allow-read").is_err());
        assert!(check_sid(PolicyKind::Resource, "allow read").is_ok());
        assert!(check_sid(PolicyKind::ServiceControl, "Deny_Leave").is_ok());
        assert_eq!(
            find_unsupported_character(PolicyKind::Identity, "{\"a\":\"é\"}"),
            None
        );
        assert_eq!(
            find_unsupported_character(PolicyKind::Identity, "{\"a\":\"€\"}"),
            Some((6, 0x20AC))
        );
        assert_eq!(
            find_unsupported_character(PolicyKind::ServiceControl, "€"),
            None
        );
    }
}
