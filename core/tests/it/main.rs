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
// The one `../shared` helper of all core tests, shared with the unit tests.
#[path = "../../src/testutil/shared.rs"]
mod shared;

use std::path::PathBuf;

/// `fixtures/` at the workspace root.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}
