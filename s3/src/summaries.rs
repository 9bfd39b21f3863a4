//! The summaries of one S3 object in S3: their names, their object metadata, and the
//! per-object index that lets a new version of the object replace them; and the
//! summaries of a delivery that is no S3 object ([`put_delivered_summaries`]). The Lambda and
//! the CLI's S3 backfill both write through [`replace_summaries`], so an object leaves
//! the same keys, bytes, metadata and index whichever of them read it.
//!
//! Invariants:
//! - Names depend on the source's bucket and key only ([`summary_file_name`]), never on
//!   its version: a new version overwrites the old one's summaries.
//! - The index `<prefix>_flowpath/sources/<name stem>.json` lists the keys the last
//!   replacement wrote. It is replaced last, after the new summaries are written and
//!   the stale ones (listed by the old index, not rewritten) deleted, so a failure in
//!   between is redone by a retry and nothing stale survives a successful one.
//! - An index is data, not orders: only keys under the prefix ending with this
//!   source's own file name are ever deleted through it.

use crate::{Access, S3Error, delete, get_bytes, list, put};

/// Where an object's index lives under the output prefix.
pub const SOURCES_DIR: &str = "_flowpath/sources/";

/// The file name of the summaries of `s3://bucket/key`, in every partition they cover.
///
/// It depends on the bucket and key only, never on the version or ETag: a new version
/// of an object overwrites the old version's summaries instead of adding to them, so
/// Athena never sums two versions of one object. The Lambda and the CLI both name
/// outputs with it, so their results for an object coincide.
///
/// ```
/// use flowpath_s3::summary_file_name;
/// let a = summary_file_name("logs", "AWSLogs/1/vpcflowlogs/r/x_1a2b.log.gz");
/// assert!(a.starts_with("x_1a2b-") && a.ends_with(".parquet"), "{a}");
/// assert_ne!(a, summary_file_name("other-logs", "AWSLogs/1/vpcflowlogs/r/x_1a2b.log.gz"));
/// ```
pub fn summary_file_name(bucket: &str, key: &str) -> String {
    flowpath_core::output::layout::output_name(&format!("s3://{bucket}/{key}"))
}

/// The user metadata of every summary object of `source` (`s3://bucket/key`) read at
/// `etag`.
pub fn summary_metadata<'a>(source: &'a str, etag: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("flowpath-source", source),
        ("flowpath-source-etag", etag),
        ("flowpath-version", flowpath_core::VERSION),
    ]
}

/// The index of one source object's summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct SourceIndex {
    /// `s3://bucket/key`.
    source: String,
    /// ETag of the content the outputs hold.
    etag: String,
    /// Keys of the summaries in the output bucket.
    outputs: Vec<String>,
}

/// The object whose summaries are replaced, as it was read.
#[derive(Clone, Copy, Debug)]
pub struct SourceObject<'a> {
    /// Its bucket.
    pub bucket: &'a str,
    /// Its key.
    pub key: &'a str,
    /// The ETag of the content summarized.
    pub etag: &'a str,
}

/// Where summaries go: a bucket, a key prefix (empty or ending with `/`), and how to
/// reach the bucket.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    /// The output bucket.
    pub bucket: &'a str,
    /// The key prefix.
    pub prefix: &'a str,
    /// Expected owner and KMS key of the output bucket.
    pub access: &'a Access,
}

/// What [`replace_summaries`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replaced {
    /// The keys written, one per partition, in the order given.
    pub outputs: Vec<String>,
    /// The keys of the previous content's summaries deleted (not rewritten).
    pub deleted: Vec<String>,
}

/// Why [`replace_summaries`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// An S3 request failed. `written` are the summaries this call had put before: a
    /// caller that wants all or nothing deletes them.
    #[error("{error}")]
    S3 {
        /// The failed request.
        error: S3Error,
        /// The keys written before it failed.
        written: Vec<String>,
    },
    /// The object's existing index is not one: it is left alone, for a human to look at.
    #[error(
        "s3://{bucket}/{index_key}: unreadable index of {source_uri} (delete it and retry): {message}"
    )]
    BadIndex {
        /// The output bucket.
        bucket: String,
        /// The index's key.
        index_key: String,
        /// `s3://bucket/key` of the source object.
        source_uri: String,
        /// What the JSON parser said.
        message: String,
    },
}

impl ReplaceError {
    fn s3(error: S3Error, written: &[String]) -> ReplaceError {
        ReplaceError::S3 {
            error,
            written: written.to_vec(),
        }
    }
}

/// Writes the summaries of `source` (`files`: partition directory and Parquet bytes,
/// each written as `<prefix><dir>/<summary_file_name>` with [`summary_metadata`]),
/// deletes those of its previous content that these do not replace, and records the
/// new set in the object's index (see the module docs).
pub async fn replace_summaries(
    client: &crate::Client,
    to: &Destination<'_>,
    source: &SourceObject<'_>,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Replaced, ReplaceError> {
    let (bucket, prefix, access) = (to.bucket, to.prefix, to.access);
    let source_uri = format!("s3://{}/{}", source.bucket, source.key);
    let file_name = summary_file_name(source.bucket, source.key);
    let stem = file_name.strip_suffix(".parquet").unwrap_or(&file_name);
    let index_key = format!("{prefix}{SOURCES_DIR}{stem}.json");
    // Listed first: without s3:ListBucket on it, a missing index would be a 403.
    let (listed, _) = list(client, bucket, &index_key, None, None, access)
        .await
        .map_err(|e| ReplaceError::s3(e, &[]))?;
    let previous = if listed.iter().any(|o| o.key == index_key) {
        let (_, bytes) = get_bytes(client, bucket, &index_key, access)
            .await
            .map_err(|e| ReplaceError::s3(e, &[]))?;
        serde_json::from_slice::<SourceIndex>(&bytes)
            .map_err(|e| ReplaceError::BadIndex {
                bucket: bucket.to_owned(),
                index_key: index_key.clone(),
                source_uri: source_uri.clone(),
                message: e.to_string(),
            })?
            .outputs
    } else {
        Vec::new()
    };
    let metadata = summary_metadata(&source_uri, source.etag);
    let outputs = put_files(client, to, &file_name, &metadata, files).await?;
    let suffix = format!("/{file_name}");
    let mut deleted = Vec::new();
    for stale in previous
        .into_iter()
        .filter(|k| !outputs.contains(k) && k.starts_with(prefix) && k.ends_with(&suffix))
    {
        delete(client, bucket, &stale, access)
            .await
            .map_err(|e| ReplaceError::s3(e, &outputs))?;
        deleted.push(stale);
    }
    let index = SourceIndex {
        source: source_uri,
        etag: source.etag.to_owned(),
        outputs,
    };
    // A struct of strings always serializes; the fallback is never taken.
    let body = serde_json::to_vec(&index).unwrap_or_default();
    put(client, bucket, &index_key, body, &[], access)
        .await
        .map_err(|e| ReplaceError::s3(e, &index.outputs))?;
    Ok(Replaced {
        outputs: index.outputs,
        deleted,
    })
}

/// Writes the summaries of records that reached flowpath outside an S3 object (a
/// CloudWatch Logs subscription payload), named by `identity` alone: each file goes to
/// `<prefix><dir>/<output_name(identity)>`, with `identity` as its source in the
/// object metadata. The caller makes `identity` a function of the delivery (for
/// CloudWatch Logs: owner, log group, log stream and first event id), so a redelivered
/// batch writes the same keys with the same bytes and never counts twice. No index: a
/// delivery's content never changes. Returns the keys written.
pub async fn put_delivered_summaries(
    client: &crate::Client,
    to: &Destination<'_>,
    identity: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<String>, ReplaceError> {
    let file_name = flowpath_core::output::layout::output_name(identity);
    let metadata = [
        ("flowpath-source", identity),
        ("flowpath-version", flowpath_core::VERSION),
    ];
    put_files(client, to, &file_name, &metadata, files).await
}

/// Puts each file (partition directory, Parquet bytes) at
/// `<prefix><dir>/<file_name>` with `metadata`; returns the keys, in the order given.
/// A failure reports the keys written before it.
async fn put_files(
    client: &crate::Client,
    to: &Destination<'_>,
    file_name: &str,
    metadata: &[(&str, &str)],
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<String>, ReplaceError> {
    let mut outputs = Vec::with_capacity(files.len());
    for (dir, body) in files {
        let key = format!("{}{dir}/{file_name}", to.prefix);
        put(client, to.bucket, &key, body, metadata, to.access)
            .await
            .map_err(|e| ReplaceError::s3(e, &outputs))?;
        outputs.push(key);
    }
    Ok(outputs)
}
