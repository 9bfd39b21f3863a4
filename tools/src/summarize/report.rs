//! The report of `summarize`: totals over every input's outcome, the failures named
//! and classified, the warnings (stale ranges, SKIPDATA, compacted partitions, counts
//! a format lacks), as text or JSON.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::time::Duration;

use flowpath_core::Ranges;
use flowpath_core::output::Counts;
use flowpath_core::parse::ParseErrorKind;
use flowpath_s3::{S3Error, S3ErrorKind};
use serde::Serialize;

use super::Outcome;
use crate::cli::SummarizeArgs;
use crate::output::Output;

/// How many malformed-line examples the report lists across all inputs.
const REPORT_EXAMPLES: usize = 20;
/// Ranges older than this relative to the newest record get a warning.
const STALE_AFTER: i64 = 30 * 86_400;

/// The report of a run, as text or JSON (`--json`).
#[derive(Serialize)]
pub(super) struct Report {
    flowpath_version: &'static str,
    ranges: RangesInfo,
    /// The VPC inventory, when `--inventory` was given.
    pub(super) inventory: Option<InventoryInfo>,
    /// The Resolver query logs, when `--resolver-logs` was given.
    pub(super) resolver_logs: Option<crate::resolver_source::NamesInfo>,
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
    pub(super) failures: Vec<Failure>,
    /// Inputs summarized in this run.
    summarized: usize,
    /// S3 objects skipped because the output records them as done for the same ETag
    /// and ranges; their counts are in `counts`.
    skipped_done: usize,
    /// Summary files those skipped objects have (written by an earlier run).
    skipped_done_files: usize,
    /// Input bytes read in this run (compressed, as stored).
    bytes_read: u64,
    /// Inputs in AWS's Parquet format (`*.log.parquet`), done or skipped.
    parquet_inputs: usize,
    /// S3 settings of the run.
    s3: S3Settings,
    /// Temporary files and directories of runs that died, removed from the output at
    /// the start.
    pub(super) stale_temporaries_removed: Vec<String>,
    /// Summary files not written because a compacted file of their partition holds
    /// their rows already (written beside it, they would count twice).
    already_compacted: Vec<String>,
    /// Inputs whose format lacks `packets` or `bytes` (`input: packets, bytes`):
    /// those columns are null in their summaries.
    lacking_counts: Vec<String>,
}

#[derive(Serialize)]
struct S3Settings {
    concurrency: usize,
    max_attempts: u32,
    endpoint_url: Option<String>,
    path_style: bool,
}

#[derive(Serialize)]
pub(super) struct InventoryInfo {
    pub(super) documents: Vec<String>,
    pub(super) network_interfaces: usize,
    pub(super) vpc_endpoints: usize,
    pub(super) nat_gateways: usize,
    pub(super) fingerprint: String,
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
    /// For a wrong field count in an input without a header: the format it was read
    /// in (the given one, or its log group's), which the line disagrees with.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_as: Option<String>,
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
pub(super) struct Failure {
    input: String,
    /// `not_found`, `access_denied`, `throttled`, `transport`, `s3`, `bad_input`,
    /// `write` or `other`.
    kind: &'static str,
    error: String,
}

/// The class of a failure, from the errors in its chain.
fn failure_kind(err: &anyhow::Error) -> &'static str {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<S3Error>() {
            return match e.kind {
                S3ErrorKind::NotFound => "not_found",
                S3ErrorKind::AccessDenied => "access_denied",
                S3ErrorKind::Throttled => "throttled",
                S3ErrorKind::Transport => "transport",
                S3ErrorKind::Other if e.op == "PutObject" => "write",
                S3ErrorKind::Other => "s3",
            };
        }
        if cause.downcast_ref::<flowpath_core::Error>().is_some() {
            return "bad_input";
        }
    }
    if format!("{err:#}").contains("cannot write") {
        "write"
    } else {
        "other"
    }
}

impl Report {
    pub(super) fn new(
        outcomes: &[Outcome],
        ranges: &Ranges,
        source: &str,
        out: &Output,
        elapsed: Duration,
        args: &SummarizeArgs,
    ) -> Report {
        let mut counts = Counts::default();
        let mut examples = Vec::new();
        let mut skipdata_inputs = Vec::new();
        let mut unknown = BTreeSet::new();
        let mut labels = LabelReport::default();
        let mut disagreements: Vec<(String, String, u64)> = Vec::new();
        let mut files_written = Vec::new();
        let mut already_compacted = Vec::new();
        let mut lacking_counts = Vec::new();
        let mut failures = Vec::new();
        let mut max_start: Option<i64> = None;
        let (mut summarized, mut skipped_done, mut skipped_done_files) = (0, 0, 0);
        let (mut bytes_read, mut read_this_run) = (0u64, 0u64);
        let mut parquet_inputs = 0;
        for outcome in outcomes {
            let done = match &outcome.result {
                Ok(done) => done,
                Err(err) => {
                    failures.push(Failure {
                        input: outcome.input.clone(),
                        kind: failure_kind(err),
                        error: crate::errors::describe(err),
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
            match done.skipped {
                Some(files) => {
                    skipped_done += 1;
                    skipped_done_files += files;
                }
                None => {
                    summarized += 1;
                    read_this_run += c.read;
                }
            }
            bytes_read += done.bytes;
            parquet_inputs += usize::from(done.parquet);
            if c.skipdata > 0 {
                skipdata_inputs.push(outcome.input.clone());
            }
            max_start = max_start.max(done.stats.max_start);
            for m in &done.stats.malformed_examples {
                if examples.len() < REPORT_EXAMPLES {
                    let field_count = matches!(
                        m.error.kind,
                        ParseErrorKind::TooFewFields { .. } | ParseErrorKind::TooManyFields { .. }
                    );
                    examples.push(Example {
                        input: outcome.input.clone(),
                        line: m.line,
                        field: m.error.field.map(|f| f.name().to_owned()),
                        reason: m.error.kind.to_string(),
                        text: m.text.clone(),
                        read_as: done.headerless_format.clone().filter(|_| field_count),
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
            files_written.extend(done.written.iter().cloned());
            already_compacted.extend(done.in_compacted.iter().cloned());
            if !done.lacking.is_empty() {
                lacking_counts.push(format!("{}: {}", outcome.input, done.lacking.join(", ")));
            }
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
        let output_dir = match out {
            Output::Local(dir) => dir.display().to_string(),
            Output::S3 { .. } => out.display(),
        };
        Report {
            flowpath_version: flowpath_core::VERSION,
            ranges: RangesInfo {
                source: source.to_owned(),
                create_date: ranges.create_date().to_owned(),
                sync_token: ranges.sync_token().to_owned(),
                stale_warning,
            },
            inventory: None,
            resolver_logs: None,
            inputs: outcomes.len(),
            inputs_failed: failures.len(),
            counts,
            output_dir,
            files_written,
            elapsed_seconds: seconds,
            records_per_second: if seconds > 0.0 {
                read_this_run as f64 / seconds
            } else {
                0.0
            },
            malformed_examples: examples,
            skipdata_inputs,
            unknown_fields: unknown.into_iter().collect(),
            aws_labels: labels,
            failures,
            summarized,
            skipped_done,
            skipped_done_files,
            bytes_read,
            parquet_inputs,
            s3: S3Settings {
                concurrency: args.concurrency,
                max_attempts: args.s3.max_attempts.max(1),
                endpoint_url: args.s3.endpoint_url.clone(),
                path_style: args.s3.path_style,
            },
            stale_temporaries_removed: Vec::new(),
            already_compacted,
            lacking_counts,
        }
    }

    pub(super) fn write_text(&self, w: &mut impl Write) -> io::Result<()> {
        let c = self.counts;
        writeln!(
            w,
            "AWS ranges: {} (createDate {}, syncToken {})",
            self.ranges.source, self.ranges.create_date, self.ranges.sync_token
        )?;
        if let Some(warning) = &self.ranges.stale_warning {
            writeln!(w, "warning: {warning}")?;
        }
        if !self.stale_temporaries_removed.is_empty() {
            writeln!(
                w,
                "removed {} temporary files of runs that died: {}",
                self.stale_temporaries_removed.len(),
                self.stale_temporaries_removed.join(", ")
            )?;
        }
        if let Some(inv) = &self.inventory {
            writeln!(
                w,
                "VPC inventory: {} documents, {} network interfaces, {} VPC endpoints, {} NAT gateways",
                inv.documents.len(),
                inv.network_interfaces,
                inv.vpc_endpoints,
                inv.nat_gateways
            )?;
        }
        if let Some(n) = &self.resolver_logs {
            writeln!(
                w,
                "Resolver query logs: {} inputs, {} lines, {} queries with addresses, {} names, {} malformed; names from up to {} s before each flow",
                n.inputs, n.lines, n.queries, n.names, n.malformed, n.window_seconds
            )?;
            for e in &n.examples {
                writeln!(w, "  malformed: {e}")?;
            }
        }
        writeln!(
            w,
            "{} inputs ({} failed): {} records read, {} with traffic, {} NODATA, {} SKIPDATA, {} malformed",
            self.inputs, self.inputs_failed, c.read, c.ok, c.nodata, c.skipdata, c.malformed
        )?;
        if self.skipped_done > 0 {
            writeln!(
                w,
                "{} S3 objects already done by an earlier run (same ETag and ranges): skipped, their counts included above",
                self.skipped_done
            )?;
        }
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
        if !self.already_compacted.is_empty() {
            writeln!(
                w,
                "warning: {} summary files not written: compacted files of their partitions                  hold those inputs already (to summarize them again, remove the compacted                  file and summarize all its inputs): {}",
                self.already_compacted.len(),
                self.already_compacted.join(", ")
            )?;
        }
        for lacking in &self.lacking_counts {
            writeln!(
                w,
                "note: the format of {lacking} lacks these counts: they are null in its summaries, not zero"
            )?;
        }
        if !self.unknown_fields.is_empty() {
            writeln!(
                w,
                "note: fields flowpath does not know were carried as opaque: {}",
                self.unknown_fields.join(", ")
            )?;
        }
        if c.malformed > 0 && !self.malformed_examples.is_empty() {
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
                let what = match &e.read_as {
                    Some(format) => format!("{what} (read as `{format}`)"),
                    None => what,
                };
                if e.line == 0 {
                    // A group whose sum is too large: no one line to name.
                    writeln!(w, "  {}: {what}: {}", e.input, e.text)?;
                } else {
                    writeln!(w, "  {}:{}: {what}: {}", e.input, e.line, e.text)?;
                }
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
        if !self.failures.is_empty() {
            writeln!(
                w,
                "{} inputs failed: {}",
                self.failures.len(),
                self.failures
                    .iter()
                    .map(|f| f.input.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}
