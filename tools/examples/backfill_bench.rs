//! Backfill throughput: the same flow-log files summarized by the `flowpath` binary from
//! local disk and from an S3-compatible server on loopback (flowpath-testkit), so the
//! cost of the S3 path (listing, GETs, writing summaries back to S3) shows.
//!
//! ```sh
//! cargo run --release -p flowpath-core --example genflowlogs -- --out /tmp/bf --records 2000000 --files 200
//! cargo build --release -p flowpath
//! cargo run --release -p flowpath --example backfill_bench -- target/release/flowpath /tmp/bf
//! ```
#![allow(clippy::print_stdout, reason = "a bench prints its results")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use flowpath_testkit::S3Server;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list input")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.to_string_lossy().ends_with(".log.gz") {
            out.push(p);
        }
    }
}

/// Runs `flowpath summarize ... --json`; returns (seconds, records read).
fn run(binary: &Path, args: &[&str], env: &[(String, String)]) -> (f64, u64) {
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("summarize")
        .args(args)
        .arg("--json")
        .envs(env.iter().cloned())
        .output()
        .expect("run flowpath");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    (seconds, report["counts"]["read"].as_u64().unwrap_or(0))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let binary = PathBuf::from(
        args.next()
            .expect("usage: backfill_bench FLOWPATH INPUT_DIR"),
    );
    let input = PathBuf::from(
        args.next()
            .expect("usage: backfill_bench FLOWPATH INPUT_DIR"),
    );
    let mut inputs = Vec::new();
    files(&input, &mut inputs);
    let bytes: u64 = inputs
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let mb = bytes as f64 / 1_048_576.0;
    println!("{} objects, {mb:.1} MB gzip", inputs.len());

    let s3 = S3Server::start();
    s3.create_bucket("logs");
    s3.create_bucket("out");
    for p in &inputs {
        let key = p
            .strip_prefix(&input)
            .expect("under input")
            .to_string_lossy()
            .into_owned();
        s3.put_file("logs", &key, std::fs::read(p).expect("read input"));
    }
    let local_out = tempfile::tempdir().expect("tempdir");
    let input_arg = input.to_string_lossy().into_owned();
    let out_arg = local_out.path().to_string_lossy().into_owned();
    let (local_s, records) = run(&binary, &[&input_arg, "--out", &out_arg], &[]);
    let (s3_s, s3_records) = run(
        &binary,
        &["s3://logs/", "--out", "s3://out/summaries/"],
        &s3.env(),
    );
    assert_eq!(records, s3_records, "both paths read every record");
    println!("| path | seconds | objects/s | records/s | MB/s (gzip) |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, s) in [
        ("local files → local dir", local_s),
        ("loopback S3 → S3", s3_s),
    ] {
        println!(
            "| {name} | {s:.2} | {:.0} | {:.2} M | {:.1} |",
            inputs.len() as f64 / s,
            records as f64 / s / 1e6,
            mb / s
        );
    }
}
