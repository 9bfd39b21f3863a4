//! Finding the summary files of a local output and reading them into a [`Tally`]
//! (`s3` does the same for an S3 output, with the same partition rules and sums).
//!
//! Files are `OUT/account_id=<a>/region=<r>/day=<d>/<name>.parquet`, and the transit
//! gateway summaries' `OUT/transit_gateway/account_id=…` likewise; entries whose
//! name starts with `.` or `_` are skipped at every level (`_flowpath/` holds
//! bookkeeping, `.day=…` directories are compaction's temporaries). Partition values
//! are percent-decoded (the writer escapes `/`, `=`, `%`, …). With `--from`/`--to`,
//! only partitions whose day is a date within the range are read.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use flowpath_core::output::{Row, read_rows};
use flowpath_core::talkers::{self, TalkerRow};
use flowpath_core::transit::{self, TransitRow};
use rayon::prelude::*;

use super::model::{Tally, is_date};

/// A summary file and its partition values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SummaryFile {
    pub(crate) path: PathBuf,
    pub(crate) table: Table,
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) day: String,
}

/// Which summary table a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    /// The VPC flow-log summaries, `OUT/account_id=…`.
    Flows,
    /// The transit gateway summaries, `OUT/transit_gateway/account_id=…`.
    TransitGateway,
    /// The top talkers, `OUT/top_talkers/account_id=…`.
    TopTalkers,
}

impl Table {
    /// Both tables, with their directory under an output (`""`: the output itself).
    pub(crate) const ALL: [(Table, &'static str); 3] = [
        (Table::Flows, ""),
        (Table::TransitGateway, transit::TABLE_DIR),
        (Table::TopTalkers, talkers::TABLE_DIR),
    ];
}

/// Which days to read (inclusive; `YYYY-MM-DD`, so text order is date order).
#[derive(Clone, Debug, Default)]
pub(crate) struct Days {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

impl Days {
    /// Whether partition day `day` is read.
    pub(crate) fn contains(&self, day: &str) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        is_date(day)
            && self.from.as_deref().is_none_or(|f| day >= f)
            && self.to.as_deref().is_none_or(|t| day <= t)
    }
}

/// The value of a partition directory's name `<key>=<value>`, percent-decoded; `None`
/// for another key, or a hidden or bookkeeping name (`.…`, `_…`).
pub(crate) fn partition_value(name: &str, key: &str) -> Option<String> {
    if name.starts_with(['.', '_']) {
        return None;
    }
    let v = name.strip_prefix(key)?.strip_prefix('=')?;
    Some(
        percent_encoding::percent_decode_str(v)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// Whether a file name in a partition is a summary (not hidden or bookkeeping: `.…`
/// are compaction's temporaries).
pub(crate) fn is_summary_file(name: &str) -> bool {
    name.ends_with(".parquet") && !name.starts_with(['.', '_'])
}

/// Entries of `dir` named `<key>=<value>` (value percent-decoded), not hidden,
/// sorted; `dirs` selects directories, else regular files.
fn entries(dir: &Path, key: Option<&str>, dirs: bool) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(['.', '_']) {
            continue;
        }
        let file_type = entry
            .file_type()
            .with_context(|| format!("cannot stat {}", entry.path().display()))?;
        // Follow symbolic links as a reader of the directory would.
        let is_dir = if file_type.is_symlink() {
            entry.path().is_dir()
        } else {
            file_type.is_dir()
        };
        if is_dir != dirs {
            continue;
        }
        let value = match key {
            Some(key) => match partition_value(&name, key) {
                Some(v) => v,
                None => continue,
            },
            None if is_summary_file(&name) => name,
            None => continue,
        };
        out.push((entry.path(), value));
    }
    out.sort();
    Ok(out)
}

/// The summary files under `out` (both tables) whose day `days` contains, sorted by
/// path.
pub(crate) fn find(out: &Path, days: &Days) -> Result<Vec<SummaryFile>> {
    let mut files = find_table(out, Table::Flows, days)?;
    for (table, dir) in &Table::ALL[1..] {
        let dir = out.join(dir);
        if dir.is_dir() {
            files.extend(find_table(&dir, *table, days)?);
        }
    }
    Ok(files)
}

/// The summary files of one table's directory.
fn find_table(out: &Path, table: Table, days: &Days) -> Result<Vec<SummaryFile>> {
    let mut files = Vec::new();
    for (account_dir, account_id) in entries(out, Some("account_id"), true)? {
        for (region_dir, region) in entries(&account_dir, Some("region"), true)? {
            for (day_dir, day) in entries(&region_dir, Some("day"), true)? {
                if !days.contains(&day) {
                    continue;
                }
                for (path, _) in entries(&day_dir, None, false)? {
                    files.push(SummaryFile {
                        path,
                        table,
                        account_id: account_id.clone(),
                        region: region.clone(),
                        day: day.clone(),
                    });
                }
            }
        }
    }
    Ok(files)
}

/// Reads one summary file into a tally.
fn read_one(file: &SummaryFile) -> Result<Tally> {
    let what = || format!("cannot read summary {}", file.path.display());
    let f = fs::File::open(&file.path).with_context(what)?;
    let name = file.path.display().to_string();
    let partition = (&*file.account_id, &*file.region, &*file.day);
    match file.table {
        Table::Flows => tally_rows(&name, partition, read_rows(f).with_context(what)?),
        Table::TransitGateway => {
            tally_transit_rows(&name, partition, transit::read_rows(f).with_context(what)?)
        }
        Table::TopTalkers => {
            tally_talker_rows(&name, partition, talkers::read_rows(f).with_context(what)?)
        }
    }
}

/// One top-talkers file's rows as a tally: each group's rows are one sketch.
pub(crate) fn tally_talker_rows(
    name: &str,
    (account_id, region, _): (&str, &str, &str),
    rows: Vec<TalkerRow>,
) -> Result<Tally> {
    let mut tally = Tally::default();
    tally.files = 1;
    if rows.iter().any(|r| {
        r.bytes < 0 || r.bytes_error < 0 || r.bytes_error > r.bytes || r.unlisted_bytes_at_most < 0
    }) {
        bail!(
            "{name}: a top-talkers row with negative bytes or an error past them: not a flowpath file"
        );
    }
    tally
        .add_talkers(account_id, region, &rows)
        .with_context(|| format!("{name}: not a flowpath top-talkers file"))?;
    Ok(tally)
}

/// The checks every row passes before a tally adds it, whichever table it is from
/// (`counts`: flows, packets, bytes): no count below zero, and the bytes of the file's
/// rows within INT64. The report's sums are all sums of some rows' bytes, so with
/// these (and the same check across files in `merge`) none of them can pass it.
fn count_row(
    tally: &mut Tally,
    name: &str,
    (flows, packets, bytes): (i64, Option<i64>, Option<i64>),
) -> Result<()> {
    if flows < 0 || packets.is_some_and(|p| p < 0) || bytes.is_some_and(|b| b < 0) {
        bail!("{name}: a row with negative counts: not a flowpath summary");
    }
    tally.all_bytes += bytes.map_or(0, i128::from);
    if tally.all_bytes > i128::from(i64::MAX) {
        return Err(too_many_bytes(tally.all_bytes));
    }
    Ok(())
}

/// One transit gateway summary file's rows as a tally ([`tally_rows`]'s checks).
pub(crate) fn tally_transit_rows(
    name: &str,
    (_, region, day): (&str, &str, &str),
    rows: Vec<TransitRow>,
) -> Result<Tally> {
    let mut tally = Tally::default();
    tally.files = 1;
    tally.transit_files = 1;
    for row in rows {
        count_row(&mut tally, name, (row.flows, row.packets, row.bytes))?;
        tally.add_transit(region, day, &row);
    }
    Ok(tally)
}

/// One summary file's rows (`name` in errors; `partition`: account, region, day) as a
/// tally.
pub(crate) fn tally_rows(
    name: &str,
    (account_id, region, day): (&str, &str, &str),
    rows: Vec<Row>,
) -> Result<Tally> {
    let mut tally = Tally::default();
    tally.files = 1;
    for row in rows {
        count_row(&mut tally, name, (row.flows, row.packets, row.bytes))?;
        tally.add(account_id, region, day, &row);
    }
    Ok(tally)
}

/// Reads the files (in parallel) into one tally; the first failure, in path order,
/// is the error.
pub(crate) fn read(files: &[SummaryFile]) -> Result<Tally> {
    let tallies: Vec<Result<Tally>> = files.par_iter().map(read_one).collect();
    merge(tallies)
}

/// The files' tallies (in file order) as one; the first failure is the error.
pub(crate) fn merge(tallies: Vec<Result<Tally>>) -> Result<Tally> {
    let mut total = Tally::default();
    for t in tallies {
        let t = t?;
        // Checked before the sums are added, so no sum of the merge can pass INT64.
        let all = total.all_bytes + t.all_bytes;
        if all > i128::from(i64::MAX) {
            return Err(too_many_bytes(all));
        }
        total.merge(t);
    }
    Ok(total)
}

fn too_many_bytes(bytes: i128) -> anyhow::Error {
    anyhow!(
        "these summaries hold {bytes} bytes in all, past 9223372036854775807 (INT64): the \
         report's sums would not fit; report fewer days or accounts (--from, --to)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_partitions_and_skips_hidden_and_bookkeeping() {
        let dir = tempfile::tempdir().unwrap();
        let mk = |rel: &str| {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, b"x").unwrap();
        };
        mk("account_id=1/region=eu-west-1/day=2026-08-22/a.parquet");
        mk("account_id=1/region=eu-west-1/day=2026-08-22/.a.parquet.tmp-1");
        mk("account_id=1/region=eu-west-1/day=2026-08-22/_b.parquet");
        mk("account_id=1/region=eu-west-1/day=2026-08-22/notes.txt");
        mk("account_id=1/region=eu-west-1/.day=2026-08-22.compact-9/c.parquet");
        mk("account_id=1/region=eu-west-1/day=2026-08-23/d.parquet");
        mk("account_id=1/region=a%2Fb/day=unknown/e.parquet");
        mk("_flowpath/done/x.json");
        mk("account_id=_x/region=r/day=2026-08-22/f.parquet");
        let all = find(dir.path(), &Days::default()).unwrap();
        let names: Vec<(String, &str, &str)> = all
            .iter()
            .map(|f| {
                (
                    f.path.file_name().unwrap().to_string_lossy().into_owned(),
                    f.region.as_str(),
                    f.day.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("e.parquet".to_owned(), "a/b", "unknown"),
                ("a.parquet".to_owned(), "eu-west-1", "2026-08-22"),
                ("d.parquet".to_owned(), "eu-west-1", "2026-08-23"),
                ("f.parquet".to_owned(), "r", "2026-08-22"),
            ]
        );
        let days = Days {
            from: Some("2026-08-23".into()),
            to: None,
        };
        let some = find(dir.path(), &days).unwrap();
        assert_eq!(some.len(), 1);
        assert_eq!(some[0].day, "2026-08-23");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir
            .path()
            .join("account_id=1/region=r/day=2026-08-22/bad.parquet");
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, b"not parquet").unwrap();
        let files = find(dir.path(), &Days::default()).unwrap();
        let err = format!("{:#}", read(&files).unwrap_err());
        assert!(err.contains("cannot read summary"), "{err}");
        assert!(err.contains("bad.parquet"), "{err}");
    }
}
