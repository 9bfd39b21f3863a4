//! The index's lookup table: the queries of each key (a client and an address, or a VPC
//! and an address), found in one cache line for most keys.
//!
//! Open addressing with linear probing over an array of 32-byte slots, at most four
//! fifths full (a key's home is its first hash scaled to the array's length, so the
//! length need not be a power of two). A key is its 128-bit fingerprint ([`fingerprint`]): two
//! independent 64-bit hashes, the first placing it, both compared. Two keys with the
//! same fingerprint would share their queries; at the 2^-128 odds of that per pair of
//! keys it does not happen, and no address or name text is held per key, which keeps a
//! slot to half a cache line. A key with one query holds it in its slot; a key with
//! more points into one shared list, sorted by time.
//!
//! Invariants: a built table is read-only; [`PairTable::get`] finds every key it was
//! built with and no other (up to fingerprints); [`PairTable::prefetch`] changes no
//! result.

use std::net::IpAddr;

use super::Seen;
use crate::aggregate::{PI, mix};

/// A key: an address (IPv4 as IPv4-mapped IPv6) and the other half, a client's address
/// or a VPC's number.
pub(super) type Key = (u128, u128);

/// The key of (client, address).
pub(super) fn client_key(client: IpAddr, address: IpAddr) -> Key {
    (bits(client), bits(address))
}

/// The key of (VPC, address).
pub(super) fn vpc_key(vpc: u32, address: IpAddr) -> Key {
    (u128::from(vpc) | (1 << 127), bits(address))
}

/// An address's bits as two words (what `NameIndexBuilder` keeps until it knows the
/// VPC's final number).
pub(super) fn address_words(a: IpAddr) -> (u64, u64) {
    let b = bits(a);
    (b as u64, (b >> 64) as u64)
}

/// [`vpc_key`] of an address given as its [`address_words`].
pub(super) fn vpc_key_of_words(vpc: u32, (low, high): (u64, u64)) -> Key {
    (
        u128::from(vpc) | (1 << 127),
        u128::from(low) | (u128::from(high) << 64),
    )
}

fn bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// Two independent 64-bit hashes of a key.
#[inline(always)]
pub(super) fn fingerprint((a, b): Key) -> (u64, u64) {
    let (a0, a1, b0, b1) = (a as u64, (a >> 64) as u64, b as u64, (b >> 64) as u64);
    // The interner's mixing step and seeds (foldhash's folded multiply).
    let h = |s: &[u64]| mix(mix(a0 ^ s[0], a1 ^ s[1]) ^ b0, b1 ^ s[2]);
    (h(&PI[..3]), h(&PI[3..]))
}

/// A slot: empty when `tag` is 0.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
struct Slot {
    /// The first hash, with its low bit set.
    tag: u64,
    /// The second hash.
    check: u64,
    /// The one query's time, or [`MANY`].
    time: i64,
    /// The one query's VPC, or where the key's queries start in the shared list.
    a: u32,
    /// The one query's name, or how many queries the key has.
    b: u32,
}

/// `Slot::time` of a key with more than one query.
const MANY: i64 = i64::MIN;

/// The queries of a key.
#[derive(Clone, Copy, Debug)]
pub(super) enum Found<'t> {
    One(Seen),
    Many(&'t [Seen]),
}

/// Keys to their queries.
#[derive(Debug, Default)]
pub(super) struct PairTable {
    slots: Vec<Slot>,
    many: Vec<Seen>,
}

impl PairTable {
    /// A table of `entries` (fingerprints and queries, in any order; each key's queries
    /// ordered by `order`, repeats dropped).
    pub(super) fn build(
        mut entries: Vec<((u64, u64), Seen)>,
        order: impl Fn(&Seen, &Seen) -> std::cmp::Ordering,
    ) -> PairTable {
        entries.sort_unstable_by(|x, y| x.0.cmp(&y.0).then_with(|| order(&x.1, &y.1)));
        entries.dedup();
        let keys = entries.chunk_by(|x, y| x.0 == y.0).count();
        let size = (keys + keys / 4).max(8);
        let mut table = PairTable {
            slots: vec![Slot::default(); size],
            many: Vec::new(),
        };
        for group in entries.chunk_by(|x, y| x.0 == y.0) {
            let ((h, check), first) = group[0];
            let slot = match group {
                [_] => Slot {
                    tag: h | 1,
                    check,
                    time: first.time,
                    a: first.vpc,
                    b: first.name,
                },
                _ => {
                    let at = u32::try_from(table.many.len()).unwrap_or(u32::MAX);
                    table.many.extend(group.iter().map(|e| e.1));
                    Slot {
                        tag: h | 1,
                        check,
                        time: MANY,
                        a: at,
                        b: u32::try_from(group.len()).unwrap_or(u32::MAX),
                    }
                }
            };
            let mut i = table.home(h);
            while table.slots[i].tag != 0 {
                i = if i + 1 == size { 0 } else { i + 1 };
            }
            table.slots[i] = slot;
        }
        table
    }

    #[inline(always)]
    fn home(&self, h: u64) -> usize {
        // `h` scaled to the length: below it.
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    /// The queries of the key with fingerprint `(h, check)`.
    #[inline]
    pub(super) fn get(&self, (h, check): (u64, u64)) -> Option<Found<'_>> {
        if self.slots.is_empty() {
            return None;
        }
        let size = self.slots.len();
        let tag = h | 1;
        let mut i = self.home(h);
        loop {
            let s = self.slots.get(i)?;
            if s.tag == 0 {
                return None;
            }
            if s.tag == tag && s.check == check {
                return Some(if s.time == MANY {
                    let (at, n) = (s.a as usize, s.b as usize);
                    Found::Many(self.many.get(at..at + n)?)
                } else {
                    Found::One(Seen {
                        time: s.time,
                        vpc: s.a,
                        name: s.b,
                    })
                });
            }
            i = if i + 1 == size { 0 } else { i + 1 };
        }
    }

    /// Starts fetching the slot where the key with first hash `h` would be.
    #[inline(always)]
    pub(super) fn prefetch(&self, h: u64) {
        if let Some(s) = self.slots.get(self.home(h)) {
            crate::prefetch::prefetch(s);
        }
    }

    /// The keys held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.tag != 0).count()
    }
}

/// Which addresses any query answered, approximately: a blocked Bloom filter of 16
/// bits per address (two bits in one 64-bit word), about 1% false positives and no
/// false negatives. An address it has not seen needs no table probe at all: most
/// private and unresolved remotes cost one word read, in cache, instead of two misses.
#[derive(Debug, Default)]
pub(super) struct AddressFilter {
    words: Vec<u64>,
    shift: u32,
}

impl AddressFilter {
    /// The hash an address is filed under ([`AddressFilter::build`] takes these, so
    /// that a builder keeps 8 bytes an answer, not the address).
    #[inline(always)]
    pub(super) fn hash(a: IpAddr) -> u64 {
        fingerprint((0, bits(a))).0
    }

    /// The filter of the addresses with these [`AddressFilter::hash`]es (repeats
    /// allowed).
    pub(super) fn build(hashes: &[u64]) -> AddressFilter {
        let size = (hashes.len() / 4).max(8).next_power_of_two();
        let mut f = AddressFilter {
            words: vec![0; size],
            shift: 64 - size.trailing_zeros(),
        };
        for h in hashes {
            let (i, bits) = f.place(*h);
            f.words[i] |= bits;
        }
        f
    }

    #[inline(always)]
    fn place(&self, h: u64) -> (usize, u64) {
        // The low bits pick the two bits; the top bits, the word.
        let bits = (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63));
        ((h >> self.shift) as usize, bits)
    }

    /// Starts fetching the word [`AddressFilter::may_hold`] of `a` reads; false when
    /// the filter is empty (no query answered anything).
    #[inline(always)]
    pub(super) fn prefetch(&self, a: IpAddr) -> bool {
        let (i, _) = self.place(AddressFilter::hash(a));
        match self.words.get(i) {
            Some(w) => {
                crate::prefetch::prefetch(w);
                true
            }
            None => false,
        }
    }

    /// Whether a query may have answered `a` (false: none did).
    #[inline(always)]
    pub(super) fn may_hold(&self, a: IpAddr) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let (i, bits) = self.place(AddressFilter::hash(a));
        self.words.get(i).is_some_and(|w| w & bits == bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seen(time: i64, name: u32) -> Seen {
        Seen { time, vpc: 0, name }
    }

    proptest! {
        /// Against a map: every key built is found with its queries in order, and keys
        /// not built are not found.
        #[test]
        fn finds_exactly_what_it_was_built_with(
            entries in prop::collection::vec((0u32..200, 0u32..3, 0i64..50, 0u32..4), 0..400),
            absent in prop::collection::vec(200u32..400, 0..20),
        ) {
            let key = |k: u32| fingerprint((u128::from(k), u128::from(k) * 7));
            let mut model: std::collections::BTreeMap<u32, Vec<Seen>> = Default::default();
            let mut built = Vec::new();
            for (k, _, time, name) in &entries {
                model.entry(*k).or_default().push(seen(*time, *name));
                built.push((key(*k), seen(*time, *name)));
            }
            let order = |a: &Seen, b: &Seen| (a.time, a.name).cmp(&(b.time, b.name));
            let table = PairTable::build(built, order);
            prop_assert_eq!(table.len(), model.len());
            for (k, mut want) in model {
                want.sort_by(order);
                want.dedup();
                let got = match table.get(key(k)) {
                    Some(Found::One(s)) => vec![s],
                    Some(Found::Many(list)) => list.to_vec(),
                    None => vec![],
                };
                prop_assert_eq!(got, want);
            }
            for k in absent {
                prop_assert!(table.get(key(k)).is_none());
            }
        }
    }

    #[test]
    fn the_filter_holds_every_address_it_was_built_with_and_few_others() {
        let held: Vec<IpAddr> = (0..5000u32)
            .map(|i| IpAddr::from(std::net::Ipv4Addr::from(0x3400_0000 + i * 7)))
            .collect();
        let hashes: Vec<u64> = held.iter().map(|a| AddressFilter::hash(*a)).collect();
        let f = AddressFilter::build(&hashes);
        assert!(held.iter().all(|a| f.may_hold(*a)));
        let others = (0..100_000u32)
            .map(|i| IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i)))
            .filter(|a| f.may_hold(*a))
            .count();
        assert!(others < 5_000, "{others} false positives in 100,000");
        assert!(!AddressFilter::default().may_hold(held[0]));
    }

    #[test]
    fn keys_of_v4_and_v6_and_of_clients_and_vpcs_differ() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        let c: IpAddr = "52.0.0.1".parse().unwrap();
        assert_eq!(client_key(b, c), client_key("10.0.0.2".parse().unwrap(), c));
        assert_ne!(fingerprint(client_key(a, c)), fingerprint(client_key(c, a)));
        assert_ne!(fingerprint(vpc_key(1, c)), fingerprint(client_key(a, c)));
        let empty = PairTable::build(Vec::new(), |_: &Seen, _: &Seen| std::cmp::Ordering::Equal);
        assert!(empty.get(fingerprint(client_key(a, c))).is_none());
    }
}
