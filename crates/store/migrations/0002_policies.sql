-- AWS Organizations policies: customer-managed policies of every type, their attachments to
-- roots, OUs and accounts, and the policy types enabled on each root. Attachments may name
-- the AWS-managed policies (p-FullAWSAccess, p-RCPFullAWSAccess), which have no row in
-- `policies`, so `policy_id` has no foreign key.

CREATE TABLE policies (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    content         TEXT NOT NULL
);

CREATE TABLE policy_attachments (
    policy_id       TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (policy_id, target_id)
);
CREATE INDEX policy_attachments_target ON policy_attachments (target_id);

CREATE TABLE enabled_policy_types (
    root_id         TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    type            TEXT NOT NULL,
    PRIMARY KEY (root_id, type)
);
