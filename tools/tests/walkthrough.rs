//! `docs/walkthrough.md`, run: every `flowpath …` line of its `sh` blocks runs in a
//! directory where `fixtures/` is the repository's, and each line of the `text` block
//! that follows must appear in what it printed; its `sql` block runs in DuckDB over the
//! summaries (as the Athena table, partition columns as strings) and must print the
//! rows of the `text` block after it. The AWS CLI lines are not run (no AWS here).
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
#![allow(clippy::print_stderr, reason = "skip notices")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{ok, root, stdout};
use flowpath_testkit::skip;

/// The doc's fenced blocks, in order: (language, lines).
fn blocks(doc: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<String> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .map(str::to_owned)
            .collect();
        out.push((lang.to_owned(), body));
    }
    out
}

/// A line of expected output, compared with runs of spaces made one (tables align
/// their columns to the widest value of the run).
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run_flowpath(dir: &Path, line: &str) -> String {
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let o = ok(Command::new(env!("CARGO_BIN_EXE_flowpath"))
        .args(&args)
        .current_dir(dir)
        .env_remove("FLOWPATH_RANGES")
        .output()
        .unwrap());
    format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr))
}

fn run_sql(dir: &Path, sql: &str) -> Option<String> {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        skip::missing_tool("DuckDB", "FLOWPATH_PYTHON is not set; run scripts/test.sh");
        return None;
    };
    let script = r#"
import duckdb, sys
con = duckdb.connect()
con.execute("""CREATE VIEW summaries AS SELECT * FROM read_parquet('out/account_id=*/*/*/*.parquet',
  hive_partitioning = true, union_by_name = true,
  hive_types = {'account_id': VARCHAR, 'region': VARCHAR, 'day': VARCHAR})""")
for row in con.execute(sys.argv[1]).fetchall():
    print(" ".join(str(v) for v in row))
"#;
    let o = ok(Command::new(python)
        .args(["-c", script, sql])
        .current_dir(dir)
        .output()
        .unwrap());
    Some(stdout(&o))
}

#[test]
fn the_walkthrough_gives_the_answers_it_shows() {
    let doc = std::fs::read_to_string(root().join("docs/walkthrough.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("fixtures"), dir.path().join("fixtures")).unwrap();
    let blocks = blocks(&doc);
    let (mut commands, mut checked) = (0, 0);
    let mut printed: Option<String> = None;
    for (lang, body) in &blocks {
        match lang.as_str() {
            "sh" => {
                let mut out = String::new();
                for line in body.iter().filter(|l| l.starts_with("flowpath ")) {
                    out.push_str(&run_flowpath(dir.path(), line));
                    commands += 1;
                }
                printed = (!out.is_empty()).then_some(out);
            }
            "sql" => printed = run_sql(dir.path(), &body.join("\n")),
            "text" => {
                let Some(out) = printed.take() else {
                    continue;
                };
                let out: Vec<String> = out.lines().map(squeeze).collect();
                for want in body {
                    assert!(
                        out.contains(&squeeze(want)),
                        "docs/walkthrough.md shows {want:?}; the command printed:\n{}",
                        out.join("\n")
                    );
                    checked += 1;
                }
            }
            _ => {}
        }
    }
    assert!(commands >= 3, "{commands} flowpath commands");
    assert!(checked >= 5, "{checked} lines checked");
}
