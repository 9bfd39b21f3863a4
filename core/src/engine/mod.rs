//! The engine every source drives: one input's records in, its [`Summary`] out.
//!
//! ```text
//!  source (text lines, AWS Parquet, ...)          engine
//!  ─────────────────────────────────────          ──────────────────────────────
//!  bytes → format → records, numbered  ──take──▶  check → attribute → aggregate
//!          (one worker per chunk/batch)            into the worker's Tally
//!                                      ──merge─▶  Tally + Tally (any order)
//!                                      ─finish─▶  Summary (counts, examples,
//!                                                  AWS-label check, groups)
//! ```
//!
//! A source owns everything about its bytes: decoding, finding the format, splitting
//! into pieces that workers read in parallel, numbering records, parsing them. The
//! engine owns everything about a record once parsed (`sink`): the checks that make
//! it malformed, attribution (ranges, inventory), the comparison with AWS's labels,
//! the sums, and the end of the input (sums past INT64, `--strict`). Adding a source
//! touches nothing here.

mod options;
mod result;
mod sink;

pub use options::{EARLIEST_TIME, MAX_LINE_BYTES, Options};
pub use result::{EncodedFile, LabelCheck, Malformed, Stats, Summary};
pub(crate) use sink::{Admitted, Engine, Intake, Numbering, Provenance, Tally};
