//! The VPC inventory: what the AWS CLI's `describe-*` calls say about a VPC, merged
//! into the lookups attribution needs.
//!
//! Input is the JSON `aws ec2 describe-network-interfaces`, `describe-vpc-endpoints`,
//! `describe-nat-gateways`, `describe-route-tables`, `describe-subnets` and
//! `describe-vpcs` print, unchanged: any subset, several documents (accounts,
//! regions) merged with [`Inventory::load`]. Unknown fields are ignored; a document
//! with none of the six top-level keys is refused, as is a malformed address or CIDR
//! (the error names the document and the resource).
//!
//! What it holds:
//! - each ENI's type ([`Eni::kind`]: `instance`, `interface`, `nat_gateway`,
//!   `vpc_endpoint`, `lambda`, ...) and its own addresses (private IPv4, public IPv4,
//!   IPv6), by ENI id and by address;
//! - interface endpoints (their ENIs and service), gateway endpoints (their service
//!   and route tables), NAT gateways (their ENIs, private and public addresses);
//! - route tables with their subnet associations and the VPC's main table, and each
//!   subnet's and VPC's CIDRs.
//!
//! Invariants: lookups never allocate; when two documents describe the same resource
//! the later one wins; ENIs learnt only from `describe-nat-gateways` (without
//! `describe-network-interfaces`) are still known as `nat_gateway` ENIs with the NAT's
//! addresses.

use std::net::IpAddr;

use ipnet::IpNet;
use rustc_hash::FxHashMap;

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
    /// JSON without any of the keys the six `describe-*` calls print.
    #[error(
        "{name}: none of NetworkInterfaces, VpcEndpoints, NatGateways, RouteTables, Subnets, \
         Vpcs: not the output of a supported aws ec2 describe-* command"
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

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `local`: within the VPC.
    Local,
    /// `igw-…`.
    InternetGateway(String),
    /// `eigw-…`.
    EgressOnlyInternetGateway(String),
    /// `nat-…`.
    NatGateway(String),
    /// `vpce-…` (a gateway endpoint's prefix-list route, or a Gateway Load Balancer
    /// endpoint).
    VpcEndpoint(String),
    /// `tgw-…`.
    TransitGateway(String),
    /// `pcx-…`.
    VpcPeering(String),
    /// `vgw-…`.
    VirtualPrivateGateway(String),
    /// Anything else: an instance or ENI, a local or carrier gateway, a core network.
    Other(String),
}

/// A route's destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An IPv4 or IPv6 CIDR.
    Cidr(IpNet),
    /// A managed prefix list (`pl-…`), as gateway endpoints install.
    PrefixList(String),
}

/// One route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Where to.
    pub destination: Destination,
    /// Through what.
    pub target: Target,
}

/// A route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteTable {
    /// `rtb-…`.
    pub id: String,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// Whether it is the VPC's main table (used by subnets without an association).
    pub main: bool,
    /// Explicitly associated subnets.
    pub subnet_ids: Vec<String>,
    /// Active routes (blackhole routes are left out: they carry nothing).
    pub routes: Vec<Route>,
}

/// A route chosen for an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMatch<'i> {
    /// The route table.
    pub table: &'i RouteTable,
    /// The route.
    pub route: &'i Route,
    /// For a prefix-list route, the gateway endpoint it belongs to.
    pub endpoint: Option<&'i Endpoint>,
}

/// What the remote address is known as, for a prefix-list route to match it: its
/// service and region in AWS's ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangesHint<'a> {
    /// Service code (`S3`, `DYNAMODB`, ...).
    pub service: &'a str,
    /// Region.
    pub region: &'a str,
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
    documents: Vec<String>,
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
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Merges one `describe-*` JSON document, named `name` in errors.
    pub fn load(&mut self, name: &str, json: &[u8]) -> Result<Loaded, InventoryError> {
        let doc: aws::Document =
            serde_json::from_slice(json).map_err(|source| InventoryError::Json {
                name: name.to_owned(),
                source,
            })?;
        if doc.is_empty() {
            return Err(InventoryError::Unsupported {
                name: name.to_owned(),
            });
        }
        let loaded = Loaded {
            network_interfaces: doc.network_interfaces.as_ref().map_or(0, Vec::len),
            vpc_endpoints: doc.vpc_endpoints.as_ref().map_or(0, Vec::len),
            nat_gateways: doc.nat_gateways.as_ref().map_or(0, Vec::len),
            route_tables: doc.route_tables.as_ref().map_or(0, Vec::len),
            subnets: doc.subnets.as_ref().map_or(0, Vec::len),
            vpcs: doc.vpcs.as_ref().map_or(0, Vec::len),
        };
        let bad = |resource: &str, field: &'static str, value: &str| InventoryError::BadValue {
            name: name.to_owned(),
            resource: resource.to_owned(),
            field,
            value: value.to_owned(),
        };
        for v in doc.vpcs.unwrap_or_default() {
            let mut cidrs = Vec::new();
            let v4 = v.cidr_block.iter().chain(
                v.cidr_block_association_set
                    .iter()
                    .filter(|a| a.is_associated())
                    .filter_map(|a| a.cidr_block.as_ref()),
            );
            let v6 = v
                .ipv6_cidr_block_association_set
                .iter()
                .filter(|a| a.is_associated())
                .filter_map(|a| a.ipv6_cidr_block.as_ref());
            for c in v4.chain(v6) {
                let net: IpNet = c.parse().map_err(|_| bad(&v.vpc_id, "CidrBlock", c))?;
                if !cidrs.contains(&net) {
                    cidrs.push(net);
                }
            }
            self.vpcs.insert(v.vpc_id, cidrs);
        }
        for s in doc.subnets.unwrap_or_default() {
            let mut cidrs = Vec::new();
            let v6 = s
                .ipv6_cidr_block_association_set
                .iter()
                .filter(|a| a.is_associated())
                .filter_map(|a| a.ipv6_cidr_block.as_ref());
            for c in s.cidr_block.iter().chain(v6) {
                cidrs.push(c.parse().map_err(|_| bad(&s.subnet_id, "CidrBlock", c))?);
            }
            self.subnets.insert(s.subnet_id, (s.vpc_id, cidrs));
        }
        for e in doc.vpc_endpoints.unwrap_or_default() {
            let (region, service) = split_service_name(&e.service_name);
            let endpoint = Endpoint {
                kind: match e.vpc_endpoint_type.as_deref() {
                    Some("Interface") => EndpointType::Interface,
                    Some("Gateway") => EndpointType::Gateway,
                    _ => EndpointType::Other,
                },
                region: region.to_owned(),
                service,
                service_name: e.service_name,
                vpc_id: e.vpc_id,
                route_table_ids: e.route_table_ids,
                eni_ids: e.network_interface_ids,
                id: e.vpc_endpoint_id,
            };
            upsert(
                &mut self.endpoints,
                &mut self.endpoint_by_id,
                endpoint.id.clone(),
                endpoint,
            );
        }
        for n in doc.nat_gateways.unwrap_or_default() {
            let mut nat = NatGateway {
                id: n.nat_gateway_id,
                vpc_id: n.vpc_id,
                subnet_id: n.subnet_id,
                eni_ids: Vec::new(),
                private: Vec::new(),
                public: Vec::new(),
            };
            for a in &n.nat_gateway_addresses {
                if let Some(eni) = &a.network_interface_id
                    && !nat.eni_ids.contains(eni)
                {
                    nat.eni_ids.push(eni.clone());
                }
                if let Some(ip) = &a.private_ip {
                    nat.private
                        .push(ip.parse().map_err(|_| bad(&nat.id, "PrivateIp", ip))?);
                }
                if let Some(ip) = &a.public_ip {
                    nat.public
                        .push(ip.parse().map_err(|_| bad(&nat.id, "PublicIp", ip))?);
                }
            }
            upsert(&mut self.nats, &mut self.nat_by_id, nat.id.clone(), nat);
        }
        for i in doc.network_interfaces.unwrap_or_default() {
            let mut addresses = Vec::new();
            let mut add = |field: &'static str, value: &str| -> Result<(), InventoryError> {
                let a: IpAddr = value
                    .parse()
                    .map_err(|_| bad(&i.network_interface_id, field, value))?;
                if !addresses.contains(&a) {
                    addresses.push(a);
                }
                Ok(())
            };
            if let Some(ip) = &i.private_ip_address {
                add("PrivateIpAddress", ip)?;
            }
            for p in &i.private_ip_addresses {
                if let Some(ip) = &p.private_ip_address {
                    add("PrivateIpAddresses", ip)?;
                }
                if let Some(ip) = p.association.as_ref().and_then(|a| a.public_ip.as_ref()) {
                    add("Association.PublicIp", ip)?;
                }
            }
            if let Some(ip) = i.association.as_ref().and_then(|a| a.public_ip.as_ref()) {
                add("Association.PublicIp", ip)?;
            }
            for p in &i.ipv6_addresses {
                if let Some(ip) = &p.ipv6_address {
                    add("Ipv6Addresses", ip)?;
                }
            }
            let instance_id = i.attachment.and_then(|a| a.instance_id);
            let kind = match i.interface_type.as_deref() {
                None | Some("interface") if instance_id.is_some() => "instance".to_owned(),
                None => "interface".to_owned(),
                Some("natGateway") => "nat_gateway".to_owned(),
                Some(other) => other.to_owned(),
            };
            let eni = Eni {
                id: i.network_interface_id,
                kind,
                vpc_id: i.vpc_id,
                subnet_id: i.subnet_id,
                owner_id: i.owner_id,
                instance_id,
                description: i.description,
                addresses,
                endpoint: None,
                nat: None,
                route_table: None,
            };
            upsert(&mut self.enis, &mut self.eni_by_id, eni.id.clone(), eni);
        }
        for t in doc.route_tables.unwrap_or_default() {
            let mut routes = Vec::new();
            for r in t.routes {
                if r.state.as_deref() == Some("blackhole") {
                    continue;
                }
                let destination = if let Some(c) = r.destination_cidr_block.as_ref() {
                    Destination::Cidr(
                        c.parse()
                            .map_err(|_| bad(&t.route_table_id, "DestinationCidrBlock", c))?,
                    )
                } else if let Some(c) = r.destination_ipv6_cidr_block.as_ref() {
                    Destination::Cidr(
                        c.parse()
                            .map_err(|_| bad(&t.route_table_id, "DestinationIpv6CidrBlock", c))?,
                    )
                } else if let Some(pl) = &r.destination_prefix_list_id {
                    Destination::PrefixList(pl.clone())
                } else {
                    continue;
                };
                routes.push(Route {
                    destination,
                    target: r.target(),
                });
            }
            let table = RouteTable {
                id: t.route_table_id,
                vpc_id: t.vpc_id,
                main: t.associations.iter().any(|a| a.main),
                subnet_ids: t
                    .associations
                    .into_iter()
                    .filter_map(|a| a.subnet_id)
                    .collect(),
                routes,
            };
            upsert(
                &mut self.tables,
                &mut self.table_by_id,
                table.id.clone(),
                table,
            );
        }
        self.documents.push(name.to_owned());
        self.relink();
        Ok(loaded)
    }

    /// Rebuilds the cross-references after a load.
    fn relink(&mut self) {
        // NAT ENIs known only from describe-nat-gateways.
        for nat in &self.nats {
            for eni_id in &nat.eni_ids {
                if !self.eni_by_id.contains_key(eni_id) {
                    let eni = Eni {
                        id: eni_id.clone(),
                        kind: "nat_gateway".to_owned(),
                        vpc_id: nat.vpc_id.clone(),
                        subnet_id: nat.subnet_id.clone(),
                        owner_id: None,
                        instance_id: None,
                        description: None,
                        addresses: nat.private.iter().chain(&nat.public).copied().collect(),
                        endpoint: None,
                        nat: None,
                        route_table: None,
                    };
                    self.eni_by_id.insert(eni_id.clone(), self.enis.len());
                    self.enis.push(eni);
                }
            }
        }
        for eni in &mut self.enis {
            eni.endpoint = None;
            eni.nat = None;
        }
        for (n, nat) in self.nats.iter().enumerate() {
            for eni_id in &nat.eni_ids {
                if let Some(&i) = self.eni_by_id.get(eni_id) {
                    self.enis[i].nat = Some(n);
                }
            }
        }
        for (n, endpoint) in self.endpoints.iter().enumerate() {
            if endpoint.kind != EndpointType::Interface {
                continue;
            }
            for eni_id in &endpoint.eni_ids {
                if let Some(&i) = self.eni_by_id.get(eni_id) {
                    self.enis[i].endpoint = Some(n);
                }
            }
        }
        self.eni_by_addr.clear();
        for (i, eni) in self.enis.iter().enumerate() {
            for a in &eni.addresses {
                self.eni_by_addr.insert(*a, i);
            }
        }
        let cidrs = self
            .vpcs
            .values()
            .chain(self.subnets.values().map(|(_, c)| c))
            .flatten();
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for net in cidrs {
            match net {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        self.vpc_space_v4 = merge_ranges(v4);
        self.vpc_space_v6 = merge_ranges(v6);
        self.table_by_subnet.clear();
        self.main_table_by_vpc.clear();
        for (i, t) in self.tables.iter().enumerate() {
            for s in &t.subnet_ids {
                self.table_by_subnet.insert(s.clone(), i);
            }
            if t.main
                && let Some(vpc) = &t.vpc_id
            {
                self.main_table_by_vpc.insert(vpc.clone(), i);
            }
        }
        let tables: Vec<Option<usize>> = self
            .enis
            .iter()
            .map(|e| {
                let subnet = e.subnet_id.as_deref()?;
                self.table_by_subnet.get(subnet).copied().or_else(|| {
                    let vpc = self.subnet_vpc(subnet).or(e.vpc_id.as_deref())?;
                    self.main_table_by_vpc.get(vpc).copied()
                })
            })
            .collect();
        for (eni, table) in self.enis.iter_mut().zip(tables) {
            eni.route_table = table;
        }
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
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

    /// The route table of a subnet: its explicit association, else its VPC's main
    /// table (`vpc_id` is used when the inventory does not know the subnet's VPC).
    pub fn route_table(&self, subnet_id: &str, vpc_id: Option<&str>) -> Option<&RouteTable> {
        if let Some(&i) = self.table_by_subnet.get(subnet_id) {
            return Some(&self.tables[i]);
        }
        let vpc = self.subnet_vpc(subnet_id).or(vpc_id)?;
        self.main_table_by_vpc.get(vpc).map(|&i| &self.tables[i])
    }

    /// The route a subnet uses for `addr` ([`Inventory::route_table`], then
    /// [`Inventory::route_in`]).
    pub fn route<'i>(
        &'i self,
        subnet_id: &str,
        vpc_id: Option<&str>,
        addr: IpAddr,
        hint: Option<RangesHint<'_>>,
        prefix_len: impl FnOnce() -> Option<u8>,
    ) -> Option<RouteMatch<'i>> {
        self.route_in(self.route_table(subnet_id, vpc_id)?, addr, hint, prefix_len)
    }

    /// The most specific route of `table` matching `addr`. A gateway endpoint's
    /// prefix-list route matches an address whose ranges service and region (`hint`)
    /// are the endpoint's, and is as specific as the published prefix containing it:
    /// `prefix_len` gives that length, and is only called when such a route exists.
    pub fn route_in<'i>(
        &'i self,
        table: &'i RouteTable,
        addr: IpAddr,
        hint: Option<RangesHint<'_>>,
        prefix_len: impl FnOnce() -> Option<u8>,
    ) -> Option<RouteMatch<'i>> {
        let mut best: Option<(u8, RouteMatch<'i>)> = None;
        let mut prefix_list: Option<(&'i Route, &'i Endpoint)> = None;
        for route in &table.routes {
            match &route.destination {
                Destination::Cidr(net) if net.contains(&addr) => {
                    let len = net.prefix_len();
                    if best.as_ref().is_none_or(|(l, _)| len > *l) {
                        let m = RouteMatch {
                            table,
                            route,
                            endpoint: None,
                        };
                        best = Some((len, m));
                    }
                }
                Destination::Cidr(_) => {}
                Destination::PrefixList(_) => {
                    let (Target::VpcEndpoint(id), Some(h)) = (&route.target, hint) else {
                        continue;
                    };
                    if let Some(endpoint) = self.endpoint_by_id.get(id).map(|&i| &self.endpoints[i])
                        && h.service == endpoint.service
                        && h.region == endpoint.region
                        && prefix_list.is_none()
                    {
                        prefix_list = Some((route, endpoint));
                    }
                }
            }
        }
        if let Some((route, endpoint)) = prefix_list
            && let Some(len) = prefix_len()
            && best.as_ref().is_none_or(|(l, _)| len > *l)
        {
            best = Some((
                len,
                RouteMatch {
                    table,
                    route,
                    endpoint: Some(endpoint),
                },
            ));
        }
        best.map(|(_, m)| m)
    }

    /// The route table of an ENI's subnet, resolved when the inventory was loaded.
    #[inline]
    pub fn route_table_of(&self, eni: &Eni) -> Option<&RouteTable> {
        eni.route_table.map(|i| &self.tables[i])
    }
}

/// Sorted, disjoint, non-adjacent ranges covering the same addresses as `ranges`
/// (inclusive bounds).
fn merge_ranges<T: Ord + Copy + num_like::Successor>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if last.1.successor().is_none_or(|next| start <= next) => {
                last.1 = last.1.max(end);
            }
            _ => out.push((start, end)),
        }
    }
    out
}

mod num_like {
    /// The next integer, if any.
    pub(super) trait Successor: Sized {
        fn successor(self) -> Option<Self>;
    }
    impl Successor for u32 {
        fn successor(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
    impl Successor for u128 {
        fn successor(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
}

/// Inserts or replaces by id.
fn upsert<T>(items: &mut Vec<T>, index: &mut FxHashMap<String, usize>, id: String, item: T) {
    match index.get(&id) {
        Some(&i) => items[i] = item,
        None => {
            index.insert(id, items.len());
            items.push(item);
        }
    }
}

/// `com.amazonaws.eu-west-1.ecr.dkr` → (`eu-west-1`, `ECR.DKR`). Other names
/// (PrivateLink services of other accounts, `com.amazonaws.vpce.…`) keep their whole
/// name as the service and have no region.
fn split_service_name(name: &str) -> (&str, String) {
    if let Some(rest) = name.strip_prefix("com.amazonaws.")
        && let Some((region, service)) = rest.split_once('.')
        && region != "vpce"
        && region.contains('-')
    {
        return (region, service.to_ascii_uppercase());
    }
    ("", name.to_owned())
}

/// The JSON the AWS CLI prints (PascalCase keys), only the fields used.
mod aws {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Document {
        pub(super) network_interfaces: Option<Vec<NetworkInterface>>,
        pub(super) vpc_endpoints: Option<Vec<VpcEndpoint>>,
        pub(super) nat_gateways: Option<Vec<NatGateway>>,
        pub(super) route_tables: Option<Vec<RouteTable>>,
        pub(super) subnets: Option<Vec<Subnet>>,
        pub(super) vpcs: Option<Vec<Vpc>>,
    }

    impl Document {
        pub(super) fn is_empty(&self) -> bool {
            self.network_interfaces.is_none()
                && self.vpc_endpoints.is_none()
                && self.nat_gateways.is_none()
                && self.route_tables.is_none()
                && self.subnets.is_none()
                && self.vpcs.is_none()
        }
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct NetworkInterface {
        pub(super) network_interface_id: String,
        pub(super) interface_type: Option<String>,
        pub(super) vpc_id: Option<String>,
        pub(super) subnet_id: Option<String>,
        pub(super) owner_id: Option<String>,
        pub(super) description: Option<String>,
        pub(super) private_ip_address: Option<String>,
        #[serde(default)]
        pub(super) private_ip_addresses: Vec<PrivateIp>,
        pub(super) association: Option<Association>,
        #[serde(default)]
        pub(super) ipv6_addresses: Vec<Ipv6>,
        pub(super) attachment: Option<Attachment>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct PrivateIp {
        pub(super) private_ip_address: Option<String>,
        pub(super) association: Option<Association>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Association {
        pub(super) public_ip: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Ipv6 {
        pub(super) ipv6_address: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Attachment {
        pub(super) instance_id: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct VpcEndpoint {
        pub(super) vpc_endpoint_id: String,
        pub(super) vpc_endpoint_type: Option<String>,
        pub(super) vpc_id: Option<String>,
        pub(super) service_name: String,
        #[serde(default)]
        pub(super) route_table_ids: Vec<String>,
        #[serde(default)]
        pub(super) network_interface_ids: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct NatGateway {
        pub(super) nat_gateway_id: String,
        pub(super) vpc_id: Option<String>,
        pub(super) subnet_id: Option<String>,
        #[serde(default)]
        pub(super) nat_gateway_addresses: Vec<NatAddress>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct NatAddress {
        pub(super) network_interface_id: Option<String>,
        pub(super) private_ip: Option<String>,
        pub(super) public_ip: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct RouteTable {
        pub(super) route_table_id: String,
        pub(super) vpc_id: Option<String>,
        #[serde(default)]
        pub(super) associations: Vec<RouteTableAssociation>,
        #[serde(default)]
        pub(super) routes: Vec<Route>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct RouteTableAssociation {
        #[serde(default)]
        pub(super) main: bool,
        pub(super) subnet_id: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Route {
        pub(super) destination_cidr_block: Option<String>,
        pub(super) destination_ipv6_cidr_block: Option<String>,
        pub(super) destination_prefix_list_id: Option<String>,
        pub(super) gateway_id: Option<String>,
        pub(super) nat_gateway_id: Option<String>,
        pub(super) transit_gateway_id: Option<String>,
        pub(super) vpc_peering_connection_id: Option<String>,
        pub(super) egress_only_internet_gateway_id: Option<String>,
        pub(super) network_interface_id: Option<String>,
        pub(super) instance_id: Option<String>,
        pub(super) local_gateway_id: Option<String>,
        pub(super) carrier_gateway_id: Option<String>,
        pub(super) core_network_arn: Option<String>,
        pub(super) state: Option<String>,
    }

    impl Route {
        pub(super) fn target(&self) -> super::Target {
            use super::Target;
            if let Some(id) = &self.nat_gateway_id {
                return Target::NatGateway(id.clone());
            }
            if let Some(id) = &self.transit_gateway_id {
                return Target::TransitGateway(id.clone());
            }
            if let Some(id) = &self.vpc_peering_connection_id {
                return Target::VpcPeering(id.clone());
            }
            if let Some(id) = &self.egress_only_internet_gateway_id {
                return Target::EgressOnlyInternetGateway(id.clone());
            }
            if let Some(id) = &self.gateway_id {
                return match id.split_once('-').map_or(id.as_str(), |(p, _)| p) {
                    "local" => Target::Local,
                    "igw" => Target::InternetGateway(id.clone()),
                    "vpce" => Target::VpcEndpoint(id.clone()),
                    "vgw" => Target::VirtualPrivateGateway(id.clone()),
                    _ => Target::Other(id.clone()),
                };
            }
            let other = [
                &self.network_interface_id,
                &self.instance_id,
                &self.local_gateway_id,
                &self.carrier_gateway_id,
                &self.core_network_arn,
            ];
            Target::Other(
                other
                    .into_iter()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or_default(),
            )
        }
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Subnet {
        pub(super) subnet_id: String,
        pub(super) vpc_id: Option<String>,
        pub(super) cidr_block: Option<String>,
        #[serde(default)]
        pub(super) ipv6_cidr_block_association_set: Vec<Ipv6CidrAssociation>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Vpc {
        pub(super) vpc_id: String,
        pub(super) cidr_block: Option<String>,
        #[serde(default)]
        pub(super) cidr_block_association_set: Vec<CidrAssociation>,
        #[serde(default)]
        pub(super) ipv6_cidr_block_association_set: Vec<Ipv6CidrAssociation>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct CidrAssociation {
        pub(super) cidr_block: Option<String>,
        pub(super) cidr_block_state: Option<CidrState>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct Ipv6CidrAssociation {
        pub(super) ipv6_cidr_block: Option<String>,
        pub(super) ipv6_cidr_block_state: Option<CidrState>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(super) struct CidrState {
        pub(super) state: Option<String>,
    }

    fn associated(state: Option<&CidrState>) -> bool {
        state
            .and_then(|s| s.state.as_deref())
            .is_none_or(|s| s == "associated")
    }

    impl CidrAssociation {
        pub(super) fn is_associated(&self) -> bool {
            associated(self.cidr_block_state.as_ref())
        }
    }

    impl Ipv6CidrAssociation {
        pub(super) fn is_associated(&self) -> bool {
            associated(self.ipv6_cidr_block_state.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLES: &str = r#"{"RouteTables": [
      {"RouteTableId": "rtb-main", "VpcId": "vpc-1",
       "Associations": [{"Main": true, "RouteTableId": "rtb-main"}],
       "Routes": [
         {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
         {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]},
      {"RouteTableId": "rtb-private", "VpcId": "vpc-1",
       "Associations": [{"Main": false, "SubnetId": "subnet-private"}],
       "Routes": [
         {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
         {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"},
         {"DestinationCidrBlock": "3.5.0.0/16", "TransitGatewayId": "tgw-1", "State": "blackhole"},
         {"DestinationCidrBlock": "3.5.98.0/24", "VpcPeeringConnectionId": "pcx-1", "State": "active"},
         {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3", "State": "active"},
         {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"}]}]}"#;
    const ENDPOINTS: &str = r#"{"VpcEndpoints": [
      {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
       "ServiceName": "com.amazonaws.eu-west-1.s3", "RouteTableIds": ["rtb-private"]}]}"#;

    fn inventory() -> Inventory {
        let mut inv = Inventory::new();
        inv.load("tables.json", TABLES.as_bytes()).unwrap();
        inv.load("endpoints.json", ENDPOINTS.as_bytes()).unwrap();
        inv
    }

    fn target(
        inv: &Inventory,
        subnet: &str,
        addr: &str,
        hint: Option<(RangesHint<'_>, u8)>,
    ) -> Target {
        let (hint, len) = (hint.map(|(h, _)| h), hint.map(|(_, l)| l));
        inv.route(subnet, Some("vpc-1"), addr.parse().unwrap(), hint, || len)
            .unwrap()
            .route
            .target
            .clone()
    }

    #[test]
    fn the_most_specific_active_route_wins() {
        let inv = inventory();
        let t = |addr| target(&inv, "subnet-private", addr, None);
        assert_eq!(t("10.0.9.9"), Target::Local);
        assert_eq!(t("8.8.8.8"), Target::NatGateway("nat-1".into()));
        // The blackhole /16 is skipped; the /24 peering route is more specific.
        assert_eq!(t("3.5.99.1"), Target::NatGateway("nat-1".into()));
        assert_eq!(t("3.5.98.1"), Target::VpcPeering("pcx-1".into()));
        assert_eq!(
            t("2001:db8::1"),
            Target::EgressOnlyInternetGateway("eigw-1".into())
        );
        // A subnet without an association uses the VPC's main table.
        assert_eq!(
            target(&inv, "subnet-other", "8.8.8.8", None),
            Target::InternetGateway("igw-1".into())
        );
        assert!(
            inv.route(
                "subnet-x",
                Some("vpc-2"),
                "8.8.8.8".parse().unwrap(),
                None,
                || None
            )
            .is_none()
        );
    }

    #[test]
    fn a_prefix_list_route_matches_its_service_and_region() {
        let inv = inventory();
        let s3 = |region, prefix_len| {
            Some((
                RangesHint {
                    service: "S3",
                    region,
                },
                prefix_len,
            ))
        };
        let m = inv
            .route(
                "subnet-private",
                None,
                "52.218.1.1".parse().unwrap(),
                s3("eu-west-1", 17).map(|(h, _)| h),
                || Some(17),
            )
            .unwrap();
        assert_eq!(m.route.target, Target::VpcEndpoint("vpce-s3".into()));
        assert_eq!(m.endpoint.map(|e| e.id.as_str()), Some("vpce-s3"));
        // Another region's S3, or another service: the default route.
        assert_eq!(
            target(&inv, "subnet-private", "52.218.1.1", s3("us-east-1", 17)),
            Target::NatGateway("nat-1".into())
        );
        // The prefix length is only asked for when a prefix-list route could match.
        let asked = std::cell::Cell::new(0);
        let hint = s3("eu-west-1", 17).map(|(h, _)| h);
        let ask = || {
            asked.set(asked.get() + 1);
            Some(17)
        };
        let addr = "52.218.1.1".parse().unwrap();
        inv.route("subnet-other", Some("vpc-1"), addr, hint, ask);
        assert_eq!(asked.get(), 0, "the main table has no prefix-list route");
        inv.route("subnet-private", None, addr, hint, ask);
        assert_eq!(asked.get(), 1);
        // A more specific CIDR route beats the prefix list.
        assert_eq!(
            target(&inv, "subnet-private", "3.5.98.1", s3("eu-west-1", 23)),
            Target::VpcPeering("pcx-1".into())
        );
    }

    #[test]
    fn nat_gateway_enis_without_describe_network_interfaces() {
        let mut inv = Inventory::new();
        inv.load(
            "nat.json",
            br#"{"NatGateways": [{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-1",
                "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-nat", "PrivateIp": "10.0.0.5", "PublicIp": "34.1.2.3"}]}]}"#,
        )
        .unwrap();
        let eni = inv.eni("eni-nat").unwrap();
        assert_eq!(eni.kind, "nat_gateway");
        assert_eq!(
            eni.addresses,
            [
                "10.0.0.5".parse::<IpAddr>().unwrap(),
                "34.1.2.3".parse().unwrap()
            ]
        );
        assert_eq!(inv.nat_of(eni).unwrap().id, "nat-1");
        assert_eq!(
            inv.eni_at("34.1.2.3".parse().unwrap()).unwrap().id,
            "eni-nat"
        );
    }

    #[test]
    fn later_documents_replace_earlier_ones() {
        let mut inv = Inventory::new();
        let eni = |kind: &str| {
            format!(
                r#"{{"NetworkInterfaces": [{{"NetworkInterfaceId": "eni-1", "InterfaceType": "{kind}", "PrivateIpAddress": "10.0.0.1"}}]}}"#
            )
        };
        inv.load("a.json", eni("lambda").as_bytes()).unwrap();
        inv.load("b.json", eni("interface").as_bytes()).unwrap();
        assert_eq!(inv.enis().len(), 1);
        assert_eq!(inv.eni("eni-1").unwrap().kind, "interface");
        assert_eq!(inv.documents(), ["a.json", "b.json"]);
    }

    #[test]
    fn vpc_space_is_merged_and_searched() {
        assert_eq!(
            merge_ranges(vec![(10u32, 20), (0, 4), (5, 9), (15, 30), (40, 50)]),
            [(0, 30), (40, 50)]
        );
        assert_eq!(
            merge_ranges(vec![(0u32, u32::MAX), (7, 9)]),
            [(0, u32::MAX)]
        );
        let mut inv = Inventory::new();
        inv.load(
            "vpcs.json",
            br#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"},
                          {"VpcId": "vpc-2", "CidrBlock": "52.10.0.0/24",
                           "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18::/56"}]}]}"#,
        )
        .unwrap();
        inv.load(
            "subnets.json",
            br#"{"Subnets": [{"SubnetId": "subnet-9", "VpcId": "vpc-9", "CidrBlock": "172.16.4.0/24"}]}"#,
        )
        .unwrap();
        let any = |a: &str| inv.in_any_vpc(a.parse().unwrap());
        for inside in [
            "10.0.0.0",
            "10.0.255.255",
            "52.10.0.77",
            "172.16.4.9",
            "2600:1f18::1",
        ] {
            assert!(any(inside), "{inside}");
        }
        for outside in [
            "9.255.255.255",
            "10.1.0.0",
            "52.10.1.0",
            "172.16.5.0",
            "2600:1f18:0:100::",
        ] {
            assert!(!any(outside), "{outside}");
        }
    }

    #[test]
    fn service_names() {
        assert_eq!(
            split_service_name("com.amazonaws.eu-west-1.ecr.dkr"),
            ("eu-west-1", "ECR.DKR".to_owned())
        );
        assert_eq!(
            split_service_name("com.amazonaws.us-east-1.s3"),
            ("us-east-1", "S3".to_owned())
        );
        assert_eq!(
            split_service_name("com.amazonaws.vpce.eu-west-1.vpce-svc-0123"),
            ("", "com.amazonaws.vpce.eu-west-1.vpce-svc-0123".to_owned())
        );
    }
}
