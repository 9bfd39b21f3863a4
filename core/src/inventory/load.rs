//! Loading: one `describe-*` document merged into an [`Inventory`], in named steps
//! (parse, count, then each resource kind converted from the [`aws`] model and
//! upserted by id), then the cross-references rebuilt ([`Inventory::relink`]).
//!
//! Invariants: resources are merged in a fixed order (VPCs, subnets, endpoints, NAT
//! gateways, ENIs, route tables, flow logs, instances), each replacing an earlier one
//! of the same id (its tags too); a bad address or CIDR stops the load at that resource with [`InventoryError::BadValue`]
//! (the resources merged before it stay, the document is not recorded and nothing is
//! relinked); a document is recorded and the inventory relinked only when all of it
//! loaded.

use std::net::IpAddr;

use ipnet::IpNet;
use rustc_hash::FxHashMap;

use super::VpcByCidr;
use super::aws;
use super::{
    Destination, Endpoint, EndpointType, Eni, FlowLogDefinition, Inventory, InventoryError, Loaded,
    NatGateway, Route, RouteTable,
};
use crate::format::Format;

impl Inventory {
    /// Merges one `describe-*` JSON document, named `name` in errors.
    pub fn load(&mut self, name: &str, json: &[u8]) -> Result<Loaded, InventoryError> {
        let doc = parse_document(name, json)?;
        let loaded = Loaded::of(&doc);
        for v in doc.vpcs.unwrap_or_default() {
            let cidrs = vpc_cidrs(name, &v)?;
            self.set_tags(&v.vpc_id, v.tags);
            if let Some(owner) = &v.owner_id {
                self.vpc_owner.insert(v.vpc_id.clone(), owner.clone());
            }
            self.vpcs.insert(v.vpc_id, cidrs);
        }
        for mut s in doc.subnets.unwrap_or_default() {
            let cidrs = subnet_cidrs(name, &s)?;
            self.set_tags(&s.subnet_id, std::mem::take(&mut s.tags));
            if let (Some(vpc), Some(owner)) = (&s.vpc_id, &s.owner_id) {
                self.vpc_owner
                    .entry(vpc.clone())
                    .or_insert_with(|| owner.clone());
            }
            if let Some(region) = s.availability_zone.as_deref().and_then(region_of_zone) {
                self.subnet_region.insert(s.subnet_id.clone(), region);
            }
            self.subnets.insert(s.subnet_id, (s.vpc_id, cidrs));
        }
        for mut e in doc.vpc_endpoints.unwrap_or_default() {
            self.set_tags(&e.vpc_endpoint_id, std::mem::take(&mut e.tags));
            let endpoint = endpoint(e);
            upsert(
                &mut self.endpoints,
                &mut self.endpoint_by_id,
                endpoint.id.clone(),
                endpoint,
            );
        }
        for mut n in doc.nat_gateways.unwrap_or_default() {
            self.set_tags(&n.nat_gateway_id, std::mem::take(&mut n.tags));
            let nat = nat_gateway(name, n)?;
            upsert(&mut self.nats, &mut self.nat_by_id, nat.id.clone(), nat);
        }
        for mut i in doc.network_interfaces.unwrap_or_default() {
            self.set_tags(&i.network_interface_id, std::mem::take(&mut i.tag_set));
            let eni = eni(name, i)?;
            upsert(&mut self.enis, &mut self.eni_by_id, eni.id.clone(), eni);
        }
        for t in doc.route_tables.unwrap_or_default() {
            let table = route_table(name, t)?;
            upsert(
                &mut self.tables,
                &mut self.table_by_id,
                table.id.clone(),
                table,
            );
        }
        for f in doc.flow_logs.unwrap_or_default() {
            let definition = flow_log(name, f)?;
            match self.flow_logs.iter_mut().find(|d| d.id == definition.id) {
                Some(known) => *known = definition,
                None => self.flow_logs.push(definition),
            }
        }
        for instance in doc
            .reservations
            .unwrap_or_default()
            .into_iter()
            .flat_map(|r| r.instances)
        {
            for i in &instance.network_interfaces {
                self.instance_by_eni
                    .insert(i.network_interface_id.clone(), instance.instance_id.clone());
            }
            self.set_tags(&instance.instance_id, instance.tags);
        }
        self.documents.push(name.to_owned());
        self.relink();
        Ok(loaded)
    }

    /// Replaces a resource's tags with a document's.
    fn set_tags(&mut self, id: &str, tags: Vec<aws::Tag>) {
        if tags.is_empty() {
            self.tags.remove(id);
        } else {
            let tags = tags.into_iter().map(|t| (t.key, t.value)).collect();
            self.tags.insert(id.to_owned(), tags);
        }
    }

    /// Rebuilds the cross-references after a load.
    fn relink(&mut self) {
        // An ENI without its own zone takes its subnet's region.
        for eni in &mut self.enis {
            if eni.region.is_none() {
                eni.region = eni
                    .subnet_id
                    .as_ref()
                    .and_then(|s| self.subnet_region.get(s))
                    .cloned();
            }
        }
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
                        region: None,
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
        self.vpc_by_cidr = VpcByCidr::build(
            self.vpcs
                .iter()
                .map(|(vpc, cidrs)| (vpc.as_str(), cidrs))
                .chain(
                    self.subnets
                        .values()
                        .filter_map(|(vpc, cidrs)| Some((vpc.as_deref()?, cidrs))),
                ),
        );
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
}

/// The document as JSON of the `describe-*` shape, with at least one of the six keys.
fn parse_document(name: &str, json: &[u8]) -> Result<aws::Document, InventoryError> {
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
    Ok(doc)
}

impl Loaded {
    /// How many resources of each kind `doc` lists.
    fn of(doc: &aws::Document) -> Loaded {
        Loaded {
            network_interfaces: doc.network_interfaces.as_ref().map_or(0, Vec::len),
            vpc_endpoints: doc.vpc_endpoints.as_ref().map_or(0, Vec::len),
            nat_gateways: doc.nat_gateways.as_ref().map_or(0, Vec::len),
            route_tables: doc.route_tables.as_ref().map_or(0, Vec::len),
            subnets: doc.subnets.as_ref().map_or(0, Vec::len),
            vpcs: doc.vpcs.as_ref().map_or(0, Vec::len),
            flow_logs: doc.flow_logs.as_ref().map_or(0, Vec::len),
            instances: doc
                .reservations
                .as_ref()
                .map_or(0, |r| r.iter().map(|r| r.instances.len()).sum()),
        }
    }
}

/// A flow log's definition; a `LogFormat` that is not a flow-log format is a bad value.
fn flow_log(name: &str, f: aws::FlowLog) -> Result<FlowLogDefinition, InventoryError> {
    let format = match f.log_format.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(spec) => {
            Format::parse(spec).map_err(|_| bad(name, &f.flow_log_id, "LogFormat", spec))?
        }
        // A transit gateway's (or attachment's) flow log without a format logs every
        // field of its kind; a VPC's, subnet's or ENI's the default v2 fields.
        None if f
            .resource_id
            .as_deref()
            .is_some_and(|r| r.starts_with("tgw-")) =>
        {
            Format::parse(crate::transit::DEFAULT_FORMAT).map_err(|_| {
                bad(
                    name,
                    &f.flow_log_id,
                    "LogFormat",
                    "(transit gateway default)",
                )
            })?
        }
        None => Format::default(),
    };
    Ok(FlowLogDefinition {
        id: f.flow_log_id,
        resource_id: f.resource_id,
        destination_type: f.log_destination_type,
        destination: f.log_destination,
        log_group: f.log_group_name,
        format,
    })
}

/// The error for a `value` of `field` of `resource` in document `name` that does not
/// parse.
fn bad(name: &str, resource: &str, field: &'static str, value: &str) -> InventoryError {
    InventoryError::BadValue {
        name: name.to_owned(),
        resource: resource.to_owned(),
        field,
        value: value.to_owned(),
    }
}

/// A VPC's associated CIDRs (its primary block first), without repeats.
fn vpc_cidrs(name: &str, v: &aws::Vpc) -> Result<Vec<IpNet>, InventoryError> {
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
        let net: IpNet = c
            .parse()
            .map_err(|_| bad(name, &v.vpc_id, "CidrBlock", c))?;
        if !cidrs.contains(&net) {
            cidrs.push(net);
        }
    }
    Ok(cidrs)
}

/// A subnet's IPv4 CIDR and associated IPv6 CIDRs.
fn subnet_cidrs(name: &str, s: &aws::Subnet) -> Result<Vec<IpNet>, InventoryError> {
    let mut cidrs = Vec::new();
    let v6 = s
        .ipv6_cidr_block_association_set
        .iter()
        .filter(|a| a.is_associated())
        .filter_map(|a| a.ipv6_cidr_block.as_ref());
    for c in s.cidr_block.iter().chain(v6) {
        cidrs.push(
            c.parse()
                .map_err(|_| bad(name, &s.subnet_id, "CidrBlock", c))?,
        );
    }
    Ok(cidrs)
}

/// A VPC endpoint, its service and region split out of its service name.
fn endpoint(e: aws::VpcEndpoint) -> Endpoint {
    let (region, service) = split_service_name(&e.service_name);
    Endpoint {
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
    }
}

/// A NAT gateway with its ENIs (without repeats) and addresses.
fn nat_gateway(name: &str, n: aws::NatGateway) -> Result<NatGateway, InventoryError> {
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
            nat.private.push(
                ip.parse()
                    .map_err(|_| bad(name, &nat.id, "PrivateIp", ip))?,
            );
        }
        if let Some(ip) = &a.public_ip {
            nat.public
                .push(ip.parse().map_err(|_| bad(name, &nat.id, "PublicIp", ip))?);
        }
    }
    Ok(nat)
}

/// The region of an Availability Zone's name: its words up to the first that starts
/// with a digit, that word's digits included (`eu-west-1a` → `eu-west-1`,
/// `us-gov-west-1b` → `us-gov-west-1`, the Local Zone `us-west-2-lax-1a` →
/// `us-west-2`). `None` for a name of another shape.
pub(super) fn region_of_zone(zone: &str) -> Option<String> {
    let mut region = String::new();
    for word in zone.split('-') {
        if !region.is_empty() {
            region.push('-');
        }
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            region.push_str(&word[..digits]);
            return (region.split('-').count() >= 3).then_some(region);
        }
        if word.is_empty() || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        region.push_str(word);
    }
    None
}

/// A network interface with its kind and its own addresses (without repeats); not yet
/// linked to an endpoint, NAT gateway or route table.
fn eni(name: &str, i: aws::NetworkInterface) -> Result<Eni, InventoryError> {
    let mut addresses = Vec::new();
    let mut add = |field: &'static str, value: &str| -> Result<(), InventoryError> {
        let a: IpAddr = value
            .parse()
            .map_err(|_| bad(name, &i.network_interface_id, field, value))?;
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
    Ok(Eni {
        id: i.network_interface_id,
        kind,
        vpc_id: i.vpc_id,
        subnet_id: i.subnet_id,
        owner_id: i.owner_id,
        region: i.availability_zone.as_deref().and_then(region_of_zone),
        instance_id,
        description: i.description,
        addresses,
        endpoint: None,
        nat: None,
        route_table: None,
    })
}

/// A route table with its active routes (blackhole routes, and routes to neither a
/// CIDR nor a prefix list, left out).
fn route_table(name: &str, t: aws::RouteTable) -> Result<RouteTable, InventoryError> {
    let mut routes = Vec::new();
    for r in t.routes {
        if r.state.as_deref() == Some("blackhole") {
            continue;
        }
        let destination = if let Some(c) = r.destination_cidr_block.as_ref() {
            Destination::Cidr(
                c.parse()
                    .map_err(|_| bad(name, &t.route_table_id, "DestinationCidrBlock", c))?,
            )
        } else if let Some(c) = r.destination_ipv6_cidr_block.as_ref() {
            Destination::Cidr(
                c.parse()
                    .map_err(|_| bad(name, &t.route_table_id, "DestinationIpv6CidrBlock", c))?,
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
    Ok(RouteTable {
        id: t.route_table_id,
        vpc_id: t.vpc_id,
        main: t.associations.iter().any(|a| a.main),
        subnet_ids: t
            .associations
            .into_iter()
            .filter_map(|a| a.subnet_id)
            .collect(),
        routes,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `aws ec2 describe-flow-logs` as the CLI prints it (fields as in AWS's `FlowLog`).
    const FLOW_LOGS: &str = r#"{"FlowLogs": [
      {"FlowLogId": "fl-0123abcd", "FlowLogStatus": "ACTIVE", "CreationTime": "2026-08-01T09:00:00+00:00",
       "ResourceId": "vpc-01", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
       "LogDestination": "arn:aws:logs:eu-west-1:111122223333:log-group:vpc-flow", "LogGroupName": "vpc-flow",
       "DeliverLogsPermissionArn": "arn:aws:iam::111122223333:role/flow-logs", "DeliverLogsStatus": "SUCCESS",
       "LogFormat": "${version} ${interface-id} ${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end} ${log-status}",
       "MaxAggregationInterval": 60, "Tags": []},
      {"FlowLogId": "fl-4567ef01", "FlowLogStatus": "ACTIVE", "ResourceId": "vpc-02", "TrafficType": "ALL",
       "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::logs-bkt/flow", "DeliverLogsStatus": "SUCCESS",
       "MaxAggregationInterval": 600,
       "DestinationOptions": {"FileFormat": "plain-text", "HiveCompatiblePartitions": false, "PerHourPartition": false}}
    ], "NextToken": null}"#;

    #[test]
    fn regions_of_zones() {
        for (zone, region) in [
            ("eu-west-1a", Some("eu-west-1")),
            ("ap-south-1c", Some("ap-south-1")),
            ("us-gov-west-1b", Some("us-gov-west-1")),
            ("us-west-2-lax-1a", Some("us-west-2")),
            ("cn-north-1a", Some("cn-north-1")),
            ("euw1-az1", None),
            ("", None),
            ("1a", None),
            ("EU-WEST-1a", None),
        ] {
            assert_eq!(region_of_zone(zone).as_deref(), region, "{zone}");
        }
    }

    #[test]
    fn flow_log_definitions_give_a_log_group_its_format() {
        let mut inv = Inventory::new();
        let loaded = inv.load("flow-logs.json", FLOW_LOGS.as_bytes()).unwrap();
        assert_eq!(loaded.flow_logs, 2);
        assert_eq!(
            inv.flow_logs()[1].format,
            Format::default(),
            "no LogFormat: v2"
        );
        assert_eq!(
            inv.flow_logs()[1].destination.as_deref(),
            Some("arn:aws:s3:::logs-bkt/flow")
        );
        // A transit gateway's flow log without LogFormat logs every field of its kind.
        let tgw = FLOW_LOGS
            .replace("fl-4567ef01", "fl-tgw")
            .replace("\"vpc-02\"", "\"tgw-0f1e2d3c4b5a69780\"");
        let mut with_tgw = Inventory::new();
        with_tgw.load("tgw.json", tgw.as_bytes()).unwrap();
        let f = &with_tgw.flow_logs()[1].format;
        assert!(f.is_transit_gateway() && f.len() == 36, "{f}");
        let formats = inv.log_group_formats("vpc-flow");
        assert_eq!(formats.len(), 1);
        assert_eq!(formats[0].len(), 9);
        assert!(inv.log_group_formats("other").is_empty());

        // A second flow log into the same group: the same format is one; another is two.
        let same = FLOW_LOGS.replace("fl-0123abcd", "fl-99999999");
        inv.load("same.json", same.as_bytes()).unwrap();
        assert_eq!(inv.log_group_formats("vpc-flow").len(), 1);
        let other = r#"{"FlowLogs": [{"FlowLogId": "fl-77777777", "LogGroupName": "vpc-flow", "LogDestinationType": "cloud-watch-logs"}]}"#;
        inv.load("other.json", other.as_bytes()).unwrap();
        assert_eq!(inv.log_group_formats("vpc-flow").len(), 2);

        // A LogFormat that is not one stops the load, naming the flow log.
        let bad = r#"{"FlowLogs": [{"FlowLogId": "fl-bad", "LogFormat": "${nonsense"}]}"#;
        let err = Inventory::new()
            .load("bad.json", bad.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.json: fl-bad: bad LogFormat"), "{err}");
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
