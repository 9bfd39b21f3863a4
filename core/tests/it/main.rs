//! flowpath-core's integration tests: one binary, one module per concern.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
#![allow(clippy::print_stderr, reason = "skip notices")]

mod attribution_doc;
mod fixtures;
mod fuzz_regressions;
mod inventory;
mod parquet_input;
mod real_flowlogs;

use std::path::PathBuf;

/// `fixtures/` at the workspace root.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `../shared`, when present; skips (returns None) with a notice when absent, unless
/// `FLOWPATH_REQUIRE_SHARED=1`, which makes its absence a failure.
pub(crate) fn shared(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("FLOWPATH_REQUIRE_SHARED").as_deref() != Ok("1"),
        "FLOWPATH_REQUIRE_SHARED=1 but {} is missing (needed for {what})",
        dir.display()
    );
    eprintln!("notice: skipping {what}: {} is not present", dir.display());
    None
}
