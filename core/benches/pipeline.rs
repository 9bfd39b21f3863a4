//! `source::text::summarize` (decode, split, parse, attribute, aggregate, merge) over an
//! in-memory file of generated records: plain text on one thread (a 1-thread rayon
//! pool: the per-core figure) and on the global pool, the same text gzipped, and a
//! custom v5 format on one thread; the v2 and v5 one-thread cases again with the VPC
//! inventory of the records' world (`classify::attribute_with` instead of `attribute`),
//! so that the inventory's cost per record shows side by side; and the gzip case with
//! the inventory, without and with Resolver query logs of the records' flows loaded
//! (`common::names_for`), for the names' cost.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowpath_core::Ranges;
use flowpath_core::engine::Options;
use flowpath_core::inventory::Inventory;
use flowpath_core::source::text::summarize;

const SEED: u64 = 7;
const RECORDS: u64 = 100_000;

/// The inventory of the records' world; checks that every document loads.
fn inventory() -> Inventory {
    let mut inv = Inventory::new();
    for (name, json) in common::inventory(SEED) {
        let loaded = inv
            .load(&name, &json)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let total = loaded.network_interfaces
            + loaded.vpc_endpoints
            + loaded.nat_gateways
            + loaded.route_tables
            + loaded.subnets
            + loaded.vpcs;
        assert!(total > 0, "{name}: nothing loaded");
    }
    assert!(
        inv.enis().iter().any(|e| e.kind == "nat_gateway")
            && inv.enis().iter().any(|e| e.kind == "vpc_endpoint")
            && inv.enis().iter().any(|e| e.kind == "lambda")
            && inv.nat_gateways().len() == 1
            && inv.endpoints().len() == 2,
        "the inventory lacks a NAT gateway, an endpoint or a Lambda ENI"
    );
    inv
}

/// Summarizes `data` with the inventory and checks that the records' ENIs were found
/// (every record with an `interface-id` has an `interface_kind`) and that at least
/// `min_share` of the flows have attribution `inventory`.
#[allow(clippy::print_stderr)]
fn check_inventory(name: &str, data: &[u8], ranges: &Ranges, opts: &Options, min_share: f64) {
    let s = summarize(name, data, ranges, opts).expect("summarize");
    let c = s.stats.counts;
    assert_eq!((c.read, c.malformed), (RECORDS, 0), "{name}");
    let rows = s.into_rows(ranges);
    let flows = |pred: &dyn Fn(&flowpath_core::output::Row) -> bool| -> i64 {
        rows.iter().filter(|r| pred(r)).map(|r| r.flows).sum()
    };
    let all = flows(&|_| true);
    let unknown_eni = flows(&|r| r.interface_id.is_some() && r.interface_kind.is_none());
    let by_inventory = flows(&|r| r.attribution == "inventory");
    assert!(all > 0, "{name}: no flows");
    assert_eq!(
        unknown_eni, 0,
        "{name}: records on ENIs the inventory lacks"
    );
    let share = by_inventory as f64 / all as f64;
    eprintln!(
        "{name}: {:.1}% of {all} flows attributed by the inventory",
        share * 100.0
    );
    assert!(
        share >= min_share,
        "{name}: only {:.1}% of the flows attributed by the inventory",
        share * 100.0
    );
}

fn bench_summarize(c: &mut Criterion) {
    let ranges = Ranges::embedded();
    let opts = Options::default();
    let inv_opts = Options {
        inventory: Some(Arc::new(inventory())),
        ..Options::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a 1-thread pool");
    let threads = rayon::current_num_threads();

    let (key, v2) = common::text(SEED, RECORDS, &common::v2_fields());
    let v2_gz = common::gzip(&v2);
    let (key5, v5) = common::text(SEED, RECORDS, &common::v5_fields());
    let key_gz = format!("{key}.gz");

    // Every record must be read and none malformed, or the numbers mean nothing.
    for (name, data) in [(&key, &v2), (&key_gz, &v2_gz), (&key5, &v5)] {
        let s = summarize(name, &data[..], &ranges, &opts).expect("summarize");
        let c = s.stats.counts;
        assert_eq!((c.read, c.malformed), (RECORDS, 0), "{name}");
    }
    // The default format has no traffic-path: the inventory decides nearly every path.
    // In v5, egress records carry traffic-path, which wins unless it agrees.
    check_inventory(&key, &v2, &ranges, &inv_opts, 0.9);
    check_inventory(&key5, &v5, &ranges, &inv_opts, 0.3);
    // The same job with the Resolver query logs of its flows loaded (issue 18's bound:
    // within 1.3x of the job without them).
    let named_opts = Options {
        names: Some(Arc::new(common::names_for(
            &v2,
            &ranges,
            inv_opts.inventory.as_deref(),
        ))),
        ..inv_opts.clone()
    };
    let named = summarize(&key, &v2[..], &ranges, &named_opts)
        .expect("summarize")
        .into_rows(&ranges);
    assert!(
        named
            .iter()
            .any(|r| r.name_source.as_deref() == Some("client")),
        "no record was named"
    );

    let mut group = c.benchmark_group("summarize");
    group.sample_size(20);
    group.throughput(Throughput::ElementsAndBytes {
        elements: RECORDS,
        bytes: v2.len() as u64,
    });
    group.bench_function("v2_plain_1thread", |b| {
        b.iter(|| {
            one.install(|| summarize(&key, black_box(&v2[..]), &ranges, &opts).expect("summarize"))
        });
    });
    group.bench_function("v2_plain_1thread_inventory", |b| {
        b.iter(|| {
            one.install(|| {
                summarize(&key, black_box(&v2[..]), &ranges, &inv_opts).expect("summarize")
            })
        });
    });
    group.bench_function(format!("v2_plain_{threads}threads"), |b| {
        b.iter(|| summarize(&key, black_box(&v2[..]), &ranges, &opts).expect("summarize"));
    });
    // Bytes are those of the decompressed text, so MB/s compare with the plain runs.
    group.bench_function("v2_gzip_1thread", |b| {
        b.iter(|| {
            one.install(|| {
                summarize(&key_gz, black_box(&v2_gz[..]), &ranges, &opts).expect("summarize")
            })
        });
    });
    group.bench_function("v2_gzip_1thread_inventory", |b| {
        b.iter(|| {
            one.install(|| {
                summarize(&key_gz, black_box(&v2_gz[..]), &ranges, &inv_opts).expect("summarize")
            })
        });
    });
    group.bench_function("v2_gzip_1thread_inventory_names", |b| {
        b.iter(|| {
            one.install(|| {
                summarize(&key_gz, black_box(&v2_gz[..]), &ranges, &named_opts).expect("summarize")
            })
        });
    });
    group.bench_function(format!("v2_gzip_{threads}threads"), |b| {
        b.iter(|| summarize(&key_gz, black_box(&v2_gz[..]), &ranges, &opts).expect("summarize"));
    });
    group.throughput(Throughput::ElementsAndBytes {
        elements: RECORDS,
        bytes: v5.len() as u64,
    });
    group.bench_function("custom_v5_plain_1thread", |b| {
        b.iter(|| {
            one.install(|| summarize(&key5, black_box(&v5[..]), &ranges, &opts).expect("summarize"))
        });
    });
    group.bench_function("custom_v5_plain_1thread_inventory", |b| {
        b.iter(|| {
            one.install(|| {
                summarize(&key5, black_box(&v5[..]), &ranges, &inv_opts).expect("summarize")
            })
        });
    });
    group.finish();
}

criterion_group!(benches, bench_summarize);
criterion_main!(benches);
