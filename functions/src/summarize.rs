//! The summarizer: one object in, its Parquet summaries out, in the same Hive layout as
//! the CLI, under `OUTPUT_BUCKET`/`OUTPUT_PREFIX`.
//!
//! Exactly-once results from at-least-once delivery: the output key is derived from
//! the input's bucket, key and version (or ETag), and the content is deterministic,
//! so a redelivered event overwrites the same objects with the same bytes. The object
//! is read with a streaming GET and summarized as it arrives (memory is bounded by a
//! few chunks plus the groups, whatever the object's size), and nothing is written
//! before the whole object was read, so a failure leaves no partial output.

use std::sync::Arc;
use std::time::Instant;

use aws_lambda_events::event::s3::batch_job::{S3BatchJobResponse, S3BatchJobResult};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};
use std::io::Read;

use flowpath_core::flowlog_parquet::summarize_parquet;
use flowpath_core::layout::output_name;
use flowpath_core::pipeline::{self, Options};
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::HandlerError;
use crate::inventory_source::InventorySource;
use crate::ranges_source::RangesSource;
use crate::trigger::{self, BatchJob, ObjectRef, SqsMessage, Trigger};

/// Whether a key is a flow-log object as AWS delivers it: text (`.log.gz`, `.log`) or
/// Parquet (`.log.parquet`) under a `vpcflowlogs` prefix.
pub fn is_flow_log_key(key: &str) -> bool {
    (key.contains("/vpcflowlogs/") || key.contains("/aws-service=vpcflowlogs/"))
        && (key.ends_with(".log.gz") || key.ends_with(".log") || key.ends_with(".log.parquet"))
}

/// What happened to one object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// `s3://bucket/key` of the input.
    pub input: String,
    /// `summarized` or `skipped`.
    pub status: &'static str,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Record counts (`read`, `ok`, `nodata`, `skipdata`, `malformed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<flowpath_core::summary::Counts>,
    /// Keys written in the output bucket.
    pub outputs: Vec<String>,
}

/// The summarizer: configuration, the S3 client, the ranges and the inventory.
pub struct App {
    config: Config,
    client: aws_sdk_s3::Client,
    ranges: RangesSource,
    inventory: InventorySource,
}

impl App {
    /// A new app; the client is built once per cold start.
    pub fn new(config: Config, client: aws_sdk_s3::Client) -> App {
        let ranges = RangesSource::new(config.ranges.clone());
        let inventory = InventorySource::new(config.inventory.clone());
        App {
            config,
            client,
            ranges,
            inventory,
        }
    }

    /// Handles one invocation of any supported shape.
    pub async fn handle(&self, payload: Value) -> Result<Value, HandlerError> {
        match trigger::parse(&payload).map_err(HandlerError::Event)? {
            Trigger::Test => {
                tracing::info!("s3:TestEvent acknowledged");
                Ok(json!({"status": "test event acknowledged"}))
            }
            Trigger::Objects(objects) => {
                let mut outcomes = Vec::with_capacity(objects.len());
                for object in &objects {
                    // A failure fails the invocation, so Lambda retries it; the objects
                    // already done are overwritten identically on the retry.
                    outcomes.push(self.summarize(object).await?);
                }
                Ok(json!({ "objects": outcomes }))
            }
            Trigger::Sqs(messages) => Ok(serde_json::to_value(self.sqs(messages).await)
                .map_err(|e| HandlerError::Internal(e.to_string()))?),
            Trigger::Batch(job) => Ok(serde_json::to_value(self.batch(job).await)
                .map_err(|e| HandlerError::Internal(e.to_string()))?),
        }
    }

    async fn sqs(&self, messages: Vec<SqsMessage>) -> SqsBatchResponse {
        let mut failures = Vec::new();
        for message in messages {
            let result = match message.objects {
                Err(e) => Err(HandlerError::Event(e)),
                Ok(objects) => {
                    let mut result = Ok(());
                    for object in &objects {
                        if let Err(e) = self.summarize(object).await {
                            result = Err(e);
                            break;
                        }
                    }
                    result
                }
            };
            if let Err(e) = result {
                tracing::error!(message_id = %message.message_id, error = %e, error_type = e.error_type(), "SQS message failed");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message.message_id;
                failures.push(failure);
            }
        }
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures;
        response
    }

    async fn batch(&self, job: BatchJob) -> S3BatchJobResponse {
        let mut results = Vec::with_capacity(job.tasks.len());
        for task in job.tasks {
            let (code, text) = match task.object {
                Err(e) => ("PermanentFailure", e),
                Ok(object) => match self.summarize(&object).await {
                    Ok(outcome) => (
                        "Succeeded",
                        format!("{}: {}", outcome.status, outcome.outputs.len()),
                    ),
                    Err(e) if e.is_retryable() => ("TemporaryFailure", e.to_string()),
                    Err(e) => ("PermanentFailure", e.to_string()),
                },
            };
            let mut result = S3BatchJobResult::default();
            result.task_id = Some(task.task_id);
            result.result_code = Some(code.to_owned());
            result.result_string = Some(text);
            results.push(result);
        }
        let mut response = S3BatchJobResponse::default();
        response.invocation_schema_version = Some(job.schema_version);
        response.treat_missing_keys_as = Some("PermanentFailure".to_owned());
        response.invocation_id = Some(job.invocation_id);
        response.results = results;
        response
    }

    /// Summarizes one object and writes its summaries.
    pub async fn summarize(&self, object: &ObjectRef) -> Result<Outcome, HandlerError> {
        let input = format!("s3://{}/{}", object.bucket, object.key);
        if !is_flow_log_key(&object.key) {
            tracing::info!(input = %input, "skipped: not a flow-log key (…/vpcflowlogs/….log.gz, .log or .log.parquet)");
            return Ok(Outcome {
                input,
                status: "skipped",
                reason: Some("not a flow-log key".into()),
                counts: None,
                outputs: Vec::new(),
            });
        }
        let started = Instant::now();
        let ranges = self.ranges.get(&self.client).await?;
        let opts = Options {
            inventory: self.inventory.get(&self.client).await?,
            ..Options::default()
        };
        let (info, reader) = flowpath_s3::get_reader(
            &self.client,
            &object.bucket,
            &object.key,
            object.version_id.as_deref(),
        )
        .await?;
        let transport = reader.transport_failure();
        let name = input.clone();
        let ranges_for_task = Arc::clone(&ranges);
        let parquet = object.key.ends_with(".log.parquet");
        let result = tokio::task::spawn_blocking(move || {
            if parquet {
                // Parquet needs random access: read the (compressed) object whole.
                let mut reader = reader;
                let mut body = Vec::new();
                reader
                    .read_to_end(&mut body)
                    .map_err(|source| flowpath_core::Error::Read {
                        input: name.clone(),
                        source,
                    })?;
                summarize_parquet(&name, bytes::Bytes::from(body), &ranges_for_task, &opts)
            } else {
                pipeline::summarize(&name, reader, &ranges_for_task, &opts)
            }
        })
        .await
        .map_err(|e| HandlerError::Internal(format!("{input}: summarizing task: {e}")))?;
        let summary = match result {
            Ok(summary) => summary,
            // A broken download shows up as a read or gzip error: the stream tells which.
            Err(_) if transport.get().is_some() => {
                return Err(HandlerError::Interrupted {
                    bucket: object.bucket.clone(),
                    key: object.key.clone(),
                    message: transport.get().unwrap_or_default(),
                });
            }
            Err(source) => {
                return Err(HandlerError::BadObject {
                    bucket: object.bucket.clone(),
                    key: object.key.clone(),
                    source: Box::new(source),
                });
            }
        };
        let counts = summary.stats.counts;
        for m in &summary.stats.malformed_examples {
            tracing::warn!(input = %input, line = m.line, field = m.error.field.map(|f| f.name()), reason = %m.error.kind, "malformed line");
        }
        let version = object
            .version_id
            .clone()
            .or(info.version_id)
            .or(info.etag.clone())
            .unwrap_or_default();
        let file_name = output_name(&format!("{input}#{version}"));
        let (_, files) = summary
            .encode(&ranges)
            .map_err(|e| HandlerError::Internal(format!("{input}: encoding the summary: {e}")))?;
        let mut outputs = Vec::with_capacity(files.len());
        for (dir, body) in files {
            let key = format!("{}{}/{}", self.config.output_prefix, dir, file_name);
            let source_etag = info.etag.as_deref().unwrap_or("");
            flowpath_s3::put(
                &self.client,
                &self.config.output_bucket,
                &key,
                body,
                &[
                    ("flowpath-source", &input),
                    ("flowpath-source-etag", source_etag),
                    ("flowpath-version", flowpath_core::VERSION),
                ],
            )
            .await?;
            outputs.push(key);
        }
        tracing::info!(
            input = %input,
            read = counts.read, ok = counts.ok, nodata = counts.nodata, skipdata = counts.skipdata, malformed = counts.malformed,
            outputs = outputs.len(),
            ranges_sync_token = ranges.sync_token(),
            millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "summarized"
        );
        if counts.skipdata > 0 {
            tracing::warn!(input = %input, skipdata = counts.skipdata, "SKIPDATA records: AWS lost flow records in these intervals");
        }
        Ok(Outcome {
            input,
            status: "summarized",
            reason: None,
            counts: Some(counts),
            outputs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_log_keys() {
        assert!(is_flow_log_key(
            "AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/x.log.gz"
        ));
        assert!(is_flow_log_key(
            "p/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/x.log"
        ));
        assert!(!is_flow_log_key(
            "AWSLogs/1/elasticloadbalancing/eu-west-1/x.log.gz"
        ));
        assert!(is_flow_log_key(
            "AWSLogs/1/vpcflowlogs/eu-west-1/x.log.parquet"
        ));
        assert!(!is_flow_log_key(
            "AWSLogs/1/vpcflowlogs/eu-west-1/x.parquet"
        ));
        assert!(!is_flow_log_key("AWSLogs/1/vpcflowlogs/eu-west-1/"));
    }
}
