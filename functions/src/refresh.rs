//! `flowpath-ranges-refresh`: keeps `RANGES_S3_URI` current from AWS's
//! `AmazonIpSpaceChanged` SNS notifications.
//!
//! For each notification: read its `synctoken`, `md5` and `url`; skip it when the
//! stored file's syncToken (kept in the object's metadata) is already as new or newer
//! (notifications can arrive out of order); else download the file, check its MD5 and
//! that it is a valid ip-ranges.json whose syncToken is the notification's, and write it
//! with its syncToken and createDate as metadata.

use flowpath_core::Ranges;
use flowpath_s3::{Access, S3Uri};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::HandlerError;

/// The message AWS publishes on `AmazonIpSpaceChanged`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct IpSpaceChanged {
    /// Publication time, as AWS writes it.
    #[serde(rename = "create-time")]
    pub create_time: String,
    /// The new file's syncToken.
    pub synctoken: String,
    /// Hex MD5 of the new file.
    pub md5: String,
    /// Where to download it.
    pub url: String,
}

/// Reads the configuration (`RANGES_S3_URI`).
pub fn target_from_env() -> Result<S3Uri, String> {
    let uri = std::env::var("RANGES_S3_URI").map_err(|_| {
        "RANGES_S3_URI is not set: name the s3://bucket/key to keep current".to_owned()
    })?;
    S3Uri::parse(&uri).map_err(|e| format!("RANGES_S3_URI: {e}"))
}

/// Handles one SNS invocation.
pub async fn handle(
    client: &aws_sdk_s3::Client,
    target: &S3Uri,
    payload: Value,
) -> Result<Value, HandlerError> {
    let records = payload
        .get("Records")
        .and_then(Value::as_array)
        .ok_or_else(|| HandlerError::Event("not an SNS event".into()))?;
    let mut results = Vec::new();
    for record in records {
        let message = record
            .pointer("/Sns/Message")
            .and_then(Value::as_str)
            .ok_or_else(|| HandlerError::Event("SNS record without a Message".into()))?;
        let note: IpSpaceChanged = serde_json::from_str(message).map_err(|e| {
            HandlerError::Event(format!("not an AmazonIpSpaceChanged message: {e}"))
        })?;
        results.push(refresh(client, target, &note).await?);
    }
    Ok(json!({ "results": results }))
}

fn token(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

async fn refresh(
    client: &aws_sdk_s3::Client,
    target: &S3Uri,
    note: &IpSpaceChanged,
) -> Result<Value, HandlerError> {
    let incoming = token(&note.synctoken).ok_or_else(|| {
        HandlerError::Event(format!("synctoken `{}` is not a number", note.synctoken))
    })?;
    let current = flowpath_s3::head(client, &target.bucket, &target.key, &Access::default())
        .await?
        .and_then(|(_, meta)| meta.get("synctoken").and_then(|t| token(t)));
    if current.is_some_and(|c| c >= incoming) {
        tracing::info!(
            incoming,
            current,
            "ignored: the stored ip-ranges.json is as new or newer"
        );
        return Ok(json!({"status": "ignored", "synctoken": note.synctoken, "current": current}));
    }
    let url = note.url.clone();
    let body = tokio::task::spawn_blocking(move || download(&url))
        .await
        .map_err(|e| HandlerError::Internal(e.to_string()))??;
    let digest = format!("{:x}", Md5::digest(&body));
    if !digest.eq_ignore_ascii_case(note.md5.trim()) {
        return Err(HandlerError::Download {
            url: note.url.clone(),
            message: format!("MD5 is {digest}, the notification says {}", note.md5),
        });
    }
    let ranges =
        Ranges::from_json(&body).map_err(|e| HandlerError::Config(format!("{}: {e}", note.url)))?;
    if token(ranges.sync_token()) != Some(incoming) {
        return Err(HandlerError::Config(format!(
            "{} has syncToken {}, the notification says {}",
            note.url,
            ranges.sync_token(),
            note.synctoken
        )));
    }
    flowpath_s3::put(
        client,
        &target.bucket,
        &target.key,
        body,
        &[
            ("synctoken", ranges.sync_token()),
            ("createdate", ranges.create_date()),
        ],
        &Access::default(),
    )
    .await?;
    tracing::info!(uri = %target, sync_token = ranges.sync_token(), create_date = ranges.create_date(), "stored new AWS ranges");
    Ok(
        json!({"status": "stored", "synctoken": ranges.sync_token(), "create_date": ranges.create_date()}),
    )
}

/// Downloads the file (a few MB); HTTP and network errors are retryable.
fn download(url: &str) -> Result<Vec<u8>, HandlerError> {
    let failed = |e: ureq::Error| HandlerError::Download {
        url: url.to_owned(),
        message: format!("download failed: {e}"),
    };
    let mut response = ureq::get(url).call().map_err(failed)?;
    response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
        .map_err(failed)
}
