//! Flat longest-prefix-match tables: the lookup side of [`crate::ranges`].
//!
//! [`crate::ranges`] resolves every overlap of AWS's prefixes once, at build time, into
//! a step function per address family: a list of interval starts, each with the
//! [`LabelId`] that holds from that start up to the next one. This module only stores
//! such a list so that "which interval holds this address" is a few loads and compares.
//! No attribution rule runs here.
//!
//! # Input invariants
//!
//! Both builders take `starts: &[(address, LabelId)]` and require (checked with
//! `debug_assert!`, guaranteed by `ranges`):
//!
//! - the starts are strictly increasing, so the intervals are disjoint and sorted;
//! - the first start is `0`, so the intervals cover the whole address space (the last
//!   interval runs to the top address).
//!
//! Neighbours may share a label (`ranges` merges them, but nothing here depends on it).
//!
//! # IPv4: [`V4Table`], DXR-style D16R
//!
//! After Zec, Rizzo and Mikuc, "DXR: towards a billion routing lookups per second in
//! software" (CCR 2012):
//!
//! - `direct`: 65,536 `u32` entries, one per /16 (the top 16 address bits). A /16 that
//!   lies inside one interval stores its label directly (bit 31 clear).
//! - Any other /16 is a *chunk* (bit 31 set): the entry points at a run of `ranges`,
//!   one `u32` per interval that meets the /16, packed as `low 16 bits of the interval
//!   start << 16 | label`. The run's first element always has start 0 (the interval that
//!   holds the /16's first address), so a search never falls off its left end.
//! - A chunk entry stores the run's length in bits 19..31 and its offset in bits 0..19.
//!   A run longer than 4,095 or starting past 2^19 is *long*: its length field is 0 and
//!   the low bits index `long`, which holds the full (offset, length). Real tables never
//!   produce one (the 2026-08 file has 739 chunks of at most 337 intervals), but any
//!   input is representable.
//! - The run is searched with a branchless binary search (`select_unpredictable`):
//!   on the 2026-08 table that is about 4x faster than the same search with a branch.
//!
//! Cost: one load for a /16 without AWS boundaries (most of the space), otherwise one
//! load plus `ceil(log2(run length))` dependent probes. Size: 256 KiB + 4 bytes per run
//! element (about 290 KB for the real table).
//!
//! # IPv6: [`V6Table`], flat sorted array
//!
//! All interval starts, as `(hi: u64, lo: u64)` pairs, in one sorted array, plus a
//! parallel array of labels. A lookup is a branchless binary search; each probe compares
//! the pair with bitwise `&`/`|` on two `u64` compares, which the compiler keeps
//! branch-free (a plain `u128` compare did not). Cost: `ceil(log2(n))` dependent probes
//! (12 for the real table's ~2,900 intervals). Size: 18 bytes per interval.
//!
//! Both tables are immutable after build, `Send + Sync`, and hold no pointers into
//! other data.

use std::hint::select_unpredictable;

use crate::ranges::LabelId;

/// Bits of the address that index [`V4Table::direct`].
const V4_DIRECT_BITS: u32 = 16;
/// Number of entries in [`V4Table::direct`].
const V4_DIRECT_LEN: usize = 1 << V4_DIRECT_BITS;
/// Set in a direct entry that points at a run of `ranges`.
const CHUNK: u32 = 1 << 31;
/// Where the run length sits in a chunk entry.
const LEN_SHIFT: u32 = 19;
/// Mask of the run length field (after shifting); a length of 0 marks a long run.
const LEN_MASK: u32 = (1 << 12) - 1;
/// Mask of the offset field (or, for a long run, of the index into `long`).
const OFF_MASK: u32 = (1 << LEN_SHIFT) - 1;

/// The IPv4 table: a D16R direct table over the top 16 bits plus per-/16 runs.
#[derive(Clone)]
pub(crate) struct V4Table {
    /// One entry per /16: a label (bit 31 clear) or a chunk entry (bit 31 set).
    direct: Box<[u32; V4_DIRECT_LEN]>,
    /// Every run, back to back: `low 16 bits of the start << 16 | label`.
    ranges: Box<[u32]>,
    /// (offset, length) of the runs too long or too far out to fit a chunk entry.
    long: Box<[(u32, u32)]>,
}

impl V4Table {
    /// Builds the table from interval starts (see the module docs for the invariants).
    pub(crate) fn build(starts: &[(u32, LabelId)]) -> V4Table {
        Self::build_with_limits(starts, LEN_MASK, OFF_MASK)
    }

    /// [`V4Table::build`] with smaller limits for inline runs, so tests can reach the
    /// long-run path with small tables.
    fn build_with_limits(starts: &[(u32, LabelId)], max_len: u32, max_off: u32) -> V4Table {
        debug_assert!(
            starts.first().is_some_and(|s| s.0 == 0),
            "intervals must start at 0"
        );
        debug_assert!(
            starts.windows(2).all(|w| w[0].0 < w[1].0),
            "starts must increase"
        );
        let mut direct = vec![0u32; V4_DIRECT_LEN];
        let mut ranges: Vec<u32> = Vec::new();
        let mut long: Vec<(u32, u32)> = Vec::new();
        // `i` is the interval that holds the first address of the current /16.
        let mut i = 0;
        for (chunk, slot) in (0u32..).zip(direct.iter_mut()) {
            let base = chunk << V4_DIRECT_BITS;
            while i + 1 < starts.len() && starts[i + 1].0 <= base {
                i += 1;
            }
            let label = starts.get(i).map_or(0, |s| s.1);
            // Intervals that start strictly inside this /16.
            let end = i
                + 1
                + starts[(i + 1).min(starts.len())..]
                    .iter()
                    .take_while(|s| s.0 >> V4_DIRECT_BITS == chunk)
                    .count();
            if end == i + 1 {
                *slot = u32::from(label);
                continue;
            }
            let offset = len_u32(ranges.len());
            let run_len = len_u32(end - i);
            ranges.push(u32::from(label));
            ranges.extend(
                starts[i + 1..end]
                    .iter()
                    .map(|&(start, label)| ((start & 0xFFFF) << 16) | u32::from(label)),
            );
            *slot = if run_len <= max_len && offset <= max_off {
                CHUNK | (run_len << LEN_SHIFT) | offset
            } else {
                // At most 65,536 long runs, so the index always fits the offset field.
                let index = len_u32(long.len());
                long.push((offset, run_len));
                CHUNK | index
            };
        }
        let direct: Box<[u32; V4_DIRECT_LEN]> = direct
            .into_boxed_slice()
            .try_into()
            .expect("the direct table was allocated with V4_DIRECT_LEN entries");
        V4Table {
            direct,
            ranges: ranges.into(),
            long: long.into(),
        }
    }

    /// The label of the interval that holds `addr`.
    #[inline]
    pub(crate) fn lookup(&self, addr: u32) -> LabelId {
        let entry = self.direct[(addr >> V4_DIRECT_BITS) as usize];
        if entry & CHUNK == 0 {
            return entry as LabelId;
        }
        let mut len = (entry >> LEN_SHIFT) & LEN_MASK;
        let mut offset = entry & OFF_MASK;
        if len == 0 {
            (offset, len) = self.long[offset as usize];
        }
        let run = &self.ranges[offset as usize..(offset + len) as usize];
        // `entry <= key` exactly when the entry's 16-bit start <= the address's low bits.
        let key = (addr << 16) | 0xFFFF;
        search_u32(run, key) as LabelId
    }

    /// Heap bytes held by the table.
    pub(crate) fn size_bytes(&self) -> usize {
        size_of_val(&*self.direct) + size_of_val(&*self.ranges) + size_of_val(&*self.long)
    }
}

/// The last element of `run` that is `<= key`, or `run[0]` when none is; branchless.
///
/// `run` must not be empty.
#[inline]
fn search_u32(run: &[u32], key: u32) -> u32 {
    let mut base = 0;
    let mut n = run.len();
    while n > 1 {
        let half = n / 2;
        base = select_unpredictable(run[base + half] <= key, base + half, base);
        n -= half;
    }
    run[base]
}

/// Converts a length that the tables bound (at most 2^32 IPv4 intervals) to `u32`.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("an IPv4 table has at most 2^32 intervals")
}

/// Bits of the address that index [`V6Table::direct`].
const V6_DIRECT_BITS: u32 = 16;
/// Number of entries in [`V6Table::direct`].
const V6_DIRECT_LEN: usize = 1 << V6_DIRECT_BITS;
/// Set in a tree answer that names a group for [`V6Table::slow`] instead of a label.
const SLOW: u32 = 1 << 31;

/// The interval starts that share their top 64 bits.
#[derive(Clone, Copy, Debug)]
struct Group {
    /// The shared top 64 bits.
    hi: u64,
    /// Index of the group's first start in `lo` and `labels`.
    first: u32,
    /// Number of starts in the group (at least 1).
    len: u32,
}

/// The IPv6 table: a /16 filter, then a static B-tree over the starts' top 64 bits.
#[derive(Clone)]
pub(crate) struct V6Table {
    /// One entry per /16: `label + 1` when the /16 lies inside one interval, else 0.
    direct: Box<[u32; V6_DIRECT_LEN]>,
    /// The groups' top 64 bits, strictly increasing, the first 0.
    his: Box<[u64]>,
    /// Per group: its label when the group is one start at `lo == 0`, else
    /// `SLOW | group index`.
    answers: Box<[u32]>,
    /// Interval starts grouped by their top 64 bits, in order.
    groups: Box<[Group]>,
    /// The low 64 bits of every start, in order.
    lo: Box<[u64]>,
    /// The label of every start, in order: `labels[i]` holds up to the next start.
    labels: Box<[LabelId]>,
}

impl V6Table {
    /// Builds the table from interval starts (see the module docs for the invariants).
    pub(crate) fn build(starts: &[(u128, LabelId)]) -> V6Table {
        debug_assert!(
            starts.first().is_some_and(|s| s.0 == 0),
            "intervals must start at 0"
        );
        debug_assert!(
            starts.windows(2).all(|w| w[0].0 < w[1].0),
            "starts must increase"
        );
        let starts = if starts.is_empty() {
            &[(0, 0)][..]
        } else {
            starts
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut lo = Vec::with_capacity(starts.len());
        let mut labels = Vec::with_capacity(starts.len());
        for (i, &(start, label)) in starts.iter().enumerate() {
            let hi = (start >> 64) as u64;
            match groups.last_mut() {
                Some(g) if g.hi == hi => g.len += 1,
                _ => groups.push(Group {
                    hi,
                    first: len_u32(i),
                    len: 1,
                }),
            }
            lo.push(start as u64);
            labels.push(label);
        }
        let answer = |rank: usize| -> u32 {
            // The key of `rank` is the smallest above the address: the group before it.
            let g = rank.saturating_sub(1);
            let group = groups[g];
            if group.len == 1 && lo[group.first as usize] == 0 {
                u32::from(labels[group.first as usize])
            } else {
                SLOW | len_u32(g)
            }
        };
        debug_assert!(
            u32::try_from(groups.len()).is_ok_and(|n| n < SLOW),
            "group indices fit 31 bits"
        );
        let his: Vec<u64> = groups.iter().map(|g| g.hi).collect();
        let answers: Vec<u32> = (0..groups.len()).map(|g| answer(g + 1)).collect();
        let mut direct = vec![0u32; V6_DIRECT_LEN];
        let mut g0 = 0;
        for (chunk, slot) in (0u64..).zip(direct.iter_mut()) {
            let base = chunk << 48;
            while g0 + 1 < his.len() && his[g0 + 1] <= base {
                g0 += 1;
            }
            let end = g0
                + 1
                + his[g0 + 1..]
                    .iter()
                    .take_while(|&&h| h >> 48 == chunk)
                    .count();
            let inside_group = end > g0 + 1 || (answers[g0] & SLOW != 0);
            *slot = if inside_group {
                let len = (end - g0) as u32;
                assert!(len <= LEN_MASK && (g0 as u32) <= OFF_MASK);
                CHUNK | (len << LEN_SHIFT) | g0 as u32
            } else {
                answers[g0]
            };
        }
        let direct: Box<[u32; V6_DIRECT_LEN]> = direct
            .into_boxed_slice()
            .try_into()
            .expect("the direct table was allocated with V6_DIRECT_LEN entries");
        V6Table {
            direct,
            his: his.into(),
            answers: answers.into(),
            groups: groups.into(),
            lo: lo.into(),
            labels: labels.into(),
        }
    }

    /// The label of the interval that holds `addr`.
    #[inline]
    pub(crate) fn lookup(&self, addr: u128) -> LabelId {
        let e = self.direct[(addr >> (128 - V6_DIRECT_BITS)) as usize];
        if e & CHUNK == 0 {
            return e as LabelId;
        }
        let hi = (addr >> 64) as u64;
        let off = (e & OFF_MASK) as usize;
        let len = ((e >> LEN_SHIFT) & LEN_MASK) as usize;
        let his = &self.his[off..off + len];
        let mut base = 0;
        let mut n = his.len();
        while n > 1 {
            let half = n / 2;
            base = select_unpredictable(his[base + half] <= hi, base + half, base);
            n -= half;
        }
        let base = base + off;
        let answer = self.answers[base];
        if answer & SLOW == 0 {
            return answer as LabelId;
        }
        self.slow((answer & !SLOW) as usize, hi, addr as u64)
    }

    /// The answer for an address whose group has several starts, or one start not at
    /// the group's first address: compare the low 64 bits too.
    #[cold]
    fn slow(&self, g: usize, hi: u64, lo: u64) -> LabelId {
        let group = self.groups[g];
        let (first, len) = (group.first as usize, group.len as usize);
        let index = if hi > group.hi {
            first + len - 1
        } else {
            // hi == group.hi. No starts at or below `lo` means the previous group's last
            // start, which exists: the first start is `::`, at or below everything.
            let at_or_below = self.lo[first..first + len]
                .iter()
                .filter(|&&l| l <= lo)
                .count();
            (first + at_or_below).saturating_sub(1)
        };
        self.labels[index]
    }

    /// Heap bytes held by the table.
    pub(crate) fn size_bytes(&self) -> usize {
        size_of_val(&*self.direct)
            + size_of_val(&*self.his)
            + size_of_val(&*self.answers)
            + size_of_val(&*self.groups)
            + size_of_val(&*self.lo)
            + size_of_val(&*self.labels)
    }
}

#[cfg(test)]
impl V4Table {
    /// The step function stored in the table, read back: (start, label) for every
    /// direct entry and every run element, in address order.
    pub(crate) fn steps(&self) -> Vec<(u32, LabelId)> {
        let mut out = Vec::new();
        for (chunk, &entry) in (0u32..).zip(self.direct.iter()) {
            let base = chunk << V4_DIRECT_BITS;
            if entry & CHUNK == 0 {
                out.push((base, entry as LabelId));
                continue;
            }
            let (mut offset, mut len) = (entry & OFF_MASK, (entry >> LEN_SHIFT) & LEN_MASK);
            if len == 0 {
                (offset, len) = self.long[offset as usize];
            }
            for &x in &self.ranges[offset as usize..(offset + len) as usize] {
                out.push((base | (x >> 16), x as LabelId));
            }
        }
        out
    }
}

#[cfg(test)]
impl V6Table {
    /// The step function stored in the table: (start, label) in address order.
    pub(crate) fn steps(&self) -> Vec<(u128, LabelId)> {
        let his = self
            .groups
            .iter()
            .flat_map(|g| (0..g.len).map(move |_| u128::from(g.hi)));
        let starts = his
            .zip(self.lo.iter())
            .map(|(hi, &lo)| (hi << 64) | u128::from(lo));
        starts.zip(self.labels.iter().copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The reference: the last start `<= addr`, found with a plain library search.
    fn naive<T: Ord + Copy>(starts: &[(T, LabelId)], addr: T) -> LabelId {
        let i = starts.partition_point(|s| s.0 <= addr);
        starts[i - 1].1
    }

    /// Every address where either function can change, plus its neighbours.
    fn probes_v4(starts: &[(u32, LabelId)]) -> Vec<u32> {
        let mut out = vec![0, u32::MAX];
        for &(s, _) in starts {
            out.extend([s.wrapping_sub(1), s, s.wrapping_add(1)]);
            // The /16 edges around it, where the direct table switches entries.
            out.extend([s & 0xFFFF_0000, s | 0xFFFF]);
        }
        out
    }

    fn check_v4(starts: &[(u32, LabelId)], table: &V4Table, extra: &[u32]) {
        for &a in probes_v4(starts).iter().chain(extra) {
            assert_eq!(table.lookup(a), naive(starts, a), "address {a:#010x}");
        }
    }

    #[test]
    fn v4_single_interval() {
        let starts = [(0, 7)];
        let t = V4Table::build(&starts);
        check_v4(&starts, &t, &[]);
        assert_eq!(t.lookup(0x0102_0304), 7);
        assert_eq!(t.size_bytes(), 4 << 16);
    }

    #[test]
    fn v4_boundaries_at_edges() {
        // Intervals that start at the last address, at a /16 edge and mid-/16.
        let starts = [
            (0, 1),
            (0x0001_0000, 2),
            (0x0001_8000, 3),
            (0x0002_0000, 4),
            (u32::MAX, 5),
        ];
        let t = V4Table::build(&starts);
        check_v4(&starts, &t, &[]);
        assert_eq!(t.lookup(0xFFFF_FFFE), 4);
        assert_eq!(t.lookup(u32::MAX), 5);
        assert_eq!(t.lookup(0x0001_7FFF), 2);
        assert_eq!(t.lookup(0x0001_8000), 3);
    }

    #[test]
    fn v4_dense_chunk_uses_the_long_path() {
        // 5,000 intervals inside one /16: more than a chunk entry's length field holds.
        let mut starts = vec![(0u32, 0u16)];
        starts.extend((0..5000u32).map(|i| (0x3400_0000 + i * 8, (i % 7 + 2) as u16)));
        starts.push((0x3400_0000 + 5000 * 8, 0));
        let t = V4Table::build(&starts);
        assert_eq!(t.long.len(), 1);
        let every: Vec<u32> = (0x3400_0000..0x3401_0000).step_by(3).collect();
        check_v4(&starts, &t, &every);
    }

    #[test]
    fn v4_offset_overflow_uses_the_long_path() {
        let starts: Vec<(u32, LabelId)> =
            (0..200u32).map(|i| (i << 14, (i % 3) as LabelId)).collect();
        let t = V4Table::build_with_limits(&starts, 2, 5);
        assert!(!t.long.is_empty());
        check_v4(&starts, &t, &[]);
    }

    #[test]
    fn v6_edges() {
        let starts = [
            (0u128, 1),
            (1u128 << 64, 2),
            ((1u128 << 64) + 5, 3),
            (u128::MAX, 4),
        ];
        let t = V6Table::build(&starts);
        for a in [
            0,
            1,
            (1 << 64) - 1,
            1 << 64,
            (1 << 64) + 4,
            (1 << 64) + 5,
            u128::MAX - 1,
        ] {
            assert_eq!(t.lookup(a), naive(&starts, a), "address {a:#x}");
        }
        assert_eq!(t.lookup(u128::MAX), 4);
        // The /16 filter, one tree node with its answers, one group per start.
        assert_eq!(t.size_bytes(), 2 * 65_536 + 64 + 32 + 4 * (16 + 8 + 2));
    }

    /// Sorted, strictly increasing starts beginning at 0, from arbitrary raw values.
    fn normalize<T: Ord + Copy + Default>(mut raw: Vec<(T, LabelId)>) -> Vec<(T, LabelId)> {
        raw.push((T::default(), 0));
        raw.sort_by_key(|s| s.0);
        raw.dedup_by_key(|s| s.0);
        raw
    }

    fn v4_starts() -> impl Strategy<Value = Vec<(u32, LabelId)>> {
        // Clustered starts (a few /16s), so chunks hold many intervals, plus scattered ones.
        let clustered =
            (0u32..4, any::<u16>()).prop_map(|(hi, lo)| 0x3400_0000 | hi << 16 | u32::from(lo));
        let start = prop_oneof![clustered, any::<u32>(), Just(u32::MAX)];
        prop::collection::vec((start, 0u16..6), 0..300).prop_map(normalize)
    }

    fn v6_starts() -> impl Strategy<Value = Vec<(u128, LabelId)>> {
        let clustered = (0u128..4, any::<u64>(), any::<u64>())
            .prop_map(|(hi, mid, lo)| (hi << 64) | u128::from(mid & 0xFF) << 60 | u128::from(lo));
        let start = prop_oneof![clustered, any::<u128>(), Just(u128::MAX)];
        prop::collection::vec((start, 0u16..6), 0..300).prop_map(normalize)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn v4_matches_naive(starts in v4_starts(), addrs in prop::collection::vec(any::<u32>(), 64)) {
            let t = V4Table::build(&starts);
            check_v4(&starts, &t, &addrs);
            let small = V4Table::build_with_limits(&starts, 3, 16);
            check_v4(&starts, &small, &addrs);
        }

        #[test]
        fn v6_matches_naive(starts in v6_starts(), addrs in prop::collection::vec(any::<u128>(), 64)) {
            let t = V6Table::build(&starts);
            for &(s, _) in &starts {
                for a in [s.wrapping_sub(1), s, s.wrapping_add(1)] {
                    prop_assert_eq!(t.lookup(a), naive(&starts, a));
                }
            }
            for a in addrs {
                prop_assert_eq!(t.lookup(a), naive(&starts, a));
            }
        }
    }
}
