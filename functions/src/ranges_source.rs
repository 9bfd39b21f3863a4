//! Where the summarizer's AWS ranges come from: the object at `RANGES_S3_URI`, cached
//! across warm invocations and reloaded when its ETag changes; else the snapshot
//! embedded in the binary.

use std::sync::Arc;

use flowpath_core::Ranges;
use flowpath_s3::{Access, S3Uri};
use tokio::sync::Mutex;

use crate::error::HandlerError;

/// Days after which the embedded snapshot is reported as stale.
const STALE_DAYS: i64 = 30;

/// The ranges in use, and where they came from.
pub struct RangesSource {
    uri: Option<S3Uri>,
    cached: Mutex<Option<(Option<String>, Arc<Ranges>)>>,
}

impl RangesSource {
    /// Ranges from `uri`, or the embedded snapshot (loaded now, and logged).
    pub fn new(uri: Option<S3Uri>) -> RangesSource {
        let cached = if uri.is_none() {
            let ranges = Ranges::embedded();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            let age_days = ranges.published_at().map(|p| (now - p) / 86_400);
            if age_days.is_some_and(|d| d > STALE_DAYS) {
                tracing::warn!(
                    create_date = ranges.create_date(),
                    age_days,
                    "embedded AWS ranges are more than 30 days old: set RANGES_S3_URI and deploy flowpath-ranges-refresh"
                );
            } else {
                tracing::info!(
                    create_date = ranges.create_date(),
                    sync_token = ranges.sync_token(),
                    "using the embedded AWS ranges"
                );
            }
            Some((None, Arc::new(ranges)))
        } else {
            None
        };
        RangesSource {
            uri,
            cached: Mutex::new(cached),
        }
    }

    /// The current ranges: one HEAD per call when they come from S3, a GET only when
    /// the object changed; both name `access`'s expected bucket owner.
    pub async fn get(
        &self,
        client: &aws_sdk_s3::Client,
        access: &Access,
    ) -> Result<Arc<Ranges>, HandlerError> {
        let mut cached = self.cached.lock().await;
        let Some(uri) = &self.uri else {
            return cached
                .as_ref()
                .map(|(_, r)| Arc::clone(r))
                .ok_or_else(|| HandlerError::Internal("embedded ranges not loaded".into()));
        };
        let etag = flowpath_s3::head(client, &uri.bucket, &uri.key, access)
            .await?
            .ok_or_else(|| HandlerError::Config(format!("RANGES_S3_URI {uri} does not exist")))?
            .0;
        if let Some((cached_etag, ranges)) = cached.as_ref()
            && cached_etag.is_some()
            && *cached_etag == etag
        {
            return Ok(Arc::clone(ranges));
        }
        let (info, bytes) = flowpath_s3::get_bytes(client, &uri.bucket, &uri.key, access).await?;
        let ranges = Ranges::from_json(&bytes)
            .map_err(|e| HandlerError::Config(format!("RANGES_S3_URI {uri}: {e}")))?;
        tracing::info!(uri = %uri, create_date = ranges.create_date(), sync_token = ranges.sync_token(), "loaded AWS ranges");
        let ranges = Arc::new(ranges);
        *cached = Some((info.etag, Arc::clone(&ranges)));
        Ok(ranges)
    }
}
