//! The JSON the AWS CLI prints (PascalCase keys), only the fields used.
//!
//! Invariants: unknown fields are ignored; lists a resource may omit default to
//! empty; a CIDR association counts unless its state says it is not `associated`.

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
    pub(super) flow_logs: Option<Vec<FlowLog>>,
    /// `aws ec2 describe-instances`: instances grouped in reservations.
    pub(super) reservations: Option<Vec<Reservation>>,
}

impl Document {
    pub(super) fn is_empty(&self) -> bool {
        self.network_interfaces.is_none()
            && self.vpc_endpoints.is_none()
            && self.nat_gateways.is_none()
            && self.route_tables.is_none()
            && self.subnets.is_none()
            && self.vpcs.is_none()
            && self.flow_logs.is_none()
            && self.reservations.is_none()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct NetworkInterface {
    pub(super) network_interface_id: String,
    pub(super) availability_zone: Option<String>,
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
    /// ENIs spell their tags `TagSet`.
    #[serde(default)]
    pub(super) tag_set: Vec<Tag>,
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
    #[serde(default)]
    pub(super) tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct NatGateway {
    pub(super) nat_gateway_id: String,
    pub(super) vpc_id: Option<String>,
    pub(super) subnet_id: Option<String>,
    #[serde(default)]
    pub(super) nat_gateway_addresses: Vec<NatAddress>,
    #[serde(default)]
    pub(super) tags: Vec<Tag>,
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
    pub(super) availability_zone: Option<String>,
    pub(super) vpc_id: Option<String>,
    pub(super) owner_id: Option<String>,
    pub(super) cidr_block: Option<String>,
    #[serde(default)]
    pub(super) ipv6_cidr_block_association_set: Vec<Ipv6CidrAssociation>,
    #[serde(default)]
    pub(super) tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Vpc {
    pub(super) vpc_id: String,
    pub(super) owner_id: Option<String>,
    pub(super) cidr_block: Option<String>,
    #[serde(default)]
    pub(super) cidr_block_association_set: Vec<CidrAssociation>,
    #[serde(default)]
    pub(super) ipv6_cidr_block_association_set: Vec<Ipv6CidrAssociation>,
    #[serde(default)]
    pub(super) tags: Vec<Tag>,
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

/// One flow log of `aws ec2 describe-flow-logs`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct FlowLog {
    pub(super) flow_log_id: String,
    pub(super) resource_id: Option<String>,
    pub(super) log_destination_type: Option<String>,
    pub(super) log_destination: Option<String>,
    pub(super) log_group_name: Option<String>,
    pub(super) log_format: Option<String>,
}

/// One resource tag, as every `describe-*` call prints it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Tag {
    pub(super) key: String,
    /// AWS allows an empty value; a tag without one is read as empty.
    #[serde(default)]
    pub(super) value: String,
}

/// One reservation of `aws ec2 describe-instances`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Reservation {
    #[serde(default)]
    pub(super) instances: Vec<Instance>,
}

/// An instance: its tags and the ENIs attached to it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Instance {
    pub(super) instance_id: String,
    #[serde(default)]
    pub(super) tags: Vec<Tag>,
    #[serde(default)]
    pub(super) network_interfaces: Vec<InstanceInterface>,
}

/// An ENI as `describe-instances` lists it under its instance.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InstanceInterface {
    pub(super) network_interface_id: String,
}
