//! Reading a summary file back: its rows, its footer, or both, from any
//! `ChunkReader`. `compact`, `report`, the testkit and the tests all read through
//! here.

use std::collections::BTreeMap;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::reader::ChunkReader;

use super::columns::rows_from_batch;
use super::meta::{FileMeta, VERSION_KEY};
use super::rows::Row;
use crate::error::Error;

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

/// The rows of every record batch of a Parquet file, each batch read by `rows`: the
/// one reading loop of every summary table.
pub(crate) fn rows_of_batches<R: ChunkReader + 'static, T>(
    input: R,
    rows: impl Fn(&arrow_array::RecordBatch) -> Result<Vec<T>, Error>,
) -> Result<Vec<T>, Error> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(input)
        .map_err(unreadable)?
        .build()
        .map_err(unreadable)?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| Error::NotASummary {
            reason: e.to_string(),
        })?;
        out.extend(rows(&batch)?);
    }
    Ok(out)
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
