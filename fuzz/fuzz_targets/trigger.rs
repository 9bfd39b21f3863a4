//! Lambda event payloads: `flowpath_functions::trigger::parse` of any JSON. Parsing is
//! deterministic; a batch job keeps one task per task it was sent; and an S3 event
//! notification gives the same objects (or the same error) whichever way it arrives:
//! directly, as an SQS message body, as an SNS envelope inside an SQS body, or as an
//! SNS message.
#![no_main]

use std::sync::OnceLock;

use flowpath_functions::trigger::{Trigger, parse};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const SQS: &str = include_str!("../../fixtures/events/sqs-s3.json");
const SNS: &str = include_str!("../../fixtures/events/sns-s3.json");

/// A fixture event with its first record only, its `field` (a JSON pointer below
/// that record) to be replaced.
fn template(cell: &'static OnceLock<Value>, text: &str) -> Value {
    cell.get_or_init(|| {
        let mut v: Value = serde_json::from_str(text).expect("fixture JSON");
        let first = v["Records"][0].clone();
        v["Records"] = json!([first]);
        v
    })
    .clone()
}

fn with_first(mut event: Value, pointer: &str, value: String) -> Value {
    *event
        .pointer_mut(pointer)
        .expect("the template has the field") = Value::String(value);
    event
}

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let got = parse(&payload);
    assert_eq!(parse(&payload), got, "deterministic");

    if let Ok(Trigger::Batch(job)) = &got {
        assert!(matches!(job.schema_version.as_str(), "1.0" | "2.0"));
        let sent = payload["tasks"].as_array().map_or(0, Vec::len);
        assert_eq!(job.tasks.len(), sent);
    }

    // An S3 notification, and nothing that could make a wrapper read it otherwise.
    let source = payload
        .get("Records")
        .and_then(|r| r.get(0))
        .and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")))
        .and_then(Value::as_str);
    let plain_s3 = source == Some("aws:s3")
        && payload.get("invocationSchemaVersion").is_none()
        && payload.get("source").and_then(Value::as_str) != Some("aws.s3")
        && payload.get("Event").and_then(Value::as_str) != Some("s3:TestEvent")
        && payload.get("Type").and_then(Value::as_str) != Some("Notification")
        // CloudWatch Logs and Firehose events are told by their own keys first.
        && payload.get("awslogs").is_none()
        && !(payload.get("deliveryStreamArn").is_some() && payload.get("records").is_some());
    if !plain_s3 {
        return;
    }
    let want = match got {
        Ok(Trigger::Objects(objects)) => Ok(objects),
        Err(e) => Err(e),
        Ok(other) => panic!("an S3 notification gave {other:?}"),
    };
    // The payload's own text: a number written back by serde_json may differ in its
    // last digit, and an error message quotes it.
    let body = std::str::from_utf8(data)
        .expect("JSON that parses is UTF-8")
        .to_owned();

    static SQS_EVENT: OnceLock<Value> = OnceLock::new();
    static SNS_EVENT: OnceLock<Value> = OnceLock::new();
    let envelope = json!({"Type": "Notification", "Message": body}).to_string();
    for sqs_body in [body.clone(), envelope] {
        let sqs = with_first(template(&SQS_EVENT, SQS), "/Records/0/body", sqs_body);
        match parse(&sqs) {
            Ok(Trigger::Sqs(messages)) => {
                assert_eq!(messages.len(), 1);
                assert_eq!(messages[0].objects, want, "through SQS");
            }
            other => panic!("an SQS event gave {other:?}"),
        }
    }
    let sns = with_first(template(&SNS_EVENT, SNS), "/Records/0/Sns/Message", body);
    assert_eq!(parse(&sns), want.map(Trigger::Objects), "through SNS");
});
