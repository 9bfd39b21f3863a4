//! `pipeline::summarize` (decode, split, parse, attribute, aggregate, merge) over an
//! in-memory file of generated records: plain text on one thread (a 1-thread rayon
//! pool: the per-core figure) and on the global pool, the same text gzipped, and a
//! custom v5 format on one thread.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowpath_core::Ranges;
use flowpath_core::pipeline::{Options, summarize};

const SEED: u64 = 7;
const RECORDS: u64 = 100_000;

fn bench_summarize(c: &mut Criterion) {
    let ranges = Ranges::embedded();
    let opts = Options::default();
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
    group.finish();
}

criterion_group!(benches, bench_summarize);
criterion_main!(benches);
