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

use crate::format::{Column, Field, Format, V2, ValueKind};
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
    /// A line longer than any flow-log record: skipped without being held whole.
    #[error("line longer than {max} bytes")]
    LineTooLong {
        /// The longest line read ([`crate::pipeline::Options::max_line_bytes`]).
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
    /// [`crate::pipeline::EARLIEST_TIME`]).
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
    // Fields the format lacks must read `None`.
    *rec = Record::default();
    parse_line_reusing(format, line.strip_suffix(b"\r").unwrap_or(line), rec)
}

/// [`parse_line_into`] for a loop over the lines of one format: `rec` must hold no
/// value in a field that `format` lacks, as a record does that is only ever parsed
/// into with `format` (after [`Record::default`]). Every field of the format is
/// written (`None` for `-`), so no value of an earlier line remains, and the other
/// fields are left as they are, which saves clearing the whole record every line.
/// The line has no `\r` at its end (the caller strips it).
#[inline]
pub(crate) fn parse_line_reusing<'a>(
    format: &Format,
    line: &'a [u8],
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    if format.is_v2() {
        parse_v2(line, Text::new(line, text_limit(line, 48)), rec)
    } else {
        parse_columns(format.columns(), line, Text::new(line, line.len()), rec)
    }
}

/// [`parse_line_reusing`] for a line already known to be UTF-8 (the pipeline checks a
/// chunk of lines at once): its text fields need no check of their own.
#[inline]
pub(crate) fn parse_str_reusing<'a>(
    format: &Format,
    line: &'a str,
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let text = Text::checked(line);
    if format.is_v2() {
        parse_v2(line.as_bytes(), text, rec)
    } else {
        parse_columns(format.columns(), line.as_bytes(), text, rec)
    }
}

/// [`parse_line_into`] for any format, a column at a time.
#[inline(never)]
fn parse_columns<'a>(
    columns: &[Column],
    line: &'a [u8],
    text: Text<'a>,
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let mut seen = Seen::new(text);
    let mut pos = skip_spaces(line, 0);
    for (i, column) in columns.iter().enumerate() {
        next_value(rec, line, &mut seen, &mut pos, column, i, columns.len())?;
    }
    values_end(line, pos, columns.len())
}

/// [`parse_line_into`] for the default (version 2) format, spelled out: each field's
/// parser is inlined in its place, without a dispatch per column.
///
/// Unless the caller knows the line to be UTF-8, `text` checks only its first 48
/// bytes at once: the text fields, the account and interface ids, end there in AWS's
/// lines (at 36 or so); longer ones are checked on their own.
#[inline(never)]
fn parse_v2<'a>(line: &'a [u8], text: Text<'a>, rec: &mut Record<'a>) -> Result<(), ParseError> {
    let mut seen = Seen::new(text);
    let mut pos = skip_spaces(line, 0);
    macro_rules! in_order {
        ($($i:literal)+) => {$(
            next_value(rec, line, &mut seen, &mut pos, &Column::Known(V2[$i]), $i, V2.len())?;
        )+};
    }
    in_order!(0 1 2 3 4 5 6 7 8 9 10 11 12 13);
    values_end(line, pos, V2.len())
}

/// Reads the value of the `i`th of `columns` columns, `column`, that starts at `*pos`
/// (past the end of the line if there is none) and moves `*pos` to the next value.
/// The error is the line's: too few values, or a bad value (naming its field).
#[inline(always)]
fn next_value<'a>(
    rec: &mut Record<'a>,
    line: &'a [u8],
    seen: &mut Seen<'a>,
    pos: &mut usize,
    column: &Column,
    i: usize,
    columns: usize,
) -> Result<(), ParseError> {
    if *pos >= line.len() {
        return Err(ParseError {
            field: None,
            kind: ParseErrorKind::TooFewFields {
                expected: columns,
                found: i,
            },
        });
    }
    let end = match *column {
        Column::Known(field) => match field_at(rec, field, line, *pos, seen) {
            Some(end) => end,
            None => {
                return Err(ParseError {
                    field: Some(field),
                    kind: failure(field),
                });
            }
        },
        Column::Unknown(_) => token_end(line, *pos + 1),
    };
    // Every value ends at a space or at the end of the line (then `pos` passes it,
    // which ends the line as well). One space between values is the rule.
    *pos = end + 1;
    if line.get(*pos) == Some(&b' ') {
        *pos = skip_spaces(line, *pos + 1);
    }
    Ok(())
}

/// The end of a line whose values for all `columns` columns were read up to `pos`:
/// nothing but spaces may follow.
#[inline(always)]
fn values_end(line: &[u8], pos: usize, columns: usize) -> Result<(), ParseError> {
    if pos < line.len() {
        return Err(ParseError {
            field: None,
            kind: ParseErrorKind::TooManyFields { expected: columns },
        });
    }
    Ok(())
}

/// The index of the first byte at or after `pos` that is not a space.
#[inline]
fn skip_spaces(line: &[u8], mut pos: usize) -> usize {
    while line.get(pos) == Some(&b' ') {
        pos += 1;
    }
    pos
}

const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// The eight bytes at `line[pos..]` as a little-endian word (the first in the low
/// byte), spaces standing for those past the end of the line.
///
/// Values are read a word at a time; a space ends a value, so the padding ends it at
/// the end of the line just as a real space would, and readers need no other check.
#[inline(always)]
fn word_at(line: &[u8], pos: usize) -> u64 {
    match line.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        Some(word) => u64::from_le_bytes(*word),
        None => tail_word(line, pos),
    }
}

/// [`word_at`] within eight bytes of the end: the line's last eight bytes shifted
/// down, spaces shifted in (only a line shorter than eight bytes needs a copy).
#[inline]
fn tail_word(line: &[u8], pos: usize) -> u64 {
    let rest = line.get(pos..).unwrap_or_default();
    let n = rest.len();
    if n == 0 {
        return SPACES;
    }
    // 1 to 7 bytes left.
    match line.last_chunk::<8>() {
        Some(last) => (u64::from_le_bytes(*last) >> (8 * (8 - n))) | (SPACES << (8 * n)),
        None => {
            let mut word = [b' '; 8];
            if let Some(head) = word.get_mut(..n) {
                head.copy_from_slice(rest);
            }
            u64::from_le_bytes(word)
        }
    }
}

/// The index of the first space at or after `pos`, else `line.len()` (`pos` at most
/// `line.len()`).
///
/// Values are short (a few to a few dozen bytes), too short for memchr's setup to pay
/// off: this looks at eight bytes at a time with word arithmetic.
#[inline(always)]
fn token_end(line: &[u8], pos: usize) -> usize {
    // Bytes equal to a space become zero; the classic zero-byte test then marks the
    // first zero byte exactly (bytes after it may be marked falsely, which does not
    // matter for finding the first).
    let first_space = |word: u64| {
        let x = word ^ SPACES;
        x.wrapping_sub(LOW) & !x & HIGH
    };
    let rest = line.get(pos..).unwrap_or_default();
    let (words, _) = rest.as_chunks::<8>();
    let mut end = pos;
    for word in words {
        let zero = first_space(u64::from_le_bytes(*word));
        if zero != 0 {
            return end + (zero.trailing_zeros() / 8) as usize;
        }
        end += 8;
    }
    // The last few bytes, padded with spaces: this stops at the end at the latest.
    end + (first_space(tail_word(line, end)).trailing_zeros() / 8) as usize
}

/// Text fields as `&str`: slices of the line, or of its first `limit` bytes, when
/// those are UTF-8, else each field checked on its own. A line the caller already
/// knows to be UTF-8 ([`Text::checked`]; the pipeline checks whole chunks, cheaper
/// still) needs no check here at all.
///
/// One UTF-8 check of the line is far cheaper than one per text field (std's check
/// costs a fixed amount, then little per byte in 16-byte blocks once on a word
/// boundary), and it is made on the first text field, so formats without any never
/// pay for it. Where the text fields are known to come early, the check stops at the
/// end of a block (see [`text_limit`]) rather than at the end of the line: std checks
/// the bytes after its last block one at a time. Spaces are ASCII, so every field of
/// valid text is a valid `str` slice of it. Text that is not UTF-8 (maybe only
/// because `limit` falls inside a character) has its fields checked one by one, so
/// the error names the first bad field, and bytes in fields kept as bytes are not an
/// error.
struct Text<'a> {
    line: &'a [u8],
    /// How far the line is checked at once.
    limit: usize,
    /// `None` until the first text field; then the line up to `limit` as `str`, if
    /// it is UTF-8.
    utf8: Option<Option<&'a str>>,
}

impl<'a> Text<'a> {
    fn new(line: &'a [u8], limit: usize) -> Self {
        Text {
            line,
            limit,
            utf8: None,
        }
    }

    /// The text of a line known to be UTF-8.
    fn checked(line: &'a str) -> Self {
        Text {
            line: line.as_bytes(),
            limit: line.len(),
            utf8: Some(Some(line)),
        }
    }

    #[inline(always)]
    fn get(&mut self, start: usize, end: usize) -> Option<&'a str> {
        let (line, limit) = (self.line, self.limit);
        if end <= limit
            && let Some(s) = *self
                .utf8
                .get_or_insert_with(|| line.get(..limit).and_then(|v| std::str::from_utf8(v).ok()))
        {
            // Both ends sit next to a space or at an end of the text, so they are
            // character boundaries and `get` succeeds.
            return s.get(start..end);
        }
        line.get(start..end)
            .and_then(|v| std::str::from_utf8(v).ok())
    }
}

/// A [`Text::limit`] for formats whose text fields end within the line's first
/// `bytes` bytes: that many, plus those before the first word boundary (std checks
/// those one at a time, then 16-byte blocks), up to the end of the line.
fn text_limit(line: &[u8], bytes: usize) -> usize {
    (line.as_ptr().addr().wrapping_neg() % 8 + bytes).min(line.len())
}

/// What the values of a line read so far leave for the next: its text, and where
/// its `srcaddr` and `dstaddr` values are once read (empty before). `pkt-srcaddr`
/// and `pkt-dstaddr` mostly repeat them (they differ where traffic passes through
/// an intermediate layer such as a NAT gateway): a value that repeats one byte for
/// byte is copied rather than read again, which saves most of the cost of an address.
struct Seen<'a> {
    text: Text<'a>,
    srcaddr: (usize, usize),
    dstaddr: (usize, usize),
}

impl<'a> Seen<'a> {
    fn new(text: Text<'a>) -> Self {
        Seen {
            text,
            srcaddr: (0, 0),
            dstaddr: (0, 0),
        }
    }
}

/// Where the value at `line[start..]` ends if it repeats the one at `line[from..to]`
/// (not empty): the same bytes, then the end of the value.
#[inline(always)]
fn repeats(line: &[u8], (from, to): (usize, usize), start: usize) -> Option<usize> {
    let end = start + (to - from);
    (to > from && line.get(start..end)? == line.get(from..to)? && ends(line, end)).then_some(end)
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

/// Where the value at `line[start]` ends if it is `-` (no value for every field).
#[inline(always)]
fn dash(line: &[u8], start: usize) -> Option<usize> {
    (line.get(start) == Some(&b'-') && line.get(start + 1).is_none_or(|&b| b == b' '))
        .then_some(start + 1)
}

/// Reads the value of `field` that starts at `line[start]` (not a space) into `rec`
/// (`None` for `-`; on failure, some value or none) and returns where it ends.
/// Integers, addresses and enumerated values are read in one pass, their end found on
/// the way; text ends at the next space.
#[inline(always)]
fn field_at<'a>(
    rec: &mut Record<'a>,
    field: Field,
    line: &'a [u8],
    start: usize,
    seen: &mut Seen<'a>,
) -> Option<usize> {
    // A typed value, or else `-` (no value). `-` is no integer, address or enumerated
    // value, so it is looked for only when parsing fails.
    macro_rules! typed {
        ($field:ident, $parsed:expr) => {
            match $parsed {
                Some((value, end)) => {
                    rec.$field = Some(value);
                    end
                }
                None => {
                    rec.$field = None;
                    return dash(line, start);
                }
            }
        };
    }
    macro_rules! int {
        ($field:ident) => {
            typed!($field, int_at(line, start))
        };
    }
    macro_rules! addr {
        ($field:ident) => {
            typed!($field, addr_at(line, start))
        };
        // An address others may repeat: where it is, once read.
        ($field:ident, seen) => {{
            let end = addr!($field);
            seen.$field = (start, end);
            end
        }};
        // An address that may repeat another: copied if it does.
        ($field:ident, $other:ident) => {
            match (rec.$other, repeats(line, seen.$other, start)) {
                (Some(a), Some(end)) => {
                    rec.$field = Some(a);
                    end
                }
                _ => addr!($field),
            }
        };
    }
    macro_rules! value {
        ($field:ident, $($text:literal => $value:expr),+) => {{
            let word = word_at(line, start);
            typed!($field, $(
                if is_value(line, start, word, const { padded($text) }, $text.len()) {
                    Some(($value, start + $text.len()))
                } else
            )+ {
                None
            })
        }};
    }
    // Text values end at the next space; `-` is one byte long.
    macro_rules! text {
        ($field:ident) => {{
            let end = token_end(line, start + 1);
            rec.$field = if end != start + 1 || line.get(start) != Some(&b'-') {
                Some(seen.text.get(start, end)?)
            } else {
                None
            };
            end
        }};
    }
    Some(match field {
        Field::Version => int!(version),
        Field::AccountId => text!(account_id),
        Field::InterfaceId => text!(interface_id),
        Field::Srcaddr => addr!(srcaddr, seen),
        Field::Dstaddr => addr!(dstaddr, seen),
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
        Field::PktSrcaddr => addr!(pkt_srcaddr, srcaddr),
        Field::PktDstaddr => addr!(pkt_dstaddr, dstaddr),
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
            let end = token_end(line, start + 1);
            let i = field as usize - Field::EcsClusterArn as usize;
            if let Some(slot) = rec.extra.get_mut(i) {
                *slot = if end != start + 1 || line.get(start) != Some(&b'-') {
                    line.get(start..end)
                } else {
                    None
                };
            }
            end
        }
    })
}

/// `value` (at most eight bytes) in a word as [`word_at`] reads it, spaces after it.
const fn padded(value: &[u8]) -> u64 {
    let mut word = [b' '; 8];
    let mut i = 0;
    while i < value.len() && i < 8 {
        word[i] = value[i];
        i += 1;
    }
    u64::from_le_bytes(word)
}

/// Whether the value at `line[start..]`, whose first eight bytes are `word`, is
/// exactly the `len` bytes (2 to 8) of `value`, which is [`padded`]: those bytes and
/// the space (or end of line) after them compare in one go.
#[inline(always)]
fn is_value(line: &[u8], start: usize, word: u64, value: u64, len: usize) -> bool {
    if len < 8 {
        let mask = u64::MAX >> (8 * (7 - len));
        word & mask == value & mask
    } else {
        word == value && line.get(start + len).is_none_or(|&b| b == b' ')
    }
}

/// An integer field at `line[start..]` and where it ends: the digits are found and
/// combined a word at a time; values of sixteen digits and more go through [`int`].
#[inline(always)]
fn int_at<T: TryFrom<u64>>(line: &[u8], start: usize) -> Option<(T, usize)> {
    let word = word_at(line, start);
    let x = word.wrapping_sub(ZEROS);
    // The lowest marked byte is the first that is not a digit (see `not_digits`).
    let n = (not_digits(x).trailing_zeros() / 8) as usize;
    let (value, end) = if n < 8 {
        // The digits must run up to a space (or the end of the line). `start` is no
        // space, so a value that starts with no digit fails here too.
        if (word >> (8 * n)) as u8 != b' ' {
            return None;
        }
        // Shift the digits to the top: the bytes shifted in are leading zeros.
        (combine_digits(x << (8 * (8 - n))), start + n)
    } else {
        // Eight digits and more: the next word.
        let next = word_at(line, start + 8);
        let y = next.wrapping_sub(ZEROS);
        let m = (not_digits(y).trailing_zeros() / 8) as usize;
        if m == 8 {
            return long_int_at(line, start);
        }
        if (next >> (8 * m)) as u8 != b' ' {
            return None;
        }
        let value = match m {
            0 => combine_digits(x),
            _ => combine_digits(x) * POW10[m] + combine_digits(y << (8 * (8 - m))),
        };
        (value, start + 8 + m)
    };
    T::try_from(value).ok().map(|n| (n, end))
}

/// [`int_at`] for sixteen digits and more.
#[cold]
#[inline(never)]
fn long_int_at<T: TryFrom<u64>>(line: &[u8], start: usize) -> Option<(T, usize)> {
    let end = token_end(line, start);
    Some((int(line.get(start..end)?).ok()?, end))
}

/// 10^0 to 10^7.
const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

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
    const TO_HIGH: u64 = u64::from_ne_bytes([0x76; 8]);
    (x | x.wrapping_add(TO_HIGH)) & HIGH
}

/// The value of eight digit values (0 to 9) in a word, the first in the low byte:
/// neighbours combine into 2, 4, then 8 digits, each step one multiplication that
/// adds a lane times 10^k into the next lane (the sums never carry out of it).
#[inline(always)]
fn combine_digits(x: u64) -> u64 {
    let x = (x.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    x.wrapping_mul(10_000 << 32 | 1) >> 32
}

/// An address field at `line[start..]` and where it ends. The value is accepted
/// exactly when `str::parse::<IpAddr>` accepts it: IPv4 in strict dotted decimal,
/// else IPv6. std reads an IPv4 address first and tries IPv6 only where none starts,
/// so an IPv4 address followed by more than the end of the value is no address;
/// [`ipv6_at`] rejects such a value too.
#[inline(always)]
fn addr_at(line: &[u8], start: usize) -> Option<(IpAddr, usize)> {
    if let Some((a, end)) = ipv4_at(line, start)
        && line.get(end).is_none_or(|&b| b == b' ')
    {
        return Some((IpAddr::V4(a), end));
    }
    ipv6_at(line, start).map(|(a, end)| (IpAddr::V6(a), end))
}

/// An IPv4 address at the start of `v[pos..]` and where it ends, as std reads one
/// (`Parser::read_ipv4_addr`): four decimal parts separated by `.`, each one to three
/// digits, at most 255, no leading zero unless the part is `0`. Each part takes every
/// digit that follows, so `1.2.3.4567` is no address (not `1.2.3.456` then `7`).
#[inline(always)]
fn ipv4_at(v: &[u8], pos: usize) -> Option<(Ipv4Addr, usize)> {
    // The longest address and the byte after it are sixteen bytes: one copy holds
    // all this looks at.
    let b = window::<16>(v, pos);
    let (o0, p) = octet(&b, 0)?;
    let (o1, p) = octet(&b, dot(&b, p)?)?;
    let (o2, p) = octet(&b, dot(&b, p)?)?;
    let (o3, p) = octet(&b, dot(&b, p)?)?;
    Some((Ipv4Addr::new(o0, o1, o2, o3), pos + p))
}

/// The position after the `.` at `b[p]`.
#[inline(always)]
fn dot(b: &[u8; 16], p: usize) -> Option<usize> {
    (b.get(p) == Some(&b'.')).then_some(p + 1)
}

/// One part of a dotted-decimal address at `b[p..]` (see [`ipv4_at`]) and where it
/// ends; `p` is at most 12, the start of the last part of the longest address.
#[inline(always)]
fn octet(b: &[u8; 16], p: usize) -> Option<(u8, usize)> {
    let digit = |i: usize| b.get(p + i).map_or(10, |c| c.wrapping_sub(b'0'));
    let d0 = digit(0);
    if d0 > 9 {
        return None;
    }
    let d1 = digit(1);
    if d1 > 9 {
        return Some((d0, p + 1));
    }
    if d0 == 0 {
        return None;
    }
    let d2 = digit(2);
    if d2 > 9 {
        return Some((d0 * 10 + d1, p + 2));
    }
    if digit(3) <= 9 {
        return None;
    }
    let n = u16::from(d0) * 100 + u16::from(d1) * 10 + u16::from(d2);
    Some((u8::try_from(n).ok()?, p + 3))
}

/// Whether a value ends at `v[pos]`: a space or the end.
#[inline(always)]
fn ends(v: &[u8], pos: usize) -> bool {
    v.get(pos).is_none_or(|&b| b == b' ')
}

/// An IPv6 address at `v[start..]`, up to the next space or the end, and where it
/// ends; accepted exactly when `Ipv6Addr::from_str` accepts the value.
///
/// std's `Parser::read_ipv6_addr` reads the groups before `::` and those after it
/// separately, trying an embedded IPv4 address before every group; this reads the
/// groups in one pass, noting where `::` stood, and tries IPv4 only where a group's
/// digits run into a `.` (the only place one can start). An IPv4 address must end the
/// value and fill its last two groups.
#[inline]
fn ipv6_at(v: &[u8], start: usize) -> Option<(Ipv6Addr, usize)> {
    // The longest address is 45 bytes: one copy holds all this looks at (but the
    // bytes of an embedded IPv4 address).
    let w = window::<64>(v, start);
    if let Some(a) = ipv6_full(&w) {
        return Some((a, start + 39));
    }
    // The groups read, the latest in the low bits; at `::` they move to `head`.
    let mut tail: u128 = 0;
    let mut head: u128 = 0;
    let mut groups = 0u32;
    // How many groups come before `::`, once it is read.
    let mut gap = None;
    let mut pos = 0;
    if w.starts_with(b"::") {
        gap = Some(0);
        pos = 2;
        if w[2] == b' ' {
            return Some((Ipv6Addr::UNSPECIFIED, start + pos));
        }
    }
    loop {
        let (group, digits) = hex_group(&w, pos)?;
        let end = pos + digits;
        let next = w.get(end).copied().unwrap_or(b' ');
        if next == b'.' {
            // The group was the first part of an IPv4 address, which ends the value
            // and takes two groups (how many there are is checked below).
            let (a, end) = ipv4_at(v, start + pos)?;
            if !ends(v, end) {
                return None;
            }
            tail = tail << 32 | u128::from(a.to_bits());
            groups += 2;
            pos = end - start;
            break;
        }
        tail = tail << 16 | u128::from(group);
        groups += 1;
        pos = end;
        match next {
            b' ' => break,
            b':' => {}
            _ => return None,
        }
        // No group may follow the eighth.
        if groups == 8 {
            return None;
        }
        pos += 1;
        if w.get(pos) == Some(&b':') {
            if gap.is_some() {
                return None;
            }
            gap = Some(groups);
            head = tail;
            tail = 0;
            pos += 1;
            if w.get(pos) == Some(&b' ') {
                break;
            }
        }
    }
    let bits = match gap {
        None if groups == 8 => tail,
        // `head` holds `g` groups, at most 7: shift it in two steps, as 128 bits
        // would be too far.
        Some(g) if groups < 8 => head << (16 * (7 - g)) << 16 | tail,
        _ => return None,
    };
    Some((Ipv6Addr::from_bits(bits), start + pos))
}

/// The `N` bytes at `v[pos..]`, spaces standing for those past the end.
#[inline(always)]
fn window<const N: usize>(v: &[u8], pos: usize) -> [u8; N] {
    match v.get(pos..).and_then(<[u8]>::first_chunk::<N>) {
        Some(w) => *w,
        None => {
            let mut w = [b' '; N];
            let rest = v.get(pos..).unwrap_or_default();
            if let Some(head) = w.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            w
        }
    }
}

/// The full form of an IPv6 address, eight groups of four hex digits (39 bytes),
/// at the start of `w` and followed by a space: the form of an address whose groups
/// are all at least 0x1000, as many of the random halves of AWS's addresses are,
/// checked and converted five words at a time rather than a digit at a time. `None`
/// is no verdict: the value may still be an address in another form.
#[inline(always)]
fn ipv6_full(w: &[u8; 64]) -> Option<Ipv6Addr> {
    let words: [u64; 5] = std::array::from_fn(|k| {
        w.as_chunks::<8>()
            .0
            .get(k)
            .map_or(0, |&b| u64::from_le_bytes(b))
    });
    // The separators first: most values that are not in this form fail here.
    let mut bad = 0;
    for (word, &(separators, expected)) in words.iter().zip(&FULL) {
        bad |= (word & separators) ^ expected;
    }
    if bad != 0 {
        return None;
    }
    let mut nibbles = [0u64; 5];
    for ((word, &(separators, _)), n) in words.iter().zip(&FULL).zip(&mut nibbles) {
        // Separators read as `0`: all bytes are checked and converted alike.
        let x = (word & !separators) | (ZEROS & separators);
        bad |= !hex_digits(x) & HIGH;
        // `0`-`9` are 0x30-0x39, `A`-`F` and `a`-`f` 0x41-0x46 and 0x61-0x66: the low
        // four bits, plus 9 where bit 6 is set.
        *n = (x & LOW4) + ((x >> 6) & LOW) * 9;
    }
    if bad != 0 {
        return None;
    }
    // Each byte of `pairs` holds the digit there and the next one; the groups start at
    // every fifth byte, so a group is the pairs at its first and third digit. A pair
    // at the last byte of a word takes its second digit from the next word.
    let pairs = nibbles.map(|n| n << 4 | n >> 8);
    let pair = |t: usize| {
        let (k, i) = (t / 8, t % 8);
        let high = pairs.get(k).map_or(0, |p| (p >> (8 * i)) as u8);
        match i {
            7 => high | nibbles.get(k + 1).map_or(0, |&n| n as u8),
            _ => high,
        }
    };
    let group = |t: usize| u16::from(pair(t)) << 8 | u16::from(pair(t + 2));
    Some(Ipv6Addr::new(
        group(0),
        group(5),
        group(10),
        group(15),
        group(20),
        group(25),
        group(30),
        group(35),
    ))
}

const LOW4: u64 = u64::from_ne_bytes([0x0F; 8]);

/// The separators of the full form (see [`ipv6_full`]): per word, a mask of their
/// bytes and what the bytes must be.
const FULL: [(u64, u64); 5] = {
    let pattern = b"....:....:....:....:....:....:....:.... ";
    let mut words = [(0, 0); 5];
    let mut i = 0;
    while i < pattern.len() {
        if pattern[i] != b'.' {
            words[i / 8].0 |= 0xFF << (8 * (i % 8));
            words[i / 8].1 |= (pattern[i] as u64) << (8 * (i % 8));
        }
        i += 1;
    }
    words
};

/// The top bit of every byte of `x` that is a hex digit, either case. Adding
/// `0x80 - k` to a byte below 0x80 sets its top bit exactly when it is at least `k`,
/// and carries into no other byte.
#[inline(always)]
fn hex_digits(x: u64) -> u64 {
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    let at_least = |u: u64, k: u8| u.wrapping_add(u64::from_ne_bytes([0x80 - k; 8]));
    let u = x & LOW7;
    let digit = at_least(u, b'0') ^ at_least(u, b'9' + 1);
    // Upper-case letters become lower-case; digits keep bit 5 set.
    let l = u | SPACES;
    let letter = at_least(l, b'a') ^ at_least(l, b'f' + 1);
    (digit | letter) & !x & HIGH
}

/// One to four hex digits (either case) at `w[pos..]`, not followed by a fifth: their
/// value and how many there are.
#[inline(always)]
fn hex_group(w: &[u8; 64], pos: usize) -> Option<(u32, usize)> {
    // A group and the byte after it are at most five bytes: one word holds them.
    let word = u64::from_le_bytes(*w.get(pos..)?.first_chunk::<8>()?);
    let hex = |i: usize| u32::from(HEX[usize::from((word >> (8 * i)) as u8)]);
    let [d0, d1, d2, d3, d4] = [0, 1, 2, 3, 4].map(hex);
    // Most groups have four digits: all four are looked up at once.
    if d0 | d1 | d2 | d3 <= 15 {
        return (d4 > 15).then_some((d0 << 12 | d1 << 8 | d2 << 4 | d3, 4));
    }
    if d0 > 15 {
        return None;
    }
    if d1 > 15 {
        return Some((d0, 1));
    }
    if d2 > 15 {
        return Some((d0 << 4 | d1, 2));
    }
    Some((d0 << 8 | d1 << 4 | d2, 3))
}

/// A whole value as an IPv6 address.
#[cfg(test)]
fn ipv6(v: &[u8]) -> Option<Ipv6Addr> {
    match ipv6_at(v, 0) {
        Some((a, end)) if end == v.len() => Some(a),
        _ => None,
    }
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

    /// A line of `values`, the first after `lead` spaces and each other after
    /// `spaces[i]`, then `trail` spaces and maybe `\r`.
    fn line_of(
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
    fn parses_as_before(format: &Format, line: &[u8]) -> Result<(), TestCaseError> {
        let expect = reference::parse_line(format, line);
        prop_assert_eq!(
            &parse_line(format, line),
            &expect,
            "{:?}",
            String::from_utf8_lossy(line)
        );
        let mut rec = parse_line(
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
        // pipeline strips a line's `\r` itself, and hands lines of UTF-8 chunks over as
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
        prop_assert_eq!(Ok(reused), parse_line(format, &full));
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
    fn full_line(format: &Format) -> Vec<u8> {
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

    /// Values that end where a word read of them would be tempted to look further:
    /// enumerated values and their near misses, a lone `-`, digits around 8 and 16.
    fn edge_value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::sample::select(vec![
                &b"OK"[..],
                b"OKx",
                b"OK\0",
                b"O",
                b"NODATA",
                b"NODATA-",
                b"SKIPDATA",
                b"SKIPDATAX",
                b"SKIPDAT",
                b"ACCEPT",
                b"ACCEPTED",
                b"ACCEP",
                b"REJECT\t",
                b"ingress",
                b"ingresss",
                b"egress",
                b"egres",
                b"-",
                b"-x",
                b"x-",
                b"::",
                b"::1",
                b"1::",
                b"1.2.3.4",
                b"0",
                b"00",
            ])
            .prop_map(<[u8]>::to_vec),
            "[0-9]{6,10}|[0-9]{14,18}".prop_map(String::into_bytes),
        ]
    }

    /// A format of one or two columns, each any field or an unknown name.
    fn short_format() -> impl Strategy<Value = Format> {
        let column = prop_oneof![
            4 => proptest::sample::select(Field::ALL.to_vec()).prop_map(Column::Known),
            1 => Just(Column::Unknown("new-field".into())),
        ];
        proptest::collection::vec(column, 1..3).prop_filter_map("a field twice", |columns| {
            Format::from_columns(columns).ok()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Lines in the default format, which has a parser of its own: typed values,
        /// now and then any value, a value too many or too few, runs of spaces, `\r`.
        #[test]
        fn v2_lines_parse_as_before(
            values in V2.iter().map(|&f| value_for(f)).collect::<Vec<_>>(),
            extra in -1i8..=1,
            more in any_value(),
            spaces in proptest::collection::vec(1usize..4, 15),
            lead in 0usize..3,
            trail in 0usize..3,
            cr in any::<bool>(),
        ) {
            let mut values = values;
            match extra {
                -1 => drop(values.pop()),
                1 => values.push(more),
                _ => {}
            }
            parses_as_before(&Format::v2(), &line_of(&values, &spaces, lead, trail, cr))?;
        }

        /// Lines of one or two values, often shorter than a word, so that every
        /// parser reads up to the end of the line.
        #[test]
        fn short_lines_parse_as_before(
            format in short_format(),
            values in proptest::collection::vec(prop_oneof![any_value(), edge_value()], 0..4),
            spaces in proptest::collection::vec(1usize..3, 3),
            lead in 0usize..3,
            trail in 0usize..3,
            cr in any::<bool>(),
        ) {
            parses_as_before(&format, &line_of(&values, &spaces, lead, trail, cr))?;
        }

        /// Addresses in the full form (eight groups of four digits), which has a
        /// reader of its own, and near misses: bytes replaced anywhere, the end
        /// included, by any byte or by one of the form's own.
        #[test]
        fn full_form_ipv6_agrees_with_std(
            groups in any::<[u16; 8]>(),
            upper in any::<bool>(),
            changes in proptest::collection::vec(
                (0usize..40, prop_oneof![any::<u8>(), proptest::sample::select(b":. 0fF".to_vec())]),
                0..3,
            ),
            rest in "|[ 0-9]{1,4}|.{1,3}",
        ) {
            let mut v: Vec<u8> = groups
                .iter()
                .map(|g| if upper { format!("{g:04X}") } else { format!("{g:04x}") })
                .collect::<Vec<_>>()
                .join(":")
                .into_bytes();
            v.extend_from_slice(rest.as_bytes());
            for (i, b) in changes {
                if let Some(slot) = v.get_mut(i) {
                    *slot = b;
                }
            }
            prop_assert_eq!(ipv6(&v), std_v6(&v), "{:?}", String::from_utf8_lossy(&v));
            prop_assert_eq!(addr(&v).ok(), std_ip(&v), "{:?}", String::from_utf8_lossy(&v));
            let format = Format::parse("srcaddr account-id").unwrap();
            let mut line = v.clone();
            line.extend_from_slice(b" 1");
            parses_as_before(&format, &line)?;
        }
    }

    /// A value for `pkt-srcaddr` or `pkt-dstaddr` from the value of `srcaddr` or
    /// `dstaddr`: the same (as AWS mostly writes), or almost.
    fn repeated(value: &[u8], how: u8, b: u8) -> Vec<u8> {
        let mut v = value.to_vec();
        match how {
            0 | 1 => {}
            2 => v.push(b),
            3 => drop(v.pop()),
            _ => {
                if let Some(last) = v.last_mut() {
                    *last = b;
                }
            }
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Lines where `pkt-srcaddr` and `pkt-dstaddr` repeat `srcaddr` and
        /// `dstaddr` (or almost), in any order of the four fields.
        #[test]
        fn repeated_addresses_parse_as_before(
            order in Just(vec![
                Field::Srcaddr,
                Field::Dstaddr,
                Field::PktSrcaddr,
                Field::PktDstaddr,
                Field::Bytes,
            ]).prop_shuffle(),
            src in value_for(Field::Srcaddr),
            dst in value_for(Field::Dstaddr),
            how in any::<[u8; 2]>().prop_map(|h| h.map(|h| h % 5)),
            b in prop_oneof![Just(b'1'), Just(b'.'), Just(b':'), Just(b'x'), any::<u8>()],
            spaces in proptest::collection::vec(1usize..3, 5),
            trail in 0usize..2,
        ) {
            let format = Format::from_columns(order.iter().map(|&f| Column::Known(f)).collect()).unwrap();
            let values: Vec<Vec<u8>> = order
                .iter()
                .map(|f| match f {
                    Field::Srcaddr => src.clone(),
                    Field::Dstaddr => dst.clone(),
                    Field::PktSrcaddr => repeated(&src, how[0], b),
                    Field::PktDstaddr => repeated(&dst, how[1], b),
                    _ => b"5".to_vec(),
                })
                .collect();
            parses_as_before(&format, &line_of(&values, &spaces, 0, trail, false))?;
        }
    }

    #[test]
    fn hex_digits_are_marked_exactly() {
        for b in 0..=255u8 {
            for i in 0..8 {
                let mut word = *b"0aF9:g G";
                word[i] = b;
                let marked = hex_digits(u64::from_le_bytes(word));
                for (j, &c) in word.iter().enumerate() {
                    assert_eq!(
                        marked >> (8 * j + 7) & 1 == 1,
                        c.is_ascii_hexdigit(),
                        "{word:?}"
                    );
                }
                assert_eq!(marked & !HIGH, 0);
            }
        }
    }

    #[test]
    fn lines_without_values() {
        for format in [Format::v2(), Format::parse("srcaddr new-field").unwrap()] {
            for line in [&b""[..], b" ", b"    ", b"\r", b"  \r", b"\r\r"] {
                parses_as_before(&format, line).unwrap();
            }
            let err = parse_line(&format, b"  ").unwrap_err();
            assert_eq!(
                err.kind,
                ParseErrorKind::TooFewFields {
                    expected: format.len(),
                    found: 0
                }
            );
        }
    }

    #[test]
    fn v2_text_fields_past_the_first_check() {
        // The default format checks the text of its first 48 bytes or so at once;
        // longer ids, non-ASCII ones and bad bytes anywhere must read as before.
        let long = "9".repeat(60);
        let wide = "é".repeat(30);
        for (account, interface) in [
            ("123456789010", "eni-1235b8ca123456789"),
            (&long[..], "eni-1"),
            ("1", &long[..]),
            (&wide[..], "eni-é"),
            ("é", &wide[..]),
            ("12345678901234567890123é", "eni-ééééééééééééééééééé"),
            ("-", "-"),
            ("\u{3000}", "eni-\u{3000}"),
        ] {
            for pad in 0..9 {
                let line = format!(
                    "{}2 {account} {interface} 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT OK",
                    " ".repeat(pad)
                );
                parses_as_before(&Format::v2(), line.as_bytes()).unwrap();
            }
        }
        for line in [
            &b"2 \xff 1 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT OK"[..],
            b"2 1 eni-\xc3 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT OK",
            b"2 1 eni-1 1.2.3.4 ::1 1 2 6 1 1 1 1 ACCEPT \xc3\xa9",
            b"2 \xc3\xa9 eni-1 1.2.3.4 ::1 1 2 6 1 1 1 1 \xff OK",
            b"2 \xff",
            b"2 1 \xff",
        ] {
            parses_as_before(&Format::v2(), line).unwrap();
        }
    }
}
