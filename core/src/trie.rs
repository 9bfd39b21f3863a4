//! Flat longest-prefix-match tables: the lookup side of [`crate::ranges`].
//!
//! [`crate::ranges`] resolves every overlap of AWS's prefixes once, at build time, into
//! a step function per address family: a list of interval starts, each with the
//! [`LabelId`] that holds from that start up to the next one. This module stores such a
//! list so that "which interval holds this address" is a few loads and compares. No
//! attribution rule runs here.
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
//! Neighbours may share a label (`ranges` merges them; nothing here depends on it).
//!
//! # IPv4: [`V4Table`], DXR-style D18R
//!
//! After Zec, Rizzo and Mikuc, "DXR: towards a billion routing lookups per second in
//! software" (CCR 2012):
//!
//! - `direct`: 2^18 `u32` entries, one per /18. A /18 that lies inside one interval
//!   stores its label (bit 31 clear): one load answers most of the address space,
//!   private space included.
//! - Any other /18 stores a *run* (bit 31 set): a slice of `ranges` with one `u32` per
//!   interval that meets the /18, packed as `low 14 bits of its start << 16 | label`.
//!   The run's first element is the interval holding the /18's first address (its start
//!   field reads 0), so a search never falls off the left end.
//! - The run is found with a branchless binary search (`select_unpredictable`; the same
//!   search with a branch was about 4x slower in the research measurements).
//!
//! Cost: one load, plus `ceil(log2(run length))` dependent probes inside the 1,000 or
//! so /18s that hold an AWS boundary (runs of 3 elements at the median, 162 at most in
//! the 2026-08 file). Size: 1 MiB for `direct` plus 4 bytes per run element, about
//! 1.08 MB for the real table.
//!
//! A 16-bit direct table (D16R) would take 290 KB, and was 15-25% slower for addresses
//! inside AWS ranges on the development machine (longer runs, one or two more probes);
//! [`V4_DIRECT_BITS`] switches between them.
//!
//! # IPv6: [`V6Table`], /16 index plus a search over the top 64 bits
//!
//! Interval starts are grouped by their top 64 bits (`hi`). Almost every start has
//! `lo == 0` (in the 2026-08 file 22 of 4,818 do not), so the search compares one
//! `u64` per probe instead of a (hi, lo) pair:
//!
//! - `direct`: 2^16 `u32` entries, one per /16, as for IPv4: a label when the /16 lies
//!   inside one interval (all but 15 /16s today), else a run of `his`, the sorted
//!   distinct `hi` values of the groups that meet the /16.
//! - A branchless binary search over the run finds the last group with `hi` at or
//!   below the address's; `answers` holds that group's label when the group is one start
//!   at `lo == 0`.
//! - Otherwise (a group with several starts, or one start inside a /64) a cold path
//!   compares the low 64 bits against the group's starts.
//!
//! Cost: one load for addresses outside the 15 /16s that hold AWS space; otherwise
//! `ceil(log2(run length))` probes of 8-byte keys (at most 12 today), versus 13 probes
//! of 16-byte pairs for one flat array of (hi, lo) starts, which measured 1.7x slower.
//! Size: 256 KiB for `direct` plus about 22 bytes per start, about 360 KB today.
//!
//! # Runs
//!
//! A run entry of either `direct` table packs the run's length into bits 19..31 and its
//! offset into bits 0..19. A run longer than 4,095 or starting past 2^19 is *long*: its
//! length field is 0 and the low bits index `long`, which holds the full (offset,
//! length). Real tables never need one, but any input is representable.
//!
//! Both tables are immutable after build and `Send + Sync`.

use std::hint::select_unpredictable;

use crate::prefetch::prefetch;
use crate::ranges::LabelId;

/// Bits of an IPv4 address that index [`V4Table::direct`] (18: D18R; 16: D16R).
const V4_DIRECT_BITS: u32 = 18;
/// The IPv4 address bits below the direct index.
const V4_LOW_BITS: u32 = 32 - V4_DIRECT_BITS;
/// Mask of [`V4_LOW_BITS`].
const V4_LOW_MASK: u32 = (1 << V4_LOW_BITS) - 1;
/// Number of entries in [`V4Table::direct`].
const V4_DIRECT_LEN: usize = 1 << V4_DIRECT_BITS;
/// Bits of an IPv6 address that index [`V6Table::direct`].
const V6_DIRECT_BITS: u32 = 16;
/// Number of entries in [`V6Table::direct`].
const V6_DIRECT_LEN: usize = 1 << V6_DIRECT_BITS;

/// Set in a direct entry that holds a run rather than a label.
const RUN: u32 = 1 << 31;
/// Where the run length sits in a run entry.
const LEN_SHIFT: u32 = 19;
/// Mask of the run length field (after shifting); a length of 0 marks a long run.
const LEN_MASK: u32 = (1 << 12) - 1;
/// Mask of the offset field (or, for a long run, of the index into `long`).
const OFF_MASK: u32 = (1 << LEN_SHIFT) - 1;
/// Set in an IPv6 answer that names a group for [`V6Table::slow`] instead of a label.
const SLOW: u32 = 1 << 31;

/// Encodes a run as a direct entry, spilling to `long` when it does not fit inline.
fn encode_run(
    offset: usize,
    len: usize,
    long: &mut Vec<(u32, u32)>,
    max_len: u32,
    max_off: u32,
) -> u32 {
    let (offset, len) = (len_u32(offset), len_u32(len));
    if (1..=max_len.min(LEN_MASK)).contains(&len) && offset <= max_off.min(OFF_MASK) {
        return RUN | (len << LEN_SHIFT) | offset;
    }
    // At most one long run per direct entry (2^18), so the index fits the offset field.
    let index = len_u32(long.len());
    long.push((offset, len));
    RUN | index
}

/// The (offset, length) of the run in a direct entry with [`RUN`] set.
#[inline]
fn decode_run(entry: u32, long: &[(u32, u32)]) -> (usize, usize) {
    let mut len = (entry >> LEN_SHIFT) & LEN_MASK;
    let mut offset = entry & OFF_MASK;
    if len == 0 {
        (offset, len) = long[offset as usize];
    }
    (offset as usize, len as usize)
}

/// Index of the last element of `run` that is `<= key`, or 0 when none is; branchless
/// apart from the loop, whose trip count depends only on `run.len()`.
#[inline]
fn search<T: Copy + Ord>(run: &[T], key: T) -> usize {
    let mut base = 0;
    let mut n = run.len();
    while n > 1 {
        let half = n / 2;
        base = select_unpredictable(run[base + half] <= key, base + half, base);
        n -= half;
    }
    base
}

/// Converts a count that the tables bound to `u32`: IPv4 has at most 2^32 intervals,
/// and an IPv6 table built from more than 2^32 starts would not fit in memory.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("table sizes fit in u32")
}

/// Boxes a vector of exactly `N` entries as an array.
fn boxed_array<T, const N: usize>(v: Vec<T>) -> Box<[T; N]> {
    v.into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("allocated with N entries"))
}

/// The IPv4 table: a direct table over the top 18 bits plus per-/18 runs.
#[derive(Clone)]
pub(crate) struct V4Table {
    /// One entry per /18: a label (bit 31 clear) or a run entry.
    direct: Box<[u32; V4_DIRECT_LEN]>,
    /// Every run, back to back: `low 14 bits of the start << 16 | label`.
    ranges: Box<[u32]>,
    /// (offset, length) of the runs that do not fit a run entry.
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
        // `i` is the interval that holds the first address of the current /18.
        let mut i = 0;
        for (chunk, slot) in (0u32..).zip(direct.iter_mut()) {
            let base = chunk << V4_LOW_BITS;
            while i + 1 < starts.len() && starts[i + 1].0 <= base {
                i += 1;
            }
            let label = starts.get(i).map_or(0, |s| s.1);
            // The intervals that start strictly inside this /18.
            let inside = starts.get(i + 1..).unwrap_or_default();
            let inside = inside.iter().take_while(|s| s.0 >> V4_LOW_BITS == chunk);
            let offset = ranges.len();
            ranges.push(u32::from(label));
            ranges.extend(
                inside.map(|&(start, label)| ((start & V4_LOW_MASK) << 16) | u32::from(label)),
            );
            let len = ranges.len() - offset;
            if len == 1 {
                ranges.pop();
                *slot = u32::from(label);
            } else {
                *slot = encode_run(offset, len, &mut long, max_len, max_off);
            }
        }
        V4Table {
            direct: boxed_array(direct),
            ranges: ranges.into(),
            long: long.into(),
        }
    }

    /// The label of the interval that holds `addr`.
    #[inline]
    pub(crate) fn lookup(&self, addr: u32) -> LabelId {
        let entry = self.direct[(addr >> V4_LOW_BITS) as usize];
        if entry & RUN == 0 {
            return entry as LabelId;
        }
        let (offset, len) = decode_run(entry, &self.long);
        let run = &self.ranges[offset..offset + len];
        // `element <= key` exactly when the element's start <= the address's low bits.
        let key = ((addr & V4_LOW_MASK) << 16) | 0xFFFF;
        run[search(run, key)] as LabelId
    }

    /// Starts fetching the direct entry of `addr` into cache (see [`crate::prefetch`]).
    #[inline(always)]
    pub(crate) fn prefetch(&self, addr: u32) {
        prefetch(&self.direct[(addr >> V4_LOW_BITS) as usize]);
    }

    /// Heap bytes held by the table.
    pub(crate) fn size_bytes(&self) -> usize {
        size_of_val(&*self.direct) + size_of_val(&*self.ranges) + size_of_val(&*self.long)
    }
}

/// The interval starts that share their top 64 bits: a slice of `lo` and `labels`.
#[derive(Clone, Copy, Debug)]
struct Group {
    /// Index of the group's first start in `lo` and `labels`.
    first: u32,
    /// Number of starts in the group (at least 1).
    len: u32,
}

/// The IPv6 table: a /16 direct table, then a search over the starts' top 64 bits.
#[derive(Clone)]
pub(crate) struct V6Table {
    /// One entry per /16: a label (bit 31 clear) or a run of `his`.
    direct: Box<[u32; V6_DIRECT_LEN]>,
    /// (offset, length) of the runs that do not fit a run entry.
    long: Box<[(u32, u32)]>,
    /// The top 64 bits of each group, strictly increasing; the first is 0.
    his: Box<[u64]>,
    /// Per group: its label when the group is one start at `lo == 0`, else
    /// `SLOW | group index`.
    answers: Box<[u32]>,
    /// Per group: where its starts are in `lo` and `labels`.
    groups: Box<[Group]>,
    /// The low 64 bits of every start, in order.
    lo: Box<[u64]>,
    /// The label of every start, in order: `labels[i]` holds up to the next start.
    labels: Box<[LabelId]>,
}

impl V6Table {
    /// Builds the table from interval starts (see the module docs for the invariants).
    pub(crate) fn build(starts: &[(u128, LabelId)]) -> V6Table {
        Self::build_with_limits(starts, LEN_MASK, OFF_MASK)
    }

    /// [`V6Table::build`] with smaller limits for inline runs (see [`V4Table`]'s).
    fn build_with_limits(starts: &[(u128, LabelId)], max_len: u32, max_off: u32) -> V6Table {
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
        let mut his: Vec<u64> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut lo = Vec::with_capacity(starts.len());
        let mut labels = Vec::with_capacity(starts.len());
        for (i, &(start, label)) in starts.iter().enumerate() {
            let hi = (start >> 64) as u64;
            match groups.last_mut() {
                Some(g) if his.last() == Some(&hi) => g.len += 1,
                _ => {
                    his.push(hi);
                    groups.push(Group {
                        first: len_u32(i),
                        len: 1,
                    });
                }
            }
            lo.push(start as u64);
            labels.push(label);
        }
        debug_assert!(len_u32(groups.len()) < SLOW, "group indices fit in 31 bits");
        let simple = |g: &Group| g.len == 1 && lo[g.first as usize] == 0;
        let answers: Vec<u32> = (groups.iter().enumerate())
            .map(|(i, g)| {
                if simple(g) {
                    u32::from(labels[g.first as usize])
                } else {
                    SLOW | len_u32(i)
                }
            })
            .collect();

        let mut direct = vec![0u32; V6_DIRECT_LEN];
        let mut long = Vec::new();
        let shift = 64 - V6_DIRECT_BITS;
        // `g` is the group that holds the first address of the current /16.
        let mut g = 0;
        for (chunk, slot) in (0u64..).zip(direct.iter_mut()) {
            let base = chunk << shift;
            while g + 1 < his.len() && his[g + 1] <= base {
                g += 1;
            }
            let end = g
                + 1
                + his[g + 1..]
                    .iter()
                    .take_while(|&&h| h >> shift == chunk)
                    .count();
            let group = groups[g];
            *slot = if end > g + 1 || (his[g] == base && !simple(&group)) {
                encode_run(g, end - g, &mut long, max_len, max_off)
            } else {
                // One label for the whole /16: the group's only start, or (when the group
                // lies below the /16) its last.
                u32::from(labels[(group.first + group.len - 1) as usize])
            };
        }
        V6Table {
            direct: boxed_array(direct),
            long: long.into(),
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
        let entry = self.direct[(addr >> (128 - V6_DIRECT_BITS)) as usize];
        if entry & RUN == 0 {
            return entry as LabelId;
        }
        let (offset, len) = decode_run(entry, &self.long);
        let hi = (addr >> 64) as u64;
        let g = offset + search(&self.his[offset..offset + len], hi);
        let answer = self.answers[g];
        if answer & SLOW == 0 {
            return answer as LabelId;
        }
        self.slow(g, hi, addr as u64)
    }

    /// Starts fetching the direct entry of `addr` into cache (see [`crate::prefetch`]).
    #[inline(always)]
    pub(crate) fn prefetch(&self, addr: u128) {
        prefetch(&self.direct[(addr >> (128 - V6_DIRECT_BITS)) as usize]);
    }

    /// The label for an address whose group `g` (the last with top bits at or below the
    /// address's) has several starts, or one start inside its /64: compare `lo` too.
    #[cold]
    fn slow(&self, g: usize, hi: u64, lo: u64) -> LabelId {
        let Group { first, len } = self.groups[g];
        let (first, len) = (first as usize, len as usize);
        let index = if hi > self.his[g] {
            first + len - 1
        } else {
            // No start at or below `lo` means the previous group's last start, which
            // exists: the first start is `::`, at or below every address.
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
            + size_of_val(&*self.long)
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
            let base = chunk << V4_LOW_BITS;
            if entry & RUN == 0 {
                out.push((base, entry as LabelId));
                continue;
            }
            let (offset, len) = decode_run(entry, &self.long);
            for &x in &self.ranges[offset..offset + len] {
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
        let his = self.his.iter().zip(self.groups.iter());
        let his = his.flat_map(|(&hi, g)| (0..g.len).map(move |_| u128::from(hi)));
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

    /// `starts` with equal-label neighbours merged, as a table reads back.
    fn merged<T: Copy>(steps: &[(T, LabelId)]) -> Vec<(T, LabelId)> {
        let mut out: Vec<(T, LabelId)> = Vec::new();
        for &s in steps {
            if out.last().is_none_or(|l| l.1 != s.1) {
                out.push(s);
            }
        }
        out
    }

    /// Every address where either function can change, and its neighbours.
    fn probes_v4(starts: &[(u32, LabelId)]) -> Vec<u32> {
        let mut out = vec![0, u32::MAX];
        for &(s, _) in starts {
            out.extend([s.wrapping_sub(1), s, s.wrapping_add(1)]);
            // The edges of its direct entry.
            out.extend([s & !V4_LOW_MASK, s | V4_LOW_MASK]);
        }
        out
    }

    fn check_v4(starts: &[(u32, LabelId)], table: &V4Table, extra: &[u32]) {
        for &a in probes_v4(starts).iter().chain(extra) {
            assert_eq!(table.lookup(a), naive(starts, a), "address {a:#010x}");
        }
        assert_eq!(merged(&table.steps()), merged(starts));
    }

    fn check_v6(starts: &[(u128, LabelId)], table: &V6Table, extra: &[u128]) {
        let edges = starts.iter().flat_map(|&(s, _)| {
            let top = !0u128 >> V6_DIRECT_BITS;
            [
                s.wrapping_sub(1),
                s,
                s.wrapping_add(1),
                s & !top,
                s | top,
                s | u128::from(u64::MAX),
            ]
        });
        for a in edges.chain([0, u128::MAX]).chain(extra.iter().copied()) {
            assert_eq!(table.lookup(a), naive(starts, a), "address {a:#x}");
        }
        assert_eq!(table.steps(), starts);
    }

    #[test]
    fn v4_single_interval() {
        let starts = [(0, 7)];
        let t = V4Table::build(&starts);
        check_v4(&starts, &t, &[]);
        assert_eq!(t.lookup(0x0102_0304), 7);
        assert_eq!(t.size_bytes(), 4 << V4_DIRECT_BITS);
    }

    #[test]
    fn v4_boundaries_at_edges() {
        // Intervals that start at the last address, at a direct-entry edge and inside one.
        let starts = [
            (0, 1),
            (0x0001_0000, 2),
            (0x0001_2000, 3),
            (0x0002_0000, 4),
            (u32::MAX, 5),
        ];
        let t = V4Table::build(&starts);
        check_v4(&starts, &t, &[]);
        assert_eq!(t.lookup(0xFFFF_FFFE), 4);
        assert_eq!(t.lookup(u32::MAX), 5);
        assert_eq!(t.lookup(0x0001_1FFF), 2);
        assert_eq!(t.lookup(0x0001_2000), 3);
    }

    #[test]
    fn v4_dense_run_uses_the_long_path() {
        // 5,000 intervals inside one direct entry: more than a run entry's length field.
        let mut starts = vec![(0u32, 0u16)];
        starts.extend((0..5000u32).map(|i| (0x3400_0000 + i * 2, (i % 7 + 2) as u16)));
        starts.push((0x3400_0000 + 5000 * 2, 0));
        let t = V4Table::build(&starts);
        assert_eq!(t.long.len(), 1);
        let every: Vec<u32> = (0x3400_0000..0x3400_4000).collect();
        check_v4(&starts, &t, &every);
    }

    #[test]
    fn v4_offset_overflow_uses_the_long_path() {
        let starts: Vec<(u32, LabelId)> =
            (0..400u32).map(|i| (i << 12, (i % 3) as LabelId)).collect();
        let t = V4Table::build_with_limits(&starts, 2, 5);
        assert!(!t.long.is_empty());
        check_v4(&starts, &t, &[]);
    }

    #[test]
    fn v6_edges_and_groups() {
        let g = 1u128 << 64;
        let starts = [
            (0u128, 1),
            (g, 2), // a /64 group of three starts
            (g + 5, 3),
            (g + 9, 4),
            (3 * g + 7, 5), // a group whose only start is inside its /64
            (4 * g, 6),
            (0x2600_u128 << 112, 7), // at a /16 edge
            (u128::MAX, 8),
        ];
        let t = V6Table::build(&starts);
        check_v6(&starts, &t, &[g - 1, 2 * g, 3 * g, 3 * g + 6, 3 * g + 8]);
        assert_eq!(t.lookup(g + 4), 2);
        assert_eq!(t.lookup(g + 7), 3);
        assert_eq!(t.lookup(2 * g), 4);
        assert_eq!(t.lookup(3 * g + 6), 4);
        assert_eq!(t.lookup(3 * g + 7), 5);
        assert_eq!(t.lookup(u128::MAX), 8);
        assert_eq!(t.lookup(u128::MAX - 1), 7);
        let tiny = V6Table::build(&[(0, 3)]);
        assert_eq!(tiny.lookup(0x2600_1f00_u128 << 96), 3);
        assert_eq!(tiny.size_bytes(), (4 << 16) + 8 + 4 + 8 + 8 + 2);
    }

    #[test]
    fn v6_long_runs() {
        let starts: Vec<(u128, LabelId)> = (0..300u128)
            .map(|i| (i << 100, (i % 4) as LabelId))
            .collect();
        let t = V6Table::build_with_limits(&starts, 2, 5);
        assert!(!t.long.is_empty());
        check_v6(&starts, &t, &[]);
    }

    /// Sorted, strictly increasing starts beginning at 0, from arbitrary raw values.
    fn normalize<T: Ord + Copy + Default>(mut raw: Vec<(T, LabelId)>) -> Vec<(T, LabelId)> {
        raw.push((T::default(), 0));
        raw.sort_by_key(|s| s.0);
        raw.dedup_by_key(|s| s.0);
        raw
    }

    fn v4_starts() -> impl Strategy<Value = Vec<(u32, LabelId)>> {
        // Clustered starts (a few direct entries hold many) plus scattered ones.
        let clustered = (0u32..4, 0u32..1 << V4_LOW_BITS)
            .prop_map(|(hi, lo)| 0x3400_0000 | hi << V4_LOW_BITS | lo);
        let start = prop_oneof![clustered, any::<u32>(), Just(u32::MAX)];
        prop::collection::vec((start, 0u16..6), 0..300).prop_map(normalize)
    }

    fn v6_starts() -> impl Strategy<Value = Vec<(u128, LabelId)>> {
        // Clustered in a few /16s and /64s, mostly at lo == 0 as in real tables.
        let clustered = (
            0u128..3,
            any::<u16>(),
            0u128..4,
            prop_oneof![Just(0u64), any::<u64>()],
        )
            .prop_map(|(top, mid, low, lo)| {
                (0x2600 + top) << 112 | u128::from(mid) << 64 | low << 64 | u128::from(lo)
            });
        let start = prop_oneof![clustered, any::<u128>(), Just(u128::MAX)];
        prop::collection::vec((start, 0u16..6), 0..300).prop_map(normalize)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn v4_matches_naive(starts in v4_starts(), addrs in prop::collection::vec(any::<u32>(), 64)) {
            check_v4(&starts, &V4Table::build(&starts), &addrs);
            check_v4(&starts, &V4Table::build_with_limits(&starts, 3, 16), &addrs);
        }

        #[test]
        fn v6_matches_naive(starts in v6_starts(), addrs in prop::collection::vec(any::<u128>(), 64)) {
            check_v6(&starts, &V6Table::build(&starts), &addrs);
            check_v6(&starts, &V6Table::build_with_limits(&starts, 3, 16), &addrs);
        }
    }
}
