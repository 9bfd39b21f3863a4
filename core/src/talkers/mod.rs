//! Top talkers: for each hour, account, region, VPC, interface kind, path, gateway and
//! remote service, the remote addresses and remote ports that carry the most bytes,
//! in a table of their own (`top_talkers/`, [`TABLE_DIR`]).
//!
//! Each group of talkers holds two Space-Saving sketches ([`Sketch`]) of a fixed
//! capacity (twice the rows written, [`Options::top_talkers`](crate::engine::Options::top_talkers), off
//! unless asked for): one
//! of remote addresses, one of remote ports (the remote side's port: `dstport`
//! toward the remote, `srcport` from it), weighted by bytes. Memory per group is
//! fixed, whatever the number of distinct addresses; the number of groups grows with
//! hours, VPCs, paths and services only.
//!
//! Invariants (the sketch's, carried into the file):
//! - a row's `bytes` is an upper bound of the talker's bytes, and `bytes - bytes_error`
//!   a lower bound; `exact` is `bytes_error = 0`;
//! - every talker not listed in its group carried at most `unlisted_bytes_at_most`;
//! - a group with at most K distinct talkers lists them all, exactly;
//! - the bounds hold whatever the split of the input into chunks, workers and files,
//!   and for groups merged from several files (the report merges hours and files with
//!   [`Sketch::merge`], treating each file's rows as a sketch with that floor);
//! - rows are sorted by their resolved values, so the output does not depend on the
//!   split; a group whose byte total passes INT64 is left out (its records are in the
//!   summary table, or malformed there).
//!
//! The rows are written per partition as the VPC summaries are, with the same footer.

mod columns;
mod sketch;

pub use columns::{batch_of, read_rows, rows_from_batch, schema, write_parquet};
pub use sketch::{Counter, Sketch};

/// The directory, under an output, that holds the top talkers.
pub const TABLE_DIR: &str = "top_talkers";

/// What a top-talkers row ranks.
pub const ADDRESS: &str = "address";
/// What a top-talkers row ranks.
pub const PORT: &str = "port";

/// One row of the top-talkers table: one talker of one group.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TalkerRow {
    /// Partition: account.
    pub account_id: String,
    /// Partition: region.
    pub region: String,
    /// Partition: `YYYY-MM-DD` of the window, or `unknown`.
    pub day: String,
    /// Start of the hour window, Unix seconds.
    pub window_start: Option<i64>,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// The logging ENI's type (inventory): `nat_gateway`, `instance`, ...
    pub interface_kind: Option<String>,
    /// The path.
    pub path: String,
    /// The NAT gateway, endpoint or gateway of the path (inventory).
    pub gateway_id: Option<String>,
    /// The remote's service.
    pub remote_service: Option<String>,
    /// The remote's region.
    pub remote_region: Option<String>,
    /// [`ADDRESS`] or [`PORT`]: which sketch the row is from.
    pub talker: String,
    /// 1 for the most bytes.
    pub rank: i32,
    /// The remote address (address rows).
    pub remote_address: Option<String>,
    /// The remote port (port rows).
    pub remote_port: Option<i32>,
    /// Bytes, at most (exact when `bytes_error` is 0).
    pub bytes: i64,
    /// How much `bytes` may exceed the talker's bytes.
    pub bytes_error: i64,
    /// Whether `bytes` is exact.
    pub exact: bool,
    /// The most bytes any talker of the group not listed carried.
    pub unlisted_bytes_at_most: i64,
    /// The group's bytes, every talker together.
    pub group_bytes: i64,
}

impl TalkerRow {
    /// Whether two rows fall in the same Hive partition.
    pub fn same_partition(&self, other: &TalkerRow) -> bool {
        self.account_id == other.account_id && self.region == other.region && self.day == other.day
    }

    /// Whether two rows are of one group and sketch (all but the talker's own columns).
    pub fn same_group(&self, other: &TalkerRow) -> bool {
        self.window_start == other.window_start
            && self.vpc_id == other.vpc_id
            && self.interface_kind == other.interface_kind
            && self.path == other.path
            && self.gateway_id == other.gateway_id
            && self.remote_service == other.remote_service
            && self.remote_region == other.remote_region
            && self.talker == other.talker
            && self.same_partition(other)
    }
}
