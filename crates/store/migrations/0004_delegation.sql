-- Delegated administrators, trusted service access and the organization's resource policy.

CREATE TABLE delegated_administrators (
    account_id        TEXT NOT NULL,
    service_principal TEXT NOT NULL,
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    delegated_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, service_principal)
);

CREATE TABLE service_access (
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    service_principal TEXT NOT NULL,
    enabled_at        INTEGER NOT NULL,
    PRIMARY KEY (organization_id, service_principal)
);

CREATE TABLE resource_policies (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    id              TEXT NOT NULL,
    content         TEXT NOT NULL
);
