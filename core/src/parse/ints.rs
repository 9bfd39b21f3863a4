//! Decimal integer values, matched and combined a word (eight digits) at a time.
//!
//! Invariants: a value is 1 to 20 ASCII digits (leading zeros allowed) that fit the
//! target type; no sign, no spaces, no overflow: anything else is `None`.

use super::ParseErrorKind;
use super::words::{HIGH, ZEROS, token_end, word_at};

/// An integer field at `line[start..]` and where it ends: the digits are found and
/// combined a word at a time; values of sixteen digits and more go through [`int`].
#[inline(always)]
pub(super) fn int_at<T: TryFrom<u64>>(line: &[u8], start: usize) -> Option<(T, usize)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    }
}
