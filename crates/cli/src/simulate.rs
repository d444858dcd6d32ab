//! `bulkhead simulate`: would a request be allowed, and if not, which policy denies it?
//!
//! A simulation first reads what its decisions need into a [`Snapshot`] (the organization's
//! SCP and RCP levels, the principal's IAM policies, and role trust policies) through read-only
//! API calls, or loads a saved snapshot. It then decides each case with
//! [`cloud::access::AccessRequest::explain`] and [`cloud::access::evaluator`], the function the
//! server enforces with, so a simulation and a real request get the same decision.

mod decide;
mod principal;
mod read;
mod report;
mod snapshot;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

pub use decide::decide;
pub use principal::{DEFAULT_SESSION_NAME, IamEntity, PrincipalArn};
pub use read::{Needs, read_snapshot};
pub use report::{Deciding, Outcome, render};
pub use snapshot::{
    AccountSnapshot, EntityKind, IamPolicySnapshot, LevelSnapshot, OrganizationPolicySnapshot,
    OrganizationSnapshot, PrincipalSnapshot, SNAPSHOT_VERSION, Snapshot,
};

use crate::client::Endpoint;

/// One question: may this principal perform this action on this resource?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The principal's ARN as the user wrote it.
    pub principal_arn: String,
    /// The principal, parsed.
    pub principal: PrincipalArn,
    /// The IAM action, `service:Operation`.
    pub action: String,
    /// The resource's ARN, or `*`.
    pub resource: String,
    /// The region the request is sent to.
    pub region: String,
    /// Condition keys to set or replace, such as `aws:PrincipalTag/team`.
    pub context: Vec<(String, Vec<String>)>,
}

/// The source of the data the decisions read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// Read-only API calls to an endpoint.
    Endpoint(Endpoint),
    /// A snapshot file saved earlier; no network call is made.
    Snapshot(PathBuf),
}

/// A case as a batch file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchCase {
    principal: String,
    action: String,
    resource: Option<String>,
    region: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, ContextValue>,
}

/// A condition key's value in a batch file: one string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ContextValue {
    One(String),
    Many(Vec<String>),
}

impl Case {
    /// Describes a case, checking the principal ARN.
    pub fn new(
        principal_arn: &str,
        action: &str,
        resource: &str,
        region: &str,
        context: Vec<(String, Vec<String>)>,
    ) -> anyhow::Result<Case> {
        let principal = PrincipalArn::parse(principal_arn).map_err(anyhow::Error::msg)?;
        Ok(Case {
            principal_arn: principal_arn.to_owned(),
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            region: region.to_owned(),
            context,
        })
    }

    /// Returns the account that owns the resource, as authorization treats it.
    ///
    /// The server treats every Organizations request as staying within the caller's account
    /// (the service checks delegated administration itself), so this does too. Otherwise the
    /// account is the ARN's fifth field when it is 12 digits; `*` and ARNs without an account,
    /// such as S3 buckets', have none.
    pub fn resource_account(&self) -> Option<String> {
        let is_organizations = self
            .action
            .get(..14)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("organizations:"));
        if is_organizations {
            return Some(self.principal.account_id().to_owned());
        }
        let account = self.resource.split(':').nth(4)?;
        (account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| account.to_owned())
    }

    /// Returns the role an `sts:AssumeRole` case would assume, as (account id, role name).
    pub fn assumed_role(&self) -> Option<(String, String)> {
        if !self.action.eq_ignore_ascii_case("sts:AssumeRole") {
            return None;
        }
        match PrincipalArn::parse(&self.resource) {
            Ok(PrincipalArn::Role { account_id, name }) => Some((account_id, name)),
            _ => None,
        }
    }
}

/// Reads a batch file: a JSON array of cases, each `{"principal", "action", "resource"?,
/// "region"?, "context"?}`, where a context value is a string or a list of strings. A case
/// without a resource or region takes `*` and `default_region`.
pub fn read_batch(path: &Path, default_region: &str) -> anyhow::Result<Vec<Case>> {
    let file = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the batch file {file}"))?;
    let batch: Vec<BatchCase> = serde_json::from_str(&text).with_context(|| {
        format!(
            "the batch file {file} is not a JSON array of cases \
             {{\"principal\", \"action\", \"resource\", \"region\", \"context\"}}"
        )
    })?;
    if batch.is_empty() {
        anyhow::bail!("the batch file {file} contains no case");
    }

    let mut cases = Vec::with_capacity(batch.len());
    for (index, entry) in batch.into_iter().enumerate() {
        let context = entry
            .context
            .into_iter()
            .map(|(key, value)| match value {
                ContextValue::One(value) => (key, vec![value]),
                ContextValue::Many(values) => (key, values),
            })
            .collect();
        let case = Case::new(
            &entry.principal,
            &entry.action,
            entry.resource.as_deref().unwrap_or("*"),
            entry.region.as_deref().unwrap_or(default_region),
            context,
        )
        .with_context(|| format!("case {} of the batch file {file}", index + 1))?;
        cases.push(case);
    }
    Ok(cases)
}

/// Lists what deciding `cases` reads: accounts, IAM principals and role trust policies.
pub fn needs(cases: &[Case]) -> Needs {
    let mut needs = Needs::default();
    for case in cases {
        let account_id = case.principal.account_id();
        needs.accounts.insert(account_id.to_owned());
        if let Some(account) = case.resource_account() {
            needs.accounts.insert(account);
        }
        match case.principal.iam_entity() {
            Some(IamEntity::User(name)) => {
                needs
                    .principals
                    .insert((account_id.to_owned(), EntityKind::User, name.to_owned()));
            }
            Some(IamEntity::Role(name)) => {
                needs
                    .principals
                    .insert((account_id.to_owned(), EntityKind::Role, name.to_owned()));
            }
            None => {}
        }
        if let Some(role) = case.assumed_role() {
            needs.trust_policies.insert(role);
        }
    }
    needs
}

/// Decides every case with data from `source`; writes the data to `save_to` first when set.
pub async fn simulate(
    cases: &[Case],
    source: &DataSource,
    save_to: Option<&Path>,
) -> anyhow::Result<Vec<Outcome>> {
    let snapshot = match source {
        DataSource::Endpoint(endpoint) => read_snapshot(endpoint, &needs(cases)).await?,
        DataSource::Snapshot(path) => Snapshot::load(path)?,
    };
    if let Some(path) = save_to {
        snapshot.save(path)?;
    }

    let now_millis = jiff::Timestamp::now().as_millisecond();
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            decide(&snapshot, case, now_millis).with_context(|| {
                format!(
                    "cannot decide case {}: {} by {}",
                    index + 1,
                    case.action,
                    case.principal_arn
                )
            })
        })
        .collect()
}
