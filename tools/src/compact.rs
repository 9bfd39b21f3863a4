//! `flowpath compact OUT [--day D]`: merges the per-input summary files of each Hive
//! partition of a local output into one sorted file, and swaps it in atomically.
//!
//! For a partition `…/region=<r>/day=<d>` holding more than one `*.parquet` file:
//! 1. every summary file is read back (arrow); rows sharing every key column
//!    (`window_start` through `protocol`, the aggregator's grouping) are summed into
//!    one, and the rows are sorted as `summarize` sorts them;
//! 2. the merged file, `compacted-<hash of the sorted file names>.parquet`, is written
//!    into a sibling directory `.day=<d>.compact-<pid>`, with the partition's other
//!    entries (non-Parquet and hidden files) hard-linked (or copied) beside it; its
//!    totals are read back and checked against the inputs';
//! 3. the sibling and the live directory are exchanged in one
//!    `renameat2(RENAME_EXCHANGE)`: a reader listing the live directory sees either
//!    all the old files or the one new file, never both and never neither. Where the
//!    file system cannot exchange (EINVAL, ENOSYS), the partition is left as it was
//!    and the run fails: there is no non-atomic fallback;
//! 4. entries that appeared in the old directory after it was listed (a concurrent
//!    `summarize`) are moved into the live one, and the old directory is removed.
//!
//! Footer of the merged file: `flowpath.inputs` is the sorted union of the files'
//! inputs; `flowpath.counts.*` are the sums of the counts of those inputs, each input
//! once (a file's counts are those of whole input objects, across all partitions, as
//! before compaction); the ranges' syncToken and createDate are kept when all files
//! agree, else are the sorted, comma-separated distinct values. Two files of one
//! partition naming the same input (an input summarized again after compaction) would
//! double its rows: such a partition is refused.
//!
//! A partition with one Parquet file is already compact and left untouched, so a
//! second run changes nothing. S3 outputs are refused: S3 cannot replace several
//! objects atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use flowpath_core::output::Row;
use flowpath_core::output::{Counts, FileMeta, read_file_meta, write_parquet};
use md5::{Digest, Md5};
use serde::Serialize;

use crate::cli::CompactArgs;
use crate::fsutil::write_atomic;

/// Flow, packet and byte sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
struct Totals {
    flows: i64,
    packets: i64,
    bytes: i64,
}

impl Totals {
    /// The rows' sums (a null count adds nothing, as in SQL's `SUM`).
    fn of(rows: &[Row]) -> Result<Totals> {
        let mut t = Totals::default();
        for r in rows {
            t.add(&Totals {
                flows: r.flows,
                packets: r.packets.unwrap_or(0),
                bytes: r.bytes.unwrap_or(0),
            })?;
        }
        Ok(t)
    }

    /// Adds `o`; fails when a sum would pass what INT64 holds (never clamped).
    fn add(&mut self, o: &Totals) -> Result<()> {
        let sum = |a: i64, b: i64| a.checked_add(b).ok_or_else(too_large);
        *self = Totals {
            flows: sum(self.flows, o.flows)?,
            packets: sum(self.packets, o.packets)?,
            bytes: sum(self.bytes, o.bytes)?,
        };
        Ok(())
    }
}

fn too_large() -> anyhow::Error {
    anyhow!("its sums pass 9223372036854775807, the largest value a Parquet INT64 holds")
}

/// Two rows' counts summed as SQL's `SUM` does: null only when both are.
fn sum_counts(a: Option<i64>, b: Option<i64>) -> Result<Option<i64>> {
    match (a, b) {
        (Some(a), Some(b)) => a.checked_add(b).map(Some).ok_or_else(too_large),
        (a, b) => Ok(a.or(b)),
    }
}

/// One summary file, read back.
struct SummaryFile {
    name: String,
    rows: Vec<Row>,
    inputs: Vec<String>,
    counts: Counts,
    sync_token: String,
    create_date: String,
    /// The files a compacted file merged ([`FileMeta::compacted_from`]).
    compacted_from: Vec<String>,
    tag_keys: Vec<String>,
}

/// What happened to one partition.
#[derive(Serialize)]
struct PartitionReport {
    dir: String,
    /// `compacted`, `already_compact` or `failed`.
    status: &'static str,
    files_before: usize,
    files_after: usize,
    rows_before: usize,
    rows_after: usize,
    totals_before: Totals,
    totals_after: Totals,
    /// The merged file (compacted partitions).
    file: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Report {
    flowpath_version: &'static str,
    output_dir: String,
    day: Option<String>,
    partitions: usize,
    compacted: usize,
    already_compact: usize,
    failed: usize,
    files_before: usize,
    files_after: usize,
    rows_before: usize,
    rows_after: usize,
    totals_before: Totals,
    totals_after: Totals,
    details: Vec<PartitionReport>,
    /// Directories of compactions that died, removed at the start.
    stale_temporaries_removed: Vec<String>,
}

pub(crate) fn run(args: &CompactArgs) -> Result<ExitCode> {
    if flowpath_s3::S3Uri::is_s3(&args.out) {
        bail!(
            "compact works on local directories only: S3 has no atomic replacement of \
             several objects, so readers of {} could see both the old files and the \
             merged one, or neither; compact a local copy and upload it instead",
            args.out
        );
    }
    if let Some(day) = &args.day
        && (day.is_empty() || day.contains(['/', '\\']))
    {
        bail!("--day {day:?}: expected YYYY-MM-DD");
    }
    let out = PathBuf::from(&args.out);
    if !out.is_dir() {
        bail!("{}: not a directory", out.display());
    }
    // What a compaction that died left (its `.…compact-<pid>` directory) goes first.
    let stale_temporaries_removed = crate::fsutil::remove_stale_temporaries(&out)?
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let dirs = partition_dirs(&out, args.day.as_deref())?;
    let mut details = Vec::with_capacity(dirs.len());
    for dir in &dirs {
        let rel = dir
            .strip_prefix(&out)
            .unwrap_or(dir)
            .to_string_lossy()
            .into_owned();
        let report = match compact_partition(dir) {
            Ok(mut r) => {
                r.dir = rel;
                r
            }
            Err(err) => PartitionReport {
                dir: rel,
                status: "failed",
                files_before: 0,
                files_after: 0,
                rows_before: 0,
                rows_after: 0,
                totals_before: Totals::default(),
                totals_after: Totals::default(),
                file: None,
                error: Some(crate::errors::describe(&err)),
            },
        };
        details.push(report);
    }
    let count = |s: &str| details.iter().filter(|d| d.status == s).count();
    let mut report = Report {
        flowpath_version: flowpath_core::VERSION,
        output_dir: out.display().to_string(),
        day: args.day.clone(),
        partitions: details.len(),
        compacted: count("compacted"),
        already_compact: count("already_compact"),
        failed: count("failed"),
        files_before: details.iter().map(|d| d.files_before).sum(),
        files_after: details.iter().map(|d| d.files_after).sum(),
        rows_before: details.iter().map(|d| d.rows_before).sum(),
        rows_after: details.iter().map(|d| d.rows_after).sum(),
        totals_before: Totals::default(),
        totals_after: Totals::default(),
        details,
        stale_temporaries_removed,
    };
    for d in &report.details {
        // Totals of the whole output, for the report: past INT64 they are unknown.
        let (before, after) = (
            report.totals_before.add(&d.totals_before),
            report.totals_after.add(&d.totals_after),
        );
        if before.is_err() || after.is_err() {
            bail!("the totals of {} pass what INT64 holds", out.display());
        }
    }
    let mut stdout = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &report).map_err(io::Error::from)?;
        writeln!(stdout)?;
    } else {
        write_text(&report, &mut stdout)?;
    }
    Ok(if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn write_text(r: &Report, w: &mut impl Write) -> io::Result<()> {
    if !r.stale_temporaries_removed.is_empty() {
        writeln!(
            w,
            "removed {} temporary files of runs that died: {}",
            r.stale_temporaries_removed.len(),
            r.stale_temporaries_removed.join(", ")
        )?;
    }
    writeln!(
        w,
        "{} partitions under {}: {} compacted, {} already compact, {} failed",
        r.partitions, r.output_dir, r.compacted, r.already_compact, r.failed
    )?;
    writeln!(
        w,
        "files: {} before, {} after; rows: {} before, {} after",
        r.files_before, r.files_after, r.rows_before, r.rows_after
    )?;
    let (b, a) = (r.totals_before, r.totals_after);
    writeln!(
        w,
        "totals before: {} flows, {} packets, {} bytes",
        b.flows, b.packets, b.bytes
    )?;
    writeln!(
        w,
        "totals after:  {} flows, {} packets, {} bytes",
        a.flows, a.packets, a.bytes
    )?;
    for d in &r.details {
        match d.status {
            "compacted" => writeln!(
                w,
                "compacted {}: {} files -> {} ({} rows -> {})",
                d.dir,
                d.files_before,
                d.file.as_deref().unwrap_or(""),
                d.rows_before,
                d.rows_after
            )?,
            "already_compact" => writeln!(w, "already compact {}", d.dir)?,
            _ => writeln!(
                w,
                "error: {}: {}",
                d.dir,
                d.error.as_deref().unwrap_or("failed")
            )?,
        }
    }
    Ok(())
}

/// Sorted entries of `dir` that are directories named `<prefix>…` (hidden ones are
/// never partitions: they include compaction's own temporary directories).
fn subdirs(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && entry.file_type()?.is_dir() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// `OUT/account_id=*/region=*/day=*` (only `day=<day>` with a day).
fn partition_dirs(out: &Path, day: Option<&str>) -> Result<Vec<PathBuf>> {
    let day_prefix = match day {
        Some(d) => format!("day={d}"),
        None => "day=".to_owned(),
    };
    let mut dirs = Vec::new();
    for account in subdirs(out, "account_id=")? {
        for region in subdirs(&account, "region=")? {
            for d in subdirs(&region, &day_prefix)? {
                let exact = d
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == day_prefix);
                if day.is_none() || exact {
                    dirs.push(d);
                }
            }
        }
    }
    Ok(dirs)
}

/// A summary file: a regular file named `*.parquet`, not hidden.
fn is_summary(name: &str) -> bool {
    !name.starts_with('.') && name.ends_with(".parquet")
}

/// Names in `dir`: (summary files, other entries), each sorted.
fn list(dir: &Path) -> Result<(Vec<String>, Vec<String>)> {
    let (mut summaries, mut others) = (Vec::new(), Vec::new());
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| anyhow!("{}: name is not UTF-8: {n:?}", dir.display()))?;
        if is_summary(&name) && entry.file_type()?.is_file() {
            summaries.push(name);
        } else {
            others.push(name);
        }
    }
    summaries.sort();
    others.sort();
    Ok((summaries, others))
}

fn compact_partition(dir: &Path) -> Result<PartitionReport> {
    let (summaries, others) = list(dir)?;
    let files: Vec<SummaryFile> = summaries
        .iter()
        .map(|name| read_summary(&dir.join(name)))
        .collect::<Result<_>>()?;
    let rows_before: usize = files.iter().map(|f| f.rows.len()).sum();
    let mut totals_before = Totals::default();
    for f in &files {
        totals_before.add(&Totals::of(&f.rows)?)?;
    }
    if files.len() <= 1 {
        return Ok(PartitionReport {
            dir: String::new(),
            status: "already_compact",
            files_before: files.len(),
            files_after: files.len(),
            rows_before,
            rows_after: rows_before,
            totals_before,
            totals_after: totals_before,
            file: None,
            error: None,
        });
    }
    let (rows, meta) = merge(files)?;
    let name = compacted_name(&summaries);
    let totals_after = Totals::of(&rows)?;
    if totals_after != totals_before {
        bail!("{}: merging changed the totals (a bug)", dir.display());
    }
    replace(dir, &summaries, &others, &name, &rows, &meta)?;
    Ok(PartitionReport {
        dir: String::new(),
        status: "compacted",
        files_before: summaries.len(),
        files_after: 1,
        rows_before,
        rows_after: rows.len(),
        totals_before,
        totals_after,
        file: Some(name),
        error: None,
    })
}

/// The compacted file of partition directory `dir` that already holds the rows of the
/// summary file `file_name` of input `input`, if one does: writing that file beside it
/// would count those rows twice. Known by the names a compacted file lists as merged
/// ([`flowpath_core::output::COMPACTED_FROM_KEY`]), or, for files compacted before that key, by its inputs.
pub(crate) fn compacted_holding(
    dir: &Path,
    file_name: &str,
    input: &str,
) -> Result<Option<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut compacted: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("compacted-") && n.ends_with(".parquet"))
        .collect();
    compacted.sort();
    for name in compacted {
        let path = dir.join(&name);
        let what = || format!("cannot read summary {}", path.display());
        let meta = read_file_meta(fs::File::open(&path).with_context(what)?).with_context(what)?;
        let holds = if meta.compacted_from.is_empty() {
            meta.inputs.iter().any(|i| i == input)
        } else {
            meta.compacted_from.iter().any(|m| m == file_name)
        };
        if holds {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// `compacted-<first 16 hex digits of the MD5 of the sorted names>.parquet`.
fn compacted_name(sorted_names: &[String]) -> String {
    let digest = Md5::digest(sorted_names.join("\n").as_bytes());
    format!("compacted-{}.parquet", crate::output::hex(&digest[..8]))
}

/// Distinct values, sorted and comma-separated (one value as is).
fn agree(values: impl Iterator<Item = String>) -> String {
    values
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(",")
}

/// The files' rows, summed per key and sorted, and the merged footer metadata.
fn merge(files: Vec<SummaryFile>) -> Result<(Vec<Row>, FileMeta)> {
    // Each input once: its counts, and which file named it.
    let mut inputs: BTreeMap<String, &str> = BTreeMap::new();
    let mut counts = Counts::default();
    for f in &files {
        for input in &f.inputs {
            if let Some(other) = inputs.insert(input.clone(), &f.name) {
                bail!(
                    "input {input} is in both {other} and {}: it was summarized twice \
                     into this partition and its rows would count twice; remove one",
                    f.name
                );
            }
        }
        counts.read += f.counts.read;
        counts.ok += f.counts.ok;
        counts.nodata += f.counts.nodata;
        counts.skipdata += f.counts.skipdata;
        counts.malformed += f.counts.malformed;
    }
    // Every per-input file merged, also through an earlier compaction.
    let compacted_from: BTreeSet<String> = files
        .iter()
        .flat_map(|f| {
            let own = (f.compacted_from.is_empty()).then(|| f.name.clone());
            f.compacted_from.iter().cloned().chain(own)
        })
        .collect();
    let meta = FileMeta {
        ranges_sync_token: agree(files.iter().map(|f| f.sync_token.clone())),
        ranges_create_date: agree(files.iter().map(|f| f.create_date.clone())),
        inputs: inputs.into_keys().collect(),
        counts,
        compacted_from: compacted_from.into_iter().collect(),
        tag_keys: union(files.iter().map(|f| &f.tag_keys)),
    };
    let mut all: Vec<Row> = files.into_iter().flat_map(|f| f.rows).collect();
    all.sort();
    let mut rows: Vec<Row> = Vec::with_capacity(all.len());
    for row in all {
        match rows.last_mut() {
            Some(last) if last.same_group(&row) => {
                last.flows = last.flows.checked_add(row.flows).ok_or_else(too_large)?;
                last.packets = sum_counts(last.packets, row.packets)?;
                last.bytes = sum_counts(last.bytes, row.bytes)?;
            }
            _ => rows.push(row),
        }
    }
    Ok((rows, meta))
}

/// Reads a summary file: its rows (partition fields left empty: they are the same
/// for the whole directory) and its footer, through the core's reader.
fn read_summary(path: &Path) -> Result<SummaryFile> {
    let what = || format!("cannot read summary {}", path.display());
    let file = fs::File::open(path).with_context(what)?;
    let summary = flowpath_core::output::read_summary(file).with_context(what)?;
    let FileMeta {
        ranges_sync_token,
        ranges_create_date,
        inputs,
        counts,
        compacted_from,
        tag_keys,
    } = summary.meta;
    Ok(SummaryFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows: summary.rows,
        inputs,
        counts,
        sync_token: ranges_sync_token,
        create_date: ranges_create_date,
        compacted_from,
        tag_keys,
    })
}

/// The tag keys of every file, each once, in order of first appearance: the merged
/// file has every file's tag columns.
fn union<'a>(lists: impl Iterator<Item = &'a Vec<String>>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for k in lists.flatten() {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// Builds the new partition directory beside `dir` and exchanges it with `dir`.
fn replace(
    dir: &Path,
    summaries: &[String],
    others: &[String],
    name: &str,
    rows: &[Row],
    meta: &FileMeta,
) -> Result<()> {
    let parent = dir
        .parent()
        .ok_or_else(|| anyhow!("{}: no parent directory", dir.display()))?;
    let live = dir
        .file_name()
        .ok_or_else(|| anyhow!("{}: no name", dir.display()))?
        .to_string_lossy()
        .into_owned();
    let temp_name = format!(".{live}.compact-{}", std::process::id());
    let temp = parent.join(&temp_name);
    if temp.exists() {
        // Left by an earlier run of a process with the same id, which crashed.
        fs::remove_dir_all(&temp).with_context(|| format!("cannot remove {}", temp.display()))?;
    }
    fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
    let exchanged = (|| -> Result<()> {
        let path = temp.join(name);
        write_atomic(&path, |w| {
            write_parquet(w, rows, meta).with_context(|| format!("cannot write {}", path.display()))
        })?;
        // The merged file is read back before it replaces anything.
        let check = read_summary(&path)?;
        if Totals::of(&check.rows)? != Totals::of(rows)? || check.rows.len() != rows.len() {
            bail!("{}: read back with other totals", path.display());
        }
        for other in others {
            let (from, to) = (dir.join(other), temp.join(other));
            let meta = fs::symlink_metadata(&from)
                .with_context(|| format!("cannot stat {}", from.display()))?;
            if !meta.is_file() {
                bail!(
                    "{}: not a regular file; compact leaves partitions with such entries alone",
                    from.display()
                );
            }
            // A hard link keeps the same file (a writer's open temporary file stays
            // the one it renames); a copy where links are impossible.
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).with_context(|| {
                    format!("cannot copy {} to {}", from.display(), to.display())
                })?;
            }
        }
        sync_dir(&temp)?;
        exchange(parent, &temp_name, &live)
    })();
    if let Err(err) = exchanged {
        let _ignored = fs::remove_dir_all(&temp);
        return Err(err);
    }
    // `temp` now holds the old files. Entries written after `dir` was listed go back
    // into the live directory; then the old directory goes.
    let consumed: BTreeSet<&str> = summaries.iter().chain(others).map(String::as_str).collect();
    let (late_summaries, late_others) = list(&temp)?;
    for late in late_summaries.iter().chain(&late_others) {
        if consumed.contains(late.as_str()) || dir.join(late).exists() {
            continue;
        }
        fs::rename(temp.join(late), dir.join(late))
            .with_context(|| format!("cannot move {late} back into {}", dir.display()))?;
    }
    fs::remove_dir_all(&temp).with_context(|| format!("cannot remove {}", temp.display()))?;
    sync_dir(parent)?;
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

/// Exchanges `a` and `b` in `parent` atomically (Linux `renameat2(RENAME_EXCHANGE)`).
fn exchange(parent: &Path, a: &str, b: &str) -> Result<()> {
    use rustix::fs::{RenameFlags, renameat_with};
    use rustix::io::Errno;
    let fd = fs::File::open(parent).with_context(|| format!("cannot open {}", parent.display()))?;
    match renameat_with(&fd, a, &fd, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Err(anyhow!(
            "the file system of {} cannot exchange two directories atomically \
             (renameat2 RENAME_EXCHANGE: {e}); nothing was changed, and compact does not \
             fall back to a non-atomic replacement",
            parent.display()
        )),
        Err(e) => Err(io::Error::from(e))
            .with_context(|| format!("cannot exchange {a} and {b} in {}", parent.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_agreement() {
        let a = compacted_name(&["a.parquet".into(), "b.parquet".into()]);
        assert!(a.starts_with("compacted-") && a.ends_with(".parquet"));
        assert_ne!(a, compacted_name(&["a.parquet".into()]));
        assert_eq!(agree(["x".to_owned(), "x".to_owned()].into_iter()), "x");
        assert_eq!(agree(["y".to_owned(), "x".to_owned()].into_iter()), "x,y");
        assert!(is_summary("a.parquet") && !is_summary(".a.parquet") && !is_summary("a.json"));
    }
}
