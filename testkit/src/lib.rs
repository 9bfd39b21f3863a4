//! The test harness flowpath's tests share. Everything listens on 127.0.0.1 only, starts in
//! milliseconds, stops by itself on drop, and has a blocking API: each server runs its own
//! tokio runtime on a background thread, so test functions need no async runtime.
//!
//! - [`S3Server`] (module `s3`): a real S3-compatible server (s3s-fs, SigV4 on) over a
//!   temporary directory, with direct file access and a log of the requests it received;
//!   module `store` extends s3s-fs to object keys too long for its side-file names.
//! - [`FaultProxy`] (module `proxy`): a TCP proxy that can cut responses short or refuse
//!   connections, to make S3 go away mid-stream.
//! - [`RuntimeApi`] and [`Function`] (module `lambda`): a Lambda Runtime API emulator, and a
//!   built function binary run against it as a child process.
//! - [`read_summary`], [`files_under`] and [`snapshot`] (module `summary`): reading written
//!   summaries and output directories back.
//! - [`skip`]: how a test that needs `../shared` or a tool `scripts/test.sh` installs
//!   skips visibly without it (the core's file, included here for the other crates).

mod background;
mod lambda;
mod proxy;
mod s3;
#[path = "../../core/src/testutil/skip.rs"]
pub mod skip;
mod store;
mod summary;

pub use lambda::{FUNCTION_NAME, Function, Invocation, RuntimeApi};
pub use proxy::FaultProxy;
pub use s3::{ACCESS_KEY, OWNER, Objects, REGION, Request, S3Server, SECRET_KEY};
pub use summary::{
    Row, SummaryFile, column_names, files_under, is_vpc_summary, read_summary,
    read_transit_summary, snapshot, summary_files,
};
