//! `bulkhead apply`: runs a plan through the Organizations API.
//!
//! Apply reads the live organization, plans against it and runs the changes in the plan's
//! order. It keeps no state of its own, so a second run finds nothing to change and a run
//! after an interruption continues where the first stopped. The one step that outlives a
//! process, an account creation, is found again by name among the CreateAccount requests in
//! progress and waited for rather than sent twice.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{CreateAccountState, OrganizationFeatureSet, PolicyType, Tag};
use indicatif::{ProgressBar, ProgressStyle};

use super::file::{LandingZone, ROOT};
use super::live::{self, LiveOrganization};
use super::plan::{Change, StructuralPlan, TargetKind, structural_plan};
use crate::client::sdk_error;

/// The maximum wait for one CreateAccount request to settle.
pub const CREATE_ACCOUNT_TIMEOUT: Duration = Duration::from_secs(300);

/// The interval between checks of whether a CreateAccount request has settled.
const CREATE_ACCOUNT_POLL: Duration = Duration::from_millis(100);

/// The way apply reports its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar on standard error when it is a terminal, else one line per step on
    /// standard output.
    Auto,
    /// One line per step on standard output.
    Lines,
    /// Nothing.
    Quiet,
}

/// The result of an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// The plan that was run, creating the organization included.
    pub plan: StructuralPlan,
}

enum Reporter {
    Bar(ProgressBar),
    Lines { total: usize, done: usize },
    Quiet,
}

impl Reporter {
    fn new(mode: ProgressMode, total: usize) -> Reporter {
        match mode {
            ProgressMode::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::new(total as u64);
                if let Ok(style) =
                    ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
                {
                    bar.set_style(style);
                }
                Reporter::Bar(bar)
            }
            ProgressMode::Auto | ProgressMode::Lines => Reporter::Lines { total, done: 0 },
            ProgressMode::Quiet => Reporter::Quiet,
        }
    }

    fn start(&mut self, description: &str) {
        match self {
            Reporter::Bar(bar) => bar.set_message(description.to_owned()),
            Reporter::Lines { total, done } => {
                *done += 1;
                println!("[{done}/{total}] {description}");
            }
            Reporter::Quiet => {}
        }
    }

    fn finish_step(&mut self) {
        if let Reporter::Bar(bar) = self {
            bar.inc(1);
        }
    }

    fn finish(&mut self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Plans against the live organization and runs every change.
pub async fn apply(
    client: &Client,
    file: &LandingZone,
    mode: ProgressMode,
) -> anyhow::Result<ApplyOutcome> {
    let mut live = live::read(client).await?;
    let created_organization = !live.exists;
    if created_organization {
        if mode != ProgressMode::Quiet {
            println!("{}", Change::CreateOrganization.describe());
        }
        // CreateOrganization decides what the new organization starts with (AWS enables
        // some policy types and attaches their AWS managed policies), so plan after it.
        create_organization(client).await?;
        live = live::read(client).await?;
    }
    let plan = structural_plan(file, &live);
    let mut ids = Ids::new(&live, file);
    let mut reporter = Reporter::new(mode, plan.changes.len());
    for change in &plan.changes {
        let description = change.describe();
        reporter.start(&description);
        let result = run(client, change, file, &live, &mut ids).await;
        if let Err(error) = result {
            reporter.finish();
            return Err(error.context(format!("cannot {description}")));
        }
        reporter.finish_step();
    }
    reporter.finish();
    let mut plan = plan;
    if created_organization {
        plan.changes.insert(0, Change::CreateOrganization);
    }
    Ok(ApplyOutcome { plan })
}

/// The ids of the names the file uses, taken from the live organization and added as steps
/// create OUs, accounts and policies.
struct Ids {
    root: String,
    units: HashMap<String, String>,
    accounts: HashMap<String, String>,
    policies: HashMap<(String, String), String>,
}

impl Ids {
    fn new(live: &LiveOrganization, file: &LandingZone) -> Ids {
        let accounts = file
            .accounts
            .iter()
            .filter_map(|account| {
                live.account_by_email(&account.email)
                    .map(|existing| (account.name.clone(), existing.id.clone()))
            })
            .collect();
        Ids {
            root: live.root_id.clone(),
            units: live.placed_units(file),
            accounts,
            policies: live
                .policies
                .iter()
                .filter(|policy| !policy.aws_managed)
                .map(|policy| {
                    (
                        (policy.name.clone(), policy.policy_type.clone()),
                        policy.id.clone(),
                    )
                })
                .collect(),
        }
    }

    /// Returns the id of `Root` or an OU name.
    fn unit(&self, name: &str) -> anyhow::Result<String> {
        if name == ROOT {
            return Ok(self.root.clone());
        }
        self.units
            .get(name)
            .cloned()
            .with_context(|| format!("no OU named {name} exists yet"))
    }

    /// Returns the id of `Root`, an OU name or an account name. Accounts are looked up first
    /// because their map has only the file's accounts, whose names no OU of the file shares,
    /// while an OU outside the file may share one.
    fn target(&self, name: &str) -> anyhow::Result<String> {
        if let Some(id) = self.accounts.get(name) {
            return Ok(id.clone());
        }
        self.unit(name)
            .map_err(|_| anyhow::anyhow!("no OU or account named {name} exists yet"))
    }

    fn account(&self, name: &str) -> anyhow::Result<String> {
        self.accounts
            .get(name)
            .cloned()
            .with_context(|| format!("no account named {name} exists yet"))
    }

    fn policy(&self, name: &str, policy_type: &str) -> anyhow::Result<String> {
        self.policies
            .get(&(name.to_owned(), policy_type.to_owned()))
            .cloned()
            .with_context(|| format!("no {policy_type} named {name} exists yet"))
    }

    fn tagged(&self, target: &str, kind: TargetKind, file: &LandingZone) -> anyhow::Result<String> {
        match kind {
            TargetKind::Root | TargetKind::Ou => self.unit(target),
            TargetKind::Account => self.account(target),
            TargetKind::Policy => {
                let policy_type = file
                    .policies
                    .iter()
                    .find(|policy| policy.name == target)
                    .map(|policy| policy.policy_type.clone())
                    .with_context(|| format!("the file has no policy named {target}"))?;
                self.policy(target, &policy_type)
            }
        }
    }
}

async fn run(
    client: &Client,
    change: &Change,
    file: &LandingZone,
    live: &LiveOrganization,
    ids: &mut Ids,
) -> anyhow::Result<()> {
    match change {
        Change::CreateOrganization => {
            create_organization(client).await?;
            let roots = client
                .list_roots()
                .send()
                .await
                .map_err(sdk_error("ListRoots"))?;
            ids.root = roots
                .roots()
                .first()
                .and_then(|root| root.id())
                .context("ListRoots returned no root")?
                .to_owned();
        }
        Change::EnablePolicyType { policy_type } => {
            client
                .enable_policy_type()
                .root_id(&ids.root)
                .policy_type(PolicyType::from(policy_type.as_str()))
                .send()
                .await
                .map_err(sdk_error("EnablePolicyType"))?;
        }
        Change::EnableServiceAccess { service } => {
            client
                .enable_aws_service_access()
                .service_principal(service)
                .send()
                .await
                .map_err(sdk_error("EnableAWSServiceAccess"))?;
        }
        Change::DisableServiceAccess { service } => {
            client
                .disable_aws_service_access()
                .service_principal(service)
                .send()
                .await
                .map_err(sdk_error("DisableAWSServiceAccess"))?;
        }
        Change::CreateUnit { name, parent } => {
            let created = client
                .create_organizational_unit()
                .parent_id(ids.unit(parent)?)
                .name(name)
                .send()
                .await
                .map_err(sdk_error("CreateOrganizationalUnit"))?;
            let id = created
                .organizational_unit()
                .and_then(|unit| unit.id())
                .context("CreateOrganizationalUnit returned no id")?;
            ids.units.insert(name.clone(), id.to_owned());
        }
        Change::CreatePolicy { name, policy_type } => {
            let policy = declared_policy(file, name, policy_type)?;
            let created = client
                .create_policy()
                .name(name)
                .r#type(PolicyType::from(policy_type.as_str()))
                .description(&policy.description)
                .content(&policy.content)
                .send()
                .await
                .map_err(sdk_error("CreatePolicy"))?;
            let id = created
                .policy()
                .and_then(|policy| policy.policy_summary())
                .and_then(|summary| summary.id())
                .context("CreatePolicy returned no id")?;
            ids.policies
                .insert((name.clone(), policy_type.clone()), id.to_owned());
        }
        Change::UpdatePolicy {
            name, policy_type, ..
        } => {
            let policy = declared_policy(file, name, policy_type)?;
            client
                .update_policy()
                .policy_id(ids.policy(name, policy_type)?)
                .description(&policy.description)
                .content(&policy.content)
                .send()
                .await
                .map_err(sdk_error("UpdatePolicy"))?;
        }
        Change::CreateAccount { name, email } => {
            let pending = live
                .pending_creations
                .iter()
                .find(|(_, account_name)| account_name == name)
                .map(|(request_id, _)| request_id.clone());
            let request_id = match pending {
                Some(request_id) => request_id,
                None => start_account_creation(client, name, email).await?,
            };
            let account_id = wait_for_account(client, &request_id, name).await?;
            ids.accounts.insert(name.clone(), account_id);
        }
        Change::MoveAccount { name, to, .. } => {
            let account_id = ids.account(name)?;
            let parents = client
                .list_parents()
                .child_id(&account_id)
                .send()
                .await
                .map_err(sdk_error("ListParents"))?;
            let source = parents
                .parents()
                .first()
                .and_then(|parent| parent.id())
                .context("ListParents returned no parent")?
                .to_owned();
            let destination = ids.unit(to)?;
            if source != destination {
                client
                    .move_account()
                    .account_id(&account_id)
                    .source_parent_id(source)
                    .destination_parent_id(destination)
                    .send()
                    .await
                    .map_err(sdk_error("MoveAccount"))?;
            }
        }
        Change::Tag { target, kind, tags } => {
            let mut request = client
                .tag_resource()
                .resource_id(ids.tagged(target, *kind, file)?);
            for (key, value) in tags {
                let tag = Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .context("cannot build a tag")?;
                request = request.tags(tag);
            }
            request.send().await.map_err(sdk_error("TagResource"))?;
        }
        Change::Untag { target, kind, keys } => {
            client
                .untag_resource()
                .resource_id(ids.tagged(target, *kind, file)?)
                .set_tag_keys(Some(keys.clone()))
                .send()
                .await
                .map_err(sdk_error("UntagResource"))?;
        }
        Change::Attach {
            policy,
            policy_type,
            target,
        } => {
            client
                .attach_policy()
                .policy_id(ids.policy(policy, policy_type)?)
                .target_id(ids.target(target)?)
                .send()
                .await
                .map_err(sdk_error("AttachPolicy"))?;
        }
        Change::Detach {
            policy,
            policy_type,
            target_id,
            ..
        } => {
            client
                .detach_policy()
                .policy_id(ids.policy(policy, policy_type)?)
                .target_id(target_id)
                .send()
                .await
                .map_err(sdk_error("DetachPolicy"))?;
        }
        Change::RegisterDelegatedAdministrator { account, service } => {
            client
                .register_delegated_administrator()
                .account_id(ids.account(account)?)
                .service_principal(service)
                .send()
                .await
                .map_err(sdk_error("RegisterDelegatedAdministrator"))?;
        }
        Change::DeregisterDelegatedAdministrator {
            account_id,
            service,
            ..
        } => {
            client
                .deregister_delegated_administrator()
                .account_id(account_id)
                .service_principal(service)
                .send()
                .await
                .map_err(sdk_error("DeregisterDelegatedAdministrator"))?;
        }
    }
    Ok(())
}

async fn create_organization(client: &Client) -> anyhow::Result<()> {
    client
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(sdk_error("CreateOrganization"))?;
    Ok(())
}

fn declared_policy<'f>(
    file: &'f LandingZone,
    name: &str,
    policy_type: &str,
) -> anyhow::Result<&'f super::file::PolicyDeclaration> {
    file.policies
        .iter()
        .find(|policy| policy.name == name && policy.policy_type == policy_type)
        .with_context(|| format!("the file has no {policy_type} named {name}"))
}

/// Sends CreateAccount and returns the request id.
pub async fn start_account_creation(
    client: &Client,
    name: &str,
    email: &str,
) -> anyhow::Result<String> {
    let created = client
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .map_err(sdk_error(&format!("CreateAccount for {name}")))?;
    created
        .create_account_status()
        .and_then(|status| status.id())
        .map(str::to_owned)
        .context("CreateAccount returned no request id")
}

/// Waits until a CreateAccount request settles and returns the new account's id. Fails when
/// the request fails or has not settled within [`CREATE_ACCOUNT_TIMEOUT`].
pub async fn wait_for_account(
    client: &Client,
    request_id: &str,
    name: &str,
) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        let described = client
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .map_err(sdk_error(&format!(
                "DescribeCreateAccountStatus for {request_id}"
            )))?;
        let status = described
            .create_account_status()
            .context("DescribeCreateAccountStatus returned no status")?;
        match status.state() {
            Some(CreateAccountState::Succeeded) => {
                return status
                    .account_id()
                    .map(str::to_owned)
                    .context("the succeeded request has no account id");
            }
            Some(CreateAccountState::Failed) => {
                let reason = status
                    .failure_reason()
                    .map(|reason| reason.as_str().to_owned())
                    .unwrap_or_default();
                bail!("CreateAccount for {name} failed: {reason}");
            }
            _ if started.elapsed() > CREATE_ACCOUNT_TIMEOUT => {
                bail!(
                    "CreateAccount for {name} did not finish within {} seconds",
                    CREATE_ACCOUNT_TIMEOUT.as_secs()
                );
            }
            _ => tokio::time::sleep(CREATE_ACCOUNT_POLL).await,
        }
    }
}
