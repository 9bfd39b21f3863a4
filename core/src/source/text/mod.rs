//! The text source: flow-log lines, plain or gzip, with a header line or in a given
//! format, the way AWS delivers them to S3 (and any `Read` holding the same text).
//!
//! Invariants:
//! - the result is the same whatever the chunk size and thread count (chunks are
//!   read by rayon workers into their own `Tally`, and tallies merge
//!   order-independently);
//! - memory is bounded by the chunk size times the chunks in flight plus the groups,
//!   never by the input's size or a line's length: a line longer than
//!   [`Options::max_line_bytes`] is one malformed line, read on and dropped
//!   (`chunks`);
//! - the first line is the format when it is a header; otherwise the caller's format
//!   (default v2) applies; a later line equal to the header (files concatenated) is
//!   skipped;
//! - every line is accounted for: `read = ok + nodata + skipdata + malformed`, and
//!   blank lines and header lines are not records;
//! - within a chunk, records go through the `lookahead`; no result depends on it.

use std::io::{self, Read};

use crate::decode::decode_input;
use crate::engine::{Engine, Intake, Numbering, Options, Provenance, Summary, Tally};
use crate::error::Error;
use crate::format::Format;
use crate::parse::{ParseError, ParseErrorKind};
use crate::ranges::Ranges;

pub(crate) use chunks::example_text;
use chunks::{BufferPool, Chunk, Chunks};
use lines::Lines;
use lookahead::LookAhead;

mod chunks;
pub(crate) mod lines;
mod lookahead;

/// Summarizes one input: plain or gzip text, with or without a header line.
///
/// `input` names the input in errors and reports, and its key layout supplies the
/// account and region of records whose format lacks them.
///
/// ```
/// use flowpath_core::{engine::Options, source::text::summarize, Ranges};
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
    let (decoded, gzip) = decode_input(input, reader)?;
    summarize_decoded(input, decoded, gzip, ranges, opts)
}

/// [`summarize`] of a stream already decoded (`gzip`: whether it was gzip).
pub(crate) fn summarize_decoded<R: Read + Send>(
    input: &str,
    decoded: R,
    gzip: bool,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
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
    let pool = BufferPool::default();
    let max_line_bytes = opts.max_line_bytes.max(64);
    let mut chunks = Chunks::new(decoded, opts.chunk_bytes.max(64), max_line_bytes, &pool);

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

    let engine = Engine::new(input, format, Numbering::Lines, ranges, opts);
    let reader = ChunkReader {
        engine: &engine,
        header: header.as_deref(),
        max_line_bytes,
    };
    let pieces = first.into_iter().map(Ok).chain(chunks);
    let tally = engine.tally(pieces, |tally, chunk| {
        let chunk = chunk.map_err(io_err)?;
        reader.read(tally, &chunk);
        pool.put(chunk.buf);
        Ok(())
    })?;
    let provenance = Provenance {
        format_from_header: header.is_some(),
        gzip,
    };
    engine.finish(tally, provenance)
}

/// Reads the lines of chunks into the engine.
struct ChunkReader<'e> {
    engine: &'e Engine<'e>,
    /// The header line, skipped where it repeats.
    header: Option<&'e [u8]>,
    max_line_bytes: usize,
}

impl ChunkReader<'_> {
    /// Parses the lines of `chunk` and hands them to the engine, into `tally`.
    fn read(&self, tally: &mut Tally, chunk: &Chunk) {
        let engine = self.engine;
        let mut intake = tally.intake();
        if let Some(head) = &chunk.overlong {
            let error = Err(self.too_long());
            engine.take(&mut intake, chunk.first_line, error, || head.clone());
            return;
        }
        let mut ahead = LookAhead::new(engine.format());
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
            engine.count_read(&mut intake);
            // The input's last line may pass the limit by up to a chunk before it ends.
            if line.len() > self.max_line_bytes {
                self.overlong_line(&mut intake, this_line, line);
                continue;
            }
            // Both ends of a line are next to a newline or an end of the text, so within
            // the UTF-8 part `get` finds character boundaries there.
            let parsed = match utf8.get(start..start + line.len()) {
                Some(line) => ahead.slot().parse_str(line),
                None => ahead.slot().parse_bytes(line),
            };
            if let Err(error) = parsed.and_then(|()| ahead.parsed(engine, &mut intake)) {
                engine.malformed(&mut intake, this_line, error, || example_text(line));
            }
        }
        ahead.finish(engine, &mut intake);
    }

    /// Counts a line longer than [`Options::max_line_bytes`] (out of the loop: it is
    /// rare, and inlined it cost the loop registers).
    #[cold]
    #[inline(never)]
    fn overlong_line(&self, intake: &mut Intake<'_>, at: u64, line: &[u8]) {
        self.engine
            .malformed(intake, at, self.too_long(), || example_text(line));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Stats;
    use crate::format::Field;
    use crate::output::Row;

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
        let pool = BufferPool::default();
        let (size, max_line) = (1 << 16, 1 << 12);
        let chunks: Vec<Chunk> = Chunks::new(head.chain(body).chain(tail), size, max_line, &pool)
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
    fn a_record_taken_for_nodata_leaves_no_trace_on_the_next() {
        // The text source parses line after line into the same two records: a record
        // the engine took for NODATA (a format without `log-status`) must not make a
        // later line parsed into the same record NODATA too.
        let mut text =
            String::from("version interface-id srcaddr dstaddr packets bytes start end action\n");
        text.push_str("2 eni-1 - - - - 1700000000 1700000060 -\n");
        for _ in 0..4 {
            text.push_str("2 eni-1 10.0.0.1 52.95.128.179 10 1000 1700000000 1700000060 ACCEPT\n");
        }
        let ranges = Ranges::embedded();
        let s = summarize("t.log", text.as_bytes(), &ranges, &Options::default()).unwrap();
        let c = s.stats.counts;
        assert_eq!((c.read, c.ok, c.nodata, c.malformed), (5, 4, 1, 0));
        let rows = s.into_rows(&ranges);
        assert_eq!(rows.iter().map(|r| r.flows).sum::<i64>(), 4);
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
