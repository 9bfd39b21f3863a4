//! Command-line arguments, as clap parses them. Checking and loading happen in the
//! commands themselves.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// flowpath: which path does your VPC traffic to AWS services take?
#[derive(Debug, Parser)]
#[command(name = "flowpath", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Summarize flow-log files into Hive-partitioned Parquet.
    Summarize(SummarizeArgs),
    /// Look up addresses in AWS's ranges: service, region, border group, prefixes.
    Lookup(LookupArgs),
    /// List, compare and download AWS's ip-ranges.json.
    #[command(subcommand)]
    Ranges(RangesCommand),
}

/// Where the AWS ranges come from.
#[derive(Debug, Args)]
pub(crate) struct RangesSource {
    /// An ip-ranges.json file (plain or gzip) instead of the embedded snapshot.
    #[arg(long, env = "FLOWPATH_RANGES", value_name = "FILE")]
    pub(crate) ranges: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SummarizeArgs {
    /// Flow-log files, directories (searched recursively for *.log, *.log.gz, *.gz,
    /// *.txt) or `-` for standard input. Plain or gzip, detected from the content.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Directory to write the Parquet summaries into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
    /// Format of input without a header line: `${version} ${srcaddr} ...` or plain
    /// names. Default: the version 2 default format. A header line always wins.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) format: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Fail an input on its first malformed line instead of counting and reporting it.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the run report as JSON on standard output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    /// IPv4 or IPv6 addresses.
    #[arg(required = true, value_name = "IP")]
    pub(crate) addresses: Vec<String>,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RangesCommand {
    /// The published prefixes, filtered by service and region.
    List(ListArgs),
    /// Prefixes added, removed and changed between two ip-ranges.json files.
    Diff(DiffArgs),
    /// Download AWS's current ip-ranges.json, validate it, and save it.
    Update(UpdateArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only prefixes listed for this service (e.g. S3, DYNAMODB; case-insensitive).
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// Only prefixes in this region (e.g. ap-south-1, GLOBAL).
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// IPv6 prefixes instead of IPv4.
    #[arg(long)]
    pub(crate) ipv6: bool,
    /// Print a tcpdump capture filter (`dst net A or dst net B ...`).
    #[arg(long, conflicts_with = "json")]
    pub(crate) bpf: bool,
    /// Print the matching entries as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The older ip-ranges.json.
    pub(crate) old: PathBuf,
    /// The newer ip-ranges.json.
    pub(crate) new: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// Where to save the file (written atomically, only when it is valid).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Where to download from.
    #[arg(long, default_value = "https://ip-ranges.amazonaws.com/ip-ranges.json")]
    pub(crate) url: String,
}
