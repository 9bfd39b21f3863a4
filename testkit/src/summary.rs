//! Reading a flowpath summary file back, as every test that checks outputs does:
//! through the core's own reader ([`flowpath_core::output::read_summary`]), the one
//! `compact` uses, so tests read rows and footer exactly as the tools do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use flowpath_core::output::Row;
pub use flowpath_core::output::SummaryFile;
use parquet::file::metadata::ParquetMetaDataReader;

/// A summary file's rows (partition fields empty: they live in the path) and footer
/// metadata. Panics on anything else, or on a file of more than one row group: a test
/// failure.
pub fn read_summary(bytes: Vec<u8>) -> SummaryFile {
    flowpath_core::output::read_summary(one_row_group(bytes)).expect("a flowpath summary")
}

/// The bytes of a Parquet file of one row group, as every summary is; panics otherwise.
fn one_row_group(bytes: Vec<u8>) -> bytes::Bytes {
    let bytes = bytes::Bytes::from(bytes);
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&bytes)
        .expect("a Parquet file");
    assert_eq!(metadata.num_row_groups(), 1, "a summary is one row group");
    bytes
}

/// The column names of a summary file, in file order: for the tests that check the
/// schema itself.
pub fn column_names(bytes: Vec<u8>) -> Vec<String> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&bytes::Bytes::from(bytes))
        .expect("a Parquet file");
    metadata
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect()
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("list a directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The VPC summary files under an output `dir` (`dir/account_id=…/…/*.parquet`),
/// sorted: not the other tables beside them (`transit_gateway/`, `top_talkers/`).
pub fn summary_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| is_vpc_summary(dir, p))
        .collect()
}

/// Whether `path` under output `dir` is a VPC summary file: a `.parquet` in the
/// `account_id=…` partitions at the output's top.
pub fn is_vpc_summary(dir: &Path, path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "parquet")
        && path.strip_prefix(dir).ok().is_some_and(|rel| {
            rel.components()
                .next()
                .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with("account_id="))
        })
}

/// Every file under `dir` with its bytes: compare two of these to prove a run changed
/// nothing, or exactly what it should.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read a file");
            (p, bytes)
        })
        .collect()
}

/// Reads a transit gateway summary file's rows (one row group, as every summary).
pub fn read_transit_summary(bytes: Vec<u8>) -> Vec<flowpath_core::transit::TransitRow> {
    flowpath_core::transit::read_rows(one_row_group(bytes)).expect("a transit gateway summary")
}
