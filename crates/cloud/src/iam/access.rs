//! How an IAM request looks to the authorization step: the action `iam:<Operation>`, the role,
//! user or policy its input names, and IAM's condition keys.

use serde_json::Value;

use super::state::{State, role_arn, user_arn};
use crate::Caller;
use crate::access::Call;

/// Describes an IAM request for authorization.
///
/// NOTE: AttachRolePolicy and the like touch a role and a policy; AWS authorizes the role (with
/// `iam:PolicyARN` naming the policy), and so does bulkhead. `iam:ResourceTag/…` is not set.
pub(super) fn call_for(state: &State, caller: &Caller, operation: &str, input: &Value) -> Call {
    let action = format!("iam:{operation}");
    let account = caller.account_id.as_str();
    let text = |member: &str| input[member].as_str();
    let partition = caller.partition;
    let path = text("Path").unwrap_or("/");

    let resource = if let Some(name) = text("RoleName") {
        Some(match state.role(account, name) {
            Some(role) => role_arn(&role.record),
            None => format!("arn:{partition}:iam::{account}:role{path}{name}"),
        })
    } else if let Some(name) = text("UserName") {
        Some(match state.user(account, name) {
            Some(user) => user_arn(&user.record),
            None => format!("arn:{partition}:iam::{account}:user{path}{name}"),
        })
    } else if let Some(arn) = text("PolicyArn") {
        Some(arn.to_owned())
    } else if let (Some(name), "CreatePolicy") = (text("PolicyName"), operation) {
        Some(format!("arn:{partition}:iam::{account}:policy{path}{name}"))
    } else if let Some(kind) = listed_kind(operation) {
        // AWS names the listed path as the resource, such as arn:aws:iam::123456789012:role/.
        let prefix = text("PathPrefix").unwrap_or("/");
        Some(format!("arn:{partition}:iam::{account}:{kind}{prefix}"))
    } else if caller.arn.contains(":user/") {
        // Operations on "the calling user" (GetUser, ListAccessKeys without a name) act on it.
        matches!(operation, "GetUser" | "ListAccessKeys" | "CreateAccessKey")
            .then(|| caller.arn.clone())
    } else {
        None
    };
    let mut call = match &resource {
        Some(arn) => Call::new(&action, arn, Some(account)),
        None => Call::new(&action, "*", None),
    };
    let attaches = operation.starts_with("Attach") || operation.starts_with("Detach");
    if let (true, Some(policy)) = (attaches, text("PolicyArn")) {
        call = call.with("iam:PolicyARN", policy);
    }
    if let Some(boundary) = text("PermissionsBoundary") {
        call = call.with("iam:PermissionsBoundary", boundary);
    }
    call.with_request_tags(input)
}

/// Returns the resource type ListRoles and ListUsers list, which AWS authorizes on the ARN of
/// the listed path.
fn listed_kind(operation: &str) -> Option<&'static str> {
    match operation {
        "ListRoles" => Some("role"),
        "ListUsers" => Some("user"),
        _ => None,
    }
}
