-- IAM: roles, users, their inline policies, customer-managed policies and their versions,
-- managed policy attachments, access keys, and the access roles provisioned for accounts
-- that CreateAccount made. Every row belongs to an account, not to an organization, so
-- deleting an organization keeps them. Times are milliseconds since the Unix epoch; tags are
-- JSON arrays of [key, value] pairs encoded by the service layer.

CREATE TABLE iam_roles (
    account_id           TEXT NOT NULL,
    name                 TEXT NOT NULL,
    role_id              TEXT NOT NULL,
    path                 TEXT NOT NULL,
    partition            TEXT NOT NULL,
    trust_policy         TEXT NOT NULL,
    description          TEXT,
    max_session_duration INTEGER NOT NULL,
    permissions_boundary TEXT,
    tags                 TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE iam_users (
    account_id           TEXT NOT NULL,
    name                 TEXT NOT NULL,
    user_id              TEXT NOT NULL,
    path                 TEXT NOT NULL,
    partition            TEXT NOT NULL,
    permissions_boundary TEXT,
    tags                 TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- principal_type is `role` or `user`.
CREATE TABLE iam_inline_policies (
    account_id     TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    principal_name TEXT NOT NULL,
    name           TEXT NOT NULL,
    document       TEXT NOT NULL,
    PRIMARY KEY (account_id, principal_type, principal_name, name)
);

CREATE TABLE iam_policies (
    arn                TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL,
    name               TEXT NOT NULL,
    policy_id          TEXT NOT NULL,
    path               TEXT NOT NULL,
    description        TEXT,
    default_version_id TEXT NOT NULL,
    next_version       INTEGER NOT NULL,
    tags               TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE iam_policy_versions (
    policy_arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    document   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);

-- policy_arn may name an AWS-managed policy, which has no row in iam_policies.
CREATE TABLE iam_attachments (
    account_id     TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    principal_name TEXT NOT NULL,
    policy_arn     TEXT NOT NULL,
    PRIMARY KEY (account_id, principal_type, principal_name, policy_arn)
);

-- A deleted key keeps its row (deleted = 1) so that requests signed with it are rejected
-- instead of falling back to convenience credentials.
CREATE TABLE iam_access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    secret        TEXT NOT NULL,
    status        TEXT NOT NULL,
    deleted       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Accounts whose CreateAccount access role was created once; a role deleted later is not
-- created again.
CREATE TABLE iam_provisioned_access_roles (
    account_id     TEXT PRIMARY KEY,
    role_name      TEXT NOT NULL,
    provisioned_at INTEGER NOT NULL
);
