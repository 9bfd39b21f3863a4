//! `docs/attribution.md` states every attribution rule with an example record. This
//! test reads each ```` ```flowlog ```` block there (`format:`, `record:`, `expect:`
//! lines), attributes the record with the embedded ranges and the fixture inventory,
//! and checks every expected value, so the document cannot drift from the code.

use flowpath_core::Ranges;
use flowpath_core::classify::{Attribution, attribute_with};
use flowpath_core::format::Format;
use flowpath_core::parse::parse_line;

struct Example {
    at: usize,
    format: String,
    record: String,
    expect: Vec<(String, String)>,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((at, line)) = lines.next() {
        if line.trim() != "```flowlog" {
            continue;
        }
        let mut ex = Example {
            at: at + 1,
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

fn value(a: &Attribution<'_>, ranges: &Ranges, key: &str) -> String {
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
        other => panic!("unknown expect key {other}"),
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
    for ex in &examples {
        assert!(!ex.format.is_empty() && !ex.record.is_empty() && !ex.expect.is_empty());
        let format = Format::parse(&ex.format).unwrap();
        let rec = parse_line(&format, ex.record.as_bytes()).unwrap();
        let a = attribute_with(&rec, &ranges, &inventory);
        for (key, want) in &ex.expect {
            let got = value(&a, &ranges, key);
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
