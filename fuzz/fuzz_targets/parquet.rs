//! AWS's Parquet flow logs: `source::parquet::summarize`. Input that starts
//! with `PAR1` is a file as it is (seeded with the fixture): every row counted once,
//! and the same result for any batch size and thread count (a corrupt file fails
//! either way, maybe naming another corruption). Any other input describes
//! a file (columns of known fields in their Parquet types, strings or integers, and
//! an unknown one; rows of values, nulls and `-`) that is written with the arrow
//! writer and summarized both as Parquet and as the same records in text, under a
//! header: the two give the same summary (counts, rows, label check, malformed fields
//! and reasons; rows numbered where lines are).
#![no_main]

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, Int32Array, Int64Array, RecordBatch, StringArray, UInt8Array,
    UInt64Array,
};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use flowpath_core::engine::Options;
use flowpath_core::format::{Field, ValueKind};
use flowpath_core::source::parquet::summarize as summarize_parquet;
use flowpath_core::source::text::summarize;
use flowpath_fuzz::{Outcome, outcome, pool, ranges};
use libfuzzer_sys::fuzz_target;
use parquet::arrow::ArrowWriter;

const NAME: &str = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/fuzz.log.parquet";

fn run_parquet(file: &bytes::Bytes, opts: &Options, threads: usize) -> Result<Outcome, String> {
    pool(threads).install(|| outcome(summarize_parquet(NAME, file.clone(), ranges(), opts), opts))
}

/// The fuzzer's bytes, read as choices (zeros once they run out).
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn int(&mut self) -> i128 {
        const EDGES: [i128; 12] = [
            0,
            1,
            -1,
            255,
            256,
            65_535,
            65_536,
            4_294_967_295,
            1_787_392_820,
            i64::MAX as i128,
            i64::MIN as i128,
            u64::MAX as i128,
        ];
        match self.byte() % 3 {
            0 => i128::from(self.byte()),
            1 => EDGES[usize::from(self.byte()) % EDGES.len()],
            _ => {
                let bytes: [u8; 8] = std::array::from_fn(|_| self.byte());
                i128::from(i64::from_le_bytes(bytes))
            }
        }
    }

    /// A value a text line can hold too: no white space, not empty (an empty value is
    /// `-` in text).
    fn word(&mut self) -> Vec<u8> {
        const WORDS: [&str; 24] = [
            "-",
            "",
            "ACCEPT",
            "REJECT",
            "OK",
            "NODATA",
            "SKIPDATA",
            "ingress",
            "egress",
            "10.0.1.15",
            "3.5.98.20",
            "52.95.128.179",
            "2600:1f14::1",
            "::ffff:10.0.0.1",
            "eni-0a1b2c3d4e5f60011",
            "123456789012",
            "eu-west-1",
            "vpc-0abc1234def567890",
            "S3",
            "AMAZON",
            "443",
            "1787392820",
            "7",
            "99999999999999999999",
        ];
        let pick = self.byte();
        if usize::from(pick) < WORDS.len() * 8 {
            return WORDS[usize::from(pick) % WORDS.len()].as_bytes().to_vec();
        }
        let len = usize::from(self.byte() % 12);
        (0..len)
            .map(|_| self.byte())
            .filter(|b| !b.is_ascii_whitespace())
            .collect()
    }
}

/// One cell.
#[derive(Clone)]
enum Cell {
    Null,
    Int(i128),
    Bytes(Vec<u8>),
}

impl Cell {
    /// The cell as a text value.
    fn text(&self) -> Vec<u8> {
        match self {
            Cell::Null => b"-".to_vec(),
            Cell::Int(n) => n.to_string().into_bytes(),
            Cell::Bytes(b) if b.is_empty() => b"-".to_vec(),
            Cell::Bytes(b) => b.clone(),
        }
    }
}

fn column(data_type: &DataType, cells: &[Cell]) -> ArrayRef {
    let int = |c: &Cell| match c {
        Cell::Int(n) => Some(*n),
        _ => None,
    };
    let bytes = |c: &Cell| match c {
        Cell::Bytes(b) => Some(b.clone()),
        _ => None,
    };
    match data_type {
        DataType::Int32 => Arc::new(Int32Array::from_iter(
            cells.iter().map(|c| int(c).map(|n| n as i32)),
        )),
        DataType::Int64 => Arc::new(Int64Array::from_iter(
            cells.iter().map(|c| int(c).map(|n| n as i64)),
        )),
        DataType::UInt8 => Arc::new(UInt8Array::from_iter(
            cells.iter().map(|c| int(c).map(|n| n as u8)),
        )),
        DataType::UInt64 => Arc::new(UInt64Array::from_iter(
            cells.iter().map(|c| int(c).map(|n| n as u64)),
        )),
        DataType::Binary => Arc::new(BinaryArray::from_iter(cells.iter().map(bytes))),
        _ => Arc::new(StringArray::from_iter(cells.iter().map(|c| {
            bytes(c).map(|b| String::from_utf8(b).expect("string cells are UTF-8"))
        }))),
    }
}

/// The cells of a column are what its type can hold, as written: integers wrapped to
/// its width (`n as i32`), strings UTF-8.
fn cell(choices: &mut Choices<'_>, data_type: &DataType) -> Cell {
    if choices.byte() % 5 == 0 {
        return Cell::Null;
    }
    let wrap = |n: i128| match data_type {
        DataType::Int32 => i128::from(n as i32),
        DataType::Int64 => i128::from(n as i64),
        DataType::UInt8 => i128::from(n as u8),
        _ => i128::from(n as u64),
    };
    match data_type {
        // Lossy UTF-8 brings in U+FFFD, never white space.
        DataType::Utf8 => Cell::Bytes(
            String::from_utf8_lossy(&choices.word())
                .into_owned()
                .into_bytes(),
        ),
        DataType::Binary => Cell::Bytes(choices.word()),
        _ => Cell::Int(wrap(choices.int())),
    }
}

fn structured(data: &[u8]) {
    let mut choices = Choices(data);
    let ncolumns = 1 + usize::from(choices.byte() % 10);
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut known = false;
    for i in 0..ncolumns {
        let pick = usize::from(choices.byte()) % (Field::ALL.len() + 1);
        let Some(&field) = Field::ALL.get(pick) else {
            names.push(format!("x-{i}"));
            types.push(DataType::Utf8);
            continue;
        };
        let (hyphens, underscores) = (field.name().to_owned(), field.name().replace('-', "_"));
        if names.contains(&hyphens) || names.contains(&underscores) {
            continue;
        }
        known = true;
        let integer = matches!(field.value_kind(), ValueKind::Integer);
        let t = choices.byte();
        types.push(match t % 6 {
            0 if integer => DataType::Int32,
            1 if integer => DataType::Int64,
            2 if integer => DataType::UInt64,
            3 if integer => DataType::UInt8,
            4 => DataType::Binary,
            _ => DataType::Utf8,
        });
        names.push(if t & 0x80 == 0 { underscores } else { hyphens });
    }
    if !known {
        return;
    }
    let nrows = usize::from(choices.byte() % 16);
    let rows: Vec<Vec<Cell>> = (0..nrows)
        .map(|_| types.iter().map(|t| cell(&mut choices, t)).collect())
        .collect();

    let schema = Arc::new(Schema::new(
        names
            .iter()
            .zip(&types)
            .map(|(n, t)| ArrowField::new(n, t.clone(), true))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = types
        .iter()
        .enumerate()
        .map(|(c, t)| column(t, &rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>()))
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("a batch");
    let mut file = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut file, schema, None).expect("a writer");
    writer.write(&batch).expect("written");
    writer.close().expect("closed");
    let file = bytes::Bytes::from(file);

    let header = names.join(" ");
    let mut text = header.clone().into_bytes();
    for row in &rows {
        text.push(b'\n');
        let line = row.iter().map(Cell::text).collect::<Vec<_>>().join(&b' ');
        if line == header.as_bytes() {
            // A line equal to the header is a repeated header in text.
            return;
        }
        text.extend(line);
    }

    let opts = Options {
        max_examples: 4,
        ..Options::default()
    };
    let as_parquet = run_parquet(&file, &opts, 1);
    let one_row = Options {
        chunk_bytes: 1,
        ..opts.clone()
    };
    assert_eq!(run_parquet(&file, &one_row, 3), as_parquet, "a row a batch");
    let as_text = pool(1).install(|| outcome(summarize(NAME, &text[..], ranges(), &opts), &opts));
    let (Ok(mut p), Ok(mut t)) = (as_parquet, as_text) else {
        panic!("both read: {header}");
    };
    // Only the place and the shown text of a malformed record differ.
    for m in &mut t.stats.malformed_examples {
        // Line 0 is a group's example (its sums pass INT64), the same in both.
        m.line = m.line.saturating_sub(1);
        m.text.clear();
    }
    for m in &mut p.stats.malformed_examples {
        m.text.clear();
    }
    assert_eq!(p, t, "Parquet and text of the same records: {header}");
}

fuzz_target!(
    init: {
        // libfuzzer-sys aborts in its panic hook; summarize_parquet catches the Parquet
        // reader's panics (a bad file), so only a panic that escapes must abort, which
        // it does (the fuzzer's entry point cannot unwind). The default hook prints.
        drop(std::panic::take_hook());
    },
    |data: &[u8]| check(data)
);

fn check(data: &[u8]) {
    if !data.starts_with(b"PAR1") {
        structured(data);
        return;
    }
    let file = bytes::Bytes::copy_from_slice(data);
    let opts = Options {
        max_examples: 4,
        ..Options::default()
    };
    let want = run_parquet(&file, &opts, 1);
    let small = Options {
        chunk_bytes: 1,
        ..opts.clone()
    };
    let got = run_parquet(&file, &small, 3);
    match (&want, &got) {
        // A corrupt file fails either way; which corruption is met first depends on
        // the batches and how they were shared out.
        (Err(a), Err(b)) if a.starts_with("bad-parquet:") && b.starts_with("bad-parquet:") => {}
        _ => assert_eq!(got, want),
    }
}
