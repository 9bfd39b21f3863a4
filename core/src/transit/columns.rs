//! The transit gateway summary file: its Arrow schema, rows to and from record
//! batches, writing and reading.
//!
//! Invariant: [`rows_from_batch`] is the inverse of [`batch_of`] for every column the
//! file holds (the partition fields live in the path); columns are found by name.
//! Files are written as the VPC summaries are (ZSTD level 3, one row group, the same
//! footer), so the same rows give the same bytes.

use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::file::reader::ChunkReader;

use super::TransitRow;
use crate::error::Error;
use crate::output::FileMeta;

/// A text column: its name and the row field it holds.
type TextColumn = (&'static str, fn(&TransitRow) -> Option<&str>);
/// A count column: its name and the row field it holds.
type CountColumn = (&'static str, fn(&TransitRow) -> Option<i64>);

/// The text columns, in file order.
const TEXT: [TextColumn; 11] = [
    ("tgw_id", |r| r.tgw_id.as_deref()),
    ("tgw_attachment_id", |r| r.tgw_attachment_id.as_deref()),
    ("tgw_pair_attachment_id", |r| {
        r.tgw_pair_attachment_id.as_deref()
    }),
    ("src_vpc_account_id", |r| r.src_vpc_account_id.as_deref()),
    ("src_vpc_id", |r| r.src_vpc_id.as_deref()),
    ("dst_vpc_account_id", |r| r.dst_vpc_account_id.as_deref()),
    ("dst_vpc_id", |r| r.dst_vpc_id.as_deref()),
    ("flow_direction", |r| r.flow_direction.as_deref()),
    ("direction", |r| Some(&r.direction)),
    ("remote_service", |r| r.remote_service.as_deref()),
    ("remote_region", |r| r.remote_region.as_deref()),
];

/// The count columns after `flows`, in file order.
const COUNTS: [CountColumn; 6] = [
    ("packets", |r| r.packets),
    ("bytes", |r| r.bytes),
    ("packets_lost_no_route", |r| r.packets_lost_no_route),
    ("packets_lost_blackhole", |r| r.packets_lost_blackhole),
    ("packets_lost_mtu_exceeded", |r| r.packets_lost_mtu_exceeded),
    ("packets_lost_ttl_expired", |r| r.packets_lost_ttl_expired),
];

/// The Arrow schema of a transit gateway summary file.
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
    fields.push(Field::new("protocol", DataType::Int32, true));
    fields.push(Field::new("flows", DataType::Int64, false));
    fields.extend(
        COUNTS
            .iter()
            .map(|(n, _)| Field::new(*n, DataType::Int64, true)),
    );
    Arc::new(Schema::new(fields))
}

/// Rows as one record batch of [`schema`].
pub fn batch_of(rows: &[TransitRow]) -> Result<RecordBatch, Error> {
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
        rows.iter().map(|r| r.protocol).collect::<Int32Array>(),
    ));
    columns.push(Arc::new(
        rows.iter().map(|r| Some(r.flows)).collect::<Int64Array>(),
    ));
    for (_, get) in COUNTS {
        columns.push(Arc::new(rows.iter().map(get).collect::<Int64Array>()));
    }
    Ok(RecordBatch::try_new(schema(), columns)?)
}

/// Writes rows as a transit gateway summary file to `out`.
pub fn write_parquet<W: Write + Send>(
    out: W,
    rows: &[TransitRow],
    meta: &FileMeta,
) -> Result<(), Error> {
    crate::output::write_batch(out, &batch_of(rows)?, meta)
}

/// The rows of a batch read back: the inverse of [`batch_of`]; partition fields are
/// left empty.
pub fn rows_from_batch(batch: &RecordBatch) -> Result<Vec<TransitRow>, Error> {
    let columns = crate::output::Columns::of(batch, "transit gateway summary: ");
    let bad = |name: &str, what: &str| columns.bad(name, what);
    let int64 = |name: &str| columns.int64(name);
    let window = columns.window()?;
    let protocol = columns.int32("protocol")?;
    let texts = TEXT
        .iter()
        .map(|(n, _)| columns.text(n))
        .collect::<Result<Vec<_>, _>>()?;
    let flows = int64("flows")?;
    let counts = COUNTS
        .iter()
        .map(|(n, _)| int64(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if flows.is_null(i) {
            return Err(bad("flows", &format!("is null in row {i}")));
        }
        let t = |c: usize| texts[c].is_valid(i).then(|| texts[c].value(i).to_owned());
        let n = |c: usize| counts[c].is_valid(i).then(|| counts[c].value(i));
        rows.push(TransitRow {
            window_start: window
                .is_valid(i)
                .then(|| window.value(i).div_euclid(1_000_000)),
            tgw_id: t(0),
            tgw_attachment_id: t(1),
            tgw_pair_attachment_id: t(2),
            src_vpc_account_id: t(3),
            src_vpc_id: t(4),
            dst_vpc_account_id: t(5),
            dst_vpc_id: t(6),
            flow_direction: t(7),
            direction: t(8).unwrap_or_default(),
            remote_service: t(9),
            remote_region: t(10),
            protocol: protocol.is_valid(i).then(|| protocol.value(i)),
            flows: flows.value(i),
            packets: n(0),
            bytes: n(1),
            packets_lost_no_route: n(2),
            packets_lost_blackhole: n(3),
            packets_lost_mtu_exceeded: n(4),
            packets_lost_ttl_expired: n(5),
            ..TransitRow::default()
        });
    }
    Ok(rows)
}

/// Reads the rows of a transit gateway summary file.
pub fn read_rows<R: ChunkReader + 'static>(input: R) -> Result<Vec<TransitRow>, Error> {
    crate::output::rows_of_batches(input, rows_from_batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_parquet() {
        let rows = vec![
            TransitRow {
                window_start: Some(1_787_400_000),
                tgw_id: Some("tgw-0aa".into()),
                tgw_attachment_id: Some("tgw-attach-0bb".into()),
                src_vpc_id: Some("vpc-01".into()),
                flow_direction: Some("ingress".into()),
                direction: "egress".into(),
                remote_service: Some("S3".into()),
                remote_region: Some("eu-west-1".into()),
                protocol: Some(6),
                flows: 3,
                packets: Some(12),
                bytes: Some(9000),
                packets_lost_no_route: Some(1),
                ..TransitRow::default()
            },
            TransitRow {
                flows: 1,
                direction: "unknown".into(),
                ..TransitRow::default()
            },
        ];
        let mut bytes = Vec::new();
        let meta = FileMeta {
            ranges_sync_token: "1".into(),
            ranges_create_date: "2026-01-01-00-00-00".into(),
            inputs: vec!["tgw.log".into()],
            counts: crate::output::Counts::default(),
            compacted_from: Vec::new(),
            tag_keys: Vec::new(),
        };
        write_parquet(&mut bytes, &rows, &meta).unwrap();
        let back = read_rows(bytes::Bytes::from(bytes)).unwrap();
        assert_eq!(back, rows);
    }
}
