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
//! | sources | [`source`] | one module per kind of input ([`source::text`] lines, [`source::parquet`] AWS's Parquet): bytes to numbered records, in parallel pieces |
//! | engine | [`engine`] | every record once parsed: checks, attribution, the AWS-label check, sums, and the input's [`engine::Summary`] |
//!
//! The crate is synchronous and does no network or file-system I/O: callers hand it
//! readers and writers. The CLI (`flowpath`) and the Lambda are thin adapters around
//! the sources. `docs/architecture.md` draws the whole flow.
#![deny(missing_docs)]

pub mod aggregate;
pub mod classify;
pub mod decode;
pub mod engine;
pub mod error;
pub mod format;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod inventory;
pub mod layout;
pub mod object;
pub mod parse;
mod prefetch;
pub mod ranges;
pub mod record;
pub mod source;
pub mod summary;
pub mod table;
mod trie;

#[cfg(test)]
pub(crate) mod testutil;

pub use error::Error;
pub use ranges::Ranges;

/// The flowpath version written into every summary file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
