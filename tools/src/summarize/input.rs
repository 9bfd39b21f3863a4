//! One input of `summarize` on a blocking thread: a local file or standard input
//! summarized (told text or Parquet by its first bytes, through
//! [`flowpath_core::object`]), and any input's summary encoded into its Parquet files
//! with what the report needs of it (counts, unknown fields, counts the format lacks).

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use flowpath_core::Ranges;
use flowpath_core::engine::{Options, Stats, Summary};
use flowpath_core::format::Field;
use flowpath_core::object::{self, InputKind};

use crate::inputs::Input;

/// The summary of one input, encoded: counts, unknown fields, the Parquet files
/// (partition directory, bytes), and whether the input was Parquet.
pub(super) struct Encoded {
    pub(super) stats: Stats,
    pub(super) unknown_fields: Vec<String>,
    /// Per partition: its directory and the file's bytes (named by the caller).
    pub(super) files: Vec<(String, Vec<u8>)>,
    pub(super) parquet: bool,
    /// Counts the format lacks (`packets`, `bytes`): written as null.
    pub(super) lacking: Vec<String>,
    /// The format records were read in, when the input had no header to say it (the
    /// given one, or a log group's): named beside field-count errors.
    pub(super) headerless_format: Option<String>,
}

/// Encodes one input's summary into its Parquet files.
pub(super) fn encode(
    name: &str,
    summary: Summary,
    ranges: &Ranges,
    kind: InputKind,
) -> Result<Encoded> {
    let stats = summary.stats.clone();
    let unknown_fields = summary.format.unknown_names().map(str::to_owned).collect();
    let lacking = [Field::Packets, Field::Bytes]
        .into_iter()
        .filter(|f| !summary.format.has(*f))
        .map(|f| f.name().to_owned())
        .collect();
    let parquet = kind == InputKind::Parquet;
    let headerless_format =
        (!summary.format_from_header && !parquet).then(|| summary.format.to_string());
    let (_, files) = summary
        .encode(ranges)
        .with_context(|| format!("{name}: cannot encode its summary"))?;
    Ok(Encoded {
        stats,
        unknown_fields,
        files,
        parquet,
        lacking,
        headerless_format,
    })
}

/// Summarizes a local file or standard input, text or Parquet by its content; returns
/// the bytes read.
pub(super) fn summarize_local(
    input: &Input,
    ranges: &Ranges,
    opts: &Options,
) -> Result<(u64, Encoded)> {
    let name = input.name();
    match input {
        Input::Stdin => summarize_once(&name, io::stdin(), ranges, opts),
        Input::File(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
            let meta = file
                .metadata()
                .with_context(|| format!("{name}: cannot read"))?;
            if !meta.is_file() {
                // A FIFO, `<(...)` or device named on the command line: read once, in
                // order, as standard input is.
                return summarize_once(&name, file, ranges, opts);
            }
            let (kind, summary) = object::summarize_seekable(&name, file, ranges, opts)?;
            Ok((meta.len(), encode(&name, summary, ranges, kind)?))
        }
    }
}

/// Summarizes an input that can be read only once, in order (standard input, a FIFO).
fn summarize_once(
    name: &str,
    reader: impl Read + Send,
    ranges: &Ranges,
    opts: &Options,
) -> Result<(u64, Encoded)> {
    let reader = CountingReader::new(reader);
    let read = Arc::clone(&reader.count);
    let (kind, summary) = object::summarize_sniffed(name, reader, ranges, opts)?;
    let encoded = encode(name, summary, ranges, kind)?;
    Ok((read.load(Ordering::Relaxed), encoded))
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<R: io::Read> io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
