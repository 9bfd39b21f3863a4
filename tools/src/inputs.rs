//! Turning command-line inputs into a list of things to read.

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
pub(crate) fn expand(args: &[PathBuf], keep: &dyn Fn(&Path) -> bool) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(arg)
            .with_context(|| format!("cannot read input {}", arg.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found)?;
            if found.is_empty() {
                bail!(
                    "no flow-log files (*.log, *.log.gz, *.gz, *.txt, *.log.parquet) under {}",
                    arg.display()
                );
            }
            out.extend(found.into_iter().filter(|input| match input {
                Input::File(path) => keep(path),
                Input::Stdin => true,
            }));
        } else {
            out.push(Input::File(arg.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<()> {
    out.extend(
        files_under(dir, &looks_like_flow_log)?
            .into_iter()
            .map(Input::File),
    );
    Ok(())
}

/// Every file under `dir` (recursively, each directory in name order) that `keep`
/// accepts.
pub(crate) fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    collect_files(dir, keep, &mut out)?;
    Ok(out)
}

fn collect_files(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_files(&path, keep, out)?;
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
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
