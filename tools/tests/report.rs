//! `flowpath report`, run as a user runs it, on summaries written here with known rows
//! (NAT gateway rows to S3, DynamoDB and SQS, their `via_nat_gateway` repeats, endpoint
//! rows and their repeats on the endpoint's own interface, internet gateway and public
//! rows, two days, two VPCs): exact bytes per category, the order of the top NAT flows,
//! costs and savings to the cent under the embedded and an overriding price table, and
//! the HTML page as headless Chromium renders it.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
#![allow(clippy::print_stderr, reason = "skip notices")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{flowpath, json, ok, stdout};
use flowpath_core::output::Row;
use flowpath_core::output::{Counts, FileMeta, write_parquet};
use flowpath_testkit::skip;
use serde_json::{Value, json};

const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";
const DAY1: &str = "2026-08-22";
const DAY2: &str = "2026-08-23";
const GIB: i64 = 1 << 30;
const MIB: i64 = 1 << 20;

#[allow(clippy::too_many_arguments, reason = "a row's columns, in order")]
/// A summary row: (VPC, path, interface kind, NAT gateway, service, service region,
/// bytes); window at the day's first hour.
fn row(
    day: &str,
    vpc: &str,
    path: &str,
    kind: Option<&str>,
    gateway: Option<&str>,
    service: &str,
    service_region: &str,
    bytes: i64,
) -> Row {
    let window = if day == DAY1 {
        1_787_356_800
    } else {
        1_787_443_200
    };
    Row {
        account_id: String::new(),
        region: String::new(),
        day: String::new(),
        window_start: Some(window),
        vpc_id: Some(vpc.into()),
        subnet_id: Some("subnet-1".into()),
        interface_id: Some("eni-1".into()),
        interface_kind: kind.map(Into::into),
        direction: "egress".into(),
        path: path.into(),
        attribution: "inventory".into(),
        gateway_id: gateway.map(Into::into),
        remote_service: Some(service.into()),
        remote_region: Some(service_region.into()),
        action: Some("ACCEPT".into()),
        protocol: Some(6),
        flows: 1,
        packets: Some(1),
        bytes: Some(bytes),
        ..Row::default()
    }
}

fn write(out: &Path, day: &str, name: &str, rows: &[Row]) {
    let dir = out.join(format!("account_id={ACCOUNT}/region={REGION}/day={day}"));
    std::fs::create_dir_all(&dir).unwrap();
    let meta = FileMeta {
        ranges_sync_token: "1".into(),
        ranges_create_date: "2026-08-22-00-00-00".into(),
        inputs: vec![name.into()],
        counts: Counts::default(),
        compacted_from: Vec::new(),
        tag_keys: Vec::new(),
    };
    let file = std::fs::File::create(dir.join(name)).unwrap();
    write_parquet(file, rows, &meta).unwrap();
}

/// The summaries every test reads.
///
/// Day 1, vpc-a (NAT gateway nat-a): NAT → S3 6 + 2 GiB (both directions), its
/// `via_nat_gateway` repeat 8 GiB, NAT → DYNAMODB 2 GiB, NAT → SQS 4 GiB, NAT → S3 in
/// eu-west-1 2 GiB, S3 gateway endpoint 3 GiB, SQS interface endpoint 5 GiB from a Lambda
/// and the same 5 GiB on the endpoint's own interface, S3 over the internet gateway 1 GiB,
/// INTERNET 100 GiB.
/// Day 2, vpc-a: NAT → S3 4 GiB, S3 public 512 MiB; vpc-b (nat-b): NAT → SQS 100 GiB, S3
/// over a transit gateway 256 MiB.
/// Plus what must not be read: a hidden directory and file, `_flowpath/`.
fn setup(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let (nat, nat_a, nat_b) = (Some("nat_gateway"), Some("nat-a"), Some("nat-b"));
    let r = row;
    write(
        &out,
        DAY1,
        "day1-a.parquet",
        &[
            r(
                DAY1,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "S3",
                REGION,
                6 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "S3",
                REGION,
                2 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "via_nat_gateway",
                Some("instance"),
                nat_a,
                "S3",
                REGION,
                8 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "DYNAMODB",
                REGION,
                2 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "SQS",
                REGION,
                4 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "S3",
                "eu-west-1",
                2 * GIB,
            ),
        ],
    );
    write(
        &out,
        DAY1,
        "day1-b.parquet",
        &[
            r(
                DAY1,
                "vpc-a",
                "gateway_endpoint",
                Some("instance"),
                Some("vpce-s3"),
                "S3",
                REGION,
                3 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "interface_endpoint",
                Some("lambda"),
                Some("vpce-sqs"),
                "SQS",
                REGION,
                5 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "interface_endpoint",
                Some("vpc_endpoint"),
                Some("vpce-sqs"),
                "SQS",
                REGION,
                5 * GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "internet_gateway",
                Some("instance"),
                Some("igw-1"),
                "S3",
                REGION,
                GIB,
            ),
            r(
                DAY1,
                "vpc-a",
                "internet_gateway",
                Some("instance"),
                Some("igw-1"),
                "INTERNET",
                REGION,
                100 * GIB,
            ),
        ],
    );
    write(
        &out,
        DAY2,
        "day2.parquet",
        &[
            r(
                DAY2,
                "vpc-a",
                "nat_gateway",
                nat,
                nat_a,
                "S3",
                REGION,
                4 * GIB,
            ),
            r(DAY2, "vpc-a", "public", None, None, "S3", REGION, 512 * MIB),
            r(
                DAY2,
                "vpc-b",
                "nat_gateway",
                nat,
                nat_b,
                "SQS",
                REGION,
                100 * GIB,
            ),
            r(
                DAY2,
                "vpc-b",
                "transit_gateway",
                Some("instance"),
                Some("tgw-1"),
                "S3",
                REGION,
                256 * MIB,
            ),
        ],
    );
    // Would double the counts if read.
    let day1 = out.join(format!("account_id={ACCOUNT}/region={REGION}/day={DAY1}"));
    std::fs::copy(
        day1.join("day1-a.parquet"),
        day1.join(".day1-a.parquet.tmp-1"),
    )
    .unwrap();
    let hidden = out.join(format!(
        "account_id={ACCOUNT}/region={REGION}/.day={DAY1}.compact-1"
    ));
    std::fs::create_dir_all(&hidden).unwrap();
    std::fs::copy(day1.join("day1-a.parquet"), hidden.join("day1-a.parquet")).unwrap();
    std::fs::create_dir_all(out.join("_flowpath/done")).unwrap();
    std::fs::write(out.join("_flowpath/done/x.json"), "{}").unwrap();
    out
}

fn report(out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["report", out.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    json(&ok(flowpath(&args)))
}

fn gib(x: f64) -> i64 {
    (x * GIB as f64) as i64
}

/// The by-path row of a VPC, service and service region.
fn by_path<'a>(r: &'a Value, vpc: &str, service: &str, service_region: &str) -> &'a Value {
    r["by_path"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["vpc_id"] == vpc && b["service"] == service && b["service_region"] == service_region
        })
        .unwrap_or_else(|| panic!("no row {vpc} {service} {service_region}"))
}

fn saving<'a>(r: &'a Value, vpc: &str, service: &str, service_region: &str) -> &'a Value {
    r["savings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["vpc_id"] == vpc && b["service"] == service && b["service_region"] == service_region
        })
        .unwrap_or_else(|| panic!("no saving {vpc} {service} {service_region}"))
}

#[test]
fn bytes_by_path_count_each_byte_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let r = report(&out, &[]);
    assert_eq!(r["files"], 3);
    assert_eq!(r["rows"], 15);
    assert_eq!(r["days"], json!([DAY1, DAY2]));
    assert_eq!(r["period_days"], 2);
    assert_eq!(r["month_days"], 30);
    assert_eq!(
        r["totals"],
        json!({
            "endpoint": 8 * GIB,
            "nat_gateway": 120 * GIB,
            "internet_gateway": GIB,
            "public_unresolved": 512 * MIB,
            "other": 256 * MIB,
            "sent_via_nat_gateway": 8 * GIB,
        })
    );
    assert_eq!(r["total"], gib(129.75));
    let s3 = by_path(&r, "vpc-a", "S3", REGION);
    assert_eq!(s3["account_id"], ACCOUNT);
    assert_eq!(s3["region"], REGION);
    assert_eq!(s3["endpoint"], 3 * GIB);
    assert_eq!(
        s3["nat_gateway"],
        12 * GIB,
        "both directions, both days; via_nat not added"
    );
    assert_eq!(s3["internet_gateway"], GIB);
    assert_eq!(s3["public_unresolved"], 512 * MIB);
    assert_eq!(s3["other"], 0);
    assert_eq!(s3["sent_via_nat_gateway"], 8 * GIB);
    assert_eq!(s3["total"], gib(16.5));
    let sqs = by_path(&r, "vpc-a", "SQS", REGION);
    assert_eq!(
        sqs["endpoint"],
        5 * GIB,
        "the endpoint's own interface is not added"
    );
    assert_eq!(sqs["total"], 9 * GIB);
    assert_eq!(by_path(&r, "vpc-b", "S3", REGION)["other"], 256 * MIB);
    let order: Vec<String> = r["by_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{} {} {}",
                b["vpc_id"].as_str().unwrap(),
                b["service"].as_str().unwrap(),
                b["service_region"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            "vpc-b SQS us-east-1",
            "vpc-a S3 us-east-1",
            "vpc-a SQS us-east-1",
            "vpc-a DYNAMODB us-east-1",
            "vpc-a S3 eu-west-1",
            "vpc-b S3 us-east-1",
        ],
        "largest first, ties in key order; INTERNET is not an AWS service"
    );
    // The chart's data: per day and service.
    let day2_s3 = r["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["day"] == DAY2 && d["service"] == "S3")
        .unwrap();
    assert_eq!(day2_s3["nat_gateway"], 4 * GIB);
    assert_eq!(day2_s3["public_unresolved"], 512 * MIB);
    assert_eq!(day2_s3["other"], 256 * MIB);
}

#[test]
fn top_nat_flows_and_savings_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let r = report(&out, &["--top", "4"]);
    let top: Vec<(String, String, i64)> = r["top_nat_flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["gateway_id"].as_str().unwrap().to_owned(),
                format!(
                    "{} {}",
                    f["service"].as_str().unwrap(),
                    f["service_region"].as_str().unwrap()
                ),
                f["bytes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("nat-b".into(), "SQS us-east-1".into(), 100 * GIB),
            ("nat-a".into(), "S3 us-east-1".into(), 12 * GIB),
            ("nat-a".into(), "SQS us-east-1".into(), 4 * GIB),
            ("nat-a".into(), "DYNAMODB us-east-1".into(), 2 * GIB),
        ]
    );
    // Two days scaled to 30: ×15. us-east-1: NAT $0.045/GB; interface endpoint
    // $0.01 per AZ-hour (2 AZs × 720 h = $14.40) and $0.01/GB.
    assert_eq!(r["top_nat_flows"][1]["monthly_bytes"], 180 * GIB);
    assert_eq!(r["top_nat_flows"][1]["nat_cost_month"], 8.1);
    assert_eq!(r["prices"]["taken"], "2026-11-26");
    assert_eq!(r["prices"]["file"], Value::Null);
    assert_eq!(r["interface_endpoint_azs"], 2);

    let s3 = saving(&r, "vpc-a", "S3", REGION);
    assert_eq!(s3["endpoint"], "gateway");
    assert_eq!(s3["monthly_bytes"], 180 * GIB);
    assert_eq!(s3["nat_cost_month"], 8.1);
    assert_eq!(s3["endpoint_cost_month"], 0.0);
    assert_eq!(s3["saving_month"], 8.1);
    let ddb = saving(&r, "vpc-a", "DYNAMODB", REGION);
    assert_eq!(
        (ddb["endpoint"].as_str(), ddb["saving_month"].as_f64()),
        (Some("gateway"), Some(1.35))
    );
    // 60 GB: NAT $2.70; endpoint $14.40 + $0.60: the endpoint costs more.
    let sqs_a = saving(&r, "vpc-a", "SQS", REGION);
    assert_eq!(sqs_a["endpoint"], "interface");
    assert_eq!(sqs_a["nat_cost_month"], 2.7);
    assert_eq!(sqs_a["endpoint_cost_month"], 15.0);
    assert_eq!(sqs_a["saving_month"], -12.3);
    // 1500 GB: NAT $67.50; endpoint $14.40 + $15.00.
    let sqs_b = saving(&r, "vpc-b", "SQS", REGION);
    assert_eq!(sqs_b["nat_cost_month"], 67.5);
    assert_eq!(sqs_b["endpoint_cost_month"], 29.4);
    assert_eq!(sqs_b["saving_month"], 38.1);
    let far = saving(&r, "vpc-a", "S3", "eu-west-1");
    assert_eq!(far["endpoint"], "none");
    assert_eq!(far["nat_cost_month"], 1.35);
    assert_eq!(far["endpoint_cost_month"], Value::Null);
    assert_eq!(far["saving_month"], 0.0);
    assert_eq!(
        r["savings_total"],
        json!({"nat_cost_month": 81.0, "endpoint_cost_month": 44.4, "saving_month": 35.25})
    );
    let order: Vec<f64> = r["savings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["saving_month"].as_f64().unwrap())
        .collect();
    assert_eq!(order, [38.1, 8.1, 1.35, 0.0, -12.3]);
    assert_eq!(
        r["savings_by_vpc"],
        json!([
            {"account_id": ACCOUNT, "region": REGION, "vpc_id": "vpc-b", "nat_cost_month": 67.5,
             "endpoint_cost_month": 29.4, "saving_month": 38.1, "gateway_saving_month": 0.0,
             "interface_saving_month": 38.1},
            {"account_id": ACCOUNT, "region": REGION, "vpc_id": "vpc-a", "nat_cost_month": 13.5,
             "endpoint_cost_month": 15.0, "saving_month": -2.85, "gateway_saving_month": 9.45,
             "interface_saving_month": -12.3},
        ])
    );

    // Three AZs: the SQS endpoint of vpc-b costs 3 × 720 × $0.01 + $15.00.
    let r = report(&out, &["--azs", "3"]);
    assert_eq!(
        saving(&r, "vpc-b", "SQS", REGION)["endpoint_cost_month"],
        36.6
    );
    assert_eq!(saving(&r, "vpc-b", "SQS", REGION)["saving_month"], 30.9);
}

#[test]
fn from_and_to_select_days_and_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let r = report(&out, &["--from", DAY2, "--to", DAY2]);
    assert_eq!(r["days"], json!([DAY2]));
    assert_eq!(r["files"], 1);
    assert_eq!(r["period_days"], 1);
    assert_eq!(r["totals"]["nat_gateway"], 104 * GIB);
    assert_eq!(r["totals"]["endpoint"], 0);
    // One day scaled to 30.
    let s3 = saving(&r, "vpc-a", "S3", REGION);
    assert_eq!(s3["monthly_bytes"], 120 * GIB);
    assert_eq!(s3["saving_month"], 5.4);
    let sqs = saving(&r, "vpc-b", "SQS", REGION);
    assert_eq!(sqs["nat_cost_month"], 135.0);
    assert_eq!(sqs["endpoint_cost_month"], 44.4);
    assert_eq!(sqs["saving_month"], 90.6);

    let r = report(&out, &["--to", DAY1]);
    assert_eq!(r["days"], json!([DAY1]));
    assert_eq!(r["totals"]["nat_gateway"], 16 * GIB);

    let o = flowpath(&["report", out.to_str().unwrap(), "--from", "2026-09-01"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no summary files under") && err.contains("2026-09-01"),
        "{err}"
    );
    let o = flowpath(&["report", out.to_str().unwrap(), "--from", "22/08/2026"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected YYYY-MM-DD"));
    let o = flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--from",
        DAY2,
        "--to",
        DAY1,
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("is after --to"));
}

#[test]
fn a_price_table_overrides_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let prices = dir.path().join("prices.json");
    std::fs::write(
        &prices,
        r#"{"source": "our negotiated prices", "taken": "2030-01-01", "currency": "EUR",
            "regions": {"us-east-1": {"nat_gateway_per_gb": 0.1,
              "interface_endpoint_per_az_hour": 0.02, "interface_endpoint_per_gb": 0.005}}}"#,
    )
    .unwrap();
    let r = report(&out, &["--prices", prices.to_str().unwrap()]);
    assert_eq!(r["prices"]["taken"], "2030-01-01");
    assert_eq!(r["prices"]["currency"], "EUR");
    assert_eq!(r["prices"]["file"], prices.to_str().unwrap());
    assert_eq!(saving(&r, "vpc-a", "S3", REGION)["saving_month"], 18.0);
    // NAT 1500 GB × 0.1; endpoint 2 × 720 × 0.02 + 1500 × 0.005.
    let sqs = saving(&r, "vpc-b", "SQS", REGION);
    assert_eq!(sqs["nat_cost_month"], 150.0);
    assert_eq!(sqs["endpoint_cost_month"], 36.3);
    assert_eq!(sqs["saving_month"], 113.7);
    let text = stdout(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--prices",
        prices.to_str().unwrap(),
    ])));
    assert!(text.contains("113.70 EUR"), "{text}");
    assert!(text.contains("2030-01-01"), "{text}");

    std::fs::write(
        &prices,
        r#"{"source": "s", "taken": "2030-01-01", "currency": "USD", "regions": {}}"#,
    )
    .unwrap();
    let o = flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--prices",
        prices.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no prices for region \"us-east-1\""), "{err}");
}

#[test]
fn text_output_prints_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let text = stdout(&ok(flowpath(&["report", out.to_str().unwrap()])));
    for needle in [
        "Bytes by path to AWS services",
        "Top NAT gateway -> AWS service flows",
        "NAT data processing an endpoint would replace",
        "Savings by VPC",
        "16.50 GiB",
        "$38.10",
        "-$12.30",
        "a negative saving",
        "prices as of 2026-11-26",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
}

#[test]
fn errors_name_the_directory_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let o = flowpath(&["report", missing.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing: no such directory"), "{err}");

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("_flowpath")).unwrap();
    let o = flowpath(&["report", empty.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no summary files under"), "{err}");

    let out = setup(dir.path());
    let bad = out.join(format!(
        "account_id={ACCOUNT}/region={REGION}/day={DAY2}/broken.parquet"
    ));
    std::fs::write(&bad, "not parquet").unwrap();
    let o = flowpath(&["report", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot read summary") && err.contains("broken.parquet"),
        "{err}"
    );
}

#[test]
fn sums_past_int64_are_an_error_not_a_clamp() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let nat = |bytes| {
        row(
            DAY1,
            "vpc-a",
            "nat_gateway",
            None,
            Some("nat-a"),
            "S3",
            REGION,
            bytes,
        )
    };
    // Each file fits; together they do not.
    write(&out, DAY1, "a.parquet", &[nat(i64::MAX - 1)]);
    write(&out, DAY1, "b.parquet", &[nat(2)]);
    let o = flowpath(&["report", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("past 9223372036854775807 (INT64)"), "{err}");

    // Within INT64 in all, but not once scaled from one day to a month.
    std::fs::remove_file(out.join(format!(
        "account_id={ACCOUNT}/region={REGION}/day={DAY1}/b.parquet"
    )))
    .unwrap();
    let o = flowpath(&["report", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("scaled to a 30-day month"), "{err}");

    // Negative counts are no flowpath summary.
    write(&out, DAY1, "a.parquet", &[nat(-5)]);
    let o = flowpath(&["report", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("negative counts") && err.contains("a.parquet"),
        "{err}"
    );
}

/// Chromium, or why the test is skipped (a failure with `FLOWPATH_REQUIRE_TOOLS=1`).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("FLOWPATH_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        return Some(path);
    }
    skip::missing_tool(
        "Chromium",
        &format!(
            "no Chromium at {}; run scripts/test.sh (it installs it) or set FLOWPATH_CHROMIUM",
            path.display()
        ),
    );
    None
}

/// Runs headless Chromium on `page` with `args`; returns standard output.
fn run_chromium(chromium: &Path, page: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(out).unwrap());
    let err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || std::io::read_to_string(err).unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("chromium took more than 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let dom = reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    assert!(status.success(), "chromium failed: {status}\n{stderr}");
    dom
}

/// The text of the cells of the table row whose opening tag contains `marker`.
fn cells(dom: &str, marker: &str) -> Vec<String> {
    let start = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no row {marker}"));
    let end = start + dom[start..].find("</tr>").unwrap();
    let row = &dom[start..end];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let body = &cell[cell.find('>').unwrap() + 1..];
            body[..body.find("</td>").unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn the_html_page_renders_in_chromium_with_tables_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path());
    let page = dir.path().join("html/report.html");
    let o = ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(json(&o)["html"], page.to_str().unwrap());
    let html = std::fs::read_to_string(&page).unwrap();
    // One self-contained file: nothing to fetch, nothing to run, no temporary left.
    for external in [
        "<script", "<link", "src=", "href=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!html.contains(external), "{external} in the page");
    }
    let leftovers: Vec<_> = std::fs::read_dir(page.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only the page: {leftovers:?}");

    let Some(chromium) = chromium() else { return };
    let dom = run_chromium(&chromium, &page, &["--dump-dom".to_owned()]);
    assert!(dom.contains("<h1>flowpath report:"), "{dom}");

    // The by-path table: account, region, VPC, service, service region, endpoint, NAT,
    // internet gateway, public, other, total, sent via NAT.
    let s3 = cells(
        &dom,
        &format!("data-key=\"{ACCOUNT}/{REGION}/vpc-a/S3/{REGION}\""),
    );
    assert_eq!(
        s3,
        [
            ACCOUNT,
            REGION,
            "vpc-a",
            "S3",
            REGION,
            "3.00 GiB",
            "12.00 GiB",
            "1.00 GiB",
            "512.00 MiB",
            "0 B",
            "16.50 GiB",
            "8.00 GiB"
        ]
    );
    let total = cells(&dom, "data-key=\"total\"");
    assert_eq!(
        total[1..],
        [
            "8.00 GiB",
            "120.00 GiB",
            "1.00 GiB",
            "512.00 MiB",
            "256.00 MiB",
            "129.75 GiB",
            "8.00 GiB"
        ]
    );
    assert!(dom.contains(&format!("title=\"{} bytes\">129.75 GiB", gib(129.75))));

    // The top NAT flows and the savings, negative ones marked.
    let top = cells(&dom, "data-gateway=\"nat-b\" data-service=\"SQS\"");
    assert_eq!(top[6..], ["100.00 GiB", "1.46 TiB", "$67.50"]);
    let sqs_b = cells(&dom, "data-vpc=\"vpc-b\" data-service=\"SQS\"");
    assert_eq!(
        sqs_b[5..],
        ["interface", "1.46 TiB", "$67.50", "$29.40", "$38.10"]
    );
    let sqs_a = cells(&dom, "data-vpc=\"vpc-a\" data-service=\"SQS\"");
    assert_eq!(sqs_a.last().unwrap(), "-$12.30");
    assert!(dom.contains("<td class=\"num negative\">-$12.30</td>"));
    let s3_saving = cells(&dom, "data-vpc=\"vpc-a\" data-service=\"S3\"");
    assert_eq!(
        s3_saving[5..],
        [
            "gateway (no charge)",
            "180.00 GiB",
            "$8.10",
            "$0.00",
            "$8.10"
        ]
    );
    let totals = cells(&dom, "data-vpc=\"total\"");
    assert_eq!(totals[1..], ["$81.00", "$44.40", "$35.25"]);
    assert!(dom.contains("<b>$81.00</b> per month"));
    assert!(dom.contains("<b id=\"prices-taken\">2026-11-26</b>"));

    // Chart 1: one panel per service, largest first, a bar per day, a titled segment per
    // non-empty category.
    let panels: Vec<&str> = dom
        .split("<figure class=\"panel\" data-service=\"")
        .skip(1)
        .map(|p| &p[..p.find('"').unwrap()])
        .collect();
    assert_eq!(panels, ["SQS", "S3", "DYNAMODB"]);
    for service in ["SQS", "S3", "DYNAMODB"] {
        assert!(dom.contains(&format!(
            "<text class=\"panel-title\" x=\"72\" y=\"18\">{service}</text>"
        )));
        assert!(dom.contains(&format!(
            "<title id=\"panel-{}\">{service}: bytes by path per day</title>",
            service.to_lowercase()
        )));
    }
    assert_eq!(
        dom.matches("<g class=\"bar\"").count(),
        6,
        "3 services × 2 days"
    );
    let segments = dom.matches("<rect class=\"seg ").count();
    assert_eq!(
        segments,
        dom.matches("</title></rect>").count() - 2,
        "every segment has a title (and the 2 savings bars)"
    );
    // S3: day 1 endpoint, NAT, internet gateway; day 2 NAT, public, other. SQS: day 1
    // endpoint, NAT; day 2 NAT. DYNAMODB: day 1 NAT.
    assert_eq!(segments, 10);
    assert!(dom.contains(&format!("data-bytes=\"{}\"", 100 * GIB)));
    assert!(dom.contains(
        "<title>S3, 2026-08-23, public, unresolved: 512.00 MiB (536870912 bytes)</title>"
    ));

    // Chart 2: a bar per VPC, the loss drawn apart.
    assert!(dom.contains("<rect class=\"bar saving\" data-vpc=\"vpc-b\" data-saving=\"38.10\""));
    assert!(dom.contains("<rect class=\"bar loss\" data-vpc=\"vpc-a\" data-saving=\"-2.85\""));
    assert!(dom.contains(&format!(
        "<title>vpc-a ({REGION}, {ACCOUNT}): saving -$2.85 per month (NAT data processing $13.50, endpoints $15.00; gateway endpoints $9.45, interface endpoints -$12.30)</title>"
    )));

    // The page as drawn: a PNG of the requested size.
    let png = dir.path().join("report.png");
    run_chromium(
        &chromium,
        &page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,2000".to_owned(),
        ],
    );
    if let Some(keep) = std::env::var_os("FLOWPATH_KEEP_REPORT") {
        // To look at the page and its screenshot by eye.
        std::fs::copy(&page, Path::new(&keep).join("report.html")).unwrap();
        std::fs::copy(&png, Path::new(&keep).join("report.png")).unwrap();
    }
    let image = std::fs::read(&png).unwrap();
    assert_eq!(&image[1..4], b"PNG");
    let width = u32::from_be_bytes(image[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(image[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 2000));
    assert!(
        image.len() > 20_000,
        "a page with tables and charts, not a blank one"
    );
}

/// The charge-back table of a central egress VPC, as Chromium renders it: from the
/// hub-and-spoke fixture's transit gateway log, priced with round prices.
#[test]
fn the_charge_back_table_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(flowpath(&[
        "summarize",
        "fixtures/transit-gateway/hub-and-spoke.log",
        "--out",
        out.to_str().unwrap(),
    ]));
    let prices = dir.path().join("prices.json");
    std::fs::write(
        &prices,
        r#"{"source": "test", "taken": "2026-12-01", "currency": "USD",
  "regions": {"eu-west-1": {"nat_gateway_per_gb": 1000, "interface_endpoint_per_az_hour": 0,
  "interface_endpoint_per_gb": 10, "transit_gateway_per_gb": 100}}}"#,
    )
    .unwrap();
    let page = dir.path().join("report.html");
    ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--prices",
        prices.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]));
    let Some(chromium) = chromium() else { return };
    let dom = run_chromium(&chromium, &page, &["--dump-dom".to_owned()]);
    assert!(dom.contains("id=\"charge-back-table\""), "{dom}");
    let a = cells(
        &dom,
        "data-spoke=\"vpc-0a1a1a1a1a1a1a1a1\" data-service=\"S3\"",
    );
    assert_eq!(
        a,
        [
            "111122223333",
            "vpc-0a1a1a1a1a1a1a1a1",
            "vpc-0e9e9e9e9e9e9e9e1",
            "eu-west-1",
            "S3",
            "35.48 MiB",
            "$34.65",
            "$3.46",
            "gateway (no charge)",
            "$38.11",
            "$34.30",
            "transit_gateway_log"
        ]
    );
}

/// The charts as Chromium lays them out: no label cut at a chart's edge, and no bar or
/// segment of a non-zero value too thin to see. A copy of the page gets a script that
/// measures every text and mark (the page itself has none) and writes what it finds
/// into the DOM that `--dump-dom` prints: (marks, problems).
fn layout_problems(chromium: &Path, page: &Path) -> (u32, String) {
    let html = std::fs::read_to_string(page).unwrap();
    let probe = r#"<script>
const problems = [];
let marks = 0;
for (const svg of document.querySelectorAll('svg')) {
  const vb = svg.viewBox.baseVal;
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5) {
      problems.push('clipped text: ' + t.textContent);
    }
  }
  for (const r of svg.querySelectorAll('rect')) {
    const b = r.getBBox();
    marks += 1;
    if (b.width < 1.5 || b.height < 1.5) {
      problems.push('invisible mark: ' + (r.getAttribute('data-category') || r.getAttribute('data-vpc')));
    }
  }
}
document.body.setAttribute('data-marks', marks);
document.body.setAttribute('data-layout-problems', problems.join(' | '));
</script></body>"#;
    let probed = page.with_extension("probed.html");
    std::fs::write(&probed, html.replace("</body>", probe)).unwrap();
    let dom = run_chromium(chromium, &probed, &["--dump-dom".to_owned()]);
    let attr = |name: &str| {
        let start = dom
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("no {name}: {dom}"))
            + name.len()
            + 2;
        dom[start..start + dom[start..].find('"').unwrap()].to_owned()
    };
    (
        attr("data-marks").parse().unwrap(),
        attr("data-layout-problems"),
    )
}

#[test]
fn charts_have_no_clipped_label_and_no_invisible_mark() {
    let dir = tempfile::tempdir().unwrap();
    // The fixtures (long VPC labels: id, region, account), and this file's own rows
    // (256 MiB segments beside 120 GiB ones: under a pixel at scale).
    let fixtures = dir.path().join("fixtures-out");
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--inventory",
        "fixtures/inventory",
        "--out",
        fixtures.to_str().unwrap(),
    ]));
    let rows = setup(&dir.path().join("rows"));
    // And a mark a thousand times smaller than its neighbour: 10 MiB through the
    // endpoint beside 10 GiB through the NAT gateway, and a VPC whose saving is a cent
    // beside one of $450.
    let tiny = dir.path().join("tiny");
    write(
        &tiny,
        DAY1,
        "tiny.parquet",
        &[
            row(
                DAY1,
                "vpc-a",
                "nat_gateway",
                Some("nat_gateway"),
                Some("nat-a"),
                "S3",
                REGION,
                10 * GIB,
            ),
            row(
                DAY1,
                "vpc-a",
                "gateway_endpoint",
                Some("instance"),
                None,
                "S3",
                REGION,
                10 * MIB,
            ),
            row(
                DAY1,
                "vpc-b",
                "nat_gateway",
                Some("nat_gateway"),
                Some("nat-b"),
                "S3",
                REGION,
                10 * MIB,
            ),
        ],
    );
    let Some(chromium) = chromium() else { return };
    for (name, out) in [("fixtures", fixtures), ("rows", rows), ("tiny", tiny)] {
        let page = dir.path().join(format!("{name}.html"));
        ok(flowpath(&[
            "report",
            out.to_str().unwrap(),
            "--html",
            page.to_str().unwrap(),
        ]));
        let (marks, problems) = layout_problems(&chromium, &page);
        assert!(marks >= 3, "{name}: {marks} marks");
        assert_eq!(problems, "", "{name}");
    }
}
