//! IAM action catalog.
