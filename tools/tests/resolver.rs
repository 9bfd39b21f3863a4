//! `summarize --resolver-logs`: each row's `remote_name` from Route 53 Resolver query
//! logs, over `fixtures/resolver/` (a query log as AWS delivers it to S3, gzip JSON
//! lines under its `vpcdnsquerylogs` key, and a flow log of the same VPC): a CNAME
//! chain, two clients resolving one address to different names, a query outside the
//! window, a name from another client of the VPC, and a flow nobody resolved. Rows are
//! read back with the core's Parquet reader and in DuckDB, as Athena reads them.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::path::Path;

use common::{duckdb_rows, flowpath, json, ok, parquet_table, stdout};
use flowpath_testkit::{files_under, summary_files};

const FLOWS: &str = "fixtures/resolver/flowlogs";
const QUERIES: &str = "fixtures/resolver/query-logs";

/// (interface, direction, remote service, remote name, name source, bytes) of every row
/// under `out`, sorted.
type Named = (String, String, String, Option<String>, Option<String>, i64);

fn rows(out: &Path) -> Vec<Named> {
    let mut rows: Vec<Named> = summary_files(out)
        .into_iter()
        .flat_map(|p| {
            let file = std::fs::File::open(&p).unwrap();
            flowpath_core::output::read_rows(file).unwrap()
        })
        .map(|r| {
            (
                r.interface_id.unwrap(),
                r.direction,
                r.remote_service.unwrap(),
                r.remote_name,
                r.name_source,
                r.bytes.unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn summarize(out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["summarize", FLOWS, "--out", out.to_str().unwrap(), "--json"];
    args.extend(extra);
    json(&ok(flowpath(&args)))
}

fn named(
    eni: &str,
    direction: &str,
    service: &str,
    name: Option<(&str, &str)>,
    bytes: i64,
) -> Named {
    (
        eni.to_owned(),
        direction.to_owned(),
        service.to_owned(),
        name.map(|n| n.0.to_owned()),
        name.map(|n| n.1.to_owned()),
        bytes,
    )
}

const A: &str = "eni-0aaa1111bbbb22221";
const B: &str = "eni-0bbb2222cccc33331";
const C: &str = "eni-0ccc3333dddd44441";

#[test]
fn each_remote_gets_the_name_its_client_or_vpc_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = summarize(&out, &["--resolver-logs", QUERIES]);
    let info = &report["resolver_logs"];
    // Six lines: four answered with addresses (one through a CNAME chain), an
    // NXDOMAIN and a PTR lookup hold none.
    assert_eq!(
        (
            info["inputs"].as_u64(),
            info["lines"].as_u64(),
            info["queries"].as_u64(),
            info["names"].as_u64(),
            info["malformed"].as_u64(),
            info["window_seconds"].as_i64(),
        ),
        (Some(1), Some(6), Some(4), Some(4), Some(0), Some(3600))
    );
    let s3 = "my-bucket.s3.eu-west-1.amazonaws.com";
    let service = |ip: &str| {
        let o = ok(flowpath(&["lookup", ip, "--json"]));
        json(&o)[0]["service"].as_str().unwrap().to_owned()
    };
    let (ddb, sqs, web) = (
        service("52.94.5.10"),
        service("52.119.1.1"),
        service("93.184.216.34"),
    );
    let mut want = vec![
        // A asked for my-bucket (a CNAME chain to 52.218.10.5): both directions.
        named(A, "egress", "S3", Some((s3, "client")), 1000),
        named(A, "ingress", "S3", Some((s3, "client")), 1500),
        // B resolved the same address to another name, 4 s later.
        named(
            B,
            "egress",
            "S3",
            Some(("logs-archive.s3.eu-west-1.amazonaws.com", "client")),
            2000,
        ),
        // A resolved DynamoDB 1.5 h before the flow: outside the 1 h window.
        named(A, "egress", &ddb, None, 3000),
        // C never asked for SQS; A, in the same VPC, did.
        named(
            C,
            "egress",
            &sqs,
            Some(("sqs.eu-west-1.amazonaws.com", "vpc")),
            4000,
        ),
        // Nobody resolved this address: no name is guessed.
        named(A, "egress", &web, None, 5000),
    ];
    want.sort();
    assert_eq!(rows(&out), want);

    // The report's names: the bytes that leave by public paths (no inventory here, so
    // unresolved public paths), largest first; no endpoint serves any of them.
    let r = json(&ok(flowpath(&["report", out.to_str().unwrap(), "--json"])));
    let top: Vec<(&str, i64)> = r["top_public_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap(),
                n["public_bytes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("sqs.eu-west-1.amazonaws.com", 4000),
            (s3, 2500),
            ("logs-archive.s3.eu-west-1.amazonaws.com", 2000)
        ]
    );
    assert_eq!(r["endpoint_names"].as_array().map(Vec::len), Some(0));
    let text = stdout(&ok(flowpath(&["report", out.to_str().unwrap()])));
    assert!(
        text.contains("Top names by bytes leaving through NAT and internet gateways")
            && text
                .lines()
                .any(|l| l.contains(s3) && l.contains("2.44 KiB")),
        "{text}"
    );

    // A two-hour window reaches A's DynamoDB query.
    let wider = dir.path().join("wider");
    summarize(&wider, &["--resolver-logs", QUERIES, "--name-window", "2h"]);
    assert!(
        rows(&wider).contains(&named(
            A,
            "egress",
            &ddb,
            Some(("dynamodb.eu-west-1.amazonaws.com", "client")),
            3000
        )),
        "{:?}",
        rows(&wider)
    );

    // Without query logs every name is null, and the report says how to get them.
    let plain = dir.path().join("plain");
    summarize(&plain, &[]);
    let text = stdout(&ok(flowpath(&["report", plain.to_str().unwrap()])));
    assert!(
        text.contains("Names: none in these summaries; summarize with --resolver-logs"),
        "{text}"
    );
    assert!(rows(&plain).iter().all(|r| r.3.is_none() && r.4.is_none()));
    assert_eq!(rows(&plain).len(), 6);

    // DuckDB reads the columns as Athena would.
    let Some(rows) = duckdb_rows(&format!(
        "SELECT remote_name, name_source, SUM(bytes)::BIGINT FROM {} GROUP BY ALL ORDER BY 3",
        parquet_table(&out)
    )) else {
        return;
    };
    assert_eq!(
        rows,
        "('logs-archive.s3.eu-west-1.amazonaws.com', 'client', 2000)\n\
         ('my-bucket.s3.eu-west-1.amazonaws.com', 'client', 2500)\n\
         ('sqs.eu-west-1.amazonaws.com', 'vpc', 4000)\n\
         (None, None, 8000)\n"
    );
}

#[test]
fn explain_says_which_names_resolved_to_an_address_and_what_a_name_resolved_to() {
    let o = ok(flowpath(&[
        "explain",
        "52.218.10.5",
        "--resolver-logs",
        QUERIES,
    ]));
    let text = stdout(&o);
    assert!(
        text.contains(
            "  resolved as my-bucket.s3.eu-west-1.amazonaws.com by 10.0.1.10 in vpc-0abc1234def567890 at 2026-08-22T10:00:01Z\n  \
             resolved as logs-archive.s3.eu-west-1.amazonaws.com by 10.0.1.20 in vpc-0abc1234def567890 at 2026-08-22T10:00:05Z\n"
        ),
        "{text}"
    );
    // A name is answered from the query logs, not this machine's resolver (which may
    // have no DNS, or not the VPC's).
    let e = json(&ok(flowpath(&[
        "explain",
        "SQS.eu-west-1.amazonaws.com.",
        "--resolver-logs",
        QUERIES,
        "--json",
    ])));
    assert_eq!(e["resolved"], true);
    assert_eq!(e["addresses"][0]["address"], "52.119.1.1");
    assert_eq!(e["addresses"][0]["resolved_by"][0]["client"], "10.0.1.10");
    // An address nobody resolved says so.
    let text = stdout(&ok(flowpath(&[
        "explain",
        "93.184.216.34",
        "--resolver-logs",
        QUERIES,
    ])));
    assert!(
        text.contains("  no query in the Resolver query logs resolved to it"),
        "{text}"
    );
}

#[test]
fn a_bad_query_log_line_is_named_and_counted_or_under_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("queries.log");
    std::fs::write(
        &log,
        "{\"version\":\"1.100000\",\"vpc_id\":\"vpc-0abc1234def567890\",\"query_timestamp\":\"2026-08-22T10:00:01Z\",\"query_name\":\"my-bucket.s3.eu-west-1.amazonaws.com.\",\"answers\":[{\"Rdata\":\"52.218.10.5\",\"Type\":\"A\",\"Class\":\"IN\"}],\"srcaddr\":\"10.0.1.10\"}\n\
         {\"version\":\"1.100000\",\"vpc_id\":\"vpc-0abc1234def567890\",\"query_timestamp\":\"yesterday\",\"query_name\":\"x.\",\"srcaddr\":\"10.0.1.10\"}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let report = summarize(&out, &["--resolver-logs", log.to_str().unwrap()]);
    let info = &report["resolver_logs"];
    assert_eq!(info["malformed"].as_u64(), Some(1));
    let example = info["examples"][0].as_str().unwrap();
    assert_eq!(
        example,
        format!(
            "{}: line 2: query_timestamp: \"yesterday\" is not an ISO 8601 UTC time (2026-08-22T10:00:01Z)",
            log.display()
        )
    );
    // The good line still names A's flows.
    assert!(
        rows(&out)
            .iter()
            .any(|r| r.3.as_deref() == Some("my-bucket.s3.eu-west-1.amazonaws.com"))
    );
    // The text report says it too.
    let text = stdout(&ok(flowpath(&[
        "summarize",
        FLOWS,
        "--out",
        dir.path().join("text").to_str().unwrap(),
        "--resolver-logs",
        log.to_str().unwrap(),
    ])));
    assert!(
        text.contains(
            "Resolver query logs: 1 inputs, 2 lines, 1 queries with addresses, 1 names, 1 malformed"
        ) && text.contains(example),
        "{text}"
    );
    // Under --strict the run stops before writing anything, naming the line.
    let strict = dir.path().join("strict");
    let o = flowpath(&[
        "summarize",
        FLOWS,
        "--out",
        strict.to_str().unwrap(),
        "--resolver-logs",
        log.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}: line 2: query_timestamp:", log.display())),
        "{err}"
    );
    assert!(!strict.exists() || files_under(&strict).is_empty());
    // A bad window is bad usage.
    let o = flowpath(&["summarize", FLOWS, "--out", "x", "--name-window", "1w"]);
    assert_eq!(o.status.code(), Some(2));
}
