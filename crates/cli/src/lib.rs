//! The client side of the `bulkhead` command: AWS SDK clients for the emulator or for AWS,
//! the organization tree printer, and the recommended demo organization.
//!
//! These commands talk to an endpoint only through the AWS SDK for Rust, so each works the same
//! against bulkhead and, with the normal AWS credential chain, against a real organization.

pub mod client;
pub mod demo;
pub mod landing_zone;
pub mod simulate;
pub mod tree;
