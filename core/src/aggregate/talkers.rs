//! The top-talkers groups of one aggregator: per talker key (the group key without
//! subnet, interface, direction, method, action, protocol and the rarer dimensions),
//! a sketch of remote addresses and one of remote ports ([`crate::talkers`]).
//!
//! Invariants: a key's text values are the aggregator's symbols, remapped on merge as
//! the groups' are; the sketches of one key merge with [`Sketch::merge`], so any split
//! of the input gives bounds that hold ([`crate::talkers`] states them).

use std::net::IpAddr;

use rustc_hash::FxHashMap;

use super::intern::Sym;
use super::table::{Key, RemoteKey};
use crate::classify::Path;
use crate::talkers::Sketch;

/// A record's talker: its remote address and the remote side's port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Talker {
    /// The remote address.
    pub address: IpAddr,
    /// The remote side's port, when the record has ports.
    pub port: Option<u16>,
    /// The sketches' capacity.
    pub capacity: usize,
}

/// The key of a group of talkers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct TalkerKey {
    pub(super) window: i64,
    pub(super) account: Sym,
    pub(super) region: Sym,
    pub(super) vpc: Sym,
    pub(super) interface_kind: Sym,
    pub(super) path: Path,
    pub(super) gateway: Sym,
    pub(super) remote: RemoteKey,
}

impl TalkerKey {
    #[inline]
    pub(super) fn of(k: &Key) -> TalkerKey {
        TalkerKey {
            window: k.window,
            account: k.account,
            region: k.region,
            vpc: k.vpc,
            interface_kind: k.interface_kind,
            path: k.path,
            gateway: k.gateway,
            remote: k.remote,
        }
    }
}

/// One key's sketches.
#[derive(Clone, Debug)]
pub(super) struct Sketches {
    pub(super) addresses: Sketch<IpAddr>,
    pub(super) ports: Sketch<u16>,
}

/// Every key's sketches, in order of first appearance, and the records not yet
/// added to them.
///
/// Records wait in `pending` and are added a batch at a time, grouped by key (in
/// arrival order within a key): a key's sketches are then read into cache once per
/// batch, not once per record. A stream of mostly new addresses, spread over thousands
/// of keys, otherwise missed the cache on nearly every record.
#[derive(Clone, Debug, Default)]
pub(super) struct Talkers {
    index: FxHashMap<TalkerKey, u32>,
    list: Vec<(TalkerKey, Sketches)>,
    /// The previous record's key and place: records in a row often share it.
    last: Option<(TalkerKey, u32)>,
    pending: Vec<Pending>,
}

/// A record waiting for its key's sketches.
#[derive(Clone, Copy, Debug)]
struct Pending {
    key: u32,
    address: IpAddr,
    port: Option<u16>,
    bytes: u64,
}

/// How many records wait before a batch is added (about 2.5 MB).
const BATCH: usize = 1 << 16;

impl Talkers {
    /// Adds a record's bytes to its key's sketches.
    #[inline]
    pub(super) fn add(&mut self, key: TalkerKey, t: Talker, bytes: u64) {
        let i = match self.last {
            Some((k, i)) if k == key => i,
            _ => {
                let next = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
                let i = *self.index.entry(key).or_insert(next);
                if i == next {
                    self.list.push((
                        key,
                        Sketches {
                            addresses: Sketch::new(t.capacity),
                            ports: Sketch::new(t.capacity),
                        },
                    ));
                }
                self.last = Some((key, i));
                i
            }
        };
        self.pending.push(Pending {
            key: i,
            address: t.address,
            port: t.port,
            bytes,
        });
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    /// Adds the waiting records to their sketches, key by key.
    pub(super) fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        // Stable: within a key, records are added in the order they came.
        pending.sort_by_key(|p| p.key);
        for p in &pending {
            if let Some((_, s)) = self.list.get_mut(p.key as usize) {
                s.addresses.add(p.address, p.bytes);
                if let Some(port) = p.port {
                    s.ports.add(port, p.bytes);
                }
            }
        }
        pending.clear();
        self.pending = pending;
    }

    /// Every key's sketches, the waiting records added first.
    pub(super) fn list(&mut self) -> &[(TalkerKey, Sketches)] {
        self.flush();
        &self.list
    }

    /// Merges a key's sketches (its symbols already this aggregator's).
    pub(super) fn merge_key(&mut self, key: TalkerKey, sketches: &Sketches) {
        self.flush();
        self.last = None;
        match self.index.get(&key) {
            Some(&i) => {
                if let Some((_, s)) = self.list.get_mut(i as usize) {
                    s.addresses.merge(&sketches.addresses);
                    s.ports.merge(&sketches.ports);
                }
            }
            None => {
                let next = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
                self.index.insert(key, next);
                self.list.push((key, sketches.clone()));
            }
        }
    }
}
