//! Attribution of one record: direction, the remote address, its AWS service and
//! region (through [`Ranges`]), and the network path.
//!
//! Rules (each is tested below):
//! - **Direction and remote.** `flow-direction` when present: egress → the remote is
//!   `dstaddr`, ingress → `srcaddr`. Otherwise, when exactly one side is private
//!   (private or special space, [`ranges::PRIVATE`]) that side is local and the
//!   direction follows; when both or neither are private the direction is unknown and
//!   the remote is `dstaddr`.
//! - **Service and region** of the remote: the label [`Ranges::lookup`] gives. Only
//!   the remote is looked up: which side is private is [`Ranges::is_private`].
//! - **Path.** `traffic-path` when present (1–8, AWS's codes); otherwise a private
//!   remote is `intra_vpc` and any other is `public`: the record alone cannot tell an
//!   internet gateway, a NAT gateway and a gateway endpoint apart.
//!
//! Pure: no state, no allocation.

use std::net::IpAddr;

use crate::inventory::{Endpoint, Inventory, RangesHint, Target};
use crate::ranges::{self, LabelId, Ranges};
use crate::record::{FlowDirection, Record};

/// Direction of a record relative to the interface it was logged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Traffic into the interface.
    Ingress,
    /// Traffic out of the interface.
    Egress,
    /// Neither `flow-direction` nor the addresses tell.
    Unknown,
}

impl Direction {
    /// The value written to the summary.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
            Direction::Unknown => "unknown",
        }
    }
}

/// The network path of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Path {
    /// `traffic-path` 1, or a private remote: through another resource in the VPC.
    IntraVpc,
    /// `traffic-path` 2.
    InternetGatewayOrGatewayEndpoint,
    /// `traffic-path` 3.
    VirtualPrivateGateway,
    /// `traffic-path` 4.
    IntraRegionPeering,
    /// `traffic-path` 5.
    InterRegionPeering,
    /// `traffic-path` 6.
    LocalGateway,
    /// `traffic-path` 7.
    GatewayEndpoint,
    /// `traffic-path` 8, or (inventory) the subnet routes the remote to an internet
    /// gateway or an egress-only internet gateway.
    InternetGateway,
    /// Inventory: the remote is an interface endpoint's address, or the record is on
    /// an interface endpoint's ENI.
    InterfaceEndpoint,
    /// Inventory: logged on a NAT gateway's ENI, the leg between the NAT gateway and
    /// the remote. These records carry the bytes the NAT gateway processes.
    NatGateway,
    /// Inventory: the subnet routes the remote to a NAT gateway. The same bytes are
    /// logged again on the NAT gateway's ENI as [`Path::NatGateway`] when that ENI
    /// has flow logs; this path says who sends them.
    ViaNatGateway,
    /// Inventory: the subnet routes the remote to a transit gateway.
    TransitGateway,
    /// Inventory: the subnet routes the remote to a VPC peering connection.
    VpcPeering,
    /// No `traffic-path`, remote in public space.
    Public,
    /// No remote address on the record.
    Unknown,
    /// A `traffic-path` code AWS had not documented when this was written.
    Other(u8),
}

impl Path {
    /// Maps AWS's `traffic-path` code.
    pub const fn from_code(code: u8) -> Path {
        match code {
            1 => Path::IntraVpc,
            2 => Path::InternetGatewayOrGatewayEndpoint,
            3 => Path::VirtualPrivateGateway,
            4 => Path::IntraRegionPeering,
            5 => Path::InterRegionPeering,
            6 => Path::LocalGateway,
            7 => Path::GatewayEndpoint,
            8 => Path::InternetGateway,
            other => Path::Other(other),
        }
    }

    /// A number for each path, distinct between paths (for hashing group keys): AWS's
    /// code for the paths that have one, else above 255.
    pub(crate) const fn key_bits(self) -> u16 {
        match self {
            Path::IntraVpc => 1,
            Path::InternetGatewayOrGatewayEndpoint => 2,
            Path::VirtualPrivateGateway => 3,
            Path::IntraRegionPeering => 4,
            Path::InterRegionPeering => 5,
            Path::LocalGateway => 6,
            Path::GatewayEndpoint => 7,
            Path::InternetGateway => 8,
            Path::Other(code) => code as u16,
            Path::InterfaceEndpoint => 0x101,
            Path::NatGateway => 0x102,
            Path::ViaNatGateway => 0x103,
            Path::TransitGateway => 0x104,
            Path::VpcPeering => 0x105,
            Path::Public => 0x106,
            Path::Unknown => 0x107,
        }
    }

    /// The value written to the summary.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Path::IntraVpc => "intra_vpc",
            Path::InternetGatewayOrGatewayEndpoint => "internet_gateway_or_gateway_endpoint",
            Path::VirtualPrivateGateway => "virtual_private_gateway",
            Path::IntraRegionPeering => "intra_region_peering",
            Path::InterRegionPeering => "inter_region_peering",
            Path::LocalGateway => "local_gateway",
            Path::GatewayEndpoint => "gateway_endpoint",
            Path::InternetGateway => "internet_gateway",
            Path::InterfaceEndpoint => "interface_endpoint",
            Path::NatGateway => "nat_gateway",
            Path::ViaNatGateway => "via_nat_gateway",
            Path::TransitGateway => "transit_gateway",
            Path::VpcPeering => "vpc_peering",
            Path::Public => "public",
            Path::Unknown => "unknown",
            Path::Other(code) => return std::borrow::Cow::Owned(format!("traffic_path_{code}")),
        })
    }
}

/// How the path of a record was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// From the record's own `traffic-path` field.
    TrafficPathField,
    /// From the VPC inventory (ENIs, endpoints, NAT gateways, route tables).
    Inventory,
    /// From the addresses alone: private remote → `intra_vpc`, else `public`.
    AddressOnly,
}

impl Method {
    /// The value written to the summary's `attribution` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::TrafficPathField => "traffic_path_field",
            Method::Inventory => "inventory",
            Method::AddressOnly => "address_only",
        }
    }
}

/// The remote's service and region when the inventory names them instead of the
/// ranges (an interface endpoint's service, e.g. `SQS` in `eu-west-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedRemote<'i> {
    /// Service code, upper case like ip-ranges.json's (`S3`, `SQS`, `ECR.API`).
    pub service: &'i str,
    /// Region, when the service name has one.
    pub region: Option<&'i str>,
}

/// What a record is attributed to. `'i` borrows from the inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribution<'i> {
    /// Ingress, egress or unknown.
    pub direction: Direction,
    /// The remote address, when the record has one.
    pub remote: Option<IpAddr>,
    /// The remote's label (service and region), when the record has a remote.
    pub remote_label: Option<LabelId>,
    /// The inventory's name for the remote, which wins over `remote_label`.
    pub remote_named: Option<NamedRemote<'i>>,
    /// The network path.
    pub path: Path,
    /// How `path` was decided.
    pub method: Method,
    /// The type of the ENI the record was logged on (inventory only).
    pub interface_kind: Option<&'i str>,
    /// The NAT gateway, endpoint, gateway or peering connection the path goes
    /// through (inventory only).
    pub gateway_id: Option<&'i str>,
    /// The logging ENI's VPC and subnet from the inventory, for records whose format
    /// lacks `vpc-id` / `subnet-id` (the default format).
    pub eni_vpc_id: Option<&'i str>,
    /// See `eni_vpc_id`.
    pub eni_subnet_id: Option<&'i str>,
    /// The logging ENI's region from the inventory (its Availability Zone's), for
    /// records that do not carry `region` and whose key does not say it.
    pub eni_region: Option<&'i str>,
    /// The VPC (and its account) whose CIDR holds a private remote (inventory): on a
    /// NAT gateway's ENI, the VPC of the instance that sent through it, a spoke's
    /// when the NAT is a central egress one.
    pub remote_vpc: Option<(&'i str, Option<&'i str>)>,
}

/// Attributes one record.
pub fn attribute(rec: &Record<'_>, ranges: &Ranges) -> Attribution<'static> {
    Sides::of(rec, ranges).attribute(rec, ranges)
}

/// A record's direction and remote address: the first step of [`attribute`], which
/// takes no table lookup (which side is private is [`Ranges::is_private`]). The engine
/// takes it apart from the second (the remote's lookup) so that the remote's table
/// entry can be fetched into cache in between.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sides {
    pub(crate) direction: Direction,
    pub(crate) remote: Option<IpAddr>,
}

impl Sides {
    /// The sides of `rec`.
    #[inline(always)]
    pub(crate) fn of(rec: &Record<'_>, ranges: &Ranges) -> Sides {
        let (src, dst) = (rec.srcaddr, rec.dstaddr);
        let private = |side: Option<IpAddr>| side.is_some_and(|a| ranges.is_private(a));
        let (direction, remote) = match rec.flow_direction {
            Some(FlowDirection::Egress) => (Direction::Egress, dst),
            Some(FlowDirection::Ingress) => (Direction::Ingress, src),
            None => match (private(src), private(dst)) {
                (true, false) if dst.is_some() => (Direction::Egress, dst),
                (false, true) if src.is_some() => (Direction::Ingress, src),
                _ => (Direction::Unknown, dst),
            },
        };
        Sides { direction, remote }
    }

    /// The rest of [`attribute`]: the remote's lookup, and the path it implies.
    #[inline]
    pub(crate) fn attribute(self, rec: &Record<'_>, ranges: &Ranges) -> Attribution<'static> {
        let Sides { direction, remote } = self;
        let remote = remote.map(|a| (a, ranges.lookup(a)));
        let (path, method) = match (rec.traffic_path, remote) {
            (Some(code), _) => (Path::from_code(code), Method::TrafficPathField),
            (None, None) => (Path::Unknown, Method::AddressOnly),
            (None, Some((_, label))) if label == ranges::PRIVATE => {
                (Path::IntraVpc, Method::AddressOnly)
            }
            (None, Some(_)) => (Path::Public, Method::AddressOnly),
        };
        Attribution {
            direction,
            remote: remote.map(|(a, _)| a),
            remote_label: remote.map(|(_, l)| l),
            remote_named: None,
            path,
            method,
            interface_kind: None,
            gateway_id: None,
            eni_vpc_id: None,
            eni_subnet_id: None,
            eni_region: None,
            remote_vpc: None,
        }
    }
}

/// Attributes one record with the VPC inventory's help. The rules, in order (each
/// with an example record in `docs/attribution.md`):
///
/// 1. **Direction.** `flow-direction` when present; else the logging ENI's own
///    addresses (`srcaddr` is the ENI's → egress, `dstaddr` → ingress); else the
///    address rule of [`attribute`], with "local" meaning inside the ENI's VPC CIDRs
///    (any inventory VPC, or private space, when the VPC is unknown).
/// 2. **Remote service.** An address inside a known VPC is `PRIVATE`; others come
///    from the ranges.
/// 3. **The logging ENI and the remote's ENI** (these win over `traffic-path`):
///    on an interface endpoint's ENI, or with the remote an endpoint ENI's address →
///    `interface_endpoint`, the service named by the endpoint; on a NAT gateway's
///    ENI, a remote outside the VPCs → `nat_gateway` (the leg whose bytes the NAT
///    processes), a remote inside → `intra_vpc` (the instance ↔ NAT leg).
/// 4. **Routes.** The subnet's route table (explicit association, else the VPC's
///    main table), most specific route for the remote; a gateway endpoint's
///    prefix-list route matches an IPv4 remote whose ranges service and region are the
///    endpoint's (as specific as the published prefix). Target `local` → `intra_vpc`, `igw-`/`eigw-` → `internet_gateway`,
///    `nat-` → `via_nat_gateway`, a gateway endpoint → `gateway_endpoint`, `tgw-` →
///    `transit_gateway`, `pcx-` → `vpc_peering`, `vgw-` → `virtual_private_gateway`.
///    With `traffic-path` on the record, the field wins, except that code 2
///    (internet gateway *or* gateway endpoint) takes the route's answer when it is
///    one of the two.
/// 5. Otherwise the rules of [`attribute`].
///
/// The ENI's VPC and subnet are returned too, for records that do not carry them.
pub fn attribute_with<'i>(
    rec: &Record<'_>,
    ranges: &Ranges,
    inv: &'i Inventory,
) -> Attribution<'i> {
    let eni = rec.interface_id.and_then(|id| inv.eni(id));
    let vpc = eni.and_then(|e| e.vpc_id.as_deref()).or(rec.vpc_id);
    let subnet = eni.and_then(|e| e.subnet_id.as_deref()).or(rec.subnet_id);
    // An address inside a known VPC is PRIVATE whatever its range.
    let label_of = |a: IpAddr| {
        if inv.in_any_vpc(a) {
            ranges::PRIVATE
        } else {
            ranges.lookup(a)
        }
    };
    let owns = |a: Option<IpAddr>| a.is_some_and(|a| eni.is_some_and(|e| e.addresses.contains(&a)));
    let (src, dst) = (rec.srcaddr, rec.dstaddr);
    // Local: inside the ENI's VPC when the inventory knows its CIDRs, else private.
    let local = |a: IpAddr| match vpc.and_then(|v| inv.in_vpc(v, a)) {
        Some(inside) => inside,
        // `label_of(a) == PRIVATE`, without a table lookup.
        None => inv.in_any_vpc(a) || ranges.is_private(a),
    };
    let (direction, remote) = match rec.flow_direction {
        Some(FlowDirection::Egress) => (Direction::Egress, dst),
        Some(FlowDirection::Ingress) => (Direction::Ingress, src),
        None if owns(src) => (Direction::Egress, dst),
        None if owns(dst) => (Direction::Ingress, src),
        None => {
            let is_local = |a: Option<IpAddr>| a.is_some_and(local);
            match (is_local(src), is_local(dst)) {
                (true, false) if dst.is_some() => (Direction::Egress, dst),
                (false, true) if src.is_some() => (Direction::Ingress, src),
                _ => (Direction::Unknown, dst),
            }
        }
    };
    let remote_label = remote.map(label_of);
    let outside = remote_label.is_some_and(|l| l != ranges::PRIVATE);
    let named = |ep: &'i Endpoint| NamedRemote {
        service: &ep.service,
        region: (!ep.region.is_empty()).then_some(ep.region.as_str()),
    };

    // 3. The logging ENI and the remote's ENI.
    let endpoint = eni.and_then(|e| inv.endpoint_of(e)).or_else(|| {
        remote
            .and_then(|a| inv.eni_at(a))
            .and_then(|e| inv.endpoint_of(e))
    });
    let by_eni = if let Some(ep) = endpoint {
        Some((
            Path::InterfaceEndpoint,
            Some(ep.id.as_str()),
            Some(named(ep)),
        ))
    } else if let Some(nat) = eni.and_then(|e| inv.nat_of(e))
        && remote.is_some()
    {
        Some(if outside {
            (Path::NatGateway, Some(nat.id.as_str()), None)
        } else {
            (Path::IntraVpc, None, None)
        })
    } else {
        None
    };

    // 4. Routes.
    let routed = || -> Option<(Path, Option<&'i str>)> {
        let (remote, label) = (remote?, remote_label?);
        let table = match eni.and_then(|e| inv.route_table_of(e)) {
            Some(t) => t,
            None => inv.route_table(subnet?, vpc)?,
        };
        let label = ranges.label(label);
        // Gateway endpoints' managed prefix lists (`pl-…`) are IPv4.
        let hint = match (label.is_aws() && remote.is_ipv4(), label.region.as_deref()) {
            (true, Some(region)) => Some(RangesHint {
                service: &label.service,
                region,
            }),
            _ => None,
        };
        let prefix_len = || ranges.matched_prefix(remote).map(|p| p.prefix_len());
        let m = inv.route_in(table, remote, hint, prefix_len)?;
        Some(match &m.route.target {
            Target::Local => (Path::IntraVpc, None),
            Target::InternetGateway(id) | Target::EgressOnlyInternetGateway(id) => {
                (Path::InternetGateway, Some(id.as_str()))
            }
            Target::NatGateway(id) => (Path::ViaNatGateway, Some(id.as_str())),
            Target::VpcEndpoint(id) if m.endpoint.is_some() => {
                (Path::GatewayEndpoint, Some(id.as_str()))
            }
            Target::TransitGateway(id) => (Path::TransitGateway, Some(id.as_str())),
            Target::VpcPeering(id) => (Path::VpcPeering, Some(id.as_str())),
            Target::VirtualPrivateGateway(id) => (Path::VirtualPrivateGateway, Some(id.as_str())),
            Target::VpcEndpoint(_) | Target::Other(_) => return None,
        })
    };

    let field = rec.traffic_path.map(Path::from_code);
    let (path, method, gateway_id, remote_named) = match by_eni {
        Some((path, gateway, named)) => (path, Method::Inventory, gateway, named),
        None => match (field, routed()) {
            (
                Some(Path::InternetGatewayOrGatewayEndpoint),
                Some((path @ (Path::GatewayEndpoint | Path::InternetGateway), gateway)),
            ) => (path, Method::Inventory, gateway, None),
            (Some(f), Some((path, gateway))) if f == path => {
                (f, Method::TrafficPathField, gateway, None)
            }
            (Some(f), _) => (f, Method::TrafficPathField, None, None),
            (None, Some((path, gateway))) => (path, Method::Inventory, gateway, None),
            (None, None) => {
                let path = match remote_label {
                    None => Path::Unknown,
                    Some(l) if l == ranges::PRIVATE => Path::IntraVpc,
                    Some(_) => Path::Public,
                };
                (path, Method::AddressOnly, None, None)
            }
        },
    };
    Attribution {
        direction,
        remote,
        remote_label,
        remote_named,
        path,
        method,
        interface_kind: eni.map(|e| e.kind.as_str()),
        gateway_id,
        eni_vpc_id: eni.and_then(|e| e.vpc_id.as_deref()),
        eni_subnet_id: eni.and_then(|e| e.subnet_id.as_deref()),
        eni_region: eni.and_then(|e| e.region.as_deref()),
        remote_vpc: match (remote, remote_label) {
            (Some(a), Some(l)) if l == ranges::PRIVATE => inv.vpc_at(a),
            _ => None,
        },
    }
}

/// AWS's own label for the remote side (`pkt-src-aws-service` for ingress,
/// `pkt-dst-aws-service` otherwise), with `None` for `-`.
pub fn aws_label<'a>(rec: &Record<'a>, attribution: &Attribution<'_>) -> Option<&'a str> {
    match attribution.direction {
        Direction::Ingress => rec.pkt_src_aws_service,
        Direction::Egress | Direction::Unknown => rec.pkt_dst_aws_service,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::parse::parse_line;

    fn ranges() -> Ranges {
        Ranges::from_json(
            br#"{"syncToken":"1","createDate":"2026-01-01-00-00-00","prefixes":[
              {"ip_prefix":"52.95.128.0/21","region":"ap-southeast-2","service":"AMAZON","network_border_group":"ap-southeast-2"},
              {"ip_prefix":"52.95.128.0/21","region":"ap-southeast-2","service":"S3","network_border_group":"ap-southeast-2"}],
              "ipv6_prefixes":[]}"#,
        )
        .unwrap()
    }

    fn attr(format: &str, line: &str) -> (Attribution<'static>, String) {
        let r = ranges();
        let f = Format::parse(format).unwrap();
        let rec = parse_line(&f, line.as_bytes()).unwrap();
        let a = attribute(&rec, &r);
        let service = a
            .remote_label
            .map_or("-".to_owned(), |l| r.label(l).service.clone());
        (a, service)
    }

    const V5: &str = "srcaddr dstaddr flow-direction traffic-path";

    #[test]
    fn flow_direction_decides_remote() {
        let (a, s) = attr(V5, "10.0.0.71 52.95.128.179 egress 8");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Egress, Path::InternetGateway, "S3")
        );
        assert_eq!(a.remote, Some("52.95.128.179".parse().unwrap()));
        let (a, s) = attr(V5, "52.95.128.179 10.0.0.71 ingress -");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Ingress, Path::Public, "S3")
        );
        // flow-direction wins even against the addresses.
        let (a, s) = attr(V5, "52.95.128.179 10.0.0.71 egress 1");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Egress, Path::IntraVpc, "PRIVATE")
        );
    }

    #[test]
    fn addresses_decide_without_flow_direction() {
        let f = "srcaddr dstaddr";
        let (a, s) = attr(f, "10.0.0.71 52.95.128.179");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Egress, Path::Public, "S3")
        );
        let (a, s) = attr(f, "203.0.113.12 172.31.16.139");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Ingress, Path::Public, "INTERNET")
        );
        let (a, s) = attr(f, "172.31.9.69 172.31.9.12");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Unknown, Path::IntraVpc, "PRIVATE")
        );
        assert_eq!(a.remote, Some("172.31.9.12".parse().unwrap()));
        let (a, s) = attr(f, "52.95.128.179 203.0.113.12");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Unknown, Path::Public, "INTERNET")
        );
        let (a, s) = attr(f, "- -");
        assert_eq!(
            (a.direction, a.path, s.as_str()),
            (Direction::Unknown, Path::Unknown, "-")
        );
        let (a, _) = attr(f, "10.0.0.1 -");
        assert_eq!(
            (a.direction, a.path, a.remote),
            (Direction::Unknown, Path::Unknown, None)
        );
    }

    #[test]
    fn traffic_path_codes() {
        let names: Vec<String> = (1..=9)
            .map(|c| Path::from_code(c).name().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "intra_vpc",
                "internet_gateway_or_gateway_endpoint",
                "virtual_private_gateway",
                "intra_region_peering",
                "inter_region_peering",
                "local_gateway",
                "gateway_endpoint",
                "internet_gateway",
                "traffic_path_9"
            ]
        );
    }

    #[test]
    fn aws_label_is_the_remote_sides() {
        let f =
            Format::parse("srcaddr dstaddr pkt-src-aws-service pkt-dst-aws-service flow-direction")
                .unwrap();
        let r = ranges();
        let rec = parse_line(&f, b"52.95.128.179 10.0.0.71 S3 - ingress").unwrap();
        assert_eq!(aws_label(&rec, &attribute(&rec, &r)), Some("S3"));
        let rec = parse_line(&f, b"10.0.0.71 52.95.128.179 - S3 egress").unwrap();
        assert_eq!(aws_label(&rec, &attribute(&rec, &r)), Some("S3"));
    }
}
