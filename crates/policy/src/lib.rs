//! The IAM policy language as AWS evaluates it. The crate parses and validates policy
//! documents of every kind: service control policies, resource control policies,
//! identity-based, resource-based and trust policies, permissions boundaries and session
//! policies. It then decides requests against them with AWS's evaluation logic.
//!
//! The crate has no I/O and no async code. A policy is compiled once with
//! [`Policy::compile`], which checks the grammar and quota of its kind and precomputes its
//! matchers. The compiled policy is then evaluated against any number of requests.
//!
//! ```
//! use policy::{Decision, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet, Principal, Request, Resource};
//!
//! let full_access = Policy::compile(
//!     "p-FullAWSAccess",
//!     PolicyKind::ServiceControl,
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
//! )?;
//! let deny_leave = Policy::compile(
//!     "p-denyleave",
//!     PolicyKind::ServiceControl,
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}}"#,
//! )?;
//! let admin = Policy::compile(
//!     "AdministratorAccess",
//!     PolicyKind::Identity,
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
//! )?;
//!
//! let scps = OrganizationPolicies::member(vec![
//!     Level::new("r-examplerootid111", vec![full_access.clone()]),
//!     Level::new("111122223333", vec![full_access, deny_leave]),
//! ]);
//! let identity = [admin];
//! let policies = PolicySet { identity: &identity, service_control: Some(&scps), ..PolicySet::default() };
//!
//! let principal = Principal::from_arn("arn:aws:iam::111122223333:user/alice")?;
//! let request = Request::builder(principal, "organizations:LeaveOrganization", Resource::new("*"))
//!     .region("us-east-1")
//!     .build()?;
//!
//! let authorization = Evaluator::new().authorize(&request, &policies);
//! assert_eq!(authorization.decision, Decision::ExplicitlyDenied);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod action;
mod arn;
mod condition;
mod error;
mod evaluate;
mod json;
mod key;
mod kind;
mod parse;
mod pattern;
mod policy;
mod principal;
mod request;
mod statement;
mod validate;

pub use action::{Action, ActionPattern, InvalidAction};
pub use condition::{BaseOperator, Condition, Operator, SetQualifier};
pub use error::{ActionProblem, ErrorKind, Location, PolicyError, Violation};
pub use evaluate::{
    Authorization, Basis, ChainTrace, ConditionMismatch, Decision, Evaluator, Exemption,
    Explanation, GroupResult, GroupTrace, Level, LevelTrace, OrganizationPolicies, PolicySet,
    Source, StatementOutcome, StatementRef, StatementTrace, Trace,
};
pub use json::{JsonError, JsonType};
pub use kind::{
    CompileOptions, GROUP_INLINE_POLICIES_SIZE_LIMIT, MANAGED_POLICY_SIZE_LIMIT, PolicyKind,
    RESOURCE_CONTROL_POLICY_SIZE_LIMIT, RESOURCE_POLICY_SIZE_LIMIT,
    ROLE_INLINE_POLICIES_SIZE_LIMIT, ROLE_TRUST_POLICY_SIZE_LIMIT,
    SERVICE_CONTROL_POLICY_SIZE_LIMIT, SESSION_POLICY_SIZE_LIMIT, ScpGrammar, SizeCounting,
    USER_INLINE_POLICIES_SIZE_LIMIT,
};
pub use policy::{Policy, Version};
pub use principal::PrincipalMatch;
pub use request::{
    Context, Principal, PrincipalKind, Request, RequestBuilder, RequestError, Resource,
};
pub use statement::{ActionElement, Effect, ResourceElement, Statement};
