//! Sums of flows, packets and bytes per hour window and key.
//!
//! Invariants:
//! - a group is identified by (hour window of `start`, account, region, VPC, subnet,
//!   interface, interface kind, direction, path, attribution method, gateway, remote
//!   service and region, action, protocol); text values are
//!   interned per aggregator, so adding a record allocates only for a value not seen
//!   before;
//! - a [`Feed`] adds each record one record late (to fetch its place in the index
//!   into cache first) and gives exactly the groups of [`Aggregator::add`], in the
//!   same order;
//! - [`Aggregator::merge`] is associative and commutative: any split of the input into
//!   chunks, merged in any order, gives the same groups and sums;
//! - [`Aggregator::into_rows`] sorts by the group's resolved values (never by interning
//!   order), so the output is the same whatever the chunking or thread count.

use hashbrown::{HashTable, hash_table};

use positions::{Found, Positions};

use crate::classify::{Direction, Method, NamedRemote, Path};
use crate::layout;
use crate::ranges::{LabelId, Ranges};
use crate::record::Action;

mod positions;

/// An interned string; 0 is "no value".
type Sym = u32;

/// Interns text values so group keys are small and `Copy`.
#[derive(Debug, Default, Clone)]
struct Interner {
    /// Symbols, by the hash of their value.
    index: HashTable<Sym>,
    /// The value of symbol `n` at `n - 1`.
    values: Vec<Box<str>>,
    /// The hash of each value, for growing the index without reading every value.
    hashes: Vec<u64>,
    /// Symbols of values of eight bytes and more, by [`recent_slot`]: a direct-mapped
    /// cache in front of `index` (a slot holds the last value interned there; 0 is
    /// empty). Empty until the first such value.
    recent: Vec<Sym>,
}

/// Slots in [`Interner::recent`]: room for the interface ids of a flow-log file (a
/// few hundred, usually) with few collisions, in 4 KB.
const RECENT_BITS: u32 = 10;

/// The slot of a value in [`Interner::recent`]: its last eight bytes, multiplied and
/// shifted (the ends of ids are their most varied bytes); `None` for shorter values.
#[inline(always)]
fn recent_slot(b: &[u8]) -> Option<usize> {
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
    fn intern(&mut self, value: Option<&str>) -> Sym {
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
    fn intern_indexed(&mut self, v: &str) -> Sym {
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
    fn intern_cached(&mut self, last: &mut Sym, value: Option<&str>) -> Sym {
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

    fn get(&self, sym: Sym) -> Option<&str> {
        let i = usize::try_from(sym).ok()?.checked_sub(1)?;
        self.values.get(i).map(|v| &**v)
    }
}

/// 128-bit product of two words, folded to one (foldhash's mixing step).
#[inline(always)]
fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The fractional digits of pi: arbitrary, fixed, with bits set throughout.
const PI: [u64; 6] = [
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
fn hash_bytes(b: &[u8]) -> u64 {
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
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
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
struct LastSyms {
    account: Sym,
    region: Sym,
    vpc: Sym,
    subnet: Sym,
    interface: Sym,
    interface_kind: Sym,
    gateway: Sym,
}

/// The values one record contributes to its group.
#[derive(Clone, Copy, Debug)]
pub struct Contribution<'a> {
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
    /// `packets`.
    pub packets: u64,
    /// `bytes`.
    pub bytes: u64,
}

/// A group's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    /// Start of the hour window, or [`NO_WINDOW`].
    window: i64,
    account: Sym,
    region: Sym,
    vpc: Sym,
    subnet: Sym,
    interface: Sym,
    interface_kind: Sym,
    direction: Direction,
    path: Path,
    method: Method,
    gateway: Sym,
    remote: RemoteKey,
    action: Option<Action>,
    protocol: Option<u8>,
}

/// [`Key::window`] of a record without `start`. No hour start is `i64::MIN`: that is no
/// multiple of 3,600.
const NO_WINDOW: i64 = i64::MIN;

/// The start of the hour window of `start` (Unix seconds); none for a record without
/// `start`, or one so close to `i64::MIN` that its hour start does not fit.
fn window_of(start: Option<i64>) -> i64 {
    start
        .and_then(|s| s.checked_sub(s.rem_euclid(3600)))
        .unwrap_or(NO_WINDOW)
}

impl Key {
    fn window(&self) -> Option<i64> {
        (self.window != NO_WINDOW).then_some(self.window)
    }

    /// The fields as six words: equal keys give equal words.
    fn words(&self) -> [u64; 6] {
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
            remote,
        ]
    }

    /// The key's hash: its six words mixed by three independent multiplications
    /// (the derived `Hash` fed sixteen fields one after another through the hasher,
    /// a chain of dependent multiplications on every record).
    #[inline]
    fn hash64(&self) -> u64 {
        let [a, b, c, d, e, f] = self.words();
        mix(a ^ PI[0], b ^ PI[1]) ^ mix(c ^ PI[2], d ^ PI[3]) ^ mix(e ^ PI[4], f ^ PI[5])
    }
}

/// The groups in order of first appearance, with a hash index over them
/// ([`Positions`]: one cache line a probe). Growing the index moves positions, not
/// groups, and the groups are already the list that [`Aggregator::into_groups`] hands
/// on.
#[derive(Debug, Default, Clone)]
struct Table {
    /// Positions in `groups`, by the hash of their key. Four bytes each keep the index
    /// small enough to stay in cache longer; 2^32 groups would take over 300 GB.
    index: Positions,
    groups: Vec<(Key, Totals)>,
    /// The hash of each group's key, for growing the index without reading every key.
    hashes: Vec<u64>,
}

impl Table {
    fn with_capacity(groups: usize) -> Self {
        Table {
            index: Positions::with_capacity(groups),
            groups: Vec::with_capacity(groups),
            hashes: Vec::with_capacity(groups),
        }
    }

    /// Adds `totals` to the group of `key`, created when new.
    #[inline]
    fn add(&mut self, key: Key, totals: Totals) {
        self.add_hashed(&key, key.hash64(), totals);
    }

    /// [`Table::add`] with the key's hash.
    #[inline]
    fn add_hashed(&mut self, key: &Key, hash: u64, totals: Totals) {
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RemoteKey {
    None,
    Label(LabelId),
    Named { service: Sym, region: Sym },
}

/// Flow, packet and byte totals of a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
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
    pub fn too_large(&self) -> Option<crate::format::Field> {
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
    pub fn fits(&self) -> bool {
        self.too_large().is_none() && i64::try_from(self.flows).is_ok()
    }
}

/// Groups and their totals.
#[derive(Debug, Default, Clone)]
pub struct Aggregator {
    strings: Interner,
    last: LastSyms,
    groups: Table,
    carried: Carried,
}

/// Which counts the records carry: an input whose format has no `packets` or `bytes`
/// sums nothing for them, and its rows hold null there, not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Carried {
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
/// [`Aggregator::add`] record after record. Dropping the feed adds the record still
/// on its way; the aggregator is borrowed until then, so no one sees it without it.
pub struct Feed<'a> {
    aggregator: &'a mut Aggregator,
    /// The latest record, whose bucket is on the way: key, key hash, totals.
    pending: Option<(Key, u64, Totals)>,
}

impl Feed<'_> {
    /// Adds one record (see [`Feed`] for when).
    #[inline(always)]
    pub fn add(&mut self, c: &Contribution<'_>) {
        let key = self.aggregator.key_of(c);
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

/// One row of a summary, with every value resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// Partition: account.
    pub account_id: String,
    /// Partition: region.
    pub region: String,
    /// Partition: `YYYY-MM-DD` of the window, or `unknown`.
    pub day: String,
    /// Start of the hour window, Unix seconds.
    pub window_start: Option<i64>,
    /// `vpc-id`.
    pub vpc_id: Option<String>,
    /// `subnet-id`.
    pub subnet_id: Option<String>,
    /// `interface-id`.
    pub interface_id: Option<String>,
    /// The ENI's type from the inventory (`instance`, `nat_gateway`, `vpc_endpoint`,
    /// ...); null without inventory.
    pub interface_kind: Option<String>,
    /// `ingress`, `egress` or `unknown`.
    pub direction: String,
    /// The path's name.
    pub path: String,
    /// How the path was decided: `traffic_path_field`, `inventory` or `address_only`.
    pub attribution: String,
    /// The NAT gateway, endpoint, gateway or peering connection the path goes
    /// through; null without inventory.
    pub gateway_id: Option<String>,
    /// The remote's service (`S3`, ..., `INTERNET`, `PRIVATE`), when there is a remote.
    pub remote_service: Option<String>,
    /// The remote's region, when it is in AWS's ranges.
    pub remote_region: Option<String>,
    /// `ACCEPT` or `REJECT`.
    pub action: Option<String>,
    /// IANA protocol number.
    pub protocol: Option<i32>,
    /// Records summed.
    pub flows: i64,
    /// Packets summed; null when the input's format has no `packets` (never a zero
    /// that was not measured).
    pub packets: Option<i64>,
    /// Bytes summed; null when the input's format has no `bytes`.
    pub bytes: Option<i64>,
}

impl Row {
    /// Whether two rows belong to the same group: every key column of the file
    /// (`window_start` through `protocol`) is equal. Partition fields are not compared.
    pub fn same_group(&self, other: &Row) -> bool {
        self.window_start == other.window_start
            && self.vpc_id == other.vpc_id
            && self.subnet_id == other.subnet_id
            && self.interface_id == other.interface_id
            && self.interface_kind == other.interface_kind
            && self.direction == other.direction
            && self.path == other.path
            && self.attribution == other.attribution
            && self.gateway_id == other.gateway_id
            && self.remote_service == other.remote_service
            && self.remote_region == other.remote_region
            && self.action == other.action
            && self.protocol == other.protocol
    }
}

impl Aggregator {
    /// An empty aggregator.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty aggregator with room for `groups` groups before it grows.
    pub fn with_capacity(groups: usize) -> Self {
        Aggregator {
            groups: Table::with_capacity(groups),
            ..Self::default()
        }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.groups.is_empty()
    }

    /// Adds one record.
    #[inline]
    pub fn add(&mut self, c: &Contribution<'_>) {
        let key = self.key_of(c);
        self.groups.add(key, Totals::of(c));
    }

    /// A [`Feed`] into this aggregator, for many records in a row.
    pub fn feed(&mut self) -> Feed<'_> {
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
        }
    }

    /// Says which counts the records carry (by default, both).
    pub fn set_carried(&mut self, carried: Carried) {
        self.carried = carried;
    }

    /// Adds every group of `other` into `self`.
    pub fn merge(&mut self, other: Aggregator) {
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
                    remote: match k.remote {
                        RemoteKey::Named { service, region } => RemoteKey::Named {
                            service: map(service),
                            region: map(region),
                        },
                        other => other,
                    },
                    ..*k
                };
                (key, *t)
            })
            .collect();
        for (k, t) in remapped {
            self.groups.add(k, t);
        }
    }

    /// Totals over every group.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (_, g) in &self.groups.groups {
            t.add(*g);
        }
        t
    }

    /// The groups whose sums a Parquet INT64 cannot hold ([`Totals::fits`]), with a
    /// description of each for the report. Rows leave them out: the caller counts
    /// their records as malformed.
    pub fn too_large(&self) -> Vec<(Totals, String)> {
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
    pub fn into_rows(self, ranges: &Ranges) -> Vec<Row> {
        let groups = self.into_groups(ranges);
        groups.sorted_rows().iter().map(RowRef::to_row).collect()
    }

    /// The groups, ready to be read as borrowed rows ([`Groups::sorted_rows`]): no
    /// string is copied, which keeps the memory of a large summary to its groups.
    pub fn into_groups(self, ranges: &Ranges) -> Groups<'_> {
        let mut groups = self.groups.groups;
        groups.retain(|(_, t)| t.fits());
        Groups {
            strings: self.strings,
            ranges,
            groups,
            carried: self.carried,
        }
    }
}

/// An aggregator's groups with what resolves their values. See [`Aggregator::into_groups`].
#[derive(Debug)]
pub struct Groups<'r> {
    strings: Interner,
    ranges: &'r Ranges,
    groups: Vec<(Key, Totals)>,
    carried: Carried,
}

impl Groups<'_> {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every group as a borrowed row, sorted exactly as [`Row`]s sort (partition, then
    /// every key column).
    ///
    /// The groups are put in order first, by their sort keys, and each row is made
    /// once, in its place: a row is ~250 bytes, and a summary of a few hundred thousand
    /// groups held them twice over while they were sorted.
    pub fn sorted_rows(&self) -> Vec<RowRef<'_>> {
        // Sorting compares ranks, not strings: every string a row can hold is ranked
        // once (the interned values, the ranges' labels, the fixed names), and a
        // group's sort key is then integers in the order of `RowRef::cmp_as_rows`.
        let ranks = Ranks::new(self);
        let mut order: Vec<(SortKey, u32)> = self
            .groups
            .iter()
            .zip(0u32..)
            .map(|((k, t), i)| (ranks.key(k, t), i))
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
            flows: saturate(t.flows),
            packets: self.carried.packets.then(|| saturate(t.packets)),
            bytes: self.carried.bytes.then(|| saturate(t.bytes)),
        }
    }
}

/// `(account, region, (no window, day), window)`, then the key columns, then the sums.
type SortKey = (
    (u32, u32, (bool, Option<i64>), Option<i64>),
    (u32, u32, u32, u32, u32, u32, u32, u32),
    (u32, u32, u32, Option<u8>, u64, u64, u64),
);

/// The rank of every string a group's row can hold, in byte order; 0 is "none".
struct Ranks {
    universe: Vec<String>,
    syms: Vec<u32>,
    labels: Vec<(u32, u32)>,
    paths: Vec<(Path, u32)>,
    fixed: [u32; 8],
}

/// Positions in [`Ranks::fixed`].
const DIRECTIONS: [Direction; 3] = [Direction::Ingress, Direction::Egress, Direction::Unknown];
const METHODS: [Method; 3] = [
    Method::TrafficPathField,
    Method::Inventory,
    Method::AddressOnly,
];
const ACTIONS: [Action; 2] = [Action::Accept, Action::Reject];

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

    fn key(&self, k: &Key, t: &Totals) -> SortKey {
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
                t.flows,
                t.packets,
                t.bytes,
            ),
        )
    }
}

/// A row borrowed from [`Groups`] (or from a [`Row`]): the same values, no copies. The
/// partition `day` is not stored: it is [`RowRef::day`], a function of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRef<'a> {
    /// Partition: account.
    pub account_id: &'a str,
    /// Partition: region.
    pub region: &'a str,
    /// Start of the hour window, Unix seconds.
    pub window_start: Option<i64>,
    /// `vpc-id`.
    pub vpc_id: Option<&'a str>,
    /// `subnet-id`.
    pub subnet_id: Option<&'a str>,
    /// `interface-id`.
    pub interface_id: Option<&'a str>,
    /// The ENI's type from the inventory.
    pub interface_kind: Option<&'a str>,
    /// `ingress`, `egress` or `unknown`.
    pub direction: &'a str,
    /// The path's name.
    pub path: std::borrow::Cow<'a, str>,
    /// How the path was decided.
    pub attribution: &'a str,
    /// The gateway of the path.
    pub gateway_id: Option<&'a str>,
    /// The remote's service.
    pub remote_service: Option<&'a str>,
    /// The remote's region.
    pub remote_region: Option<&'a str>,
    /// `ACCEPT` or `REJECT`.
    pub action: Option<&'a str>,
    /// IANA protocol number.
    pub protocol: Option<i32>,
    /// Records summed.
    pub flows: i64,
    /// Packets summed; `None` when the input's format has no `packets`.
    pub packets: Option<i64>,
    /// Bytes summed; `None` when the input's format has no `bytes`.
    pub bytes: Option<i64>,
}

impl RowRef<'_> {
    /// Partition: `YYYY-MM-DD` of the window, or `unknown`.
    pub fn day(&self) -> String {
        self.window_start
            .map_or_else(|| layout::UNKNOWN.to_owned(), layout::utc_day)
    }

    /// Whether two rows fall in the same Hive partition.
    pub fn same_partition(&self, other: &RowRef<'_>) -> bool {
        self.account_id == other.account_id
            && self.region == other.region
            && self.window_start.map(|w| w.div_euclid(86_400))
                == other.window_start.map(|w| w.div_euclid(86_400))
    }

    /// The order of [`Row`]'s `Ord`: account, region, day, then every other column in
    /// order. The day string orders as its window does, with `unknown` (no window)
    /// after every date, so the window stands in for it.
    pub fn cmp_as_rows(&self, other: &RowRef<'_>) -> std::cmp::Ordering {
        let day = |r: &RowRef<'_>| {
            (
                r.window_start.is_none(),
                r.window_start.map(|w| w.div_euclid(86_400)),
            )
        };
        (self.account_id, self.region, day(self), self.window_start)
            .cmp(&(
                other.account_id,
                other.region,
                day(other),
                other.window_start,
            ))
            .then_with(|| {
                (
                    self.vpc_id,
                    self.subnet_id,
                    self.interface_id,
                    self.interface_kind,
                    self.direction,
                    &self.path,
                    self.attribution,
                    self.gateway_id,
                )
                    .cmp(&(
                        other.vpc_id,
                        other.subnet_id,
                        other.interface_id,
                        other.interface_kind,
                        other.direction,
                        &other.path,
                        other.attribution,
                        other.gateway_id,
                    ))
            })
            .then_with(|| {
                (
                    self.remote_service,
                    self.remote_region,
                    self.action,
                    self.protocol,
                    self.flows,
                    self.packets,
                    self.bytes,
                )
                    .cmp(&(
                        other.remote_service,
                        other.remote_region,
                        other.action,
                        other.protocol,
                        other.flows,
                        other.packets,
                        other.bytes,
                    ))
            })
    }

    /// The same row, owned.
    pub fn to_row(&self) -> Row {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Row {
            account_id: self.account_id.to_owned(),
            region: self.region.to_owned(),
            day: self.day(),
            window_start: self.window_start,
            vpc_id: own(self.vpc_id),
            subnet_id: own(self.subnet_id),
            interface_id: own(self.interface_id),
            interface_kind: own(self.interface_kind),
            direction: self.direction.to_owned(),
            path: self.path.clone().into_owned(),
            attribution: self.attribution.to_owned(),
            gateway_id: own(self.gateway_id),
            remote_service: own(self.remote_service),
            remote_region: own(self.remote_region),
            action: own(self.action),
            protocol: self.protocol,
            flows: self.flows,
            packets: self.packets,
            bytes: self.bytes,
        }
    }
}

impl Row {
    /// The row, borrowed.
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            account_id: &self.account_id,
            region: &self.region,
            window_start: self.window_start,
            vpc_id: self.vpc_id.as_deref(),
            subnet_id: self.subnet_id.as_deref(),
            interface_id: self.interface_id.as_deref(),
            interface_kind: self.interface_kind.as_deref(),
            direction: &self.direction,
            path: std::borrow::Cow::Borrowed(&self.path),
            attribution: &self.attribution,
            gateway_id: self.gateway_id.as_deref(),
            remote_service: self.remote_service.as_deref(),
            remote_region: self.remote_region.as_deref(),
            action: self.action.as_deref(),
            protocol: self.protocol,
            flows: self.flows,
            packets: self.packets,
            bytes: self.bytes,
        }
    }
}

/// A sum as INT64. Groups whose sums do not fit never reach the rows
/// ([`Aggregator::into_groups`]); the fallback only keeps this total.
fn saturate(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
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
