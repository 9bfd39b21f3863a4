//! Helpers shared by unit tests: where `../shared` is, and how to skip without it.

use std::path::PathBuf;

/// The project's `../shared` directory, when it is present.
///
/// When it is absent, prints a notice and returns `None` so the caller can skip,
/// unless `FLOWPATH_REQUIRE_SHARED=1` is set: then its absence fails the test.
pub(crate) fn shared_dir(what: &str) -> Option<PathBuf> {
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

/// Paths of the real ip-ranges.json snapshots in `../shared/aws-ip-ranges/`.
pub(crate) fn shared_range_snapshots() -> Vec<PathBuf> {
    let Some(dir) = shared_dir("ip-ranges snapshots") else {
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
