//! Route tables and route resolution: where a subnet's traffic to an address goes.
//!
//! Invariants: a subnet uses its explicitly associated table, else its VPC's main
//! table; the most specific matching route wins; a gateway endpoint's prefix-list
//! route matches only addresses of its service and region, as specific as the
//! published prefix that contains the address; blackhole routes are never held.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{Endpoint, Eni, Inventory};

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

impl Inventory {
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
}
