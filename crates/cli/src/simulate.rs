//! `bulkhead simulate`: would a request be allowed under the organization's SCPs and RCPs, and
//! if not, which policy at which level denies it?
//!
//! The command reads the chain of policies from the root down to an account through the
//! Organizations API, so it works against bulkhead and, read-only, against a real organization.
//! It decides with the same policy engine (`policy::Evaluator`) the server uses.
//!
//! Identity-based policies, permissions boundaries and resource policies are not read: the
//! principal is assumed to have an identity-based Allow for the action, which makes the
//! decision the organization's guardrails alone.

use anyhow::Context;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use policy::{
    CompileOptions, Decision, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind,
    PolicySet, Principal, Request, Resource,
};

use crate::client::sdk_error;

/// The question to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The account the principal belongs to, which also owns the resource.
    pub account_id: String,
    /// The principal's ARN; `None` means the account's root user.
    pub principal_arn: Option<String>,
    /// Actions such as `s3:PutObject`.
    pub actions: Vec<String>,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The region the request is sent to.
    pub region: String,
    /// Extra request context keys, such as `aws:PrincipalTag/team`.
    pub context: Vec<(String, String)>,
}

/// The SCP and RCP chains that apply to one account.
#[derive(Debug, Clone)]
pub struct Guardrails {
    /// The SCPs from the root down to the account; `None` when SCPs are not enabled.
    pub service_control: Option<OrganizationPolicies>,
    /// The RCPs from the root down to the account; `None` when RCPs are not enabled.
    pub resource_control: Option<OrganizationPolicies>,
}

/// The decision for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The action.
    pub action: String,
    /// The decision.
    pub decision: Decision,
    /// The evaluation trace as a plain-text report.
    pub report: String,
}

/// Reads the SCPs and RCPs on the path from the root to `account_id`.
pub async fn fetch_guardrails(client: &Client, account_id: &str) -> anyhow::Result<Guardrails> {
    let organization = client
        .describe_organization()
        .send()
        .await
        .map_err(sdk_error("DescribeOrganization"))?
        .organization
        .context("DescribeOrganization returned no organization")?;
    let is_management = organization.master_account_id.as_deref() == Some(account_id);

    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(sdk_error("ListRoots"))?;
    let enabled: Vec<PolicyType> = roots
        .roots()
        .first()
        .map(|root| root.policy_types())
        .unwrap_or_default()
        .iter()
        .filter(|summary| summary.status() == Some(&PolicyTypeStatus::Enabled))
        .filter_map(|summary| summary.r#type().cloned())
        .collect();

    let path = path_to(client, account_id).await?;
    let mut chains = Guardrails {
        service_control: None,
        resource_control: None,
    };
    for (policy_type, kind) in [
        (PolicyType::ServiceControlPolicy, PolicyKind::ServiceControl),
        (
            PolicyType::ResourceControlPolicy,
            PolicyKind::ResourceControl,
        ),
    ] {
        if !enabled.contains(&policy_type) {
            continue;
        }
        let mut levels = Vec::with_capacity(path.len());
        for target_id in &path {
            levels.push(Level::new(
                target_id,
                attached_policies(client, target_id, &policy_type, kind).await?,
            ));
        }
        let chain = if is_management {
            OrganizationPolicies::management(levels)
        } else {
            OrganizationPolicies::member(levels)
        };
        match kind {
            PolicyKind::ServiceControl => chains.service_control = Some(chain),
            _ => chains.resource_control = Some(chain),
        }
    }
    Ok(chains)
}

/// Returns the ids from the root down to the account, root first.
async fn path_to(client: &Client, account_id: &str) -> anyhow::Result<Vec<String>> {
    let mut path = vec![account_id.to_owned()];
    let mut current = account_id.to_owned();
    // An organization nests OUs five levels deep at most, so a longer walk means the API
    // returned an inconsistent tree.
    for _ in 0..8 {
        let parents = client
            .list_parents()
            .child_id(&current)
            .send()
            .await
            .map_err(sdk_error("ListParents"))?;
        let parent = parents
            .parents()
            .first()
            .context("ListParents returned no parent")?;
        let parent_id = parent.id().context("the parent has no id")?.to_owned();
        path.push(parent_id.clone());
        if parent_id.starts_with("r-") {
            path.reverse();
            return Ok(path);
        }
        current = parent_id;
    }
    anyhow::bail!("the path from {account_id} to the root is longer than an organization allows")
}

async fn attached_policies(
    client: &Client,
    target_id: &str,
    policy_type: &PolicyType,
    kind: PolicyKind,
) -> anyhow::Result<Vec<Policy>> {
    let mut policies = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_policies_for_target()
            .target_id(target_id)
            .filter(policy_type.clone())
            .set_next_token(token)
            .send()
            .await
            .map_err(sdk_error(&format!("ListPoliciesForTarget for {target_id}")))?;
        for summary in page.policies() {
            let id = summary.id().context("a policy summary has no id")?;
            let described = client
                .describe_policy()
                .policy_id(id)
                .send()
                .await
                .map_err(sdk_error("DescribePolicy"))?;
            let content = described
                .policy()
                .and_then(|policy| policy.content())
                .context("DescribePolicy returned no content")?;
            let options = CompileOptions {
                aws_managed: summary.aws_managed(),
                ..CompileOptions::default()
            };
            let compiled =
                Policy::compile_with(id, kind, content, &options).with_context(|| {
                    format!("the policy {id} attached to {target_id} does not compile")
                })?;
            policies.push(compiled);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(policies);
        }
    }
}

/// Decides each action of the simulation under the guardrails.
pub fn simulate(guardrails: &Guardrails, simulation: &Simulation) -> anyhow::Result<Vec<Outcome>> {
    let identity = [Policy::compile(
        "assumed-identity-allow",
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )?];
    let policies = PolicySet {
        identity: &identity,
        service_control: guardrails.service_control.as_ref(),
        resource_control: guardrails.resource_control.as_ref(),
        ..PolicySet::default()
    };
    let evaluator = Evaluator::new();
    let mut outcomes = Vec::with_capacity(simulation.actions.len());
    for action in &simulation.actions {
        let principal = match &simulation.principal_arn {
            Some(arn) => Principal::from_arn(arn)?,
            None => Principal::root(&simulation.account_id),
        };
        let resource = Resource::new(&simulation.resource).with_account(&simulation.account_id);
        let mut builder = Request::builder(principal, action, resource).region(&simulation.region);
        for (key, value) in &simulation.context {
            builder = builder.context(key, value);
        }
        let request = builder.build()?;
        let explanation = evaluator.explain(&request, &policies);
        outcomes.push(Outcome {
            action: action.clone(),
            decision: explanation.authorization.decision,
            report: explanation.trace.to_string(),
        });
    }
    Ok(outcomes)
}

/// Writes the outcomes for a terminal or a log.
pub fn render(simulation: &Simulation, outcomes: &[Outcome]) -> String {
    let principal = simulation
        .principal_arn
        .clone()
        .unwrap_or_else(|| format!("the root user of {}", simulation.account_id));
    let mut text = String::new();
    for outcome in outcomes {
        text.push_str(&format!(
            "{} on {} in {} by {}: {:?}\n",
            outcome.action, simulation.resource, simulation.region, principal, outcome.decision
        ));
        for line in outcome.report.lines() {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}
