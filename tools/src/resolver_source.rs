//! `--resolver-logs`: Route 53 Resolver query logs (JSON lines, gzip or plain) from
//! local files, local directories (every `*.log`, `*.gz`, `*.json`, `*.jsonl` below,
//! and every file named as Firehose names its objects, in path order) and S3
//! (`s3://bucket/key`, or every key under `s3://bucket/prefix` that
//! [`flowpath_core::object::is_query_log_key`] accepts: AWS's `*.log.gz`, and a
//! Firehose stream's objects), read one at a time into one
//! [`flowpath_core::names::NameIndex`]: only the index is held, never the logs.

use std::fs::File;
use std::io::Read;

use anyhow::{Context, Result, bail};
use flowpath_core::names::{LoadStats, NameIndex, NameIndexBuilder, Query};
use flowpath_core::object;
use md5::{Digest, Md5};
use serde::Serialize;

use crate::cli::S3Args;

/// The index, what reading it found, and a fingerprint of the logs (names and bytes)
/// and window, which done records keep so that other logs summarize objects again.
pub(crate) struct Loaded {
    pub(crate) index: NameIndex,
    pub(crate) info: NamesInfo,
    pub(crate) fingerprint: String,
}

/// For the run report.
#[derive(Debug, Serialize)]
pub(crate) struct NamesInfo {
    /// Query log files or objects read.
    pub(crate) inputs: usize,
    /// Lines read.
    pub(crate) lines: u64,
    /// Queries whose answers held addresses.
    pub(crate) queries: u64,
    /// Distinct names.
    pub(crate) names: usize,
    /// Lines that were not query log entries.
    pub(crate) malformed: u64,
    /// The first of them: file, line, field, why.
    pub(crate) examples: Vec<String>,
    /// The window, seconds.
    pub(crate) window_seconds: i64,
}

/// Loads every source in order; `None` when there is none.
pub(crate) fn load(
    sources: &[String],
    window_seconds: i64,
    strict: bool,
    s3: &S3Args,
) -> Result<Option<Loaded>> {
    if sources.is_empty() {
        return Ok(None);
    }
    let mut builder = NameIndexBuilder::new();
    let mut stats = LoadStats::default();
    let mut hash = Md5::new();
    hash.update(window_seconds.to_le_bytes());
    let mut inputs = 0usize;
    let mut add = |name: &str, reader: &mut (dyn Read + Send)| -> Result<()> {
        hash.update(name.as_bytes());
        hash.update([0]);
        let hashing = Hashing {
            inner: reader,
            hash: &mut hash,
        };
        stats.merge(builder.add_reader(name, hashing, strict)?);
        inputs += 1;
        Ok(())
    };
    read_sources(sources, s3, &mut add)?;
    let index = builder.finish(window_seconds);
    let info = NamesInfo {
        inputs,
        lines: stats.lines,
        queries: stats.queries,
        names: index.names(),
        malformed: stats.malformed,
        examples: stats.examples.iter().map(ToString::to_string).collect(),
        window_seconds,
    };
    Ok(Some(Loaded {
        index,
        info,
        fingerprint: crate::output::hex(&hash.finalize()),
    }))
}

/// Hands every query log of `sources` to `each`, one at a time, in order: local files
/// and directories, then S3 objects.
fn read_sources(
    sources: &[String],
    s3: &S3Args,
    each: &mut dyn FnMut(&str, &mut (dyn Read + Send)) -> Result<()>,
) -> Result<()> {
    let (local, remote) = crate::inputs::document_sources(
        "--resolver-logs",
        sources,
        &|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            !name.starts_with('.')
                && ([".log", ".gz", ".json", ".jsonl"]
                    .iter()
                    .any(|s| name.ends_with(s))
                    || object::is_firehose_key(&name))
        },
        "*.log, *.gz, *.json or *.jsonl files, or objects Firehose delivered",
    )?;
    for file in local {
        let name = file.display().to_string();
        let mut f = File::open(&file).with_context(|| format!("cannot read {name}"))?;
        each(&name, &mut f)?;
    }
    if !remote.is_empty() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the I/O runtime")?;
        runtime.block_on(async {
            let client = s3.client(&remote[0].to_string()).await?;
            let access = flowpath_s3::Access::default();
            for uri in &remote {
                let found =
                    flowpath_s3::list_documents(&client, uri, &object::is_query_log_key, &access)
                        .await
                        .with_context(|| format!("cannot list --resolver-logs {uri}"))?;
                if found.is_empty() {
                    bail!(
                        "--resolver-logs {uri}: no such object, and no query log under it \
                         (*.log.gz or *.log as AWS delivers them, or objects Firehose delivered)"
                    );
                }
                // One object at a time: only the index grows.
                for o in found {
                    let (_, bytes) =
                        flowpath_s3::get_bytes(&client, &uri.bucket, &o.key, &access).await?;
                    each(
                        &format!("s3://{}/{}", uri.bucket, o.key),
                        &mut bytes.as_slice(),
                    )?;
                }
            }
            Ok::<_, anyhow::Error>(())
        })?;
    }
    Ok(())
}

/// The queries of every source, for `explain` (which lists them; summarizing keeps
/// only the index, [`load`]).
pub(crate) fn load_queries(sources: &[String], s3: &S3Args) -> Result<Vec<Query>> {
    let mut queries = Vec::new();
    read_sources(sources, s3, &mut |name, reader| {
        flowpath_core::names::read_queries(name, reader, false, |q| queries.push(q))?;
        Ok(())
    })?;
    Ok(queries)
}

/// A reader that hashes what it reads: the fingerprint costs no second pass.
struct Hashing<'a> {
    inner: &'a mut (dyn Read + Send),
    hash: &'a mut Md5,
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}
