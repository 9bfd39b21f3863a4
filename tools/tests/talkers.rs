//! `OUT/top_talkers/`: the remote addresses and ports that carry the most bytes per
//! hour, VPC, path, gateway and service, from a Space-Saving sketch of fixed size.
//! Generated flow logs (written as AWS writes v5 records with `traffic-path`, to
//! the internet through an internet gateway) give a skewed hour (three heavy
//! addresses among 3,000 light ones) and a uniform hour (600 addresses alike), in
//! two files read on two threads: every row's bound is checked
//! against the exact count, read back through the core's reader and in DuckDB.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use common::{duckdb_rows, flowpath, json, ok, parquet_table, stdout};
use flowpath_core::talkers::{ADDRESS, PORT, TalkerRow};
use flowpath_testkit::files_under;

const HEADER: &str = "version account-id region vpc-id interface-id srcaddr dstaddr srcport \
                      dstport protocol packets bytes start end action log-status traffic-path \
                      flow-direction";
/// 2026-08-22T10:00:00Z.
const HOUR: i64 = 1_787_392_800;

/// One egress record from the instance to `remote`, through an internet gateway.
fn record(out: &mut String, remote: &str, port: u16, bytes: u64, start: i64) {
    writeln!(
        out,
        "5 123456789012 eu-west-1 vpc-0abc1234def567890 eni-0a1b2c3d4e5f60011 10.0.1.15 \
         {remote} 49152 {port} 6 10 {bytes} {start} {} ACCEPT OK 8 egress",
        start + 60
    )
    .unwrap();
}

/// Exact bytes per (hour, talker).
type Exact<T> = BTreeMap<(i64, T), u64>;

/// Writes the two logs; the exact bytes per (hour, address) and (hour, port).
fn logs(dir: &Path) -> (Exact<String>, Exact<u16>) {
    let mut exact_addresses = BTreeMap::new();
    let mut exact_ports = BTreeMap::new();
    let mut files = [String::from(HEADER), String::from(HEADER)];
    for f in &mut files {
        f.push('\n');
    }
    let mut n = 0usize;
    let mut add = |remote: String, port: u16, bytes: u64, start: i64| {
        record(&mut files[n % 2], &remote, port, bytes, start);
        n += 1;
        *exact_addresses
            .entry((start - start % 3600, remote))
            .or_insert(0) += bytes;
        *exact_ports.entry((start - start % 3600, port)).or_insert(0) += bytes;
    };
    // The skewed hour: 3,000 light addresses (198.51.100.x / 203.0.113.x, 1-3 records
    // each), and three heavy ones spread among them.
    for i in 0..3000u32 {
        let light = format!("198.51.{}.{}", 100 + i / 250, i % 250);
        add(
            light,
            443,
            1_000 + u64::from(i % 7),
            HOUR + i64::from(i % 3000),
        );
        if i % 100 == 0 {
            for (heavy, bytes) in [
                ("203.0.113.1", 400_000),
                ("203.0.113.2", 200_000),
                ("203.0.113.3", 100_000),
            ] {
                add(heavy.to_owned(), 8443, bytes, HOUR + i64::from(i % 3000));
            }
        }
    }
    // The uniform hour: 600 addresses alike, on 600 ports.
    for i in 0..600u32 {
        add(
            format!("192.0.2.{}", i % 200),
            20_000 + (i % 600) as u16,
            5_000,
            HOUR + 3600 + i64::from(i),
        );
    }
    for (i, f) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("part-{i}.log")), f).unwrap();
    }
    (exact_addresses, exact_ports)
}

fn talker_rows(out: &Path) -> Vec<TalkerRow> {
    files_under(&out.join("top_talkers"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .flat_map(|p| flowpath_core::talkers::read_rows(std::fs::File::open(p).unwrap()).unwrap())
        .collect()
}

#[test]
fn each_row_bounds_its_talkers_bytes_on_skewed_and_uniform_hours() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let (exact_addresses, exact_ports) = logs(&input);
    let out = dir.path().join("out");
    let report = json(&ok(flowpath(&[
        "summarize",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--top-talkers",
        "5",
        "--threads",
        "2",
        "--json",
    ])));
    assert_eq!(report["counts"]["malformed"], 0, "{report:#}");
    assert_eq!(report["counts"]["ok"], 3690);

    let rows = talker_rows(&out);
    assert!(!rows.is_empty());
    // Each file is its own summary: merge the files' rows per hour as the report does,
    // and check every row of every file against the exact count of its own file
    // first: a row's bounds hold for the records of its file.
    let by_file: BTreeMap<(i64, &str), Vec<&TalkerRow>> =
        rows.iter().fold(BTreeMap::new(), |mut m, r| {
            m.entry((r.window_start.unwrap(), r.talker.as_str()))
                .or_default()
                .push(r);
            m
        });
    for ((hour, talker), rows) in &by_file {
        assert!(rows.iter().all(|r| r.path == "internet_gateway"));
        for r in rows {
            assert_eq!(r.exact, r.bytes_error == 0);
            assert!(r.bytes_error <= r.unlisted_bytes_at_most, "{r:?}");
            assert!(r.rank >= 1 && r.rank <= 5, "{r:?}");
        }
        // Over both files: the listed upper bounds cover the truth.
        let mut upper: BTreeMap<String, i64> = BTreeMap::new();
        for r in rows {
            let item = match *talker {
                t if t == ADDRESS => r.remote_address.clone().unwrap(),
                t if t == PORT => r.remote_port.unwrap().to_string(),
                other => panic!("talker {other}"),
            };
            *upper.entry(item).or_default() += r.bytes;
        }
        let floor_sum: i64 = rows
            .iter()
            .filter(|r| r.rank == 1)
            .map(|r| r.unlisted_bytes_at_most)
            .sum();
        let exact: Vec<(String, u64)> = if *talker == ADDRESS {
            exact_addresses
                .iter()
                .filter(|((h, _), _)| h == hour)
                .map(|((_, a), b)| (a.clone(), *b))
                .collect()
        } else {
            exact_ports
                .iter()
                .filter(|((h, _), _)| h == hour)
                .map(|((_, p), b)| (p.to_string(), *b))
                .collect()
        };
        for (item, truth) in &exact {
            // A talker listed in no file carried at most each file's floor; listed in
            // some, at most its counts plus the others' floors.
            let bound = upper.get(item).copied().unwrap_or(0) + floor_sum;
            assert!(
                *truth as i64 <= bound,
                "{hour} {item}: {truth} over {bound}"
            );
        }
        let group_bytes: i64 = rows
            .iter()
            .filter(|r| r.rank == 1)
            .map(|r| r.group_bytes)
            .sum();
        assert_eq!(
            group_bytes as u64,
            exact.iter().map(|(_, b)| b).sum::<u64>(),
            "{hour} {talker}: each byte once"
        );
    }

    // The skewed hour: the heavy addresses lead every file's list, in order, and
    // within the sketch's error of their bytes; the uniform hour's lists are bounds,
    // with a floor for everyone unlisted.
    for r in rows
        .iter()
        .filter(|r| r.window_start == Some(HOUR) && r.talker == ADDRESS)
    {
        let heavy = ["203.0.113.1", "203.0.113.2", "203.0.113.3"];
        if r.rank <= 3 {
            assert_eq!(
                r.remote_address.as_deref(),
                Some(heavy[r.rank as usize - 1]),
                "{r:?}"
            );
            // Space-Saving's bound: at most the group's bytes over the capacity (2K).
            assert!(r.bytes_error <= r.group_bytes / 10, "{r:?}");
        }
    }
    let uniform: Vec<&TalkerRow> = rows
        .iter()
        .filter(|r| r.window_start == Some(HOUR + 3600))
        .collect();
    assert!(uniform.iter().any(|r| !r.exact));
    assert!(uniform.iter().all(|r| r.unlisted_bytes_at_most > 0));

    // The report merges the hours and files behind the gateway: the heavy addresses
    // first, then the ports.
    let report = json(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--top",
        "3",
        "--json",
    ])));
    let igw = &report["top_talkers"][0];
    assert_eq!(igw["path"], "internet_gateway");
    assert_eq!(igw["service"], "INTERNET");
    let listed: Vec<&str> = igw["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["talker"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["203.0.113.1", "203.0.113.2", "203.0.113.3"],
        "{igw:#}"
    );
    assert_eq!(igw["ports"][0]["talker"], "8443");
    let heavy_truth = exact_addresses[&(HOUR, "203.0.113.1".to_owned())] as i64;
    let top = &igw["addresses"][0];
    let (bytes, error) = (
        top["bytes"].as_i64().unwrap(),
        top["error"].as_i64().unwrap(),
    );
    assert!(
        bytes - error <= heavy_truth && heavy_truth <= bytes,
        "{top:#}"
    );
    let text = stdout(&ok(flowpath(&["report", out.to_str().unwrap()])));
    assert!(
        text.contains("Top talkers behind NAT and internet gateways"),
        "{text}"
    );

    // DuckDB reads the table as Athena would.
    let Some(rows) = duckdb_rows(&format!(
        "SELECT remote_address FROM {} WHERE talker = 'address' AND rank <= 3 \
         AND window_start = TIMESTAMP '2026-08-22 10:00:00' GROUP BY ALL \
         ORDER BY SUM(bytes) DESC",
        parquet_table(&out.join("top_talkers"))
    )) else {
        return;
    };
    assert_eq!(
        rows,
        "('203.0.113.1',)\n('203.0.113.2',)\n('203.0.113.3',)\n"
    );
}

#[test]
fn the_table_is_written_only_when_asked_for_twenty_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        plain.to_str().unwrap(),
    ]));
    assert!(!plain.join("top_talkers").exists());
    assert!(plain.join("account_id=123456789012").is_dir());
    let text = stdout(&ok(flowpath(&["report", plain.to_str().unwrap()])));
    assert!(
        text.contains("Top talkers: none in these summaries; summarize with --top-talkers"),
        "{text}"
    );

    // `--top-talkers` alone: up to 20 of each, exact on these few talkers.
    let out = dir.path().join("out");
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--inventory",
        "fixtures/inventory",
        "--out",
        out.to_str().unwrap(),
        "--top-talkers",
    ]));
    let rows = talker_rows(&out);
    assert!(rows.iter().all(|r| r.exact && r.rank <= 20));
    // The NAT gateway's outside leg to S3: 3.5.98.40, every byte of both connections.
    assert!(
        rows.iter().any(|r| r.path == "nat_gateway"
            && r.remote_address.as_deref() == Some("3.5.98.40")
            && r.bytes == 1_550_000),
        "{rows:#?}"
    );
}
