//! Local files: atomic writes (temporary name in the same directory, then rename),
//! and reading ranges files.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use flowpath_core::Ranges;

/// Writes a file atomically: `write` fills a temporary file beside `path`, which is
/// renamed over `path` only when `write` succeeded; on failure nothing is left behind.
pub(crate) fn write_atomic<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> Result<T>,
) -> Result<T> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file =
            fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut w = BufWriter::new(file);
        let value = write(&mut w)?;
        w.flush()
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, path)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))?;
        Ok(value)
    })();
    if result.is_err() {
        let _ignored = fs::remove_file(&tmp);
    }
    result
}

/// The embedded snapshot, or the ip-ranges.json (plain or gzip) at `path`.
pub(crate) fn load_ranges(path: Option<&Path>) -> Result<(Ranges, String)> {
    let Some(path) = path else {
        return Ok((Ranges::embedded(), "embedded snapshot".to_owned()));
    };
    let ranges = read_ranges(path)?;
    Ok((ranges, path.display().to_string()))
}

/// Reads and validates an ip-ranges.json file (plain or gzip).
pub(crate) fn read_ranges(path: &Path) -> Result<Ranges> {
    use std::io::Read;
    let file = fs::File::open(path)
        .with_context(|| format!("cannot open ranges file {}", path.display()))?;
    let mut bytes = Vec::new();
    flowpath_core::decode::decode(file)
        .and_then(|mut d| d.read_to_end(&mut bytes))
        .with_context(|| format!("cannot read ranges file {}", path.display()))?;
    Ranges::from_json(&bytes).with_context(|| format!("bad ranges file {}", path.display()))
}

/// Removes what runs that died left under `dir`: temporary files of
/// [`write_atomic`] (`.<name>.tmp-<pid>`) and `compact`'s sibling directories
/// (`.<partition>.compact-<pid>`), when process `<pid>` no longer runs. One whose
/// process runs (this one, another flowpath, or any process that took the number) is
/// left alone: it may still be written. Returns what was removed.
pub(crate) fn remove_stale_temporaries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            let path = entry.path();
            // Not followed through links: only what runs wrote here.
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", path.display()))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let stale = stale_pid(&name).is_some_and(|pid| !process_runs(pid));
            if kind.is_dir() {
                if stale && name.contains(".compact-") {
                    fs::remove_dir_all(&path)
                        .with_context(|| format!("cannot remove {}", path.display()))?;
                    removed.push(path);
                } else if !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if kind.is_file() && stale && name.contains(".tmp-") {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                removed.push(path);
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// The process id in a hidden temporary name, `.<name>.tmp-<pid>` or
/// `.<name>.compact-<pid>`.
fn stale_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, pid) = name
        .rsplit_once(".tmp-")
        .or_else(|| name.rsplit_once(".compact-"))?;
    pid.parse().ok()
}

/// Whether process `pid` runs on this machine (Linux: `/proc/<pid>` exists).
fn process_runs(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names() {
        assert_eq!(stale_pid(".a.parquet.tmp-123"), Some(123));
        assert_eq!(stale_pid(".day=2026-08-22.compact-77"), Some(77));
        assert_eq!(stale_pid("a.parquet.tmp-123"), None);
        assert_eq!(stale_pid(".a.parquet.tmp-x"), None);
        assert_eq!(stale_pid(".a.parquet"), None);
    }

    #[test]
    fn removes_only_what_dead_runs_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let part = dir.path().join("account_id=1/region=r/day=2026-08-22");
        fs::create_dir_all(&part).expect("mkdir");
        // A pid past Linux's pid_max (2^22) never runs.
        let dead = part.join(".x.parquet.tmp-4194999");
        let live = part.join(format!(".y.parquet.tmp-{}", std::process::id()));
        let kept = part.join("x.parquet");
        let compact = dir
            .path()
            .join("account_id=1/region=r/.day=2026-08-21.compact-4194999");
        fs::create_dir_all(&compact).expect("mkdir");
        for f in [&dead, &live, &kept] {
            fs::write(f, b"x").expect("write");
        }
        fs::write(compact.join("a.parquet"), b"x").expect("write");
        let removed = remove_stale_temporaries(dir.path()).expect("clean");
        assert_eq!(removed, vec![compact.clone(), dead.clone()]);
        assert!(!dead.exists() && !compact.exists());
        assert!(live.exists() && kept.exists());
        assert!(
            remove_stale_temporaries(dir.path())
                .expect("again")
                .is_empty()
        );
    }
}
