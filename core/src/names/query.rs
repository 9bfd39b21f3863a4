//! One line of a Route 53 Resolver query log, as AWS writes it (JSON, one query per
//! line, to S3 as gzip objects and to CloudWatch Logs as log events): the VPC, the
//! client, the time, the name asked for, and the addresses the answers hold.
//!
//! Invariants:
//! - the name is `query_name` lower-cased (DNS names are case-insensitive, and
//!   resolvers randomise the case of queries) without its trailing dot;
//! - a CNAME chain ends in the A and AAAA answers: each address gets the name the
//!   client asked for, the one people recognise, not the chain's intermediate targets;
//!   CNAME and every other answer type hold no address and are skipped;
//! - only major version 1 is read (AWS: a new major version is a breaking change);
//! - a line that is not a query log entry is an error naming the field.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Deserialize;

/// A query that answered with addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The account whose VPC asked (`account_id`); none when a line lacks it, and for
    /// queries read back from a names file, which holds one account's.
    pub account_id: Option<String>,
    /// The VPC the query came from (`vpc_id`).
    pub vpc_id: String,
    /// The client that asked (`srcaddr`).
    pub client: IpAddr,
    /// `query_timestamp`, Unix seconds (fractions dropped).
    pub time: i64,
    /// `query_name`, lower-cased, without its trailing dot.
    pub name: String,
    /// The A and AAAA answers' addresses, in answer order.
    pub addresses: Vec<IpAddr>,
}

/// What is wrong with a line: the field and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QueryError {
    /// The JSON key at fault (`answers[1].Rdata`, …), or `line` for the whole line.
    pub field: String,
    /// Why.
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> QueryError {
    QueryError {
        field: field.into(),
        message: message.into(),
    }
}

/// The fields read, borrowed from the line where JSON needs no unescaping (nearly
/// always: a copy only for a value with an escape).
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    vpc_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    query_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    query_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    srcaddr: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    answers: Vec<Answer<'a>>,
}

/// AWS's example writes `Rdata`, `Type`, `Class`; the format page names them
/// `rdata`, `answer_type`, `answer_class`: both are read.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(rename = "Rdata", alias = "rdata", borrow)]
    rdata: Option<Cow<'a, str>>,
    #[serde(rename = "Type", alias = "answer_type", alias = "type", borrow)]
    kind: Option<Cow<'a, str>>,
}

/// Whether a log line (or CloudWatch Logs event) looks like a query log entry rather
/// than a flow-log record: a JSON object with a `query_name` key. Flow-log records are
/// words, never JSON; a line that looks like an entry may still be malformed.
pub fn is_query_log_line(line: &[u8]) -> bool {
    line.trim_ascii_start().first() == Some(&b'{')
        && memchr::memmem::find(line, b"\"query_name\"").is_some()
}

/// Reads one line. `Ok(None)`: a query whose answers hold no address (NXDOMAIN,
/// a PTR lookup, a CNAME without its target's address), nothing to index.
pub fn parse_line(line: &[u8]) -> Result<Option<Query>, QueryError> {
    let line: Line<'_> = serde_json::from_slice(line).map_err(|e| bad("line", e.to_string()))?;
    let version = line.version.ok_or_else(|| bad("version", "missing"))?;
    if version.split('.').next() != Some("1") {
        return Err(bad(
            "version",
            format!("{version:?}: only major version 1 of the query log format is known"),
        ));
    }
    let vpc_id = line.vpc_id.ok_or_else(|| bad("vpc_id", "missing"))?;
    let time = line
        .query_timestamp
        .ok_or_else(|| bad("query_timestamp", "missing"))
        .and_then(|t| {
            unix_seconds(&t).ok_or_else(|| {
                bad(
                    "query_timestamp",
                    format!("{t:?} is not an ISO 8601 UTC time (2026-08-22T10:00:01Z)"),
                )
            })
        })?;
    let name = line
        .query_name
        .ok_or_else(|| bad("query_name", "missing"))?;
    let name = name.strip_suffix('.').unwrap_or(&name).to_ascii_lowercase();
    let srcaddr = line.srcaddr.ok_or_else(|| bad("srcaddr", "missing"))?;
    let client: IpAddr = srcaddr
        .parse()
        .map_err(|_| bad("srcaddr", format!("{srcaddr:?} is not an IP address")))?;
    let mut addresses = Vec::new();
    for (i, a) in line.answers.iter().enumerate() {
        let kind = a.kind.as_deref().unwrap_or("");
        if kind != "A" && kind != "AAAA" {
            continue;
        }
        let rdata = a
            .rdata
            .as_deref()
            .ok_or_else(|| bad(format!("answers[{i}].Rdata"), "missing"))?;
        let address: IpAddr = rdata.parse().map_err(|_| {
            bad(
                format!("answers[{i}].Rdata"),
                format!("{rdata:?} is not the address of an {kind} answer"),
            )
        })?;
        if (kind == "A") != address.is_ipv4() {
            return Err(bad(
                format!("answers[{i}].Rdata"),
                format!("{rdata:?} is not the address of an {kind} answer"),
            ));
        }
        addresses.push(address);
    }
    if addresses.is_empty() || name.is_empty() {
        return Ok(None);
    }
    Ok(Some(Query {
        account_id: line.account_id.map(Cow::into_owned),
        vpc_id: vpc_id.into_owned(),
        client,
        time,
        name,
        addresses,
    }))
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)` to Unix seconds.
fn unix_seconds(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    if rest != "Z" && rest != "+00:00" {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(crate::output::layout::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::layout::utc_day;

    /// AWS's example entry (Route 53 Developer Guide, "Resolver query log example").
    const AWS_EXAMPLE: &str = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2026-08-22T10:00:01Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.9","Type":"A","Class":"IN"}],"srcaddr":"172.31.45.31","srcport":"51115","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}}"#;

    #[test]
    fn aws_example() {
        let q = parse_line(AWS_EXAMPLE.as_bytes()).unwrap().unwrap();
        assert_eq!(q.vpc_id, "vpc-7example");
        assert_eq!(q.client, "172.31.45.31".parse::<IpAddr>().unwrap());
        assert_eq!(q.name, "example.com");
        assert_eq!(q.addresses, ["203.0.113.9".parse::<IpAddr>().unwrap()]);
        assert_eq!(q.time, 1_787_392_801);
        assert_eq!(utc_day(q.time), "2026-08-22");
    }

    #[test]
    fn a_cname_chain_names_its_final_addresses_by_the_name_asked() {
        let line = r#"{"version":"1.100000","vpc_id":"vpc-1","query_timestamp":"2026-08-22T10:00:01.250Z","query_name":"My-Bucket.S3.eu-west-1.amazonaws.com.","rcode":"NOERROR","answers":[{"Rdata":"s3-r-w.eu-west-1.amazonaws.com.","Type":"CNAME","Class":"IN"},{"Rdata":"52.218.1.2","Type":"A","Class":"IN"},{"Rdata":"52.218.1.3","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.5","srcport":"53124","transport":"UDP","srcids":{"instance":"i-0abc"}}"#;
        let q = parse_line(line.as_bytes()).unwrap().unwrap();
        assert_eq!(q.name, "my-bucket.s3.eu-west-1.amazonaws.com");
        assert_eq!(q.addresses.len(), 2);
        assert_eq!(q.time, 1_787_392_801);
    }

    #[test]
    fn queries_without_addresses_are_nothing_to_index() {
        for line in [
            r#"{"version":"1.1","vpc_id":"v","query_timestamp":"2026-08-22T10:00:01Z","query_name":"gone.example.","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.0.1"}"#,
            r#"{"version":"1.1","vpc_id":"v","query_timestamp":"2026-08-22T10:00:01Z","query_name":"1.0.0.10.in-addr.arpa.","answers":[{"Rdata":"ip-10-0-0-1.ec2.internal.","Type":"PTR","Class":"IN"}],"srcaddr":"10.0.0.1"}"#,
        ] {
            assert_eq!(parse_line(line.as_bytes()), Ok(None), "{line}");
        }
    }

    #[test]
    fn bad_lines_name_their_field() {
        let field = |line: &str| parse_line(line.as_bytes()).unwrap_err().field;
        assert_eq!(field("not json"), "line");
        assert_eq!(field(r#"{"version":"2.0"}"#), "version");
        assert_eq!(
            field(
                r#"{"version":"1.1","vpc_id":"v","query_timestamp":"22/08/2026","query_name":"a.","srcaddr":"10.0.0.1"}"#
            ),
            "query_timestamp"
        );
        assert_eq!(
            field(
                r#"{"version":"1.1","vpc_id":"v","query_timestamp":"2026-08-22T10:00:01Z","query_name":"a.","srcaddr":"x"}"#
            ),
            "srcaddr"
        );
        assert_eq!(
            field(
                r#"{"version":"1.1","vpc_id":"v","query_timestamp":"2026-08-22T10:00:01Z","query_name":"a.","srcaddr":"10.0.0.1","answers":[{"Rdata":"2001:db8::1","Type":"A"}]}"#
            ),
            "answers[0].Rdata"
        );
        assert_eq!(
            field(
                r#"{"version":"1.1","query_timestamp":"2026-08-22T10:00:01Z","query_name":"a.","srcaddr":"10.0.0.1"}"#
            ),
            "vpc_id"
        );
    }

    #[test]
    fn times() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2000-03-01T00:00:00+00:00"), Some(951_868_800));
        assert_eq!(unix_seconds("2026-08-22T10:00:01.5Z"), Some(1_787_392_801));
        for bad in [
            "2026-08-22 10:00:01Z",
            "2026-08-22T10:00:01",
            "2026-13-22T10:00:01Z",
            "2026-08-22T10:00:01+02:00",
            "2026-08-22T10:00:01.Z",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
        for days in [-1000, 0, 59, 60, 10_957, 20_687] {
            let (y, m, d) = crate::output::layout::civil_from_days(days);
            assert_eq!(
                crate::output::layout::days_from_civil(y, i64::from(m), i64::from(d)),
                days
            );
        }
    }

    #[test]
    fn query_log_lines_are_told_from_flow_log_records() {
        assert!(is_query_log_line(
            br#" {"version":"1.100000","query_name":"a.example.","answers":[]}"#
        ));
        assert!(!is_query_log_line(
            b"2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK"
        ));
        assert!(!is_query_log_line(br#"{"messageType":"DATA_MESSAGE"}"#));
    }
}
