//! The per-line parser: one line of bytes and a [`Format`] in, a [`Record`] out.
//!
//! Invariants:
//! - nothing is allocated per line: the record borrows the line, errors are `Copy`;
//!   [`parse_line_into`] fills a record the caller reuses from line to line;
//! - fields are separated by spaces; runs of spaces (seen in AWS's own documentation)
//!   and a trailing `\r` are accepted, any other byte belongs to a field;
//! - `-` is "no value" for every field;
//! - every typed field is checked (integer range, address syntax, enumerated values),
//!   and a failure names the field, so a malformed line can be reported precisely;
//! - addresses are accepted exactly when std's `IpAddr` parser accepts them (the
//!   hand-written parsers below are tested against it), text fields exactly when they
//!   are UTF-8.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::format::{Column, Field, Format, ValueKind};
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
/// A convenience over [`parse_line_into`]; loops over many lines should use that
/// with one record, which saves building and moving a record per line.
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

/// Parses one line (without its `\n`) in the given format into `rec`, which the caller
/// keeps from line to line.
///
/// On success `rec` holds exactly what [`parse_line`] would return, whatever it held
/// before. On error its contents are unspecified (some fields may hold values of this
/// line); the error is the one [`parse_line`] returns.
///
/// ```
/// use flowpath_core::{format::Format, parse::parse_line_into, record::Record};
/// let format = Format::v2();
/// let mut rec = Record::default();
/// for line in [
///     &b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"[..],
///     b"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
/// ] {
///     parse_line_into(&format, line, &mut rec).unwrap();
/// }
/// assert_eq!(rec.bytes, None);
/// ```
pub fn parse_line_into<'a>(
    format: &Format,
    line: &'a [u8],
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // Fields the format lacks must read `None`; the format's own fields are all
    // written below (`None` for `-`).
    *rec = Record::default();
    // One UTF-8 check of the whole line is far cheaper than one per text field (std's
    // word-at-a-time ASCII path needs more than a field's few bytes to pay off). Spaces
    // are ASCII, so every field of a valid line is a valid `str` slice of it. A line
    // that is not UTF-8 checks its text fields one by one, so the error names the
    // first bad field, and bytes in fields kept as bytes are not an error.
    let text = Text {
        line,
        valid: std::str::from_utf8(line).ok(),
    };
    let columns = format.columns();
    let mut pos = 0;
    for (i, column) in columns.iter().enumerate() {
        while line.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if pos >= line.len() {
            return Err(ParseError {
                field: None,
                kind: ParseErrorKind::TooFewFields {
                    expected: columns.len(),
                    found: i,
                },
            });
        }
        let Column::Known(field) = *column else {
            pos = token_end(line, pos + 1);
            continue;
        };
        pos = field_at(rec, field, line, pos, &text).ok_or_else(|| ParseError {
            field: Some(field),
            kind: failure(field),
        })?;
    }
    while line.get(pos) == Some(&b' ') {
        pos += 1;
    }
    if pos < line.len() {
        return Err(ParseError {
            field: None,
            kind: ParseErrorKind::TooManyFields {
                expected: columns.len(),
            },
        });
    }
    Ok(())
}

/// The index of the first space at or after `pos`, else `line.len()`.
///
/// Values are short (a few to a few dozen bytes), too short for memchr's setup to pay
/// off: this looks at eight bytes at a time with word arithmetic.
#[inline(always)]
fn token_end(line: &[u8], mut pos: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    while let Some(word) = line.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        // Bytes equal to a space become zero; the classic zero-byte test then marks
        // the first zero byte exactly (bytes after it may be marked falsely, which
        // does not matter for finding the first).
        let x = u64::from_le_bytes(*word) ^ SPACES;
        let zero = x.wrapping_sub(LOW) & !x & HIGH;
        if zero != 0 {
            return pos + (zero.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&b) = line.get(pos) {
        if b == b' ' {
            break;
        }
        pos += 1;
    }
    pos.min(line.len())
}

/// Text fields as `&str`: slices of the line when it is all UTF-8, else each field
/// checked on its own.
struct Text<'a> {
    line: &'a [u8],
    valid: Option<&'a str>,
}

impl<'a> Text<'a> {
    #[inline(always)]
    fn get(&self, start: usize, end: usize) -> Option<&'a str> {
        match self.valid {
            // Both ends sit next to a space or at an end of the line, so they are
            // character boundaries and `get` succeeds.
            Some(s) => s.get(start..end),
            None => self
                .line
                .get(start..end)
                .and_then(|v| std::str::from_utf8(v).ok()),
        }
    }
}

/// What is wrong with a value of `field` that [`field_at`] rejects: each kind of
/// field fails in one way.
#[cold]
fn failure(field: Field) -> ParseErrorKind {
    match field.value_kind() {
        ValueKind::Text => ParseErrorKind::NotUtf8,
        ValueKind::Address => ParseErrorKind::BadAddress,
        ValueKind::Enumerated => ParseErrorKind::BadValue,
        ValueKind::Integer => ParseErrorKind::BadInteger,
        // Kept as bytes: never rejected.
        ValueKind::Bytes => ParseErrorKind::BadValue,
    }
}

/// Reads the value of `field` that starts at `line[start]` (not a space) into `rec`
/// and returns where it ends. Integers and IPv4 addresses are read in one pass, their
/// end found on the way; other values end at the next space.
#[inline(always)]
fn field_at<'a>(
    rec: &mut Record<'a>,
    field: Field,
    line: &'a [u8],
    start: usize,
    text: &Text<'a>,
) -> Option<usize> {
    // `-`: no value, and the record already says so.
    if line.get(start) == Some(&b'-') && line.get(start + 1).is_none_or(|&b| b == b' ') {
        return Some(start + 1);
    }
    let token_end = || token_end(line, start + 1);
    macro_rules! int {
        ($field:ident) => {{
            let (n, end) = int_at(line, start)?;
            rec.$field = Some(n);
            end
        }};
    }
    macro_rules! addr {
        ($field:ident) => {{
            let (a, end) = addr_at(line, start)?;
            rec.$field = Some(a);
            end
        }};
    }
    macro_rules! text {
        ($field:ident) => {{
            let end = token_end();
            rec.$field = Some(text.get(start, end)?);
            end
        }};
    }
    macro_rules! value {
        ($field:ident, $($text:literal => $value:expr),+) => {{
            let end = token_end();
            rec.$field = Some(match line.get(start..end) {
                $(Some($text) => $value,)+
                _ => return None,
            });
            end
        }};
    }
    Some(match field {
        Field::Version => int!(version),
        Field::AccountId => text!(account_id),
        Field::InterfaceId => text!(interface_id),
        Field::Srcaddr => addr!(srcaddr),
        Field::Dstaddr => addr!(dstaddr),
        Field::Srcport => int!(srcport),
        Field::Dstport => int!(dstport),
        Field::Protocol => int!(protocol),
        Field::Packets => int!(packets),
        Field::Bytes => int!(bytes),
        Field::Start => int!(start),
        Field::End => int!(end),
        Field::Action => value!(action, b"ACCEPT" => Action::Accept, b"REJECT" => Action::Reject),
        Field::LogStatus => value!(
            log_status,
            b"OK" => LogStatus::Ok,
            b"NODATA" => LogStatus::NoData,
            b"SKIPDATA" => LogStatus::SkipData
        ),
        Field::VpcId => text!(vpc_id),
        Field::SubnetId => text!(subnet_id),
        Field::InstanceId => text!(instance_id),
        Field::TcpFlags => int!(tcp_flags),
        Field::Type => text!(traffic_type),
        Field::PktSrcaddr => addr!(pkt_srcaddr),
        Field::PktDstaddr => addr!(pkt_dstaddr),
        Field::Region => text!(region),
        Field::AzId => text!(az_id),
        Field::SublocationType => text!(sublocation_type),
        Field::SublocationId => text!(sublocation_id),
        Field::PktSrcAwsService => text!(pkt_src_aws_service),
        Field::PktDstAwsService => text!(pkt_dst_aws_service),
        Field::FlowDirection => value!(
            flow_direction,
            b"ingress" => FlowDirection::Ingress,
            b"egress" => FlowDirection::Egress
        ),
        Field::TrafficPath => int!(traffic_path),
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
            let end = token_end();
            let i = field as usize - Field::EcsClusterArn as usize;
            if let Some(slot) = rec.extra.get_mut(i) {
                *slot = line.get(start..end);
            }
            end
        }
    })
}

/// An integer field at `line[start..]` and where it ends: [`int`] of the value, read
/// a word at a time while the line has eight more bytes, else through [`int`].
#[inline(always)]
fn int_at<T: TryFrom<u64>>(line: &[u8], start: usize) -> Option<(T, usize)> {
    if let Some((mut n, mut digits)) = word_digits(line, start) {
        if digits == 8 {
            // Eight digits and more: the next word (values up to 15 digits).
            match word_digits(line, start + 8) {
                Some((m, more)) if more < 8 => {
                    n = n * POW10[more] + m;
                    digits += more;
                }
                _ => digits = 0,
            }
        }
        if digits > 0 {
            let end = start + digits;
            return if line.get(end).is_none_or(|&b| b == b' ') {
                T::try_from(n).ok().map(|n| (n, end))
            } else {
                None
            };
        }
    }
    let end = token_end(line, start);
    Some((int(line.get(start..end)?).ok()?, end))
}

/// 10^0 to 10^7.
const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The decimal digits at the start of the eight bytes at `line[pos..]`: their value
/// and how many there are (8 when all are digits, more may follow). `None` when the
/// line has fewer than eight bytes there.
#[inline(always)]
fn word_digits(line: &[u8], pos: usize) -> Option<(u64, usize)> {
    let word = line.get(pos..)?.first_chunk::<8>()?;
    let x = u64::from_le_bytes(*word).wrapping_sub(ZEROS);
    // The lowest marked byte is the first that is not a digit (see `eight_digits`).
    let n = (not_digits(x).trailing_zeros() / 8) as usize;
    Some(match n {
        0 => (0, 0),
        8 => (combine_digits(x), 8),
        // Shift the digits to the top: the bytes shifted in are leading zeros.
        _ => (combine_digits(x << (8 * (8 - n))), n),
    })
}

/// A decimal integer of the target type; no sign, no spaces, no overflow.
#[inline]
fn int<T: TryFrom<u64>>(v: &[u8]) -> Result<T, ParseErrorKind> {
    let n = if v.len() < 20 {
        digits(v)
    } else if v.len() == 20 {
        // Only here can a u64 overflow.
        v.iter().try_fold(0u64, |n, &b| {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            n.checked_mul(10)?.checked_add(u64::from(d))
        })
    } else {
        None
    };
    n.and_then(|n| T::try_from(n).ok())
        .ok_or(ParseErrorKind::BadInteger)
}

/// The value of 1 to 19 decimal digits (below 10^19, so no overflow); `None` when
/// `v` is empty or holds anything else.
#[inline(always)]
fn digits(v: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    let mut rest = v;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        n = n * 100_000_000 + eight_digits(*word)?;
        rest = tail;
    }
    for &b in rest {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    (!v.is_empty()).then_some(n)
}

const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);

/// The value of eight decimal digits, computed in one word; `None` unless all eight
/// bytes are digits.
#[inline(always)]
fn eight_digits(word: [u8; 8]) -> Option<u64> {
    let x = u64::from_le_bytes(word).wrapping_sub(ZEROS);
    (not_digits(x) == 0).then(|| combine_digits(x))
}

/// For eight bytes minus `'0'` each, the top bit of every byte that was no digit,
/// exact up to and including the first such byte: a byte below `'0'` sets its own
/// top bit (and may borrow from the next byte, after it), and adding 0x76 sets the
/// top bit of every byte above 9 (without carrying out of bytes that were digits).
#[inline(always)]
fn not_digits(x: u64) -> u64 {
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const TO_HIGH: u64 = u64::from_ne_bytes([0x76; 8]);
    (x | x.wrapping_add(TO_HIGH)) & HIGH
}

/// The value of eight digit values (0 to 9) in a word, the first in the low byte:
/// neighbours combine into 2, 4, then 8 digits.
#[inline(always)]
fn combine_digits(x: u64) -> u64 {
    let x = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    (x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF
}

/// An address field at `line[start..]` and where it ends. The value is accepted
/// exactly when `str::parse::<IpAddr>` accepts it: IPv4 in strict dotted decimal, read
/// in one pass, else IPv6 up to the next space.
#[inline(always)]
fn addr_at(line: &[u8], start: usize) -> Option<(IpAddr, usize)> {
    // An IPv4 address stops at the first byte that is neither digit nor dot; if that
    // ends the value, the value is that address, else it is no IPv4 address.
    if let Some((a, end)) = ipv4_at(line, start)
        && line.get(end).is_none_or(|&b| b == b' ')
    {
        return Some((IpAddr::V4(a), end));
    }
    let end = token_end(line, start + 1);
    ipv6(line.get(start..end)?).map(|a| (IpAddr::V6(a), end))
}

/// An IPv4 address at the start of `v[pos..]` and where it ends, as std reads one
/// (`Parser::read_ipv4_addr`): four decimal parts separated by `.`, each one to three
/// digits, at most 255, no leading zero unless the part is `0`. Each part takes every
/// digit that follows, so `1.2.3.4567` is no address (not `1.2.3.456` then `7`).
#[inline]
fn ipv4_at(v: &[u8], pos: usize) -> Option<(Ipv4Addr, usize)> {
    let (a, pos) = octet(v, pos)?;
    let (b, pos) = octet(v, dot(v, pos)?)?;
    let (c, pos) = octet(v, dot(v, pos)?)?;
    let (d, pos) = octet(v, dot(v, pos)?)?;
    Some((Ipv4Addr::new(a, b, c, d), pos))
}

/// The position after the `.` at `v[pos]`.
#[inline(always)]
fn dot(v: &[u8], pos: usize) -> Option<usize> {
    (v.get(pos) == Some(&b'.')).then_some(pos + 1)
}

/// One part of a dotted-decimal address at `v[pos..]` (see [`ipv4_at`]) and where it
/// ends.
#[inline(always)]
fn octet(v: &[u8], pos: usize) -> Option<(u8, usize)> {
    let a = digit(v, pos)?;
    let Some(b) = digit(v, pos + 1) else {
        return Some((a, pos + 1));
    };
    if a == 0 {
        return None;
    }
    let Some(c) = digit(v, pos + 2) else {
        return Some((a * 10 + b, pos + 2));
    };
    if digit(v, pos + 3).is_some() {
        return None;
    }
    let n = u16::from(a) * 100 + u16::from(b) * 10 + u16::from(c);
    Some((u8::try_from(n).ok()?, pos + 3))
}

/// The value of the decimal digit at `v[pos]`, if there is one.
#[inline(always)]
fn digit(v: &[u8], pos: usize) -> Option<u8> {
    let d = v.get(pos)?.wrapping_sub(b'0');
    (d <= 9).then_some(d)
}

/// A whole IPv6 address, accepted exactly when `Ipv6Addr::from_str` accepts it: a
/// port of std's `Parser::read_ipv6_addr` to bytes, minus its generic machinery and
/// its attempt to read an embedded IPv4 address before every group (only made when
/// the text has a `.` at all).
#[inline]
fn ipv6(v: &[u8]) -> Option<Ipv6Addr> {
    let dotted = memchr::memchr(b'.', v).is_some();
    let mut pos = 0;
    let mut head = [0u16; 8];
    let (head_len, head_v4) = ipv6_groups(v, &mut pos, &mut head, dotted);
    if head_len == 8 {
        return (pos == v.len()).then(|| Ipv6Addr::from(head));
    }
    // An embedded IPv4 address ends the address; none may come before `::`.
    if head_v4 || v.get(pos..pos + 2) != Some(b"::") {
        return None;
    }
    pos += 2;
    // `::` stands for at least one group of zeros, so at most 7 follow it.
    let mut tail = [0u16; 7];
    let limit = 7 - head_len;
    let (tail_len, _) = ipv6_groups(v, &mut pos, &mut tail[..limit], dotted);
    if pos != v.len() {
        return None;
    }
    head[8 - tail_len..].copy_from_slice(&tail[..tail_len]);
    Some(Ipv6Addr::from(head))
}

/// Reads up to `groups.len()` `:`-separated hex groups from `v[*pos..]`, the last two
/// possibly as an embedded IPv4 address (tried first, while two groups are left, when
/// `dotted`); returns how many groups it read and whether IPv4 ended them. `*pos` ends
/// after the last group read: a `:` not followed by a group is left unread.
#[inline]
fn ipv6_groups(v: &[u8], pos: &mut usize, groups: &mut [u16], dotted: bool) -> (usize, bool) {
    let limit = groups.len();
    for i in 0..limit {
        let start = if i == 0 {
            *pos
        } else if v.get(*pos) == Some(&b':') {
            *pos + 1
        } else {
            return (i, false);
        };
        if dotted
            && i + 1 < limit
            && let Some((a, end)) = ipv4_at(v, start)
        {
            let [a, b, c, d] = a.octets();
            if let Some([hi, lo]) = groups.get_mut(i..i + 2) {
                *hi = u16::from_be_bytes([a, b]);
                *lo = u16::from_be_bytes([c, d]);
            }
            *pos = end;
            return (i + 2, true);
        }
        let Some((group, end)) = hex_group(v, start) else {
            return (i, false);
        };
        if let Some(slot) = groups.get_mut(i) {
            *slot = group;
        }
        *pos = end;
    }
    (limit, false)
}

/// One to four hex digits (either case) at `v[pos..]`, not followed by a fifth.
#[inline]
fn hex_group(v: &[u8], mut pos: usize) -> Option<(u16, usize)> {
    let start = pos;
    let mut n: u16 = 0;
    while let Some(&b) = v.get(pos) {
        let d = HEX[usize::from(b)];
        if d > 15 {
            break;
        }
        if pos - start == 4 {
            return None;
        }
        n = (n << 4) | u16::from(d);
        pos += 1;
    }
    (pos > start).then_some((n, pos))
}

/// The value of each byte as a hex digit, or 0xFF.
static HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A whole value as an address field, the way the parser reads one.
    fn addr(v: &[u8]) -> Result<IpAddr, ParseErrorKind> {
        match addr_at(v, 0) {
            Some((a, end)) if end == v.len() => Ok(a),
            _ => Err(ParseErrorKind::BadAddress),
        }
    }

    /// A whole value as an IPv4 address.
    fn ipv4(v: &[u8]) -> Option<Ipv4Addr> {
        match ipv4_at(v, 0) {
            Some((a, end)) if end == v.len() => Some(a),
            _ => None,
        }
    }

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

    #[test]
    fn text_fields_of_lines_that_are_not_utf8() {
        let f = Format::parse("account-id ecs-task-id new-field vpc-id bytes").unwrap();
        // Invalid bytes in fields kept as bytes, or skipped, are no error.
        let r = parse_line(&f, b"\xc3\xa9t\xc3\xa9 \xff\xfe \xff vpc-\xc3\xa9 5").unwrap();
        assert_eq!(r.account_id, Some("été"));
        assert_eq!(r.extra(Field::EcsTaskId), Some(&b"\xff\xfe"[..]));
        assert_eq!(r.vpc_id, Some("vpc-é"));
        // The error names the first bad text field, after earlier bad values.
        let err = parse_line(&f, b"1 x y vpc-\xff 5").unwrap_err();
        assert_eq!(err.to_string(), "field `vpc-id`: not valid UTF-8");
        let err = parse_line(&f, b"\xff x y vpc-\xff 5").unwrap_err();
        assert_eq!(err.field, Some(Field::AccountId));
        let err = parse_line(&f, b"1 x y vpc-\xff 5 6").unwrap_err();
        assert_eq!(err.field, Some(Field::VpcId));
        let err = parse_line(&f, b"\xff x y vpc \x35\xff").unwrap_err();
        assert_eq!(err.field, Some(Field::AccountId));
        // A multi-byte character is never split at a space.
        let r = parse_line(&f, "a\u{3000}b - - - 1".as_bytes()).unwrap();
        assert_eq!(r.account_id, Some("a\u{3000}b"));
    }

    #[test]
    fn tokens_of_every_length() {
        // Values around the tokenizer's 8-byte steps, with runs of spaces.
        let f = Format::parse("account-id vpc-id bytes").unwrap();
        for n in 1..40 {
            let id = "9".repeat(n);
            for sep in [" ", "  ", "         "] {
                let line = format!("{id}{sep}{id}{sep}{n}");
                let r = parse_line(&f, line.as_bytes()).unwrap();
                assert_eq!((r.account_id, r.vpc_id), (Some(&id[..]), Some(&id[..])));
                assert_eq!(r.bytes, Some(n as u64));
                let more = format!("{line}{sep}x");
                assert_eq!(
                    parse_line(&f, more.as_bytes()).unwrap_err().kind,
                    ParseErrorKind::TooManyFields { expected: 3 }
                );
                let trailing = format!("{line}{sep}");
                assert!(parse_line(&f, trailing.as_bytes()).is_ok());
                let fewer = format!("{id}{sep}{id}{sep}");
                assert_eq!(
                    parse_line(&f, fewer.as_bytes()).unwrap_err().kind,
                    ParseErrorKind::TooFewFields {
                        expected: 3,
                        found: 2
                    }
                );
            }
        }
    }

    #[test]
    fn integers_at_the_edges() {
        assert_eq!(int::<u64>(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            int::<u64>(b"18446744073709551616"),
            Err(ParseErrorKind::BadInteger)
        );
        assert_eq!(
            int::<u64>(b"9999999999999999999"),
            Ok(9_999_999_999_999_999_999)
        );
        assert_eq!(int::<u64>(b"00000000000000000001"), Ok(1));
        assert_eq!(
            int::<u64>(b"000000000000000000001"),
            Err(ParseErrorKind::BadInteger)
        );
        assert_eq!(int::<i64>(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(
            int::<i64>(b"9223372036854775808"),
            Err(ParseErrorKind::BadInteger)
        );
        assert_eq!(int::<u8>(b"255"), Ok(255));
        assert_eq!(int::<u8>(b"0256"), Err(ParseErrorKind::BadInteger));
        assert_eq!(int::<u16>(b""), Err(ParseErrorKind::BadInteger));
        assert_eq!(int::<u16>(b"1:"), Err(ParseErrorKind::BadInteger));
        assert_eq!(int::<u16>(b"+1"), Err(ParseErrorKind::BadInteger));
    }

    fn std_v4(v: &[u8]) -> Option<Ipv4Addr> {
        std::str::from_utf8(v).ok()?.parse().ok()
    }

    fn std_v6(v: &[u8]) -> Option<Ipv6Addr> {
        std::str::from_utf8(v).ok()?.parse().ok()
    }

    fn std_ip(v: &[u8]) -> Option<IpAddr> {
        std::str::from_utf8(v).ok()?.parse().ok()
    }

    #[test]
    fn ipv4_edge_cases() {
        let ok = [
            ("0.0.0.0", [0, 0, 0, 0]),
            ("255.255.255.255", [255; 4]),
            ("1.2.3.4", [1, 2, 3, 4]),
            ("10.0.100.199", [10, 0, 100, 199]),
            ("249.250.251.252", [249, 250, 251, 252]),
        ];
        for (text, octets) in ok {
            assert_eq!(
                ipv4(text.as_bytes()),
                Some(Ipv4Addr::from(octets)),
                "{text}"
            );
        }
        for text in [
            "",
            ".",
            "...",
            "1",
            "1.2",
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.4.5",
            ".1.2.3.4",
            "1..2.3",
            "1.2..3",
            "1.2.3.",
            "256.0.0.0",
            "0.0.0.256",
            "300.1.1.1",
            "999.1.1.1",
            "1000.1.1.1",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.00",
            "00.0.0.0",
            "1.2.3.0400",
            "1.2.3.4567",
            "+1.2.3.4",
            "1.+2.3.4",
            "-1.2.3.4",
            " 1.2.3.4",
            "1.2.3.4 ",
            "1.2.3.4\n",
            "1.2.3.4\0",
            "1.2.3.a",
            "a.b.c.d",
            "0x1.2.3.4",
            "1,2,3,4",
            "1.2.3.4/8",
            "1.2.3.4:80",
            "::1.2.3.4",
            "1.2.3.٤",
            "１.2.3.4",
        ] {
            assert_eq!(ipv4(text.as_bytes()), None, "{text:?}");
            assert_eq!(ipv4(text.as_bytes()), std_v4(text.as_bytes()), "{text:?}");
        }
        assert_eq!(ipv4(b"1.2.3.\xff"), None);
        // A prefix is read as far as std reads one.
        assert_eq!(
            ipv4_at(b"1.2.3.4::", 0),
            Some((Ipv4Addr::new(1, 2, 3, 4), 7))
        );
        assert_eq!(
            ipv4_at(b"x:1.2.3.45", 2),
            Some((Ipv4Addr::new(1, 2, 3, 45), 10))
        );
        assert_eq!(ipv4_at(b"1.2.3.4567", 0), None);
    }

    #[test]
    fn ipv6_edge_cases() {
        for text in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1::8",
            "1:2::7:8",
            "FFFF:ffff::AbCd",
            "0000:0:00:000::",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1::5:6:255.255.255.255",
            "64:ff9b::10.0.0.1",
            "2001:db8:1234:a100:8d6e:3477:df66:f105",
            "2a02:cf40::",
            "fe80::1:2:3:4:5",
        ] {
            assert!(ipv6(text.as_bytes()).is_some(), "{text:?}");
            assert_eq!(ipv6(text.as_bytes()), std_v6(text.as_bytes()), "{text:?}");
        }
        for text in [
            "",
            ":",
            ":::",
            "1",
            "1:2",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "1:2:3:4::5:6:7:8",
            "1::2::3",
            ":1::",
            "1::2:",
            "::1:",
            "12345::",
            "::12345",
            "1:2:3:4:5:6:7:8 ",
            " ::1",
            "g::",
            "1.2.3.4::",
            "1.2.3.4:1::",
            "::1.2.3",
            "::1.2.3.4.5",
            "::1.2.3.04",
            "::256.1.1.1",
            "1:2:3:4:5:6::1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4:1",
            "::ffff:1.2.3.4:",
            "[::1]",
            "::1%eth0",
            "::1/64",
            "fe80::1%1",
            "1.2.3.4",
            "::+1",
            "::-1",
            "::0x1",
        ] {
            assert_eq!(ipv6(text.as_bytes()), None, "{text:?}");
            assert_eq!(ipv6(text.as_bytes()), std_v6(text.as_bytes()), "{text:?}");
        }
        assert_eq!(ipv6(b"::\xff"), None);
    }

    /// What `int` accepts: 1 to 20 ASCII digits with a value in range.
    fn std_int<T: std::str::FromStr>(v: &[u8]) -> Option<T> {
        if v.is_empty() || v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(v).ok()?.parse().ok()
    }

    proptest! {
        #[test]
        fn integers_agree_with_std(s in "[0-9]{1,22}|[0-9/:]{1,22}|[0-9]{0,20}[^0-9]?[0-9]{0,20}") {
            let v = s.as_bytes();
            prop_assert_eq!(int::<u64>(v).ok(), std_int::<u64>(v));
            prop_assert_eq!(int::<i64>(v).ok(), std_int::<i64>(v));
            prop_assert_eq!(int::<u16>(v).ok(), std_int::<u16>(v));
            prop_assert_eq!(int::<u8>(v).ok(), std_int::<u8>(v));
        }

        #[test]
        fn integers_read_every_value(n in any::<u64>(), zeros in 0usize..20) {
            let s = format!("{}{n}", "0".repeat(zeros));
            let expect = (s.len() <= 20).then_some(n);
            prop_assert_eq!(int::<u64>(s.as_bytes()).ok(), expect);
        }

        #[test]
        fn ipv4_agrees_with_std_on_any_bytes(v in proptest::collection::vec(any::<u8>(), 0..20)) {
            prop_assert_eq!(ipv4(&v), std_v4(&v));
            prop_assert_eq!(addr(&v).ok(), std_ip(&v));
        }

        #[test]
        fn ipv4_agrees_with_std_on_address_like_text(s in "[0-9.]{0,18}|[0-9]{1,4}(\\.[0-9+-]{0,4}){3,4}") {
            prop_assert_eq!(ipv4(s.as_bytes()), std_v4(s.as_bytes()));
            prop_assert_eq!(addr(s.as_bytes()).ok(), std_ip(s.as_bytes()));
        }

        #[test]
        fn ipv4_reads_every_address(octets in any::<[u8; 4]>()) {
            let a = Ipv4Addr::from(octets);
            prop_assert_eq!(ipv4(a.to_string().as_bytes()), Some(a));
        }

        #[test]
        fn ipv6_agrees_with_std_on_address_like_text(s in "[0-9a-fA-F:.]{0,48}|[0-9a-f]{0,5}(:{1,2}[0-9a-fA-F.]{0,6}){0,9}") {
            prop_assert_eq!(ipv6(s.as_bytes()), std_v6(s.as_bytes()));
            prop_assert_eq!(addr(s.as_bytes()).ok(), std_ip(s.as_bytes()));
        }

        #[test]
        fn ipv6_agrees_with_std_on_any_bytes(v in proptest::collection::vec(any::<u8>(), 0..48)) {
            prop_assert_eq!(ipv6(&v), std_v6(&v));
            prop_assert_eq!(addr(&v).ok(), std_ip(&v));
        }

        #[test]
        fn ipv6_reads_every_address_in_every_spelling(groups in any::<[u16; 8]>(), zeros in 0usize..8, run in 0usize..9, v4 in any::<bool>()) {
            // Runs of zero groups make `::` show up where Display puts it.
            let mut g = groups;
            for x in g.iter_mut().skip(zeros).take(run) {
                *x = 0;
            }
            let a = Ipv6Addr::from(g);
            let spellings = [
                a.to_string(),
                g.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":"),
                g.iter().map(|x| format!("{x:04X}")).collect::<Vec<_>>().join(":"),
            ];
            for s in &spellings {
                prop_assert_eq!(ipv6(s.as_bytes()), Some(a), "{}", s);
                prop_assert_eq!(addr(s.as_bytes()), Ok(IpAddr::V6(a)), "{}", s);
            }
            if v4 {
                let [a6, b6, c6, d6] = [g[6].to_be_bytes()[0], g[6].to_be_bytes()[1], g[7].to_be_bytes()[0], g[7].to_be_bytes()[1]];
                let head = g[..6].iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":");
                let s = format!("{head}:{a6}.{b6}.{c6}.{d6}");
                prop_assert_eq!(ipv6(s.as_bytes()), Some(a), "{}", s);
                prop_assert_eq!(ipv6(s.as_bytes()), std_v6(s.as_bytes()), "{}", s);
            }
        }
    }

    /// The parser as it was before `parse_line_into` (tokenize, then check each value
    /// with std's address parser and a per-field UTF-8 check): what every line must
    /// still give.
    mod reference {
        use super::super::{ParseError, ParseErrorKind};
        use crate::format::{Column, Field, Format};
        use crate::record::{Action, FlowDirection, LogStatus, Record};
        use std::net::IpAddr;

        pub(super) fn parse_line<'a>(
            format: &Format,
            line: &'a [u8],
        ) -> Result<Record<'a>, ParseError> {
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

        fn set_field<'a>(
            rec: &mut Record<'a>,
            field: Field,
            v: &'a [u8],
        ) -> Result<(), ParseErrorKind> {
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
    }

    /// Values of every kind, good and bad, for lines in any format.
    fn any_value() -> impl Strategy<Value = Vec<u8>> {
        let pick = prop_oneof![
            Just(&b"-"[..]),
            Just(&b"--"[..]),
            Just(&b"-5"[..]),
            Just(&b"ACCEPT"[..]),
            Just(&b"REJECT"[..]),
            Just(&b"OK"[..]),
            Just(&b"NODATA"[..]),
            Just(&b"SKIPDATA"[..]),
            Just(&b"ingress"[..]),
            Just(&b"egress"[..]),
            Just(&b"18446744073709551615"[..]),
            Just(&b"18446744073709551616"[..]),
            Just(&b"2001:db8::1"[..]),
            Just(&b"::ffff:10.0.0.1"[..]),
            Just(&b"10.0.0.1x"[..]),
            Just(&b"\xff\xfe"[..]),
            Just("été".as_bytes()),
        ]
        .prop_map(<[u8]>::to_vec);
        prop_oneof![
            pick,
            "[0-9]{1,22}".prop_map(String::into_bytes),
            "[0-9]{0,12}[x.:/-]?[0-9]{0,12}".prop_map(String::into_bytes),
            any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string().into_bytes()),
            any::<[u16; 8]>().prop_map(|g| Ipv6Addr::from(g).to_string().into_bytes()),
            "[a-z0-9-]{1,30}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>().prop_filter("no space", |&b| b != b' '), 1..12),
        ]
    }

    /// A value for `field`: usually of its kind, sometimes any value.
    fn value_for(field: Field) -> BoxedStrategy<Vec<u8>> {
        let typed: BoxedStrategy<Vec<u8>> = match field {
            Field::Srcaddr | Field::Dstaddr | Field::PktSrcaddr | Field::PktDstaddr => prop_oneof![
                any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string().into_bytes()),
                any::<[u16; 8]>().prop_map(|g| Ipv6Addr::from(g).to_string().into_bytes()),
            ]
            .boxed(),
            Field::Action => Just(b"REJECT".to_vec()).boxed(),
            Field::LogStatus => Just(b"SKIPDATA".to_vec()).boxed(),
            Field::FlowDirection => Just(b"egress".to_vec()).boxed(),
            Field::Version | Field::Protocol | Field::TrafficPath => {
                "[0-9]{1,3}".prop_map(String::into_bytes).boxed()
            }
            Field::Srcport | Field::Dstport | Field::TcpFlags => {
                "[0-9]{1,5}".prop_map(String::into_bytes).boxed()
            }
            Field::Packets | Field::Bytes | Field::Start | Field::End => {
                "[0-9]{1,20}".prop_map(String::into_bytes).boxed()
            }
            _ => "[a-z0-9é-]{1,30}".prop_map(String::into_bytes).boxed(),
        };
        prop_oneof![4 => typed, 1 => any_value()].boxed()
    }

    /// A format of up to 14 fields (one unknown column maybe) and values for it, with
    /// a value too many or too few now and then.
    fn format_and_values() -> impl Strategy<Value = (Format, Vec<Vec<u8>>)> {
        (
            proptest::sample::subsequence(Field::ALL.to_vec(), 1..14),
            any::<bool>(),
            -1i8..=1,
        )
            .prop_flat_map(|(fields, unknown, extra)| {
                let mut columns: Vec<Column> = fields.iter().map(|&f| Column::Known(f)).collect();
                if unknown {
                    columns.insert(columns.len() / 2, Column::Unknown("new-field".into()));
                }
                let mut values: Vec<BoxedStrategy<Vec<u8>>> = columns
                    .iter()
                    .map(|c| match c {
                        Column::Known(f) => value_for(*f),
                        Column::Unknown(_) => any_value().boxed(),
                    })
                    .collect();
                match extra {
                    -1 => drop(values.pop()),
                    1 => values.push(any_value().boxed()),
                    _ => {}
                }
                let format = Format::from_columns(columns).unwrap();
                (Just(format), values)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Any line in any format parses exactly as before, through `parse_line` and
        /// through a record reused from another line.
        #[test]
        fn lines_parse_as_before(
            (format, values) in format_and_values(),
            spaces in proptest::collection::vec(1usize..4, 15),
            lead in 0usize..2,
            cr in any::<bool>(),
        ) {
            let mut line = vec![b' '; lead];
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    line.extend(std::iter::repeat_n(b' ', spaces[i]));
                }
                line.extend_from_slice(value);
            }
            line.extend(std::iter::repeat_n(b' ', spaces[0] - 1));
            if cr {
                line.push(b'\r');
            }
            let expect = reference::parse_line(&format, &line);
            prop_assert_eq!(&parse_line(&format, &line), &expect);
            let mut rec = parse_line(&Format::v2(), b"2 1 eni-1 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT OK").unwrap();
            rec.extra[3] = Some(b"x");
            rec.vpc_id = Some("vpc");
            let got = parse_line_into(&format, &line, &mut rec);
            match expect {
                Ok(r) => prop_assert_eq!((got, rec), (Ok(()), r)),
                Err(e) => prop_assert_eq!(got, Err(e)),
            }
        }
    }
}
