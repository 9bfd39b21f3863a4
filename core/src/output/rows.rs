//! A summary's rows: owned ([`Row`]) and borrowed from the groups ([`RowRef`]), with
//! the order they are written in.

use super::layout;

/// One row of a summary, with every value resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// Partition: account.
    pub account_id: String,
    /// Partition: region.
    pub region: String,
    /// Partition: `YYYY-MM-DD` of the window, or `unknown`.
    pub day: String,
    /// Start of the hour window, Unix seconds.
    pub window_start: Option<i64>,
    /// `vpc-id`.
    pub vpc_id: Option<String>,
    /// `subnet-id`.
    pub subnet_id: Option<String>,
    /// `interface-id`.
    pub interface_id: Option<String>,
    /// The ENI's type from the inventory (`instance`, `nat_gateway`, `vpc_endpoint`,
    /// ...); null without inventory.
    pub interface_kind: Option<String>,
    /// `ingress`, `egress` or `unknown`.
    pub direction: String,
    /// The path's name.
    pub path: String,
    /// How the path was decided: `traffic_path_field`, `inventory` or `address_only`.
    pub attribution: String,
    /// The NAT gateway, endpoint, gateway or peering connection the path goes
    /// through; null without inventory.
    pub gateway_id: Option<String>,
    /// The remote's service (`S3`, ..., `INTERNET`, `PRIVATE`), when there is a remote.
    pub remote_service: Option<String>,
    /// The remote's region, when it is in AWS's ranges.
    pub remote_region: Option<String>,
    /// `ACCEPT` or `REJECT`.
    pub action: Option<String>,
    /// IANA protocol number.
    pub protocol: Option<i32>,
    /// The VPC whose CIDR holds a private remote (inventory); null otherwise.
    pub remote_vpc_id: Option<String>,
    /// That VPC's account (inventory).
    pub remote_account_id: Option<String>,
    /// `ecs-cluster-name` (flow logs v7); null when the log lacks it.
    pub ecs_cluster_name: Option<String>,
    /// `ecs-service-name` (v7).
    pub ecs_service_name: Option<String>,
    /// `reject-reason` (v8).
    pub reject_reason: Option<String>,
    /// The name the client (else its VPC) resolved to the remote address before the
    /// flow (Route 53 Resolver query logs); null when none is known.
    pub remote_name: Option<String>,
    /// Whose query gave `remote_name`: `client` or `vpc`.
    pub name_source: Option<String>,
    /// The `tag_<key>` columns that hold a value, (column, value), in column order
    /// ([`crate::inventory::TagKeys`]); a column left out is null.
    pub tags: Vec<(String, String)>,
    /// Records summed.
    pub flows: i64,
    /// Packets summed; null when the input's format has no `packets` (never a zero
    /// that was not measured).
    pub packets: Option<i64>,
    /// Bytes summed; null when the input's format has no `bytes`.
    pub bytes: Option<i64>,
}

impl Row {
    /// The value of tag column `column` (`tag_…`); `None` when null.
    pub fn tag(&self, column: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.as_str())
    }

    /// Whether two rows belong to the same group: every key column of the file
    /// (every column but the sums) is equal. Partition fields are not compared.
    pub fn same_group(&self, other: &Row) -> bool {
        self.window_start == other.window_start
            && self.vpc_id == other.vpc_id
            && self.subnet_id == other.subnet_id
            && self.interface_id == other.interface_id
            && self.interface_kind == other.interface_kind
            && self.direction == other.direction
            && self.path == other.path
            && self.attribution == other.attribution
            && self.gateway_id == other.gateway_id
            && self.remote_service == other.remote_service
            && self.remote_region == other.remote_region
            && self.action == other.action
            && self.protocol == other.protocol
            && self.remote_vpc_id == other.remote_vpc_id
            && self.remote_account_id == other.remote_account_id
            && self.ecs_cluster_name == other.ecs_cluster_name
            && self.ecs_service_name == other.ecs_service_name
            && self.reject_reason == other.reject_reason
            && self.remote_name == other.remote_name
            && self.name_source == other.name_source
            && self.tags == other.tags
    }
}

/// A row borrowed from `Groups` (or from a [`Row`]): the same values, no copies. The
/// partition `day` is not stored: it is [`RowRef::day`], a function of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRef<'a> {
    /// Partition: account.
    pub account_id: &'a str,
    /// Partition: region.
    pub region: &'a str,
    /// Start of the hour window, Unix seconds.
    pub window_start: Option<i64>,
    /// `vpc-id`.
    pub vpc_id: Option<&'a str>,
    /// `subnet-id`.
    pub subnet_id: Option<&'a str>,
    /// `interface-id`.
    pub interface_id: Option<&'a str>,
    /// The ENI's type from the inventory.
    pub interface_kind: Option<&'a str>,
    /// `ingress`, `egress` or `unknown`.
    pub direction: &'a str,
    /// The path's name.
    pub path: std::borrow::Cow<'a, str>,
    /// How the path was decided.
    pub attribution: &'a str,
    /// The gateway of the path.
    pub gateway_id: Option<&'a str>,
    /// The remote's service.
    pub remote_service: Option<&'a str>,
    /// The remote's region.
    pub remote_region: Option<&'a str>,
    /// `ACCEPT` or `REJECT`.
    pub action: Option<&'a str>,
    /// IANA protocol number.
    pub protocol: Option<i32>,
    /// The VPC of a private remote (inventory).
    pub remote_vpc_id: Option<&'a str>,
    /// That VPC's account.
    pub remote_account_id: Option<&'a str>,
    /// `ecs-cluster-name`.
    pub ecs_cluster_name: Option<&'a str>,
    /// `ecs-service-name`.
    pub ecs_service_name: Option<&'a str>,
    /// `reject-reason`.
    pub reject_reason: Option<&'a str>,
    /// The remote's name (Resolver query logs).
    pub remote_name: Option<&'a str>,
    /// Whose query gave it.
    pub name_source: Option<&'a str>,
    /// The `tag_<key>` columns that hold a value, (column, value), in column order.
    pub tags: Vec<(&'a str, &'a str)>,
    /// Records summed.
    pub flows: i64,
    /// Packets summed; `None` when the input's format has no `packets`.
    pub packets: Option<i64>,
    /// Bytes summed; `None` when the input's format has no `bytes`.
    pub bytes: Option<i64>,
}

impl RowRef<'_> {
    /// The value of tag column `column` (`tag_…`); `None` when null.
    pub fn tag(&self, column: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(c, _)| *c == column)
            .map(|&(_, v)| v)
    }

    /// Partition: `YYYY-MM-DD` of the window, or `unknown`.
    pub fn day(&self) -> String {
        self.window_start
            .map_or_else(|| layout::UNKNOWN.to_owned(), layout::utc_day)
    }

    /// Whether two rows fall in the same Hive partition.
    pub fn same_partition(&self, other: &RowRef<'_>) -> bool {
        self.account_id == other.account_id
            && self.region == other.region
            && self.window_start.map(|w| w.div_euclid(86_400))
                == other.window_start.map(|w| w.div_euclid(86_400))
    }

    /// The order of [`Row`]'s `Ord`: account, region, day, then every other column in
    /// order. The day string orders as its window does, with `unknown` (no window)
    /// after every date, so the window stands in for it.
    pub fn cmp_as_rows(&self, other: &RowRef<'_>) -> std::cmp::Ordering {
        let day = |r: &RowRef<'_>| {
            (
                r.window_start.is_none(),
                r.window_start.map(|w| w.div_euclid(86_400)),
            )
        };
        (self.account_id, self.region, day(self), self.window_start)
            .cmp(&(
                other.account_id,
                other.region,
                day(other),
                other.window_start,
            ))
            .then_with(|| {
                (
                    self.vpc_id,
                    self.subnet_id,
                    self.interface_id,
                    self.interface_kind,
                    self.direction,
                    &self.path,
                    self.attribution,
                    self.gateway_id,
                )
                    .cmp(&(
                        other.vpc_id,
                        other.subnet_id,
                        other.interface_id,
                        other.interface_kind,
                        other.direction,
                        &other.path,
                        other.attribution,
                        other.gateway_id,
                    ))
            })
            .then_with(|| {
                (
                    self.remote_service,
                    self.remote_region,
                    self.action,
                    self.protocol,
                )
                    .cmp(&(
                        other.remote_service,
                        other.remote_region,
                        other.action,
                        other.protocol,
                    ))
            })
            .then_with(|| {
                (
                    self.remote_vpc_id,
                    self.remote_account_id,
                    self.ecs_cluster_name,
                    self.ecs_service_name,
                    self.reject_reason,
                    self.remote_name,
                    self.name_source,
                    &self.tags,
                    self.flows,
                    self.packets,
                    self.bytes,
                )
                    .cmp(&(
                        other.remote_vpc_id,
                        other.remote_account_id,
                        other.ecs_cluster_name,
                        other.ecs_service_name,
                        other.reject_reason,
                        other.remote_name,
                        other.name_source,
                        &other.tags,
                        other.flows,
                        other.packets,
                        other.bytes,
                    ))
            })
    }

    /// The same row, owned.
    pub fn to_row(&self) -> Row {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Row {
            account_id: self.account_id.to_owned(),
            region: self.region.to_owned(),
            day: self.day(),
            window_start: self.window_start,
            vpc_id: own(self.vpc_id),
            subnet_id: own(self.subnet_id),
            interface_id: own(self.interface_id),
            interface_kind: own(self.interface_kind),
            direction: self.direction.to_owned(),
            path: self.path.clone().into_owned(),
            attribution: self.attribution.to_owned(),
            gateway_id: own(self.gateway_id),
            remote_service: own(self.remote_service),
            remote_region: own(self.remote_region),
            action: own(self.action),
            protocol: self.protocol,
            remote_vpc_id: own(self.remote_vpc_id),
            remote_account_id: own(self.remote_account_id),
            ecs_cluster_name: own(self.ecs_cluster_name),
            ecs_service_name: own(self.ecs_service_name),
            reject_reason: own(self.reject_reason),
            remote_name: own(self.remote_name),
            name_source: own(self.name_source),
            tags: self
                .tags
                .iter()
                .map(|&(c, v)| (c.to_owned(), v.to_owned()))
                .collect(),
            flows: self.flows,
            packets: self.packets,
            bytes: self.bytes,
        }
    }
}

impl Row {
    /// The row, borrowed.
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            account_id: &self.account_id,
            region: &self.region,
            window_start: self.window_start,
            vpc_id: self.vpc_id.as_deref(),
            subnet_id: self.subnet_id.as_deref(),
            interface_id: self.interface_id.as_deref(),
            interface_kind: self.interface_kind.as_deref(),
            direction: &self.direction,
            path: std::borrow::Cow::Borrowed(&self.path),
            attribution: &self.attribution,
            gateway_id: self.gateway_id.as_deref(),
            remote_service: self.remote_service.as_deref(),
            remote_region: self.remote_region.as_deref(),
            action: self.action.as_deref(),
            protocol: self.protocol,
            remote_vpc_id: self.remote_vpc_id.as_deref(),
            remote_account_id: self.remote_account_id.as_deref(),
            ecs_cluster_name: self.ecs_cluster_name.as_deref(),
            ecs_service_name: self.ecs_service_name.as_deref(),
            reject_reason: self.reject_reason.as_deref(),
            remote_name: self.remote_name.as_deref(),
            name_source: self.name_source.as_deref(),
            tags: self
                .tags
                .iter()
                .map(|(c, v)| (c.as_str(), v.as_str()))
                .collect(),
            flows: self.flows,
            packets: self.packets,
            bytes: self.bytes,
        }
    }
}
