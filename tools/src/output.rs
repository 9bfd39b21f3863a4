//! Where summaries go, a local directory or `s3://bucket/prefix`, and the "done"
//! records that make S3 backfills resumable.
//!
//! The summaries of an S3 object are written to an S3 output through
//! [`flowpath_s3::replace_summaries`], as the Lambda writes them: the same names (by
//! bucket and key, so a new version of an object replaces its summaries; under
//! `<prefix><partition dir>/`), the same object metadata and the same per-object index
//! (`_flowpath/sources/`), so the CLI and the Lambda write the same objects for the
//! same input. After all the outputs of an S3 object are written, a small JSON
//! record goes to `_flowpath/done/<md5 of "s3://bucket/key#etag">.json` under the
//! output: its source, ETag, output keys and counts. A later run skips an object whose
//! record exists for the same ETag and the same AWS ranges (syncToken), and adds the
//! recorded counts to its report, so a run resumed after an interruption reports the
//! same totals and leaves the same outputs as one that was never interrupted. An
//! object with no records has no outputs but a record all the same.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use flowpath_core::output::Counts;
use flowpath_s3::{Access, Destination, ReplaceError, S3Error, S3ErrorKind, S3Uri, SourceObject};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::fsutil::write_atomic;

/// Where the done records live, under the output.
pub(crate) const DONE_DIR: &str = "_flowpath/done/";

/// The output of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// A local directory.
    Local(PathBuf),
    /// A bucket and a key prefix (empty or ending with `/`).
    S3 { bucket: String, prefix: String },
}

/// The record of an S3 object whose outputs are all written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoneRecord {
    /// `s3://bucket/key`.
    pub(crate) source: String,
    /// The ETag of the object that was read.
    pub(crate) etag: String,
    /// Its version id, when the bucket is versioned.
    pub(crate) version_id: Option<String>,
    /// Where its summaries are (paths or `s3://` URIs), possibly none.
    pub(crate) outputs: Vec<String>,
    /// Its record counts.
    pub(crate) counts: CountsRecord,
    /// The syncToken of the AWS ranges its records were attributed with.
    pub(crate) ranges_sync_token: String,
    /// The fingerprint of the VPC inventory used, if any.
    #[serde(default)]
    pub(crate) inventory: Option<String>,
    /// The fingerprint of the Resolver query logs (and name window) used, if any.
    #[serde(default)]
    pub(crate) resolver_logs: Option<String>,
    /// The tag keys its summaries have columns for (`--tag`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tag_keys: Vec<String>,
    /// The flowpath version that wrote it.
    pub(crate) flowpath_version: String,
}

/// [`Counts`], readable back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CountsRecord {
    pub(crate) read: u64,
    pub(crate) ok: u64,
    pub(crate) nodata: u64,
    pub(crate) skipdata: u64,
    pub(crate) malformed: u64,
}

impl From<Counts> for CountsRecord {
    fn from(c: Counts) -> Self {
        CountsRecord {
            read: c.read,
            ok: c.ok,
            nodata: c.nodata,
            skipdata: c.skipdata,
            malformed: c.malformed,
        }
    }
}

impl From<CountsRecord> for Counts {
    fn from(c: CountsRecord) -> Self {
        Counts {
            read: c.read,
            ok: c.ok,
            nodata: c.nodata,
            skipdata: c.skipdata,
            malformed: c.malformed,
        }
    }
}

/// The file name of the done record of `source` (`s3://bucket/key`) at `etag`.
pub(crate) fn done_name(source: &str, etag: &str) -> String {
    let digest = Md5::digest(format!("{source}#{etag}").as_bytes());
    format!("{}.json", hex(&digest))
}

/// Bytes as lower-case hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the summary file `path` of `input` atomically, unless a compacted file of its
/// partition holds its rows already: then writes nothing and returns that file's name.
fn write_unless_compacted(path: &Path, bytes: &[u8], input: &str) -> Result<Option<String>> {
    if let (Some(part), Some(name)) = (path.parent(), path.file_name())
        && let Some(compacted) =
            crate::compact::compacted_holding(part, &name.to_string_lossy(), input)?
    {
        return Ok(Some(compacted));
    }
    write_atomic(path, |w| Ok(w.write_all(bytes)?))?;
    Ok(None)
}

/// Files given as (partition directory, bytes), as `<partition dir>/<file_name>`, bytes.
pub(crate) fn named_files(
    files: Vec<(String, Vec<u8>)>,
    file_name: &str,
) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|(dir, body)| (format!("{dir}/{file_name}"), body))
        .collect()
}

/// What [`Output::write_files`] did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Where the files went.
    pub(crate) files: Vec<String>,
    /// Files not written, because a compacted file of their partition holds their
    /// rows already: `path (in compacted-….parquet)`.
    pub(crate) in_compacted: Vec<String>,
}

impl Output {
    /// A directory, or `s3://bucket/prefix` (a `/` is added to a prefix without one).
    pub(crate) fn parse(text: &str) -> Result<Output> {
        if S3Uri::is_s3(text) {
            let uri = S3Uri::parse(text)?;
            let mut prefix = uri.key.trim_start_matches('/').to_owned();
            if !prefix.is_empty() && !prefix.ends_with('/') {
                prefix.push('/');
            }
            Ok(Output::S3 {
                bucket: uri.bucket,
                prefix,
            })
        } else {
            Ok(Output::Local(PathBuf::from(text)))
        }
    }

    /// As the report shows it.
    pub(crate) fn display(&self) -> String {
        match self {
            Output::Local(dir) => dir.display().to_string(),
            Output::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        }
    }

    /// Creates the directory (local output) and removes the temporary files of runs
    /// that died ([`crate::fsutil::remove_stale_temporaries`]); returns those. An S3
    /// output has none: each object is one PUT, which lands whole or not at all.
    pub(crate) fn prepare(&self) -> Result<Vec<PathBuf>> {
        match self {
            Output::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create output directory {}", dir.display()))?;
                crate::fsutil::remove_stale_temporaries(dir)
            }
            Output::S3 { .. } => Ok(Vec::new()),
        }
    }

    /// Writes the summary files of `input` (`rel`, bytes), each atomically; when one
    /// fails, the ones already written are removed, so an input leaves all its outputs
    /// or none. A local file whose rows a `compact`ed file of its partition already
    /// holds is not written ([`crate::compact::compacted_holding`]): beside it, they
    /// would count twice. Returns where files went, and which were not written.
    pub(crate) async fn write_files(
        &self,
        client: Option<&flowpath_s3::Client>,
        input: &str,
        files: Vec<(String, Vec<u8>)>,
        metadata: &[(&str, &str)],
    ) -> Result<Written> {
        match self {
            Output::Local(dir) => {
                let dir = dir.clone();
                let input = input.to_owned();
                tokio::task::spawn_blocking(move || {
                    let mut written: Vec<PathBuf> = Vec::with_capacity(files.len());
                    let mut in_compacted = Vec::new();
                    for (rel, bytes) in files {
                        let path = dir.join(&rel);
                        match write_unless_compacted(&path, &bytes, &input) {
                            Ok(None) => written.push(path),
                            Ok(Some(compacted)) => {
                                in_compacted.push(format!("{} (in {compacted})", path.display()));
                            }
                            Err(err) => {
                                for done in &written {
                                    let _ignored = std::fs::remove_file(done);
                                }
                                return Err(err);
                            }
                        }
                    }
                    Ok(Written {
                        files: written.iter().map(|p| p.display().to_string()).collect(),
                        in_compacted,
                    })
                })
                .await
                .map_err(|e| anyhow!("writing task: {e}"))?
            }
            Output::S3 { bucket, prefix } => {
                let client = client.ok_or_else(|| anyhow!("no S3 client"))?;
                let mut written: Vec<String> = Vec::with_capacity(files.len());
                for (rel, bytes) in files {
                    let key = format!("{prefix}{rel}");
                    if let Err(err) =
                        flowpath_s3::put(client, bucket, &key, bytes, metadata, &Access::default())
                            .await
                    {
                        for done in &written {
                            let _ignored =
                                flowpath_s3::delete(client, bucket, done, &Access::default()).await;
                        }
                        return Err(err.into());
                    }
                    written.push(key);
                }
                Ok(Written {
                    files: written
                        .iter()
                        .map(|k| format!("s3://{bucket}/{k}"))
                        .collect(),
                    in_compacted: Vec::new(),
                })
            }
        }
    }

    /// Writes the summaries of the S3 object `s3://bucket/key` read at `etag` (`files`:
    /// partition directory, bytes), named by bucket and key. To S3, through
    /// [`flowpath_s3::replace_summaries`] (also the object's index, and the deletion of
    /// its previous version's stale summaries); when a write fails, the summaries
    /// already written are removed, as [`Output::write_files`] does.
    pub(crate) async fn write_summaries_of(
        &self,
        client: &flowpath_s3::Client,
        bucket: &str,
        key: &str,
        etag: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Written> {
        let Output::S3 {
            bucket: out_bucket,
            prefix,
        } = self
        else {
            let source = format!("s3://{bucket}/{key}");
            let files = named_files(files, &flowpath_s3::summary_file_name(bucket, key));
            return self.write_files(Some(client), &source, files, &[]).await;
        };
        let access = Access::default();
        let to = Destination {
            bucket: out_bucket,
            prefix,
            access: &access,
        };
        let source = SourceObject { bucket, key, etag };
        match flowpath_s3::replace_summaries(client, &to, &source, files).await {
            Ok(replaced) => Ok(Written {
                files: replaced
                    .outputs
                    .iter()
                    .map(|k| format!("s3://{out_bucket}/{k}"))
                    .collect(),
                in_compacted: Vec::new(),
            }),
            Err(ReplaceError::S3 { error, written }) => {
                for done in &written {
                    let _ignored = flowpath_s3::delete(client, out_bucket, done, &access).await;
                }
                Err(error.into())
            }
            Err(bad @ ReplaceError::BadIndex { .. }) => Err(bad.into()),
        }
    }

    /// The names of the done records present when the run starts.
    pub(crate) async fn done_names(
        &self,
        client: Option<&flowpath_s3::Client>,
    ) -> Result<HashSet<String>> {
        match self {
            Output::Local(dir) => {
                let dir = dir.join(DONE_DIR);
                let entries = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot list {}", dir.display()));
                    }
                };
                let mut names = HashSet::new();
                for entry in entries {
                    let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
                    names.insert(entry.file_name().to_string_lossy().into_owned());
                }
                Ok(names)
            }
            Output::S3 { bucket, prefix } => {
                let client = client.ok_or_else(|| anyhow!("no S3 client"))?;
                let done = format!("{prefix}{DONE_DIR}");
                let (objects, _) =
                    flowpath_s3::list(client, bucket, &done, None, None, &Access::default())
                        .await?;
                Ok(objects
                    .into_iter()
                    .filter_map(|o| o.key.strip_prefix(&done).map(str::to_owned))
                    .collect())
            }
        }
    }

    /// Reads a done record; `None` when it is missing or unreadable (then the object
    /// is summarized again, which overwrites its outputs with the same bytes).
    pub(crate) async fn read_done(
        &self,
        client: Option<&flowpath_s3::Client>,
        name: &str,
    ) -> Result<Option<DoneRecord>, S3Error> {
        let bytes = match self {
            Output::Local(dir) => match std::fs::read(dir.join(DONE_DIR).join(name)) {
                Ok(bytes) => bytes,
                Err(_) => return Ok(None),
            },
            Output::S3 { bucket, prefix } => {
                let Some(client) = client else {
                    return Ok(None);
                };
                let key = format!("{prefix}{DONE_DIR}{name}");
                match flowpath_s3::get_bytes(client, bucket, &key, &Access::default()).await {
                    Ok((_, bytes)) => bytes,
                    Err(e) if e.kind == S3ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
        };
        Ok(serde_json::from_slice(&bytes).ok())
    }

    /// Writes a done record, after the outputs it names.
    pub(crate) async fn write_done(
        &self,
        client: Option<&flowpath_s3::Client>,
        name: &str,
        record: &DoneRecord,
    ) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(record)?;
        bytes.push(b'\n');
        let rel = format!("{DONE_DIR}{name}");
        self.write_files(client, name, vec![(rel, bytes)], &[])
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs() {
        assert_eq!(
            Output::parse("s3://b/summaries").unwrap(),
            Output::S3 {
                bucket: "b".into(),
                prefix: "summaries/".into()
            }
        );
        assert_eq!(
            Output::parse("s3://b").unwrap(),
            Output::S3 {
                bucket: "b".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            Output::parse("out").unwrap(),
            Output::Local(PathBuf::from("out"))
        );
        let n = done_name("s3://b/k.log.gz", "abc");
        assert_eq!(n.len(), 32 + 5);
        assert_ne!(n, done_name("s3://b/k.log.gz", "abd"));
    }
}
