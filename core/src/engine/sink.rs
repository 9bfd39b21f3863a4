//! The record sink: what happens to every record, whatever source it came from.
//!
//! An [`Engine`] holds one input's rules (its format, the ranges, the inventory, the
//! key-layout hints, the limits); a [`Tally`] is what one worker has summed so far. A
//! source numbers its records (lines, rows, events) and hands each to
//! [`Engine::take`], parsed or not; tallies of different workers [`Tally::merge`]
//! ([`Engine::tally`] runs the workers and merges their tallies);
//! [`Engine::finish`] turns the merged tally into the input's [`Summary`].
//!
//! Invariants:
//! - every record handed over is counted once: `read = ok + nodata + skipdata +
//!   malformed`;
//! - a record is summed only when [`Engine::check`] passes (counts that fit INT64,
//!   present where there is traffic, plausible times); otherwise it is malformed, as is
//!   every record of a group whose sums pass INT64 ([`Engine::finish`]): nothing is
//!   clamped;
//! - tallies merge order-independently (malformed examples are kept by place), so the
//!   summary is the same whatever the split of the input between workers;
//! - [`Engine::check`], [`Engine::admit`] and [`Engine::add_admitted`] are
//!   [`Engine::take`] in steps, for a source that overlaps them (the text source's
//!   look-ahead): the result is the same, only the timing of the memory it touches
//!   differs.

use std::net::IpAddr;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::aggregate::{Aggregator, Carried, Contribution, Dims, Feed, Talker};
use crate::classify::{self, Attribution, Sides};
use crate::error::Error;
use crate::format::{Field, Format};
use crate::inventory::Inventory;
use crate::names::{NameIndex, Named};
use crate::object::{self, KeyHints};
use crate::parse::{ParseError, ParseErrorKind};
use crate::ranges::{self, LabelId, Ranges};
use crate::record::{LogStatus, Record};
use crate::transit::{TransitCarried, TransitTable};

use super::{EARLIEST_TIME, LabelCheck, Malformed, Options, Stats, Summary};

/// How a source numbers its records, for the error `--strict` makes of the first
/// malformed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Numbering {
    /// 1-based lines of decompressed text ([`Error::Malformed`]).
    Lines,
    /// 1-based rows of a file ([`Error::MalformedRow`]).
    Rows,
    /// 1-based log events of a delivery ([`Error::MalformedEvent`]).
    Events,
}

/// What a source says of an input besides its records, for its [`Summary`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// Whether the format came from the input itself (a header line, a schema).
    pub format_from_header: bool,
    /// Whether the input was a gzip stream.
    pub gzip: bool,
}

/// A record's client for the names: its address that is not `remote`.
#[inline(always)]
fn client_of(rec: &Record<'_>, remote: IpAddr) -> Option<IpAddr> {
    if rec.srcaddr == Some(remote) {
        rec.dstaddr
    } else {
        rec.srcaddr
    }
}

/// One input's rules, shared by every worker reading it.
pub(crate) struct Engine<'a> {
    input: &'a str,
    format: Format,
    numbering: Numbering,
    latest_time: i64,
    /// Whether the format has `packets` and `bytes`: a record with traffic then needs
    /// them.
    has_packets: bool,
    has_bytes: bool,
    /// Whether the format has `log-status`: without it, a record whose counts are all
    /// `-` is taken for the NODATA record it must be ([`Engine::check`]).
    has_log_status: bool,
    /// Whether the format has a field of [`Dims`] (v7 ECS names, v8 reject reason).
    has_dims: bool,
    /// Whether the format is a transit gateway log's: its records go to the transit
    /// gateway table ([`crate::transit`]), not to the VPC groups.
    transit: bool,
    ranges: &'a Ranges,
    opts: &'a Options,
    inventory: Option<&'a Inventory>,
    names: Option<&'a NameIndex>,
    hints: KeyHints,
    check_labels: bool,
    max_examples: usize,
}

/// A record that passed [`Engine::check`], with what adding it needs computed ahead.
pub(crate) struct Admitted {
    /// Its log status as the engine takes it ([`Engine::check`]).
    status: Option<LogStatus>,
    /// Without an inventory: its sides, whose remote's ranges entry is on its way into
    /// cache.
    sides: Option<Sides>,
}

/// What one worker has summed: counts and examples, groups, AWS-label disagreements.
#[derive(Default)]
pub(crate) struct Tally {
    stats: Stats,
    aggregate: Aggregator,
    /// The groups of transit gateway records.
    transit: TransitTable,
    /// (AWS's label, ours, records): our labels are resolved to names at the end.
    disagreements: Vec<(String, Option<LabelId>, u64)>,
}

/// A [`Tally`] taking records, many in a row ([`Tally::intake`]): the groups through
/// a [`Feed`], which adds the last record when the intake is dropped.
pub(crate) struct Intake<'t> {
    stats: &'t mut Stats,
    disagreements: &'t mut Vec<(String, Option<LabelId>, u64)>,
    feed: Feed<'t>,
    transit: &'t mut TransitTable,
}

impl Tally {
    /// Where records go, many in a row.
    pub(crate) fn intake(&mut self) -> Intake<'_> {
        Intake {
            stats: &mut self.stats,
            disagreements: &mut self.disagreements,
            feed: self.aggregate.feed(),
            transit: &mut self.transit,
        }
    }

    /// Adds `other`'s records to these, keeping the `max_examples` first examples by
    /// place ([`Engine::max_examples`]).
    pub(crate) fn merge(&mut self, other: Tally, max_examples: usize) {
        let (a, b) = (&mut self.stats, other.stats);
        a.counts.read += b.counts.read;
        a.counts.ok += b.counts.ok;
        a.counts.nodata += b.counts.nodata;
        a.counts.skipdata += b.counts.skipdata;
        a.counts.malformed += b.counts.malformed;
        a.malformed_examples.extend(b.malformed_examples);
        a.malformed_examples.sort_by_key(|m| m.line);
        a.malformed_examples.truncate(max_examples);
        a.aws_labels.agree += b.aws_labels.agree;
        a.aws_labels.disagree += b.aws_labels.disagree;
        a.min_start = min_opt(a.min_start, b.min_start);
        a.max_start = a.max_start.max(b.max_start);
        for (aws, ours, n) in other.disagreements {
            count_disagreement(&mut self.disagreements, &aws, ours, n);
        }
        self.aggregate.merge(other.aggregate);
        self.transit.merge(other.transit);
    }
}

/// Adds `n` to the count of records where AWS's label was `aws` and ours `ours`.
fn count_disagreement(
    disagreements: &mut Vec<(String, Option<LabelId>, u64)>,
    aws: &str,
    ours: Option<LabelId>,
    n: u64,
) {
    match disagreements
        .iter_mut()
        .find(|(a, o, _)| a == aws && *o == ours)
    {
        Some(entry) => entry.2 += n,
        None => disagreements.push((aws.to_owned(), ours, n)),
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl<'a> Engine<'a> {
    /// The rules of one input read with `format`: `input` names it in errors and
    /// supplies the key-layout hints (account, region) of records without them.
    pub(crate) fn new(
        input: &'a str,
        format: Format,
        numbering: Numbering,
        ranges: &'a Ranges,
        opts: &'a Options,
    ) -> Self {
        Engine {
            input,
            latest_time: opts.latest_time,
            has_packets: format.has(Field::Packets),
            has_bytes: format.has(Field::Bytes),
            has_log_status: format.has(Field::LogStatus),
            transit: format.is_transit_gateway(),
            has_dims: format.has(Field::EcsClusterName)
                || format.has(Field::EcsServiceName)
                || format.has(Field::RejectReason),
            check_labels: format.has(Field::PktSrcAwsService)
                && format.has(Field::PktDstAwsService),
            format,
            numbering,
            ranges,
            opts,
            inventory: opts.inventory.as_deref(),
            names: opts.names.as_deref(),
            hints: object::key_hints(input),
            // Under --strict the first malformed record is the error: keep at least it.
            max_examples: opts.max_examples.max(usize::from(opts.strict)),
        }
    }

    /// The format records are read with.
    pub(crate) fn format(&self) -> &Format {
        &self.format
    }

    /// Reads `pieces` on rayon's workers, each worker into its own [`Tally`] (fed piece
    /// after piece, so its groups and interned values carry over instead of being
    /// rebuilt and merged per piece), and merges the tallies, in whatever order the
    /// workers finish. The first error of `read` ends the input.
    pub(crate) fn tally<P: Send>(
        &self,
        pieces: impl Iterator<Item = P> + Send,
        read: impl Fn(&mut Tally, P) -> Result<(), Error> + Sync + Send,
    ) -> Result<Tally, Error> {
        pieces
            .par_bridge()
            .try_fold(Tally::default, |mut tally, piece| {
                read(&mut tally, piece)?;
                Ok(tally)
            })
            .try_reduce(Tally::default, |mut a, b| {
                a.merge(b, self.max_examples);
                Ok(a)
            })
    }

    /// Takes one record, the `at`-th of the input (1-based): summed when it parsed and
    /// passes [`Engine::check`], else counted malformed, with `example` (called only
    /// when the example is kept) showing it.
    #[inline]
    pub(crate) fn take(
        &self,
        intake: &mut Intake<'_>,
        at: u64,
        parsed: Result<Record<'_>, ParseError>,
        example: impl FnOnce() -> String,
    ) {
        intake.stats.counts.read += 1;
        match parsed.and_then(|rec| self.check(&rec).map(|status| (rec, status))) {
            // Attributed at once: a prefetch of its ranges entry would have no time
            // to pay.
            Ok((rec, status)) => self.add(intake, &rec, status, None),
            Err(error) => self.malformed(intake, at, error, example),
        }
    }

    /// Counts a record read (the first half of [`Engine::take`], for a source that
    /// takes records in two steps).
    #[inline(always)]
    pub(crate) fn count_read(&self, intake: &mut Intake<'_>) {
        intake.stats.counts.read += 1;
    }

    /// The first step of taking a parsed record (counted with
    /// [`Engine::count_read`]) that passed [`Engine::check`]: without an inventory,
    /// starts fetching its remote's ranges entry. Then [`Engine::add_admitted`].
    #[inline(always)]
    pub(crate) fn admit(&self, rec: &Record<'_>, status: Option<LogStatus>) -> Admitted {
        if let Some(inventory) = self.inventory {
            if let Some(names) = self.names
                && let Some(remote) = Sides::of(rec, self.ranges).remote
                && let Some(client) = client_of(rec, remote)
            {
                // The VPC the lookup will use: the record's, else (the default format
                // has none) its interface's in the inventory, as attribution finds it.
                let vpc = rec.vpc_id.or_else(|| {
                    rec.interface_id
                        .and_then(|id| inventory.eni(id))
                        .and_then(|e| e.vpc_id.as_deref())
                });
                names.prefetch(vpc, client, remote);
            }
            return Admitted {
                status,
                sides: None,
            };
        }
        let sides = Sides::of(rec, self.ranges);
        if let Some(remote) = sides.remote {
            self.ranges.prefetch(remote);
            if let Some(names) = self.names
                && let Some(client) = client_of(rec, remote)
            {
                names.prefetch(rec.vpc_id, client, remote);
            }
        }
        Admitted {
            status,
            sides: Some(sides),
        }
    }

    /// The second step: sums an admitted record.
    #[inline(always)]
    pub(crate) fn add_admitted(&self, intake: &mut Intake<'_>, rec: &Record<'_>, a: Admitted) {
        self.add(intake, rec, a.status, a.sides);
    }

    /// [`Engine::add_admitted`] out of line, for a record whose loop has ended, so
    /// that the loop's own copy is the one inlined.
    #[cold]
    #[inline(never)]
    pub(crate) fn add_admitted_last(&self, intake: &mut Intake<'_>, rec: &Record<'_>, a: Admitted) {
        self.add(intake, rec, a.status, a.sides);
    }

    /// What a parsed record must also be to be summed: counts a Parquet INT64 holds,
    /// present where the record has traffic (missing is not zero), and times between
    /// [`EARLIEST_TIME`] and [`Options::latest_time`].
    ///
    /// Returns the record's log status as the engine takes it: a format without
    /// `log-status` cannot say NODATA, but AWS writes `-` for every count only in
    /// records without traffic (NODATA, SKIPDATA), so such a record is NODATA, not
    /// traffic with missing counts. The record is not changed: a source may reuse it
    /// for the next line, which must not inherit the verdict.
    ///
    /// One branch on the common path: every test is folded into one flag, and only a
    /// record that trips it (NODATA and SKIPDATA ones too, whose counts are `-`) is
    /// looked at again, out of line.
    #[inline(always)]
    pub(crate) fn check(&self, rec: &Record<'_>) -> Result<Option<LogStatus>, ParseError> {
        let span = self.latest_time.wrapping_sub(EARLIEST_TIME) as u64;
        let late_or_early =
            |t: Option<i64>| t.is_some_and(|t| t.wrapping_sub(EARLIEST_TIME) as u64 > span);
        let too_large = |v: Option<u64>| v.is_some_and(|v| v > i64::MAX as u64);
        let suspect = late_or_early(rec.start)
            | late_or_early(rec.end)
            | too_large(rec.packets)
            | too_large(rec.bytes)
            | (self.has_packets & rec.packets.is_none())
            | (self.has_bytes & rec.bytes.is_none());
        if suspect {
            return self.check_again(rec);
        }
        Ok(rec.log_status)
    }

    /// [`Engine::check`] for a record that may fail it: which test fails, if any.
    #[cold]
    #[inline(never)]
    fn check_again(&self, rec: &Record<'_>) -> Result<Option<LogStatus>, ParseError> {
        let bad = |field, kind| {
            Err(ParseError {
                field: Some(field),
                kind,
            })
        };
        for (field, value) in [(Field::Start, rec.start), (Field::End, rec.end)] {
            if value.is_some_and(|t| !(EARLIEST_TIME..=self.latest_time).contains(&t)) {
                return bad(field, ParseErrorKind::ImplausibleTime);
            }
        }
        let no_counts = (self.has_packets || self.has_bytes)
            && (!self.has_packets || rec.packets.is_none())
            && (!self.has_bytes || rec.bytes.is_none());
        let status = if !self.has_log_status && no_counts {
            Some(LogStatus::NoData)
        } else {
            rec.log_status
        };
        if !matches!(status, Some(LogStatus::NoData | LogStatus::SkipData)) {
            for (field, value, present) in [
                (Field::Packets, rec.packets, self.has_packets),
                (Field::Bytes, rec.bytes, self.has_bytes),
            ] {
                match value {
                    Some(v) if i64::try_from(v).is_err() => {
                        return bad(field, ParseErrorKind::TooLarge);
                    }
                    None if present => return bad(field, ParseErrorKind::MissingCount),
                    _ => {}
                }
            }
        }
        Ok(status)
    }

    /// Counts a malformed record (the `at`-th, 1-based) and keeps it as an example
    /// while there is room; `text` is only called for a kept example.
    pub(crate) fn malformed(
        &self,
        intake: &mut Intake<'_>,
        at: u64,
        error: ParseError,
        text: impl FnOnce() -> String,
    ) {
        intake.stats.counts.malformed += 1;
        if intake.stats.malformed_examples.len() < self.max_examples {
            intake.stats.malformed_examples.push(Malformed {
                line: at,
                error,
                text: text(),
            });
        }
    }

    /// Counts, attributes and aggregates one checked record, with its log status as
    /// [`Engine::check`] took it and its sides when they were computed ahead (`None`:
    /// attribution computes them).
    #[inline(always)]
    fn add(
        &self,
        intake: &mut Intake<'_>,
        rec: &Record<'_>,
        status: Option<LogStatus>,
        sides: Option<Sides>,
    ) {
        let stats = &mut *intake.stats;
        match status {
            Some(LogStatus::NoData) => {
                stats.counts.nodata += 1;
                return;
            }
            Some(LogStatus::SkipData) => {
                stats.counts.skipdata += 1;
                return;
            }
            Some(LogStatus::Ok) | None => stats.counts.ok += 1,
        }
        if let Some(start) = rec.start {
            stats.min_start = min_opt(stats.min_start, Some(start));
            stats.max_start = stats.max_start.max(Some(start));
        }
        if self.transit {
            let account = rec.account_id.or(self.hints.account_id.as_deref());
            let region = rec.region.or(self.hints.region.as_deref());
            intake.transit.add(rec, account, region, self.ranges);
            return;
        }
        let attr = match (self.inventory, sides) {
            (Some(inv), _) => classify::attribute_with(rec, self.ranges, inv),
            (None, Some(sides)) => sides.attribute(rec, self.ranges),
            (None, None) => classify::attribute(rec, self.ranges),
        };
        if self.check_labels && attr.remote.is_some() {
            self.check_label(intake, rec, &attr);
        }
        let vpc_id = rec.vpc_id.or(attr.eni_vpc_id);
        let named = self.name_of(rec, &attr, vpc_id);
        intake.feed.add(&Contribution {
            start: rec.start,
            account_id: rec.account_id.or(self.hints.account_id.as_deref()),
            region: rec
                .region
                .or(self.hints.region.as_deref())
                .or(attr.eni_region),
            vpc_id,
            subnet_id: rec.subnet_id.or(attr.eni_subnet_id),
            interface_id: rec.interface_id,
            interface_kind: attr.interface_kind,
            direction: attr.direction,
            path: attr.path,
            method: attr.method,
            gateway_id: attr.gateway_id,
            remote: attr.remote_label,
            remote_named: attr.remote_named,
            action: rec.action,
            protocol: rec.protocol,
            dims: (self.has_dims || attr.remote_vpc.is_some() || named.is_some()).then(|| Dims {
                remote_vpc_id: attr.remote_vpc.map(|v| v.0),
                remote_account_id: attr.remote_vpc.and_then(|v| v.1),
                ecs_cluster_name: rec.extra(Field::EcsClusterName),
                ecs_service_name: rec.extra(Field::EcsServiceName),
                reject_reason: rec.extra(Field::RejectReason),
                remote_name: named,
            }),
            talker: self.talker_of(rec, attr.remote),
            packets: rec.packets.unwrap_or(0),
            bytes: rec.bytes.unwrap_or(0),
        });
    }

    /// The record's talker, when top talkers are kept: its remote address and the
    /// remote side's port.
    #[inline]
    fn talker_of(&self, rec: &Record<'_>, remote: Option<IpAddr>) -> Option<Talker> {
        if self.opts.top_talkers == 0 || !self.has_bytes {
            return None;
        }
        let address = remote?;
        let port = if rec.srcaddr == Some(address) {
            rec.srcport
        } else {
            rec.dstport
        };
        Some(Talker {
            address,
            port,
            capacity: self.opts.top_talkers.saturating_mul(2),
        })
    }

    /// The name the record's client (else its VPC) resolved to its remote address
    /// before the flow started ([`crate::names`]): the client is the record's other
    /// address.
    #[inline]
    fn name_of(
        &self,
        rec: &Record<'_>,
        attr: &Attribution<'_>,
        vpc_id: Option<&str>,
    ) -> Option<Named<'a>> {
        let names = self.names?;
        let remote = attr.remote?;
        let start = rec.start?;
        names.lookup(vpc_id, client_of(rec, remote)?, remote, start)
    }

    fn check_label(&self, intake: &mut Intake<'_>, rec: &Record<'_>, attr: &Attribution<'_>) {
        let aws = classify::aws_label(rec, attr);
        let ours = attr.remote_label;
        let agree = match (aws, ours) {
            (None, None) => true,
            (None, Some(l)) => l == ranges::INTERNET || l == ranges::PRIVATE,
            (Some(a), Some(l)) => self.ranges.label(l).service == a,
            (Some(_), None) => false,
        };
        if agree {
            intake.stats.aws_labels.agree += 1;
        } else {
            intake.stats.aws_labels.disagree += 1;
            count_disagreement(intake.disagreements, aws.unwrap_or("-"), ours, 1);
        }
    }

    /// The end of every input: groups whose sums an INT64 cannot hold become
    /// malformed; under [`Options::strict`] the first malformed example becomes the
    /// error; AWS-label disagreements get our labels' names and are sorted; and the
    /// [`Summary`] is assembled.
    pub(crate) fn finish(self, tally: Tally, provenance: Provenance) -> Result<Summary, Error> {
        let mut stats = tally.stats;
        // A group whose sum an INT64 cannot hold is written nowhere: its records are
        // malformed, with no one line to blame (which record tipped the sum depends on
        // the order of adding; that the sum does not fit does not).
        let too_large = tally.aggregate.too_large();
        let mut transit = tally.transit;
        let transit_too_large = transit.take_too_large();
        if !too_large.is_empty() || !transit_too_large.is_empty() {
            let groups = too_large
                .into_iter()
                .map(|(totals, what)| (totals.flows, totals.too_large(), what))
                .chain(
                    transit_too_large
                        .into_iter()
                        .map(|(flows, what)| (flows, None, what)),
                );
            for (flows, field, what) in groups {
                stats.counts.ok -= flows;
                stats.counts.malformed += flows;
                stats.malformed_examples.insert(
                    0,
                    Malformed {
                        line: 0,
                        error: ParseError {
                            field,
                            kind: ParseErrorKind::SumTooLarge,
                        },
                        text: what,
                    },
                );
            }
            stats
                .malformed_examples
                .truncate(self.opts.max_examples.max(1));
        }
        if let Some(m) = stats
            .malformed_examples
            .first()
            .filter(|_| self.opts.strict)
        {
            let (input, line, error) = (self.input.to_owned(), m.line, m.error);
            return Err(match self.numbering {
                Numbering::Lines => Error::Malformed { input, line, error },
                Numbering::Rows => Error::MalformedRow {
                    input,
                    row: line,
                    error,
                },
                Numbering::Events => Error::MalformedEvent {
                    input,
                    event: line,
                    error,
                },
            });
        }
        stats.aws_labels = LabelCheck {
            disagreements: self.label_names(tally.disagreements),
            ..stats.aws_labels
        };
        let mut aggregate = tally.aggregate;
        aggregate.set_carried(Carried {
            packets: self.has_packets,
            bytes: self.has_bytes,
        });
        transit.set_carried(TransitCarried::of(&self.format));
        Ok(Summary {
            transit,
            input: self.input.to_owned(),
            format: self.format,
            format_from_header: provenance.format_from_header,
            gzip: provenance.gzip,
            stats,
            aggregate,
            tags: self.opts.tags.clone(),
            top_talkers: self.opts.top_talkers,
            inventory: self.opts.inventory.clone(),
        })
    }

    /// The disagreements with our labels named, most frequent first.
    fn label_names(
        &self,
        found: Vec<(String, Option<LabelId>, u64)>,
    ) -> Vec<(String, String, u64)> {
        let mut named: Vec<_> = found
            .into_iter()
            .map(|(aws, ours, n)| {
                let ours = ours.map_or("-".to_owned(), |l| self.ranges.label(l).service.clone());
                (aws, ours, n)
            })
            .collect();
        named.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        named
    }
}
