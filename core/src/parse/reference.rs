//! The reference parser (tests only): the parser as it was before `parse_line_into`
//! (tokenize, then check each value with std's address parser and a per-field UTF-8
//! check): what every line must still give, and the check of a line against it.

use super::{ParseError, ParseErrorKind, parse_line_into, parse_line_reusing, parse_str_reusing};
use crate::format::{Column, Field, Format, ValueKind};
use crate::record::{Action, FlowDirection, LogStatus, Record};
use proptest::prelude::*;
use std::net::IpAddr;

pub(super) fn parse_line<'a>(format: &Format, line: &'a [u8]) -> Result<Record<'a>, ParseError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut rec = Record::default();
    let columns = format.columns();
    let mut tokens = line.split(|&b| b == b' ').filter(|t| !t.is_empty());
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
        _ if field.is_transit_gateway_only() => match field.value_kind() {
            ValueKind::Integer => {
                rec.packets_lost[field as usize - Field::PacketsLostNoRoute as usize] =
                    Some(int(v)?);
            }
            _ => rec.tgw[field as usize - Field::ResourceType as usize] = Some(text(v)?),
        },
        _ => {
            let i = field as usize - Field::EcsClusterArn as usize;
            rec.extra[i] = Some(v);
        }
    }
    Ok(())
}

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

fn addr(v: &[u8]) -> Result<IpAddr, ParseErrorKind> {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(ParseErrorKind::BadAddress)
}

fn text(v: &[u8]) -> Result<&str, ParseErrorKind> {
    std::str::from_utf8(v).map_err(|_| ParseErrorKind::NotUtf8)
}

/// A line of `values`, the first after `lead` spaces and each other after
/// `spaces[i]`, then `trail` spaces and maybe `\r`.
pub(super) fn line_of(
    values: &[Vec<u8>],
    spaces: &[usize],
    lead: usize,
    trail: usize,
    cr: bool,
) -> Vec<u8> {
    let mut line = vec![b' '; lead];
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            line.extend(std::iter::repeat_n(b' ', spaces[i % spaces.len()]));
        }
        line.extend_from_slice(value);
    }
    line.extend(std::iter::repeat_n(b' ', trail));
    if cr {
        line.push(b'\r');
    }
    line
}

/// The line parses as the reference parser has it, through `parse_line` and
/// through a record reused from another line.
pub(super) fn parses_as_before(format: &Format, line: &[u8]) -> Result<(), TestCaseError> {
    let expect = parse_line(format, line);
    prop_assert_eq!(
        &super::parse_line(format, line),
        &expect,
        "{:?}",
        String::from_utf8_lossy(line)
    );
    let mut rec = super::parse_line(
        &Format::v2(),
        b"2 1 eni-1 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT OK",
    )
    .unwrap();
    rec.extra[3] = Some(b"x");
    rec.vpc_id = Some("vpc");
    let got = parse_line_into(format, line, &mut rec);
    match &expect {
        Ok(r) => prop_assert_eq!((got, rec), (Ok(()), r.clone())),
        Err(e) => prop_assert_eq!(got, Err(*e)),
    }
    // A record reused line after line in one format: a line with a value in every
    // field first, then this one, then the first again. No value may remain. The
    // text source strips a line's `\r` itself, and hands lines of UTF-8 chunks over as
    // `str`: both ways are checked.
    let full = full_line(format);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut reused = Record::default();
    prop_assert_eq!(parse_line_reusing(format, &full, &mut reused), Ok(()));
    let got = parse_line_reusing(format, line, &mut reused);
    match &expect {
        Ok(r) => prop_assert_eq!((got, reused.clone()), (Ok(()), r.clone())),
        Err(e) => prop_assert_eq!(got, Err(*e)),
    }
    prop_assert_eq!(parse_line_reusing(format, &full, &mut reused), Ok(()));
    prop_assert_eq!(Ok(reused), super::parse_line(format, &full));
    if let (Ok(line), Ok(full)) = (std::str::from_utf8(line), std::str::from_utf8(&full)) {
        let mut reused = Record::default();
        prop_assert_eq!(parse_str_reusing(format, full, &mut reused), Ok(()));
        let got = parse_str_reusing(format, line, &mut reused);
        match expect {
            Ok(r) => prop_assert_eq!((got, reused.clone()), (Ok(()), r)),
            Err(e) => prop_assert_eq!(got, Err(e)),
        }
    }
    Ok(())
}

/// A line of `format` with a value in every field.
pub(super) fn full_line(format: &Format) -> Vec<u8> {
    let values: Vec<&str> = format
        .columns()
        .iter()
        .map(|c| match c {
            Column::Unknown(_) => "u",
            Column::Known(Field::Action) => "REJECT",
            Column::Known(Field::LogStatus) => "SKIPDATA",
            Column::Known(Field::FlowDirection) => "ingress",
            Column::Known(f) => match f.value_kind() {
                ValueKind::Integer => "7",
                ValueKind::Address => "2001:db8::7",
                ValueKind::Text | ValueKind::Bytes => "x7",
                ValueKind::Enumerated => unreachable!("{f} has a value above"),
            },
        })
        .collect();
    values.join(" ").into_bytes()
}
