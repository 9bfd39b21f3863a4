//! The quick start's build and the test suite's share their dependencies: every crate
//! `cargo run -p flowpath --no-default-features` (the quick start's local-only CLI) or
//! `cargo run -p flowpath` compiles gets the same features as in `cargo test
//! --workspace`, so the second compiles none of them again (`workspace-hack/` holds the
//! features that make them equal). When a dependency change breaks that, this test
//! fails and prints the lines `workspace-hack/Cargo.toml` needs.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::root;

/// `cargo tree` of `args`: each package (name and version) with the features it is
/// built with, host and target builds merged.
fn features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let o = Command::new(cargo)
        .arg("tree")
        .args(args)
        .args(["--locked", "--prefix", "none", "-f", "{p} [{f}]"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let (Some(open), Some(close)) = (line.find(" ["), line.rfind(']')) else {
            continue;
        };
        // `name vX.Y.Z` (a path dependency adds ` (path)`).
        let package = line[..open].split(" (").next().unwrap().to_owned();
        out.entry(package).or_default().extend(
            line[open + 2..close]
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned),
        );
    }
    out
}

/// The quick start's local-only build (`--no-default-features`) and the CLI's full
/// build: each package of theirs gets the test build's features.
#[test]
fn the_test_build_reuses_the_quick_start_build() {
    let tests = features(&["--workspace", "-e", "normal,build,dev"]);
    let local = features(&[
        "-p",
        "flowpath",
        "--no-default-features",
        "-e",
        "normal,build",
    ]);
    let full = features(&["-p", "flowpath", "-e", "normal,build"]);
    assert!(local.len() > 100, "{} packages", local.len());
    // The local-only build leaves the AWS SDK out.
    assert!(full.keys().any(|p| p.starts_with("aws-sdk-s3 ")));
    assert!(
        !local.keys().any(|p| p.starts_with("aws-")),
        "{:?}",
        local.keys()
    );
    let mut lines = BTreeSet::new();
    for (package, have) in local.iter().chain(&full) {
        // The CLI itself: its `s3` feature is the difference between the two builds.
        if package.starts_with("flowpath ")
            || package.starts_with("flowpath-s3 ")
            || package.starts_with("flowpath-workspace-hack ")
        {
            continue;
        }
        let Some(want) = tests.get(package) else {
            continue;
        };
        if want != have {
            let (name, version) = package.split_once(" v").unwrap();
            let default = want.contains("default");
            let listed: Vec<String> = want
                .iter()
                .filter(|f| *f != "default")
                .map(|f| format!("{f:?}"))
                .collect();
            // A package of the full build only goes under the hack's `s3` feature.
            let s3_only = !local.contains_key(package);
            lines.insert(format!(
                "{name} = {{ version = \"{version}\"{}, features = [{}]{} }}",
                if default {
                    ""
                } else {
                    ", default-features = false"
                },
                listed.join(", "),
                if s3_only {
                    ", optional = true (and in the `s3` feature)"
                } else {
                    ""
                }
            ));
        }
    }
    assert!(
        lines.is_empty(),
        "the test build would compile these again with more features; add to \
         workspace-hack/Cargo.toml ([build-dependencies] for proc-macro and build-script \
         crates such as syn):\n{}",
        lines.into_iter().collect::<Vec<_>>().join("\n")
    );
}
