//! Transit gateway flow logs through the CLI: `summarize` writes them to their own
//! table (`OUT/transit_gateway/…`), and `report` charges the central egress VPC's NAT
//! gateway and transit gateway costs back to the spokes, to the cent; from the hub's
//! NAT gateway flow log and the hub-and-spoke inventory alone, the same spokes get the
//! same bytes.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod common;

use std::path::Path;

use common::{flowpath, json, ok};
use serde_json::Value;

const FIXTURE: &str = "fixtures/transit-gateway/hub-and-spoke.log";

fn summarize(out: &Path) {
    ok(flowpath(&[
        "summarize",
        FIXTURE,
        "fixtures/flowlogs/v5-custom.log",
        "--out",
        out.to_str().unwrap(),
    ]));
}

/// The files under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    flowpath_testkit::files_under(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

#[test]
fn transit_gateway_logs_go_to_their_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    summarize(&out);
    let files = files_under(&out);
    let tgw: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("transit_gateway/"))
        .collect();
    assert_eq!(tgw.len(), 1, "{files:?}");
    assert!(
        tgw[0].starts_with(
            "transit_gateway/account_id=999988887777/region=eu-west-1/day=2026-08-22/hub-and-spoke-"
        ),
        "{files:?}"
    );
    // The VPC log's summaries are where they always were, and none of the transit
    // gateway's records is among them.
    assert!(
        files.iter().any(|f| f.starts_with("account_id=")),
        "{files:?}"
    );
    let rows =
        flowpath_core::transit::read_rows(std::fs::File::open(out.join(tgw[0])).unwrap()).unwrap();
    assert_eq!(rows.iter().filter_map(|r| r.bytes).sum::<i64>(), 3_109_180);
    // Run again: the same file, overwritten, not a second one.
    summarize(&out);
    assert_eq!(files_under(&out), files);
}

/// A price table with round prices, so that costs of a few MB show in cents.
const PRICES: &str = r#"{"source": "test", "taken": "2026-12-01", "currency": "USD",
  "regions": {"eu-west-1": {"nat_gateway_per_gb": 1000, "interface_endpoint_per_az_hour": 0,
  "interface_endpoint_per_gb": 10, "transit_gateway_per_gb": 100}}}"#;

#[test]
fn report_charges_central_egress_back_to_the_spokes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(flowpath(&[
        "summarize",
        FIXTURE,
        "--out",
        out.to_str().unwrap(),
    ]));
    let prices = dir.path().join("prices.json");
    std::fs::write(&prices, PRICES).unwrap();
    let r = json(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--json",
        "--prices",
        prices.to_str().unwrap(),
    ])));
    assert_eq!(r["transit_files"], 1);
    let rows = r["charge_back"].as_array().unwrap();
    let pick = |c: &Value| {
        (
            c["spoke_account_id"].as_str().unwrap().to_owned(),
            c["spoke_vpc_id"].as_str().unwrap().to_owned(),
            c["hub_vpc_id"].as_str().unwrap().to_owned(),
            c["service"].as_str().unwrap().to_owned(),
            c["bytes"].as_i64().unwrap(),
            c["monthly_bytes"].as_i64().unwrap(),
            [
                c["nat_cost_month"].as_f64().unwrap(),
                c["transit_gateway_cost_month"].as_f64().unwrap(),
                c["spoke_endpoint_saving_month"].as_f64().unwrap(),
                c["hub_endpoint_saving_month"].as_f64().unwrap(),
            ],
        )
    };
    let got: Vec<_> = rows.iter().map(pick).collect();
    let hub = "vpc-0e9e9e9e9e9e9e9e1".to_owned();
    assert_eq!(
        got,
        vec![
            (
                "111122223333".to_owned(),
                "vpc-0a1a1a1a1a1a1a1a1".to_owned(),
                hub.clone(),
                "S3".to_owned(),
                1_240_000,
                37_200_000,
                [34.65, 3.46, 38.11, 34.3],
            ),
            (
                "444455556666".to_owned(),
                "vpc-0b2b2b2b2b2b2b2b1".to_owned(),
                hub,
                "DYNAMODB".to_owned(),
                306_000,
                9_180_000,
                [8.55, 0.85, 9.4, 8.46],
            ),
        ]
    );
    assert!(rows.iter().all(|c| c["endpoint"] == "gateway"));

    // The same in the text report.
    let text = common::stdout(&ok(flowpath(&[
        "report",
        out.to_str().unwrap(),
        "--prices",
        prices.to_str().unwrap(),
    ])));
    let section = text
        .split("Centralised egress charge-back")
        .nth(1)
        .unwrap_or_else(|| panic!("no charge-back section:\n{text}"));
    assert!(section.contains("vpc-0a1a1a1a1a1a1a1a1"), "{section}");
    assert!(section.contains("$34.65"), "{section}");

    // A price table without the transit gateway's price cannot price the table.
    std::fs::write(
        &prices,
        PRICES.replace(r#", "transit_gateway_per_gb": 100"#, ""),
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
    assert!(
        err.contains("transit_gateway_per_gb") && err.contains("eu-west-1"),
        "{err}"
    );
}

const HUB_NAT_LOG: &str = "fixtures/transit-gateway/AWSLogs";
const INVENTORY: &str = "fixtures/transit-gateway/inventory";

/// (matched_by, spoke account, spoke VPC, hub VPC, service, bytes) of each charge-back
/// row of the report of `out`.
fn charge_back(out: &Path) -> Vec<(String, String, String, String, String, i64)> {
    let r = json(&ok(flowpath(&["report", out.to_str().unwrap(), "--json"])));
    let s = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    let mut rows: Vec<_> = r["charge_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                s(&c["matched_by"]),
                s(&c["spoke_account_id"]),
                s(&c["spoke_vpc_id"]),
                s(&c["hub_vpc_id"]),
                s(&c["service"]),
                c["bytes"].as_i64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_nat_gateway_log_and_the_inventory_charge_the_same_spokes() {
    let dir = tempfile::tempdir().unwrap();
    // The hub's NAT gateway log alone, with the hub-and-spoke inventory.
    let nat_only = dir.path().join("nat");
    ok(flowpath(&[
        "summarize",
        HUB_NAT_LOG,
        "--inventory",
        INVENTORY,
        "--out",
        nat_only.to_str().unwrap(),
    ]));
    let hub = "vpc-0e9e9e9e9e9e9e9e1";
    let row = |by: &str, acct: &str, spoke: &str, service: &str, bytes: i64| {
        (
            by.to_owned(),
            acct.to_owned(),
            spoke.to_owned(),
            hub.to_owned(),
            service.to_owned(),
            bytes,
        )
    };
    assert_eq!(
        charge_back(&nat_only),
        [
            row(
                "inventory",
                "111122223333",
                "vpc-0a1a1a1a1a1a1a1a1",
                "(not logged)",
                1_240_000
            ),
            row(
                "inventory",
                "444455556666",
                "vpc-0b2b2b2b2b2b2b2b1",
                "(not logged)",
                306_000
            ),
        ]
    );
    // The hub's NAT gateway carries the spokes' S3 and DynamoDB bytes, which a gateway
    // endpoint in the hub would not serve: the savings table offers an interface one.
    let r = json(&ok(flowpath(&[
        "report",
        nat_only.to_str().unwrap(),
        "--json",
    ])));
    let mut offered: Vec<(String, String)> = r["savings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap().to_owned(),
                s["endpoint"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    offered.sort();
    assert_eq!(
        offered,
        [
            ("DYNAMODB".to_owned(), "hub_interface".to_owned()),
            ("S3".to_owned(), "hub_interface".to_owned())
        ]
    );
    // Without the inventory the NAT log cannot say whose bytes they are: no rows.
    let no_inventory = dir.path().join("plain");
    ok(flowpath(&[
        "summarize",
        HUB_NAT_LOG,
        "--out",
        no_inventory.to_str().unwrap(),
    ]));
    assert_eq!(charge_back(&no_inventory), []);
    // Both logs: the hub's transit gateway is logged, so its rows name the services,
    // and the NAT rows of the same hub (the same bytes) are left out.
    let both = dir.path().join("both");
    ok(flowpath(&[
        "summarize",
        "fixtures/transit-gateway",
        "--inventory",
        INVENTORY,
        "--out",
        both.to_str().unwrap(),
    ]));
    assert_eq!(
        charge_back(&both),
        [
            row(
                "transit_gateway_log",
                "111122223333",
                "vpc-0a1a1a1a1a1a1a1a1",
                "S3",
                1_240_000
            ),
            row(
                "transit_gateway_log",
                "444455556666",
                "vpc-0b2b2b2b2b2b2b2b1",
                "DYNAMODB",
                306_000
            ),
        ]
    );
}
