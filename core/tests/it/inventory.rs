//! The VPC inventory on the fixtures: loading the AWS CLI's JSON, the NAT gateway
//! counting rule (each byte once), and results without inventory left unchanged.

use std::sync::Arc;

use flowpath_core::Ranges;
use flowpath_core::engine::Options;
use flowpath_core::inventory::{Inventory, InventoryError};
use flowpath_core::output::Row;
use flowpath_core::source::text::summarize;

const AWSLOGS: &str = "flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22";

/// Every document of `fixtures/inventory/`, in path order.
pub(crate) fn fixture_inventory() -> Inventory {
    let mut files: Vec<_> = std::fs::read_dir(crate::fixtures().join("inventory"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut inv = Inventory::new();
    for f in files {
        inv.load(&f.display().to_string(), &std::fs::read(&f).unwrap())
            .unwrap();
    }
    inv
}

fn rows_of(dir: &str, inventory: Option<Inventory>) -> Vec<Row> {
    let ranges = Ranges::embedded();
    let opts = Options {
        inventory: inventory.map(Arc::new),
        ..Options::default()
    };
    let mut files: Vec<_> = std::fs::read_dir(crate::fixtures().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let file = std::fs::File::open(&f).unwrap();
        let s = summarize(&name, file, &ranges, &opts).unwrap();
        rows.extend(s.into_rows(&ranges));
    }
    rows
}

fn sum(rows: &[Row], keep: impl Fn(&Row) -> bool) -> i64 {
    rows.iter()
        .filter(|r| keep(r))
        .map(|r| r.bytes.unwrap())
        .sum()
}

#[test]
fn the_fixture_inventory_loads() {
    let inv = fixture_inventory();
    assert_eq!(inv.documents().len(), 8);
    assert_eq!(inv.enis().len(), 6);
    let kinds: Vec<(&str, &str)> = inv
        .enis()
        .iter()
        .map(|e| (e.id.as_str(), e.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("eni-0a1b2c3d4e5f60041", "nat_gateway"),
            ("eni-0a1b2c3d4e5f60011", "instance"),
            ("eni-0a1b2c3d4e5f60021", "instance"),
            ("eni-0a1b2c3d4e5f60031", "instance"),
            ("eni-0a1b2c3d4e5f60051", "vpc_endpoint"),
            ("eni-0a1b2c3d4e5f60061", "lambda"),
        ]
    );
    let nat = inv.eni_at("34.248.10.20".parse().unwrap()).unwrap();
    assert_eq!(nat.id, "eni-0a1b2c3d4e5f60041");
    assert_eq!(
        inv.nat_of(nat).map(|n| n.id.as_str()),
        Some("nat-0abc1234def5678c0")
    );
    let ep = inv.eni("eni-0a1b2c3d4e5f60051").unwrap();
    let ep = inv.endpoint_of(ep).unwrap();
    assert_eq!(
        (ep.service.as_str(), ep.region.as_str()),
        ("SQS", "eu-west-1")
    );
    // The second account's default VPC, merged; its disassociated CIDR is not used.
    assert_eq!(
        inv.in_vpc("vpc-0f9e8d7c6b5a49380", "172.31.5.5".parse().unwrap()),
        Some(true)
    );
    assert_eq!(
        inv.in_vpc("vpc-0f9e8d7c6b5a49380", "100.64.0.5".parse().unwrap()),
        Some(false)
    );
    assert_eq!(
        inv.in_vpc(
            "vpc-0abc1234def567890",
            "2001:db8:1234:a1ff::1".parse().unwrap()
        ),
        Some(true)
    );
}

#[test]
fn nat_gateway_bytes_count_once() {
    let rows = rows_of(AWSLOGS, Some(fixture_inventory()));
    let nat = |service: &str| {
        sum(&rows, |r| {
            r.path == "nat_gateway" && r.remote_service.as_deref() == Some(service)
        })
    };
    let via = |service: &str| {
        sum(&rows, |r| {
            r.path == "via_nat_gateway" && r.remote_service.as_deref() == Some(service)
        })
    };
    // 40,000 + 10,000 out and 1,200,000 + 300,000 back, over two connections.
    assert_eq!(nat("S3"), 1_550_000);
    assert_eq!(via("S3"), 1_550_000);
    assert_eq!(nat("DYNAMODB"), 10_300);
    assert_eq!(via("DYNAMODB"), 10_300);
    assert_eq!(nat("API_GATEWAY"), 1_000_000);
    assert_eq!(nat("INTERNET"), 5_000);
    // Only the NAT's ENI carries nat_gateway rows, all naming the NAT gateway, with
    // the VPC and subnet of its ENI (the default format has neither field).
    assert!(
        rows.iter()
            .filter(|r| r.path == "nat_gateway")
            .all(|r| r.interface_kind.as_deref() == Some("nat_gateway")
                && r.gateway_id.as_deref() == Some("nat-0abc1234def5678c0")
                && r.vpc_id.as_deref() == Some("vpc-0abc1234def567890")
                && r.subnet_id.as_deref() == Some("subnet-0abc1234def5678b0"))
    );
    // The inside legs are intra-VPC traffic to a private remote, not NAT traffic.
    let inside = sum(&rows, |r| {
        r.interface_kind.as_deref() == Some("nat_gateway") && r.path == "intra_vpc"
    });
    assert_eq!(inside, 1_550_000 + 10_300 + 1_000_000 + 5_000);
    assert!(
        rows.iter()
            .filter(|r| r.path == "intra_vpc" && r.interface_kind.as_deref() == Some("nat_gateway"))
            .all(|r| r.remote_service.as_deref() == Some("PRIVATE"))
    );
    // Interface endpoint traffic, seen from the client and from the endpoint's ENI.
    let endpoint = |kind: &str| {
        sum(&rows, |r| {
            r.path == "interface_endpoint" && r.interface_kind.as_deref() == Some(kind)
        })
    };
    assert_eq!(endpoint("instance"), 31_000);
    assert_eq!(endpoint("vpc_endpoint"), 31_000);
}

#[test]
fn without_inventory_nothing_changes() {
    // No inventory: no inventory columns, and the core's rules only.
    let plain = rows_of("flowlogs", None);
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|r| r.interface_kind.is_none()
        && r.gateway_id.is_none()
        && (r.attribution == "address_only" || r.attribution == "traffic_path_field")));
    assert!(plain.iter().all(|r| r.path == "public"
        || r.path == "intra_vpc"
        || r.attribution == "traffic_path_field"));
    // ENIs the inventory does not know are attributed exactly as without it.
    let with = rows_of("flowlogs", Some(fixture_inventory()));
    let unknown_eni = |r: &&Row| {
        r.interface_id
            .as_deref()
            .is_some_and(|i| i.starts_with("eni-0a1b2c3d4e5f6000"))
    };
    let a: Vec<&Row> = plain.iter().filter(unknown_eni).collect();
    let b: Vec<&Row> = with.iter().filter(unknown_eni).collect();
    assert_eq!(a.len(), 6);
    // But for the VPC the inventory places a private remote in (10.0.2.20).
    let remote_vpcs: Vec<_> = b
        .iter()
        .filter_map(|r| Some((r.remote_vpc_id.as_deref()?, r.remote_account_id.as_deref())))
        .collect();
    assert_eq!(
        remote_vpcs,
        [("vpc-0abc1234def567890", Some("123456789012"))]
    );
    let without_remote_vpc = |r: &&Row| Row {
        remote_vpc_id: None,
        remote_account_id: None,
        ..(*r).clone()
    };
    assert_eq!(
        a.iter().map(|r| (*r).clone()).collect::<Vec<_>>(),
        b.iter().map(without_remote_vpc).collect::<Vec<_>>()
    );
    // Every byte is still there, whatever the path.
    assert_eq!(sum(&plain, |_| true), sum(&with, |_| true));
}

#[test]
fn bad_documents_are_named() {
    let mut inv = Inventory::new();
    let err = inv
        .load("x.json", br#"{"SecurityGroups": []}"#)
        .unwrap_err();
    assert!(matches!(err, InventoryError::Unsupported { .. }));
    assert!(
        err.to_string()
            .starts_with("x.json: none of NetworkInterfaces")
    );
    let err = inv
        .load(
            "subnets.json",
            br#"{"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.300.0/24"}]}"#,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"subnets.json: subnet-1: bad CidrBlock "10.0.300.0/24""#
    );
    let err = inv
        .load("enis.json", b"{\"NetworkInterfaces\": [")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("enis.json: not a describe-* JSON document")
    );
    assert!(inv.is_empty(), "nothing was loaded");
}

#[test]
fn a_record_without_region_takes_its_enis_region_from_the_inventory() {
    // The fixtures' text files have no `region` field and no AWS key layout: without
    // the inventory their rows are in region `unknown`.
    let plain = rows_of("flowlogs", None);
    assert!(
        plain
            .iter()
            .all(|r| r.region == "unknown" || r.region == "eu-west-1")
    );
    let with = rows_of("flowlogs", Some(fixture_inventory()));
    let known = |r: &&Row| {
        r.interface_id
            .as_deref()
            .is_some_and(|i| fixture_inventory().eni(i).is_some())
    };
    let (inventoried, others): (Vec<&Row>, Vec<&Row>) = with.iter().partition(known);
    assert!(!inventoried.is_empty());
    // ENIs of the fixture VPC are in eu-west-1a/b (describe-network-interfaces) or, for
    // the NAT gateway's, in its subnet (describe-subnets): every row is in eu-west-1.
    assert!(
        inventoried.iter().all(|r| r.region == "eu-west-1"),
        "{inventoried:?}"
    );
    // ENIs the inventory does not know keep what the record and key say.
    for r in others {
        let before = plain
            .iter()
            .find(|p| p.interface_id == r.interface_id && p.window_start == r.window_start)
            .unwrap();
        assert_eq!(r.region, before.region);
    }
    // Without the inventory, some of those ENIs' rows were `unknown`: the change is
    // the inventory's.
    assert!(plain.iter().any(|r| known(&r) && r.region == "unknown"));
    assert_eq!(sum(&plain, |_| true), sum(&with, |_| true));
}
