//! The `ip-ranges.json` file model: the published JSON read with serde, each entry
//! validated into an [`Entry`], and why a file is refused ([`RangesError`]).
//!
//! Invariants: unknown keys are ignored; a missing `network_border_group` is the
//! region, a missing `ipv6_prefixes` is empty; every CIDR parses, belongs to its
//! list's family and has no host bits set; required strings are present and non-empty.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Deserialize;

#[cfg(doc)]
use super::LabelId;

/// One entry of the file, as published.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// The listed prefix (`ip_prefix` or `ipv6_prefix`); never has host bits set.
    pub prefix: IpNet,
    /// The service code (`service`).
    pub service: String,
    /// The region (`region`), an AWS Region code or `"GLOBAL"`.
    pub region: String,
    /// The network border group (`network_border_group`); the region when the file
    /// predates that field.
    pub border_group: String,
}

/// Why an `ip-ranges.json` could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RangesError {
    /// The bytes are not JSON, or not JSON of the expected shape (a list where a list
    /// belongs, strings where strings belong).
    #[error("ip-ranges.json is not valid: {source}")]
    Json {
        /// Line of the problem, 1-based (0 when the input ended early).
        line: usize,
        /// Column of the problem, 1-based.
        column: usize,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A required top-level key is absent.
    #[error("ip-ranges.json has no `{key}` key: is this AWS's ip-ranges.json?")]
    MissingKey {
        /// The missing key: `syncToken`, `createDate` or `prefixes`.
        key: &'static str,
    },
    /// The IPv4 list is empty: every remote address would silently become internet or
    /// private. AWS's file lists thousands.
    #[error("ip-ranges.json lists no prefixes in `{key}`: a truncated or filtered file?")]
    EmptyList {
        /// The empty list: `prefixes`.
        key: &'static str,
    },
    /// An entry lacks one of its keys.
    #[error("entry {index} of `{list}` has no `{field}`")]
    MissingField {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The missing key.
        field: &'static str,
    },
    /// An entry of one list carries the other list's prefix key, e.g. an `ipv6_prefix`
    /// inside `prefixes`.
    #[error(
        "entry {index} of `{list}` has `{found}` instead of `{key}`; entries with `{found}` \
         belong in `{belongs}`"
    )]
    WrongList {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key the list expects: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The key found instead.
        found: &'static str,
        /// The list where entries with `found` belong.
        belongs: &'static str,
    },
    /// An entry's `service` or `region` is the empty string.
    #[error("entry {index} of `{list}` has an empty `{field}`")]
    EmptyField {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The empty key.
        field: &'static str,
    },
    /// A prefix is not a CIDR of its list's family.
    #[error(
        "entry {index} of `{list}`: `{key}` is {value:?}, which is not an {family} CIDR ({reason})"
    )]
    BadCidr {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key holding the value: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The expected family: `IPv4` or `IPv6`.
        family: &'static str,
        /// The value as found.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A prefix has bits set after its prefix length, e.g. `10.0.0.1/24`.
    #[error(
        "entry {index} of `{list}`: `{key}` is {value:?}, which has host bits set \
         (the network is {network})"
    )]
    HostBits {
        /// The list: `prefixes` or `ipv6_prefixes`.
        list: &'static str,
        /// 0-based index of the entry in that list.
        index: usize,
        /// The key holding the value: `ip_prefix` or `ipv6_prefix`.
        key: &'static str,
        /// The value as found.
        value: String,
        /// The value with its host bits cleared.
        network: IpNet,
    },
    /// The file resolves to more distinct labels than a [`LabelId`] can number.
    #[error(
        "ip-ranges.json resolves to more than {max} distinct (services, region, border group) \
         labels; the lookup table numbers them with 16 bits"
    )]
    TooManyLabels {
        /// The most labels a table can hold.
        max: usize,
    },
}

impl RangesError {
    /// Wraps a `serde_json` error with its position.
    pub(super) fn json(source: serde_json::Error) -> RangesError {
        RangesError::Json {
            line: source.line(),
            column: source.column(),
            source,
        }
    }
}

/// The file's top level, as published. Unknown keys are ignored.
#[derive(Deserialize)]
pub(super) struct RawFile {
    #[serde(rename = "syncToken")]
    pub(super) sync_token: Option<String>,
    #[serde(rename = "createDate")]
    pub(super) create_date: Option<String>,
    pub(super) prefixes: Option<Vec<RawEntry>>,
    pub(super) ipv6_prefixes: Option<Vec<RawEntry>>,
}

/// One entry as published; either list's key may appear, so both are read and checked.
#[derive(Deserialize)]
pub(super) struct RawEntry {
    ip_prefix: Option<String>,
    ipv6_prefix: Option<String>,
    service: Option<String>,
    region: Option<String>,
    #[serde(default)]
    network_border_group: Option<String>,
}

/// The two lists of the file and what each expects.
#[derive(Clone, Copy)]
pub(super) enum Family {
    V4,
    V6,
}

impl Family {
    fn list(self) -> &'static str {
        match self {
            Family::V4 => "prefixes",
            Family::V6 => "ipv6_prefixes",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Family::V4 => "ip_prefix",
            Family::V6 => "ipv6_prefix",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl RawEntry {
    /// Validates one entry of `family`'s list at `index`.
    pub(super) fn into_entry(self, family: Family, index: usize) -> Result<Entry, RangesError> {
        let list = family.list();
        let key = family.key();
        let (own, other) = match family {
            Family::V4 => (self.ip_prefix, self.ipv6_prefix.is_some()),
            Family::V6 => (self.ipv6_prefix, self.ip_prefix.is_some()),
        };
        let Some(value) = own else {
            if other {
                let (found, belongs) = match family {
                    Family::V4 => ("ipv6_prefix", "ipv6_prefixes"),
                    Family::V6 => ("ip_prefix", "prefixes"),
                };
                return Err(RangesError::WrongList {
                    list,
                    index,
                    key,
                    found,
                    belongs,
                });
            }
            return Err(RangesError::MissingField {
                list,
                index,
                field: key,
            });
        };
        let bad = |reason: String| RangesError::BadCidr {
            list,
            index,
            key,
            family: family.name(),
            value: value.clone(),
            reason,
        };
        let prefix = match family {
            Family::V4 => value.parse::<Ipv4Net>().map(IpNet::V4),
            Family::V6 => value.parse::<Ipv6Net>().map(IpNet::V6),
        };
        let prefix = match prefix {
            Ok(p) => p,
            Err(_) => return Err(bad(cidr_problem(&value, family))),
        };
        if prefix.trunc() != prefix {
            return Err(RangesError::HostBits {
                list,
                index,
                key,
                value,
                network: prefix.trunc(),
            });
        }
        let service = required(self.service, list, index, "service")?;
        let region = required(self.region, list, index, "region")?;
        let border_group = self.network_border_group.unwrap_or_else(|| region.clone());
        Ok(Entry {
            prefix,
            service,
            region,
            border_group,
        })
    }
}

/// Why `value` (which failed to parse) is not a CIDR of `family`, for a person to fix.
fn cidr_problem(value: &str, family: Family) -> String {
    let Some((addr, len)) = value.split_once('/') else {
        return "no /length".to_owned();
    };
    let max = match family {
        Family::V4 => 32,
        Family::V6 => 128,
    };
    match (family, addr.parse::<IpAddr>()) {
        (Family::V4, Ok(IpAddr::V6(_))) => {
            "it is an IPv6 prefix; those belong in `ipv6_prefixes`".to_owned()
        }
        (Family::V6, Ok(IpAddr::V4(_))) => {
            "it is an IPv4 prefix; those belong in `prefixes`".to_owned()
        }
        (_, Err(_)) => format!("{addr:?} is not an {} address", family.name()),
        (_, Ok(_)) if len.parse::<u8>().is_ok_and(|l| l > max) => {
            format!("the length {len} is over {max}")
        }
        (_, Ok(_)) => format!("the length {len:?} is not a plain number from 0 to {max}"),
    }
}

/// A required, non-empty string field of an entry.
fn required(
    value: Option<String>,
    list: &'static str,
    index: usize,
    field: &'static str,
) -> Result<String, RangesError> {
    match value {
        None => Err(RangesError::MissingField { list, index, field }),
        Some(v) if v.is_empty() => Err(RangesError::EmptyField { list, index, field }),
        Some(v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranges::testing::*;
    use crate::ranges::*;

    #[test]
    fn a_file_without_ipv4_prefixes_is_refused() {
        // Accepted, it would make every remote INTERNET or PRIVATE without a word.
        for json in [
            r#"{"syncToken":"1","createDate":"x","prefixes":[]}"#,
            r#"{"syncToken":"1","createDate":"x","prefixes":[],"ipv6_prefixes":[]}"#,
            r#"{"syncToken":"1","createDate":"x","prefixes":[],"ipv6_prefixes":[
                {"ipv6_prefix": "2600:1f00::/32", "region": "r", "service": "S3"}]}"#,
        ] {
            let err = Ranges::from_json(json.as_bytes()).expect_err(json);
            assert!(
                matches!(err, RangesError::EmptyList { key: "prefixes" }),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                "ip-ranges.json lists no prefixes in `prefixes`: a truncated or filtered file?"
            );
        }
        let one = r#"{"syncToken":"1","createDate":"x","prefixes":[
            {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"}]}"#;
        let r = Ranges::from_json(one.as_bytes()).expect("one prefix is enough");
        assert_eq!(r.lookup_v4(0x0808_0808), INTERNET);
        assert_eq!(r.lookup_v4(0x0A00_0001), PRIVATE);
        assert_eq!(r.lookup("fe80::1".parse().expect("addr")), PRIVATE);
        assert_eq!(r.matched_prefix("8.8.8.8".parse().expect("addr")), None);
    }

    // ---- the file format -----------------------------------------------------------

    #[test]
    fn old_schema_without_border_group_or_ipv6_and_unknown_keys() {
        let r = Ranges::from_json(
            br#"{"syncToken": "1495575790", "createDate": "2017-05-23-21-43-10",
                 "comment": "unknown keys are fine",
                 "prefixes": [{"ip_prefix": "13.32.0.0/15", "region": "GLOBAL",
                               "service": "CLOUDFRONT", "extra": 1}]}"#,
        )
        .expect("valid");
        assert_eq!(r.entries()[0].border_group, "GLOBAL");
        assert_at(
            &r,
            "13.33.0.1",
            "CLOUDFRONT",
            Some("GLOBAL"),
            Some("GLOBAL"),
        );
        assert_eq!(r.published_at(), Some(1_495_575_790));
        assert_eq!(r.sync_token(), "1495575790");
        assert_eq!(r.create_date(), "2017-05-23-21-43-10");
        let odd = Ranges::from_json(
            br#"{"syncToken":"soon","createDate":"2017-07-20-22-42-233","prefixes":[
                {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"}]}"#,
        )
        .expect("createDate and syncToken are kept as published");
        assert_eq!(odd.published_at(), None);
        assert_eq!(odd.create_date(), "2017-07-20-22-42-233");
        assert!(format!("{odd:?}").contains("sync_token: \"soon\""));
    }

    #[test]
    fn errors_name_the_problem() {
        let bad_json = err(r#"{"syncToken": "1", "prefixes": [,]}"#);
        assert!(
            bad_json.contains("not valid") && bad_json.contains("line 1 column"),
            "{bad_json}"
        );
        match Ranges::from_json(b"{\n\"syncToken\": \"1\",\n  oops}") {
            Err(RangesError::Json { line, column, .. }) => assert_eq!((line, column), (3, 3)),
            other => panic!("{other:?}"),
        }
        let truncated = err(r#"{"syncToken": "1", "createDate": "x", "prefixes": ["#);
        assert!(truncated.contains("EOF"), "{truncated}");
        let shape = err(r#"{"syncToken": "1", "createDate": "x", "prefixes": 5}"#);
        assert!(
            shape.contains("invalid type: integer `5`, expected a sequence"),
            "{shape}"
        );

        for (key, doc) in [
            ("syncToken", r#"{"createDate": "x", "prefixes": []}"#),
            ("createDate", r#"{"syncToken": "1", "prefixes": []}"#),
            (
                "prefixes",
                r#"{"syncToken": "1", "createDate": "x", "ipv6_prefixes": []}"#,
            ),
        ] {
            assert_eq!(
                err(doc),
                format!("ip-ranges.json has no `{key}` key: is this AWS's ip-ranges.json?")
            );
        }

        let head = r#"{"syncToken": "1", "createDate": "x", "prefixes": [
            {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3"},
            {"ip_prefix": "3.5.100.0/22", "region": "eu-west-1", "service": "S3"},"#;
        let with = |entry: &str| err(&format!("{head} {entry}]}}"));
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/33", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.0/33\", which is not an IPv4 CIDR \
             (the length 33 is over 32)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.0\", which is not an IPv4 CIDR (no /length)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "2600:1f00::/32", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"2600:1f00::/32\", which is not an IPv4 CIDR \
             (it is an IPv6 prefix; those belong in `ipv6_prefixes`)"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.1/24", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes`: `ip_prefix` is \"10.0.0.1/24\", which has host bits set \
             (the network is 10.0.0.0/24)"
        );
        assert_eq!(
            with(r#"{"ipv6_prefix": "2600::/16", "region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes` has `ipv6_prefix` instead of `ip_prefix`; entries with \
             `ipv6_prefix` belong in `ipv6_prefixes`"
        );
        assert_eq!(
            with(r#"{"region": "r", "service": "S3"}"#),
            "entry 2 of `prefixes` has no `ip_prefix`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "region": "r"}"#),
            "entry 2 of `prefixes` has no `service`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "service": "S3"}"#),
            "entry 2 of `prefixes` has no `region`"
        );
        assert_eq!(
            with(r#"{"ip_prefix": "10.0.0.0/24", "region": "r", "service": ""}"#),
            "entry 2 of `prefixes` has an empty `service`"
        );
        let v6 = err(
            r#"{"syncToken": "1", "createDate": "x", "prefixes": [], "ipv6_prefixes": [
                {"ipv6_prefix": "2600:1f00::1/32", "region": "r", "service": "S3"}]}"#,
        );
        assert_eq!(
            v6,
            "entry 0 of `ipv6_prefixes`: `ipv6_prefix` is \"2600:1f00::1/32\", which has host \
             bits set (the network is 2600:1f00::/32)"
        );
        let v4_in_v6 = err(
            r#"{"syncToken": "1", "createDate": "x", "prefixes": [], "ipv6_prefixes": [
                {"ipv6_prefix": "10.0.0.0/8", "region": "r", "service": "S3"}]}"#,
        );
        assert!(
            v4_in_v6.contains("it is an IPv4 prefix; those belong in `prefixes`"),
            "{v4_in_v6}"
        );
        assert!(
            with(r#"{"ip_prefix": "10.0.0.256/24", "region": "r", "service": "S3"}"#)
                .ends_with("(\"10.0.0.256\" is not an IPv4 address)")
        );
        assert!(
            with(r#"{"ip_prefix": "10.0.0.0/x", "region": "r", "service": "S3"}"#)
                .ends_with("(the length \"x\" is not a plain number from 0 to 32)")
        );
    }
}
