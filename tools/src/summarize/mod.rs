//! `flowpath summarize`: every input through the core, each partition of each input
//! written atomically, locally or to S3; then one report.
//!
//! This module owns the scheduling; its parts own the rest: `input` (one input
//! summarized and encoded on a blocking thread), `fetch` (an S3 object downloaded
//! whole, with retries), `progress` (the bar), `report` (totals, failures, warnings).
//! The rules shared with the Lambda are not here: which keys are flow logs and how
//! each kind is read are [`flowpath_core::object`]'s, and an S3 object's names,
//! metadata and index are [`flowpath_s3::replace_summaries`]'s (see `output`).
//!
//! Inputs are local files (or standard input) and S3 objects listed from
//! `s3://bucket/prefix` (see `s3list`), text (plain or gzip) or AWS's Parquet format
//! (local input by its first bytes, S3 objects by their key, as the Lambda routes
//! them). A tokio runtime owned by this command does the
//! I/O: listing runs ahead of the work, and up to `--concurrency` inputs are in flight
//! at once, each downloaded whole (with retries; a memory budget bounds the bytes held)
//! and then summarized on a blocking thread, where the core spreads the chunks of the
//! input over the rayon pool; at most one input more than there are worker threads is
//! summarized at once, which bounds memory whatever `--concurrency` is. So downloads
//! overlap the CPU work, and one slow object holds one slot, not the run.
//!
//! An input that fails (unreadable, missing, access denied, bad gzip, bad header, a
//! malformed line under `--strict`) writes nothing: its summary is complete in memory
//! before the first file is written, and files it already wrote are removed if a later
//! write fails. The others go on; failures are named in the report, and the exit code
//! is 1. S3 objects are skipped when the output records them as done (see `output`).

mod fetch;
mod input;
mod progress;
mod report;

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use flowpath_core::Ranges;
use flowpath_core::engine::{Options, Stats};
use flowpath_core::format::Format;
use flowpath_core::inventory::TagKeys;
use flowpath_core::object::{self, InputKind};
use flowpath_core::output::layout::output_name;
use flowpath_s3::{Access, S3Uri};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::cli::SummarizeArgs;
use crate::fsutil::load_ranges;
use crate::inputs::{self, Input};
use crate::output::{DoneRecord, Output, Written, done_name, named_files};
use crate::s3list::{self, Found};
use crate::select::Selection;
use fetch::get_with_retries;
use input::{Encoded, encode, summarize_local};
use progress::Progress;
use report::{InventoryInfo, Report};

/// Bytes of downloaded objects held in memory at once, at most (one bigger object is
/// read alone).
const MEMORY_BUDGET_KIB: usize = 1024 * 1024;
/// Inputs listed ahead of the work.
const QUEUE: usize = 4096;

/// One input to read.
#[derive(Debug)]
enum Job {
    Local(Input),
    S3 {
        bucket: String,
        key: String,
        etag: Option<String>,
        size: u64,
    },
}

impl Job {
    fn name(&self) -> String {
        match self {
            Job::Local(input) => input.name(),
            Job::S3 { bucket, key, .. } => format!("s3://{bucket}/{key}"),
        }
    }
}

/// What a listing or the work produced, for the report.
enum Item {
    Job(Job),
    ListFailed(String, anyhow::Error),
}

struct Outcome {
    input: String,
    result: Result<Done>,
}

struct Done {
    stats: Stats,
    unknown_fields: Vec<String>,
    written: Vec<String>,
    /// Files not written: a compacted file of their partition holds their rows.
    in_compacted: Vec<String>,
    /// Counts the input's format lacks, written as null.
    lacking: Vec<String>,
    /// Skipped: the output records it as done; `stats.counts` come from the record.
    skipped: Option<usize>,
    /// Input bytes read in this run.
    bytes: u64,
    /// Read as a Parquet flow log.
    parquet: bool,
    /// The format records were read in, when the input had no header line.
    headerless_format: Option<String>,
}

/// Everything the workers share.
struct Ctx {
    ranges: Arc<Ranges>,
    opts: Options,
    /// The Resolver query logs' fingerprint, kept in done records.
    names: Option<String>,
    /// The inventory's fingerprint, kept in done records.
    inventory: Option<String>,
    out: Output,
    client: Option<flowpath_s3::Client>,
    done: HashSet<String>,
    force: bool,
    budget: Arc<Semaphore>,
    /// Inputs being summarized (the CPU phase) at once: the worker threads plus one,
    /// whatever `--concurrency` lets download. More would only hold more summaries in
    /// memory at once, not go faster.
    summarizing: Arc<Semaphore>,
    progress: Progress,
}

pub(crate) fn run(args: &SummarizeArgs) -> Result<ExitCode> {
    let (ranges, ranges_source) = load_ranges(args.ranges.ranges.as_deref())?;
    let format = args
        .format
        .as_deref()
        .map(Format::parse)
        .transpose()
        .context("bad --format")?;
    if let Some(threads) = args.threads {
        if threads == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let tags = TagKeys::new(&args.tags).context("bad --tag")?;
    if !tags.is_empty() && args.inventory.is_empty() {
        bail!(
            "--tag needs --inventory: tags are read from the describe-* JSON              (TagSet, Tags, and aws ec2 describe-instances)"
        );
    }
    let inventory = crate::inventory_source::load(&args.inventory, &args.s3)?;
    let (names_index, names_info, names_fingerprint) = match crate::resolver_source::load(
        &args.resolver_logs,
        args.name_window,
        args.strict,
        &args.s3,
    )? {
        Some(l) => (Some(Arc::new(l.index)), Some(l.info), Some(l.fingerprint)),
        None => (None, None, None),
    };
    let inventory_info = inventory.as_ref().map(|l| InventoryInfo {
        documents: l.inventory.documents().to_vec(),
        network_interfaces: l.inventory.enis().len(),
        vpc_endpoints: l.inventory.endpoints().len(),
        nat_gateways: l.inventory.nat_gateways().len(),
        fingerprint: l.fingerprint.clone(),
    });
    let selection = Selection::new(&args.select)?;
    let out = Output::parse(&args.out)?;
    let mut local_args = Vec::new();
    let mut s3_inputs = Vec::new();
    for arg in &args.inputs {
        if S3Uri::is_s3(arg) {
            s3_inputs.push(S3Uri::parse(arg)?);
        } else {
            local_args.push(PathBuf::from(arg));
        }
    }
    let keep = |path: &Path| selection.key_ok(&path.to_string_lossy());
    let locals = inputs::expand(&local_args, &keep)?;
    if locals.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        bail!("`-` (standard input) can be given only once");
    }
    let stale_removed = out.prepare()?;

    let opts = Options {
        format,
        strict: args.strict,
        inventory: inventory.map(|l| Arc::new(l.inventory)),
        names: names_index,
        tags,
        top_talkers: args.top_talkers,
        ..Options::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("flowpath-io")
        .enable_all()
        .build()
        .context("cannot start the I/O runtime")?;
    let started = Instant::now();
    let sync_token = ranges.sync_token().to_owned();
    let ranges = Arc::new(ranges);
    let outcomes = runtime.block_on(async {
        let client = match (s3_inputs.first(), &out) {
            (Some(uri), _) => Some(args.s3.client(&uri.to_string()).await?),
            (None, Output::S3 { bucket, prefix }) => {
                Some(args.s3.client(&format!("s3://{bucket}/{prefix}")).await?)
            }
            (None, Output::Local(_)) => None,
        };
        let done = if s3_inputs.is_empty() || args.force {
            HashSet::new()
        } else {
            out.done_names(client.as_ref())
                .await
                .context("cannot list the done records of the output")?
        };
        let ctx = Arc::new(Ctx {
            ranges: Arc::clone(&ranges),
            opts,
            inventory: inventory_info.as_ref().map(|i| i.fingerprint.clone()),
            names: names_fingerprint,
            out: out.clone(),
            client,
            done,
            force: args.force,
            budget: Arc::new(Semaphore::new(MEMORY_BUDGET_KIB)),
            summarizing: Arc::new(Semaphore::new(rayon::current_num_threads() + 1)),
            progress: Progress::new(args.json),
        });
        let result = work(
            &ctx,
            locals,
            s3_inputs,
            selection,
            args.concurrency,
            &sync_token,
        )
        .await;
        ctx.progress.finish();
        Ok::<_, anyhow::Error>(result)
    })?;
    // Blocking threads may still be winding down; nothing is left to wait for.
    runtime.shutdown_timeout(Duration::from_secs(1));

    let mut report = Report::new(
        &outcomes,
        &ranges,
        &ranges_source,
        &out,
        started.elapsed(),
        args,
    );
    report.inventory = inventory_info;
    report.resolver_logs = names_info;
    report.stale_temporaries_removed = stale_removed
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut stdout = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &report).map_err(io::Error::from)?;
        writeln!(stdout)?;
    } else {
        report.write_text(&mut stdout)?;
    }
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Lists and works through every input; outcomes in input order.
async fn work(
    ctx: &Arc<Ctx>,
    locals: Vec<Input>,
    s3_inputs: Vec<S3Uri>,
    selection: Selection,
    concurrency: usize,
    sync_token: &str,
) -> Vec<Outcome> {
    let (tx, mut rx) = mpsc::channel::<Item>(QUEUE);
    let lister = {
        let client = ctx.client.clone();
        tokio::spawn(async move { produce(tx, locals, s3_inputs, client, selection).await })
    };
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut tasks: JoinSet<(usize, Outcome)> = JoinSet::new();
    let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut index = 0usize;
    while let Some(item) = rx.recv().await {
        let job = match item {
            Item::ListFailed(input, err) => {
                outcomes.push((
                    index,
                    Outcome {
                        input,
                        result: Err(err),
                    },
                ));
                index += 1;
                continue;
            }
            Item::Job(job) => job,
        };
        // Overlapping S3 inputs list some objects twice: read each once.
        if let Job::S3 { bucket, key, .. } = &job
            && !seen.insert((bucket.clone(), key.clone()))
        {
            continue;
        }
        let size = match &job {
            Job::S3 { size, .. } => *size,
            Job::Local(Input::File(path)) => std::fs::metadata(path).map_or(0, |m| m.len()),
            Job::Local(Input::Stdin) => 0,
        };
        ctx.progress.listed(size);
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let ctx = Arc::clone(ctx);
        let token = sync_token.to_owned();
        let at = index;
        index += 1;
        tasks.spawn(async move {
            let input = job.name();
            let result = process(&ctx, job, &token).await;
            drop(slot);
            ctx.progress.finished(size, &result);
            (at, Outcome { input, result })
        });
        while let Some(joined) = tasks.try_join_next() {
            collect(joined, &mut outcomes);
        }
    }
    while let Some(joined) = tasks.join_next().await {
        collect(joined, &mut outcomes);
    }
    if let Err(e) = lister.await {
        outcomes.push((
            index,
            Outcome {
                input: "listing".to_owned(),
                result: Err(anyhow!("listing task failed: {e}")),
            },
        ));
    }
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, o)| o).collect()
}

fn collect(
    joined: Result<(usize, Outcome), tokio::task::JoinError>,
    outcomes: &mut Vec<(usize, Outcome)>,
) {
    match joined {
        Ok(pair) => outcomes.push(pair),
        // A panic in a worker: reported, never silent.
        Err(e) => outcomes.push((
            usize::MAX,
            Outcome {
                input: "worker".to_owned(),
                result: Err(anyhow!("a worker failed: {e}")),
            },
        )),
    }
}

/// Sends the local inputs, then what each S3 input lists.
async fn produce(
    tx: mpsc::Sender<Item>,
    locals: Vec<Input>,
    s3_inputs: Vec<S3Uri>,
    client: Option<flowpath_s3::Client>,
    selection: Selection,
) {
    for input in locals {
        if tx.send(Item::Job(Job::Local(input))).await.is_err() {
            return;
        }
    }
    let Some(client) = client else { return };
    for uri in s3_inputs {
        let (found_tx, mut found_rx) = mpsc::channel::<Found>(1000);
        let listing = {
            let client = client.clone();
            let uri = uri.clone();
            let selection = selection.clone();
            tokio::spawn(async move { s3list::list(&client, &uri, &selection, &found_tx).await })
        };
        while let Some(Found { bucket, object }) = found_rx.recv().await {
            let item = Item::Job(Job::S3 {
                bucket,
                key: object.key,
                etag: object.etag,
                size: u64::try_from(object.size).unwrap_or(0),
            });
            if tx.send(item).await.is_err() {
                return;
            }
        }
        let failure = match listing.await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(anyhow::Error::new(e)),
            Err(e) => Some(anyhow!("listing task failed: {e}")),
        };
        if let Some(err) = failure
            && tx
                .send(Item::ListFailed(uri.to_string(), err))
                .await
                .is_err()
        {
            return;
        }
    }
}

async fn process(ctx: &Ctx, job: Job, sync_token: &str) -> Result<Done> {
    match job {
        Job::Local(input) => process_local(ctx, input).await,
        Job::S3 {
            bucket,
            key,
            etag,
            size,
        } => process_s3(ctx, &bucket, &key, etag, size, sync_token).await,
    }
}

async fn process_local(ctx: &Ctx, input: Input) -> Result<Done> {
    let name = input.name();
    let file_name = output_name(&input.identity());
    let ranges = Arc::clone(&ctx.ranges);
    let opts = ctx.opts.clone();
    let cpu = Arc::clone(&ctx.summarizing)
        .acquire_owned()
        .await
        .map_err(|e| anyhow!("summarizing slots: {e}"))?;
    let (bytes, encoded) =
        tokio::task::spawn_blocking(move || summarize_local(&input, &ranges, &opts))
            .await
            .map_err(|e| anyhow!("summarizing task: {e}"))??;
    drop(cpu);
    let files = named_files(encoded.files, &file_name);
    let written = ctx
        .out
        .write_files(ctx.client.as_ref(), &name, files, &[])
        .await
        .map_err(|e| e.context(format!("{name}: cannot write its summary")))?;
    Ok(Done {
        stats: encoded.stats,
        unknown_fields: encoded.unknown_fields,
        written: written.files,
        in_compacted: written.in_compacted,
        lacking: encoded.lacking,
        skipped: None,
        bytes,
        parquet: encoded.parquet,
        headerless_format: encoded.headerless_format,
    })
}

async fn process_s3(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    listed_etag: Option<String>,
    size: u64,
    sync_token: &str,
) -> Result<Done> {
    let source = format!("s3://{bucket}/{key}");
    // By the key's ending, as the Lambda routes it; a `.gz` object named on the
    // command line is read as text, as a local `.gz` file is.
    let kind = InputKind::of_key(key).unwrap_or(InputKind::Text);
    let client = ctx
        .client
        .as_ref()
        .ok_or_else(|| anyhow!("{source}: no S3 client"))?;
    // Listings from S3 carry ETags; some S3-compatible stores leave them out, and
    // then a HEAD tells, only when there are done records to compare with.
    let etag = match listed_etag {
        Some(etag) => Some(etag),
        None if !ctx.force && !ctx.done.is_empty() => {
            flowpath_s3::head(client, bucket, key, &Access::default())
                .await?
                .and_then(|(etag, _)| etag)
        }
        None => None,
    };
    if !ctx.force
        && let Some(etag) = &etag
    {
        let name = done_name(&source, etag);
        if ctx.done.contains(&name)
            && let Some(record) = ctx.out.read_done(Some(client), &name).await?
            && record.etag == *etag
            && record.ranges_sync_token == sync_token
            && record.inventory == ctx.inventory
            && record.resolver_logs == ctx.names
            && record
                .tag_keys
                .iter()
                .map(String::as_str)
                .eq(ctx.opts.tags.keys())
        {
            let outputs = record.outputs.len();
            return Ok(Done {
                stats: Stats {
                    counts: record.counts.into(),
                    ..Stats::default()
                },
                unknown_fields: Vec::new(),
                written: Vec::new(),
                in_compacted: Vec::new(),
                lacking: Vec::new(),
                skipped: Some(outputs),
                bytes: 0,
                parquet: kind == InputKind::Parquet,
                headerless_format: None,
            });
        }
    }
    let kib = usize::try_from(size / 1024 + 1)
        .unwrap_or(usize::MAX)
        .min(MEMORY_BUDGET_KIB);
    let _budget = Arc::clone(&ctx.budget)
        .acquire_many_owned(u32::try_from(kib).unwrap_or(u32::MAX))
        .await
        .map_err(|e| anyhow!("memory budget: {e}"))?;
    let (info, body) = get_with_retries(client, bucket, key).await?;
    let bytes = body.len() as u64;
    let etag = info.etag.clone().unwrap_or_default();
    let ranges = Arc::clone(&ctx.ranges);
    let opts = ctx.opts.clone();
    let name = source.clone();
    let cpu = Arc::clone(&ctx.summarizing)
        .acquire_owned()
        .await
        .map_err(|e| anyhow!("summarizing slots: {e}"))?;
    let encoded = tokio::task::spawn_blocking(move || -> Result<Encoded> {
        let summary = object::summarize_bytes(&name, kind, body.into(), &ranges, &opts)?;
        encode(&name, summary, &ranges, kind)
    })
    .await
    .map_err(|e| anyhow!("{source}: summarizing task: {e}"))??;
    drop(cpu);
    let Encoded {
        stats,
        unknown_fields,
        files,
        parquet,
        lacking,
        headerless_format,
    } = encoded;
    let Written {
        files: written,
        in_compacted,
    } = ctx
        .out
        .write_summaries_of(client, bucket, key, &etag, files)
        .await
        .map_err(|e| e.context(format!("{source}: cannot write its summary")))?;
    let record = DoneRecord {
        source: source.clone(),
        etag: etag.clone(),
        version_id: info.version_id.clone(),
        outputs: written.clone(),
        counts: stats.counts.into(),
        ranges_sync_token: sync_token.to_owned(),
        inventory: ctx.inventory.clone(),
        resolver_logs: ctx.names.clone(),
        tag_keys: ctx.opts.tags.keys().map(str::to_owned).collect(),
        flowpath_version: flowpath_core::VERSION.to_owned(),
    };
    ctx.out
        .write_done(Some(client), &done_name(&source, &etag), &record)
        .await
        .map_err(|e| e.context(format!("{source}: cannot record it as done")))?;
    Ok(Done {
        stats,
        unknown_fields,
        written,
        in_compacted,
        lacking,
        skipped: None,
        bytes,
        parquet,
        headerless_format,
    })
}
