//! `bulkhead-load scale`: builds a large organization through the API and times the calls
//! whose cost could grow with it.

use std::time::{Duration, Instant};

use anyhow::Context;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::ChildType;

/// The shape of the organization to build.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Accounts in all, the management account included.
    pub(crate) accounts: usize,
    /// OUs in all.
    pub(crate) units: usize,
    /// Levels of OUs below the root.
    pub(crate) depth: usize,
}

/// Builds the organization (keeping what an earlier run built) and prints the timings.
pub(crate) async fn run(endpoint: &str, account: &str, shape: Shape) -> anyhow::Result<()> {
    let client = bulkhead::client::emulator_client(endpoint, account);
    bulkhead::demo::ensure_organization(&client).await?;
    let root_id = client
        .list_roots()
        .send()
        .await
        .context("ListRoots failed")?
        .roots()
        .first()
        .and_then(|root| root.id())
        .context("the organization has no root")?
        .to_owned();

    let started = Instant::now();
    let units = build_units(&client, &root_id, shape).await?;
    println!(
        "{} OUs, {} levels deep, built in {:.1} s",
        units.len(),
        shape.depth,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let created = build_accounts(&client, &units, shape.accounts).await?;
    println!(
        "{} accounts ({created} created and moved into OUs) in {:.1} s",
        shape.accounts,
        started.elapsed().as_secs_f64()
    );

    // Listings grow with the organization; single-object calls must not.
    let started = Instant::now();
    let mut pages = 0;
    let mut listed = 0;
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .context("ListAccounts failed")?;
        pages += 1;
        listed += page.accounts().len();
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    println!(
        "ListAccounts, full pagination: {listed} accounts in {pages} pages, {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    let deepest = units
        .last()
        .map(|(id, _)| id.clone())
        .unwrap_or(root_id.clone());
    for (label, parent) in [("root", &root_id), ("deepest OU", &deepest)] {
        let started = Instant::now();
        let mut children = 0;
        let mut token = None;
        loop {
            let page = client
                .list_children()
                .parent_id(parent)
                .child_type(ChildType::OrganizationalUnit)
                .set_next_token(token)
                .send()
                .await
                .context("ListChildren failed")?;
            children += page.children().len();
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        println!(
            "ListChildren (OUs) of the {label}: {children} children, {:.2} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }

    // A member account in the deepest OU: its requests are authorized through every level.
    let member = client
        .list_accounts_for_parent()
        .parent_id(&deepest)
        .send()
        .await
        .context("ListAccountsForParent failed")?
        .accounts()
        .first()
        .and_then(|account| account.id())
        .map(str::to_owned);
    if let Some(member) = member {
        let as_member = bulkhead::client::emulator_client(endpoint, &member);
        let calls = 2_000;
        let mut latencies = Vec::with_capacity(calls);
        for _ in 0..calls {
            let started = Instant::now();
            as_member
                .describe_organization()
                .send()
                .await
                .context("DescribeOrganization failed")?;
            latencies.push(started.elapsed());
        }
        report(
            "DescribeOrganization by a member in the deepest OU (SDK round trip)",
            &mut latencies,
        );
    }
    Ok(())
}

fn report(label: &str, latencies: &mut [Duration]) {
    latencies.sort_unstable();
    let micros = |index: usize| {
        latencies
            .get(index.min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |duration| duration.as_secs_f64() * 1e6)
    };
    println!(
        "{label}: p50 {:.0} µs, p99 {:.0} µs over {} calls",
        micros(latencies.len() / 2),
        micros(latencies.len() * 99 / 100),
        latencies.len()
    );
}

/// Creates OUs until there are `shape.units`: first one chain `shape.depth` levels deep, then
/// the rest spread over every level. Returns each OU with its level, the deepest last.
async fn build_units(
    client: &Client,
    root_id: &str,
    shape: Shape,
) -> anyhow::Result<Vec<(String, usize)>> {
    let mut units: Vec<(String, usize)> = Vec::new();
    let mut frontier = vec![(root_id.to_owned(), 0usize)];
    while let Some((parent, level)) = frontier.pop() {
        let existing = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .send()
            .await
            .context("ListOrganizationalUnitsForParent failed")?;
        for unit in existing.organizational_units() {
            if let Some(id) = unit.id() {
                units.push((id.to_owned(), level + 1));
                frontier.push((id.to_owned(), level + 1));
            }
        }
    }
    let mut index = units.len();
    while units.len() < shape.units {
        let parent = if units.len() < shape.depth {
            units
                .last()
                .map_or(root_id.to_owned(), |(id, _)| id.clone())
        } else {
            // Spread the rest: the parent is the root or an earlier OU above the last level.
            let shallow: Vec<&str> = std::iter::once(root_id)
                .chain(
                    units
                        .iter()
                        .filter(|(_, level)| *level < shape.depth)
                        .map(|(id, _)| id.as_str()),
                )
                .collect();
            shallow
                .get(spread(index) % shallow.len())
                .map_or(root_id.to_owned(), |id| (*id).to_owned())
        };
        let level = units
            .iter()
            .find(|(id, _)| *id == parent)
            .map_or(1, |(_, level)| level + 1);
        let created = client
            .create_organizational_unit()
            .parent_id(&parent)
            .name(format!("Scale {index}"))
            .send()
            .await
            .context("CreateOrganizationalUnit failed")?;
        let id = created
            .organizational_unit()
            .and_then(|unit| unit.id())
            .context("CreateOrganizationalUnit returned no id")?
            .to_owned();
        units.push((id, level));
        index += 1;
    }
    units.sort_by_key(|(_, level)| *level);
    Ok(units)
}

/// Scatters `index` over the whole `usize` range (splitmix64), so that consecutive OUs pick
/// parents all over the tree: the candidate list grows with every OU, which makes any pick that
/// is a plain function of the index modulo its length fall on the same place.
fn spread(index: usize) -> usize {
    let mut value = (index as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    usize::try_from(value ^ (value >> 31)).unwrap_or(index)
}

/// Creates accounts until there are `accounts` and moves each new one into an OU, round robin.
/// Returns how many it created.
async fn build_accounts(
    client: &Client,
    units: &[(String, usize)],
    accounts: usize,
) -> anyhow::Result<usize> {
    let mut existing = 0;
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .context("ListAccounts failed")?;
        existing += page.accounts().len();
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let root_id = client
        .list_roots()
        .send()
        .await
        .context("ListRoots failed")?
        .roots()
        .first()
        .and_then(|root| root.id())
        .context("the organization has no root")?
        .to_owned();
    let mut created = 0;
    for index in existing..accounts {
        let id = bulkhead::demo::create_account(
            client,
            &format!("Scale {index}"),
            &format!("scale-{index}@example.com"),
        )
        .await?;
        if let Some((unit, _)) = units.get(index % units.len().max(1)) {
            client
                .move_account()
                .account_id(&id)
                .source_parent_id(&root_id)
                .destination_parent_id(unit)
                .send()
                .await
                .context("MoveAccount failed")?;
        }
        created += 1;
    }
    Ok(created)
}
