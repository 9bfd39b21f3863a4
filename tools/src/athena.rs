//! `flowpath athena-ddl`: the CREATE EXTERNAL TABLE statement for the summaries.
//!
//! The statement is [`flowpath_core::table::create_table`]: columns and types from the
//! summary schema, partitions `account_id`, `region`, `day` with partition projection,
//! the same definition as the SAM template's Glue table. It goes to standard output,
//! ready for the Athena console or `aws athena start-query-execution --query-string`.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use flowpath_core::inventory::TagKeys;
use flowpath_core::table;

/// Arguments of `flowpath athena-ddl`.
#[derive(Debug, Args)]
pub(crate) struct AthenaDdlArgs {
    /// Where the summaries are: `s3://bucket/prefix/` (the `--out` of `summarize`, or
    /// `s3://OUTPUT_BUCKET/OUTPUT_PREFIX` of the Lambda). A `/` is added at the end.
    #[arg(long, value_name = "S3URI")]
    pub(crate) location: String,
    /// The Glue database (lowercase letters, digits, underscores).
    #[arg(long, value_name = "NAME", default_value = table::DEFAULT_DATABASE)]
    pub(crate) database: String,
    /// The table name (default: `summaries`, or `transit_gateway_summaries` with
    /// `--transit-gateway`); the saved queries in `queries/` and the SAM template use
    /// the defaults.
    #[arg(long, value_name = "NAME")]
    pub(crate) table: Option<String>,
    /// The table over the transit gateway summaries (`<location>transit_gateway/`)
    /// instead of the VPC summaries.
    #[arg(long)]
    pub(crate) transit_gateway: bool,
    /// The table over the top talkers (`<location>top_talkers/`) instead of the VPC
    /// summaries.
    #[arg(long, conflicts_with = "transit_gateway")]
    pub(crate) top_talkers: bool,
    /// A tag key whose `tag_<key>` column the summaries have (`summarize --tag`;
    /// repeatable, same order). Files without it read as null there.
    #[arg(long = "tag", value_name = "KEY", conflicts_with_all = ["transit_gateway", "top_talkers"])]
    pub(crate) tags: Vec<String>,
}

/// Runs `flowpath athena-ddl`.
pub(crate) fn run(args: &AthenaDdlArgs) -> Result<ExitCode> {
    let summaries = if args.transit_gateway {
        table::Summaries::TransitGateway
    } else if args.top_talkers {
        table::Summaries::TopTalkers
    } else {
        table::Summaries::Flows
    };
    let name = args.table.as_deref().unwrap_or(summaries.default_table());
    let tags = TagKeys::new(&args.tags).context("bad --tag")?;
    let ddl = if tags.is_empty() {
        table::create_table_of(summaries, &args.database, name, &args.location)?
    } else {
        table::create_tagged_table(&args.database, name, &args.location, &tags)?
    };
    let mut out = io::stdout().lock();
    out.write_all(ddl.as_bytes())
        .and_then(|()| out.flush())
        .context("writing the DDL to standard output")?;
    Ok(ExitCode::SUCCESS)
}
