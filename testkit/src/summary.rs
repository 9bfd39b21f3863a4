//! Reading a flowpath summary file back, as every test that checks outputs does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// A summary file's rows (a summary is one row group, read as one batch) and its footer
/// key/value metadata (`flowpath.*`). Panics on anything else: a test failure.
pub fn read_summary(bytes: Vec<u8>) -> (RecordBatch, BTreeMap<String, String>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .expect("a Parquet file");
    let meta = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|e| (e.key.clone(), e.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("a reader")
        .map(|b| b.expect("a batch"))
        .collect();
    assert_eq!(
        batches.len(),
        1,
        "a summary is one row group, read as one batch"
    );
    (batches.into_iter().next().expect("one batch"), meta)
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
