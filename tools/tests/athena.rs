//! `flowpath athena-ddl` and the saved queries in `queries/`, against real summaries.
//!
//! - The DDL's columns and types are compared with the Parquet schema of files that
//!   `flowpath summarize` wrote, read back with the `parquet` crate and mapped to Hive
//!   types here (independently of `flowpath_core::table`); its partition keys and
//!   projection with the directories the files are in.
//! - Each saved query runs in DuckDB (`FLOWPATH_PYTHON`, set by `scripts/test.sh`) over
//!   a view `summaries` of the fixtures' summaries (`summarize fixtures/flowlogs
//!   --inventory fixtures/inventory`, and once without the inventory), declared as
//!   Athena declares the table (partition columns as strings), with the execution
//!   parameters bound; the result rows are asserted, each checked by hand from the
//!   fixture flow logs and inventory (see the comments). Without Python the DuckDB
//!   tests print a `SKIPPED:` line, unless `FLOWPATH_REQUIRE_TOOLS=1`.
//! - The query files are checked for what keeps them valid on Athena too: a header,
//!   three execution parameters, none of DuckDB's own syntax.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
#![allow(clippy::print_stderr, reason = "skip notices")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{flowpath, json, ok, root, stdout};
use flowpath_testkit::{files_under, skip, summary_files};
use parquet::basic::{LogicalType, TimeUnit, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

/// Summarizes the fixtures into `out`, with the fixture VPC inventory or without.
fn summarize_fixtures(out: &Path, inventory: bool) {
    let mut args = vec![
        "summarize",
        "fixtures/flowlogs",
        "--out",
        out.to_str().unwrap(),
    ];
    if inventory {
        // With the inventory, the top talkers too (the DDL test reads both tables).
        args.extend(["--inventory", "fixtures/inventory", "--top-talkers"]);
    }
    ok(flowpath(&args));
}

/// The DDL's parts: columns, partition keys (both as (name, type)), location and
/// table properties.
struct Ddl {
    name: String,
    columns: Vec<(String, String)>,
    partitions: Vec<(String, String)>,
    location: String,
    properties: BTreeMap<String, String>,
}

/// `  `name` type,` lines up to the closing `)`.
fn column_list<'a>(lines: &mut impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in lines.by_ref() {
        if line == ")" {
            return out;
        }
        let line = line.trim().trim_end_matches(',');
        let (name, ty) = line.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        let name = name
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .unwrap_or_else(|| panic!("not backquoted: {line:?}"));
        out.push((name.to_string(), ty.to_string()));
    }
    panic!("no closing parenthesis")
}

fn parse_ddl(ddl: &str) -> Ddl {
    let mut lines = ddl.lines();
    let first = lines.next().unwrap();
    let name = first
        .strip_prefix("CREATE EXTERNAL TABLE ")
        .and_then(|l| l.strip_suffix(" ("))
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .to_string();
    let columns = column_list(&mut lines);
    assert_eq!(lines.next(), Some("PARTITIONED BY ("));
    let partitions = column_list(&mut lines);
    assert_eq!(lines.next(), Some("STORED AS PARQUET"));
    let location = lines
        .next()
        .and_then(|l| l.strip_prefix("LOCATION '"))
        .and_then(|l| l.strip_suffix('\''))
        .unwrap()
        .to_string();
    assert_eq!(lines.next(), Some("TBLPROPERTIES ("));
    let mut properties = BTreeMap::new();
    for line in lines.by_ref() {
        if line == ")" {
            break;
        }
        let line = line.trim().trim_end_matches(',');
        let (k, v) = line.split_once(" = ").unwrap();
        let unquote = |s: &str| {
            s.strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not quoted: {s:?}"))
                .to_string()
        };
        properties.insert(unquote(k), unquote(v));
    }
    assert_eq!(lines.next(), None, "nothing after TBLPROPERTIES");
    Ddl {
        name,
        columns,
        partitions,
        location,
        properties,
    }
}

/// The Hive type Athena reads a Parquet column as, from its physical and logical type
/// (not from flowpath's Arrow schema).
fn athena_type(c: &ColumnDescriptor) -> &'static str {
    assert_eq!(c.path().parts().len(), 1, "{}: nested column", c.name());
    match (c.physical_type(), c.logical_type_ref()) {
        (PhysicalType::INT64, Some(LogicalType::Timestamp(t)))
            if t.is_adjusted_to_u_t_c && matches!(t.unit, TimeUnit::MICROS) =>
        {
            "timestamp"
        }
        (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)) => "string",
        (PhysicalType::INT32, None) => "int",
        (PhysicalType::INT32, Some(LogicalType::Integer(i)))
            if i.bit_width == 32 && i.is_signed =>
        {
            "int"
        }
        (PhysicalType::INT64, None) => "bigint",
        (PhysicalType::BOOLEAN, None) => "boolean",
        (PhysicalType::INT64, Some(LogicalType::Integer(i)))
            if i.bit_width == 64 && i.is_signed =>
        {
            "bigint"
        }
        (p, l) => panic!("{}: Parquet {p:?} {l:?}: no Athena type here", c.name()),
    }
}

/// (name, Athena type) of every column of a Parquet file.
fn parquet_columns(path: &Path) -> Vec<(String, String)> {
    let bytes = bytes::Bytes::from(std::fs::read(path).unwrap());
    let reader = SerializedFileReader::new(bytes).unwrap();
    reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), athena_type(c).to_string()))
        .collect()
}

#[test]
fn ddl_matches_the_files_summarize_writes() {
    let out = tempfile::tempdir().unwrap();
    summarize_fixtures(out.path(), true);
    let o = ok(flowpath(&[
        "athena-ddl",
        "--location",
        "s3://my-bucket/flowpath",
    ]));
    let ddl = parse_ddl(&stdout(&o));
    assert_eq!(ddl.name, "`flowpath`.`summaries`");
    assert_eq!(ddl.location, "s3://my-bucket/flowpath/");

    // Columns: those of every file written, in file order, types as Athena reads them.
    let files: Vec<PathBuf> = summary_files(out.path());
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        assert_eq!(parquet_columns(f), ddl.columns, "{}", f.display());
    }
    // The top talkers' table: the columns of every top-talkers file, at its directory.
    let talkers = parse_ddl(&stdout(&ok(flowpath(&[
        "athena-ddl",
        "--location",
        "s3://my-bucket/flowpath",
        "--top-talkers",
    ]))));
    assert_eq!(talkers.name, "`flowpath`.`top_talkers`");
    assert_eq!(talkers.location, "s3://my-bucket/flowpath/top_talkers/");
    let talker_files = files_under(&out.path().join("top_talkers"));
    assert_eq!(talker_files.len(), files.len());
    for f in &talker_files {
        assert_eq!(parquet_columns(f), talkers.columns, "{}", f.display());
    }

    // Partition keys: the directories the files are in, in that order, as strings.
    assert_eq!(
        ddl.partitions,
        [
            ("account_id", "string"),
            ("region", "string"),
            ("day", "string")
        ]
        .map(|(n, t)| (n.to_string(), t.to_string()))
    );
    let p = &ddl.properties;
    assert_eq!(p["projection.enabled"], "true");
    assert_eq!(p["projection.account_id.type"], "injected");
    assert_eq!(p["projection.region.type"], "enum");
    let regions: Vec<&str> = p["projection.region.values"].split(',').collect();
    assert_eq!(p["projection.day.type"], "date");
    assert_eq!(p["projection.day.format"], "yyyy-MM-dd");
    assert_eq!(p["projection.day.range"], "2020-01-01,NOW");
    assert_eq!(p["projection.day.interval"], "1");
    assert_eq!(p["projection.day.interval.unit"], "DAYS");
    let template = &p["storage.location.template"];
    assert_eq!(
        template,
        "s3://my-bucket/flowpath/account_id=${account_id}/region=${region}/day=${day}/"
    );
    assert_eq!(p.len(), 10, "{p:?}");
    // Every file's directory is the template filled in with projected values: a
    // region of the enum, a day in the date format and range.
    for f in &files {
        let rel = f.parent().unwrap().strip_prefix(out.path()).unwrap();
        let segments: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_str().unwrap().to_string())
            .collect();
        let value = |i: usize, key: &str| -> String {
            segments[i]
                .strip_prefix(&format!("{key}="))
                .unwrap_or_else(|| panic!("{}: segment {i} is not {key}=", rel.display()))
                .to_string()
        };
        assert_eq!(segments.len(), 3, "{}", rel.display());
        let (account, region, day) = (value(0, "account_id"), value(1, "region"), value(2, "day"));
        assert_eq!(account, ACCOUNT);
        assert!(regions.contains(&region.as_str()), "{region}");
        assert!(
            day.len() == 10
                && day.as_bytes()[4] == b'-'
                && day.as_bytes()[7] == b'-'
                && day.as_str() >= "2020-01-01",
            "{day}"
        );
        let filled = template
            .replace("${account_id}", &account)
            .replace("${region}", &region)
            .replace("${day}", &day);
        assert_eq!(
            filled,
            format!("s3://my-bucket/flowpath/{}/", rel.to_str().unwrap())
        );
    }
}

#[test]
fn transit_gateway_ddl_matches_the_files_summarize_writes() {
    let out = tempfile::tempdir().unwrap();
    ok(flowpath(&[
        "summarize",
        "fixtures/transit-gateway",
        "--out",
        out.path().to_str().unwrap(),
    ]));
    let o = ok(flowpath(&[
        "athena-ddl",
        "--location",
        "s3://my-bucket/flowpath",
        "--transit-gateway",
    ]));
    let ddl = parse_ddl(&stdout(&o));
    assert_eq!(ddl.name, "`flowpath`.`transit_gateway_summaries`");
    assert_eq!(ddl.location, "s3://my-bucket/flowpath/transit_gateway/");
    let files: Vec<PathBuf> = files_under(&out.path().join("transit_gateway"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(parquet_columns(&files[0]), ddl.columns);
    // The template, filled in with the file's partition, is the file's directory.
    let rel = files[0].parent().unwrap().strip_prefix(out.path()).unwrap();
    let filled = ddl.properties["storage.location.template"]
        .replace("${account_id}", "999988887777")
        .replace("${region}", "eu-west-1")
        .replace("${day}", "2026-08-22");
    assert_eq!(
        filled,
        format!("s3://my-bucket/flowpath/{}/", rel.to_str().unwrap())
    );
}

#[test]
fn ddl_options_and_bad_arguments() {
    let o = ok(flowpath(&[
        "athena-ddl",
        "--location",
        "s3://b/p/",
        "--database",
        "net_logs",
        "--table",
        "flowpath_2026",
    ]));
    let ddl = parse_ddl(&stdout(&o));
    assert_eq!(ddl.name, "`net_logs`.`flowpath_2026`");
    assert_eq!(ddl.location, "s3://b/p/");
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    for (args, message) in [
        (
            &["--location", "/tmp/summaries"][..],
            "bad location \"/tmp/summaries\": not an s3:// URI",
        ),
        (&["--location", "s3://"][..], "no bucket"),
        (&["--location", "s3://b/it's"][..], "quotes"),
        (
            &["--location", "s3://b/p", "--table", "Flow-Summaries"][..],
            "bad table name \"Flow-Summaries\"",
        ),
        (
            &["--location", "s3://b/p", "--database", ""][..],
            "bad database name \"\"",
        ),
    ] {
        let o = flowpath(&[&["athena-ddl"][..], args].concat());
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // No location at all is bad usage.
    assert_eq!(flowpath(&["athena-ddl"]).status.code(), Some(2));
}

/// The saved queries: (file stem, SQL).
fn saved_queries() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn saved_queries_are_documented_and_portable() {
    let queries = saved_queries();
    let names: Vec<&str> = queries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "daily_trend_by_path",
            "endpoint_vs_internet_by_service",
            "nat_to_s3_dynamodb_by_vpc",
            "top_talkers"
        ]
    );
    let doc = std::fs::read_to_string(root().join("docs/queries.md")).unwrap();
    for (name, sql) in &queries {
        assert!(
            doc.contains(&format!("queries/{name}.sql")),
            "docs/queries.md does not describe {name}"
        );
        assert!(
            sql.starts_with(&format!("-- flowpath saved query: {name}\n")),
            "{name}: header"
        );
        assert!(sql.contains("\n-- Answers: "), "{name}: what it answers");
        let body: String = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        // Three execution parameters: account (injected partition), first and last day
        // (projected partition), in that order.
        assert_eq!(body.matches('?').count(), 3, "{name}");
        assert!(
            body.contains("WHERE account_id = ?\n  AND day BETWEEN ? AND ?\n"),
            "{name}: partition filters"
        );
        assert!(sql.contains("FROM summaries\n"), "{name}: table");
        // DuckDB-only syntax Athena (Trino) would refuse.
        let upper = body.to_uppercase();
        for bad in [
            "::",
            "GROUP BY ALL",
            "ORDER BY ALL",
            "EXCLUDE",
            "QUALIFY",
            "ILIKE",
            "READ_PARQUET",
            "\"",
            ";",
        ] {
            assert!(!upper.contains(bad), "{name}: {bad}");
        }
        assert!(!sql.contains('\t') && !sql.contains('\r'), "{name}");
    }
}

/// Runs each saved query in DuckDB over the summaries under `out` (partition columns
/// declared as strings, as the Athena table does), with the execution parameters
/// bound. Also returns the view's column types. `None`: no Python, skip.
fn run_in_duckdb(out: &Path, params: [&str; 3]) -> Option<Value> {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        skip::missing_tool(
            "DuckDB",
            "FLOWPATH_PYTHON is not set; run scripts/test.sh (it installs duckdb) or set it",
        );
        return None;
    };
    let script = r#"
import duckdb, json, sys
out, queries, params = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
con = duckdb.connect()
con.execute(f"""CREATE VIEW summaries AS SELECT * FROM read_parquet('{out}/account_id=*/*/*/*.parquet',
  hive_partitioning = true, union_by_name = true,
  hive_types = {{'account_id': VARCHAR, 'region': VARCHAR, 'day': VARCHAR}})""")
result = {"types": dict(con.execute(
    "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM summaries)").fetchall()),
    "queries": {}}
for name, sql in queries:
    cur = con.execute(sql, params)
    result["queries"][name] = {
        "columns": [d[0] for d in cur.description],
        "rows": [list(r) for r in cur.fetchall()],
    }
print(json.dumps(result))
"#;
    let queries = serde_json::to_string(&saved_queries()).unwrap();
    let o = ok(Command::new(python)
        .args(["-c", script, out.to_str().unwrap(), &queries])
        .arg(serde_json::to_string(&params).unwrap())
        .output()
        .unwrap());
    Some(json(&o))
}

#[test]
fn saved_queries_in_duckdb_over_the_fixtures() {
    let out = tempfile::tempdir().unwrap();
    summarize_fixtures(out.path(), true);
    let Some(r) = run_in_duckdb(out.path(), [ACCOUNT, "2026-08-01", "2026-08-31"]) else {
        return;
    };

    // The view has the DDL's columns with the types DuckDB gives Athena's types.
    let o = ok(flowpath(&["athena-ddl", "--location", "s3://b/p"]));
    let ddl = parse_ddl(&stdout(&o));
    let duck = |t: &str| match t {
        "timestamp" => "TIMESTAMP WITH TIME ZONE",
        "string" => "VARCHAR",
        "int" => "INTEGER",
        "bigint" => "BIGINT",
        other => panic!("DDL type {other}"),
    };
    let expected: BTreeMap<String, Value> = ddl
        .columns
        .iter()
        .chain(&ddl.partitions)
        .map(|(n, t)| (n.clone(), json!(duck(t))))
        .collect();
    let types: BTreeMap<String, Value> = serde_json::from_value(r["types"].clone()).unwrap();
    assert_eq!(types, expected);

    let q = |name: &str| -> &Value { &r["queries"][name] };

    // What the fixtures hold, with the inventory (fixtures/inventory: VPC
    // vpc-0abc1234def567890; subnet …891 routes to an internet gateway and to the S3
    // gateway endpoint vpce-…e1 by prefix list; subnet …b4 routes 0.0.0.0/0 to NAT
    // gateway nat-…c0, whose ENI is eni-…60041 (10.0.0.220); the SQS interface
    // endpoint vpce-…e2 has ENI eni-…60051 (10.0.1.200); subnet …b3 uses the main
    // table, to the internet gateway). Traffic with AWS services, all 2026-08-22:
    // - eni-…60001 (v2-default.log, not in the inventory, partition region unknown):
    //   S3 egress 98000 + 52000, ingress 410000, DynamoDB 2400: `public`.
    // - eni-…60011 (v5-custom.log, instance in subnet …891): S3 egress 64000
    //   `gateway_endpoint` (traffic-path 7) and ingress 91000 `gateway_endpoint`
    //   (inventory: the S3 prefix-list route); S3 over IPv6 15000 `internet_gateway`
    //   (8); DynamoDB 3300 + 800 `internet_gateway` (traffic-path 2, which the
    //   inventory decides: no DynamoDB endpoint in that route table).
    // - eni-…60021 (no-header-v2.log, subnet …b3): S3 2100 and 8855 over IPv6 (its
    //   own address, so egress): `internet_gateway`.
    // - eni-…60031 (instance 10.0.4.4 in the NAT subnet; the gzip delivery and
    //   …T1110Z_5f6a7b8c.log): S3 egress 40000 + 10000 and ingress 1200000 + 300000,
    //   DynamoDB 300, API Gateway 1000000: `via_nat_gateway`; SQS through the
    //   interface endpoint 6000 out + 25000 in: `interface_endpoint`.
    // - eni-…60061 (Lambda 10.0.4.90, NAT subnet): DynamoDB 2000 + 8000 `via_nat_gateway`.
    // - eni-…60041 (the NAT gateway): the same NAT flows on the remote leg, path
    //   `nat_gateway`: S3 50000 out + 1500000 in, DynamoDB 300 + 2000 out + 8000 in,
    //   API Gateway 1000000 out (and the internet's 5000, not a service).
    // - eni-…60051 (the SQS endpoint's own ENI): the same 6000 + 25000 again.
    // Checks: via_nat_gateway 1550000 + 300 + 1000000 + 10000 = 2560300 = nat_gateway
    // 1550000 + 10300 + 1000000: the same bytes, counted once below.

    // (a) S3: endpoint 64000 + 91000 = 155000; internet 15000 + 2100 + 8855 (internet
    // gateway) + 560000 (public) + 1550000 (NAT) = 2135955, of which 1550000 NAT.
    // API Gateway: 1000000, all NAT. DynamoDB: 4100 + 2400 + 10300 = 16800, of which
    // 10300 NAT. SQS: endpoint 31000 (eni-…60031's; the endpoint ENI's not again).
    // Nothing left undecided (traffic-path 2 resolved by the inventory).
    let a = q("endpoint_vs_internet_by_service");
    assert_eq!(
        a["columns"],
        json!([
            "remote_service",
            "endpoint_bytes",
            "internet_bytes",
            "nat_gateway_bytes",
            "undecided_bytes"
        ])
    );
    assert_eq!(
        a["rows"],
        json!([
            ["S3", 155000, 2135955, 1550000, 0],
            ["API_GATEWAY", 0, 1000000, 1000000, 0],
            ["DYNAMODB", 0, 16800, 10300, 0],
            ["SQS", 31000, 0, 0, 0]
        ])
    );

    // (b) The NAT gateway's S3 and DynamoDB bytes, both in its own region (eu-west-1):
    // all removable by gateway endpoints. The v2 format has no vpc-id field: the VPC
    // comes from the inventory's ENI.
    let b = q("nat_to_s3_dynamodb_by_vpc");
    assert_eq!(
        b["columns"],
        json!([
            "region",
            "vpc_id",
            "nat_gateway_id",
            "remote_service",
            "remote_region",
            "same_region",
            "bytes_out",
            "bytes_in",
            "nat_processed_bytes"
        ])
    );
    assert_eq!(
        b["rows"],
        json!([
            [
                "eu-west-1",
                "vpc-0abc1234def567890",
                "nat-0abc1234def5678c0",
                "S3",
                "eu-west-1",
                1,
                50000,
                1500000,
                1550000
            ],
            [
                "eu-west-1",
                "vpc-0abc1234def567890",
                "nat-0abc1234def5678c0",
                "DYNAMODB",
                "eu-west-1",
                1,
                2300,
                8000,
                10300
            ]
        ])
    );

    // (c) Talkers by their own interfaces: eni-…60031 via the NAT gateway 1550000 +
    // 300 + 1000000 = 2550300 (its SQS endpoint bytes are not over NAT or internet);
    // eni-…60001 public 562400; eni-…60011 15000 + 4100 = 19100 (its gateway
    // endpoint bytes are not counted); eni-…60021 10955; the Lambda ENI 10000 via
    // NAT. The NAT gateway's own ENI is not a talker. VPC and subnet come from the
    // records (v5-custom.log) or from the inventory; eni-…60001 is in neither.
    let c = q("top_talkers");
    assert_eq!(
        c["columns"],
        json!([
            "vpc_id",
            "subnet_id",
            "interface_id",
            "via_nat_gateway_bytes",
            "internet_bytes",
            "total_bytes"
        ])
    );
    assert_eq!(
        c["rows"],
        json!([
            [
                "vpc-0abc1234def567890",
                "subnet-0abc1234def5678b4",
                "eni-0a1b2c3d4e5f60031",
                2550300,
                0,
                2550300
            ],
            [null, null, "eni-0a1b2c3d4e5f60001", 0, 562400, 562400],
            [
                "vpc-0abc1234def567890",
                "subnet-0abc1234def567891",
                "eni-0a1b2c3d4e5f60011",
                0,
                19100,
                19100
            ],
            [
                "vpc-0abc1234def567890",
                "subnet-0abc1234def5678b3",
                "eni-0a1b2c3d4e5f60021",
                0,
                10955,
                10955
            ],
            [
                "vpc-0abc1234def567890",
                "subnet-0abc1234def5678b4",
                "eni-0a1b2c3d4e5f60061",
                10000,
                0,
                10000
            ]
        ])
    );

    // (d) One day, each byte once: gateway_endpoint 155000, interface_endpoint 31000,
    // internet_gateway 15000 + 4100 + 2100 + 8855 = 30055, nat_gateway 2560300,
    // public 562400. Total 3338755 = (a)'s endpoint 186000 + internet 3152755.
    let d = q("daily_trend_by_path");
    assert_eq!(d["columns"], json!(["day", "path", "bytes"]));
    assert_eq!(
        d["rows"],
        json!([
            ["2026-08-22", "gateway_endpoint", 155000],
            ["2026-08-22", "interface_endpoint", 31000],
            ["2026-08-22", "internet_gateway", 30055],
            ["2026-08-22", "nat_gateway", 2560300],
            ["2026-08-22", "public", 562400]
        ])
    );

    // The partition filters select: another account, or days outside the range, give
    // nothing (as Athena, which reads only the projected partitions).
    for params in [
        ["210987654321", "2026-08-01", "2026-08-31"],
        [ACCOUNT, "2026-08-23", "2026-09-30"],
        [ACCOUNT, "2026-08-01", "2026-08-21"],
    ] {
        let r = run_in_duckdb(out.path(), params).unwrap();
        for (name, _) in saved_queries() {
            assert_eq!(r["queries"][&name]["rows"], json!([]), "{name} {params:?}");
        }
    }
}

/// Without an inventory the flow logs alone cannot tell a NAT gateway's ENI from an
/// instance's: the NAT flows count on both (the queries can only be as good as the
/// paths), and traffic-path 2 stays undecided.
#[test]
fn saved_query_without_inventory() {
    let out = tempfile::tempdir().unwrap();
    summarize_fixtures(out.path(), false);
    let Some(r) = run_in_duckdb(out.path(), [ACCOUNT, "2026-08-22", "2026-08-22"]) else {
        return;
    };
    // S3: endpoint 64000 (traffic-path 7 only); internet: everything else, `public`
    // or traffic-path 8: 726955 before the NAT fixture, plus the NAT ENI's 1550000
    // and the instance's ingress 1500000 = 3776955. API Gateway: 1000000 on the NAT
    // ENI and again on the instance. DynamoDB: 4100 (traffic-path 2, undecided) +
    // 2400 + 300 + the NAT ENI's 10300 + the Lambda's 10000 = 27100. SQS is not
    // recognised without the inventory (the endpoint's address is private).
    assert_eq!(
        r["queries"]["endpoint_vs_internet_by_service"]["rows"],
        json!([
            ["S3", 64000, 3776955, 0, 0],
            ["API_GATEWAY", 0, 2000000, 0, 0],
            ["DYNAMODB", 0, 27100, 0, 4100]
        ])
    );
    assert_eq!(r["queries"]["nat_to_s3_dynamodb_by_vpc"]["rows"], json!([]));
}

/// Files written before the columns added since the first release (v7/v8 names, the
/// remote's VPC) sit beside new ones: read by name, as Athena reads Parquet, they
/// give null there and every other value as before; and `report` reads them too.
#[test]
fn older_files_read_beside_new_ones() {
    let out = tempfile::tempdir().unwrap();
    summarize_fixtures(out.path(), true);
    let Some(before) = run_in_duckdb(out.path(), [ACCOUNT, "2026-08-01", "2026-08-31"]) else {
        return;
    };
    let report = |dir: &Path| json(&ok(flowpath(&["report", dir.to_str().unwrap(), "--json"])));
    let report_before = report(out.path());
    // Rewrite every summary without the added columns, as the first release wrote it.
    let python = std::env::var_os("FLOWPATH_PYTHON").unwrap();
    let script = r#"
import duckdb, glob, sys
added = sys.argv[2].split(",")
for f in glob.glob(sys.argv[1] + "/account_id=*/*/*/*.parquet"):
    con = duckdb.connect()
    cols = [c for (c,) in con.execute(f"SELECT name FROM parquet_schema('{f}') WHERE num_children IS NULL").fetchall()]
    assert all(a in cols for a in added), cols
    keep = ", ".join(c for c in cols if c not in added)
    con.execute(f"COPY (SELECT {keep} FROM read_parquet('{f}', hive_partitioning = false)) TO '{f}.old' (FORMAT PARQUET, COMPRESSION ZSTD)")
    con.close()
    import os
    os.replace(f + ".old", f)
"#;
    ok(Command::new(python)
        .args(["-c", script, out.path().to_str().unwrap()])
        .arg(flowpath_core::output::ADDED_COLUMNS.join(","))
        .output()
        .unwrap());
    let after = run_in_duckdb(out.path(), [ACCOUNT, "2026-08-01", "2026-08-31"]).unwrap();
    assert_eq!(after["queries"], before["queries"]);
    let mut r_after = report(out.path());
    let mut r_before = report_before;
    for r in [&mut r_after, &mut r_before] {
        r["html"] = Value::Null;
    }
    assert_eq!(r_after, r_before);
}

/// The README's DuckDB example, run as a user runs it after the quick start: in a
/// directory whose `out/` holds the fixtures' summaries.
#[test]
fn the_readme_query_example_runs() {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        skip::missing_tool("DuckDB", "FLOWPATH_PYTHON is not set; run scripts/test.sh");
        return;
    };
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with(".venv/bin/python -c \""))
        .expect("the README's query example");
    // The shell's quoting, undone: the program between the outer double quotes.
    let program = line
        .strip_prefix(".venv/bin/python -c \"")
        .and_then(|p| p.strip_suffix('"'))
        .unwrap()
        .replace("\\\"", "\"");
    let dir = tempfile::tempdir().unwrap();
    ok(flowpath(&[
        "summarize",
        "fixtures/flowlogs",
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]));
    let o = ok(Command::new(python)
        .args(["-c", &program])
        .current_dir(dir.path())
        .output()
        .unwrap());
    let printed = stdout(&o);
    // S3 through public addresses is the largest sum of the fixtures.
    let first_row = printed
        .lines()
        .find(|l| l.contains("S3"))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(
        first_row.contains("public") && first_row.contains("3761955"),
        "{printed}"
    );
}
