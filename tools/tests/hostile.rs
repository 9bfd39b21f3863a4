//! The `flowpath` binary against hostile and unlucky inputs (issue 15): directory
//! links, FIFOs, lines without end, counts past INT64, absurd times, formats without
//! counts, empty ranges, summarize after compact, temporary files of dead runs. Each
//! test asserts counts, totals and exit codes, and would fail on the behaviour it
//! replaced.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{flowpath, json, ok, root, stdout};
use flowpath_testkit::{files_under, read_summary, summary_files};
use serde_json::Value;

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";

/// A record line of the v2 format to S3 (3.5.98.10) at 2026-08-22 10:00 UTC.
fn line(packets: &str, bytes: &str, start: &str) -> String {
    format!(
        "2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.15 3.5.98.10 49152 443 6 {packets} {bytes} {start} 1787392870 ACCEPT OK\n"
    )
}

/// `summarize INPUTS --out OUT --json`: (exit success, report).
fn summarize(inputs: &[&Path], out: &Path, extra: &[&str]) -> (bool, Value) {
    let mut args: Vec<String> = vec!["summarize".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out.display().to_string(), "--json".into()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = flowpath(&args);
    (o.status.success(), json(&o))
}

/// (flows, packets, bytes) summed over every summary under `out`; a null count
/// sums as nothing and is reported as `None` when every row's is null.
fn totals(out: &Path) -> (i64, Option<i64>, Option<i64>) {
    let (mut flows, mut packets, mut bytes) = (0, None, None);
    for file in summary_files(out) {
        if file.extension().is_none_or(|e| e != "parquet") {
            continue;
        }
        for row in read_summary(std::fs::read(&file).unwrap()).rows {
            flows += row.flows;
            if let Some(p) = row.packets {
                packets = Some(packets.unwrap_or(0) + p);
            }
            if let Some(b) = row.bytes {
                bytes = Some(bytes.unwrap_or(0) + b);
            }
        }
    }
    (flows, packets, bytes)
}

fn counts(report: &Value) -> [u64; 5] {
    let c = &report["counts"];
    ["read", "ok", "nodata", "skipdata", "malformed"].map(|k| c[k].as_u64().unwrap())
}

/// Runs `cmd` and fails the test if it has not ended after `limit` (killing it).
fn run_within(mut cmd: Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ignored = child.kill();
            panic!("still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn directory_links_visit_each_file_once_and_loops_end() {
    let base = tempfile::tempdir().unwrap();
    let logs = base.path().join("logs");
    std::fs::create_dir_all(logs.join("sub")).unwrap();
    std::fs::copy(
        root().join("fixtures/flowlogs/v2-default.log"),
        logs.join("a.log"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/flowlogs/v5-custom.log"),
        logs.join("sub/b.log"),
    )
    .unwrap();
    let plain = base.path().join("plain");
    let (success, want) = summarize(&[&logs], &plain, &[]);
    assert!(success);
    assert_eq!(want["inputs"], 2);

    // A link to the directory itself, a loop of two links, and a link to a file.
    std::os::unix::fs::symlink(".", logs.join("self")).unwrap();
    std::os::unix::fs::symlink("../loop-b", logs.join("sub/loop-a")).unwrap();
    std::os::unix::fs::symlink("sub", logs.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("a.log", logs.join("again.log")).unwrap();
    let linked = base.path().join("linked");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flowpath"));
    cmd.args(["summarize", logs.to_str().unwrap(), logs.to_str().unwrap()])
        .args(["--out", linked.to_str().unwrap(), "--json"]);
    let o = run_within(cmd, Duration::from_secs(60));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = json(&o);
    assert_eq!(got["inputs"], 2, "each file once: {got}");
    assert_eq!(counts(&got), counts(&want));
    assert_eq!(totals(&linked), totals(&plain));
}

#[test]
fn fifos_in_a_directory_are_passed_over_and_named_ones_are_streams() {
    let base = tempfile::tempdir().unwrap();
    let logs = base.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::copy(
        root().join("fixtures/flowlogs/v2-default.log"),
        logs.join("a.log"),
    )
    .unwrap();
    mkfifo(&logs.join("stuck.log"));
    let out = base.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flowpath"));
    cmd.args([
        "summarize",
        logs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let o = run_within(cmd, Duration::from_secs(60));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["inputs"], 1);

    // A FIFO named on the command line is read as a stream, like `-`.
    let fifo = base.path().join("named.log");
    mkfifo(&fifo);
    let text = std::fs::read(root().join("fixtures/flowlogs/v2-default.log")).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let streamed = base.path().join("streamed");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flowpath"));
    cmd.args([
        "summarize",
        fifo.to_str().unwrap(),
        "--out",
        streamed.to_str().unwrap(),
        "--json",
    ]);
    let o = run_within(cmd, Duration::from_secs(60));
    writer.join().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = json(&o);
    assert_eq!(report["inputs_failed"], 0);
    let single = base.path().join("single");
    let (_, want) = summarize(&[&logs.join("a.log")], &single, &[]);
    assert_eq!(counts(&report), counts(&want));
    assert_eq!(totals(&streamed), totals(&single));
}

#[test]
fn a_line_without_end_is_one_malformed_line_and_the_rest_counts() {
    let base = tempfile::tempdir().unwrap();
    let good: String = [
        HEADER,
        &line("10", "1000", "1787392810"),
        &line("20", "2000", "1787392810"),
    ]
    .concat();
    let clean = base.path().join("clean.log");
    std::fs::write(&clean, &good).unwrap();
    // 20 MB in one line between the two records, and 20 MB of NULs without any newline
    // at the end of a gzip stream.
    let mut hostile = String::from(HEADER);
    hostile.push_str(&line("10", "1000", "1787392810"));
    hostile.push_str(&"x".repeat(20 << 20));
    hostile.push('\n');
    hostile.push_str(&line("20", "2000", "1787392810"));
    let long = base.path().join("long.log");
    std::fs::write(&long, &hostile).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(good.as_bytes()).unwrap();
    gz.write_all(&vec![0u8; 20 << 20]).unwrap();
    let nul = base.path().join("nul.log.gz");
    std::fs::write(&nul, gz.finish().unwrap()).unwrap();

    let (success, want) = summarize(&[&clean], &base.path().join("want"), &[]);
    assert!(success);
    assert_eq!(counts(&want), [2, 2, 0, 0, 0]);
    for (input, name) in [(&long, "long"), (&nul, "nul")] {
        let out = base.path().join(name);
        let (success, got) = summarize(&[input], &out, &[]);
        assert!(success, "{got}");
        assert_eq!(counts(&got), [3, 2, 0, 0, 1], "{name}");
        let example = &got["malformed_examples"][0];
        assert_eq!(example["reason"], "line longer than 65536 bytes", "{name}");
        assert_eq!(example["line"], if name == "long" { 3 } else { 4 });
        assert_eq!(totals(&out), totals(&base.path().join("want")), "{name}");
    }
}

#[test]
fn counts_past_int64_are_malformed_never_clamped() {
    let base = tempfile::tempdir().unwrap();
    let big = "9223372036854775807"; // i64::MAX: fits, alone
    let text = [
        HEADER,
        &line("10", "1000", "1787392810"),
        // A value past i64::MAX: that record is malformed.
        &line("10", "9223372036854775808", "1787392810"),
        &line("18446744073709551615", "5", "1787392810"),
        // Two that fit alone but not summed, in a group of their own (another hour).
        &line("1", big, "1787400000"),
        &line("1", big, "1787400000"),
    ]
    .concat();
    let input = base.path().join("big.log");
    std::fs::write(&input, text).unwrap();
    let out = base.path().join("out");
    let (success, report) = summarize(&[&input], &out, &[]);
    assert!(success, "{report}");
    assert_eq!(counts(&report), [5, 1, 0, 0, 4], "{report}");
    let reasons: Vec<(String, String)> = report["malformed_examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("-").to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let too_large = "above 9223372036854775807, the largest value a Parquet INT64 holds";
    assert!(
        reasons.contains(&("bytes".into(), too_large.into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("packets".into(), too_large.into())),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(f, r)| f == "bytes" && r.starts_with("its group's sum passes")),
        "{reasons:?}"
    );
    // Only the first record is written, exactly.
    assert_eq!(totals(&out), (1, Some(10), Some(1000)));
}

#[test]
fn absurd_times_are_malformed() {
    let base = tempfile::tempdir().unwrap();
    let text = [
        HEADER,
        &line("10", "1000", "1787392810"),
        &line("10", "1000", "9223372036854775807"),
        &line("10", "1000", "4294967296"),   // 2106
        &line("10", "1000", "253402300800"), // year 10000
        &line("10", "1000", "1300000000"),   // 2011: before flow logs
        &line("10", "1000", "1418530010"),   // AWS's documentation example (2014): valid
    ]
    .concat();
    let input = base.path().join("times.log");
    std::fs::write(&input, text).unwrap();
    let out = base.path().join("out");
    let (success, report) = summarize(&[&input], &out, &[]);
    assert!(success, "{report}");
    assert_eq!(counts(&report), [6, 2, 0, 0, 4], "{report}");
    for e in report["malformed_examples"].as_array().unwrap() {
        assert_eq!(e["field"], "start");
        assert_eq!(
            e["reason"],
            "not a time between 2014-01-01 and a day past this run's clock"
        );
    }
    let days: Vec<String> = summary_files(&out)
        .iter()
        .map(|p| {
            p.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(days, ["day=2014-12-14", "day=2026-08-22"]);
}

#[test]
fn a_format_without_bytes_writes_null_not_zero() {
    let base = tempfile::tempdir().unwrap();
    let text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets start end action log-status\n\
                2 123456789012 eni-1 10.0.1.15 3.5.98.10 49152 443 6 10 1787392810 1787392870 ACCEPT OK\n\
                2 123456789012 eni-1 10.0.1.15 3.5.98.10 49152 443 6 5 1787392810 1787392870 ACCEPT OK\n";
    let input = base.path().join("no-bytes.log");
    std::fs::write(&input, text).unwrap();
    let out = base.path().join("out");
    let o = flowpath(&[
        "summarize",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = ok(o);
    assert!(
        stdout(&o).contains(&format!(
            "note: the format of {}: bytes lacks these counts: they are null in its summaries, not zero",
            input.display()
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(totals(&out), (2, Some(15), None));
    // A record with traffic whose `bytes` is `-` is malformed: missing is not zero.
    let dash = base.path().join("dash.log");
    std::fs::write(&dash, [HEADER, &line("10", "-", "1787392810")].concat()).unwrap();
    let (success, report) = summarize(&[&dash], &base.path().join("dash"), &[]);
    assert!(success);
    assert_eq!(counts(&report), [1, 0, 0, 0, 1]);
    assert_eq!(
        report["malformed_examples"][0]["reason"],
        "`-` in a record with traffic"
    );
}

#[test]
fn a_ranges_file_without_prefixes_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let ranges = base.path().join("empty.json");
    std::fs::write(
        &ranges,
        r#"{"syncToken": "1", "createDate": "2026-08-22-15-17-05", "prefixes": [], "ipv6_prefixes": []}"#,
    )
    .unwrap();
    let out = base.path().join("out");
    let o = flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        out.to_str().unwrap(),
        "--ranges",
        ranges.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("lists no prefixes in `prefixes`"), "{err}");
    assert!(
        !out.exists() || files_under(&out).is_empty(),
        "nothing written"
    );
}

#[test]
fn summarize_after_compact_does_not_double() {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    let inputs = [root().join("fixtures/flowlogs")];
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (success, first) = summarize(&inputs, &out, &[]);
    assert!(success);
    let want = totals(&out);
    ok(flowpath(&["compact", out.to_str().unwrap()]));
    assert_eq!(totals(&out), want);
    let (success, again) = summarize(&inputs, &out, &[]);
    assert!(success, "{again}");
    assert_eq!(counts(&again), counts(&first));
    assert_eq!(
        totals(&out),
        want,
        "the re-run must not add the compacted rows again"
    );
    let skipped = again["already_compacted"].as_array().unwrap();
    assert!(!skipped.is_empty(), "{again}");
    assert!(
        skipped
            .iter()
            .all(|s| s.as_str().unwrap().contains("compacted-"))
    );
    // Compacting again finds nothing doubled.
    ok(flowpath(&["compact", out.to_str().unwrap()]));
    assert_eq!(totals(&out), want);
}

#[test]
fn temporary_files_of_dead_runs_are_removed() {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    let part = out.join("account_id=123456789012/region=eu-west-1/day=2026-08-22");
    std::fs::create_dir_all(&part).unwrap();
    // Process ids past Linux's pid_max (2^22) never run.
    let dead = part.join(".abc.parquet.tmp-4194999");
    std::fs::write(&dead, b"half a file").unwrap();
    let live = part.join(format!(".def.parquet.tmp-{}", std::process::id()));
    std::fs::write(&live, b"being written").unwrap();
    let (success, report) = summarize(&[&root().join("fixtures/flowlogs")], &out, &[]);
    assert!(success);
    assert_eq!(
        report["stale_temporaries_removed"],
        serde_json::json!([dead.display().to_string()])
    );
    assert!(!dead.exists());
    assert!(live.exists(), "a live process's temporary file stays");
}
