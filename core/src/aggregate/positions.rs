//! The group table's index: group positions by hash, in buckets of one cache line.
//!
//! A bucket holds up to [`SLOTS`] positions with a tag byte each (eight bits of the
//! hash that do not choose the bucket), so a probe reads one 64-byte line where
//! `hashbrown` reads a control group and, apart from it, a slot. At tens of thousands
//! of groups the index no longer stays in L2 beside the input and the groups streaming
//! past, and every record probes it: one line a probe instead of two is what this
//! layout is for (BENCHMARKS.md, session 4, measures it).
//!
//! Invariants:
//! - a position is in the bucket its hash chooses, or, when that bucket was full at
//!   its insertion, in one of the buckets after it (wrapping); buckets are never
//!   emptied, so a probe may stop at the first bucket that is not full;
//! - at most [`LOAD`] positions a bucket on average: the index doubles before that,
//!   re-placing every position by the hash its caller keeps for it.

/// Positions a bucket holds.
const SLOTS: usize = 12;

/// Positions a bucket holds on average, at most, before the index doubles.
const LOAD: usize = 9;

/// One cache line: the tags of the positions, how many there are, the positions.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Bucket {
    tags: [u8; SLOTS],
    len: u32,
    positions: [u32; SLOTS],
}

/// The tag of a hash: its top eight bits (its low bits choose the bucket).
#[inline(always)]
fn tag(hash: u64) -> u8 {
    (hash >> 56) as u8
}

impl Bucket {
    /// Stores `position` under `tag`, when there is room.
    #[inline(always)]
    fn push(&mut self, tag: u8, position: u32) -> bool {
        let len = self.len as usize;
        if len == SLOTS {
            return false;
        }
        self.tags[len] = tag;
        self.positions[len] = position;
        self.len += 1;
        true
    }

    /// A bit per slot, the first in bit 0: set where a position is stored under `tag`.
    #[inline(always)]
    fn matching(&self, tag: u8) -> u32 {
        let [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3] = self.tags;
        let low = u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]);
        let high = u64::from_le_bytes([b0, b1, b2, b3, !tag, !tag, !tag, !tag]);
        let wanted = u64::from_ne_bytes([tag; 8]);
        let found = equal_bytes(low, wanted) | equal_bytes(high, wanted) << 8;
        found & ((1 << self.len) - 1)
    }
}

/// A bit per byte, the first in bit 0: set where the bytes of `a` and `b` are equal.
#[inline(always)]
fn equal_bytes(a: u64, b: u64) -> u32 {
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    let x = a ^ b;
    // The top bit of each byte: set where the byte of `x` is zero, exactly (no carry
    // crosses bytes: the low seven bits plus 0x7F stay within the byte).
    let zero = !(((x & LOW7) + LOW7) | x) & !LOW7;
    // Gather the top bits into the top byte (byte i's lands on bit 56 + i).
    ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// Group positions by hash. See the module docs.
#[derive(Clone, Debug, Default)]
pub(super) struct Positions {
    /// A power of two of buckets, or none before the first insertion.
    buckets: Vec<Bucket>,
    len: usize,
}

/// What [`Positions::find_or_insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// A stored position the caller accepted.
    At(u32),
    /// None was accepted: the new position is stored.
    Inserted,
}

impl Positions {
    /// An empty index with room for `n` positions before it grows (the tests start
    /// from both sizes).
    #[cfg(test)]
    pub(super) fn with_capacity(n: usize) -> Self {
        let buckets = n.div_ceil(LOAD).next_power_of_two().max(16);
        Positions {
            buckets: vec![Bucket::default(); buckets],
            len: 0,
        }
    }

    /// The stored position, among those stored under `hash`, that `accept` accepts;
    /// else stores `new` under `hash`. `hashes[p]` is the hash position `p` was stored
    /// under, for every stored `p`: the index re-places them when it grows.
    #[inline]
    pub(super) fn find_or_insert(
        &mut self,
        hash: u64,
        mut accept: impl FnMut(u32) -> bool,
        new: u32,
        hashes: &[u64],
    ) -> Found {
        if self.len >= self.buckets.len() * LOAD {
            self.grow(hashes);
        }
        let mask = self.buckets.len() - 1;
        let tag = tag(hash);
        let mut b = hash as usize & mask;
        loop {
            // `b` is masked: always a bucket.
            let bucket = &mut self.buckets[b];
            let mut found = bucket.matching(tag);
            while found != 0 {
                let slot = found.trailing_zeros() as usize;
                found &= found - 1;
                if let Some(&p) = bucket.positions.get(slot)
                    && accept(p)
                {
                    return Found::At(p);
                }
            }
            if bucket.push(tag, new) {
                self.len += 1;
                return Found::Inserted;
            }
            b = (b + 1) & mask;
        }
    }

    /// Starts fetching the bucket of `hash` into cache, for a probe a little later.
    #[inline(always)]
    pub(super) fn prefetch(&self, hash: u64) {
        if let Some(bucket) = self.bucket_of(hash) {
            crate::prefetch::prefetch(bucket);
        }
    }

    /// The bucket `hash` chooses; none before the first insertion.
    #[inline(always)]
    fn bucket_of(&self, hash: u64) -> Option<&Bucket> {
        let mask = self.buckets.len().wrapping_sub(1);
        self.buckets.get(hash as usize & mask)
    }

    /// Twice the buckets (at least 16), every position re-placed by its hash.
    #[cold]
    fn grow(&mut self, hashes: &[u64]) {
        let n = (self.buckets.len() * 2).max(16);
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::default(); n]);
        let mask = n - 1;
        for bucket in &old {
            for &p in bucket.positions.iter().take(bucket.len as usize) {
                // The caller keeps a hash for every stored position (see
                // `find_or_insert`): one missing is a bug, not a hash of 0.
                let hash = hashes[p as usize];
                let mut b = hash as usize & mask;
                // Positions are distinct: no need to look for one, only for room, which
                // the load limit guarantees.
                while !self.buckets[b].push(tag(hash), p) {
                    b = (b + 1) & mask;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn a_bucket_is_a_cache_line() {
        assert_eq!(size_of::<Bucket>(), 64);
        assert_eq!(align_of::<Bucket>(), 64);
    }

    #[test]
    fn equal_bytes_are_marked_exactly() {
        for b in 0..=255u8 {
            for i in 0..8 {
                let mut word = [0x00, 0x80, 0x7F, 0xFF, 0x01, 0xFE, b'a', b];
                word[i] = b;
                let marked = equal_bytes(u64::from_le_bytes(word), u64::from_ne_bytes([b; 8]));
                let want = word
                    .iter()
                    .enumerate()
                    .fold(0, |m, (j, &c)| m | u32::from(c == b) << j);
                assert_eq!(marked, want, "{word:?} {b}");
            }
        }
    }

    proptest! {
        /// Keys drawn from few hashes (and so few buckets and tags, with full buckets
        /// spilling into the next), against a map: each key keeps the position it got
        /// first, through every growth.
        #[test]
        fn positions_agree_with_a_map(
            keys in proptest::collection::vec(0u16..3000, 1..3000),
            hash_bits in proptest::sample::select(vec![0xFFFF_u64, 0x0F0F, 0xFF00_0000_0000_0003]),
        ) {
            // Distinct keys may share a hash: `accept` tells them apart, as the table's
            // key comparison does.
            let hash_of = |k: u16| u64::from(k).wrapping_mul(0x9E37_79B9_7F4A_7C15) & hash_bits
                | u64::from(k % 7) << 56;
            let mut index = if keys.len() % 2 == 0 {
                Positions::default()
            } else {
                Positions::with_capacity(keys.len() / 3)
            };
            let mut stored: Vec<u16> = Vec::new();
            let mut hashes: Vec<u64> = Vec::new();
            let mut model: HashMap<u16, u32> = HashMap::new();
            for &k in &keys {
                let hash = hash_of(k);
                let new = u32::try_from(stored.len()).unwrap();
                let got = index.find_or_insert(hash, |p| stored[p as usize] == k, new, &hashes);
                match model.get(&k) {
                    Some(&p) => prop_assert_eq!(got, Found::At(p)),
                    None => {
                        prop_assert_eq!(got, Found::Inserted);
                        model.insert(k, new);
                        stored.push(k);
                        hashes.push(hash);
                    }
                }
            }
            prop_assert_eq!(index.len, model.len());
            prop_assert!(index.len <= index.buckets.len() * LOAD);
        }
    }
}
