//! The group table: a group's identity ([`Key`], its text values interned) and the
//! groups in order of first appearance, with a hash index over them.
//!
//! Invariants: equal keys hash equally ([`Key::hash64`] mixes the key's words, equal
//! for equal keys); a key is in the table at most once; growing the index moves
//! positions, never groups.

use super::Totals;
use super::intern::{PI, Sym, mix};
use super::positions::{Found, Positions};
use crate::classify::{Direction, Method, Path};
use crate::ranges::LabelId;
use crate::record::Action;

/// A group's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Key {
    /// Start of the hour window, or [`NO_WINDOW`].
    pub(super) window: i64,
    pub(super) account: Sym,
    pub(super) region: Sym,
    pub(super) vpc: Sym,
    pub(super) subnet: Sym,
    pub(super) interface: Sym,
    pub(super) interface_kind: Sym,
    pub(super) direction: Direction,
    pub(super) path: Path,
    pub(super) method: Method,
    pub(super) gateway: Sym,
    pub(super) remote: RemoteKey,
    pub(super) action: Option<Action>,
    pub(super) protocol: Option<u8>,
    /// The rarer dimensions' combination (`DimsTable`), 0 for none.
    pub(super) dims: u32,
}

/// [`Key::window`] of a record without `start`. No hour start is `i64::MIN`: that is no
/// multiple of 3,600.
pub(super) const NO_WINDOW: i64 = i64::MIN;

/// The start of the hour window of `start` (Unix seconds); none for a record without
/// `start`, or one so close to `i64::MIN` that its hour start does not fit.
pub(super) fn window_of(start: Option<i64>) -> i64 {
    start
        .and_then(|s| s.checked_sub(s.rem_euclid(3600)))
        .unwrap_or(NO_WINDOW)
}

impl Key {
    pub(super) fn window(&self) -> Option<i64> {
        (self.window != NO_WINDOW).then_some(self.window)
    }

    /// The fields as six words: equal keys give equal words.
    pub(super) fn words(&self) -> [u64; 6] {
        let pair = |a: Sym, b: Sym| u64::from(a) | (u64::from(b) << 32);
        let small = self.direction as u64
            | (self.method as u64) << 2
            | self.action.map_or(0, |a| a as u64 + 1) << 4
            | self.protocol.map_or(0x100, u64::from) << 6
            | u64::from(self.path.key_bits()) << 15;
        let remote = match self.remote {
            RemoteKey::None => 0,
            RemoteKey::Label(l) => 1 << 62 | u64::from(l),
            RemoteKey::Named { service, region } => 2 << 62 ^ pair(region, service),
        };
        #[allow(clippy::cast_sign_loss)] // the bits, not the value
        let window = self.window as u64;
        [
            window,
            pair(self.account, self.region),
            pair(self.vpc, self.subnet),
            pair(self.interface, self.interface_kind),
            u64::from(self.gateway) | small << 32,
            // `remote` leaves bits 32..62 free but for inventory names; equal keys
            // still give equal words.
            remote ^ u64::from(self.dims) << 32,
        ]
    }

    /// The key's hash: its six words mixed by three independent multiplications
    /// (the derived `Hash` fed sixteen fields one after another through the hasher,
    /// a chain of dependent multiplications on every record).
    #[inline]
    pub(super) fn hash64(&self) -> u64 {
        let [a, b, c, d, e, f] = self.words();
        mix(a ^ PI[0], b ^ PI[1]) ^ mix(c ^ PI[2], d ^ PI[3]) ^ mix(e ^ PI[4], f ^ PI[5])
    }
}

/// The groups in order of first appearance, with a hash index over them
/// ([`Positions`]: one cache line a probe). Growing the index moves positions, not
/// groups, and the groups are already the list that [`Aggregator::into_groups`] hands
/// on.
#[derive(Debug, Default, Clone)]
pub(super) struct Table {
    /// Positions in `groups`, by the hash of their key. Four bytes each keep the index
    /// small enough to stay in cache longer; 2^32 groups would take over 300 GB.
    pub(super) index: Positions,
    pub(super) groups: Vec<(Key, Totals)>,
    /// The hash of each group's key, for growing the index without reading every key.
    pub(super) hashes: Vec<u64>,
}

impl Table {
    /// Adds `totals` to the group of `key`, created when new.
    #[inline]
    pub(super) fn add(&mut self, key: Key, totals: Totals) {
        self.add_hashed(&key, key.hash64(), totals);
    }

    /// [`Table::add`] with the key's hash.
    #[inline]
    pub(super) fn add_hashed(&mut self, key: &Key, hash: u64, totals: Totals) {
        let groups = &mut self.groups;
        let new = u32::try_from(groups.len()).expect("fewer than 2^32 groups");
        let accept = |i: u32| groups.get(i as usize).is_some_and(|(k, _)| k == key);
        match self.index.find_or_insert(hash, accept, new, &self.hashes) {
            Found::At(i) => {
                if let Some((_, t)) = groups.get_mut(i as usize) {
                    t.add(totals);
                }
            }
            Found::Inserted => {
                groups.push((*key, totals));
                self.hashes.push(hash);
            }
        }
    }
}

/// The remote side of a group: a ranges label or an inventory name (interned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum RemoteKey {
    None,
    Label(LabelId),
    Named { service: Sym, region: Sym },
}

impl RemoteKey {
    /// The same remote with its symbols mapped (from another aggregator's interner).
    pub(super) fn remapped(self, mut map: impl FnMut(Sym) -> Sym) -> RemoteKey {
        match self {
            RemoteKey::Named { service, region } => RemoteKey::Named {
                service: map(service),
                region: map(region),
            },
            other => other,
        }
    }
}
