//! The line grammar: values separated by spaces, read in format order into a
//! [`Record`], each by the reader of its field's kind.
//!
//! Invariants: every field of the format is written (`None` for `-`), no other;
//! a value ends at a space or the end of the line; a rejected value names its field;
//! text fields are `&str` exactly when their bytes are UTF-8.

use super::addr::addr_at;
use super::ints::int_at;
use super::words::{ends, token_end, word_at};
use super::{ParseError, ParseErrorKind};
#[cfg(doc)]
use super::{parse_line_into, parse_line_reusing};
use crate::format::{Column, Field, V2, ValueKind};
use crate::record::{Action, FlowDirection, LogStatus, Record};

/// [`parse_line_into`] for any format, a column at a time.
#[inline(never)]
pub(super) fn parse_columns<'a>(
    columns: &[Column],
    line: &'a [u8],
    text: Utf8Line<'a>,
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let mut so_far = ReadSoFar::new(text);
    let mut pos = skip_spaces(line, 0);
    for (i, column) in columns.iter().enumerate() {
        next_value(rec, line, &mut so_far, &mut pos, column, i, columns.len())?;
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
pub(super) fn parse_v2<'a>(
    line: &'a [u8],
    text: Utf8Line<'a>,
    rec: &mut Record<'a>,
) -> Result<(), ParseError> {
    let mut so_far = ReadSoFar::new(text);
    let mut pos = skip_spaces(line, 0);
    macro_rules! in_order {
        ($($i:literal)+) => {$(
            next_value(rec, line, &mut so_far, &mut pos, &Column::Known(V2[$i]), $i, V2.len())?;
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
    so_far: &mut ReadSoFar<'a>,
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
        Column::Known(field) => match field_at(rec, field, line, *pos, so_far) {
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

/// Text fields as `&str`: slices of the line, or of its first `limit` bytes, when
/// those are UTF-8, else each field checked on its own. A line the caller already
/// knows to be UTF-8 ([`Utf8Line::checked`]; the text source checks whole chunks, cheaper
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
pub(super) struct Utf8Line<'a> {
    line: &'a [u8],
    /// How far the line is checked at once.
    limit: usize,
    /// `None` until the first text field; then the line up to `limit` as `str`, if
    /// it is UTF-8.
    utf8: Option<Option<&'a str>>,
}

impl<'a> Utf8Line<'a> {
    pub(super) fn new(line: &'a [u8], limit: usize) -> Self {
        Utf8Line {
            line,
            limit,
            utf8: None,
        }
    }

    /// The text of a line known to be UTF-8.
    pub(super) fn checked(line: &'a str) -> Self {
        Utf8Line {
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

/// A [`Utf8Line::limit`] for formats whose text fields end within the line's first
/// `bytes` bytes: that many, plus those before the first word boundary (std checks
/// those one at a time, then 16-byte blocks), up to the end of the line.
pub(super) fn text_limit(line: &[u8], bytes: usize) -> usize {
    (line.as_ptr().addr().wrapping_neg() % 8 + bytes).min(line.len())
}

/// What the values of a line read so far leave for the next: its text, and where
/// its `srcaddr` and `dstaddr` values are once read (empty before). `pkt-srcaddr`
/// and `pkt-dstaddr` mostly repeat them (they differ where traffic passes through
/// an intermediate layer such as a NAT gateway): a value that repeats one byte for
/// byte is copied rather than read again, which saves most of the cost of an address.
struct ReadSoFar<'a> {
    text: Utf8Line<'a>,
    srcaddr: (usize, usize),
    dstaddr: (usize, usize),
}

impl<'a> ReadSoFar<'a> {
    fn new(text: Utf8Line<'a>) -> Self {
        ReadSoFar {
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
    so_far: &mut ReadSoFar<'a>,
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
        ($field:ident, so_far) => {{
            let end = addr!($field);
            so_far.$field = (start, end);
            end
        }};
        // An address that may repeat another: copied if it does.
        ($field:ident, $other:ident) => {
            match (rec.$other, repeats(line, so_far.$other, start)) {
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
                Some(so_far.text.get(start, end)?)
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
        Field::Srcaddr => addr!(srcaddr, so_far),
        Field::Dstaddr => addr!(dstaddr, so_far),
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
        // Transit gateway logs' own fields: out of line, so that the code of the
        // fields of every VPC record stays small enough to be inlined as before.
        Field::ResourceType
        | Field::TgwId
        | Field::TgwAttachmentId
        | Field::TgwSrcVpcAccountId
        | Field::TgwDstVpcAccountId
        | Field::TgwSrcVpcId
        | Field::TgwDstVpcId
        | Field::TgwSrcSubnetId
        | Field::TgwDstSubnetId
        | Field::TgwSrcEni
        | Field::TgwDstEni
        | Field::TgwSrcAzId
        | Field::TgwDstAzId
        | Field::TgwPairAttachmentId
        | Field::PacketsLostNoRoute
        | Field::PacketsLostBlackhole
        | Field::PacketsLostMtuExceeded
        | Field::PacketsLostTtlExpired => {
            transit_field_at(rec, field, line, start, &mut so_far.text)?
        }
    })
}

/// [`field_at`] for the fields only transit gateway logs have: text, or the
/// `packets-lost-…` integers.
#[cold]
#[inline(never)]
fn transit_field_at<'a>(
    rec: &mut Record<'a>,
    field: Field,
    line: &'a [u8],
    start: usize,
    text: &mut Utf8Line<'a>,
) -> Option<usize> {
    if let Some(i) = (field as usize).checked_sub(Field::PacketsLostNoRoute as usize) {
        let parsed = int_at(line, start);
        if let Some(slot) = rec.packets_lost.get_mut(i) {
            *slot = parsed.map(|(v, _)| v);
        }
        return match parsed {
            Some((_, end)) => Some(end),
            None => dash(line, start),
        };
    }
    let end = token_end(line, start + 1);
    let value = if end != start + 1 || line.get(start) != Some(&b'-') {
        Some(text.get(start, end)?)
    } else {
        None
    };
    if let Some(slot) = rec
        .tgw
        .get_mut(field as usize - Field::ResourceType as usize)
    {
        *slot = value;
    }
    Some(end)
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

#[cfg(test)]
mod tests {
    use super::super::reference::{self, line_of, parses_as_before};
    use super::super::{parse_line, parse_line_into};
    use super::*;
    use crate::format::Format;
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

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
