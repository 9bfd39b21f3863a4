//! How long the summarizer Lambda takes on a large object, and how much memory it
//! needs: the real `flowpath-lambda` binary, driven through the Lambda Runtime API
//! emulator, reading from the loopback S3 server, pinned to one CPU.
//!
//! ```sh
//! cargo build --release -p flowpath-functions --bin flowpath-lambda
//! cargo run --release -p flowpath-functions --example memory_bench -- target/release/flowpath-lambda 100
//! ```
//!
//! Arguments: the binary, then the object's gzip size in MB (default 100). Prints the
//! records, the wall time of the invocation, the process's peak RSS (VmHWM), and the
//! time to expect at Lambda memory settings, scaled by their CPU share (Lambda gives a
//! function one vCPU at 1,769 MB and proportionally less below).
#![allow(clippy::print_stdout, reason = "a bench prints its results")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::{Compression, write::GzEncoder};
use flowpath_testkit::{Function, Invocation, RuntimeApi, S3Server};

const KEY: &str = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1105Z_bench.log.gz";

/// A seeded, realistic-enough default-format object of about `mb` MB of gzip.
fn object(mb: usize) -> (Vec<u8>, u64) {
    let mut gz = GzEncoder::new(Vec::with_capacity(mb << 20), Compression::default());
    gz.write_all(b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
        .expect("gzip");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let remotes = [
        "3.5.98",
        "52.94.24",
        "203.0.113",
        "18.97.200",
        "10.0.9",
        "52.95.128",
    ];
    let mut records = 0u64;
    let mut line = String::with_capacity(160);
    while gz.get_ref().len() < mb << 20 {
        for _ in 0..10_000 {
            let r = next();
            line.clear();
            use std::fmt::Write as _;
            let remote = remotes[(r % remotes.len() as u64) as usize];
            let _ok = writeln!(
                line,
                "2 123456789012 eni-{:017x} 10.0.{}.{} {remote}.{} {} 443 6 {} {} {} {} ACCEPT OK",
                (r >> 8) % 2000,
                (r >> 16) % 256,
                (r >> 24) % 256,
                (r >> 32) % 256,
                1024 + (r >> 40) % 60000,
                1 + (r >> 20) % 500,
                40 + (r >> 12) % 900_000,
                1_787_356_800 + (r >> 4) % 86_400,
                1_787_356_860 + (r >> 4) % 86_400,
            );
            gz.write_all(line.as_bytes()).expect("gzip");
            records += 1;
        }
    }
    (gz.finish().expect("gzip"), records)
}

fn pid_of(binary: &Path) -> Option<u32> {
    let want = binary.canonicalize().ok()?;
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(Result::ok)
        .find_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?;
            (exe == want).then_some(pid)
        })
}

fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let binary = PathBuf::from(args.next().expect("usage: memory_bench BINARY [MB]"));
    let mb: usize = args
        .next()
        .map_or(100, |a| a.parse().expect("MB is a number"));
    let (body, records) = object(mb);
    println!(
        "object: {:.1} MB gzip, {records} records",
        body.len() as f64 / 1048576.0
    );

    let s3 = S3Server::start();
    s3.create_bucket("flowpath-logs");
    s3.create_bucket("flowpath-summaries");
    s3.put_file("flowpath-logs", KEY, &body);
    drop(body);

    // Pin the function to one CPU, as Lambda gives one vCPU at 1,769 MB.
    let dir = tempfile::tempdir().expect("tempdir");
    let wrapper = dir.path().join("bootstrap");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec taskset -c 0 {}\n",
            binary.canonicalize().expect("binary").display()
        ),
    )
    .expect("wrapper");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&wrapper)
        .status()
        .expect("chmod");
    let api = RuntimeApi::start();
    let mut env = s3.env();
    env.push(("OUTPUT_BUCKET".into(), "flowpath-summaries".into()));
    env.push(("LOG_BUCKETS".into(), "flowpath-logs".into()));
    let function = Function::spawn(&wrapper, &api, &env);
    let event = serde_json::json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1",
        "eventTime": "2026-08-22T11:05:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "x"}, "requestParameters": {"sourceIPAddress": "10.0.0.1"},
        "responseElements": {}, "s3": {"s3SchemaVersion": "1.0", "configurationId": "bench",
            "bucket": {"name": "flowpath-logs", "ownerIdentity": {"principalId": "x"}, "arn": "arn:aws:s3:::flowpath-logs"},
            "object": {"key": KEY, "size": 1, "eTag": "x", "sequencer": "1"}}}]});
    let started = Instant::now();
    let answer = api.invoke(event, Duration::from_secs(1800));
    let seconds = started.elapsed().as_secs_f64();
    let Invocation::Response(response) = answer else {
        panic!("{answer:?}\n{}", function.logs());
    };
    let read = response["objects"][0]["counts"]["read"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(read, records, "every record was read");
    let rss = pid_of(&binary).and_then(peak_rss_mb);
    println!(
        "one CPU: {seconds:.2} s, {:.2} M records/s, peak RSS {rss:.0?} MB",
        records as f64 / seconds / 1e6
    );
    println!("| Lambda memory | vCPU share | expected time | peak memory |");
    println!("| ---: | ---: | ---: | ---: |");
    for setting in [512.0, 1024.0, 1769.0, 2048.0] {
        let share = (setting / 1769.0f64).min(1.0);
        let fits = rss.map_or("?".to_owned(), |r| {
            if r < setting * 0.9 {
                format!("{r:.0} MB, fits")
            } else {
                format!("{r:.0} MB, too close")
            }
        });
        println!(
            "| {setting:.0} MB | {share:.2} | {:.1} s | {fits} |",
            seconds / share
        );
    }
}
