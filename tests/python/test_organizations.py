"""AWS Organizations through the AWS CLI and boto3, against a real bulkhead server.

The AWS CLI builds the multi-account organization AWS recommends, exactly as a platform engineer
would against AWS; boto3 then reads it back and checks the tree.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import start_server, stop_server

# Policy documents shared with the policy engine's tests.
POLICIES = Path(__file__).resolve().parents[2] / "crates" / "policy" / "tests" / "policies"

# Each OU with its parent (None for the root) and the accounts directly in it.
RECOMMENDED = {
    "Security": (None, ["Log Archive", "Security Tooling"]),
    "Infrastructure": (None, ["Networking", "Shared Services"]),
    "Sandbox": (None, ["Developer Sandbox"]),
    "Workloads": (None, []),
    "Production": ("Workloads", ["App A Prod", "App B Prod"]),
    "Non-Production": ("Workloads", ["App A Dev", "App A Staging"]),
    "Suspended": (None, []),
}


def aws(endpoint, env, *args, check=True):
    """Run an `aws organizations` command and return its parsed JSON output."""
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", "organizations", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {result.stderr}")
    if not check:
        return result
    return json.loads(result.stdout) if result.stdout.strip() else {}


def boto3_client(endpoint, account="000000000000"):
    return boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
    )


def create_account_with_cli(endpoint, env, name):
    email = name.lower().replace(" ", "-") + "@example.com"
    status = aws(endpoint, env, "create-account", "--account-name", name, "--email", email)["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS"
    for _ in range(200):
        status = aws(endpoint, env, "describe-create-account-status", "--create-account-request-id", status["Id"])[
            "CreateAccountStatus"
        ]
        if status["State"] == "SUCCEEDED":
            return status["AccountId"]
        assert status["State"] == "IN_PROGRESS", status
        time.sleep(0.05)
    raise AssertionError(f"CreateAccount for {name} did not finish")


def test_cli_builds_recommended_organization(endpoint, client_env):
    organization = aws(endpoint, client_env, "create-organization", "--feature-set", "ALL")["Organization"]
    assert organization["MasterAccountId"] == "000000000000"
    root_id = aws(endpoint, client_env, "list-roots")["Roots"][0]["Id"]

    unit_ids = {}
    for name, (parent, _) in RECOMMENDED.items():
        parent_id = unit_ids[parent] if parent else root_id
        unit = aws(endpoint, client_env, "create-organizational-unit", "--parent-id", parent_id, "--name", name)
        unit_ids[name] = unit["OrganizationalUnit"]["Id"]

    for name, (_, accounts) in RECOMMENDED.items():
        for account in accounts:
            account_id = create_account_with_cli(endpoint, client_env, account)
            aws(
                endpoint,
                client_env,
                "move-account",
                "--account-id",
                account_id,
                "--source-parent-id",
                root_id,
                "--destination-parent-id",
                unit_ids[name],
            )

    client = boto3_client(endpoint)
    tree = read_tree(client, root_id)
    expected = {name: sorted(accounts) for name, (_, accounts) in RECOMMENDED.items()}
    assert {name: sorted(accounts) for name, (accounts, _) in tree.items()} == expected
    assert tree["Production"][1] == "Workloads"
    assert tree["Non-Production"][1] == "Workloads"
    assert tree["Security"][1] is None

    paginator = client.get_paginator("list_accounts")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 1}))
    assert len(pages) == 10
    assert all(len(page["Accounts"]) == 1 for page in pages)


def read_tree(client, root_id):
    """Map each OU name to (account names in it, parent OU name or None)."""
    tree = {}

    def walk(parent_id, parent_name):
        pages = client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id)
        for page in pages:
            for unit in page["OrganizationalUnits"]:
                accounts = []
                for account_page in client.get_paginator("list_accounts_for_parent").paginate(ParentId=unit["Id"]):
                    accounts.extend(account["Name"] for account in account_page["Accounts"])
                tree[unit["Name"]] = (accounts, parent_name)
                walk(unit["Id"], unit["Name"])

    walk(root_id, None)
    return tree


def test_boto3_errors_carry_codes_and_reasons(endpoint):
    client = boto3_client(endpoint)
    with pytest.raises(ClientError) as error:
        client.describe_organization()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"

    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]

    with pytest.raises(ClientError) as error:
        client.describe_account(AccountId="999999999999")
    assert error.value.response["Error"]["Code"] == "AccountNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["ResponseMetadata"]["RequestId"]

    client.create_organizational_unit(ParentId=root_id, Name="Workloads")
    with pytest.raises(ClientError) as error:
        client.create_organizational_unit(ParentId=root_id, Name="Workloads")
    assert error.value.response["Error"]["Code"] == "DuplicateOrganizationalUnitException"

    parent_id = root_id
    for level in range(5):
        parent_id = client.create_organizational_unit(ParentId=parent_id, Name=f"Level {level}")["OrganizationalUnit"]["Id"]
    with pytest.raises(ClientError) as error:
        client.create_organizational_unit(ParentId=parent_id, Name="Too deep")
    assert error.value.response["Error"]["Code"] == "ConstraintViolationException"
    assert error.value.response["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"

    member = boto3_client(endpoint, account="123456789012")
    with pytest.raises(ClientError) as error:
        member.list_accounts()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_cli_reports_invalid_input(endpoint, client_env):
    aws(endpoint, client_env, "create-organization")
    result = aws(endpoint, client_env, "describe-account", "--account-id", "12345", check=False)
    assert result.returncode != 0
    assert "InvalidInputException" in result.stderr


def test_moto_reset_endpoint_clears_state(endpoint, client_env):
    aws(endpoint, client_env, "create-organization")
    import urllib.request

    request = urllib.request.Request(endpoint + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    result = aws(endpoint, client_env, "describe-organization", check=False)
    assert "AWSOrganizationsNotInUseException" in result.stderr




def test_boto3_service_control_policy_round_trip(endpoint):
    client = boto3_client(endpoint)
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]

    # An organization with all features starts with SCPs enabled on its root.
    with pytest.raises(ClientError) as error:
        client.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    assert error.value.response["Error"]["Code"] == "PolicyTypeAlreadyEnabledException"
    root = client.list_roots()["Roots"][0]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]

    content = (POLICIES / "scp" / "scp-region-deny-aws-samples.json").read_text()
    policy = client.create_policy(
        Content=content, Description="Deny unapproved regions", Name="RegionDeny", Type="SERVICE_CONTROL_POLICY"
    )["Policy"]
    policy_id = policy["PolicySummary"]["Id"]
    unit_id = client.create_organizational_unit(ParentId=root_id, Name="Workloads")["OrganizationalUnit"]["Id"]
    client.attach_policy(PolicyId=policy_id, TargetId=unit_id)

    attached = client.list_policies_for_target(TargetId=unit_id, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in attached] == ["p-FullAWSAccess", policy_id]
    targets = client.list_targets_for_policy(PolicyId=policy_id)["Targets"]
    assert targets == [
        {
            "TargetId": unit_id,
            "Arn": targets[0]["Arn"],
            "Name": "Workloads",
            "Type": "ORGANIZATIONAL_UNIT",
        }
    ]
    assert targets[0]["Arn"].endswith("/" + unit_id)
    assert client.describe_policy(PolicyId=policy_id)["Policy"]["Content"] == content

    invalid = (POLICIES / "scp" / "scp-INVALID-json-comment.json").read_text()
    with pytest.raises(ClientError) as error:
        client.create_policy(Content=invalid, Description="", Name="Broken", Type="SERVICE_CONTROL_POLICY")
    assert error.value.response["Error"]["Code"] == "MalformedPolicyDocumentException"
    assert "line" in error.value.response["Error"]["Message"]


def test_compat_moto_conventions(tmp_path):
    """`--compat moto` serves test suites written for moto's server mode unchanged."""
    process, endpoint = start_server(tmp_path, "--compat", "moto")
    try:
        client = boto3.client(
            "organizations",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        organization = client.create_organization(FeatureSet="ALL")["Organization"]
        assert organization["MasterAccountId"] == "123456789012"
        status = client.create_account(AccountName="Quick", Email="quick@example.com")["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED"
        assert client.describe_account(AccountId=status["AccountId"])["Account"]["Name"] == "Quick"
    finally:
        stop_server(process)


def test_sts_get_caller_identity(endpoint, client_env):
    """STS speaks the awsQuery protocol with XML responses; both clients parse them."""
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", "sts", "get-caller-identity"]
    result = subprocess.run(command, env=client_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"] == "arn:aws:iam::000000000000:root"

    sts = boto3.client(
        "sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="210987654321", aws_secret_access_key="x"
    )
    identity = sts.get_caller_identity()
    assert identity["Account"] == "210987654321"
    assert identity["UserId"] == "210987654321"


def test_cli_assumes_organization_access_role(endpoint, client_env):
    """The management account reaches a member account through its OrganizationAccountAccessRole."""
    aws(endpoint, client_env, "create-organization")
    member = create_account_with_cli(endpoint, client_env, "Member Account")
    command = [
        sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", "sts", "assume-role",
        "--role-arn", f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", "--role-session-name", "ci",
    ]
    result = subprocess.run(command, env=client_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    credentials = json.loads(result.stdout)["Credentials"]

    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    identity = sts.get_caller_identity()
    assert identity["Account"] == member
    assert identity["Arn"] == f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/ci"
