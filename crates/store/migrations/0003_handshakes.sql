-- AWS Organizations handshakes: invitations to join an organization and the requests to
-- enable all features. Times are milliseconds since the Unix epoch. A handshake belongs to
-- the organization that sent it, so deleting that organization deletes its handshakes.

CREATE TABLE handshakes (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    action           TEXT NOT NULL,
    state            TEXT NOT NULL,
    target_type      TEXT NOT NULL,
    target_id        TEXT NOT NULL,
    parent_id        TEXT,
    notes            TEXT,
    tags             TEXT NOT NULL,
    requested_at     INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    state_changed_at INTEGER NOT NULL,
    responder_id     TEXT
);
CREATE INDEX handshakes_target ON handshakes (target_id);
CREATE INDEX handshakes_parent ON handshakes (parent_id);

-- Responsibility transfers (billing transfers): the inviting organization manages the
-- responsibility for the organization that accepts. Their status before acceptance is the
-- state of the TRANSFER_RESPONSIBILITY handshake named by handshake_id.
CREATE TABLE responsibility_transfers (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    handshake_id      TEXT NOT NULL,
    type              TEXT NOT NULL,
    name              TEXT NOT NULL,
    start_at          INTEGER NOT NULL,
    end_at            INTEGER,
    source_account_id TEXT,
    tags              TEXT NOT NULL,
    withdrawn_at      INTEGER
);
