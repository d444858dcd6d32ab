"""IAM through the AWS CLI and boto3, against a real bulkhead server.

The AWS CLI creates a role from a trust policy file, attaches an AWS-managed policy and assumes
the role with STS; boto3 manages a user, its policies and access keys, and signs with the key.
"""

import json
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import start_server, stop_server

DEVELOPER_ACCOUNT = "222222222222"


def aws(endpoint, env, *args):
    """Run an `aws` command and return its parsed JSON output."""
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {result.stderr}")
    return json.loads(result.stdout) if result.stdout.strip() else {}


def iam_client(endpoint, access_key, secret="test"):
    return boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
    )


def test_cli_creates_attaches_and_assumes_role(endpoint, client_env, tmp_path):
    """A role created in a developer account trusts the CLI's account, which then assumes it."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(json.dumps(trust, indent=2))
    developer_env = dict(client_env, AWS_ACCESS_KEY_ID=DEVELOPER_ACCOUNT)

    role = aws(
        endpoint, developer_env, "iam", "create-role", "--role-name", "Deployer",
        "--assume-role-policy-document", f"file://{trust_file}",
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::{DEVELOPER_ACCOUNT}:role/Deployer"
    assert role["RoleId"].startswith("AROA")
    # The CLI decodes the URL-encoded document IAM returns.
    assert role["AssumeRolePolicyDocument"] == trust

    aws(
        endpoint, developer_env, "iam", "attach-role-policy", "--role-name", "Deployer",
        "--policy-arn", "arn:aws:iam::aws:policy/PowerUserAccess",
    )
    attached = aws(endpoint, developer_env, "iam", "list-attached-role-policies", "--role-name", "Deployer")
    assert [policy["PolicyName"] for policy in attached["AttachedPolicies"]] == ["PowerUserAccess"]

    assumed = aws(
        endpoint, client_env, "sts", "assume-role",
        "--role-arn", role["Arn"], "--role-session-name", "ci",
    )
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEVELOPER_ACCOUNT}:assumed-role/Deployer/ci"

    # Another account is not in the trust policy.
    stranger_env = dict(client_env, AWS_ACCESS_KEY_ID="333333333333")
    command = [
        sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "sts", "assume-role",
        "--role-arn", role["Arn"], "--role-session-name", "ci",
    ]
    result = subprocess.run(command, env=stranger_env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "AccessDenied" in result.stderr


def test_boto3_user_policies_and_access_keys(endpoint):
    """boto3 manages a user and signs requests with the access key IAM issued for it."""
    iam = iam_client(endpoint, DEVELOPER_ACCOUNT)
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "red"}])
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=json.dumps(document))
    # botocore decodes the URL-encoded document into a dictionary.
    assert iam.get_user_policy(UserName="alice", PolicyName="read")["PolicyDocument"] == document

    policy = iam.create_policy(PolicyName="Reader", PolicyDocument=json.dumps(document))["Policy"]
    iam.attach_user_policy(UserName="alice", PolicyArn=policy["Arn"])
    listed = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [item["PolicyName"] for item in listed] == ["Reader"]

    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA")
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{DEVELOPER_ACCOUNT}:user/alice"
    as_alice = iam_client(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    # Her policies allow s3:GetObject only, so IAM refuses her until a policy allows GetUser.
    with pytest.raises(ClientError) as denied:
        as_alice.get_user()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert "because no identity-based policy allows the iam:GetUser action" in denied.value.response["Error"]["Message"]
    self_service = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}],
    }
    iam.put_user_policy(UserName="alice", PolicyName="self", PolicyDocument=json.dumps(self_service))
    assert as_alice.get_user()["User"]["UserName"] == "alice"

    with pytest.raises(ClientError) as conflict:
        iam.delete_user(UserName="alice")
    assert conflict.value.response["Error"]["Code"] == "DeleteConflict"
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as rejected:
        sts.get_caller_identity()
    assert rejected.value.response["Error"]["Code"] == "InvalidClientTokenId"

    with pytest.raises(ClientError) as malformed:
        iam.put_user_policy(UserName="alice", PolicyName="bad", PolicyDocument="{not json")
    assert malformed.value.response["Error"]["Code"] == "MalformedPolicyDocument"

    with pytest.raises(ClientError) as missing:
        iam.get_role(RoleName="Nobody")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_moto_mode_account_has_access_role(tmp_path):
    """Under `--compat moto` CreateAccount settles at once, and the access role is already there."""
    process, endpoint = start_server(tmp_path, "--compat", "moto")
    try:
        organizations = boto3.client(
            "organizations",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        organizations.create_organization(FeatureSet="ALL")
        status = organizations.create_account(AccountName="Quick", Email="quick@example.com")["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED"
        role = iam_client(endpoint, status["AccountId"]).get_role(RoleName="OrganizationAccountAccessRole")["Role"]
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::123456789012:root"
    finally:
        stop_server(process)
