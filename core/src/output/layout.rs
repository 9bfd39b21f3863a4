//! Where a summary goes: partition paths and file names.
//!
//! - Summaries go to `account_id=<id>/region=<region>/day=<YYYY-MM-DD>/<name>.parquet`
//!   ([`partition_path`]); `<name>` is derived from the input's identity alone
//!   ([`output_name`]), so a re-run writes the same names and overwrites.

/// Partition value used when neither the records nor the input's path say.
pub const UNKNOWN: &str = "unknown";

/// The civil (proleptic Gregorian) date of a day count since 1970-01-01.
/// Howard Hinnant's `civil_from_days`.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d is in 1..=31 and m in 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (UTC) of a Unix time in seconds.
pub fn utc_day(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Hive partition directory of a summary: `account_id=<a>/region=<r>/day=<d>`.
pub fn partition_path(account_id: &str, region: &str, day: &str) -> String {
    format!(
        "account_id={}/region={}/day={}",
        escape(account_id),
        escape(region),
        escape(day)
    )
}

/// Percent-escapes the characters that would break a Hive path segment.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(
            c,
            '/' | '\\' | '=' | '%' | ':' | '\n' | '\r' | '#' | '?' | '*'
        ) || c.is_control()
        {
            for b in c.to_string().bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The file name of a summary: the input's base name without `.log`/`.gz`/`.txt`
/// endings, then a hash of the full identity (a path, or `s3://bucket/key#version`),
/// then `.parquet`. Same identity, same name.
///
/// ```
/// use flowpath_core::output::layout::output_name;
/// let a = output_name("fixtures/flowlogs/v2-default.log.gz");
/// assert!(a.starts_with("v2-default-") && a.ends_with(".parquet"));
/// assert_eq!(a, output_name("fixtures/flowlogs/v2-default.log.gz"));
/// assert_ne!(a, output_name("other/v2-default.log.gz"));
/// ```
pub fn output_name(identity: &str) -> String {
    // `s3://bucket/key#version`: the name comes from the key, the hash from all of it.
    let path = identity.split('#').next().unwrap_or(identity);
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let mut stem = base;
    for ext in [".gz", ".log", ".txt"] {
        stem = stem.strip_suffix(ext).unwrap_or(stem);
    }
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let stem = if stem.is_empty() {
        "input".to_owned()
    } else {
        stem
    };
    format!("{stem}-{:016x}.parquet", fnv1a64(identity.as_bytes()))
}

/// FNV-1a, 64 bit: a stable hash (the same on every platform and release), for names.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1418530010), "2014-12-14");
        assert_eq!(utc_day(1616729292), "2021-03-26");
        assert_eq!(utc_day(951_782_400), "2000-02-29");
        assert_eq!(utc_day(-1), "1969-12-31");
        assert_eq!(utc_day(1787411825), "2026-08-22");
        // Every day of a few centuries against a day-by-day walk.
        let (mut y, mut m, mut d) = (1900i64, 1u32, 1u32);
        for days in -25_567..100_000 {
            assert_eq!(civil_from_days(days), (y, m, d), "{days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][m as usize - 1];
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    #[test]
    fn partition_paths_escape() {
        assert_eq!(
            partition_path("123", "eu-west-1", "2026-08-22"),
            "account_id=123/region=eu-west-1/day=2026-08-22"
        );
        assert_eq!(
            partition_path("a/b", "x=y", "unknown"),
            "account_id=a%2Fb/region=x%3Dy/day=unknown"
        );
    }

    #[test]
    fn output_names() {
        assert!(output_name("stdin").starts_with("stdin-"));
        assert!(output_name("a/b/c.log").starts_with("c-"));
        assert!(output_name("weird name?.txt").starts_with("weird_name_-"));
        let a = output_name("s3://b/AWSLogs/1/vpcflowlogs/r/x_1a2b.log.gz#etag1");
        assert!(a.starts_with("x_1a2b-"), "{a}");
        assert_ne!(
            a,
            output_name("s3://b/AWSLogs/1/vpcflowlogs/r/x_1a2b.log.gz#etag2")
        );
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
