//! Text split into chunks of whole lines, for workers to read in parallel.
//!
//! Invariants:
//! - a chunk holds whole lines only, and knows the number of its first line, so line
//!   numbers are those of the whole text whatever the chunk size;
//! - a buffer never holds more than the chunk size plus the line limit: a line that
//!   grows past the limit without ending is read on and dropped to its newline, and
//!   comes out as an `overlong` chunk holding only its start;
//! - buffers done with go back to a [`BufferPool`] and are reused, never zeroed again.

use std::io::{self, Read};

/// A run of whole lines, `buf[start..end]`, and the number of its first line; or a
/// line too long to read, skipped: then `overlong` holds its start (for the report)
/// and the text is empty.
pub(super) struct Chunk {
    pub(super) buf: Vec<u8>,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) first_line: u64,
    pub(super) overlong: Option<String>,
}

impl Chunk {
    pub(super) fn text(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }
}

/// Chunk buffers done with, for the next chunks: a fresh megabyte buffer costs page
/// faults and the kernel's zeroing of every page, a reused one neither. A buffer keeps
/// its length (its bytes stay initialized), so reading into it again writes no zeros
/// first. Holds at most as many buffers as were in flight at once.
#[derive(Default)]
pub(super) struct BufferPool(std::sync::Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    pub(super) fn put(&self, buf: Vec<u8>) {
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
pub(super) struct Chunks<'s, R> {
    reader: R,
    size: usize,
    max_line: usize,
    /// The bytes after the last chunk's last newline: a partial line, or after an
    /// overlong line, whatever was read past its end (which may hold newlines).
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
    pool: &'s BufferPool,
}

impl<'s, R: Read> Chunks<'s, R> {
    pub(super) fn new(reader: R, size: usize, max_line: usize, pool: &'s BufferPool) -> Self {
        Chunks {
            reader,
            size,
            max_line,
            carry: Vec::new(),
            next_line: 1,
            done: false,
            pool,
        }
    }

    fn fill(&mut self) -> io::Result<Option<Chunk>> {
        let mut buf = self.pool.take();
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
            self.pool.put(buf);
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
pub(crate) fn example_text(line: &[u8]) -> String {
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
