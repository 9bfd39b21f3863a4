//! Amazon Data Firehose records: what one record's data holds, for the
//! transformation function, which answers each record on its own.
//!
//! A record reaches a Firehose stream in one of two shapes:
//! - a CloudWatch Logs subscription payload relayed by the stream: gzip JSON, or the
//!   JSON itself when the stream decompresses (possibly several back to back);
//! - flow-log text, when the flow log delivers to the stream directly: one record or
//!   more, a line each, without a header.
//!
//! Invariant: the shape is told by content (gzip magic, then the first character that
//! is not white space: `{` for JSON), exactly as [`crate::object`] tells files apart;
//! data that is neither (bad gzip, JSON that is no payload, text that is not UTF-8) is
//! an error for that record alone.

use std::io::Read;

use crate::decode::decode;
use crate::source::cloudwatch::SubscriptionPayload;

/// What one Firehose record holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordData {
    /// CloudWatch Logs subscription payloads (usually one).
    Payloads(Vec<SubscriptionPayload>),
    /// Flow-log lines, ending with a newline.
    Lines(String),
}

/// Reads one record's data (base64 already removed).
///
/// ```
/// use flowpath_core::source::firehose::{RecordData, read_record};
/// let lines = read_record(b"2 123456789012 eni-1 10.0.0.1 3.5.98.10 1 443 6 1 40 1 61 ACCEPT OK").unwrap();
/// assert!(matches!(lines, RecordData::Lines(l) if l.ends_with("OK\n")));
/// assert!(read_record(b"{\"messageType\": 1}").is_err());
/// ```
pub fn read_record(data: &[u8]) -> Result<RecordData, String> {
    let mut decoded = Vec::new();
    decode(data)
        .and_then(|mut d| d.read_to_end(&mut decoded))
        .map_err(|e| format!("bad gzip data: {e}"))?;
    let json = decoded
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if json {
        let payloads = serde_json::Deserializer::from_slice(&decoded)
            .into_iter::<SubscriptionPayload>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a CloudWatch Logs subscription payload: {e}"))?;
        return Ok(RecordData::Payloads(payloads));
    }
    let mut text =
        String::from_utf8(decoded).map_err(|e| format!("flow-log text that is not UTF-8: {e}"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(RecordData::Lines(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    #[test]
    fn payloads_gzip_or_not_lines_and_garbage() {
        let payload = r#"{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"m"}]}"#;
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(payload.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        for data in [&gz[..], payload.as_bytes()] {
            match read_record(data).unwrap() {
                RecordData::Payloads(p) => {
                    assert_eq!(p.len(), 1);
                    assert_eq!(p[0].log_events[0].message, "m");
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            read_record(b"a\nb").unwrap(),
            RecordData::Lines("a\nb\n".into())
        );
        assert!(
            read_record(&gz[..gz.len() / 2])
                .unwrap_err()
                .starts_with("bad gzip data")
        );
        assert!(read_record(b"\xff\xfe").unwrap_err().contains("not UTF-8"));
    }
}
