//! One input object, whatever reads it: which keys are flow logs as AWS delivers them,
//! what kind of input an object is (by its key, or by its first bytes), and the one
//! "summarize this object" entry that routes it to the text or the Parquet reader.
//!
//! The CLI (local files, standard input, S3 objects) and the Lambda all summarize
//! through here, so one object gives the same [`Summary`] whichever adapter reads it.
//!
//! Invariants:
//! - Parquet needs random access (its footer is at the end): a Parquet *stream* is
//!   read whole into memory first ([`summarize_stream`]); text always streams, so its
//!   memory stays bounded by a few chunks whatever the object's size.
//! - A key names its kind by its ending only ([`InputKind::of_key`]); content without
//!   a trusted name is told by its first bytes ([`InputKind::of_first_bytes`]).
//! - Text content is told apart from CloudWatch Logs payloads and export-task files
//!   once decoded, by what its first characters that are not white space look like
//!   (`{`; a timestamp and a space), wherever text is read: a payload saved to a
//!   file, relayed to S3 by Firehose, or an export, is read whatever its name.

use std::io::{self, Read, Seek};

use bytes::Bytes;
use parquet::file::reader::ChunkReader;

use crate::Ranges;
use crate::decode::decode_input;
use crate::engine::{Options, Summary};
use crate::error::Error;
use crate::source::parquet::is_parquet;
use crate::source::{self, text};

/// How many first bytes [`InputKind::of_first_bytes`] looks at (Parquet's `PAR1`).
pub const SNIFF_LEN: usize = 4;

/// The kinds of input flowpath reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// Text lines, plain or gzip (`*.log`, `*.log.gz`).
    Text,
    /// AWS's Parquet flow logs (`*.log.parquet`).
    Parquet,
    /// CloudWatch Logs subscription payloads, plain or gzip JSON, one or several back
    /// to back ([`source::cloudwatch`]). Told by content only: a text input whose
    /// decoded content starts with `{` (no flow-log line or header does).
    CloudWatchLogs,
    /// A CloudWatch Logs export-task file: lines of a timestamp and a message
    /// ([`source::cloudwatch::is_export`]). Told by content only.
    CloudWatchLogsExport,
}

impl InputKind {
    /// The kind a key's ending names: `.log.gz` and `.log` are text, `.log.parquet` is
    /// Parquet; anything else is not a flow-log file.
    ///
    /// ```
    /// use flowpath_core::object::InputKind;
    /// assert_eq!(InputKind::of_key("a/x.log.gz"), Some(InputKind::Text));
    /// assert_eq!(InputKind::of_key("a/x.log"), Some(InputKind::Text));
    /// assert_eq!(InputKind::of_key("a/x.log.parquet"), Some(InputKind::Parquet));
    /// assert_eq!(InputKind::of_key("a/x.parquet"), None);
    /// ```
    pub fn of_key(key: &str) -> Option<InputKind> {
        if key.ends_with(".log.gz") || key.ends_with(".log") {
            Some(InputKind::Text)
        } else if key.ends_with(".log.parquet") {
            Some(InputKind::Parquet)
        } else {
            None
        }
    }

    /// The kind of a key AWS delivers flow logs under ([`is_delivered_flow_log`]);
    /// `None` for any other key. An object of another delivery
    /// ([`is_other_delivery_key`]) is text whose content tells what it holds.
    pub fn of_delivered_key(key: &str) -> Option<InputKind> {
        let delivered = key.contains("/vpcflowlogs/") || key.contains("/aws-service=vpcflowlogs/");
        match delivered.then(|| InputKind::of_key(key)).flatten() {
            Some(kind) => Some(kind),
            None => is_other_delivery_key(key).then_some(InputKind::Text),
        }
    }

    /// The kind of content from its first [`SNIFF_LEN`] bytes (fewer at its end):
    /// Parquet starts with `PAR1`, anything else is read as text (gzip or plain),
    /// which the text path tells apart from CloudWatch Logs payloads once decoded.
    pub fn of_first_bytes(first_bytes: &[u8]) -> InputKind {
        if is_parquet(first_bytes) {
            InputKind::Parquet
        } else {
            InputKind::Text
        }
    }
}

/// Whether a key names an object the other deliveries write to S3, which only its
/// content can tell apart (CloudWatch Logs payloads, export lines or flow-log lines):
/// - Firehose: `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>` and, when the stream
///   compresses, `.gz`;
/// - CloudWatch Logs export tasks: `…/<task id>/<log stream>/000000.gz` (six digits).
///
/// ```
/// use flowpath_core::object::is_other_delivery_key;
/// assert!(is_other_delivery_key("2026/08/22/10/flow-logs-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"));
/// assert!(is_other_delivery_key("fh/2026/08/22/10/flow-logs-12-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.gz"));
/// assert!(is_other_delivery_key("exportedlogs/1a2b3c4d-aaaa/eni-0a1b2c3d4e5f60718-all/000000.gz"));
/// assert!(!is_other_delivery_key("AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz"));
/// assert!(!is_other_delivery_key("notes/2026-08-22-10-05-12.txt"));
/// ```
pub fn is_other_delivery_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.strip_suffix(".gz").unwrap_or(name);
    let export = name.len() == 9
        && name.ends_with(".gz")
        && stem.bytes().all(|b| b.is_ascii_digit())
        && key.matches('/').count() >= 2;
    export || is_firehose_name(stem)
}

/// Whether a key is an object Firehose delivered to S3:
/// `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`, with `.gz` when the stream
/// compresses (Firehose adds no other ending to text).
///
/// ```
/// use flowpath_core::object::is_firehose_key;
/// assert!(is_firehose_key("rq/2026/08/22/10/resolver-queries-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"));
/// assert!(is_firehose_key("resolver-queries-3-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.gz"));
/// assert!(!is_firehose_key("exportedlogs/1a2b3c4d-aaaa/eni-0a1b2c3d4e5f60718-all/000000.gz"));
/// assert!(!is_firehose_key("notes/2026-08-22-10-05-12.txt"));
/// ```
pub fn is_firehose_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    is_firehose_name(name.strip_suffix(".gz").unwrap_or(name))
}

/// Whether a key may hold Route 53 Resolver query logs as AWS writes them to S3: AWS's
/// own delivery (`.log.gz`, or `.log`), or a Firehose stream's objects
/// ([`is_firehose_key`]), which a query logging configuration can send to as well.
/// What `--resolver-logs s3://bucket/prefix` reads under a prefix.
///
/// ```
/// use flowpath_core::object::is_query_log_key;
/// assert!(is_query_log_key("AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/08/22/vpc-1_vpcdnsquerylogs_111122223333_20260822T1000Z_1a2b.log.gz"));
/// assert!(is_query_log_key("rq/2026/08/22/10/resolver-queries-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"));
/// assert!(!is_query_log_key("rq/README.txt"));
/// ```
pub fn is_query_log_key(key: &str) -> bool {
    key.ends_with(".log.gz") || key.ends_with(".log") || is_firehose_key(key)
}

/// `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`: somewhere a version and the
/// six time fields, each after a `-`, then a random part of hex digits and dashes.
fn is_firehose_name(stem: &str) -> bool {
    let b = stem.as_bytes();
    // "-V-YYYY-MM-DD-HH-MM-SS-": the time is 19 bytes, between dashes.
    let time = b"dddd-dd-dd-dd-dd-dd";
    (1..b.len()).any(|i| {
        if !source::starts_with_shape(&b[i..], time) {
            return false;
        }
        let before = &b[..i];
        let version = before
            .strip_suffix(b"-")
            .map(|v| v.iter().rev().take_while(|c| c.is_ascii_digit()).count())
            .unwrap_or(0);
        let random = &b[i + time.len()..];
        version > 0
            && before.len() > version + 2
            && before[before.len() - version - 2] == b'-'
            && random.first() == Some(&b'-')
            && random.len() > 8
            && random[1..]
                .iter()
                .all(|c| c.is_ascii_hexdigit() || *c == b'-')
    })
}

/// Whether a key is a flow-log object as AWS delivers it to S3: under a `vpcflowlogs`
/// prefix (`…/vpcflowlogs/…` or Hive's `…/aws-service=vpcflowlogs/…`), text or Parquet
/// by its ending ([`InputKind::of_key`]); or an object of another delivery that may
/// hold flow logs, Firehose's or a CloudWatch Logs export's
/// ([`is_other_delivery_key`]), read by content. The Lambda summarizes only these
/// keys, and `flowpath manifest` lists only these.
///
/// ```
/// use flowpath_core::object::is_delivered_flow_log;
/// assert!(is_delivered_flow_log("AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz"));
/// assert!(is_delivered_flow_log("p/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/x.log.parquet"));
/// assert!(!is_delivered_flow_log("AWSLogs/1/elasticloadbalancing/eu-west-1/x.log.gz"));
/// assert!(!is_delivered_flow_log("AWSLogs/1/vpcflowlogs/eu-west-1/x.parquet"));
/// assert!(is_delivered_flow_log("2026/08/22/10/flow-logs-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"));
/// ```
pub fn is_delivered_flow_log(key: &str) -> bool {
    InputKind::of_delivered_key(key).is_some()
}

/// Whether a key is a Route 53 Resolver query log as AWS delivers it to S3:
/// `…AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/…`, gzip (`.log.gz`) or plain (`.log`).
///
/// ```
/// use flowpath_core::object::is_delivered_query_log;
/// assert!(is_delivered_query_log("AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/08/22/vpc-1_vpcdnsquerylogs_111122223333_20260822T1000Z_1a2b.log.gz"));
/// assert!(!is_delivered_query_log("AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz"));
/// assert!(!is_delivered_query_log("AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/x.json"));
/// ```
pub fn is_delivered_query_log(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts
        .iter()
        .rposition(|p| *p == "AWSLogs")
        .is_some_and(|at| parts.get(at + 2) == Some(&"vpcdnsquerylogs"))
        && (key.ends_with(".log.gz") || key.ends_with(".log"))
}

/// The time AWS wrote into an object's name when it delivered it, `_<YYYYMMDD>T<HHMM>Z_`
/// (flow logs and query logs alike), as Unix seconds.
///
/// ```
/// use flowpath_core::object::delivery_time;
/// assert_eq!(delivery_time("AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/1_vpcflowlogs_eu-west-1_fl-1_20260822T1005Z_ab12.log.gz"), Some(1_787_393_100));
/// assert_eq!(delivery_time("AWSLogs/1/vpcflowlogs/eu-west-1/x.log.gz"), None);
/// ```
pub fn delivery_time(key: &str) -> Option<i64> {
    let name = key.rsplit('/').next()?;
    name.split('_').find_map(|part| {
        let b = part.as_bytes();
        if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = part.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (y, mo, d) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
        let (h, mi) = (digits(9..11)?, digits(11..13)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 {
            return None;
        }
        Some(crate::output::layout::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60)
    })
}

/// Account and region read from an input's key (or path) in AWS's delivery layout, for
/// records whose format lacks `account-id` or `region`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyHints {
    /// The account of `AWSLogs/<account>/` or `aws-account-id=<account>`.
    pub account_id: Option<String>,
    /// The region after `vpcflowlogs/` or of `aws-region=<region>`.
    pub region: Option<String>,
}

/// Reads account and region from an S3 key or local path in AWS's delivery layout.
///
/// ```
/// use flowpath_core::object::key_hints;
/// let h = key_hints("logs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz");
/// assert_eq!(h.account_id.as_deref(), Some("123456789012"));
/// assert_eq!(h.region.as_deref(), Some("eu-west-1"));
/// let h = key_hints("AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/x.log.gz");
/// assert_eq!(h.region.as_deref(), Some("us-east-1"));
/// assert_eq!(key_hints("fixtures/v2.log"), Default::default());
/// ```
pub fn key_hints(path: &str) -> KeyHints {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let Some(at) = parts.iter().rposition(|p| *p == "AWSLogs") else {
        return KeyHints::default();
    };
    let rest = &parts[at + 1..];
    let value = |part: Option<&&str>, key: &str| -> Option<String> {
        let part = *part?;
        let v = part
            .strip_prefix(key)
            .and_then(|p| p.strip_prefix('='))
            .unwrap_or(part);
        (!v.is_empty() && !v.contains('=')).then(|| v.to_owned())
    };
    match rest.get(1).copied() {
        Some("vpcflowlogs") | Some("aws-service=vpcflowlogs") => KeyHints {
            account_id: value(rest.first(), "aws-account-id"),
            region: value(rest.get(2), "aws-region"),
        },
        // `AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/…`: no region in the key.
        Some("vpcdnsquerylogs") => KeyHints {
            account_id: value(rest.first(), "aws-account-id"),
            region: None,
        },
        _ => KeyHints::default(),
    }
}

/// Summarizes an object held whole in memory.
pub fn summarize_bytes(
    name: &str,
    kind: InputKind,
    body: Bytes,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    match kind {
        InputKind::Parquet => source::parquet::summarize(name, body, ranges, opts),
        InputKind::Text | InputKind::CloudWatchLogs | InputKind::CloudWatchLogsExport => {
            Ok(text_or_payloads(name, body.as_ref(), ranges, opts)?.1)
        }
    }
}

/// Summarizes an object that can be read once, in order (a download, standard input,
/// a pipe): text streams through; Parquet is read whole first (see the module docs).
pub fn summarize_stream<R: Read + Send>(
    name: &str,
    kind: InputKind,
    mut reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    match kind {
        InputKind::Text | InputKind::CloudWatchLogs | InputKind::CloudWatchLogsExport => {
            Ok(text_or_payloads(name, reader, ranges, opts)?.1)
        }
        InputKind::Parquet => {
            let mut body = Vec::new();
            reader
                .read_to_end(&mut body)
                .map_err(|source| read_error(name, source))?;
            summarize_bytes(name, kind, Bytes::from(body), ranges, opts)
        }
    }
}

/// Summarizes a stream of unknown kind, told by its first bytes; returns the kind too.
pub fn summarize_sniffed<R: Read + Send>(
    name: &str,
    mut reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<(InputKind, Summary), Error> {
    let first_bytes = read_first_bytes(&mut reader).map_err(|source| read_error(name, source))?;
    let kind = InputKind::of_first_bytes(&first_bytes);
    // The bytes sniffed are part of the input: put them back in front.
    let whole = io::Cursor::new(first_bytes).chain(reader);
    match kind {
        InputKind::Parquet => Ok((kind, summarize_stream(name, kind, whole, ranges, opts)?)),
        InputKind::Text | InputKind::CloudWatchLogs | InputKind::CloudWatchLogsExport => {
            text_or_payloads(name, whole, ranges, opts)
        }
    }
}

/// Summarizes a seekable input of unknown kind (a local file), told by its first
/// bytes; Parquet is then read by ranges, not whole. Returns the kind too.
pub fn summarize_seekable<R>(
    name: &str,
    mut reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<(InputKind, Summary), Error>
where
    R: Read + Seek + ChunkReader + Send + 'static,
{
    let first_bytes = read_first_bytes(&mut reader).map_err(|source| read_error(name, source))?;
    reader
        .seek(io::SeekFrom::Start(0))
        .map_err(|source| read_error(name, source))?;
    match InputKind::of_first_bytes(&first_bytes) {
        InputKind::Parquet => Ok((
            InputKind::Parquet,
            source::parquet::summarize(name, reader, ranges, opts)?,
        )),
        InputKind::Text | InputKind::CloudWatchLogs | InputKind::CloudWatchLogsExport => {
            text_or_payloads(name, reader, ranges, opts)
        }
    }
}

/// How many decoded bytes [`text_or_payloads`] looks at for a payload's `{`.
const PAYLOAD_SNIFF_LEN: usize = 1024;

/// Text content (plain or gzip), told apart once decoded: CloudWatch Logs payloads
/// when it starts with `{` (after white space: no flow-log line or header does),
/// flow-log lines otherwise. Returns the kind it was read as.
fn text_or_payloads<R: Read + Send>(
    name: &str,
    reader: R,
    ranges: &Ranges,
    opts: &Options,
) -> Result<(InputKind, Summary), Error> {
    let (mut decoded, gzip) = decode_input(name, reader)?;
    let mut head = Vec::with_capacity(PAYLOAD_SNIFF_LEN);
    (&mut decoded)
        .take(PAYLOAD_SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|source| match gzip {
            true => Error::Decompress {
                input: name.to_owned(),
                source,
            },
            false => read_error(name, source),
        })?;
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let kind = match head.get(start) {
        Some(b'{') => InputKind::CloudWatchLogs,
        _ if source::cloudwatch::is_export(&head[start..]) => InputKind::CloudWatchLogsExport,
        _ => InputKind::Text,
    };
    // The bytes looked at are part of the input: put them back in front.
    let whole = io::Cursor::new(head).chain(decoded);
    let summary = match kind {
        InputKind::CloudWatchLogs => {
            source::cloudwatch::summarize_decoded(name, whole, gzip, None, ranges, opts)?
        }
        InputKind::CloudWatchLogsExport => {
            let lines = source::cloudwatch::ExportLines::new(whole);
            text::summarize_decoded(name, lines, gzip, ranges, opts)?
        }
        InputKind::Text | InputKind::Parquet => {
            text::summarize_decoded(name, whole, gzip, ranges, opts)?
        }
    };
    Ok((kind, summary))
}

/// Up to the first [`SNIFF_LEN`] bytes of a reader (fewer at its end).
fn read_first_bytes(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut first_bytes = Vec::with_capacity(SNIFF_LEN);
    reader
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut first_bytes)?;
    Ok(first_bytes)
}

fn read_error(name: &str, source: io::Error) -> Error {
    Error::Read {
        input: name.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hints_read_both_layouts() {
        let h = key_hints(
            "s3://b/p/AWSLogs/aws-account-id=012345678901/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=08/day=22/hour=10/f.log.gz",
        );
        assert_eq!(h.account_id.as_deref(), Some("012345678901"));
        assert_eq!(h.region.as_deref(), Some("eu-west-1"));
        let h = key_hints("AWSLogs/123/elasticloadbalancing/eu-west-1/x");
        assert_eq!(h, KeyHints::default());
        let h = key_hints("AWSLogs/123/vpcflowlogs");
        assert_eq!(h.account_id.as_deref(), Some("123"));
        assert_eq!(h.region, None);
    }

    #[test]
    fn flow_log_keys() {
        assert!(is_delivered_flow_log(
            "AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz"
        ));
        assert!(is_delivered_flow_log(
            "p/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/x.log"
        ));
        assert!(!is_delivered_flow_log(
            "AWSLogs/1/elasticloadbalancing/eu-west-1/x.log.gz"
        ));
        assert!(is_delivered_flow_log(
            "AWSLogs/1/vpcflowlogs/eu-west-1/x.log.parquet"
        ));
        assert!(!is_delivered_flow_log(
            "AWSLogs/1/vpcflowlogs/eu-west-1/x.parquet"
        ));
        assert!(!is_delivered_flow_log("AWSLogs/1/vpcflowlogs/eu-west-1/"));
    }

    #[test]
    fn payloads_are_told_from_text_once_decoded() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let payload = r#"{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"g","logStream":"eni-0a1b2c3d4e5f60718-all","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1787400000000,"message":"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK"}]}"#;
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(format!("\n{payload}").as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let ranges = Ranges::embedded();
        let opts = Options::default();
        let (kind, s) = summarize_sniffed("p.gz", &gz[..], &ranges, &opts).unwrap();
        assert_eq!(kind, InputKind::CloudWatchLogs);
        assert_eq!((s.stats.counts.ok, s.gzip), (1, true));
        let (kind, s) = summarize_sniffed("p.json", payload.as_bytes(), &ranges, &opts).unwrap();
        assert_eq!((kind, s.stats.counts.ok), (InputKind::CloudWatchLogs, 1));
        let file = std::fs::File::open(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/flowlogs/v2-default.log"),
        )
        .unwrap();
        let (kind, s) = summarize_seekable("v2-default.log", file, &ranges, &opts).unwrap();
        assert_eq!(kind, InputKind::Text);
        assert!(s.format_from_header && s.stats.counts.ok > 0);
        let s = summarize_bytes("p", InputKind::Text, Bytes::from(gz), &ranges, &opts).unwrap();
        assert_eq!(s.stats.counts.ok, 1);

        // An export-task file: the same record behind a timestamp, gzip; a bad line is
        // named by its line number in the file.
        let export = "2026-08-22T10:00:00.000Z 2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK\n\
                      2026-08-22T10:00:01.000Z 2 111122223333 eni-0a1b2c3d4e5f60718 nonsense\n";
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(export.as_bytes()).unwrap();
        let (kind, s) =
            summarize_sniffed("000000.gz", &gz.finish().unwrap()[..], &ranges, &opts).unwrap();
        assert_eq!(kind, InputKind::CloudWatchLogsExport);
        assert_eq!((s.stats.counts.ok, s.stats.counts.malformed), (1, 1));
        assert_eq!(s.stats.malformed_examples[0].line, 2);
        assert!(s.gzip && !s.format_from_header);
    }

    #[test]
    fn kinds_by_key_and_by_content() {
        assert_eq!(InputKind::of_key("a.log.gz"), Some(InputKind::Text));
        assert_eq!(InputKind::of_key("a.log"), Some(InputKind::Text));
        assert_eq!(InputKind::of_key("a.log.parquet"), Some(InputKind::Parquet));
        assert_eq!(InputKind::of_key("a.txt"), None);
        assert_eq!(InputKind::of_first_bytes(b"PAR1rest"), InputKind::Parquet);
        assert_eq!(InputKind::of_first_bytes(b"\x1f\x8b"), InputKind::Text);
        assert_eq!(InputKind::of_first_bytes(b""), InputKind::Text);
        assert!(!is_delivered_flow_log("backfill/x.log.gz"));
    }
}
