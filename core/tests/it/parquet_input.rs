//! Parquet flow logs (`source::parquet`): the same records as text and as Parquet give
//! the same summary (the bundled fixture, and a larger generated set over several row
//! groups, small batches, nulls and IPv6); malformed values are located by row and
//! field; unreadable or foreign Parquet fails naming the input.
//!
//! `text_to_parquet` is also the fixture generator: see `regenerate_parquet_fixture`
//! and fixtures/README.md.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use bytes::Bytes;
use flowpath_core::engine::{Options, Stats, Summary};
use flowpath_core::format::{Field, FormatError};
use flowpath_core::output::Counts;
use flowpath_core::output::Row;
use flowpath_core::parse::ParseErrorKind;
use flowpath_core::source::parquet::{is_parquet, summarize as summarize_parquet};
use flowpath_core::source::text::summarize;
use flowpath_core::{Error, Ranges};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, GzipLevel, Type as PhysicalType, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};

const FIXTURE_TEXT: &str = "flowlogs/v5-custom.log";
const FIXTURE_PARQUET: &str = "flowlogs-parquet/v5-custom.log.parquet";

/// Columns AWS writes as INT32 / INT64 (AWS's "Parquet data type" per field); every
/// other column is a string.
const INT32: [&str; 6] = [
    "version",
    "srcport",
    "dstport",
    "protocol",
    "tcp-flags",
    "traffic-path",
];
const INT64: [&str; 8] = [
    "packets",
    "bytes",
    "start",
    "end",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
];

/// How the generator types the columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// As AWS does: INT32/INT64 integers (null for `-`), UTF-8 strings (null for `-`).
    Aws,
    /// Every column a plain BYTE_ARRAY (Arrow Binary, no UTF-8 annotation) holding the
    /// text token, `-` included: what a naive text-to-Parquet conversion gives.
    AllBinary,
}

/// A text flow log with a header line, as Parquet: one column per header field, named
/// with underscores, rows in line order. Blank lines are skipped.
pub(crate) fn text_to_parquet(
    text: &str,
    style: Style,
    compression: Compression,
    rows_per_group: usize,
    rows_per_page: usize,
) -> Vec<u8> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let records: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let column = name.replace('-', "_");
        let values = records.iter().map(|r| r[i]);
        let dash_null = |v: &str| (v != "-").then(|| v.to_owned());
        let (data_type, array): (DataType, ArrayRef) = match style {
            Style::AllBinary => (
                DataType::Binary,
                Arc::new(arrow_array::BinaryArray::from_iter_values(
                    values.map(str::as_bytes),
                )),
            ),
            Style::Aws if INT32.contains(name) => (
                DataType::Int32,
                Arc::new(Int32Array::from_iter(
                    values.map(|v| dash_null(v).map(|v| v.parse::<i32>().unwrap())),
                )),
            ),
            Style::Aws if INT64.contains(name) => (
                DataType::Int64,
                Arc::new(Int64Array::from_iter(
                    values.map(|v| dash_null(v).map(|v| v.parse::<i64>().unwrap())),
                )),
            ),
            Style::Aws => (
                DataType::Utf8,
                Arc::new(StringArray::from_iter(values.map(dash_null))),
            ),
        };
        fields.push(ArrowField::new(column, data_type, true));
        arrays.push(array);
    }
    write(
        Arc::new(Schema::new(fields)),
        arrays,
        compression,
        rows_per_group,
        rows_per_page,
    )
}

fn write(
    schema: Arc<Schema>,
    arrays: Vec<ArrayRef>,
    compression: Compression,
    rows_per_group: usize,
    rows_per_page: usize,
) -> Vec<u8> {
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(rows_per_group))
        .set_data_page_row_count_limit(rows_per_page)
        .set_write_batch_size(rows_per_page)
        .build();
    // AWS's files carry no embedded Arrow schema; neither do these.
    let opts = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new_with_options(&mut out, schema, opts).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

fn zstd() -> Compression {
    Compression::ZSTD(ZstdLevel::try_new(3).unwrap())
}

/// What AWS writes: GZIP-compressed pages.
fn gzip() -> Compression {
    Compression::GZIP(GzipLevel::default())
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(crate::fixtures().join(rel)).expect(rel)
}

fn text(name: &str, data: &[u8], opts: &Options) -> (Summary, Ranges) {
    let ranges = Ranges::embedded();
    let s = summarize(name, data, &ranges, opts).unwrap();
    (s, ranges)
}

fn parquet(name: &str, data: &[u8], opts: &Options) -> Result<Summary, Error> {
    summarize_parquet(
        name,
        Bytes::copy_from_slice(data),
        &Ranges::embedded(),
        opts,
    )
}

/// What must agree between the text and the Parquet summary of the same records.
fn comparable(s: Summary, ranges: &Ranges) -> (Stats, Vec<Row>) {
    let mut stats = s.stats.clone();
    // The place of a malformed record differs (line vs row) and so does its rendering;
    // field and reason must not. Compared separately.
    stats.malformed_examples.clear();
    (stats, s.into_rows(ranges))
}

#[test]
fn v5_custom_fixture_equals_its_text() {
    let (t, ranges) = text(FIXTURE_TEXT, &read(FIXTURE_TEXT), &Options::default());
    let p = parquet(FIXTURE_PARQUET, &read(FIXTURE_PARQUET), &Options::default()).unwrap();
    assert_eq!(
        p.stats.counts,
        Counts {
            read: 7,
            ok: 6,
            nodata: 1,
            skipdata: 0,
            malformed: 0
        }
    );
    assert_eq!(
        (p.stats.aws_labels.agree, p.stats.aws_labels.disagree),
        (5, 1)
    );
    // Underscore column names map to the same fields, in the same order.
    assert_eq!(p.format, t.format);
    assert!(p.format_from_header && !p.gzip);
    assert_eq!(p.input, FIXTURE_PARQUET);
    let want = comparable(t, &ranges);
    assert_eq!(comparable(p, &ranges), want);
    assert_eq!(want.1.len(), 5);

    // A file on disk reads the same (std::fs::File is a ChunkReader).
    let file = std::fs::File::open(crate::fixtures().join(FIXTURE_PARQUET)).unwrap();
    let s = summarize_parquet(FIXTURE_PARQUET, file, &ranges, &Options::default()).unwrap();
    assert_eq!(comparable(s, &ranges), want);

    // Batches of one row, one and several threads.
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let got = pool.install(|| {
            let opts = Options {
                chunk_bytes: 1,
                ..Options::default()
            };
            comparable(
                parquet(FIXTURE_PARQUET, &read(FIXTURE_PARQUET), &opts).unwrap(),
                &ranges,
            )
        });
        assert_eq!(got, want, "threads {threads}");
    }
}

#[test]
fn fixture_is_shaped_like_awss_files() {
    let data = read(FIXTURE_PARQUET);
    assert!(is_parquet(&data));
    assert!(!is_parquet(&read(FIXTURE_TEXT)));
    assert!(data.len() < 16 * 1024, "{} bytes", data.len());
    let reader = SerializedFileReader::new(Bytes::from(data)).unwrap();
    let meta = reader.metadata();
    assert_eq!(meta.file_metadata().num_rows(), 7);
    assert!(
        meta.file_metadata()
            .key_value_metadata()
            .is_none_or(|kv| kv.iter().all(|e| e.key != "ARROW:schema"))
    );
    let header = String::from_utf8(read(FIXTURE_TEXT)).unwrap();
    let names: Vec<&str> = header.lines().next().unwrap().split(' ').collect();
    let schema = meta.file_metadata().schema_descr();
    assert_eq!(schema.num_columns(), names.len());
    for (i, name) in names.iter().enumerate() {
        let column = schema.column(i);
        assert_eq!(column.name(), name.replace('-', "_"));
        let want = if INT32.contains(name) {
            PhysicalType::INT32
        } else if INT64.contains(name) {
            PhysicalType::INT64
        } else {
            PhysicalType::BYTE_ARRAY
        };
        assert_eq!(column.physical_type(), want, "{name}");
        for rg in meta.row_groups() {
            assert!(
                matches!(rg.column(i).compression(), Compression::GZIP(_)),
                "{name}"
            );
        }
    }
}

/// `n` records in the v5 order of the fixture plus an unknown field: IPv4 and IPv6,
/// `-` in many fields, NODATA and SKIPDATA, and a few malformed values Parquet can
/// hold (a bad address, a port out of range, an unknown action).
fn generated(n: usize) -> String {
    let mut s = String::from(
        "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id interface-id region action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction future-field log-status\n",
    );
    for i in 0..n {
        let start = 1_787_356_800 + (i as i64 % 11) * 1700;
        let end = start + 60;
        let eni = format!("eni-{:017x}", i % 5);
        let vpc = if i % 9 == 0 { "-" } else { "vpc-0abc" };
        let region = if i % 4 == 0 { "-" } else { "eu-west-1" };
        if i % 61 == 3 {
            s.push_str(&format!(
                "5 - - - - - {start} {end} - - - 123456789012 {vpc} subnet-1 {eni} {region} - - - - - - - - x NODATA\n"
            ));
            continue;
        }
        if i % 173 == 9 {
            s.push_str(&format!(
                "5 - - - - - {start} {end} - - - 123456789012 {vpc} subnet-1 {eni} {region} - - - - - - - - - SKIPDATA\n"
            ));
            continue;
        }
        let (remote, v6, aws) = match i % 6 {
            0 => ("3.5.98.20".to_owned(), false, "S3"),
            1 => ("52.94.24.7".to_owned(), false, "DYNAMODB"),
            2 => (format!("198.51.100.{}", i % 250), false, "-"),
            3 => ("2a05:d078:8000::1".to_owned(), true, "S3"),
            4 => (format!("2001:db8::{:x}", i % 4000), true, "-"),
            _ => (format!("10.0.{}.{}", i % 7, i % 200), false, "-"),
        };
        let local = if v6 {
            format!("2a05:d018:4b2:1200::{:x}", i % 50)
        } else {
            format!("10.0.1.{}", i % 250)
        };
        let egress = i % 3 != 0;
        let (src, dst, dir, path) = if egress {
            let path = ["1", "2", "7", "8", "-"][i % 5];
            (&local, &remote, "egress", path)
        } else {
            (&remote, &local, "ingress", "-")
        };
        let (pkt_src_svc, pkt_dst_svc) = if egress { ("-", aws) } else { (aws, "-") };
        let mut srcaddr = src.clone();
        let mut srcport = (1024 + i % 60_000).to_string();
        let mut action = if i % 13 == 0 { "REJECT" } else { "ACCEPT" };
        match i % 401 {
            17 => srcaddr = "10.0.1.300".to_owned(),
            18 => srcport = "70000".to_owned(),
            19 => action = "ALLOW",
            _ => {}
        }
        let flow_dir = if i % 10 == 0 { "-" } else { dir };
        let protocol = if i % 7 == 0 { "17" } else { "6" };
        let ty = if v6 { "IPv6" } else { "IPv4" };
        s.push_str(&format!(
            "5 {srcaddr} {dst} {srcport} 443 {protocol} {start} {end} {ty} {} {} 123456789012 {vpc} subnet-1 {eni} {region} {action} {} {srcaddr} {dst} {pkt_src_svc} {pkt_dst_svc} {path} {flow_dir} v{} OK\n",
            i % 50 + 1,
            (i * 37) % 100_000 + 40,
            [0, 2, 3, 18, 19][i % 5],
            i % 3,
        ));
    }
    s
}

#[test]
fn generated_records_agree_as_text_and_parquet() {
    let text_data = generated(4000);
    let opts = Options {
        max_examples: 1000,
        ..Options::default()
    };
    let (t, ranges) = text("gen.log", text_data.as_bytes(), &opts);
    let c = t.stats.counts;
    assert_eq!(c.read, 4000);
    assert!(c.nodata > 50 && c.skipdata > 10, "{c:?}");
    assert_eq!(c.malformed, 29, "{c:?}");
    assert!(t.stats.aws_labels.agree > 1000);
    let text_examples: Vec<_> = t
        .stats
        .malformed_examples
        .iter()
        .map(|m| (m.line - 1, m.error))
        .collect();
    let text_unknown: Vec<_> = t.format.unknown_names().map(str::to_owned).collect();
    assert_eq!(text_unknown, ["future-field"]);
    let want = comparable(t, &ranges);

    for (style, compression, rows_per_group, rows_per_page) in [
        (Style::Aws, gzip(), 700, 100),
        (Style::Aws, Compression::UNCOMPRESSED, 4000, 4000),
        (Style::AllBinary, zstd(), 1500, 333),
    ] {
        let data = text_to_parquet(
            &text_data,
            style,
            compression,
            rows_per_group,
            rows_per_page,
        );
        let groups = SerializedFileReader::new(Bytes::from(data.clone()))
            .unwrap()
            .metadata()
            .num_row_groups();
        assert_eq!(groups, 4000usize.div_ceil(rows_per_group));
        for (batch_rows, threads) in [(1024, 2), (37, 1), (37, 4), (5000, 3)] {
            let what = format!(
                "{style:?} {compression} groups {groups} batch {batch_rows} threads {threads}"
            );
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let s = pool.install(|| {
                let opts = Options {
                    chunk_bytes: batch_rows * flowpath_core::source::parquet::BYTES_PER_ROW,
                    max_examples: 1000,
                    ..Options::default()
                };
                parquet("gen.log.parquet", &data, &opts).unwrap()
            });
            let unknown: Vec<_> = s.format.unknown_names().map(str::to_owned).collect();
            assert_eq!(unknown, ["future_field"], "{what}");
            let examples: Vec<_> = s
                .stats
                .malformed_examples
                .iter()
                .map(|m| (m.line, m.error))
                .collect();
            assert_eq!(examples, text_examples, "{what}");
            assert_eq!(comparable(s, &ranges), want, "{what}");
        }
    }
}

/// The fixture's first three records, the second with a bad source address.
fn with_bad_address() -> String {
    let text = String::from_utf8(read(FIXTURE_TEXT)).unwrap();
    let mut lines: Vec<String> = text.lines().take(4).map(str::to_owned).collect();
    lines[2] = lines[2].replacen("3.5.98.20", "10.0.1.300", 1);
    lines.join("\n")
}

#[test]
fn malformed_values_are_counted_with_row_and_field() {
    let data = text_to_parquet(&with_bad_address(), Style::Aws, zstd(), 2, 2);
    let s = parquet("bad.log.parquet", &data, &Options::default()).unwrap();
    assert_eq!(
        s.stats.counts,
        Counts {
            read: 3,
            ok: 2,
            nodata: 0,
            skipdata: 0,
            malformed: 1
        }
    );
    let m = &s.stats.malformed_examples[..];
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].line, m[0].error.field), (2, Some(Field::Srcaddr)));
    assert_eq!(m[0].error.kind, ParseErrorKind::BadAddress);
    assert!(
        m[0].text.starts_with("5 10.0.1.300 10.0.1.15 443 49200 6 "),
        "{}",
        m[0].text
    );

    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let err = parquet("bad.log.parquet", &data, &strict).unwrap_err();
    assert!(matches!(err, Error::MalformedRow { row: 2, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "bad.log.parquet: row 2: field `srcaddr`: not an IP address"
    );
}

#[test]
fn truncated_and_corrupt_parquet_fail_naming_the_input() {
    let good = read(FIXTURE_PARQUET);
    let truncated = &good[..good.len() / 2];
    assert!(is_parquet(truncated));
    // Not Parquet at all, truncated (the footer is gone), and corrupt data pages.
    let mut corrupt = good.clone();
    corrupt[4..good.len() / 2].fill(0xA5);
    for (name, data) in [
        ("text.log.parquet", read(FIXTURE_TEXT)),
        ("empty.log.parquet", Vec::new()),
        ("truncated.log.parquet", truncated.to_vec()),
        ("corrupt.log.parquet", corrupt),
    ] {
        let err = parquet(name, &data, &Options::default()).unwrap_err();
        assert!(matches!(err, Error::BadParquet { .. }), "{name}: {err:?}");
        assert!(
            err.to_string()
                .starts_with(&format!("{name}: bad Parquet data: ")),
            "{err}"
        );
    }
}

#[test]
fn foreign_parquet_is_refused_and_unknown_columns_are_carried() {
    let one = |name: &str, array: ArrayRef| {
        let schema = Schema::new(vec![ArrowField::new(name, array.data_type().clone(), true)]);
        (schema, array)
    };
    let file = |columns: Vec<(Schema, ArrayRef)>| {
        let fields: Vec<_> = columns
            .iter()
            .flat_map(|(s, _)| s.fields().iter().cloned())
            .collect();
        let arrays = columns.into_iter().map(|(_, a)| a).collect();
        write(Arc::new(Schema::new(fields)), arrays, zstd(), 10, 10)
    };
    let addr = || -> ArrayRef { Arc::new(StringArray::from(vec!["10.0.0.1", "3.5.98.20"])) };
    let float = || -> ArrayRef { Arc::new(Float64Array::from(vec![1.5, 2.5])) };

    // A known field with a column type no flow-log field has.
    let data = file(vec![one("srcaddr", addr()), one("bytes", float())]);
    let err = parquet("f.parquet", &data, &Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.parquet: not a flow-log Parquet file: column `bytes` (field `bytes`) holds Float64, not integers or strings"
    );
    // No known field at all.
    let data = file(vec![one("metric", float())]);
    let err = parquet("g.parquet", &data, &Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "g.parquet: not a flow-log Parquet file: no column names a flow-log field"
    );
    // Both spellings of one field.
    let data = file(vec![one("log_status", addr()), one("log-status", addr())]);
    let err = parquet("h.parquet", &data, &Options::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Format {
                error: FormatError::Duplicate(Field::LogStatus),
                ..
            }
        ),
        "{err:?}"
    );
    // flowpath's own output.
    let (t, ranges) = text(FIXTURE_TEXT, &read(FIXTURE_TEXT), &Options::default());
    let (meta, partitions) = t.into_partitions(&ranges);
    let mut out = Vec::new();
    flowpath_core::output::write_parquet(&mut out, &partitions[0].rows, &meta).unwrap();
    let err = parquet("summary.parquet", &out, &Options::default()).unwrap_err();
    assert!(matches!(err, Error::ParquetSchema { .. }), "{err:?}");
    assert!(err.to_string().contains("flowpath summary"), "{err}");

    // Unknown columns of any type are carried by name and not decoded.
    let data = file(vec![
        one("future_metric", float()),
        one("dstaddr", addr()),
        one("packets", Arc::new(Int64Array::from(vec![Some(3), None]))),
    ]);
    let s = parquet("u.parquet", &data, &Options::default()).unwrap();
    assert_eq!(
        s.format.unknown_names().collect::<Vec<_>>(),
        ["future_metric"]
    );
    // The row whose only count is null is a NODATA record (the format has no
    // log-status to say so): not a record of zero packets.
    let c = s.stats.counts;
    assert_eq!((c.read, c.ok, c.nodata, c.malformed), (2, 1, 1, 0));
    let rows = s.into_rows(&ranges);
    let services: Vec<_> = rows
        .iter()
        .map(|r| (r.remote_service.as_deref(), r.packets, r.bytes))
        .collect();
    // The format has no `bytes`: null, not zero.
    assert_eq!(services, [(Some("PRIVATE"), Some(3), None)]);
}

/// Writes `fixtures/flowlogs-parquet/v5-custom.log.parquet` from
/// `fixtures/flowlogs/v5-custom.log`. Run after changing either:
/// `cargo test -p flowpath-core --test it -- --ignored regenerate_parquet_fixture`.
#[test]
#[ignore = "writes the fixture; run by hand"]
fn regenerate_parquet_fixture() {
    let text = String::from_utf8(read(FIXTURE_TEXT)).unwrap();
    let data = text_to_parquet(&text, Style::Aws, gzip(), 1024, 1024);
    let path = crate::fixtures().join(FIXTURE_PARQUET);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, data).unwrap();
}
