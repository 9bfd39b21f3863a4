//! `flowpath compact`, run as a user runs it: summaries of the fixtures (and copies of
//! them, to put several files in one partition) compacted in temporary directories,
//! read back with arrow.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use common::{flowpath, json, ok, root};
use flowpath_testkit::{Row, SummaryFile, read_summary, snapshot};
use serde_json::Value;

const DAY1: &str = "2026-08-22";
const DAY2: &str = "2026-08-23";

/// Summaries of the fixtures, of three copies of `v2-default.log` and of two copies
/// shifted by a day (partition `day=2026-08-23`), plus a non-Parquet file in one
/// partition.
fn setup(dir: &Path) -> PathBuf {
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/flowlogs/v2-default.log")).unwrap();
    for name in ["a.log", "b.log", "c.log"] {
        std::fs::write(inputs.join(name), &text).unwrap();
    }
    let shifted: String = text
        .lines()
        .map(|line| {
            let mut f: Vec<String> = line.split(' ').map(str::to_owned).collect();
            for i in [10, 11] {
                if let Ok(t) = f[i].parse::<i64>() {
                    f[i] = (t + 86_400).to_string();
                }
            }
            f.join(" ") + "\n"
        })
        .collect();
    for name in ["shifted-1.log", "shifted-2.log"] {
        std::fs::write(inputs.join(name), &shifted).unwrap();
    }
    let out = dir.join("out");
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        inputs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    std::fs::write(
        out.join(format!(
            "account_id=123456789012/region=unknown/day={DAY1}/notes.txt"
        )),
        "kept",
    )
    .unwrap();
    out
}

/// Partition directories (relative) and their `*.parquet` files.
fn partitions(out: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut map = BTreeMap::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if flowpath_testkit::is_vpc_summary(out, &p) {
                let rel = d.strip_prefix(out).unwrap().display().to_string();
                map.entry(rel).or_insert_with(Vec::new).push(p);
            }
        }
    }
    for files in map.values_mut() {
        files.sort();
    }
    map
}

fn read(bytes: Vec<u8>) -> SummaryFile {
    read_summary(bytes)
}

fn totals(rows: &[Row]) -> [i64; 3] {
    let sum = |f: fn(&Row) -> i64| -> i64 { rows.iter().map(f).sum() };
    [
        sum(|r| r.flows),
        sum(|r| r.packets.unwrap_or(0)),
        sum(|r| r.bytes.unwrap_or(0)),
    ]
}

fn add(a: &mut [i64; 3], b: [i64; 3]) {
    for i in 0..3 {
        a[i] += b[i];
    }
}

type Key = (Option<i64>, Vec<Option<String>>, Option<i32>);

fn keys(rows: &[Row]) -> Vec<Key> {
    rows.iter()
        .map(|r| {
            let t = vec![
                r.vpc_id.clone(),
                r.subnet_id.clone(),
                r.interface_id.clone(),
                r.interface_kind.clone(),
                Some(r.direction.clone()),
                Some(r.path.clone()),
                Some(r.attribution.clone()),
                r.gateway_id.clone(),
                r.remote_service.clone(),
                r.remote_region.clone(),
                r.action.clone(),
            ];
            (r.window_start, t, r.protocol)
        })
        .collect()
}

/// Every file under `dir` and its bytes.
#[test]
fn compacts_each_partition_keeping_totals_and_a_second_run_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let before = partitions(&out);
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(before.values().all(|f| f.len() > 1), "{before:?}");

    // Per partition: totals, rows, input union, counts of each input.
    let mut expected = BTreeMap::new();
    let mut all_before = [0i64; 3];
    for (dir, files) in &before {
        let mut t = [0i64; 3];
        let mut rows = 0;
        let mut inputs = BTreeSet::new();
        let mut read_counts = 0u64;
        for f in files {
            let file = read(std::fs::read(f).unwrap());
            add(&mut t, totals(&file.rows));
            rows += file.rows.len();
            let ins = &file.meta.inputs;
            assert_eq!(ins.len(), 1);
            if inputs.insert(ins[0].clone()) {
                read_counts += file.meta.counts.read;
            }
        }
        add(&mut all_before, t);
        expected.insert(dir.clone(), (t, rows, inputs, read_counts));
    }

    let report = json(&ok(flowpath(&["compact", out.to_str().unwrap(), "--json"])));
    assert_eq!(report["partitions"], 3);
    assert_eq!(report["compacted"], 3);
    assert_eq!(report["already_compact"], 0);
    assert_eq!(report["files_after"], 3);
    let files_before: usize = before.values().map(Vec::len).sum();
    assert_eq!(report["files_before"], files_before);
    let t = |v: &Value| [&v["flows"], &v["packets"], &v["bytes"]].map(|x| x.as_i64().unwrap());
    assert_eq!(t(&report["totals_before"]), all_before);
    assert_eq!(t(&report["totals_after"]), all_before);

    let after = partitions(&out);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (dir, files) in &after {
        assert_eq!(files.len(), 1, "{dir}: {files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("compacted-"), "{name}");
        let file = read(std::fs::read(&files[0]).unwrap());
        let (t, rows, inputs, read_counts) = &expected[dir];
        assert_eq!(totals(&file.rows), *t, "{dir}: totals");
        assert!(file.rows.len() <= *rows);
        let k = keys(&file.rows);
        assert!(
            k.windows(2).all(|w| w[0] < w[1]),
            "{dir}: rows sorted, one per key"
        );
        assert_eq!(
            file.meta.inputs,
            inputs.iter().cloned().collect::<Vec<_>>(),
            "{dir}: inputs are the union"
        );
        assert_eq!(file.meta.counts.read, *read_counts);
        assert_eq!(file.meta.ranges_sync_token, "1787411825");
    }
    // The copies of v2-default.log share every key: their rows were summed.
    let day1 = format!("account_id=123456789012/region=unknown/day={DAY1}");
    assert!(report["rows_after"].as_u64() < report["rows_before"].as_u64());
    assert_eq!(
        std::fs::read_to_string(out.join(&day1).join("notes.txt")).unwrap(),
        "kept"
    );
    // No temporary directory is left.
    let region = out.join("account_id=123456789012/region=unknown");
    let names: Vec<String> = std::fs::read_dir(&region)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    // A second run changes nothing.
    let snap = snapshot(&out);
    let o = ok(flowpath(&["compact", out.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("0 compacted, 3 already compact"), "{text}");
    assert!(text.contains(&format!("already compact {day1}")), "{text}");
    assert_eq!(snapshot(&out), snap, "same files, same bytes");
    let again = json(&ok(flowpath(&["compact", out.to_str().unwrap(), "--json"])));
    assert_eq!(again["already_compact"], 3);
    assert_eq!(t(&again["totals_after"]), all_before);
}

#[test]
fn day_limits_the_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let report = json(&ok(flowpath(&[
        "compact",
        out.to_str().unwrap(),
        "--day",
        DAY2,
        "--json",
    ])));
    assert_eq!(report["partitions"], 1);
    assert_eq!(report["compacted"], 1);
    for (dir, files) in partitions(&out) {
        if dir.ends_with(&format!("day={DAY2}")) {
            assert_eq!(files.len(), 1, "{dir}");
        } else {
            assert!(files.len() > 1, "{dir}: left alone");
        }
    }
}

#[test]
fn an_input_in_two_files_of_a_partition_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let dir = out.join(format!("account_id=123456789012/region=unknown/day={DAY2}"));
    let original =
        partitions(&out)[&format!("account_id=123456789012/region=unknown/day={DAY2}")][0].clone();
    let copy = std::fs::read(&original).unwrap();
    ok(flowpath(&["compact", out.to_str().unwrap(), "--day", DAY2]));
    // The same input summarized again after compaction.
    std::fs::write(dir.join("again.parquet"), &copy).unwrap();
    let snap = snapshot(&out);
    let o = flowpath(&["compact", out.to_str().unwrap(), "--day", DAY2]);
    assert!(!o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("summarized twice"), "{text}");
    assert_eq!(snapshot(&out), snap, "nothing changed");
}

#[test]
fn s3_outputs_are_refused() {
    let o = flowpath(&["compact", "s3://bucket/prefix"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no atomic replacement"), "{err}");
}

/// A reader listing and reading the partition in a loop, while it is compacted again
/// and again (and re-filled with the per-input files between runs), sees the totals
/// of the old files or of the merged one, which are equal: never both (double) and
/// never neither (zero).
#[test]
fn a_concurrent_reader_never_sees_both_or_neither() {
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let rel = format!("account_id=123456789012/region=unknown/day={DAY1}");
    let dir = out.join(&rel);
    let originals: Vec<(PathBuf, Vec<u8>)> = partitions(&out)[&rel]
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect();
    assert!(originals.len() > 1);
    let mut expected = [0i64; 3];
    for (_, bytes) in &originals {
        add(&mut expected, totals(&read(bytes.clone()).rows));
    }

    // The re-fill takes the write lock, a read takes the read lock; compaction none.
    let lock = Arc::new(RwLock::new(()));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (lock, stop, dir) = (Arc::clone(&lock), Arc::clone(&stop), dir.clone());
        std::thread::spawn(move || {
            let (mut old, mut new, mut retries) = (0u32, 0u32, 0u32);
            while !stop.load(Ordering::Relaxed) {
                let _guard = lock.read().unwrap();
                let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "parquet")
                            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                    })
                    .collect();
                names.sort();
                let mut sum = [0i64; 3];
                let mut vanished = false;
                for p in &names {
                    match std::fs::read(p) {
                        Ok(bytes) => add(&mut sum, totals(&read(bytes).rows)),
                        // Listed before the exchange, opened after: read again.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                            vanished = true;
                            break;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                if vanished {
                    retries += 1;
                    continue;
                }
                assert_eq!(sum, expected, "files seen: {names:?}");
                if names.len() == 1 {
                    new += 1;
                } else {
                    old += 1;
                }
            }
            (old, new, retries)
        })
    };

    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_millis(1500) {
        {
            let _guard = lock.write().unwrap();
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "parquet") {
                    std::fs::remove_file(p).unwrap();
                }
            }
            for (p, bytes) in &originals {
                std::fs::write(p, bytes).unwrap();
            }
        }
        let report = json(&ok(flowpath(&[
            "compact",
            out.to_str().unwrap(),
            "--day",
            DAY1,
            "--json",
        ])));
        assert_eq!(report["failed"], 0);
        runs += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let (old, new, retries) = reader.join().unwrap();
    assert!(runs >= 2, "{runs} runs");
    assert!(
        old > 0 && new > 0,
        "the reader saw both states: old {old}, new {new}, retries {retries}"
    );
}
