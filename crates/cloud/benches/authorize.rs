//! The time the authorization step adds to a request: `Authorizer::check` for a member
//! account five levels deep in an organization with three SCPs at every level, as the server
//! runs it after authentication and before the operation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark's setup fails loudly on any error"
)]

use std::hint::black_box;

use cloud::Caller;
use cloud::access::{Authorizer, Environment};
use cloud::iam::Iam;
use cloud::organizations::Organizations;
use criterion::{Criterion, criterion_group, criterion_main};
use model::organizations::Operation;
use serde_json::{Value, json};
use store::{Location, Store};

const MANAGEMENT: &str = "111111111111";

fn policy(path: &str) -> String {
    let file = format!(
        "{}/../policy/tests/policies/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{file}: {error}"))
}

async fn call(
    service: &Organizations,
    caller: &Caller,
    operation: Operation,
    input: Value,
) -> Value {
    let output = service.handle(caller, operation, &input).await.unwrap();
    serde_json::from_slice(&output).unwrap()
}

/// Builds root → three OUs → account and returns the account. The region-deny, instance-type
/// and leave-deny SCPs sit beside FullAWSAccess at every one of the five levels.
async fn organization(service: &Organizations) -> String {
    let management = Caller::root_user(MANAGEMENT, "us-east-1");
    call(
        service,
        &management,
        Operation::CreateOrganization,
        json!({"FeatureSet": "ALL"}),
    )
    .await;
    let roots = call(service, &management, Operation::ListRoots, json!({})).await;
    let mut parent = roots["Roots"][0]["Id"].as_str().unwrap().to_owned();
    let mut targets = vec![parent.clone()];
    for depth in 0..3 {
        let unit = call(
            service,
            &management,
            Operation::CreateOrganizationalUnit,
            json!({"ParentId": parent, "Name": format!("Level{depth}")}),
        )
        .await;
        parent = unit["OrganizationalUnit"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        targets.push(parent.clone());
    }
    let created = call(
        service,
        &management,
        Operation::CreateAccount,
        json!({"AccountName": "Workload", "Email": "workload@example.com"}),
    )
    .await;
    let request = created["CreateAccountStatus"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = loop {
        let status = call(
            service,
            &management,
            Operation::DescribeCreateAccountStatus,
            json!({"CreateAccountRequestId": request}),
        )
        .await;
        if let Some(id) = status["CreateAccountStatus"]["AccountId"].as_str() {
            break id.to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    let root = targets[0].clone();
    call(
        service,
        &management,
        Operation::MoveAccount,
        json!({"AccountId": account, "SourceParentId": root, "DestinationParentId": parent}),
    )
    .await;
    targets.push(account.clone());

    let documents = [
        policy("scp/scp-controltower-grregiondeny.json"),
        policy("scp/scp-require-ec2-instance-type.json"),
        policy("scp/scp-deny-leave-organization.json"),
    ];
    for (index, content) in documents.iter().enumerate() {
        let created = call(
            service,
            &management,
            Operation::CreatePolicy,
            json!({"Name": format!("Guardrail{index}"), "Description": "", "Type": "SERVICE_CONTROL_POLICY", "Content": content}),
        )
        .await;
        let id = created["Policy"]["PolicySummary"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        for target in &targets {
            call(
                service,
                &management,
                Operation::AttachPolicy,
                json!({"PolicyId": id, "TargetId": target}),
            )
            .await;
        }
    }
    account
}

fn authorize(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (service, iam, account) = runtime.block_on(async {
        let store = Store::open(&Location::InMemory).await.unwrap();
        let iam = Iam::load(store.clone()).await.unwrap();
        let service = Organizations::load(store, cloud::Settings::default(), iam.clone())
            .await
            .unwrap();
        let account = organization(&service).await;
        (service, iam, account)
    });
    let authorizer = Authorizer::new(service.clone(), iam);
    let caller = Caller::root_user(&account, "us-east-1");
    let environment = Environment {
        source_ip: Some("127.0.0.1".to_owned()),
        secure_transport: false,
        now_millis: 1_780_000_000_000,
    };
    let describe = json!({"AccountId": account});

    let mut group = criterion.benchmark_group("authorize");
    group.bench_function("describe_account_member_five_levels", |bencher| {
        bencher.iter(|| {
            let call = service.call_for(&caller, Operation::DescribeAccount, black_box(&describe));
            authorizer
                .check(&caller, &call, &environment, None)
                .unwrap();
        });
    });
    let management = Caller::root_user(MANAGEMENT, "us-east-1");
    group.bench_function("describe_account_management_root", |bencher| {
        bencher.iter(|| {
            let call = service.call_for(
                &management,
                Operation::DescribeAccount,
                black_box(&describe),
            );
            authorizer
                .check(&management, &call, &environment, None)
                .unwrap();
        });
    });
    group.bench_function("leave_organization_denied", |bencher| {
        bencher.iter(|| {
            let call =
                service.call_for(&caller, Operation::LeaveOrganization, black_box(&json!({})));
            authorizer
                .check(&caller, &call, &environment, None)
                .unwrap_err();
        });
    });
    group.finish();
}

criterion_group!(benches, authorize);
criterion_main!(benches);
