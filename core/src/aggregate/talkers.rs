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

/// Every key's sketches, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub(super) struct Talkers {
    index: FxHashMap<TalkerKey, u32>,
    pub(super) list: Vec<(TalkerKey, Sketches)>,
    /// The previous record's key and place: records in a row often share it.
    last: Option<(TalkerKey, u32)>,
}

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
        let Some((_, s)) = self.list.get_mut(i as usize) else {
            return;
        };
        s.addresses.add(t.address, bytes);
        if let Some(port) = t.port {
            s.ports.add(port, bytes);
        }
    }

    /// Merges a key's sketches (its symbols already this aggregator's).
    pub(super) fn merge_key(&mut self, key: TalkerKey, sketches: &Sketches) {
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
