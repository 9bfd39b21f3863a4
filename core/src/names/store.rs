//! The compact form of Resolver query logs that the Lambda keeps in S3: a Parquet file
//! of one row per answered address (`vpc_id`, `client`, `address`, `query_time`,
//! `name`), written when a query-log object arrives ([`write_queries`]) and read into a
//! [`NameIndexBuilder`] when a flow log is summarized ([`read_into`]).
//!
//! Invariants: [`read_into`] adds exactly the queries [`write_queries`] was given (one
//! row per address, so a query with two answers reads back as two queries of one
//! address: the index holds the same entries); writing is deterministic (ZSTD,
//! dictionary encoding, one row group); a row that does not hold a query is an error
//! naming its row and column, never skipped.

use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::ChunkReader;

use super::{NameIndexBuilder, Query};
use crate::error::Error;

/// The Arrow schema of a names file.
pub fn schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        text("vpc_id"),
        text("client"),
        text("address"),
        Field::new(
            "query_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        text("name"),
    ]))
}

/// Writes `queries` as a names file to `out`: one row per answered address, in the
/// order given.
pub fn write_queries<W: Write + Send>(out: W, queries: &[Query]) -> Result<(), Error> {
    let rows = || {
        queries
            .iter()
            .flat_map(|q| q.addresses.iter().map(move |a| (q, a)))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            rows()
                .map(|(q, _)| Some(q.vpc_id.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows()
                .map(|(q, _)| Some(q.client.to_string()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows()
                .map(|(_, a)| Some(a.to_string()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows()
                .map(|(q, _)| Some(q.time.saturating_mul(1_000_000)))
                .collect::<TimestampMicrosecondArray>()
                .with_timezone("UTC"),
        ),
        Arc::new(
            rows()
                .map(|(q, _)| Some(q.name.as_str()))
                .collect::<StringArray>(),
        ),
    ];
    let batch = RecordBatch::try_new(schema(), columns)?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_dictionary_enabled(true)
        .build();
    let mut writer = ArrowWriter::try_new(out, schema(), Some(properties))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// Reads a names file into `builder`; returns the rows read. `input` names the file in
/// errors.
pub fn read_into<R: ChunkReader + 'static>(
    input: &str,
    file: R,
    builder: &mut NameIndexBuilder,
) -> Result<u64, Error> {
    let bad = |reason: String| Error::NotANamesFile {
        input: input.to_owned(),
        reason,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch?;
        let text = |name: &str| -> Result<&StringArray, Error> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .ok_or_else(|| bad(format!("no text column {name}")))
        };
        let (vpc, client, address, name) = (
            text("vpc_id")?,
            text("client")?,
            text("address")?,
            text("name")?,
        );
        let time = batch
            .column_by_name("query_time")
            .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
            .ok_or_else(|| bad("no timestamp column query_time".into()))?;
        for i in 0..batch.num_rows() {
            let row = rows + 1;
            let value = |column: &StringArray, name: &str| -> Result<String, Error> {
                if column.is_null(i) {
                    return Err(bad(format!("row {row}: {name} is null")));
                }
                Ok(column.value(i).to_owned())
            };
            let ip = |column: &StringArray, name: &str| -> Result<IpAddr, Error> {
                let text = value(column, name)?;
                text.parse()
                    .map_err(|_| bad(format!("row {row}: {name} {text:?} is not an IP address")))
            };
            if time.is_null(i) {
                return Err(bad(format!("row {row}: query_time is null")));
            }
            builder.add(&Query {
                account_id: None,
                vpc_id: value(vpc, "vpc_id")?,
                client: ip(client, "client")?,
                time: time.value(i).div_euclid(1_000_000),
                name: value(name, "name")?,
                addresses: vec![ip(address, "address")?],
            });
            rows += 1;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::NameSource;

    #[test]
    fn a_names_file_reads_back_into_the_same_answers() {
        let queries = [
            Query {
                account_id: None,
                vpc_id: "vpc-1".into(),
                client: "10.0.0.1".parse().unwrap(),
                time: 1_787_392_801,
                name: "my-bucket.s3.eu-west-1.amazonaws.com".into(),
                addresses: vec![
                    "52.218.10.5".parse().unwrap(),
                    "52.218.10.6".parse().unwrap(),
                ],
            },
            Query {
                account_id: None,
                vpc_id: "vpc-1".into(),
                client: "2001:db8::1".parse().unwrap(),
                time: 1_787_392_900,
                name: "v6.example".into(),
                addresses: vec!["2001:db8::99".parse().unwrap()],
            },
        ];
        let mut a = Vec::new();
        write_queries(&mut a, &queries).unwrap();
        let mut b = Vec::new();
        write_queries(&mut b, &queries).unwrap();
        assert_eq!(a, b, "deterministic");

        let mut builder = NameIndexBuilder::new();
        assert_eq!(
            read_into("n.parquet", bytes::Bytes::from(a), &mut builder).unwrap(),
            3
        );
        let mut direct = NameIndexBuilder::new();
        for q in &queries {
            direct.add(q);
        }
        let (read, direct) = (builder.finish(3600), direct.finish(3600));
        for (client, address, start) in [
            ("10.0.0.1", "52.218.10.6", 1_787_392_810),
            ("10.0.0.9", "52.218.10.5", 1_787_392_810),
            ("2001:db8::1", "2001:db8::99", 1_787_393_000),
            ("10.0.0.1", "52.218.10.5", 1_787_392_800),
        ] {
            let (client, address) = (client.parse().unwrap(), address.parse().unwrap());
            assert_eq!(
                read.lookup(Some("vpc-1"), client, address, start),
                direct.lookup(Some("vpc-1"), client, address, start)
            );
        }
        assert_eq!(
            read.lookup(
                Some("vpc-1"),
                "10.0.0.9".parse().unwrap(),
                "52.218.10.5".parse().unwrap(),
                1_787_392_810
            )
            .map(|n| (n.name, n.source)),
            Some(("my-bucket.s3.eu-west-1.amazonaws.com", NameSource::Vpc))
        );
    }

    #[test]
    fn a_file_that_is_not_a_names_file_is_named() {
        let other = Arc::new(Schema::new(vec![Field::new(
            "vpc_id",
            DataType::Utf8,
            false,
        )]));
        let batch = RecordBatch::try_new(
            Arc::clone(&other),
            vec![Arc::new(StringArray::from(vec!["vpc-1"])) as ArrayRef],
        )
        .unwrap();
        let mut buf = Vec::new();
        let mut w = ArrowWriter::try_new(&mut buf, other, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let err = read_into(
            "x.parquet",
            bytes::Bytes::from(buf),
            &mut NameIndexBuilder::new(),
        )
        .unwrap_err();
        assert!(
            err.to_string() == "x.parquet: not a flowpath names file: no text column client",
            "{err}"
        );
    }
}
