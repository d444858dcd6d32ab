//! The `Principal` and `NotPrincipal` elements of resource-based policies, trust policies
//! and RCPs, and how a request's caller matches them.
//!
//! The way a caller matched matters to the evaluator. In the same account, a resource
//! policy that names an IAM user or a role session grants access on its own. One that
//! names a role is still limited by the session's permissions boundary and session policy.
//! One that names only the account leaves the decision to the account's identity policies.

use crate::error::Violation;
use crate::request::{Principal, PrincipalKind};

/// The way a caller matched a `Principal` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// The element names the caller's account (`111122223333` or
    /// `arn:aws:iam::111122223333:root`).
    Account,
    /// The element names the role of the caller's session, or the IAM user who created a
    /// federated user session. The session's permissions boundary and session policy
    /// still apply.
    RoleOrFederatingUser,
    /// The element names the caller directly, or is `*`.
    Direct,
}

/// A compiled `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalElement {
    /// `"Principal": "*"`: everyone, including anonymous callers.
    Everyone,
    /// A map of principal types to values.
    Specific(SpecificPrincipals),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SpecificPrincipals {
    /// `"AWS": "*"`, which AWS documents as the same as `"Principal": "*"`.
    any_aws: bool,
    accounts: Vec<Box<str>>,
    arns: Vec<Box<str>>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
    canonical_users: Vec<Box<str>>,
}

/// The principal types a `Principal` map may name.
pub(crate) const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

impl SpecificPrincipals {
    /// Adds one value of principal type `principal_type`, checking its form.
    pub(crate) fn add(&mut self, principal_type: &str, value: &str) -> Result<(), Violation> {
        let invalid = |expected: &'static str| Violation::InvalidPrincipal {
            value: value.to_owned(),
            principal_type: principal_type.to_owned(),
            expected,
        };

        match principal_type {
            "AWS" => {
                if value == "*" {
                    self.any_aws = true;
                } else if is_account_id(value) {
                    self.accounts.push(value.into());
                } else if let Some(account) = root_arn_account(value) {
                    self.accounts.push(account.into());
                } else if is_principal_arn(value) || is_unique_id(value) {
                    self.arns.push(value.into());
                } else {
                    return Err(invalid(
                        "\"*\", a 12-digit account ID, or the ARN of a root user, IAM user, role, role session or federated user, without wildcards",
                    ));
                }
            }
            "Service" => {
                if value.is_empty() || value.contains(['*', '?']) {
                    return Err(invalid(
                        "a service principal such as cloudtrail.amazonaws.com",
                    ));
                }
                self.services.push(value.into());
            }
            "Federated" => {
                if value.is_empty() || value.contains(['*', '?']) {
                    return Err(invalid(
                        "an identity provider such as cognito-identity.amazonaws.com or a SAML provider ARN",
                    ));
                }
                self.federated.push(value.into());
            }
            "CanonicalUser" => {
                if value.is_empty() || value.contains(['*', '?']) {
                    return Err(invalid("a canonical user ID"));
                }
                self.canonical_users.push(value.into());
            }
            _ => {
                return Err(invalid(
                    "one of the principal types AWS, Service, Federated or CanonicalUser",
                ));
            }
        }
        Ok(())
    }
}

fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|byte| byte.is_ascii_digit())
}

/// Returns the account of `arn:PARTITION:iam::ACCOUNT:root`.
fn root_arn_account(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(":iam::")?;
    let account = rest.strip_suffix(":root")?;
    is_account_id(account).then_some(account)
}

fn is_principal_arn(value: &str) -> bool {
    if value.contains(['*', '?']) {
        return false;
    }
    let mut parts = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    if partition.is_empty() || !is_account_id(account) {
        return false;
    }
    match service {
        "iam" => resource.starts_with("user/") || resource.starts_with("role/"),
        "sts" => resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"),
        _ => false,
    }
}

/// IAM rewrites a principal ARN to the entity's unique ID (`AIDA...`, `AROA...`) when the
/// entity is deleted, so such IDs are valid principals that match no caller.
fn is_unique_id(value: &str) -> bool {
    value.len() >= 16
        && (value.starts_with("AIDA") || value.starts_with("AROA"))
        && value
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
}

impl PrincipalElement {
    /// Returns how `principal` matches, or `None`.
    pub(crate) fn matches(&self, principal: &Principal) -> Option<PrincipalMatch> {
        let specific = match self {
            PrincipalElement::Everyone => return Some(PrincipalMatch::Direct),
            PrincipalElement::Specific(specific) if specific.any_aws => {
                return Some(PrincipalMatch::Direct);
            }
            PrincipalElement::Specific(specific) => specific,
        };

        match principal.kind() {
            PrincipalKind::Anonymous => None,
            PrincipalKind::Service { service } => specific
                .services
                .iter()
                .any(|named| named == service)
                .then_some(PrincipalMatch::Direct),
            PrincipalKind::WebIdentity { provider } => specific
                .federated
                .iter()
                .any(|named| named == provider)
                .then_some(PrincipalMatch::Direct),
            kind => {
                if specific.arns.iter().any(|arn| **arn == *principal.arn()) {
                    return Some(PrincipalMatch::Direct);
                }
                let names_role_or_federating_user = match kind {
                    PrincipalKind::AssumedRole { role_arn, .. } => specific.arns.contains(role_arn),
                    PrincipalKind::FederatedUser {
                        federating_user_arn: Some(user_arn),
                    } => specific.arns.contains(user_arn),
                    _ => false,
                };
                if names_role_or_federating_user {
                    return Some(PrincipalMatch::RoleOrFederatingUser);
                }
                let account = principal.account()?;
                specific
                    .accounts
                    .iter()
                    .any(|named| **named == *account)
                    .then_some(PrincipalMatch::Account)
            }
        }
    }

    /// Returns true when `principal` is excluded by a `NotPrincipal` element. AWS checks the
    /// caller's account as well as the caller, so both must be listed: the account and the
    /// user, the account and the role or session, or the account alone for its root user.
    // NOTE: AWS documents that it checks the account, then the role, then the session, and
    // advises listing the role and its account. Whether a role ARN alone, without the
    // session ARN, exempts every session is inferred from that advice.
    pub(crate) fn excludes(&self, principal: &Principal) -> bool {
        let specific = match self {
            PrincipalElement::Everyone => return true,
            PrincipalElement::Specific(specific) if specific.any_aws => return true,
            PrincipalElement::Specific(specific) => specific,
        };

        match principal.kind() {
            PrincipalKind::Anonymous => false,
            PrincipalKind::Service { service } => {
                specific.services.iter().any(|named| named == service)
            }
            PrincipalKind::WebIdentity { provider } => {
                specific.federated.iter().any(|named| named == provider)
            }
            PrincipalKind::Root => principal
                .account()
                .is_some_and(|account| specific.accounts.iter().any(|named| **named == *account)),
            PrincipalKind::User
            | PrincipalKind::AssumedRole { .. }
            | PrincipalKind::FederatedUser { .. } => {
                let listed = |arn: &str| specific.arns.iter().any(|named| **named == *arn);
                let caller_listed = listed(principal.arn())
                    || matches!(principal.kind(), PrincipalKind::AssumedRole { role_arn, .. } if listed(role_arn));
                let account_listed = principal.account().is_some_and(|account| {
                    specific.accounts.iter().any(|named| **named == *account)
                });
                caller_listed && account_listed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(entries: &[(&str, &str)]) -> PrincipalElement {
        let mut specific = SpecificPrincipals::default();
        for (principal_type, value) in entries {
            specific.add(principal_type, value).unwrap();
        }
        PrincipalElement::Specific(specific)
    }

    fn session() -> Principal {
        Principal::assumed_role("arn:aws:iam::111122223333:role/Reader", "s1").unwrap()
    }

    #[test]
    fn match_table() {
        let user = Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
        let cases: Vec<(PrincipalElement, Principal, Option<PrincipalMatch>)> = vec![
            (
                PrincipalElement::Everyone,
                Principal::anonymous(),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("AWS", "*")]),
                Principal::anonymous(),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("AWS", "*")]),
                user.clone(),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("AWS", "111122223333")]),
                user.clone(),
                Some(PrincipalMatch::Account),
            ),
            (
                element(&[("AWS", "arn:aws:iam::111122223333:root")]),
                user.clone(),
                Some(PrincipalMatch::Account),
            ),
            (
                element(&[("AWS", "arn:aws:iam::444455556666:root")]),
                user.clone(),
                None,
            ),
            (
                element(&[("AWS", "arn:aws:iam::111122223333:user/alice")]),
                user.clone(),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("AWS", "arn:aws:iam::111122223333:user/bob")]),
                user.clone(),
                None,
            ),
            (
                element(&[("AWS", "arn:aws:iam::111122223333:role/Reader")]),
                session(),
                Some(PrincipalMatch::RoleOrFederatingUser),
            ),
            (
                element(&[("AWS", "arn:aws:sts::111122223333:assumed-role/Reader/s1")]),
                session(),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("AWS", "arn:aws:sts::111122223333:assumed-role/Reader/s2")]),
                session(),
                None,
            ),
            (
                element(&[("Service", "cloudtrail.amazonaws.com")]),
                Principal::service("cloudtrail.amazonaws.com"),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("Service", "cloudtrail.amazonaws.com")]),
                Principal::service("config.amazonaws.com"),
                None,
            ),
            (
                element(&[("AWS", "*")]),
                Principal::service("config.amazonaws.com"),
                Some(PrincipalMatch::Direct),
            ),
            (
                element(&[("Federated", "cognito-identity.amazonaws.com")]),
                Principal::web_identity("cognito-identity.amazonaws.com"),
                Some(PrincipalMatch::Direct),
            ),
        ];
        for (index, (element, principal, expected)) in cases.iter().enumerate() {
            assert_eq!(
                element.matches(principal),
                *expected,
                "case {index}: {principal}"
            );
        }
    }

    #[test]
    fn federating_user_is_limited_match() {
        let federated = Principal::federated_user(
            "arn:aws:sts::111122223333:federated-user/bob",
            Some("arn:aws:iam::111122223333:user/broker"),
        )
        .unwrap();
        assert_eq!(
            element(&[("AWS", "arn:aws:iam::111122223333:user/broker")]).matches(&federated),
            Some(PrincipalMatch::RoleOrFederatingUser)
        );
        assert_eq!(
            element(&[("AWS", "arn:aws:sts::111122223333:federated-user/bob")]).matches(&federated),
            Some(PrincipalMatch::Direct)
        );
    }

    #[test]
    fn not_principal_needs_caller_and_account() {
        let role_only = element(&[("AWS", "arn:aws:iam::111122223333:role/Reader")]);
        assert!(!role_only.excludes(&session()));

        let role_and_account = element(&[
            ("AWS", "arn:aws:iam::111122223333:role/Reader"),
            ("AWS", "111122223333"),
        ]);
        assert!(role_and_account.excludes(&session()));
        assert!(
            !role_and_account
                .excludes(&Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap())
        );

        let session_only = element(&[("AWS", "arn:aws:sts::111122223333:assumed-role/Reader/s1")]);
        assert!(!session_only.excludes(&session()));

        let session_and_account = element(&[
            ("AWS", "arn:aws:sts::111122223333:assumed-role/Reader/s1"),
            ("AWS", "arn:aws:iam::111122223333:root"),
        ]);
        assert!(session_and_account.excludes(&session()));
        assert!(session_and_account.excludes(&Principal::root("111122223333")));
    }

    #[test]
    fn rejects_invalid_values() {
        let mut specific = SpecificPrincipals::default();
        for (principal_type, value) in [
            ("AWS", "arn:aws:iam::*:role/Admin"),
            ("AWS", "arn:aws:iam::111122223333:group/Admins"),
            ("AWS", "alice"),
            ("AWS", "1111"),
            ("Service", "*"),
            ("Federated", ""),
            ("Users", "x"),
        ] {
            assert!(
                specific.add(principal_type, value).is_err(),
                "{principal_type} {value}"
            );
        }
        assert!(specific.add("AWS", "AIDAJQABLZS4A3QDU576Q").is_ok());
    }
}
