//! Writing a summary file: rows and footer metadata to any `Write`.
//!
//! Invariant: writing is deterministic: the same rows and metadata give the same
//! bytes (ZSTD level 3, dictionary encoding, one row group).

use std::io::Write;

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::columns::batch_of;
use super::meta::FileMeta;
use super::rows::{Row, RowRef};
use crate::error::Error;

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
    let tag_columns = meta.tag_columns(rows);
    let tag_columns: Vec<&str> = tag_columns.iter().map(String::as_str).collect();
    write_batch(out, &batch_of(rows, &tag_columns)?, meta)
}

/// Writes one record batch as a Parquet file of one row group, the way every summary
/// table is written ([`properties`]).
pub(crate) fn write_batch<W: Write + Send>(
    out: W,
    batch: &arrow_array::RecordBatch,
    meta: &FileMeta,
) -> Result<(), Error> {
    let mut writer = ArrowWriter::try_new(out, batch.schema(), Some(properties(meta)?))?;
    writer.write(batch)?;
    writer.close()?;
    Ok(())
}

/// How every summary file is written, the transit gateway table's too: ZSTD level 3,
/// dictionary encoding, `meta` in the footer.
fn properties(meta: &FileMeta) -> Result<WriterProperties, Error> {
    let kv = meta
        .key_values()
        .into_iter()
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_dictionary_enabled(true)
        .set_key_value_metadata(Some(kv))
        .build())
}

impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Error::Parquet(parquet::errors::ParquetError::ArrowError(e.to_string()))
    }
}
