//! Transit gateway flow logs: their records summed into their own table.
//!
//! A transit gateway log shares the VPC logs' grammar and most of their fields, and
//! adds `resource-type`, the `tgw-…` fields and the `packets-lost-…` counts
//! ([`Field::is_transit_gateway_only`]); it has no `interface-id`, `action` or
//! `traffic-path`. A format naming one of its own fields is a transit gateway log's
//! ([`crate::format::Format::is_transit_gateway`]): S3 text files carry a header
//! line, Parquet files a schema, so the kind is known from the file itself (the key
//! cannot tell: AWS writes both kinds under `vpcflowlogs/`). Its records go through
//! the same sources and the same checks as VPC records ([`crate::engine`]); only the
//! groups differ.
//!
//! A group ([`TransitRow`]) is: the hour of `start`; the account and region (the
//! record's, else the key layout's, as for VPC logs: they are the partition); the
//! transit gateway, the attachment the record was logged on and its pair; the source
//! and destination VPCs and their accounts; `flow-direction`; the direction relative
//! to the remote, and the remote's AWS service and region; the protocol. It sums records, packets, bytes and the four
//! `packets-lost-…` counts.
//!
//! Invariants:
//! - **the remote** is the side in public space (the other side is a VPC's address):
//!   `dstaddr` when only `srcaddr` is private, `srcaddr` when only `dstaddr` is, and
//!   `dstaddr` when both are public; both private is `PRIVATE` (traffic between VPCs
//!   or to on-premises networks). `direction` says which: `egress` toward a remote
//!   `dstaddr`, `ingress` from a remote `srcaddr`, `unknown` between private sides.
//!   `flow-direction` does not decide it: in these logs it is relative to the
//!   attachment, not to a host;
//! - **each byte once**: a flow between two attachments is logged on both. The rows
//!   with `flow_direction = 'ingress'` are the bytes that entered the transit gateway
//!   through `tgw_attachment_id`, which is what AWS bills as data processing (per GB
//!   sent from an attachment to the transit gateway); `egress` rows are the same bytes
//!   leaving through the pair attachment;
//! - sums follow the VPC table's rule: a group whose sum an INT64 cannot hold is
//!   written nowhere and its records are malformed; a count the format lacks is null,
//!   never zero;
//! - rows are sorted by their resolved values, so the output does not depend on the
//!   split of the input between workers.
//!
//! Files go under `transit_gateway/` in the output ([`TABLE_DIR`]), with the same
//! `account_id=…/region=…/day=…` partitions and footer as the VPC summaries.

mod columns;
mod table;

pub use columns::{batch_of, read_rows, rows_from_batch, schema, write_parquet};
pub(crate) use table::{TransitCarried, TransitTable};

use std::net::IpAddr;

use crate::classify::Direction;
use crate::format::Field;
use crate::ranges::{self, LabelId, Ranges};
use crate::record::Record;

/// The format of a transit gateway flow log created without one: every field, in the
/// order of AWS's field table ("if no log format is given, all fields are included").
pub const DEFAULT_FORMAT: &str = "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service";

/// The directory, under an output, that holds the transit gateway summaries.
pub const TABLE_DIR: &str = "transit_gateway";

/// One row of the transit gateway summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[allow(missing_docs)] // the columns are documented in README.md and docs/transit-gateway.md
pub struct TransitRow {
    pub account_id: String,
    pub region: String,
    pub day: String,
    /// Start of the hour, Unix seconds.
    pub window_start: Option<i64>,
    pub tgw_id: Option<String>,
    pub tgw_attachment_id: Option<String>,
    pub tgw_pair_attachment_id: Option<String>,
    pub src_vpc_account_id: Option<String>,
    pub src_vpc_id: Option<String>,
    pub dst_vpc_account_id: Option<String>,
    pub dst_vpc_id: Option<String>,
    pub flow_direction: Option<String>,
    /// Relative to the remote: `egress` (the remote is `dstaddr`), `ingress` (it is
    /// `srcaddr`), `unknown` (both sides private).
    pub direction: String,
    pub remote_service: Option<String>,
    pub remote_region: Option<String>,
    pub protocol: Option<i32>,
    pub flows: i64,
    pub packets: Option<i64>,
    pub bytes: Option<i64>,
    pub packets_lost_no_route: Option<i64>,
    pub packets_lost_blackhole: Option<i64>,
    pub packets_lost_mtu_exceeded: Option<i64>,
    pub packets_lost_ttl_expired: Option<i64>,
}

impl TransitRow {
    /// Whether two rows fall in the same Hive partition (account, region, day).
    pub fn same_partition(&self, other: &TransitRow) -> bool {
        (&self.account_id, &self.region, &self.day)
            == (&other.account_id, &other.region, &other.day)
    }
}

/// The `packets-lost-…` fields, in the order of [`Record::packets_lost`].
pub(crate) const LOST: [Field; 4] = [
    Field::PacketsLostNoRoute,
    Field::PacketsLostBlackhole,
    Field::PacketsLostMtuExceeded,
    Field::PacketsLostTtlExpired,
];

/// The remote of a transit gateway record and the direction relative to it (see the
/// module's invariants): `Egress` when the remote is `dstaddr` (a VPC sends to it),
/// `Ingress` when it is `srcaddr`, `Unknown` when both sides are private. `None` when
/// the record has no address at all.
pub fn remote_of(rec: &Record<'_>, ranges: &Ranges) -> Option<(LabelId, Direction)> {
    let label = |addr: IpAddr| {
        if ranges.is_private(addr) {
            ranges::PRIVATE
        } else {
            ranges.lookup(addr)
        }
    };
    match (rec.srcaddr, rec.dstaddr) {
        (Some(src), Some(dst)) => match (ranges.is_private(src), ranges.is_private(dst)) {
            (true, true) => Some((ranges::PRIVATE, Direction::Unknown)),
            (false, true) => Some((label(src), Direction::Ingress)),
            _ => Some((label(dst), Direction::Egress)),
        },
        (Some(src), None) => Some((label(src), Direction::Ingress)),
        (None, Some(dst)) => Some((label(dst), Direction::Egress)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::parse::parse_line;

    #[test]
    fn every_field_of_the_default_format_parses() {
        let format = Format::parse(DEFAULT_FORMAT).unwrap();
        assert!(format.is_transit_gateway());
        assert_eq!(format.version(), 6);
        assert!(format.unknown_names().next().is_none());
        assert!(!Format::v2().is_transit_gateway());
        let line = b"6 TransitGateway 111122223333 tgw-0aa tgw-attach-0bb 111122223333 444455556666 vpc-01 vpc-02 subnet-01 subnet-02 eni-01 eni-02 euw1-az1 euw1-az2 tgw-attach-0cc 10.1.0.5 3.5.98.9 40000 443 6 12 9000 1787400000 1787400060 OK IPv4 1 2 3 - 18 eu-west-1 ingress - S3";
        let r = parse_line(&format, line).unwrap();
        assert_eq!(r.tgw(Field::ResourceType), Some("TransitGateway"));
        assert_eq!(r.tgw(Field::TgwId), Some("tgw-0aa"));
        assert_eq!(r.tgw(Field::TgwSrcVpcAccountId), Some("111122223333"));
        assert_eq!(r.tgw(Field::TgwDstVpcId), Some("vpc-02"));
        assert_eq!(r.tgw(Field::TgwDstAzId), Some("euw1-az2"));
        assert_eq!(r.tgw(Field::TgwPairAttachmentId), Some("tgw-attach-0cc"));
        assert_eq!(r.tgw(Field::Srcaddr), None);
        assert_eq!(r.packets_lost(Field::PacketsLostNoRoute), Some(1));
        assert_eq!(r.packets_lost(Field::PacketsLostMtuExceeded), Some(3));
        assert_eq!(r.packets_lost(Field::PacketsLostTtlExpired), None);
        assert_eq!((r.bytes, r.tcp_flags), (Some(9000), Some(18)));
        assert_eq!(r.pkt_dst_aws_service, Some("S3"));
        let bad = parse_line(&format, &line.replace_word(b"1 2 3", b"1 x 3")).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "field `packets-lost-blackhole`: not an integer in range"
        );
    }

    trait ReplaceWord {
        fn replace_word(&self, from: &[u8], to: &[u8]) -> Vec<u8>;
    }
    impl ReplaceWord for [u8] {
        fn replace_word(&self, from: &[u8], to: &[u8]) -> Vec<u8> {
            let at = self
                .windows(from.len())
                .position(|w| w == from)
                .expect("present");
            [&self[..at], to, &self[at + from.len()..]].concat()
        }
    }

    #[test]
    fn the_remote_is_the_public_side() {
        let ranges = Ranges::embedded();
        let format = Format::parse("srcaddr dstaddr").unwrap();
        let label = |line: &[u8]| {
            let rec = parse_line(&format, line).unwrap();
            remote_of(&rec, &ranges).map(|(l, d)| {
                let l = ranges.label(l);
                (l.service.clone(), l.region.clone(), d)
            })
        };
        let s3 = |d| Some(("S3".to_owned(), Some("eu-west-1".to_owned()), d));
        assert_eq!(label(b"10.1.0.5 3.5.98.9"), s3(Direction::Egress));
        assert_eq!(label(b"3.5.98.9 10.1.0.5"), s3(Direction::Ingress));
        let private = label(b"10.1.0.5 10.2.0.9").unwrap();
        assert_eq!(
            (private.0.as_str(), private.2),
            ("PRIVATE", Direction::Unknown)
        );
        assert_eq!(label(b"203.0.113.5 3.5.98.9"), s3(Direction::Egress));
        assert_eq!(label(b"- -"), None);
    }
}
