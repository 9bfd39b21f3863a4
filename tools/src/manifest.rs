//! `flowpath manifest`: the flow-log objects of `s3://bucket/prefix` (with the same
//! selection as `summarize`) as an S3 Batch Operations CSV manifest
//! (`S3BatchOperations_CSV_20180820`, fields `Bucket,Key`), for a backfill that runs
//! the Lambda on every object through a Batch Operations job.
//!
//! Batch Operations expects the keys URL-encoded: every byte outside `A-Z a-z 0-9 - _ . ~ /`
//! is written as `%XX` (so `=` is `%3D`, a space `%20`, `+` `%2B`, and a `,` can never
//! split a row). The Lambda decodes the key it is given. Lines are written as the
//! listing pages arrive, so memory stays flat for millions of objects. Only keys the
//! Lambda summarizes are listed ([`flowpath_core::object::is_delivered_flow_log`]);
//! the others are counted on standard error.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use flowpath_core::object::is_delivered_flow_log;
use flowpath_s3::S3Uri;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::sync::mpsc;

use crate::cli::ManifestArgs;
use crate::s3list::{self, Found};
use crate::select::Selection;

/// What stays as is in a manifest key: unreserved characters and `/`.
const KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// One manifest line: `bucket,url-encoded key`.
pub(crate) fn manifest_line(bucket: &str, key: &str) -> String {
    format!("{bucket},{}", utf8_percent_encode(key, KEY))
}

pub(crate) fn run(args: &ManifestArgs) -> Result<ExitCode> {
    let selection = Selection::new(&args.select)?;
    let mut uris = Vec::with_capacity(args.inputs.len());
    for input in &args.inputs {
        if !S3Uri::is_s3(input) {
            bail!("`{input}`: manifest lists S3 only (expected s3://bucket/prefix)");
        }
        uris.push(S3Uri::parse(input)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the I/O runtime")?;
    let (listed, left_out, failures) = runtime.block_on(async {
        let client = args.s3.client(&uris[0].to_string()).await?;
        let mut out = BufWriter::new(io::stdout().lock());
        let (mut listed, mut left_out) = (0u64, 0u64);
        let mut failures = Vec::new();
        for uri in &uris {
            let (tx, mut rx) = mpsc::channel::<Found>(1000);
            let listing = {
                let (client, uri, selection) = (client.clone(), uri.clone(), selection.clone());
                tokio::spawn(async move { s3list::list(&client, &uri, &selection, &tx).await })
            };
            while let Some(found) = rx.recv().await {
                let Found { bucket, object } = found;
                if is_delivered_flow_log(&object.key) {
                    writeln!(out, "{}", manifest_line(&bucket, &object.key))?;
                    listed += 1;
                } else {
                    left_out += 1;
                }
            }
            match listing.await {
                Ok(Ok(())) => {}
                // The S3 error names what it listed already.
                Ok(Err(e)) => failures.push(crate::errors::describe(&anyhow::Error::new(e))),
                Err(e) => failures.push(format!("{uri}: listing task failed: {e}")),
            }
        }
        out.flush()?;
        Ok::<_, anyhow::Error>((listed, left_out, failures))
    })?;
    let mut err = io::stderr().lock();
    writeln!(err, "{listed} objects listed")?;
    if left_out > 0 {
        writeln!(
            err,
            "note: {left_out} objects left out: not under a vpcflowlogs prefix, which the Lambda skips"
        )?;
    }
    for f in &failures {
        writeln!(err, "error: {f}")?;
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_lambda_reads() {
        assert!(is_delivered_flow_log(
            "AWSLogs/1/vpcflowlogs/r/2026/08/22/x.log.gz"
        ));
        assert!(is_delivered_flow_log(
            "p/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/x.log.parquet"
        ));
        assert!(!is_delivered_flow_log("AWSLogs/1/vpcflowlogs/r/x.txt"));
        assert!(!is_delivered_flow_log("backfill/x.log.gz"));
    }

    #[test]
    fn keys_are_url_encoded() {
        assert_eq!(
            manifest_line("logs", "AWSLogs/aws-account-id=1/a b+c,d~e_f.log.gz"),
            "logs,AWSLogs/aws-account-id%3D1/a%20b%2Bc%2Cd~e_f.log.gz"
        );
        assert_eq!(manifest_line("b", "é.log"), "b,%C3%A9.log");
        assert_eq!(
            flowpath_s3::decode_event_key("AWSLogs/aws-account-id%3D1/a%20b%2Bc%2Cd~e_f.log.gz"),
            "AWSLogs/aws-account-id=1/a b+c,d~e_f.log.gz"
        );
    }
}
