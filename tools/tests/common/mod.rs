//! What the `flowpath` binary's integration tests share: running it, and reading what it
//! printed. (Reading summaries back is `flowpath_testkit::read_summary`.)
#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// The workspace root: the binary runs there, so fixture paths are `fixtures/...`.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `flowpath ARGS` from the workspace root, without an inherited `FLOWPATH_RANGES`.
pub(crate) fn flowpath(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowpath"))
        .args(args)
        .current_dir(root())
        .env_remove("FLOWPATH_RANGES")
        .output()
        .expect("run flowpath")
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The output of a run that must have succeeded; shows both streams when it did not.
pub(crate) fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Standard output parsed as JSON.
pub(crate) fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}
