//! `flowpath summarize`: every input through the core pipeline, in parallel, each
//! partition of each input written atomically; then one report.
//!
//! An input that fails (unreadable, bad gzip, bad header, a malformed line under
//! `--strict`) writes nothing: its summary is complete in memory before the first file
//! is written, and files it already wrote are removed if a later write fails.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use flowpath_core::Ranges;
use flowpath_core::format::Format;
use flowpath_core::layout::output_name;
use flowpath_core::pipeline::{self, Options, Stats};
use flowpath_core::summary::{Counts, write_parquet};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::SummarizeArgs;
use crate::fsutil::{load_ranges, write_atomic};
use crate::inputs::{self, Input};

/// How many malformed-line examples the report lists across all inputs.
const REPORT_EXAMPLES: usize = 20;
/// Ranges older than this relative to the newest record get a warning.
const STALE_AFTER: i64 = 30 * 86_400;

struct Outcome {
    input: String,
    result: Result<Done>,
}

struct Done {
    stats: Stats,
    unknown_fields: Vec<String>,
    written: Vec<PathBuf>,
}

pub(crate) fn run(args: &SummarizeArgs) -> Result<ExitCode> {
    let (ranges, ranges_source) = load_ranges(args.ranges.ranges.as_deref())?;
    let format = args
        .format
        .as_deref()
        .map(Format::parse)
        .transpose()
        .context("bad --format")?;
    if let Some(threads) = args.threads {
        if threads == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    let inputs = inputs::expand(&args.inputs)?;
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        bail!("`-` (standard input) can be given only once");
    }
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output directory {}", args.out.display()))?;

    let opts = Options {
        format,
        strict: args.strict,
        ..Options::default()
    };
    let progress = progress_bar(inputs.len() as u64, args.json);
    let started = Instant::now();
    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| {
            let result = summarize_one(input, &ranges, &opts, &args.out);
            progress.inc(1);
            if let Ok(done) = &result {
                progress.set_message(format!("{} records", done.stats.counts.read));
            }
            Outcome {
                input: input.name(),
                result,
            }
        })
        .collect();
    progress.finish_and_clear();
    let report = Report::new(
        &outcomes,
        &ranges,
        &ranges_source,
        &args.out,
        started.elapsed(),
    );

    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        report.write_text(&mut out)?;
    }
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} inputs {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn summarize_one(input: &Input, ranges: &Ranges, opts: &Options, out: &Path) -> Result<Done> {
    let name = input.name();
    let summary = match input {
        Input::Stdin => pipeline::summarize(&name, io::stdin(), ranges, opts)?,
        Input::File(path) => {
            let file = fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
            pipeline::summarize(&name, file, ranges, opts)?
        }
    };
    let stats = summary.stats.clone();
    let unknown_fields = summary.format.unknown_names().map(str::to_owned).collect();
    let file_name = output_name(&input.identity());
    let (meta, partitions) = summary.into_partitions(ranges);
    let mut written = Vec::with_capacity(partitions.len());
    for part in &partitions {
        let path = out.join(part.dir()).join(&file_name);
        let result = write_atomic(&path, |w| Ok(write_parquet(w, &part.rows, &meta)?));
        if let Err(err) = result {
            for done in &written {
                let _ignored = fs::remove_file(done);
            }
            return Err(err.context(format!("{name}: cannot write its summary")));
        }
        written.push(path);
    }
    Ok(Done {
        stats,
        unknown_fields,
        written,
    })
}

#[derive(Serialize)]
struct Report {
    flowpath_version: &'static str,
    ranges: RangesInfo,
    inputs: usize,
    inputs_failed: usize,
    counts: Counts,
    output_dir: String,
    files_written: Vec<String>,
    elapsed_seconds: f64,
    records_per_second: f64,
    malformed_examples: Vec<Example>,
    skipdata_inputs: Vec<String>,
    unknown_fields: Vec<String>,
    aws_labels: LabelReport,
    failures: Vec<Failure>,
}

#[derive(Serialize)]
struct RangesInfo {
    source: String,
    create_date: String,
    sync_token: String,
    stale_warning: Option<String>,
}

#[derive(Serialize)]
struct Example {
    input: String,
    line: u64,
    field: Option<String>,
    reason: String,
    text: String,
}

#[derive(Serialize, Default)]
struct LabelReport {
    agree: u64,
    disagree: u64,
    top_disagreements: Vec<Disagreement>,
}

#[derive(Serialize)]
struct Disagreement {
    aws: String,
    flowpath: String,
    count: u64,
}

#[derive(Serialize)]
struct Failure {
    input: String,
    error: String,
}

impl Report {
    fn new(
        outcomes: &[Outcome],
        ranges: &Ranges,
        source: &str,
        out: &Path,
        elapsed: Duration,
    ) -> Report {
        let mut counts = Counts::default();
        let mut examples = Vec::new();
        let mut skipdata_inputs = Vec::new();
        let mut unknown = BTreeSet::new();
        let mut labels = LabelReport::default();
        let mut disagreements: Vec<(String, String, u64)> = Vec::new();
        let mut files_written = Vec::new();
        let mut failures = Vec::new();
        let mut max_start: Option<i64> = None;
        for outcome in outcomes {
            let done = match &outcome.result {
                Ok(done) => done,
                Err(err) => {
                    failures.push(Failure {
                        input: outcome.input.clone(),
                        error: format!("{err:#}"),
                    });
                    continue;
                }
            };
            let c = done.stats.counts;
            counts.read += c.read;
            counts.ok += c.ok;
            counts.nodata += c.nodata;
            counts.skipdata += c.skipdata;
            counts.malformed += c.malformed;
            if c.skipdata > 0 {
                skipdata_inputs.push(outcome.input.clone());
            }
            max_start = max_start.max(done.stats.max_start);
            for m in &done.stats.malformed_examples {
                if examples.len() < REPORT_EXAMPLES {
                    examples.push(Example {
                        input: outcome.input.clone(),
                        line: m.line,
                        field: m.error.field.map(|f| f.name().to_owned()),
                        reason: m.error.kind.to_string(),
                        text: m.text.clone(),
                    });
                }
            }
            unknown.extend(done.unknown_fields.iter().cloned());
            labels.agree += done.stats.aws_labels.agree;
            labels.disagree += done.stats.aws_labels.disagree;
            for (aws, ours, n) in &done.stats.aws_labels.disagreements {
                match disagreements
                    .iter_mut()
                    .find(|(a, o, _)| a == aws && o == ours)
                {
                    Some(d) => d.2 += n,
                    None => disagreements.push((aws.clone(), ours.clone(), *n)),
                }
            }
            files_written.extend(done.written.iter().map(|p| p.display().to_string()));
        }
        disagreements.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        labels.top_disagreements = disagreements
            .into_iter()
            .take(10)
            .map(|(aws, flowpath, count)| Disagreement {
                aws,
                flowpath,
                count,
            })
            .collect();
        files_written.sort();
        let stale_warning = match (ranges.published_at(), max_start) {
            (Some(published), Some(newest)) if newest - published > STALE_AFTER => Some(format!(
                "the AWS ranges (createDate {}) are {} days older than the newest record: \
                 run `flowpath ranges update --out FILE` and pass --ranges FILE",
                ranges.create_date(),
                (newest - published) / 86_400
            )),
            _ => None,
        };
        let seconds = elapsed.as_secs_f64();
        Report {
            flowpath_version: flowpath_core::VERSION,
            ranges: RangesInfo {
                source: source.to_owned(),
                create_date: ranges.create_date().to_owned(),
                sync_token: ranges.sync_token().to_owned(),
                stale_warning,
            },
            inputs: outcomes.len(),
            inputs_failed: failures.len(),
            counts,
            output_dir: out.display().to_string(),
            files_written,
            elapsed_seconds: seconds,
            records_per_second: if seconds > 0.0 {
                counts.read as f64 / seconds
            } else {
                0.0
            },
            malformed_examples: examples,
            skipdata_inputs,
            unknown_fields: unknown.into_iter().collect(),
            aws_labels: labels,
            failures,
        }
    }

    fn write_text(&self, w: &mut impl Write) -> io::Result<()> {
        let c = self.counts;
        writeln!(
            w,
            "AWS ranges: {} (createDate {}, syncToken {})",
            self.ranges.source, self.ranges.create_date, self.ranges.sync_token
        )?;
        if let Some(warning) = &self.ranges.stale_warning {
            writeln!(w, "warning: {warning}")?;
        }
        writeln!(
            w,
            "{} inputs ({} failed): {} records read, {} with traffic, {} NODATA, {} SKIPDATA, {} malformed",
            self.inputs, self.inputs_failed, c.read, c.ok, c.nodata, c.skipdata, c.malformed
        )?;
        writeln!(
            w,
            "{} Parquet files written under {} in {:.2} s ({:.0} records/s)",
            self.files_written.len(),
            self.output_dir,
            self.elapsed_seconds,
            self.records_per_second
        )?;
        if !self.skipdata_inputs.is_empty() {
            writeln!(
                w,
                "warning: {} SKIPDATA records: AWS lost flow records in those intervals ({})",
                c.skipdata,
                self.skipdata_inputs.join(", ")
            )?;
        }
        if !self.unknown_fields.is_empty() {
            writeln!(
                w,
                "note: fields flowpath does not know were carried as opaque: {}",
                self.unknown_fields.join(", ")
            )?;
        }
        if c.malformed > 0 {
            writeln!(
                w,
                "malformed lines (first {}):",
                self.malformed_examples.len()
            )?;
            for e in &self.malformed_examples {
                let what = e.field.as_ref().map_or_else(
                    || e.reason.clone(),
                    |f| format!("field `{f}`: {}", e.reason),
                );
                writeln!(w, "  {}:{}: {what}: {}", e.input, e.line, e.text)?;
            }
        }
        let l = &self.aws_labels;
        if l.agree + l.disagree > 0 {
            writeln!(
                w,
                "AWS's pkt-*-aws-service labels agree with flowpath on {} of {} records",
                l.agree,
                l.agree + l.disagree
            )?;
            for d in &l.top_disagreements {
                writeln!(
                    w,
                    "  AWS says {}, flowpath says {}: {} records",
                    d.aws, d.flowpath, d.count
                )?;
            }
        }
        for f in &self.failures {
            writeln!(w, "error: {}", f.error)?;
        }
        Ok(())
    }
}
