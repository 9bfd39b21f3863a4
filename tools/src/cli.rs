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
    /// Summarize flow-log files or S3 objects into Hive-partitioned Parquet.
    Summarize(SummarizeArgs),
    /// List flow-log objects in S3 as an S3 Batch Operations CSV manifest.
    Manifest(ManifestArgs),
    /// Look up addresses in AWS's ranges: service, region, border group, prefixes.
    Lookup(LookupArgs),
    /// List, compare and download AWS's ip-ranges.json.
    #[command(subcommand)]
    Ranges(RangesCommand),
    /// Merge each partition's per-input summary files into one sorted file, atomically.
    Compact(CompactArgs),
    /// Bytes by path (endpoint, NAT gateway, internet gateway) and the NAT savings an
    /// endpoint would bring, from the summaries; `--html` for a page with charts.
    Report(crate::report::ReportArgs),
    /// Where a host name's addresses go: private (which endpoint) or which AWS range.
    Explain(crate::explain::ExplainArgs),
    /// The Athena CREATE EXTERNAL TABLE statement for the summaries.
    AthenaDdl(crate::athena::AthenaDdlArgs),
}

/// Where the AWS ranges come from.
#[derive(Debug, Args)]
pub(crate) struct RangesSource {
    /// An ip-ranges.json file (plain or gzip) instead of the embedded snapshot.
    #[arg(long, env = "FLOWPATH_RANGES", value_name = "FILE")]
    pub(crate) ranges: Option<PathBuf>,
}

/// Which objects of an S3 prefix (or files of a directory) to read, from AWS's key
/// layout (`AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/` or its
/// Hive-compatible variant).
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct SelectArgs {
    /// Only these accounts (repeat or separate with commas).
    #[arg(long = "account", value_name = "ID", value_delimiter = ',')]
    pub(crate) accounts: Vec<String>,
    /// Only these regions (repeat or separate with commas).
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub(crate) regions: Vec<String>,
    /// Only objects delivered on or after this day (YYYY-MM-DD, UTC, from the key).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) from: Option<String>,
    /// Only objects delivered on or before this day (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) to: Option<String>,
}

/// How to reach S3 (the standard AWS chain supplies credentials and region).
#[derive(Clone, Debug, Args)]
pub(crate) struct S3Args {
    /// S3 endpoint, for S3-compatible stores (as `AWS_ENDPOINT_URL`).
    #[arg(long, value_name = "URL")]
    pub(crate) endpoint_url: Option<String>,
    /// Path-style requests (`http://host/bucket/key`), as `FLOWPATH_S3_PATH_STYLE=1`.
    #[arg(long)]
    pub(crate) path_style: bool,
    /// Attempts per S3 request, the first included (the SDK's standard retry mode:
    /// exponential backoff with jitter on throttling, 5xx and broken connections).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub(crate) max_attempts: u32,
}

impl S3Args {
    /// The S3 client these flags describe, to reach `uri`: every command that reaches
    /// S3 builds it so.
    #[cfg(feature = "s3")]
    pub(crate) async fn client(&self, _uri: &str) -> anyhow::Result<flowpath_s3::Client> {
        Ok(flowpath_s3::client_with(&flowpath_s3::ClientOptions {
            force_path_style: self.path_style,
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: Some(self.max_attempts.max(1)),
        })
        .await)
    }

    /// A build without S3 (`--no-default-features`) has no client: says so, naming
    /// `uri`, the first S3 location the command needed.
    #[cfg(not(feature = "s3"))]
    #[expect(clippy::unused_async, reason = "the same signature as with S3")]
    pub(crate) async fn client(&self, uri: &str) -> anyhow::Result<flowpath_s3::Client> {
        anyhow::bail!(
            "{uri}: this flowpath was built without S3 support (`--no-default-features`); \
             build it with its default features to reach S3: cargo build --release -p flowpath"
        )
    }
}

#[derive(Debug, Args)]
pub(crate) struct SummarizeArgs {
    /// Flow-log files, directories (searched recursively for *.log, *.log.gz, *.gz,
    /// *.txt, *.log.parquet), `-` for standard input, or `s3://bucket/prefix` (every
    /// *.log.gz, *.log and *.log.parquet object under it) or `s3://bucket/key`.
    /// Text (plain or gzip, from the content) or AWS's Parquet format (files starting
    /// with `PAR1`; S3 objects named `*.log.parquet`, as the Lambda routes them).
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<String>,
    /// Where to write the Parquet summaries: a directory (created if missing) or
    /// `s3://bucket/prefix`.
    #[arg(long, value_name = "DIR|S3URI")]
    pub(crate) out: String,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
    /// VPC inventory: the JSON of `aws ec2 describe-network-interfaces`,
    /// `describe-vpc-endpoints`, `describe-nat-gateways`, `describe-route-tables`,
    /// `describe-subnets` or `describe-vpcs`, unchanged. A file, a directory (every
    /// *.json below) or `s3://bucket/key-or-prefix`; repeat to merge several. With it,
    /// paths name interface and gateway endpoints, NAT and internet gateways.
    #[arg(long, value_name = "FILE|DIR|S3URI")]
    pub(crate) inventory: Vec<String>,
    /// Route 53 Resolver query logs (JSON lines, gzip or plain, as AWS delivers them):
    /// a file, a directory (every *.log, *.gz, *.json, *.jsonl below) or
    /// `s3://bucket/key-or-prefix` (every *.log.gz under it); repeat for more. With
    /// them, rows get `remote_name`: the name the client (else its VPC) resolved to the
    /// remote address before the flow started, within `--name-window`.
    #[arg(long, value_name = "FILE|DIR|S3URI")]
    pub(crate) resolver_logs: Vec<String>,
    /// How long before a flow's start a query still names its address: seconds, or a
    /// number with s, m, h or d. Query logs hold no TTL, and cached answers are not
    /// logged, so this stands in for both.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = flowpath_core::names::parse_window)]
    pub(crate) name_window: i64,
    /// A resource tag key to add as a column, `tag_<key>` (repeatable): the value on the
    /// row's instance (or its ENI's NAT gateway or endpoint), else ENI, else subnet,
    /// else VPC, from the `--inventory` (`TagSet`/`Tags` of the describe-* JSON, and
    /// `aws ec2 describe-instances`). Keys match case-sensitively, as in AWS; the column
    /// is the key in lower case with `_` for characters other than letters and digits.
    #[arg(long = "tag", value_name = "KEY")]
    pub(crate) tags: Vec<String>,
    /// Also write the top talkers: for each hour, VPC, path, gateway and service, the K
    /// remote addresses and remote ports with the most bytes, in `OUT/top_talkers/`
    /// (`--top-talkers` alone: 20). Each group's memory is fixed (a Space-Saving
    /// sketch of 2K counters), and each row says whether its bytes are exact or an
    /// upper bound with its error. Off by default: on mostly distinct addresses
    /// it makes the job up to 1.8× as long (BENCHMARKS.md).
    #[arg(long, value_name = "K", default_value_t = 0, num_args = 0..=1,
          default_missing_value = "20",
          value_parser = clap::builder::TypedValueParser::map(
              clap::value_parser!(u16).range(0..=1000), usize::from))]
    pub(crate) top_talkers: usize,
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
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    #[command(flatten)]
    pub(crate) s3: S3Args,
    /// Inputs downloaded and summarized at the same time.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub(crate) concurrency: usize,
    /// Summarize S3 objects again even when the output records them as done.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ManifestArgs {
    /// `s3://bucket/prefix` to list (several allowed).
    #[arg(required = true, value_name = "S3URI")]
    pub(crate) inputs: Vec<String>,
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    #[command(flatten)]
    pub(crate) s3: S3Args,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    /// IPv4 or IPv6 addresses (one that is not is bad usage: exit code 2).
    #[arg(required = true, value_name = "IP", value_parser = parse_address)]
    pub(crate) addresses: Vec<std::net::IpAddr>,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// An address argument, spaces around it ignored.
fn parse_address(text: &str) -> Result<std::net::IpAddr, String> {
    text.trim()
        .parse()
        .map_err(|_| "not an IPv4 or IPv6 address".to_owned())
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

#[derive(Debug, Args)]
pub(crate) struct CompactArgs {
    /// The summaries' local directory (as given to `summarize --out`). S3 outputs are
    /// refused: S3 cannot replace several objects atomically.
    #[arg(value_name = "DIR")]
    pub(crate) out: String,
    /// Only the partitions of this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) day: Option<String>,
    /// Print the report as JSON on standard output.
    #[arg(long)]
    pub(crate) json: bool,
}
