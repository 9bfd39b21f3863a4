//! Turning command-line inputs into a list of things to read.
//!
//! Invariants: each regular file is listed once, however many paths reach it
//! (symbolic links, a directory given twice, a file given beside its directory): files
//! and directories are told apart by device and inode. A directory walk never enters a
//! directory twice (so links that form a loop end), and lists only regular files: a
//! FIFO, socket or device found in a directory is passed over (opening a FIFO would
//! wait for a writer). A path named on the command line is read whatever it is: one
//! that cannot seek (a FIFO, `<(...)`) is read as a stream, like `-`.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// One input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A local file.
    File(PathBuf),
}

impl Input {
    /// The name used in messages and for key-layout hints: the path as given.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".to_owned(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// What the output file name is derived from: the absolute path, so the same
    /// file gives the same output name from any working directory.
    pub(crate) fn identity(&self) -> String {
        match self {
            Input::Stdin => "stdin".to_owned(),
            Input::File(p) => std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        }
    }
}

/// Whether a file found while walking a directory is a flow-log file.
fn looks_like_flow_log(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !name.starts_with('.')
        && [".log", ".log.gz", ".gz", ".txt", ".log.parquet"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Expands files, directories (recursively, sorted) and `-`. Files found in
/// directories are kept when `keep` says so (files named on the command line always).
/// Each file is listed once (see the module's invariants).
pub(crate) fn expand(args: &[PathBuf], keep: &dyn Fn(&Path) -> bool) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(arg)
            .with_context(|| format!("cannot read input {}", arg.display()))?;
        if meta.is_dir() {
            if !seen.first_visit(&meta) {
                continue;
            }
            seen.matched = false;
            let mut found = Vec::new();
            walk(arg, &looks_like_flow_log, &mut seen, &mut found)?;
            if !seen.matched {
                bail!(
                    "no flow-log files (*.log, *.log.gz, *.gz, *.txt, *.log.parquet) under {}",
                    arg.display()
                );
            }
            out.extend(found.into_iter().filter(|p| keep(p)).map(Input::File));
        } else if seen.first_visit(&meta) {
            out.push(Input::File(arg.clone()));
        }
    }
    Ok(out)
}

/// What a walk has visited: files and directories by device and inode.
#[derive(Default)]
struct Seen {
    visited: HashSet<(u64, u64)>,
    /// Whether the walk's `keep` accepted a file (listed now or before).
    matched: bool,
}

impl Seen {
    /// Whether this is the first visit of the file or directory `meta` describes.
    fn first_visit(&mut self, meta: &std::fs::Metadata) -> bool {
        self.visited.insert((meta.dev(), meta.ino()))
    }
}

/// Every regular file under `dir` (recursively, each directory in name order) that
/// `keep` accepts, each once.
pub(crate) fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut seen = Seen::default();
    seen.first_visit(&meta);
    let mut out = Vec::new();
    walk(dir, keep, &mut seen, &mut out)?;
    Ok(out)
}

/// Lists the regular files under `dir` (marked visited by the caller) that `keep`
/// accepts into `out`. Links are followed (a linked directory of logs is read), but
/// what they reach is listed once.
fn walk(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    seen: &mut Seen,
    out: &mut Vec<PathBuf>,
) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort();
    for path in entries {
        // Followed through links. One that cannot be followed (dangling) is listed when
        // its name is a flow log's, to fail as that input and be named.
        let Ok(meta) = std::fs::metadata(&path) else {
            if keep(&path) {
                seen.matched = true;
                out.push(path);
            }
            continue;
        };
        if meta.is_dir() {
            if seen.first_visit(&meta) {
                walk(&path, keep, seen, out)?;
            }
        } else if meta.is_file() && keep(&path) {
            seen.matched = true;
            if seen.first_visit(&meta) {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// The values of a documents option (`--inventory`, `--resolver-logs`) split in two:
/// the local files they name, in order (a file as given; a directory's files that
/// `keep` accepts, sorted by path; a directory with none is an error saying `option`
/// found no `what` in it), and the `s3://` locations, read after them.
pub(crate) fn document_sources(
    option: &str,
    sources: &[String],
    keep: &dyn Fn(&Path) -> bool,
    what: &str,
) -> Result<(Vec<PathBuf>, Vec<flowpath_s3::S3Uri>)> {
    let (mut local, mut remote) = (Vec::new(), Vec::new());
    for source in sources {
        if flowpath_s3::S3Uri::is_s3(source) {
            remote.push(flowpath_s3::S3Uri::parse(source)?);
            continue;
        }
        let path = Path::new(source);
        if !path.is_dir() {
            local.push(path.to_path_buf());
            continue;
        }
        let mut files = files_under(path, keep)?;
        if files.is_empty() {
            bail!("{option} {source}: no {what} in it");
        }
        files.sort();
        local.extend(files);
    }
    Ok((local, remote))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(looks_like_flow_log(Path::new("a/x.log.gz")));
        assert!(looks_like_flow_log(Path::new("x.txt")));
        assert!(looks_like_flow_log(Path::new("a/x.log.parquet")));
        assert!(!looks_like_flow_log(Path::new("out/x-0123.parquet")));
        assert!(!looks_like_flow_log(Path::new("README.md")));
        assert!(!looks_like_flow_log(Path::new(".x.log.gz.tmp-1")));
        assert!(!looks_like_flow_log(Path::new("a/.hidden.log")));
    }
}
