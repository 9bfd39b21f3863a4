//! One input, start to end: decode, split into chunks on line boundaries, parse,
//! attribute and aggregate each chunk in parallel (rayon), merge.
//!
//! Invariants:
//! - the result is the same whatever the chunk size and thread count (the chunks'
//!   aggregates merge order-independently, and malformed-line examples are kept by
//!   line number);
//! - memory is bounded by the chunk size times the chunks in flight plus the groups,
//!   never by the input's size or a line's length: a line longer than
//!   [`Options::max_line_bytes`] is one malformed line, read on and dropped;
//! - a record is summed only when `ChunkContext::check` passes (counts that fit
//!   INT64, present where there is traffic, plausible times); otherwise it is
//!   malformed, as is every record of a group whose sums pass INT64: nothing is clamped;
//! - the first line is the format when it is a header; otherwise the caller's format
//!   (default v2) applies; a later line equal to the header (files concatenated) is
//!   skipped;
//! - every line is accounted for: `read = ok + nodata + skipdata + malformed`, and
//!   blank lines and header lines are not records;
//! - within a chunk, a record is attributed and aggregated when the next one has been
//!   parsed, and the chunk's last one at its end: meanwhile its remote's entry in the
//!   ranges table, then its group's index bucket, come into cache (prefetches), while
//!   the CPU parses on. No result depends on it.

use std::io::{self, Read};
use std::net::IpAddr;
use std::sync::Arc;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::aggregate::{Aggregator, Carried, Contribution, Feed, Row};
use crate::classify::{self, Attribution, Direction};
use crate::decode::decode;
use crate::error::Error;
use crate::format::{Field, Format};
use crate::inventory::Inventory;
use crate::layout::{self, LayoutHints};
use crate::lines::Lines;
use crate::parse::{ParseError, ParseErrorKind, parse_line_reusing, parse_str_reusing};
use crate::ranges::{self, LabelId, Ranges};
use crate::record::{LogStatus, Record};
use crate::summary::{self, Counts, FileMeta, Partition};

/// The earliest plausible `start` or `end`: 2014-01-01T00:00:00Z. VPC Flow Logs
/// launched in June 2015, but AWS's own documentation examples are dated December 2014
/// (`1418530010`), so the bound leaves them valid. An earlier time is a corrupt value,
/// and would make partitions Athena's date projection cannot address.
pub const EARLIEST_TIME: i64 = 1_388_534_400;

/// The longest line read by default: 64 KiB. The longest record AWS writes (every v8
/// field, with ECS ARNs) is under 2 KiB.
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The format of input without a header line (default: v2). A header line wins.
    pub format: Option<Format>,
    /// Fail on the first malformed line instead of counting it.
    pub strict: bool,
    /// How many malformed lines to keep as examples, per input.
    pub max_examples: usize,
    /// Target size of the chunks processed in parallel, in bytes of text.
    pub chunk_bytes: usize,
    /// The VPC inventory, when there is one: paths are then attributed with
    /// [`classify::attribute_with`].
    pub inventory: Option<Arc<Inventory>>,
    /// The longest line read ([`MAX_LINE_BYTES`]): a longer one is one malformed line,
    /// skipped without being held whole, so memory stays bounded whatever the input.
    pub max_line_bytes: usize,
    /// The latest plausible `start` or `end`, Unix seconds: by default a day past the
    /// clock when the options were made (clocks differ, AWS's and ours; a day is more
    /// than any skew and less than a wrong year). Later times, like times before
    /// [`EARLIEST_TIME`], make their record malformed.
    pub latest_time: i64,
}

/// A day past the system clock, Unix seconds.
fn a_day_from_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    now.saturating_add(86_400)
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            strict: false,
            max_examples: 10,
            chunk_bytes: 1 << 20,
            inventory: None,
            max_line_bytes: MAX_LINE_BYTES,
            latest_time: a_day_from_now(),
        }
    }
}

/// A malformed line, kept as an example for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// 1-based line number in the decompressed text; for Parquet inputs
    /// ([`crate::flowlog_parquet`]), the 1-based row number in the file; 0 for the
    /// records of a group whose sum is too large ([`ParseErrorKind::SumTooLarge`]),
    /// which no one line is to blame for (`text` then describes the group).
    pub line: u64,
    /// Field and reason.
    pub error: ParseError,
    /// The start of the line (lossily decoded, at most 200 characters); for Parquet
    /// rows, the row's known fields rendered as a text line (`-` for null).
    pub text: String,
}

/// How AWS's own `pkt-*-aws-service` labels compare with ours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelCheck {
    /// Records whose remote side carries AWS's label and where it matches ours.
    pub agree: u64,
    /// Records where it does not.
    pub disagree: u64,
    /// The disagreements: (AWS's label or `-`, ours, count), most frequent first.
    pub disagreements: Vec<(String, String, u64)>,
}

/// What reading an input found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Record counts.
    pub counts: Counts,
    /// The first malformed lines, by line number.
    pub malformed_examples: Vec<Malformed>,
    /// The comparison with AWS's labels, when the format has them.
    pub aws_labels: LabelCheck,
    /// Earliest `start` seen.
    pub min_start: Option<i64>,
    /// Latest `start` seen.
    pub max_start: Option<i64>,
}

/// The summary of one input.
#[derive(Debug)]
pub struct Summary {
    /// The input's name.
    pub input: String,
    /// The format the records were read with.
    pub format: Format,
    /// Whether the format came from a header line.
    pub format_from_header: bool,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Counts, examples and checks.
    pub stats: Stats,
    /// The groups.
    pub aggregate: Aggregator,
}

impl Summary {
    /// The summary's rows, sorted.
    pub fn into_rows(self, ranges: &Ranges) -> Vec<Row> {
        self.aggregate.into_rows(ranges)
    }

    /// The metadata every file of this summary carries.
    fn file_meta(&self, ranges: &Ranges) -> FileMeta {
        FileMeta {
            ranges_sync_token: ranges.sync_token().to_owned(),
            ranges_create_date: ranges.create_date().to_owned(),
            inputs: vec![self.input.clone()],
            counts: self.stats.counts,
            compacted_from: Vec::new(),
        }
    }

    /// The summary split into Hive partitions, each with the metadata its file carries.
    pub fn into_partitions(self, ranges: &Ranges) -> (FileMeta, Vec<Partition>) {
        let meta = self.file_meta(ranges);
        (meta, summary::partitions(self.aggregate.into_rows(ranges)))
    }

    /// Each partition's summary file, encoded: (`account_id=…/region=…/day=…`
    /// directory, Parquet bytes), in order, and the metadata they carry. The same
    /// bytes as writing [`Summary::into_partitions`], without copying every value into
    /// an owned row first (a summary with many groups stays small).
    pub fn encode(self, ranges: &Ranges) -> Result<(FileMeta, Vec<EncodedFile>), Error> {
        let meta = self.file_meta(ranges);
        let groups = self.aggregate.into_groups(ranges);
        let rows = groups.sorted_rows();
        let mut files = Vec::new();
        for (dir, range) in summary::partition_ranges(&rows) {
            let mut body = Vec::new();
            summary::write_parquet_refs(&mut body, &rows[range], &meta)?;
            files.push((dir, body));
        }
        Ok((meta, files))
    }
}

/// One encoded summary file: its `account_id=…/region=…/day=…` directory and its
/// Parquet bytes.
pub type EncodedFile = (String, Vec<u8>);

/// Summarizes one input: plain or gzip text, with or without a header line.
///
/// `input` names the input in errors and reports, and its key layout supplies the
/// account and region of records whose format lacks them.
///
/// ```
/// use flowpath_core::{pipeline::{summarize, Options}, Ranges};
/// let text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
/// 2 123456789010 eni-1 10.0.0.5 52.95.128.179 4321 443 6 10 5000 1418530010 1418530070 ACCEPT OK
/// this line is broken
/// ";
/// let ranges = Ranges::embedded();
/// let s = summarize("example.log", text.as_bytes(), &ranges, &Options::default()).unwrap();
/// assert_eq!((s.stats.counts.ok, s.stats.counts.malformed), (1, 1));
/// assert_eq!(s.stats.malformed_examples[0].line, 3);
/// let rows = s.into_rows(&ranges);
/// assert_eq!(rows[0].remote_service.as_deref(), Some("S3"));
/// assert_eq!(rows[0].bytes, Some(5000));
/// ```
pub fn summarize<R: Read + Send>(
    input: &str,
    reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let read_err = |source| Error::Read {
        input: input.to_owned(),
        source,
    };
    let decoded = decode(reader).map_err(read_err)?;
    let gzip = decoded.is_gzip();
    let io_err = |source: io::Error| {
        if gzip {
            Error::Decompress {
                input: input.to_owned(),
                source,
            }
        } else {
            Error::Read {
                input: input.to_owned(),
                source,
            }
        }
    };
    let spare = Spare::default();
    let mut chunks = Chunks::new(
        decoded,
        opts.chunk_bytes.max(64),
        opts.max_line_bytes.max(64),
        &spare,
    );

    // The first line decides the format.
    let first = chunks.next().transpose().map_err(io_err)?;
    let (format, header, first) = match first {
        None => (opts.format.clone().unwrap_or_default(), None, None),
        Some(mut chunk) => {
            let text = chunk.text();
            let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
            let line = text[..end].strip_suffix(b"\r").unwrap_or(&text[..end]);
            match Format::from_header(line) {
                Some(Ok(format)) => {
                    let header = line.to_vec();
                    chunk.start = (end + 1).min(chunk.end);
                    chunk.first_line += 1;
                    (format, Some(header), Some(chunk))
                }
                Some(Err(error)) => {
                    return Err(Error::Format {
                        input: format!("{input}: line 1"),
                        error,
                    });
                }
                None => (opts.format.clone().unwrap_or_default(), None, Some(chunk)),
            }
        }
    };

    let ctx = ChunkContext::new(input, &format, header.as_deref(), ranges, opts);
    let part = first
        .into_iter()
        .map(Ok)
        .chain(chunks)
        .par_bridge()
        // One part per worker, fed chunk after chunk: its groups and interned values
        // carry over between chunks instead of being rebuilt and merged per chunk.
        .try_fold(Part::default, |mut part, chunk| {
            let chunk = chunk.map_err(io_err)?;
            ctx.process(&mut part, &chunk);
            spare.put(chunk.buf);
            Ok::<_, Error>(part)
        })
        .try_reduce(Part::default, |mut a, b| {
            a.merge(b, ctx.max_examples);
            Ok(a)
        })?;

    let format_from_header = header.is_some();
    finish(
        input,
        format,
        format_from_header,
        gzip,
        part,
        ranges,
        opts,
        |m| Error::Malformed {
            input: input.to_owned(),
            line: m.line,
            error: m.error,
        },
    )
}

/// The end of every input: under `opts.strict` the first malformed example becomes
/// the error (`strict_error` says how to name its place), AWS-label disagreements get
/// our labels' names and are sorted, and the [`Summary`] is assembled.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    input: &str,
    format: Format,
    format_from_header: bool,
    gzip: bool,
    part: Part,
    ranges: &Ranges,
    opts: &Options,
    strict_error: impl FnOnce(&Malformed) -> Error,
) -> Result<Summary, Error> {
    let mut stats = part.stats;
    // A group whose sum an INT64 cannot hold is written nowhere: its records are
    // malformed, with no one line to blame (which record tipped the sum depends on
    // the order of adding; that the sum does not fit does not).
    let too_large = part.aggregate.too_large();
    if !too_large.is_empty() {
        for (totals, what) in too_large {
            stats.counts.ok -= totals.flows;
            stats.counts.malformed += totals.flows;
            stats.malformed_examples.insert(
                0,
                Malformed {
                    line: 0,
                    error: ParseError {
                        field: totals.too_large(),
                        kind: ParseErrorKind::SumTooLarge,
                    },
                    text: what,
                },
            );
        }
        stats.malformed_examples.truncate(opts.max_examples.max(1));
    }
    if let Some(m) = stats.malformed_examples.first().filter(|_| opts.strict) {
        return Err(strict_error(m));
    }
    stats.aws_labels.disagreements = part
        .disagreements
        .into_iter()
        .map(|(aws, ours, n)| {
            (
                aws,
                ours.map_or("-".to_owned(), |l| ranges.label(l).service.clone()),
                n,
            )
        })
        .collect();
    stats
        .aws_labels
        .disagreements
        .sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    let mut aggregate = part.aggregate;
    aggregate.set_carried(Carried {
        packets: format.has(Field::Packets),
        bytes: format.has(Field::Bytes),
    });
    Ok(Summary {
        input: input.to_owned(),
        format,
        format_from_header,
        gzip,
        stats,
        aggregate,
    })
}

/// A run of whole lines, `buf[start..end]`, and the number of its first line; or a
/// line too long to read, skipped: then `overlong` holds its start (for the report)
/// and the text is empty.
struct Chunk {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    first_line: u64,
    overlong: Option<String>,
}

impl Chunk {
    fn text(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }
}

/// Chunk buffers done with, for the next chunks: a fresh megabyte buffer costs page
/// faults and the kernel's zeroing of every page, a reused one neither. A buffer keeps
/// its length (its bytes stay initialized), so reading into it again writes no zeros
/// first. Holds at most as many buffers as were in flight at once.
#[derive(Default)]
struct Spare(std::sync::Mutex<Vec<Vec<u8>>>);

impl Spare {
    fn put(&self, buf: Vec<u8>) {
        if let Ok(mut bufs) = self.0.lock() {
            bufs.push(buf);
        }
    }

    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut bufs| bufs.pop())
            .unwrap_or_default()
    }
}

/// Reads whole-line chunks of about `size` bytes.
///
/// A buffer never holds more than `size + max_line` bytes: a line that grows past
/// `max_line` without ending is read on and dropped to its newline, a buffer at a
/// time, and comes out as an `overlong` chunk.
struct Chunks<'s, R> {
    reader: R,
    size: usize,
    max_line: usize,
    /// The bytes after the last chunk's last newline: a partial line, or after an
    /// overlong line, whatever was read past its end (which may hold newlines).
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
    spare: &'s Spare,
}

impl<'s, R: Read> Chunks<'s, R> {
    fn new(reader: R, size: usize, max_line: usize, spare: &'s Spare) -> Self {
        Chunks {
            reader,
            size,
            max_line,
            carry: Vec::new(),
            next_line: 1,
            done: false,
            spare,
        }
    }

    fn fill(&mut self) -> io::Result<Option<Chunk>> {
        let mut buf = self.spare.take();
        let mut len = self.carry.len();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        // Where to look for a newline: the carry too, which may hold some.
        let mut unscanned = 0;
        while !self.done {
            if memchr::memchr(b'\n', &buf[unscanned..len]).is_some() {
                break;
            }
            // `buf[..len]` is one line that has not ended yet.
            if len > self.max_line {
                return self.skip_overlong(buf, len).map(Some);
            }
            unscanned = len;
            let want = self.size.saturating_sub(len).max(self.size / 8);
            if buf.len() < len + want {
                buf.resize(len + want, 0);
            }
            let n = read_full(&mut self.reader, &mut buf[len..len + want])?;
            len += n;
            if n < want {
                self.done = true;
            }
        }
        if !self.done {
            // Keep the partial last line for the next chunk.
            let cut = memchr::memrchr(b'\n', &buf[..len]).map_or(0, |i| i + 1);
            self.carry.extend_from_slice(&buf[cut..len]);
            len = cut;
        }
        if len == 0 {
            self.spare.put(buf);
            return Ok(None);
        }
        let text = &buf[..len];
        let lines = memchr::memchr_iter(b'\n', text).count() as u64;
        let first_line = self.next_line;
        self.next_line += lines + u64::from(text.last() != Some(&b'\n'));
        Ok(Some(Chunk {
            buf,
            start: 0,
            end: len,
            first_line,
            overlong: None,
        }))
    }

    /// Reads past the end of the overlong line that starts `buf` (and fills it), a
    /// buffer at a time; keeps what follows its newline for the next chunk.
    #[cold]
    fn skip_overlong(&mut self, mut buf: Vec<u8>, len: usize) -> io::Result<Chunk> {
        let head = example_text(buf.get(..len).unwrap_or_default());
        let first_line = self.next_line;
        self.next_line += 1;
        let size = self.size.max(64);
        buf.resize(size, 0);
        loop {
            let n = read_full(&mut self.reader, &mut buf)?;
            self.done = n < size;
            if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
                self.carry.extend_from_slice(&buf[i + 1..n]);
                break;
            }
            if self.done {
                break;
            }
        }
        Ok(Chunk {
            buf,
            start: 0,
            end: 0,
            first_line,
            overlong: Some(head),
        })
    }
}

/// The start of a malformed line as its example shows it: at most 200 characters,
/// lossily decoded from at most the first 800 bytes (which hold them), so a long line
/// is never decoded whole.
fn example_text(line: &[u8]) -> String {
    String::from_utf8_lossy(line.get(..800).unwrap_or(line))
        .chars()
        .take(200)
        .collect()
}

/// Reads into all of `buf` unless the input ends first, retrying interrupted reads;
/// returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl<R: Read> Iterator for Chunks<'_, R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done && self.carry.is_empty() {
            return None;
        }
        self.fill().transpose()
    }
}

/// A record's direction and remote address ([`classify::direction_and_remote`]).
type Sides = (Direction, Option<IpAddr>);

/// What every chunk shares: the per-record path of every input kind (text chunks
/// here, Parquet batches in [`crate::flowlog_parquet`]).
pub(crate) struct ChunkContext<'a> {
    format: &'a Format,
    max_line_bytes: usize,
    latest_time: i64,
    /// Whether the format has `packets` and `bytes`: a record with traffic then needs
    /// them.
    has_packets: bool,
    has_bytes: bool,
    /// Whether the format has `log-status`: without it, a record whose counts are all
    /// `-` is taken for the NODATA record it must be ([`ChunkContext::check`]).
    has_log_status: bool,
    header: Option<&'a [u8]>,
    ranges: &'a Ranges,
    hints: LayoutHints,
    check_labels: bool,
    pub(crate) max_examples: usize,
    inventory: Option<&'a Inventory>,
}

/// The result of some chunks.
#[derive(Default)]
pub(crate) struct Part {
    pub(crate) stats: Stats,
    aggregate: Aggregator,
    disagreements: Vec<(String, Option<LabelId>, u64)>,
}

impl Part {
    pub(crate) fn merge(&mut self, other: Part, max_examples: usize) {
        let (a, b) = (&mut self.stats, other.stats);
        a.counts.read += b.counts.read;
        a.counts.ok += b.counts.ok;
        a.counts.nodata += b.counts.nodata;
        a.counts.skipdata += b.counts.skipdata;
        a.counts.malformed += b.counts.malformed;
        a.malformed_examples.extend(b.malformed_examples);
        a.malformed_examples.sort_by_key(|m| m.line);
        a.malformed_examples.truncate(max_examples);
        a.aws_labels.agree += b.aws_labels.agree;
        a.aws_labels.disagree += b.aws_labels.disagree;
        a.min_start = min_opt(a.min_start, b.min_start);
        a.max_start = a.max_start.max(b.max_start);
        for (aws, ours, n) in other.disagreements {
            count_disagreement(&mut self.disagreements, &aws, ours, n);
        }
        self.aggregate.merge(other.aggregate);
    }

    /// Where records go, many in a row: the aggregator through a [`Feed`], which adds
    /// the last of them when the sink is dropped.
    pub(crate) fn sink(&mut self) -> Sink<'_> {
        Sink {
            stats: &mut self.stats,
            disagreements: &mut self.disagreements,
            feed: self.aggregate.feed(),
        }
    }
}

/// A [`Part`] taking records ([`Part::sink`]).
pub(crate) struct Sink<'p> {
    pub(crate) stats: &'p mut Stats,
    disagreements: &'p mut Vec<(String, Option<LabelId>, u64)>,
    feed: Feed<'p>,
}

/// Adds `n` to the count of records where AWS's label was `aws` and ours `ours`.
fn count_disagreement(
    disagreements: &mut Vec<(String, Option<LabelId>, u64)>,
    aws: &str,
    ours: Option<LabelId>,
    n: u64,
) {
    match disagreements
        .iter_mut()
        .find(|(a, o, _)| a == aws && *o == ours)
    {
        Some(entry) => entry.2 += n,
        None => disagreements.push((aws.to_owned(), ours, n)),
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl<'a> ChunkContext<'a> {
    /// The context of one input: `header` is the header line text inputs skip when it
    /// repeats (`None` for other inputs); `input` supplies the key-layout hints.
    pub(crate) fn new(
        input: &str,
        format: &'a Format,
        header: Option<&'a [u8]>,
        ranges: &'a Ranges,
        opts: &'a Options,
    ) -> Self {
        ChunkContext {
            inventory: opts.inventory.as_deref(),
            format,
            max_line_bytes: opts.max_line_bytes.max(64),
            latest_time: opts.latest_time,
            has_packets: format.has(Field::Packets),
            has_bytes: format.has(Field::Bytes),
            has_log_status: format.has(Field::LogStatus),
            header,
            ranges,
            hints: layout::hints_from_path(input),
            check_labels: format.has(Field::PktSrcAwsService)
                && format.has(Field::PktDstAwsService),
            // Under --strict the first malformed line is the error: keep at least it.
            max_examples: opts.max_examples.max(usize::from(opts.strict)),
        }
    }

    /// Parses, attributes and aggregates the lines of `chunk` into `part`.
    fn process(&self, part: &mut Part, chunk: &Chunk) {
        let mut sink = part.sink();
        if let Some(head) = &chunk.overlong {
            sink.stats.counts.read += 1;
            let error = self.too_long();
            self.malformed(&mut sink, chunk.first_line, error, || head.clone());
            return;
        }
        // Each record is attributed and aggregated once the next one is parsed (see
        // `ChunkContext::sides`): lines are parsed into `next`, and the record before,
        // with its sides, waits in `waiting` (the two records swap places). Only ever
        // parsed into with this chunk's format, as `parse_line_reusing` needs.
        let (mut a, mut b) = (Record::default(), Record::default());
        let (mut next, mut prev) = (&mut a, &mut b);
        let mut waiting = None;
        let text = chunk.text();
        // The chunk as `str` as far as it is UTF-8 (all of it, nearly always): one check
        // of the whole chunk is far cheaper than one of each line's text fields, and
        // the lines within it are parsed as `str`.
        let utf8 = match std::str::from_utf8(text) {
            Ok(s) => s,
            // The valid prefix, without checking it again.
            Err(_) => text.utf8_chunks().next().map_or("", |c| c.valid()),
        };
        for (this_line, (start, end)) in (chunk.first_line..).zip(Lines::new(text)) {
            let raw = text.get(start..end).unwrap_or_default();
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            // Record lines start with a value; only a blank line starts with white space
            // (checked without scanning every record line to its end).
            let blank = line.first().is_none_or(u8::is_ascii_whitespace)
                && line.iter().all(u8::is_ascii_whitespace);
            if blank || Some(line) == self.header {
                continue;
            }
            sink.stats.counts.read += 1;
            // The input's last line may pass the limit by up to a chunk before it ends.
            if line.len() > self.max_line_bytes {
                self.overlong_line(&mut sink, this_line, line);
                continue;
            }
            // Both ends of a line are next to a newline or an end of the text, so within
            // the UTF-8 part `get` finds character boundaries there.
            let parsed = match utf8.get(start..start + line.len()) {
                Some(line) => parse_str_reusing(self.format, line, next),
                None => parse_line_reusing(self.format, line, next),
            };
            match parsed.and_then(|()| self.check(&mut *next)) {
                Ok(()) => {
                    let sides = self.sides(next);
                    std::mem::swap(&mut next, &mut prev);
                    if let Some(sides) = waiting.replace(sides) {
                        self.record_with(&mut sink, next, sides);
                    }
                }
                Err(error) => self.malformed(&mut sink, this_line, error, || example_text(line)),
            }
        }
        if let Some(sides) = waiting {
            self.record_last(&mut sink, prev, sides);
        }
    }

    /// Counts a line longer than [`Options::max_line_bytes`] (out of the loop: it is
    /// rare, and inlined it cost the loop registers).
    #[cold]
    #[inline(never)]
    fn overlong_line(&self, sink: &mut Sink<'_>, at: u64, line: &[u8]) {
        self.malformed(sink, at, self.too_long(), || example_text(line));
    }

    /// The error of a line longer than [`Options::max_line_bytes`].
    fn too_long(&self) -> ParseError {
        ParseError {
            field: None,
            kind: ParseErrorKind::LineTooLong {
                max: self.max_line_bytes,
            },
        }
    }

    /// What a parsed record must also be to be summed: counts a Parquet INT64 holds,
    /// present where the record has traffic (missing is not zero), and times between
    /// [`EARLIEST_TIME`] and [`Options::latest_time`].
    ///
    /// A format without `log-status` cannot say NODATA, but AWS writes `-` for every
    /// count only in records without traffic (NODATA, SKIPDATA): such a record is
    /// marked NODATA here, not taken for traffic with missing counts.
    ///
    /// One branch on the common path: every test is folded into one flag, and only a
    /// record that trips it (NODATA and SKIPDATA ones too, whose counts are `-`) is
    /// looked at again, out of line.
    #[inline(always)]
    pub(crate) fn check(&self, rec: &mut Record<'_>) -> Result<(), ParseError> {
        let span = self.latest_time.wrapping_sub(EARLIEST_TIME) as u64;
        let late_or_early =
            |t: Option<i64>| t.is_some_and(|t| t.wrapping_sub(EARLIEST_TIME) as u64 > span);
        let too_large = |v: Option<u64>| v.is_some_and(|v| v > i64::MAX as u64);
        let suspect = late_or_early(rec.start)
            | late_or_early(rec.end)
            | too_large(rec.packets)
            | too_large(rec.bytes)
            | (self.has_packets & rec.packets.is_none())
            | (self.has_bytes & rec.bytes.is_none());
        if suspect {
            return self.check_again(rec);
        }
        Ok(())
    }

    /// [`ChunkContext::check`] for a record that may fail it: which test fails, if any.
    #[cold]
    #[inline(never)]
    fn check_again(&self, rec: &mut Record<'_>) -> Result<(), ParseError> {
        let bad = |field, kind| {
            Err(ParseError {
                field: Some(field),
                kind,
            })
        };
        for (field, value) in [(Field::Start, rec.start), (Field::End, rec.end)] {
            if value.is_some_and(|t| !(EARLIEST_TIME..=self.latest_time).contains(&t)) {
                return bad(field, ParseErrorKind::ImplausibleTime);
            }
        }
        let no_counts = (self.has_packets || self.has_bytes)
            && (!self.has_packets || rec.packets.is_none())
            && (!self.has_bytes || rec.bytes.is_none());
        if !self.has_log_status && no_counts {
            rec.log_status = Some(LogStatus::NoData);
        }
        if rec.has_traffic() {
            for (field, value, present) in [
                (Field::Packets, rec.packets, self.has_packets),
                (Field::Bytes, rec.bytes, self.has_bytes),
            ] {
                match value {
                    Some(v) if i64::try_from(v).is_err() => {
                        return bad(field, ParseErrorKind::TooLarge);
                    }
                    None if present => return bad(field, ParseErrorKind::MissingCount),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The last record of a chunk: [`ChunkContext::record_with`] out of line, so that
    /// the loop's own copy is the one inlined.
    #[cold]
    #[inline(never)]
    fn record_last(&self, sink: &mut Sink<'_>, rec: &Record<'_>, sides: Option<Sides>) {
        self.record_with(sink, rec, sides);
    }

    /// The direction and remote address of a record attributed without the inventory
    /// ([`classify::direction_and_remote`]), computed as soon as it is parsed; the
    /// remote's entry of the ranges table starts coming into cache meanwhile (it is
    /// seldom there, and a lookup that waited for it held everything after it up).
    #[inline(always)]
    fn sides(&self, rec: &Record<'_>) -> Option<Sides> {
        if self.inventory.is_some() {
            return None;
        }
        let sides = classify::direction_and_remote(rec, self.ranges);
        if let (_, Some(remote)) = sides {
            self.ranges.prefetch(remote);
        }
        Some(sides)
    }

    /// Counts a malformed record (line or row `at`, 1-based) and keeps it as an
    /// example while there is room; `text` is only called for a kept example.
    pub(crate) fn malformed(
        &self,
        sink: &mut Sink<'_>,
        at: u64,
        error: ParseError,
        text: impl FnOnce() -> String,
    ) {
        sink.stats.counts.malformed += 1;
        if sink.stats.malformed_examples.len() < self.max_examples {
            sink.stats.malformed_examples.push(Malformed {
                line: at,
                error,
                text: text(),
            });
        }
    }

    /// Counts, attributes and aggregates one parsed record (the caller has counted it
    /// as read).
    #[inline]
    pub(crate) fn record(&self, sink: &mut Sink<'_>, rec: &Record<'_>) {
        // Attributed at once: a prefetch of its ranges entry would have no time to pay.
        self.record_with(sink, rec, None);
    }

    /// [`ChunkContext::record`] with the record's [`ChunkContext::sides`] when they
    /// were computed ahead (`None`: attribution computes them).
    #[inline(always)]
    fn record_with(&self, sink: &mut Sink<'_>, rec: &Record<'_>, sides: Option<Sides>) {
        let stats = &mut *sink.stats;
        match rec.log_status {
            Some(LogStatus::NoData) => {
                stats.counts.nodata += 1;
                return;
            }
            Some(LogStatus::SkipData) => {
                stats.counts.skipdata += 1;
                return;
            }
            Some(LogStatus::Ok) | None => stats.counts.ok += 1,
        }
        if let Some(start) = rec.start {
            stats.min_start = min_opt(stats.min_start, Some(start));
            stats.max_start = stats.max_start.max(Some(start));
        }
        let attr = match (self.inventory, sides) {
            (Some(inv), _) => classify::attribute_with(rec, self.ranges, inv),
            (None, Some(sides)) => classify::attribute_sides(rec, self.ranges, sides),
            (None, None) => classify::attribute(rec, self.ranges),
        };
        if self.check_labels && attr.remote.is_some() {
            self.check_label(sink, rec, &attr);
        }
        sink.feed.add(&Contribution {
            start: rec.start,
            account_id: rec.account_id.or(self.hints.account_id.as_deref()),
            region: rec.region.or(self.hints.region.as_deref()),
            vpc_id: rec.vpc_id.or(attr.eni_vpc_id),
            subnet_id: rec.subnet_id.or(attr.eni_subnet_id),
            interface_id: rec.interface_id,
            interface_kind: attr.interface_kind,
            direction: attr.direction,
            path: attr.path,
            method: attr.method,
            gateway_id: attr.gateway_id,
            remote: attr.remote_label,
            remote_named: attr.remote_named,
            action: rec.action,
            protocol: rec.protocol,
            packets: rec.packets.unwrap_or(0),
            bytes: rec.bytes.unwrap_or(0),
        });
    }

    fn check_label(&self, sink: &mut Sink<'_>, rec: &Record<'_>, attr: &Attribution<'_>) {
        let aws = classify::aws_label(rec, attr);
        let ours = attr.remote_label;
        let agree = match (aws, ours) {
            (None, None) => true,
            (None, Some(l)) => l == ranges::INTERNET || l == ranges::PRIVATE,
            (Some(a), Some(l)) => self.ranges.label(l).service == a,
            (Some(_), None) => false,
        };
        if agree {
            sink.stats.aws_labels.agree += 1;
        } else {
            sink.stats.aws_labels.disagree += 1;
            count_disagreement(sink.disagreements, aws.unwrap_or("-"), ours, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";

    fn lines(n: usize) -> String {
        let mut s = String::from(HEADER);
        for i in 0..n {
            let dst = match i % 4 {
                0 => "52.95.128.179".to_owned(),
                1 => format!("203.0.113.{}", i % 250),
                2 => "10.0.0.9".to_owned(),
                _ => "2600:1f14::1".to_owned(),
            };
            if i % 97 == 5 {
                s.push_str("2 123456789012 eni-bad 10.0.0.1 nonsense 1 2 6 1 1 1 1 ACCEPT OK\n");
            } else if i % 50 == 7 {
                s.push_str("2 123456789012 eni-1 - - - - - - - 1700000000 1700000060 - NODATA\n");
            } else {
                s.push_str(&format!(
                    "2 123456789012 eni-{} 10.0.{}.{} {dst} {} 443 6 {} {} {} {} ACCEPT OK\n",
                    i % 7,
                    i % 3,
                    i % 200,
                    1024 + i,
                    i % 13 + 1,
                    i * 17 + 40,
                    1_700_000_000 + (i as i64 % 9) * 1200,
                    1_700_000_060 + (i as i64 % 9) * 1200
                ));
            }
        }
        s
    }

    fn run(text: &str, chunk_bytes: usize, threads: usize) -> (Stats, Vec<Row>) {
        let ranges = Ranges::embedded();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let opts = Options {
                chunk_bytes,
                ..Options::default()
            };
            let s = summarize("t.log", text.as_bytes(), &ranges, &opts).unwrap();
            (s.stats.clone(), s.into_rows(&ranges))
        })
    }

    #[test]
    fn every_chunking_and_thread_count_agrees() {
        let text = lines(3000);
        let want = run(&text, 1 << 20, 1);
        let c = want.0.counts;
        assert_eq!(c.read, 3000);
        assert_eq!(c.read, c.ok + c.nodata + c.skipdata + c.malformed);
        assert!(c.malformed > 0 && c.nodata > 0);
        // Every record that carries traffic is in exactly one group, the last of each
        // chunk too (records are aggregated a record late).
        let flows: i64 = want.1.iter().map(|r| r.flows).sum();
        assert_eq!(u64::try_from(flows).unwrap(), c.ok);
        assert_eq!(want.0.malformed_examples[0].line, 7, "line 1 is the header");
        for (chunk, threads) in [(64, 1), (64, 2), (100, 8), (4096, 2), (7 * 1024, 3)] {
            assert_eq!(
                run(&text, chunk, threads),
                want,
                "chunk {chunk}, threads {threads}"
            );
        }
    }

    #[test]
    fn no_trailing_newline_and_crlf() {
        let want = run(&lines(10), 64, 2);
        assert_eq!((want.0.counts.read, want.0.counts.malformed), (10, 1));
        let text = lines(10).replace('\n', "\r\n");
        assert_eq!(run(text.trim_end(), 64, 2), want);
    }

    #[test]
    fn lines_after_bytes_that_are_not_utf8() {
        // Lines of a chunk past its first byte that is not UTF-8 are parsed as bytes:
        // they give what they give in a chunk without that line.
        let good = lines(40);
        let mut text = good.clone().into_bytes();
        let at = good.match_indices('\n').nth(20).unwrap().0 + 1;
        let bad = b"2 123456789012 eni-\xff 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT OK\n";
        text.splice(at..at, bad.iter().copied());
        let ranges = Ranges::embedded();
        let s = summarize("t.log", &text[..], &ranges, &Options::default()).unwrap();
        assert_eq!((s.stats.counts.read, s.stats.counts.malformed), (41, 2));
        let m = &s.stats.malformed_examples;
        assert_eq!((m[1].line, m[1].error.kind), (22, ParseErrorKind::NotUtf8));
        let (stats, rows) = run(&good, 1 << 20, 1);
        assert_eq!(stats.counts.ok, s.stats.counts.ok);
        assert_eq!(s.into_rows(&ranges), rows);
    }

    /// Reads like a stream of `n` bytes of `byte`, made as it is read.
    struct Endless {
        byte: u8,
        left: usize,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.left);
            buf[..n].fill(self.byte);
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_line_without_end_is_skipped_in_bounded_buffers() {
        // 64 MiB without a newline after two lines, then one more line.
        let head = b"a b\nc d\n".as_slice();
        let tail = b"\ne f\n".as_slice();
        let body = Endless {
            byte: 0,
            left: 64 << 20,
        };
        let spare = Spare::default();
        let (size, max_line) = (1 << 16, 1 << 12);
        let chunks: Vec<Chunk> = Chunks::new(head.chain(body).chain(tail), size, max_line, &spare)
            .collect::<io::Result<_>>()
            .unwrap();
        for c in &chunks {
            assert!(
                c.buf.len() <= size + max_line,
                "a buffer of {}",
                c.buf.len()
            );
        }
        let described: Vec<(u64, Option<usize>, &[u8])> = chunks
            .iter()
            .map(|c| (c.first_line, c.overlong.as_ref().map(String::len), c.text()))
            .collect();
        assert_eq!(
            described,
            [
                (1, None, b"a b\nc d\n".as_slice()),
                (3, Some(200), b"".as_slice()),
                (4, None, b"e f\n".as_slice()),
            ]
        );
    }

    #[test]
    fn overlong_lines_count_once_whatever_the_chunking() {
        let good = lines(200);
        let at = good.match_indices('\n').nth(100).unwrap().0 + 1;
        let mut text = good.clone();
        text.insert_str(at, &format!("{}\n", "y".repeat(5000)));
        text.push_str(&"z".repeat(5000)); // the last line, without a newline
        let ranges = Ranges::embedded();
        let (want, want_rows) = run(&good, 1 << 20, 1);
        for (chunk, threads) in [(64, 1), (1000, 2), (1 << 20, 2)] {
            let opts = Options {
                chunk_bytes: chunk,
                max_line_bytes: 1000,
                ..Options::default()
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let s = pool
                .install(|| summarize("t.log", text.as_bytes(), &ranges, &opts))
                .unwrap();
            let c = s.stats.counts;
            assert_eq!(c.read, want.counts.read + 2, "chunk {chunk}");
            assert_eq!(c.malformed, want.counts.malformed + 2, "chunk {chunk}");
            let too_long: Vec<u64> = s
                .stats
                .malformed_examples
                .iter()
                .filter(|m| matches!(m.error.kind, ParseErrorKind::LineTooLong { max: 1000 }))
                .map(|m| m.line)
                .collect();
            assert_eq!(too_long, [102, 203], "chunk {chunk}");
            assert_eq!(s.into_rows(&ranges), want_rows, "chunk {chunk}");
        }
    }

    #[test]
    fn without_log_status_a_record_without_counts_is_nodata() {
        // AWS writes `-` for every count of a NODATA record; with no `log-status` in
        // the format, that record is NODATA, not traffic with missing counts.
        let text = "version interface-id srcaddr dstaddr packets bytes start end action\n\
                    2 eni-1 10.0.0.1 52.95.128.179 10 1000 1700000000 1700000060 ACCEPT\n\
                    2 eni-1 - - - - 1700000000 1700000060 -\n\
                    2 eni-1 10.0.0.1 52.95.128.179 - 1000 1700000000 1700000060 ACCEPT\n";
        let ranges = Ranges::embedded();
        let s = summarize("t.log", text.as_bytes(), &ranges, &Options::default()).unwrap();
        let c = s.stats.counts;
        assert_eq!((c.read, c.ok, c.nodata, c.malformed), (3, 1, 1, 1));
        let m = &s.stats.malformed_examples[0];
        assert_eq!(
            (m.line, m.error.field, m.error.kind),
            (4, Some(Field::Packets), ParseErrorKind::MissingCount)
        );
    }

    #[test]
    fn records_that_cannot_be_summed_are_malformed() {
        let header = HEADER;
        let rec = |packets: &str, bytes: &str, start: &str| {
            format!(
                "2 1 eni-1 10.0.0.1 52.95.128.179 1 443 6 {packets} {bytes} {start} 1700000060 ACCEPT OK\n"
            )
        };
        let big = i64::MAX.to_string();
        let text = [
            header.to_owned(),
            rec("1", "10", "1700000000"),
            rec("1", "9223372036854775808", "1700000000"),
            rec("-", "10", "1700000000"),
            rec("1", "10", "1300000000"),
            rec("1", "10", "1800000000"),
            // Each fits; their sum does not, whichever is added first.
            rec("1", &big, "1700003600"),
            rec("1", &big, "1700003600"),
        ]
        .concat();
        let ranges = Ranges::embedded();
        for chunk in [64, 1 << 20] {
            let opts = Options {
                chunk_bytes: chunk,
                latest_time: 1_750_000_000,
                ..Options::default()
            };
            let s = summarize("t.log", text.as_bytes(), &ranges, &opts).unwrap();
            assert_eq!(
                (s.stats.counts.read, s.stats.counts.ok),
                (7, 1),
                "chunk {chunk}"
            );
            assert_eq!(s.stats.counts.malformed, 6);
            let kinds: Vec<(u64, Option<Field>, ParseErrorKind)> = s
                .stats
                .malformed_examples
                .iter()
                .map(|m| (m.line, m.error.field, m.error.kind))
                .collect();
            assert_eq!(
                kinds,
                [
                    (0, Some(Field::Bytes), ParseErrorKind::SumTooLarge),
                    (3, Some(Field::Bytes), ParseErrorKind::TooLarge),
                    (4, Some(Field::Packets), ParseErrorKind::MissingCount),
                    (5, Some(Field::Start), ParseErrorKind::ImplausibleTime),
                    (6, Some(Field::Start), ParseErrorKind::ImplausibleTime),
                ],
                "chunk {chunk}"
            );
            assert!(
                s.stats.malformed_examples[0]
                    .text
                    .starts_with("the 2 records of the group")
            );
            let rows = s.into_rows(&ranges);
            assert_eq!(rows.len(), 1);
            assert_eq!(
                (rows[0].flows, rows[0].packets, rows[0].bytes),
                (1, Some(1), Some(10))
            );
        }
    }

    #[test]
    fn long_lines_longer_than_a_chunk() {
        let mut text = lines(5);
        text.push_str(&"x".repeat(10_000));
        text.push('\n');
        let (stats, _) = run(&text, 64, 2);
        assert_eq!(stats.counts.malformed, 1);
        assert_eq!(stats.malformed_examples[0].line, 7);
        assert_eq!(stats.malformed_examples[0].text.len(), 200);
    }
}
