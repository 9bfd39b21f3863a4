//! Which inputs a run reads: `--account`, `--region`, `--from` and `--to`, checked
//! against what AWS's key layout says about each key. (Which keys are flow logs, and
//! of which kind, is the core's rule: [`flowpath_core::object`].)
//!
//! AWS delivers flow logs to S3 under
//! `[prefix/]AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/[<hh>/]<file>.log.gz` (or `.log.parquet`),
//! or with Hive-compatible prefixes under
//! `[prefix/]AWSLogs/aws-account-id=<a>/aws-service=vpcflowlogs/aws-region=<r>/year=<y>/month=<m>/day=<d>/[hour=<h>/]<file>.log.gz`.

use anyhow::{Result, bail};

use crate::cli::SelectArgs;

/// A day as a count of days since 1970-01-01 (UTC).
pub(crate) type Day = i64;

/// Howard Hinnant's `days_from_civil`: the day number of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The number of days of month `m` of year `y`.
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_day(text: &str) -> Option<Day> {
    let mut parts = text.trim().split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let y: i64 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    ((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d))
        .then(|| days_from_civil(y, m, d))
}

/// The two key layouts AWS delivers flow logs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Layout {
    /// `AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/`
    Plain,
    /// `AWSLogs/aws-account-id=<a>/aws-service=vpcflowlogs/aws-region=<r>/year=<y>/month=<m>/day=<d>/`
    Hive,
}

impl Layout {
    /// The layout of an account segment, and the account.
    pub(crate) fn of_account(segment: &str) -> (Layout, &str) {
        match segment.strip_prefix("aws-account-id=") {
            Some(account) => (Layout::Hive, account),
            None => (Layout::Plain, segment),
        }
    }

    fn name(self, key: &'static str) -> &'static str {
        match (self, key) {
            (Layout::Plain, _) => "",
            (Layout::Hive, "account") => "aws-account-id=",
            (Layout::Hive, "service") => "aws-service=",
            (Layout::Hive, "region") => "aws-region=",
            (Layout::Hive, other) => other,
        }
    }

    /// `<account>/` or `aws-account-id=<account>/`.
    pub(crate) fn account_dir(self, account: &str) -> String {
        format!("{}{account}/", self.name("account"))
    }

    /// `vpcflowlogs/` or `aws-service=vpcflowlogs/`.
    pub(crate) fn service_dir(self) -> String {
        format!("{}vpcflowlogs/", self.name("service"))
    }

    /// `yyyy/` or `year=yyyy/`.
    pub(crate) fn year_dir(self, y: i64) -> String {
        match self {
            Layout::Plain => format!("{y:04}/"),
            Layout::Hive => format!("year={y:04}/"),
        }
    }

    /// `mm/` or `month=mm/`.
    pub(crate) fn month_dir(self, m: u32) -> String {
        match self {
            Layout::Plain => format!("{m:02}/"),
            Layout::Hive => format!("month={m:02}/"),
        }
    }

    /// `dd/` or `day=dd/`.
    pub(crate) fn day_dir(self, d: u32) -> String {
        match self {
            Layout::Plain => format!("{d:02}/"),
            Layout::Hive => format!("day={d:02}/"),
        }
    }

    /// The value of a segment at a level: `2026` of `2026` or `year=2026`.
    pub(crate) fn value<'a>(self, segment: &'a str, hive_name: &str) -> Option<&'a str> {
        match self {
            Layout::Plain => Some(segment),
            Layout::Hive => segment
                .strip_prefix(hive_name)
                .and_then(|s| s.strip_prefix('=')),
        }
    }
}

/// What a key's layout says about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyInfo {
    pub(crate) account: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) day: Option<Day>,
}

/// Reads account, region and day from a key (or path) in either layout.
pub(crate) fn key_info(key: &str) -> KeyInfo {
    let parts: Vec<&str> = key.split(['/', '\\']).collect();
    let Some(at) = parts.iter().rposition(|p| *p == "AWSLogs") else {
        return KeyInfo::default();
    };
    let rest = &parts[at + 1..];
    let Some(first) = rest.first() else {
        return KeyInfo::default();
    };
    let (layout, account) = Layout::of_account(first);
    if rest.get(1).copied() != Some(layout.service_dir().trim_end_matches('/')) {
        return KeyInfo::default();
    }
    let region = rest
        .get(2)
        .and_then(|s| layout.value(s, "aws-region"))
        .filter(|r| !r.is_empty() && !r.contains('='))
        .map(str::to_owned);
    let number = |i: usize, name: &str| -> Option<i64> {
        let v = layout.value(rest.get(i)?, name)?;
        (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse().ok())
            .flatten()
    };
    let day = (|| {
        // A date needs all three levels and a file below them.
        if rest.len() <= 6 {
            return None;
        }
        let y = number(3, "year")?;
        let m = u32::try_from(number(4, "month")?).ok()?;
        let d = u32::try_from(number(5, "day")?).ok()?;
        ((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d))
            .then(|| days_from_civil(y, m, d))
    })();
    KeyInfo {
        account: (!account.is_empty()).then(|| account.to_owned()),
        region,
        day,
    }
}

/// The selection of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    pub(crate) accounts: Vec<String>,
    pub(crate) regions: Vec<String>,
    pub(crate) from: Option<Day>,
    pub(crate) to: Option<Day>,
}

impl Selection {
    /// Checks and converts the command-line options.
    pub(crate) fn new(args: &SelectArgs) -> Result<Selection> {
        let day = |flag: &str, text: &Option<String>| -> Result<Option<Day>> {
            match text {
                None => Ok(None),
                Some(t) => match parse_day(t) {
                    Some(d) => Ok(Some(d)),
                    None => bail!("{flag} {t}: expected a date as YYYY-MM-DD"),
                },
            }
        };
        let clean = |values: &[String]| -> Vec<String> {
            let mut v: Vec<String> = values
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let selection = Selection {
            accounts: clean(&args.accounts),
            regions: clean(&args.regions),
            from: day("--from", &args.from)?,
            to: day("--to", &args.to)?,
        };
        if let (Some(from), Some(to)) = (selection.from, selection.to)
            && from > to
        {
            bail!("--from is after --to");
        }
        for v in selection.accounts.iter().chain(&selection.regions) {
            if v.contains(['/', '=']) {
                bail!("`{v}` is not an account id or a region");
            }
        }
        Ok(selection)
    }

    /// Whether anything is filtered at all.
    pub(crate) fn is_all(&self) -> bool {
        self.accounts.is_empty() && self.regions.is_empty() && !self.has_dates()
    }

    /// Whether days are filtered.
    pub(crate) fn has_dates(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Whether an account passes.
    pub(crate) fn account_ok(&self, account: &str) -> bool {
        self.accounts.is_empty() || self.accounts.iter().any(|a| a == account)
    }

    /// Whether a region passes.
    pub(crate) fn region_ok(&self, region: &str) -> bool {
        self.regions.is_empty() || self.regions.iter().any(|r| r == region)
    }

    /// How the days `[first, last]` relate to the selected range.
    pub(crate) fn overlap(&self, first: Day, last: Day) -> Overlap {
        let from = self.from.unwrap_or(Day::MIN);
        let to = self.to.unwrap_or(Day::MAX);
        if last < from || first > to {
            Overlap::None
        } else if first >= from && last <= to {
            Overlap::All
        } else {
            Overlap::Some
        }
    }

    /// Whether a key passes: every filter given must be satisfied by what its layout
    /// says (a key whose layout does not say is left out by that filter).
    pub(crate) fn key_ok(&self, key: &str) -> bool {
        if self.is_all() {
            return true;
        }
        let info = key_info(key);
        let account =
            self.accounts.is_empty() || info.account.as_deref().is_some_and(|a| self.account_ok(a));
        let region =
            self.regions.is_empty() || info.region.as_deref().is_some_and(|r| self.region_ok(r));
        let day = !self.has_dates() || info.day.is_some_and(|d| self.overlap(d, d) == Overlap::All);
        account && region && day
    }
}

/// How a span of days relates to the selected range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Overlap {
    None,
    Some,
    All,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 8, 22), 1787411825 / 86_400);
        for n in -1000..40_000 {
            let (y, m, d) = flowpath_core::output::layout::civil_from_days(n);
            assert_eq!(days_from_civil(y, m, d), n);
        }
        assert_eq!(parse_day("2026-08-22"), Some(days_from_civil(2026, 8, 22)));
        assert_eq!(parse_day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        for bad in [
            "2025-02-29",
            "2026-8-22",
            "2026-13-01",
            "x",
            "2026-08-22-01",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys() {
        let plain = "p/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-1_20260822T1005Z_ab.log.gz";
        assert_eq!(
            key_info(plain),
            KeyInfo {
                account: Some("123456789012".into()),
                region: Some("eu-west-1".into()),
                day: Some(days_from_civil(2026, 8, 22)),
            }
        );
        let hive = "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=08/day=23/hour=10/x.log.gz";
        assert_eq!(
            key_info(hive),
            KeyInfo {
                account: Some("123456789012".into()),
                region: Some("us-east-1".into()),
                day: Some(days_from_civil(2026, 8, 23)),
            }
        );
        assert_eq!(
            key_info("AWSLogs/1/elasticloadbalancing/eu-west-1/2026/08/22/x.log.gz"),
            KeyInfo::default()
        );
        assert_eq!(
            key_info("AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/x.log.gz").day,
            None
        );
    }

    #[test]
    fn selections() {
        let s = Selection::new(&SelectArgs {
            accounts: vec!["123456789012".into()],
            regions: vec![],
            from: Some("2026-08-22".into()),
            to: Some("2026-08-23".into()),
        })
        .unwrap();
        assert!(s.key_ok("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/23/x.log.gz"));
        assert!(!s.key_ok("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/24/x.log.gz"));
        assert!(!s.key_ok("AWSLogs/999999999999/vpcflowlogs/eu-west-1/2026/08/23/x.log.gz"));
        assert!(!s.key_ok("other/x.log.gz"));
        let d = |m, d| days_from_civil(2026, m, d);
        assert_eq!(s.overlap(d(8, 1), d(8, 31)), Overlap::Some);
        assert_eq!(s.overlap(d(8, 22), d(8, 22)), Overlap::All);
        assert_eq!(s.overlap(d(9, 1), d(9, 30)), Overlap::None);
        let bad = SelectArgs {
            from: Some("2026-08-24".into()),
            to: Some("2026-08-23".into()),
            ..SelectArgs::default()
        };
        assert!(Selection::new(&bad).is_err());
    }
}
