//! AWS's `ip-ranges.json`, loaded, validated and resolved into a flat lookup table.
//!
//! This module owns three things:
//!
//! - **The file model.** [`Ranges::from_json`] reads the published format (`syncToken`,
//!   `createDate`, `prefixes[]` with `ip_prefix`, `ipv6_prefixes[]` with `ipv6_prefix`,
//!   each with `service`, `region` and `network_border_group`) into sorted, de-duplicated
//!   [`Entry`] values. Unknown keys are ignored. The service set is open: any non-empty
//!   code is accepted. `network_border_group`, absent before 2020-04, defaults to the
//!   region; `ipv6_prefixes`, absent from the oldest files, defaults to empty. Every
//!   CIDR must parse, belong to its list's family and have no host bits set.
//! - **The attribution rule** (research note ranges-lpm.md §1.4), applied once per
//!   distinct prefix when the table is built:
//!   1. take the most specific listed prefix that contains the address;
//!   2. on that prefix, a service other than `AMAZON` and `EC2` wins
//!      (`CLOUDFRONT_ORIGIN_FACING` over `CLOUDFRONT`; any other tie goes to the code
//!      first in byte order); otherwise `EC2`; otherwise `AMAZON`;
//!   3. region and border group come from that same prefix (from the winning service's
//!      entry), never from an enclosing prefix: an `AMAZON`-only carve-out of an `EC2`
//!      block is `AMAZON`, a regional child of a `GLOBAL` parent is regional;
//!   4. an address in no listed prefix is [`PRIVATE`] when it is in one of
//!      [`PRIVATE_NETS`], else [`INTERNET`].
//! - **The resolved table.** Each distinct outcome is interned as a [`Label`] whose index
//!   is its [`LabelId`] (0 and 1 are always [`INTERNET`] and [`PRIVATE`]). Each family is
//!   flattened into disjoint intervals that cover its whole address space, equal
//!   neighbours merged, and handed to the private `trie` module. Lookups
//!   ([`Ranges::lookup`]) therefore apply no rules: IPv4 is a DXR-style table (one load
//!   for most addresses, a short branchless search inside the /18s that hold AWS
//!   boundaries), IPv6 a /16 index plus a branchless search over the top 64 bits of the
//!   interval starts.
//!
//! Beside the flat table, the listed prefixes stay in a [`prefix_trie::PrefixMap`] per
//! family, for the operations that need real prefixes: [`Ranges::covering`],
//! [`Ranges::matched_prefix`] and [`diff`].
//!
//! Invariants of a built [`Ranges`]: `entries()` is sorted and has no duplicates;
//! `labels()[0]` is [`INTERNET`], `labels()[1]` is [`PRIVATE`], no label appears twice;
//! every `lookup` result indexes `labels()`; for every address, `lookup` agrees with
//! the rule above applied to `matched_prefix` (property-tested against `prefix-trie`).
//!
//! A `Ranges` is immutable and `Send + Sync`: build it once and share it by reference.
//!
//! ```
//! use flowpath_core::ranges::{Ranges, PRIVATE};
//!
//! let json = br#"{"syncToken": "1787411825", "createDate": "2026-08-22-15-17-05",
//!   "prefixes": [
//!     {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "AMAZON",
//!      "network_border_group": "eu-west-1"},
//!     {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3",
//!      "network_border_group": "eu-west-1"}],
//!   "ipv6_prefixes": []}"#;
//! let ranges = Ranges::from_json(json)?;
//! let label = ranges.label(ranges.lookup("3.5.99.7".parse()?));
//! assert_eq!(label.service, "S3");
//! assert_eq!(label.services, ["AMAZON", "S3"]);
//! assert_eq!(label.region.as_deref(), Some("eu-west-1"));
//! assert_eq!(ranges.lookup("10.1.2.3".parse()?), PRIVATE);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use flate2::read::MultiGzDecoder;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::trie::{V4Table, V6Table};

/// Index of a [`Label`] in [`Ranges::labels`]; what a lookup returns.
pub type LabelId = u16;

/// The label of public addresses outside every listed AWS prefix.
pub const INTERNET: LabelId = 0;

/// The label of private or special-use addresses ([`PRIVATE_NETS`]) outside every
/// listed AWS prefix.
pub const PRIVATE: LabelId = 1;

/// The address blocks that resolve to [`PRIVATE`] when no AWS prefix covers them:
/// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), shared CGN space (`100.64/10`),
/// link-local (`169.254/16`, `fe80::/10`), loopback (`127/8`) and unique-local
/// (`fc00::/7`). Everything else outside AWS is [`INTERNET`].
pub const PRIVATE_NETS: [IpNet; 8] = [
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16)),
    IpNet::V6(Ipv6Net::new_assert(
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
    )),
    IpNet::V6(Ipv6Net::new_assert(
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
    )),
];

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
    fn outside(name: &str) -> Label {
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

/// One entry of the file, as published.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// The listed prefix (`ip_prefix` or `ipv6_prefix`); never has host bits set.
    pub prefix: IpNet,
    /// The service code (`service`).
    pub service: String,
    /// The region (`region`), an AWS Region code or `"GLOBAL"`.
    pub region: String,
    /// The network border group (`network_border_group`); the region when the file
    /// predates that field.
    pub border_group: String,
}

/// Why an `ip-ranges.json` could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RangesError {
    /// The bytes are not JSON, or not JSON of the expected shape (a list where a list
    /// belongs, strings where strings belong).
    #[error("ip-ranges.json is not valid: {source}")]
    Json {
        /// Line of the problem, 1-based (0 when the input ended early).
        line: usize,
        /// Column of the problem, 1-based.
        column: usize,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A required top-level key is absent.
    #[error("ip-ranges.json has no `{key}` key: is this AWS's ip-ranges.json?")]
    MissingKey {
        /// The missing key: `syncToken`, `createDate` or `prefixes`.
        key: &'static str,
    },
    /// The IPv4 list is empty: every remote address would silently become internet or
    /// private. AWS's file lists thousands.
    #[error("ip-ranges.json lists no prefixes in `{key}`: a truncated or filtered file?")]
    EmptyList {
        /// The empty list: `prefixes`.
        key: &'static str,
    },
    /// An entry lacks one of its keys.
    #[error("entry {index} of `{list}` has no `{field}`")]
    MissingField {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The missing key.
        field: &'static str,
    },
    /// An entry of one list carries the other list's prefix key, e.g. an `ipv6_prefix`
    /// inside `prefixes`.
    #[error(
        "entry {index} of `{list}` has `{found}` instead of `{key}`; entries with `{found}` \
         belong in `{belongs}`"
    )]
    WrongList {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key the list expects: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The key found instead.
        found: &'static str,
        /// The list where entries with `found` belong.
        belongs: &'static str,
    },
    /// An entry's `service` or `region` is the empty string.
    #[error("entry {index} of `{list}` has an empty `{field}`")]
    EmptyField {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The empty key.
        field: &'static str,
    },
    /// A prefix is not a CIDR of its list's family.
    #[error(
        "entry {index} of `{list}`: `{key}` is {value:?}, which is not an {family} CIDR ({reason})"
    )]
    BadCidr {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key holding the value: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The expected family: `IPv4` or `IPv6`.
        family: &'static str,
        /// The value as found.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A prefix has bits set after its prefix length, e.g. `10.0.0.1/24`.
    #[error(
        "entry {index} of `{list}`: `{key}` is {value:?}, which has host bits set \
         (the network is {network})"
    )]
    HostBits {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key holding the value: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The value as found.
        value: String,
        /// The value with its host bits cleared.
        network: IpNet,
    },
    /// The file resolves to more distinct labels than a [`LabelId`] can number.
    #[error(
        "ip-ranges.json resolves to more than {max} distinct (services, region, border group) \
         labels; the lookup table numbers them with 16 bits"
    )]
    TooManyLabels {
        /// The most labels a table can hold.
        max: usize,
    },
}

impl RangesError {
    /// Wraps a `serde_json` error with its position.
    fn json(source: serde_json::Error) -> RangesError {
        RangesError::Json {
            line: source.line(),
            column: source.column(),
            source,
        }
    }
}

/// The file's top level, as published. Unknown keys are ignored.
#[derive(Deserialize)]
struct RawFile {
    #[serde(rename = "syncToken")]
    sync_token: Option<String>,
    #[serde(rename = "createDate")]
    create_date: Option<String>,
    prefixes: Option<Vec<RawEntry>>,
    ipv6_prefixes: Option<Vec<RawEntry>>,
}

/// One entry as published; either list's key may appear, so both are read and checked.
#[derive(Deserialize)]
struct RawEntry {
    ip_prefix: Option<String>,
    ipv6_prefix: Option<String>,
    service: Option<String>,
    region: Option<String>,
    #[serde(default)]
    network_border_group: Option<String>,
}

/// The two lists of the file and what each expects.
#[derive(Clone, Copy)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn list(self) -> &'static str {
        match self {
            Family::V4 => "prefixes",
            Family::V6 => "ipv6_prefixes",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Family::V4 => "ip_prefix",
            Family::V6 => "ipv6_prefix",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl RawEntry {
    /// Validates one entry of `family`'s list at `index`.
    fn into_entry(self, family: Family, index: usize) -> Result<Entry, RangesError> {
        let list = family.list();
        let key = family.key();
        let (own, other) = match family {
            Family::V4 => (self.ip_prefix, self.ipv6_prefix.is_some()),
            Family::V6 => (self.ipv6_prefix, self.ip_prefix.is_some()),
        };
        let Some(value) = own else {
            if other {
                let (found, belongs) = match family {
                    Family::V4 => ("ipv6_prefix", "ipv6_prefixes"),
                    Family::V6 => ("ip_prefix", "prefixes"),
                };
                return Err(RangesError::WrongList {
                    list,
                    index,
                    key,
                    found,
                    belongs,
                });
            }
            return Err(RangesError::MissingField {
                list,
                index,
                field: key,
            });
        };
        let bad = |reason: String| RangesError::BadCidr {
            list,
            index,
            key,
            family: family.name(),
            value: value.clone(),
            reason,
        };
        let prefix = match family {
            Family::V4 => value.parse::<Ipv4Net>().map(IpNet::V4),
            Family::V6 => value.parse::<Ipv6Net>().map(IpNet::V6),
        };
        let prefix = match prefix {
            Ok(p) => p,
            Err(_) => return Err(bad(cidr_problem(&value, family))),
        };
        if prefix.trunc() != prefix {
            return Err(RangesError::HostBits {
                list,
                index,
                key,
                value,
                network: prefix.trunc(),
            });
        }
        let service = required(self.service, list, index, "service")?;
        let region = required(self.region, list, index, "region")?;
        let border_group = self.network_border_group.unwrap_or_else(|| region.clone());
        Ok(Entry {
            prefix,
            service,
            region,
            border_group,
        })
    }
}

/// Why `value` (which failed to parse) is not a CIDR of `family`, for a person to fix.
fn cidr_problem(value: &str, family: Family) -> String {
    let Some((addr, len)) = value.split_once('/') else {
        return "no /length".to_owned();
    };
    let max = match family {
        Family::V4 => 32,
        Family::V6 => 128,
    };
    match (family, addr.parse::<IpAddr>()) {
        (Family::V4, Ok(IpAddr::V6(_))) => {
            "it is an IPv6 prefix; those belong in `ipv6_prefixes`".to_owned()
        }
        (Family::V6, Ok(IpAddr::V4(_))) => {
            "it is an IPv4 prefix; those belong in `prefixes`".to_owned()
        }
        (_, Err(_)) => format!("{addr:?} is not an {} address", family.name()),
        (_, Ok(_)) if len.parse::<u8>().is_ok_and(|l| l > max) => {
            format!("the length {len} is over {max}")
        }
        (_, Ok(_)) => format!("the length {len:?} is not a plain number from 0 to {max}"),
    }
}

/// A required, non-empty string field of an entry.
fn required(
    value: Option<String>,
    list: &'static str,
    index: usize,
    field: &'static str,
) -> Result<String, RangesError> {
    match value {
        None => Err(RangesError::MissingField { list, index, field }),
        Some(v) if v.is_empty() => Err(RangesError::EmptyField { list, index, field }),
        Some(v) => Ok(v),
    }
}

/// AWS's published ranges, resolved for lookups. See the [module docs](self).
#[derive(Clone)]
pub struct Ranges {
    sync_token: String,
    create_date: String,
    /// All entries, sorted; those of one prefix are adjacent.
    entries: Vec<Entry>,
    /// Interned labels; index = [`LabelId`].
    labels: Vec<Label>,
    v4: V4Table,
    v6: V6Table,
    /// Listed IPv4 prefixes → their range in `entries`.
    prefixes_v4: PrefixMap<Ipv4Net, (u32, u32)>,
    /// Listed IPv6 prefixes → their range in `entries`.
    prefixes_v6: PrefixMap<Ipv6Net, (u32, u32)>,
    /// Whether no listed prefix meets [`PRIVATE_NETS`], so that an address is
    /// [`PRIVATE`] exactly when it is in one of them (as in every published file):
    /// [`Ranges::is_private`] then needs no table.
    private_unlisted: bool,
}

impl std::fmt::Debug for Ranges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ranges")
            .field("sync_token", &self.sync_token)
            .field("create_date", &self.create_date)
            .field("entries", &self.entries.len())
            .field("prefixes_v4", &self.prefixes_v4.len())
            .field("prefixes_v6", &self.prefixes_v6.len())
            .field("labels", &self.labels.len())
            .field(
                "table_bytes",
                &(self.v4.size_bytes() + self.v6.size_bytes()),
            )
            .finish_non_exhaustive()
    }
}

impl Ranges {
    /// Parses and resolves an `ip-ranges.json` document.
    ///
    /// # Errors
    ///
    /// [`RangesError`] when the bytes are not JSON of the published shape, a required
    /// key is missing, a CIDR does not parse, is of the wrong family or has host bits
    /// set, or the file has more distinct labels than a [`LabelId`] numbers.
    pub fn from_json(bytes: &[u8]) -> Result<Ranges, RangesError> {
        let raw: RawFile = serde_json::from_slice(bytes).map_err(RangesError::json)?;
        let sync_token = raw
            .sync_token
            .ok_or(RangesError::MissingKey { key: "syncToken" })?;
        let create_date = raw
            .create_date
            .ok_or(RangesError::MissingKey { key: "createDate" })?;
        let v4 = raw
            .prefixes
            .ok_or(RangesError::MissingKey { key: "prefixes" })?;
        let v6 = raw.ipv6_prefixes.unwrap_or_default();
        let mut entries = Vec::with_capacity(v4.len() + v6.len());
        for (index, raw) in v4.into_iter().enumerate() {
            entries.push(raw.into_entry(Family::V4, index)?);
        }
        for (index, raw) in v6.into_iter().enumerate() {
            entries.push(raw.into_entry(Family::V6, index)?);
        }
        // Without IPv4 prefixes every remote would silently be internet or private.
        // (The IPv6 list came later, in 2017, and may be absent.)
        if !entries.iter().any(|e| matches!(e.prefix, IpNet::V4(_))) {
            return Err(RangesError::EmptyList { key: "prefixes" });
        }
        Ranges::from_entries(sync_token, create_date, entries)
    }

    /// Resolves validated entries (any order, duplicates allowed) into a table.
    fn from_entries(
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

    /// The snapshot embedded in the binary (`core/data/ip-ranges.json.gz`, the
    /// 2026-08-22 15:17:05 publication).
    ///
    /// # Panics
    ///
    /// Only if the embedded bytes were not a valid gzip of a valid file. They are fixed
    /// at compile time and a unit test loads them, so this does not happen at run time.
    pub fn embedded() -> Ranges {
        static GZ: &[u8] = include_bytes!("../data/ip-ranges.json.gz");
        let mut json = Vec::with_capacity(GZ.len() * 12);
        MultiGzDecoder::new(GZ)
            .read_to_end(&mut json)
            .expect("the embedded ip-ranges.json.gz is valid gzip (unit-tested)");
        Ranges::from_json(&json).expect("the embedded ip-ranges.json is valid (unit-tested)")
    }

    /// The file's `syncToken`: its publication time as Unix seconds, as a string.
    /// Order publications by this, not by [`Ranges::create_date`].
    pub fn sync_token(&self) -> &str {
        &self.sync_token
    }

    /// The file's `createDate` (`YYYY-MM-DD-hh-mm-ss`, UTC), as published; for display
    /// only, since some historical copies carry malformed seconds.
    pub fn create_date(&self) -> &str {
        &self.create_date
    }

    /// The publication time (the `syncToken`) as Unix seconds, if it is an integer.
    pub fn published_at(&self) -> Option<i64> {
        self.sync_token.trim().parse().ok()
    }

    /// The label of `addr`. IPv4-mapped IPv6 addresses are looked up as IPv6.
    #[inline]
    pub fn lookup(&self, addr: IpAddr) -> LabelId {
        match addr {
            IpAddr::V4(a) => self.lookup_v4(a.to_bits()),
            IpAddr::V6(a) => self.lookup_v6(a.to_bits()),
        }
    }

    /// Whether `addr` is [`PRIVATE`], i.e. `lookup(addr) == PRIVATE`: in the usual
    /// case, where no listed prefix meets [`PRIVATE_NETS`], by a few comparisons
    /// instead of a table lookup (attribution asks it of both sides of a record, and
    /// looks up only the remote one).
    #[inline]
    pub fn is_private(&self, addr: IpAddr) -> bool {
        if self.private_unlisted {
            in_private_nets(addr)
        } else {
            self.lookup(addr) == PRIVATE
        }
    }

    /// Starts fetching what [`Ranges::lookup`] of `addr` reads first into cache, for a
    /// lookup a little later.
    #[inline]
    pub(crate) fn prefetch(&self, addr: IpAddr) {
        match addr {
            IpAddr::V4(a) => self.v4.prefetch(a.to_bits()),
            IpAddr::V6(a) => self.v6.prefetch(a.to_bits()),
        }
    }

    /// The label of an IPv4 address given as a `u32` (most significant octet first).
    #[inline]
    pub fn lookup_v4(&self, addr: u32) -> LabelId {
        self.v4.lookup(addr)
    }

    /// The label of an IPv6 address given as a `u128` (most significant bits first).
    #[inline]
    pub fn lookup_v6(&self, addr: u128) -> LabelId {
        self.v6.lookup(addr)
    }

    /// The label behind an id returned by a lookup.
    ///
    /// # Panics
    ///
    /// If `id` did not come from this table's lookups (it is out of range).
    #[inline]
    pub fn label(&self, id: LabelId) -> &Label {
        &self.labels[usize::from(id)]
    }

    /// All labels, indexed by [`LabelId`]; `[0]` is [`INTERNET`], `[1]` is [`PRIVATE`].
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// All entries of the file, sorted (by prefix, IPv4 first, then service, region and
    /// border group), without duplicates.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every listed entry whose prefix contains `addr`: the entries of the most specific
    /// prefix first, then those of each enclosing prefix. Empty outside AWS.
    pub fn covering(&self, addr: IpAddr) -> Vec<&Entry> {
        let ranges: Vec<(u32, u32)> = match addr {
            IpAddr::V4(a) => self
                .prefixes_v4
                .cover(&Ipv4Net::from(a))
                .map(|(_, &r)| r)
                .collect(),
            IpAddr::V6(a) => self
                .prefixes_v6
                .cover(&Ipv6Net::from(a))
                .map(|(_, &r)| r)
                .collect(),
        };
        // `cover` yields the least specific prefix first.
        ranges
            .into_iter()
            .rev()
            .flat_map(|(s, e)| &self.entries[s as usize..e as usize])
            .collect()
    }

    /// The most specific listed prefix that contains `addr`, if any.
    pub fn matched_prefix(&self, addr: IpAddr) -> Option<IpNet> {
        match addr {
            IpAddr::V4(a) => self
                .prefixes_v4
                .get_lpm(&Ipv4Net::from(a))
                .map(|(p, _)| p.into()),
            IpAddr::V6(a) => self
                .prefixes_v6
                .get_lpm(&Ipv6Net::from(a))
                .map(|(p, _)| p.into()),
        }
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

/// Whether `addr` is in one of [`PRIVATE_NETS`], spelled out as comparisons of its
/// top bits (a unit test checks them against the list). IPv4-mapped IPv6 addresses
/// are IPv6, as for [`Ranges::lookup`].
#[inline]
fn in_private_nets(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let a = a.to_bits();
            a >> 24 == 10
                || a >> 22 == (100 << 2 | 64 >> 6)
                || a >> 24 == 127
                || a >> 16 == (169 << 8 | 254)
                || a >> 20 == (172 << 4 | 16 >> 4)
                || a >> 16 == (192 << 8 | 168)
        }
        IpAddr::V6(a) => {
            let top = (a.to_bits() >> 112) as u16;
            top >> 9 == 0xfc00 >> 9 || top >> 6 == 0xfe80 >> 6
        }
    }
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
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use proptest::sample::Index;
    use serde_json::{Value, json};

    use super::*;

    // ---- helpers -------------------------------------------------------------------

    /// An ip-ranges.json with the given (prefix, service, region, border group) entries;
    /// a prefix with a `:` goes to `ipv6_prefixes`.
    fn file(entries: &[(&str, &str, &str, &str)]) -> Vec<u8> {
        let (v6, v4): (Vec<&(&str, &str, &str, &str)>, Vec<_>) =
            entries.iter().partition(|e| e.0.contains(':'));
        let v4: Vec<Value> = v4
            .iter()
            .map(|e| json!({"ip_prefix": e.0, "service": e.1, "region": e.2, "network_border_group": e.3}))
            .collect();
        let v6: Vec<Value> = v6
            .iter()
            .map(|e| json!({"ipv6_prefix": e.0, "service": e.1, "region": e.2, "network_border_group": e.3}))
            .collect();
        let doc = json!({"syncToken": "1700000000", "createDate": "2023-11-14-22-13-20",
                         "prefixes": v4, "ipv6_prefixes": v6});
        serde_json::to_vec(&doc).expect("serialize")
    }

    fn load(entries: &[(&str, &str, &str, &str)]) -> Ranges {
        Ranges::from_json(&file(entries)).expect("valid test file")
    }

    fn at<'a>(r: &'a Ranges, addr: &str) -> &'a Label {
        r.label(r.lookup(addr.parse().expect("test address")))
    }

    /// Asserts (service, region, border group) of `addr`.
    #[track_caller]
    fn assert_at(r: &Ranges, addr: &str, service: &str, region: Option<&str>, bg: Option<&str>) {
        let l = at(r, addr);
        assert_eq!(
            (
                l.service.as_str(),
                l.region.as_deref(),
                l.border_group.as_deref()
            ),
            (service, region, bg),
            "{addr}"
        );
    }

    #[track_caller]
    fn assert_service(r: &Ranges, addr: &str, service: &str) {
        assert_eq!(at(r, addr).service, service, "{addr}");
    }

    fn err(json: &str) -> String {
        match Ranges::from_json(json.as_bytes()) {
            Ok(_) => panic!("accepted: {json}"),
            Err(e) => e.to_string(),
        }
    }

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
    fn private_nets_spelled_out_match_the_list() {
        let edges = PRIVATE_NETS.iter().flat_map(|net| {
            let (first, last) = match net {
                IpNet::V4(n) => (
                    u128::from(n.network().to_bits()),
                    u128::from(n.broadcast().to_bits()),
                ),
                IpNet::V6(n) => (n.network().to_bits(), n.broadcast().to_bits()),
            };
            let v4 = matches!(net, IpNet::V4(_));
            [
                first.wrapping_sub(1),
                first,
                first + 1,
                last - 1,
                last,
                last.wrapping_add(1),
            ]
            .map(move |a| {
                if v4 {
                    IpAddr::V4(Ipv4Addr::from_bits(a as u32))
                } else {
                    IpAddr::V6(Ipv6Addr::from_bits(a))
                }
            })
        });
        let mut checked = 0;
        for addr in edges {
            let listed = PRIVATE_NETS.iter().any(|n| n.contains(&addr));
            assert_eq!(in_private_nets(addr), listed, "{addr}");
            checked += usize::from(listed);
        }
        assert_eq!(checked, 4 * PRIVATE_NETS.len());
        // The published files list nothing there: the embedded one takes the fast path.
        assert!(Ranges::embedded().private_unlisted);
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
    fn a_file_without_ipv4_prefixes_is_refused() {
        // Accepted, it would make every remote INTERNET or PRIVATE without a word.
        for json in [
            r#"{"syncToken":"1","createDate":"x","prefixes":[]}"#,
            r#"{"syncToken":"1","createDate":"x","prefixes":[],"ipv6_prefixes":[]}"#,
            r#"{"syncToken":"1","createDate":"x","prefixes":[],"ipv6_prefixes":[
                {"ipv6_prefix": "2600:1f00::/32", "region": "r", "service": "S3"}]}"#,
        ] {
            let err = Ranges::from_json(json.as_bytes()).expect_err(json);
            assert!(
                matches!(err, RangesError::EmptyList { key: "prefixes" }),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                "ip-ranges.json lists no prefixes in `prefixes`: a truncated or filtered file?"
            );
        }
        let one = r#"{"syncToken":"1","createDate":"x","prefixes":[
            {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"}]}"#;
        let r = Ranges::from_json(one.as_bytes()).expect("one prefix is enough");
        assert_eq!(r.lookup_v4(0x0808_0808), INTERNET);
        assert_eq!(r.lookup_v4(0x0A00_0001), PRIVATE);
        assert_eq!(r.lookup("fe80::1".parse().expect("addr")), PRIVATE);
        assert_eq!(r.matched_prefix("8.8.8.8".parse().expect("addr")), None);
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
    fn covering_and_matched_prefix() {
        let r = load(&[
            ("15.193.0.0/19", "AMAZON_CONNECT", "GLOBAL", "GLOBAL"),
            ("15.193.0.0/19", "AMAZON", "GLOBAL", "GLOBAL"),
            ("15.193.0.0/24", "EC2", "ap-south-1", "ap-south-1"),
            (
                "15.193.0.0/24",
                "AMAZON_CONNECT",
                "ap-south-1",
                "ap-south-1",
            ),
            ("15.0.0.0/8", "AMAZON", "GLOBAL", "GLOBAL"),
            ("2600:9000:5200::/40", "CLOUDFRONT", "GLOBAL", "GLOBAL"),
            ("2600:9000:5200::/48", "EC2", "eu-west-1", "eu-west-1"),
        ]);
        let addr: IpAddr = "15.193.0.9".parse().expect("addr");
        let cover: Vec<String> = r
            .covering(addr)
            .iter()
            .map(|e| format!("{} {} {}", e.prefix, e.service, e.region))
            .collect();
        assert_eq!(
            cover,
            [
                "15.193.0.0/24 AMAZON_CONNECT ap-south-1",
                "15.193.0.0/24 EC2 ap-south-1",
                "15.193.0.0/19 AMAZON GLOBAL",
                "15.193.0.0/19 AMAZON_CONNECT GLOBAL",
                "15.0.0.0/8 AMAZON GLOBAL"
            ]
        );
        assert_eq!(
            r.matched_prefix(addr),
            Some("15.193.0.0/24".parse().expect("net"))
        );
        assert_eq!(
            r.matched_prefix("15.193.1.0".parse().expect("addr")),
            Some("15.193.0.0/19".parse().expect("net"))
        );
        assert_eq!(r.matched_prefix("16.0.0.0".parse().expect("addr")), None);
        let v6: IpAddr = "2600:9000:5200::1".parse().expect("addr");
        assert_eq!(r.covering(v6).len(), 2);
        assert_eq!(r.covering(v6)[0].service, "EC2");
        assert_eq!(
            r.matched_prefix(v6),
            Some("2600:9000:5200::/48".parse().expect("net"))
        );
        assert!(
            r.covering("2600:9000:5300::".parse().expect("addr"))
                .is_empty()
        );
    }

    // ---- the file format -----------------------------------------------------------

    #[test]
    fn old_schema_without_border_group_or_ipv6_and_unknown_keys() {
        let r = Ranges::from_json(
            br#"{"syncToken": "1495575790", "createDate": "2017-05-23-21-43-10",
                 "comment": "unknown keys are fine",
                 "prefixes": [{"ip_prefix": "13.32.0.0/15", "region": "GLOBAL",
                               "service": "CLOUDFRONT", "extra": 1}]}"#,
        )
        .expect("valid");
        assert_eq!(r.entries()[0].border_group, "GLOBAL");
        assert_at(
            &r,
            "13.33.0.1",
            "CLOUDFRONT",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        assert_eq!(r.published_at(), Some(1_495_575_790));
        assert_eq!(r.sync_token(), "1495575790");
        assert_eq!(r.create_date(), "2017-05-23-21-43-10");
        let odd = Ranges::from_json(
            br#"{"syncToken":"soon","createDate":"2017-07-20-22-42-233","prefixes":[
                {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"}]}"#,
        )
        .expect("createDate and syncToken are kept as published");
        assert_eq!(odd.published_at(), None);
        assert_eq!(odd.create_date(), "2017-07-20-22-42-233");
        assert!(format!("{odd:?}").contains("sync_token: \"soon\""));
    }

    #[test]
    fn errors_name_the_problem() {
        let bad_json = err(r#"{"syncToken": "1", "prefixes": [,]}"#);
        assert!(
            bad_json.contains("not valid") && bad_json.contains("line 1 column"),
            "{bad_json}"
        );
        match Ranges::from_json(b"{\n\"syncToken\": \"1\",\n  oops}") {
            Err(RangesError::Json { line, column, .. }) => assert_eq!((line, column), (3, 3)),
            other => panic!("{other:?}"),
        }
        let truncated = err(r#"{"syncToken": "1", "createDate": "x", "prefixes": ["#);
        assert!(truncated.contains("EOF"), "{truncated}");
        let shape = err(r#"{"syncToken": "1", "createDate": "x", "prefixes": 5}"#);
        assert!(
            shape.contains("invalid type: integer `5`, expected a sequence"),
            "{shape}"
        );

        for (key, doc) in [
            ("syncToken", r#"{"createDate": "x", "prefixes": []}"#),
            ("createDate", r#"{"syncToken": "1", "prefixes": []}"#),
            (
                "prefixes",
                r#"{"syncToken": "1", "createDate": "x", "ipv6_prefixes": []}"#,
            ),
        ] {
            assert_eq!(
                err(doc),
                format!("ip-ranges.json has no `{key}` key: is this AWS's ip-ranges.json?")
            );
        }

        let head = r#"{"syncToken": "1", "createDate": "x", "prefixes": [
            {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"},
            {"ip_prefix": "3.5.100.0/22", "region": "eu-west-1", "service": "S3"},"#;
        let with = |entry: &str| err(&format!("{head} {entry}]}}"));
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/33", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.0/33\", which is not an IPv4 CIDR \
             (the length 33 is over 32)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.0\", which is not an IPv4 CIDR (no /length)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "2600:1f00::/32", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"2600:1f00::/32\", which is not an IPv4 CIDR \
             (it is an IPv6 prefix; those belong in `ipv6_prefixes`)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.1/24", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.1/24\", which has host bits set \
             (the network is 10.0.0.0/24)"
        );
        assert_eq!(
            with(r#"{"ipv6_prefix": "2600::/16", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes` has `ipv6_prefix` instead of `ip_prefix`; entries with \
             `ipv6_prefix` belong in `ipv6_prefixes`"
        );
        assert_eq!(
            with(r#"{"region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes` has no `ip_prefix`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "region": "r"}"#),
            "entry 2 of `prefixes` has no `service`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "service": "S3"}"#),
            "entry 2 of `prefixes` has no `region`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "region": "r", "service": ""}"#),
            "entry 2 of `prefixes` has an empty `service`"
        );
        let v6 = err(
            r#"{"syncToken": "1", "createDate": "x", "prefixes": [], "ipv6_prefixes": [
                {"ipv6_prefix": "2600:1f00::1/32", "region": "r", "service": "S3"}]}"#,
        );
        assert_eq!(
            v6,
            "entry 0 of `ipv6_prefixes`: `ipv6_prefix` is \"2600:1f00::1/32\", which has host \
             bits set (the network is 2600:1f00::/32)"
        );
        let v4_in_v6 = err(
            r#"{"syncToken": "1", "createDate": "x", "prefixes": [], "ipv6_prefixes": [
                {"ipv6_prefix": "10.0.0.0/8", "region": "r", "service": "S3"}]}"#,
        );
        assert!(
            v4_in_v6.contains("it is an IPv4 prefix; those belong in `prefixes`"),
            "{v4_in_v6}"
        );
        assert!(
            with(r#"{"ip_prefix": "10.0.0.256/24", "region": "r", "service": "S3"}"#)
                .ends_with("(\"10.0.0.256\" is not an IPv4 address)")
        );
        assert!(
            with(r#"{"ip_prefix": "10.0.0.0/x", "region": "r", "service": "S3"}"#)
                .ends_with("(the length \"x\" is not a plain number from 0 to 32)")
        );
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

    // ---- the embedded snapshot -----------------------------------------------------

    #[test]
    fn embedded_snapshot_loads_with_known_answers() {
        let r = Ranges::embedded();
        assert_eq!(r.sync_token(), "1787411825");
        assert_eq!(r.create_date(), "2026-08-22-15-17-05");
        assert_eq!(r.published_at(), Some(1_787_411_825));
        assert_eq!(r.entries().len(), 10_668 + 6_160);
        let v4 = r
            .entries()
            .iter()
            .filter(|e| e.prefix.addr().is_ipv4())
            .count();
        assert_eq!(v4, 10_668);
        // S3 in a region, on a prefix listed as AMAZON + EC2 + S3.
        assert_at(&r, "3.5.98.5", "S3", Some("eu-west-1"), Some("eu-west-1"));
        assert_at(&r, "3.5.100.0", "S3", Some("us-east-2"), Some("us-east-2"));
        // An AMAZON-only /26 carved out of an EC2 /16, and the EC2 space around it.
        assert_at(
            &r,
            "140.179.15.10",
            "AMAZON",
            Some("cn-north-1"),
            Some("cn-north-1"),
        );
        assert_at(
            &r,
            "140.179.16.1",
            "EC2",
            Some("cn-north-1"),
            Some("cn-north-1"),
        );
        // Regional /24 inside a GLOBAL AMAZON_CONNECT /19.
        assert_at(
            &r,
            "15.193.0.9",
            "AMAZON_CONNECT",
            Some("ap-south-1"),
            Some("ap-south-1"),
        );
        // EC2 /22 inside an S3 /21, and the S3 rest of the /21.
        assert_at(
            &r,
            "83.118.240.1",
            "EC2",
            Some("eusc-de-east-1"),
            Some("eusc-de-east-1"),
        );
        assert_at(
            &r,
            "83.118.244.1",
            "S3",
            Some("eusc-de-east-1"),
            Some("eusc-de-east-1"),
        );
        assert_at(
            &r,
            "70.132.0.1",
            "CLOUDFRONT_ORIGIN_FACING",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        // A Local Zone border group.
        assert_at(
            &r,
            "15.181.232.1",
            "EC2",
            Some("us-east-1"),
            Some("us-east-1-iah-1"),
        );
        assert_at(
            &r,
            "52.94.76.1",
            "AMAZON",
            Some("us-west-2"),
            Some("us-west-2"),
        );
        // IPv6: S3, EC2 /48s inside a GLOBAL CloudFront /40, and the /40's rest.
        assert_at(
            &r,
            "2406:daf9:a800::1",
            "S3",
            Some("ap-southeast-1"),
            Some("ap-southeast-1"),
        );
        assert_at(
            &r,
            "2600:9000:5200::1",
            "EC2",
            Some("eu-west-1"),
            Some("eu-west-1"),
        );
        assert_at(
            &r,
            "2600:9000:5201::1",
            "EC2",
            Some("us-east-1"),
            Some("us-east-1"),
        );
        assert_at(
            &r,
            "2600:9000:5214::1",
            "CLOUDFRONT_ORIGIN_FACING",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        assert_service(&r, "8.8.8.8", "INTERNET");
        assert_service(&r, "10.0.0.1", "PRIVATE");
        let cover: Vec<&str> = r
            .covering("140.179.15.10".parse().expect("addr"))
            .iter()
            .map(|e| e.service.as_str())
            .collect();
        assert_eq!(cover, ["AMAZON", "AMAZON", "EC2"]);
    }

    // ---- diff ----------------------------------------------------------------------

    fn snapshot(name: &str) -> Option<Ranges> {
        let path = crate::testutil::shared_range_snapshots()
            .into_iter()
            .find(|p| p.file_name().is_some_and(|n| n == name))?;
        Some(Ranges::from_json(&std::fs::read(path).expect("read snapshot")).expect("parse"))
    }

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

    // ---- property tests against prefix-trie ----------------------------------------

    /// The reference: the listed entries in one `prefix-trie` map per family, read from
    /// the JSON independently of `Ranges`, and the rule applied on every lookup.
    struct Reference {
        v4: PrefixMap<Ipv4Net, Listed>,
        v6: PrefixMap<Ipv6Net, Listed>,
        private: Vec<IpNet>,
    }

    /// The (first, last) addresses of listed prefixes: IPv4, IPv6.
    type Spans = (Vec<(u32, u32)>, Vec<(u128, u128)>);

    /// (service, region, border group) of each entry of one prefix.
    type Listed = Vec<(String, String, String)>;

    const REFERENCE_PRIVATE: [&str; 8] = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
    ];

    impl Reference {
        fn from_json(bytes: &[u8]) -> Reference {
            let doc: Value = serde_json::from_slice(bytes).expect("json");
            let private = REFERENCE_PRIVATE
                .iter()
                .map(|n| n.parse().expect("net"))
                .collect();
            let mut r = Reference {
                v4: PrefixMap::new(),
                v6: PrefixMap::new(),
                private,
            };
            let s = |e: &Value, k: &str| e[k].as_str().map(str::to_owned);
            for (list, key) in [("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")] {
                for e in doc[list].as_array().into_iter().flatten() {
                    let region = s(e, "region").expect("region");
                    let bg = s(e, "network_border_group").unwrap_or_else(|| region.clone());
                    let v = (s(e, "service").expect("service"), region, bg);
                    match s(e, key).expect("prefix").parse::<IpNet>().expect("cidr") {
                        IpNet::V4(p) => r.v4.entry(p).or_default().push(v),
                        IpNet::V6(p) => r.v6.entry(p).or_default().push(v),
                    }
                }
            }
            r
        }

        fn expected(&self, addr: IpAddr) -> Label {
            let hit = match addr {
                IpAddr::V4(a) => self.v4.get_lpm(&Ipv4Net::from(a)).map(|(_, v)| v),
                IpAddr::V6(a) => self.v6.get_lpm(&Ipv6Net::from(a)).map(|(_, v)| v),
            };
            let Some(entries) = hit else {
                let private = self.private.iter().any(|n| n.contains(&addr));
                return Label::outside(if private { "PRIVATE" } else { "INTERNET" });
            };
            let services: BTreeSet<&str> = entries.iter().map(|e| e.0.as_str()).collect();
            let rank = |s: &str| match s {
                "AMAZON" => 3,
                "EC2" => 2,
                "CLOUDFRONT" if services.contains("CLOUDFRONT_ORIGIN_FACING") => 1,
                _ => 0,
            };
            let primary = *services
                .iter()
                .min_by_key(|s| (rank(s), **s))
                .expect("non-empty");
            let (_, region, bg) = entries
                .iter()
                .filter(|e| e.0 == primary)
                .min_by_key(|e| (&e.1, &e.2))
                .expect("primary is listed");
            Label {
                service: primary.to_owned(),
                services: services.iter().map(|s| (*s).to_owned()).collect(),
                region: Some(region.clone()),
                border_group: Some(bg.clone()),
            }
        }

        /// The listed prefixes of each family as (first, last) addresses.
        fn spans(&self) -> Spans {
            let v4 = self
                .v4
                .keys()
                .map(|p| (p.network().to_bits(), p.broadcast().to_bits()));
            let v6 = self
                .v6
                .keys()
                .map(|p| (p.network().to_bits(), p.broadcast().to_bits()));
            (v4.collect(), v6.collect())
        }
    }

    /// Checks every address where either the table or the reference can change label
    /// (and its neighbours). Both are step functions, so agreeing there means agreeing
    /// on every address of both families.
    fn assert_matches_everywhere(r: &Ranges, reference: &Reference, what: &str) {
        let (spans4, spans6) = reference.spans();
        let mut v4: Vec<u32> = vec![0, u32::MAX];
        let mut v6: Vec<u128> = vec![0, u128::MAX];
        let private = REFERENCE_PRIVATE
            .iter()
            .map(|n| n.parse::<IpNet>().expect("net"));
        for net in private {
            match net {
                IpNet::V4(n) => v4.extend([n.network().to_bits(), n.broadcast().to_bits()]),
                IpNet::V6(n) => v6.extend([n.network().to_bits(), n.broadcast().to_bits()]),
            }
        }
        // Where the table's label actually changes (the IPv4 table repeats a label at
        // every /16 edge).
        fn changes<T: Copy>(steps: Vec<(T, LabelId)>) -> impl Iterator<Item = T> {
            let mut prev = None;
            steps.into_iter().filter_map(move |(at, label)| {
                let changed = prev != Some(label);
                prev = Some(label);
                changed.then_some(at)
            })
        }
        v4.extend(spans4.iter().flat_map(|&(a, b)| [a, b]));
        v4.extend(changes(r.v4.steps()));
        v6.extend(spans6.iter().flat_map(|&(a, b)| [a, b]));
        v6.extend(changes(r.v6.steps()));
        v4.sort_unstable();
        v4.dedup();
        v6.sort_unstable();
        v6.dedup();
        for a in v4
            .iter()
            .flat_map(|&a| [a.wrapping_sub(1), a, a.wrapping_add(1)])
        {
            let addr = IpAddr::V4(Ipv4Addr::from_bits(a));
            assert_eq!(
                r.label(r.lookup_v4(a)),
                &reference.expected(addr),
                "{what}: {addr}"
            );
            assert_eq!(
                r.is_private(addr),
                r.lookup(addr) == PRIVATE,
                "{what}: is_private({addr})"
            );
        }
        for a in v6
            .iter()
            .flat_map(|&a| [a.wrapping_sub(1), a, a.wrapping_add(1)])
        {
            let addr = IpAddr::V6(Ipv6Addr::from_bits(a));
            assert_eq!(
                r.label(r.lookup_v6(a)),
                &reference.expected(addr),
                "{what}: {addr}"
            );
            assert_eq!(
                r.is_private(addr),
                r.lookup(addr) == PRIVATE,
                "{what}: is_private({addr})"
            );
        }
    }

    /// The shared snapshots and the embedded one: (name, table, reference, spans).
    struct Snapshot {
        name: String,
        ranges: Ranges,
        reference: Reference,
        spans4: Vec<(u32, u32)>,
        spans6: Vec<(u128, u128)>,
    }

    fn snapshots() -> &'static [Snapshot] {
        static ALL: OnceLock<Vec<Snapshot>> = OnceLock::new();
        ALL.get_or_init(|| {
            let mut files: Vec<(String, Vec<u8>)> = crate::testutil::shared_range_snapshots()
                .iter()
                .map(|p: &std::path::PathBuf| {
                    let name = Path::new(p)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned());
                    (
                        name.unwrap_or_default(),
                        std::fs::read(p).expect("read snapshot"),
                    )
                })
                .collect();
            let mut embedded = Vec::new();
            MultiGzDecoder::new(&include_bytes!("../data/ip-ranges.json.gz")[..])
                .read_to_end(&mut embedded)
                .expect("gunzip");
            files.push(("embedded".to_owned(), embedded));
            files
                .into_iter()
                .map(|(name, bytes)| {
                    let ranges = Ranges::from_json(&bytes).expect("parse snapshot");
                    let reference = Reference::from_json(&bytes);
                    let (spans4, spans6) = reference.spans();
                    Snapshot {
                        name,
                        ranges,
                        reference,
                        spans4,
                        spans6,
                    }
                })
                .collect()
        })
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
