//! `flowpath`: the batch command-line tool around `flowpath-core`.
//!
//! Each command is a module; this file parses arguments, runs one, and turns the
//! outcome into an exit code: 0 success, 1 a failure the report names, 2 bad usage
//! (clap). A closed pipe (`flowpath ranges list | head`) is not an error.
//!
//! Built without the `s3` feature (`--no-default-features`), S3 locations are refused
//! where a command would build its client ([`cli::S3Args::client`]); the S3 code stays
//! compiled but unreachable, since no client can exist (`flowpath_s3::Client` has no
//! values then), so the variables after that point go unused there.
#![cfg_attr(not(feature = "s3"), allow(unused_variables, unused_mut))]

mod athena;
mod cli;
mod compact;
mod errors;
mod explain;
mod fsutil;
mod inputs;
mod inventory_source;
mod manifest;
mod output;
mod ranges_cmd;
mod report;
mod resolver_source;
mod s3list;
mod select;
mod summarize;

use std::io;
use std::process::ExitCode;

use clap::Parser;

/// jemalloc with one arena per CPU (feature `jemalloc`, configured in
/// `.cargo/config.toml`): the peak of a many-file run stays near its live heap.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Summarize(args) => summarize::run(&args),
        cli::Command::Manifest(args) => manifest::run(&args),
        cli::Command::Lookup(args) => ranges_cmd::lookup(&args),
        cli::Command::Ranges(cmd) => ranges_cmd::run(cmd),
        cli::Command::Compact(args) => compact::run(&args),
        cli::Command::Report(args) => report::run(&args),
        cli::Command::Explain(args) => explain::run(&args),
        cli::Command::AthenaDdl(args) => athena::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            #[expect(clippy::print_stderr, reason = "the binary's error edge")]
            {
                eprintln!("flowpath: error: {}", errors::describe(&err));
            }
            ExitCode::FAILURE
        }
    }
}
