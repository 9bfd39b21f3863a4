//! Sums of flows, packets and bytes per hour window and key.
//!
//! Invariants:
//! - a group is identified by (hour window of `start`, account, region, VPC, subnet,
//!   interface, interface kind, direction, path, attribution method, gateway, remote
//!   service and region, action, protocol); text values are
//!   interned per aggregator, so adding a record allocates only for a value not seen
//!   before;
//! - a `Feed` adds each record one record late (to fetch its place in the index
//!   into cache first) and gives exactly the groups of `Aggregator::add`, in the
//!   same order;
//! - `Aggregator::merge` is associative and commutative: any split of the input into
//!   chunks, merged in any order, gives the same groups and sums;
//! - `Aggregator::into_rows` sorts by the group's resolved values (never by interning
//!   order), so the output is the same whatever the chunking or thread count;
//! - with top talkers on, each record's remote address and port also go to its group
//!   of talkers' sketches (`talkers.rs`); those merge with the groups, and their
//!   bounds (not their approximate counts) are the same for any chunking.

use crate::classify::{Direction, Method, NamedRemote, Path};
use crate::names::{NameSource, Named};
use crate::output::layout;
use crate::ranges::{LabelId, Ranges};
use crate::record::Action;
use crate::talkers::{self as talkers_mod, TalkerRow};

use intern::{Interner, LastSyms, Sym};
use table::{Key, RemoteKey, Table, window_of};

pub(crate) use intern::{PI, mix};
pub(crate) use order::Groups;
pub(crate) use talkers::Talker;

mod intern;
mod order;
mod positions;
mod table;
mod talkers;

/// The values one record contributes to its group.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Contribution<'a> {
    /// `start`, Unix seconds.
    pub start: Option<i64>,
    /// Partition account (record field, else key layout).
    pub account_id: Option<&'a str>,
    /// Partition region (record field, else key layout).
    pub region: Option<&'a str>,
    /// `vpc-id`.
    pub vpc_id: Option<&'a str>,
    /// `subnet-id`.
    pub subnet_id: Option<&'a str>,
    /// `interface-id`.
    pub interface_id: Option<&'a str>,
    /// The ENI's type, from the inventory.
    pub interface_kind: Option<&'a str>,
    /// Attributed direction.
    pub direction: Direction,
    /// Attributed path.
    pub path: Path,
    /// How the path was decided.
    pub method: Method,
    /// The gateway or endpoint the path goes through, from the inventory.
    pub gateway_id: Option<&'a str>,
    /// Remote label, when there is a remote.
    pub remote: Option<LabelId>,
    /// The inventory's name for the remote; wins over `remote`.
    pub remote_named: Option<NamedRemote<'a>>,
    /// `action`.
    pub action: Option<Action>,
    /// `protocol`.
    pub protocol: Option<u8>,
    /// The rarer dimensions, when the record has any.
    pub dims: Option<Dims<'a>>,
    /// The remote address and port, when top talkers are kept.
    pub talker: Option<Talker>,
    /// `packets`.
    pub packets: u64,
    /// `bytes`.
    pub bytes: u64,
}

/// Dimensions most records lack, kept apart so that a record without any costs one
/// branch: the inventory's VPC (and account) of a private remote, the v7 ECS cluster
/// and service names, the v8 `reject-reason`, the remote's name from Resolver query
/// logs and whose query gave it. The ECS and reject-reason values are
/// the record's bytes: they are interned as UTF-8, lossily in the rare value that is
/// not (a replacement character marks the bytes, the record still counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dims<'a> {
    /// The VPC whose CIDR holds the remote (inventory).
    pub remote_vpc_id: Option<&'a str>,
    /// That VPC's account (inventory).
    pub remote_account_id: Option<&'a str>,
    /// `ecs-cluster-name`.
    pub ecs_cluster_name: Option<&'a [u8]>,
    /// `ecs-service-name`.
    pub ecs_service_name: Option<&'a [u8]>,
    /// `reject-reason`.
    pub reject_reason: Option<&'a [u8]>,
    /// The name the client (else its VPC) resolved to the remote address, and whose
    /// query gave it (Resolver query logs, [`crate::names`]).
    pub remote_name: Option<Named<'a>>,
}

/// The number of [`Dims`] fields.
pub(crate) const DIMS: usize = 7;

/// Interned [`Dims`]: each distinct combination once, numbered from 1 (0: none).
#[derive(Debug, Default, Clone)]
struct DimsTable {
    list: Vec<[Sym; DIMS]>,
    index: rustc_hash::FxHashMap<[Sym; DIMS], u32>,
    /// The previous record's combination and its number.
    last: ([Sym; DIMS], u32),
}

impl DimsTable {
    fn id(&mut self, syms: [Sym; DIMS]) -> u32 {
        if syms == [0; DIMS] {
            return 0;
        }
        if self.last.1 != 0 && self.last.0 == syms {
            return self.last.1;
        }
        let next = u32::try_from(self.list.len() + 1).unwrap_or(u32::MAX);
        let id = *self.index.entry(syms).or_insert_with(|| {
            self.list.push(syms);
            next
        });
        self.last = (syms, id);
        id
    }

    fn get(&self, id: u32) -> [Sym; DIMS] {
        (id as usize)
            .checked_sub(1)
            .and_then(|i| self.list.get(i))
            .copied()
            .unwrap_or([0; DIMS])
    }
}

/// The rows of one sketch of a group of talkers (`top` of them, ranked), each with
/// the group's columns; `None` when a sum does not fit INT64.
fn sketch_rows<T: Copy + Eq + Ord + std::hash::Hash>(
    group: &TalkerRow,
    talker: &str,
    sketch: &crate::talkers::Sketch<T>,
    top: usize,
    item: impl Fn(T) -> (Option<String>, Option<i32>),
) -> Option<Vec<TalkerRow>> {
    let kept = sketch.truncated(top);
    let fit = |v: u64| i64::try_from(v).ok();
    let (unlisted, total) = (fit(kept.floor())?, fit(kept.total())?);
    kept.top()
        .into_iter()
        .zip(1..)
        .map(|(c, rank)| {
            let (remote_address, remote_port) = item(c.item);
            Some(TalkerRow {
                talker: talker.to_owned(),
                rank,
                remote_address,
                remote_port,
                bytes: fit(c.count)?,
                bytes_error: fit(c.error)?,
                exact: c.error == 0,
                unlisted_bytes_at_most: unlisted,
                group_bytes: total,
                ..group.clone()
            })
        })
        .collect()
}

/// Flow, packet and byte totals of a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Records summed.
    pub flows: u64,
    /// Packets summed.
    pub packets: u64,
    /// Bytes summed.
    pub bytes: u64,
}

impl Totals {
    /// The totals of one record.
    #[inline]
    fn of(c: &Contribution<'_>) -> Totals {
        Totals {
            flows: 1,
            packets: c.packets,
            bytes: c.bytes,
        }
    }

    /// Sums saturate at `u64::MAX`: every value added is at most `i64::MAX`, so a sum
    /// past `i64::MAX` stays past it whatever the order of adding, and
    /// [`Totals::fits`] then says so (the same answer for any chunking).
    fn add(&mut self, other: Totals) {
        self.flows = self.flows.saturating_add(other.flows);
        self.packets = self.packets.saturating_add(other.packets);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }

    /// The sum that a Parquet INT64 cannot hold, if any: `packets` or `bytes`.
    pub(crate) fn too_large(&self) -> Option<crate::format::Field> {
        use crate::format::Field;
        let fits = |v: u64| i64::try_from(v).is_ok();
        if !fits(self.bytes) {
            Some(Field::Bytes)
        } else if !fits(self.packets) {
            Some(Field::Packets)
        } else {
            None
        }
    }

    /// Whether every sum fits a Parquet INT64 (flows always do: one per record).
    pub(crate) fn fits(&self) -> bool {
        self.too_large().is_none() && i64::try_from(self.flows).is_ok()
    }
}

/// Groups and their totals.
#[derive(Debug, Default, Clone)]
pub(crate) struct Aggregator {
    strings: Interner,
    last: LastSyms,
    groups: Table,
    dims: DimsTable,
    names: NameSyms,
    carried: Carried,
    talkers: talkers::Talkers,
}

/// The symbols of the names a [`crate::names::NameIndex`] gives, by the name's number:
/// a name is hashed once per aggregator, not once per record.
#[derive(Debug, Default, Clone)]
struct NameSyms {
    by_id: Vec<Sym>,
    /// `client` and `vpc`.
    sources: [Sym; 2],
}

impl NameSyms {
    #[inline]
    fn name(&mut self, strings: &mut Interner, n: Named<'_>) -> Sym {
        let i = n.id as usize;
        if let Some(&sym) = self.by_id.get(i)
            && sym != 0
        {
            return sym;
        }
        let sym = strings.intern_indexed(n.name);
        if self.by_id.len() <= i {
            self.by_id.resize(i + 1, 0);
        }
        self.by_id[i] = sym;
        sym
    }

    #[inline]
    fn source(&mut self, strings: &mut Interner, source: NameSource) -> Sym {
        let slot = &mut self.sources[usize::from(source == NameSource::Vpc)];
        if *slot == 0 {
            *slot = strings.intern_indexed(source.as_str());
        }
        *slot
    }
}

/// Which counts the records carry: an input whose format has no `packets` or `bytes`
/// sums nothing for them, and its rows hold null there, not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Carried {
    /// Whether the records carry `packets`.
    pub packets: bool,
    /// Whether the records carry `bytes`.
    pub bytes: bool,
}

impl Default for Carried {
    fn default() -> Self {
        Carried {
            packets: true,
            bytes: true,
        }
    }
}

/// Records on their way into an [`Aggregator`] ([`Aggregator::feed`]), each added
/// when the next one arrives: on arrival its index bucket starts coming into cache
/// (a prefetch, which holds nothing up), and the next record's parsing runs while it
/// comes. At tens of thousands of groups the bucket is seldom in cache, and probing
/// it at once held everything after it up until it arrived (BENCHMARKS.md, session 5,
/// measures both, and a second stage that fetched the group too, which did not pay).
///
/// The groups, their order of first appearance included, are exactly those of
/// `Aggregator::add` record after record. Dropping the feed adds the record still
/// on its way; the aggregator is borrowed until then, so no one sees it without it.
pub(crate) struct Feed<'a> {
    aggregator: &'a mut Aggregator,
    /// The latest record, whose bucket is on the way: key, key hash, totals.
    pending: Option<(Key, u64, Totals)>,
}

impl Feed<'_> {
    /// Adds one record (see `Feed` for when).
    #[inline(always)]
    pub(crate) fn add(&mut self, c: &Contribution<'_>) {
        let key = self.aggregator.key_of(c);
        if let Some(t) = c.talker {
            self.aggregator
                .talkers
                .add(talkers::TalkerKey::of(&key), t, c.bytes);
        }
        let hash = key.hash64();
        let table = &mut self.aggregator.groups;
        table.index.prefetch(hash);
        // The waiting record is added from where it waits, then overwritten: moving it
        // out first copied its key once more.
        if let Some((key, hash, totals)) = &self.pending {
            table.add_hashed(key, *hash, *totals);
        }
        self.pending = Some((key, hash, Totals::of(c)));
    }
}

impl Drop for Feed<'_> {
    fn drop(&mut self) {
        if let Some((key, hash, totals)) = self.pending.take() {
            self.aggregator.groups.add_hashed(&key, hash, totals);
        }
    }
}

impl Aggregator {
    /// An empty aggregator.
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Number of groups.
    pub(crate) fn len(&self) -> usize {
        self.groups.groups.len()
    }

    /// Adds one record (what a `Feed` does, record by record: the tests' reference).
    #[cfg(test)]
    pub(crate) fn add(&mut self, c: &Contribution<'_>) {
        let key = self.key_of(c);
        if let Some(t) = c.talker {
            self.talkers.add(talkers::TalkerKey::of(&key), t, c.bytes);
        }
        self.groups.add(key, Totals::of(c));
    }

    /// A `Feed` into this aggregator, for many records in a row.
    pub(crate) fn feed(&mut self) -> Feed<'_> {
        Feed {
            aggregator: self,
            pending: None,
        }
    }

    /// The group key of a record, its text values interned.
    #[inline]
    fn key_of(&mut self, c: &Contribution<'_>) -> Key {
        let (strings, last) = (&mut self.strings, &mut self.last);
        Key {
            window: window_of(c.start),
            account: strings.intern_cached(&mut last.account, c.account_id),
            region: strings.intern_cached(&mut last.region, c.region),
            vpc: strings.intern_cached(&mut last.vpc, c.vpc_id),
            subnet: strings.intern_cached(&mut last.subnet, c.subnet_id),
            interface: strings.intern_cached(&mut last.interface, c.interface_id),
            interface_kind: strings.intern_cached(&mut last.interface_kind, c.interface_kind),
            direction: c.direction,
            path: c.path,
            method: c.method,
            gateway: strings.intern_cached(&mut last.gateway, c.gateway_id),
            remote: match (c.remote_named, c.remote) {
                (Some(n), _) => RemoteKey::Named {
                    service: strings.intern(Some(n.service)),
                    region: strings.intern(n.region),
                },
                (None, Some(l)) => RemoteKey::Label(l),
                (None, None) => RemoteKey::None,
            },
            action: c.action,
            protocol: c.protocol,
            dims: match c.dims {
                None => 0,
                Some(d) => {
                    let bytes = |strings: &mut Interner, v: Option<&[u8]>| match v {
                        None => 0,
                        Some(b) => match std::str::from_utf8(b) {
                            Ok(text) => strings.intern(Some(text)),
                            Err(_) => strings.intern(Some(&String::from_utf8_lossy(b))),
                        },
                    };
                    let syms = [
                        strings.intern_cached(&mut last.remote_vpc, d.remote_vpc_id),
                        strings.intern_cached(&mut last.remote_account, d.remote_account_id),
                        bytes(strings, d.ecs_cluster_name),
                        bytes(strings, d.ecs_service_name),
                        bytes(strings, d.reject_reason),
                        d.remote_name.map_or(0, |n| self.names.name(strings, n)),
                        d.remote_name
                            .map_or(0, |n| self.names.source(strings, n.source)),
                    ];
                    self.dims.id(syms)
                }
            },
        }
    }

    /// Says which counts the records carry (by default, both).
    pub(crate) fn set_carried(&mut self, carried: Carried) {
        self.carried = carried;
    }

    /// Adds every group of `other` into `self`.
    pub(crate) fn merge(&mut self, mut other: Aggregator) {
        if self.groups.groups.is_empty() {
            *self = other;
            return;
        }
        let mut map = |sym: Sym| -> Sym {
            let value = other.strings.get(sym);
            self.strings.intern(value)
        };
        let remapped: Vec<(Key, Totals)> = other
            .groups
            .groups
            .iter()
            .map(|(k, t)| {
                let key = Key {
                    account: map(k.account),
                    region: map(k.region),
                    vpc: map(k.vpc),
                    subnet: map(k.subnet),
                    interface: map(k.interface),
                    interface_kind: map(k.interface_kind),
                    gateway: map(k.gateway),
                    remote: k.remote.remapped(&mut map),
                    dims: {
                        let syms = other.dims.get(k.dims).map(&mut map);
                        self.dims.id(syms)
                    },
                    ..*k
                };
                (key, *t)
            })
            .collect();
        for (k, t) in remapped {
            self.groups.add(k, t);
        }
        for (k, sketches) in other.talkers.list() {
            let key = talkers::TalkerKey {
                account: map(k.account),
                region: map(k.region),
                vpc: map(k.vpc),
                interface_kind: map(k.interface_kind),
                gateway: map(k.gateway),
                remote: k.remote.remapped(&mut map),
                ..*k
            };
            self.talkers.merge_key(key, sketches);
        }
    }

    /// The top `top` talkers of every group of talkers, as rows, sorted; groups whose
    /// bytes pass INT64 are left out.
    pub(crate) fn talker_rows(&mut self, ranges: &Ranges, top: usize) -> Vec<TalkerRow> {
        let s = |sym: Sym| self.strings.get(sym).map(str::to_owned);
        // Keys that resolve alike (a remote's IPv4 and IPv6 labels, a ranges label and
        // the inventory's name for one service) are one group: their sketches, of
        // different records, merge.
        let mut groups: std::collections::BTreeMap<TalkerRow, talkers::Sketches> =
            std::collections::BTreeMap::new();
        for (k, sketches) in self.talkers.list() {
            let window = (k.window != table::NO_WINDOW).then_some(k.window);
            let (remote_service, remote_region) = match k.remote {
                RemoteKey::None => (None, None),
                RemoteKey::Label(l) => {
                    let label = ranges.label(l);
                    (Some(label.service.clone()), label.region.clone())
                }
                RemoteKey::Named { service, region } => (s(service), s(region)),
            };
            let group = TalkerRow {
                account_id: s(k.account).unwrap_or_else(|| layout::UNKNOWN.to_owned()),
                region: s(k.region).unwrap_or_else(|| layout::UNKNOWN.to_owned()),
                day: window.map_or_else(|| layout::UNKNOWN.to_owned(), layout::utc_day),
                window_start: window,
                vpc_id: s(k.vpc),
                interface_kind: s(k.interface_kind),
                path: k.path.name().into_owned(),
                gateway_id: s(k.gateway),
                remote_service,
                remote_region,
                ..TalkerRow::default()
            };
            match groups.entry(group) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(sketches.clone());
                }
                std::collections::btree_map::Entry::Occupied(mut e) => {
                    e.get_mut().addresses.merge(&sketches.addresses);
                    e.get_mut().ports.merge(&sketches.ports);
                }
            }
        }
        let mut rows = Vec::new();
        for (group, sketches) in &groups {
            let addresses =
                sketch_rows(group, talkers_mod::ADDRESS, &sketches.addresses, top, |a| {
                    (Some(a.to_string()), None)
                });
            let ports = sketch_rows(group, talkers_mod::PORT, &sketches.ports, top, |p| {
                (None, Some(i32::from(p)))
            });
            if let (Some(a), Some(p)) = (addresses, ports) {
                rows.extend(a);
                rows.extend(p);
            }
        }
        rows.sort();
        rows
    }

    /// Totals over every group.
    #[cfg(test)]
    pub(crate) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (_, g) in &self.groups.groups {
            t.add(*g);
        }
        t
    }

    /// The groups whose sums a Parquet INT64 cannot hold ([`Totals::fits`]), with a
    /// description of each for the report. Rows leave them out: the caller counts
    /// their records as malformed.
    pub(crate) fn too_large(&self) -> Vec<(Totals, String)> {
        let s = |sym: Sym| self.strings.get(sym).unwrap_or("-");
        self.groups
            .groups
            .iter()
            .filter(|(_, t)| !t.fits())
            .map(|(k, t)| {
                let window = k.window().map_or("no window".to_owned(), |w| {
                    format!("the hour from Unix time {w}")
                });
                let what = format!(
                    "the {} records of the group of {window}, account {}, interface {}, {} {}",
                    t.flows,
                    s(k.account),
                    s(k.interface),
                    k.direction.as_str(),
                    k.path.name(),
                );
                (*t, what)
            })
            .collect()
    }

    /// The groups as rows, sorted by partition then by every key column; groups whose
    /// sums a Parquet INT64 cannot hold are left out ([`Aggregator::too_large`]).
    #[cfg(test)]
    pub(crate) fn into_rows(self, ranges: &Ranges) -> Vec<crate::output::Row> {
        let groups = self.into_groups(ranges);
        groups
            .sorted_rows()
            .iter()
            .map(crate::output::RowRef::to_row)
            .collect()
    }

    /// The groups, ready to be read as borrowed rows ([`Groups::sorted_rows`]): no
    /// string is copied, which keeps the memory of a large summary to its groups.
    pub(crate) fn into_groups(self, ranges: &Ranges) -> Groups<'_> {
        let mut groups = self.groups.groups;
        groups.retain(|(_, t)| t.fits());
        Groups {
            strings: self.strings,
            dims: self.dims.list,
            ranges,
            groups,
            carried: self.carried,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn contribution(i: u64) -> Contribution<'static> {
        const ENIS: [&str; 3] = ["eni-a", "eni-b", "eni-c"];
        const PATHS: [Path; 5] = [
            Path::Public,
            Path::IntraVpc,
            Path::NatGateway,
            Path::Other(9),
            Path::InterfaceEndpoint,
        ];
        Contribution {
            // Windows over three days, and some records without a start (day unknown).
            start: (!i.is_multiple_of(7)).then_some(1_700_000_000 + (i as i64 % 5) * 43_200),
            account_id: if i.is_multiple_of(11) {
                None
            } else {
                Some("111122223333")
            },
            region: if i.is_multiple_of(4) {
                None
            } else {
                Some("eu-west-1")
            },
            vpc_id: Some("vpc-1"),
            subnet_id: None,
            interface_id: Some(ENIS[(i % 3) as usize]),
            direction: match i % 3 {
                0 => Direction::Egress,
                1 => Direction::Ingress,
                _ => Direction::Unknown,
            },
            interface_kind: (i.is_multiple_of(5)).then_some("nat_gateway"),
            path: PATHS[(i % 5) as usize],
            method: if i.is_multiple_of(2) {
                Method::AddressOnly
            } else {
                Method::Inventory
            },
            gateway_id: (i.is_multiple_of(3)).then_some("nat-1"),
            remote: Some((i % 2) as LabelId),
            // Some remotes named by the inventory: their strings sort among the labels'.
            remote_named: (i % 7 == 3).then_some(NamedRemote {
                service: if i.is_multiple_of(2) { "SQS" } else { "AMAZON" },
                region: Some("eu-west-1"),
            }),
            action: match i % 4 {
                0 => None,
                1 => Some(Action::Reject),
                _ => Some(Action::Accept),
            },
            protocol: (!i.is_multiple_of(6)).then_some(6),
            // Some records with the rarer dimensions, one of them not UTF-8.
            dims: (i % 5 == 2).then_some(Dims {
                remote_vpc_id: Some(if i.is_multiple_of(2) {
                    "vpc-a"
                } else {
                    "vpc-b"
                }),
                remote_account_id: (i % 3 == 1).then_some("444455556666"),
                ecs_cluster_name: (i.is_multiple_of(3)).then_some(&b"cluster"[..]),
                ecs_service_name: (i % 9 == 7).then_some(&b"svc-\xff"[..]),
                reject_reason: (i % 4 == 1).then_some(&b"BPA"[..]),
                remote_name: (i % 11 == 4).then_some(Named {
                    name: if i.is_multiple_of(3) {
                        "bucket.s3.eu-west-1.amazonaws.com"
                    } else {
                        "sqs.eu-west-1.amazonaws.com"
                    },
                    id: u32::from(!i.is_multiple_of(3)),
                    source: if i.is_multiple_of(2) {
                        NameSource::Client
                    } else {
                        NameSource::Vpc
                    },
                }),
            }),
            // Four addresses and three ports: within the sketches' capacity, so every
            // split gives the same, exact, top talkers.
            talker: (i % 13 != 5).then_some(Talker {
                address: std::net::IpAddr::from([192, 0, 2, (i % 4) as u8]),
                port: (!i.is_multiple_of(3)).then_some(440 + (i % 3) as u16),
                capacity: 4,
            }),
            packets: i,
            bytes: i * 100,
        }
    }

    #[test]
    fn keys_that_hash_alike_stay_apart() {
        // `Path::Other(1)` and `Path::IntraVpc` give the same key words, so the same
        // hash: equality still tells the groups apart.
        let mut a = Aggregator::new();
        let mut c = contribution(1);
        c.path = Path::IntraVpc;
        let k1 = {
            a.add(&c);
            a.groups.groups.first().map(|(k, _)| *k)
        };
        c.path = Path::Other(1);
        a.add(&c);
        a.add(&c);
        let k2 = a.groups.groups.get(1).map(|(k, _)| *k);
        assert_eq!(a.len(), 2);
        let (Some(k1), Some(k2)) = (k1, k2) else {
            panic!("two groups")
        };
        assert_eq!(k1.hash64(), k2.hash64());
        let flows: Vec<u64> = a.groups.groups.iter().map(|(_, t)| t.flows).collect();
        assert_eq!(flows, [1, 2]);
    }

    fn ranges() -> Ranges {
        Ranges::from_json(
            br#"{"syncToken":"1","createDate":"x","prefixes":[
                {"ip_prefix": "192.0.2.0/24", "region": "r", "service": "S3"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn sums_and_hour_windows() {
        let mut a = Aggregator::new();
        for i in 0..100 {
            a.add(&contribution(i));
        }
        let rows = a.clone().into_rows(&ranges());
        let flows: i64 = rows.iter().map(|r| r.flows).sum();
        let bytes: i64 = rows.iter().flat_map(|r| r.bytes).sum();
        assert_eq!(flows, 100);
        assert_eq!(bytes, (0..100).sum::<i64>() * 100);
        assert!(
            rows.iter()
                .flat_map(|r| r.window_start)
                .all(|w| w % 3600 == 0)
        );
        assert!(rows.iter().any(|r| r.day == "unknown"));
        assert!(rows.iter().any(|r| r.region == "unknown"));
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            a.totals(),
            Totals {
                flows: 100,
                packets: 4950,
                bytes: 495_000
            }
        );
    }

    proptest! {
        #[test]
        fn any_split_and_order_gives_the_same_rows(n in 1u64..300, cuts in proptest::collection::vec(0u64..300, 0..6), reverse in any::<bool>()) {
            let r = ranges();
            let mut whole = Aggregator::new();
            for i in 0..n { whole.add(&contribution(i)); }
            let mut bounds: Vec<u64> = cuts.into_iter().map(|c| c % n).collect();
            bounds.push(0);
            bounds.push(n);
            bounds.sort_unstable();
            let mut parts: Vec<Aggregator> = bounds.windows(2).map(|w| {
                let mut a = Aggregator::new();
                // Intern in a different order in each part.
                for i in (w[0]..w[1]).rev() { a.add(&contribution(i)); }
                a
            }).collect();
            if reverse { parts.reverse(); }
            let mut merged = Aggregator::new();
            for p in parts { merged.merge(p); }
            let refs_sorted = {
                let groups = whole.clone().into_groups(&r);
                let refs = groups.sorted_rows();
                refs.windows(2).all(|w| w[0].cmp_as_rows(&w[1]).is_lt())
            };
            prop_assert!(refs_sorted);
            let talkers = whole.talker_rows(&r, 2);
            prop_assert!(talkers.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(merged.talker_rows(&r, 2), talkers.clone());
            // Exact when no group has more talkers than it keeps.
            let top4 = whole.talker_rows(&r, 4);
            prop_assert!(top4.iter().all(|t| t.exact && t.unlisted_bytes_at_most == 0));
            // Each group's bytes once: every record with a talker, in its group.
            let groups: i64 = top4
                .iter()
                .filter(|t| t.rank == 1 && t.talker == crate::talkers::ADDRESS)
                .map(|t| t.group_bytes)
                .sum();
            let talking: u64 = (0..n).filter(|i| contribution(*i).talker.is_some()).map(|i| i * 100).sum();
            prop_assert_eq!(groups as u64, talking);
            let rows = whole.into_rows(&r);
            // Sorted as `Row`'s own order says (the borrowed sort must agree with it).
            prop_assert!(rows.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(merged.into_rows(&r), rows);
        }

        /// Records through feeds (one or several in a row, each dropped before the
        /// next) give the groups of `add`, in the same order, with the same symbols;
        /// the records repeat, next to each other too, and grow the table many times.
        #[test]
        fn a_feed_adds_as_add_does(
            records in proptest::collection::vec(0u64..400, 0..3000),
            cuts in proptest::collection::vec(0usize..3000, 0..4),
        ) {
            let mut added = Aggregator::new();
            for &i in &records { added.add(&contribution(i)); }
            let mut fed = Aggregator::new();
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(records.len())).collect();
            bounds.extend([0, records.len()]);
            bounds.sort_unstable();
            for w in bounds.windows(2) {
                let mut feed = fed.feed();
                for &i in &records[w[0]..w[1]] { feed.add(&contribution(i)); }
            }
            prop_assert_eq!(&fed.groups.groups, &added.groups.groups);
            prop_assert_eq!(fed.len(), added.len());
            prop_assert_eq!(fed.totals().flows, records.len() as u64);
        }
    }
}
