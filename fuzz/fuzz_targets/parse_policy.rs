//! Compiles arbitrary text as every kind of policy; any document that compiles is then
//! evaluated against a few requests. Neither step may panic, whatever the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use policy::{
    CompileOptions, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet, Principal, Request, Resource, ScpGrammar,
};

const KINDS: [PolicyKind; 7] = [
    PolicyKind::ServiceControl,
    PolicyKind::ResourceControl,
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::RoleTrust,
    PolicyKind::PermissionsBoundary,
    PolicyKind::Session,
];

fn requests() -> Vec<Request> {
    let mut requests = Vec::new();
    let principals = [
        Principal::from_arn("arn:aws:iam::111122223333:user/alice"),
        Principal::assumed_role("arn:aws:iam::111122223333:role/Admin", "session"),
        Ok(Principal::root("111122223333")),
        Ok(Principal::anonymous()),
    ];
    for principal in principals.into_iter().flatten() {
        let built = Request::builder(principal, "s3:GetObject", Resource::new("arn:aws:s3:::bucket/key").with_account("444455556666"))
            .region("us-east-1")
            .context("aws:SourceIp", "203.0.113.7")
            .context("aws:CurrentTime", "2026-01-01T00:00:00Z")
            .context("aws:PrincipalTag/team", "data*")
            .context_multi("aws:TagKeys", ["a", "b"])
            .build();
        requests.extend(built);
    }
    requests
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let requests = requests();
    let evaluator = Evaluator::new();

    for kind in KINDS {
        for options in [
            CompileOptions::default(),
            CompileOptions { scp_grammar: ScpGrammar::Legacy, aws_managed: true, size_limit: None },
        ] {
            let Ok(compiled) = Policy::compile_with("fuzz", kind, text, &options) else {
                continue;
            };
            let chain = OrganizationPolicies::member(vec![Level::new("r-root", vec![compiled.clone()])]);
            let identity = [compiled.clone()];
            let policies = PolicySet {
                identity: &identity,
                permissions_boundary: Some(&compiled),
                session: &identity,
                resource: Some(&compiled),
                service_control: Some(&chain),
                resource_control: Some(&chain),
                ..PolicySet::default()
            };
            for request in &requests {
                let authorization = evaluator.authorize(request, &policies);
                let explanation = evaluator.explain(request, &policies);
                assert_eq!(authorization, explanation.authorization);
                let _ = explanation.trace.to_string();
            }
        }
    }
});
