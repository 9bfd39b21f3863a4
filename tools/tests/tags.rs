//! `summarize --tag KEY`: a `tag_<key>` column per key, each row's value from the
//! most specific resource of `fixtures/inventory/` that carries the key (an instance
//! from `describe-instances`, the NAT gateway of its ENI, the ENI, the subnet, the
//! VPC). Read back with the core's Parquet reader and in DuckDB, kept by `compact`,
//! declared by `athena-ddl --tag`, grouped by `report --by-tag`.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{duckdb_rows, flowpath, json, ok, parquet_table, stdout};
use flowpath_testkit::summary_files;

/// The S3-delivered fixture objects of the inventory's VPC (default format: no
/// `vpc-id` or `subnet-id` field, so subnets and VPCs come through the ENIs).
const FLOWS: &str = "fixtures/flowlogs/AWSLogs";
const INVENTORY: &str = "fixtures/inventory";

const NAT_ENI: &str = "eni-0a1b2c3d4e5f60041";
const WORKER_ENI: &str = "eni-0a1b2c3d4e5f60031";
const LAMBDA_ENI: &str = "eni-0a1b2c3d4e5f60061";
const ENDPOINT_ENI: &str = "eni-0a1b2c3d4e5f60051";

fn parquet_files(out: &Path) -> Vec<std::path::PathBuf> {
    summary_files(out)
}

/// Bytes per (interface, tag column, value), every row of every file under `out`;
/// `None` for a row without a value in the column.
fn bytes_by_tag(out: &Path, column: &str) -> BTreeMap<(String, Option<String>), i64> {
    let mut sums = BTreeMap::new();
    for path in parquet_files(out) {
        for r in flowpath_core::output::read_rows(std::fs::File::open(&path).unwrap()).unwrap() {
            let key = (
                r.interface_id.clone().unwrap(),
                r.tag(column).map(str::to_owned),
            );
            *sums.entry(key).or_default() += r.bytes.unwrap();
        }
    }
    sums
}

fn summarize(out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "summarize",
        FLOWS,
        "--out",
        out.to_str().unwrap(),
        "--inventory",
        INVENTORY,
        "--json",
    ];
    args.extend(extra);
    json(&ok(flowpath(&args)))
}

fn expect(rows: &[(&str, Option<&str>, i64)]) -> BTreeMap<(String, Option<String>), i64> {
    rows.iter()
        .map(|(eni, v, n)| (((*eni).to_owned(), v.map(str::to_owned)), *n))
        .collect()
}

#[test]
fn each_row_gets_the_tag_of_its_most_specific_resource() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    summarize(
        &out,
        &[
            "--tag",
            "Team",
            "--tag",
            "aws:cloudformation:stack-name",
            "--tag",
            "CostCenter",
            "--tag",
            "Owner",
        ],
    );
    // Team: the worker instance's own tag (describe-instances, through its ENI's
    // attachment); the NAT gateway's for its ENI; the Lambda ENI's subnet's; the
    // endpoint ENI (untagged, in an untagged subnet) gets the VPC's.
    assert_eq!(
        bytes_by_tag(&out, "tag_team"),
        expect(&[
            (ENDPOINT_ENI, Some("platform"), 31_000),
            (NAT_ENI, Some("network"), 5_130_600),
            (WORKER_ENI, Some("data-pipeline"), 2_582_000),
            (LAMBDA_ENI, Some("data"), 10_000),
        ])
    );
    // A key only the instance carries: null elsewhere, never another key's value.
    assert_eq!(
        bytes_by_tag(&out, "tag_aws_cloudformation_stack_name"),
        expect(&[
            (ENDPOINT_ENI, None, 31_000),
            (NAT_ENI, None, 5_130_600),
            (WORKER_ENI, Some("workers"), 2_582_000),
            (LAMBDA_ENI, None, 10_000),
        ])
    );
    // Only the VPC carries CostCenter: every row inherits it.
    assert!(
        bytes_by_tag(&out, "tag_costcenter")
            .keys()
            .all(|(_, v)| v.as_deref() == Some("cc-100"))
    );
    // A key nobody carries is still a column, null in every row.
    for path in parquet_files(&out) {
        let file = std::fs::File::open(&path).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let schema = reader.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names[names.len() - 4..],
            [
                "tag_team",
                "tag_aws_cloudformation_stack_name",
                "tag_costcenter",
                "tag_owner"
            ],
            "{}",
            path.display()
        );
        let summary =
            flowpath_core::output::read_summary(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(
            summary.meta.tag_keys,
            [
                "Team",
                "aws:cloudformation:stack-name",
                "CostCenter",
                "Owner"
            ]
        );
        assert!(summary.rows.iter().all(|r| r.tag("tag_owner").is_none()));
    }

    // Compaction keeps the columns and the values.
    let before = bytes_by_tag(&out, "tag_team");
    ok(flowpath(&["compact", out.to_str().unwrap()]));
    assert_eq!(bytes_by_tag(&out, "tag_team"), before);
    assert_eq!(
        bytes_by_tag(&out, "tag_aws_cloudformation_stack_name")
            .get(&(WORKER_ENI.to_owned(), Some("workers".to_owned()))),
        Some(&2_582_000)
    );

    // The report groups the bytes to AWS services by a tag: the worker's S3 and API
    // Gateway bytes went through the NAT gateway (sent via NAT, from its own rows);
    // the NAT gateway's own rows count as `network`'s.
    let report = json(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--by-tag",
        "Team",
        "--json",
    ])));
    let tag = &report["by_tag"][0];
    assert_eq!(tag["key"], "Team");
    assert_eq!(tag["column"], "tag_team");
    assert_eq!(tag["found"], true);
    let row = |value: &str, service: &str| {
        tag["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["value"] == value && r["service"] == service)
            .unwrap_or_else(|| panic!("no row {value} {service}: {tag:#}"))
            .clone()
    };
    assert_eq!(
        row("data-pipeline", "S3")["sent_via_nat_gateway"],
        1_550_000
    );
    assert_eq!(row("network", "S3")["nat_gateway"], 1_550_000);
    assert_eq!(row("data", "DYNAMODB")["sent_via_nat_gateway"], 10_000);
    assert_eq!(row("data-pipeline", "SQS")["endpoint"], 31_000);
    let text = stdout(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--by-tag",
        "Team",
        "--by-tag",
        "Department",
    ])));
    assert!(
        text.contains("Bytes by path to AWS services, per value of tag Team (column tag_team;"),
        "{text}"
    );
    assert!(
        text.contains("no row has a value for it: were the summaries made with --tag Department"),
        "{text}"
    );
    assert!(text.contains("(untagged)"), "{text}");

    // DuckDB reads the columns as Athena would.
    let Some(rows) = duckdb_rows(&format!(
        "SELECT tag_team, tag_costcenter, SUM(bytes)::BIGINT FROM {} GROUP BY ALL ORDER BY 3",
        parquet_table(&out)
    )) else {
        return;
    };
    assert_eq!(
        rows,
        "('data', 'cc-100', 10000)\n\
         ('platform', 'cc-100', 31000)\n\
         ('data-pipeline', 'cc-100', 2582000)\n\
         ('network', 'cc-100', 5130600)\n"
    );
}

#[test]
fn tag_keys_are_checked_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = flowpath(&[
        "summarize",
        FLOWS,
        "--out",
        out.to_str().unwrap(),
        "--tag",
        "Team",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--tag needs --inventory"), "{err}");
    let o = flowpath(&[
        "summarize",
        FLOWS,
        "--out",
        out.to_str().unwrap(),
        "--inventory",
        INVENTORY,
        "--tag",
        "Team",
        "--tag",
        "team",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("tag keys \"Team\" and \"team\" both make the column tag_team"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written for a refused run");
}

#[test]
fn athena_ddl_declares_the_tag_columns() {
    let ddl = stdout(&ok(flowpath(&[
        "athena-ddl",
        "--location",
        "s3://b/p",
        "--tag",
        "Team",
        "--tag",
        "Cost Center",
    ])));
    assert!(
        ddl.contains(
            "  `name_source` string,\n  `tag_team` string,\n  `tag_cost_center` string\n)"
        ),
        "{ddl}"
    );
}
