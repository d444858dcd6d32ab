"""Guardrails that act, seen through boto3 and the AWS CLI: SCP and RCP denials arrive as each
client's modeled AccessDenied error, with AWS's message naming the policy type."""

import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

POLICIES = Path(__file__).resolve().parents[2] / "crates" / "policy" / "tests" / "policies"
MANAGEMENT = "000000000000"

DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'

# A region restriction that leaves out only the global services, so that STS calls signed for
# another region are denied.
REGION_RESTRICTION = """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Deny",
    "NotAction": ["iam:*", "organizations:*", "sts:GetCallerIdentity"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
  }]
}"""


def client(service, endpoint, account=MANAGEMENT, region="us-east-1", **credentials):
    if not credentials:
        credentials = {"aws_access_key_id": account, "aws_secret_access_key": "test"}
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **credentials)


def cli(endpoint, env, *args, account=None):
    """Run an AWS CLI command; return the completed process."""
    if account is not None:
        env = {**env, "AWS_ACCESS_KEY_ID": account}
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


class Organization:
    """An organization with one member account in each of the OUs the tests name."""

    def __init__(self, endpoint, units):
        self.endpoint = endpoint
        self.management = client("organizations", endpoint)
        self.management.create_organization(FeatureSet="ALL")
        self.root_id = self.management.list_roots()["Roots"][0]["Id"]
        self.units = {}
        self.accounts = {}
        for name in units:
            unit = self.management.create_organizational_unit(ParentId=self.root_id, Name=name)
            self.units[name] = unit["OrganizationalUnit"]["Id"]
            self.accounts[name] = self.create_account(name)
            self.management.move_account(
                AccountId=self.accounts[name],
                SourceParentId=self.root_id,
                DestinationParentId=self.units[name],
            )

    def create_account(self, name):
        email = name.lower() + "@example.com"
        status = self.management.create_account(AccountName=name, Email=email)["CreateAccountStatus"]
        for _ in range(200):
            status = self.management.describe_create_account_status(CreateAccountRequestId=status["Id"])[
                "CreateAccountStatus"
            ]
            if status["State"] == "SUCCEEDED":
                return status["AccountId"]
            time.sleep(0.05)
        raise AssertionError(f"CreateAccount for {name} did not finish")

    def attach(self, policy_type, content, target):
        policy = self.management.create_policy(
            Name=f"policy-{time.monotonic_ns()}", Description="", Type=policy_type, Content=content
        )
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        self.management.attach_policy(PolicyId=policy_id, TargetId=target)
        return policy_id


def test_boto3_scp_denial_is_the_modeled_exception(endpoint):
    organization = Organization(endpoint, ["Suspended", "Workloads"])
    policy_id = organization.attach("SERVICE_CONTROL_POLICY", DENY_ALL, organization.units["Suspended"])
    suspended = organization.accounts["Suspended"]

    member = client("organizations", endpoint, account=suspended)
    with pytest.raises(member.exceptions.AccessDeniedException) as denied:
        member.describe_organization()
    message = denied.value.response["Error"]["Message"]
    assert message.startswith(f"User: arn:aws:iam::{suspended}:root is not authorized to perform: ")
    assert "with an explicit deny in a service control policy" in message
    assert message.endswith(policy_id)

    sts = client("sts", endpoint, account=suspended)
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.get_session_token()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # GetCallerIdentity is allowed even against an explicit deny.
    assert sts.get_caller_identity()["Account"] == suspended

    # The other OU is untouched.
    client("organizations", endpoint, account=organization.accounts["Workloads"]).describe_organization()


def test_cli_reports_scp_and_region_denials(endpoint, client_env):
    organization = Organization(endpoint, ["Workloads"])
    workload = organization.accounts["Workloads"]
    organization.attach(
        "SERVICE_CONTROL_POLICY",
        (POLICIES / "scp" / "scp-deny-leave-organization.json").read_text(),
        organization.root_id,
    )
    organization.attach("SERVICE_CONTROL_POLICY", REGION_RESTRICTION, organization.units["Workloads"])

    leave = cli(endpoint, client_env, "organizations", "leave-organization", account=workload)
    assert leave.returncode != 0
    assert "(AccessDeniedException)" in leave.stderr
    assert "organizations:LeaveOrganization with an explicit deny in a service control policy" in leave.stderr

    outside = cli(endpoint, client_env, "sts", "get-session-token", "--region", "ap-southeast-2", account=workload)
    assert outside.returncode != 0
    assert "(AccessDenied)" in outside.stderr
    assert "sts:GetSessionToken with an explicit deny in a service control policy" in outside.stderr

    inside = cli(endpoint, client_env, "sts", "get-session-token", "--region", "eu-west-1", account=workload)
    assert inside.returncode == 0, inside.stderr

    # The management account is never restricted by SCPs.
    management = cli(endpoint, client_env, "sts", "get-session-token", "--region", "ap-southeast-2")
    assert management.returncode == 0, management.stderr


def test_https_rcp_denies_assume_role_through_both_clients(endpoint, client_env):
    organization = Organization(endpoint, ["Security", "Infrastructure"])
    organization.management.enable_policy_type(RootId=organization.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    organization.attach(
        "RESOURCE_CONTROL_POLICY",
        (POLICIES / "rcp" / "rcp-enforce-https.json").read_text(),
        organization.units["Security"],
    )
    protected = f"arn:aws:iam::{organization.accounts['Security']}:role/OrganizationAccountAccessRole"
    open_role = f"arn:aws:iam::{organization.accounts['Infrastructure']}:role/OrganizationAccountAccessRole"

    sts = client("sts", endpoint)
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.assume_role(RoleArn=protected, RoleSessionName="audit")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert "with an explicit deny in a resource control policy" in denied.value.response["Error"]["Message"]
    sts.assume_role(RoleArn=open_role, RoleSessionName="network")

    result = cli(endpoint, client_env, "sts", "assume-role", "--role-arn", protected, "--role-session-name", "cli")
    assert result.returncode != 0
    assert "(AccessDenied)" in result.stderr
    assert "resource control policy" in result.stderr
