//! Landing zone as code: an organization declared in a YAML file, and the `plan` and `apply`
//! commands that compare it with a live organization and make the two equal.
//!
//! [`file`] reads and checks the file, [`live`] reads the organization through the API,
//! [`plan`] computes the structural diff and [`access`] the decisions it flips, [`apply`]
//! runs the changes. Nothing here keeps state between runs: each command reads the live
//! organization again.

pub mod access;
pub mod apply;
pub mod file;
pub mod live;
pub mod plan;

use std::fmt::Write as _;

use aws_sdk_organizations::Client;
use serde::Serialize;

pub use access::{AccessDiff, ActionTable, FlipGroup, access_diff};
pub use apply::{ApplyOutcome, ProgressMode, apply};
pub use file::{FileError, FileErrors, LandingZone, load, parse};
pub use live::LiveOrganization;
pub use plan::{Change, Refusal, StructuralPlan, structural_plan};

/// The recommended organization, as `examples/landing-zone.yaml` declares it.
pub const EXAMPLE: &str = include_str!("../../../../examples/landing-zone.yaml");

/// The name the embedded example is reported under.
pub const EXAMPLE_NAME: &str = "examples/landing-zone.yaml";

/// A plan: the structural diff and its access diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The file planned from.
    pub file: String,
    /// Changes and refusals.
    #[serde(flatten)]
    pub structure: StructuralPlan,
    /// The decisions the changes flip.
    pub access: AccessDiff,
}

/// Reads the live organization and plans `file` against it.
pub async fn plan(client: &Client, file: &LandingZone) -> anyhow::Result<Plan> {
    let live = live::read(client).await?;
    plan_against(file, &live)
}

/// Plans `file` against an organization already read.
pub fn plan_against(file: &LandingZone, live: &LiveOrganization) -> anyhow::Result<Plan> {
    let structure = structural_plan(file, live);
    let catalog = catalog::Catalog::builtin()
        .map_err(|error| anyhow::anyhow!("the action catalog does not load: {error}"))?;
    let actions = ActionTable::new(catalog);
    let access = access_diff(file, live, &actions, cloud::access::evaluator())?;
    Ok(Plan {
        file: file.source.clone(),
        structure,
        access,
    })
}

/// Renders a plan for a person.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let changes = &plan.structure.changes;
    if changes.is_empty() {
        let _ = writeln!(out, "No changes: the organization matches {}.", plan.file);
    } else {
        let _ = writeln!(out, "Changes to match {} ({}):", plan.file, changes.len());
        for change in changes {
            let _ = writeln!(out, "  {} {}", change_marker(change), change.describe());
        }
    }
    if !plan.structure.refusals.is_empty() {
        let _ = writeln!(out, "\nNot done ({}):", plan.structure.refusals.len());
        for refusal in &plan.structure.refusals {
            let _ = writeln!(out, "  ! {} {}", refusal.subject, refusal.reason);
        }
    }

    let access = &plan.access;
    let _ = writeln!(out, "\nAccess diff: {}.", access.scope);
    let _ = writeln!(
        out,
        "  {} of {} member accounts have a changed SCP or RCP chain; {} decisions made over \
         {} catalog actions in {}.",
        access.accounts_with_changed_chains,
        access.accounts_considered,
        access.decisions_evaluated,
        access.catalog_actions,
        access.regions.join(", ")
    );
    for note in &access.not_compared {
        let _ = writeln!(out, "  Not compared: {note}.");
    }
    if access.groups.is_empty() {
        let _ = writeln!(out, "  No decision changes.");
    }
    for group in &access.groups {
        let deciding = match (&group.policy, &group.statement) {
            (Some(policy), Some(statement)) => {
                format!("{} {policy} statement {statement}", group.policy_type)
            }
            _ => format!("no {} Allow", group.policy_type),
        };
        let _ = writeln!(
            out,
            "  {} ({}), {}: {} -> {}, {} decisions ({} actions), by {deciding} at {} (level {})",
            group.account,
            group.account_id,
            group.principal,
            group.old,
            group.new,
            group.decisions,
            group.actions,
            group.level,
            group.depth
        );
        let _ = writeln!(out, "      e.g. {}", group.examples.join(", "));
    }
    out
}

fn change_marker(change: &Change) -> &'static str {
    match change {
        Change::UpdatePolicy { .. } | Change::Tag { .. } => "~",
        Change::MoveAccount { .. } => ">",
        Change::Detach { .. }
        | Change::Untag { .. }
        | Change::DisableServiceAccess { .. }
        | Change::DeregisterDelegatedAdministrator { .. } => "-",
        _ => "+",
    }
}
