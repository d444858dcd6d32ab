//! The structural diff: the changes that make the live organization equal to the file, in the
//! order apply runs them, and what the plan will not do.
//!
//! Changes name OUs, accounts and policies as the file does. Apply resolves the names to ids
//! when it runs each step, so an OU created by one step is known to the next. A detach and a
//! deregistration also carry the id, because they may concern an account the file does not
//! declare.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::file::{LandingZone, ROOT};
use super::live::LiveOrganization;

/// One change, in the file's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Create the organization, with all features, managed by the caller's account.
    CreateOrganization,
    /// Enable a policy type in the root.
    EnablePolicyType {
        /// The API name of the type.
        policy_type: String,
    },
    /// Give a service trusted access to the organization.
    EnableServiceAccess {
        /// The service principal.
        service: String,
    },
    /// Withdraw a service's trusted access.
    DisableServiceAccess {
        /// The service principal.
        service: String,
    },
    /// Create an OU.
    CreateUnit {
        /// The OU name.
        name: String,
        /// The parent's name, or `Root`.
        parent: String,
    },
    /// Create a policy.
    CreatePolicy {
        /// The policy name.
        name: String,
        /// The API name of the type.
        policy_type: String,
    },
    /// Change a policy's document or description.
    UpdatePolicy {
        /// The policy name.
        name: String,
        /// The API name of the type.
        policy_type: String,
        /// Whether the document changes.
        content: bool,
        /// Whether the description changes.
        description: bool,
    },
    /// Create an account and wait until it exists.
    CreateAccount {
        /// The account name.
        name: String,
        /// The root user's email address.
        email: String,
    },
    /// Move an account to another OU.
    MoveAccount {
        /// The account name.
        name: String,
        /// The email that identifies the account.
        email: String,
        /// The current parent's name; `Root` for a new account.
        from: String,
        /// The destination's name.
        to: String,
        /// Whether the move retires the account.
        retire: bool,
    },
    /// Add or change tags.
    Tag {
        /// The tagged resource: `Root`, or an OU, account or policy name.
        target: String,
        /// The kind of target: `root`, `ou`, `account` or `policy`.
        kind: TargetKind,
        /// Tags to set.
        tags: BTreeMap<String, String>,
    },
    /// Remove tags.
    Untag {
        /// The tagged resource.
        target: String,
        /// The kind of target.
        kind: TargetKind,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Attach a policy.
    Attach {
        /// The policy name.
        policy: String,
        /// The API name of the type.
        policy_type: String,
        /// `Root`, an OU name or an account name.
        target: String,
    },
    /// Detach a policy.
    Detach {
        /// The policy name.
        policy: String,
        /// The API name of the type.
        policy_type: String,
        /// `Root`, an OU name or an account name.
        target: String,
        /// The target's id. The target may be an account the file does not declare, which
        /// apply could not find by name.
        target_id: String,
    },
    /// Register an account as delegated administrator for a service.
    RegisterDelegatedAdministrator {
        /// The account name.
        account: String,
        /// The service principal.
        service: String,
    },
    /// Deregister a delegated administrator.
    DeregisterDelegatedAdministrator {
        /// The account name.
        account: String,
        /// The account id.
        account_id: String,
        /// The service principal.
        service: String,
    },
}

/// The kind of resource a name in a change refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The root.
    Root,
    /// An OU.
    Ou,
    /// An account.
    Account,
    /// A policy; the policy type comes with the name.
    Policy,
}

/// A change the file requests or implies by leaving something out, which the plan does not
/// make, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The resource concerned, such as `OU Sandbox`.
    pub subject: String,
    /// The reason nothing is done.
    pub reason: String,
}

/// The structural diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StructuralPlan {
    /// The changes, in the order apply runs them.
    pub changes: Vec<Change>,
    /// The resources left as they are, with the reasons.
    pub refusals: Vec<Refusal>,
}

impl Change {
    /// Returns a one-line description of the change.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateOrganization => "create the organization (all features)".to_owned(),
            Change::EnablePolicyType { policy_type } => format!("enable policy type {policy_type}"),
            Change::EnableServiceAccess { service } => {
                format!("enable trusted access for {service}")
            }
            Change::DisableServiceAccess { service } => {
                format!("disable trusted access for {service}")
            }
            Change::CreateUnit { name, parent } => format!("create OU {name} under {parent}"),
            Change::CreatePolicy { name, policy_type } => {
                format!("create {policy_type} {name}")
            }
            Change::UpdatePolicy {
                name,
                policy_type,
                content,
                description,
            } => {
                let parts: Vec<&str> = [(*content, "document"), (*description, "description")]
                    .into_iter()
                    .filter_map(|(changed, part)| changed.then_some(part))
                    .collect();
                format!("update {policy_type} {name} ({})", parts.join(" and "))
            }
            Change::CreateAccount { name, email } => format!("create account {name} <{email}>"),
            Change::MoveAccount {
                name,
                from,
                to,
                retire,
                ..
            } => {
                let verb = if *retire { "retire" } else { "move" };
                format!("{verb} account {name} from {from} to {to}")
            }
            Change::Tag { target, kind, tags } => {
                let pairs: Vec<String> = tags
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect();
                format!("tag {} {target}: {}", kind.noun(), pairs.join(", "))
            }
            Change::Untag { target, kind, keys } => {
                format!("untag {} {target}: {}", kind.noun(), keys.join(", "))
            }
            Change::Attach { policy, target, .. } => format!("attach {policy} to {target}"),
            Change::Detach { policy, target, .. } => format!("detach {policy} from {target}"),
            Change::RegisterDelegatedAdministrator { account, service } => {
                format!("register {account} as delegated administrator for {service}")
            }
            Change::DeregisterDelegatedAdministrator {
                account, service, ..
            } => {
                format!("deregister {account} as delegated administrator for {service}")
            }
        }
    }
}

impl TargetKind {
    fn noun(self) -> &'static str {
        match self {
            TargetKind::Root => "root",
            TargetKind::Ou => "OU",
            TargetKind::Account => "account",
            TargetKind::Policy => "policy",
        }
    }
}

/// Computes the changes that make `live` equal to `file`.
pub fn structural_plan(file: &LandingZone, live: &LiveOrganization) -> StructuralPlan {
    let mut plan = StructuralPlan::default();
    if !live.exists {
        plan.changes.push(Change::CreateOrganization);
    }

    for policy_type in &file.enabled_policy_types {
        // CreateOrganization with all features enables SCPs on the new root, as AWS does, so
        // apply, which plans again after creating the organization, has no such step.
        let enabled_by_creation = !live.exists && policy_type == "SERVICE_CONTROL_POLICY";
        if !live.enabled_policy_types.contains(policy_type) && !enabled_by_creation {
            plan.changes.push(Change::EnablePolicyType {
                policy_type: policy_type.clone(),
            });
        }
    }
    for policy_type in &live.enabled_policy_types {
        if !file.enabled_policy_types.contains(policy_type) {
            plan.refusals.push(Refusal {
                subject: format!("policy type {policy_type}"),
                reason: "enabled but not in the file; disabling it detaches every policy of the \
                         type, so do it by hand"
                    .to_owned(),
            });
        }
    }
    for service in &file.trusted_services {
        if !live.trusted_services.contains(service) {
            plan.changes.push(Change::EnableServiceAccess {
                service: service.clone(),
            });
        }
    }

    let placed = live.placed_units(file);
    plan_units(file, live, &placed, &mut plan);
    plan_policies(file, live, &mut plan);
    plan_accounts(file, live, &placed, &mut plan);
    plan_tags(file, live, &placed, &mut plan);
    plan_attachments(file, live, &placed, &mut plan);
    plan_delegations(file, live, &placed, &mut plan);

    for service in &live.trusted_services {
        if !file.trusted_services.contains(service) {
            plan.changes.push(Change::DisableServiceAccess {
                service: service.clone(),
            });
        }
    }
    plan
}

/// OUs of the file by name, with the live id of those that exist where the file puts them.
type Placed = HashMap<String, String>;

fn plan_units(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    plan: &mut StructuralPlan,
) {
    for unit in &file.units {
        if placed.contains_key(&unit.name) {
            continue;
        }
        match live.unit_by_name(&unit.name) {
            None => plan.changes.push(Change::CreateUnit {
                name: unit.name.clone(),
                parent: unit.parent.clone(),
            }),
            Some(existing) => {
                let live_parent = live.target_name(&existing.parent_id);
                plan.refusals.push(Refusal {
                    subject: format!("OU {}", unit.name),
                    reason: format!(
                        "is under {live_parent}, the file puts it under {}; the Organizations \
                         API cannot move an OU, so recreate it by hand",
                        unit.parent
                    ),
                });
            }
        }
    }
    for unit in &live.units {
        if placed.values().any(|id| *id == unit.id) {
            continue;
        }
        let declared = file.units.iter().any(|declared| declared.name == unit.name);
        if !declared {
            plan.refusals.push(Refusal {
                subject: format!("OU {}", unit.name),
                reason: "exists but is not in the file; left as it is".to_owned(),
            });
        } else if placed.contains_key(&unit.name) {
            // The file's OU of this name is elsewhere, so this one is not the file's.
            plan.refusals.push(Refusal {
                subject: format!("OU {} ({})", unit.name, unit.id),
                reason: format!(
                    "under {} is not the file's OU of that name; left as it is",
                    live.target_name(&unit.parent_id)
                ),
            });
        }
    }
}

fn plan_policies(file: &LandingZone, live: &LiveOrganization, plan: &mut StructuralPlan) {
    for policy in &file.policies {
        match live.policy_by_name(&policy.name, &policy.policy_type) {
            None => plan.changes.push(Change::CreatePolicy {
                name: policy.name.clone(),
                policy_type: policy.policy_type.clone(),
            }),
            Some(existing) => {
                let content = existing.document != policy.document;
                let description = existing.description != policy.description;
                if content || description {
                    plan.changes.push(Change::UpdatePolicy {
                        name: policy.name.clone(),
                        policy_type: policy.policy_type.clone(),
                        content,
                        description,
                    });
                }
            }
        }
    }
    for policy in &live.policies {
        let declared = file.policies.iter().any(|declared| {
            declared.name == policy.name && declared.policy_type == policy.policy_type
        });
        if !policy.aws_managed && !declared {
            plan.refusals.push(Refusal {
                subject: format!("{} {}", policy.policy_type, policy.name),
                reason: "exists but is not in the file; left attached as it is".to_owned(),
            });
        }
    }
}

fn plan_accounts(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    plan: &mut StructuralPlan,
) {
    for account in &file.accounts {
        match live.account_by_email(&account.email) {
            None => {
                plan.changes.push(Change::CreateAccount {
                    name: account.name.clone(),
                    email: account.email.clone(),
                });
                if account.unit != ROOT {
                    plan.changes.push(Change::MoveAccount {
                        name: account.name.clone(),
                        email: account.email.clone(),
                        from: ROOT.to_owned(),
                        to: account.unit.clone(),
                        retire: account.retired,
                    });
                }
            }
            Some(existing) => {
                if existing.name != account.name {
                    plan.refusals.push(Refusal {
                        subject: format!("account {}", account.email),
                        reason: format!(
                            "is named {}, the file names it {}; the Organizations API cannot \
                             rename an account (the Account Management API can)",
                            existing.name, account.name
                        ),
                    });
                }
                let planned_parent = if account.unit == ROOT {
                    Some(&live.root_id)
                } else {
                    placed.get(&account.unit)
                };
                if planned_parent != Some(&existing.parent_id) {
                    let from = file_target_name(file, live, placed, &existing.parent_id);
                    plan.changes.push(Change::MoveAccount {
                        name: account.name.clone(),
                        email: account.email.clone(),
                        from,
                        to: account.unit.clone(),
                        retire: account.retired,
                    });
                }
            }
        }
    }
    for account in &live.accounts {
        let declared = file
            .accounts
            .iter()
            .any(|declared| declared.email.eq_ignore_ascii_case(&account.email));
        if !declared && account.id != live.management_account_id {
            plan.refusals.push(Refusal {
                subject: format!("account {} ({})", account.name, account.id),
                reason: "is not in the file; accounts cannot be deleted, so list it with \
                         `retire: true` to move it to the retirement OU"
                    .to_owned(),
            });
        }
    }
}

/// A target's name and kind, with the tags the file wants and the tags it has.
type TagTarget<'a> = (
    String,
    TargetKind,
    &'a BTreeMap<String, String>,
    &'a BTreeMap<String, String>,
);

fn plan_tags(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    plan: &mut StructuralPlan,
) {
    let empty = BTreeMap::new();
    let mut targets: Vec<TagTarget<'_>> = vec![(
        ROOT.to_owned(),
        TargetKind::Root,
        &file.root_tags,
        &live.root_tags,
    )];
    for unit in &file.units {
        let current = placed
            .get(&unit.name)
            .and_then(|id| live.units.iter().find(|live| live.id == *id))
            .map_or(&empty, |live| &live.tags);
        targets.push((unit.name.clone(), TargetKind::Ou, &unit.tags, current));
    }
    for account in &file.accounts {
        let current = live
            .account_by_email(&account.email)
            .map_or(&empty, |live| &live.tags);
        targets.push((
            account.name.clone(),
            TargetKind::Account,
            &account.tags,
            current,
        ));
    }
    for policy in &file.policies {
        let current = live
            .policy_by_name(&policy.name, &policy.policy_type)
            .map_or(&empty, |live| &live.tags);
        targets.push((
            policy.name.clone(),
            TargetKind::Policy,
            &policy.tags,
            current,
        ));
    }

    for (target, kind, wanted, current) in targets {
        let set: BTreeMap<String, String> = wanted
            .iter()
            .filter(|(key, value)| current.get(*key) != Some(*value))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let removed: Vec<String> = current
            .keys()
            .filter(|key| !wanted.contains_key(*key))
            .cloned()
            .collect();
        if !set.is_empty() {
            plan.changes.push(Change::Tag {
                target: target.clone(),
                kind,
                tags: set,
            });
        }
        if !removed.is_empty() {
            plan.changes.push(Change::Untag {
                target,
                kind,
                keys: removed,
            });
        }
    }
}

/// Plans attachments of the file's policies. Every attach comes before every detach, so a
/// target never passes through a moment with no SCP, which AWS does not allow.
fn plan_attachments(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    plan: &mut StructuralPlan,
) {
    let mut detaches = Vec::new();
    for policy in &file.policies {
        // Current targets by the file's name, with their ids.
        let current: BTreeMap<String, String> = live
            .policy_by_name(&policy.name, &policy.policy_type)
            .map(|live_policy| {
                live_policy
                    .targets
                    .iter()
                    .map(|id| (file_target_name(file, live, placed, id), id.clone()))
                    .collect()
            })
            .unwrap_or_default();
        for target in &policy.targets {
            if !current.contains_key(target) {
                plan.changes.push(Change::Attach {
                    policy: policy.name.clone(),
                    policy_type: policy.policy_type.clone(),
                    target: target.clone(),
                });
            }
        }
        for (target, target_id) in current {
            if !policy.targets.contains(&target) {
                detaches.push(Change::Detach {
                    policy: policy.name.clone(),
                    policy_type: policy.policy_type.clone(),
                    target,
                    target_id,
                });
            }
        }
    }
    plan.changes.extend(detaches);
}

/// Returns the name the file uses for the root, OU or account with this id. An account is
/// found by email, because the file may name it differently from the live organization. An
/// OU that is not the file's OU of its name is named with its id as well, so that it never
/// stands for the file's OU.
fn file_target_name(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    id: &str,
) -> String {
    if let Some(unit) = live.units.iter().find(|unit| unit.id == id) {
        return if placed.get(&unit.name).is_some_and(|placed| placed == id) {
            unit.name.clone()
        } else {
            format!("{} ({id})", unit.name)
        };
    }
    live.accounts
        .iter()
        .find(|account| account.id == id)
        .and_then(|account| {
            file.accounts
                .iter()
                .find(|declared| declared.email.eq_ignore_ascii_case(&account.email))
        })
        .map_or_else(|| live.target_name(id), |declared| declared.name.clone())
}

fn plan_delegations(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &Placed,
    plan: &mut StructuralPlan,
) {
    let mut wanted_ids = BTreeSet::new();
    for delegation in &file.delegated_administrators {
        let account_id = file
            .accounts
            .iter()
            .find(|account| account.name == delegation.account)
            .and_then(|account| live.account_by_email(&account.email))
            .map(|account| account.id.clone());
        if let Some(id) = &account_id {
            wanted_ids.insert((id.clone(), delegation.service.clone()));
        }
        let registered = account_id.is_some_and(|id| {
            live.delegated_administrators
                .contains(&(id, delegation.service.clone()))
        });
        if !registered {
            plan.changes.push(Change::RegisterDelegatedAdministrator {
                account: delegation.account.clone(),
                service: delegation.service.clone(),
            });
        }
    }
    for (account_id, service) in &live.delegated_administrators {
        if !wanted_ids.contains(&(account_id.clone(), service.clone())) {
            plan.changes.push(Change::DeregisterDelegatedAdministrator {
                account: file_target_name(file, live, placed, account_id),
                account_id: account_id.clone(),
                service: service.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landing_zone::live::{LiveAccount, LivePolicy};

    const FILE: &str = r#"
organization:
  enabled_policy_types: [SERVICE_CONTROL_POLICY]
accounts:
  - { name: Renamed, email: app@example.com }
policies:
  - name: Guard
    type: SERVICE_CONTROL_POLICY
    targets: [Renamed]
    content:
      Version: "2012-10-17"
      Statement:
        - Effect: Deny
          Action: s3:*
          Resource: "*"
"#;

    /// Returns an organization with the file's account under another name, and `Guard`
    /// attached to it.
    fn live_with_old_name(file: &LandingZone) -> LiveOrganization {
        let guard = &file.policies[0];
        let account = |id: &str, name: &str, email: &str| LiveAccount {
            id: id.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            parent_id: "r-root".to_owned(),
            status: "ACTIVE".to_owned(),
            tags: BTreeMap::new(),
        };
        LiveOrganization {
            exists: true,
            management_account_id: "111111111111".to_owned(),
            root_id: "r-root".to_owned(),
            enabled_policy_types: BTreeSet::from(["SERVICE_CONTROL_POLICY".to_owned()]),
            accounts: vec![
                account("111111111111", "Management", "management@example.com"),
                account("222222222222", "Old Name", "APP@example.com"),
            ],
            policies: vec![LivePolicy {
                id: "p-guard".to_owned(),
                name: guard.name.clone(),
                policy_type: guard.policy_type.clone(),
                description: guard.description.clone(),
                content: guard.content.clone(),
                document: guard.document.clone(),
                aws_managed: false,
                targets: BTreeSet::from(["222222222222".to_owned()]),
                tags: BTreeMap::new(),
            }],
            ..LiveOrganization::default()
        }
    }

    #[test]
    fn renamed_account_keeps_attachments() {
        let file = crate::landing_zone::parse(FILE, "lz.yaml", None).unwrap();
        let plan = structural_plan(&file, &live_with_old_name(&file));
        assert_eq!(plan.changes, Vec::new());
        assert_eq!(plan.refusals.len(), 1, "{:?}", plan.refusals);
        assert_eq!(plan.refusals[0].subject, "account app@example.com");
    }

    #[test]
    fn detach_carries_target_id() {
        let mut file = crate::landing_zone::parse(FILE, "lz.yaml", None).unwrap();
        file.policies[0].targets = vec![ROOT.to_owned()];
        let plan = structural_plan(&file, &live_with_old_name(&file));
        assert_eq!(
            plan.changes,
            [
                Change::Attach {
                    policy: "Guard".to_owned(),
                    policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
                    target: ROOT.to_owned(),
                },
                Change::Detach {
                    policy: "Guard".to_owned(),
                    policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
                    target: "Renamed".to_owned(),
                    target_id: "222222222222".to_owned(),
                },
            ]
        );
    }
}
