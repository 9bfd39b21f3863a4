//! Every way an object reaches the summarizer, turned into the objects to summarize.
//!
//! | payload | recognised by | becomes |
//! | --- | --- | --- |
//! | S3 event notification | `Records[].eventSource == "aws:s3"` | [`Trigger::Objects`] (only `ObjectCreated:*` records) |
//! | `s3:TestEvent` | `Event == "s3:TestEvent"` | [`Trigger::Test`], acknowledged |
//! | SQS batch | `Records[].eventSource == "aws:sqs"` | [`Trigger::Sqs`]: each body is an S3 event, a test event, or an SNS envelope of one |
//! | SNS | `Records[].EventSource == "aws:sns"` | [`Trigger::Objects`] from each message |
//! | EventBridge | `source == "aws.s3"` | [`Trigger::Objects`] for `Object Created` |
//! | S3 Batch Operations | `invocationSchemaVersion` 1.0 or 2.0 | [`Trigger::Batch`] |
//! | CloudWatch Logs subscription | `awslogs.data` (base64 of gzip of the payload JSON) | [`Trigger::Logs`], the payload decoded |
//! | Firehose data transformation | `deliveryStreamArn` and `records[].recordId` | [`Trigger::Firehose`], each record's data base64-decoded |
//!
//! Keys from S3 notifications (direct, SQS, SNS) are URL-encoded, `+` for a space, and
//! are decoded here. EventBridge and Batch Operations keys are decoded as well: flow-log
//! keys never contain `%` or `+`, so decoding cannot change a literal key, while it is
//! required wherever a key arrives encoded (Hive-compatible prefixes hold `=`, sent as
//! `%3D`).

use aws_lambda_events::event::cloudwatch_logs::{LogData, LogsEvent};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::firehose::KinesisFirehoseEvent;
use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use flowpath_s3::decode_event_key;
use serde::Deserialize;
use serde_json::Value;

/// An object to summarize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The bucket.
    pub bucket: String,
    /// The key, decoded.
    pub key: String,
    /// The version, when the event names one.
    pub version_id: Option<String>,
}

/// One SQS message and what it asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsMessage {
    /// The message id, reported back on failure.
    pub message_id: String,
    /// The objects, or why the body could not be read.
    pub objects: Result<Vec<ObjectRef>, String>,
}

/// One S3 Batch Operations task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchTask {
    /// The task id, reported back with its result code.
    pub task_id: String,
    /// The object, or why the task is unusable.
    pub object: Result<ObjectRef, String>,
}

/// An S3 Batch Operations invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchJob {
    /// `1.0` or `2.0`, echoed in the response.
    pub schema_version: String,
    /// Echoed in the response.
    pub invocation_id: String,
    /// The tasks.
    pub tasks: Vec<BatchTask>,
}

/// What an invocation asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// S3's `s3:TestEvent`: nothing to do.
    Test,
    /// Objects from S3 notifications, SNS or EventBridge.
    Objects(Vec<ObjectRef>),
    /// An SQS batch: each message succeeds or fails on its own.
    Sqs(Vec<SqsMessage>),
    /// S3 Batch Operations tasks.
    Batch(BatchJob),
    /// A CloudWatch Logs subscription payload, decoded (a `DATA_MESSAGE` with log
    /// events, or a `CONTROL_MESSAGE`).
    Logs(Box<LogData>),
    /// A Firehose data-transformation batch: every record must be answered.
    Firehose(Box<KinesisFirehoseEvent>),
}

/// Recognises the payload's shape and extracts the objects.
pub fn parse(payload: &Value) -> Result<Trigger, String> {
    if payload.get("invocationSchemaVersion").is_some() {
        return parse_batch(payload).map(Trigger::Batch);
    }
    if is_test_event(payload) {
        return Ok(Trigger::Test);
    }
    if payload.get("deliveryStreamArn").is_some() && payload.get("records").is_some() {
        let event: KinesisFirehoseEvent = serde_json::from_str(&payload.to_string())
            .map_err(|e| format!("Firehose transformation event: {e}"))?;
        return Ok(Trigger::Firehose(Box::new(event)));
    }
    if payload.get("awslogs").is_some() {
        // From text, not from the `Value`: `AwsLogs`'s deserializer borrows its keys,
        // which a `Value` cannot lend.
        let event: LogsEvent = serde_json::from_str(&payload.to_string()).map_err(|e| {
            format!("CloudWatch Logs event (awslogs.data: base64 of gzip of JSON): {e}")
        })?;
        return Ok(Trigger::Logs(Box::new(event.aws_logs.data)));
    }
    if payload.get("source").and_then(Value::as_str) == Some("aws.s3") {
        return parse_eventbridge(payload).map(Trigger::Objects);
    }
    let first = payload.get("Records").and_then(|r| r.get(0));
    let source = first
        .and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")))
        .and_then(Value::as_str);
    match source {
        Some("aws:s3") => s3_objects(payload).map(Trigger::Objects),
        Some("aws:sqs") => {
            let event: SqsEvent =
                serde_json::from_value(payload.clone()).map_err(|e| format!("SQS event: {e}"))?;
            Ok(Trigger::Sqs(
                event
                    .records
                    .into_iter()
                    .map(|m| SqsMessage {
                        message_id: m.message_id.unwrap_or_default(),
                        objects: m
                            .body
                            .ok_or_else(|| "empty SQS message body".to_owned())
                            .and_then(|b| {
                                serde_json::from_str::<Value>(&b)
                                    .map_err(|e| format!("SQS message body is not JSON: {e}"))
                            })
                            .and_then(|v| message_objects(&v)),
                    })
                    .collect(),
            ))
        }
        Some("aws:sns") => {
            let event: SnsEvent =
                serde_json::from_value(payload.clone()).map_err(|e| format!("SNS event: {e}"))?;
            let mut objects = Vec::new();
            for r in event.records {
                let message: Value = serde_json::from_str(&r.sns.message)
                    .map_err(|e| format!("SNS message is not JSON: {e}"))?;
                objects.extend(message_objects(&message)?);
            }
            Ok(Trigger::Objects(objects))
        }
        _ => Err(
            "not an S3, SQS, SNS, EventBridge, S3 Batch Operations, CloudWatch Logs or Firehose event"
                .to_owned(),
        ),
    }
}

fn is_test_event(v: &Value) -> bool {
    v.get("Event").and_then(Value::as_str) == Some("s3:TestEvent")
}

/// The objects of a message body (SQS) or SNS message: an S3 event, a test event,
/// or an SNS envelope around either (SNS → SQS without raw delivery).
fn message_objects(v: &Value) -> Result<Vec<ObjectRef>, String> {
    if is_test_event(v) {
        return Ok(Vec::new());
    }
    if v.get("Type").and_then(Value::as_str) == Some("Notification") {
        let inner = v
            .get("Message")
            .and_then(Value::as_str)
            .ok_or("SNS envelope without a Message")?;
        let inner: Value =
            serde_json::from_str(inner).map_err(|e| format!("SNS message is not JSON: {e}"))?;
        return message_objects(&inner);
    }
    s3_objects(v)
}

/// The `ObjectCreated:*` records of an S3 event notification.
fn s3_objects(v: &Value) -> Result<Vec<ObjectRef>, String> {
    let event: S3Event =
        serde_json::from_value(v.clone()).map_err(|e| format!("S3 event notification: {e}"))?;
    let mut out = Vec::new();
    for r in event.records {
        let version = r.event_version.as_deref().unwrap_or("");
        if !version.starts_with("2.") {
            return Err(format!("S3 event version `{version}` is not 2.x"));
        }
        if !r
            .event_name
            .as_deref()
            .unwrap_or("")
            .starts_with("ObjectCreated:")
        {
            continue;
        }
        let bucket =
            r.s3.bucket
                .name
                .ok_or("S3 event record without a bucket name")?;
        let key =
            r.s3.object
                .key
                .ok_or("S3 event record without an object key")?;
        out.push(ObjectRef {
            bucket,
            key: decode_event_key(&key),
            version_id: r.s3.object.version_id,
        });
    }
    Ok(out)
}

fn parse_eventbridge(v: &Value) -> Result<Vec<ObjectRef>, String> {
    let event: EventBridgeEvent<Value> =
        serde_json::from_value(v.clone()).map_err(|e| format!("EventBridge event: {e}"))?;
    if event.detail_type != "Object Created" {
        return Ok(Vec::new());
    }
    let detail = &event.detail;
    let text = |ptr: &str| {
        detail
            .pointer(ptr)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let bucket = text("/bucket/name").ok_or("EventBridge event without detail.bucket.name")?;
    let key = text("/object/key").ok_or("EventBridge event without detail.object.key")?;
    Ok(vec![ObjectRef {
        bucket,
        key: decode_event_key(&key),
        version_id: text("/object/version-id"),
    }])
}

/// Batch Operations tasks in schema 1.0 (`s3BucketArn`) or 2.0 (`s3Bucket`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBatch {
    invocation_schema_version: String,
    invocation_id: String,
    tasks: Vec<RawTask>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTask {
    task_id: String,
    s3_key: Option<String>,
    s3_version_id: Option<String>,
    s3_bucket_arn: Option<String>,
    s3_bucket: Option<String>,
}

fn parse_batch(v: &Value) -> Result<BatchJob, String> {
    let raw: RawBatch =
        serde_json::from_value(v.clone()).map_err(|e| format!("S3 Batch Operations event: {e}"))?;
    if !matches!(raw.invocation_schema_version.as_str(), "1.0" | "2.0") {
        return Err(format!(
            "S3 Batch Operations schema `{}` is not 1.0 or 2.0",
            raw.invocation_schema_version
        ));
    }
    let tasks = raw
        .tasks
        .into_iter()
        .map(|t| {
            let bucket = t.s3_bucket.or_else(|| {
                t.s3_bucket_arn
                    .as_deref()
                    .and_then(|a| a.strip_prefix("arn:aws:s3:::"))
                    .map(str::to_owned)
            });
            let object = match (bucket, t.s3_key) {
                (Some(bucket), Some(key)) => Ok(ObjectRef {
                    bucket,
                    key: decode_event_key(&key),
                    version_id: t.s3_version_id,
                }),
                _ => Err("task without a bucket and key".to_owned()),
            };
            BatchTask {
                task_id: t.task_id,
                object,
            }
        })
        .collect();
    Ok(BatchJob {
        schema_version: raw.invocation_schema_version,
        invocation_id: raw.invocation_id,
        tasks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/events/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON")
    }

    const HIVE: &str = "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=08/day=22/hour=10/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1005Z_5e6f7a8b.log.gz";
    const PLAIN: &str = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1105Z_1a2b3c4d.log.gz";

    fn obj(key: &str) -> ObjectRef {
        ObjectRef {
            bucket: "flowpath-logs".into(),
            key: key.into(),
            version_id: None,
        }
    }

    #[test]
    fn every_fixture_shape() {
        assert_eq!(
            parse(&fixture("s3-put.json")).unwrap(),
            Trigger::Objects(vec![obj(HIVE), obj(PLAIN)])
        );
        assert_eq!(
            parse(&fixture("s3-test-event.json")).unwrap(),
            Trigger::Test
        );
        assert_eq!(
            parse(&fixture("s3-removed.json")).unwrap(),
            Trigger::Objects(vec![])
        );
        assert_eq!(
            parse(&fixture("sns-s3.json")).unwrap(),
            Trigger::Objects(vec![obj(PLAIN)])
        );
        assert_eq!(
            parse(&fixture("eventbridge-object-created.json")).unwrap(),
            Trigger::Objects(vec![obj(HIVE)])
        );
        let Trigger::Sqs(messages) = parse(&fixture("sqs-s3.json")).unwrap() else {
            panic!("not SQS")
        };
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[0].objects, Ok(vec![obj(HIVE)]));
        assert_eq!(
            messages[1].objects,
            Ok(vec![]),
            "a test event inside SQS is acknowledged"
        );
        assert_eq!(
            messages[3].objects,
            Ok(vec![obj(PLAIN)]),
            "SNS envelope inside SQS"
        );
        assert_eq!(
            messages[3].message_id,
            "0b7a2f4e-0000-4000-8000-000000000004"
        );
        let Trigger::Batch(job) = parse(&fixture("s3-batch-v1.json")).unwrap() else {
            panic!("not batch")
        };
        assert_eq!((job.schema_version.as_str(), job.tasks.len()), ("1.0", 3));
        assert_eq!(job.tasks[1].object, Ok(obj(HIVE)));
        let Trigger::Batch(job) = parse(&fixture("s3-batch-v2.json")).unwrap() else {
            panic!("not batch")
        };
        assert_eq!(job.schema_version, "2.0");
        assert_eq!(job.tasks[0].object, Ok(obj(PLAIN)));
    }

    #[test]
    fn cloudwatch_logs_and_firehose_events() {
        // {"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",
        //  "subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}
        // gzip, then base64: as CloudWatch Logs sends it.
        let data = "H4sIAAAAAAACAzWOMQuDMBBG/4rc7NLVrRTrklZoBIciJdUjDWgSkkuliP+9sanj433cvQUm9F5IbD4WoYBTfW1uNXtcSs6PVQk5mFmj28xowjAL6l/MSB/FaGTlTLDRJeLkUEwJfXj63ilLyuizGgmdh+Le/XblGzVtuIAa0pxUzCAxxWOHfE/anrYs+ydle9LarV+HSAAEtgAAAA==";
        let event = serde_json::json!({"awslogs": {"data": data}});
        match parse(&event) {
            Ok(Trigger::Logs(d)) => assert_eq!(d.message_type, "CONTROL_MESSAGE"),
            other => panic!("{other:?}"),
        }
        let bad = serde_json::json!({"awslogs": {"data": "bm90IGd6aXA="}});
        assert!(
            parse(&bad)
                .unwrap_err()
                .starts_with("CloudWatch Logs event")
        );
        let firehose = serde_json::json!({
            "invocationId": "inv-1",
            "deliveryStreamArn": "arn:aws:firehose:eu-west-1:111122223333:deliverystream/fl",
            "region": "eu-west-1",
            "records": [{"recordId": "r1", "approximateArrivalTimestamp": 1787400061000_i64, "data": "MiAxMTE="}]
        });
        match parse(&firehose) {
            Ok(Trigger::Firehose(e)) => {
                assert_eq!(e.records.len(), 1);
                assert_eq!(e.records[0].data.0, b"2 111");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unusable_payloads() {
        assert!(
            parse(&serde_json::json!({"hello": "world"}))
                .unwrap_err()
                .starts_with("not an S3")
        );
        assert!(parse(&serde_json::json!({"invocationSchemaVersion": "3.0", "invocationId": "x", "tasks": []})).unwrap_err().contains("3.0"));
        let mut old = fixture("s3-put.json");
        old["Records"][0]["eventVersion"] = "1.0".into();
        assert!(parse(&old).unwrap_err().contains("not 2.x"));
        let mut sqs = fixture("sqs-s3.json");
        sqs["Records"][0]["body"] = "not json".into();
        let Trigger::Sqs(m) = parse(&sqs).unwrap() else {
            panic!()
        };
        assert!(m[0].objects.as_ref().unwrap_err().contains("not JSON"));
    }
}
