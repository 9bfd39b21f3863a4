//! `flowpath report OUT`: bytes by path per account, VPC, service and region, the top
//! NAT gateway → AWS service flows, and the NAT savings an endpoint would bring.
//!
//! - [`read`]: finds the summary files of a local output and tallies their rows;
//! - [`model`]: the counting rules and the priced [`model::Report`];
//! - [`prices`]: the embedded price table (`tools/data/prices.json`) and `--prices`;
//! - [`text`], [`html`]: the two renderings (`--json` serializes the report as is);
//! - [`fmt`]: how bytes and money read.
//!
//! User documentation: docs/report.md.

mod fmt;
mod html;
mod model;
mod prices;
mod read;
mod s3;
mod text;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::fsutil::write_atomic;

/// Arguments of `flowpath report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The summaries: a local directory or `s3://bucket/prefix/` (as given to
    /// `summarize --out`, or the Lambda's `OUTPUT_BUCKET`/`OUTPUT_PREFIX`).
    #[arg(value_name = "DIR|S3URI")]
    pub(crate) out: String,
    /// Only days on or after this one (YYYY-MM-DD, the partitions' `day`).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) from: Option<String>,
    /// Only days on or before this one (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) to: Option<String>,
    /// Also write the report as one self-contained HTML page with charts.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// A price table (same JSON shape as tools/data/prices.json) instead of the
    /// embedded one.
    #[arg(long, value_name = "FILE")]
    pub(crate) prices: Option<PathBuf>,
    /// Availability Zones an interface endpoint is priced in.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=32))]
    pub(crate) azs: u32,
    /// How many NAT gateway → AWS service flows to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,
    /// Also list the bytes by path per interface (ENI) and service: which instance,
    /// Lambda function or task sends through the endpoint, the NAT gateway or the
    /// internet gateway.
    #[arg(long)]
    pub(crate) by_interface: bool,
    /// Also list the bytes by path per value of this resource tag (repeatable): the
    /// `tag_<key>` column `summarize --tag KEY` wrote. Rows without a value are listed
    /// as untagged.
    #[arg(long = "by-tag", value_name = "KEY")]
    pub(crate) by_tags: Vec<String>,
    /// Print the report as JSON on standard output.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) s3: crate::cli::S3Args,
}

/// Checks a `--from`/`--to` value.
fn check_day(flag: &str, day: Option<&str>) -> Result<()> {
    match day {
        Some(d) if !model::is_date(d) => bail!("{flag} {d:?}: expected YYYY-MM-DD"),
        _ => Ok(()),
    }
}

/// Runs `flowpath report`.
pub(crate) fn run(args: &ReportArgs) -> Result<ExitCode> {
    check_day("--from", args.from.as_deref())?;
    check_day("--to", args.to.as_deref())?;
    if let (Some(from), Some(to)) = (&args.from, &args.to)
        && from > to
    {
        bail!("--from {from} is after --to {to}");
    }
    let table = match &args.prices {
        Some(path) => prices::PriceTable::from_file(path)?,
        None => prices::PriceTable::embedded()?,
    };
    let days = read::Days {
        from: args.from.clone(),
        to: args.to.clone(),
    };
    let (files, tally) = if flowpath_s3::S3Uri::is_s3(&args.out) {
        let uri = flowpath_s3::S3Uri::parse(&args.out)?;
        s3::read(&uri, &days, &args.s3)?
    } else {
        let out = Path::new(&args.out);
        if !out.exists() {
            bail!("{}: no such directory", out.display());
        }
        if !out.is_dir() {
            bail!("{}: not a directory", out.display());
        }
        let files = read::find(out, &days)?;
        (files.len(), read::read(&files)?)
    };
    if files == 0 {
        let within = match (&args.from, &args.to) {
            (None, None) => String::new(),
            (from, to) => format!(
                " for days {} to {}",
                from.as_deref().unwrap_or("(any)"),
                to.as_deref().unwrap_or("(any)")
            ),
        };
        bail!(
            "no summary files under {}{within} (expected \
             account_id=*/region=*/day=*/*.parquet)",
            args.out
        );
    }
    let mut report = model::build(
        tally,
        &model::Options {
            prices: &table,
            prices_file: args.prices.as_ref().map(|p| p.display().to_string()),
            azs: args.azs,
            top: args.top,
            output_dir: args.out.clone(),
            from: args.from.clone(),
            to: args.to.clone(),
            by_interface: args.by_interface,
            by_tags: args.by_tags.clone(),
        },
    )?;
    if let Some(path) = &args.html {
        report.html = Some(path.display().to_string());
        let page = html::render(&report);
        write_atomic(path, |w| {
            w.write_all(page.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))
        })?;
    }
    let mut stdout = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &report).map_err(io::Error::from)?;
        writeln!(stdout)?;
    } else {
        text::write(&report, &mut stdout)?;
    }
    Ok(ExitCode::SUCCESS)
}
