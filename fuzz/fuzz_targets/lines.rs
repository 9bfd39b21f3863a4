//! The pipeline's line finder (SSE2 on x86-64) against the portable references: the
//! lines are those `split` on `\n` gives (without the empty one after a final `\n`),
//! and every 64-byte block's newline mask equals the byte-at-a-time one.
#![no_main]

use flowpath_core::fuzzing::{block_newlines, block_newlines_bytewise, lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    let mut want = Vec::new();
    let mut start = 0;
    for part in text.split(|&b| b == b'\n') {
        want.push((start, start + part.len()));
        start += part.len() + 1;
    }
    if text.is_empty() || text.ends_with(b"\n") {
        want.pop();
    }
    assert_eq!(lines(text), want);

    // Every alignment of a block over the text, and the padded tail.
    for block in text.windows(64) {
        let block: &[u8; 64] = block.try_into().expect("a window of 64");
        assert_eq!(block_newlines(block), block_newlines_bytewise(block));
    }
    let mut tail = [0u8; 64];
    let rest = &text[text.len().saturating_sub(63)..];
    tail[..rest.len()].copy_from_slice(rest);
    assert_eq!(block_newlines(&tail), block_newlines_bytewise(&tail));
});
