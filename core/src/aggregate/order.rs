//! The groups in output order: every value resolved and ranked once, the groups
//! sorted by their ranks, each row made once in its place.
//!
//! Invariant: the order is that of [`Row`]'s `Ord` (partition, then every key column),
//! whatever the interning order, so the output does not depend on chunking or threads.

use super::intern::{Interner, Sym};
use super::table::{Key, RemoteKey};
use super::{Carried, DIMS, Totals};
use crate::classify::{Direction, Method, Path};
use crate::output::RowRef;
use crate::output::layout;
use crate::ranges::Ranges;
use crate::record::Action;

/// An aggregator's groups with what resolves their values. See [`Aggregator::into_groups`].
#[derive(Debug)]
pub(crate) struct Groups<'r> {
    pub(super) strings: Interner,
    /// The rarer dimensions' combinations, by `Key::dims` - 1.
    pub(super) dims: Vec<[Sym; DIMS]>,
    pub(super) ranges: &'r Ranges,
    pub(super) groups: Vec<(Key, Totals)>,
    pub(super) carried: Carried,
}

impl Groups<'_> {
    /// Every group as a borrowed row, sorted exactly as [`Row`]s sort (partition, then
    /// every key column).
    ///
    /// The groups are put in order first, by their sort keys, and each row is made
    /// once, in its place: a row is ~250 bytes, and a summary of a few hundred thousand
    /// groups held them twice over while they were sorted.
    pub(crate) fn sorted_rows(&self) -> Vec<RowRef<'_>> {
        // Sorting compares ranks, not strings: every string a row can hold is ranked
        // once (the interned values, the ranges' labels, the fixed names), and a
        // group's sort key is then integers in the order of `RowRef::cmp_as_rows`.
        let ranks = Ranks::new(self);
        let mut order: Vec<(SortKey, u32)> = self
            .groups
            .iter()
            .zip(0u32..)
            .map(|((k, t), i)| (ranks.key(k, t, self.dims_of(k)), i))
            .collect();
        order.sort_unstable();
        // Sized once: grown by doubling, the vector briefly held its old and new
        // buffers, up to three times the rows' size.
        let mut rows = Vec::with_capacity(order.len());
        rows.extend(
            order
                .into_iter()
                .filter_map(|(_, i)| self.groups.get(i as usize))
                .map(|(k, t)| self.row_ref(k, t)),
        );
        rows
    }

    /// The row of one group.
    fn dims_of(&self, k: &Key) -> [Sym; DIMS] {
        (k.dims as usize)
            .checked_sub(1)
            .and_then(|i| self.dims.get(i))
            .copied()
            .unwrap_or([0; DIMS])
    }

    fn row_ref(&self, k: &Key, t: &Totals) -> RowRef<'_> {
        let s = |sym: Sym| self.strings.get(sym);
        let (remote_service, remote_region) = match k.remote {
            RemoteKey::None => (None, None),
            RemoteKey::Label(l) => {
                let label = self.ranges.label(l);
                (Some(label.service.as_str()), label.region.as_deref())
            }
            RemoteKey::Named { service, region } => (s(service), s(region)),
        };
        let dims = self.dims_of(k);
        RowRef {
            account_id: s(k.account).unwrap_or(layout::UNKNOWN),
            region: s(k.region).unwrap_or(layout::UNKNOWN),
            window_start: k.window(),
            vpc_id: s(k.vpc),
            subnet_id: s(k.subnet),
            interface_id: s(k.interface),
            interface_kind: s(k.interface_kind),
            direction: k.direction.as_str(),
            path: k.path.name(),
            attribution: k.method.as_str(),
            gateway_id: s(k.gateway),
            remote_service,
            remote_region,
            action: k.action.map(Action::as_str),
            protocol: k.protocol.map(i32::from),
            remote_vpc_id: s(dims[0]),
            remote_account_id: s(dims[1]),
            ecs_cluster_name: s(dims[2]),
            ecs_service_name: s(dims[3]),
            reject_reason: s(dims[4]),
            remote_name: s(dims[5]),
            name_source: s(dims[6]),
            tags: Vec::new(),
            flows: saturate(t.flows),
            packets: self.carried.packets.then(|| saturate(t.packets)),
            bytes: self.carried.bytes.then(|| saturate(t.bytes)),
        }
    }
}

/// `(account, region, (no window, day), window)`, then the key columns, then the sums.
pub(super) type SortKey = (
    (u32, u32, (bool, Option<i64>), Option<i64>),
    (u32, u32, u32, u32, u32, u32, u32, u32),
    (u32, u32, u32, Option<u8>, [u32; DIMS], u64, u64, u64),
);

/// The rank of every string a group's row can hold, in byte order; 0 is "none".
pub(super) struct Ranks {
    universe: Vec<String>,
    syms: Vec<u32>,
    labels: Vec<(u32, u32)>,
    paths: Vec<(Path, u32)>,
    fixed: [u32; 8],
}

/// Positions in [`Ranks::fixed`].
pub(super) const DIRECTIONS: [Direction; 3] =
    [Direction::Ingress, Direction::Egress, Direction::Unknown];
pub(super) const METHODS: [Method; 3] = [
    Method::TrafficPathField,
    Method::Inventory,
    Method::AddressOnly,
];
pub(super) const ACTIONS: [Action; 2] = [Action::Accept, Action::Reject];

impl Ranks {
    fn new(groups: &Groups<'_>) -> Ranks {
        let labels = groups.ranges.labels();
        let mut universe: Vec<String> = groups
            .strings
            .values
            .iter()
            .map(|v| v.to_string())
            .collect();
        for l in labels {
            universe.push(l.service.clone());
            universe.extend(l.region.clone());
        }
        universe.push(layout::UNKNOWN.to_owned());
        let mut paths: Vec<Path> = groups.groups.iter().map(|(k, _)| k.path).collect();
        paths.sort_unstable();
        paths.dedup();
        universe.extend(paths.iter().map(|p| p.name().into_owned()));
        let fixed_names: Vec<&str> = DIRECTIONS
            .iter()
            .map(|d| d.as_str())
            .chain(METHODS.iter().map(|m| m.as_str()))
            .chain(ACTIONS.iter().map(|a| a.as_str()))
            .collect();
        universe.extend(fixed_names.iter().map(|n| (*n).to_owned()));
        universe.sort_unstable();
        universe.dedup();
        let mut r = Ranks {
            universe,
            syms: Vec::new(),
            labels: Vec::new(),
            paths: Vec::new(),
            fixed: [0; 8],
        };
        for (slot, name) in r.fixed.iter_mut().zip(&fixed_names) {
            *slot = r
                .universe
                .binary_search_by(|u| u.as_str().cmp(name))
                .map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
        r.paths = paths.iter().map(|p| (*p, r.rank(&p.name()))).collect();
        r.syms = groups.strings.values.iter().map(|v| r.rank(v)).collect();
        r.labels = labels
            .iter()
            .map(|l| {
                (
                    r.rank(&l.service),
                    l.region.as_deref().map_or(0, |g| r.rank(g)),
                )
            })
            .collect();
        r
    }

    /// 1 + the position of `value` (present by construction; 0 if it were not).
    fn rank(&self, value: &str) -> u32 {
        self.universe
            .binary_search_by(|u| u.as_str().cmp(value))
            .map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
    }

    fn sym(&self, sym: Sym) -> u32 {
        usize::try_from(sym)
            .ok()
            .and_then(|s| s.checked_sub(1))
            .and_then(|i| self.syms.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// A sym that reads `unknown` when absent (account and region).
    fn sym_or_unknown(&self, sym: Sym) -> u32 {
        if sym == 0 {
            self.rank(layout::UNKNOWN)
        } else {
            self.sym(sym)
        }
    }

    fn key(&self, k: &Key, t: &Totals, dims: [Sym; DIMS]) -> SortKey {
        let (service, region) = match k.remote {
            RemoteKey::None => (0, 0),
            RemoteKey::Label(l) => self.labels.get(usize::from(l)).copied().unwrap_or((0, 0)),
            RemoteKey::Named { service, region } => (self.sym(service), self.sym(region)),
        };
        (
            (
                self.sym_or_unknown(k.account),
                self.sym_or_unknown(k.region),
                (
                    k.window().is_none(),
                    k.window().map(|w| w.div_euclid(86_400)),
                ),
                k.window(),
            ),
            (
                self.sym(k.vpc),
                self.sym(k.subnet),
                self.sym(k.interface),
                self.sym(k.interface_kind),
                self.fixed[DIRECTIONS
                    .iter()
                    .position(|d| *d == k.direction)
                    .unwrap_or(0)],
                self.paths
                    .iter()
                    .find(|(p, _)| *p == k.path)
                    .map_or(0, |(_, r)| *r),
                self.fixed[3 + METHODS.iter().position(|m| *m == k.method).unwrap_or(0)],
                self.sym(k.gateway),
            ),
            (
                service,
                region,
                k.action.map_or(0, |a| {
                    self.fixed[6 + ACTIONS.iter().position(|x| *x == a).unwrap_or(0)]
                }),
                k.protocol,
                dims.map(|d| self.sym(d)),
                t.flows,
                t.packets,
                t.bytes,
            ),
        )
    }
}

/// A sum as INT64. Groups whose sums do not fit never reach the rows
/// ([`Aggregator::into_groups`]); the fallback only keeps this total.
pub(super) fn saturate(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
