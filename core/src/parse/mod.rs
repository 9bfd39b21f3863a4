//! The per-line parser: one line of bytes and a [`Format`] in, a [`Record`] out.
//!
//! Invariants:
//! - nothing is allocated per line: the record borrows the line, errors are `Copy`;
//!   a [`ReusedRecord`] is parsed into line after line (the entry points: [`parse_line`]
//!   for one line, [`ReusedRecord`] for many);
//! - fields are separated by spaces; runs of spaces (seen in AWS's own documentation)
//!   and a trailing `\r` are accepted, any other byte belongs to a field;
//! - `-` is "no value" for every field;
//! - every typed field is checked (integer range, address syntax, enumerated values),
//!   and a failure names the field, so a malformed line can be reported precisely;
//! - addresses are accepted exactly when std's `IpAddr` parser accepts them (the
//!   hand-written parsers of `addr` are tested against it), text fields exactly
//!   when they are UTF-8.
//!
//! One concept a file: this file has the entry points and the error; `line` reads the
//! fields of a line in format order into a [`Record`]; `words` reads a line eight bytes
//! at a time (words, the end of a value); `ints` and `addr` read integer and address
//! values. The reference parser every line is checked against is in `reference`
//! (tests only).

mod addr;
mod ints;
mod line;
#[cfg(test)]
mod reference;
mod words;

use crate::format::{Field, Format};
use crate::record::Record;
use line::{Utf8Line, parse_columns, parse_v2, text_limit};

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
    /// A line longer than any flow-log record: skipped without being held whole.
    #[error("line longer than {max} bytes")]
    LineTooLong {
        /// The longest line read ([`crate::engine::Options::max_line_bytes`]).
        max: usize,
    },
    /// A count a Parquet INT64 cannot hold.
    #[error("above 9223372036854775807, the largest value a Parquet INT64 holds")]
    TooLarge,
    /// The sum of a group passes what a Parquet INT64 holds: every record of the group
    /// is counted malformed, none is written.
    #[error("its group's sum passes 9223372036854775807, the largest value a Parquet INT64 holds")]
    SumTooLarge,
    /// A time before flow logs existed or after the run's clock (see
    /// [`crate::engine::EARLIEST_TIME`]).
    #[error("not a time between 2014-01-01 and a day past this run's clock")]
    ImplausibleTime,
    /// `-` for a count in a record with traffic, where zero would be a guess.
    #[error("`-` in a record with traffic")]
    MissingCount,
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

/// Parses one line (without its `\n`; a `\r` at its end is dropped) in the given format.
///
/// A convenience for one line: loops over many lines should parse into one
/// [`ReusedRecord`], which saves building and moving a record per line.
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
    let mut rec = Record::default();
    parse_line_into(format, line, &mut rec)?;
    Ok(rec)
}

/// A record parsed into line after line in one format, so that no line builds or
/// clears a whole record.
///
/// The type holds the invariant that reuse needs: the record is written only by
/// parsing lines of its own format, so it holds no value in a field that format lacks,
/// and every parse writes every field the format has (`None` for `-`). After a parse
/// that succeeds, [`ReusedRecord::record`] is exactly what [`parse_line`] gives for
/// the line; after one that fails, it is unspecified until the next success.
///
/// Lines are taken as they are: a `\r` at the end is part of the last value (the
/// caller strips it, as [`parse_line`] does).
///
/// ```
/// use flowpath_core::{format::Format, parse::{parse_line, ReusedRecord}};
/// let format = Format::v2();
/// let mut rec = ReusedRecord::new(&format);
/// let lines = [
///     &b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"[..],
///     b"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
/// ];
/// for line in lines {
///     rec.parse_bytes(line).unwrap();
///     assert_eq!(Ok(rec.record()), parse_line(&format, line).as_ref());
/// }
/// assert_eq!(rec.record().bytes, None);
/// ```
#[derive(Clone, Debug)]
pub struct ReusedRecord<'f, 'a> {
    format: &'f Format,
    record: Record<'a>,
}

impl<'f, 'a> ReusedRecord<'f, 'a> {
    /// A record for lines of `format`.
    pub fn new(format: &'f Format) -> Self {
        ReusedRecord {
            format,
            record: Record::default(),
        }
    }

    /// Parses `line` into the record.
    #[inline]
    pub fn parse_bytes(&mut self, line: &'a [u8]) -> Result<(), ParseError> {
        parse_line_reusing(self.format, line, &mut self.record)
    }

    /// [`ReusedRecord::parse_bytes`] for a line already known to be UTF-8 (the text
    /// source checks a chunk of lines at once): its text fields need no check of
    /// their own.
    #[inline]
    pub fn parse_str(&mut self, line: &'a str) -> Result<(), ParseError> {
        parse_str_reusing(self.format, line, &mut self.record)
    }

    /// The record of the last line parsed.
    #[inline]
    pub fn record(&self) -> &Record<'a> {
        &self.record
    }
}

/// Parses one line into `rec`, whatever `rec` held: cleared first, then
/// [`parse_line_reusing`] (the tests give it records left dirty by other formats).
fn parse_line_into<'a>(
    format: &Format,
    line: &'a [u8],
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    // Fields the format lacks must read `None`.
    *rec = Record::default();
    parse_line_reusing(format, line.strip_suffix(b"\r").unwrap_or(line), rec)
}

/// The parse of [`ReusedRecord::parse_bytes`]: `rec` must hold no value in a field
/// that `format` lacks, as a [`ReusedRecord`] guarantees. Every field of the format
/// is written (`None` for `-`), so no value of an earlier line remains, and the other
/// fields are left as they are, which saves clearing the whole record every line.
#[inline]
fn parse_line_reusing<'a>(
    format: &Format,
    line: &'a [u8],
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    if format.is_v2() {
        parse_v2(line, Utf8Line::new(line, text_limit(line, 48)), rec)
    } else {
        parse_columns(format.columns(), line, Utf8Line::new(line, line.len()), rec)
    }
}

/// [`parse_line_reusing`] for a line known to be UTF-8.
#[inline]
fn parse_str_reusing<'a>(
    format: &Format,
    line: &'a str,
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let text = Utf8Line::checked(line);
    if format.is_v2() {
        parse_v2(line.as_bytes(), text, rec)
    } else {
        parse_columns(format.columns(), line.as_bytes(), text, rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, FlowDirection, LogStatus};
    use std::net::{IpAddr, Ipv6Addr};

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

    #[test]
    fn parse_line_into_overwrites_whatever_the_record_held() {
        let v5 = Format::parse(
            "version vpc-id srcaddr dstaddr pkt-srcaddr bytes log-status ecs-task-id",
        )
        .unwrap();
        let full = b"5 vpc-1 10.0.0.1 2001:db8::1 10.0.0.9 99 OK task";
        let mut rec = Record::default();
        parse_line_into(&v5, full, &mut rec).unwrap();
        assert_eq!(rec, parse_line(&v5, full).unwrap());
        // A different format, then a line of dashes, then an error: each success
        // leaves exactly what parse_line returns.
        let v2 = "2 123456789010 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 1 ACCEPT OK";
        parse_line_into(&Format::v2(), v2.as_bytes(), &mut rec).unwrap();
        assert_eq!(rec, parse_line(&Format::v2(), v2.as_bytes()).unwrap());
        assert_eq!((rec.vpc_id, rec.extra(Field::EcsTaskId)), (None, None));
        let dashes = b"- - - - - - - -";
        parse_line_into(&v5, dashes, &mut rec).unwrap();
        assert_eq!(rec, Record::default());
        let err = parse_line_into(&v5, b"5 vpc-1 10.0.0.1 x", &mut rec).unwrap_err();
        assert_eq!(Err(err), parse_line(&v5, b"5 vpc-1 10.0.0.1 x"));
        parse_line_into(&v5, full, &mut rec).unwrap();
        assert_eq!(rec, parse_line(&v5, full).unwrap());
    }
}
