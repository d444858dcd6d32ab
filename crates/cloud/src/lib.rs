//! The emulated AWS services: their state, their rules and their operations.
//!
//! One module per service: `organizations`, `sts` and `iam`. A service keeps its state in
//! memory, loaded from the store at start-up, and writes every change through the store before
//! it acknowledges a request, so reads never touch the database. The wire format is the `wire`
//! crate's concern and HTTP routing the `server` crate's; a service receives an already
//! authenticated [`Caller`] and a decoded request body.

pub mod access;
pub mod iam;
pub mod identity;
pub mod organizations;
mod query;
mod random;
pub mod sts;
mod time;

use std::time::Duration;

pub use identity::{AuthSettings, Caller, SessionContext, partition_for_region};

/// Settings of the emulated cloud that a user may tune. Each default is AWS's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long CreateAccount stays `IN_PROGRESS` before it succeeds or fails.
    pub account_creation_delay: Duration,
    /// How long a closed account stays `PENDING_CLOSURE` before it becomes `SUSPENDED`.
    pub account_closure_delay: Duration,
    /// The maximum number of accounts in an organization, the management account included.
    /// AWS's default quota is 10; AWS raises it on request.
    pub max_accounts: usize,
    /// The maximum number of OUs in an organization: 2,000, AWS's current quota.
    pub max_organizational_units: usize,
    /// How many levels of OUs may sit under the root: 5.
    pub max_ou_depth: usize,
    /// The maximum number of tags on one resource: 50.
    pub max_tags_per_resource: usize,
    /// How many invitations an organization may send in 24 hours: 20, AWS's quota.
    pub max_invitations_per_day: usize,
    /// Whose conventions to follow where emulators differ from AWS.
    pub compatibility: Compatibility,
}

/// Whose conventions bulkhead follows where a test suite may expect another emulator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compatibility {
    /// AWS's behaviour.
    #[default]
    Aws,
    /// moto's server mode: CreateAccount reports the settled request (`SUCCEEDED` and the new
    /// account id) instead of `IN_PROGRESS`.
    Moto,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            account_creation_delay: Duration::ZERO,
            account_closure_delay: Duration::ZERO,
            max_accounts: 10,
            max_organizational_units: 2_000,
            max_ou_depth: 5,
            max_tags_per_resource: 50,
            compatibility: Compatibility::Aws,
            max_invitations_per_day: 20,
        }
    }
}
