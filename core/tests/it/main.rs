//! flowpath-core's integration tests: one binary, one module per concern.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod attribution_doc;
mod fixtures;
mod fuzz_regressions;
mod inventory;
mod parquet_input;
mod real_flowlogs;
mod transit_gateway;
// How a test skips without `../shared`: the one file every crate's tests use.
#[path = "../../src/testutil/skip.rs"]
mod skip;

use std::path::PathBuf;

/// `fixtures/` at the workspace root.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}
