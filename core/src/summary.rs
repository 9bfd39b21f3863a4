//! The Parquet summary: its schema, its metadata, the writer, and the reader back.
//!
//! Columns (partition columns `account_id`, `region` and `day` live in the path, not
//! in the file; see [`crate::layout::partition_path`]):
//!
//! | column | type |
//! | --- | --- |
//! | `window_start` | TIMESTAMP(MICROS, UTC), start of the hour |
//! | `vpc_id`, `subnet_id`, `interface_id` | STRING, null where the log has `-` |
//! | `interface_kind` | STRING, the ENI's type from the inventory; null without one |
//! | `direction`, `path`, `attribution` | STRING, always set |
//! | `gateway_id` | STRING, the NAT gateway, endpoint or gateway of the path (inventory) |
//! | `remote_service`, `remote_region`, `action` | STRING, null where there is none |
//! | `protocol` | INT32 |
//! | `flows` | INT64, not null |
//! | `packets`, `bytes` | INT64, null where the input's format lacks the field |
//!
//! Files are ZSTD-compressed with dictionary encoding, one row group per file (a
//! summary of one input object and partition is small). The key/value metadata holds
//! the flowpath version, the ranges' syncToken and createDate, the input names and
//! the input's counts (`flowpath.*` keys, [`FileMeta`]). Writing is deterministic:
//! the same rows and metadata give the same bytes. The footer keys are constants
//! ([`COUNTS_KEYS`], ...) that the writer ([`FileMeta::key_values`]) and the reader
//! ([`read_summary`], [`read_file_meta`]) share, so `compact`, `report` and the tests
//! read back exactly what was written.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::ChunkReader;

use crate::aggregate::{Row, RowRef};
use crate::error::Error;
use crate::layout;

/// The Arrow schema of a summary file.
pub fn schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let count = |name: &str, nullable| Field::new(name, DataType::Int64, nullable);
    Arc::new(Schema::new(vec![
        Field::new(
            "window_start",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        text("vpc_id"),
        text("subnet_id"),
        text("interface_id"),
        text("interface_kind"),
        text("direction"),
        text("path"),
        text("attribution"),
        text("gateway_id"),
        text("remote_service"),
        text("remote_region"),
        text("action"),
        Field::new("protocol", DataType::Int32, true),
        count("flows", false),
        count("packets", true),
        count("bytes", true),
    ]))
}

/// Counts of an input, as written into every summary file made from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Record lines read (header and blank lines excluded).
    pub read: u64,
    /// Records with traffic (log-status OK, or no log-status field).
    pub ok: u64,
    /// NODATA records.
    pub nodata: u64,
    /// SKIPDATA records.
    pub skipdata: u64,
    /// Lines that could not be parsed.
    pub malformed: u64,
}

/// What a summary file records about how it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    /// The ranges' syncToken.
    pub ranges_sync_token: String,
    /// The ranges' createDate.
    pub ranges_create_date: String,
    /// The inputs the rows come from.
    pub inputs: Vec<String>,
    /// Their counts.
    pub counts: Counts,
    /// For a file that merges others (`flowpath compact`), their names: a later
    /// `summarize` of the same inputs finds its own output's name here and does not
    /// write it beside (which would count its rows twice). Empty for a file of one
    /// input, and then not written.
    pub compacted_from: Vec<String>,
}

/// The footer key of the flowpath version that wrote a file.
pub const VERSION_KEY: &str = "flowpath.version";
/// The footer key of [`FileMeta::ranges_sync_token`].
pub const SYNC_TOKEN_KEY: &str = "flowpath.ranges.sync_token";
/// The footer key of [`FileMeta::ranges_create_date`].
pub const CREATE_DATE_KEY: &str = "flowpath.ranges.create_date";
/// The footer key of [`FileMeta::inputs`] (a JSON list).
pub const INPUTS_KEY: &str = "flowpath.inputs";
/// The footer keys of [`FileMeta::counts`], in the order they are written.
pub const COUNTS_KEYS: [&str; 5] = [
    "flowpath.counts.read",
    "flowpath.counts.ok",
    "flowpath.counts.nodata",
    "flowpath.counts.skipdata",
    "flowpath.counts.malformed",
];
/// The footer key of [`FileMeta::compacted_from`] (a JSON list; absent when empty).
pub const COMPACTED_FROM_KEY: &str = "flowpath.compacted_from";

impl Counts {
    /// The counts in the order of [`COUNTS_KEYS`].
    fn in_key_order(self) -> [u64; 5] {
        [
            self.read,
            self.ok,
            self.nodata,
            self.skipdata,
            self.malformed,
        ]
    }
}

impl FileMeta {
    /// The key/value pairs written into the Parquet footer.
    pub fn key_values(&self) -> Vec<(String, String)> {
        let inputs = serde_json::to_string(&self.inputs).unwrap_or_default();
        [
            (VERSION_KEY, crate::VERSION.to_owned()),
            (SYNC_TOKEN_KEY, self.ranges_sync_token.clone()),
            (CREATE_DATE_KEY, self.ranges_create_date.clone()),
            (INPUTS_KEY, inputs),
        ]
        .into_iter()
        .chain(
            COUNTS_KEYS
                .into_iter()
                .zip(self.counts.in_key_order())
                .map(|(k, n)| (k, n.to_string())),
        )
        .map(|(k, v)| (k.to_owned(), v))
        .chain((!self.compacted_from.is_empty()).then(|| {
            (
                COMPACTED_FROM_KEY.to_owned(),
                serde_json::to_string(&self.compacted_from).unwrap_or_default(),
            )
        }))
        .collect()
    }

    /// The metadata a footer's key/value pairs hold: the inverse of
    /// [`FileMeta::key_values`]. The inputs and every count must be there; ranges
    /// missing are empty, and so is a missing [`COMPACTED_FROM_KEY`].
    pub fn from_key_values(footer: &BTreeMap<String, String>) -> Result<FileMeta, Error> {
        let bad = |key: &str, what: &str| Error::NotASummary {
            reason: format!("footer {key} {what}"),
        };
        let list = |key: &str| -> Result<Option<Vec<String>>, Error> {
            footer
                .get(key)
                .map(|v| {
                    serde_json::from_str(v)
                        .map_err(|e| bad(key, &format!("is not a JSON list: {e}")))
                })
                .transpose()
        };
        let mut counts = [0u64; 5];
        for (n, key) in counts.iter_mut().zip(COUNTS_KEYS) {
            let value = footer.get(key).ok_or_else(|| bad(key, "is missing"))?;
            *n = value
                .parse()
                .map_err(|_| bad(key, &format!("is not a count: {value:?}")))?;
        }
        let [read, ok, nodata, skipdata, malformed] = counts;
        let text = |key: &str| footer.get(key).cloned().unwrap_or_default();
        Ok(FileMeta {
            ranges_sync_token: text(SYNC_TOKEN_KEY),
            ranges_create_date: text(CREATE_DATE_KEY),
            inputs: list(INPUTS_KEY)?.ok_or_else(|| bad(INPUTS_KEY, "is missing"))?,
            counts: Counts {
                read,
                ok,
                nodata,
                skipdata,
                malformed,
            },
            compacted_from: list(COMPACTED_FROM_KEY)?.unwrap_or_default(),
        })
    }
}

/// A summary file read back ([`read_summary`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryFile {
    /// Its rows, in file order; partition fields are empty (they live in the path).
    pub rows: Vec<Row>,
    /// Its footer's metadata.
    pub meta: FileMeta,
    /// The flowpath version that wrote it ([`VERSION_KEY`]; empty when absent).
    pub version: String,
}

/// The footer's `key → value` pairs of a Parquet file.
fn footer_of(metadata: &parquet::file::metadata::ParquetMetaData) -> BTreeMap<String, String> {
    metadata
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|e| (e.key.clone(), e.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

fn unreadable(e: parquet::errors::ParquetError) -> Error {
    Error::NotASummary {
        reason: e.to_string(),
    }
}

/// Reads only the footer metadata of a summary file (no rows are decoded).
pub fn read_file_meta<R: ChunkReader + 'static>(input: R) -> Result<FileMeta, Error> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&input)
        .map_err(unreadable)?;
    FileMeta::from_key_values(&footer_of(&metadata))
}

/// Reads a summary file back: its rows ([`rows_from_batch`]) and its footer
/// ([`FileMeta::from_key_values`], the same keys [`FileMeta::key_values`] writes).
pub fn read_summary<R: ChunkReader + 'static>(input: R) -> Result<SummaryFile, Error> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(unreadable)?;
    let footer = footer_of(builder.metadata());
    let meta = FileMeta::from_key_values(&footer)?;
    Ok(SummaryFile {
        rows: rows_of(builder)?,
        meta,
        version: footer.get(VERSION_KEY).cloned().unwrap_or_default(),
    })
}

/// Reads only the rows of a summary file, whatever its footer holds (`flowpath
/// report` sums rows and needs nothing else).
pub fn read_rows<R: ChunkReader + 'static>(input: R) -> Result<Vec<Row>, Error> {
    rows_of(ParquetRecordBatchReaderBuilder::try_new(input).map_err(unreadable)?)
}

fn rows_of<R: ChunkReader + 'static>(
    builder: ParquetRecordBatchReaderBuilder<R>,
) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    for batch in builder.build().map_err(unreadable)? {
        let batch = batch.map_err(|e| Error::NotASummary {
            reason: e.to_string(),
        })?;
        rows.extend(rows_from_batch(&batch)?);
    }
    Ok(rows)
}

/// The rows of one Hive partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// `account_id` partition value.
    pub account_id: String,
    /// `region` partition value.
    pub region: String,
    /// `day` partition value.
    pub day: String,
    /// The rows, sorted.
    pub rows: Vec<Row>,
}

impl Partition {
    /// `account_id=<a>/region=<r>/day=<d>`.
    pub fn dir(&self) -> String {
        layout::partition_path(&self.account_id, &self.region, &self.day)
    }
}

/// Splits sorted rows into partitions, in order.
pub fn partitions(rows: Vec<Row>) -> Vec<Partition> {
    let mut out: Vec<Partition> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some(p)
                if p.account_id == row.account_id && p.region == row.region && p.day == row.day =>
            {
                p.rows.push(row);
            }
            _ => out.push(Partition {
                account_id: row.account_id.clone(),
                region: row.region.clone(),
                day: row.day.clone(),
                rows: vec![row],
            }),
        }
    }
    out
}

/// The rows as one Arrow record batch of [`schema`].
pub fn to_batch(rows: &[Row]) -> Result<RecordBatch, Error> {
    let refs: Vec<RowRef<'_>> = rows.iter().map(Row::as_ref).collect();
    batch_of(&refs)
}

/// Borrowed rows as one Arrow record batch of [`schema`].
pub fn batch_of(rows: &[RowRef<'_>]) -> Result<RecordBatch, Error> {
    let text = |f: for<'r> fn(&'r RowRef<'_>) -> Option<&'r str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            rows.iter()
                .map(|r| r.window_start.map(|s| s * 1_000_000))
                .collect::<TimestampMicrosecondArray>()
                .with_timezone("UTC"),
        ),
        text(|r| r.vpc_id),
        text(|r| r.subnet_id),
        text(|r| r.interface_id),
        text(|r| r.interface_kind),
        text(|r| Some(r.direction)),
        text(|r| Some(&r.path)),
        text(|r| Some(r.attribution)),
        text(|r| r.gateway_id),
        text(|r| r.remote_service),
        text(|r| r.remote_region),
        text(|r| r.action),
        Arc::new(rows.iter().map(|r| r.protocol).collect::<Int32Array>()),
        Arc::new(rows.iter().map(|r| Some(r.flows)).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| r.packets).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| r.bytes).collect::<Int64Array>()),
    ];
    Ok(RecordBatch::try_new(schema(), columns)?)
}

/// The partitions of sorted borrowed rows: `(account_id=…/region=…/day=… directory,
/// range of rows)`, in order.
pub fn partition_ranges(rows: &[RowRef<'_>]) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || !rows[i].same_partition(&rows[start]) {
            let first = &rows[start];
            out.push((
                layout::partition_path(first.account_id, first.region, &first.day()),
                start..i,
            ));
            start = i;
        }
    }
    out
}

/// The rows of a record batch read back from a summary file: the inverse of
/// [`to_batch`]. Partition fields (`account_id`, `region`, `day`) are left empty:
/// they live in the file's path.
pub fn rows_from_batch(batch: &RecordBatch) -> Result<Vec<Row>, Error> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
    let bad = |name: &str, what: &str| Error::NotASummary {
        reason: format!("column {name} {what}"),
    };
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| bad(name, "is missing"))
    };
    let text = |name: &str| {
        column(name)?
            .as_string_opt::<i32>()
            .ok_or_else(|| bad(name, "is not a string"))
    };
    let int64 = |name: &str| {
        column(name)?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad(name, "is not INT64"))
    };
    let window = column("window_start")?
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(|| bad("window_start", "is not a timestamp (µs)"))?;
    let protocol = column("protocol")?
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| bad("protocol", "is not INT32"))?;
    let (vpc, subnet, interface, kind) = (
        text("vpc_id")?,
        text("subnet_id")?,
        text("interface_id")?,
        text("interface_kind")?,
    );
    let (direction, path, attribution, gateway) = (
        text("direction")?,
        text("path")?,
        text("attribution")?,
        text("gateway_id")?,
    );
    let (service, region, action) = (
        text("remote_service")?,
        text("remote_region")?,
        text("action")?,
    );
    let (flows, packets, bytes) = (int64("flows")?, int64("packets")?, int64("bytes")?);
    let opt = |a: &StringArray, i: usize| a.is_valid(i).then(|| a.value(i).to_owned());
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if flows.is_null(i) {
            return Err(Error::NotASummary {
                reason: format!("row {i}: null flows"),
            });
        }
        rows.push(Row {
            account_id: String::new(),
            region: String::new(),
            day: String::new(),
            window_start: window
                .is_valid(i)
                .then(|| window.value(i).div_euclid(1_000_000)),
            vpc_id: opt(vpc, i),
            subnet_id: opt(subnet, i),
            interface_id: opt(interface, i),
            interface_kind: opt(kind, i),
            direction: opt(direction, i).unwrap_or_default(),
            path: opt(path, i).unwrap_or_default(),
            attribution: opt(attribution, i).unwrap_or_default(),
            gateway_id: opt(gateway, i),
            remote_service: opt(service, i),
            remote_region: opt(region, i),
            action: opt(action, i),
            protocol: protocol.is_valid(i).then(|| protocol.value(i)),
            flows: flows.value(i),
            packets: packets.is_valid(i).then(|| packets.value(i)),
            bytes: bytes.is_valid(i).then(|| bytes.value(i)),
        });
    }
    Ok(rows)
}

/// Writes rows as a Parquet summary file to `out`.
pub fn write_parquet<W: Write + Send>(out: W, rows: &[Row], meta: &FileMeta) -> Result<(), Error> {
    let refs: Vec<RowRef<'_>> = rows.iter().map(Row::as_ref).collect();
    write_parquet_refs(out, &refs, meta)
}

/// Writes borrowed rows as a Parquet summary file to `out`.
pub fn write_parquet_refs<W: Write + Send>(
    out: W,
    rows: &[RowRef<'_>],
    meta: &FileMeta,
) -> Result<(), Error> {
    let kv = meta
        .key_values()
        .into_iter()
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_dictionary_enabled(true)
        .set_key_value_metadata(Some(kv))
        .build();
    let batch = batch_of(rows)?;
    let mut writer = ArrowWriter::try_new(out, schema(), Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Error::Parquet(parquet::errors::ParquetError::ArrowError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampMicrosecondType};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn row(day: &str, bytes: i64) -> Row {
        Row {
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            day: day.into(),
            window_start: Some(1_787_410_800),
            vpc_id: None,
            subnet_id: Some("subnet-1".into()),
            interface_id: Some("eni-1".into()),
            interface_kind: None,
            direction: "egress".into(),
            path: "public".into(),
            attribution: "address_only".into(),
            gateway_id: None,
            remote_service: Some("S3".into()),
            remote_region: Some("eu-west-1".into()),
            action: Some("ACCEPT".into()),
            protocol: Some(6),
            flows: 1,
            packets: Some(2),
            bytes: Some(bytes),
        }
    }

    fn meta() -> FileMeta {
        FileMeta {
            ranges_sync_token: "1787411825".into(),
            ranges_create_date: "2026-08-22-15-17-05".into(),
            inputs: vec!["a.log".into()],
            counts: Counts {
                read: 5,
                ok: 2,
                nodata: 1,
                skipdata: 1,
                malformed: 1,
            },
            compacted_from: Vec::new(),
        }
    }

    #[test]
    fn round_trip_with_metadata() {
        let rows = vec![row("2026-08-22", 10), row("2026-08-22", 20)];
        let meta = meta();
        let mut buf = Vec::new();
        write_parquet(&mut buf, &rows, &meta).unwrap();
        let mut again = Vec::new();
        write_parquet(&mut again, &rows, &meta).unwrap();
        assert_eq!(buf, again, "writing is deterministic");

        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(buf)).unwrap();
        let kv = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .clone();
        let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
        assert_eq!(
            get("flowpath.ranges.sync_token").as_deref(),
            Some("1787411825")
        );
        assert_eq!(get("flowpath.inputs").as_deref(), Some(r#"["a.log"]"#));
        assert_eq!(get("flowpath.counts.malformed").as_deref(), Some("1"));
        assert_eq!(builder.schema().fields().len(), 16);
        let batch = builder.build().unwrap().next().unwrap().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let ts = batch.column(0).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.value(0), 1_787_410_800_000_000);
        assert!(batch.column(1).is_null(0));
        let col = |n: &str| batch.column_by_name(n).unwrap().clone();
        assert_eq!(col("remote_service").as_string::<i32>().value(0), "S3");
        assert_eq!(
            col("attribution").as_string::<i32>().value(0),
            "address_only"
        );
        assert!(col("interface_kind").is_null(0));
        assert_eq!(col("bytes").as_primitive::<Int64Type>().values(), &[10, 20]);
        // Read back into the same rows (partition fields live in the path).
        let back = rows_from_batch(&batch).unwrap();
        let mut expected = rows.clone();
        for r in &mut expected {
            (r.account_id, r.region, r.day) = Default::default();
        }
        assert_eq!(back, expected);
    }

    #[test]
    fn the_reader_gives_back_what_the_writer_wrote() {
        let rows = vec![row("2026-08-22", 10), row("2026-08-22", 20)];
        let meta = FileMeta {
            inputs: vec!["a.log".into(), "b.log".into()],
            compacted_from: vec!["x.parquet".into()],
            ..meta()
        };
        let mut buf = Vec::new();
        write_parquet(&mut buf, &rows, &meta).unwrap();
        let file = read_summary(bytes::Bytes::from(buf.clone())).unwrap();
        let mut expected = rows.clone();
        for r in &mut expected {
            (r.account_id, r.region, r.day) = Default::default();
        }
        assert_eq!(file.rows, expected);
        assert_eq!(file.meta, meta);
        assert_eq!(file.version, crate::VERSION);
        assert_eq!(
            read_rows(bytes::Bytes::from(buf.clone())).unwrap(),
            expected
        );
        assert_eq!(read_file_meta(bytes::Bytes::from(buf)).unwrap(), meta);

        let mut footer: BTreeMap<String, String> = meta.key_values().into_iter().collect();
        footer.insert(COUNTS_KEYS[2].to_owned(), "x".to_owned());
        assert_eq!(
            FileMeta::from_key_values(&footer).unwrap_err().to_string(),
            "not a flowpath summary: footer flowpath.counts.nodata is not a count: \"x\""
        );
        footer.remove(INPUTS_KEY);
        footer.insert(COUNTS_KEYS[2].to_owned(), "1".to_owned());
        assert_eq!(
            FileMeta::from_key_values(&footer).unwrap_err().to_string(),
            "not a flowpath summary: footer flowpath.inputs is missing"
        );
        assert!(read_summary(bytes::Bytes::from_static(b"not parquet")).is_err());
    }

    #[test]
    fn a_batch_without_summary_columns_is_refused() {
        let batch =
            RecordBatch::try_from_iter([("x", Arc::new(Int32Array::from(vec![1])) as ArrayRef)])
                .unwrap();
        let err = rows_from_batch(&batch).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a flowpath summary: column window_start is missing"
        );
    }

    #[test]
    fn partitions_split_on_partition_columns() {
        let mut other = row("2026-08-23", 5);
        other.region = "us-east-1".into();
        let parts = partitions(vec![
            row("2026-08-22", 1),
            row("2026-08-22", 2),
            row("2026-08-23", 3),
            other,
        ]);
        let dirs: Vec<String> = parts.iter().map(Partition::dir).collect();
        assert_eq!(
            dirs,
            [
                "account_id=123456789012/region=eu-west-1/day=2026-08-22",
                "account_id=123456789012/region=eu-west-1/day=2026-08-23",
                "account_id=123456789012/region=us-east-1/day=2026-08-23",
            ]
        );
        assert_eq!(parts[0].rows.len(), 2);
    }
}
