//! The names flow records get in the Lambda (`NAME_WINDOW`), from Route 53 Resolver
//! query logs delivered to a log bucket.
//!
//! - A query-log object (`…/vpcdnsquerylogs/…`,
//!   [`flowpath_core::object::is_delivered_query_log`]) is read when it arrives and
//!   written back as names files
//!   ([`flowpath_core::names::store`]): one per hour of its queries, under
//!   `OUTPUT_PREFIX/_flowpath/names/account_id=<account>/hour=<YYYY-MM-DDTHH>/`, named by
//!   the object ([`flowpath_s3::names_key`]), so a redelivery overwrites them. That is
//!   the index the Lambda keeps in S3, refreshed as query logs arrive.
//! - Query logs delivered through a CloudWatch Logs subscription (the Resolver's log
//!   group subscribed to the function, `NAME_WINDOW` set) are told from flow-log events
//!   by their first event (a JSON object with a `query_name`) and written back the
//!   same way, for the payload's `owner`, named by the batch (owner, log group, log
//!   stream, first event id).
//! - A flow-log object reads the names files of its account (from its key) for the
//!   hours its flows can need: from the window plus an hour before the time AWS wrote
//!   into its name ([`delivery_time`]; the invocation's time when the name has none) to
//!   that hour. Files are cached across warm invocations by key and ETag; one LIST per
//!   hour checks them.
//!
//! Memory stays bounded: at most `NAMES_MAX_ROWS` answers are read for one flow log,
//! the newest hours first; past the cap the older hours are left out (logged), which
//! can only leave names null or fall back to the VPC's, never invent one. The cache
//! holds the compressed files of the hours in use only.
//!
//! A flow log summarized before the query log of its minutes arrives gets no name from
//! it (S3 delivers both about every five minutes, in no set order); summarizing the flow
//! log again (S3 Batch Operations, or `flowpath summarize --resolver-logs`) adds it.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use flowpath_core::names::{NameIndex, NameIndexBuilder, Query};
use flowpath_core::object::delivery_time;
use flowpath_s3::{Access, names_hour_prefix, names_key};
use tokio::sync::Mutex;

use crate::error::HandlerError;

/// The names files of one delivery of query logs (`source`: the object's
/// `s3://bucket/key`, or a subscription batch's name): (key, Parquet bytes) per hour.
pub fn names_files(
    prefix: &str,
    account: &str,
    source: &str,
    queries: &[Query],
) -> Result<Vec<(String, Vec<u8>)>, flowpath_core::error::Error> {
    let mut by_hour: std::collections::BTreeMap<i64, Vec<Query>> = Default::default();
    for q in queries {
        by_hour
            .entry(q.time.div_euclid(3600))
            .or_default()
            .push(q.clone());
    }
    let mut files = Vec::with_capacity(by_hour.len());
    for (hour, queries) in by_hour {
        let mut bytes = Vec::new();
        flowpath_core::names::store::write_queries(&mut bytes, &queries)?;
        files.push((names_key(prefix, account, hour * 3600, source), bytes));
    }
    Ok(files)
}

/// The names files read for flow logs, cached by key and ETag.
pub struct NamesSource {
    window: i64,
    max_rows: usize,
    cached: Mutex<HashMap<String, (Option<String>, Bytes)>>,
}

impl NamesSource {
    /// Names from query logs within `window` seconds before a flow, from at most
    /// `max_rows` answers per flow log.
    pub fn new(window: i64, max_rows: usize) -> NamesSource {
        NamesSource {
            window,
            max_rows,
            cached: Mutex::new(HashMap::new()),
        }
    }

    /// The index for a flow log of `account` whose key says it was delivered at
    /// `delivered` (Unix seconds): the names files under `bucket`/`prefix` of the hours
    /// its flows can need.
    pub async fn index_for(
        &self,
        client: &aws_sdk_s3::Client,
        bucket: &str,
        prefix: &str,
        access: &Access,
        account: &str,
        flow_key: &str,
    ) -> Result<Arc<NameIndex>, HandlerError> {
        let delivered = delivery_time(flow_key).unwrap_or_else(now);
        let first = (delivered - self.window - 3600).div_euclid(3600);
        let last = delivered.div_euclid(3600);
        let mut cached = self.cached.lock().await;
        let mut used = HashMap::new();
        let mut builder = NameIndexBuilder::new();
        let mut rows = 0u64;
        // Newest hours first: past the cap, the oldest are the ones left out.
        'hours: for hour in (first..=last).rev() {
            let under = names_hour_prefix(prefix, account, hour * 3600);
            let (objects, _) =
                flowpath_s3::list(client, bucket, &under, None, None, access).await?;
            for o in objects {
                let bytes = match cached.remove(&o.key) {
                    Some((etag, bytes)) if etag.is_some() && etag == o.etag => bytes,
                    _ => Bytes::from(
                        flowpath_s3::get_bytes(client, bucket, &o.key, access)
                            .await?
                            .1,
                    ),
                };
                let name = format!("s3://{bucket}/{}", o.key);
                rows += flowpath_core::names::store::read_into(&name, bytes.clone(), &mut builder)
                    .map_err(|e| HandlerError::Config(e.to_string()))?;
                used.insert(o.key, (o.etag, bytes));
                if rows >= self.max_rows as u64 {
                    tracing::warn!(account = %account, rows, max = self.max_rows, oldest_hour_read = %under, "NAMES_MAX_ROWS reached: older hours of query logs left out of this flow log's names");
                    break 'hours;
                }
            }
        }
        // Only the hours in use stay cached.
        *cached = used;
        Ok(Arc::new(builder.finish(self.window)))
    }
}

/// The invocation's time, Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
