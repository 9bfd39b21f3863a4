//! flowpath-core: AWS VPC flow logs in, per-hour Parquet summaries out.
//!
//! Data flows one way, input side to output side; each step is a module
//! (`docs/architecture.md` draws the whole flow):
//!
//! | step | module | what it owns |
//! | --- | --- | --- |
//! | object | [`object`] | one input object: which keys are delivered flow logs, what a key says (account, region), its kind (text or Parquet, by key or first bytes), and the one entry that hands it to its source |
//! | source | [`source`], [`decode`] | one module per kind of input ([`source::text`] lines, gzip or plain; [`source::parquet`] AWS's Parquet; [`source::cloudwatch`] CloudWatch Logs subscription payloads): bytes to numbered records, in parallel pieces |
//! | parse | [`format`](mod@format), [`record`], [`parse`](mod@parse) | field names of every flow-log version, the header line, one record per line without allocating |
//! | engine | [`engine`] | every record once parsed: the checks that make it malformed, attribution, the AWS-label check, the sums, and the input's [`engine::Summary`] |
//! | attribute | [`classify`], [`ranges`] (and the private `trie`), [`inventory`] | direction, remote address, AWS service and region, path; AWS's ip-ranges.json as a flat longest-prefix table; the VPC inventory that refines paths |
//! | aggregate | private `aggregate` | sums per hour window and key; merges are order-independent; the groups in output order |
//! | output | [`output`] | the summary files: rows, columns, Hive partitions and file names ([`output::layout`]), footer metadata, the writer and the reader back |
//! | query | [`table`] | the Athena table over the summaries: columns and Hive types from the schema, partition projection, the DDL |
//!
//! The crate is synchronous and does no network or file-system I/O: callers hand it
//! readers and writers. The CLI (`flowpath`) and the Lambda are adapters that call
//! [`object`] and write what [`output`] encodes.
#![deny(missing_docs)]

mod aggregate;
pub mod chargeback;
pub mod classify;
pub mod decode;
pub mod engine;
pub mod error;
pub mod format;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod inventory;
pub mod names;
pub mod object;
pub mod output;
pub mod parse;
mod prefetch;
pub mod ranges;
pub mod record;
pub mod source;
pub mod table;
pub mod talkers;
pub mod transit;
mod trie;

#[cfg(test)]
pub(crate) mod testutil;

pub use error::Error;
pub use ranges::Ranges;

/// The flowpath version written into every summary file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
