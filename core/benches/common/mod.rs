//! Seeded synthetic VPC flow logs, shared by the `genflowlogs` example and the
//! criterion benches (the example includes this file with `#[path]`).
//!
//! Everything is a function of the seed: a [`World`] (accounts, VPCs, subnets, ENIs
//! and the pools of remote addresses) from the world seed, a [`FileSpec`] per file
//! from the plan, and each file's records from its own RNG, so files can be written
//! in parallel and still come out byte-identical run after run.
//!
//! What the records look like:
//! - a few accounts, each with one VPC (`10.x.0.0/16` and an IPv6 /56 from an EC2
//!   prefix of its region), a handful of subnets and a few hundred ENIs, some busier
//!   than others;
//! - ~20% IPv6; the remote side is in a published AWS prefix for ~60% of records
//!   (two thirds of those in the account's own region), in internet space for ~25%
//!   and in private space for ~15%;
//! - egress and ingress, request and response ports, inbound scans that get
//!   rejected, log-uniform packet counts, 40–1460 bytes per packet;
//! - ~1% NODATA/SKIPDATA with `-` for every traffic field;
//! - `start`/`end` in 60 s or 600 s aggregation intervals over the file's window.
//!
//! [`World::inventory_documents`] describes the same world as a VPC inventory (the AWS
//! CLI's `describe-*` JSON), for `Options::inventory` and `summarize --inventory`.

#![allow(dead_code)] // the example and each bench use different parts

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use flowpath_core::Ranges;
use flowpath_core::format::Field;
use ipnet::IpNet;
use rand::rngs::SmallRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

/// 2025-06-01T00:00:00Z: the day the records fall on.
pub(crate) const DAY_START: i64 = 1_748_736_000;
const DAY: i64 = 86_400;

/// Regions the accounts live in, with the prefix AWS uses for their AZ ids.
const REGIONS: [(&str, &str); 6] = [
    ("us-east-1", "use1"),
    ("eu-west-1", "euw1"),
    ("us-west-2", "usw2"),
    ("ap-southeast-2", "apse2"),
    ("eu-central-1", "euc1"),
    ("ap-northeast-1", "apne1"),
];

/// The default (version 2) format's fields.
pub(crate) fn v2_fields() -> Vec<Field> {
    Field::ALL[..14].to_vec()
}

/// A fixed custom version 5 format: AWS's "all fields up to v5" example order.
pub(crate) fn v5_fields() -> Vec<Field> {
    use Field::*;
    vec![
        Version,
        VpcId,
        SubnetId,
        InstanceId,
        InterfaceId,
        AccountId,
        Type,
        Srcaddr,
        Dstaddr,
        Srcport,
        Dstport,
        PktSrcaddr,
        PktDstaddr,
        Protocol,
        Bytes,
        Packets,
        Start,
        End,
        Action,
        TcpFlags,
        LogStatus,
        Region,
        AzId,
        FlowDirection,
        TrafficPath,
        PktSrcAwsService,
        PktDstAwsService,
    ]
}

/// A random custom format: srcaddr, dstaddr, bytes, packets and start always, each
/// other v2–v5 field with its own probability, in AWS's order or shuffled.
pub(crate) fn random_custom_fields(rng: &mut SmallRng) -> Vec<Field> {
    let mut fields = Vec::new();
    for field in &Field::ALL[..Field::EcsClusterArn as usize] {
        let p = match field {
            Field::Srcaddr | Field::Dstaddr | Field::Bytes | Field::Packets | Field::Start => 1.0,
            Field::InterfaceId
            | Field::Srcport
            | Field::Dstport
            | Field::Protocol
            | Field::Action => 0.8,
            Field::Version
            | Field::AccountId
            | Field::End
            | Field::LogStatus
            | Field::FlowDirection => 0.6,
            Field::VpcId
            | Field::SubnetId
            | Field::InstanceId
            | Field::TcpFlags
            | Field::TrafficPath => 0.5,
            Field::Type
            | Field::Region
            | Field::AzId
            | Field::PktSrcAwsService
            | Field::PktDstAwsService => 0.4,
            Field::PktSrcaddr | Field::PktDstaddr => 0.3,
            _ => 0.15,
        };
        if rng.random_bool(p) {
            fields.push(*field);
        }
    }
    if rng.random_bool(0.5) {
        fields.shuffle(rng);
    }
    fields
}

/// The header line (without `\n`) of a file in this format.
pub(crate) fn header(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What AWS writes in `version`: the highest version among the format's fields.
fn version_of(fields: &[Field]) -> u8 {
    fields.iter().map(|f| f.since_version()).max().unwrap_or(2)
}

/// A 64-bit mix (SplitMix64's finalizer): derives independent seeds.
pub(crate) fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed
        ^ stream
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(0x6a09_e667_f3bc_c909);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hex_id(rng: &mut SmallRng, prefix: &str, digits: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(prefix.len() + digits);
    s.push_str(prefix);
    for _ in 0..digits {
        s.push(char::from(HEX[rng.random_range(0..16)]));
    }
    s
}

struct Subnet {
    id: String,
    az_id: String,
}

struct Eni {
    id: String,
    instance: String,
    subnet: usize,
    v4: Ipv4Addr,
    v6: Ipv6Addr,
}

/// One account: its region, VPC, subnets and ENIs.
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) region: &'static str,
    vpc_id: String,
    vpc_v4: u32,
    vpc_v6: u128,
    subnets: Vec<Subnet>,
    enis: Vec<Eni>,
    /// Published prefixes of the account's region, as (network, host mask), per family.
    home_v4: Vec<(u32, u32)>,
    home_v6: Vec<(u128, u128)>,
}

/// Everything the records are drawn from.
pub(crate) struct World<'r> {
    /// The world seed (the inventory's ids are drawn from it too).
    seed: u64,
    ranges: &'r Ranges,
    pub(crate) accounts: Vec<Account>,
    aws_v4: Vec<(u32, u32)>,
    aws_v6: Vec<(u128, u128)>,
}

fn v4_span(p: ipnet::Ipv4Net) -> (u32, u32) {
    (p.network().to_bits(), p.hostmask().to_bits())
}

fn v6_span(p: ipnet::Ipv6Net) -> (u128, u128) {
    (p.network().to_bits(), p.hostmask().to_bits())
}

impl<'r> World<'r> {
    /// A world of `accounts` accounts with `min_enis..=max_enis` ENIs each.
    pub(crate) fn new(
        seed: u64,
        ranges: &'r Ranges,
        accounts: usize,
        enis: std::ops::RangeInclusive<usize>,
    ) -> World<'r> {
        let mut rng = SmallRng::seed_from_u64(mix(seed, 0));
        let mut aws_v4 = Vec::new();
        let mut aws_v6 = Vec::new();
        for e in ranges.entries() {
            match e.prefix {
                IpNet::V4(p) => aws_v4.push(v4_span(p)),
                IpNet::V6(p) => aws_v6.push(v6_span(p)),
            }
        }
        let accounts = (0..accounts)
            .map(|a| {
                let (region, az_prefix) = REGIONS[a % REGIONS.len()];
                let in_region = |e: &&flowpath_core::ranges::Entry| e.region == region;
                let home_v4: Vec<_> = ranges
                    .entries()
                    .iter()
                    .filter(in_region)
                    .filter_map(|e| match e.prefix {
                        IpNet::V4(p) => Some(v4_span(p)),
                        IpNet::V6(_) => None,
                    })
                    .collect();
                let home_v6: Vec<_> = ranges
                    .entries()
                    .iter()
                    .filter(in_region)
                    .filter_map(|e| match e.prefix {
                        IpNet::V6(p) => Some(v6_span(p)),
                        IpNet::V4(_) => None,
                    })
                    .collect();
                // The VPC's IPv6 /56 comes from an EC2 prefix of the region when the
                // table has one (as AWS-assigned VPC blocks do), else from ULA space.
                let ec2_v6: Vec<_> = ranges
                    .entries()
                    .iter()
                    .filter(|e| e.region == region && e.service == "EC2")
                    .filter_map(|e| match e.prefix {
                        IpNet::V6(p) if p.prefix_len() <= 56 => Some(v6_span(p)),
                        _ => None,
                    })
                    .collect();
                let vpc_v6 = match ec2_v6.choose(&mut rng) {
                    Some(&(net, host)) => {
                        net | (rng.random::<u128>() & host & !((1u128 << 72) - 1))
                    }
                    None => (0xfd00u128 << 112) | (u128::from(rng.random::<u64>() >> 24) << 72),
                };
                let vpc_v4 = (10u32 << 24) | (rng.random_range(0..=255u32) << 16);
                let subnets: Vec<Subnet> = (0..rng.random_range(3..=8))
                    .map(|_| Subnet {
                        id: hex_id(&mut rng, "subnet-", 17),
                        az_id: format!("{az_prefix}-az{}", rng.random_range(1..=4)),
                    })
                    .collect();
                let n_enis = rng.random_range(enis.clone());
                let enis = (0..n_enis)
                    .map(|_| {
                        let subnet = rng.random_range(0..subnets.len());
                        let host = rng.random_range(4..=254u32);
                        let subnet_net = u8::try_from(subnet).expect("at most 8 subnets");
                        Eni {
                            id: hex_id(&mut rng, "eni-", 17),
                            // NAT gateways, endpoints and load balancers have no instance.
                            instance: if rng.random_bool(0.85) {
                                hex_id(&mut rng, "i-", 17)
                            } else {
                                "-".to_owned()
                            },
                            subnet,
                            v4: Ipv4Addr::from_bits(vpc_v4 | (u32::from(subnet_net) << 8) | host),
                            v6: Ipv6Addr::from_bits(
                                vpc_v6
                                    | (u128::from(subnet_net) << 64)
                                    | u128::from(rng.random::<u64>()),
                            ),
                        }
                    })
                    .collect();
                Account {
                    id: format!(
                        "{:012}",
                        rng.random_range(100_000_000_000u64..1_000_000_000_000)
                    ),
                    region,
                    vpc_id: hex_id(&mut rng, "vpc-", 17),
                    vpc_v4,
                    vpc_v6,
                    subnets,
                    enis,
                    home_v4,
                    home_v6,
                }
            })
            .collect();
        World {
            seed,
            ranges,
            accounts,
            aws_v4,
            aws_v6,
        }
    }
}

/// One file to write.
pub(crate) struct FileSpec {
    /// Index into [`World::accounts`].
    pub(crate) account: usize,
    /// The columns, in order.
    pub(crate) fields: Vec<Field>,
    /// The aggregation interval, 60 or 600 seconds.
    pub(crate) interval: i64,
    /// The first second of the file's window.
    pub(crate) window_start: i64,
    /// The window's length in seconds.
    pub(crate) window_len: i64,
    /// How many records (the header line not counted).
    pub(crate) records: u64,
    /// The flow log's id (`fl-...`).
    pub(crate) flow_log_id: String,
    /// The last part of the object key.
    pub(crate) hash: String,
    /// The seed of the file's records.
    pub(crate) seed: u64,
}

impl FileSpec {
    /// The S3 object key, AWS's layout, without `.log`/`.log.gz`.
    pub(crate) fn key(&self, world: &World<'_>) -> String {
        let a = &world.accounts[self.account];
        // Objects are delivered every 5 minutes; the key carries the delivery time.
        let t = (self.window_start + self.window_len).min(DAY_START + DAY - 1);
        let secs = t - DAY_START;
        let (hh, mm) = (secs / 3600, (secs % 3600) / 60 / 5 * 5);
        format!(
            "AWSLogs/{acct}/vpcflowlogs/{region}/2025/06/01/{acct}_vpcflowlogs_{region}_{fl}_20250601T{hh:02}{mm:02}Z_{hash}",
            acct = a.id,
            region = a.region,
            fl = self.flow_log_id,
            hash = self.hash,
        )
    }
}

/// Plans `files` files with `records` records in all over one day: half the files in
/// the default format, the other half each in its own random custom format.
pub(crate) fn plan(seed: u64, world: &World<'_>, files: usize, records: u64) -> Vec<FileSpec> {
    let mut rng = SmallRng::seed_from_u64(mix(seed, 1));
    let files = files.max(1);
    let n = u64::try_from(files).expect("file count fits in u64");
    let window_len = DAY / i64::try_from(files).expect("file count fits in i64");
    (0..files)
        .map(|i| {
            let i64_i = i64::try_from(i).expect("file index fits in i64");
            let u64_i = u64::try_from(i).expect("file index fits in u64");
            // Half the files are custom; with an even number of accounts, alternate
            // per round so that every account has files of both kinds.
            let accounts = world.accounts.len();
            let custom = if accounts.is_multiple_of(2) {
                (i + i / accounts) % 2 == 1
            } else {
                i % 2 == 1
            };
            FileSpec {
                account: i % accounts,
                fields: if custom {
                    random_custom_fields(&mut rng)
                } else {
                    v2_fields()
                },
                interval: if rng.random_bool(0.5) { 600 } else { 60 },
                window_start: DAY_START + i64_i * window_len,
                window_len: window_len.max(1),
                records: records / n + u64::from(u64_i < records % n),
                flow_log_id: hex_id(&mut rng, "fl-", 17),
                hash: hex_id(&mut rng, "", 8),
                seed: mix(seed, 1000 + u64_i),
            }
        })
        .collect()
}

/// Writes the header line and the records of one file to `out` in 64 KiB writes.
pub(crate) fn write_file<W: Write + ?Sized>(
    world: &World<'_>,
    spec: &FileSpec,
    out: &mut W,
) -> io::Result<()> {
    let mut records = Records::new(world, spec);
    let mut buf = Vec::with_capacity(80 << 10);
    buf.extend_from_slice(header(&spec.fields).as_bytes());
    buf.push(b'\n');
    for _ in 0..spec.records {
        records.push_line(&mut buf);
        if buf.len() >= 64 << 10 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// One plain-text file (header line included) of `records` records in `fields`, for
/// the benches: (its object key with `.log`, its text).
pub(crate) fn text(seed: u64, records: u64, fields: &[Field]) -> (String, Vec<u8>) {
    let ranges = Ranges::embedded();
    let world = bench_world(seed, &ranges);
    let mut spec = plan(seed, &world, 1, records).remove(0);
    spec.fields = fields.to_vec();
    let mut out = Vec::new();
    write_file(&world, &spec, &mut out).expect("writing to a Vec cannot fail");
    (format!("{}.log", spec.key(&world)), out)
}

/// The world the benches' files come from ([`text`]): one account, 200–400 ENIs.
fn bench_world(seed: u64, ranges: &Ranges) -> World<'_> {
    World::new(seed, ranges, 1, 200..=400)
}

/// The VPC inventory of the world [`text`]'s records come from, as
/// [`World::inventory_documents`] writes it.
pub(crate) fn inventory(seed: u64) -> Vec<(String, Vec<u8>)> {
    let ranges = Ranges::embedded();
    bench_world(seed, &ranges).inventory_documents()
}

/// What an ENI of the world is in the inventory.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EniRole {
    /// `interface`, attached to the record's instance.
    Instance,
    /// `interface` without an instance: a load balancer's.
    LoadBalancer,
    /// `lambda`.
    Lambda,
    /// `natGateway`: the VPC's NAT gateway.
    Nat,
    /// `vpc_endpoint`: the VPC's SQS interface endpoint.
    Endpoint,
}

/// `use1-az3` → `us-east-1c` (AZ names are per account in AWS; this mapping is not).
fn az_name(region: &str, az_id: &str) -> String {
    let n = az_id
        .rsplit("-az")
        .next()
        .and_then(|n| n.parse::<u8>().ok())
        .unwrap_or(1)
        .clamp(1, 26);
    format!("{region}{}", char::from(b'a' + n - 1))
}

/// `ip-10-1-2-3.eu-west-1.compute.internal` (`ec2.internal` in us-east-1).
fn private_dns(v4: Ipv4Addr, region: &str) -> String {
    let [a, b, c, d] = v4.octets();
    if region == "us-east-1" {
        format!("ip-{a}-{b}-{c}-{d}.ec2.internal")
    } else {
        format!("ip-{a}-{b}-{c}-{d}.{region}.compute.internal")
    }
}

/// Pretty JSON with 4-space indents and a final newline, as the AWS CLI prints it.
fn aws_cli_json(value: &serde_json::Value) -> Vec<u8> {
    use serde::Serialize;
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    value
        .serialize(&mut ser)
        .expect("writing JSON to a Vec cannot fail");
    out.push(b'\n');
    out
}

impl World<'_> {
    /// The world's VPC inventory: per account, the JSON of `aws ec2
    /// describe-vpcs`, `describe-subnets`, `describe-network-interfaces`,
    /// `describe-nat-gateways`, `describe-vpc-endpoints` and `describe-route-tables`
    /// in its account and region, as (file name, JSON) pairs, e.g.
    /// `describe-subnets-123456789012-eu-west-1.json`.
    ///
    /// A function of the world seed; the records' ENIs, subnets and addresses are
    /// the inventory's, so `Inventory::load` of these documents finds every ENI the
    /// records are logged on. Per VPC:
    /// - every ENI of the world with its private IPv4 and its IPv6 address: those with
    ///   an instance `interface` attached to it, the others half `lambda`, half
    ///   `interface` without an instance (load balancers), except that the first two
    ///   ENIs without an instance (else the last ENIs) are the NAT gateway's
    ///   (`natGateway`) and the SQS interface endpoint's (`vpc_endpoint`);
    /// - one NAT gateway (its ENI, private address, and an Elastic IP from the
    ///   region's EC2 ranges), in the subnet of its ENI;
    /// - an S3 gateway endpoint and an SQS interface endpoint (on the `vpc_endpoint`
    ///   ENI);
    /// - a main route table (`local`, 0.0.0.0/0 and ::/0 → an internet gateway) and a
    ///   private one for the subnets of the other parity than the NAT gateway's
    ///   (about half: `local`, 0.0.0.0/0 → the NAT gateway, ::/0 → an egress-only
    ///   internet gateway, the S3 prefix list → the gateway endpoint).
    ///
    /// The world's ENIs draw their host part at random, so two ENIs of a subnet can
    /// share a private IPv4 address (never in AWS): the inventory lists them as the
    /// records use them.
    pub(crate) fn inventory_documents(&self) -> Vec<(String, Vec<u8>)> {
        use serde_json::{Value, json};

        const AT: &str = "2025-05-01T09:14:31+00:00";
        let mut docs = Vec::new();
        for (ai, a) in self.accounts.iter().enumerate() {
            let stream = u64::try_from(ai).expect("account index fits in u64");
            let mut rng = SmallRng::seed_from_u64(mix(mix(self.seed, 2), stream));
            let rng = &mut rng;
            let (acct, region, vpc) = (a.id.as_str(), a.region, a.vpc_id.as_str());
            let vpc4 = format!("{}/16", Ipv4Addr::from_bits(a.vpc_v4));
            let vpc6 = format!("{}/56", Ipv6Addr::from_bits(a.vpc_v6));
            let subnet4 = |s: usize| {
                let s = u32::try_from(s).expect("at most 8 subnets");
                format!("{}/24", Ipv4Addr::from_bits(a.vpc_v4 | (s << 8)))
            };
            let subnet6 = |s: usize| {
                let s = u128::try_from(s).expect("at most 8 subnets");
                format!("{}/64", Ipv6Addr::from_bits(a.vpc_v6 | (s << 64)))
            };

            // Ids, drawn in a fixed order.
            let igw = hex_id(rng, "igw-", 17);
            let eigw = hex_id(rng, "eigw-", 17);
            let nat = hex_id(rng, "nat-", 17);
            let main_rtb = hex_id(rng, "rtb-", 17);
            let private_rtb = hex_id(rng, "rtb-", 17);
            let s3_vpce = hex_id(rng, "vpce-", 17);
            let sqs_vpce = hex_id(rng, "vpce-", 17);
            let s3_pl = hex_id(rng, "pl-", 8);
            let sg = hex_id(rng, "sg-", 17);
            let dopt = hex_id(rng, "dopt-", 17);
            let eipalloc = hex_id(rng, "eipalloc-", 17);
            let eipassoc = hex_id(rng, "eipassoc-", 17);
            let ec2_v4: Vec<(u32, u32)> = self
                .ranges
                .entries()
                .iter()
                .filter(|e| e.region == region && e.service == "EC2")
                .filter_map(|e| match e.prefix {
                    IpNet::V4(p) => Some(v4_span(p)),
                    IpNet::V6(_) => None,
                })
                .collect();
            let nat_public = match ec2_v4.choose(rng) {
                Some(&(net, host)) => Ipv4Addr::from_bits(net | (rng.random::<u32>() & host)),
                None => Ipv4Addr::new(198, 51, 100, rng.random_range(1..=254)),
            };

            // Roles: the NAT gateway's and the endpoint's ENIs are the first ENIs
            // without an instance (else the last ones).
            let mut roles: Vec<EniRole> = a
                .enis
                .iter()
                .map(|e| {
                    if e.instance != "-" {
                        EniRole::Instance
                    } else if rng.random_bool(0.5) {
                        EniRole::Lambda
                    } else {
                        EniRole::LoadBalancer
                    }
                })
                .collect();
            let no_instance = |i: &usize| a.enis[*i].instance == "-";
            let mut spare = (0..a.enis.len())
                .filter(no_instance)
                .chain((0..a.enis.len()).rev().filter(|i| !no_instance(i)));
            let nat_eni = spare.next();
            let vpce_eni = spare.next();
            for (eni, role) in [(nat_eni, EniRole::Nat), (vpce_eni, EniRole::Endpoint)] {
                if let Some(i) = eni {
                    roles[i] = role;
                }
            }
            let nat_subnet = nat_eni.map(|i| a.enis[i].subnet);
            let private: Vec<usize> = match nat_subnet {
                Some(ns) => (0..a.subnets.len()).filter(|s| s % 2 != ns % 2).collect(),
                None => Vec::new(),
            };

            let vpcs = json!({"Vpcs": [{
                "OwnerId": acct,
                "InstanceTenancy": "default",
                "Ipv6CidrBlockAssociationSet": [{
                    "AssociationId": hex_id(rng, "vpc-cidr-assoc-", 17),
                    "Ipv6CidrBlock": vpc6,
                    "Ipv6CidrBlockState": {"State": "associated"},
                    "NetworkBorderGroup": region,
                    "Ipv6Pool": "Amazon",
                }],
                "CidrBlockAssociationSet": [{
                    "AssociationId": hex_id(rng, "vpc-cidr-assoc-", 17),
                    "CidrBlock": vpc4,
                    "CidrBlockState": {"State": "associated"},
                }],
                "IsDefault": false,
                "VpcId": vpc,
                "State": "available",
                "CidrBlock": vpc4,
                "DhcpOptionsId": dopt,
                "Tags": [{"Key": "Name", "Value": "flowpath-bench"}],
            }]});

            let subnets: Vec<Value> = a
                .subnets
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let private = private.contains(&i);
                    json!({
                        "AvailabilityZoneId": s.az_id,
                        "OwnerId": acct,
                        "AssignIpv6AddressOnCreation": false,
                        "Ipv6CidrBlockAssociationSet": [{
                            "AssociationId": hex_id(rng, "subnet-cidr-assoc-", 17),
                            "Ipv6CidrBlock": subnet6(i),
                            "Ipv6CidrBlockState": {"State": "associated"},
                        }],
                        "SubnetArn": format!("arn:aws:ec2:{region}:{acct}:subnet/{}", s.id),
                        "EnableDns64": false,
                        "Ipv6Native": false,
                        "SubnetId": s.id,
                        "State": "available",
                        "VpcId": vpc,
                        "CidrBlock": subnet4(i),
                        "AvailableIpAddressCount": 200,
                        "AvailabilityZone": az_name(region, &s.az_id),
                        "DefaultForAz": false,
                        "MapPublicIpOnLaunch": !private,
                        "Tags": [{
                            "Key": "Name",
                            "Value": format!("{}-{i}", if private { "private" } else { "public" }),
                        }],
                    })
                })
                .collect();

            let enis: Vec<Value> = a
                .enis
                .iter()
                .zip(&roles)
                .map(|(e, &role)| {
                    let v4 = e.v4.to_string();
                    let dns = private_dns(e.v4, region);
                    let mac = format!(
                        "0a:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                        rng.random::<u8>(),
                        rng.random::<u8>(),
                        rng.random::<u8>(),
                        rng.random::<u8>(),
                        rng.random::<u8>()
                    );
                    let (kind, description) = match role {
                        EniRole::Instance => ("interface", String::new()),
                        EniRole::LoadBalancer => (
                            "interface",
                            format!("ELB app/web/{}", hex_id(rng, "", 16)),
                        ),
                        EniRole::Lambda => (
                            "lambda",
                            format!("AWS Lambda VPC ENI-worker-{}", hex_id(rng, "", 8)),
                        ),
                        EniRole::Nat => ("natGateway", format!("Interface for NAT Gateway {nat}")),
                        EniRole::Endpoint => (
                            "vpc_endpoint",
                            format!("VPC Endpoint Interface {sqs_vpce}"),
                        ),
                    };
                    let mut attachment = json!({
                        "AttachTime": AT,
                        "AttachmentId": hex_id(rng, "eni-attach-", 17),
                        "DeleteOnTermination": role == EniRole::Instance,
                        "DeviceIndex": if role == EniRole::Instance { 0 } else { 1 },
                        "NetworkCardIndex": 0,
                        "Status": "attached",
                    });
                    if role == EniRole::Instance {
                        attachment["InstanceId"] = json!(e.instance);
                        attachment["InstanceOwnerId"] = json!(acct);
                    }
                    let mut private_ip = json!({
                        "Primary": true,
                        "PrivateDnsName": dns,
                        "PrivateIpAddress": v4,
                    });
                    let mut eni = json!({
                        "AvailabilityZone": az_name(region, &a.subnets[e.subnet].az_id),
                        "Description": description,
                        "Groups": [{"GroupName": "default", "GroupId": sg}],
                        "InterfaceType": kind,
                        "Ipv6Addresses": [{
                            "Ipv6Address": e.v6.to_string(),
                            "IsPrimaryIpv6": false,
                        }],
                        "MacAddress": mac,
                        "NetworkInterfaceId": e.id,
                        "OwnerId": acct,
                        "PrivateDnsName": dns,
                        "PrivateIpAddress": v4,
                        "RequesterManaged": role != EniRole::Instance,
                        "SourceDestCheck": role != EniRole::Nat,
                        "Status": "in-use",
                        "SubnetId": a.subnets[e.subnet].id,
                        "TagSet": [],
                        "VpcId": vpc,
                        "Attachment": attachment,
                    });
                    if role == EniRole::Nat {
                        let [p, q, r, s] = nat_public.octets();
                        let association = json!({
                            "IpOwnerId": acct,
                            "PublicDnsName": format!("ec2-{p}-{q}-{r}-{s}.{region}.compute.amazonaws.com"),
                            "PublicIp": nat_public.to_string(),
                        });
                        private_ip["Association"] = association.clone();
                        eni["Association"] = association;
                        eni["RequesterId"] = json!("AWS");
                    }
                    eni["PrivateIpAddresses"] = json!([private_ip]);
                    eni
                })
                .collect();

            let nats: Vec<Value> = nat_eni
                .map(|i| {
                    let e = &a.enis[i];
                    json!({
                        "CreateTime": AT,
                        "NatGatewayAddresses": [{
                            "AllocationId": eipalloc,
                            "NetworkInterfaceId": e.id,
                            "PrivateIp": e.v4.to_string(),
                            "PublicIp": nat_public.to_string(),
                            "AssociationId": eipassoc,
                            "IsPrimary": true,
                            "Status": "succeeded",
                        }],
                        "NatGatewayId": nat,
                        "State": "available",
                        "SubnetId": a.subnets[e.subnet].id,
                        "VpcId": vpc,
                        "Tags": [{"Key": "Name", "Value": "egress"}],
                        "ConnectivityType": "public",
                    })
                })
                .into_iter()
                .collect();

            // The S3 route goes into the private table, or the main one without it.
            let s3_table = if private.is_empty() {
                &main_rtb
            } else {
                &private_rtb
            };
            let mut endpoints = vec![json!({
                "VpcEndpointId": s3_vpce,
                "VpcEndpointType": "Gateway",
                "VpcId": vpc,
                "ServiceName": format!("com.amazonaws.{region}.s3"),
                "State": "available",
                "RouteTableIds": [s3_table],
                "SubnetIds": [],
                "Groups": [],
                "PrivateDnsEnabled": false,
                "RequesterManaged": false,
                "NetworkInterfaceIds": [],
                "DnsEntries": [],
                "CreationTimestamp": AT,
                "Tags": [],
                "OwnerId": acct,
            })];
            if let Some(i) = vpce_eni {
                let suffix = hex_id(rng, "", 8);
                endpoints.push(json!({
                    "VpcEndpointId": sqs_vpce,
                    "VpcEndpointType": "Interface",
                    "VpcId": vpc,
                    "ServiceName": format!("com.amazonaws.{region}.sqs"),
                    "State": "available",
                    "RouteTableIds": [],
                    "SubnetIds": [a.subnets[a.enis[i].subnet].id],
                    "Groups": [{"GroupId": sg, "GroupName": "default"}],
                    "IpAddressType": "ipv4",
                    "DnsOptions": {"DnsRecordIpType": "ipv4"},
                    "PrivateDnsEnabled": true,
                    "RequesterManaged": false,
                    "NetworkInterfaceIds": [a.enis[i].id],
                    "DnsEntries": [
                        {
                            "DnsName": format!("{sqs_vpce}-{suffix}.sqs.{region}.vpce.amazonaws.com"),
                            "HostedZoneId": "Z38GZ743OKFT7T",
                        },
                        {
                            "DnsName": format!("sqs.{region}.amazonaws.com"),
                            "HostedZoneId": "Z01234567ABCDEFGHIJK",
                        },
                    ],
                    "CreationTimestamp": AT,
                    "Tags": [],
                    "OwnerId": acct,
                }));
            }

            let local = || {
                vec![
                    json!({
                        "DestinationCidrBlock": vpc4,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    }),
                    json!({
                        "DestinationIpv6CidrBlock": vpc6,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    }),
                ]
            };
            let mut main_routes = local();
            main_routes.push(json!({
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": igw,
                "Origin": "CreateRoute",
                "State": "active",
            }));
            main_routes.push(json!({
                "DestinationIpv6CidrBlock": "::/0",
                "GatewayId": igw,
                "Origin": "CreateRoute",
                "State": "active",
            }));
            let s3_route = json!({
                "DestinationPrefixListId": s3_pl,
                "GatewayId": s3_vpce,
                "Origin": "CreateRoute",
                "State": "active",
            });
            let mut tables = vec![json!({
                "Associations": [{
                    "Main": true,
                    "RouteTableAssociationId": hex_id(rng, "rtbassoc-", 17),
                    "RouteTableId": main_rtb,
                    "AssociationState": {"State": "associated"},
                }],
                "PropagatingVgws": [],
                "RouteTableId": main_rtb,
                "Routes": main_routes,
                "Tags": [{"Key": "Name", "Value": "main-public"}],
                "VpcId": vpc,
                "OwnerId": acct,
            })];
            if private.is_empty() {
                if let Some(routes) = tables[0]["Routes"].as_array_mut() {
                    routes.push(s3_route);
                }
            } else {
                let associations: Vec<Value> = private
                    .iter()
                    .map(|&s| {
                        json!({
                            "Main": false,
                            "RouteTableAssociationId": hex_id(rng, "rtbassoc-", 17),
                            "RouteTableId": private_rtb,
                            "AssociationState": {"State": "associated"},
                            "SubnetId": a.subnets[s].id,
                        })
                    })
                    .collect();
                let mut routes = local();
                routes.push(json!({
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": nat,
                    "Origin": "CreateRoute",
                    "State": "active",
                }));
                routes.push(json!({
                    "DestinationIpv6CidrBlock": "::/0",
                    "EgressOnlyInternetGatewayId": eigw,
                    "Origin": "CreateRoute",
                    "State": "active",
                }));
                routes.push(s3_route);
                tables.push(json!({
                    "Associations": associations,
                    "PropagatingVgws": [],
                    "RouteTableId": private_rtb,
                    "Routes": routes,
                    "Tags": [{"Key": "Name", "Value": "private"}],
                    "VpcId": vpc,
                    "OwnerId": acct,
                }));
            }

            for (command, doc) in [
                ("describe-vpcs", vpcs),
                ("describe-subnets", json!({ "Subnets": subnets })),
                (
                    "describe-network-interfaces",
                    json!({ "NetworkInterfaces": enis }),
                ),
                ("describe-nat-gateways", json!({ "NatGateways": nats })),
                (
                    "describe-vpc-endpoints",
                    json!({ "VpcEndpoints": endpoints }),
                ),
                ("describe-route-tables", json!({ "RouteTables": tables })),
            ] {
                docs.push((
                    format!("{command}-{acct}-{region}.json"),
                    aws_cli_json(&doc),
                ));
            }
        }
        docs
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    NoData,
    SkipData,
}

/// The values of one record, before formatting.
struct Flow {
    eni: usize,
    status: Status,
    egress: bool,
    src: IpAddr,
    dst: IpAddr,
    srcport: u16,
    dstport: u16,
    protocol: u8,
    packets: u64,
    bytes: u64,
    start: i64,
    end: i64,
    reject: bool,
    tcp_flags: u16,
    traffic_path: Option<u8>,
}

/// Destination ports of requests, weighted, with their protocol.
const SERVICE_PORTS: [(u16, u8, u32); 12] = [
    (443, 6, 60),
    (80, 6, 8),
    (53, 17, 8),
    (123, 17, 2),
    (5432, 6, 4),
    (3306, 6, 4),
    (6379, 6, 3),
    (22, 6, 3),
    (8080, 6, 3),
    (9092, 6, 2),
    (2049, 6, 2),
    (27017, 6, 1),
];

/// The record generator of one file.
pub(crate) struct Records<'w, 'r> {
    world: &'w World<'r>,
    account: &'w Account,
    fields: Vec<Field>,
    version: u8,
    needs_label: bool,
    rng: SmallRng,
    interval: i64,
    window_start: i64,
    window_len: i64,
    total: u64,
    done: u64,
    port_weight: u32,
}

impl<'w, 'r> Records<'w, 'r> {
    pub(crate) fn new(world: &'w World<'r>, spec: &FileSpec) -> Self {
        Records {
            world,
            account: &world.accounts[spec.account],
            fields: spec.fields.clone(),
            version: version_of(&spec.fields),
            needs_label: spec.fields.contains(&Field::PktSrcAwsService)
                || spec.fields.contains(&Field::PktDstAwsService),
            rng: SmallRng::seed_from_u64(spec.seed),
            interval: spec.interval,
            window_start: spec.window_start,
            window_len: spec.window_len,
            total: spec.records.max(1),
            done: 0,
            port_weight: SERVICE_PORTS.iter().map(|p| p.2).sum(),
        }
    }

    fn service_port(&mut self) -> (u16, u8) {
        let mut w = self.rng.random_range(0..self.port_weight);
        for &(port, proto, weight) in &SERVICE_PORTS {
            if w < weight {
                return (port, proto);
            }
            w -= weight;
        }
        (443, 6)
    }

    fn remote(&mut self, v6: bool) -> (IpAddr, u8) {
        // The second value says what kind of remote: 0 AWS, 1 internet, 2 private.
        let r: f64 = self.rng.random();
        let a = self.account;
        if r < 0.60 {
            let home = self.rng.random_bool(2.0 / 3.0);
            if v6 {
                let pool = if home && !a.home_v6.is_empty() {
                    &a.home_v6
                } else {
                    &self.world.aws_v6
                };
                if let Some(&(net, host)) = pool.choose(&mut self.rng) {
                    return (
                        IpAddr::V6(Ipv6Addr::from_bits(
                            net | (self.rng.random::<u128>() & host),
                        )),
                        0,
                    );
                }
            } else {
                let pool = if home && !a.home_v4.is_empty() {
                    &a.home_v4
                } else {
                    &self.world.aws_v4
                };
                if let Some(&(net, host)) = pool.choose(&mut self.rng) {
                    return (
                        IpAddr::V4(Ipv4Addr::from_bits(net | (self.rng.random::<u32>() & host))),
                        0,
                    );
                }
            }
        }
        if r < 0.85 {
            if v6 {
                // Global unicast, 2000::/3.
                let bits = (self.rng.random::<u128>() >> 3) | (1u128 << 125);
                return (IpAddr::V6(Ipv6Addr::from_bits(bits)), 1);
            }
            loop {
                let bits: u32 = self.rng.random();
                let ip = Ipv4Addr::from_bits(bits);
                let o = ip.octets();
                let special = o[0] == 0
                    || o[0] == 10
                    || o[0] == 127
                    || o[0] >= 224
                    || (o[0] == 100 && (64..128).contains(&o[1]))
                    || (o[0] == 169 && o[1] == 254)
                    || (o[0] == 172 && (16..32).contains(&o[1]))
                    || (o[0] == 192 && o[1] == 168);
                if !special {
                    return (IpAddr::V4(ip), 1);
                }
            }
        }
        // Private: another host of the VPC, or of a peered VPC / on-premises network.
        let own = self.rng.random_bool(0.5);
        if v6 {
            let bits = if own {
                a.vpc_v6
                    | (u128::from(self.rng.random_range(0..8u8)) << 64)
                    | u128::from(self.rng.random::<u64>())
            } else {
                (0xfd00u128 << 112) | (self.rng.random::<u128>() >> 8)
            };
            (IpAddr::V6(Ipv6Addr::from_bits(bits)), 2)
        } else {
            let bits = if own {
                a.vpc_v4 | self.rng.random_range(0..0x0800u32)
            } else {
                (10u32 << 24) | self.rng.random_range(0..0x0100_0000u32)
            };
            (IpAddr::V4(Ipv4Addr::from_bits(bits)), 2)
        }
    }

    fn flow(&mut self) -> Flow {
        let rng = &mut self.rng;
        // Time: records come in interval order over the window.
        let t = self.window_start
            + i64::try_from(
                u128::from(self.done) * u128::from(self.window_len.unsigned_abs())
                    / u128::from(self.total),
            )
            .expect("offset within the window");
        self.done += 1;
        let slot = t - t.rem_euclid(self.interval);
        // A few ENIs carry most of the traffic.
        let u: f64 = rng.random();
        let n = self.account.enis.len();
        let eni = ((u * u * u * n as f64) as usize).min(n - 1);
        let s: f64 = rng.random();
        let status = if s < 0.008 {
            Status::NoData
        } else if s < 0.01 {
            Status::SkipData
        } else {
            Status::Ok
        };
        let mut flow = Flow {
            eni,
            status,
            egress: false,
            src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            srcport: 0,
            dstport: 0,
            protocol: 6,
            packets: 0,
            bytes: 0,
            start: slot,
            end: slot + self.interval,
            reject: false,
            tcp_flags: 0,
            traffic_path: None,
        };
        if status != Status::Ok {
            return flow;
        }
        let first = rng.random_range(0..self.interval / 2);
        flow.start = slot + first;
        flow.end =
            (slot + self.interval - rng.random_range(0..self.interval / 10)).max(flow.start + 1);
        let v6 = rng.random_bool(0.2);
        let local = if v6 {
            IpAddr::V6(self.account.enis[eni].v6)
        } else {
            IpAddr::V4(self.account.enis[eni].v4)
        };
        let (remote, kind) = self.remote(v6);
        let rng = &mut self.rng;
        let ephemeral = rng.random_range(32768..=60999u16);
        let egress = rng.random_bool(0.55);
        let icmp = rng.random_bool(0.02);
        // Ingress from the internet: a fifth are scans, mostly rejected.
        let scan = !egress && kind == 1 && rng.random_bool(0.2);
        let (port, proto) = self.service_port();
        let rng = &mut self.rng;
        flow.egress = egress;
        if egress {
            (flow.src, flow.dst) = (local, remote);
        } else {
            (flow.src, flow.dst) = (remote, local);
        }
        if icmp {
            flow.protocol = if v6 { 58 } else { 1 };
        } else if scan {
            flow.protocol = 6;
            flow.srcport = rng.random_range(1024..=65535);
            flow.dstport = *[22u16, 23, 3389, 445, 8080, 5900, 1433, 6379]
                .choose(rng)
                .expect("non-empty");
        } else {
            flow.protocol = proto;
            // Egress: requests out (ephemeral → service port). Ingress: responses
            // back (service port → ephemeral) or connections in to a service port.
            let response = !egress && rng.random_bool(0.7);
            (flow.srcport, flow.dstport) = if egress || !response {
                (ephemeral, port)
            } else {
                (port, ephemeral)
            };
        }
        flow.reject = if scan {
            rng.random_bool(0.9)
        } else {
            rng.random_bool(0.02)
        };
        if flow.reject || scan {
            flow.packets = rng.random_range(1..=3);
            flow.bytes = flow.packets * rng.random_range(40..=80);
        } else {
            // Log-uniform-ish, heavy on small flows.
            let e: f64 = rng.random();
            flow.packets = (1.0 + (e * e * 11.0).exp()) as u64;
            let size = if rng.random_bool(0.5) {
                rng.random_range(52..=160)
            } else {
                rng.random_range(160..=1460)
            };
            flow.bytes = flow.packets * size;
        }
        if flow.protocol == 6 {
            flow.tcp_flags = if flow.reject {
                2
            } else {
                *[2u16, 3, 18, 19, 19, 19, 1, 4, 0]
                    .choose(rng)
                    .expect("non-empty")
            };
        }
        if egress {
            flow.traffic_path = Some(match kind {
                2 => {
                    if rng.random_bool(0.9) {
                        1
                    } else {
                        4
                    }
                }
                0 if rng.random_bool(0.3) => 7,
                _ => {
                    if rng.random_bool(0.7) {
                        8
                    } else {
                        2
                    }
                }
            });
        }
        flow
    }

    /// Appends one record line, `\n` included.
    pub(crate) fn push_line(&mut self, buf: &mut Vec<u8>) {
        let f = self.flow();
        let ok = f.status == Status::Ok;
        let a = self.account;
        let eni = &a.enis[f.eni];
        let label = |addr: IpAddr| -> &str {
            let label = self.world.ranges.label(self.world.ranges.lookup(addr));
            if label.is_aws() { &label.service } else { "-" }
        };
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                buf.push(b' ');
            }
            let dash = !ok
                && !matches!(
                    field,
                    Field::Version
                        | Field::AccountId
                        | Field::InterfaceId
                        | Field::Start
                        | Field::End
                        | Field::LogStatus
                        | Field::VpcId
                        | Field::SubnetId
                        | Field::InstanceId
                        | Field::Region
                        | Field::AzId
                        | Field::SublocationType
                        | Field::SublocationId
                );
            if dash {
                buf.push(b'-');
                continue;
            }
            match field {
                Field::Version => push_u64(buf, u64::from(self.version)),
                Field::AccountId => buf.extend_from_slice(a.id.as_bytes()),
                Field::InterfaceId => buf.extend_from_slice(eni.id.as_bytes()),
                Field::Srcaddr | Field::PktSrcaddr => push_ip(buf, f.src),
                Field::Dstaddr | Field::PktDstaddr => push_ip(buf, f.dst),
                Field::Srcport => push_u64(buf, u64::from(f.srcport)),
                Field::Dstport => push_u64(buf, u64::from(f.dstport)),
                Field::Protocol => push_u64(buf, u64::from(f.protocol)),
                Field::Packets => push_u64(buf, f.packets),
                Field::Bytes => push_u64(buf, f.bytes),
                Field::Start => push_i64(buf, f.start),
                Field::End => push_i64(buf, f.end),
                Field::Action => {
                    buf.extend_from_slice(if f.reject { b"REJECT" } else { b"ACCEPT" });
                }
                Field::LogStatus => buf.extend_from_slice(match f.status {
                    Status::Ok => b"OK",
                    Status::NoData => b"NODATA",
                    Status::SkipData => b"SKIPDATA",
                }),
                Field::VpcId => buf.extend_from_slice(a.vpc_id.as_bytes()),
                Field::SubnetId => buf.extend_from_slice(a.subnets[eni.subnet].id.as_bytes()),
                Field::InstanceId => buf.extend_from_slice(eni.instance.as_bytes()),
                Field::TcpFlags => push_u64(buf, u64::from(f.tcp_flags)),
                Field::Type => {
                    buf.extend_from_slice(if f.src.is_ipv6() { b"IPv6" } else { b"IPv4" })
                }
                Field::Region => buf.extend_from_slice(a.region.as_bytes()),
                Field::AzId => buf.extend_from_slice(a.subnets[eni.subnet].az_id.as_bytes()),
                Field::PktSrcAwsService if self.needs_label && !f.egress => {
                    buf.extend_from_slice(label(f.src).as_bytes());
                }
                Field::PktDstAwsService if self.needs_label && f.egress => {
                    buf.extend_from_slice(label(f.dst).as_bytes());
                }
                Field::FlowDirection => {
                    buf.extend_from_slice(if f.egress { b"egress" } else { b"ingress" })
                }
                Field::TrafficPath => match f.traffic_path {
                    Some(p) => push_u64(buf, u64::from(p)),
                    None => buf.push(b'-'),
                },
                _ => buf.push(b'-'),
            }
        }
        buf.push(b'\n');
    }
}

fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn push_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    push_u64(buf, n.unsigned_abs());
}

fn push_ip(buf: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            push_u64(buf, u64::from(a));
            buf.push(b'.');
            push_u64(buf, u64::from(b));
            buf.push(b'.');
            push_u64(buf, u64::from(c));
            buf.push(b'.');
            push_u64(buf, u64::from(d));
        }
        IpAddr::V6(v6) => write!(buf, "{v6}").expect("writing to a Vec cannot fail"),
    }
}

/// Gzips `data` at the default level, as AWS's files are.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 8),
        flate2::Compression::default(),
    );
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// Query logs for the generated input: for four in five (client, remote) pairs, the
/// client's query 30 s before the pair's first flow, in its VPC (the record's `vpc-id`,
/// else its ENI's in `inventory`, as the engine finds it).
pub(crate) fn names_for(
    text: &[u8],
    ranges: &Ranges,
    inventory: Option<&flowpath_core::inventory::Inventory>,
) -> flowpath_core::names::NameIndex {
    use std::collections::HashSet;
    use std::net::IpAddr;
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
    let at = |name: &str| header.iter().position(|h| *h == name);
    let (Some(src), Some(dst), Some(start)) = (at("srcaddr"), at("dstaddr"), at("start")) else {
        return flowpath_core::names::NameIndexBuilder::new().finish(3600);
    };
    let vpc = at("vpc-id");
    let eni = at("interface-id");
    let mut builder = flowpath_core::names::NameIndexBuilder::new();
    let mut seen = HashSet::new();
    for line in lines {
        let w: Vec<&str> = line.split(' ').collect();
        let (Some(Ok(s)), Some(Ok(d)), Some(Ok(t))) = (
            w.get(src).map(|v| v.parse::<IpAddr>()),
            w.get(dst).map(|v| v.parse::<IpAddr>()),
            w.get(start).map(|v| v.parse::<i64>()),
        ) else {
            continue;
        };
        let (client, remote) = if ranges.is_private(s) { (s, d) } else { (d, s) };
        if !seen.insert((client, remote)) || mix(seen.len() as u64, 9).is_multiple_of(5) {
            continue;
        }
        let vpc_id = vpc
            .and_then(|i| w.get(i))
            .map(|v| (*v).to_owned())
            .or_else(|| {
                let id = w.get(eni?)?;
                inventory?.eni(id)?.vpc_id.clone()
            })
            .unwrap_or_else(|| "vpc-bench".to_owned());
        builder.add(&flowpath_core::names::Query {
            account_id: None,
            vpc_id,
            client,
            time: t - 30,
            name: format!("host-{}.example", mix(seen.len() as u64, 3) % 5000),
            addresses: vec![remote],
        });
    }
    builder.finish(3600)
}
