//! The progress bar of `summarize` on standard error (hidden under `--json`): bytes
//! done of bytes listed, objects done of objects listed, records per second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Done;

/// The progress bar: bytes done of bytes listed (so the ETA weighs objects by size),
/// objects done of objects listed, records per second.
pub(super) struct Progress {
    bar: ProgressBar,
    started: Instant,
    listed: AtomicU64,
    done: AtomicU64,
    records: AtomicU64,
    listed_bytes: AtomicU64,
}

impl Progress {
    pub(super) fn new(quiet: bool) -> Progress {
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

    pub(super) fn listed(&self, bytes: u64) {
        self.listed.fetch_add(1, Ordering::Relaxed);
        let total = self.listed_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.bar.set_length(total);
        self.message();
    }

    pub(super) fn finished(&self, bytes: u64, result: &Result<Done>) {
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

impl Progress {
    /// Clears the bar, before the report is written.
    pub(super) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
