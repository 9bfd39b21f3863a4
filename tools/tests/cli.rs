//! The `flowpath` binary, run as a user runs it: on the fixtures, into temporary
//! directories; outputs read back with the core's reader and with DuckDB (as Athena reads them).
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
#![allow(clippy::print_stderr, reason = "skip notices")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{flowpath, json, ok, root, stdout};
use flowpath_testkit::{
    SummaryFile, column_names, files_under, read_summary, skip, snapshot, summary_files,
};
use serde_json::Value;

fn read_parquet(path: &Path) -> SummaryFile {
    read_summary(std::fs::read(path).unwrap())
}

#[test]
fn quick_start_summarizes_the_fixtures() {
    let out = tempfile::tempdir().unwrap();
    let o = ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        out.path().to_str().unwrap(),
        "--json",
    ]));
    let report = json(&o);
    assert_eq!(report["inputs"], 5);
    assert_eq!(report["inputs_failed"], 0);
    assert_eq!(
        report["counts"],
        serde_json::json!({"read": 49, "ok": 46, "nodata": 2, "skipdata": 1, "malformed": 0})
    );
    assert_eq!(report["ranges"]["create_date"], "2026-08-22-15-17-05");
    assert_eq!(report["ranges"]["sync_token"], "1787411825");
    assert_eq!(report["ranges"]["stale_warning"], Value::Null);
    assert_eq!(
        report["skipdata_inputs"],
        serde_json::json!(["fixtures/flowlogs/v2-default.log"])
    );
    assert_eq!(report["aws_labels"]["agree"], 5);
    assert_eq!(
        report["aws_labels"]["top_disagreements"][0],
        serde_json::json!({"aws": "AMAZON", "flowpath": "DYNAMODB", "count": 1})
    );

    let files = summary_files(out.path());
    let rel: Vec<String> = files
        .iter()
        .map(|p| p.strip_prefix(out.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(rel.len(), 5, "{rel:?}");
    // The top talkers only when asked for (`tools/tests/talkers.rs`).
    assert!(!out.path().join("top_talkers").exists());
    assert!(
        rel.iter()
            .all(|r| r.starts_with("account_id=123456789012/") && r.ends_with(".parquet"))
    );
    assert_eq!(
        rel.iter()
            .filter(|r| r.starts_with("account_id=123456789012/region=eu-west-1/day=2026-08-22/"))
            .count(),
        3
    );
    let v2 = files
        .iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("v2-default-")
        })
        .unwrap();
    assert!(
        v2.to_str()
            .unwrap()
            .contains("/region=unknown/day=2026-08-22/")
    );

    let SummaryFile { rows, meta, .. } = read_parquet(v2);
    assert_eq!(meta.counts.read, 9);
    assert_eq!(meta.counts.skipdata, 1);
    assert_eq!(meta.ranges_sync_token, "1787411825");
    assert_eq!(meta.inputs, ["fixtures/flowlogs/v2-default.log"]);
    let names = column_names(std::fs::read(v2).unwrap());
    assert_eq!(
        names,
        [
            "window_start",
            "vpc_id",
            "subnet_id",
            "interface_id",
            "interface_kind",
            "direction",
            "path",
            "attribution",
            "gateway_id",
            "remote_service",
            "remote_region",
            "action",
            "protocol",
            "flows",
            "packets",
            "bytes",
            "remote_vpc_id",
            "remote_account_id",
            "ecs_cluster_name",
            "ecs_service_name",
            "reject_reason",
            "remote_name",
            "name_source"
        ]
    );
    assert_eq!(rows.len(), 6);
    let s3_egress: Vec<&_> = rows
        .iter()
        .filter(|r| r.remote_service.as_deref() == Some("S3") && r.direction == "egress")
        .collect();
    assert_eq!(s3_egress.len(), 1);
    assert_eq!((s3_egress[0].flows, s3_egress[0].bytes), (2, Some(150_000)));
    // window_start is whole seconds (the file holds microseconds: 1_787_392_800_000_000).
    assert_eq!(s3_egress[0].window_start, Some(1_787_392_800));
    assert!(rows[0].vpc_id.is_none(), "vpc_id is null in the v2 format");
    assert_eq!(
        rows.iter().map(|r| r.bytes.unwrap()).sum::<i64>(),
        150_000 + 410_000 + 2400 + 900 + 7000 + 180
    );
}

#[test]
fn inventory_names_endpoints_nat_and_internet_gateways() {
    let out = tempfile::tempdir().unwrap();
    let o = ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--inventory",
        "fixtures/inventory",
        "--out",
        out.path().to_str().unwrap(),
        "--json",
    ]));
    let report = json(&o);
    assert_eq!(
        report["inventory"]["documents"].as_array().unwrap().len(),
        8
    );
    assert_eq!(report["inventory"]["nat_gateways"], 1);
    assert_eq!(report["inventory"]["vpc_endpoints"], 2);
    let mut bytes_by: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for file in summary_files(out.path()) {
        for r in read_parquet(&file).rows {
            let key = (
                r.path.clone(),
                r.attribution.clone(),
                r.remote_service.clone().unwrap_or_default(),
            );
            *bytes_by.entry(key).or_default() += r.bytes.unwrap();
        }
    }
    let get = |p: &str, a: &str, s: &str| {
        bytes_by
            .get(&(p.to_owned(), a.to_owned(), s.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(get("nat_gateway", "inventory", "S3"), 1_550_000);
    assert_eq!(get("via_nat_gateway", "inventory", "S3"), 1_550_000);
    assert_eq!(get("gateway_endpoint", "inventory", "S3"), 91_000);
    assert_eq!(get("gateway_endpoint", "traffic_path_field", "S3"), 64_000);
    assert_eq!(get("interface_endpoint", "inventory", "SQS"), 62_000);
    assert_eq!(get("internet_gateway", "inventory", "S3"), 10_955);
    // The v2-default file's ENIs are not in the inventory: the core's rules.
    assert_eq!(get("public", "address_only", "S3"), 560_000);

    // The text report says what was loaded.
    let text = stdout(&ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs/no-header-v2.log",
        "--inventory",
        "fixtures/inventory/describe-network-interfaces.json",
        "--inventory",
        "fixtures/inventory/describe-route-tables.json",
        "--out",
        out.path().to_str().unwrap(),
    ])));
    assert!(
        text.contains(
            "VPC inventory: 2 documents, 6 network interfaces, 0 VPC endpoints, 0 NAT gateways"
        ),
        "{text}"
    );

    // A bad inventory document stops the run before anything is read, naming it.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("security-groups.json");
    std::fs::write(&bad, r#"{"SecurityGroups": []}"#).unwrap();
    let o = flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--inventory",
        bad.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("security-groups.json: none of NetworkInterfaces"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is created");
}

#[test]
fn explain_tells_endpoint_private_and_public_addresses() {
    let explain = |args: &[&str]| {
        let mut all = vec!["explain"];
        all.extend_from_slice(args);
        all.push("--json");
        json(&ok(flowpath(&all)))
    };
    // The SQS interface endpoint's address, named from the inventory.
    let e = explain(&["10.0.1.200", "--inventory", "fixtures/inventory"]);
    assert_eq!(e["resolved"], false);
    let a = &e["addresses"][0];
    assert_eq!(a["kind"], "interface_endpoint");
    assert_eq!(a["endpoint_id"], "vpce-0abc1234def5678e2");
    assert_eq!(a["endpoint_service_name"], "com.amazonaws.eu-west-1.sqs");
    assert_eq!(a["service"], "SQS");
    assert_eq!(a["subnet_id"], "subnet-0abc1234def567891");
    assert!(
        e["verdict"].as_str().unwrap().contains("stays private"),
        "{e}"
    );
    // A public S3 address: service, region, prefix.
    let e = explain(&["3.5.98.40"]);
    let a = &e["addresses"][0];
    assert_eq!(
        (
            a["kind"].as_str(),
            a["service"].as_str(),
            a["region"].as_str(),
            a["prefix"].as_str()
        ),
        (
            Some("aws"),
            Some("S3"),
            Some("eu-west-1"),
            Some("3.5.98.0/23")
        )
    );
    // The NAT gateway's Elastic IP, and an instance's private address.
    let e = explain(&["34.248.10.20", "--inventory", "fixtures/inventory"]);
    assert_eq!(e["addresses"][0]["kind"], "eni_public");
    assert_eq!(e["addresses"][0]["interface_kind"], "nat_gateway");
    assert_eq!(e["addresses"][0]["service"], "EC2");
    // A name this machine cannot resolve (`.invalid` never resolves, RFC 2606): the
    // message says why that may be and what to do, not only the resolver's words.
    let o = flowpath(&["explain", "no-such-host.invalid"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot resolve no-such-host.invalid with this machine's resolver")
            && err.contains("give the addresses it resolves there"),
        "{err}"
    );
    let e = explain(&["10.0.4.4", "--inventory", "fixtures/inventory"]);
    assert_eq!(e["addresses"][0]["kind"], "private");
    assert_eq!(e["addresses"][0]["eni"], "eni-0a1b2c3d4e5f60031");
    // A host name goes through the system resolver (localhost: /etc/hosts, no network).
    let e = explain(&["localhost"]);
    assert_eq!(e["resolved"], true);
    let kinds: Vec<&str> = e["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "private"),
        "{e}"
    );
    // Text output names the endpoint.
    let text = stdout(&ok(flowpath(&[
        "explain",
        "10.0.1.200",
        "--inventory",
        "fixtures/inventory",
    ])));
    assert!(
        text.starts_with(
            "10.0.1.200: interface endpoint vpce-0abc1234def5678e2 (com.amazonaws.eu-west-1.sqs)"
        ),
        "{text}"
    );
}

#[test]
fn reruns_overwrite_with_identical_files() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        o,
        "--threads",
        "1",
    ]));
    let first = snapshot(out.path());
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        o,
        "--threads",
        "2",
    ]));
    let second = snapshot(out.path());
    assert_eq!(first, second);
}

#[test]
fn bad_inputs_are_reported_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let o = flowpath(&[
        "summarize",
        "fixtures/bad",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("9 inputs (3 failed)"), "{text}");
    assert!(
        text.contains("fixtures/bad/bad-integer.log:3: field `bytes`: not an integer in range:"),
        "{text}"
    );
    assert!(
        text.contains("fixtures/bad/non-utf8.log:3: field `interface-id`: not valid UTF-8"),
        "{text}"
    );
    assert!(
        text.contains("fixtures/bad/wrong-field-count.log:3: expected 14 fields, found 13"),
        "{text}"
    );
    assert!(
        text.contains("error: fixtures/bad/truncated.log.gz: bad gzip data"),
        "{text}"
    );
    assert!(
        text.contains(
            "error: fixtures/bad/bad-header.log: line 1: bad format: field `srcaddr` appears twice"
        ),
        "{text}"
    );
    // Each cause said once (not "invalid gzip header: invalid gzip header").
    assert!(
        text.contains(
            "error: fixtures/bad/not-gzip-after-magic.log.gz: bad gzip data: invalid gzip header\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "error: fixtures/bad/truncated.log.gz: bad gzip data: incomplete deflate stream\n"
        ),
        "{text}"
    );
    let written: Vec<String> = summary_files(out.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // The four inputs with good lines wrote one file each; failed, empty and header-only inputs wrote none; no temporary files remain.
    assert_eq!(written.len(), 4, "{written:?}");
    for prefix in [
        "bad-address-",
        "bad-integer-",
        "non-utf8-",
        "wrong-field-count-",
    ] {
        assert!(
            written.iter().any(|w| w.starts_with(prefix)),
            "{prefix} in {written:?}"
        );
    }

    let strict = tempfile::tempdir().unwrap();
    let o = flowpath(&[
        "summarize",
        "fixtures/bad/bad-integer.log",
        "--out",
        strict.path().to_str().unwrap(),
        "--strict",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report = json(&o);
    assert_eq!(
        report["failures"][0]["error"],
        "fixtures/bad/bad-integer.log: line 3: field `bytes`: not an integer in range"
    );
    assert!(files_under(strict.path()).is_empty());
}

#[test]
fn stdin_gives_the_same_rows_as_the_file() {
    let out = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_flowpath"))
        .args([
            "summarize",
            "-",
            "--out",
            out.path().to_str().unwrap(),
            "--json",
        ])
        .current_dir(root())
        .stdin(Stdio::from(
            std::fs::File::open(root().join("fixtures/flowlogs/v2-default.log")).unwrap(),
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let o = ok(child.wait_with_output().unwrap());
    assert_eq!(json(&o)["counts"]["ok"], 7);
    let files = summary_files(out.path());
    assert_eq!(files.len(), 1);
    assert!(
        files[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("stdin-")
    );
    let other = tempfile::tempdir().unwrap();
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs/v2-default.log",
        "--out",
        other.path().to_str().unwrap(),
    ]));
    let a = read_parquet(&files[0]).rows;
    let b = read_parquet(&summary_files(other.path())[0]).rows;
    assert_eq!(a, b);
}

/// CloudWatch Logs subscription payloads, as Firehose writes them to S3 (one gzip
/// member per payload, back to back, no file extension; a CONTROL_MESSAGE first), give
/// the rows of the same records as a flow-log file.
#[test]
fn cloudwatch_payloads_are_read_by_content() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let records = [
        "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK",
        "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 52.94.24.10 44322 443 6 4 900 1787400000 1787400060 ACCEPT OK",
        "2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1787400000 1787400060 - NODATA",
        "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 3.5.98.10 44323 443 6 2 100 1787400000 1787400060 ACCEPT OK",
    ];
    let payload = |message_type: &str, messages: &[&str]| {
        let events: Vec<Value> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                serde_json::json!({
                    "id": format!("{:056}", 37 + i),
                    "timestamp": 1_787_400_000_000_i64,
                    "message": m,
                })
            })
            .collect();
        let json = serde_json::json!({
            "messageType": message_type,
            "owner": "111122223333",
            "logGroup": "vpc-flow-logs",
            "logStream": "eni-0a1b2c3d4e5f60718-all",
            "subscriptionFilters": ["to-firehose"],
            "logEvents": events,
        });
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(json.to_string().as_bytes()).unwrap();
        gz.finish().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let object = dir.path().join("vpc-flow-1-2026-08-22-10-05-12-0b6f2c3d");
    let mut body = payload(
        "CONTROL_MESSAGE",
        &["CWL CONTROL MESSAGE: Checking health of destination Firehose."],
    );
    body.extend(payload("DATA_MESSAGE", &records[..2]));
    body.extend(payload("DATA_MESSAGE", &records[2..]));
    std::fs::write(&object, body).unwrap();
    let text = dir.path().join("same.log");
    std::fs::write(&text, records.join("\n") + "\n").unwrap();

    let out = tempfile::tempdir().unwrap();
    let o = ok(flowpath(&[
        "summarize",
        object.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--json",
    ]));
    let r = json(&o);
    assert_eq!(r["counts"]["read"], 4, "{r}");
    assert_eq!(r["counts"]["ok"], 3, "{r}");
    assert_eq!(r["counts"]["nodata"], 1, "{r}");
    assert_eq!(r["counts"]["malformed"], 0, "{r}");
    let other = tempfile::tempdir().unwrap();
    ok(flowpath(&[
        "summarize",
        text.to_str().unwrap(),
        "--out",
        other.path().to_str().unwrap(),
    ]));
    let a = read_parquet(&summary_files(out.path())[0]).rows;
    let b = read_parquet(&summary_files(other.path())[0]).rows;
    assert_eq!(a, b);
    assert_eq!(a.len(), 2, "S3 and DynamoDB: {a:?}");
    assert_eq!(a.iter().map(|r| r.bytes).sum::<Option<i64>>(), Some(9_400));

    // A record in another format is malformed, named by its log event.
    let bad = dir.path().join("bad.json.gz");
    std::fs::write(
        &bad,
        payload(
            "DATA_MESSAGE",
            &[
                records[0],
                "5 eni-1 10.0.1.5 3.5.98.10 1 443 6 1 1 1787400000 1787400060 ACCEPT OK x y",
            ],
        ),
    )
    .unwrap();
    let o = flowpath(&[
        "summarize",
        bad.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("bad.json.gz: log event 2: field `dstaddr`: not an IP address"),
        "{text}"
    );

    // A record with another field count is counted, and the report names the format
    // it was read in (there is no header to blame).
    let short = dir.path().join("short.json.gz");
    std::fs::write(
        &short,
        payload(
            "DATA_MESSAGE",
            &[records[0], "2 111122223333 eni-0a1b2c3d4e5f60718"],
        ),
    )
    .unwrap();
    let o = ok(flowpath(&[
        "summarize",
        short.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]));
    let text = stdout(&o);
    assert!(
        text.contains("short.json.gz:2: ")
            && text.contains("(read as `${version} ${account-id} ${interface-id} "),
        "{text}"
    );
}

#[test]
fn stale_ranges_and_unknown_fields_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("new-field.log");
    std::fs::write(
        &input,
        "srcaddr dstaddr bytes start encryption-status\n10.0.0.1 3.5.140.9 100 1787392800 1\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = ok(flowpath(&[
        "summarize",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ranges",
        "fixtures/ip-ranges/small.json",
        "--json",
    ]));
    let report = json(&o);
    assert_eq!(
        report["unknown_fields"],
        serde_json::json!(["encryption-status"])
    );
    assert_eq!(report["ranges"]["create_date"], "2023-11-14-22-13-20");
    let warning = report["ranges"]["stale_warning"].as_str().unwrap();
    assert!(
        warning.contains("are 1011 days older than the newest record"),
        "{warning}"
    );
    let rows = read_parquet(&summary_files(&out)[0]).rows;
    assert_eq!(rows[0].remote_service.as_deref(), Some("S3"));
    assert_eq!(rows[0].remote_region.as_deref(), Some("ap-northeast-2"));
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let o = flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        "/tmp/unused",
        "--format",
        "${srcaddr",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("bad --format: `${srcaddr` is not a field name")
    );
    let o = flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        "/tmp/unused",
        "--ranges",
        "fixtures/flowlogs/v2-default.log",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("bad ranges file fixtures/flowlogs/v2-default.log")
    );
    let o = flowpath(&["summarize", "no/such/file.log", "--out", "/tmp/unused"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read input no/such/file.log"));
    // An argument that is not an address is bad usage, as the README says: exit 2.
    let o = flowpath(&["lookup", "not-an-ip"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("invalid value 'not-an-ip' for '<IP>...': not an IPv4 or IPv6 address"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(flowpath(&["summarize"]).status.code(), Some(2));
}

#[test]
fn the_top_level_help_names_every_command() {
    let o = ok(flowpath(&["--help"]));
    let help = String::from_utf8_lossy(&o.stdout);
    let about = help.lines().next().unwrap();
    for command in [
        "summarize",
        "report",
        "explain",
        "compact",
        "Athena DDL",
        "manifests",
        "IP ranges",
    ] {
        assert!(about.contains(command), "{command} missing from: {about}");
    }
    for command in [
        "summarize",
        "manifest",
        "lookup",
        "ranges",
        "compact",
        "report",
        "explain",
        "athena-ddl",
    ] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "{command} missing from the command list:\n{help}"
        );
    }
}

#[test]
fn lookup_answers_service_region_and_prefixes() {
    let o = ok(flowpath(&[
        "lookup",
        "52.95.128.179",
        "2a05:d078:8000::1",
        "10.1.2.3",
        "--json",
    ]));
    let r = json(&o);
    assert_eq!(r[0]["service"], "S3");
    assert_eq!(r[0]["region"], "ap-southeast-2");
    assert_eq!(r[0]["network_border_group"], "ap-southeast-2");
    assert_eq!(r[0]["matched_prefix"], "52.95.128.0/21");
    assert_eq!(r[0]["services"], serde_json::json!(["AMAZON", "S3"]));
    assert_eq!(r[1]["service"], "S3");
    assert_eq!(r[1]["region"], "eu-west-1");
    assert_eq!(r[2]["service"], "PRIVATE");
    assert_eq!(r[2]["matched_prefix"], Value::Null);
    // A carve-out: the nested AMAZON-only /16 wins over the enclosing EC2 /10.
    let o = ok(flowpath(&[
        "lookup",
        "52.1.2.3",
        "--ranges",
        "fixtures/ip-ranges/small.json",
        "--json",
    ]));
    let r = json(&o);
    assert_eq!(r[0]["service"], "AMAZON");
    assert_eq!(r[0]["matched_prefix"], "52.1.0.0/16");
    let covering: Vec<&str> = r[0]["covering"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["prefix"].as_str().unwrap())
        .collect();
    assert_eq!(covering, ["52.1.0.0/16", "52.0.0.0/10", "52.0.0.0/10"]);
}

#[test]
fn ranges_list_and_bpf() {
    let small = ["--ranges", "fixtures/ip-ranges/small.json"];
    let o = ok(flowpath(
        &[&["ranges", "list", "--service", "s3"], &small[..]].concat(),
    ));
    assert_eq!(stdout(&o), "3.5.140.0/22\n52.2.0.0/16\n");
    let o = ok(flowpath(
        &[
            &[
                "ranges",
                "list",
                "--service",
                "S3",
                "--region",
                "us-east-1",
                "--bpf",
            ],
            &small[..],
        ]
        .concat(),
    ));
    assert_eq!(stdout(&o), "dst net 52.2.0.0/16\n");
    let o = ok(flowpath(
        &[
            &["ranges", "list", "--ipv6", "--service", "S3", "--bpf"],
            &small[..],
        ]
        .concat(),
    ));
    assert_eq!(stdout(&o), "dst net 2600:1f14::/35\n");
    let o = ok(flowpath(&[
        "ranges",
        "list",
        "--service",
        "S3",
        "--region",
        "eu-west-1",
    ]));
    assert!(stdout(&o).lines().any(|l| l == "3.5.98.0/23"));
    let o = flowpath(&[&["ranges", "list", "--service", "NOPE"], &small[..]].concat());
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn ranges_diff_of_real_snapshots() {
    let Some(shared) = skip::shared_dir("the real ip-ranges snapshots") else {
        return;
    };
    let shared = shared.join("aws-ip-ranges");
    let old = shared.join("ip-ranges-2026-08-21.json");
    let new = shared.join("ip-ranges-2026-08-22.json");
    let o = ok(flowpath(&[
        "ranges",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]));
    let text = stdout(&o);
    assert!(
        text.contains("+ 1.178.86.0/24 AMAZON ap-southeast-3 ap-southeast-3\n"),
        "{text}"
    );
    assert!(
        text.contains("+ 1.178.86.0/24 EC2 ap-southeast-3 ap-southeast-3\n"),
        "{text}"
    );
    assert!(
        text.ends_with("1 prefix added, 0 removed, 0 changed\n"),
        "{text}"
    );
    let o = ok(flowpath(&[
        "ranges",
        "diff",
        shared.join("ip-ranges-2025-08-22.json").to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
    ]));
    let r = json(&o);
    assert_eq!(r["changed"].as_array().unwrap().len(), 239);
}

/// Serves `body` for `requests` GET requests on 127.0.0.1, then stops.
fn serve(body: Vec<u8>, status: u16) -> (String, std::thread::JoinHandle<()>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/ip-ranges.json",
        server.server_addr().to_ip().unwrap()
    );
    let handle = std::thread::spawn(move || {
        if let Ok(Some(req)) = server.recv_timeout(std::time::Duration::from_secs(30)) {
            req.respond(tiny_http::Response::from_data(body).with_status_code(status))
                .expect("answer flowpath");
        }
    });
    (url, handle)
}

#[test]
fn ranges_update_downloads_validates_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ip-ranges.json");
    let snapshot = std::fs::read(root().join("fixtures/ip-ranges/small.json")).unwrap();
    let (url, server) = serve(snapshot.clone(), 200);
    let o = ok(flowpath(&[
        "ranges",
        "update",
        "--out",
        target.to_str().unwrap(),
        "--url",
        &url,
    ]));
    server.join().unwrap();
    assert!(
        stdout(&o).contains(
            "createDate 2023-11-14-22-13-20, syncToken 1700000000, 12 IPv4 and 3 IPv6 entries"
        ),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read(&target).unwrap(), snapshot);

    // A body that is not an ip-ranges.json is refused and the saved file is kept.
    let (url, server) = serve(b"<html>maintenance</html>".to_vec(), 200);
    let o = flowpath(&[
        "ranges",
        "update",
        "--out",
        target.to_str().unwrap(),
        "--url",
        &url,
    ]);
    server.join().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did not return a valid ip-ranges.json"));
    assert_eq!(std::fs::read(&target).unwrap(), snapshot);
    let (url, server) = serve(b"gone".to_vec(), 503);
    let o = flowpath(&[
        "ranges",
        "update",
        "--out",
        dir.path().join("other.json").to_str().unwrap(),
        "--url",
        &url,
    ]);
    server.join().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.path().join("other.json").exists());
    assert_eq!(files_under(dir.path()).len(), 1, "no temporary files left");
}

/// Every byte of the NAT gateway fixture (`…_20260822T1110Z_5f6a7b8c.log`): both legs
/// on the NAT's ENI, the senders' records and the endpoint traffic, 28 records.
const NAT_FIXTURE_BYTES: i64 = 2 * (40_000 + 1_200_000 + 10_000 + 300_000 + 300 + 2000 + 8000)
    + 2 * 5000
    + 2 * 1_000_000
    + 1_200_000
    + 300_000
    + 1_000_000
    + 2000
    + 8000
    + 2 * (6000 + 25_000)
    + 700;

/// Athena reads the summaries as a Hive-partitioned table; DuckDB does the same here.
/// Without inventory the new fixture's egress to S3 and DynamoDB is `public`: the NAT
/// gateway's outside leg (50,000 and 2,300 bytes) and the Lambda's 2,000 bytes, beside
/// the older fixtures' 50,000 and 300.
#[test]
fn duckdb_reads_the_summaries_as_athena_would() {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        skip::missing_tool(
            "DuckDB",
            "FLOWPATH_PYTHON is not set; run scripts/test.sh (it installs duckdb) or set it",
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        out.path().to_str().unwrap(),
    ]));
    let script = r#"
import duckdb, json, sys
con = duckdb.connect()
rel = f"read_parquet('{sys.argv[1]}/account_id=*/*/*/*.parquet', hive_partitioning = true, hive_types = {{'account_id': VARCHAR, 'region': VARCHAR, 'day': DATE}})"
rows = con.execute(f"""
  SELECT account_id, region, CAST(day AS VARCHAR), remote_service, path, SUM(flows), SUM(bytes)
  FROM {rel}
  WHERE direction = 'egress' AND remote_service IN ('S3', 'DYNAMODB')
  GROUP BY ALL ORDER BY ALL""").fetchall()
types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {rel})").fetchall())
total = con.execute(f"SELECT SUM(bytes), MIN(window_start)::VARCHAR FROM {rel}").fetchone()
print(json.dumps({"rows": [list(r) for r in rows], "types": types, "total": list(total)}))
"#;
    let o = ok(Command::new(python)
        .args(["-c", script, out.path().to_str().unwrap()])
        .output()
        .unwrap());
    let r = json(&o);
    assert_eq!(r["types"]["account_id"], "VARCHAR");
    assert_eq!(r["types"]["window_start"], "TIMESTAMP WITH TIME ZONE");
    assert_eq!(r["types"]["bytes"], "BIGINT");
    assert_eq!(r["types"]["protocol"], "INTEGER");
    assert_eq!(
        r["rows"],
        serde_json::json!([
            [
                "123456789012",
                "eu-west-1",
                "2026-08-22",
                "DYNAMODB",
                "internet_gateway_or_gateway_endpoint",
                2,
                4100
            ],
            [
                "123456789012",
                "eu-west-1",
                "2026-08-22",
                "DYNAMODB",
                "public",
                4,
                4600
            ],
            [
                "123456789012",
                "eu-west-1",
                "2026-08-22",
                "S3",
                "gateway_endpoint",
                1,
                64000
            ],
            [
                "123456789012",
                "eu-west-1",
                "2026-08-22",
                "S3",
                "internet_gateway",
                1,
                15000
            ],
            [
                "123456789012",
                "eu-west-1",
                "2026-08-22",
                "S3",
                "public",
                4,
                100000
            ],
            [
                "123456789012",
                "unknown",
                "2026-08-22",
                "DYNAMODB",
                "public",
                1,
                2400
            ],
            [
                "123456789012",
                "unknown",
                "2026-08-22",
                "S3",
                "public",
                3,
                152100
            ],
        ])
    );
    assert_eq!(
        r["total"][0],
        150_000
            + 410_000
            + 2400
            + 900
            + 7000
            + 180
            + 64_000
            + 91_000
            + 15_000
            + 3300
            + 1200
            + 800
            + 50_300
            + 2100
            + 8855
            + NAT_FIXTURE_BYTES
    );
}
