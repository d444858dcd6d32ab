//! Identifiers and ARNs in the formats AWS Organizations uses.

use store::OrganizationRecord;

use crate::random::{LOWER_ALPHANUMERIC, random_text};

fn random_lower_alphanumeric(length: usize) -> String {
    random_text(LOWER_ALPHANUMERIC, length)
}

/// Returns a new organization id: `o-` and 10 lower-case letters or digits.
pub(crate) fn organization_id() -> String {
    format!("o-{}", random_lower_alphanumeric(10))
}

/// Returns a new root id: `r-` and 4 lower-case letters or digits.
pub(crate) fn root_id() -> String {
    format!("r-{}", random_lower_alphanumeric(4))
}

/// Returns a new OU id under `root_id`: `ou-`, the root's suffix, `-` and 8 letters or digits.
pub(crate) fn organizational_unit_id(root_id: &str) -> String {
    let suffix = root_id.strip_prefix("r-").unwrap_or(root_id);
    format!("ou-{suffix}-{}", random_lower_alphanumeric(8))
}

/// Returns a new policy id: `p-` and 8 lower-case letters or digits.
pub(crate) fn policy_id() -> String {
    format!("p-{}", random_lower_alphanumeric(8))
}

/// Returns a new resource policy id: `rp-` and 8 lower-case letters or digits.
pub(crate) fn resource_policy_id() -> String {
    format!("rp-{}", random_lower_alphanumeric(8))
}

/// Returns a new CreateAccount request id: `car-` and 32 letters or digits.
pub(crate) fn create_account_request_id() -> String {
    format!("car-{}", random_lower_alphanumeric(32))
}

/// Returns a new handshake id: `h-` and 10 lower-case letters or digits.
pub(crate) fn handshake_id() -> String {
    format!("h-{}", random_lower_alphanumeric(10))
}

/// Returns a new responsibility transfer id: `rt-` and 10 lower-case letters or digits.
pub(crate) fn responsibility_transfer_id() -> String {
    format!("rt-{}", random_lower_alphanumeric(10))
}

/// Returns a new 12-digit account id for which `is_taken` is false.
pub(crate) fn account_id(is_taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = format!("{:012}", fastrand::u64(1_000_000_000..1_000_000_000_000));
        if !is_taken(&id) {
            return id;
        }
    }
}

/// `arn:<partition>:organizations::<management>:organization/<org>`.
pub(crate) fn organization_arn(organization: &OrganizationRecord) -> String {
    format!(
        "arn:{}:organizations::{}:organization/{}",
        organization.partition, organization.management_account_id, organization.id
    )
}

/// `arn:<partition>:organizations::<management>:root/<org>/<root>`.
pub(crate) fn root_arn(organization: &OrganizationRecord, root_id: &str) -> String {
    format!(
        "arn:{}:organizations::{}:root/{}/{root_id}",
        organization.partition, organization.management_account_id, organization.id
    )
}

/// `arn:<partition>:organizations::<management>:ou/<org>/<ou>`.
pub(crate) fn organizational_unit_arn(organization: &OrganizationRecord, ou_id: &str) -> String {
    format!(
        "arn:{}:organizations::{}:ou/{}/{ou_id}",
        organization.partition, organization.management_account_id, organization.id
    )
}

/// `arn:<partition>:organizations::<management>:account/<org>/<account>`.
pub(crate) fn account_arn(organization: &OrganizationRecord, account_id: &str) -> String {
    format!(
        "arn:{}:organizations::{}:account/{}/{account_id}",
        organization.partition, organization.management_account_id, organization.id
    )
}

/// `arn:<partition>:organizations::<management>:handshake/<org>/<action in lower case>/<h-id>`.
pub(crate) fn handshake_arn(
    organization: &OrganizationRecord,
    action: &str,
    handshake_id: &str,
) -> String {
    format!(
        "arn:{}:organizations::{}:handshake/{}/{}/{handshake_id}",
        organization.partition,
        organization.management_account_id,
        organization.id,
        action.to_ascii_lowercase()
    )
}

/// `arn:<partition>:organizations::<management>:transfer/<org>/<type>/<direction>/<rt-id>`, seen
/// from `organization`: `inbound` where it manages the responsibility, `outbound` where it hands
/// it over.
pub(crate) fn responsibility_transfer_arn(
    organization: &OrganizationRecord,
    transfer_type: &str,
    direction: &str,
    transfer_id: &str,
) -> String {
    format!(
        "arn:{}:organizations::{}:transfer/{}/{}/{direction}/{transfer_id}",
        organization.partition,
        organization.management_account_id,
        organization.id,
        transfer_type.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str, prefix: &str, length: usize) -> bool {
        text.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() == length
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        })
    }

    #[test]
    fn ids_follow_aws_formats() {
        assert!(matches(&organization_id(), "o-", 10));
        assert!(matches(&root_id(), "r-", 4));
        assert!(matches(&create_account_request_id(), "car-", 32));
        assert!(matches(&handshake_id(), "h-", 10));
        assert!(matches(&responsibility_transfer_id(), "rt-", 10));
        let ou = organizational_unit_id("r-ab12");
        assert!(matches(&ou, "ou-ab12-", 8), "{ou}");
        let account = account_id(|_| false);
        assert_eq!(account.len(), 12);
        assert!(account.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn account_id_skips_taken() {
        let first = account_id(|_| false);
        let second = account_id(|id| id == first);
        assert_ne!(first, second);
    }
}
