//! How an input is read: the options every source and the engine share.

use std::sync::Arc;

use crate::format::Format;
use crate::inventory::{Inventory, TagKeys};
use crate::names::NameIndex;

/// The earliest plausible `start` or `end`: 2014-01-01T00:00:00Z. VPC Flow Logs
/// launched in June 2015, but AWS's own documentation examples are dated December 2014
/// (`1418530010`), so the bound leaves them valid. An earlier time is a corrupt value,
/// and would make partitions Athena's date projection cannot address.
pub const EARLIEST_TIME: i64 = 1_388_534_400;

/// The longest line read by default: 64 KiB. The longest record AWS writes (every v8
/// field, with ECS ARNs) is under 2 KiB.
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The format of input without a header line (default: v2). A header line wins.
    pub format: Option<Format>,
    /// Fail on the first malformed line instead of counting it.
    pub strict: bool,
    /// How many malformed lines to keep as examples, per input.
    pub max_examples: usize,
    /// Target size of the chunks processed in parallel, in bytes of text.
    pub chunk_bytes: usize,
    /// The VPC inventory, when there is one: paths are then attributed with
    /// [`crate::classify::attribute_with`].
    pub inventory: Option<Arc<Inventory>>,
    /// Route 53 Resolver query logs, when there are some: each record's remote address
    /// gets the name its client (else its VPC) resolved to it ([`crate::names`]).
    pub names: Option<Arc<NameIndex>>,
    /// The tag keys whose `tag_<key>` columns the summary files get, each row's value
    /// from the inventory ([`Inventory::tag`]); null in every row without one. Tags
    /// are looked up per row when the files are written, not per record.
    pub tags: TagKeys,
    /// How many top talkers (remote addresses, remote ports) each group of talkers
    /// lists ([`crate::talkers`]); 0 (the default) keeps none. The sketches keep twice
    /// as many. Off by default: on a stream of mostly distinct addresses they cost
    /// half again the time or more (BENCHMARKS.md).
    pub top_talkers: usize,
    /// The longest line read ([`MAX_LINE_BYTES`]): a longer one is one malformed line,
    /// skipped without being held whole, so memory stays bounded whatever the input.
    pub max_line_bytes: usize,
    /// The latest plausible `start` or `end`, Unix seconds: by default a day past the
    /// clock when the options were made (clocks differ, AWS's and ours; a day is more
    /// than any skew and less than a wrong year). Later times, like times before
    /// [`EARLIEST_TIME`], make their record malformed.
    pub latest_time: i64,
}

/// A day past the system clock, Unix seconds.
fn a_day_from_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    now.saturating_add(86_400)
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            strict: false,
            max_examples: 10,
            chunk_bytes: 1 << 20,
            inventory: None,
            names: None,
            tags: TagKeys::default(),
            top_talkers: 0,
            max_line_bytes: MAX_LINE_BYTES,
            latest_time: a_day_from_now(),
        }
    }
}
