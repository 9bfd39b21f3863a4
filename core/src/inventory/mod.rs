//! The VPC inventory: what the AWS CLI's `describe-*` calls say about a VPC, merged
//! into the lookups attribution needs.
//!
//! Input is the JSON `aws ec2 describe-network-interfaces`, `describe-vpc-endpoints`,
//! `describe-nat-gateways`, `describe-route-tables`, `describe-subnets` and
//! `describe-vpcs` (and `describe-flow-logs`, `describe-instances`) print, unchanged:
//! any subset, several documents (accounts, regions) merged with [`Inventory::load`].
//! Unknown fields are ignored; a document with none of the top-level keys is refused, as is a malformed address or CIDR
//! (the error names the document and the resource).
//!
//! What it holds:
//! - each ENI's type ([`Eni::kind`]: `instance`, `interface`, `nat_gateway`,
//!   `vpc_endpoint`, `lambda`, ...) and its own addresses (private IPv4, public IPv4,
//!   IPv6), by ENI id and by address;
//! - interface endpoints (their ENIs and service), gateway endpoints (their service
//!   and route tables), NAT gateways (their ENIs, private and public addresses);
//! - route tables with their subnet associations and the VPC's main table, and each
//!   subnet's and VPC's CIDRs;
//! - flow logs (`aws ec2 describe-flow-logs`): where each delivers and in which
//!   format, so that records delivered without a header (CloudWatch Logs) are read in
//!   their flow log's format ([`Inventory::log_group_formats`]);
//! - every resource's tags, and which resource's tag a summary row carries (`tags.rs`:
//!   [`Inventory::tag`]).
//!
//! Invariants: lookups never allocate; when two documents describe the same resource
//! the later one wins; ENIs learnt only from `describe-nat-gateways` (without
//! `describe-network-interfaces`) are still known as `nat_gateway` ENIs with the NAT's
//! addresses.
//!
//! One concept a file: this file has [`Inventory`], its resources and lookups; `aws`
//! the serde model of the `describe-*` JSON; `load` how a document is merged in and the
//! cross-references rebuilt; `routes` route tables and the route chosen for an
//! address; `tags` resource tags and the `tag_<key>` columns.

mod aws;
mod load;
mod routes;
mod tags;

use std::net::IpAddr;

use ipnet::IpNet;
use rustc_hash::FxHashMap;

pub use routes::{Destination, RangesHint, Route, RouteMatch, RouteTable, Target};
pub use tags::{MAX_TAG_KEYS, TagKeyError, TagKeys, TagSite, column_of};

/// Why an inventory document could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InventoryError {
    /// Not JSON, or JSON of the wrong shape for a `describe-*` output.
    #[error("{name}: not a describe-* JSON document: {source}")]
    Json {
        /// The document's name.
        name: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// JSON without any of the keys the supported `describe-*` calls print.
    #[error(
        "{name}: none of NetworkInterfaces, VpcEndpoints, NatGateways, RouteTables, Subnets, \
         Vpcs, FlowLogs, Reservations: not the output of a supported aws ec2 describe-* command"
    )]
    Unsupported {
        /// The document's name.
        name: String,
    },
    /// An address or CIDR that does not parse.
    #[error("{name}: {resource}: bad {field} {value:?}")]
    BadValue {
        /// The document's name.
        name: String,
        /// The resource id (`eni-…`, `subnet-…`, ...).
        resource: String,
        /// The JSON field.
        field: &'static str,
        /// The value.
        value: String,
    },
}

/// A network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eni {
    /// `eni-…`.
    pub id: String,
    /// The type, from `InterfaceType`: `instance` (an `interface` attached to an
    /// instance), `interface` (any other), `nat_gateway`, `vpc_endpoint`, `lambda`,
    /// `network_load_balancer`, ... as AWS names them (`natGateway` is spelt
    /// `nat_gateway`).
    pub kind: String,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// The subnet.
    pub subnet_id: Option<String>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Its region, from its Availability Zone (`describe-network-interfaces`), else its
    /// subnet's (`describe-subnets`).
    pub region: Option<String>,
    /// The instance it is attached to.
    pub instance_id: Option<String>,
    /// The ENI's description.
    pub description: Option<String>,
    /// Its own addresses: private IPv4, public IPv4, IPv6.
    pub addresses: Vec<IpAddr>,
    /// The interface endpoint it belongs to (an index into [`Inventory::endpoints`]).
    endpoint: Option<usize>,
    /// The NAT gateway it belongs to (an index into [`Inventory::nat_gateways`]).
    nat: Option<usize>,
    /// Its subnet's route table (an index into the route tables).
    route_table: Option<usize>,
}

/// The type of a VPC endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointType {
    /// ENIs in subnets (PrivateLink).
    Interface,
    /// A route-table target for S3 or DynamoDB.
    Gateway,
    /// Anything else (`GatewayLoadBalancer`, `Resource`, `ServiceNetwork`).
    Other,
}

/// A VPC endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `vpce-…`.
    pub id: String,
    /// Interface, gateway or other.
    pub kind: EndpointType,
    /// `ServiceName`, e.g. `com.amazonaws.eu-west-1.s3`.
    pub service_name: String,
    /// The service as an upper-case code like ip-ranges.json's (`S3`, `DYNAMODB`,
    /// `SQS`, `ECR.DKR`); the whole service name for non-AWS services.
    pub service: String,
    /// The service's region (from the service name).
    pub region: String,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// Gateway endpoints: the route tables that route to it.
    pub route_table_ids: Vec<String>,
    /// Interface endpoints: its ENIs.
    pub eni_ids: Vec<String>,
}

/// A NAT gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatGateway {
    /// `nat-…`.
    pub id: String,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// The subnet it is in.
    pub subnet_id: Option<String>,
    /// Its ENIs.
    pub eni_ids: Vec<String>,
    /// Private addresses.
    pub private: Vec<IpAddr>,
    /// Public (Elastic IP) addresses.
    pub public: Vec<IpAddr>,
}

/// CIDRs by prefix length, longest first, each to its VPC (`None`: two VPCs hold the
/// same CIDR). A lookup probes one hash map per distinct length (a handful).
#[derive(Clone, Debug, Default)]
pub(crate) struct VpcByCidr {
    vpcs: Vec<String>,
    /// (IPv6?, prefix length, network → index into `vpcs` or `None`).
    by_length: Vec<(bool, u8, FxHashMap<u128, Option<usize>>)>,
}

impl VpcByCidr {
    pub(crate) fn build<'a>(cidrs: impl Iterator<Item = (&'a str, &'a Vec<IpNet>)>) -> Self {
        let mut out = VpcByCidr::default();
        let mut index: FxHashMap<&str, usize> = FxHashMap::default();
        for (vpc, nets) in cidrs {
            let i = *index.entry(vpc).or_insert_with(|| {
                out.vpcs.push(vpc.to_owned());
                out.vpcs.len() - 1
            });
            for net in nets {
                let (v6, len, key) = match net {
                    IpNet::V4(n) => (false, n.prefix_len(), u128::from(u32::from(n.network()))),
                    IpNet::V6(n) => (true, n.prefix_len(), u128::from(n.network())),
                };
                let slot = match out
                    .by_length
                    .iter_mut()
                    .find(|(f, l, _)| *f == v6 && *l == len)
                {
                    Some(slot) => slot,
                    None => {
                        out.by_length.push((v6, len, FxHashMap::default()));
                        out.by_length.last_mut().expect("just pushed")
                    }
                };
                slot.2
                    .entry(key)
                    .and_modify(|held| {
                        if *held != Some(i) {
                            *held = None;
                        }
                    })
                    .or_insert(Some(i));
            }
        }
        out.by_length.sort_by_key(|b| std::cmp::Reverse(b.1));
        out
    }

    fn find(&self, addr: IpAddr) -> Option<&str> {
        let (v6, bits, value) = match addr {
            IpAddr::V4(a) => (false, 32u32, u128::from(u32::from(a))),
            IpAddr::V6(a) => (true, 128u32, u128::from(a)),
        };
        for (family, len, map) in &self.by_length {
            if *family != v6 {
                continue;
            }
            let host = bits - u32::from(*len);
            let key = value
                .checked_shr(host)
                .map_or(0, |v| v.checked_shl(host).unwrap_or(0));
            if let Some(held) = map.get(&key) {
                return held.and_then(|i| self.vpcs.get(i)).map(String::as_str);
            }
        }
        None
    }
}

/// The merged inventory. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    enis: Vec<Eni>,
    eni_by_id: FxHashMap<String, usize>,
    eni_by_addr: FxHashMap<IpAddr, usize>,
    endpoints: Vec<Endpoint>,
    endpoint_by_id: FxHashMap<String, usize>,
    nats: Vec<NatGateway>,
    nat_by_id: FxHashMap<String, usize>,
    subnets: FxHashMap<String, (Option<String>, Vec<IpNet>)>,
    vpcs: FxHashMap<String, Vec<IpNet>>,
    tables: Vec<RouteTable>,
    table_by_id: FxHashMap<String, usize>,
    table_by_subnet: FxHashMap<String, usize>,
    main_table_by_vpc: FxHashMap<String, usize>,
    /// Every VPC and subnet CIDR, merged into sorted disjoint ranges (IPv4, then
    /// IPv6), for [`Inventory::in_any_vpc`] in O(log n).
    vpc_space_v4: Vec<(u32, u32)>,
    vpc_space_v6: Vec<(u128, u128)>,
    /// Which VPC a CIDR belongs to ([`Inventory::vpc_at`]).
    vpc_by_cidr: VpcByCidr,
    /// Each VPC's account (`OwnerId` of `describe-vpcs`, else `describe-subnets`).
    vpc_owner: FxHashMap<String, String>,
    /// Each subnet's region, from its Availability Zone.
    subnet_region: FxHashMap<String, String>,
    flow_logs: Vec<FlowLogDefinition>,
    /// Every tagged resource's tags, by its id (`eni-`, `i-`, `subnet-`, `vpc-`,
    /// `nat-`, `vpce-`): ids are unique across kinds (`tags.rs`).
    tags: FxHashMap<String, Vec<(String, String)>>,
    /// The instance `describe-instances` lists each ENI under.
    instance_by_eni: FxHashMap<String, String>,
    documents: Vec<String>,
}

/// A flow log's definition (`aws ec2 describe-flow-logs`): where it delivers and the
/// format of its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowLogDefinition {
    /// `fl-…`.
    pub id: String,
    /// The VPC, subnet, ENI or transit gateway it logs.
    pub resource_id: Option<String>,
    /// `cloud-watch-logs`, `s3` or `kinesis-data-firehose`.
    pub destination_type: Option<String>,
    /// The ARN of the bucket (and prefix), log group or delivery stream.
    pub destination: Option<String>,
    /// The log group, for CloudWatch Logs.
    pub log_group: Option<String>,
    /// Its records' format (`LogFormat`; the default format when it has none).
    pub format: crate::format::Format,
}

/// What one loaded document contained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Loaded {
    /// Network interfaces.
    pub network_interfaces: usize,
    /// VPC endpoints.
    pub vpc_endpoints: usize,
    /// NAT gateways.
    pub nat_gateways: usize,
    /// Route tables.
    pub route_tables: usize,
    /// Subnets.
    pub subnets: usize,
    /// VPCs.
    pub vpcs: usize,
    /// Flow-log definitions.
    pub flow_logs: usize,
    /// Instances (`describe-instances`).
    pub instances: usize,
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The flow-log definitions loaded (`describe-flow-logs`).
    pub fn flow_logs(&self) -> &[FlowLogDefinition] {
        &self.flow_logs
    }

    /// The distinct formats of the flow logs that deliver to CloudWatch Logs group
    /// `log_group`, in the order loaded: none when no definition names the group,
    /// several when flow logs of different formats share it (their records cannot be
    /// told apart by format alone).
    pub fn log_group_formats(&self, log_group: &str) -> Vec<&crate::format::Format> {
        let mut formats: Vec<&crate::format::Format> = Vec::new();
        for f in &self.flow_logs {
            if f.log_group.as_deref() == Some(log_group) && !formats.contains(&&f.format) {
                formats.push(&f.format);
            }
        }
        formats
    }

    /// The names of the loaded documents, in load order.
    pub fn documents(&self) -> &[String] {
        &self.documents
    }

    /// Every ENI.
    pub fn enis(&self) -> &[Eni] {
        &self.enis
    }

    /// Every VPC endpoint.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Every NAT gateway.
    pub fn nat_gateways(&self) -> &[NatGateway] {
        &self.nats
    }

    /// The ENI with this id.
    #[inline]
    pub fn eni(&self, id: &str) -> Option<&Eni> {
        self.eni_by_id.get(id).map(|&i| &self.enis[i])
    }

    /// The ENI that owns this address.
    #[inline]
    pub fn eni_at(&self, addr: IpAddr) -> Option<&Eni> {
        self.eni_by_addr.get(&addr).map(|&i| &self.enis[i])
    }

    /// The interface endpoint an ENI belongs to.
    #[inline]
    pub fn endpoint_of(&self, eni: &Eni) -> Option<&Endpoint> {
        eni.endpoint.map(|i| &self.endpoints[i])
    }

    /// The NAT gateway an ENI belongs to.
    #[inline]
    pub fn nat_of(&self, eni: &Eni) -> Option<&NatGateway> {
        eni.nat.map(|i| &self.nats[i])
    }

    /// The VPC of a subnet.
    pub fn subnet_vpc(&self, subnet_id: &str) -> Option<&str> {
        self.subnets.get(subnet_id).and_then(|(v, _)| v.as_deref())
    }

    /// Whether `addr` is in one of the VPC's CIDRs (its own, or its subnets' when
    /// `describe-vpcs` is missing). `None` when the inventory knows no CIDR of it.
    pub fn in_vpc(&self, vpc_id: &str, addr: IpAddr) -> Option<bool> {
        if let Some(cidrs) = self.vpcs.get(vpc_id) {
            return Some(cidrs.iter().any(|c| c.contains(&addr)));
        }
        let mut known = false;
        for (vpc, cidrs) in self.subnets.values() {
            if vpc.as_deref() == Some(vpc_id) {
                known = true;
                if cidrs.iter().any(|c| c.contains(&addr)) {
                    return Some(true);
                }
            }
        }
        known.then_some(false)
    }

    /// The VPC whose CIDR holds `addr`, and its account when known: the most specific
    /// CIDR of any VPC or subnet the inventory knows. `None` when no CIDR holds it, or
    /// when CIDRs of two VPCs do at the same length (overlapping VPCs: which one is
    /// meant cannot be told, so none is named).
    pub fn vpc_at(&self, addr: IpAddr) -> Option<(&str, Option<&str>)> {
        let vpc = self.vpc_by_cidr.find(addr)?;
        Some((vpc, self.vpc_owner.get(vpc).map(String::as_str)))
    }

    /// Whether `addr` is in any VPC or subnet CIDR the inventory knows.
    #[inline]
    pub fn in_any_vpc(&self, addr: IpAddr) -> bool {
        fn inside<T: Ord + Copy>(ranges: &[(T, T)], a: T) -> bool {
            // The last range starting at or before `a`.
            let i = ranges.partition_point(|(start, _)| *start <= a);
            i > 0 && ranges[i - 1].1 >= a
        }
        match addr {
            IpAddr::V4(a) => inside(&self.vpc_space_v4, u32::from(a)),
            IpAddr::V6(a) => inside(&self.vpc_space_v6, u128::from(a)),
        }
    }
}

#[cfg(test)]
mod vpc_by_cidr_tests {
    use super::*;

    #[test]
    fn the_most_specific_cidr_names_the_vpc_and_overlaps_name_none() {
        let net = |s: &str| s.parse::<IpNet>().unwrap();
        let a = vec![net("10.1.0.0/16"), net("2600:1f18::/56")];
        let b = vec![net("10.2.0.0/16")];
        let b_subnet = vec![net("10.2.5.0/24")];
        // Two VPCs that reuse one CIDR (as unconnected VPCs often do).
        let c = vec![net("172.31.0.0/16")];
        let d = vec![net("172.31.0.0/16")];
        let m = VpcByCidr::build(
            [
                ("vpc-a", &a),
                ("vpc-b", &b),
                ("vpc-b", &b_subnet),
                ("vpc-c", &c),
                ("vpc-d", &d),
            ]
            .into_iter(),
        );
        let at = |s: &str| m.find(s.parse().unwrap());
        assert_eq!(at("10.1.200.3"), Some("vpc-a"));
        assert_eq!(at("10.2.5.9"), Some("vpc-b"));
        assert_eq!(at("10.2.0.1"), Some("vpc-b"));
        assert_eq!(at("2600:1f18::42"), Some("vpc-a"));
        assert_eq!(at("10.3.0.1"), None);
        assert_eq!(at("172.31.4.4"), None, "two VPCs hold it: neither is named");
    }
}
