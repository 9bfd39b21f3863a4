//! IPv4 and IPv6 address values, read without allocating.
//!
//! Invariant: a value is accepted exactly when std's `IpAddr` parser accepts it (the
//! tests compare the two on any bytes), and the address is the one std reads.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::words::{HIGH, LOW, SPACES, ZEROS, ends};

/// An address field at `line[start..]` and where it ends. The value is accepted
/// exactly when `str::parse::<IpAddr>` accepts it: IPv4 in strict dotted decimal,
/// else IPv6. std reads an IPv4 address first and tries IPv6 only where none starts,
/// so an IPv4 address followed by more than the end of the value is no address;
/// [`ipv6_at`] rejects such a value too.
#[inline(always)]
pub(super) fn addr_at(line: &[u8], start: usize) -> Option<(IpAddr, usize)> {
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
    use super::super::ParseErrorKind;
    use super::super::reference::parses_as_before;
    use super::*;
    use crate::format::Format;
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

    proptest! {
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

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
}
