//! AWS's Parquet flow logs (`.log.parquet`) in, the same [`Summary`] as text out.
//!
//! AWS delivers Parquet flow logs with one column per field of the flow log's format,
//! named with underscores (`account_id`, `pkt_srcaddr`, `flow_direction`, ...);
//! integer fields are INT32 (`version`, ports, `protocol`, `tcp_flags`,
//! `traffic_path`) or INT64 (`packets`, `bytes`, `start`, `end`), the rest strings,
//! and pages are Gzip-compressed. This module owns reading such a file: the mapping of
//! columns to [`Field`]s, the conversion of each row into a [`Record`], and the feeding
//! of records into the same engine as text ([`crate::engine`]:
//! counts, attribution, AWS-label check, aggregation).
//!
//! Invariants:
//! - the same records as text and as Parquet give the same [`Summary`]: the same
//!   counts, rows, AWS-label check and malformed fields (only the place differs: a row
//!   number instead of a line number);
//! - memory is bounded by the batch size times the batches in flight, never by the
//!   file's size: the file is read batch by batch with the arrow reader, and only the
//!   columns of known fields are decoded;
//! - the file's schema is its format: a column whose name is a known field (either
//!   spelling) is that field, any other column is [`Column::Unknown`] (reported like an
//!   unknown name in a text header, and not decoded); a known field whose column holds
//!   neither integers nor strings makes the input fail, as does a file with no known
//!   field at all or a flowpath summary;
//! - every row is accounted for: `read = ok + nodata + skipdata + malformed`. Null, `-`
//!   and the empty string are "no value"; integers are range-checked into the record's
//!   types (negative is out of range, as in text); strings of typed fields (addresses,
//!   `action`, `log-status`, `flow-direction`, integers written as text) go through
//!   the text parser, so they are checked exactly as text is; a bad value makes the row
//!   malformed, counted and kept as an example with its 1-based row number and field;
//! - batches are processed in parallel (rayon) and merged order-independently, so the
//!   result does not depend on the batch size or the thread count.
//!
//! The batch size follows [`Options::chunk_bytes`]: one row per
//! [`BYTES_PER_ROW`] bytes (a text record is about that long), between 1 and
//! [`MAX_BATCH_ROWS`] rows. [`Options::format`] does not apply: the schema names the
//! columns.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, BinaryArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

use crate::engine::{Engine, Numbering, Options, Provenance, Summary, Tally};
use crate::error::Error;
use crate::format::{Column, Field, Format, ValueKind};
use crate::parse::{ParseError, ParseErrorKind, parse_line};
use crate::ranges::Ranges;
use crate::record::Record;

/// The four bytes every Parquet file starts (and ends) with.
pub const PARQUET_MAGIC: [u8; 4] = *b"PAR1";

/// Text bytes per Parquet row when [`Options::chunk_bytes`] is turned into a batch size.
pub const BYTES_PER_ROW: usize = 128;

/// The largest batch, in rows.
pub const MAX_BATCH_ROWS: usize = 65_536;

/// The key flowpath writes into its own summaries' metadata: such a file is an output,
/// not a flow log, and is refused.
const SUMMARY_KEY: &str = "flowpath.version";

/// Whether an input is Parquet, from its first bytes (at least four): callers route by
/// content, not only by a `.parquet` name. Gzip text starts with `1f 8b`, plain text
/// with a field name or a digit, never with `PAR1`.
///
/// ```
/// use flowpath_core::source::parquet::is_parquet;
/// assert!(is_parquet(b"PAR1\x15\x04"));
/// assert!(!is_parquet(b"\x1f\x8b\x08"));
/// assert!(!is_parquet(b"version account-id"));
/// assert!(!is_parquet(b"PAR"));
/// ```
pub fn is_parquet(first_bytes: &[u8]) -> bool {
    first_bytes.starts_with(&PARQUET_MAGIC)
}

/// The batch size, in rows, that reading with `opts` uses.
pub fn batch_rows(opts: &Options) -> usize {
    (opts.chunk_bytes / BYTES_PER_ROW).clamp(1, MAX_BATCH_ROWS)
}

/// Summarizes one Parquet flow-log file.
///
/// `input` names the input in errors and reports, and its key layout supplies the
/// account and region of records whose columns lack them, as for text. The result is
/// the [`Summary`] [`crate::source::text::summarize`] gives for the same records as text:
/// `format` is the file's columns in order, `format_from_header` is true (the schema
/// is the file's own header) and `gzip` is false (the file is not a gzip stream,
/// whatever its pages' codec). Malformed examples carry row numbers in
/// [`Malformed::line`](crate::engine::Malformed::line); under `opts.strict` the first
/// malformed row is the error [`Error::MalformedRow`].
///
/// Errors, each naming the input: [`Error::BadParquet`] (not Parquet, truncated,
/// corrupt, or a codec this build lacks), [`Error::ParquetSchema`] (no known field, a
/// known field with a non-integer non-string column, a flowpath summary),
/// [`Error::Format`] (two columns name the same field). The Parquet reader panics on
/// some corrupt files (a dictionary-encoded page without its dictionary, found by
/// fuzzing): such a panic is [`Error::BadParquet`] too.
pub fn summarize<R: ChunkReader + 'static>(
    input: &str,
    reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let bad = |source| Error::BadParquet {
        input: input.to_owned(),
        source,
    };
    let schema_err = |reason: String| Error::ParquetSchema {
        input: input.to_owned(),
        reason,
    };
    // The Parquet schema alone decides the types (no embedded Arrow schema): strings
    // come as Utf8 or Binary, integers as Int8..UInt64, never as dictionaries or views.
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new_with_options(reader, options).map_err(bad)?;
    check_column_chunks(builder.metadata()).map_err(bad)?;
    if is_flowpath_summary(builder.metadata()) {
        return Err(schema_err(format!(
            "it is a flowpath summary (metadata key `{SUMMARY_KEY}`), not a flow log"
        )));
    }
    let plan = Plan::new(builder.schema().fields()).map_err(schema_err)?;
    let format = Format::from_columns(plan.columns.clone()).map_err(|error| Error::Format {
        input: input.to_owned(),
        error,
    })?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), plan.read.iter().map(|c| c.root));
    let batches = reader_panics_as_errors(
        builder
            .with_projection(mask)
            .with_batch_size(batch_rows(opts))
            .build()
            .map_err(bad)?,
    );

    let engine = Engine::new(input, format, Numbering::Rows, ranges, opts);
    // Row numbers are assigned in file order, before the batches fan out.
    let mut next_row: u64 = 1;
    let numbered = batches.map(move |batch| {
        let first = next_row;
        if let Ok(b) = &batch {
            next_row += b.num_rows() as u64;
        }
        (first, batch)
    });
    let tally = engine.tally(numbered, |tally, (first_row, batch)| {
        let batch = batch.map_err(|e| bad(e.into()))?;
        plan.read(&engine, tally, &batch, first_row)
            .map_err(schema_err)
    })?;
    // The schema is the file's own header; the file is not a gzip stream, whatever
    // its pages' codec.
    let provenance = Provenance {
        format_from_header: true,
        gzip: false,
    };
    engine.finish(tally, provenance)
}

/// The reader's batches, where a panic of the reader becomes an error that ends them.
/// Only the reader's own calls are guarded: a panic of ours stays one.
fn reader_panics_as_errors(
    mut batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
) -> impl Iterator<Item = Result<RecordBatch, ArrowError>> {
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        // After a panic the reader is dropped unused: its state cannot be seen broken.
        let next = std::panic::AssertUnwindSafe(|| batches.next());
        std::panic::catch_unwind(next).unwrap_or_else(|panic| {
            failed = true;
            let why = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic");
            let error = ParquetError::General(format!("the Parquet reader failed: {why}"));
            Some(Err(ArrowError::ExternalError(Box::new(error))))
        })
    })
}

/// Refuses column chunks with a negative offset or length: the reader asserts they
/// are not (`ColumnChunkMetaData::byte_range`), so a corrupt footer would panic.
fn check_column_chunks(metadata: &ParquetMetaData) -> Result<(), ParquetError> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for (c, column) in group.columns().iter().enumerate() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or(column.data_page_offset());
            if start < 0 || column.compressed_size() < 0 {
                return Err(ParquetError::General(format!(
                    "column chunk {c} of row group {g} has a negative offset or length"
                )));
            }
        }
    }
    Ok(())
}

fn is_flowpath_summary(metadata: &ParquetMetaData) -> bool {
    metadata
        .file_metadata()
        .key_value_metadata()
        .is_some_and(|kv| kv.iter().any(|e| e.key == SUMMARY_KEY))
}

/// How a field's value is put into a [`Record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Kept as text (`&str`, checked to be UTF-8).
    Text,
    /// The v7 ECS fields and v8 `reject-reason`: kept as bytes.
    Extra,
    /// Typed and checked: addresses, enumerations, integers.
    Typed,
}

/// Every field's [`Kind`], from [`Field::value_kind`].
const fn kind(field: Field) -> Kind {
    match field.value_kind() {
        ValueKind::Text => Kind::Text,
        ValueKind::Bytes => Kind::Extra,
        ValueKind::Address | ValueKind::Enumerated | ValueKind::Integer => Kind::Typed,
    }
}

/// Whether a field is an integer (and may have an integer column).
const fn is_integer(field: Field) -> bool {
    matches!(field.value_kind(), ValueKind::Integer)
}

/// The Arrow types a known field's column may have.
fn accepts(field: Field, data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::Binary => true,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => is_integer(field),
        _ => false,
    }
}

/// One column that is read.
struct ReadColumn {
    /// Its index among the file's root columns.
    root: usize,
    field: Field,
    /// For typed fields: a one-column format, so that string values go through the
    /// text parser.
    parser: Option<Format>,
}

/// What the schema says: the format, and which columns to read as which field.
struct Plan {
    columns: Vec<Column>,
    read: Vec<ReadColumn>,
}

impl Plan {
    fn new(fields: &arrow_schema::Fields) -> Result<Plan, String> {
        let mut columns = Vec::with_capacity(fields.len());
        let mut read = Vec::new();
        for (root, f) in fields.iter().enumerate() {
            let Some(field) = Field::from_name(f.name()) else {
                columns.push(Column::Unknown(f.name().clone()));
                continue;
            };
            if !accepts(field, f.data_type()) {
                let expected = if is_integer(field) {
                    "integers or strings"
                } else {
                    "strings"
                };
                return Err(format!(
                    "column `{}` (field `{field}`) holds {}, not {expected}",
                    f.name(),
                    f.data_type()
                ));
            }
            columns.push(Column::Known(field));
            let parser = (kind(field) == Kind::Typed).then(|| {
                Format::from_columns(vec![Column::Known(field)])
                    .expect("one column is a valid format")
            });
            read.push(ReadColumn {
                root,
                field,
                parser,
            });
        }
        if read.is_empty() {
            return Err(if columns.is_empty() {
                "it has no columns".to_owned()
            } else {
                "no column names a flow-log field".to_owned()
            });
        }
        Ok(Plan { columns, read })
    }

    /// One batch (its first row is row `first_row` of the file) through the engine,
    /// into `tally`. Errs only when the batch does not have the planned columns.
    fn read(
        &self,
        engine: &Engine<'_>,
        tally: &mut Tally,
        batch: &RecordBatch,
        first_row: u64,
    ) -> Result<(), String> {
        if batch.num_columns() != self.read.len() {
            return Err(format!(
                "a batch has {} columns, {} were asked for",
                batch.num_columns(),
                self.read.len()
            ));
        }
        let values = self
            .read
            .iter()
            .zip(batch.columns())
            .map(|(c, array)| {
                Values::new(array.as_ref())
                    .map(|v| (c, v))
                    .ok_or_else(|| format!("column of `{}` changed type", c.field))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut intake = tally.intake();
        for i in 0..batch.num_rows() {
            let at = first_row + i as u64;
            engine.take(&mut intake, at, build_record(&values, i), || {
                render_row(&values, i)
            });
        }
        Ok(())
    }
}

/// A column of a batch, downcast once per batch.
enum Values<'b> {
    Utf8(&'b StringArray),
    Binary(&'b BinaryArray),
    I8(&'b PrimitiveArray<Int8Type>),
    I16(&'b PrimitiveArray<Int16Type>),
    I32(&'b PrimitiveArray<Int32Type>),
    I64(&'b PrimitiveArray<Int64Type>),
    U8(&'b PrimitiveArray<UInt8Type>),
    U16(&'b PrimitiveArray<UInt16Type>),
    U32(&'b PrimitiveArray<UInt32Type>),
    U64(&'b PrimitiveArray<UInt64Type>),
}

/// One value of a row.
#[derive(Clone, Copy)]
enum Value<'b> {
    Null,
    Str(&'b str),
    Bytes(&'b [u8]),
    Int(i128),
}

impl<'b> Values<'b> {
    fn new(array: &'b dyn Array) -> Option<Values<'b>> {
        Some(match array.data_type() {
            DataType::Utf8 => Values::Utf8(array.as_string_opt::<i32>()?),
            DataType::Binary => Values::Binary(array.as_binary_opt::<i32>()?),
            DataType::Int8 => Values::I8(array.as_primitive_opt()?),
            DataType::Int16 => Values::I16(array.as_primitive_opt()?),
            DataType::Int32 => Values::I32(array.as_primitive_opt()?),
            DataType::Int64 => Values::I64(array.as_primitive_opt()?),
            DataType::UInt8 => Values::U8(array.as_primitive_opt()?),
            DataType::UInt16 => Values::U16(array.as_primitive_opt()?),
            DataType::UInt32 => Values::U32(array.as_primitive_opt()?),
            DataType::UInt64 => Values::U64(array.as_primitive_opt()?),
            _ => return None,
        })
    }

    #[inline]
    fn get(&self, i: usize) -> Value<'b> {
        fn int<T: arrow_array::ArrowPrimitiveType>(
            a: &PrimitiveArray<T>,
            i: usize,
            to: impl Fn(T::Native) -> i128,
        ) -> Value<'_> {
            if a.is_null(i) {
                Value::Null
            } else {
                Value::Int(to(a.value(i)))
            }
        }
        match *self {
            Values::Utf8(a) if !a.is_null(i) => Value::Str(a.value(i)),
            Values::Binary(a) if !a.is_null(i) => Value::Bytes(a.value(i)),
            Values::Utf8(_) | Values::Binary(_) => Value::Null,
            Values::I8(a) => int(a, i, i128::from),
            Values::I16(a) => int(a, i, i128::from),
            Values::I32(a) => int(a, i, i128::from),
            Values::I64(a) => int(a, i, i128::from),
            Values::U8(a) => int(a, i, i128::from),
            Values::U16(a) => int(a, i, i128::from),
            Values::U32(a) => int(a, i, i128::from),
            Values::U64(a) => int(a, i, i128::from),
        }
    }
}

/// Row `i` as a record, or the first bad value's field and reason.
fn build_record<'b>(
    columns: &[(&ReadColumn, Values<'b>)],
    i: usize,
) -> Result<Record<'b>, ParseError> {
    let mut rec = Record::default();
    for (column, values) in columns {
        let field = column.field;
        set_value(&mut rec, column, values.get(i)).map_err(|kind| ParseError {
            field: Some(field),
            kind,
        })?;
    }
    Ok(rec)
}

fn set_value<'b>(
    rec: &mut Record<'b>,
    column: &ReadColumn,
    value: Value<'b>,
) -> Result<(), ParseErrorKind> {
    let field = column.field;
    let bytes = match value {
        Value::Null => return Ok(()),
        Value::Int(n) => return set_int(rec, field, n),
        Value::Str(s) => s.as_bytes(),
        Value::Bytes(b) => b,
    };
    if bytes.is_empty() || bytes == b"-" {
        return Ok(());
    }
    match kind(field) {
        Kind::Text => {
            let text = match value {
                Value::Str(s) => s,
                _ => std::str::from_utf8(bytes).map_err(|_| ParseErrorKind::NotUtf8)?,
            };
            set_text(rec, field, text);
        }
        Kind::Extra => {
            let i = field as usize - Field::EcsClusterArn as usize;
            rec.extra[i] = Some(bytes);
        }
        Kind::Typed => {
            let Some(format) = &column.parser else {
                return Err(ParseErrorKind::BadValue);
            };
            match parse_line(format, bytes) {
                Ok(parsed) => copy_typed(rec, &parsed, field),
                Err(ParseError {
                    field: Some(_),
                    kind,
                }) => return Err(kind),
                // A value of several words: bad for the field, as a word would be.
                Err(ParseError { field: None, .. }) => return Err(typed_error(field)),
            }
        }
    }
    Ok(())
}

/// The error a typed field's unparseable value gets.
fn typed_error(field: Field) -> ParseErrorKind {
    match field {
        Field::Srcaddr | Field::Dstaddr | Field::PktSrcaddr | Field::PktDstaddr => {
            ParseErrorKind::BadAddress
        }
        f if is_integer(f) => ParseErrorKind::BadInteger,
        _ => ParseErrorKind::BadValue,
    }
}

/// An integer into the record's type for the field: not negative, in range (as the
/// text parser checks decimal digits).
fn set_int(rec: &mut Record<'_>, field: Field, n: i128) -> Result<(), ParseErrorKind> {
    fn to<T: TryFrom<u64>>(n: i128) -> Result<T, ParseErrorKind> {
        u64::try_from(n)
            .ok()
            .and_then(|n| T::try_from(n).ok())
            .ok_or(ParseErrorKind::BadInteger)
    }
    match field {
        Field::Version => rec.version = Some(to(n)?),
        Field::Srcport => rec.srcport = Some(to(n)?),
        Field::Dstport => rec.dstport = Some(to(n)?),
        Field::Protocol => rec.protocol = Some(to(n)?),
        Field::Packets => rec.packets = Some(to(n)?),
        Field::Bytes => rec.bytes = Some(to(n)?),
        Field::Start => rec.start = Some(to(n)?),
        Field::End => rec.end = Some(to(n)?),
        Field::TcpFlags => rec.tcp_flags = Some(to(n)?),
        Field::TrafficPath => rec.traffic_path = Some(to(n)?),
        Field::PacketsLostNoRoute
        | Field::PacketsLostBlackhole
        | Field::PacketsLostMtuExceeded
        | Field::PacketsLostTtlExpired => {
            rec.packets_lost[field as usize - Field::PacketsLostNoRoute as usize] = Some(to(n)?);
        }
        // The plan admits integer columns for integer fields only.
        _ => return Err(ParseErrorKind::BadValue),
    }
    Ok(())
}

fn set_text<'b>(rec: &mut Record<'b>, field: Field, text: &'b str) {
    let slot = match field {
        Field::AccountId => &mut rec.account_id,
        Field::InterfaceId => &mut rec.interface_id,
        Field::VpcId => &mut rec.vpc_id,
        Field::SubnetId => &mut rec.subnet_id,
        Field::InstanceId => &mut rec.instance_id,
        Field::Type => &mut rec.traffic_type,
        Field::Region => &mut rec.region,
        Field::AzId => &mut rec.az_id,
        Field::SublocationType => &mut rec.sublocation_type,
        Field::SublocationId => &mut rec.sublocation_id,
        Field::PktSrcAwsService => &mut rec.pkt_src_aws_service,
        Field::PktDstAwsService => &mut rec.pkt_dst_aws_service,
        _ if field.is_transit_gateway_only() => {
            match rec
                .tgw
                .get_mut(field as usize - Field::ResourceType as usize)
            {
                Some(slot) => slot,
                None => return,
            }
        }
        // `kind` sends only the fields above here.
        _ => return,
    };
    *slot = Some(text);
}

/// Copies a typed field from the one-field record the text parser made.
fn copy_typed<'b>(rec: &mut Record<'b>, parsed: &Record<'b>, field: Field) {
    match field {
        Field::Version => rec.version = parsed.version,
        Field::Srcaddr => rec.srcaddr = parsed.srcaddr,
        Field::Dstaddr => rec.dstaddr = parsed.dstaddr,
        Field::Srcport => rec.srcport = parsed.srcport,
        Field::Dstport => rec.dstport = parsed.dstport,
        Field::Protocol => rec.protocol = parsed.protocol,
        Field::Packets => rec.packets = parsed.packets,
        Field::Bytes => rec.bytes = parsed.bytes,
        Field::Start => rec.start = parsed.start,
        Field::End => rec.end = parsed.end,
        Field::Action => rec.action = parsed.action,
        Field::LogStatus => rec.log_status = parsed.log_status,
        Field::TcpFlags => rec.tcp_flags = parsed.tcp_flags,
        Field::PktSrcaddr => rec.pkt_srcaddr = parsed.pkt_srcaddr,
        Field::PktDstaddr => rec.pkt_dstaddr = parsed.pkt_dstaddr,
        Field::FlowDirection => rec.flow_direction = parsed.flow_direction,
        Field::TrafficPath => rec.traffic_path = parsed.traffic_path,
        Field::PacketsLostNoRoute
        | Field::PacketsLostBlackhole
        | Field::PacketsLostMtuExceeded
        | Field::PacketsLostTtlExpired => {
            let i = field as usize - Field::PacketsLostNoRoute as usize;
            rec.packets_lost[i] = parsed.packets_lost[i];
        }
        // `kind` sends only the fields above here.
        _ => {}
    }
}

/// A malformed row as a text line of its read columns (`-` for null), at most 200
/// characters, as text examples are.
fn render_row(columns: &[(&ReadColumn, Values<'_>)], i: usize) -> String {
    let mut line = String::new();
    for (n, (_, values)) in columns.iter().enumerate() {
        if n > 0 {
            line.push(' ');
        }
        match values.get(i) {
            Value::Null => line.push('-'),
            Value::Str(s) => line.push_str(s),
            Value::Bytes(b) => line.push_str(&String::from_utf8_lossy(b)),
            Value::Int(v) => line.push_str(&v.to_string()),
        }
        if line.len() > 800 {
            break;
        }
    }
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_field_has_a_parser_and_a_copy() {
        // A typed field parsed from its text lands in the record (copy_typed covers
        // it); a text field lands through set_text.
        let samples = |f: Field| match f {
            Field::Srcaddr | Field::Dstaddr | Field::PktSrcaddr | Field::PktDstaddr => "10.0.0.1",
            Field::Action => "ACCEPT",
            Field::LogStatus => "NODATA",
            Field::FlowDirection => "egress",
            _ => "7",
        };
        for field in Field::ALL {
            let column = ReadColumn {
                root: 0,
                field,
                parser: (kind(field) == Kind::Typed)
                    .then(|| Format::from_columns(vec![Column::Known(field)]).unwrap()),
            };
            let mut rec = Record::default();
            set_value(&mut rec, &column, Value::Str(samples(field))).unwrap();
            assert_ne!(rec, Record::default(), "{field}");
            let mut again = Record::default();
            set_value(&mut again, &column, Value::Str("-")).unwrap();
            set_value(&mut again, &column, Value::Bytes(b"")).unwrap();
            set_value(&mut again, &column, Value::Null).unwrap();
            assert_eq!(again, Record::default(), "{field}");
            if is_integer(field) {
                let mut int = Record::default();
                set_value(&mut int, &column, Value::Int(7)).unwrap();
                assert_eq!(int, rec, "{field}");
                assert_eq!(
                    set_value(&mut int, &column, Value::Int(-1)),
                    Err(ParseErrorKind::BadInteger),
                    "{field}"
                );
            }
        }
    }

    #[test]
    fn integer_ranges_match_the_record_types() {
        let column = |field| ReadColumn {
            root: 0,
            field,
            parser: None,
        };
        let mut rec = Record::default();
        for (field, max) in [
            (Field::Version, i128::from(u8::MAX)),
            (Field::Srcport, i128::from(u16::MAX)),
            (Field::Protocol, i128::from(u8::MAX)),
            (Field::TcpFlags, i128::from(u16::MAX)),
            (Field::TrafficPath, i128::from(u8::MAX)),
            (Field::Packets, i128::from(u64::MAX)),
            (Field::Start, i128::from(i64::MAX)),
        ] {
            assert_eq!(set_value(&mut rec, &column(field), Value::Int(max)), Ok(()));
            assert_eq!(
                set_value(&mut rec, &column(field), Value::Int(max + 1)),
                Err(ParseErrorKind::BadInteger),
                "{field}"
            );
        }
        assert_eq!(rec.packets, Some(u64::MAX));
    }

    #[test]
    fn typed_strings_are_checked_like_text() {
        let column = |field| ReadColumn {
            root: 0,
            field,
            parser: Some(Format::from_columns(vec![Column::Known(field)]).unwrap()),
        };
        let mut rec = Record::default();
        for (field, value, kind) in [
            (Field::Srcaddr, "10.0.1.300", ParseErrorKind::BadAddress),
            (Field::Srcaddr, "10.0.1.3 x", ParseErrorKind::BadAddress),
            (Field::Bytes, "98k00", ParseErrorKind::BadInteger),
            (Field::Bytes, "1 2", ParseErrorKind::BadInteger),
            (Field::Action, "ALLOW", ParseErrorKind::BadValue),
            (Field::FlowDirection, "sideways", ParseErrorKind::BadValue),
        ] {
            assert_eq!(
                set_value(&mut rec, &column(field), Value::Str(value)),
                Err(kind),
                "{field} {value}"
            );
        }
        let text = ReadColumn {
            root: 0,
            field: Field::InterfaceId,
            parser: None,
        };
        assert_eq!(
            set_value(&mut rec, &text, Value::Bytes(b"eni-\xff")),
            Err(ParseErrorKind::NotUtf8)
        );
        set_value(&mut rec, &column(Field::Dstaddr), Value::Str("2001:db8::1")).unwrap();
        assert_eq!(rec.dstaddr, Some("2001:db8::1".parse().unwrap()));
    }
}
