-- Temporary credentials that STS issued, kept until they expire.

CREATE TABLE sessions (
    access_key_id   TEXT PRIMARY KEY,
    secret          TEXT NOT NULL,
    session_token   TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    role_arn        TEXT NOT NULL,
    role_id         TEXT NOT NULL,
    session_name    TEXT NOT NULL,
    issued_at       INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    chained         INTEGER NOT NULL
);
