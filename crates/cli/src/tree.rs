//! `bulkhead org tree`: the organization as a tree of OUs and accounts.

use anyhow::Context;
use aws_sdk_organizations::Client;

use crate::client::sdk_error;

/// One root or OU with everything under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The root or OU id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Child OUs, in the order the API lists them.
    pub units: Vec<Node>,
    /// Accounts directly in this root or OU.
    pub accounts: Vec<AccountLine>,
}

/// An account's line in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    /// The 12-digit id.
    pub id: String,
    /// The account name.
    pub name: String,
    /// The root user's email address.
    pub email: String,
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`.
    pub status: String,
}

/// An organization as a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationTree {
    /// The `o-` id.
    pub organization_id: String,
    /// The management account's id.
    pub management_account_id: String,
    /// The root and everything under it.
    pub root: Node,
}

/// Reads the whole organization through the Organizations API.
pub async fn fetch(client: &Client) -> anyhow::Result<OrganizationTree> {
    let organization = client
        .describe_organization()
        .send()
        .await
        .map_err(sdk_error("DescribeOrganization"))?
        .organization
        .context("DescribeOrganization returned no organization")?;
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(sdk_error("ListRoots"))?
        .roots
        .unwrap_or_default();
    let root = roots
        .into_iter()
        .next()
        .context("ListRoots returned no root")?;
    let root_id = root.id.context("the root has no id")?;
    let root_name = root.name.unwrap_or_else(|| "Root".to_owned());
    let root = fetch_node(client, root_id, root_name).await?;
    Ok(OrganizationTree {
        organization_id: organization.id.unwrap_or_default(),
        management_account_id: organization.master_account_id.unwrap_or_default(),
        root,
    })
}

async fn fetch_node(client: &Client, id: String, name: String) -> anyhow::Result<Node> {
    let mut node = Node {
        id,
        name,
        units: Vec::new(),
        accounts: Vec::new(),
    };
    let mut pending = vec![];
    let mut token = None;
    loop {
        let page = client
            .list_organizational_units_for_parent()
            .parent_id(&node.id)
            .set_next_token(token)
            .send()
            .await
            .with_context(|| format!("ListOrganizationalUnitsForParent failed for {}", node.id))?;
        for unit in page.organizational_units.unwrap_or_default() {
            pending.push((unit.id.unwrap_or_default(), unit.name.unwrap_or_default()));
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    for (id, name) in pending {
        node.units
            .push(Box::pin(fetch_node(client, id, name)).await?);
    }

    let mut token = None;
    loop {
        let page = client
            .list_accounts_for_parent()
            .parent_id(&node.id)
            .set_next_token(token)
            .send()
            .await
            .with_context(|| format!("ListAccountsForParent failed for {}", node.id))?;
        for account in page.accounts.unwrap_or_default() {
            node.accounts.push(AccountLine {
                id: account.id.unwrap_or_default(),
                name: account.name.unwrap_or_default(),
                email: account.email.unwrap_or_default(),
                status: account
                    .status
                    .map(|status| status.as_str().to_owned())
                    .unwrap_or_default(),
            });
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    Ok(node)
}

/// Draws the tree with box-drawing characters, OUs before accounts.
pub fn render(tree: &OrganizationTree) -> String {
    let mut text = format!(
        "Organization {} (management account {})\n",
        tree.organization_id, tree.management_account_id
    );
    text.push_str(&format!("{} ({})\n", tree.root.name, tree.root.id));
    render_children(&tree.root, "", &mut text);
    text
}

fn render_children(node: &Node, prefix: &str, text: &mut String) {
    let count = node.units.len() + node.accounts.len();
    let mut index = 0;
    for unit in &node.units {
        index += 1;
        let last = index == count;
        text.push_str(&format!(
            "{prefix}{}{} ({})\n",
            branch(last),
            unit.name,
            unit.id
        ));
        let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
        render_children(unit, &child_prefix, text);
    }
    for account in &node.accounts {
        index += 1;
        let last = index == count;
        text.push_str(&format!(
            "{prefix}{}{}  {}  {}  {}\n",
            branch(last),
            account.name,
            account.id,
            account.email,
            account.status
        ));
    }
}

fn branch(last: bool) -> &'static str {
    if last { "└─ " } else { "├─ " }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_draws_branches() {
        let account = |id: &str, name: &str| AccountLine {
            id: id.to_owned(),
            name: name.to_owned(),
            email: format!("{id}@example.com"),
            status: "ACTIVE".to_owned(),
        };
        let tree = OrganizationTree {
            organization_id: "o-abcdefghij".to_owned(),
            management_account_id: "000000000000".to_owned(),
            root: Node {
                id: "r-ab12".to_owned(),
                name: "Root".to_owned(),
                units: vec![Node {
                    id: "ou-ab12-11111111".to_owned(),
                    name: "Security".to_owned(),
                    units: vec![],
                    accounts: vec![account("111111111111", "Log Archive")],
                }],
                accounts: vec![account("000000000000", "Management Account")],
            },
        };
        let expected = "\
Organization o-abcdefghij (management account 000000000000)
Root (r-ab12)
├─ Security (ou-ab12-11111111)
│  └─ Log Archive  111111111111  111111111111@example.com  ACTIVE
└─ Management Account  000000000000  000000000000@example.com  ACTIVE
";
        assert_eq!(render(&tree), expected);
    }
}
