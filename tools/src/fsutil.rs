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
