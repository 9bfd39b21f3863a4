//! `parse_line` alone, over generated lines: the default v2 format and a custom v5
//! format (27 fields). One iteration parses the whole batch. `parse_line/*` returns a
//! record per line; `reused_record/*` parses into one `ReusedRecord`, as the text
//! source does.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowpath_core::format::{Column, Format};
use flowpath_core::parse::{ReusedRecord, parse_line};

const SEED: u64 = 42;
const RECORDS: u64 = 20_000;

fn bench_parse(c: &mut Criterion) {
    let inputs: Vec<(&str, Format, Vec<u8>)> = [
        ("v2", common::v2_fields()),
        ("custom_v5", common::v5_fields()),
    ]
    .into_iter()
    .map(|(name, fields)| {
        let (_, text) = common::text(SEED, RECORDS, &fields);
        let format = Format::from_columns(fields.iter().map(|&f| Column::Known(f)).collect())
            .expect("the bench formats have no duplicates");
        (name, format, text)
    })
    .collect();
    let inputs: Vec<(&str, &Format, Vec<&[u8]>, Throughput)> = inputs
        .iter()
        .map(|(name, format, text)| {
            // Skip the header line; keep every record line (NODATA/SKIPDATA included).
            let lines: Vec<&[u8]> = text
                .split(|&b| b == b'\n')
                .skip(1)
                .filter(|l| !l.is_empty())
                .collect();
            let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
            for line in &lines {
                parse_line(format, line).expect("generated lines parse");
            }
            let throughput = Throughput::ElementsAndBytes {
                elements: lines.len() as u64,
                bytes: bytes as u64,
            };
            (*name, format, lines, throughput)
        })
        .collect();

    let mut group = c.benchmark_group("parse_line");
    for (name, format, lines, throughput) in &inputs {
        group.throughput(throughput.clone());
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut sum = 0u64;
                for line in lines {
                    if let Ok(rec) = parse_line(format, black_box(line)) {
                        sum = sum.wrapping_add(rec.bytes.unwrap_or(0));
                    }
                }
                black_box(sum)
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("reused_record");
    for (name, format, lines, throughput) in &inputs {
        group.throughput(throughput.clone());
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut sum = 0u64;
                let mut rec = ReusedRecord::new(format);
                for line in lines {
                    if rec.parse_bytes(black_box(line)).is_ok() {
                        sum = sum.wrapping_add(rec.record().bytes.unwrap_or(0));
                    }
                }
                black_box(sum)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
