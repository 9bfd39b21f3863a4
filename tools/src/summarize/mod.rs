//! `flowpath summarize`: every input through the core pipeline, each partition of each
//! input written atomically, locally or to S3; then one report.
//!
//! Inputs are local files (or standard input) and S3 objects listed from
//! `s3://bucket/prefix` (see `s3list`), text (plain or gzip) or AWS's Parquet format
//! (local input by its first bytes, S3 objects by the `.log.parquet` ending, as the
//! Lambda routes them). A tokio runtime owned by this command does the
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

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use flowpath_core::Ranges;
use flowpath_core::flowlog_parquet::{is_parquet, summarize_parquet};
use flowpath_core::format::{Field, Format};
use flowpath_core::layout::output_name;
use flowpath_core::pipeline::{self, Options, Stats};
use flowpath_core::summary::Counts;
use flowpath_s3::{ObjectInfo, S3Error, S3ErrorKind, S3Uri};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::cli::{S3Args, SummarizeArgs};
use crate::fsutil::load_ranges;
use crate::inputs::{self, Input};
use crate::output::{DoneRecord, Output, Written, done_name};
use crate::s3list::{self, Found};
use crate::select::Selection;

/// How many malformed-line examples the report lists across all inputs.
const REPORT_EXAMPLES: usize = 20;
/// Ranges older than this relative to the newest record get a warning.
const STALE_AFTER: i64 = 30 * 86_400;
/// Bytes of downloaded objects held in memory at once, at most (one bigger object is
/// read alone).
const MEMORY_BUDGET_KIB: usize = 1024 * 1024;
/// Whole-download attempts when the body breaks off after the SDK's own retries of
/// the request (which do not cover a body cut mid-stream).
const BODY_ATTEMPTS: u32 = 4;
/// Inputs listed ahead of the work.
const QUEUE: usize = 4096;

/// Builds the S3 client of a command from its flags.
pub(crate) async fn s3_client(args: &S3Args) -> aws_sdk_s3::Client {
    flowpath_s3::client_with(&flowpath_s3::ClientOptions {
        force_path_style: args.path_style,
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: Some(args.max_attempts.max(1)),
    })
    .await
}

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
}

/// Everything the workers share.
struct Ctx {
    ranges: Arc<Ranges>,
    opts: Options,
    /// The inventory's fingerprint, kept in done records.
    inventory: Option<String>,
    out: Output,
    client: Option<aws_sdk_s3::Client>,
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
    let inventory = crate::inventory_source::load(&args.inventory, &args.s3)?;
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
        let client = if s3_inputs.is_empty() && !out.is_s3() {
            None
        } else {
            Some(s3_client(&args.s3).await)
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
        ctx.progress.bar.finish_and_clear();
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
    client: Option<aws_sdk_s3::Client>,
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

/// The summary of one input, encoded: counts, unknown fields, the Parquet files
/// (`<partition dir>/<file_name>`, bytes), and whether the input was Parquet.
struct Encoded {
    stats: Stats,
    unknown_fields: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    parquet: bool,
    /// Counts the format lacks (`packets`, `bytes`): written as null.
    lacking: Vec<String>,
}

fn encode(
    name: &str,
    summary: pipeline::Summary,
    ranges: &Ranges,
    file_name: &str,
    parquet: bool,
) -> Result<Encoded> {
    let stats = summary.stats.clone();
    let unknown_fields = summary.format.unknown_names().map(str::to_owned).collect();
    let lacking = [Field::Packets, Field::Bytes]
        .into_iter()
        .filter(|f| !summary.format.has(*f))
        .map(|f| f.name().to_owned())
        .collect();
    let (_, encoded) = summary
        .encode(ranges)
        .with_context(|| format!("{name}: cannot encode its summary"))?;
    let files = encoded
        .into_iter()
        .map(|(dir, body)| (format!("{dir}/{file_name}"), body))
        .collect();
    Ok(Encoded {
        stats,
        unknown_fields,
        files,
        parquet,
        lacking,
    })
}

/// Summarizes a local file or standard input, text or Parquet (from the content:
/// Parquet starts with `PAR1`); returns the bytes read.
fn summarize_local(
    input: &Input,
    ranges: &Ranges,
    opts: &Options,
    file_name: &str,
) -> Result<(u64, Encoded)> {
    let name = input.name();
    match input {
        Input::Stdin => summarize_stream(&name, io::stdin(), ranges, opts, file_name),
        Input::File(path) => {
            let mut file =
                std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
            let meta = file
                .metadata()
                .with_context(|| format!("{name}: cannot read"))?;
            if !meta.is_file() {
                // A FIFO, `<(...)` or device named on the command line: read once, in
                // order, as standard input is.
                return summarize_stream(&name, file, ranges, opts, file_name);
            }
            let len = meta.len();
            let magic = read_magic(&mut file).with_context(|| format!("{name}: cannot read"))?;
            file.seek(io::SeekFrom::Start(0))
                .with_context(|| format!("{name}: cannot read"))?;
            let parquet = is_parquet(&magic);
            let summary = if parquet {
                summarize_parquet(&name, file, ranges, opts)?
            } else {
                pipeline::summarize(&name, file, ranges, opts)?
            };
            Ok((len, encode(&name, summary, ranges, file_name, parquet)?))
        }
    }
}

/// Summarizes an input that can be read only once, in order (standard input, a FIFO):
/// text streams through; Parquet, which needs random access, is read whole.
fn summarize_stream(
    name: &str,
    mut reader: impl Read + Send,
    ranges: &Ranges,
    opts: &Options,
    file_name: &str,
) -> Result<(u64, Encoded)> {
    let magic = read_magic(&mut reader).with_context(|| format!("{name}: cannot read"))?;
    if is_parquet(&magic) {
        let mut body = magic;
        reader
            .read_to_end(&mut body)
            .with_context(|| format!("{name}: cannot read"))?;
        let len = body.len() as u64;
        let summary = summarize_parquet(name, bytes::Bytes::from(body), ranges, opts)?;
        Ok((len, encode(name, summary, ranges, file_name, true)?))
    } else {
        let reader = CountingReader::new(io::Cursor::new(magic).chain(reader));
        let read = Arc::clone(&reader.count);
        let summary = pipeline::summarize(name, reader, ranges, opts)?;
        let encoded = encode(name, summary, ranges, file_name, false)?;
        Ok((read.load(Ordering::Relaxed), encoded))
    }
}

/// Up to the first four bytes of a reader (fewer at its end).
fn read_magic(reader: &mut impl io::Read) -> io::Result<Vec<u8>> {
    let mut magic = Vec::with_capacity(4);
    reader.take(4).read_to_end(&mut magic)?;
    Ok(magic)
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
        tokio::task::spawn_blocking(move || summarize_local(&input, &ranges, &opts, &file_name))
            .await
            .map_err(|e| anyhow!("summarizing task: {e}"))??;
    drop(cpu);
    let written = ctx
        .out
        .write_files(ctx.client.as_ref(), &name, encoded.files, &[])
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
    let client = ctx
        .client
        .as_ref()
        .ok_or_else(|| anyhow!("{source}: no S3 client"))?;
    // Listings from S3 carry ETags; some S3-compatible stores leave them out, and
    // then a HEAD tells, only when there are done records to compare with.
    let etag = match listed_etag {
        Some(etag) => Some(etag),
        None if !ctx.force && !ctx.done.is_empty() => flowpath_s3::head(client, bucket, key)
            .await?
            .and_then(|(etag, _)| etag),
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
                parquet: key.ends_with(".log.parquet"),
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
    // Named exactly as the Lambda names it: by bucket and key, so a new version
    // overwrites the old one's summaries.
    let file_name = flowpath_s3::summary_file_name(bucket, key);
    let ranges = Arc::clone(&ctx.ranges);
    let opts = ctx.opts.clone();
    let name = source.clone();
    // Routed by the key's ending, as the Lambda routes it.
    let parquet = key.ends_with(".log.parquet");
    let cpu = Arc::clone(&ctx.summarizing)
        .acquire_owned()
        .await
        .map_err(|e| anyhow!("summarizing slots: {e}"))?;
    let encoded = tokio::task::spawn_blocking(move || -> Result<Encoded> {
        let summary = if parquet {
            summarize_parquet(&name, bytes::Bytes::from(body), &ranges, &opts)?
        } else {
            pipeline::summarize(&name, body.as_slice(), &ranges, &opts)?
        };
        encode(&name, summary, &ranges, &file_name, parquet)
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
    } = encoded;
    let Written {
        files: written,
        in_compacted,
    } = ctx
        .out
        .write_files(
            Some(client),
            &source,
            files,
            &[
                ("flowpath-source", &source),
                ("flowpath-source-etag", &etag),
                ("flowpath-version", flowpath_core::VERSION),
            ],
        )
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
    })
}

/// GETs a whole object; a body cut off mid-stream (which the SDK does not retry) is
/// fetched again, with backoff.
async fn get_with_retries(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<(ObjectInfo, Vec<u8>), S3Error> {
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        match flowpath_s3::get_bytes(client, bucket, key).await {
            Ok(got) => return Ok(got),
            Err(e) if e.is_retryable() && attempt < BODY_ATTEMPTS => {
                let jitter = Duration::from_millis(u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_millis())
                        % 100,
                ));
                tokio::time::sleep(delay + jitter).await;
                delay = (delay * 2).min(Duration::from_secs(8));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<R: io::Read> io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The progress bar: bytes done of bytes listed (so the ETA weighs objects by size),
/// objects done of objects listed, records per second.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    listed: AtomicU64,
    done: AtomicU64,
    records: AtomicU64,
    listed_bytes: AtomicU64,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}, ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            started: Instant::now(),
            listed: AtomicU64::new(0),
            done: AtomicU64::new(0),
            records: AtomicU64::new(0),
            listed_bytes: AtomicU64::new(0),
        }
    }

    fn listed(&self, bytes: u64) {
        self.listed.fetch_add(1, Ordering::Relaxed);
        let total = self.listed_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.bar.set_length(total);
        self.message();
    }

    fn finished(&self, bytes: u64, result: &Result<Done>) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.bar.inc(bytes);
        if let Ok(done) = result
            && done.skipped.is_none()
        {
            self.records
                .fetch_add(done.stats.counts.read, Ordering::Relaxed);
        }
        self.message();
    }

    fn message(&self) {
        let records = self.records.load(Ordering::Relaxed);
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!(
            "{}/{} objects, {records} records ({:.0}/s)",
            self.done.load(Ordering::Relaxed),
            self.listed.load(Ordering::Relaxed),
            records as f64 / seconds
        ));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[derive(Serialize)]
struct Report {
    flowpath_version: &'static str,
    ranges: RangesInfo,
    /// The VPC inventory, when `--inventory` was given.
    inventory: Option<InventoryInfo>,
    inputs: usize,
    inputs_failed: usize,
    counts: Counts,
    output_dir: String,
    files_written: Vec<String>,
    elapsed_seconds: f64,
    records_per_second: f64,
    malformed_examples: Vec<Example>,
    skipdata_inputs: Vec<String>,
    unknown_fields: Vec<String>,
    aws_labels: LabelReport,
    failures: Vec<Failure>,
    /// Inputs summarized in this run.
    summarized: usize,
    /// S3 objects skipped because the output records them as done for the same ETag
    /// and ranges; their counts are in `counts`.
    skipped_done: usize,
    /// Summary files those skipped objects have (written by an earlier run).
    skipped_done_files: usize,
    /// Input bytes read in this run (compressed, as stored).
    bytes_read: u64,
    /// Inputs in AWS's Parquet format (`*.log.parquet`), done or skipped.
    parquet_inputs: usize,
    /// S3 settings of the run.
    s3: S3Settings,
    /// Temporary files and directories of runs that died, removed from the output at
    /// the start.
    stale_temporaries_removed: Vec<String>,
    /// Summary files not written because a compacted file of their partition holds
    /// their rows already (written beside it, they would count twice).
    already_compacted: Vec<String>,
    /// Inputs whose format lacks `packets` or `bytes` (`input: packets, bytes`):
    /// those columns are null in their summaries.
    lacking_counts: Vec<String>,
}

#[derive(Serialize)]
struct S3Settings {
    concurrency: usize,
    max_attempts: u32,
    endpoint_url: Option<String>,
    path_style: bool,
}

#[derive(Serialize)]
struct InventoryInfo {
    documents: Vec<String>,
    network_interfaces: usize,
    vpc_endpoints: usize,
    nat_gateways: usize,
    fingerprint: String,
}

#[derive(Serialize)]
struct RangesInfo {
    source: String,
    create_date: String,
    sync_token: String,
    stale_warning: Option<String>,
}

#[derive(Serialize)]
struct Example {
    input: String,
    line: u64,
    field: Option<String>,
    reason: String,
    text: String,
}

#[derive(Serialize, Default)]
struct LabelReport {
    agree: u64,
    disagree: u64,
    top_disagreements: Vec<Disagreement>,
}

#[derive(Serialize)]
struct Disagreement {
    aws: String,
    flowpath: String,
    count: u64,
}

#[derive(Serialize)]
struct Failure {
    input: String,
    /// `not_found`, `access_denied`, `throttled`, `transport`, `s3`, `bad_input`,
    /// `write` or `other`.
    kind: &'static str,
    error: String,
}

/// The class of a failure, from the errors in its chain.
fn failure_kind(err: &anyhow::Error) -> &'static str {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<S3Error>() {
            return match e.kind {
                S3ErrorKind::NotFound => "not_found",
                S3ErrorKind::AccessDenied => "access_denied",
                S3ErrorKind::Throttled => "throttled",
                S3ErrorKind::Transport => "transport",
                S3ErrorKind::Other if e.op == "PutObject" => "write",
                S3ErrorKind::Other => "s3",
            };
        }
        if cause.downcast_ref::<flowpath_core::Error>().is_some() {
            return "bad_input";
        }
    }
    if format!("{err:#}").contains("cannot write") {
        "write"
    } else {
        "other"
    }
}

impl Report {
    fn new(
        outcomes: &[Outcome],
        ranges: &Ranges,
        source: &str,
        out: &Output,
        elapsed: Duration,
        args: &SummarizeArgs,
    ) -> Report {
        let mut counts = Counts::default();
        let mut examples = Vec::new();
        let mut skipdata_inputs = Vec::new();
        let mut unknown = BTreeSet::new();
        let mut labels = LabelReport::default();
        let mut disagreements: Vec<(String, String, u64)> = Vec::new();
        let mut files_written = Vec::new();
        let mut already_compacted = Vec::new();
        let mut lacking_counts = Vec::new();
        let mut failures = Vec::new();
        let mut max_start: Option<i64> = None;
        let (mut summarized, mut skipped_done, mut skipped_done_files) = (0, 0, 0);
        let (mut bytes_read, mut read_this_run) = (0u64, 0u64);
        let mut parquet_inputs = 0;
        for outcome in outcomes {
            let done = match &outcome.result {
                Ok(done) => done,
                Err(err) => {
                    failures.push(Failure {
                        input: outcome.input.clone(),
                        kind: failure_kind(err),
                        error: format!("{err:#}"),
                    });
                    continue;
                }
            };
            let c = done.stats.counts;
            counts.read += c.read;
            counts.ok += c.ok;
            counts.nodata += c.nodata;
            counts.skipdata += c.skipdata;
            counts.malformed += c.malformed;
            match done.skipped {
                Some(files) => {
                    skipped_done += 1;
                    skipped_done_files += files;
                }
                None => {
                    summarized += 1;
                    read_this_run += c.read;
                }
            }
            bytes_read += done.bytes;
            parquet_inputs += usize::from(done.parquet);
            if c.skipdata > 0 {
                skipdata_inputs.push(outcome.input.clone());
            }
            max_start = max_start.max(done.stats.max_start);
            for m in &done.stats.malformed_examples {
                if examples.len() < REPORT_EXAMPLES {
                    examples.push(Example {
                        input: outcome.input.clone(),
                        line: m.line,
                        field: m.error.field.map(|f| f.name().to_owned()),
                        reason: m.error.kind.to_string(),
                        text: m.text.clone(),
                    });
                }
            }
            unknown.extend(done.unknown_fields.iter().cloned());
            labels.agree += done.stats.aws_labels.agree;
            labels.disagree += done.stats.aws_labels.disagree;
            for (aws, ours, n) in &done.stats.aws_labels.disagreements {
                match disagreements
                    .iter_mut()
                    .find(|(a, o, _)| a == aws && o == ours)
                {
                    Some(d) => d.2 += n,
                    None => disagreements.push((aws.clone(), ours.clone(), *n)),
                }
            }
            files_written.extend(done.written.iter().cloned());
            already_compacted.extend(done.in_compacted.iter().cloned());
            if !done.lacking.is_empty() {
                lacking_counts.push(format!("{}: {}", outcome.input, done.lacking.join(", ")));
            }
        }
        disagreements.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        labels.top_disagreements = disagreements
            .into_iter()
            .take(10)
            .map(|(aws, flowpath, count)| Disagreement {
                aws,
                flowpath,
                count,
            })
            .collect();
        files_written.sort();
        let stale_warning = match (ranges.published_at(), max_start) {
            (Some(published), Some(newest)) if newest - published > STALE_AFTER => Some(format!(
                "the AWS ranges (createDate {}) are {} days older than the newest record: \
                 run `flowpath ranges update --out FILE` and pass --ranges FILE",
                ranges.create_date(),
                (newest - published) / 86_400
            )),
            _ => None,
        };
        let seconds = elapsed.as_secs_f64();
        let output_dir = match out {
            Output::Local(dir) => dir.display().to_string(),
            Output::S3 { .. } => out.display(),
        };
        Report {
            flowpath_version: flowpath_core::VERSION,
            ranges: RangesInfo {
                source: source.to_owned(),
                create_date: ranges.create_date().to_owned(),
                sync_token: ranges.sync_token().to_owned(),
                stale_warning,
            },
            inventory: None,
            inputs: outcomes.len(),
            inputs_failed: failures.len(),
            counts,
            output_dir,
            files_written,
            elapsed_seconds: seconds,
            records_per_second: if seconds > 0.0 {
                read_this_run as f64 / seconds
            } else {
                0.0
            },
            malformed_examples: examples,
            skipdata_inputs,
            unknown_fields: unknown.into_iter().collect(),
            aws_labels: labels,
            failures,
            summarized,
            skipped_done,
            skipped_done_files,
            bytes_read,
            parquet_inputs,
            s3: S3Settings {
                concurrency: args.concurrency,
                max_attempts: args.s3.max_attempts.max(1),
                endpoint_url: args.s3.endpoint_url.clone(),
                path_style: args.s3.path_style,
            },
            stale_temporaries_removed: Vec::new(),
            already_compacted,
            lacking_counts,
        }
    }

    fn write_text(&self, w: &mut impl Write) -> io::Result<()> {
        let c = self.counts;
        writeln!(
            w,
            "AWS ranges: {} (createDate {}, syncToken {})",
            self.ranges.source, self.ranges.create_date, self.ranges.sync_token
        )?;
        if let Some(warning) = &self.ranges.stale_warning {
            writeln!(w, "warning: {warning}")?;
        }
        if !self.stale_temporaries_removed.is_empty() {
            writeln!(
                w,
                "removed {} temporary files of runs that died: {}",
                self.stale_temporaries_removed.len(),
                self.stale_temporaries_removed.join(", ")
            )?;
        }
        if let Some(inv) = &self.inventory {
            writeln!(
                w,
                "VPC inventory: {} documents, {} network interfaces, {} VPC endpoints, {} NAT gateways",
                inv.documents.len(),
                inv.network_interfaces,
                inv.vpc_endpoints,
                inv.nat_gateways
            )?;
        }
        writeln!(
            w,
            "{} inputs ({} failed): {} records read, {} with traffic, {} NODATA, {} SKIPDATA, {} malformed",
            self.inputs, self.inputs_failed, c.read, c.ok, c.nodata, c.skipdata, c.malformed
        )?;
        if self.skipped_done > 0 {
            writeln!(
                w,
                "{} S3 objects already done by an earlier run (same ETag and ranges): skipped, their counts included above",
                self.skipped_done
            )?;
        }
        writeln!(
            w,
            "{} Parquet files written under {} in {:.2} s ({:.0} records/s)",
            self.files_written.len(),
            self.output_dir,
            self.elapsed_seconds,
            self.records_per_second
        )?;
        if !self.skipdata_inputs.is_empty() {
            writeln!(
                w,
                "warning: {} SKIPDATA records: AWS lost flow records in those intervals ({})",
                c.skipdata,
                self.skipdata_inputs.join(", ")
            )?;
        }
        if !self.already_compacted.is_empty() {
            writeln!(
                w,
                "warning: {} summary files not written: compacted files of their partitions                  hold those inputs already (to summarize them again, remove the compacted                  file and summarize all its inputs): {}",
                self.already_compacted.len(),
                self.already_compacted.join(", ")
            )?;
        }
        for lacking in &self.lacking_counts {
            writeln!(
                w,
                "note: the format of {lacking} lacks these counts: they are null in its summaries, not zero"
            )?;
        }
        if !self.unknown_fields.is_empty() {
            writeln!(
                w,
                "note: fields flowpath does not know were carried as opaque: {}",
                self.unknown_fields.join(", ")
            )?;
        }
        if c.malformed > 0 && !self.malformed_examples.is_empty() {
            writeln!(
                w,
                "malformed lines (first {}):",
                self.malformed_examples.len()
            )?;
            for e in &self.malformed_examples {
                let what = e.field.as_ref().map_or_else(
                    || e.reason.clone(),
                    |f| format!("field `{f}`: {}", e.reason),
                );
                if e.line == 0 {
                    // A group whose sum is too large: no one line to name.
                    writeln!(w, "  {}: {what}: {}", e.input, e.text)?;
                } else {
                    writeln!(w, "  {}:{}: {what}: {}", e.input, e.line, e.text)?;
                }
            }
        }
        let l = &self.aws_labels;
        if l.agree + l.disagree > 0 {
            writeln!(
                w,
                "AWS's pkt-*-aws-service labels agree with flowpath on {} of {} records",
                l.agree,
                l.agree + l.disagree
            )?;
            for d in &l.top_disagreements {
                writeln!(
                    w,
                    "  AWS says {}, flowpath says {}: {} records",
                    d.aws, d.flowpath, d.count
                )?;
            }
        }
        for f in &self.failures {
            writeln!(w, "error: {}", f.error)?;
        }
        if !self.failures.is_empty() {
            writeln!(
                w,
                "{} inputs failed: {}",
                self.failures.len(),
                self.failures
                    .iter()
                    .map(|f| f.input.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}
