//! The CloudWatch Logs source: VPC flow logs delivered to a log group and sent on by
//! a subscription filter, as the JSON payloads it sends.
//!
//! A payload is what a subscription filter delivers, base64 and gzip removed:
//!
//! ```json
//! {"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"vpc-flow",
//!  "logStream":"eni-0a1b2c3d4e5f60718-all","subscriptionFilters":["to-flowpath"],
//!  "logEvents":[{"id":"3700...","timestamp":1787400000000,
//!                "message":"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 ..."}]}
//! ```
//!
//! An input holds one payload or several back to back (Firehose writes the payloads
//! it relays to S3 that way: one gzip member each, which the decoder reads as one
//! stream).
//!
//! Export-task files (`aws logs create-export-task`: gzip, each line a timestamp and
//! the message) are flow-log text once each line's timestamp is dropped
//! ([`is_export`], `ExportLines`): the text source reads them, in the given format.
//! That line shape is the one public tools and reports show; AWS's documentation does
//! not spell it out.
//!
//! Invariants:
//! - each log event's `message` is one flow-log record without a header (CloudWatch
//!   Logs keeps none), read in its log group's format ([`log_group_format`]): the
//!   `LogFormat` of the flow log that delivers to the group, when the inventory holds
//!   its definition (`describe-flow-logs`), else the caller's ([`Options::format`]),
//!   else v2. An input is read in the format of its first payload's log group;
//! - a record that lacks `account-id` takes the payload's `owner`, one that lacks
//!   `interface-id` takes the ENI the log stream is named after, one that lacks
//!   `region` takes the caller's region (a payload does not say it);
//! - a payload whose `messageType` is not `DATA_MESSAGE` (CloudWatch Logs'
//!   `CONTROL_MESSAGE`, sent when a subscription is created) holds no records and is
//!   skipped;
//! - log events are numbered from 1 across the input, in order, for error messages;
//! - payloads are read one at a time from the stream and summed by rayon's workers,
//!   so memory is bounded by the payloads in flight (CloudWatch Logs sends at most
//!   1 MB of events in one), not by the input's size.

use std::borrow::Borrow;
use std::io::Read;

use serde::Deserialize;

use crate::decode::decode_input;
use crate::engine::{Engine, Numbering, Options, Provenance, Summary};
use crate::error::Error;
use crate::format::Format;
use crate::parse::parse_line;
use crate::ranges::Ranges;
use crate::source::text::example_text;

/// The `messageType` of a payload that carries log events.
pub const DATA_MESSAGE: &str = "DATA_MESSAGE";

/// A CloudWatch Logs subscription payload (the JSON inside `awslogs.data`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionPayload {
    /// `DATA_MESSAGE`, or `CONTROL_MESSAGE` for CloudWatch Logs' own check.
    pub message_type: String,
    /// The account that owns the log group.
    #[serde(default)]
    pub owner: String,
    /// The log group.
    #[serde(default)]
    pub log_group: String,
    /// The log stream: one per ENI for flow logs.
    #[serde(default)]
    pub log_stream: String,
    /// The subscription filters that matched.
    #[serde(default)]
    pub subscription_filters: Vec<String>,
    /// The log events, oldest first.
    #[serde(default)]
    pub log_events: Vec<LogEvent>,
}

/// One log event of a payload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct LogEvent {
    /// CloudWatch Logs' id of the event (a decimal string).
    #[serde(default)]
    pub id: String,
    /// When the event happened, ms since the epoch (a flow log's `start`).
    #[serde(default)]
    pub timestamp: i64,
    /// The event: one flow-log record.
    pub message: String,
}

impl SubscriptionPayload {
    /// Whether the payload carries log events (`DATA_MESSAGE`).
    pub fn is_data(&self) -> bool {
        self.message_type == DATA_MESSAGE
    }
}

/// The ENI a flow log's log stream is named after (`eni-0a1b2c3d4e5f60718`, with or
/// without a suffix such as `-all`, `-accept` or `-reject`); `None` for any other name.
///
/// ```
/// use flowpath_core::source::cloudwatch::stream_interface;
/// assert_eq!(stream_interface("eni-0a1b2c3d4e5f60718-all"), Some("eni-0a1b2c3d4e5f60718"));
/// assert_eq!(stream_interface("eni-0a1b2c3d"), Some("eni-0a1b2c3d"));
/// assert_eq!(stream_interface("2026/08/22/[$LATEST]abc"), None);
/// ```
pub fn stream_interface(log_stream: &str) -> Option<&str> {
    let hex = log_stream.strip_prefix("eni-")?;
    let len = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
    let rest = &hex[len..];
    (len >= 8 && (rest.is_empty() || rest.starts_with('-'))).then(|| &log_stream[..4 + len])
}

/// Whether decoded content starts like a CloudWatch Logs export-task file (what
/// `aws logs create-export-task` writes to S3: each line an ISO 8601 UTC timestamp,
/// a space, then the event's message): `2026-08-22T10:00:00.000Z 2 123456789012 …`.
/// No flow-log line or header starts like that.
///
/// ```
/// use flowpath_core::source::cloudwatch::is_export;
/// assert!(is_export(b"2026-08-22T10:00:00.000Z 2 123456789012 eni-1 ..."));
/// assert!(is_export(b"2026-08-22T10:00:00Z 2 123456789012 eni-1 ..."));
/// assert!(!is_export(b"2 123456789012 eni-1 10.0.0.1 ..."));
/// assert!(!is_export(b"version account-id interface-id ..."));
/// ```
pub fn is_export(head: &[u8]) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if !super::starts_with_shape(head, shape) {
        return false;
    }
    let rest = &head[shape.len()..];
    let fraction = match rest.first() {
        Some(b'.') => 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count(),
        _ => 0,
    };
    rest.get(fraction..fraction + 2) == Some(b"Z ")
}

/// The lines of an export-task file with each line's leading timestamp and its space
/// removed, leaving the messages as flow-log lines, one for one (line numbers are
/// the file's). Streams: nothing but a small buffer is held, however long a line.
pub(crate) struct ExportLines<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Inside a line's timestamp, which is dropped up to and with its space.
    in_timestamp: bool,
}

impl<R: Read> ExportLines<R> {
    /// The messages of `inner`, decoded export-task text.
    pub(crate) fn new(inner: R) -> Self {
        ExportLines {
            inner,
            buf: vec![0; 64 << 10].into_boxed_slice(),
            pos: 0,
            len: 0,
            in_timestamp: true,
        }
    }
}

impl<R: Read> Read for ExportLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos == self.len {
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    return Ok(0);
                }
            }
            let mut n = 0;
            while self.pos < self.len && n < out.len() {
                let b = self.buf[self.pos];
                self.pos += 1;
                if self.in_timestamp {
                    match b {
                        b' ' => self.in_timestamp = false,
                        // A line without a message: kept as a blank line.
                        b'\n' => {
                            out[n] = b;
                            n += 1;
                        }
                        _ => {}
                    }
                    continue;
                }
                out[n] = b;
                n += 1;
                if b == b'\n' {
                    self.in_timestamp = true;
                }
            }
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

/// The format a log group's records are read in, and how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupFormat {
    /// The format.
    pub format: Format,
    /// How many distinct formats the inventory's flow-log definitions give the group:
    /// 1 means `format` is its flow log's; 0 (none known) and more than 1 (flow logs
    /// of different formats share the group: records cannot be told apart) mean
    /// `format` is the caller's, or v2.
    pub definitions: usize,
}

/// The format of `log_group`'s records: its flow log's `LogFormat` when the
/// inventory ([`Options::inventory`]) holds exactly one for it, else
/// [`Options::format`], else v2.
pub fn log_group_format(log_group: &str, opts: &Options) -> GroupFormat {
    let defined = opts
        .inventory
        .as_deref()
        .map(|inv| inv.log_group_formats(log_group))
        .unwrap_or_default();
    match defined.as_slice() {
        [one] => GroupFormat {
            format: (*one).clone(),
            definitions: 1,
        },
        several => GroupFormat {
            format: opts.format.clone().unwrap_or_default(),
            definitions: several.len(),
        },
    }
}

/// Summarizes a stream of subscription payloads (plain or gzip JSON, one or several
/// back to back). `region` is the region of records that lack one.
pub fn summarize<R: Read + Send>(
    input: &str,
    reader: R,
    region: Option<&str>,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let (decoded, gzip) = decode_input(input, reader)?;
    summarize_decoded(input, decoded, gzip, region, ranges, opts)
}

/// [`summarize`] of a stream already decoded (`gzip`: whether it was gzip).
pub(crate) fn summarize_decoded<R: Read + Send>(
    input: &str,
    decoded: R,
    gzip: bool,
    region: Option<&str>,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let mut stream =
        serde_json::Deserializer::from_reader(decoded).into_iter::<SubscriptionPayload>();
    // The first payload names the log group, and so the format (looked at, then put back).
    let first = stream.next();
    let log_group = match &first {
        Some(Ok(p)) => p.log_group.clone(),
        _ => String::new(),
    };
    let provenance = Provenance {
        format_from_header: false,
        gzip,
    };
    let payloads = first.into_iter().chain(stream);
    read_payloads(
        input, &log_group, payloads, provenance, region, ranges, opts,
    )
}

/// Summarizes payloads already parsed (the Lambda's, from its event), in the format of
/// the first one's log group. `input` names them in errors; `region` is the region of
/// records that lack one.
pub fn summarize_payloads(
    input: &str,
    payloads: &[SubscriptionPayload],
    region: Option<&str>,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let log_group = payloads.first().map_or("", |p| p.log_group.as_str());
    let payloads = payloads.iter().map(Ok);
    read_payloads(
        input,
        log_group,
        payloads,
        Provenance::default(),
        region,
        ranges,
        opts,
    )
}

/// Summarizes `payloads` in `log_group`'s format, their events numbered from 1 in
/// order; the first payload that is not one ends the input with its error.
fn read_payloads<P: Borrow<SubscriptionPayload> + Send>(
    input: &str,
    log_group: &str,
    payloads: impl Iterator<Item = Result<P, serde_json::Error>> + Send,
    provenance: Provenance,
    region: Option<&str>,
    ranges: &Ranges,
    opts: &Options,
) -> Result<Summary, Error> {
    let format = log_group_format(log_group, opts).format;
    let engine = Engine::new(input, format, Numbering::Events, ranges, opts);
    let mut next_event: u64 = 1;
    let numbered = payloads.map(move |payload| {
        let first = next_event;
        if let Ok(p) = &payload {
            next_event += p.borrow().log_events.len() as u64;
        }
        payload.map(|p| (first, p))
    });
    let tally = engine.tally(numbered, |tally, payload| {
        let (first, payload) = payload.map_err(|source| Error::Payload {
            input: input.to_owned(),
            source,
        })?;
        read_payload(&engine, tally, payload.borrow(), first, region);
        Ok(())
    })?;
    engine.finish(tally, provenance)
}

/// Hands the log events of one payload to the engine, numbered from `first`.
fn read_payload(
    engine: &Engine<'_>,
    tally: &mut crate::engine::Tally,
    payload: &SubscriptionPayload,
    first: u64,
    region: Option<&str>,
) {
    if !payload.is_data() {
        return;
    }
    let owner = Some(payload.owner.as_str()).filter(|o| !o.is_empty());
    let interface = stream_interface(&payload.log_stream);
    let mut intake = tally.intake();
    for (at, event) in (first..).zip(&payload.log_events) {
        let line = event.message.trim_end_matches(['\n', '\r']).as_bytes();
        let parsed = parse_line(engine.format(), line).map(|mut rec| {
            rec.account_id = rec.account_id.or(owner);
            rec.interface_id = rec.interface_id.or(interface);
            rec.region = rec.region.or(region);
            rec
        });
        engine.take(&mut intake, at, parsed, || example_text(line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Row;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    const OWNER: &str = "111122223333";
    const ENI: &str = "eni-0a1b2c3d4e5f60718";

    /// A payload as CloudWatch Logs builds it (decoded), with `messages` as its events.
    fn payload(message_type: &str, stream: &str, messages: &[&str]) -> String {
        let events: Vec<serde_json::Value> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                serde_json::json!({
                    "id": format!("3700000000000000000000000000000000000000000000000000000{i}"),
                    "timestamp": 1_787_400_000_000_i64 + i as i64,
                    "message": m,
                })
            })
            .collect();
        serde_json::json!({
            "messageType": message_type,
            "owner": OWNER,
            "logGroup": "vpc-flow",
            "logStream": stream,
            "subscriptionFilters": ["to-flowpath"],
            "logEvents": events,
        })
        .to_string()
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    const S3: &str = "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK";
    const NODATA: &str =
        "2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1787400000 1787400060 - NODATA";

    /// What reading `input` found: (stats, gzip, format from a header), and the rows.
    fn rows(input: &[u8], region: Option<&str>, opts: &Options) -> (Found, Vec<Row>) {
        let ranges = Ranges::embedded();
        let s = summarize("payloads", input, region, &ranges, opts).unwrap();
        let found = Found {
            stats: s.stats.clone(),
            gzip: s.gzip,
            format_from_header: s.format_from_header,
        };
        (found, s.into_rows(&ranges))
    }

    struct Found {
        stats: crate::engine::Stats,
        gzip: bool,
        format_from_header: bool,
    }

    #[test]
    fn events_are_records_in_the_given_format() {
        let text = payload(DATA_MESSAGE, &format!("{ENI}-all"), &[S3, NODATA, S3]);
        let (s, rows) = rows(text.as_bytes(), Some("eu-west-1"), &Options::default());
        let c = s.stats.counts;
        assert_eq!((c.read, c.ok, c.nodata, c.malformed), (3, 2, 1, 0));
        assert!(!s.gzip && !s.format_from_header);
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!(r.account_id, OWNER);
        assert_eq!(r.region, "eu-west-1");
        assert_eq!(r.remote_service.as_deref(), Some("S3"));
        assert_eq!((r.flows, r.packets, r.bytes), (2, Some(20), Some(16_800)));
    }

    #[test]
    fn owner_stream_and_region_fill_what_the_format_lacks() {
        let format =
            Format::parse("${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end}").unwrap();
        let opts = Options {
            format: Some(format),
            ..Options::default()
        };
        let text = payload(
            DATA_MESSAGE,
            &format!("{ENI}-all"),
            &["10.0.1.5 3.5.98.10 10 8400 1787400000 1787400060"],
        );
        let (_, rows) = rows(text.as_bytes(), Some("eu-west-1"), &opts);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].account_id, OWNER);
        assert_eq!(rows[0].interface_id.as_deref(), Some(ENI));
        assert_eq!(rows[0].region, "eu-west-1");
        // The record's own values win over the payload's.
        let (_, rows) = rows_of_v2_with_other_account();
        assert_eq!(rows[0].account_id, "999999999999");
        assert_eq!(rows[0].interface_id.as_deref(), Some("eni-99999999"));
    }

    fn rows_of_v2_with_other_account() -> (Found, Vec<Row>) {
        let line = "2 999999999999 eni-99999999 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK";
        let text = payload(DATA_MESSAGE, &format!("{ENI}-all"), &[line]);
        rows(text.as_bytes(), None, &Options::default())
    }

    #[test]
    fn control_messages_are_skipped_and_payloads_follow_each_other() {
        // As Firehose writes them to S3: one gzip member per payload, back to back.
        let mut input = gz(payload(
            "CONTROL_MESSAGE",
            "",
            &["CWL CONTROL MESSAGE: Checking health of destination"],
        )
        .as_bytes());
        input.extend(gz(payload(DATA_MESSAGE, ENI, &[S3, S3]).as_bytes()));
        input.extend(gz(payload(DATA_MESSAGE, ENI, &[S3]).as_bytes()));
        let (s, rows) = rows(&input, None, &Options::default());
        let c = s.stats.counts;
        assert_eq!((c.read, c.ok, c.malformed), (3, 3, 0));
        assert!(s.gzip);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].flows, 3);
        assert_eq!(rows[0].region, crate::output::layout::UNKNOWN);
    }

    #[test]
    fn a_record_in_another_format_is_malformed_and_named_by_its_event() {
        let v5 =
            "5 eni-1 10.0.1.5 3.5.98.10 44321 443 6 10 8400 1787400000 1787400060 ACCEPT OK extra";
        // Events 1-2 in the first payload, 3-4 in the second: the bad one is event 4.
        let mut input = payload(DATA_MESSAGE, ENI, &[S3, S3]);
        input.push_str(&payload(DATA_MESSAGE, ENI, &[S3, v5]));
        let (s, _) = rows(input.as_bytes(), None, &Options::default());
        assert_eq!((s.stats.counts.ok, s.stats.counts.malformed), (3, 1));
        let m = &s.stats.malformed_examples[0];
        assert_eq!(m.line, 4);
        assert_eq!(m.text, v5);
        let strict = Options {
            strict: true,
            ..Options::default()
        };
        let err = summarize(
            "p.json",
            input.as_bytes(),
            None,
            &Ranges::embedded(),
            &strict,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("p.json: log event 4: "), "{err}");
    }

    #[test]
    fn what_is_not_a_payload_is_an_error_naming_the_input() {
        let err = summarize(
            "p.json",
            &b"{\"owner\": 1}"[..],
            None,
            &Ranges::embedded(),
            &Options::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("p.json: not a CloudWatch Logs subscription payload"),
            "{err}"
        );
    }

    #[test]
    fn a_log_groups_flow_log_definition_gives_its_format() {
        use crate::inventory::Inventory;
        let custom = "${interface-id} ${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end} ${log-status}";
        let definition = |id: &str, format: &str| {
            serde_json::json!({"FlowLogs": [{"FlowLogId": id, "LogDestinationType": "cloud-watch-logs",
                "LogGroupName": "vpc-flow", "LogFormat": format}]})
            .to_string()
        };
        let mut inventory = Inventory::new();
        inventory
            .load("fl.json", definition("fl-1", custom).as_bytes())
            .unwrap();
        let opts = Options {
            // The caller's format yields to the definition.
            format: Some(Format::parse("${version} ${srcaddr}").unwrap()),
            inventory: Some(std::sync::Arc::new(inventory.clone())),
            ..Options::default()
        };
        let group = log_group_format("vpc-flow", &opts);
        assert_eq!((group.definitions, group.format.len()), (1, 8));
        let other = log_group_format("other-group", &opts);
        assert_eq!((other.definitions, other.format.len()), (0, 2));
        let text = payload(
            DATA_MESSAGE,
            ENI,
            &["eni-1 10.0.1.5 3.5.98.10 10 8400 1787400000 1787400060 OK"],
        );
        let (found, rows) = rows(text.as_bytes(), None, &opts);
        assert_eq!(
            (found.stats.counts.ok, found.stats.counts.malformed),
            (1, 0)
        );
        assert_eq!(rows[0].account_id, OWNER);

        // Two flow logs of different formats into one group: the caller's format.
        inventory
            .load(
                "fl2.json",
                definition("fl-2", "${version} ${srcaddr} ${dstaddr}").as_bytes(),
            )
            .unwrap();
        let opts = Options {
            inventory: Some(std::sync::Arc::new(inventory)),
            ..opts
        };
        let group = log_group_format("vpc-flow", &opts);
        assert_eq!((group.definitions, group.format.len()), (2, 2));
    }

    #[test]
    fn export_lines_drop_each_timestamp_and_keep_each_line() {
        let long = "x".repeat(200_000);
        let text = format!(
            "2026-08-22T10:00:00.000Z {S3}\n2026-08-22T10:00:01.000Z\n2026-08-22T10:00:02.000Z {long}\n2026-08-22T10:00:03Z {NODATA}"
        );
        let want = format!("{S3}\n\n{long}\n{NODATA}");
        // Read in small and odd pieces, across the buffer's edges.
        let mut lines = ExportLines::new(text.as_bytes());
        let mut got = Vec::new();
        let mut piece = [0u8; 7];
        loop {
            let n = lines.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&piece[..n]);
        }
        assert_eq!(String::from_utf8(got).unwrap(), want);
    }

    #[test]
    fn parsed_payloads_give_what_their_json_gives() {
        let ranges = Ranges::embedded();
        let text = payload(DATA_MESSAGE, ENI, &[S3, NODATA, S3]);
        let parsed: SubscriptionPayload = serde_json::from_str(&text).unwrap();
        let a = summarize_payloads(
            "e",
            &[parsed],
            Some("eu-west-1"),
            &ranges,
            &Options::default(),
        )
        .unwrap();
        let b = summarize(
            "e",
            text.as_bytes(),
            Some("eu-west-1"),
            &ranges,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(a.stats, b.stats);
        assert_eq!(a.into_rows(&ranges), b.into_rows(&ranges));
    }
}
