//! Where the Lambda keeps the names of Route 53 Resolver query logs
//! ([`flowpath_core::names::store`] files) under the output prefix:
//! `<prefix>_flowpath/names/account_id=<account>/hour=<YYYY-MM-DDTHH>/<name>.parquet`,
//! one file per query-log object (or CloudWatch Logs subscription batch) and hour of
//! its queries, named by the delivery ([`names_key`]): a redelivered or new version of
//! a query log overwrites its files. A flow log of an account reads the hours its flows can need
//! ([`names_hour_prefix`], one listing each).

use flowpath_core::output::layout::civil_from_days;

/// Where the names files live, under the output prefix.
pub const NAMES_DIR: &str = "_flowpath/names/";

/// `YYYY-MM-DDTHH` of the hour holding `unix_seconds`.
fn hour(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    let h = unix_seconds.rem_euclid(86_400) / 3600;
    format!("{y:04}-{m:02}-{d:02}T{h:02}")
}

/// The prefix of the names files of `account` for the hour holding `unix_seconds`.
///
/// ```
/// use flowpath_s3::names_hour_prefix;
/// assert_eq!(
///     names_hour_prefix("flowpath/", "111122223333", 1_787_392_801),
///     "flowpath/_flowpath/names/account_id=111122223333/hour=2026-08-22T10/"
/// );
/// ```
pub fn names_hour_prefix(prefix: &str, account: &str, unix_seconds: i64) -> String {
    format!(
        "{prefix}{NAMES_DIR}account_id={account}/hour={}/",
        hour(unix_seconds)
    )
}

/// The key of the names file of one delivery's queries (`source`: `s3://bucket/key`
/// of a query-log object, or the `cloudwatch-logs://…` name of a subscription batch) in
/// the hour holding `unix_seconds`. The name depends on `source` alone, so a
/// redelivery overwrites its files.
///
/// ```
/// use flowpath_s3::{names_hour_prefix, names_key};
/// let k = names_key("p/", "1", 1_787_392_801, "s3://logs/AWSLogs/1/vpcdnsquerylogs/vpc-1/x_1a2b.log.gz");
/// assert!(k.starts_with(&names_hour_prefix("p/", "1", 1_787_392_801)) && k.ends_with(".parquet"), "{k}");
/// assert!(k.contains("/x_1a2b-"), "{k}");
/// ```
pub fn names_key(prefix: &str, account: &str, unix_seconds: i64, source: &str) -> String {
    format!(
        "{}{}",
        names_hour_prefix(prefix, account, unix_seconds),
        flowpath_core::output::layout::output_name(source)
    )
}
