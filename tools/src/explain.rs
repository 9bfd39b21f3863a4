//! `flowpath explain HOST_OR_IP`: where the addresses of a name go.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

/// Arguments of `flowpath explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A host name (resolved with the system resolver) or an address.
    #[arg(value_name = "HOST_OR_IP")]
    pub(crate) target: String,
}

/// Runs `flowpath explain`.
pub(crate) fn run(args: &ExplainArgs) -> Result<ExitCode> {
    bail!("{}: explain is not implemented yet", args.target)
}
