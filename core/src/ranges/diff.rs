//! The difference between two `ip-ranges.json` files, compared as sets of (prefix,
//! service, region, border group) entries grouped by prefix.
//!
//! Invariants: the order of entries in the files does not matter; every list of a
//! [`RangesDiff`] is sorted by prefix; a prefix is in exactly one of added, removed
//! and changed, or in none when its entries are equal.

use std::cmp::Ordering;

use ipnet::IpNet;

use super::{Entry, Ranges};

/// A prefix listed in both files with a different set of entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The prefix.
    pub prefix: IpNet,
    /// Its entries in the old file, sorted.
    pub old: Vec<Entry>,
    /// Its entries in the new file, sorted.
    pub new: Vec<Entry>,
}

/// What changed between two files, compared as sets of (prefix, service, region,
/// border group), grouped by prefix. All lists are sorted by prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangesDiff {
    /// The entries of prefixes listed only in the new file.
    pub added: Vec<Entry>,
    /// The entries of prefixes listed only in the old file.
    pub removed: Vec<Entry>,
    /// Prefixes listed in both whose entries differ.
    pub changed: Vec<Change>,
}

impl RangesDiff {
    /// Whether the two files list the same entries.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The distinct prefixes of [`RangesDiff::added`], sorted.
    pub fn added_prefixes(&self) -> Vec<IpNet> {
        distinct_prefixes(&self.added)
    }

    /// The distinct prefixes of [`RangesDiff::removed`], sorted.
    pub fn removed_prefixes(&self) -> Vec<IpNet> {
        distinct_prefixes(&self.removed)
    }
}

/// The distinct prefixes of sorted entries.
fn distinct_prefixes(entries: &[Entry]) -> Vec<IpNet> {
    let mut out: Vec<IpNet> = entries.iter().map(|e| e.prefix).collect();
    out.dedup();
    out
}

/// Compares two files as sets of (prefix, service, region, border group) entries.
///
/// A prefix only in `new` puts its entries in `added`, one only in `old` in `removed`,
/// and one in both with different entries becomes a [`Change`]. The order of entries
/// in the files does not matter.
pub fn diff(old: &Ranges, new: &Ranges) -> RangesDiff {
    let mut out = RangesDiff::default();
    let (mut a, mut b) = (
        groups(&old.entries).peekable(),
        groups(&new.entries).peekable(),
    );
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x[0].prefix.cmp(&y[0].prefix),
        };
        match order {
            Ordering::Less => out.removed.extend_from_slice(a.next().unwrap_or_default()),
            Ordering::Greater => out.added.extend_from_slice(b.next().unwrap_or_default()),
            Ordering::Equal => {
                let (x, y) = (a.next().unwrap_or_default(), b.next().unwrap_or_default());
                if x != y {
                    out.changed.push(Change {
                        prefix: x[0].prefix,
                        old: x.to_vec(),
                        new: y.to_vec(),
                    });
                }
            }
        }
    }
    out
}

/// The runs of sorted entries that share a prefix; each run is non-empty.
fn groups(entries: &[Entry]) -> impl Iterator<Item = &[Entry]> {
    entries.chunk_by(|x, y| x.prefix == y.prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranges::testing::*;
    use crate::ranges::*;

    use std::collections::BTreeSet;

    #[test]
    fn diff_of_consecutive_days_is_one_prefix() {
        let (Some(old), Some(new)) = (
            snapshot("ip-ranges-2026-08-21.json"),
            snapshot("ip-ranges-2026-08-22.json"),
        ) else {
            return;
        };
        let d = diff(&old, &new);
        let added: Vec<(String, &str, &str, &str)> = d
            .added
            .iter()
            .map(|e| {
                (
                    e.prefix.to_string(),
                    &*e.service,
                    &*e.region,
                    &*e.border_group,
                )
            })
            .collect();
        let region = "ap-southeast-3";
        assert_eq!(
            added,
            [
                ("1.178.86.0/24".to_owned(), "AMAZON", region, region),
                ("1.178.86.0/24".to_owned(), "EC2", region, region)
            ]
        );
        assert!(d.removed.is_empty() && d.changed.is_empty());
        assert_eq!(d.added_prefixes().len(), 1);
        assert!(!d.is_empty());
        assert!(diff(&new, &new).is_empty());
        let back = diff(&new, &old);
        assert_eq!(
            (back.added.len(), back.removed, back.changed.len()),
            (0, d.added, 0)
        );
    }

    #[test]
    fn diff_over_a_year() {
        let (Some(old), Some(new)) = (
            snapshot("ip-ranges-2025-08-22.json"),
            snapshot("ip-ranges-2026-08-22.json"),
        ) else {
            return;
        };
        let d = diff(&old, &new);
        assert_eq!(d.added_prefixes().len(), 2_117);
        assert_eq!(d.removed_prefixes().len(), 115);
        assert_eq!(d.changed.len(), 239);
        // As entry sets: 3,952 entries added and 245 removed (SOURCES.md).
        let set = |v: &[Entry]| v.iter().cloned().collect::<BTreeSet<Entry>>();
        let (mut added, mut removed) = (d.added.len(), d.removed.len());
        for c in &d.changed {
            let (o, n) = (set(&c.old), set(&c.new));
            added += n.difference(&o).count();
            removed += o.difference(&n).count();
            assert!(c.old.iter().chain(&c.new).all(|e| e.prefix == c.prefix));
        }
        assert_eq!((added, removed), (3_952, 245));
        let grew = d
            .changed
            .iter()
            .find(|c| c.prefix.to_string() == "16.113.0.0/16")
            .expect("listed");
        let services = |v: &[Entry]| v.iter().map(|e| e.service.clone()).collect::<Vec<_>>();
        assert_eq!(services(&grew.old), ["AMAZON"]);
        assert_eq!(services(&grew.new), ["AMAZON", "EC2"]);
    }
}
