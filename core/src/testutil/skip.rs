//! How a test that needs something a machine may lack skips: `../shared` (the
//! research data beside the clone) or a tool that `scripts/test.sh` installs (Python
//! with DuckDB and cfn-lint, Chromium).
//!
//! One file for every crate's tests: the core's unit tests have it as
//! `testutil::skip`, the core's `it` integration tests include the same file with
//! `#[path]`, and `flowpath-testkit` includes it as `flowpath_testkit::skip` for the
//! other crates' tests (so no cargo feature or public test-support module is needed
//! in the core). It uses nothing but std, so that it compiles anywhere.
//!
//! Why a visible skip rather than `#[ignore]`: stable libtest has no runtime "skipped"
//! status. `#[ignore = "needs ../shared"]` would make CI skip these tests as well,
//! since CI (`.ci/run`, `scripts/test.sh`) runs plain `cargo test`, without
//! `--include-ignored`; an ignore that depends on whether `../shared` exists would
//! need a build script, which cargo reruns (and then rebuilds the crate) on every
//! build while the path it watches is absent, and which would go stale once
//! `../shared` appears. So a test without what it needs still ends `ok`, and:
//! - under `FLOWPATH_REQUIRE_SHARED=1` (set by `.ci/run`) or `FLOWPATH_REQUIRE_TOOLS=1`
//!   (set by `scripts/test.sh`, which installs the tools) it fails instead, so CI
//!   always runs it;
//! - otherwise it writes `SKIPPED: <test> needs ...` straight to the process's stderr.
//!   `eprintln!` would not do: libtest captures it and shows it only for failing
//!   tests. The line appears in plain `cargo test` output just above the test's `ok`,
//!   named after the test (libtest names each test's thread after it).
#![allow(
    unreachable_pub,
    dead_code,
    reason = "public for the testkit's re-export, crate-private where the core includes it; each includer uses its own subset"
)]

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

/// The variable that makes the absence of `../shared` a failure.
const REQUIRE_SHARED: &str = "FLOWPATH_REQUIRE_SHARED";
/// The variable that makes the absence of a test tool a failure.
const REQUIRE_TOOLS: &str = "FLOWPATH_REQUIRE_TOOLS";

thread_local! {
    /// Whether this thread (one per test) has written its SKIPPED line.
    static REPORTED: Cell<bool> = const { Cell::new(false) };
}

/// The project's `../shared` directory, which the calling test needs for `what`.
///
/// When it is absent: panics under `FLOWPATH_REQUIRE_SHARED=1`; otherwise writes
/// `SKIPPED: <test> needs ../shared (<what>): ...` to stderr (once per test, past
/// libtest's capture) and returns `None`, and the caller skips what needs it. See the
/// [module docs](self) for why a skip looks like this.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    // Every includer sits one level below the workspace root (core/, testkit/).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    let test = test_name();
    assert!(
        std::env::var(REQUIRE_SHARED).as_deref() != Ok("1"),
        "{REQUIRE_SHARED}=1 but {} is missing ({test} needs it for {what})",
        dir.display()
    );
    skipped(&format!(
        "SKIPPED: {test} needs ../shared ({what}): {} is absent; {REQUIRE_SHARED}=1 makes this a failure\n",
        dir.display()
    ));
    None
}

/// Reports that the calling test skips because `tool` is not here (`why` says what was
/// looked for and how to get it): panics under `FLOWPATH_REQUIRE_TOOLS=1`, otherwise
/// writes `SKIPPED: <test> needs <tool>: <why>` to stderr once per test.
pub fn missing_tool(tool: &str, why: &str) {
    let test = test_name();
    assert!(
        std::env::var(REQUIRE_TOOLS).as_deref() != Ok("1"),
        "{REQUIRE_TOOLS}=1 but {test} cannot have {tool}: {why}"
    );
    skipped(&format!(
        "SKIPPED: {test} needs {tool}: {why}; {REQUIRE_TOOLS}=1 makes this a failure\n"
    ));
}

/// The running test's name (libtest names each test's thread after it).
fn test_name() -> String {
    std::thread::current().name().unwrap_or("a test").to_owned()
}

/// Writes `line` to the process's stderr once per test thread.
fn skipped(line: &str) {
    if !REPORTED.replace(true) {
        // Not `eprintln!`: libtest captures that. A failed write only loses the notice.
        std::io::stderr().lock().write_all(line.as_bytes()).ok();
    }
}
