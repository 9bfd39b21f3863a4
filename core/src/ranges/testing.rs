//! Test-only support for the `ranges` tests: small files built from entries,
//! assertions on labels, the shared snapshots, and the reference the table is checked
//! against (the listed entries in `prefix-trie` maps, the rule applied on every lookup).

use std::collections::BTreeSet;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::OnceLock;

use flate2::read::MultiGzDecoder;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use serde_json::{Value, json};

use super::{Label, LabelId, PRIVATE, Ranges};

/// An ip-ranges.json with the given (prefix, service, region, border group) entries;
/// a prefix with a `:` goes to `ipv6_prefixes`.
pub(super) fn file(entries: &[(&str, &str, &str, &str)]) -> Vec<u8> {
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

pub(super) fn load(entries: &[(&str, &str, &str, &str)]) -> Ranges {
    Ranges::from_json(&file(entries)).expect("valid test file")
}

pub(super) fn at<'a>(r: &'a Ranges, addr: &str) -> &'a Label {
    r.label(r.lookup(addr.parse().expect("test address")))
}

/// Asserts (service, region, border group) of `addr`.
#[track_caller]
pub(super) fn assert_at(
    r: &Ranges,
    addr: &str,
    service: &str,
    region: Option<&str>,
    bg: Option<&str>,
) {
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
pub(super) fn assert_service(r: &Ranges, addr: &str, service: &str) {
    assert_eq!(at(r, addr).service, service, "{addr}");
}

pub(super) fn err(json: &str) -> String {
    match Ranges::from_json(json.as_bytes()) {
        Ok(_) => panic!("accepted: {json}"),
        Err(e) => e.to_string(),
    }
}

/// The shared snapshot `name`; `None` (after the test's SKIPPED line) only without
/// `../shared`: a snapshot missing from it fails the test.
pub(super) fn snapshot(name: &str) -> Option<Ranges> {
    let dir = crate::testutil::shared_dir("the real ip-ranges snapshots")?;
    let path = dir.join("aws-ip-ranges").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(Ranges::from_json(&bytes).expect("parse"))
}

/// The reference: the listed entries in one `prefix-trie` map per family, read from
/// the JSON independently of `Ranges`, and the rule applied on every lookup.
pub(super) struct Reference {
    v4: PrefixMap<Ipv4Net, Listed>,
    v6: PrefixMap<Ipv6Net, Listed>,
    private: Vec<IpNet>,
}

/// The (first, last) addresses of listed prefixes: IPv4, IPv6.
pub(super) type Spans = (Vec<(u32, u32)>, Vec<(u128, u128)>);

/// (service, region, border group) of each entry of one prefix.
pub(super) type Listed = Vec<(String, String, String)>;

pub(super) const REFERENCE_PRIVATE: [&str; 8] = [
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
    pub(super) fn from_json(bytes: &[u8]) -> Reference {
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

    pub(super) fn expected(&self, addr: IpAddr) -> Label {
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
    pub(super) fn spans(&self) -> Spans {
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
pub(super) fn assert_matches_everywhere(r: &Ranges, reference: &Reference, what: &str) {
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
pub(super) struct Snapshot {
    pub(super) name: String,
    pub(super) ranges: Ranges,
    pub(super) reference: Reference,
    pub(super) spans4: Vec<(u32, u32)>,
    pub(super) spans6: Vec<(u128, u128)>,
}

pub(super) fn snapshots() -> &'static [Snapshot] {
    static ALL: OnceLock<Vec<Snapshot>> = OnceLock::new();
    // Listed for every caller, so that each test without `../shared` says so.
    let shared = crate::testutil::shared_range_snapshots(
        "the real ip-ranges snapshots; only the embedded one is checked without them",
    );
    ALL.get_or_init(|| {
        let mut files: Vec<(String, Vec<u8>)> = shared
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
        MultiGzDecoder::new(&include_bytes!("../../data/ip-ranges.json.gz")[..])
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
