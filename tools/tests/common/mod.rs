//! What the `flowpath` binary's integration tests share: running it, and reading what it
//! printed. (Reading summaries back is `flowpath_testkit::read_summary`.)
#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::path::{Path, PathBuf};
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

/// `read_parquet(…)` of one table's files under `dir` (`dir/account_id=*/*/*/*.parquet`),
/// the partition columns strings as in Athena, columns matched by name.
pub(crate) fn parquet_table(dir: &Path) -> String {
    format!(
        "read_parquet('{}/account_id=*/*/*/*.parquet', hive_partitioning=true, \
         union_by_name=true, hive_types={{'account_id': 'VARCHAR', 'region': 'VARCHAR', \
         'day': 'VARCHAR'}})",
        dir.display()
    )
}

/// The rows of `sql` in DuckDB, one Python tuple a line; `None` (and a visible skip)
/// when `FLOWPATH_PYTHON` (a Python with duckdb, set by `scripts/test.sh`) is not set.
pub(crate) fn duckdb_rows(sql: &str) -> Option<String> {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        flowpath_testkit::skip::missing_tool(
            "DuckDB",
            "FLOWPATH_PYTHON is not set; run scripts/test.sh",
        );
        return None;
    };
    let program =
        format!("import duckdb\nfor r in duckdb.sql(\"\"\"{sql}\"\"\").fetchall(): print(r)\n");
    let o = ok(Command::new(python)
        .args(["-c", &program])
        .output()
        .expect("run python"));
    Some(stdout(&o))
}
