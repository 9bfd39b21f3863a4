//! The groups of transit gateway records and their sums.
//!
//! Invariants: text values are interned per table, so adding a record allocates only
//! for a value not seen before; [`TransitTable::merge`] is associative and
//! commutative; [`TransitTable::into_rows`] sorts by resolved values.

use std::collections::HashMap;

use super::{LOST, TransitRow, remote_of};
use crate::classify::Direction;
use crate::format::Field;
use crate::output::layout;
use crate::ranges::{LabelId, Ranges};
use crate::record::{FlowDirection, Record};

/// An interned text value; 0 is "none".
type Sym = u32;

/// The text fields of a group, in [`Key::text`] order.
const TEXT: [Field; 9] = [
    Field::AccountId,
    Field::Region,
    Field::TgwId,
    Field::TgwAttachmentId,
    Field::TgwPairAttachmentId,
    Field::TgwSrcVpcAccountId,
    Field::TgwSrcVpcId,
    Field::TgwDstVpcAccountId,
    Field::TgwDstVpcId,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    window: Option<i64>,
    text: [Sym; 9],
    flow_direction: Option<FlowDirection>,
    direction: Direction,
    remote: Option<LabelId>,
    protocol: Option<u8>,
}

/// Sums of a group; they saturate, and a sum past `i64::MAX` makes the group's
/// records malformed ([`TransitTable::too_large`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sums {
    flows: u64,
    packets: u64,
    bytes: u64,
    lost: [u64; 4],
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.flows = self.flows.saturating_add(o.flows);
        self.packets = self.packets.saturating_add(o.packets);
        self.bytes = self.bytes.saturating_add(o.bytes);
        for (a, b) in self.lost.iter_mut().zip(o.lost) {
            *a = a.saturating_add(b);
        }
    }

    fn fits(&self) -> bool {
        let fits = |v: u64| i64::try_from(v).is_ok();
        fits(self.flows)
            && fits(self.packets)
            && fits(self.bytes)
            && self.lost.iter().all(|&v| fits(v))
    }
}

/// Which counts the records' format carries: the others are null in every row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TransitCarried {
    pub packets: bool,
    pub bytes: bool,
    pub lost: [bool; 4],
}

impl TransitCarried {
    /// What a format carries.
    pub(crate) fn of(format: &crate::format::Format) -> Self {
        TransitCarried {
            packets: format.has(Field::Packets),
            bytes: format.has(Field::Bytes),
            lost: LOST.map(|f| format.has(f)),
        }
    }
}

/// The transit gateway groups of one input (or of one worker's part of it).
#[derive(Clone, Debug, Default)]
pub(crate) struct TransitTable {
    /// Interned values; index 0 stands for "none" and is never looked up.
    values: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
    groups: HashMap<Key, Sums>,
    carried: TransitCarried,
}

impl TransitTable {
    /// How many groups.
    pub(crate) fn len(&self) -> usize {
        self.groups.len()
    }

    fn intern(&mut self, value: Option<&str>) -> Sym {
        let Some(v) = value else { return 0 };
        if let Some(&sym) = self.index.get(v) {
            return sym;
        }
        if self.values.is_empty() {
            self.values.push("".into());
        }
        let sym = Sym::try_from(self.values.len()).unwrap_or(Sym::MAX);
        self.values.push(v.into());
        self.index.insert(v.into(), sym);
        sym
    }

    fn value(&self, sym: Sym) -> Option<&str> {
        (sym != 0)
            .then(|| self.values.get(sym as usize).map(|v| &**v))
            .flatten()
    }

    /// Adds one checked record with traffic; `account` and `region` are the record's,
    /// else the key layout's.
    pub(crate) fn add(
        &mut self,
        rec: &Record<'_>,
        account: Option<&str>,
        region: Option<&str>,
        ranges: &Ranges,
    ) {
        let mut text = [0; 9];
        for (slot, field) in text.iter_mut().zip(TEXT) {
            let value = match field {
                Field::AccountId => account,
                Field::Region => region,
                f => rec.tgw(f),
            };
            *slot = self.intern(value);
        }
        let (remote, direction) = match remote_of(rec, ranges) {
            Some((label, direction)) => (Some(label), direction),
            None => (None, Direction::Unknown),
        };
        let key = Key {
            window: rec.start.map(|s| s - s.rem_euclid(3600)),
            text,
            flow_direction: rec.flow_direction,
            direction,
            remote,
            protocol: rec.protocol,
        };
        let sums = Sums {
            flows: 1,
            packets: rec.packets.unwrap_or(0),
            bytes: rec.bytes.unwrap_or(0),
            lost: rec.packets_lost.map(|v| v.unwrap_or(0)),
        };
        self.groups.entry(key).or_default().add(&sums);
    }

    /// Adds every group of `other`.
    pub(crate) fn merge(&mut self, other: TransitTable) {
        if self.groups.is_empty() {
            let carried = self.carried;
            *self = other;
            self.carried = carried;
            return;
        }
        for (key, sums) in &other.groups {
            let mut key = *key;
            for sym in &mut key.text {
                *sym = self.intern(other.value(*sym));
            }
            self.groups.entry(key).or_default().add(sums);
        }
    }

    /// Says which counts the records carry.
    pub(crate) fn set_carried(&mut self, carried: TransitCarried) {
        self.carried = carried;
    }

    /// Groups whose sums an INT64 cannot hold, removed: (records, a description).
    pub(crate) fn take_too_large(&mut self) -> Vec<(u64, String)> {
        let bad: Vec<Key> = self
            .groups
            .iter()
            .filter(|(_, s)| !s.fits())
            .map(|(k, _)| *k)
            .collect();
        let mut out: Vec<(u64, String)> = bad
            .into_iter()
            .filter_map(|k| {
                let sums = self.groups.remove(&k)?;
                let window = k.window.map_or("no window".to_owned(), |w| {
                    format!("the hour from Unix time {w}")
                });
                let what = format!(
                    "the {} records of the transit gateway group of {window}, transit gateway {}, attachment {}",
                    sums.flows,
                    self.value(k.text[2]).unwrap_or("-"),
                    self.value(k.text[3]).unwrap_or("-"),
                );
                Some((sums.flows, what))
            })
            .collect();
        out.sort();
        out
    }

    /// The rows, sorted by their values.
    pub(crate) fn into_rows(self, ranges: &Ranges) -> Vec<TransitRow> {
        let text = |sym: Sym| self.value(sym).map(str::to_owned);
        let carried = self.carried;
        let count = |on: bool, v: u64| on.then(|| i64::try_from(v).unwrap_or(i64::MAX));
        let mut rows: Vec<TransitRow> = self
            .groups
            .iter()
            .map(|(k, s)| {
                let label = k.remote.map(|l| ranges.label(l));
                TransitRow {
                    account_id: text(k.text[0]).unwrap_or_else(|| layout::UNKNOWN.to_owned()),
                    region: text(k.text[1]).unwrap_or_else(|| layout::UNKNOWN.to_owned()),
                    day: k
                        .window
                        .map_or_else(|| layout::UNKNOWN.to_owned(), layout::utc_day),
                    window_start: k.window,
                    tgw_id: text(k.text[2]),
                    tgw_attachment_id: text(k.text[3]),
                    tgw_pair_attachment_id: text(k.text[4]),
                    src_vpc_account_id: text(k.text[5]),
                    src_vpc_id: text(k.text[6]),
                    dst_vpc_account_id: text(k.text[7]),
                    dst_vpc_id: text(k.text[8]),
                    flow_direction: k.flow_direction.map(|d| {
                        match d {
                            FlowDirection::Ingress => "ingress",
                            FlowDirection::Egress => "egress",
                        }
                        .to_owned()
                    }),
                    direction: k.direction.as_str().to_owned(),
                    remote_service: label.map(|l| l.service.clone()),
                    remote_region: label.and_then(|l| l.region.clone()),
                    protocol: k.protocol.map(i32::from),
                    flows: count(true, s.flows).unwrap_or(i64::MAX),
                    packets: count(carried.packets, s.packets),
                    bytes: count(carried.bytes, s.bytes),
                    packets_lost_no_route: count(carried.lost[0], s.lost[0]),
                    packets_lost_blackhole: count(carried.lost[1], s.lost[1]),
                    packets_lost_mtu_exceeded: count(carried.lost[2], s.lost[2]),
                    packets_lost_ttl_expired: count(carried.lost[3], s.lost[3]),
                }
            })
            .collect();
        rows.sort();
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::parse::parse_line;
    use proptest::prelude::*;

    fn table_of(lines: &[String], format: &Format, ranges: &Ranges) -> TransitTable {
        let mut t = TransitTable::default();
        t.set_carried(TransitCarried::of(format));
        for line in lines {
            let rec = parse_line(format, line.as_bytes()).unwrap();
            t.add(&rec, rec.account_id, rec.region, ranges);
        }
        t
    }

    proptest! {
        /// Any split into parts, merged in any order, gives the rows of one table; and
        /// the sums are those of a plain reference count.
        #[test]
        fn merging_parts_is_adding_them(
            records in proptest::collection::vec((0u8..3, 0u8..2, 0u8..3, 0u64..1000, 0u64..5), 1..60),
            split in any::<proptest::sample::Index>(),
        ) {
            let ranges = Ranges::embedded();
            let format = Format::parse("account-id tgw-attachment-id flow-direction dstaddr srcaddr bytes packets-lost-no-route start").unwrap();
            let lines: Vec<String> = records.iter().map(|(a, d, r, bytes, lost)| {
                let dst = ["3.5.98.9", "10.2.0.9", "52.94.24.7"][usize::from(*r)];
                let dir = ["ingress", "egress"][usize::from(*d)];
                format!("1111 tgw-attach-{a} {dir} {dst} 10.1.0.5 {bytes} {lost} 1787400000")
            }).collect();
            let whole = table_of(&lines, &format, &ranges).into_rows(&ranges);
            let at = split.index(lines.len());
            let mut b = table_of(&lines[at..], &format, &ranges);
            b.merge(table_of(&lines[..at], &format, &ranges));
            prop_assert_eq!(&b.into_rows(&ranges), &whole);
            let mut reference: std::collections::BTreeMap<(u8, u8, u8), (i64, i64)> = Default::default();
            for (a, d, r, bytes, lost) in &records {
                let e = reference.entry((*a, *d, *r)).or_default();
                e.0 += *bytes as i64;
                e.1 += *lost as i64;
            }
            prop_assert_eq!(whole.len(), reference.len());
            prop_assert_eq!(whole.iter().map(|r| r.bytes.unwrap()).sum::<i64>(), reference.values().map(|v| v.0).sum::<i64>());
            prop_assert_eq!(whole.iter().map(|r| r.packets_lost_no_route.unwrap()).sum::<i64>(), reference.values().map(|v| v.1).sum::<i64>());
            prop_assert!(whole.iter().all(|r| r.packets.is_none() && r.packets_lost_blackhole.is_none()));
        }
    }
}
