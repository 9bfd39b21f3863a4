//! `flowpath summarize` and `flowpath manifest` over S3, as a user runs them: the real
//! binary, with the standard AWS environment, against testkit's S3-compatible server
//! on loopback (which pages listings at 1,000 keys), with generated gzip flow logs in
//! both of AWS's key layouts.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use flate2::{Compression, write::GzEncoder};
use flowpath_s3::summary_file_name;
use flowpath_testkit::{FaultProxy, S3Server};
use serde_json::{Value, json};

const LOGS: &str = "flowpath-logs";
const OUT: &str = "flowpath-summaries";
/// Delivers in the default layout, region eu-west-1.
const PLAIN: &str = "111111111111";
/// Delivers with Hive-compatible prefixes, region us-east-1.
const HIVE: &str = "222222222222";
/// 2026-08-20T00:00:00Z.
const DAY0: i64 = 1_787_184_000;
const DAYS: u32 = 5;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The key of object `i` of day `day` (0 = 2026-08-20) of an account, in its layout.
fn key(account: &str, day: u32, i: usize) -> String {
    let d = 20 + day;
    let (hh, mm) = (i / 12 % 24, i % 12 * 5);
    let file = format!("_fl-0a1b2c3d4e5f6a7b8_202608{d:02}T{hh:02}{mm:02}Z_{i:08x}.log.gz");
    if account == PLAIN {
        format!(
            "AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/{d:02}/{PLAIN}_vpcflowlogs_eu-west-1{file}"
        )
    } else {
        format!(
            "AWSLogs/aws-account-id={HIVE}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=08/day={d:02}/hour={hh:02}/{HIVE}_vpcflowlogs_us-east-1{file}"
        )
    }
}

/// A small flow log: two records with traffic and a NODATA, or (every 25th object)
/// the header alone, which gives no summary at all.
fn log(account: &str, day: u32, i: usize) -> Vec<u8> {
    let mut text = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    if i % 25 != 7 {
        let start = DAY0 + i64::from(day) * 86_400 + (i as i64 % 24) * 3600;
        let eni = format!("eni-{:017x}", i + 1);
        let local = format!("10.0.{}.{}", i % 250, day + 5);
        text.push_str(&format!(
            "2 {account} {eni} {local} 52.95.128.179 {} 443 6 10 {} {start} {} ACCEPT OK\n",
            40_000 + i,
            1_000 + i,
            start + 60
        ));
        text.push_str(&format!(
            "2 {account} {eni} {local} 8.8.8.8 {} 53 17 1 {} {start} {} ACCEPT OK\n",
            30_000 + i,
            70 + day,
            start + 60
        ));
        text.push_str(&format!(
            "2 {account} {eni} - - - - - - - {start} {} - NODATA\n",
            start + 60
        ));
    }
    gzip(text.as_bytes())
}

/// Puts `per_day` objects per day and account into the log bucket; returns key → ETag.
fn populate(s3: &S3Server, per_day: usize) -> BTreeMap<String, String> {
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    let mut objects = BTreeMap::new();
    for account in [PLAIN, HIVE] {
        for day in 0..DAYS {
            for i in 0..per_day {
                let k = key(account, day, i);
                let etag = s3.put_file(LOGS, &k, log(account, day, i));
                objects.insert(k, etag);
            }
        }
    }
    objects
}

/// The binary with only the test server's AWS environment.
fn command(env: &[(String, String)], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flowpath"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("FLOWPATH_RANGES")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent/flowpath-test")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/flowpath-test")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    cmd
}

fn run(env: &[(String, String)], args: &[&str]) -> Output {
    command(env, args).output().expect("run flowpath")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

fn ok(o: Output) -> Value {
    assert!(o.status.success(), "{}", text(&o));
    report(&o)
}

/// The VPC summary objects under `prefix` in the output bucket (not the top talkers or
/// bookkeeping beside them): key relative to the prefix → bytes.
fn outputs(s3: &S3Server, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    s3.list_files(OUT)
        .into_iter()
        .filter_map(|k| k.strip_prefix(prefix).map(str::to_owned))
        .filter(|k| k.starts_with("account_id="))
        .map(|k| {
            let bytes = s3.read_file(OUT, &format!("{prefix}{k}")).unwrap();
            (k, bytes)
        })
        .collect()
}

/// The per-object indexes under `prefix` in the output bucket, parsed.
fn indexes(s3: &S3Server, prefix: &str) -> Vec<Value> {
    let sources = format!("{prefix}_flowpath/sources/");
    s3.list_files(OUT)
        .into_iter()
        .filter(|k| k.starts_with(&sources))
        .map(|k| serde_json::from_slice(&s3.read_file(OUT, &k).unwrap()).unwrap())
        .collect()
}

fn done_records(s3: &S3Server, prefix: &str) -> BTreeSet<String> {
    let done = format!("{prefix}_flowpath/done/");
    s3.list_files(OUT)
        .into_iter()
        .filter_map(|k| k.strip_prefix(&done).map(str::to_owned))
        .collect()
}

/// The prefixes of the object listings (`ListObjectsV2`) the log bucket received,
/// split into delimiter listings and flat ones.
fn listings(s3: &S3Server) -> (Vec<String>, Vec<String>) {
    let mut delimited = Vec::new();
    let mut flat = Vec::new();
    for r in s3.requests() {
        if r.is_list_objects() && r.path.trim_matches('/') == LOGS {
            let prefix = r.query_param("prefix").unwrap_or_default();
            if r.query_param("delimiter").is_some() {
                delimited.push(prefix);
            } else {
                flat.push(prefix);
            }
        }
    }
    (delimited, flat)
}

/// A manifest line of a key of the log bucket (keys here need only `=` encoded).
fn flowpath_manifest_line(key: &str) -> String {
    format!("{LOGS},{}", key.replace('=', "%3D"))
}

fn partition(account: &str, day: u32) -> String {
    let region = if account == PLAIN {
        "eu-west-1"
    } else {
        "us-east-1"
    };
    format!(
        "account_id={account}/region={region}/day=2026-08-{:02}",
        20 + day
    )
}

/// 1,051 objects over five days in both layouts (one of them in AWS's Parquet format),
/// summarized from S3 to S3: listed over
/// two pages, named as the Lambda names them, and a run killed midway then resumed
/// ends with exactly the outputs (same keys, same bytes) and the totals of a run that
/// was never interrupted; a third run over finished work reads no log object.
#[test]
fn backfill_pages_resumes_and_names_outputs_as_the_lambda() {
    const PER_DAY: usize = 105;
    const N: usize = 1051;
    let s3 = S3Server::start();
    let mut objects = populate(&s3, PER_DAY);
    // One object in AWS's Parquet format too (the records of flowlogs/v5-custom.log).
    let parquet = format!(
        "AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/{PLAIN}_vpcflowlogs_eu-west-1_fl-1_20260820T0000Z_1.log.parquet"
    );
    let parquet_bytes =
        std::fs::read(root().join("fixtures/flowlogs-parquet/v5-custom.log.parquet")).unwrap();
    objects.insert(parquet.clone(), s3.put_file(LOGS, &parquet, &parquet_bytes));
    assert_eq!(objects.len(), N);
    let env = s3.env();
    let input = format!("s3://{LOGS}/AWSLogs/");

    // The uninterrupted run.
    let started = Instant::now();
    let full = ok(run(
        &env,
        &[
            "summarize",
            &input,
            "--out",
            &format!("s3://{OUT}/full"),
            "--json",
            "--top-talkers",
        ],
    ));
    let full_seconds = started.elapsed().as_secs_f64();
    let empty = (0..PER_DAY).filter(|i| i % 25 == 7).count() * 2 * DAYS as usize;
    assert_eq!(full["inputs"], N);
    assert_eq!(full["inputs_failed"], 0);
    assert_eq!(full["summarized"], N);
    assert_eq!(full["skipped_done"], 0);
    assert_eq!(full["parquet_inputs"], 1);
    // Three records per text object with records, and the Parquet object's seven.
    let with_records = (1050 - empty) as u64;
    assert_eq!(
        full["counts"],
        json!({"read": with_records * 3 + 7, "ok": with_records * 2 + 6, "nodata": with_records + 1, "skipdata": 0, "malformed": 0})
    );
    // Each object with records: its summary, and its top talkers beside.
    let written = full["files_written"].as_array().unwrap();
    assert_eq!(written.len(), 2 * (N - empty));
    assert_eq!(
        written
            .iter()
            .filter(|f| f.as_str().unwrap().contains("/top_talkers/account_id="))
            .count(),
        N - empty
    );
    let bytes_listed: u64 = objects
        .keys()
        .map(|k| s3.read_file(LOGS, k).unwrap().len() as u64)
        .sum();
    assert_eq!(full["bytes_read"], bytes_listed);
    // One flat listing of AWSLogs/, over two pages of at most 1,000 keys.
    let (delimited, flat) = listings(&s3);
    assert!(delimited.is_empty(), "{delimited:?}");
    assert_eq!(flat, ["AWSLogs/", "AWSLogs/"]);
    let pages: Vec<_> = s3
        .requests()
        .into_iter()
        .filter(|r| r.is_list_objects() && r.path.trim_matches('/') == LOGS)
        .map(|r| r.query_param("continuation-token").is_some())
        .collect();
    assert_eq!(pages, [false, true]);

    // Names: summary_file_name(bucket, key) under the partition, as the Lambda.
    let full_outputs = outputs(&s3, "full/");
    assert_eq!(full_outputs.len(), N - empty);
    for (account, day, i) in [(PLAIN, 0, 0), (HIVE, 4, 104), (PLAIN, 2, 51)] {
        let k = key(account, day, i);
        let name = summary_file_name(LOGS, &k);
        let rel = format!("{}/{name}", partition(account, day));
        assert!(full_outputs.contains_key(&rel), "{rel}");
    }
    let name = summary_file_name(LOGS, &parquet);
    let rel = format!("account_id=123456789012/region=eu-west-1/day=2026-08-22/{name}");
    assert!(full_outputs.contains_key(&rel), "{rel}");
    assert_eq!(done_records(&s3, "full/").len(), N, "empty objects too");
    // The per-object index the Lambda keeps too: one per object, listing its outputs.
    let index = indexes(&s3, "full/");
    assert_eq!(index.len(), N, "empty objects too");
    let all_outputs: Vec<String> = full_outputs.keys().map(|k| format!("full/{k}")).collect();
    for i in &index {
        let listed: Vec<String> = serde_json::from_value(i["outputs"].clone()).unwrap();
        let source = i["source"].as_str().unwrap();
        let key = source.strip_prefix(&format!("s3://{LOGS}/")).unwrap();
        assert_eq!(i["etag"], objects[key].as_str(), "{i}");
        let name = summary_file_name(LOGS, key);
        // Its summaries, and its top talkers in the same partitions.
        let mut expected: Vec<String> = all_outputs
            .iter()
            .filter(|k| k.ends_with(&name))
            .flat_map(|k| {
                let talkers = format!("full/top_talkers/{}", k.strip_prefix("full/").unwrap());
                [k.clone(), talkers]
            })
            .collect();
        expected.sort();
        let mut listed = listed;
        listed.sort();
        assert_eq!(listed, expected, "{i}");
    }
    let record: Value = serde_json::from_slice(
        &s3.read_file(
            OUT,
            &format!(
                "full/_flowpath/done/{}",
                done_records(&s3, "full/").first().unwrap()
            ),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        objects[record["source"]
            .as_str()
            .unwrap()
            .strip_prefix(&format!("s3://{LOGS}/"))
            .unwrap()]
            == record["etag"].as_str().unwrap(),
        "{record}"
    );

    // Interrupted: killed once a fifth of the objects are done.
    let mut child = command(
        &env,
        &[
            "summarize",
            &input,
            "--out",
            &format!("s3://{OUT}/resumed"),
            "--json",
            "--top-talkers",
            "--concurrency",
            "4",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let done_at_kill = loop {
        let done = done_records(&s3, "resumed/").len();
        if done >= 210 {
            break done;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be stopped"
        );
        assert!(Instant::now() < deadline, "no progress: {done} done");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let done_after_kill = done_records(&s3, "resumed/").len();
    assert!(done_after_kill < N, "{done_at_kill} {done_after_kill}");

    let resumed = ok(run(
        &env,
        &[
            "summarize",
            &input,
            "--out",
            &format!("s3://{OUT}/resumed"),
            "--json",
            "--top-talkers",
        ],
    ));
    let skipped = resumed["skipped_done"].as_u64().unwrap();
    assert!(
        skipped >= done_after_kill as u64,
        "{skipped} {done_after_kill}"
    );
    assert_eq!(resumed["summarized"].as_u64().unwrap() + skipped, N as u64);
    for field in ["inputs", "inputs_failed", "counts", "parquet_inputs"] {
        assert_eq!(resumed[field], full[field], "{field}");
    }
    assert_eq!(
        resumed["files_written"].as_array().unwrap().len() as u64
            + resumed["skipped_done_files"].as_u64().unwrap(),
        // A summary and its top talkers per object with records.
        2 * (N - empty) as u64
    );
    let resumed_outputs = outputs(&s3, "resumed/");
    assert_eq!(
        resumed_outputs.keys().collect::<Vec<_>>(),
        full_outputs.keys().collect::<Vec<_>>()
    );
    assert!(resumed_outputs == full_outputs, "same bytes");
    assert_eq!(done_records(&s3, "resumed/"), done_records(&s3, "full/"));

    // Nothing left to do: no log object is read again.
    s3.clear_requests();
    let again = ok(run(
        &env,
        &[
            "summarize",
            &input,
            "--out",
            &format!("s3://{OUT}/full"),
            "--json",
            "--top-talkers",
        ],
    ));
    assert_eq!(again["skipped_done"], N);
    assert_eq!(again["summarized"], 0);
    assert_eq!(again["counts"], full["counts"]);
    assert_eq!(again["files_written"], json!([]));
    let log_gets = s3
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET" && !r.is_list_objects() && r.path.starts_with(&format!("/{LOGS}/"))
        })
        .count();
    assert_eq!(log_gets, 0);
    assert_eq!(outputs(&s3, "full/"), full_outputs);
    eprintln!("1,051 objects S3 to S3 in {full_seconds:.1} s");
}

/// A two-day filter from the bucket's root lists the layout's levels with delimiters
/// and then only those days' prefixes, in both layouts; outputs go to a local
/// directory, which also records what is done.
#[test]
fn date_filters_list_only_those_days_into_a_local_dir() {
    let s3 = S3Server::start();
    let objects = populate(&s3, 3);
    let env = s3.env();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let o = ok(run(
        &env,
        &[
            "summarize",
            &format!("s3://{LOGS}"),
            "--from",
            "2026-08-21",
            "--to",
            "2026-08-22",
            "--out",
            out_dir,
            "--json",
        ],
    ));
    let (delimited, flat) = listings(&s3);
    let flat: BTreeSet<String> = flat.into_iter().collect();
    let days: BTreeSet<String> = [
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/21/"),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/"),
        format!("AWSLogs/aws-account-id={HIVE}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=08/day=21/"),
        format!("AWSLogs/aws-account-id={HIVE}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=08/day=22/"),
    ]
    .into();
    assert_eq!(flat, days);
    let levels: BTreeSet<String> = [
        String::new(),
        "AWSLogs/".to_owned(),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/"),
        format!("AWSLogs/aws-account-id={HIVE}/aws-service=vpcflowlogs/"),
    ]
    .into();
    assert_eq!(delimited.iter().cloned().collect::<BTreeSet<_>>(), levels);
    assert_eq!(delimited.len(), levels.len(), "{delimited:?}");

    assert_eq!(o["inputs"], 12);
    assert_eq!(o["failures"], json!([]));
    let mut files: Vec<String> = Vec::new();
    let mut stack = vec![out.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p.strip_prefix(out.path()).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    let parquet: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with(".parquet") && f.starts_with("account_id="))
        .collect();
    let talkers = files
        .iter()
        .filter(|f| f.starts_with("top_talkers/account_id="))
        .count();
    assert_eq!(talkers, 0, "top talkers only when asked for");
    let done: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("_flowpath/done/"))
        .collect();
    assert_eq!(
        parquet.len() + talkers + done.len(),
        files.len(),
        "{files:?}"
    );
    assert_eq!(done.len(), 12);
    let expected: BTreeSet<String> = objects
        .iter()
        .filter(|(k, _)| {
            k.contains("/08/21/")
                || k.contains("/08/22/")
                || k.contains("day=21/")
                || k.contains("day=22/")
        })
        .map(|(k, _)| {
            let account = if k.contains(PLAIN) { PLAIN } else { HIVE };
            let day = if k.contains("/08/21/") || k.contains("day=21/") {
                1
            } else {
                2
            };
            format!("{}/{}", partition(account, day), summary_file_name(LOGS, k))
        })
        .collect();
    assert_eq!(
        parquet.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected
    );

    // Account and region given: no listing of the accounts; the objects of that
    // account are already done in this output directory.
    s3.clear_requests();
    let o = ok(run(
        &env,
        &[
            "summarize",
            &format!("s3://{LOGS}/"),
            "--account",
            PLAIN,
            "--region",
            "eu-west-1",
            "--from",
            "2026-08-21",
            "--to",
            "2026-08-22",
            "--out",
            out_dir,
            "--json",
        ],
    ));
    assert_eq!(o["inputs"], 6);
    assert_eq!(o["skipped_done"], 6);
    let (delimited, flat) = listings(&s3);
    assert_eq!(delimited.len(), 3, "{delimited:?}");
    assert_eq!(
        delimited.into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            String::new(),
            format!("AWSLogs/aws-account-id={PLAIN}/aws-service=vpcflowlogs/"),
            format!("AWSLogs/{PLAIN}/vpcflowlogs/"),
        ])
    );
    assert_eq!(
        flat.into_iter().collect::<BTreeSet<_>>(),
        days.iter()
            .filter(|d| d.contains(&format!("/{PLAIN}/")))
            .cloned()
            .collect()
    );

    // Open ranges walk years and months with delimiters, then list the days in range.
    s3.clear_requests();
    let o = run(
        &env,
        &["manifest", &format!("s3://{LOGS}"), "--from", "2026-08-23"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let lines = String::from_utf8(o.stdout).unwrap();
    let expected: Vec<String> = objects
        .keys()
        .filter(|k| {
            ["/08/23/", "/08/24/", "day=23/", "day=24/"]
                .iter()
                .any(|d| k.contains(d))
        })
        .map(|k| flowpath_manifest_line(k))
        .collect();
    assert_eq!(lines.lines().collect::<Vec<_>>(), expected);
    let (delimited, flat) = listings(&s3);
    assert!(
        delimited.contains(&format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/"))
            && delimited.contains(&format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/")),
        "{delimited:?}"
    );
    assert_eq!(
        flat.len(),
        2 * 9,
        "23 to 31 August in both layouts: {flat:?}"
    );
    let o = run(
        &env,
        &["manifest", &format!("s3://{LOGS}"), "--to", "2026-08-20"],
    );
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 6);
}

/// A corrupt object, a missing key and a missing bucket are reported by name (exit
/// code 1) while the other inputs, local and S3, are summarized.
#[test]
fn failures_are_named_and_do_not_stop_the_others() {
    let s3 = S3Server::start();
    populate(&s3, 1);
    let corrupt = format!(
        "AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/{PLAIN}_vpcflowlogs_eu-west-1_fl-1_20260820T2355Z_bad.log.gz"
    );
    let mut bad = log(PLAIN, 0, 1);
    bad.truncate(bad.len() / 2);
    s3.put_file(LOGS, &corrupt, &bad);
    let bad_parquet = format!(
        "AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/21/{PLAIN}_vpcflowlogs_eu-west-1_fl-1_20260821T0000Z_bad.log.parquet"
    );
    s3.put_file(LOGS, &bad_parquet, b"PAR1 and then nothing that is Parquet");
    let missing =
        format!("s3://{LOGS}/AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/missing.log.gz");
    let one = format!("s3://{LOGS}/{}", key(HIVE, 3, 0));
    let env = s3.env();
    let args = [
        "summarize",
        "fixtures/flowlogs/v2-default.log",
        &format!("s3://{LOGS}/AWSLogs/{PLAIN}/"),
        &missing,
        &one,
        // Overlaps the account's prefix: its objects are read once.
        &format!("s3://{LOGS}/AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/"),
        "s3://no-such-bucket-here/AWSLogs/",
        "--out",
        &format!("s3://{OUT}/summaries"),
    ];
    let o = run(&env, &[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = report(&o);
    let failures: BTreeMap<String, String> = r["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["input"].as_str().unwrap().to_owned(),
                f["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        failures,
        BTreeMap::from([
            (format!("s3://{LOGS}/{corrupt}"), "bad_input".to_owned()),
            (format!("s3://{LOGS}/{bad_parquet}"), "bad_input".to_owned()),
            (missing.clone(), "not_found".to_owned()),
            (
                "s3://no-such-bucket-here/AWSLogs/".to_owned(),
                "not_found".to_owned()
            ),
        ])
    );
    let errors: Vec<&str> = r["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["error"].as_str().unwrap())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("s3://{LOGS}/{corrupt}: bad gzip data"))),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("s3://{LOGS}/{bad_parquet}: "))),
        "{errors:?}"
    );
    // The local file, the five good objects of the account and the one named.
    assert_eq!(r["summarized"], 7);
    let written = outputs(&s3, "summaries/");
    assert_eq!(written.len(), 7, "{:?}", written.keys());
    assert!(written.keys().all(|k| !k.contains("_bad-")));
    let local = tempfile::tempdir().unwrap();
    ok(run(
        &env,
        &[
            "summarize",
            "fixtures/flowlogs/v2-default.log",
            "--out",
            local.path().to_str().unwrap(),
            "--json",
        ],
    ));
    let local_files = flowpath_testkit::summary_files(local.path());
    assert_eq!(local_files.len(), 1, "{local_files:?}");
    let rel = local_files[0]
        .strip_prefix(local.path())
        .unwrap()
        .display()
        .to_string();
    assert_eq!(written[&rel], std::fs::read(&local_files[0]).unwrap());
    for day in 0..DAYS {
        let k = key(PLAIN, day, 0);
        let rel = format!("{}/{}", partition(PLAIN, day), summary_file_name(LOGS, &k));
        assert!(written.contains_key(&rel), "{rel}");
    }

    // Credentials S3 refuses: the listing fails, by name, as access denied.
    let mut wrong = env.clone();
    for (k, v) in &mut wrong {
        if k == "AWS_SECRET_ACCESS_KEY" {
            *v = "not-the-secret".to_owned();
        }
    }
    let o = run(
        &wrong,
        &[
            "summarize",
            &format!("s3://{LOGS}/AWSLogs/{PLAIN}/"),
            &format!("s3://{LOGS}/AWSLogs/"),
            "--force",
            "--out",
            &format!("s3://{OUT}/denied"),
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = report(&o);
    assert_eq!(
        r["failures"][0]["input"],
        format!("s3://{LOGS}/AWSLogs/{PLAIN}/")
    );
    assert_eq!(r["failures"][0]["kind"], "access_denied");
    assert_eq!(r["inputs_failed"], 2);

    // Again, as text: the good objects are done, the failures are named again.
    let o = run(&env, &args);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("error: s3://{LOGS}/{corrupt}: bad gzip data")),
        "{out}"
    );
    assert!(out.contains("6 S3 objects already done"), "{out}");
    assert!(out.contains("4 inputs failed: "), "{out}");
}

/// The manifest of a small set, exactly: `bucket,key` with the key URL-encoded, text
/// flow logs only, in key order; and with a date filter.
#[test]
fn manifest_is_a_batch_operations_csv() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    let keys = [
        format!(
            "AWSLogs/aws-account-id={HIVE}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=08/day=21/hour=00/a.log.gz"
        ),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/x y+z,1.log.gz"),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/b.log"),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/c.log.parquet"),
        format!("AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/readme.txt"),
    ];
    for k in &keys {
        s3.put_file(LOGS, k, b"x");
    }
    let env = s3.env();
    let o = run(&env, &["manifest", &format!("s3://{LOGS}/AWSLogs")]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!(
            "{LOGS},AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/20/x%20y%2Bz%2C1.log.gz\n\
             {LOGS},AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/b.log\n\
             {LOGS},AWSLogs/{PLAIN}/vpcflowlogs/eu-west-1/2026/08/22/c.log.parquet\n\
             {LOGS},AWSLogs/aws-account-id%3D{HIVE}/aws-service%3Dvpcflowlogs/aws-region%3Dus-east-1/year%3D2026/month%3D08/day%3D21/hour%3D00/a.log.gz\n"
        )
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("4 objects listed"), "{err}");

    let o = run(
        &env,
        &[
            "manifest",
            &format!("s3://{LOGS}"),
            "--from",
            "2026-08-21",
            "--to",
            "2026-08-21",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        format!(
            "{LOGS},AWSLogs/aws-account-id%3D{HIVE}/aws-service%3Dvpcflowlogs/aws-region%3Dus-east-1/year%3D2026/month%3D08/day%3D21/hour%3D00/a.log.gz\n"
        )
    );
    let o = run(&env, &["manifest", "local/dir"]);
    assert_eq!(o.status.code(), Some(1));
    // A listing that fails names the URI once.
    let o = run(&env, &["manifest", "s3://no-such-bucket/AWSLogs/"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("s3://no-such-bucket/AWSLogs/").count(),
        1,
        "{err}"
    );
}

/// A proxy that answers the first `throttle` connections' requests with
/// `503 SlowDown` and closes them, then forwards connections to `target` untouched.
fn slowdown_proxy(target: SocketAddr, throttle: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let throttled = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&throttled);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            if count.load(Ordering::SeqCst) < throttle {
                count.fetch_add(1, Ordering::SeqCst);
                // Read the request head, answer, close.
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
                let _answered = write!(
                    client,
                    "HTTP/1.1 503 Slow Down\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .is_ok();
                continue;
            }
            let Ok(upstream) = TcpStream::connect(target) else {
                continue;
            };
            let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            let mut upstream = upstream;
            std::thread::spawn(move || {
                let _copied = std::io::copy(&mut c2, &mut u2).is_ok();
                let _closed = u2.shutdown(std::net::Shutdown::Write).is_ok();
            });
            std::thread::spawn(move || {
                let _copied = std::io::copy(&mut upstream, &mut client).is_ok();
                let _closed = client.shutdown(std::net::Shutdown::Write).is_ok();
            });
        }
    });
    (format!("http://{addr}"), throttled)
}

/// 503 SlowDown answers and refused connections are retried with backoff (the SDK's
/// standard retry mode, `--max-attempts`, default 8): the runs succeed.
#[test]
fn throttling_and_dropped_connections_are_retried() {
    let s3 = S3Server::start();
    populate(&s3, 1);

    let (endpoint, throttled) = slowdown_proxy(s3.addr(), 3);
    let r = ok(run(
        &s3.env(),
        &[
            "summarize",
            &format!("s3://{LOGS}/AWSLogs/{PLAIN}/"),
            "--endpoint-url",
            &endpoint,
            "--out",
            &format!("s3://{OUT}/throttled"),
            "--json",
        ],
    ));
    assert_eq!(throttled.load(Ordering::SeqCst), 3);
    assert_eq!(r["summarized"], 5, "{r}");
    assert_eq!(r["s3"]["max_attempts"], 8);

    let proxy = FaultProxy::start(s3.addr());
    proxy.refuse();
    let mut env = s3.env_with_endpoint(&proxy.endpoint());
    env.retain(|(k, _)| k != "FLOWPATH_S3_PATH_STYLE");
    let child = command(
        &env,
        &[
            "summarize",
            &format!("s3://{LOGS}/AWSLogs/aws-account-id={HIVE}/"),
            "--path-style",
            "--out",
            &format!("s3://{OUT}/refused"),
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let refused = proxy.connections();
    proxy.pass();
    let o = child.wait_with_output().unwrap();
    let r = ok(o);
    assert!(refused >= 1, "the run tried while S3 was away");
    assert_eq!(r["summarized"], 5);
    assert_eq!(outputs(&s3, "refused/").len(), 5);
}

/// A GET whose body is cut off mid-stream (after the SDK has returned the response,
/// so its retries do not apply) is fetched again with backoff.
#[test]
fn a_body_cut_mid_stream_is_fetched_again() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    // About 150 KB of gzip: varied records compress poorly.
    let mut text = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..6000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push_str(&format!(
            "2 {PLAIN} eni-{:017x} 10.{}.{}.{} 52.95.128.179 {} 443 6 {} {} {} {} ACCEPT OK\n",
            x % 100_000,
            x % 256,
            (x >> 8) % 256,
            (x >> 16) % 256,
            1024 + x % 60_000,
            1 + x % 1000,
            x % 10_000_000,
            DAY0 + (i as i64 % 86_000),
            DAY0 + (i as i64 % 86_000) + 60,
        ));
    }
    let body = gzip(text.as_bytes());
    assert!(body.len() > 100_000, "{}", body.len());
    let k = key(PLAIN, 0, 3);
    s3.put_file(LOGS, &k, &body);
    let proxy = FaultProxy::start(s3.addr());
    proxy.cut_responses_after(32 * 1024);
    let child = command(
        &s3.env_with_endpoint(&proxy.endpoint()),
        &[
            "summarize",
            &format!("s3://{LOGS}/AWSLogs/"),
            "--out",
            &format!("s3://{OUT}/cut"),
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    proxy.pass();
    let r = ok(child.wait_with_output().unwrap());
    assert_eq!(r["summarized"], 1);
    assert_eq!(r["counts"]["ok"], 6000);
    assert_eq!(r["bytes_read"], body.len());
    let file = k.rsplit('/').next().unwrap();
    let gets = s3
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(file))
        .count();
    assert!(gets >= 2, "the cut download was fetched again: {gets} GETs");
}

#[test]
fn inventory_from_s3_and_resume_follows_it() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    s3.create_bucket("flowpath-inventory");
    let fixture = "fixtures/flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/\
                   123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1110Z_5f6a7b8c.log";
    let key = fixture.trim_start_matches("fixtures/flowlogs/");
    s3.put_file(LOGS, key, std::fs::read(root().join(fixture)).unwrap());
    let mut documents: Vec<String> = std::fs::read_dir(root().join("fixtures/inventory"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    documents.sort();
    for d in &documents {
        let bytes = std::fs::read(root().join("fixtures/inventory").join(d)).unwrap();
        s3.put_file("flowpath-inventory", &format!("2026-08-22/{d}"), bytes);
    }
    s3.put_file(
        "flowpath-inventory",
        "2026-08-22/README.txt",
        "not JSON, not read",
    );
    let env = s3.env();
    let summarize_with = |inventory: &str, extra: &[&str]| {
        let out = format!("s3://{OUT}/summaries/");
        let logs = format!("s3://{LOGS}/AWSLogs/");
        let mut args = vec![
            "summarize",
            &logs,
            "--inventory",
            inventory,
            "--out",
            &out,
            "--json",
        ];
        args.extend(extra);
        ok(run(&env, &args))
    };
    let summarize = |inventory: &str| summarize_with(inventory, &[]);
    let o = summarize("s3://flowpath-inventory/2026-08-22/");
    let names: Vec<String> = documents
        .iter()
        .map(|d| format!("s3://flowpath-inventory/2026-08-22/{d}"))
        .collect();
    assert_eq!(o["inventory"]["documents"], json!(names));
    assert_eq!(o["inventory"]["network_interfaces"], 6);
    assert_eq!(o["summarized"], 1);
    let files = outputs(&s3, "summaries/");
    assert_eq!(files.len(), 1, "{:?}", files.keys());
    let mut nat = 0;
    for bytes in files.into_values() {
        let rows = flowpath_testkit::read_summary(bytes).rows;
        nat += rows
            .iter()
            .filter(|r| r.path == "nat_gateway" && r.remote_service.as_deref() == Some("S3"))
            .map(|r| r.bytes.unwrap())
            .sum::<i64>();
    }
    // This file holds both NAT legs of two S3 connections: 1,550,000 bytes once.
    assert_eq!(nat, 1_550_000);

    // The same inventory: the object is done. Another inventory: summarized again.
    let o = summarize("s3://flowpath-inventory/2026-08-22/");
    assert_eq!(
        (o["summarized"].clone(), o["skipped_done"].clone()),
        (json!(0), json!(1))
    );
    let o = summarize("s3://flowpath-inventory/2026-08-22/describe-vpcs.json");
    assert_eq!(
        o["inventory"]["documents"],
        json!(["s3://flowpath-inventory/2026-08-22/describe-vpcs.json"])
    );
    assert_eq!(
        (o["summarized"].clone(), o["skipped_done"].clone()),
        (json!(1), json!(0))
    );
    // Other tag columns: summarized again, then done with the same ones.
    for expected in [(1, 0), (0, 1)] {
        let o = summarize_with(
            "s3://flowpath-inventory/2026-08-22/describe-vpcs.json",
            &["--tag", "Team"],
        );
        assert_eq!(
            (o["summarized"].clone(), o["skipped_done"].clone()),
            (json!(expected.0), json!(expected.1))
        );
    }

    // A missing inventory fails before any work, naming it.
    let bad = run(
        &env,
        &[
            "summarize",
            &format!("s3://{LOGS}/AWSLogs/"),
            "--inventory",
            "s3://flowpath-inventory/nothing-here/",
            "--out",
            &format!("s3://{OUT}/other/"),
        ],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--inventory s3://flowpath-inventory/nothing-here/: no such object"),
        "{}",
        text(&bad)
    );
}

/// `report s3://bucket/prefix/` reads the summaries where they were written and gives
/// the report of a local copy; with `--from`/`--to` it lists and reads only the
/// partitions of those days.
#[test]
fn report_over_s3_equals_the_report_of_a_local_copy() {
    let s3 = S3Server::start();
    s3.create_bucket(OUT);
    let local = tempfile::tempdir().unwrap();
    let local_dir = local.path().to_str().unwrap();
    let o = run(
        &[],
        &[
            "summarize",
            "fixtures/flowlogs",
            // A transit gateway log too: its table is under transit_gateway/.
            "fixtures/transit-gateway/hub-and-spoke.log",
            "--inventory",
            "fixtures/inventory",
            "--out",
            local_dir,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut uploaded = 0;
    for file in flowpath_testkit::files_under(local.path()) {
        let rel = file
            .strip_prefix(local.path())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        s3.put_file(
            OUT,
            &format!("flowpath/summaries/{rel}"),
            std::fs::read(&file).unwrap(),
        );
        uploaded += 1;
    }
    assert!(uploaded >= 2, "{uploaded}");
    // Bookkeeping and another day, which the day range below leaves out.
    s3.put_file(OUT, "flowpath/summaries/_flowpath/done/x.json", b"{}");
    let one = flowpath_testkit::files_under(local.path()).remove(0);
    let account = one
        .strip_prefix(local.path())
        .unwrap()
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_str()
        .unwrap()
        .to_owned();
    let early =
        format!("flowpath/summaries/{account}/region=eu-west-1/day=2026-08-01/early.parquet");
    s3.put_file(OUT, &early, std::fs::read(&one).unwrap());
    std::fs::create_dir_all(
        local
            .path()
            .join(&early["flowpath/summaries/".len()..])
            .parent()
            .unwrap(),
    )
    .unwrap();
    std::fs::copy(
        &one,
        local.path().join(&early["flowpath/summaries/".len()..]),
    )
    .unwrap();

    let without_dir = |o: &Output| {
        let mut r = report(o);
        r.as_object_mut().unwrap().remove("output_dir");
        r
    };
    let env = s3.env();
    for range in [&[][..], &["--from", "2026-08-22", "--to", "2026-08-22"][..]] {
        let local_args = [&["report", local_dir, "--json"][..], range].concat();
        let want = without_dir(&run(&[], &local_args));
        s3.clear_requests();
        let s3_args = [
            &[
                "report",
                "s3://flowpath-summaries/flowpath/summaries/",
                "--json",
            ][..],
            range,
        ]
        .concat();
        let o = run(&env, &s3_args);
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(without_dir(&o), want);
        // The transit gateway table was read as well.
        assert_eq!(want["transit_files"], 1);
        assert_eq!(want["charge_back"].as_array().map(Vec::len), Some(2));
        let early_read = s3
            .requests()
            .iter()
            .any(|r| r.path.contains("day=2026-08-01") || r.query.contains("day%3D2026-08-01"));
        assert_eq!(
            early_read,
            range.is_empty(),
            "the early day is read only without a range"
        );
    }
    let o = run(
        &env,
        &["report", "s3://flowpath-summaries/nothing/", "--json"],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("no summary files under s3://flowpath-summaries/nothing/"),
        "{}",
        text(&o)
    );
}

/// `--resolver-logs` under an S3 prefix, and a local directory, that a Firehose stream
/// delivered to: objects named `<stream>-<version>-<time>-<uuid>`, one gzip (`.gz`)
/// and one plain (no ending), beside a file that is not a query log. They are read
/// (and only they), and the rows name the remotes exactly as AWS's own delivery of the
/// same queries does.
/// (interface, remote name, name source, bytes) of a summary row.
type NamedRow = (Option<String>, Option<String>, Option<String>, i64);

#[test]
fn resolver_logs_delivered_by_firehose_are_read_from_s3_and_directories() {
    const FLOWS: &str = "fixtures/resolver/flowlogs";
    const QUERIES: &str = "fixtures/resolver/query-logs";
    let delivered = std::fs::read(root().join(
        "fixtures/resolver/query-logs/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0abc1234def567890/\
         2026/08/22/vpc-0abc1234def567890_vpcdnsquerylogs_111122223333_20260822T1000Z_1a2b3c4d.log.gz",
    ))
    .unwrap();
    let mut lines = String::new();
    flate2::read::MultiGzDecoder::new(delivered.as_slice())
        .read_to_string(&mut lines)
        .unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 6);
    let (first, second) = lines.split_at(3);
    let first = gzip(format!("{}\n", first.join("\n")).as_bytes());
    let second = format!("{}\n", second.join("\n"));
    let gz = "resolver-queries-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.gz";
    let plain = "resolver-queries-1-2026-08-22-10-10-40-1c7a3d4e-5f60-7b8c-9d0e-1f2a3b4c5d6e";

    let s3 = S3Server::start();
    s3.create_bucket("flowpath-dns");
    s3.put_file("flowpath-dns", &format!("rq/2026/08/22/10/{gz}"), &first);
    s3.put_file(
        "flowpath-dns",
        &format!("rq/2026/08/22/10/{plain}"),
        &second,
    );
    s3.put_file("flowpath-dns", "rq/README.txt", "not a query log, not read");
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("firehose");
    std::fs::create_dir_all(local.join("2026/08/22/10")).unwrap();
    std::fs::write(local.join("2026/08/22/10").join(gz), &first).unwrap();
    std::fs::write(local.join("2026/08/22/10").join(plain), &second).unwrap();
    std::fs::write(local.join("README.txt"), "not a query log, not read").unwrap();

    let env = s3.env();
    let summarize = |queries: &str, out: &str| {
        let out = dir.path().join(out);
        let o = ok(run(
            &env,
            &[
                "summarize",
                &root().join(FLOWS).to_string_lossy(),
                "--resolver-logs",
                queries,
                "--out",
                &out.to_string_lossy(),
                "--json",
            ],
        ));
        let mut rows: Vec<NamedRow> = flowpath_testkit::summary_files(&out)
            .into_iter()
            .flat_map(|p| {
                flowpath_core::output::read_rows(std::fs::File::open(p).unwrap()).unwrap()
            })
            .map(|r| {
                (
                    r.interface_id,
                    r.remote_name,
                    r.name_source,
                    r.bytes.unwrap(),
                )
            })
            .collect();
        rows.sort();
        (o, rows)
    };
    let (aws, expected) = summarize(&root().join(QUERIES).to_string_lossy(), "aws");
    assert!(
        expected.iter().filter(|r| r.1.is_some()).count() >= 3,
        "the fixture names remotes: {expected:?}"
    );
    for (queries, out) in [
        ("s3://flowpath-dns/rq/".to_owned(), "s3"),
        (local.to_string_lossy().into_owned(), "local"),
    ] {
        let (o, rows) = summarize(&queries, out);
        assert_eq!(o["resolver_logs"]["inputs"], 2, "{queries}: {o}");
        assert_eq!(o["resolver_logs"]["lines"], 6, "{queries}");
        assert_eq!(o["resolver_logs"]["malformed"], 0, "{queries}");
        assert_eq!(
            o["resolver_logs"]["queries"], aws["resolver_logs"]["queries"],
            "{queries}"
        );
        assert_eq!(rows, expected, "{queries}");
    }

    // A prefix with nothing a query log could be in: said, not an empty index.
    let o = run(
        &env,
        &[
            "summarize",
            &root().join(FLOWS).to_string_lossy(),
            "--resolver-logs",
            "s3://flowpath-dns/nothing/",
            "--out",
            &dir.path().join("none").to_string_lossy(),
        ],
    );
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no query log under it"),
        "{}",
        text(&o)
    );
}
