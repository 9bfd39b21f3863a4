//! The top-talkers file: its Arrow schema, rows to and from record batches, writing
//! and reading.
//!
//! Invariant: [`rows_from_batch`] is the inverse of [`batch_of`] for every column the
//! file holds (the partition fields live in the path); columns are found by name.
//! Files are written as the VPC summaries are (ZSTD level 3, one row group, the same
//! footer).

use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::file::reader::ChunkReader;

use super::TalkerRow;
use crate::error::Error;
use crate::output::FileMeta;

/// A text column: its name and the row field it holds.
type TextColumn = (&'static str, fn(&TalkerRow) -> Option<&str>);
/// A count column: its name and the row field it holds.
type CountColumn = (&'static str, fn(&TalkerRow) -> i64);

/// The text columns before `rank`, in file order.
const TEXT: [TextColumn; 7] = [
    ("vpc_id", |r| r.vpc_id.as_deref()),
    ("interface_kind", |r| r.interface_kind.as_deref()),
    ("path", |r| Some(&r.path)),
    ("gateway_id", |r| r.gateway_id.as_deref()),
    ("remote_service", |r| r.remote_service.as_deref()),
    ("remote_region", |r| r.remote_region.as_deref()),
    ("talker", |r| Some(&r.talker)),
];

/// The counts after `remote_port`, in file order (`exact` follows `bytes_error`).
const COUNTS: [CountColumn; 4] = [
    ("bytes", |r| r.bytes),
    ("bytes_error", |r| r.bytes_error),
    ("unlisted_bytes_at_most", |r| r.unlisted_bytes_at_most),
    ("group_bytes", |r| r.group_bytes),
];

/// The Arrow schema of a top-talkers file.
pub fn schema() -> SchemaRef {
    let mut fields = vec![Field::new(
        "window_start",
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        true,
    )];
    fields.extend(
        TEXT.iter()
            .map(|(n, _)| Field::new(*n, DataType::Utf8, true)),
    );
    fields.push(Field::new("rank", DataType::Int32, false));
    fields.push(Field::new("remote_address", DataType::Utf8, true));
    fields.push(Field::new("remote_port", DataType::Int32, true));
    fields.extend(
        COUNTS
            .iter()
            .map(|(n, _)| Field::new(*n, DataType::Int64, false)),
    );
    fields.push(Field::new("exact", DataType::Boolean, false));
    Arc::new(Schema::new(fields))
}

/// Rows as one record batch of [`schema`].
pub fn batch_of(rows: &[TalkerRow]) -> Result<RecordBatch, Error> {
    let mut columns: Vec<ArrayRef> = vec![Arc::new(
        rows.iter()
            .map(|r| r.window_start.map(|s| s * 1_000_000))
            .collect::<TimestampMicrosecondArray>()
            .with_timezone("UTC"),
    )];
    for (_, get) in TEXT {
        columns.push(Arc::new(rows.iter().map(get).collect::<StringArray>()));
    }
    columns.push(Arc::new(
        rows.iter().map(|r| Some(r.rank)).collect::<Int32Array>(),
    ));
    columns.push(Arc::new(
        rows.iter()
            .map(|r| r.remote_address.as_deref())
            .collect::<StringArray>(),
    ));
    columns.push(Arc::new(
        rows.iter().map(|r| r.remote_port).collect::<Int32Array>(),
    ));
    for (_, get) in COUNTS {
        columns.push(Arc::new(
            rows.iter().map(|r| Some(get(r))).collect::<Int64Array>(),
        ));
    }
    columns.push(Arc::new(
        rows.iter().map(|r| Some(r.exact)).collect::<BooleanArray>(),
    ));
    Ok(RecordBatch::try_new(schema(), columns)?)
}

/// Writes rows as a top-talkers file to `out`.
pub fn write_parquet<W: Write + Send>(
    out: W,
    rows: &[TalkerRow],
    meta: &FileMeta,
) -> Result<(), Error> {
    crate::output::write_batch(out, &batch_of(rows)?, meta)
}

/// The rows of a batch read back: the inverse of [`batch_of`]; partition fields are
/// left empty.
pub fn rows_from_batch(batch: &RecordBatch) -> Result<Vec<TalkerRow>, Error> {
    let columns = crate::output::Columns::of(batch, "top talkers: ");
    let window = columns.window()?;
    let texts = TEXT
        .iter()
        .map(|(n, _)| columns.text(n))
        .collect::<Result<Vec<_>, _>>()?;
    let counts = COUNTS
        .iter()
        .map(|(n, _)| columns.int64(n))
        .collect::<Result<Vec<_>, _>>()?;
    let (rank, address, port) = (
        columns.int32("rank")?,
        columns.text("remote_address")?,
        columns.int32("remote_port")?,
    );
    let exact = columns.boolean("exact")?;
    let opt = |a: &StringArray, i: usize| a.is_valid(i).then(|| a.value(i).to_owned());
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let t = |c: usize| opt(texts[c], i);
        rows.push(TalkerRow {
            window_start: window
                .is_valid(i)
                .then(|| window.value(i).div_euclid(1_000_000)),
            vpc_id: t(0),
            interface_kind: t(1),
            path: t(2).unwrap_or_default(),
            gateway_id: t(3),
            remote_service: t(4),
            remote_region: t(5),
            talker: t(6).unwrap_or_default(),
            rank: rank.value(i),
            remote_address: opt(address, i),
            remote_port: port.is_valid(i).then(|| port.value(i)),
            bytes: counts[0].value(i),
            bytes_error: counts[1].value(i),
            unlisted_bytes_at_most: counts[2].value(i),
            group_bytes: counts[3].value(i),
            exact: exact.value(i),
            ..TalkerRow::default()
        });
    }
    Ok(rows)
}

/// Reads the rows of a top-talkers file.
pub fn read_rows<R: ChunkReader + 'static>(input: R) -> Result<Vec<TalkerRow>, Error> {
    crate::output::rows_of_batches(input, rows_from_batch)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_parquet() {
        let rows = vec![
            TalkerRow {
                window_start: Some(1_787_400_000),
                vpc_id: Some("vpc-01".into()),
                interface_kind: Some("nat_gateway".into()),
                path: "nat_gateway".into(),
                gateway_id: Some("nat-0aa".into()),
                remote_service: Some("S3".into()),
                remote_region: Some("eu-west-1".into()),
                talker: super::super::ADDRESS.into(),
                rank: 1,
                remote_address: Some("3.5.98.40".into()),
                bytes: 9000,
                bytes_error: 10,
                unlisted_bytes_at_most: 10,
                group_bytes: 9500,
                ..TalkerRow::default()
            },
            TalkerRow {
                path: "public".into(),
                talker: super::super::PORT.into(),
                rank: 1,
                remote_port: Some(443),
                bytes: 7,
                exact: true,
                group_bytes: 7,
                ..TalkerRow::default()
            },
        ];
        let meta = FileMeta {
            ranges_sync_token: "1".into(),
            ranges_create_date: "d".into(),
            inputs: vec!["x".into()],
            counts: crate::output::Counts::default(),
            compacted_from: Vec::new(),
            tag_keys: Vec::new(),
        };
        let mut bytes = Vec::new();
        write_parquet(&mut bytes, &rows, &meta).unwrap();
        assert_eq!(read_rows(bytes::Bytes::from(bytes)).unwrap(), rows);
    }
}
