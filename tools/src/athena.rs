//! `flowpath athena-ddl`: the CREATE EXTERNAL TABLE statement for the summaries.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

/// Arguments of `flowpath athena-ddl`.
#[derive(Debug, Args)]
pub(crate) struct AthenaDdlArgs {
    /// Where the summaries are: `s3://bucket/prefix/`.
    #[arg(long, value_name = "S3URI")]
    pub(crate) location: String,
}

/// Runs `flowpath athena-ddl`.
pub(crate) fn run(args: &AthenaDdlArgs) -> Result<ExitCode> {
    bail!("{}: athena-ddl is not implemented yet", args.location)
}
