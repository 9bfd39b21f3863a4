//! flowpath-core: AWS VPC flow logs in, per-hour Parquet summaries out.
//!
//! Data flows one way, and each step is a module:
//!
//! | step | module | what it owns |
//! | --- | --- | --- |
//! | read | [`decode`] | gzip detection (magic bytes) and multi-member decompression |
//! | parse | [`format`](mod@format), [`record`], [`parse`](mod@parse) | field names of every flow-log version, the header line, one record per line without allocating |
//! | look up | [`ranges`] (and the private `trie`) | AWS's ip-ranges.json, resolved once into a flat longest-prefix table |
//! | attribute | [`classify`], [`inventory`] | direction, remote address, AWS service and region, path; the VPC inventory (ENIs, endpoints, NAT gateways, routes) that refines them |
//! | aggregate | [`aggregate`] | sums per hour window and key; merges are order-independent |
//! | write | [`summary`], [`layout`] | the Parquet schema, Hive partition paths, file metadata |
//! | query | [`table`] | the Athena table over the summaries: columns and Hive types from the schema, partition projection, the DDL |
//! | drive | [`pipeline`] (and the private `lines`) | one input (any `Read`) through all of the above, in parallel chunks of whole lines |
//! | drive Parquet | [`flowlog_parquet`] | AWS's Parquet flow logs: columns mapped to fields, rows to records, batch by batch into the same per-record path and [`pipeline::Summary`] |
//!
//! The crate is synchronous and does no network or file-system I/O: callers hand it
//! readers and writers. The CLI (`flowpath`) and the Lambda are thin adapters around
//! [`pipeline::summarize`].
#![deny(missing_docs)]

pub mod aggregate;
pub mod classify;
pub mod decode;
pub mod error;
pub mod flowlog_parquet;
pub mod format;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod inventory;
pub mod layout;
mod lines;
pub mod object;
pub mod parse;
pub mod pipeline;
mod prefetch;
pub mod ranges;
pub mod record;
pub mod summary;
pub mod table;
mod trie;

#[cfg(test)]
pub(crate) mod testutil;

pub use error::Error;
pub use ranges::Ranges;

/// The flowpath version written into every summary file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
