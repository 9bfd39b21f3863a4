//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found, each made again here
//! from the fixtures and checked to give what it must.

use bytes::Bytes;
use flowpath_core::engine::Options;
use flowpath_core::source::parquet::summarize as summarize_parquet;
use flowpath_core::{Error, Ranges};
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnChunkMetaDataBuilder, ParquetMetaDataReader, ParquetMetaDataWriter,
};

/// The Parquet fixture with its footer rewritten: every column chunk's metadata
/// made again by `change`.
fn with_column_chunks(
    change: impl Fn(&ColumnChunkMetaData) -> ColumnChunkMetaDataBuilder,
) -> Bytes {
    let file =
        std::fs::read(super::fixtures().join("flowlogs-parquet/v5-custom.log.parquet")).unwrap();
    let meta = ParquetMetaDataReader::new()
        .parse_and_finish(&Bytes::from(file.clone()))
        .unwrap();
    let footer = u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap());
    let body = &file[..file.len() - 8 - footer as usize];
    let groups = meta
        .row_groups()
        .iter()
        .map(|g| {
            let columns = g
                .columns()
                .iter()
                .map(|c| change(c).build().unwrap())
                .collect();
            g.clone()
                .into_builder()
                .set_column_metadata(columns)
                .build()
                .unwrap()
        })
        .collect();
    let meta = meta.into_builder().set_row_groups(groups).build();
    let mut out = body.to_vec();
    ParquetMetaDataWriter::new(&mut out, &meta)
        .finish()
        .unwrap();
    Bytes::from(out)
}

/// fuzz target `parquet`: a footer whose column chunk starts at a negative offset, or
/// has a negative length, made the Parquet reader panic (an assertion in
/// `ColumnChunkMetaData::byte_range`) once the rows were read. It is bad Parquet data.
#[test]
fn negative_column_chunk_ranges_are_bad_parquet_not_a_panic() {
    let ranges = Ranges::embedded();
    let fixture =
        std::fs::read(super::fixtures().join("flowlogs-parquet/v5-custom.log.parquet")).unwrap();
    let want = summarize_parquet("f", Bytes::from(fixture), &ranges, &Options::default()).unwrap();
    let intact = with_column_chunks(|c| c.clone().into_builder());
    let s = summarize_parquet("f", intact, &ranges, &Options::default()).unwrap();
    assert!(want.stats.counts.read > 0);
    assert_eq!(
        s.stats, want.stats,
        "a footer rewritten unchanged reads as before"
    );

    for (what, file) in [
        (
            "offset",
            with_column_chunks(|c| {
                c.clone()
                    .into_builder()
                    .set_dictionary_page_offset(Some(-7))
            }),
        ),
        (
            "length",
            with_column_chunks(|c| c.clone().into_builder().set_total_compressed_size(-1)),
        ),
    ] {
        match summarize_parquet("bad.parquet", file, &ranges, &Options::default()) {
            Err(Error::BadParquet { input, source }) => {
                assert_eq!(input, "bad.parquet");
                assert!(source.to_string().contains("negative"), "{what}: {source}");
            }
            other => panic!("negative {what}: {other:?}"),
        }
    }
}

/// fuzz target `parquet`: a column chunk whose dictionary page is cut off (its data
/// pages are dictionary-encoded) made the Parquet reader panic ("Decoder for dict
/// should have been set"). It is bad Parquet data.
#[test]
fn a_dictionary_encoded_chunk_without_its_dictionary_is_bad_parquet_not_a_panic() {
    let ranges = Ranges::embedded();
    let cut = std::cell::Cell::new(0);
    let file = with_column_chunks(|c| match c.dictionary_page_offset() {
        // The chunk starts at its first data page, past the dictionary.
        Some(dictionary) => {
            cut.set(cut.get() + 1);
            c.clone()
                .into_builder()
                .set_dictionary_page_offset(None)
                .set_total_compressed_size(
                    c.compressed_size() - (c.data_page_offset() - dictionary),
                )
        }
        None => c.clone().into_builder(),
    });
    assert!(cut.get() > 0, "the fixture has dictionary pages");
    match summarize_parquet("bad.parquet", file, &ranges, &Options::default()) {
        Err(Error::BadParquet { input, source }) => {
            assert_eq!(input, "bad.parquet");
            assert!(source.to_string().contains("reader failed"), "{source}");
        }
        other => panic!("{other:?}"),
    }
}
