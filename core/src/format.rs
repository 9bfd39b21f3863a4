//! Flow-log formats: which field each space-separated column of a line holds.
//!
//! A [`Format`] is the ordered list of columns of one file. It comes from the file's
//! header line (S3 text files start with one), from a format string a user gives
//! (AWS's `${field} ${field}` syntax, plain hyphenated names, or the underscore names
//! of Parquet columns), or is the default version 2 layout.
//!
//! Invariants:
//! - every known [`Field`] appears at most once in a format (a duplicate is an error);
//! - a name the parser does not know is kept as [`Column::Unknown`] and its values are
//!   skipped: AWS adds fields, and a new one must not make old files unreadable;
//! - [`Format::slot`] answers in O(1) where a known field sits, so the per-line parser
//!   never searches.

use std::fmt;

/// Every field AWS defines for VPC flow logs (versions 2 through 8), then the fields
/// only transit gateway flow logs have (version 6; they share the others).
///
/// The discriminant is the index into [`Field::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // the variants are AWS's field names; `name()` gives the spelling
pub enum Field {
    Version,
    AccountId,
    InterfaceId,
    Srcaddr,
    Dstaddr,
    Srcport,
    Dstport,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcaddr,
    PktDstaddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
    EcsClusterArn,
    EcsClusterName,
    EcsContainerInstanceArn,
    EcsContainerInstanceId,
    EcsContainerId,
    EcsSecondContainerId,
    EcsServiceName,
    EcsTaskDefinitionArn,
    EcsTaskArn,
    EcsTaskId,
    RejectReason,
    ResourceType,
    TgwId,
    TgwAttachmentId,
    TgwSrcVpcAccountId,
    TgwDstVpcAccountId,
    TgwSrcVpcId,
    TgwDstVpcId,
    TgwSrcSubnetId,
    TgwDstSubnetId,
    TgwSrcEni,
    TgwDstEni,
    TgwSrcAzId,
    TgwDstAzId,
    TgwPairAttachmentId,
    PacketsLostNoRoute,
    PacketsLostBlackhole,
    PacketsLostMtuExceeded,
    PacketsLostTtlExpired,
}

/// What a field's values are, which says how they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Text kept as `&str` (account, ids, region, ...): must be UTF-8.
    Text,
    /// Kept as bytes, never rejected: the v7 ECS fields and v8 `reject-reason`.
    Bytes,
    /// An IPv4 or IPv6 address.
    Address,
    /// One of AWS's documented values (`action`, `log-status`, `flow-direction`).
    Enumerated,
    /// A decimal integer in the field's range.
    Integer,
}

impl Field {
    /// What this field's values are. Exhaustive, so a new field must be placed here.
    pub const fn value_kind(self) -> ValueKind {
        match self {
            Field::AccountId
            | Field::InterfaceId
            | Field::VpcId
            | Field::SubnetId
            | Field::InstanceId
            | Field::Type
            | Field::Region
            | Field::AzId
            | Field::SublocationType
            | Field::SublocationId
            | Field::PktSrcAwsService
            | Field::PktDstAwsService
            | Field::ResourceType
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
            | Field::TgwPairAttachmentId => ValueKind::Text,
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
            | Field::RejectReason => ValueKind::Bytes,
            Field::Srcaddr | Field::Dstaddr | Field::PktSrcaddr | Field::PktDstaddr => {
                ValueKind::Address
            }
            Field::Action | Field::LogStatus | Field::FlowDirection => ValueKind::Enumerated,
            Field::Version
            | Field::Srcport
            | Field::Dstport
            | Field::Protocol
            | Field::Packets
            | Field::Bytes
            | Field::Start
            | Field::End
            | Field::TcpFlags
            | Field::TrafficPath
            | Field::PacketsLostNoRoute
            | Field::PacketsLostBlackhole
            | Field::PacketsLostMtuExceeded
            | Field::PacketsLostTtlExpired => ValueKind::Integer,
        }
    }

    /// All known fields, in AWS's documented order.
    pub const ALL: [Field; 58] = [
        Field::Version,
        Field::AccountId,
        Field::InterfaceId,
        Field::Srcaddr,
        Field::Dstaddr,
        Field::Srcport,
        Field::Dstport,
        Field::Protocol,
        Field::Packets,
        Field::Bytes,
        Field::Start,
        Field::End,
        Field::Action,
        Field::LogStatus,
        Field::VpcId,
        Field::SubnetId,
        Field::InstanceId,
        Field::TcpFlags,
        Field::Type,
        Field::PktSrcaddr,
        Field::PktDstaddr,
        Field::Region,
        Field::AzId,
        Field::SublocationType,
        Field::SublocationId,
        Field::PktSrcAwsService,
        Field::PktDstAwsService,
        Field::FlowDirection,
        Field::TrafficPath,
        Field::EcsClusterArn,
        Field::EcsClusterName,
        Field::EcsContainerInstanceArn,
        Field::EcsContainerInstanceId,
        Field::EcsContainerId,
        Field::EcsSecondContainerId,
        Field::EcsServiceName,
        Field::EcsTaskDefinitionArn,
        Field::EcsTaskArn,
        Field::EcsTaskId,
        Field::RejectReason,
        Field::ResourceType,
        Field::TgwId,
        Field::TgwAttachmentId,
        Field::TgwSrcVpcAccountId,
        Field::TgwDstVpcAccountId,
        Field::TgwSrcVpcId,
        Field::TgwDstVpcId,
        Field::TgwSrcSubnetId,
        Field::TgwDstSubnetId,
        Field::TgwSrcEni,
        Field::TgwDstEni,
        Field::TgwSrcAzId,
        Field::TgwDstAzId,
        Field::TgwPairAttachmentId,
        Field::PacketsLostNoRoute,
        Field::PacketsLostBlackhole,
        Field::PacketsLostMtuExceeded,
        Field::PacketsLostTtlExpired,
    ];

    /// The field's name as AWS writes it in format strings and header lines.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Version => "version",
            Field::AccountId => "account-id",
            Field::InterfaceId => "interface-id",
            Field::Srcaddr => "srcaddr",
            Field::Dstaddr => "dstaddr",
            Field::Srcport => "srcport",
            Field::Dstport => "dstport",
            Field::Protocol => "protocol",
            Field::Packets => "packets",
            Field::Bytes => "bytes",
            Field::Start => "start",
            Field::End => "end",
            Field::Action => "action",
            Field::LogStatus => "log-status",
            Field::VpcId => "vpc-id",
            Field::SubnetId => "subnet-id",
            Field::InstanceId => "instance-id",
            Field::TcpFlags => "tcp-flags",
            Field::Type => "type",
            Field::PktSrcaddr => "pkt-srcaddr",
            Field::PktDstaddr => "pkt-dstaddr",
            Field::Region => "region",
            Field::AzId => "az-id",
            Field::SublocationType => "sublocation-type",
            Field::SublocationId => "sublocation-id",
            Field::PktSrcAwsService => "pkt-src-aws-service",
            Field::PktDstAwsService => "pkt-dst-aws-service",
            Field::FlowDirection => "flow-direction",
            Field::TrafficPath => "traffic-path",
            Field::EcsClusterArn => "ecs-cluster-arn",
            Field::EcsClusterName => "ecs-cluster-name",
            Field::EcsContainerInstanceArn => "ecs-container-instance-arn",
            Field::EcsContainerInstanceId => "ecs-container-instance-id",
            Field::EcsContainerId => "ecs-container-id",
            Field::EcsSecondContainerId => "ecs-second-container-id",
            Field::EcsServiceName => "ecs-service-name",
            Field::EcsTaskDefinitionArn => "ecs-task-definition-arn",
            Field::EcsTaskArn => "ecs-task-arn",
            Field::EcsTaskId => "ecs-task-id",
            Field::RejectReason => "reject-reason",
            Field::ResourceType => "resource-type",
            Field::TgwId => "tgw-id",
            Field::TgwAttachmentId => "tgw-attachment-id",
            Field::TgwSrcVpcAccountId => "tgw-src-vpc-account-id",
            Field::TgwDstVpcAccountId => "tgw-dst-vpc-account-id",
            Field::TgwSrcVpcId => "tgw-src-vpc-id",
            Field::TgwDstVpcId => "tgw-dst-vpc-id",
            Field::TgwSrcSubnetId => "tgw-src-subnet-id",
            Field::TgwDstSubnetId => "tgw-dst-subnet-id",
            Field::TgwSrcEni => "tgw-src-eni",
            Field::TgwDstEni => "tgw-dst-eni",
            Field::TgwSrcAzId => "tgw-src-az-id",
            Field::TgwDstAzId => "tgw-dst-az-id",
            Field::TgwPairAttachmentId => "tgw-pair-attachment-id",
            Field::PacketsLostNoRoute => "packets-lost-no-route",
            Field::PacketsLostBlackhole => "packets-lost-blackhole",
            Field::PacketsLostMtuExceeded => "packets-lost-mtu-exceeded",
            Field::PacketsLostTtlExpired => "packets-lost-ttl-expired",
        }
    }

    /// Whether only transit gateway flow logs have the field: a format naming one is a
    /// transit gateway log's ([`Format::is_transit_gateway`]).
    pub const fn is_transit_gateway_only(self) -> bool {
        self as u8 >= Field::ResourceType as u8
    }

    /// The flow-log version that introduced the field.
    pub const fn since_version(self) -> u8 {
        match self as u8 {
            0..=13 => 2,
            14..=20 => 3,
            21..=24 => 4,
            25..=28 => 5,
            29..=38 => 7,
            39 => 8,
            // The transit gateway fields.
            _ => 6,
        }
    }

    /// Looks a name up in either spelling: hyphenated (`log-status`, as in text files)
    /// or with underscores (`log_status`, as in Parquet columns).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| {
            let canonical = f.name().as_bytes();
            canonical.len() == name.len()
                && canonical
                    .iter()
                    .zip(name.bytes())
                    .all(|(&c, n)| c == n || (c == b'-' && n == b'_'))
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One column of a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// A field the parser knows.
    Known(Field),
    /// A name the parser does not know; its values are carried as opaque text.
    Unknown(String),
}

/// A format string or header line that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The format names no field at all.
    #[error("the format names no fields")]
    Empty,
    /// A field is named twice.
    #[error("field `{0}` appears twice in the format")]
    Duplicate(Field),
    /// A `${...}` placeholder is not closed, or a name holds characters no field name has.
    #[error("`{0}` is not a field name (expected names like `srcaddr` or `${{srcaddr}}`)")]
    BadName(String),
}

/// The ordered columns of a flow-log file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    columns: Vec<Column>,
    slots: [Option<u8>; Field::ALL.len()],
    /// Whether this is the default (version 2) format: its fields, in their order.
    v2: bool,
}

/// The fields of the default (version 2) format, in order: the first fourteen of
/// [`Field::ALL`].
pub(crate) const V2: [Field; 14] = {
    let mut fields = [Field::Version; 14];
    let mut i = 0;
    while i < fields.len() {
        fields[i] = Field::ALL[i];
        i += 1;
    }
    fields
};

/// The default (version 2) format.
pub const DEFAULT_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} \
     ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

impl Default for Format {
    fn default() -> Self {
        Format::v2()
    }
}

impl Format {
    /// The default version 2 format.
    pub fn v2() -> Format {
        Format::from_columns(V2.iter().map(|&f| Column::Known(f)).collect())
            .expect("the v2 field list has no duplicates")
    }

    /// Builds a format from columns. Errors on duplicates and on an empty list.
    pub fn from_columns(columns: Vec<Column>) -> Result<Format, FormatError> {
        if columns.is_empty() {
            return Err(FormatError::Empty);
        }
        if columns.len() > usize::from(u8::MAX) {
            return Err(FormatError::BadName(format!("{} columns", columns.len())));
        }
        let mut slots = [None; Field::ALL.len()];
        for (i, c) in columns.iter().enumerate() {
            if let Column::Known(f) = c {
                let slot = &mut slots[*f as usize];
                if slot.is_some() {
                    return Err(FormatError::Duplicate(*f));
                }
                // The length check above keeps i within u8.
                *slot = u8::try_from(i).ok();
            }
        }
        let v2 = columns.len() == V2.len()
            && columns.iter().zip(V2).all(|(c, f)| *c == Column::Known(f));
        Ok(Format { columns, slots, v2 })
    }

    /// Whether this is a transit gateway flow log's format: it names a field only
    /// those logs have (`resource-type`, `tgw-…`, `packets-lost-…`). Their records are
    /// summarized into their own table ([`crate::transit`]).
    pub fn is_transit_gateway(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c, Column::Known(f) if f.is_transit_gateway_only()))
    }

    /// Whether this is the default (version 2) format, the fields of [`Format::v2`] in
    /// their order (however it was spelled or found).
    #[inline]
    pub fn is_v2(&self) -> bool {
        self.v2
    }

    /// Parses a format string: `${version} ${srcaddr} ...`, `version srcaddr ...` or
    /// `version account_id ...`, separated by any run of spaces or tabs.
    ///
    /// ```
    /// use flowpath_core::format::{Field, Format};
    /// let f = Format::parse("${srcaddr} ${dstaddr} ${bytes}").unwrap();
    /// assert_eq!(f.slot(Field::Bytes), Some(2));
    /// assert!(Format::parse("${srcaddr").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<Format, FormatError> {
        let columns = spec
            .split_ascii_whitespace()
            .map(|token| {
                let name = match token.strip_prefix("${") {
                    Some(rest) => rest
                        .strip_suffix('}')
                        .ok_or_else(|| FormatError::BadName(token.to_owned()))?,
                    None => token,
                };
                if !is_name(name.as_bytes()) {
                    return Err(FormatError::BadName(token.to_owned()));
                }
                Ok(Field::from_name(name)
                    .map_or_else(|| Column::Unknown(name.to_owned()), Column::Known))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Format::from_columns(columns)
    }

    /// Reads a header line, if `line` is one.
    ///
    /// A line is a header when every token is a name (`[a-z][a-z0-9_-]*`) and at least
    /// one token names a known field. Record lines never pass: they hold numbers,
    /// addresses, `-` or upper-case words, and no value equals a field name.
    pub fn from_header(line: &[u8]) -> Option<Result<Format, FormatError>> {
        let mut any_known = false;
        for token in line
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
        {
            if !is_name(token) {
                return None;
            }
            // is_name admits only ASCII.
            let name = std::str::from_utf8(token).ok()?;
            any_known |= Field::from_name(name).is_some();
        }
        if !any_known {
            return None;
        }
        let text = std::str::from_utf8(line).ok()?;
        Some(Format::parse(text))
    }

    /// The columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// How many columns a record line must have.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Always false: a format has at least one column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The column index of a known field, if the format has it.
    #[inline]
    pub fn slot(&self, field: Field) -> Option<usize> {
        self.slots[field as usize].map(usize::from)
    }

    /// Whether the format has the field.
    pub fn has(&self, field: Field) -> bool {
        self.slots[field as usize].is_some()
    }

    /// Names the format carries that the parser does not know.
    pub fn unknown_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().filter_map(|c| match c {
            Column::Unknown(n) => Some(n.as_str()),
            Column::Known(_) => None,
        })
    }

    /// The highest version among the format's known fields (what AWS writes in `version`).
    pub fn version(&self) -> u8 {
        self.columns
            .iter()
            .filter_map(|c| match c {
                Column::Known(f) => Some(f.since_version()),
                Column::Unknown(_) => None,
            })
            .max()
            .unwrap_or(2)
    }
}

impl fmt::Display for Format {
    /// Renders in AWS's `${field}` syntax; [`Format::parse`] reads it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let name = match c {
                Column::Known(field) => field.name(),
                Column::Unknown(n) => n,
            };
            write!(f, "${{{name}}}")?;
        }
        Ok(())
    }
}

fn is_name(token: &[u8]) -> bool {
    matches!(token.first(), Some(b'a'..=b'z'))
        && token
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_v2_format_is_known_however_spelled() {
        let plain = DEFAULT_FORMAT.replace(['$', '{', '}'], "");
        for spec in [DEFAULT_FORMAT, &plain, &plain.replace('-', "_")] {
            assert!(Format::parse(spec).unwrap().is_v2(), "{spec}");
        }
        assert!(Format::v2().is_v2());
        let not = [
            plain.replace("srcaddr dstaddr", "dstaddr srcaddr"),
            plain.replace(" log-status", ""),
            format!("{plain} vpc-id"),
            plain.replace("version", "new-field"),
        ];
        for spec in &not {
            assert!(!Format::parse(spec).unwrap().is_v2(), "{spec}");
        }
    }

    #[test]
    fn v2_is_the_default_format() {
        let f = Format::default();
        assert_eq!(f, Format::parse(DEFAULT_FORMAT).unwrap());
        assert_eq!(f.len(), 14);
        assert_eq!(f.slot(Field::LogStatus), Some(13));
        assert_eq!(f.slot(Field::VpcId), None);
        assert_eq!(f.version(), 2);
    }

    #[test]
    fn both_spellings_and_all_syntaxes() {
        let a = Format::parse("${version} ${account-id} ${log-status}").unwrap();
        let b = Format::parse("version account_id log_status").unwrap();
        let c = Format::parse("  version\taccount-id   log-status ").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.slot(Field::AccountId), Some(1));
    }

    #[test]
    fn every_field_name_round_trips() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
            assert_eq!(Field::from_name(&f.name().replace('-', "_")), Some(f));
            assert_eq!(Field::ALL[f as usize], f);
        }
        assert_eq!(Field::from_name("log_status-"), None);
        assert_eq!(Field::RejectReason.since_version(), 8);
        assert_eq!(Field::TgwSrcVpcId.since_version(), 6);
        assert_eq!(Field::PacketsLostTtlExpired.since_version(), 6);
        assert!(!Field::RejectReason.is_transit_gateway_only());
        assert!(Field::ResourceType.is_transit_gateway_only());
        assert_eq!(Field::EcsTaskId.since_version(), 7);
        assert_eq!(Field::TrafficPath.since_version(), 5);
        assert_eq!(Field::AzId.since_version(), 4);
        assert_eq!(Field::TcpFlags.since_version(), 3);
    }

    #[test]
    fn unknown_names_are_carried_not_rejected() {
        let f = Format::parse("${version} ${encryption-status} ${srcaddr}").unwrap();
        assert_eq!(f.columns()[1], Column::Unknown("encryption-status".into()));
        assert_eq!(f.unknown_names().collect::<Vec<_>>(), ["encryption-status"]);
        assert_eq!(f.slot(Field::Srcaddr), Some(2));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(Format::parse("").unwrap_err(), FormatError::Empty);
        assert_eq!(
            Format::parse("srcaddr dstaddr srcaddr")
                .unwrap_err()
                .to_string(),
            "field `srcaddr` appears twice in the format"
        );
        assert_eq!(
            Format::parse("${srcaddr ${dstaddr}")
                .unwrap_err()
                .to_string(),
            "`${srcaddr` is not a field name (expected names like `srcaddr` or `${srcaddr}`)"
        );
        assert!(matches!(
            Format::parse("Srcaddr"),
            Err(FormatError::BadName(_))
        ));
    }

    #[test]
    fn header_detection() {
        let h = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
        assert_eq!(Format::from_header(h), Some(Ok(Format::v2())));
        let nat = b"instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr";
        assert_eq!(Format::from_header(nat).unwrap().unwrap().len(), 6);
        // Record lines are never headers, even all-text ones.
        for line in [
            &b"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"[..],
            b"- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",
            b"i-0123 eni-1111aaaa2222bbbb3 vpc-1 subnet-1",
            b"",
        ] {
            assert_eq!(
                Format::from_header(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        // A header naming a field twice is a header, and an error.
        assert_eq!(
            Format::from_header(b"srcaddr srcaddr"),
            Some(Err(FormatError::Duplicate(Field::Srcaddr)))
        );
    }

    proptest! {
        #[test]
        fn render_parse_round_trip(picks in proptest::sample::subsequence(Field::ALL.to_vec(), 1..40), seed in any::<u64>()) {
            let mut fields = picks;
            // A deterministic shuffle from the seed: formats are any subset in any order.
            let n = fields.len();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                fields.swap(i, (s >> 33) as usize % (i + 1));
            }
            let format = Format::from_columns(fields.iter().map(|&f| Column::Known(f)).collect()).unwrap();
            let again = Format::parse(&format.to_string()).unwrap();
            prop_assert_eq!(&again, &format);
            let header = format.columns().iter().map(|c| match c { Column::Known(f) => f.name(), Column::Unknown(n) => n }).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(Format::from_header(header.as_bytes()), Some(Ok(format)));
        }
    }
}
