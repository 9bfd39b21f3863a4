//! The lines of a chunk of text: where each starts and ends.
//!
//! A line ends at a `\n` (not part of it) or at the end of the text; text that ends
//! with `\n` has no empty line after it, and empty text has no line. These are the
//! lines `split(|&b| b == b'\n')` gives, but for the empty one it gives after a final
//! `\n`.
//!
//! The newlines are found 64 bytes at a time, into a bit mask the lines are then taken
//! from one after another. Flow-log lines are about a hundred bytes: a `memchr` call a
//! line spent most of its time setting up its search and leaving it, and its exit
//! branch, taken after a different number of blocks each line, was often mispredicted
//! (BENCHMARKS.md, session 6). On x86-64 a block's mask takes four SSE2 comparisons
//! (baseline on every x86-64 CPU, through `safe_arch`, which wraps the intrinsics
//! safely); elsewhere a loop over the bytes builds it.

/// The `(start, end)` of each line of a text (see the module docs).
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    /// Where the next line starts.
    start: usize,
    /// Where the next block starts: `mask` is of the 64 bytes before it.
    block: usize,
    /// The newlines of the latest block not yet taken: bit `i` for byte
    /// `block - 64 + i`.
    mask: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            start: 0,
            block: 0,
            mask: 0,
        }
    }
}

impl Iterator for Lines<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        while self.mask == 0 {
            if self.block >= self.text.len() {
                // No newline left: what remains, if anything, is the last line.
                let start = self.start;
                self.start = self.text.len();
                return (start < self.text.len()).then_some((start, self.text.len()));
            }
            self.mask = newlines(self.text, self.block);
            self.block += 64;
        }
        let end = self.block - 64 + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some((std::mem::replace(&mut self.start, end + 1), end))
    }
}

/// The newlines of the 64 bytes at `text[at..]` (`at` within the text), a bit each;
/// bytes past the end are no newline.
#[inline(always)]
fn newlines(text: &[u8], at: usize) -> u64 {
    let rest = text.get(at..).unwrap_or_default();
    match rest.first_chunk::<64>() {
        Some(block) => block_newlines(block),
        None => block_newlines(&padded(rest)),
    }
}

/// The last bytes of a text, fewer than 64, padded with zeros to a block (once a
/// text).
#[cold]
fn padded(rest: &[u8]) -> [u8; 64] {
    let mut block = [0; 64];
    if let Some(head) = block.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    block
}

/// The newlines of a block, a bit each, the first byte's in bit 0.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn block_newlines(block: &[u8; 64]) -> u64 {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let newline = set_splat_i8_m128i(b'\n' as i8);
    let (quarters, _) = block.as_chunks::<16>();
    let mut mask = 0;
    for (i, quarter) in quarters.iter().enumerate() {
        let equal = cmp_eq_mask_i8_m128i(load_unaligned_m128i(quarter), newline);
        // One bit a byte, in the low 16 bits.
        #[allow(clippy::cast_sign_loss)]
        let bits = move_mask_i8_m128i(equal) as u16;
        mask |= u64::from(bits) << (16 * i);
    }
    mask
}

/// The newlines of a block, a bit each, the first byte's in bit 0.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn block_newlines(block: &[u8; 64]) -> u64 {
    block_newlines_bytewise(block)
}

/// [`block_newlines`] a byte at a time: what other architectures use, and the
/// reference the SSE2 version is tested against.
#[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
pub(crate) fn block_newlines_bytewise(block: &[u8; 64]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &b)| mask | u64::from(b == b'\n') << i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lines as `split` gives them, without the empty one after a final `\n`.
    fn reference(text: &[u8]) -> Vec<(usize, usize)> {
        let mut lines = Vec::new();
        let mut start = 0;
        for part in text.split(|&b| b == b'\n') {
            lines.push((start, start + part.len()));
            start += part.len() + 1;
        }
        if text.is_empty() || text.ends_with(b"\n") {
            lines.pop();
        }
        lines
    }

    #[test]
    fn edges() {
        type Case = (&'static [u8], &'static [(usize, usize)]);
        let cases: [Case; 6] = [
            (b"", &[]),
            (b"\n", &[(0, 0)]),
            (b"a", &[(0, 1)]),
            (b"a\n", &[(0, 1)]),
            (b"a\n\nbc", &[(0, 1), (2, 2), (3, 5)]),
            (b"\n\n", &[(0, 0), (1, 1)]),
        ];
        for (text, want) in cases {
            assert_eq!(Lines::new(text).collect::<Vec<_>>(), want, "{text:?}");
            assert_eq!(reference(text), want, "{text:?}");
        }
        // Newlines at both ends of blocks, and a line spanning several.
        let mut text = vec![b'x'; 200];
        for i in [0, 63, 64, 127, 199] {
            text[i] = b'\n';
        }
        assert_eq!(Lines::new(&text).collect::<Vec<_>>(), reference(&text));
    }

    #[test]
    fn every_byte_value_is_told_apart_from_a_newline() {
        let block: [u8; 64] = std::array::from_fn(|i| i as u8 * 4 + 2);
        for b in 0..=255u8 {
            let mut block = block;
            block[usize::from(b) % 64] = b;
            assert_eq!(
                block_newlines(&block),
                block_newlines_bytewise(&block),
                "{b}"
            );
        }
    }

    proptest! {
        #[test]
        fn lines_agree_with_split(
            text in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>(), Just(b' ')],
                0..400,
            )
        ) {
            prop_assert_eq!(Lines::new(&text).collect::<Vec<_>>(), reference(&text));
        }

        #[test]
        fn masks_agree_with_the_bytewise_reference(
            bytes in proptest::collection::vec(any::<u8>(), 64),
            at in 0usize..64,
        ) {
            let mut block: [u8; 64] = bytes.try_into().unwrap();
            block[at] = b'\n';
            prop_assert_eq!(block_newlines(&block), block_newlines_bytewise(&block));
        }
    }
}
