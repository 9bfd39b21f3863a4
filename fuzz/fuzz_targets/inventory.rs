//! VPC inventory JSON: `Inventory::load` of any bytes, alone and on top of the
//! fixture inventory. An inventory that loads finds each ENI by its id and by each of
//! its addresses, agrees with itself on VPC membership (`in_vpc` of a known VPC
//! implies `in_any_vpc`), and attributes records through it (its own ENIs and
//! addresses, and the fixture flow log) with every record counted once and the same
//! result for any chunking and thread count.
#![no_main]

use std::fmt::Write;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use flowpath_core::engine::Options;
use flowpath_core::inventory::Inventory;
use flowpath_core::source::text::summarize;
use flowpath_fuzz::{outcome, pool, ranges};
use ipnet::IpNet;
use libfuzzer_sys::fuzz_target;

const FIXTURES: [(&str, &[u8]); 6] = [
    (
        "enis",
        include_bytes!("../../fixtures/inventory/describe-network-interfaces.json"),
    ),
    (
        "endpoints",
        include_bytes!("../../fixtures/inventory/describe-vpc-endpoints.json"),
    ),
    (
        "nats",
        include_bytes!("../../fixtures/inventory/describe-nat-gateways.json"),
    ),
    (
        "routes",
        include_bytes!("../../fixtures/inventory/describe-route-tables.json"),
    ),
    (
        "subnets",
        include_bytes!("../../fixtures/inventory/describe-subnets.json"),
    ),
    (
        "vpcs",
        include_bytes!("../../fixtures/inventory/describe-vpcs.json"),
    ),
];
const FLOW_LOG: &[u8] = include_bytes!("../../fixtures/flowlogs/v5-custom.log");
const NAME: &str = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/fuzz.log";

fn fixture_inventory() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        let mut inv = Inventory::new();
        for (name, json) in FIXTURES {
            inv.load(name, json).expect("the fixture inventory loads");
        }
        inv
    })
}

/// v2 lines between the inventory's ENIs, their addresses, the networks its routes
/// name, and a few public and AWS addresses, both ways.
fn lines(inv: &Inventory) -> String {
    let mut remotes: Vec<IpAddr> = ["3.5.98.20", "52.95.128.179", "8.8.8.8", "2600:1f14::1"]
        .iter()
        .map(|a| a.parse().expect("an address"))
        .collect();
    for eni in inv.enis().iter().take(8) {
        remotes.extend(eni.addresses.iter().take(2));
    }
    let mut text = String::new();
    for eni in inv.enis().iter().take(8) {
        let id = if eni.id.is_empty() || eni.id.contains([' ', '\n', '\r']) {
            "-"
        } else {
            eni.id.as_str()
        };
        for local in eni.addresses.iter().take(2) {
            let mut remotes = remotes.clone();
            if let Some(table) = inv.route_table_of(eni) {
                for route in table.routes.iter().take(8) {
                    if let flowpath_core::inventory::Destination::Cidr(net) = route.destination {
                        remotes.push(match net {
                            IpNet::V4(n) => IpAddr::V4(n.network()),
                            IpNet::V6(n) => IpAddr::V6(n.network()),
                        });
                    }
                }
            }
            for remote in remotes {
                for (src, dst) in [(local, &remote), (&remote, local)] {
                    let _ = writeln!(
                        text,
                        "2 123456789012 {id} {src} {dst} 443 49152 6 3 300 1787392810 1787392870 ACCEPT OK"
                    );
                }
            }
        }
    }
    text
}

fn check(inv: Inventory) {
    let mut vpcs: Vec<&str> = Vec::new();
    for eni in inv.enis() {
        let found = inv.eni(&eni.id).expect("an ENI by its id");
        assert_eq!(found.id, eni.id);
        for &addr in &eni.addresses {
            let at = inv.eni_at(addr).expect("an ENI at each of its addresses");
            assert!(at.addresses.contains(&addr));
        }
        let _ = (
            inv.endpoint_of(eni),
            inv.nat_of(eni),
            inv.route_table_of(eni),
        );
        vpcs.extend(eni.vpc_id.as_deref());
    }
    let mut addrs: Vec<IpAddr> = inv
        .enis()
        .iter()
        .flat_map(|e| e.addresses.clone())
        .collect();
    addrs.truncate(64);
    for &addr in &addrs {
        if vpcs.iter().any(|v| inv.in_vpc(v, addr) == Some(true)) {
            assert!(inv.in_any_vpc(addr), "{addr} is in a VPC");
        }
    }

    let text = lines(&inv);
    let inventory = Some(Arc::new(inv));
    for input in [text.as_bytes(), FLOW_LOG] {
        let whole = Options {
            inventory: inventory.clone(),
            ..Options::default()
        };
        let small = Options {
            chunk_bytes: 200,
            ..whole.clone()
        };
        let want = pool(1).install(|| outcome(summarize(NAME, input, ranges(), &whole), &whole));
        let got = pool(3).install(|| outcome(summarize(NAME, input, ranges(), &small), &small));
        assert_eq!(got, want);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut alone = Inventory::new();
    if alone.load("fuzz.json", data).is_ok() {
        check(alone);
    }
    let mut merged = fixture_inventory().clone();
    if merged.load("fuzz.json", data).is_ok() {
        check(merged);
    }
});
