//! The Parquet summary: its schema, its metadata, and the writer.
//!
//! Columns (partition columns `account_id`, `region` and `day` live in the path, not
//! in the file; see [`crate::layout::partition_path`]):
//!
//! | column | type |
//! | --- | --- |
//! | `window_start` | TIMESTAMP(MICROS, UTC), start of the hour |
//! | `vpc_id`, `subnet_id`, `interface_id`, `direction`, `path`, `remote_service`, `remote_region`, `action` | STRING, null where the log has `-` |
//! | `protocol` | INT32 |
//! | `flows`, `packets`, `bytes` | INT64, not null |
//!
//! Files are ZSTD-compressed with dictionary encoding, one row group per file (a
//! summary of one input object and partition is small). The key/value metadata holds
//! the flowpath version, the ranges' syncToken and createDate, the input names and
//! the input's counts (`flowpath.*` keys, [`FileMeta`]). Writing is deterministic:
//! the same rows and metadata give the same bytes.

use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::aggregate::Row;
use crate::error::Error;
use crate::layout;

/// The Arrow schema of a summary file.
pub fn schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let count = |name: &str| Field::new(name, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        Field::new(
            "window_start",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        text("vpc_id"),
        text("subnet_id"),
        text("interface_id"),
        text("direction"),
        text("path"),
        text("remote_service"),
        text("remote_region"),
        text("action"),
        Field::new("protocol", DataType::Int32, true),
        count("flows"),
        count("packets"),
        count("bytes"),
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
}

impl FileMeta {
    /// The key/value pairs written into the Parquet footer.
    pub fn key_values(&self) -> Vec<(String, String)> {
        let c = self.counts;
        let inputs = serde_json::to_string(&self.inputs).unwrap_or_default();
        [
            ("flowpath.version", crate::VERSION.to_owned()),
            ("flowpath.ranges.sync_token", self.ranges_sync_token.clone()),
            (
                "flowpath.ranges.create_date",
                self.ranges_create_date.clone(),
            ),
            ("flowpath.inputs", inputs),
            ("flowpath.counts.read", c.read.to_string()),
            ("flowpath.counts.ok", c.ok.to_string()),
            ("flowpath.counts.nodata", c.nodata.to_string()),
            ("flowpath.counts.skipdata", c.skipdata.to_string()),
            ("flowpath.counts.malformed", c.malformed.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
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
    let text = |f: fn(&Row) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            rows.iter()
                .map(|r| r.window_start.map(|s| s * 1_000_000))
                .collect::<TimestampMicrosecondArray>()
                .with_timezone("UTC"),
        ),
        text(|r| r.vpc_id.as_deref()),
        text(|r| r.subnet_id.as_deref()),
        text(|r| r.interface_id.as_deref()),
        text(|r| Some(&r.direction)),
        text(|r| Some(&r.path)),
        text(|r| r.remote_service.as_deref()),
        text(|r| r.remote_region.as_deref()),
        text(|r| r.action.as_deref()),
        Arc::new(rows.iter().map(|r| r.protocol).collect::<Int32Array>()),
        Arc::new(rows.iter().map(|r| Some(r.flows)).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| Some(r.packets)).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| Some(r.bytes)).collect::<Int64Array>()),
    ];
    Ok(RecordBatch::try_new(schema(), columns)?)
}

/// Writes rows as a Parquet summary file to `out`.
pub fn write_parquet<W: Write + Send>(out: W, rows: &[Row], meta: &FileMeta) -> Result<(), Error> {
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
    let batch = to_batch(rows)?;
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
            direction: "egress".into(),
            path: "public".into(),
            remote_service: Some("S3".into()),
            remote_region: Some("eu-west-1".into()),
            action: Some("ACCEPT".into()),
            protocol: Some(6),
            flows: 1,
            packets: 2,
            bytes,
        }
    }

    #[test]
    fn round_trip_with_metadata() {
        let rows = vec![row("2026-08-22", 10), row("2026-08-22", 20)];
        let meta = FileMeta {
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
        };
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
        assert_eq!(builder.schema().fields().len(), 13);
        let batch = builder.build().unwrap().next().unwrap().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let ts = batch.column(0).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.value(0), 1_787_410_800_000_000);
        assert!(batch.column(1).is_null(0));
        assert_eq!(batch.column(6).as_string::<i32>().value(0), "S3");
        assert_eq!(
            batch.column(12).as_primitive::<Int64Type>().values(),
            &[10, 20]
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
