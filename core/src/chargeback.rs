//! Centralised-egress charge-back: whose bytes a central egress VPC's NAT gateway
//! processes, read off summary rows. Two rules, one per evidence:
//!
//! - **transit gateway logs** ([`from_transit_row`]): the flow's source and
//!   destination VPCs and its remote are on the same record, so a row says which spoke
//!   sent (or received) bytes to (or from) which AWS service through which hub;
//! - **the NAT gateway's own flow log and the inventory** ([`from_nat_row`]): on the NAT
//!   gateway's ENI, the leg between the NAT and the instance (`intra_vpc`) has the
//!   instance's address as its remote, and the inventory places it in its VPC
//!   (`remote_vpc_id`, by the VPCs' CIDRs). That leg does not say where the bytes went
//!   next (the default format has no `pkt-dstaddr`), so its service is unknown.
//!
//! Invariants: each byte is counted once by each rule (transit gateway rows only where
//! they entered the gateway; NAT rows only on the inside leg, whose bytes are the ones
//! the outside leg carries); nothing is guessed: a row whose spoke cannot be told
//! (no VPC in the log, overlapping CIDRs) gives `None` spoke fields and is reported
//! as unmatched, not dropped. `flowpath report` prefers the transit gateway rule for a
//! hub whose transit gateway is logged, and uses the NAT rule for the others, so the
//! two never add up the same bytes.

use crate::output::Row;
use crate::transit::TransitRow;

/// Which evidence matched a spoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchedBy {
    /// The transit gateway's flow logs.
    TransitGatewayLog,
    /// The NAT gateway's flow log and the spokes' VPC CIDRs in the inventory.
    Inventory,
}

impl MatchedBy {
    /// The value the report prints.
    pub const fn as_str(self) -> &'static str {
        match self {
            MatchedBy::TransitGatewayLog => "transit_gateway_log",
            MatchedBy::Inventory => "inventory",
        }
    }
}

/// Whose bytes a transit gateway row carries through a central egress VPC: the spoke
/// VPC (and its account) that sent or received them, and the hub VPC they left or
/// entered AWS's network from (through its NAT gateway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Egress<'r> {
    /// The spoke VPC's account (`-` in the log: none).
    pub spoke_account_id: Option<&'r str>,
    /// The spoke VPC (none for a VPN or Direct Connect attachment).
    pub spoke_vpc_id: Option<&'r str>,
    /// The egress (hub) VPC.
    pub hub_vpc_id: Option<&'r str>,
}

/// The centralised-egress charge-back rule, on summary rows:
///
/// - only `flow_direction = 'ingress'` rows count (the bytes that entered the transit
///   gateway through the row's attachment): each byte once, as AWS bills data
///   processing;
/// - only rows with a public remote (an AWS service or `INTERNET`): traffic between
///   private addresses does not leave through a NAT gateway;
/// - toward the remote (`direction = 'egress'`), the spoke is the source VPC and the
///   hub the destination VPC; from the remote (`ingress`, the answers), the other way
///   round.
///
/// ```
/// use flowpath_core::chargeback::from_transit_row;
/// use flowpath_core::transit::TransitRow;
/// let row = TransitRow {
///     flow_direction: Some("ingress".into()),
///     direction: "egress".into(),
///     remote_service: Some("S3".into()),
///     src_vpc_account_id: Some("111122223333".into()),
///     src_vpc_id: Some("vpc-spoke".into()),
///     dst_vpc_id: Some("vpc-hub".into()),
///     ..TransitRow::default()
/// };
/// let e = from_transit_row(&row).unwrap();
/// assert_eq!((e.spoke_vpc_id, e.hub_vpc_id), (Some("vpc-spoke"), Some("vpc-hub")));
/// let leaving = TransitRow { flow_direction: Some("egress".into()), ..row };
/// assert_eq!(from_transit_row(&leaving), None);
/// ```
pub fn from_transit_row(row: &TransitRow) -> Option<Egress<'_>> {
    if row.flow_direction.as_deref() != Some("ingress") {
        return None;
    }
    if row.remote_service.as_deref().is_none_or(|s| s == "PRIVATE") {
        return None;
    }
    let (src, dst) = (
        (row.src_vpc_account_id.as_deref(), row.src_vpc_id.as_deref()),
        (row.dst_vpc_account_id.as_deref(), row.dst_vpc_id.as_deref()),
    );
    let (spoke, hub) = match row.direction.as_str() {
        "egress" => (src, dst),
        "ingress" => (dst, src),
        _ => return None,
    };
    Some(Egress {
        spoke_account_id: spoke.0,
        spoke_vpc_id: spoke.1,
        hub_vpc_id: hub.1,
    })
}

/// The NAT gateway rule, on a VPC summary row: a row logged on a NAT gateway's ENI
/// (`interface_kind = 'nat_gateway'`), on its leg to the instance (`path =
/// 'intra_vpc'`), whose remote the inventory places in another VPC
/// (`remote_vpc_id`, not the row's own `vpc_id`). Both directions count: the NAT
/// processes the bytes out and the answers back.
///
/// ```
/// use flowpath_core::chargeback::from_nat_row;
/// use flowpath_core::output::Row;
/// let row = Row {
///     vpc_id: Some("vpc-hub".into()),
///     interface_kind: Some("nat_gateway".into()),
///     path: "intra_vpc".into(),
///     remote_vpc_id: Some("vpc-spoke".into()),
///     remote_account_id: Some("111122223333".into()),
///     ..Row::default()
/// };
/// let e = from_nat_row(&row).unwrap();
/// assert_eq!((e.spoke_vpc_id, e.hub_vpc_id), (Some("vpc-spoke"), Some("vpc-hub")));
/// let local = Row { remote_vpc_id: Some("vpc-hub".into()), ..row };
/// assert_eq!(from_nat_row(&local), None);
/// ```
pub fn from_nat_row(row: &Row) -> Option<Egress<'_>> {
    if row.interface_kind.as_deref() != Some("nat_gateway") || row.path != "intra_vpc" {
        return None;
    }
    let spoke = row.remote_vpc_id.as_deref()?;
    if Some(spoke) == row.vpc_id.as_deref() {
        return None;
    }
    Some(Egress {
        spoke_account_id: row.remote_account_id.as_deref(),
        spoke_vpc_id: Some(spoke),
        hub_vpc_id: row.vpc_id.as_deref(),
    })
}
