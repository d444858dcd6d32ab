//! The principals a simulation can ask about, parsed from their ARNs.

use std::fmt;

/// A principal named by its ARN: a root user, an IAM user, a role, or a session of a role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalArn {
    /// `arn:PARTITION:iam::ACCOUNT:root`.
    Root {
        /// The account id.
        account_id: String,
    },
    /// `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`.
    User {
        /// The account id.
        account_id: String,
        /// The user name, the last segment of the ARN.
        name: String,
    },
    /// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, simulated as a session of the role.
    Role {
        /// The account id.
        account_id: String,
        /// The role name, the last segment of the ARN.
        name: String,
    },
    /// `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`.
    RoleSession {
        /// The account id.
        account_id: String,
        /// The role name.
        role_name: String,
        /// The session name.
        session_name: String,
    },
}

/// The session name a role principal is simulated with when the ARN names no session.
pub const DEFAULT_SESSION_NAME: &str = "bulkhead-simulate";

/// The IAM entity whose policies apply to a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamEntity<'a> {
    /// An IAM user, by name.
    User(&'a str),
    /// An IAM role, by name.
    Role(&'a str),
}

impl PrincipalArn {
    /// Parses a principal ARN. The error names the ARN and the forms that are accepted.
    pub fn parse(arn: &str) -> Result<PrincipalArn, String> {
        let invalid = |reason: &str| {
            format!(
                "invalid principal ARN '{arn}': {reason}; expected arn:aws:iam::ACCOUNT:root, \
                 arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME or \
                 arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
            )
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [scheme, partition, service, region, account_id, resource] = parts.as_slice() else {
            return Err(invalid("it does not have six colon-separated fields"));
        };
        if *scheme != "arn" || partition.is_empty() {
            return Err(invalid("it does not start with arn:PARTITION"));
        }
        if !region.is_empty() {
            return Err(invalid("IAM and STS principal ARNs have no region"));
        }
        if account_id.len() != 12 || !account_id.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid("the account id is not 12 digits"));
        }
        let account_id = (*account_id).to_owned();
        let last_segment = |rest: &str| {
            rest.rsplit('/')
                .next()
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
        };

        match (*service, *resource) {
            ("iam", "root") => Ok(PrincipalArn::Root { account_id }),
            ("iam", resource) if resource.starts_with("user/") => {
                let name = last_segment(&resource["user/".len()..])
                    .ok_or_else(|| invalid("the user name is empty"))?;
                Ok(PrincipalArn::User { account_id, name })
            }
            ("iam", resource) if resource.starts_with("role/") => {
                let name = last_segment(&resource["role/".len()..])
                    .ok_or_else(|| invalid("the role name is empty"))?;
                Ok(PrincipalArn::Role { account_id, name })
            }
            ("sts", resource) if resource.starts_with("assumed-role/") => {
                let rest = &resource["assumed-role/".len()..];
                match rest.split_once('/') {
                    Some((role_name, session_name))
                        if !role_name.is_empty()
                            && !session_name.is_empty()
                            && !session_name.contains('/') =>
                    {
                        Ok(PrincipalArn::RoleSession {
                            account_id,
                            role_name: role_name.to_owned(),
                            session_name: session_name.to_owned(),
                        })
                    }
                    _ => Err(invalid("a role session ARN ends in ROLE/SESSION")),
                }
            }
            _ => Err(invalid("it names no root user, user, role or role session")),
        }
    }

    /// Returns the account the principal belongs to.
    pub fn account_id(&self) -> &str {
        match self {
            PrincipalArn::Root { account_id }
            | PrincipalArn::User { account_id, .. }
            | PrincipalArn::Role { account_id, .. }
            | PrincipalArn::RoleSession { account_id, .. } => account_id,
        }
    }

    /// Returns the IAM user or role whose policies apply; `None` for a root user.
    pub fn iam_entity(&self) -> Option<IamEntity<'_>> {
        match self {
            PrincipalArn::Root { .. } => None,
            PrincipalArn::User { name, .. } => Some(IamEntity::User(name)),
            PrincipalArn::Role { name, .. } => Some(IamEntity::Role(name)),
            PrincipalArn::RoleSession { role_name, .. } => Some(IamEntity::Role(role_name)),
        }
    }

    /// Returns the name of the session a role principal acts in.
    pub fn session_name(&self) -> Option<&str> {
        match self {
            PrincipalArn::Role { .. } => Some(DEFAULT_SESSION_NAME),
            PrincipalArn::RoleSession { session_name, .. } => Some(session_name),
            PrincipalArn::Root { .. } | PrincipalArn::User { .. } => None,
        }
    }
}

impl fmt::Display for IamEntity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IamEntity::User(name) => write!(f, "user {name}"),
            IamEntity::Role(name) => write!(f, "role {name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_principal_form() {
        assert_eq!(
            PrincipalArn::parse("arn:aws:iam::111122223333:root"),
            Ok(PrincipalArn::Root {
                account_id: "111122223333".to_owned()
            })
        );
        assert_eq!(
            PrincipalArn::parse("arn:aws:iam::111122223333:user/teams/alice"),
            Ok(PrincipalArn::User {
                account_id: "111122223333".to_owned(),
                name: "alice".to_owned()
            })
        );
        assert_eq!(
            PrincipalArn::parse("arn:aws:iam::111122223333:role/ops/Deployer"),
            Ok(PrincipalArn::Role {
                account_id: "111122223333".to_owned(),
                name: "Deployer".to_owned()
            })
        );
        assert_eq!(
            PrincipalArn::parse("arn:aws:sts::111122223333:assumed-role/Deployer/ci"),
            Ok(PrincipalArn::RoleSession {
                account_id: "111122223333".to_owned(),
                role_name: "Deployer".to_owned(),
                session_name: "ci".to_owned()
            })
        );
    }

    #[test]
    fn rejects_malformed_arns() {
        for arn in [
            "",
            "alice",
            "arn:aws:iam::1111:root",
            "arn:aws:iam:us-east-1:111122223333:root",
            "arn:aws:iam::111122223333:user/",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:sts::111122223333:assumed-role/Deployer",
            "arn:aws:s3:::bucket",
        ] {
            let error = PrincipalArn::parse(arn).unwrap_err();
            assert!(error.contains("invalid principal ARN"), "{arn}: {error}");
        }
    }
}
