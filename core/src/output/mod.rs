//! The output side: summary files, the Parquet every input is summarized into: its
//! rows, columns, partitions, footer metadata, the writer, and the reader back.
//!
//! Columns (partition columns `account_id`, `region` and `day` live in the path, not
//! in the file; see [`layout::partition_path`]):
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

mod columns;
pub mod layout;
mod meta;
pub(crate) mod partition;
mod read;
mod rows;
mod write;

pub(crate) use columns::Columns;
pub use columns::{
    ADDED_COLUMNS, TAG_PREFIX, batch_of, rows_from_batch, schema, schema_with_tags, tag_columns_of,
    to_batch,
};
pub use meta::{
    COMPACTED_FROM_KEY, COUNTS_KEYS, CREATE_DATE_KEY, Counts, FileMeta, INPUTS_KEY, SYNC_TOKEN_KEY,
    TAG_KEYS_KEY, VERSION_KEY,
};
pub use partition::{Partition, partition_ranges, partitions};
pub(crate) use read::rows_of_batches;
pub use read::{SummaryFile, read_file_meta, read_rows, read_summary};
pub use rows::{Row, RowRef};
pub(crate) use write::write_batch;
pub use write::{write_parquet, write_parquet_refs};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampMicrosecondType};
    use arrow_array::{ArrayRef, Int32Array, RecordBatch};
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
            ecs_service_name: Some("web".into()),
            flows: 1,
            packets: Some(2),
            bytes: Some(bytes),
            ..Row::default()
        }
    }

    #[test]
    fn files_written_before_the_added_columns_read_as_null_there() {
        let rows = vec![row("2026-08-22", 10), row("2026-08-22", 20)];
        let batch = to_batch(&rows).unwrap();
        // The first release's file: every column but the added ones.
        let old = batch.project(&(0..16).collect::<Vec<_>>()).unwrap();
        assert!(
            old.schema()
                .fields()
                .iter()
                .all(|f| !ADDED_COLUMNS.contains(&f.name().as_str()))
        );
        let mut buf = Vec::new();
        let mut w = parquet::arrow::ArrowWriter::try_new(&mut buf, old.schema(), None).unwrap();
        w.write(&old).unwrap();
        w.close().unwrap();
        let back = read_rows(bytes::Bytes::from(buf)).unwrap();
        let want: Vec<Row> = rows
            .iter()
            .map(|r| Row {
                account_id: String::new(),
                region: String::new(),
                day: String::new(),
                ecs_service_name: None,
                ..r.clone()
            })
            .collect();
        assert_eq!(back, want);
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
            tag_keys: Vec::new(),
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
        assert_eq!(builder.schema().fields().len(), 23);
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
            tag_keys: Vec::new(),
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
