//! `flowpath report OUT`: bytes by path per account, VPC, service and region, the top
//! NAT gateway → AWS service flows, and the NAT savings an endpoint would bring.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

/// Arguments of `flowpath report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The summaries' directory (as given to `summarize --out`).
    #[arg(value_name = "DIR")]
    pub(crate) out: String,
}

/// Runs `flowpath report`.
pub(crate) fn run(args: &ReportArgs) -> Result<ExitCode> {
    bail!("{}: report is not implemented yet", args.out)
}
