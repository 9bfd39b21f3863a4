//! Where `../shared` is, and how a test that needs it skips without it.
//!
//! One file for both kinds of test: the crate's unit tests have it as
//! `testutil::shared`, the `it` integration tests include the same file with
//! `#[path]` (so no cargo feature or public test-support module is needed, and the
//! library is built the same for tests as for everything else). It uses nothing but
//! std, so that it compiles in either crate.
//!
//! Why a visible skip rather than `#[ignore]`: stable libtest has no runtime "skipped"
//! status. `#[ignore = "needs ../shared"]` would make CI skip these tests as well,
//! since CI (`.ci/run`, `scripts/test.sh`) runs plain `cargo test`, without
//! `--include-ignored`; an ignore that depends on whether `../shared` exists would
//! need a build script, which cargo reruns (and then rebuilds the crate) on every
//! build while the path it watches is absent, and which would go stale once
//! `../shared` appears. So a test without `../shared` still ends `ok`, and:
//! - under `FLOWPATH_REQUIRE_SHARED=1` (set by `.ci/run`) it fails instead, so CI
//!   always runs it;
//! - otherwise it writes `SKIPPED: <test> needs ../shared (...)` straight to the
//!   process's stderr. `eprintln!` would not do: libtest captures it and shows it only
//!   for failing tests. The line appears in plain `cargo test` output just above the
//!   test's `ok`, named after the test (libtest names each test's thread after it).

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

/// The variable that makes the absence of `../shared` a failure.
const REQUIRE: &str = "FLOWPATH_REQUIRE_SHARED";

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
pub(crate) fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    assert!(
        std::env::var(REQUIRE).as_deref() != Ok("1"),
        "{REQUIRE}=1 but {} is missing ({test} needs it for {what})",
        dir.display()
    );
    if !REPORTED.replace(true) {
        let line = format!(
            "SKIPPED: {test} needs ../shared ({what}): {} is absent; {REQUIRE}=1 makes this a failure\n",
            dir.display()
        );
        // Not `eprintln!`: libtest captures that. A failed write only loses the notice.
        std::io::stderr().lock().write_all(line.as_bytes()).ok();
    }
    None
}
