//! Transit gateway flow logs: the hub-and-spoke fixture as text and as AWS's Parquet
//! give the same transit gateway rows, with the sums and the charge-back split the
//! fixture's README states, and nothing in the VPC table.

use flowpath_core::Ranges;
use flowpath_core::chargeback::from_transit_row;
use flowpath_core::engine::Options;
use flowpath_core::source::parquet::summarize as summarize_parquet;
use flowpath_core::source::text::summarize;
use flowpath_core::transit::TransitRow;
use parquet::basic::{Compression, GzipLevel};

use crate::parquet_input::{Style, text_to_parquet};

const FIXTURE: &str = "transit-gateway/hub-and-spoke.log";
const SPOKE_A: &str = "vpc-0a1a1a1a1a1a1a1a1";
const SPOKE_B: &str = "vpc-0b2b2b2b2b2b2b2b1";
const HUB: &str = "vpc-0e9e9e9e9e9e9e9e1";

fn rows_of_text(ranges: &Ranges) -> (flowpath_core::engine::Stats, Vec<TransitRow>) {
    let text = std::fs::read(crate::fixtures().join(FIXTURE)).unwrap();
    let s = summarize(FIXTURE, &text[..], ranges, &Options::default()).unwrap();
    assert!(s.is_transit_gateway());
    let rows = s.transit_rows(ranges);
    let stats = s.stats.clone();
    assert!(s.into_rows(ranges).is_empty(), "nothing in the VPC table");
    (stats, rows)
}

#[test]
fn text_and_parquet_give_the_same_transit_gateway_rows() {
    let ranges = Ranges::embedded();
    let (stats, rows) = rows_of_text(&ranges);
    assert_eq!(
        (
            stats.counts.read,
            stats.counts.ok,
            stats.counts.nodata,
            stats.counts.malformed
        ),
        (12, 11, 1, 0)
    );
    assert_eq!(rows.len(), 11);
    assert!(rows.iter().all(|r| r.account_id == "999988887777"
        && r.region == "eu-west-1"
        && r.day == "2026-08-22"
        && r.tgw_id.as_deref() == Some("tgw-0f1e2d3c4b5a69780")));
    let sum = |f: fn(&TransitRow) -> Option<i64>| rows.iter().filter_map(f).sum::<i64>();
    assert_eq!(sum(|r| r.bytes), 3_109_180);
    assert_eq!(sum(|r| r.packets_lost_no_route), 3);
    assert_eq!(sum(|r| r.packets_lost_mtu_exceeded), 2);
    assert_eq!(sum(|r| r.packets_lost_blackhole), 0);
    // Each byte once: the ingress rows hold half the bytes of the flows between VPCs.
    let ingress: i64 = rows
        .iter()
        .filter(|r| r.flow_direction.as_deref() == Some("ingress"))
        .filter_map(|r| r.bytes)
        .sum();
    assert_eq!(ingress, 40_000 + 1_200_000 + 6_000 + 300_000 + 9_000 + 180);

    let text = std::fs::read_to_string(crate::fixtures().join(FIXTURE)).unwrap();
    let parquet = text_to_parquet(
        &text,
        Style::Aws,
        Compression::GZIP(GzipLevel::default()),
        1000,
        1000,
    );
    let p = summarize_parquet(
        "hub-and-spoke.log.parquet",
        bytes::Bytes::from(parquet),
        &ranges,
        &Options::default(),
    )
    .unwrap();
    assert!(p.is_transit_gateway());
    assert_eq!(p.stats.counts, stats.counts);
    assert_eq!(p.transit_rows(&ranges), rows);
}

#[test]
fn the_charge_back_rule_splits_the_fixture_by_spoke() {
    let ranges = Ranges::embedded();
    let (_, rows) = rows_of_text(&ranges);
    let mut by_spoke: std::collections::BTreeMap<(String, String, String), i64> =
        Default::default();
    for r in &rows {
        if let Some(e) = from_transit_row(r) {
            let key = (
                e.spoke_vpc_id.unwrap_or("-").to_owned(),
                e.hub_vpc_id.unwrap_or("-").to_owned(),
                r.remote_service.clone().unwrap_or_default(),
            );
            *by_spoke.entry(key).or_default() += r.bytes.unwrap_or(0);
        }
    }
    let want: std::collections::BTreeMap<(String, String, String), i64> = [
        ((SPOKE_A, HUB, "S3"), 1_240_000),
        ((SPOKE_B, HUB, "DYNAMODB"), 306_000),
    ]
    .into_iter()
    .map(|((s, h, svc), b)| ((s.to_owned(), h.to_owned(), svc.to_owned()), b))
    .collect();
    assert_eq!(by_spoke, want);
}
