//! What summarizing one input gives: counts, malformed examples, the AWS-label check
//! and the groups, ready to be written as summary files.

use std::sync::Arc;

use crate::aggregate::Aggregator;
use crate::error::Error;
use crate::format::Format;
use crate::inventory::{Inventory, TagKeys, TagSite};
use crate::output::{self, Counts, FileMeta, Partition, Row, RowRef};
use crate::parse::ParseError;
use crate::ranges::Ranges;
use crate::talkers::TalkerRow;
use crate::transit::{TransitRow, TransitTable};

/// A malformed line, kept as an example for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// 1-based line number in the decompressed text; for Parquet inputs
    /// ([`crate::source::parquet`]), the 1-based row number in the file; 0 for the
    /// records of a group whose sum is too large ([`crate::parse::ParseErrorKind::SumTooLarge`]),
    /// which no one line is to blame for (`text` then describes the group).
    pub line: u64,
    /// Field and reason.
    pub error: ParseError,
    /// The start of the line (lossily decoded, at most 200 characters); for Parquet
    /// rows, the row's known fields rendered as a text line (`-` for null).
    pub text: String,
}

/// How AWS's own `pkt-*-aws-service` labels compare with ours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelCheck {
    /// Records whose remote side carries AWS's label and where it matches ours.
    pub agree: u64,
    /// Records where it does not.
    pub disagree: u64,
    /// The disagreements: (AWS's label or `-`, ours, count), most frequent first.
    pub disagreements: Vec<(String, String, u64)>,
}

/// What reading an input found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Record counts.
    pub counts: Counts,
    /// The first malformed lines, by line number.
    pub malformed_examples: Vec<Malformed>,
    /// The comparison with AWS's labels, when the format has them.
    pub aws_labels: LabelCheck,
    /// Earliest `start` seen.
    pub min_start: Option<i64>,
    /// Latest `start` seen.
    pub max_start: Option<i64>,
}

/// The summary of one input.
#[derive(Debug)]
pub struct Summary {
    /// The input's name.
    pub input: String,
    /// The format the records were read with.
    pub format: Format,
    /// Whether the format came from a header line.
    pub format_from_header: bool,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Counts, examples and checks.
    pub stats: Stats,
    /// The groups.
    pub(crate) aggregate: Aggregator,
    /// The groups of a transit gateway log ([`crate::transit`]); empty for VPC logs.
    pub(crate) transit: TransitTable,
    /// The tag keys of [`crate::engine::Options::tags`]: the files' `tag_<key>` columns.
    pub(crate) tags: TagKeys,
    /// The inventory the tags are read from.
    pub(crate) inventory: Option<Arc<Inventory>>,
    /// How many talkers each group of talkers lists ([`crate::engine::Options::top_talkers`]).
    pub(crate) top_talkers: usize,
}

impl Summary {
    /// How many groups (rows) the summary holds.
    pub fn group_count(&self) -> usize {
        self.aggregate.len() + self.transit.len()
    }

    /// Whether the input was a transit gateway log.
    pub fn is_transit_gateway(&self) -> bool {
        self.format.is_transit_gateway()
    }

    /// The summary's transit gateway rows, sorted (none for a VPC log).
    pub fn transit_rows(&self, ranges: &Ranges) -> Vec<TransitRow> {
        self.transit.clone().into_rows(ranges)
    }

    /// The summary's top talkers, sorted ([`crate::talkers`]); none for a transit
    /// gateway log, or with top talkers off.
    pub fn talker_rows(&mut self, ranges: &Ranges) -> Vec<TalkerRow> {
        self.aggregate.talker_rows(ranges, self.top_talkers)
    }

    /// The summary's rows, sorted.
    pub fn into_rows(self, ranges: &Ranges) -> Vec<Row> {
        let (tags, inventory) = (self.tags, self.inventory);
        let groups = self.aggregate.into_groups(ranges);
        let mut rows = groups.sorted_rows();
        tag_rows(&mut rows, &tags, inventory.as_deref());
        rows.iter().map(RowRef::to_row).collect()
    }

    /// The metadata every file of this summary carries.
    fn file_meta(&self, ranges: &Ranges) -> FileMeta {
        FileMeta {
            ranges_sync_token: ranges.sync_token().to_owned(),
            ranges_create_date: ranges.create_date().to_owned(),
            inputs: vec![self.input.clone()],
            counts: self.stats.counts,
            compacted_from: Vec::new(),
            tag_keys: self.tags.keys().map(str::to_owned).collect(),
        }
    }

    /// The summary split into Hive partitions, each with the metadata its file carries:
    /// the VPC table's ([`Summary::transit_rows`] has a transit gateway log's).
    pub fn into_partitions(self, ranges: &Ranges) -> (FileMeta, Vec<Partition>) {
        let meta = self.file_meta(ranges);
        (meta, output::partitions(self.into_rows(ranges)))
    }

    /// Each partition's summary file, encoded: (`account_id=…/region=…/day=…`
    /// directory, Parquet bytes), in order, and the metadata they carry. A transit
    /// gateway log's files come first, under `transit_gateway/`
    /// ([`crate::transit::TABLE_DIR`]); the top talkers last, under `top_talkers/`
    /// ([`crate::talkers::TABLE_DIR`]). The VPC table's are the same bytes as writing
    /// [`Summary::into_partitions`], without copying every value into an owned row first
    /// (a summary with many groups stays small).
    pub fn encode(mut self, ranges: &Ranges) -> Result<(FileMeta, Vec<EncodedFile>), Error> {
        let meta = self.file_meta(ranges);
        let mut files = Vec::new();
        let transit = self.transit.into_rows(ranges);
        for range in output::partition::runs(&transit, TransitRow::same_partition) {
            let rows = &transit[range];
            let mut body = Vec::new();
            crate::transit::write_parquet(&mut body, rows, &meta)?;
            let first = &rows[0];
            let dir = output::layout::partition_path(&first.account_id, &first.region, &first.day);
            files.push((format!("{}/{dir}", crate::transit::TABLE_DIR), body));
        }
        let talkers = self.aggregate.talker_rows(ranges, self.top_talkers);
        let (tags, inventory) = (self.tags, self.inventory);
        let groups = self.aggregate.into_groups(ranges);
        let mut rows = groups.sorted_rows();
        tag_rows(&mut rows, &tags, inventory.as_deref());
        for (dir, range) in output::partition_ranges(&rows) {
            let mut body = Vec::new();
            output::write_parquet_refs(&mut body, &rows[range], &meta)?;
            files.push((dir, body));
        }
        // The top talkers last: an input's first file is its summary (or, for a transit
        // gateway log, its transit gateway summary).
        for range in output::partition::runs(&talkers, TalkerRow::same_partition) {
            let rows = &talkers[range];
            let mut body = Vec::new();
            crate::talkers::write_parquet(&mut body, rows, &meta)?;
            let first = &rows[0];
            let dir = output::layout::partition_path(&first.account_id, &first.region, &first.day);
            files.push((format!("{}/{dir}", crate::talkers::TABLE_DIR), body));
        }
        Ok((meta, files))
    }
}

/// Fills each row's tag columns from the inventory: the value of every key on the
/// most specific resource of the row's interface, subnet and VPC that carries it.
/// Tags are a function of those key columns, so the rows' order stays sorted.
fn tag_rows<'a>(rows: &mut [RowRef<'a>], tags: &'a TagKeys, inventory: Option<&'a Inventory>) {
    let Some(inventory) = inventory.filter(|_| !tags.is_empty()) else {
        return;
    };
    // Rows are sorted by VPC, subnet and interface first: a run of rows of one site
    // looks its tags up once.
    let mut last: Option<(TagSite<'a>, Vec<(&'a str, &'a str)>)> = None;
    for row in rows {
        let site = TagSite {
            interface_id: row.interface_id,
            subnet_id: row.subnet_id,
            vpc_id: row.vpc_id,
        };
        match &last {
            Some((seen, values)) if *seen == site => row.tags = values.clone(),
            _ => {
                row.tags = tags
                    .iter()
                    .filter_map(|(key, column)| Some((column, inventory.tag(key, site)?)))
                    .collect();
                last = Some((site, row.tags.clone()));
            }
        }
    }
}

/// One encoded summary file: its `account_id=…/region=…/day=…` directory and its
/// Parquet bytes.
pub type EncodedFile = (String, Vec<u8>);
