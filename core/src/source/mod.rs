//! Sources: each turns one kind of input into numbered records for the
//! [`engine`](crate::engine).
//!
//! | source | input |
//! | --- | --- |
//! | [`text`] | flow-log lines, plain or gzip, with a header line or in a given format (S3 delivery, files) |
//! | [`parquet`] | AWS's Parquet flow logs (`.log.parquet`), column by column |
//! | [`cloudwatch`] | CloudWatch Logs subscription payloads (JSON, one or several back to back, plain or gzip): each log event one record; export-task files |
//! | [`firehose`] | what one Firehose record holds (payloads or flow-log lines), for the transformation function |
//!
//! What a source implements (the text and Parquet sources are the examples):
//! 1. find the input's [`Format`](crate::format::Format) (a header line, a schema,
//!    the caller's [`Options::format`](crate::engine::Options::format)) and make an
//!    `Engine` with it and how it numbers records;
//! 2. split the input into pieces (chunks of lines, record batches), numbering records
//!    in input order, and hand them to `Engine::tally` with how to read one piece:
//!    workers read pieces in parallel (rayon), each into its own `Tally`, and the
//!    tallies merge;
//! 3. in that read, hand every record to `Engine::take`, parsed or with the
//!    [`ParseError`](crate::parse::ParseError) that says why not, with a closure
//!    rendering it for the report;
//! 4. call `Engine::finish` on the merged tally with its `Provenance`.
//!
//! Memory stays bounded by the pieces in flight, never by the input's size.

pub mod cloudwatch;
pub mod firehose;
pub mod parquet;
pub mod text;

/// Whether `bytes` starts with `shape`, where each `d` of the shape stands for an ASCII
/// digit and every other byte for itself (`b"dddd-dd-dd"` for a date): how content and
/// names that only their form gives away are told apart.
pub(crate) fn starts_with_shape(bytes: &[u8], shape: &[u8]) -> bool {
    bytes.len() >= shape.len()
        && shape.iter().zip(bytes).all(|(&want, &b)| match want {
            b'd' => b.is_ascii_digit(),
            other => b == other,
        })
}
