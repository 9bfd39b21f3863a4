//! The per-line parser: one line of bytes and a [`Format`] in, a [`Record`] out.
//!
//! Invariants:
//! - nothing is allocated per line: the record borrows the line, errors are `Copy`;
//! - fields are separated by spaces; runs of spaces (seen in AWS's own documentation)
//!   and a trailing `\r` are accepted, any other byte belongs to a field;
//! - `-` is "no value" for every field;
//! - every typed field is checked (integer range, address syntax, enumerated values),
//!   and a failure names the field, so a malformed line can be reported precisely.

use std::net::IpAddr;

use crate::format::{Column, Field, Format};
use crate::record::{Action, FlowDirection, LogStatus, Record};

/// Why a line could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer values than the format has columns.
    #[error("expected {expected} fields, found {found}")]
    TooFewFields {
        /// Columns in the format.
        expected: usize,
        /// Values on the line.
        found: usize,
    },
    /// More values than the format has columns.
    #[error("expected {expected} fields, found more")]
    TooManyFields {
        /// Columns in the format.
        expected: usize,
    },
    /// Not a decimal integer in the field's range.
    #[error("not an integer in range")]
    BadInteger,
    /// Not an IPv4 or IPv6 address.
    #[error("not an IP address")]
    BadAddress,
    /// Not one of the field's documented values.
    #[error("not a documented value")]
    BadValue,
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
}

/// A line that could not be parsed: which field and why. `Copy`, allocation-free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The field whose value is bad; `None` when the line as a whole is (field count).
    pub field: Option<Field>,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

impl std::error::Error for ParseError {}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field {
            Some(field) => write!(f, "field `{field}`: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

/// Parses one line (without its `\n`) in the given format.
///
/// ```
/// use flowpath_core::{format::Format, parse::parse_line};
/// let line = b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
/// let r = parse_line(&Format::v2(), line).unwrap();
/// assert_eq!(r.bytes, Some(4249));
/// let err = parse_line(&Format::v2(), b"2 123 eni-1 not-an-ip").unwrap_err();
/// assert_eq!(err.to_string(), "field `srcaddr`: not an IP address");
/// ```
pub fn parse_line<'a>(format: &Format, line: &'a [u8]) -> Result<Record<'a>, ParseError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut rec = Record::default();
    let columns = format.columns();
    let mut tokens = Tokens { rest: line };
    for (i, column) in columns.iter().enumerate() {
        let Some(token) = tokens.next() else {
            return Err(ParseError {
                field: None,
                kind: ParseErrorKind::TooFewFields {
                    expected: columns.len(),
                    found: i,
                },
            });
        };
        let Column::Known(field) = *column else {
            continue;
        };
        if token == b"-" {
            continue;
        }
        set_field(&mut rec, field, token).map_err(|kind| ParseError {
            field: Some(field),
            kind,
        })?;
    }
    if tokens.next().is_some() {
        return Err(ParseError {
            field: None,
            kind: ParseErrorKind::TooManyFields {
                expected: columns.len(),
            },
        });
    }
    Ok(rec)
}

/// The space-separated values of a line, found with memchr (runs of spaces allowed).
struct Tokens<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|&b| b != b' ')?;
        let rest = &self.rest[start..];
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        self.rest = &rest[end..];
        Some(&rest[..end])
    }
}

fn set_field<'a>(rec: &mut Record<'a>, field: Field, v: &'a [u8]) -> Result<(), ParseErrorKind> {
    match field {
        Field::Version => rec.version = Some(int(v)?),
        Field::AccountId => rec.account_id = Some(text(v)?),
        Field::InterfaceId => rec.interface_id = Some(text(v)?),
        Field::Srcaddr => rec.srcaddr = Some(addr(v)?),
        Field::Dstaddr => rec.dstaddr = Some(addr(v)?),
        Field::Srcport => rec.srcport = Some(int(v)?),
        Field::Dstport => rec.dstport = Some(int(v)?),
        Field::Protocol => rec.protocol = Some(int(v)?),
        Field::Packets => rec.packets = Some(int(v)?),
        Field::Bytes => rec.bytes = Some(int(v)?),
        Field::Start => rec.start = Some(int(v)?),
        Field::End => rec.end = Some(int(v)?),
        Field::Action => {
            rec.action = Some(match v {
                b"ACCEPT" => Action::Accept,
                b"REJECT" => Action::Reject,
                _ => return Err(ParseErrorKind::BadValue),
            });
        }
        Field::LogStatus => {
            rec.log_status = Some(match v {
                b"OK" => LogStatus::Ok,
                b"NODATA" => LogStatus::NoData,
                b"SKIPDATA" => LogStatus::SkipData,
                _ => return Err(ParseErrorKind::BadValue),
            });
        }
        Field::VpcId => rec.vpc_id = Some(text(v)?),
        Field::SubnetId => rec.subnet_id = Some(text(v)?),
        Field::InstanceId => rec.instance_id = Some(text(v)?),
        Field::TcpFlags => rec.tcp_flags = Some(int(v)?),
        Field::Type => rec.traffic_type = Some(text(v)?),
        Field::PktSrcaddr => rec.pkt_srcaddr = Some(addr(v)?),
        Field::PktDstaddr => rec.pkt_dstaddr = Some(addr(v)?),
        Field::Region => rec.region = Some(text(v)?),
        Field::AzId => rec.az_id = Some(text(v)?),
        Field::SublocationType => rec.sublocation_type = Some(text(v)?),
        Field::SublocationId => rec.sublocation_id = Some(text(v)?),
        Field::PktSrcAwsService => rec.pkt_src_aws_service = Some(text(v)?),
        Field::PktDstAwsService => rec.pkt_dst_aws_service = Some(text(v)?),
        Field::FlowDirection => {
            rec.flow_direction = Some(match v {
                b"ingress" => FlowDirection::Ingress,
                b"egress" => FlowDirection::Egress,
                _ => return Err(ParseErrorKind::BadValue),
            });
        }
        Field::TrafficPath => rec.traffic_path = Some(int(v)?),
        Field::EcsClusterArn
        | Field::EcsClusterName
        | Field::EcsContainerInstanceArn
        | Field::EcsContainerInstanceId
        | Field::EcsContainerId
        | Field::EcsSecondContainerId
        | Field::EcsServiceName
        | Field::EcsTaskDefinitionArn
        | Field::EcsTaskArn
        | Field::EcsTaskId
        | Field::RejectReason => {
            let i = field as usize - Field::EcsClusterArn as usize;
            rec.extra[i] = Some(v);
        }
    }
    Ok(())
}

/// A decimal integer of the target type; no sign, no spaces, no overflow.
#[inline]
fn int<T: TryFrom<u64>>(v: &[u8]) -> Result<T, ParseErrorKind> {
    if v.is_empty() || v.len() > 20 {
        return Err(ParseErrorKind::BadInteger);
    }
    let mut n: u64 = 0;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(ParseErrorKind::BadInteger);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(ParseErrorKind::BadInteger)?;
    }
    T::try_from(n).map_err(|_| ParseErrorKind::BadInteger)
}

/// An IPv4 address in dotted-decimal (strict: four parts, no leading zeros, each
/// 0–255), else an IPv6 address through std's parser.
#[inline]
fn addr(v: &[u8]) -> Result<IpAddr, ParseErrorKind> {
    if let Some(v4) = ipv4(v) {
        return Ok(IpAddr::V4(v4));
    }
    if !v.contains(&b':') {
        return Err(ParseErrorKind::BadAddress);
    }
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
        .ok_or(ParseErrorKind::BadAddress)
}

#[inline]
fn ipv4(v: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = v.split(|&b| b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut n: u16 = 0;
        for &b in part {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            n = n * 10 + u16::from(d);
        }
        *octet = u8::try_from(n).ok()?;
    }
    parts
        .next()
        .is_none()
        .then_some(std::net::Ipv4Addr::from(octets))
}

#[inline]
fn text(v: &[u8]) -> Result<&str, ParseErrorKind> {
    std::str::from_utf8(v).map_err(|_| ParseErrorKind::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn v2(line: &str) -> Result<Record<'_>, ParseError> {
        parse_line(&Format::v2(), line.as_bytes())
    }

    #[test]
    fn v2_accept_record() {
        let r = v2("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK").unwrap();
        assert_eq!(r.version, Some(2));
        assert_eq!(r.account_id, Some("123456789010"));
        assert_eq!(r.interface_id, Some("eni-1235b8ca123456789"));
        assert_eq!(r.srcaddr, Some("172.31.16.139".parse().unwrap()));
        assert_eq!(r.dstaddr, Some("172.31.16.21".parse().unwrap()));
        assert_eq!(
            (r.srcport, r.dstport, r.protocol),
            (Some(20641), Some(22), Some(6))
        );
        assert_eq!((r.packets, r.bytes), (Some(20), Some(4249)));
        assert_eq!((r.start, r.end), (Some(1418530010), Some(1418530070)));
        assert_eq!(r.action, Some(Action::Accept));
        assert_eq!(r.log_status, Some(LogStatus::Ok));
        assert!(r.has_traffic());
        assert_eq!(r.vpc_id, None);
    }

    #[test]
    fn dashes_are_none() {
        let r =
            v2("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA")
                .unwrap();
        assert_eq!(r.srcaddr, None);
        assert_eq!(r.bytes, None);
        assert_eq!(r.action, None);
        assert_eq!(r.start, Some(1431280876));
        assert_eq!(r.log_status, Some(LogStatus::NoData));
        assert!(!r.has_traffic());
    }

    #[test]
    fn ipv6_and_spacing() {
        let r = v2("2 1 eni-1  2001:db8:1234:a100:8d6e:3477:df66:f105 2a02:cf40:: 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK\r").unwrap();
        assert_eq!(
            r.dstaddr,
            Some(IpAddr::V6(Ipv6Addr::new(0x2a02, 0xcf40, 0, 0, 0, 0, 0, 0)))
        );
        assert_eq!(r.log_status, Some(LogStatus::Ok));
    }

    #[test]
    fn every_kind_of_bad_value_names_its_field() {
        let cases = [
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ACCEPT",
                None,
                ParseErrorKind::TooFewFields {
                    expected: 14,
                    found: 13,
                },
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ACCEPT OK extra",
                None,
                ParseErrorKind::TooManyFields { expected: 14 },
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 x1 1 1 ACCEPT OK",
                Some(Field::Bytes),
                ParseErrorKind::BadInteger,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 65536 2 6 1 1 1 1 ACCEPT OK",
                Some(Field::Srcport),
                ParseErrorKind::BadInteger,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 256 1 1 1 1 ACCEPT OK",
                Some(Field::Protocol),
                ParseErrorKind::BadInteger,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 -1 1 1 1 ACCEPT OK",
                Some(Field::Packets),
                ParseErrorKind::BadInteger,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 99999999999999999999 1 1 ACCEPT OK",
                Some(Field::Bytes),
                ParseErrorKind::BadInteger,
            ),
            (
                "2 1 eni-1 1.2.3.400 5.6.7.8 1 2 6 1 1 1 1 ACCEPT OK",
                Some(Field::Srcaddr),
                ParseErrorKind::BadAddress,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ALLOW OK",
                Some(Field::Action),
                ParseErrorKind::BadValue,
            ),
            (
                "2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ACCEPT ok",
                Some(Field::LogStatus),
                ParseErrorKind::BadValue,
            ),
        ];
        for (line, field, kind) in cases {
            assert_eq!(v2(line).unwrap_err(), ParseError { field, kind }, "{line}");
        }
        let bad_utf8 = b"2 1 eni-\xff\xfe 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ACCEPT OK";
        assert_eq!(
            parse_line(&Format::v2(), bad_utf8).unwrap_err().to_string(),
            "field `interface-id`: not valid UTF-8"
        );
    }

    #[test]
    fn ipv4_parser_agrees_with_std() {
        for text in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.1.15",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1..2.3",
            "1.2.3.",
            "a.b.c.d",
            "1.2.3.4 ",
            "",
            "999.1.1.1",
            "1.2.3.0400",
            "::1",
            "::ffff:1.2.3.4",
        ] {
            let ours = addr(text.as_bytes()).ok();
            let std = text.parse::<IpAddr>().ok();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn custom_format_with_unknown_and_v5_fields() {
        let f = Format::parse("srcaddr new-field flow-direction traffic-path pkt-dst-aws-service ecs-task-id reject-reason").unwrap();
        let r = parse_line(&f, b"10.0.0.1 whatever egress 8 S3 abc BPA").unwrap();
        assert_eq!(r.flow_direction, Some(FlowDirection::Egress));
        assert_eq!(r.traffic_path, Some(8));
        assert_eq!(r.pkt_dst_aws_service, Some("S3"));
        assert_eq!(r.extra(Field::EcsTaskId), Some(&b"abc"[..]));
        assert_eq!(r.extra(Field::RejectReason), Some(&b"BPA"[..]));
        assert_eq!(r.extra(Field::Srcaddr), None);
        let err = parse_line(&f, b"10.0.0.1 whatever sideways 8 S3 abc BPA").unwrap_err();
        assert_eq!(
            err.to_string(),
            "field `flow-direction`: not a documented value"
        );
    }
}
