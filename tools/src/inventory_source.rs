//! `--inventory`: VPC inventory documents (the AWS CLI's `describe-*` JSON) from
//! local files, local directories (every `*.json` below, in path order) and S3
//! (`s3://bucket/key`, or every `*.json` under `s3://bucket/prefix`), merged into one
//! [`Inventory`].

use std::fs;

use anyhow::{Context, Result, bail};
use flowpath_core::inventory::Inventory;
use md5::{Digest, Md5};

use crate::cli::S3Args;

/// A loaded inventory and a fingerprint of its documents (names and bytes), which
/// done records keep so that a changed inventory summarizes objects again.
pub(crate) struct Loaded {
    pub(crate) inventory: Inventory,
    pub(crate) fingerprint: String,
}

/// Loads every source in order; `None` when there is none.
pub(crate) fn load(sources: &[String], s3: &S3Args) -> Result<Option<Loaded>> {
    if sources.is_empty() {
        return Ok(None);
    }
    let mut documents: Vec<(String, Vec<u8>)> = Vec::new();
    let (local, remote) = crate::inputs::document_sources(
        "--inventory",
        sources,
        &|p| p.extension().is_some_and(|e| e == "json"),
        "*.json files",
    )?;
    for file in local {
        let bytes =
            fs::read(&file).with_context(|| format!("cannot read inventory {}", file.display()))?;
        documents.push((file.display().to_string(), bytes));
    }
    if !remote.is_empty() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the I/O runtime")?;
        runtime.block_on(async {
            let client = s3.client(&remote[0].to_string()).await?;
            for uri in &remote {
                let found = flowpath_s3::get_all(
                    &client,
                    uri,
                    &|k| k.ends_with(".json"),
                    &flowpath_s3::Access::default(),
                )
                .await
                .with_context(|| {
                    format!("cannot read inventory s3://{}/{}", uri.bucket, uri.key)
                })?;
                if found.is_empty() {
                    bail!(
                        "--inventory s3://{}/{}: no such object and no *.json under it",
                        uri.bucket,
                        uri.key
                    );
                }
                documents.extend(found);
            }
            Ok::<_, anyhow::Error>(())
        })?;
    }
    let mut inventory = Inventory::new();
    let mut hash = Md5::new();
    for (name, bytes) in &documents {
        inventory.load(name, bytes)?;
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(bytes);
    }
    let fingerprint = crate::output::hex(&hash.finalize());
    Ok(Some(Loaded {
        inventory,
        fingerprint,
    }))
}
