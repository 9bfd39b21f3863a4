//! The crate-private code paths the fuzz targets (`fuzz/`) compare with their public
//! twins, behind the `fuzzing` feature: not an API, and not built otherwise.
#![doc(hidden)]

/// The `(start, end)` of each line of `text`, as the text source finds them (SSE2 on
/// x86-64).
pub fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    crate::source::text::lines::Lines::new(text).collect()
}

/// The newline mask of a block as the text source computes it (SSE2 on x86-64).
pub fn block_newlines(block: &[u8; 64]) -> u64 {
    crate::source::text::lines::block_newlines(block)
}

/// The newline mask of a block, a byte at a time (the portable reference).
pub fn block_newlines_bytewise(block: &[u8; 64]) -> u64 {
    crate::source::text::lines::block_newlines_bytewise(block)
}
