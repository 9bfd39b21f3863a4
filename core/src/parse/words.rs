//! A line read eight bytes at a time: the value readers' words and where values end.
//!
//! Invariants: a word is the eight bytes at a position, the first in the low byte,
//! with spaces standing for bytes past the end of the line, so a value always ends at
//! a space in a word and no reader needs a bounds check of its own; nothing here reads
//! outside the line.

pub(super) const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
pub(super) const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
pub(super) const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
pub(super) const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// The eight bytes at `line[pos..]` as a little-endian word (the first in the low
/// byte), spaces standing for those past the end of the line.
///
/// Values are read a word at a time; a space ends a value, so the padding ends it at
/// the end of the line just as a real space would, and readers need no other check.
#[inline(always)]
pub(super) fn word_at(line: &[u8], pos: usize) -> u64 {
    match line.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        Some(word) => u64::from_le_bytes(*word),
        None => tail_word(line, pos),
    }
}

/// [`word_at`] within eight bytes of the end: the line's last eight bytes shifted
/// down, spaces shifted in (only a line shorter than eight bytes needs a copy).
#[inline]
fn tail_word(line: &[u8], pos: usize) -> u64 {
    let rest = line.get(pos..).unwrap_or_default();
    let n = rest.len();
    if n == 0 {
        return SPACES;
    }
    // 1 to 7 bytes left.
    match line.last_chunk::<8>() {
        Some(last) => (u64::from_le_bytes(*last) >> (8 * (8 - n))) | (SPACES << (8 * n)),
        None => {
            let mut word = [b' '; 8];
            if let Some(head) = word.get_mut(..n) {
                head.copy_from_slice(rest);
            }
            u64::from_le_bytes(word)
        }
    }
}

/// The index of the first space at or after `pos`, else `line.len()` (`pos` at most
/// `line.len()`).
///
/// Values are short (a few to a few dozen bytes), too short for memchr's setup to pay
/// off: this looks at eight bytes at a time with word arithmetic.
#[inline(always)]
pub(super) fn token_end(line: &[u8], pos: usize) -> usize {
    // Bytes equal to a space become zero; the classic zero-byte test then marks the
    // first zero byte exactly (bytes after it may be marked falsely, which does not
    // matter for finding the first).
    let first_space = |word: u64| {
        let x = word ^ SPACES;
        x.wrapping_sub(LOW) & !x & HIGH
    };
    let rest = line.get(pos..).unwrap_or_default();
    let (words, _) = rest.as_chunks::<8>();
    let mut end = pos;
    for word in words {
        let zero = first_space(u64::from_le_bytes(*word));
        if zero != 0 {
            return end + (zero.trailing_zeros() / 8) as usize;
        }
        end += 8;
    }
    // The last few bytes, padded with spaces: this stops at the end at the latest.
    end + (first_space(tail_word(line, end)).trailing_zeros() / 8) as usize
}

/// Whether a value ends at `v[pos]`: a space or the end.
#[inline(always)]
pub(super) fn ends(v: &[u8], pos: usize) -> bool {
    v.get(pos).is_none_or(|&b| b == b' ')
}
