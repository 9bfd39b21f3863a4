//! A weighted Space-Saving sketch (Metwally, Agrawal and El Abbadi, 2005), mergeable
//! (Agarwal et al., "Mergeable summaries", 2012): the heaviest items of a stream, in
//! memory that does not grow with the number of distinct items.
//!
//! The sketch keeps at most `capacity` counters `(item, count, error)` and a `floor`.
//! Invariants, for every stream added and every merge, whatever the split:
//! - a kept item's true weight is in `count - error ..= count`;
//! - an item not kept has a true weight of at most `floor`;
//! - every kept `count` is at least `floor`, and every `error` at most `floor`;
//! - while no more than `capacity` distinct items were seen, nothing was evicted:
//!   `floor` is 0 and every count is exact.
//!
//! A new item, when the sketch is full, replaces the smallest count `c` (the evicted
//! item's weight is at most `c`: `floor` becomes at least `c`) and starts at `c + w`
//! with error `c`. Two sketches merge by adding, for every item of either, its count
//! in each (the other's `floor` where it is not kept); the errors likewise; `floor` is
//! the sum of the floors; then the `capacity` largest stay and `floor` rises to the
//! largest dropped count. [`Sketch::truncated`] keeps fewer counters the same way, so
//! that a file holding the top `K` of a sketch is itself a sketch that merges.
//!
//! Counters are found by a hash index, and the smallest by a min-heap over them: an
//! update is one probe and O(log capacity) steps, whatever the number of distinct
//! items (a stream of mostly new addresses evicts on nearly every record).

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// One kept item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter<T> {
    /// The item.
    pub item: T,
    /// An upper bound of its weight.
    pub count: u64,
    /// How much `count` may exceed its weight.
    pub error: u64,
}

/// A Space-Saving sketch; see the module documentation.
#[derive(Clone, Debug)]
pub struct Sketch<T> {
    capacity: usize,
    /// The counters, in no order.
    counters: Vec<Counter<T>>,
    /// A min-heap of `counters` by count: indices into it.
    heap: Vec<u32>,
    /// Where each counter is in `heap`.
    place: Vec<u32>,
    /// Each kept item's counter.
    index: FxHashMap<T, u32>,
    floor: u64,
    total: u64,
}

impl<T: Copy + Eq + Ord + Hash> Sketch<T> {
    /// An empty sketch of at most `capacity` counters (at least 1).
    pub fn new(capacity: usize) -> Self {
        Sketch {
            capacity: capacity.max(1),
            counters: Vec::new(),
            heap: Vec::new(),
            place: Vec::new(),
            index: FxHashMap::default(),
            floor: 0,
            total: 0,
        }
    }

    /// A sketch made of counters read back, with the bound of every item not among
    /// them (`floor`) and the stream's total weight; the counters are its first
    /// `capacity` by count. An item given twice is one counter, both counts and
    /// errors added (the two are taken as counts of different records).
    pub fn from_parts(capacity: usize, counters: Vec<Counter<T>>, floor: u64, total: u64) -> Self {
        let mut merged: Vec<Counter<T>> = Vec::with_capacity(counters.len());
        let mut seen: FxHashMap<T, usize> = FxHashMap::default();
        for c in counters {
            match seen.get(&c.item) {
                Some(&i) => {
                    let m = &mut merged[i];
                    m.count = m.count.saturating_add(c.count);
                    m.error = m.error.saturating_add(c.error);
                }
                None => {
                    seen.insert(c.item, merged.len());
                    merged.push(c);
                }
            }
        }
        let mut s = Sketch::new(capacity);
        s.counters = merged;
        s.floor = floor;
        s.total = total;
        s.shrink_to(s.capacity);
        s
    }

    /// The most counters kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The largest weight an item not kept can have.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The total weight added (saturating).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether every kept count is exact (nothing was ever evicted).
    pub fn is_exact(&self) -> bool {
        self.floor == 0
    }

    /// Adds `weight` to `item`: one hash probe, then O(log capacity) heap steps.
    #[inline]
    pub fn add(&mut self, item: T, weight: u64) {
        self.total = self.total.saturating_add(weight);
        if let Some(&c) = self.index.get(&item) {
            let counter = &mut self.counters[c as usize];
            counter.count = counter.count.saturating_add(weight);
            self.sift_down(self.place[c as usize] as usize);
            return;
        }
        if self.counters.len() < self.capacity {
            let c = u32::try_from(self.counters.len()).unwrap_or(u32::MAX);
            self.counters.push(Counter {
                item,
                count: self.floor.saturating_add(weight),
                error: self.floor,
            });
            self.index.insert(item, c);
            self.heap.push(c);
            self.place
                .push(u32::try_from(self.heap.len() - 1).unwrap_or(u32::MAX));
            self.sift_up(self.heap.len() - 1);
            return;
        }
        // Full: the smallest count (the heap's root) makes way.
        let c = self.heap[0];
        let old = self.counters[c as usize];
        self.index.remove(&old.item);
        self.floor = self.floor.max(old.count);
        self.counters[c as usize] = Counter {
            item,
            count: old.count.saturating_add(weight),
            error: old.count,
        };
        self.index.insert(item, c);
        self.sift_down(0);
    }

    fn count_at(&self, h: usize) -> u64 {
        self.counters[self.heap[h] as usize].count
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.place[self.heap[a] as usize] = u32::try_from(a).unwrap_or(u32::MAX);
        self.place[self.heap[b] as usize] = u32::try_from(b).unwrap_or(u32::MAX);
    }

    fn sift_up(&mut self, mut h: usize) {
        while h > 0 {
            let parent = (h - 1) / 2;
            if self.count_at(parent) <= self.count_at(h) {
                break;
            }
            self.swap(parent, h);
            h = parent;
        }
    }

    fn sift_down(&mut self, mut h: usize) {
        loop {
            let (l, r) = (2 * h + 1, 2 * h + 2);
            let mut least = h;
            if l < self.heap.len() && self.count_at(l) < self.count_at(least) {
                least = l;
            }
            if r < self.heap.len() && self.count_at(r) < self.count_at(least) {
                least = r;
            }
            if least == h {
                break;
            }
            self.swap(h, least);
            h = least;
        }
    }

    /// Rebuilds the heap and the index after `counters` changed wholesale.
    fn rebuild(&mut self) {
        let n = self.counters.len();
        self.heap = (0..n)
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        self.place = self.heap.clone();
        self.index = self
            .counters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.item, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        for h in (0..n / 2).rev() {
            self.sift_down(h);
        }
    }

    /// Adds another sketch of the same capacity (or any: the result keeps this one's).
    pub fn merge(&mut self, other: &Sketch<T>) {
        let (floor_a, floor_b) = (self.floor, other.floor);
        let mut merged: Vec<Counter<T>> =
            Vec::with_capacity(self.counters.len() + other.counters.len());
        for a in &self.counters {
            let found = other
                .index
                .get(&a.item)
                .map(|&i| other.counters[i as usize]);
            let (count, error) = match found {
                Some(b) => (
                    a.count.saturating_add(b.count),
                    a.error.saturating_add(b.error),
                ),
                None => (
                    a.count.saturating_add(floor_b),
                    a.error.saturating_add(floor_b),
                ),
            };
            merged.push(Counter {
                item: a.item,
                count,
                error,
            });
        }
        for b in &other.counters {
            if !self.index.contains_key(&b.item) {
                merged.push(Counter {
                    item: b.item,
                    count: b.count.saturating_add(floor_a),
                    error: b.error.saturating_add(floor_a),
                });
            }
        }
        self.counters = merged;
        self.floor = floor_a.saturating_add(floor_b);
        self.total = self.total.saturating_add(other.total);
        self.shrink_to(self.capacity);
    }

    /// The same sketch with at most `k` counters: the invariants hold for it.
    pub fn truncated(&self, k: usize) -> Sketch<T> {
        let mut s = self.clone();
        s.capacity = k.max(1);
        s.shrink_to(s.capacity);
        s
    }

    /// The kept counters, largest count first (ties by item), with the floor.
    pub fn top(&self) -> Vec<Counter<T>> {
        let mut v = self.counters.clone();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.item.cmp(&b.item)));
        v
    }

    /// Keeps the `k` largest counts (the floor rises to the largest dropped), and
    /// rebuilds the heap and the index.
    fn shrink_to(&mut self, k: usize) {
        if self.counters.len() > k {
            self.counters
                .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.item.cmp(&b.item)));
            let dropped = self.counters[k].count;
            self.counters.truncate(k);
            self.floor = self.floor.max(dropped);
        }
        self.rebuild();
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Checks the invariants of `s` against the exact weights; with at most
    /// `exact_up_to` distinct items, every count must be exact.
    fn check(
        s: &Sketch<u16>,
        exact: &BTreeMap<u16, u64>,
        exact_up_to: usize,
    ) -> Result<(), TestCaseError> {
        let total: u64 = exact.values().sum();
        prop_assert_eq!(s.total(), total);
        for c in s.top() {
            let truth = exact.get(&c.item).copied().unwrap_or(0);
            prop_assert!(c.count >= truth, "{c:?} under {truth}");
            prop_assert!(c.count - c.error <= truth, "{c:?} over {truth}");
            prop_assert!(
                c.count >= s.floor() && c.error <= s.floor(),
                "{c:?} {}",
                s.floor()
            );
        }
        for (item, w) in exact {
            if !s.top().iter().any(|c| c.item == *item) {
                prop_assert!(
                    *w <= s.floor(),
                    "{item} weighs {w} over the floor {}",
                    s.floor()
                );
            }
        }
        if exact.len() <= exact_up_to {
            prop_assert!(s.is_exact());
            let got: BTreeMap<u16, u64> = s.top().iter().map(|c| (c.item, c.count)).collect();
            prop_assert_eq!(&got, exact);
        }
        Ok(())
    }

    fn stream() -> impl Strategy<Value = Vec<(u16, u64)>> {
        // Skewed (few items, heavy weights) and spread (many items) alike.
        prop_oneof![
            prop::collection::vec((0u16..8, 1u64..10_000), 0..300),
            prop::collection::vec((0u16..400, 1u64..100), 0..300),
            prop::collection::vec(
                prop_oneof![
                    4 => (0u16..3, 1_000u64..100_000),
                    1 => (3u16..2_000, 1u64..50)
                ],
                0..400
            ),
        ]
    }

    proptest! {
        #[test]
        fn one_stream_keeps_the_invariants(items in stream(), capacity in 1usize..40) {
            let mut s = Sketch::new(capacity);
            let mut exact = BTreeMap::new();
            for (item, w) in items {
                s.add(item, w);
                *exact.entry(item).or_insert(0) += w;
            }
            check(&s, &exact, capacity)?;
        }

        #[test]
        fn any_split_merged_in_any_order_and_truncated_keeps_them(
            items in stream(),
            capacity in 1usize..40,
            cuts in prop::collection::vec(0usize..400, 0..6),
            k in 1usize..40,
            reverse in any::<bool>(),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(items.len())).collect();
            cuts.push(0);
            cuts.push(items.len());
            cuts.sort_unstable();
            let mut parts: Vec<Sketch<u16>> = cuts
                .windows(2)
                .map(|w| {
                    let mut s = Sketch::new(capacity);
                    for &(item, weight) in &items[w[0]..w[1]] {
                        s.add(item, weight);
                    }
                    // Each part as a file keeps its top k.
                    s.truncated(k)
                })
                .collect();
            if reverse {
                parts.reverse();
            }
            let mut merged = Sketch::new(capacity);
            for p in &parts {
                merged.merge(p);
            }
            let mut exact = BTreeMap::new();
            for &(item, w) in &items {
                *exact.entry(item).or_insert(0) += w;
            }
            // Exact while no part had more distinct items than it kept.
            check(&merged, &exact, capacity.min(k))?;
        }
    }

    #[test]
    fn the_heavy_items_of_a_skewed_stream_are_found_with_a_small_error() {
        // Three heavy items among 10,000 light ones: the heavy ones are kept, first,
        // each within N/capacity of its weight.
        let mut s = Sketch::new(40);
        let mut n = 0u64;
        for i in 0..10_000u16 {
            s.add(i % 5_000 + 10, 10);
            n += 10;
            if i % 10 == 0 {
                for (heavy, w) in [(1u16, 1_000u64), (2, 500), (3, 250)] {
                    s.add(heavy, w);
                    n += w;
                }
            }
        }
        let top = s.top();
        assert_eq!(
            top[..3].iter().map(|c| c.item).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(s.total(), n);
        for c in &top[..3] {
            assert!(c.error <= n / 40, "{c:?}");
        }
        assert!(!s.is_exact());
    }
}
