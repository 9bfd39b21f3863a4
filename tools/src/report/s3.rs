//! `report s3://bucket/prefix/`: the summaries where the Lambda (or `summarize --out
//! s3://…`) writes them, read as a local copy would be.
//!
//! The listing walks the partitions with delimiter listings (accounts, then each
//! account's regions, then each region's days) and lists the files of only the days
//! `--from`/`--to` select, so a report of one week in a year of summaries reads one
//! week. Partition names follow the local rules (`read::partition_value`: values
//! percent-decoded, `.…` and `_…` skipped), under the prefix and under its
//! `transit_gateway/` (the transit gateway summaries) and `top_talkers/`; files are downloaded a few at a time
//! and summed by `read::tally_rows`, in key order, so the report equals one of a local
//! copy.

use std::sync::Arc;

use anyhow::{Context, Result};
use flowpath_core::output::read_rows;
use flowpath_s3::{Access, S3Uri};
use tokio::task::JoinSet;

use super::model::Tally;
use super::read::{self, Days, Table};
use crate::cli::S3Args;

/// Downloads in flight at once.
const CONCURRENT_GETS: usize = 16;

/// A summary object and its partition values.
struct SummaryObject {
    key: String,
    table: Table,
    account_id: String,
    region: String,
    day: String,
}

/// The summaries under `uri` whose day `days` contains, read into one tally, and how
/// many files that was.
pub(crate) fn read(uri: &S3Uri, days: &Days, s3: &S3Args) -> Result<(usize, Tally)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the I/O runtime")?;
    runtime.block_on(async {
        let client = s3.client(&uri.to_string()).await?;
        let objects = find(&client, uri, days).await?;
        let count = objects.len();
        let tallies = fetch_and_tally(client, &uri.bucket, objects).await;
        Ok((count, read::merge(tallies)?))
    })
}

/// The partitions' summary objects, in key order.
async fn find(
    client: &flowpath_s3::Client,
    uri: &S3Uri,
    days: &Days,
) -> Result<Vec<SummaryObject>> {
    let access = Access::default();
    let mut prefix = uri.key.clone();
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let bucket = &uri.bucket;
    let subdirs = |under: String, key: &'static str| {
        let client = client.clone();
        let access = access.clone();
        async move {
            let (_, prefixes) =
                flowpath_s3::list(&client, bucket, &under, Some("/"), None, &access)
                    .await
                    .with_context(|| format!("cannot list s3://{bucket}/{under}"))?;
            let mut found: Vec<(String, String)> = prefixes
                .into_iter()
                .filter_map(|p| {
                    let name = p.strip_prefix(&under)?.strip_suffix('/')?;
                    let value = read::partition_value(name, key)?;
                    Some((p.clone(), value))
                })
                .collect();
            found.sort();
            anyhow::Ok(found)
        }
    };
    let mut objects = Vec::new();
    for (table, dir) in Table::ALL {
        let prefix = if dir.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}{dir}/")
        };
        for (account_prefix, account_id) in subdirs(prefix, "account_id").await? {
            for (region_prefix, region) in subdirs(account_prefix, "region").await? {
                for (day_prefix, day) in subdirs(region_prefix, "day").await? {
                    if !days.contains(&day) {
                        continue;
                    }
                    let (listed, _) =
                        flowpath_s3::list(client, bucket, &day_prefix, Some("/"), None, &access)
                            .await
                            .with_context(|| format!("cannot list s3://{bucket}/{day_prefix}"))?;
                    for o in listed {
                        let name = o.key.rsplit('/').next().unwrap_or(&o.key);
                        if read::is_summary_file(name) {
                            objects.push(SummaryObject {
                                key: o.key,
                                table,
                                account_id: account_id.clone(),
                                region: region.clone(),
                                day: day.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(objects)
}

/// Each object downloaded (a few at a time) and tallied, in the objects' order.
async fn fetch_and_tally(
    client: flowpath_s3::Client,
    bucket: &str,
    objects: Vec<SummaryObject>,
) -> Vec<Result<Tally>> {
    let bucket: Arc<str> = Arc::from(bucket);
    let mut results: Vec<Option<Result<Tally>>> = (0..objects.len()).map(|_| None).collect();
    let mut tasks = JoinSet::new();
    let mut pending = objects.into_iter().enumerate();
    loop {
        while tasks.len() < CONCURRENT_GETS {
            let Some((i, object)) = pending.next() else {
                break;
            };
            let (client, bucket) = (client.clone(), Arc::clone(&bucket));
            tasks.spawn(async move {
                let name = format!("s3://{bucket}/{}", object.key);
                let got = flowpath_s3::get_bytes(&client, &bucket, &object.key, &Access::default())
                    .await
                    .with_context(|| format!("cannot read summary {name}"));
                let tally = got.and_then(|(_, bytes)| {
                    let bytes = bytes::Bytes::from(bytes);
                    let what = || format!("cannot read summary {name}");
                    let partition = (&*object.account_id, &*object.region, &*object.day);
                    match object.table {
                        Table::Flows => {
                            read::tally_rows(&name, partition, read_rows(bytes).with_context(what)?)
                        }
                        Table::TransitGateway => read::tally_transit_rows(
                            &name,
                            partition,
                            flowpath_core::transit::read_rows(bytes).with_context(what)?,
                        ),
                        Table::TopTalkers => read::tally_talker_rows(
                            &name,
                            partition,
                            flowpath_core::talkers::read_rows(bytes).with_context(what)?,
                        ),
                    }
                });
                (i, tally)
            });
        }
        match tasks.join_next().await {
            Some(Ok((i, tally))) => results[i] = Some(tally),
            Some(Err(e)) => results.push(Some(Err(anyhow::anyhow!("a download task failed: {e}")))),
            None => break,
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a download task was lost"))))
        .collect()
}
