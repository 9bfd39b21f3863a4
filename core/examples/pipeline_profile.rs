//! Runs `source::text::summarize` on the pipeline bench's generated input, on one thread,
//! a given number of times, and prints the best time per record: a steady driver for
//! `perf record` and `valgrind --tool=callgrind`, where criterion's own loop would
//! blur the picture.
//!
//! ```text
//! cargo run --release -p flowpath-core --example pipeline_profile -- [v2|v5] [RUNS] [--inventory] [--names]
//! ```
//!
//! `--names` loads Resolver query logs made from the input itself ([`common::names_for`]):
//! four in five (client, remote) pairs resolved 30 s before their first flow
//! ([`common::names_for`]).
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use flowpath_core::Ranges;
use flowpath_core::engine::Options;
use flowpath_core::inventory::Inventory;
use flowpath_core::source::text::summarize;

const SEED: u64 = 7;
const RECORDS: u64 = 100_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fields = match args.first().map(String::as_str) {
        None | Some("v2") => common::v2_fields(),
        Some("v5") => common::v5_fields(),
        Some(other) => {
            eprintln!("unknown format {other}: v2 or v5");
            return ExitCode::FAILURE;
        }
    };
    let runs: u32 = match args.get(1).map(|s| s.parse()) {
        None => 10,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("RUNS: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut opts = Options::default();
    if args.iter().any(|a| a == "--inventory") {
        let mut inv = Inventory::new();
        for (name, json) in common::inventory(SEED) {
            if let Err(e) = inv.load(&name, &json) {
                eprintln!("{name}: {e}");
                return ExitCode::FAILURE;
            }
        }
        opts.inventory = Some(Arc::new(inv));
    }
    let ranges = Ranges::embedded();
    let (key, text) = common::text(SEED, RECORDS, &fields);
    if args.iter().any(|a| a == "--names") {
        let index = common::names_for(&text, &ranges, opts.inventory.as_deref());
        eprintln!("{} names", index.names());
        opts.names = Some(Arc::new(index));
    }
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).build() else {
        eprintln!("no thread pool");
        return ExitCode::FAILURE;
    };
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let t = Instant::now();
        let s = match pool.install(|| summarize(&key, &text[..], &ranges, &opts)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(s.stats.counts.read, RECORDS);
        if runs == 1 {
            eprintln!("{} groups", s.group_count());
        }
        std::hint::black_box(s);
    }
    println!(
        "{} records, {} runs: best {:.2} ms, {:.0} ns/record, {:.2} M records/s",
        RECORDS,
        runs,
        best * 1e3,
        best * 1e9 / RECORDS as f64,
        RECORDS as f64 / best / 1e6
    );
    ExitCode::SUCCESS
}
