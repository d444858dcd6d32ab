//! The wire layer shared by every emulated service: SigV4 authentication, protocol detection
//! and AWS error rendering.
//!
//! This crate knows how AWS requests and errors look on the wire and nothing about what any
//! service does; the service logic lives in the `cloud` crate and the HTTP routing in `server`.

pub mod error;
pub mod protocol;
pub mod query;
pub mod sigv4;
pub mod xml;

pub use error::{AwsError, Fault};
pub use protocol::Protocol;
