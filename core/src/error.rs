//! The crate's error type. Every variant that concerns an input names it.

use crate::format::FormatError;
use crate::parse::ParseError;
use crate::ranges::RangesError;

/// Errors from summarizing an input or writing a summary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line could not be parsed and the run is strict.
    #[error("{input}: line {line}: {error}")]
    Malformed {
        /// The input's name.
        input: String,
        /// 1-based line number in the decompressed text.
        line: u64,
        /// What is wrong with it.
        error: ParseError,
    },
    /// The header line, or the format the user gave, cannot be used.
    #[error("{input}: bad format: {error}")]
    Format {
        /// The input's name (or `--format` for the user's format string).
        input: String,
        /// What is wrong.
        error: FormatError,
    },
    /// The input is gzip but its stream is corrupt or truncated.
    #[error("{input}: bad gzip data: {source}")]
    Decompress {
        /// The input's name.
        input: String,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// Reading the input failed.
    #[error("{input}: read failed: {source}")]
    Read {
        /// The input's name.
        input: String,
        /// The reader's error.
        source: std::io::Error,
    },
    /// A Parquet flow-log row could not be read and the run is strict.
    #[error("{input}: row {row}: {error}")]
    MalformedRow {
        /// The input's name.
        input: String,
        /// 1-based row number in the file (row groups in file order).
        row: u64,
        /// What is wrong with it.
        error: ParseError,
    },
    /// A log event of a delivery (CloudWatch Logs) could not be read and the run is
    /// strict.
    #[error("{input}: log event {event}: {error}")]
    MalformedEvent {
        /// The input's name.
        input: String,
        /// 1-based number of the event in the input (payloads in order).
        event: u64,
        /// What is wrong with it.
        error: ParseError,
    },
    /// The input is not a CloudWatch Logs subscription payload (nor several back to
    /// back).
    #[error("{input}: not a CloudWatch Logs subscription payload: {source}")]
    Payload {
        /// The input's name.
        input: String,
        /// The JSON reader's error (it names the line and column).
        source: serde_json::Error,
    },
    /// The input is not readable Parquet: truncated, corrupt, or compressed with a
    /// codec this build cannot decode.
    #[error("{input}: bad Parquet data: {source}")]
    BadParquet {
        /// The input's name.
        input: String,
        /// The Parquet reader's error.
        source: parquet::errors::ParquetError,
    },
    /// The input is Parquet but not a flow log flowpath can read (a column of a known
    /// field has a type no flow-log field has, or the file is a flowpath summary).
    #[error("{input}: not a flow-log Parquet file: {reason}")]
    ParquetSchema {
        /// The input's name.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// A Parquet file read as a summary lacks a summary column or has the wrong type.
    #[error("not a flowpath summary: {reason}")]
    NotASummary {
        /// Which column is missing or wrong.
        reason: String,
    },
    /// A Parquet file read as a names file ([`crate::names::store`]) is not one.
    #[error("{input}: not a flowpath names file: {reason}")]
    NotANamesFile {
        /// The file's name.
        input: String,
        /// Which column or row is wrong.
        reason: String,
    },
    /// A VPC inventory document is unusable.
    #[error(transparent)]
    Inventory(#[from] crate::inventory::InventoryError),
    /// The ip-ranges file is unusable.
    #[error(transparent)]
    Ranges(#[from] RangesError),
    /// Encoding the Parquet summary failed.
    #[error("writing Parquet summary: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}
