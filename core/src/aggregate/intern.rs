//! Interned text values: each distinct value of an aggregator's text columns is
//! stored once and stands in group keys as a small `Copy` symbol; and the word-at-a-time
//! hashing and comparison of those short values.
//!
//! Invariants: symbol 0 is "no value"; equal values get equal symbols within one
//! interner (never across interners: a merge maps one's symbols into the other's).

use hashbrown::{HashTable, hash_table};

/// An interned string; 0 is "no value".
pub(super) type Sym = u32;

/// Interns text values so group keys are small and `Copy`.
#[derive(Debug, Default, Clone)]
pub(super) struct Interner {
    /// Symbols, by the hash of their value.
    pub(super) index: HashTable<Sym>,
    /// The value of symbol `n` at `n - 1`.
    pub(super) values: Vec<Box<str>>,
    /// The hash of each value, for growing the index without reading every value.
    pub(super) hashes: Vec<u64>,
    /// Symbols of values of eight bytes and more, by [`recent_slot`]: a direct-mapped
    /// cache in front of `index` (a slot holds the last value interned there; 0 is
    /// empty). Empty until the first such value.
    pub(super) recent: Vec<Sym>,
}

/// Slots in [`Interner::recent`]: room for the interface ids of a flow-log file (a
/// few hundred, usually) with few collisions, in 4 KB.
pub(super) const RECENT_BITS: u32 = 10;

/// The slot of a value in [`Interner::recent`]: its last eight bytes, multiplied and
/// shifted (the ends of ids are their most varied bytes); `None` for shorter values.
#[inline(always)]
pub(super) fn recent_slot(b: &[u8]) -> Option<usize> {
    let last = u64::from_le_bytes(*b.last_chunk::<8>()?);
    Some((last.wrapping_mul(PI[3] | 1) >> (64 - RECENT_BITS)) as usize)
}

impl Interner {
    /// The symbol of `value`, a new one for a value not seen before.
    ///
    /// Interface ids change from record to record among a few hundred: the
    /// [`Interner::recent`] cache answers most lookups with one word comparison of the
    /// value, where the index costs a full hash and probe.
    #[inline]
    pub(super) fn intern(&mut self, value: Option<&str>) -> Sym {
        let Some(v) = value else { return 0 };
        let slot = recent_slot(v.as_bytes());
        if let Some(&sym) = slot.and_then(|i| self.recent.get(i))
            && self
                .get(sym)
                .is_some_and(|x| same_bytes(x.as_bytes(), v.as_bytes()))
        {
            return sym;
        }
        let sym = self.intern_indexed(v);
        if let Some(i) = slot {
            if self.recent.is_empty() {
                self.recent = vec![0; 1 << RECENT_BITS];
            }
            if let Some(cached) = self.recent.get_mut(i) {
                *cached = sym;
            }
        }
        sym
    }

    /// [`Interner::intern`] through the index.
    #[inline]
    pub(super) fn intern_indexed(&mut self, v: &str) -> Sym {
        let (values, hashes) = (&mut self.values, &mut self.hashes);
        let hash = hash_bytes(v.as_bytes());
        let at = |sym: Sym| usize::try_from(sym).ok().and_then(|s| s.checked_sub(1));
        match self.index.entry(
            hash,
            |&sym| {
                at(sym)
                    .and_then(|i| values.get(i))
                    .is_some_and(|x| same_bytes(x.as_bytes(), v.as_bytes()))
            },
            |&sym| at(sym).and_then(|i| hashes.get(i)).copied().unwrap_or(0),
        ) {
            hash_table::Entry::Occupied(e) => *e.get(),
            hash_table::Entry::Vacant(e) => {
                values.push(v.into());
                hashes.push(hash);
                // More than 4 billion distinct values would not fit in memory first.
                let id = Sym::try_from(values.len()).unwrap_or(Sym::MAX);
                e.insert(id);
                id
            }
        }
    }

    /// [`Interner::intern`], first checking the column's previous value: consecutive
    /// records usually share account, region, VPC, subnet and interface, and comparing
    /// a few bytes costs less than hashing them.
    #[inline]
    pub(super) fn intern_cached(&mut self, last: &mut Sym, value: Option<&str>) -> Sym {
        let Some(v) = value else { return 0 };
        if *last != 0
            && self
                .get(*last)
                .is_some_and(|x| same_bytes(x.as_bytes(), v.as_bytes()))
        {
            return *last;
        }
        *last = self.intern(Some(v));
        *last
    }

    pub(super) fn get(&self, sym: Sym) -> Option<&str> {
        let i = usize::try_from(sym).ok()?.checked_sub(1)?;
        self.values.get(i).map(|v| &**v)
    }
}

/// 128-bit product of two words, folded to one (foldhash's mixing step).
#[inline(always)]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The fractional digits of pi: arbitrary, fixed, with bits set throughout.
pub(crate) const PI: [u64; 6] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
];

/// A hash of a short byte string, eight bytes a step: its whole words, then its last
/// eight bytes (which overlap the words unless the length is a multiple of eight), so
/// the values interned here (eight bytes and more) need no loop over single bytes.
#[inline]
pub(super) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = PI[0] ^ b.len() as u64;
    let (words, _) = b.as_chunks::<8>();
    for word in words {
        h = mix(h ^ u64::from_le_bytes(*word), PI[1]);
    }
    let last = match b.last_chunk::<8>() {
        Some(word) => *word,
        None => {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..b.len()) {
                head.copy_from_slice(b);
            }
            word
        }
    };
    mix(h ^ u64::from_le_bytes(last), PI[2])
}

/// Byte equality for the short values interned here, eight bytes a step and inline
/// (a call to `memcmp` costs more than such a comparison): the whole words, then the
/// last eight bytes, as [`hash_bytes`] reads them.
#[inline]
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(x), Some(y)) => {
            x == y && {
                let ((xs, _), (ys, _)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
                xs.iter().zip(ys).all(|(x, y)| x == y)
            }
        }
        _ => a == b,
    }
}

/// The last symbol interned per text column, for [`Interner::intern_cached`].
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct LastSyms {
    pub(super) account: Sym,
    pub(super) region: Sym,
    pub(super) vpc: Sym,
    pub(super) subnet: Sym,
    pub(super) interface: Sym,
    pub(super) interface_kind: Sym,
    pub(super) gateway: Sym,
    pub(super) remote_vpc: Sym,
    pub(super) remote_account: Sym,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_that_share_a_recent_slot_keep_their_symbols() {
        // Five times as many ids as slots: most slots are shared.
        let ids: Vec<String> = (0..5u64 << RECENT_BITS)
            .map(|i| format!("eni-{:017x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 4))
            .collect();
        let slots: std::collections::HashSet<_> = ids
            .iter()
            .filter_map(|v| recent_slot(v.as_bytes()))
            .collect();
        assert!(
            slots.len() > 900,
            "ids spread over the slots: {}",
            slots.len()
        );
        let mut i = Interner::default();
        let first: Vec<Sym> = ids.iter().map(|v| i.intern(Some(v))).collect();
        // Again, backwards and then interleaved: every value keeps its symbol.
        for (v, &s) in ids.iter().zip(&first).rev() {
            assert_eq!(i.intern(Some(v)), s);
        }
        for (n, (v, &s)) in ids.iter().zip(&first).enumerate() {
            let other = &ids[(n * 7) % ids.len()];
            assert_eq!(i.intern(Some(v)), s);
            assert_eq!(i.intern(Some(other)), first[(n * 7) % ids.len()]);
        }
        let distinct: std::collections::HashSet<_> = first.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        assert_eq!(i.values.len(), ids.len());
    }

    proptest! {
        #[test]
        fn same_bytes_is_equality(
            a in proptest::collection::vec(any::<u8>(), 0..40),
            b in proptest::collection::vec(any::<u8>(), 0..40),
            how in 0u8..3,
            at in any::<usize>(),
            byte in any::<u8>(),
        ) {
            // Another value, the same, or the same but (likely) for one byte anywhere.
            let b = match how {
                0 => b,
                1 => a.clone(),
                _ => {
                    let mut b = a.clone();
                    let n = b.len();
                    if let Some(x) = b.get_mut(at % n.max(1)) {
                        *x = byte;
                    }
                    b
                }
            };
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            if a == b {
                prop_assert_eq!(hash_bytes(&a), hash_bytes(&b));
            }
        }

        #[test]
        fn the_interner_gives_one_symbol_per_value(values in proptest::collection::vec("[a-c]{0,10}|eni-[ab]{0,4}[0-9a-f]{1,3}", 1..300)) {
            let mut i = Interner::default();
            let syms: Vec<Sym> = values.iter().map(|v| i.intern(Some(v))).collect();
            for (v, s) in values.iter().zip(&syms) {
                prop_assert_eq!(i.get(*s), Some(v.as_str()));
                for (w, t) in values.iter().zip(&syms) {
                    prop_assert_eq!(v == w, s == t);
                }
            }
        }
    }

    #[test]
    fn the_cached_interner_gives_the_same_symbols() {
        let mut strings = Interner::default();
        let mut last = 0;
        let values = [
            Some("a"),
            Some("a"),
            None,
            Some("b"),
            Some("a"),
            Some("b"),
            Some("b"),
        ];
        let syms: Vec<Sym> = values
            .iter()
            .map(|v| strings.intern_cached(&mut last, *v))
            .collect();
        assert_eq!(syms, [1, 1, 0, 2, 1, 2, 2]);
        let mut plain = Interner::default();
        let expected: Vec<Sym> = values.iter().map(|v| plain.intern(*v)).collect();
        assert_eq!(syms, expected);
    }
}
