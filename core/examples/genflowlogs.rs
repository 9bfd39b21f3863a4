//! Writes seeded synthetic VPC flow-log files in AWS's S3 key layout, for benchmarks.
//!
//! ```text
//! cargo run --release -p flowpath-core --example genflowlogs -- \
//!     --out DIR --records N [--files F] [--seed S] [--accounts A] [--ranges ip-ranges.json] [--plain] \
//!     [--inventory INV_DIR]
//! ```
//!
//! The same arguments give byte-identical files (with the same `Cargo.lock`: the
//! records come from `rand`'s `SmallRng`). Half the files are in the default version 2
//! format, the other half each in its own random custom format; every
//! file starts with a header line. The content is described in `benches/common/mod.rs`.
//!
//! `--inventory INV_DIR` also writes the VPC inventory of the records' world into
//! `INV_DIR`: per account, the AWS CLI's `describe-*` JSON
//! (`describe-network-interfaces-<account>-<region>.json`, ...), for `flowpath
//! summarize --inventory INV_DIR`. The flow-log files are the same with or without it.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;
use flowpath_core::Ranges;
use rayon::prelude::*;

const USAGE: &str = "usage: genflowlogs --out DIR --records N [--files F] [--seed S] [--accounts A] \
                     [--ranges ip-ranges.json[.gz]] [--plain] [--inventory INV_DIR]";

struct Args {
    out: PathBuf,
    records: u64,
    files: usize,
    seed: u64,
    accounts: usize,
    ranges: Option<PathBuf>,
    plain: bool,
    inventory: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut records = None;
    let mut files = 40;
    let mut seed = 1;
    let mut accounts = 4;
    let mut ranges = None;
    let mut plain = false;
    let mut inventory = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{name} {v}: {e}"))
        };
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--records" => records = Some(number("--records", value("--records")?)?),
            "--files" => {
                files = usize::try_from(number("--files", value("--files")?)?)
                    .map_err(|e| e.to_string())?
            }
            "--seed" => seed = number("--seed", value("--seed")?)?,
            "--accounts" => {
                accounts = usize::try_from(number("--accounts", value("--accounts")?)?)
                    .map_err(|e| e.to_string())?;
            }
            "--ranges" => ranges = Some(PathBuf::from(value("--ranges")?)),
            "--plain" => plain = true,
            "--inventory" => inventory = Some(PathBuf::from(value("--inventory")?)),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let records = records.ok_or_else(|| format!("--records is required\n{USAGE}"))?;
    if files == 0 || accounts == 0 {
        return Err("--files and --accounts must be at least 1".to_owned());
    }
    Ok(Args {
        out,
        records,
        files,
        seed,
        accounts,
        ranges,
        plain,
        inventory,
    })
}

fn load_ranges(path: Option<&Path>) -> Result<Ranges, String> {
    let Some(path) = path else {
        return Ok(Ranges::embedded());
    };
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut json = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut json)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        json
    } else {
        bytes
    };
    Ranges::from_json(&json).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_one(
    path: &Path,
    plain: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let file = BufWriter::with_capacity(256 << 10, File::create(path)?);
    if plain {
        let mut file = file;
        write(&mut file)?;
        file.flush()?;
    } else {
        let mut gz = GzEncoder::new(file, Compression::default());
        write(&mut gz)?;
        gz.finish()?.into_inner().map_err(|e| e.into_error())?;
    }
    Ok(fs::metadata(path)?.len())
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let started = Instant::now();
    let ranges = load_ranges(args.ranges.as_deref())?;
    let world = common::World::new(args.seed, &ranges, args.accounts, 200..=400);
    let specs = common::plan(args.seed, &world, args.files, args.records);
    let ext = if args.plain { "log" } else { "log.gz" };
    let sizes = specs
        .par_iter()
        .map(|spec| {
            let path = args.out.join(format!("{}.{ext}", spec.key(&world)));
            write_one(&path, args.plain, |w| common::write_file(&world, spec, w))
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect::<Result<Vec<u64>, String>>()?;
    if let Some(dir) = &args.inventory {
        let docs = world.inventory_documents();
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, json) in &docs {
            let path = dir.join(name);
            fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        eprintln!(
            "genflowlogs: VPC inventory of {} accounts in {} documents under {}",
            world.accounts.len(),
            docs.len(),
            dir.display()
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total: u64 = sizes.iter().sum();
    let custom = specs
        .iter()
        .filter(|s| s.fields != common::v2_fields())
        .count();
    eprintln!(
        "genflowlogs: {} records in {} files ({} default format, {} custom), {:.1} MB on disk, under {} ({:.1} s, {:.2} M records/s)",
        args.records,
        specs.len(),
        specs.len() - custom,
        custom,
        total as f64 / 1e6,
        args.out.display(),
        elapsed,
        args.records as f64 / elapsed / 1e6,
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genflowlogs: {e}");
            ExitCode::FAILURE
        }
    }
}
