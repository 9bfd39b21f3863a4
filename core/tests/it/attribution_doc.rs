//! `docs/attribution.md` states every attribution rule with an example record. This
//! test reads each ```` ```flowlog ```` block there (`format:`, `record:`, `expect:`
//! lines), attributes the record with the embedded ranges and the fixture inventory,
//! and checks every expected value, so the document cannot drift from the code. The
//! charge-back rules are checked the same way: `spoke_…`/`hub_vpc_id` of a `flowlog`
//! block through the NAT rule, and each ```` ```tgwlog ```` block summarized as a
//! transit gateway log, its one row through the transit gateway rule.

use flowpath_core::Ranges;
use flowpath_core::chargeback;
use flowpath_core::classify::{Attribution, attribute_with};
use flowpath_core::engine::Options;
use flowpath_core::format::Format;
use flowpath_core::output::Row;
use flowpath_core::parse::parse_line;
use flowpath_core::record::Record;
use flowpath_core::source::text::summarize;
use flowpath_core::transit::TransitRow;

struct Example {
    at: usize,
    /// `flowlog` or `tgwlog`.
    kind: &'static str,
    format: String,
    record: String,
    expect: Vec<(String, String)>,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((at, line)) = lines.next() {
        let kind = match line.trim() {
            "```flowlog" => "flowlog",
            "```tgwlog" => "tgwlog",
            _ => continue,
        };
        let mut ex = Example {
            at: at + 1,
            kind,
            format: String::new(),
            record: String::new(),
            expect: Vec::new(),
        };
        for (_, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            if let Some(f) = line.strip_prefix("format: ") {
                ex.format = f.to_owned();
            } else if let Some(r) = line.strip_prefix("record: ") {
                ex.record = r.to_owned();
            } else if let Some(e) = line.strip_prefix("expect: ") {
                ex.expect = e
                    .split_whitespace()
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').expect("key=value");
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
            } else {
                panic!("docs/attribution.md:{}: unexpected line {line:?}", at + 1);
            }
        }
        out.push(ex);
    }
    out
}

fn value(a: &Attribution<'_>, rec: &Record<'_>, ranges: &Ranges, key: &str) -> String {
    let label = a.remote_label.map(|l| ranges.label(l));
    let opt = |v: Option<&str>| v.unwrap_or("-").to_owned();
    match key {
        "direction" => a.direction.as_str().to_owned(),
        "path" => a.path.name().into_owned(),
        "attribution" => a.method.as_str().to_owned(),
        "interface_kind" => opt(a.interface_kind),
        "gateway_id" => opt(a.gateway_id),
        "remote_service" => match a.remote_named {
            Some(n) => n.service.to_owned(),
            None => opt(label.map(|l| l.service.as_str())),
        },
        "remote_region" => match a.remote_named {
            Some(n) => opt(n.region),
            None => opt(label.and_then(|l| l.region.as_deref())),
        },
        "remote_vpc_id" => opt(a.remote_vpc.map(|v| v.0)),
        "remote_account_id" => opt(a.remote_vpc.and_then(|v| v.1)),
        "spoke_vpc_id" | "spoke_account_id" | "hub_vpc_id" => {
            // The row this record adds to, as far as the NAT rule reads it.
            let row = Row {
                vpc_id: a.eni_vpc_id.or(rec.vpc_id).map(str::to_owned),
                interface_kind: a.interface_kind.map(str::to_owned),
                path: a.path.name().into_owned(),
                remote_vpc_id: a.remote_vpc.map(|v| v.0.to_owned()),
                remote_account_id: a.remote_vpc.and_then(|v| v.1).map(str::to_owned),
                ..Row::default()
            };
            let e = chargeback::from_nat_row(&row);
            egress_value(e.as_ref(), key)
        }
        other => panic!("unknown expect key {other}"),
    }
}

/// A charge-back key's value: `-` for no spoke (or no match).
fn egress_value(e: Option<&chargeback::Egress<'_>>, key: &str) -> String {
    let v = match key {
        "spoke_vpc_id" => e.and_then(|e| e.spoke_vpc_id),
        "spoke_account_id" => e.and_then(|e| e.spoke_account_id),
        "hub_vpc_id" => e.and_then(|e| e.hub_vpc_id),
        other => panic!("unknown expect key {other}"),
    };
    v.unwrap_or("-").to_owned()
}

/// A `tgwlog` example's value: the record summarized as a transit gateway log (its
/// format given in full, as a header line), the one row through the rule.
fn tgw_value(row: &TransitRow, key: &str) -> String {
    let e = chargeback::from_transit_row(row);
    match key {
        "direction" => row.direction.clone(),
        "remote_service" => row.remote_service.clone().unwrap_or_else(|| "-".into()),
        "charged" => if e.is_some() { "yes" } else { "no" }.to_owned(),
        other => egress_value(e.as_ref(), other),
    }
}

#[test]
fn every_example_in_the_attribution_document_holds() {
    let root = crate::fixtures().join("..");
    let doc = std::fs::read_to_string(root.join("docs/attribution.md")).unwrap();
    let inventory = crate::inventory::fixture_inventory();
    let ranges = Ranges::embedded();
    let examples = examples(&doc);
    assert!(examples.len() >= 22, "{} examples", examples.len());
    let mut failures = Vec::new();
    assert!(examples.iter().filter(|e| e.kind == "tgwlog").count() >= 5);
    for ex in &examples {
        assert!(!ex.format.is_empty() && !ex.record.is_empty() && !ex.expect.is_empty());
        let format = Format::parse(&ex.format).unwrap();
        let rec = parse_line(&format, ex.record.as_bytes()).unwrap();
        let a = attribute_with(&rec, &ranges, &inventory);
        let tgw_row = (ex.kind == "tgwlog").then(|| {
            assert!(format.is_transit_gateway(), "line {}", ex.at);
            let text = format!("{}\n{}\n", ex.format, ex.record);
            let s = summarize("example", text.as_bytes(), &ranges, &Options::default()).unwrap();
            let mut rows = s.transit_rows(&ranges);
            assert_eq!(rows.len(), 1, "docs/attribution.md:{}", ex.at);
            rows.remove(0)
        });
        for (key, want) in &ex.expect {
            let got = match &tgw_row {
                Some(row) => tgw_value(row, key),
                None => value(&a, &rec, &ranges, key),
            };
            if &got != want {
                failures.push(format!(
                    "docs/attribution.md:{}: {key} is {got}, the document says {want}",
                    ex.at
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
