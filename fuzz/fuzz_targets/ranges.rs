//! ip-ranges.json: `Ranges::from_json` on any bytes. A table that loads has sorted,
//! distinct entries and distinct labels (INTERNET and PRIVATE first), and answers
//! every lookup consistently: near each listed prefix's edges and at addresses the
//! fuzzer picks, the label is the one of the most specific listed prefix (whose
//! services it lists) or INTERNET/PRIVATE outside them, `covering` starts with that
//! prefix, and `is_private` agrees. Its entries written back as JSON load as the same
//! table.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use flowpath_core::Ranges;
use flowpath_core::ranges::{INTERNET, PRIVATE};
use ipnet::IpNet;
use libfuzzer_sys::fuzz_target;

fn check(ranges: &Ranges, addr: IpAddr) {
    let id = ranges.lookup(addr);
    assert!(usize::from(id) < ranges.labels().len());
    let by_bits = match addr {
        IpAddr::V4(a) => ranges.lookup_v4(a.to_bits()),
        IpAddr::V6(a) => ranges.lookup_v6(a.to_bits()),
    };
    assert_eq!(id, by_bits);
    assert_eq!(ranges.is_private(addr), id == PRIVATE, "{addr}");
    let label = ranges.label(id);
    let covering = ranges.covering(addr);
    assert!(covering.iter().all(|e| e.prefix.contains(&addr)));
    match ranges.matched_prefix(addr) {
        None => {
            assert!(covering.is_empty());
            assert!(
                id == INTERNET || id == PRIVATE,
                "{addr}: {label:?} outside every prefix"
            );
            assert!(!label.is_aws());
        }
        Some(p) => {
            assert!(p.contains(&addr));
            assert_eq!(covering.first().map(|e| e.prefix), Some(p));
            let mut services: Vec<&str> = covering
                .iter()
                .filter(|e| e.prefix == p)
                .map(|e| e.service.as_str())
                .collect();
            services.dedup();
            assert_eq!(label.services, services, "{addr} in {p}");
            let winner = covering
                .iter()
                .find(|e| e.prefix == p && e.service == label.service)
                .expect("the label's service is listed on the prefix");
            assert_eq!(label.region.as_deref(), Some(winner.region.as_str()));
        }
    }
}

/// An address near the edges of a prefix: its first, its last, and one either side.
fn edges(p: &IpNet) -> [IpAddr; 4] {
    match p {
        IpNet::V4(p) => {
            let (a, b) = (p.network().to_bits(), p.broadcast().to_bits());
            [a, b, a.wrapping_sub(1), b.wrapping_add(1)].map(|x| IpAddr::V4(Ipv4Addr::from_bits(x)))
        }
        IpNet::V6(p) => {
            let (a, b) = (p.network().to_bits(), p.broadcast().to_bits());
            [a, b, a.wrapping_sub(1), b.wrapping_add(1)].map(|x| IpAddr::V6(Ipv6Addr::from_bits(x)))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(ranges) = Ranges::from_json(data) else {
        return;
    };
    assert!(
        ranges.entries().windows(2).all(|w| w[0] < w[1]),
        "sorted, distinct"
    );
    let labels = ranges.labels();
    assert_eq!(labels[usize::from(INTERNET)].service, "INTERNET");
    assert_eq!(labels[usize::from(PRIVATE)].service, "PRIVATE");
    for (i, l) in labels.iter().enumerate() {
        assert!(!labels[..i].contains(l), "label {l:?} twice");
    }

    for e in ranges.entries().iter().take(64) {
        assert_eq!(e.prefix, e.prefix.trunc(), "no host bits");
        for addr in edges(&e.prefix) {
            check(&ranges, addr);
        }
    }
    // Addresses from the input's last bytes, both families.
    let tail = &data[data.len().saturating_sub(16)..];
    let mut bits = [0u8; 16];
    bits[..tail.len()].copy_from_slice(tail);
    let v6 = u128::from_be_bytes(bits);
    check(&ranges, IpAddr::V6(Ipv6Addr::from_bits(v6)));
    check(&ranges, IpAddr::V4(Ipv4Addr::from_bits(v6 as u32)));
    check(&ranges, IpAddr::V4(Ipv4Addr::from_bits((v6 >> 96) as u32)));

    // Written back, read again.
    let entry = |e: &flowpath_core::ranges::Entry, key: &str| {
        serde_json::json!({
            key: e.prefix.to_string(),
            "service": e.service,
            "region": e.region,
            "network_border_group": e.border_group,
        })
    };
    let (v4, v6): (Vec<_>, Vec<_>) = ranges
        .entries()
        .iter()
        .partition(|e| matches!(e.prefix, IpNet::V4(_)));
    let json = serde_json::json!({
        "syncToken": ranges.sync_token(),
        "createDate": ranges.create_date(),
        "prefixes": v4.iter().map(|e| entry(e, "ip_prefix")).collect::<Vec<_>>(),
        "ipv6_prefixes": v6.iter().map(|e| entry(e, "ipv6_prefix")).collect::<Vec<_>>(),
    });
    let again = Ranges::from_json(&serde_json::to_vec(&json).expect("JSON")).expect("reloads");
    assert_eq!(again.entries(), ranges.entries());
    assert_eq!(again.labels(), ranges.labels());
});
