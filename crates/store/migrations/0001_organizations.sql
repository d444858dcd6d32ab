-- AWS Organizations: organizations, their roots, OUs and member accounts, CreateAccount
-- requests and tags. Times are milliseconds since the Unix epoch. Every row of an
-- organization carries its id so that deleting the organization is one statement per table.

CREATE TABLE organizations (
    id                    TEXT PRIMARY KEY,
    feature_set           TEXT NOT NULL,
    management_account_id TEXT NOT NULL UNIQUE,
    partition             TEXT NOT NULL,
    created_at            INTEGER NOT NULL
);

CREATE TABLE roots (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL
);

CREATE TABLE organizational_units (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    parent_id       TEXT NOT NULL,
    name            TEXT NOT NULL
);
CREATE INDEX organizational_units_parent ON organizational_units (parent_id);

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    parent_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,
    joined_method   TEXT NOT NULL,
    joined_at       INTEGER NOT NULL,
    access_role     TEXT,
    closed_at       INTEGER,
    status_until    INTEGER
);
CREATE INDEX accounts_parent ON accounts (parent_id);

CREATE TABLE create_account_requests (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    account_name    TEXT NOT NULL,
    email           TEXT NOT NULL,
    role_name       TEXT NOT NULL,
    tags            TEXT NOT NULL,
    state           TEXT NOT NULL,
    requested_at    INTEGER NOT NULL,
    completes_at    INTEGER NOT NULL,
    completed_at    INTEGER,
    account_id      TEXT,
    failure_reason  TEXT
);

CREATE TABLE tags (
    resource_id     TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    key             TEXT NOT NULL,
    value           TEXT NOT NULL,
    position        INTEGER NOT NULL,
    PRIMARY KEY (resource_id, key)
);
