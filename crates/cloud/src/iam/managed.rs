//! The AWS-managed policies bulkhead provides: AdministratorAccess, PowerUserAccess and
//! ReadOnlyAccess. They exist in every account, cannot be changed, and have one version, `v1`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use catalog::{AccessLevel, Catalog};
use policy::{CompileOptions, Policy, PolicyKind};

/// An AWS-managed policy.
#[derive(Debug)]
pub(crate) struct ManagedPolicy {
    /// The policy name, the last part of its ARN.
    pub(crate) name: &'static str,
    /// The `ANPA…` unique id, fixed for the lifetime of the process and across restarts.
    pub(crate) policy_id: &'static str,
    /// The description IAM reports.
    pub(crate) description: &'static str,
    /// The policy document.
    pub(crate) document: String,
    /// The document compiled as an identity-based policy.
    pub(crate) identity: Option<Policy>,
    /// The document compiled as a permissions boundary.
    pub(crate) boundary: Option<Policy>,
}

/// The creation time reported for every AWS-managed policy: 2015-02-06T18:39:46Z, a fixed
/// date so that responses do not change between runs.
pub(crate) const MANAGED_POLICY_CREATED_AT: i64 = 1_423_247_986_000;

/// The only version of an AWS-managed policy.
pub(crate) const MANAGED_POLICY_VERSION: &str = "v1";

const ADMINISTRATOR_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

// NOTE: AWS changes its PowerUserAccess document over time. This one keeps its meaning: all
// actions but IAM, Organizations and Account Management, with a few read and service-linked
// role exceptions. It may miss exceptions that the current AWS version makes.
const POWER_USER_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:GetAccountInformation","account:ListRegions"],"Resource":"*"}]}"#;

/// Every AWS-managed policy bulkhead provides, in name order.
pub(crate) static MANAGED_POLICIES: LazyLock<Vec<ManagedPolicy>> = LazyLock::new(|| {
    vec![
        managed(
            "AdministratorAccess",
            "ANPAIWMBCKSKIEE64ZLYK",
            "Provides full access to AWS services and resources.",
            ADMINISTRATOR_ACCESS.to_owned(),
        ),
        managed(
            "PowerUserAccess",
            "ANPAJYRXTHIB4FOVS3ZXS",
            "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
            POWER_USER_ACCESS.to_owned(),
        ),
        managed(
            "ReadOnlyAccess",
            "ANPAILL3HVNFSB6DCOWYQ",
            "Provides read-only access to AWS services and resources.",
            read_only_document(),
        ),
    ]
});

/// Finds an AWS-managed policy by its ARN, `arn:<partition>:iam::aws:policy/<name>`.
pub(crate) fn find(arn: &str) -> Option<&'static ManagedPolicy> {
    let (_, name) = arn.split_once(":iam::aws:policy/")?;
    if !arn.starts_with("arn:") {
        return None;
    }
    MANAGED_POLICIES.iter().find(|policy| policy.name == name)
}

/// Returns the ARN of an AWS-managed policy in `partition`.
pub(crate) fn arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{name}")
}

fn managed(
    name: &'static str,
    policy_id: &'static str,
    description: &'static str,
    document: String,
) -> ManagedPolicy {
    let compile = |kind| {
        let options = CompileOptions {
            aws_managed: true,
            size_limit: Some(usize::MAX),
            ..CompileOptions::default()
        };
        Policy::compile_with(&arn("aws", name), kind, &document, &options)
            .map_err(|error| {
                tracing::error!(target: "bulkhead::iam", policy = name, %error, "an AWS-managed policy does not compile");
            })
            .ok()
    };
    ManagedPolicy {
        name,
        policy_id,
        description,
        identity: compile(PolicyKind::Identity),
        boundary: compile(PolicyKind::PermissionsBoundary),
        document,
    }
}

/// Builds ReadOnlyAccess from the action catalog: every action whose access level is Read or
/// List. Actions are grouped by service and leading verb, so `ec2:Describe*` stands for all of
/// EC2's Describe actions when none of them writes.
// NOTE: AWS writes ReadOnlyAccess by hand. It grants some actions that the catalog files under
// another access level and leaves out a few Read actions, so this document is an estimate.
fn read_only_document() -> String {
    let Ok(catalog) = Catalog::builtin() else {
        tracing::error!(target: "bulkhead::iam", "the action catalog does not load; ReadOnlyAccess allows nothing");
        return r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#.to_owned();
    };
    let mut actions = Vec::new();
    for service in catalog.services() {
        // Per leading verb: whether every action with it reads, and the reading actions.
        let mut verbs: BTreeMap<&str, (bool, Vec<&str>)> = BTreeMap::new();
        for action in service.actions() {
            let name = action.name();
            let reads = action
                .access_levels()
                .iter()
                .all(|level| matches!(level, AccessLevel::Read | AccessLevel::List));
            let entry = verbs
                .entry(leading_verb(name))
                .or_insert((true, Vec::new()));
            entry.0 &= reads;
            if reads {
                entry.1.push(name);
            }
        }
        for (verb, (all_read, names)) in verbs {
            if all_read && names.len() > 1 {
                actions.push(format!("{}:{verb}*", service.prefix()));
            } else {
                actions.extend(
                    names
                        .iter()
                        .map(|name| format!("{}:{name}", service.prefix())),
                );
            }
        }
    }
    let statement = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    });
    statement.to_string()
}

/// Returns the leading word of an action name: `Describe` for `DescribeInstances`.
fn leading_verb(action: &str) -> &str {
    let end = action
        .char_indices()
        .skip(1)
        .find(|(_, character)| character.is_ascii_uppercase())
        .map_or(action.len(), |(index, _)| index);
    action.get(..end).unwrap_or(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policies_compile() {
        for policy in MANAGED_POLICIES.iter() {
            assert!(policy.identity.is_some(), "{}", policy.name);
            assert!(policy.boundary.is_some(), "{}", policy.name);
        }
    }

    #[test]
    fn read_only_groups_by_verb() {
        let document = read_only_document();
        assert!(document.contains("\"s3:Get*\""), "{document}");
        assert!(document.contains("\"s3:List*\""), "{document}");
        assert!(!document.contains("\"s3:PutObject\""), "{document}");
        assert!(!document.contains("\"iam:CreateRole\""), "{document}");
    }

    #[test]
    fn verbs_split_at_second_word() {
        assert_eq!(leading_verb("DescribeInstances"), "Describe");
        assert_eq!(leading_verb("Get"), "Get");
    }

    #[test]
    fn managed_arns_resolve_in_any_partition() {
        assert!(find("arn:aws:iam::aws:policy/AdministratorAccess").is_some());
        assert!(find("arn:aws-cn:iam::aws:policy/ReadOnlyAccess").is_some());
        assert!(find("arn:aws:iam::aws:policy/Nope").is_none());
        assert!(find("arn:aws:iam::111111111111:policy/AdministratorAccess").is_none());
    }
}
