//! The summarizer: one object (or one CloudWatch Logs subscription payload) in, its
//! Parquet summaries out, in the same Hive layout as the CLI, under
//! `OUTPUT_BUCKET`/`OUTPUT_PREFIX`.
//!
//! This module owns the Lambda's side only: the shapes of an invocation (events, SQS,
//! S3 Batch Operations), the checks before reading, and the mapping of failures to
//! retryable or not. The rules it shares with the CLI live once elsewhere: which keys
//! are flow logs and how each kind is read in [`flowpath_core::object`]; names,
//! metadata and the per-object index in [`flowpath_s3::replace_summaries`].
//!
//! Exactly-once results from at-least-once delivery, concurrency and overwrites:
//! - The summaries of `s3://bucket/key` are named by bucket and key only
//!   ([`flowpath_s3::summary_file_name`]), and the object's *current* content is read
//!   whatever version the event names. A redelivered event, two invocations at once, or
//!   an event for a new version all write the same names; the last writer leaves the
//!   newest content, and Athena never sums two versions of one object.
//! - A small index per object, `OUTPUT_PREFIX/_flowpath/sources/<name>.json`, lists the
//!   keys its summaries were written to. After writing, summaries the old index lists
//!   and the new content no longer covers (an hour or day the new version lacks) are
//!   deleted, then the index is replaced. A failure in between is retried and redoes
//!   the same steps, so nothing stale survives a successful retry.
//! - After writing, the object's ETag is checked again: if it changed meanwhile, the
//!   summaries may be of the old content, and the invocation fails (retryable) so the
//!   retry summarizes the new content. An invocation that starts after the change
//!   writes after this check, so the newest content always wins.
//!
//! Security: an object in a bucket outside `LOG_BUCKETS` is refused unread (logged, a
//! non-retryable failure); every request about the log and output buckets (the ranges
//! and inventory too when they are in the output bucket) names the bucket owner S3 must
//! check (`LOG_BUCKET_OWNER`/`OUTPUT_BUCKET_OWNER`, by default the
//! function's own account from its ARN), and summaries are written with SSE-KMS when
//! `OUTPUT_KMS_KEY_ARN` is set.
//!
//! The object is read with a streaming GET and summarized as it arrives (memory is
//! bounded by a few chunks plus the groups, whatever the object's size), and nothing is
//! written before the whole object was read, so a failure leaves no partial output.

use std::sync::Arc;
use std::time::Instant;

use aws_lambda_events::event::s3::batch_job::{S3BatchJobResponse, S3BatchJobResult};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};

use aws_lambda_events::event::cloudwatch_logs::LogData;
use aws_lambda_events::event::firehose::KinesisFirehoseEvent;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use flowpath_core::Ranges;
use flowpath_core::engine::Options;
use flowpath_core::object::{self, InputKind};
use flowpath_core::source::cloudwatch::{self, LogEvent, SubscriptionPayload};
use flowpath_core::source::firehose::{self, RecordData};
use flowpath_core::source::text;
use flowpath_s3::{Access, Destination, ReplaceError, SourceObject};
use serde_json::{Value, json};

use crate::config::{Config, account_of_arn};
use crate::error::HandlerError;
use crate::inventory_source::InventorySource;
use crate::names_source::{self, NamesSource};
use crate::ranges_source::RangesSource;
use crate::trigger::{self, BatchJob, ObjectRef, SqsMessage, Trigger};

/// What happened to one object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// `s3://bucket/key` of the input.
    pub input: String,
    /// `summarized`, `skipped`, or `indexed` (a Resolver query log, `NAME_WINDOW`).
    pub status: &'static str,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Record counts (`read`, `ok`, `nodata`, `skipdata`, `malformed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<flowpath_core::output::Counts>,
    /// Keys written in the output bucket.
    pub outputs: Vec<String>,
}

impl Outcome {
    /// An input summarized into `outputs`.
    fn summarized(
        input: String,
        counts: flowpath_core::output::Counts,
        outputs: Vec<String>,
    ) -> Self {
        Outcome {
            input,
            status: "summarized",
            reason: None,
            counts: Some(counts),
            outputs,
        }
    }

    /// A query log indexed into the names files `outputs`.
    fn indexed(input: String, outputs: Vec<String>) -> Self {
        Outcome {
            input,
            status: "indexed",
            reason: None,
            counts: None,
            outputs,
        }
    }

    /// An input not read, and why.
    fn skipped(input: String, reason: impl Into<String>) -> Self {
        Outcome {
            input,
            status: "skipped",
            reason: Some(reason.into()),
            counts: None,
            outputs: Vec::new(),
        }
    }
}

/// Who must own the buckets of one invocation (configured, or the function's account).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owners {
    /// Expected owner of the log buckets.
    pub logs: Option<String>,
    /// Expected owner of the output bucket.
    pub output: Option<String>,
}

/// The summarizer: configuration, the S3 client, the ranges and the inventory.
pub struct App {
    config: Config,
    client: aws_sdk_s3::Client,
    ranges: RangesSource,
    inventory: InventorySource,
    /// With `NAME_WINDOW`: the names from Resolver query logs.
    names: Option<NamesSource>,
}

impl App {
    /// A new app; the client is built once per cold start.
    pub fn new(config: Config, client: aws_sdk_s3::Client) -> App {
        let ranges = RangesSource::new(config.ranges.clone());
        let inventory = InventorySource::new(config.inventory.clone());
        let names = config
            .name_window
            .map(|w| NamesSource::new(w, config.names_max_rows));
        App {
            config,
            client,
            ranges,
            inventory,
            names,
        }
    }

    /// The owners to expect in an invocation of the function `invoked_function_arn`:
    /// the configured ones, else the function's own account.
    pub fn owners(&self, invoked_function_arn: &str) -> Result<Owners, HandlerError> {
        let own = account_of_arn(invoked_function_arn);
        let pick = |configured: &Option<String>, variable: &str| {
            configured
                .clone()
                .or_else(|| own.map(str::to_owned))
                .ok_or_else(|| {
                    HandlerError::Config(format!(
                        "no account id in the function ARN `{invoked_function_arn}`: set {variable}"
                    ))
                })
        };
        Ok(Owners {
            logs: Some(pick(&self.config.log_bucket_owner, "LOG_BUCKET_OWNER")?),
            output: Some(pick(
                &self.config.output_bucket_owner,
                "OUTPUT_BUCKET_OWNER",
            )?),
        })
    }

    /// Handles one invocation of any supported shape, for the function
    /// `invoked_function_arn` (the Lambda context's; it gives the default bucket owner).
    pub async fn handle(
        &self,
        payload: Value,
        invoked_function_arn: &str,
    ) -> Result<Value, HandlerError> {
        let owners = self.owners(invoked_function_arn)?;
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
                    outcomes.push(self.summarize(object, &owners).await?);
                }
                Ok(json!({ "objects": outcomes }))
            }
            Trigger::Sqs(messages) => Ok(serde_json::to_value(self.sqs(messages, &owners).await)
                .map_err(|e| HandlerError::Internal(e.to_string()))?),
            Trigger::Batch(job) => Ok(serde_json::to_value(self.batch(job, &owners).await)
                .map_err(|e| HandlerError::Internal(e.to_string()))?),
            Trigger::Logs(data) => {
                let outcome = self.logs(*data, &owners).await?;
                Ok(json!({ "objects": [outcome] }))
            }
            Trigger::Firehose(event) => self.firehose(*event, &owners).await,
        }
    }

    /// Summarizes one CloudWatch Logs subscription payload and writes its summaries,
    /// named by the delivery (owner, log group, log stream, first event id): a
    /// redelivered batch overwrites them with the same bytes. A `CONTROL_MESSAGE`
    /// (CloudWatch Logs checking the destination) is acknowledged.
    pub async fn logs(&self, data: LogData, owners: &Owners) -> Result<Outcome, HandlerError> {
        let first_id = data.log_events.first().map_or("", |e| e.id.as_str());
        let input = format!(
            "cloudwatch-logs://{}/{}/{}#{first_id}",
            data.owner, data.log_group, data.log_stream
        );
        let payload = SubscriptionPayload {
            message_type: data.message_type,
            owner: data.owner,
            log_group: data.log_group,
            log_stream: data.log_stream,
            subscription_filters: data.subscription_filters,
            log_events: data
                .log_events
                .into_iter()
                .map(|e| LogEvent {
                    id: e.id,
                    timestamp: e.timestamp,
                    message: e.message,
                })
                .collect(),
        };
        if !payload.is_data() {
            tracing::info!(input = %input, message_type = %payload.message_type, "CloudWatch Logs control message acknowledged");
            return Ok(Outcome::skipped(
                input,
                format!("{}: no log events", payload.message_type),
            ));
        }
        if self.names.is_some()
            && payload.log_events.first().is_some_and(|e| {
                flowpath_core::names::query::is_query_log_line(e.message.as_bytes())
            })
        {
            return self.index_query_log_events(input, payload, owners).await;
        }
        self.summarize_delivery(input, RecordData::Payloads(vec![payload]), owners)
            .await
    }

    /// Indexes the Route 53 Resolver query-log events of a CloudWatch Logs
    /// subscription batch, for the payload's owner, as a query-log object's
    /// ([`Self::index_query_log`]).
    async fn index_query_log_events(
        &self,
        input: String,
        payload: SubscriptionPayload,
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let mut queries = Vec::new();
        let stats = flowpath_core::names::read_events(&input, &payload, &mut 0, false, |q| {
            queries.push(q);
        })
        .map_err(|e| HandlerError::BadQueryLog {
            source: Box::new(e),
        })?;
        for e in &stats.examples {
            tracing::warn!(input = %input, error = %e, "malformed query log event");
        }
        let (lines, malformed) = (stats.lines, stats.malformed);
        self.write_names(input, &payload.owner, &queries, (lines, malformed), owners)
            .await
    }

    /// Summarizes records that reached the function in its event (CloudWatch Logs
    /// payloads, or flow-log lines from Firehose) under the delivery's name `input`,
    /// and writes their summaries, named by `input` alone
    /// ([`flowpath_s3::put_delivered_summaries`]).
    async fn summarize_delivery(
        &self,
        input: String,
        delivery: RecordData,
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let (ranges, opts) = self.reading_rules(owners).await?;
        if let RecordData::Payloads(payloads) = &delivery
            && let Some(first) = payloads.first()
        {
            let group = cloudwatch::log_group_format(&first.log_group, &opts);
            if group.definitions > 1 {
                tracing::warn!(input = %input, log_group = %first.log_group, formats = group.definitions, format = %group.format, "flow logs of several formats deliver to this log group: reading it with FLOW_LOG_FORMAT (or v2); records of another format are counted malformed");
            }
        }
        let region = self.config.region.clone();
        let name = input.clone();
        let ranges_for_task = Arc::clone(&ranges);
        let summary = tokio::task::spawn_blocking(move || match &delivery {
            RecordData::Payloads(payloads) => cloudwatch::summarize_payloads(
                &name,
                payloads,
                region.as_deref(),
                &ranges_for_task,
                &opts,
            ),
            RecordData::Lines(lines) => {
                text::summarize(&name, lines.as_bytes(), &ranges_for_task, &opts)
            }
        })
        .await
        .map_err(|e| HandlerError::Internal(format!("{input}: summarizing task: {e}")))?
        .map_err(|e| HandlerError::BadDelivery {
            input: input.clone(),
            source: Box::new(e),
        })?;
        let counts = summary.stats.counts;
        for m in &summary.stats.malformed_examples {
            tracing::warn!(input = %input, record = m.line, field = m.error.field.map(|f| f.name()), reason = %m.error.kind, format = %summary.format, "malformed record");
        }
        let (_, files) = summary
            .encode(&ranges)
            .map_err(|e| HandlerError::Internal(format!("{input}: encoding the summary: {e}")))?;
        let output_access = self.output_access(owners);
        let destination = Destination {
            bucket: &self.config.output_bucket,
            prefix: &self.config.output_prefix,
            access: &output_access,
        };
        let outputs =
            flowpath_s3::put_delivered_summaries(&self.client, &destination, &input, files)
                .await
                .map_err(|e| match e {
                    // The summaries written stay: the retry overwrites them.
                    ReplaceError::S3 { error, .. } => HandlerError::from(error),
                    bad @ ReplaceError::BadIndex { .. } => HandlerError::Config(bad.to_string()),
                })?;
        tracing::info!(
            input = %input,
            read = counts.read, ok = counts.ok, nodata = counts.nodata, skipdata = counts.skipdata, malformed = counts.malformed,
            outputs = outputs.len(),
            "summarized"
        );
        Ok(Outcome::summarized(input, counts, outputs))
    }

    /// A Firehose data-transformation batch: the records' flow logs are summarized
    /// (CloudWatch Logs payloads and flow-log lines each into their own summaries, named
    /// by the stream and the batch's first record id, so a retried batch overwrites
    /// them), and every record is answered as Firehose expects: `Ok` with its data
    /// unchanged (Firehose goes on delivering the raw records), `Dropped` for a
    /// payload without log events (`CONTROL_MESSAGE`), `ProcessingFailed` for data
    /// that is neither payloads nor flow-log text (Firehose sends it to its error
    /// output). A summary that cannot be written fails the invocation, so Firehose
    /// retries the batch.
    pub async fn firehose(
        &self,
        event: KinesisFirehoseEvent,
        owners: &Owners,
    ) -> Result<Value, HandlerError> {
        let stream = event.delivery_stream_arn.unwrap_or_default();
        let first_id = event
            .records
            .first()
            .and_then(|r| r.record_id.clone())
            .unwrap_or_default();
        let mut payloads = Vec::new();
        let mut lines = String::new();
        let mut answers = Vec::with_capacity(event.records.len());
        for record in event.records {
            let id = record.record_id.unwrap_or_default();
            let data = record.data.0;
            let result = match firehose::read_record(&data) {
                Ok(RecordData::Payloads(p)) if !p.iter().any(|p| p.is_data()) => "Dropped",
                Ok(RecordData::Payloads(p)) => {
                    payloads.extend(p);
                    "Ok"
                }
                Ok(RecordData::Lines(l)) => {
                    lines.push_str(&l);
                    "Ok"
                }
                Err(why) => {
                    tracing::warn!(stream = %stream, record_id = %id, reason = %why, "Firehose record failed");
                    "ProcessingFailed"
                }
            };
            answers.push(json!({
                "recordId": id,
                "result": result,
                "data": BASE64.encode(&data),
            }));
        }
        let mut outcomes = Vec::new();
        if !payloads.is_empty() {
            let input = format!("firehose://{stream}/cloudwatch-logs#{first_id}");
            outcomes.push(
                self.summarize_delivery(input, RecordData::Payloads(payloads), owners)
                    .await?,
            );
        }
        if !lines.is_empty() {
            let input = format!("firehose://{stream}/flow-logs#{first_id}");
            outcomes.push(
                self.summarize_delivery(input, RecordData::Lines(lines), owners)
                    .await?,
            );
        }
        for o in &outcomes {
            tracing::info!(input = %o.input, outputs = o.outputs.len(), "Firehose batch summarized");
        }
        Ok(json!({ "records": answers }))
    }

    async fn sqs(&self, messages: Vec<SqsMessage>, owners: &Owners) -> SqsBatchResponse {
        let mut failures = Vec::new();
        for message in messages {
            let result = match message.objects {
                Err(e) => Err(HandlerError::Event(e)),
                Ok(objects) => {
                    let mut result = Ok(());
                    for object in &objects {
                        if let Err(e) = self.summarize(object, owners).await {
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

    async fn batch(&self, job: BatchJob, owners: &Owners) -> S3BatchJobResponse {
        let mut results = Vec::with_capacity(job.tasks.len());
        for task in job.tasks {
            let (code, text) = match task.object {
                Err(e) => ("PermanentFailure", e),
                Ok(object) => match self.summarize(&object, owners).await {
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

    /// Summarizes one object's current content and replaces its summaries.
    pub async fn summarize(
        &self,
        object: &ObjectRef,
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let input = format!("s3://{}/{}", object.bucket, object.key);
        if !self.config.log_buckets.contains(&object.bucket) {
            tracing::error!(input = %input, bucket = %object.bucket, log_buckets = ?self.config.log_buckets, "refused: the event names a bucket that is not one of LOG_BUCKETS");
            return Err(HandlerError::Refused {
                bucket: object.bucket.clone(),
                key: object.key.clone(),
            });
        }
        if self.names.is_some() && object::is_delivered_query_log(&object.key) {
            return self.index_query_log(object, input, owners).await;
        }
        // A Firehose stream's objects are named alike whatever they carry: query logs
        // are told by their first line.
        if self.names.is_some()
            && object::is_firehose_key(&object.key)
            && self.starts_with_a_query(object, &input, owners).await?
        {
            return self.index_firehose_query_log(object, input, owners).await;
        }
        // Only the keys AWS delivers flow logs under; the ending names the reader.
        let Some(kind) = InputKind::of_delivered_key(&object.key) else {
            tracing::info!(input = %input, "skipped: not a flow-log key (…/vpcflowlogs/….log.gz, .log or .log.parquet)");
            return Ok(Outcome::skipped(input, "not a flow-log key"));
        };
        let started = Instant::now();
        let (ranges, mut opts) = self.reading_rules(owners).await?;
        if let Some(names) = &self.names
            && let Some(account) = object::key_hints(&object.key).account_id
        {
            let index = names
                .index_for(
                    &self.client,
                    &self.config.output_bucket,
                    &self.config.output_prefix,
                    &self.output_access(owners),
                    &account,
                    &object.key,
                )
                .await?;
            opts.names = Some(index);
        }
        let logs = Access::owned_by(owners.logs.as_deref());
        // The current content, whichever version the event names: the summaries are
        // named by key, so only the newest content may be written under that name.
        let (info, reader) =
            flowpath_s3::get_reader(&self.client, &object.bucket, &object.key, None, &logs).await?;
        let transport = reader.transport_failure();
        let name = input.clone();
        let ranges_for_task = Arc::clone(&ranges);
        let result = tokio::task::spawn_blocking(move || {
            object::summarize_stream(&name, kind, reader, &ranges_for_task, &opts)
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
        let (_, files) = summary
            .encode(&ranges)
            .map_err(|e| HandlerError::Internal(format!("{input}: encoding the summary: {e}")))?;
        let etag = info.etag.clone().unwrap_or_default();
        let output_access = self.output_access(owners);
        let destination = Destination {
            bucket: &self.config.output_bucket,
            prefix: &self.config.output_prefix,
            access: &output_access,
        };
        let source = SourceObject {
            bucket: &object.bucket,
            key: &object.key,
            etag: &etag,
        };
        let replaced = flowpath_s3::replace_summaries(&self.client, &destination, &source, files)
            .await
            .map_err(|e| match e {
                // The summaries written stay: the retry overwrites them.
                ReplaceError::S3 { error, .. } => HandlerError::from(error),
                bad @ ReplaceError::BadIndex { .. } => HandlerError::Config(bad.to_string()),
            })?;
        for stale in &replaced.deleted {
            tracing::info!(input = %input, output = %stale, "deleted the summary of a previous version");
        }
        let outputs = replaced.outputs;
        // Overwritten meanwhile? Then what was just written may be the old content.
        if let Some((Some(now), _)) =
            flowpath_s3::head(&self.client, &object.bucket, &object.key, &logs).await?
            && now != etag
        {
            return Err(HandlerError::Changed {
                bucket: object.bucket.clone(),
                key: object.key.clone(),
                read: etag,
                now,
            });
        }
        if counts.read == 0 {
            tracing::info!(input = %input, size = info.size, "empty object: no records, no summaries");
        }
        tracing::info!(
            input = %input,
            etag = %info.etag.as_deref().unwrap_or(""),
            event_version_id = object.version_id.as_deref(),
            read = counts.read, ok = counts.ok, nodata = counts.nodata, skipdata = counts.skipdata, malformed = counts.malformed,
            outputs = outputs.len(),
            ranges_sync_token = ranges.sync_token(),
            millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "summarized"
        );
        if counts.skipdata > 0 {
            tracing::warn!(input = %input, skipdata = counts.skipdata, "SKIPDATA records: AWS lost flow records in these intervals");
        }
        Ok(Outcome::summarized(input, counts, outputs))
    }

    /// The queries of a query-log object (`input` names it), its malformed lines
    /// logged.
    async fn read_query_log(
        &self,
        object: &ObjectRef,
        input: &str,
        owners: &Owners,
    ) -> Result<
        (
            flowpath_core::names::LoadStats,
            Vec<flowpath_core::names::Query>,
        ),
        HandlerError,
    > {
        let logs = Access::owned_by(owners.logs.as_deref());
        let (_, body) =
            flowpath_s3::get_bytes(&self.client, &object.bucket, &object.key, &logs).await?;
        let name = input.to_owned();
        let (stats, queries) = tokio::task::spawn_blocking(move || {
            let mut queries = Vec::new();
            flowpath_core::names::read_queries(&name, body.as_slice(), false, |q| queries.push(q))
                .map(|stats| (stats, queries))
        })
        .await
        .map_err(|e| HandlerError::Internal(format!("{input}: reading task: {e}")))?
        .map_err(|e| HandlerError::BadQueryLog {
            source: Box::new(e),
        })?;
        for e in &stats.examples {
            tracing::warn!(input = %input, error = %e, "malformed query log line");
        }
        Ok((stats, queries))
    }

    /// Reads a Route 53 Resolver query-log object (`input` names it) and writes its
    /// names files ([`names_source`]): one per hour of its queries, named by the object.
    async fn index_query_log(
        &self,
        object: &ObjectRef,
        input: String,
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let Some(account) = object::key_hints(&object.key).account_id else {
            return Ok(Outcome::skipped(input, "no account in the query log's key"));
        };
        let (stats, queries) = self.read_query_log(object, &input, owners).await?;
        self.write_names(
            input,
            &account,
            &queries,
            (stats.lines, stats.malformed),
            owners,
        )
        .await
    }

    /// Whether an object's first line (gunzipped when it is gzip) is a Resolver query
    /// log entry ([`flowpath_core::names::query::is_query_log_line`]). Reads at most
    /// its first 64 KiB; the object is read again, whole, by what handles it.
    async fn starts_with_a_query(
        &self,
        object: &ObjectRef,
        input: &str,
        owners: &Owners,
    ) -> Result<bool, HandlerError> {
        let logs = Access::owned_by(owners.logs.as_deref());
        let (_, reader) =
            flowpath_s3::get_reader(&self.client, &object.bucket, &object.key, None, &logs).await?;
        tokio::task::spawn_blocking(move || {
            use std::io::Read as _;
            let mut head = Vec::with_capacity(1 << 16);
            flowpath_core::decode::decode(reader)
                .and_then(|d| d.take(1 << 16).read_to_end(&mut head))
                .map(|_| {
                    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
                    flowpath_core::names::query::is_query_log_line(first)
                })
        })
        .await
        .map_err(|e| HandlerError::Internal(format!("{input}: reading task: {e}")))?
        .map_err(|e| HandlerError::Internal(format!("{input}: cannot read its first line: {e}")))
    }

    /// Indexes a query log a Firehose stream delivered to S3: its key names no
    /// account, so each query's own `account_id` says whose index it joins.
    async fn index_firehose_query_log(
        &self,
        object: &ObjectRef,
        input: String,
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let (stats, queries) = self.read_query_log(object, &input, owners).await?;
        let mut by_account: std::collections::BTreeMap<String, Vec<flowpath_core::names::Query>> =
            Default::default();
        let mut unowned = 0u64;
        for q in queries {
            match &q.account_id {
                Some(a) => by_account.entry(a.clone()).or_default().push(q),
                None => unowned += 1,
            }
        }
        if unowned > 0 {
            tracing::warn!(input = %input, queries = unowned, "query log lines without account_id: not indexed (no account to index them for)");
        }
        let mut outputs = Vec::new();
        for (account, queries) in &by_account {
            let done = self
                .write_names(
                    input.clone(),
                    account,
                    queries,
                    (stats.lines, stats.malformed),
                    owners,
                )
                .await?;
            outputs.extend(done.outputs);
        }
        Ok(Outcome::indexed(input, outputs))
    }

    /// Writes the names files of one delivery's queries (`input` names it) for
    /// `account`; `(lines, malformed)` are for the log line.
    async fn write_names(
        &self,
        input: String,
        account: &str,
        queries: &[flowpath_core::names::Query],
        (lines, malformed): (u64, u64),
        owners: &Owners,
    ) -> Result<Outcome, HandlerError> {
        let files = names_source::names_files(&self.config.output_prefix, account, &input, queries)
            .map_err(|e| HandlerError::Internal(format!("{input}: encoding its names: {e}")))?;
        let access = self.output_access(owners);
        let mut outputs = Vec::with_capacity(files.len());
        for (key, bytes) in files {
            flowpath_s3::put(
                &self.client,
                &self.config.output_bucket,
                &key,
                bytes,
                &[],
                &access,
            )
            .await?;
            outputs.push(key);
        }
        tracing::info!(input = %input, lines, queries = queries.len(), malformed, outputs = outputs.len(), "indexed a Resolver query log");
        Ok(Outcome::indexed(input, outputs))
    }

    /// The ranges and the options every input of an invocation is read with: the
    /// current ranges and inventory (reloaded when they change), and the format of
    /// records without a header (`FLOW_LOG_FORMAT`).
    async fn reading_rules(&self, owners: &Owners) -> Result<(Arc<Ranges>, Options), HandlerError> {
        let ranges = self
            .ranges
            .get(
                &self.client,
                &self.config_access(self.config.ranges.as_ref(), owners),
            )
            .await?;
        let inventory_access = self.config_access(self.config.inventory.as_ref(), owners);
        let opts = Options {
            format: self.config.flow_log_format.clone(),
            inventory: self.inventory.get(&self.client, &inventory_access).await?,
            tags: self.config.tags.clone(),
            top_talkers: self.config.top_talkers,
            ..Options::default()
        };
        Ok((ranges, opts))
    }

    /// How summaries are written: the output bucket's owner, and the KMS key.
    fn output_access(&self, owners: &Owners) -> Access {
        Access {
            expected_owner: owners.output.clone(),
            kms_key_id: self.config.output_kms_key.clone(),
        }
    }

    /// How to reach a configured object (ranges, inventory): with the output bucket's
    /// owner when it is in the output bucket (as deployed), else with no owner to check.
    fn config_access(&self, uri: Option<&flowpath_s3::S3Uri>, owners: &Owners) -> Access {
        match uri {
            Some(u) if u.bucket == self.config.output_bucket => {
                Access::owned_by(owners.output.as_deref())
            }
            _ => Access::default(),
        }
    }
}
