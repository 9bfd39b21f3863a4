//! Helpers shared by unit tests: where `../shared` is, and how a test skips without it.

mod skip;

use std::path::PathBuf;

pub(crate) use skip::shared_dir;

/// Paths of the real ip-ranges.json snapshots in `../shared/aws-ip-ranges/`, which the
/// calling test needs for `what`; none (after the test's SKIPPED line, see
/// [`shared_dir`]) without `../shared`.
pub(crate) fn shared_range_snapshots(what: &str) -> Vec<PathBuf> {
    let Some(dir) = shared_dir(what) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("aws-ip-ranges"))
        .expect("read ../shared/aws-ip-ranges")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}
