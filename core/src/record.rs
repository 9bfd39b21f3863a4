//! One flow-log record, typed, borrowing its text from the line it was parsed from.
//!
//! A [`Record`] holds `None` for every field the format lacks and for every `-` value.
//! Numbers, addresses and enumerated values are checked and converted by the parser
//! ([`crate::parse`]); text fields stay `&[u8]` slices of the line (checked to be UTF-8
//! where they reach the output), so building a record allocates nothing.

use std::net::IpAddr;

use crate::format::Field;

/// `action`: whether security groups and network ACLs allowed the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `ACCEPT`
    Accept,
    /// `REJECT`
    Reject,
}

impl Action {
    /// The value as AWS writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}

/// `log-status`: whether the record carries traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogStatus {
    /// `OK`: data is logging normally.
    Ok,
    /// `NODATA`: no traffic in the aggregation interval.
    NoData,
    /// `SKIPDATA`: AWS skipped records in the interval (capacity or internal error).
    SkipData,
}

/// `flow-direction`, relative to the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowDirection {
    /// `ingress`
    Ingress,
    /// `egress`
    Egress,
}

/// A parsed record. Every field is `None` when absent from the format or `-`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)] // fields are AWS's, documented in `Field` and flowlogs.md
pub struct Record<'a> {
    pub version: Option<u8>,
    pub account_id: Option<&'a str>,
    pub interface_id: Option<&'a str>,
    pub srcaddr: Option<IpAddr>,
    pub dstaddr: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub action: Option<Action>,
    pub log_status: Option<LogStatus>,
    pub vpc_id: Option<&'a str>,
    pub subnet_id: Option<&'a str>,
    pub instance_id: Option<&'a str>,
    pub tcp_flags: Option<u16>,
    pub traffic_type: Option<&'a str>,
    pub pkt_srcaddr: Option<IpAddr>,
    pub pkt_dstaddr: Option<IpAddr>,
    pub region: Option<&'a str>,
    pub az_id: Option<&'a str>,
    pub sublocation_type: Option<&'a str>,
    pub sublocation_id: Option<&'a str>,
    pub pkt_src_aws_service: Option<&'a str>,
    pub pkt_dst_aws_service: Option<&'a str>,
    pub flow_direction: Option<FlowDirection>,
    pub traffic_path: Option<u8>,
    /// The text of the v7 ECS fields and v8 `reject-reason`, indexed by
    /// `field as usize - Field::EcsClusterArn as usize`.
    pub extra: [Option<&'a [u8]>; 11],
    /// The text of `resource-type` and the `tgw-…` fields of transit gateway logs,
    /// indexed by `field as usize - Field::ResourceType as usize`.
    pub tgw: [Option<&'a str>; 14],
    /// The `packets-lost-…` counts of transit gateway logs, indexed by
    /// `field as usize - Field::PacketsLostNoRoute as usize`.
    pub packets_lost: [Option<u64>; 4],
}

impl<'a> Record<'a> {
    /// The raw text of an ECS field or `reject-reason`, when present.
    pub fn extra(&self, field: Field) -> Option<&'a [u8]> {
        (field as usize)
            .checked_sub(Field::EcsClusterArn as usize)
            .and_then(|i| self.extra.get(i).copied().flatten())
    }

    /// The text of `resource-type` or a `tgw-…` field, when present.
    pub fn tgw(&self, field: Field) -> Option<&'a str> {
        (field as usize)
            .checked_sub(Field::ResourceType as usize)
            .and_then(|i| self.tgw.get(i).copied().flatten())
    }

    /// A `packets-lost-…` count, when present.
    pub fn packets_lost(&self, field: Field) -> Option<u64> {
        (field as usize)
            .checked_sub(Field::PacketsLostNoRoute as usize)
            .and_then(|i| self.packets_lost.get(i).copied().flatten())
    }

    /// Whether the record carries traffic: `log-status` is OK, or absent from the format.
    pub fn has_traffic(&self) -> bool {
        matches!(self.log_status, None | Some(LogStatus::Ok))
    }
}
