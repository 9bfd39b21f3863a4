//! The attribution rule (research note ranges-lpm.md §1.4): how the entries of each
//! listed prefix become a [`Label`], and how the labelled prefixes become the flat
//! tables [`Ranges::lookup`] reads.
//!
//! Invariants: each distinct prefix is resolved once, from its own entries only;
//! labels are interned, [`INTERNET`] and [`PRIVATE`] always 0 and 1; the flattened
//! step functions start at 0, have strictly increasing starts and no two equal
//! neighbours, so they cover each family's whole address space.

use ipnet::IpNet;
use prefix_trie::PrefixMap;
use rustc_hash::FxHashMap;

use super::file::{Entry, Family, RangesError};
use super::{INTERNET, LabelId, PRIVATE, PRIVATE_NETS, Ranges};
use crate::trie::{V4Table, V6Table};

/// The service code AWS uses for "AWS, service not published"; the weakest claim.
const AMAZON: &str = "AMAZON";
/// The service code of EC2; weaker than any other service on the same prefix.
const EC2: &str = "EC2";

/// What an address resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// The primary service (`"S3"`, `"EC2"`, `"AMAZON"`, ...), or `"INTERNET"` /
    /// `"PRIVATE"` for addresses outside AWS.
    pub service: String,
    /// Every service listed on the matched prefix, sorted by byte order, without
    /// duplicates; empty for [`INTERNET`] and [`PRIVATE`].
    pub services: Vec<String>,
    /// The region of the matched prefix (an AWS Region code or `"GLOBAL"`); `None` for
    /// [`INTERNET`] and [`PRIVATE`].
    pub region: Option<String>,
    /// The network border group of the matched prefix; `None` for [`INTERNET`] and
    /// [`PRIVATE`].
    pub border_group: Option<String>,
}

impl Label {
    /// A label for addresses outside AWS: no services, no region.
    pub(super) fn outside(name: &str) -> Label {
        Label {
            service: name.to_owned(),
            services: Vec::new(),
            region: None,
            border_group: None,
        }
    }

    /// Whether this label names AWS space, i.e. is neither [`INTERNET`] nor [`PRIVATE`].
    pub fn is_aws(&self) -> bool {
        !self.services.is_empty()
    }
}

impl Ranges {
    /// Resolves validated entries (any order, duplicates allowed) into a table.
    pub(super) fn from_entries(
        sync_token: String,
        create_date: String,
        mut entries: Vec<Entry>,
    ) -> Result<Ranges, RangesError> {
        entries.sort_unstable();
        entries.dedup();
        let mut labels = Labels::new();
        let mut prefixes_v4 = PrefixMap::new();
        let mut prefixes_v6 = PrefixMap::new();
        // (first, last, label) per distinct prefix, ordered by (first, length).
        let mut spans_v4: Vec<(u128, u128, LabelId)> = Vec::new();
        let mut spans_v6: Vec<(u128, u128, LabelId)> = Vec::new();
        let mut start = 0;
        while start < entries.len() {
            let prefix = entries[start].prefix;
            let end = start
                + entries[start..]
                    .iter()
                    .take_while(|e| e.prefix == prefix)
                    .count();
            let label = labels.intern(resolve(&entries[start..end]))?;
            let range = (index_u32(start), index_u32(end));
            match prefix {
                IpNet::V4(p) => {
                    prefixes_v4.insert(p, range);
                    spans_v4.push((
                        u32::from(p.network()).into(),
                        u32::from(p.broadcast()).into(),
                        label,
                    ));
                }
                IpNet::V6(p) => {
                    prefixes_v6.insert(p, range);
                    spans_v6.push((p.network().into(), p.broadcast().into(), label));
                }
            }
            start = end;
        }
        let steps_v4: Vec<(u32, LabelId)> = flatten(&spans_v4, &private_spans(Family::V4), 32)
            .into_iter()
            .map(|(s, l)| {
                (
                    u32::try_from(s).expect("IPv4 interval starts are below 2^32"),
                    l,
                )
            })
            .collect();
        let steps_v6 = flatten(&spans_v6, &private_spans(Family::V6), 128);
        let meets = |spans: &[(u128, u128, LabelId)], private: &[(u128, u128, LabelId)]| {
            spans
                .iter()
                .any(|a| private.iter().any(|p| a.0 <= p.1 && p.0 <= a.1))
        };
        let private_unlisted = !meets(&spans_v4, &private_spans(Family::V4))
            && !meets(&spans_v6, &private_spans(Family::V6));
        Ok(Ranges {
            sync_token,
            create_date,
            entries,
            labels: labels.labels,
            v4: V4Table::build(&steps_v4),
            v6: V6Table::build(&steps_v6),
            prefixes_v4,
            prefixes_v6,
            private_unlisted,
        })
    }
}

/// Converts an index into `entries` to `u32`; a file has far fewer than 2^32 entries
/// (that many would not fit in memory as JSON).
fn index_u32(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 entries")
}

/// Applies the attribution rule to the entries of one prefix (sorted, non-empty).
fn resolve(entries: &[Entry]) -> Label {
    let mut services: Vec<String> = entries.iter().map(|e| e.service.clone()).collect();
    services.dedup(); // sorted by service within one prefix, since entries are sorted
    let service = primary_service(&services).to_owned();
    // Region and border group from the winning service's (first) entry.
    let entry = entries
        .iter()
        .find(|e| e.service == service)
        .unwrap_or(&entries[0]);
    Label {
        region: Some(entry.region.clone()),
        border_group: Some(entry.border_group.clone()),
        service,
        services,
    }
}

/// The primary service among the sorted, de-duplicated services of one prefix.
fn primary_service(services: &[String]) -> &str {
    let has = |name: &str| services.iter().any(|s| s == name);
    let cf_origin = has("CLOUDFRONT_ORIGIN_FACING");
    let specific = services.iter().find(|s| {
        let s = s.as_str();
        s != AMAZON && s != EC2 && !(cf_origin && s == "CLOUDFRONT")
    });
    match specific {
        Some(s) => s,
        None if has(EC2) => EC2,
        None => AMAZON,
    }
}

/// Interns labels, keeping [`INTERNET`] and [`PRIVATE`] at 0 and 1.
struct Labels {
    labels: Vec<Label>,
    ids: FxHashMap<Label, LabelId>,
}

impl Labels {
    fn new() -> Labels {
        let mut labels = Labels {
            labels: Vec::new(),
            ids: FxHashMap::default(),
        };
        for name in ["INTERNET", "PRIVATE"] {
            let label = Label::outside(name);
            labels
                .ids
                .insert(label.clone(), index_label(labels.labels.len()));
            labels.labels.push(label);
        }
        labels
    }

    fn intern(&mut self, label: Label) -> Result<LabelId, RangesError> {
        if let Some(&id) = self.ids.get(&label) {
            return Ok(id);
        }
        let id = LabelId::try_from(self.labels.len()).map_err(|_| RangesError::TooManyLabels {
            max: usize::from(LabelId::MAX) + 1,
        })?;
        self.ids.insert(label.clone(), id);
        self.labels.push(label);
        Ok(id)
    }
}

/// `i` as a [`LabelId`], for the two reserved labels.
fn index_label(i: usize) -> LabelId {
    LabelId::try_from(i).expect("the reserved labels are 0 and 1")
}

/// The private blocks of one family as (first, last, [`PRIVATE`]) spans, sorted.
fn private_spans(family: Family) -> Vec<(u128, u128, LabelId)> {
    let mut spans: Vec<(u128, u128, LabelId)> = PRIVATE_NETS
        .iter()
        .filter_map(|net| match (family, net) {
            (Family::V4, IpNet::V4(n)) => Some((
                u32::from(n.network()).into(),
                u32::from(n.broadcast()).into(),
                PRIVATE,
            )),
            (Family::V6, IpNet::V6(n)) => Some((n.network().into(), n.broadcast().into(), PRIVATE)),
            _ => None,
        })
        .collect();
    spans.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    spans
}

/// Flattens nested spans into a step function over `[0, 2^bits)`: a list of
/// (start, label) with strictly increasing starts, the first at 0, no two neighbours
/// equal. Where a span of `aws` covers an address, the innermost one's label holds;
/// elsewhere the innermost span of `background`'s label, else [`INTERNET`].
///
/// Both inputs are (first, last, label) spans sorted by first address and, for equal
/// first addresses, outermost first; any two spans are nested or disjoint (as prefixes
/// always are).
fn flatten(
    aws: &[(u128, u128, LabelId)],
    background: &[(u128, u128, LabelId)],
    bits: u32,
) -> Vec<(u128, LabelId)> {
    let aws = sweep(aws, bits);
    let background = sweep(background, bits);
    let mut starts: Vec<u128> = aws.iter().chain(&background).map(|s| s.0).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut out: Vec<(u128, LabelId)> = Vec::with_capacity(starts.len());
    let (mut a, mut b) = (0, 0);
    for pos in starts {
        while a + 1 < aws.len() && aws[a + 1].0 <= pos {
            a += 1;
        }
        while b + 1 < background.len() && background[b + 1].0 <= pos {
            b += 1;
        }
        let label = aws[a].1.or(background[b].1).unwrap_or(INTERNET);
        if out.last().is_none_or(|last| last.1 != label) {
            out.push((pos, label));
        }
    }
    out
}

/// The step function of nested spans (see [`flatten`]): (start, innermost label or
/// `None`), strictly increasing starts, the first at 0.
fn sweep(spans: &[(u128, u128, LabelId)], bits: u32) -> Vec<(u128, Option<LabelId>)> {
    // The end of the address space, exclusive; `None` for 2^128.
    let space_end = 1u128.checked_shl(bits);
    let mut steps: Vec<(u128, Option<LabelId>)> = vec![(0, None)];
    // Open spans, outermost first: (last address, label).
    let mut open: Vec<(u128, LabelId)> = Vec::new();
    // Pushes a step; a later step at the same start replaces an earlier one.
    fn push(steps: &mut Vec<(u128, Option<LabelId>)>, at: u128, label: Option<LabelId>) {
        match steps.last_mut() {
            Some(last) if last.0 == at => last.1 = label,
            _ => steps.push((at, label)),
        }
    }
    // Closes every open span that ends before `before` (all of them for `None`).
    let close = |open: &mut Vec<(u128, LabelId)>,
                 steps: &mut Vec<(u128, Option<LabelId>)>,
                 before: Option<u128>| {
        while let Some(&(last, _)) = open.last() {
            if before.is_some_and(|b| last >= b) {
                break;
            }
            open.pop();
            let next = last
                .checked_add(1)
                .filter(|&n| space_end.is_none_or(|end| n < end));
            if let Some(next) = next {
                push(steps, next, open.last().map(|o| o.1));
            }
        }
    };
    for &(first, last, label) in spans {
        close(&mut open, &mut steps, Some(first));
        push(&mut steps, first, Some(label));
        open.push((last, label));
    }
    close(&mut open, &mut steps, None);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranges::testing::*;
    use crate::ranges::*;

    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use proptest::sample::Index;
    use serde_json::{Value, json};

    // ---- the attribution rule, by hand -----------------------------------------------

    #[test]
    fn amazon_only_carve_out_inside_ec2_is_amazon() {
        let r = load(&[
            ("140.179.0.0/16", "AMAZON", "cn-north-1", "cn-north-1"),
            ("140.179.0.0/16", "EC2", "cn-north-1", "cn-north-1"),
            ("140.179.15.0/26", "AMAZON", "cn-north-1", "cn-north-1"),
            ("2400:7fc0::/32", "AMAZON", "cn-north-1", "cn-north-1"),
            ("2400:7fc0::/32", "EC2", "cn-north-1", "cn-north-1"),
            ("2400:7fc0:1::/48", "AMAZON", "cn-north-1", "cn-north-1"),
        ]);
        assert_service(&r, "140.179.0.0", "EC2");
        assert_service(&r, "140.179.14.255", "EC2");
        assert_service(&r, "140.179.15.0", "AMAZON");
        assert_service(&r, "140.179.15.63", "AMAZON");
        assert_service(&r, "140.179.15.64", "EC2");
        assert_service(&r, "140.179.255.255", "EC2");
        assert_eq!(at(&r, "140.179.15.1").services, ["AMAZON"]);
        assert_eq!(at(&r, "140.179.16.1").services, ["AMAZON", "EC2"]);
        assert_service(&r, "2400:7fc0::1", "EC2");
        assert_service(&r, "2400:7fc0:1::", "AMAZON");
        assert_service(&r, "2400:7fc0:1:ffff:ffff:ffff:ffff:ffff", "AMAZON");
        assert_service(&r, "2400:7fc0:2::", "EC2");
    }

    #[test]
    fn a_specific_service_beats_ec2_and_amazon() {
        let r = load(&[
            ("3.5.98.0/23", "AMAZON", "eu-west-1", "eu-west-1"),
            ("3.5.98.0/23", "EC2", "eu-west-1", "eu-west-1"),
            ("3.5.98.0/23", "S3", "eu-west-1", "eu-west-1"),
            ("52.94.76.0/22", "AMAZON", "us-west-2", "us-west-2"),
            ("52.95.0.0/24", "S3", "us-east-1", "us-east-1"),
            ("2a05:d070:e000::/40", "S3", "me-south-1", "me-south-1"),
            ("2a05:d070:e000::/40", "EC2", "me-south-1", "me-south-1"),
            ("2a05:d070:e000::/40", "AMAZON", "me-south-1", "me-south-1"),
        ]);
        assert_at(&r, "3.5.98.0", "S3", Some("eu-west-1"), Some("eu-west-1"));
        assert_eq!(at(&r, "3.5.99.255").services, ["AMAZON", "EC2", "S3"]);
        assert_service(&r, "52.94.77.1", "AMAZON");
        assert_service(&r, "52.95.0.7", "S3");
        assert_at(
            &r,
            "2a05:d070:e000::5",
            "S3",
            Some("me-south-1"),
            Some("me-south-1"),
        );
        assert_eq!(at(&r, "2a05:d070:e0ff::").services, ["AMAZON", "EC2", "S3"]);
    }

    #[test]
    fn cloudfront_origin_facing_beats_cloudfront_and_other_ties_go_by_name() {
        let r = load(&[
            ("70.132.0.0/18", "AMAZON", "GLOBAL", "GLOBAL"),
            ("70.132.0.0/18", "CLOUDFRONT", "GLOBAL", "GLOBAL"),
            (
                "70.132.0.0/18",
                "CLOUDFRONT_ORIGIN_FACING",
                "GLOBAL",
                "GLOBAL",
            ),
            ("70.133.0.0/24", "CLOUDFRONT", "GLOBAL", "GLOBAL"),
            ("70.133.0.0/24", "EC2", "GLOBAL", "GLOBAL"),
            ("70.134.0.0/24", "ROUTE53", "GLOBAL", "GLOBAL"),
            ("70.134.0.0/24", "EC2", "GLOBAL", "GLOBAL"),
            ("70.134.0.0/24", "IVS_REALTIME", "GLOBAL", "GLOBAL"),
            (
                "70.135.0.0/24",
                "NEW_SERVICE_2027",
                "us-east-1",
                "us-east-1",
            ),
            ("70.135.0.0/24", "EC2", "us-east-1", "us-east-1"),
            ("2600:9000:5200::/40", "AMAZON", "GLOBAL", "GLOBAL"),
            (
                "2600:9000:5200::/40",
                "CLOUDFRONT_ORIGIN_FACING",
                "GLOBAL",
                "GLOBAL",
            ),
            ("2600:9000:5200::/40", "CLOUDFRONT", "GLOBAL", "GLOBAL"),
        ]);
        assert_service(&r, "70.132.0.1", "CLOUDFRONT_ORIGIN_FACING");
        assert_eq!(
            at(&r, "70.132.63.255").services,
            ["AMAZON", "CLOUDFRONT", "CLOUDFRONT_ORIGIN_FACING"]
        );
        assert_service(&r, "70.133.0.1", "CLOUDFRONT");
        assert_service(&r, "70.134.0.1", "IVS_REALTIME");
        assert_service(&r, "70.135.0.1", "NEW_SERVICE_2027");
        assert_service(&r, "2600:9000:52ff::1", "CLOUDFRONT_ORIGIN_FACING");
    }

    #[test]
    fn a_regional_child_of_a_global_parent_takes_its_own_region() {
        let r = load(&[
            ("15.193.0.0/19", "AMAZON", "GLOBAL", "GLOBAL"),
            ("15.193.0.0/19", "AMAZON_CONNECT", "GLOBAL", "GLOBAL"),
            ("15.193.0.0/24", "AMAZON", "ap-south-1", "ap-south-1"),
            ("15.193.0.0/24", "EC2", "ap-south-1", "ap-south-1"),
            (
                "15.193.0.0/24",
                "AMAZON_CONNECT",
                "ap-south-1",
                "ap-south-1",
            ),
            ("15.193.2.0/24", "AMAZON", "us-east-1", "us-east-1-bos-1"),
            ("2600:9000:5200::/40", "AMAZON", "GLOBAL", "GLOBAL"),
            ("2600:9000:5200::/40", "CLOUDFRONT", "GLOBAL", "GLOBAL"),
            ("2600:9000:5200::/48", "AMAZON", "eu-west-1", "eu-west-1"),
            ("2600:9000:5200::/48", "EC2", "eu-west-1", "eu-west-1"),
        ]);
        assert_at(
            &r,
            "15.193.0.9",
            "AMAZON_CONNECT",
            Some("ap-south-1"),
            Some("ap-south-1"),
        );
        assert_at(
            &r,
            "15.193.1.0",
            "AMAZON_CONNECT",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        assert_at(
            &r,
            "15.193.2.255",
            "AMAZON",
            Some("us-east-1"),
            Some("us-east-1-bos-1"),
        );
        assert_at(
            &r,
            "15.193.31.255",
            "AMAZON_CONNECT",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        assert_at(&r, "15.193.32.0", "INTERNET", None, None);
        assert_at(
            &r,
            "2600:9000:5200:ffff::",
            "EC2",
            Some("eu-west-1"),
            Some("eu-west-1"),
        );
        assert_at(
            &r,
            "2600:9000:5201::",
            "CLOUDFRONT",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
    }

    #[test]
    fn region_and_border_group_come_from_the_winning_service() {
        // Not seen in real files (0 disagreements measured), but defined: the primary
        // service's entry, the first in (region, border group) order.
        let r = load(&[
            ("52.0.0.0/24", "AMAZON", "GLOBAL", "GLOBAL"),
            ("52.0.0.0/24", "S3", "us-east-1", "us-east-1"),
            ("52.0.0.0/24", "S3", "eu-west-1", "eu-west-1"),
        ]);
        assert_at(&r, "52.0.0.1", "S3", Some("eu-west-1"), Some("eu-west-1"));
        assert_eq!(at(&r, "52.0.0.1").services, ["AMAZON", "S3"]);
    }

    #[test]
    fn private_and_internet_outside_aws() {
        let r = load(&[("3.5.98.0/23", "S3", "eu-west-1", "eu-west-1")]);
        let private = [
            ("10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"),
            (
                "172.16.0.0",
                "172.31.255.255",
                "172.15.255.255",
                "172.32.0.0",
            ),
            (
                "192.168.0.0",
                "192.168.255.255",
                "192.167.255.255",
                "192.169.0.0",
            ),
            (
                "100.64.0.0",
                "100.127.255.255",
                "100.63.255.255",
                "100.128.0.0",
            ),
            (
                "169.254.0.0",
                "169.254.255.255",
                "169.253.255.255",
                "169.255.0.0",
            ),
            (
                "127.0.0.0",
                "127.255.255.255",
                "126.255.255.255",
                "128.0.0.0",
            ),
            (
                "fc00::",
                "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fe00::",
            ),
            (
                "fe80::",
                "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fec0::",
            ),
        ];
        for (first, last, before, after) in private {
            assert_at(&r, first, "PRIVATE", None, None);
            assert_at(&r, last, "PRIVATE", None, None);
            assert_at(&r, before, "INTERNET", None, None);
            assert_at(&r, after, "INTERNET", None, None);
            assert_eq!(r.lookup(first.parse().expect("addr")), PRIVATE);
            assert_eq!(r.lookup(before.parse().expect("addr")), INTERNET);
        }
        for public in ["8.8.8.8", "1.1.1.1", "2001:db8::1", "2606:4700::1111"] {
            assert_eq!(
                r.lookup(public.parse().expect("addr")),
                INTERNET,
                "{public}"
            );
        }
        assert!(!r.label(INTERNET).is_aws() && !r.label(PRIVATE).is_aws());
        assert!(r.labels()[2].is_aws());
        assert_eq!(r.label(INTERNET), &Label::outside("INTERNET"));
        assert_eq!(r.label(PRIVATE).service, "PRIVATE");
        assert!(r.label(PRIVATE).services.is_empty());
    }

    #[test]
    fn aws_prefixes_win_over_private_space() {
        let r = load(&[
            ("10.1.0.0/16", "EC2", "us-east-1", "us-east-1"),
            ("0.0.0.0/1", "AMAZON", "GLOBAL", "GLOBAL"),
            ("fd00::/8", "AMAZON", "GLOBAL", "GLOBAL"),
        ]);
        assert_service(&r, "10.0.255.255", "AMAZON"); // inside 0/1, outside 10.1/16
        assert_service(&r, "10.1.0.0", "EC2");
        assert_service(&r, "10.1.255.255", "EC2");
        assert_service(&r, "10.2.0.0", "AMAZON");
        assert_service(&r, "127.0.0.1", "AMAZON");
        assert_service(&r, "127.255.255.255", "AMAZON");
        assert_service(&r, "128.0.0.0", "INTERNET");
        assert_service(&r, "192.168.1.1", "PRIVATE");
        assert_service(&r, "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "PRIVATE");
        assert_service(&r, "fd00::", "AMAZON");
        assert_service(&r, "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "AMAZON");
        assert_service(&r, "fe80::1", "PRIVATE");
        // Listed prefixes meet the private blocks: `is_private` asks the table.
        assert!(!r.private_unlisted);
        for (addr, private) in [
            ("10.0.255.255", false),
            ("192.168.1.1", true),
            ("fd00::", false),
            ("fe80::1", true),
        ] {
            assert_eq!(r.is_private(addr.parse().expect("addr")), private, "{addr}");
        }
    }

    #[test]
    fn boundaries_host_prefixes_and_the_ends_of_the_space() {
        let r = load(&[
            ("3.4.12.4/32", "AMAZON", "eu-west-1", "eu-west-1"),
            ("3.4.12.0/24", "EC2", "eu-west-1", "eu-west-1"),
            ("2600:1f00::1/128", "ROUTE53", "GLOBAL", "GLOBAL"),
            ("2600:1f00::/32", "EC2", "us-east-1", "us-east-1"),
        ]);
        assert_service(&r, "3.4.11.255", "INTERNET");
        assert_service(&r, "3.4.12.0", "EC2");
        assert_service(&r, "3.4.12.3", "EC2");
        assert_service(&r, "3.4.12.4", "AMAZON");
        assert_service(&r, "3.4.12.5", "EC2");
        assert_service(&r, "3.4.12.255", "EC2");
        assert_service(&r, "3.4.13.0", "INTERNET");
        assert_service(&r, "2600:1eff:ffff:ffff:ffff:ffff:ffff:ffff", "INTERNET");
        assert_service(&r, "2600:1f00::", "EC2");
        assert_service(&r, "2600:1f00::1", "ROUTE53");
        assert_service(&r, "2600:1f00::2", "EC2");
        assert_service(&r, "2600:1f00:ffff:ffff:ffff:ffff:ffff:ffff", "EC2");
        assert_service(&r, "2600:1f01::", "INTERNET");
        for end in [
            "0.0.0.0",
            "255.255.255.255",
            "::",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ] {
            assert_service(&r, end, "INTERNET");
        }
        assert_eq!(r.lookup_v4(0), INTERNET);
        assert_eq!(r.lookup_v4(u32::MAX), INTERNET);
        assert_eq!(r.lookup_v6(0), INTERNET);
        assert_eq!(r.lookup_v6(u128::MAX), INTERNET);

        // Host prefixes at the very ends of each space.
        let r = load(&[
            ("0.0.0.0/32", "AMAZON", "GLOBAL", "GLOBAL"),
            ("255.255.255.255/32", "S3", "GLOBAL", "GLOBAL"),
            ("::/128", "EC2", "GLOBAL", "GLOBAL"),
            (
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
                "ROUTE53",
                "GLOBAL",
                "GLOBAL",
            ),
        ]);
        assert_service(&r, "0.0.0.0", "AMAZON");
        assert_service(&r, "0.0.0.1", "INTERNET");
        assert_service(&r, "255.255.255.254", "INTERNET");
        assert_service(&r, "255.255.255.255", "S3");
        assert_service(&r, "::", "EC2");
        assert_service(&r, "::1", "INTERNET");
        assert_service(&r, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "INTERNET");
        assert_service(&r, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ROUTE53");

        // Prefixes that cover the whole space.
        let r = load(&[
            ("0.0.0.0/0", "AMAZON", "GLOBAL", "GLOBAL"),
            ("::/0", "EC2", "GLOBAL", "GLOBAL"),
        ]);
        for addr in ["0.0.0.0", "10.0.0.1", "255.255.255.255"] {
            assert_service(&r, addr, "AMAZON");
        }
        for addr in ["::", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"] {
            assert_service(&r, addr, "EC2");
        }
    }

    #[test]
    fn entries_are_sorted_and_deduplicated_and_labels_interned() {
        let r = load(&[
            ("52.95.0.0/24", "S3", "us-east-1", "us-east-1"),
            ("3.5.98.0/23", "S3", "eu-west-1", "eu-west-1"),
            ("2600:1f00::/32", "EC2", "us-east-1", "us-east-1"),
            ("3.5.98.0/23", "AMAZON", "eu-west-1", "eu-west-1"),
            ("3.5.98.0/23", "S3", "eu-west-1", "eu-west-1"),
            ("52.96.0.0/24", "S3", "us-east-1", "us-east-1"),
        ]);
        let prefixes: Vec<String> = r
            .entries()
            .iter()
            .map(|e| format!("{} {}", e.prefix, e.service))
            .collect();
        assert_eq!(
            prefixes,
            [
                "3.5.98.0/23 AMAZON",
                "3.5.98.0/23 S3",
                "52.95.0.0/24 S3",
                "52.96.0.0/24 S3",
                "2600:1f00::/32 EC2"
            ]
        );
        // 52.95/24 and 52.96/24 share a label.
        assert_eq!(
            r.lookup("52.95.0.1".parse().expect("addr")),
            r.lookup("52.96.0.1".parse().expect("addr"))
        );
        assert_eq!(r.labels().len(), 5);
        let distinct: BTreeSet<_> = r.labels().iter().map(|l| format!("{l:?}")).collect();
        assert_eq!(distinct.len(), r.labels().len());
    }

    #[test]
    fn too_many_labels_is_an_error_not_a_panic() {
        let mut labels = Labels::new();
        for i in 0..(65_536 - 2) {
            labels.intern(Label::outside(&i.to_string())).expect("fits");
        }
        let e = labels.intern(Label::outside("one more")).expect_err("full");
        assert!(e.to_string().contains("more than 65536 distinct"), "{e}");
    }

    // ---- the flattening ------------------------------------------------------------

    #[test]
    fn flatten_merges_equal_neighbours_and_covers_the_space() {
        let spans = [(0, 9, 5), (2, 3, 6), (10, 19, 5), (30, 31, 7)];
        let bg = [(25, 40, PRIVATE)];
        assert_eq!(
            flatten(&spans, &bg, 6),
            [
                (0, 5),
                (2, 6),
                (4, 5),
                (20, INTERNET),
                (25, PRIVATE),
                (30, 7),
                (32, PRIVATE),
                (41, INTERNET)
            ]
        );
        assert_eq!(flatten(&[(0, 63, 3)], &[], 6), [(0, 3)]);
        assert_eq!(flatten(&[], &[], 128), [(0, INTERNET)]);
        assert_eq!(
            flatten(&[(u128::MAX, u128::MAX, 4)], &[], 128),
            [(0, INTERNET), (u128::MAX, 4)]
        );
    }

    #[test]
    fn snapshots_match_the_reference_at_every_change_point() {
        for s in snapshots() {
            assert_matches_everywhere(&s.ranges, &s.reference, &s.name);
            assert_eq!(s.ranges.prefixes_v4.len(), s.spans4.len());
            assert_eq!(s.ranges.prefixes_v6.len(), s.spans6.len());
        }
    }

    /// A random address inside a random listed prefix, or one of its two ends.
    fn pick<T>(spans: &[(T, T)], which: &Index, bits: T, end: u8) -> T
    where
        T: Copy
            + std::ops::BitAnd<Output = T>
            + std::ops::BitOr<Output = T>
            + std::ops::Not<Output = T>,
    {
        let (first, last) = spans[which.index(spans.len())];
        match end {
            0 => first,
            1 => last,
            _ => first | (bits & !first & last),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn snapshots_match_the_reference_at_random(
            picks in prop::collection::vec((any::<Index>(), any::<u128>(), 0u8..4), 32),
            random4 in prop::collection::vec(any::<u32>(), 32),
            random6 in prop::collection::vec(any::<u128>(), 32),
        ) {
            for s in snapshots() {
                let check = |addr: IpAddr| {
                    assert_eq!(s.ranges.label(s.ranges.lookup(addr)), &s.reference.expected(addr), "{}: {addr}", s.name);
                };
                for (which, bits, end) in &picks {
                    check(IpAddr::V4(Ipv4Addr::from_bits(pick(&s.spans4, which, *bits as u32, *end))));
                    check(IpAddr::V6(Ipv6Addr::from_bits(pick(&s.spans6, which, *bits, *end))));
                }
                for &a in &random4 {
                    check(IpAddr::V4(Ipv4Addr::from_bits(a)));
                }
                for &a in &random6 {
                    check(IpAddr::V6(Ipv6Addr::from_bits(a)));
                    // The AWS part of IPv6 is tiny: also aim at 2000::/3 with AWS-like tops.
                    check(IpAddr::V6(Ipv6Addr::from_bits((a & !(0xffff_ffffu128 << 96)) | (0x2600_1f00u128 << 96))));
                }
            }
        }
    }

    // ---- property tests on random tables -------------------------------------------

    const SERVICES: [&str; 8] = [
        "AMAZON",
        "EC2",
        "S3",
        "CLOUDFRONT",
        "CLOUDFRONT_ORIGIN_FACING",
        "ROUTE53",
        "API_GATEWAY",
        "AMAZON_CONNECT",
    ];
    const REGIONS: [&str; 3] = ["GLOBAL", "eu-west-1", "us-east-1"];

    /// A prefix (as text) with indices of (service, region, local border group or not).
    type RandomPrefix = (String, Vec<(usize, usize, bool)>);

    /// One random prefix (as text) with 1-3 random (service, region, border group).
    fn random_prefix(v6: bool) -> impl Strategy<Value = RandomPrefix> {
        // Bases near the private blocks, the ends of the space and AWS-like space, so
        // prefixes nest and straddle the interesting edges.
        let v4_bases = [
            0x0000_0000u32,
            0x0A00_0000,
            0x3400_0000,
            0x6440_0000,
            0xAC10_0000,
            0xFFFF_0000,
        ];
        let v6_bases = [
            0u128,
            0xfc00 << 112,
            0xfe80 << 112,
            0x2600_1f00 << 96,
            u128::MAX << 64,
        ];
        let services =
            prop::collection::vec((0..SERVICES.len(), 0..REGIONS.len(), any::<bool>()), 1..4);
        let lens = if v6 {
            prop_oneof![0u8..=128, 96u8..=128]
        } else {
            prop_oneof![0u8..=32, 16u8..=32]
        };
        (any::<Index>(), any::<u128>(), lens, services).prop_map(
            move |(base, noise, len, services)| {
                let text = if v6 {
                    let a = v6_bases[base.index(v6_bases.len())] | (noise >> 80);
                    Ipv6Net::new(Ipv6Addr::from_bits(a), len.min(128))
                        .map(|n| n.trunc().to_string())
                } else {
                    let a = v4_bases[base.index(v4_bases.len())] | (noise as u32 >> 8);
                    Ipv4Net::new(Ipv4Addr::from_bits(a), len.min(32)).map(|n| n.trunc().to_string())
                };
                (text.expect("valid length"), services)
            },
        )
    }

    fn random_file(v4: &[RandomPrefix], v6: &[RandomPrefix]) -> Vec<u8> {
        let entries = |list: &[RandomPrefix], key: &str| -> Vec<Value> {
            list.iter()
                .flat_map(|(prefix, services)| {
                    services.iter().map(move |&(s, r, local)| {
                        let region = REGIONS[r];
                        let bg = if local { format!("{region}-bos-1") } else { region.to_owned() };
                        json!({key: prefix, "service": SERVICES[s], "region": region, "network_border_group": bg})
                    })
                })
                .collect()
        };
        let doc = json!({"syncToken": "1", "createDate": "x",
                         "prefixes": entries(v4, "ip_prefix"), "ipv6_prefixes": entries(v6, "ipv6_prefix")});
        serde_json::to_vec(&doc).expect("serialize")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn random_tables_match_the_reference(
            v4 in prop::collection::vec(random_prefix(false), 1..24),
            v6 in prop::collection::vec(random_prefix(true), 0..24),
            random4 in prop::collection::vec(any::<u32>(), 16),
            random6 in prop::collection::vec(any::<u128>(), 16),
        ) {
            let bytes = random_file(&v4, &v6);
            let r = Ranges::from_json(&bytes).expect("generated file is valid");
            let reference = Reference::from_json(&bytes);
            assert_matches_everywhere(&r, &reference, "random table");
            for a in random4 {
                let addr = IpAddr::V4(Ipv4Addr::from_bits(a));
                prop_assert_eq!(r.label(r.lookup(addr)), &reference.expected(addr));
            }
            for a in random6 {
                let addr = IpAddr::V6(Ipv6Addr::from_bits(a));
                prop_assert_eq!(r.label(r.lookup(addr)), &reference.expected(addr));
            }
            // covering: every listed prefix containing the address, most specific first.
            for (prefix, _) in v4.iter().chain(&v6).take(4) {
                let net: IpNet = prefix.parse().expect("net");
                let cover = r.covering(net.network());
                let lens: Vec<u8> = cover.iter().map(|e| e.prefix.prefix_len()).collect();
                prop_assert!(lens.windows(2).all(|w| w[0] >= w[1]));
                prop_assert!(cover.iter().all(|e| e.prefix.contains(&net.network())));
                prop_assert_eq!(cover.first().map(|e| e.prefix), r.matched_prefix(net.network()));
                prop_assert!(cover.iter().any(|e| e.prefix == net));
            }
        }
    }
}
