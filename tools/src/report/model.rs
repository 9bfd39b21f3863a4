//! What the report counts, and how: summary rows are tallied per path category
//! ([`Tally`]), then priced into the [`Report`] every output format renders.
//!
//! Counting rules (docs/report.md explains them to users), so that no byte counts twice:
//! - NAT-processed bytes are rows with path `nat_gateway` (logged on the NAT
//!   gateway's own interface). Rows with path `via_nat_gateway` are the same bytes seen
//!   from the sending interface: they are shown apart (`sent_via_nat_gateway`) and
//!   never added to any total.
//! - Endpoint bytes are rows with path `gateway_endpoint` or `interface_endpoint` whose
//!   interface kind is not `vpc_endpoint` (the endpoint's own interface repeats its
//!   clients' bytes; those rows count nowhere).
//! - Categories: `endpoint`; `nat_gateway`; `internet_gateway`; `public_unresolved`
//!   (`public` and `internet_gateway_or_gateway_endpoint`); `other` (every other path).
//!   Tables list AWS services only: `remote_service` set and not `INTERNET`/`PRIVATE`.
//! - Monthly estimates scale the bytes of the covered period to 30 days; the period is
//!   the number of distinct days (partitions with at least one row, any account or
//!   region) within `--from`/`--to`, at least 1.
//! - Savings, for `nat_gateway` rows to an AWS service: in the partition's region, S3
//!   and DYNAMODB go through a gateway endpoint at no charge (saving = the NAT
//!   data-processing cost); any other service through an interface endpoint (hourly
//!   per AZ for a 30-day month, plus per GB; saving = NAT cost − endpoint cost, which
//!   can be negative); another or an unknown region: no endpoint, no saving.

use std::collections::{BTreeMap, BTreeSet};

use std::net::IpAddr;

use anyhow::{Result, anyhow, bail};
use flowpath_core::chargeback::{self, MatchedBy};
use flowpath_core::output::Row;
use flowpath_core::talkers::{Counter, Sketch, TalkerRow};
use flowpath_core::transit::TransitRow;
use serde::Serialize;

use super::prices::{GB, PriceTable};

/// Days in the month the estimates are scaled to.
pub(crate) const MONTH_DAYS: u32 = 30;
/// Hours an interface endpoint is billed in that month.
pub(crate) const MONTH_HOURS: f64 = 720.0;

/// Bytes per path category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Categories {
    /// Gateway and interface endpoints (clients' interfaces only).
    pub(crate) endpoint: i64,
    /// Logged on a NAT gateway's interface.
    pub(crate) nat_gateway: i64,
    /// Through an internet gateway.
    pub(crate) internet_gateway: i64,
    /// Public addresses, path not resolved (`public`,
    /// `internet_gateway_or_gateway_endpoint`).
    pub(crate) public_unresolved: i64,
    /// Every other path.
    pub(crate) other: i64,
    /// `via_nat_gateway`: the `nat_gateway` bytes seen from the sender; not in `total`.
    pub(crate) sent_via_nat_gateway: i64,
}

/// The category columns, in display order: (JSON name, heading).
pub(crate) const CATEGORY_NAMES: [(&str, &str); 5] = [
    ("endpoint", "endpoint"),
    ("nat_gateway", "NAT gateway"),
    ("internet_gateway", "internet gateway"),
    ("public_unresolved", "public, unresolved"),
    ("other", "other"),
];

impl Categories {
    /// Sum of the five categories (`sent_via_nat_gateway` excluded).
    pub(crate) fn total(&self) -> i64 {
        self.endpoint
            + self.nat_gateway
            + self.internet_gateway
            + self.public_unresolved
            + self.other
    }

    /// The five categories in [`CATEGORY_NAMES`] order.
    pub(crate) fn values(&self) -> [i64; 5] {
        [
            self.endpoint,
            self.nat_gateway,
            self.internet_gateway,
            self.public_unresolved,
            self.other,
        ]
    }

    fn add(&mut self, o: &Categories) {
        self.endpoint += o.endpoint;
        self.nat_gateway += o.nat_gateway;
        self.internet_gateway += o.internet_gateway;
        self.public_unresolved += o.public_unresolved;
        self.other += o.other;
        self.sent_via_nat_gateway += o.sent_via_nat_gateway;
    }

    fn sub(&mut self, o: &Categories) {
        self.endpoint -= o.endpoint;
        self.nat_gateway -= o.nat_gateway;
        self.internet_gateway -= o.internet_gateway;
        self.public_unresolved -= o.public_unresolved;
        self.other -= o.other;
        self.sent_via_nat_gateway -= o.sent_via_nat_gateway;
    }

    /// Adds a row's bytes to its category (a row [`is_endpoint_repeat`] is not added).
    fn add_row(&mut self, path: &str, interface_kind: Option<&str>, bytes: i64) {
        if is_endpoint_repeat(path, interface_kind) {
            return;
        }
        let slot = match path {
            "gateway_endpoint" | "interface_endpoint" => &mut self.endpoint,
            "nat_gateway" => &mut self.nat_gateway,
            "via_nat_gateway" => &mut self.sent_via_nat_gateway,
            "internet_gateway" => &mut self.internet_gateway,
            "public" | "internet_gateway_or_gateway_endpoint" => &mut self.public_unresolved,
            _ => &mut self.other,
        };
        *slot += bytes;
    }
}

/// Whether a row is an endpoint path logged on the endpoint's own interface: its
/// bytes repeat those of the clients' rows and count nowhere.
fn is_endpoint_repeat(path: &str, interface_kind: Option<&str>) -> bool {
    matches!(path, "gateway_endpoint" | "interface_endpoint")
        && interface_kind == Some("vpc_endpoint")
}

/// Whether a remote service is an AWS service (not `INTERNET`, `PRIVATE` or none).
fn aws_service(service: Option<&str>) -> Option<&str> {
    service.filter(|s| !s.is_empty() && *s != "INTERNET" && *s != "PRIVATE")
}

/// Whether a partition's day is a date (`YYYY-MM-DD`), not `unknown`.
pub(crate) fn is_date(day: &str) -> bool {
    let b = day.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && matches!(
            day.get(5..7).and_then(|m| m.parse::<u8>().ok()),
            Some(1..=12)
        )
        && matches!(
            day.get(8..10).and_then(|d| d.parse::<u8>().ok()),
            Some(1..=31)
        )
}

/// Account, region, VPC, service and service region: a row of the by-path table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ServiceKey {
    account_id: String,
    region: String,
    vpc_id: Option<String>,
    service: String,
    service_region: Option<String>,
}

/// An interface (ENI) and an AWS service its bytes went to or came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InterfaceKey {
    account_id: String,
    region: String,
    vpc_id: Option<String>,
    interface_id: Option<String>,
    interface_kind: Option<String>,
    service: String,
    service_region: Option<String>,
}

/// A tag column's value (`tag_<key>`, from `summarize --tag`) and an AWS service its
/// rows' bytes went to or came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct TagKey {
    column: String,
    value: String,
    account_id: String,
    region: String,
    service: String,
    service_region: Option<String>,
}

/// A NAT or internet gateway and an AWS service (or the internet) behind it: the
/// top-talkers groups of every hour, file and interface kind merged.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct GatewayKey {
    account_id: String,
    region: String,
    vpc_id: Option<String>,
    path: String,
    gateway_id: Option<String>,
    service: Option<String>,
    service_region: Option<String>,
}

/// How many talkers the report's merged sketches keep (it lists `--top` of them).
const TALKER_CAPACITY: usize = 100;

/// An AWS service of an account and region, every VPC together.
type ServiceOf = (String, String, String, Option<String>);

/// A NAT gateway and the AWS service its bytes went to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct NatKey {
    account_id: String,
    region: String,
    vpc_id: Option<String>,
    gateway_id: Option<String>,
    service: String,
    service_region: Option<String>,
}

/// A name from Resolver query logs (`remote_name`) and the service its address is in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct NameKey {
    account_id: String,
    region: String,
    name: String,
    service: String,
}

/// A spoke's bytes through a central egress VPC, by AWS service
/// ([`flowpath_core::chargeback`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ChargeKey {
    /// Which rule matched the spoke.
    matched_by: MatchedBy,
    /// The region of the rows (the transit gateway's, the NAT gateway's).
    region: String,
    spoke_account_id: Option<String>,
    spoke_vpc_id: Option<String>,
    hub_vpc_id: Option<String>,
    service: String,
    service_region: Option<String>,
}

/// The sums a report is made of, mergeable across files.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Summary files read.
    pub(crate) files: usize,
    /// Rows read.
    pub(crate) rows: usize,
    /// Days (dated partitions) with at least one row.
    days: BTreeSet<String>,
    by_path: BTreeMap<ServiceKey, Categories>,
    /// The same bytes per interface, for `--by-interface`.
    by_interface: BTreeMap<InterfaceKey, Categories>,
    /// (day, service) → bytes per category, AWS services and dated partitions only.
    by_day: BTreeMap<(String, String), Categories>,
    nat: BTreeMap<NatKey, i64>,
    charge_back: BTreeMap<ChargeKey, i64>,
    /// Bytes per remote name, from the clients' rows (a NAT gateway's own rows are
    /// left out: they repeat the clients' bytes, which are `sent_via_nat_gateway`).
    by_name: BTreeMap<NameKey, Categories>,
    /// The by-path bytes per tag value, for every tag column a row has a value in;
    /// a row without one counts only in `by_path` (`--by-tag` subtracts).
    by_tag: BTreeMap<TagKey, Categories>,
    /// The top talkers behind each NAT and internet gateway: remote addresses, and
    /// remote ports.
    talker_addresses: BTreeMap<GatewayKey, Sketch<IpAddr>>,
    talker_ports: BTreeMap<GatewayKey, Sketch<u16>>,
    /// Transit gateway summary files read (of `files`).
    pub(crate) transit_files: usize,
    /// The bytes of every row read, whether or not a category counts them: every sum
    /// the report makes is at most this.
    pub(crate) all_bytes: i128,
}

impl Tally {
    /// Adds a row of the partition (account, region, day).
    pub(crate) fn add(&mut self, account_id: &str, region: &str, day: &str, row: &Row) {
        self.rows += 1;
        if is_date(day) {
            self.days.insert(day.to_owned());
        }
        if let Some(egress) = chargeback::from_nat_row(row) {
            let key = ChargeKey {
                matched_by: MatchedBy::Inventory,
                region: region.to_owned(),
                spoke_account_id: egress.spoke_account_id.map(str::to_owned),
                spoke_vpc_id: egress.spoke_vpc_id.map(str::to_owned),
                hub_vpc_id: egress.hub_vpc_id.map(str::to_owned),
                // The inside leg does not say where the bytes went next.
                service: UNKNOWN_SERVICE.to_owned(),
                service_region: None,
            };
            *self.charge_back.entry(key).or_default() += row.bytes.unwrap_or(0);
        }
        let kind = row.interface_kind.as_deref();
        if let Some(name) = &row.remote_name
            && kind != Some("nat_gateway")
        {
            let key = NameKey {
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                name: name.clone(),
                service: row.remote_service.clone().unwrap_or_default(),
            };
            self.by_name
                .entry(key)
                .or_default()
                .add_row(&row.path, kind, row.bytes.unwrap_or(0));
        }
        let Some(service) = aws_service(row.remote_service.as_deref()) else {
            return;
        };
        let key = ServiceKey {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            vpc_id: row.vpc_id.clone(),
            service: service.to_owned(),
            service_region: row.remote_region.clone(),
        };
        if is_endpoint_repeat(&row.path, kind) {
            return;
        }
        self.by_path
            .entry(key)
            .or_default()
            .add_row(&row.path, kind, row.bytes.unwrap_or(0));
        let key = InterfaceKey {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            vpc_id: row.vpc_id.clone(),
            interface_id: row.interface_id.clone(),
            interface_kind: row.interface_kind.clone(),
            service: service.to_owned(),
            service_region: row.remote_region.clone(),
        };
        self.by_interface
            .entry(key)
            .or_default()
            .add_row(&row.path, kind, row.bytes.unwrap_or(0));
        for (column, value) in &row.tags {
            let key = TagKey {
                column: column.clone(),
                value: value.clone(),
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                service: service.to_owned(),
                service_region: row.remote_region.clone(),
            };
            self.by_tag
                .entry(key)
                .or_default()
                .add_row(&row.path, kind, row.bytes.unwrap_or(0));
        }
        if is_date(day) {
            self.by_day
                .entry((day.to_owned(), service.to_owned()))
                .or_default()
                .add_row(&row.path, kind, row.bytes.unwrap_or(0));
        }
        if row.path == "nat_gateway" {
            let key = NatKey {
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                vpc_id: row.vpc_id.clone(),
                gateway_id: row.gateway_id.clone(),
                service: service.to_owned(),
                service_region: row.remote_region.clone(),
            };
            *self.nat.entry(key).or_default() += row.bytes.unwrap_or(0);
        }
    }

    /// Adds a top-talkers file's rows of the partition (account, region): each group's
    /// rows are one sketch (their floor `unlisted_bytes_at_most`, their total
    /// `group_bytes`), merged into its gateway's. Only NAT and internet gateway paths
    /// count.
    pub(crate) fn add_talkers(
        &mut self,
        account_id: &str,
        region: &str,
        rows: &[TalkerRow],
    ) -> Result<()> {
        self.rows += rows.len();
        let mut start = 0;
        while start < rows.len() {
            let first = &rows[start];
            let end = start
                + rows[start..]
                    .iter()
                    .take_while(|r| r.same_group(first))
                    .count();
            let group = &rows[start..end];
            start = end;
            if !matches!(first.path.as_str(), "nat_gateway" | "internet_gateway") {
                continue;
            }
            let key = GatewayKey {
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                vpc_id: first.vpc_id.clone(),
                path: first.path.clone(),
                gateway_id: first.gateway_id.clone(),
                service: first.remote_service.clone(),
                service_region: first.remote_region.clone(),
            };
            let (floor, total) = (
                first.unlisted_bytes_at_most.unsigned_abs(),
                first.group_bytes.unsigned_abs(),
            );
            match first.talker.as_str() {
                flowpath_core::talkers::ADDRESS => {
                    let counters = group
                        .iter()
                        .map(|r| {
                            let a = r.remote_address.as_deref().unwrap_or_default();
                            let ip = a
                                .parse::<IpAddr>()
                                .map_err(|_| anyhow!("remote_address {a:?} is not an address"))?;
                            Ok(counter_of(r, ip))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let sketch = Sketch::from_parts(TALKER_CAPACITY, counters, floor, total);
                    merge_sketch(&mut self.talker_addresses, key, &sketch);
                }
                flowpath_core::talkers::PORT => {
                    let counters = group
                        .iter()
                        .map(|r| {
                            let port = r
                                .remote_port
                                .and_then(|p| u16::try_from(p).ok())
                                .ok_or_else(|| {
                                    anyhow!("remote_port {:?} is not a port", r.remote_port)
                                })?;
                            Ok(counter_of(r, port))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let sketch = Sketch::from_parts(TALKER_CAPACITY, counters, floor, total);
                    merge_sketch(&mut self.talker_ports, key, &sketch);
                }
                other => bail!("talker {other:?} is neither address nor port"),
            }
        }
        Ok(())
    }

    /// Adds a transit gateway row of the partition (region, day): its bytes count in
    /// the charge-back table when they pass through a central egress VPC.
    pub(crate) fn add_transit(&mut self, region: &str, day: &str, row: &TransitRow) {
        self.rows += 1;
        if is_date(day) {
            self.days.insert(day.to_owned());
        }
        let Some(egress) = chargeback::from_transit_row(row) else {
            return;
        };
        let key = ChargeKey {
            matched_by: MatchedBy::TransitGatewayLog,
            region: region.to_owned(),
            spoke_account_id: egress.spoke_account_id.map(str::to_owned),
            spoke_vpc_id: egress.spoke_vpc_id.map(str::to_owned),
            hub_vpc_id: egress.hub_vpc_id.map(str::to_owned),
            service: row.remote_service.clone().unwrap_or_default(),
            service_region: row.remote_region.clone(),
        };
        *self.charge_back.entry(key).or_default() += row.bytes.unwrap_or(0);
    }

    /// Adds another tally's sums.
    pub(crate) fn merge(&mut self, other: Tally) {
        self.files += other.files;
        self.transit_files += other.transit_files;
        for (k, v) in other.charge_back {
            *self.charge_back.entry(k).or_default() += v;
        }
        self.rows += other.rows;
        self.all_bytes += other.all_bytes;
        self.days.extend(other.days);
        for (k, v) in other.by_path {
            self.by_path.entry(k).or_default().add(&v);
        }
        for (k, v) in other.by_interface {
            self.by_interface.entry(k).or_default().add(&v);
        }
        for (k, v) in other.by_day {
            self.by_day.entry(k).or_default().add(&v);
        }
        for (k, v) in other.nat {
            *self.nat.entry(k).or_default() += v;
        }
        for (k, v) in other.by_name {
            self.by_name.entry(k).or_default().add(&v);
        }
        for (k, v) in other.by_tag {
            self.by_tag.entry(k).or_default().add(&v);
        }
        for (k, v) in other.talker_addresses {
            merge_sketch(&mut self.talker_addresses, k, &v);
        }
        for (k, v) in other.talker_ports {
            merge_sketch(&mut self.talker_ports, k, &v);
        }
    }
}

/// A top-talkers row's counter.
fn counter_of<T>(r: &TalkerRow, item: T) -> Counter<T> {
    Counter {
        item,
        count: r.bytes.unsigned_abs(),
        error: r.bytes_error.unsigned_abs(),
    }
}

/// Merges a sketch into a gateway's.
fn merge_sketch<T: Copy + Ord + std::hash::Hash>(
    map: &mut BTreeMap<GatewayKey, Sketch<T>>,
    key: GatewayKey,
    s: &Sketch<T>,
) {
    map.entry(key)
        .or_insert_with(|| Sketch::new(TALKER_CAPACITY))
        .merge(s);
}

/// An amount of money, rounded to the cent in JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub(crate) struct Money(pub(crate) f64);

impl Money {
    /// Rounded to the cent.
    pub(crate) fn cents(self) -> f64 {
        let c = (self.0 * 100.0).round() / 100.0;
        if c == 0.0 { 0.0 } else { c }
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.cents())
    }
}

/// One row of the by-path table.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ByPath {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    #[serde(flatten)]
    pub(crate) bytes: Categories,
    /// Sum of the five categories.
    pub(crate) total: i64,
}

/// One row of the by-interface table (`--by-interface`): the by-path categories of
/// one ENI and AWS service.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ByInterface {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) interface_id: Option<String>,
    /// The ENI's type from the inventory (`instance`, `lambda`, `nat_gateway`, ...).
    pub(crate) interface_kind: Option<String>,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    #[serde(flatten)]
    pub(crate) bytes: Categories,
    /// Sum of the five categories.
    pub(crate) total: i64,
}

/// Bytes per category of one AWS service on one day (the chart's data).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct DayBytes {
    pub(crate) day: String,
    pub(crate) service: String,
    #[serde(flatten)]
    pub(crate) bytes: Categories,
}

/// A NAT gateway → AWS service flow.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NatFlow {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) gateway_id: Option<String>,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    /// Bytes in the covered period.
    pub(crate) bytes: i64,
    /// Scaled to a 30-day month.
    pub(crate) monthly_bytes: i64,
    /// NAT data processing of the monthly bytes.
    pub(crate) nat_cost_month: Money,
}

/// Which endpoint would carry a NAT flow instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Endpoint {
    /// S3 or DynamoDB in the same region: no charge.
    Gateway,
    /// Another service in the same region: hourly per AZ plus per GB.
    Interface,
    /// S3 or DynamoDB in the same region, from a hub VPC: its NAT gateway carries other
    /// VPCs' traffic (the charge-back table), which a gateway endpoint would not serve
    /// (it serves only its own VPC), so an interface endpoint, priced as one.
    HubInterface,
    /// Another region, or an unknown one: no endpoint saving.
    None,
}

/// The saving an endpoint would bring for one VPC and service.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Saving {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    pub(crate) endpoint: Endpoint,
    /// NAT-processed bytes in the covered period.
    pub(crate) bytes: i64,
    /// Scaled to a 30-day month.
    pub(crate) monthly_bytes: i64,
    /// NAT data processing of the monthly bytes.
    pub(crate) nat_cost_month: Money,
    /// What the endpoint would cost per month (0 for a gateway endpoint; none when
    /// there is no endpoint).
    pub(crate) endpoint_cost_month: Option<Money>,
    /// NAT cost − endpoint cost (negative: the endpoint costs more).
    pub(crate) saving_month: Money,
}

/// What a spoke VPC's traffic through a central egress VPC costs, and what an
/// endpoint would save (transit gateway flow logs).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ChargeBack {
    /// `transit_gateway_log` or `inventory` ([`flowpath_core::chargeback`]).
    pub(crate) matched_by: &'static str,
    /// The transit gateway's (and the hub's NAT gateway's) region.
    pub(crate) region: String,
    pub(crate) spoke_account_id: Option<String>,
    pub(crate) spoke_vpc_id: Option<String>,
    pub(crate) hub_vpc_id: Option<String>,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    /// Bytes in the covered period, both directions (each byte once).
    pub(crate) bytes: i64,
    /// Scaled to a 30-day month.
    pub(crate) monthly_bytes: i64,
    /// The hub's NAT gateway data processing of the monthly bytes.
    pub(crate) nat_cost_month: Money,
    /// Transit gateway data processing of the monthly bytes.
    pub(crate) transit_gateway_cost_month: Money,
    /// The endpoint the spoke would use.
    pub(crate) endpoint: Endpoint,
    /// An endpoint in the spoke: NAT and transit gateway costs saved, less the
    /// endpoint's (none without an endpoint).
    pub(crate) spoke_endpoint_saving_month: Option<Money>,
    /// A shared interface endpoint in the hub: the NAT cost saved, less its per-GB
    /// charge (its hours are paid once for all spokes; none without an endpoint).
    pub(crate) hub_endpoint_saving_month: Option<Money>,
}

/// Savings of one VPC.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct VpcSaving {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) nat_cost_month: Money,
    pub(crate) endpoint_cost_month: Money,
    pub(crate) saving_month: Money,
    /// Of which gateway endpoints (S3, DynamoDB).
    pub(crate) gateway_saving_month: Money,
    /// Of which interface endpoints.
    pub(crate) interface_saving_month: Money,
}

/// The totals of the savings table.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub(crate) struct SavingTotals {
    pub(crate) nat_cost_month: Money,
    pub(crate) endpoint_cost_month: Money,
    pub(crate) saving_month: Money,
}

/// Where the prices came from.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PriceInfo {
    pub(crate) source: String,
    pub(crate) taken: String,
    pub(crate) currency: String,
    /// The `--prices` file; none for the embedded table.
    pub(crate) file: Option<String>,
    pub(crate) notes: Vec<String>,
}

/// Everything the report shows.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) flowpath_version: &'static str,
    pub(crate) output_dir: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) files: usize,
    pub(crate) rows: usize,
    /// The distinct days present.
    pub(crate) days: Vec<String>,
    /// Days of the covered period (distinct days present, at least 1).
    pub(crate) period_days: u32,
    /// Days the monthly figures are scaled to.
    pub(crate) month_days: u32,
    pub(crate) prices: PriceInfo,
    pub(crate) interface_endpoint_azs: u32,
    /// The HTML file written, if any.
    pub(crate) html: Option<String>,
    /// Sums of the by-path table.
    pub(crate) totals: Categories,
    pub(crate) total: i64,
    pub(crate) by_path: Vec<ByPath>,
    pub(crate) top_nat_flows: Vec<NatFlow>,
    pub(crate) savings: Vec<Saving>,
    pub(crate) savings_by_vpc: Vec<VpcSaving>,
    pub(crate) savings_total: SavingTotals,
    pub(crate) by_day: Vec<DayBytes>,
    /// With `--by-interface`: the by-path bytes per interface, largest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by_interface: Option<Vec<ByInterface>>,
    /// Transit gateway summary files read.
    pub(crate) transit_files: usize,
    /// Centralised egress, spoke by spoke, largest NAT cost first.
    pub(crate) charge_back: Vec<ChargeBack>,
    /// Whether any row had a `remote_name` (the summaries were made with Resolver
    /// query logs).
    pub(crate) names_known: bool,
    /// The names whose bytes leave through a NAT gateway, an internet gateway or an
    /// unresolved public path, largest first (`--top`).
    pub(crate) top_public_names: Vec<NameBytes>,
    /// The names whose bytes an endpoint carries already, largest first (`--top`).
    pub(crate) endpoint_names: Vec<NameBytes>,
    /// With `--by-tag KEY`: the by-path bytes per value of each tag, in the order the
    /// keys were given, each largest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) by_tag: Vec<TagBytes>,
    /// The top talkers behind each NAT and internet gateway, per AWS service (or the
    /// internet), largest first: `--top` addresses and ports each.
    pub(crate) top_talkers: Vec<GatewayTalkers>,
}

/// The top talkers behind one gateway, to one service.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct GatewayTalkers {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: Option<String>,
    /// `nat_gateway` or `internet_gateway`.
    pub(crate) path: String,
    pub(crate) gateway_id: Option<String>,
    pub(crate) service: Option<String>,
    pub(crate) service_region: Option<String>,
    /// Every talker's bytes together.
    pub(crate) bytes: i64,
    /// The remote addresses, most bytes first.
    pub(crate) addresses: Vec<TalkerBytes>,
    /// The remote ports, most bytes first.
    pub(crate) ports: Vec<TalkerBytes>,
}

impl GatewayTalkers {
    /// Every listed talker with how it reads: the addresses, then the ports
    /// (`port 443`).
    pub(crate) fn listed(&self) -> impl Iterator<Item = (&TalkerBytes, String)> {
        self.addresses
            .iter()
            .map(|a| (a, a.talker.clone()))
            .chain(self.ports.iter().map(|p| (p, format!("port {}", p.talker))))
    }
}

/// One talker's bytes: exact, or an upper bound and how far above the truth it may
/// be.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TalkerBytes {
    /// The address, or the port.
    pub(crate) talker: String,
    /// Bytes, at most.
    pub(crate) bytes: i64,
    /// How much `bytes` may exceed the talker's bytes.
    pub(crate) error: i64,
    pub(crate) exact: bool,
}

/// One tag's by-path bytes, value by value (`--by-tag`).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TagBytes {
    /// The tag key, as given.
    pub(crate) key: String,
    /// Its column in the summaries (`tag_<key>`).
    pub(crate) column: String,
    /// Whether any row had a value in the column (else the summaries were probably
    /// made without `--tag KEY`).
    pub(crate) found: bool,
    pub(crate) rows: Vec<TagRow>,
}

/// The by-path bytes of one tag value and AWS service.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TagRow {
    /// The value; `None` for the rows without one (no resource of theirs carries the
    /// key).
    pub(crate) value: Option<String>,
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) service: String,
    pub(crate) service_region: Option<String>,
    #[serde(flatten)]
    pub(crate) bytes: Categories,
    /// Sum of the five categories.
    pub(crate) total: i64,
    /// NAT data processing of the bytes sent via a NAT gateway, per month.
    pub(crate) nat_cost_month: Money,
}

/// A remote name's bytes by path category, from its clients' rows.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NameBytes {
    pub(crate) account_id: String,
    pub(crate) region: String,
    /// The name the clients resolved (`remote_name`).
    pub(crate) name: String,
    /// The service its address is in (`remote_service`).
    pub(crate) service: String,
    pub(crate) bytes: Categories,
    /// Of those bytes, what leaves by public paths: sent via a NAT gateway, through an
    /// internet gateway, or public and unresolved.
    pub(crate) public_bytes: i64,
    /// NAT data processing of the bytes sent via a NAT gateway, per month.
    pub(crate) nat_cost_month: Money,
}

/// How a report is priced and cut.
pub(crate) struct Options<'a> {
    pub(crate) prices: &'a PriceTable,
    /// `--prices`, when given.
    pub(crate) prices_file: Option<String>,
    pub(crate) azs: u32,
    pub(crate) top: usize,
    pub(crate) output_dir: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    /// Whether to list the bytes per interface too.
    pub(crate) by_interface: bool,
    /// The tag keys to list the bytes per value of (`--by-tag`).
    pub(crate) by_tags: Vec<String>,
}

/// The endpoint that would carry a service's traffic from a VPC in `region`: a
/// gateway endpoint for S3 and DynamoDB in the same region, an interface endpoint for
/// another AWS service there, none across regions or to the internet.
fn endpoint_for(service: &str, service_region: Option<&str>, region: &str) -> Endpoint {
    match service {
        _ if service_region != Some(region) => Endpoint::None,
        "INTERNET" | "PRIVATE" => Endpoint::None,
        "S3" | "DYNAMODB" => Endpoint::Gateway,
        _ => Endpoint::Interface,
    }
}

/// The service of a charge-back row whose records do not say it.
pub(crate) const UNKNOWN_SERVICE: &str = "(not logged)";

/// Prices the tally.
pub(crate) fn build(tally: Tally, opt: &Options<'_>) -> Result<Report> {
    let period_days = u32::try_from(tally.days.len()).unwrap_or(u32::MAX).max(1);
    let scale = f64::from(MONTH_DAYS) / f64::from(period_days);
    // Scaled to a month, the largest sum must still be an INT64 (`as` would clamp it).
    if tally.all_bytes as f64 * scale >= i64::MAX as f64 {
        bail!(
            "{} bytes over {period_days} days, scaled to a 30-day month, pass \
             9223372036854775807 (INT64): report more days at once",
            tally.all_bytes
        );
    }
    let monthly = |bytes: i64| (bytes as f64 * scale).round() as i64;
    let gb = |bytes: i64| bytes as f64 / GB;

    let mut totals = Categories::default();
    let mut by_path: Vec<ByPath> = tally
        .by_path
        .into_iter()
        .map(|(k, bytes)| {
            totals.add(&bytes);
            ByPath {
                account_id: k.account_id,
                region: k.region,
                vpc_id: k.vpc_id,
                service: k.service,
                service_region: k.service_region,
                total: bytes.total(),
                bytes,
            }
        })
        .collect();
    // Largest first; the key (already sorted) breaks ties.
    by_path.sort_by_key(|r| std::cmp::Reverse(r.total));

    let mut top_nat_flows = Vec::with_capacity(tally.nat.len());
    // (account, region, vpc, service, service region) → NAT bytes
    let mut per_service: BTreeMap<ServiceKey, i64> = BTreeMap::new();
    for (k, bytes) in tally.nat {
        let price = opt.prices.region(&k.region)?;
        let monthly_bytes = monthly(bytes);
        top_nat_flows.push(NatFlow {
            account_id: k.account_id.clone(),
            region: k.region.clone(),
            vpc_id: k.vpc_id.clone(),
            gateway_id: k.gateway_id,
            service: k.service.clone(),
            service_region: k.service_region.clone(),
            bytes,
            monthly_bytes,
            nat_cost_month: Money(gb(monthly_bytes) * price.nat_gateway_per_gb),
        });
        let key = ServiceKey {
            account_id: k.account_id,
            region: k.region,
            vpc_id: k.vpc_id,
            service: k.service,
            service_region: k.service_region,
        };
        *per_service.entry(key).or_default() += bytes;
    }
    top_nat_flows.sort_by_key(|f| std::cmp::Reverse(f.bytes));
    top_nat_flows.truncate(opt.top);

    let azs = f64::from(opt.azs);
    // VPCs whose NAT gateway carries other VPCs' bytes, by either charge-back rule.
    let hubs: BTreeSet<(String, String)> = tally
        .charge_back
        .keys()
        .filter_map(|k| Some((k.region.clone(), k.hub_vpc_id.clone()?)))
        .collect();
    let mut savings = Vec::with_capacity(per_service.len());
    let mut savings_total = SavingTotals::default();
    let mut by_vpc: BTreeMap<(String, String, Option<String>), VpcSaving> = BTreeMap::new();
    for (k, bytes) in per_service {
        let price = opt.prices.region(&k.region)?;
        let monthly_bytes = monthly(bytes);
        let nat_cost = gb(monthly_bytes) * price.nat_gateway_per_gb;
        let mut endpoint = endpoint_for(&k.service, k.service_region.as_deref(), &k.region);
        let is_hub = k
            .vpc_id
            .as_ref()
            .is_some_and(|v| hubs.contains(&(k.region.clone(), v.clone())));
        if endpoint == Endpoint::Gateway && is_hub {
            endpoint = Endpoint::HubInterface;
        }
        let endpoint_cost = match endpoint {
            Endpoint::Gateway => Some(0.0),
            Endpoint::Interface | Endpoint::HubInterface => Some(
                price.interface_endpoint_per_az_hour * azs * MONTH_HOURS
                    + price.interface_endpoint_per_gb * gb(monthly_bytes),
            ),
            Endpoint::None => None,
        };
        let saving = endpoint_cost.map_or(0.0, |c| nat_cost - c);
        savings_total.nat_cost_month.0 += nat_cost;
        savings_total.endpoint_cost_month.0 += endpoint_cost.unwrap_or(0.0);
        savings_total.saving_month.0 += saving;
        let vpc = by_vpc
            .entry((k.account_id.clone(), k.region.clone(), k.vpc_id.clone()))
            .or_insert_with(|| VpcSaving {
                account_id: k.account_id.clone(),
                region: k.region.clone(),
                vpc_id: k.vpc_id.clone(),
                nat_cost_month: Money::default(),
                endpoint_cost_month: Money::default(),
                saving_month: Money::default(),
                gateway_saving_month: Money::default(),
                interface_saving_month: Money::default(),
            });
        vpc.nat_cost_month.0 += nat_cost;
        vpc.endpoint_cost_month.0 += endpoint_cost.unwrap_or(0.0);
        vpc.saving_month.0 += saving;
        match endpoint {
            Endpoint::Gateway => vpc.gateway_saving_month.0 += saving,
            Endpoint::Interface | Endpoint::HubInterface => {
                vpc.interface_saving_month.0 += saving;
            }
            Endpoint::None => {}
        }
        savings.push(Saving {
            account_id: k.account_id,
            region: k.region,
            vpc_id: k.vpc_id,
            service: k.service,
            service_region: k.service_region,
            endpoint,
            bytes,
            monthly_bytes,
            nat_cost_month: Money(nat_cost),
            endpoint_cost_month: endpoint_cost.map(Money),
            saving_month: Money(saving),
        });
    }
    savings.sort_by(|a, b| b.saving_month.0.total_cmp(&a.saving_month.0));
    let mut savings_by_vpc: Vec<VpcSaving> = by_vpc.into_values().collect();
    savings_by_vpc.sort_by(|a, b| b.saving_month.0.total_cmp(&a.saving_month.0));

    let mut charge_back = Vec::with_capacity(tally.charge_back.len());
    // A hub whose transit gateway is logged is charged back from those logs (they
    // name the service); the NAT rule covers the other hubs, never the same bytes twice.
    let logged_hubs: BTreeSet<(String, Option<String>)> = tally
        .charge_back
        .keys()
        .filter(|k| k.matched_by == MatchedBy::TransitGatewayLog)
        .map(|k| (k.region.clone(), k.hub_vpc_id.clone()))
        .collect();
    for (k, bytes) in tally.charge_back {
        if k.matched_by == MatchedBy::Inventory
            && logged_hubs.contains(&(k.region.clone(), k.hub_vpc_id.clone()))
        {
            continue;
        }
        let price = opt.prices.region(&k.region)?;
        let Some(tgw_per_gb) = price.transit_gateway_per_gb else {
            bail!(
                "the price table has no transit_gateway_per_gb for region {:?}, which the \
                 charge-back table needs; add it (see docs/report.md)",
                k.region
            );
        };
        let monthly_bytes = monthly(bytes);
        let gbs = gb(monthly_bytes);
        let nat_cost = gbs * price.nat_gateway_per_gb;
        let tgw_cost = gbs * tgw_per_gb;
        let endpoint = endpoint_for(&k.service, k.service_region.as_deref(), &k.region);
        let spoke_endpoint_cost = match endpoint {
            Endpoint::Gateway => Some(0.0),
            Endpoint::Interface | Endpoint::HubInterface => Some(
                price.interface_endpoint_per_az_hour * azs * MONTH_HOURS
                    + price.interface_endpoint_per_gb * gbs,
            ),
            Endpoint::None => None,
        };
        // S3 and DynamoDB have interface endpoints too; a gateway endpoint serves only
        // its own VPC, so the hub's would be an interface endpoint.
        let hub_endpoint_cost = match endpoint {
            Endpoint::Gateway | Endpoint::Interface | Endpoint::HubInterface => {
                Some(price.interface_endpoint_per_gb * gbs)
            }
            Endpoint::None => None,
        };
        charge_back.push(ChargeBack {
            matched_by: k.matched_by.as_str(),
            region: k.region,
            spoke_account_id: k.spoke_account_id,
            spoke_vpc_id: k.spoke_vpc_id,
            hub_vpc_id: k.hub_vpc_id,
            service: k.service,
            service_region: k.service_region,
            bytes,
            monthly_bytes,
            nat_cost_month: Money(nat_cost),
            transit_gateway_cost_month: Money(tgw_cost),
            endpoint,
            spoke_endpoint_saving_month: spoke_endpoint_cost
                .map(|c| Money(nat_cost + tgw_cost - c)),
            hub_endpoint_saving_month: hub_endpoint_cost.map(|c| Money(nat_cost - c)),
        });
    }
    charge_back.sort_by(|a, b| b.nat_cost_month.0.total_cmp(&a.nat_cost_month.0));

    let names_known = !tally.by_name.is_empty();
    let mut named = Vec::with_capacity(tally.by_name.len());
    for (k, b) in tally.by_name {
        let price = opt.prices.region(&k.region)?;
        named.push(NameBytes {
            public_bytes: b.sent_via_nat_gateway + b.internet_gateway + b.public_unresolved,
            nat_cost_month: Money(gb(monthly(b.sent_via_nat_gateway)) * price.nat_gateway_per_gb),
            account_id: k.account_id,
            region: k.region,
            name: k.name,
            service: k.service,
            bytes: b,
        });
    }
    let top = |mut v: Vec<NameBytes>, by: fn(&NameBytes) -> i64| {
        v.retain(|n| by(n) > 0);
        v.sort_by_key(|n| std::cmp::Reverse(by(n)));
        v.truncate(opt.top);
        v
    };
    let top_public_names = top(named.clone(), |n| n.public_bytes);
    let endpoint_names = top(named, |n| n.bytes.endpoint);

    let by_interface = opt.by_interface.then(|| {
        let mut rows: Vec<ByInterface> = tally
            .by_interface
            .into_iter()
            .map(|(k, bytes)| ByInterface {
                account_id: k.account_id,
                region: k.region,
                vpc_id: k.vpc_id,
                interface_id: k.interface_id,
                interface_kind: k.interface_kind,
                service: k.service,
                service_region: k.service_region,
                total: bytes.total(),
                bytes,
            })
            .collect();
        // Largest first (the sent-via-NAT bytes count: an instance behind a NAT
        // gateway has no other); the key breaks ties.
        rows.sort_by_key(|r| std::cmp::Reverse(r.total + r.bytes.sent_via_nat_gateway));
        rows
    });

    // The by-path bytes per AWS service, every VPC together: what each tag's values
    // and its untagged rows add up to.
    let mut by_service: BTreeMap<ServiceOf, Categories> = BTreeMap::new();
    for b in &by_path {
        by_service
            .entry((
                b.account_id.clone(),
                b.region.clone(),
                b.service.clone(),
                b.service_region.clone(),
            ))
            .or_default()
            .add(&b.bytes);
    }
    let mut by_tag = Vec::with_capacity(opt.by_tags.len());
    for key in &opt.by_tags {
        let column = flowpath_core::inventory::column_of(key);
        let mut untagged = by_service.clone();
        let mut rows = Vec::new();
        for (k, b) in tally.by_tag.range(
            TagKey {
                column: column.clone(),
                ..TagKey::default()
            }..,
        ) {
            if k.column != column {
                break;
            }
            let of: ServiceOf = (
                k.account_id.clone(),
                k.region.clone(),
                k.service.clone(),
                k.service_region.clone(),
            );
            untagged.entry(of).or_default().sub(b);
            rows.push((Some(k.value.clone()), of_key(k), *b));
        }
        let found = !rows.is_empty();
        rows.extend(
            untagged
                .into_iter()
                .filter(|(_, b)| *b != Categories::default())
                .map(|(of, b)| (None, of, b)),
        );
        let mut rows = rows
            .into_iter()
            .map(
                |(value, (account_id, region, service, service_region), bytes)| {
                    let price = opt.prices.region(&region)?;
                    Ok(TagRow {
                        nat_cost_month: Money(
                            gb(monthly(bytes.sent_via_nat_gateway)) * price.nat_gateway_per_gb,
                        ),
                        value,
                        account_id,
                        region,
                        service,
                        service_region,
                        total: bytes.total(),
                        bytes,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        rows.sort_by_key(|r| std::cmp::Reverse(r.total + r.bytes.sent_via_nat_gateway));
        by_tag.push(TagBytes {
            key: key.clone(),
            column,
            found,
            rows,
        });
    }

    let mut top_talkers: Vec<GatewayTalkers> = Vec::new();
    let keys: BTreeSet<&GatewayKey> = tally
        .talker_addresses
        .keys()
        .chain(tally.talker_ports.keys())
        .collect();
    for k in keys {
        fn listed<T: Copy + Ord + std::hash::Hash + ToString>(
            s: Option<&Sketch<T>>,
            top: usize,
        ) -> Vec<TalkerBytes> {
            s.map(|s| s.truncated(top).top())
                .unwrap_or_default()
                .into_iter()
                .map(|c| TalkerBytes {
                    talker: c.item.to_string(),
                    bytes: i64::try_from(c.count).unwrap_or(i64::MAX),
                    error: i64::try_from(c.error).unwrap_or(i64::MAX),
                    exact: c.error == 0,
                })
                .collect()
        }
        let addresses = tally.talker_addresses.get(k);
        top_talkers.push(GatewayTalkers {
            account_id: k.account_id.clone(),
            region: k.region.clone(),
            vpc_id: k.vpc_id.clone(),
            path: k.path.clone(),
            gateway_id: k.gateway_id.clone(),
            service: k.service.clone(),
            service_region: k.service_region.clone(),
            bytes: addresses.map_or(0, |s| i64::try_from(s.total()).unwrap_or(i64::MAX)),
            addresses: listed(addresses, opt.top),
            ports: listed(tally.talker_ports.get(k), opt.top),
        });
    }
    top_talkers.sort_by_key(|g| std::cmp::Reverse(g.bytes));

    let by_day = tally
        .by_day
        .into_iter()
        .map(|((day, service), bytes)| DayBytes {
            day,
            service,
            bytes,
        })
        .collect();
    Ok(Report {
        flowpath_version: flowpath_core::VERSION,
        output_dir: opt.output_dir.clone(),
        from: opt.from.clone(),
        to: opt.to.clone(),
        files: tally.files,
        rows: tally.rows,
        days: tally.days.into_iter().collect(),
        period_days,
        month_days: MONTH_DAYS,
        prices: PriceInfo {
            source: opt.prices.source.clone(),
            taken: opt.prices.taken.clone(),
            currency: opt.prices.currency.clone(),
            file: opt.prices_file.clone(),
            notes: opt.prices.notes.clone(),
        },
        interface_endpoint_azs: opt.azs,
        html: None,
        total: totals.total(),
        totals,
        by_path,
        top_nat_flows,
        savings,
        savings_by_vpc,
        savings_total,
        by_day,
        by_interface,
        transit_files: tally.transit_files,
        charge_back,
        names_known,
        top_public_names,
        endpoint_names,
        by_tag,
        top_talkers,
    })
}

/// The service a tag key counts under.
fn of_key(k: &TagKey) -> ServiceOf {
    (
        k.account_id.clone(),
        k.region.clone(),
        k.service.clone(),
        k.service_region.clone(),
    )
}

/// The report of `t` at the embedded prices, interface endpoints in 2 AZs, the top 10.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
fn priced(t: Tally, by_interface: bool) -> Report {
    let prices = PriceTable::embedded().unwrap();
    build(
        t,
        &Options {
            prices: &prices,
            prices_file: None,
            azs: 2,
            top: 10,
            output_dir: "out".into(),
            from: None,
            to: None,
            by_interface,
            by_tags: Vec::new(),
        },
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str, kind: Option<&str>, service: &str, bytes: i64) -> Row {
        Row {
            account_id: String::new(),
            region: String::new(),
            day: String::new(),
            window_start: Some(1_787_410_800),
            vpc_id: Some("vpc-1".into()),
            subnet_id: None,
            interface_id: Some("eni-1".into()),
            interface_kind: kind.map(Into::into),
            direction: "egress".into(),
            path: path.into(),
            attribution: "inventory".into(),
            gateway_id: (path == "nat_gateway").then(|| "nat-1".into()),
            remote_service: Some(service.into()),
            remote_region: Some("us-east-1".into()),
            action: Some("ACCEPT".into()),
            protocol: Some(6),
            flows: 1,
            packets: Some(1),
            bytes: Some(bytes),
            ..Row::default()
        }
    }

    fn report(rows: &[(&str, Row)]) -> Report {
        let mut t = Tally::default();
        for (day, r) in rows {
            t.add("111111111111", "us-east-1", day, r);
        }
        priced(t, false)
    }

    const D: &str = "2026-08-22";
    const GIB: i64 = 1 << 30;

    #[test]
    fn repeats_count_nowhere() {
        let r = report(&[
            (D, row("nat_gateway", Some("nat_gateway"), "S3", 100)),
            (D, row("via_nat_gateway", Some("instance"), "S3", 100)),
            (D, row("gateway_endpoint", Some("instance"), "S3", 7)),
            (D, row("interface_endpoint", None, "SQS", 5)),
            (D, row("interface_endpoint", Some("vpc_endpoint"), "SQS", 5)),
            (D, row("public", None, "S3", 3)),
            (
                D,
                row("internet_gateway_or_gateway_endpoint", None, "S3", 2),
            ),
            (D, row("transit_gateway", None, "S3", 1)),
            (D, row("internet_gateway", None, "INTERNET", 1000)),
        ]);
        assert_eq!(
            r.totals,
            Categories {
                endpoint: 12,
                nat_gateway: 100,
                internet_gateway: 0,
                public_unresolved: 5,
                other: 1,
                sent_via_nat_gateway: 100,
            }
        );
        assert_eq!(r.total, 118);
        assert_eq!(r.rows, 9);
        let services: Vec<&str> = r.by_path.iter().map(|b| b.service.as_str()).collect();
        assert_eq!(services, ["S3", "SQS"]);
    }

    #[test]
    fn gateway_and_interface_savings_to_the_cent() {
        // One day scaled to 30: 1 GiB/day of S3 and 10 GiB/day of SQS through NAT.
        let r = report(&[
            (D, row("nat_gateway", Some("nat_gateway"), "S3", GIB)),
            (D, row("nat_gateway", Some("nat_gateway"), "SQS", 10 * GIB)),
        ]);
        assert_eq!(r.period_days, 1);
        let s3 = r.savings.iter().find(|s| s.service == "S3").unwrap();
        assert_eq!(s3.endpoint, Endpoint::Gateway);
        assert_eq!(s3.monthly_bytes, 30 * GIB);
        assert_eq!(s3.nat_cost_month.cents(), 1.35); // 30 GB × $0.045
        assert_eq!(s3.saving_month.cents(), 1.35);
        let sqs = r.savings.iter().find(|s| s.service == "SQS").unwrap();
        assert_eq!(sqs.endpoint, Endpoint::Interface);
        assert_eq!(sqs.nat_cost_month.cents(), 13.5); // 300 GB × $0.045
        // 2 AZs × 720 h × $0.01 + 300 GB × $0.01
        assert_eq!(sqs.endpoint_cost_month.unwrap().cents(), 17.4);
        assert_eq!(sqs.saving_month.cents(), -3.9);
        assert_eq!(r.savings_total.saving_month.cents(), -2.55);
        assert_eq!(r.savings[0].service, "S3", "largest saving first");
    }

    #[test]
    fn cross_region_traffic_saves_nothing() {
        let mut far = row("nat_gateway", Some("nat_gateway"), "S3", GIB);
        far.remote_region = Some("eu-west-1".into());
        let r = report(&[(D, far)]);
        assert_eq!(r.savings[0].endpoint, Endpoint::None);
        assert!(r.savings[0].endpoint_cost_month.is_none());
        assert_eq!(r.savings[0].saving_month.cents(), 0.0);
        assert_eq!(r.savings[0].nat_cost_month.cents(), 1.35);
    }

    #[test]
    fn dates() {
        assert!(is_date("2026-08-22"));
        assert!(!is_date("unknown"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("2026-8-22x"));
    }
}

#[cfg(test)]
mod charge_back_tests {
    use super::*;

    const GIB: i64 = 1 << 30;

    /// A NAT gateway's inside leg in hub `hub`, to an instance of `spoke`.
    fn inside_leg(hub: &str, spoke: &str, bytes: i64) -> Row {
        Row {
            window_start: Some(1_787_410_800),
            vpc_id: Some(hub.into()),
            interface_kind: Some("nat_gateway".into()),
            direction: "ingress".into(),
            path: "intra_vpc".into(),
            attribution: "inventory".into(),
            remote_service: Some("PRIVATE".into()),
            remote_vpc_id: Some(spoke.into()),
            remote_account_id: Some("222233334444".into()),
            flows: 1,
            bytes: Some(bytes),
            ..Row::default()
        }
    }

    /// A transit gateway row entering the gateway from `spoke` toward S3 via `hub`.
    fn tgw_row(hub: &str, spoke: &str, bytes: i64) -> TransitRow {
        TransitRow {
            window_start: Some(1_787_410_800),
            src_vpc_account_id: Some("222233334444".into()),
            src_vpc_id: Some(spoke.into()),
            dst_vpc_id: Some(hub.into()),
            flow_direction: Some("ingress".into()),
            direction: "egress".into(),
            remote_service: Some("S3".into()),
            remote_region: Some("us-east-1".into()),
            flows: 1,
            bytes: Some(bytes),
            ..TransitRow::default()
        }
    }

    #[test]
    fn a_logged_transit_gateway_wins_over_the_nat_rule_for_its_hub_only() {
        let mut t = Tally::default();
        let day = "2026-08-22";
        // Hub 1: both kinds of evidence for the same bytes; hub 2: the NAT's only.
        t.add(
            "1",
            "us-east-1",
            day,
            &inside_leg("vpc-hub1", "vpc-spoke", GIB),
        );
        t.add_transit("us-east-1", day, &tgw_row("vpc-hub1", "vpc-spoke", GIB));
        t.add(
            "1",
            "us-east-1",
            day,
            &inside_leg("vpc-hub2", "vpc-spoke", 2 * GIB),
        );
        // The hub's own instance behind its NAT gateway: not a spoke.
        t.add(
            "1",
            "us-east-1",
            day,
            &inside_leg("vpc-hub2", "vpc-hub2", 5 * GIB),
        );
        let r = priced(t, false);
        let rows: Vec<_> = r
            .charge_back
            .iter()
            .map(|c| {
                (
                    c.matched_by,
                    c.hub_vpc_id.as_deref(),
                    c.service.as_str(),
                    c.monthly_bytes,
                    c.nat_cost_month.cents(),
                    c.transit_gateway_cost_month.cents(),
                    c.spoke_endpoint_saving_month.map(Money::cents),
                )
            })
            .collect();
        // One day → ×30. us-east-1: NAT $0.045/GB, transit gateway $0.02/GB.
        assert_eq!(
            rows,
            [
                (
                    "inventory",
                    Some("vpc-hub2"),
                    UNKNOWN_SERVICE,
                    60 * GIB,
                    2.7,
                    1.2,
                    None
                ),
                (
                    "transit_gateway_log",
                    Some("vpc-hub1"),
                    "S3",
                    30 * GIB,
                    1.35,
                    0.6,
                    Some(1.95)
                ),
            ]
        );
    }
    #[test]
    fn a_hub_vpc_is_offered_an_interface_endpoint_for_s3_not_a_gateway() {
        // The outside leg of a NAT gateway: to S3 in the NAT's region.
        let outside = |vpc: &str| Row {
            window_start: Some(1_787_410_800),
            vpc_id: Some(vpc.into()),
            interface_kind: Some("nat_gateway".into()),
            gateway_id: Some("nat-1".into()),
            direction: "egress".into(),
            path: "nat_gateway".into(),
            attribution: "inventory".into(),
            remote_service: Some("S3".into()),
            remote_region: Some("us-east-1".into()),
            flows: 1,
            bytes: Some(GIB),
            ..Row::default()
        };
        let mut t = Tally::default();
        let day = "2026-08-22";
        // vpc-hub's NAT gateway carries a spoke's bytes; vpc-alone's only its own.
        t.add(
            "1",
            "us-east-1",
            day,
            &inside_leg("vpc-hub", "vpc-spoke", GIB),
        );
        t.add("1", "us-east-1", day, &outside("vpc-hub"));
        t.add("1", "us-east-1", day, &outside("vpc-alone"));
        let r = priced(t, false);
        let got = |vpc: &str| {
            r.savings
                .iter()
                .find(|s| s.vpc_id.as_deref() == Some(vpc))
                .map(|s| {
                    (
                        s.endpoint,
                        s.endpoint_cost_month.map(Money::cents),
                        s.saving_month.cents(),
                    )
                })
        };
        // One day → ×30 GB; us-east-1: NAT $0.045/GB, an interface endpoint 2 AZs ×
        // 720 h × $0.01 + $0.01/GB.
        assert_eq!(got("vpc-alone"), Some((Endpoint::Gateway, Some(0.0), 1.35)));
        assert_eq!(
            got("vpc-hub"),
            Some((Endpoint::HubInterface, Some(14.7), -13.35))
        );
        let hub = r
            .savings_by_vpc
            .iter()
            .find(|v| v.vpc_id.as_deref() == Some("vpc-hub"));
        assert_eq!(
            hub.map(|v| (
                v.gateway_saving_month.cents(),
                v.interface_saving_month.cents()
            )),
            Some((0.0, -13.35))
        );
    }
}

#[cfg(test)]
mod by_interface_tests {
    use super::*;

    #[test]
    fn bytes_per_interface_only_when_asked() {
        let row = |eni: &str, path: &str, bytes: i64| Row {
            window_start: Some(1_787_410_800),
            vpc_id: Some("vpc-1".into()),
            interface_id: Some(eni.into()),
            interface_kind: Some("instance".into()),
            direction: "egress".into(),
            path: path.into(),
            attribution: "inventory".into(),
            remote_service: Some("S3".into()),
            remote_region: Some("us-east-1".into()),
            flows: 1,
            bytes: Some(bytes),
            ..Row::default()
        };
        let mut t = Tally::default();
        for r in [
            row("eni-a", "gateway_endpoint", 700),
            row("eni-a", "internet_gateway", 300),
            row("eni-b", "via_nat_gateway", 5000),
        ] {
            t.add("1", "us-east-1", "2026-08-22", &r);
        }
        let r = priced(t, true);
        let rows: Vec<_> = r
            .by_interface
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b.interface_id.clone().unwrap(),
                    b.bytes.endpoint,
                    b.bytes.internet_gateway,
                    b.bytes.sent_via_nat_gateway,
                    b.total,
                )
            })
            .collect();
        // eni-b first: its 5000 bytes sent via NAT are all it has.
        assert_eq!(
            rows,
            [
                ("eni-b".to_owned(), 0, 0, 5000, 0),
                ("eni-a".to_owned(), 700, 300, 0, 1000)
            ]
        );
        let mut t = Tally::default();
        t.add(
            "1",
            "us-east-1",
            "2026-08-22",
            &row("eni-a", "gateway_endpoint", 1),
        );
        assert!(priced(t, false).by_interface.is_none());
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]
mod by_tag_tests {
    use super::*;

    const GIB: i64 = 1 << 30;

    fn row(eni: &str, team: Option<&str>, path: &str, bytes: i64) -> Row {
        Row {
            window_start: Some(1_787_410_800),
            vpc_id: Some("vpc-1".into()),
            interface_id: Some(eni.into()),
            interface_kind: Some("instance".into()),
            direction: "egress".into(),
            path: path.into(),
            attribution: "inventory".into(),
            remote_service: Some("S3".into()),
            remote_region: Some("us-east-1".into()),
            tags: team
                .map(|t| vec![("tag_team".to_owned(), t.to_owned())])
                .unwrap_or_default(),
            flows: 1,
            bytes: Some(bytes),
            ..Row::default()
        }
    }

    #[test]
    fn bytes_per_tag_value_and_the_untagged_rest_add_up_to_the_by_path_table() {
        // Two tallies (two files), merged, as the report reads them.
        let (mut a, mut b) = (Tally::default(), Tally::default());
        let day = "2026-08-22";
        a.add(
            "1",
            "us-east-1",
            day,
            &row("eni-a", Some("web"), "via_nat_gateway", GIB),
        );
        a.add(
            "1",
            "us-east-1",
            day,
            &row("eni-a", Some("web"), "gateway_endpoint", 3 * GIB),
        );
        b.add(
            "1",
            "us-east-1",
            day,
            &row("eni-b", Some("data"), "via_nat_gateway", 2 * GIB),
        );
        b.add(
            "1",
            "us-east-1",
            day,
            &row("eni-c", None, "internet_gateway", 5 * GIB),
        );
        a.merge(b);
        let prices = PriceTable::embedded().unwrap();
        let r = build(
            a,
            &Options {
                prices: &prices,
                prices_file: None,
                azs: 2,
                top: 10,
                output_dir: "out".into(),
                from: None,
                to: None,
                by_interface: false,
                by_tags: vec!["Team".into(), "Owner".into()],
            },
        )
        .unwrap();
        let team = &r.by_tag[0];
        assert_eq!(
            (team.key.as_str(), team.column.as_str()),
            ("Team", "tag_team")
        );
        assert!(team.found);
        let got: Vec<_> = team
            .rows
            .iter()
            .map(|t| {
                (
                    t.value.as_deref(),
                    t.bytes.endpoint,
                    t.bytes.sent_via_nat_gateway,
                    t.bytes.internet_gateway,
                    t.nat_cost_month.cents(),
                )
            })
            .collect();
        // Largest first; one day → ×30; us-east-1 NAT $0.045/GB.
        assert_eq!(
            got,
            [
                (None, 0, 0, 5 * GIB, 0.0),
                (Some("web"), 3 * GIB, GIB, 0, 1.35),
                (Some("data"), 0, 2 * GIB, 0, 2.7),
            ]
        );
        // A key no row has: every byte is untagged, and it says so.
        let owner = &r.by_tag[1];
        assert!(!owner.found);
        assert_eq!(owner.rows.len(), 1);
        assert_eq!(owner.rows[0].value, None);
        assert_eq!(owner.rows[0].total, r.total);
        assert_eq!(
            owner.rows[0].bytes.sent_via_nat_gateway,
            r.totals.sent_via_nat_gateway
        );
    }
}
