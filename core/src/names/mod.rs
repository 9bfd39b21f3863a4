//! The name behind a remote address: Route 53 Resolver query logs read into a
//! [`NameIndex`], which the engine asks, for each record, which name the client (else
//! another client of its VPC) resolved to the remote address most recently before the
//! flow started.
//!
//! - [`query`]: one query-log line to its VPC, client, time, name and answered
//!   addresses (CNAME chains end in their A and AAAA answers).
//! - [`store`]: the compact form the Lambda keeps in S3 (a Parquet file of answers
//!   per query-log object), written and read back into a builder.
//! - [`NameIndexBuilder`]: query logs in, in any order and any number of inputs
//!   ([`NameIndexBuilder::add_reader`], gzip or plain JSON lines); then
//!   [`NameIndexBuilder::finish`] freezes the [`NameIndex`] the workers share.
//!
//! Invariants:
//! - a name is given only from a query at or before the flow's `start`, at most the
//!   window before it; nothing is guessed: an address nobody in the VPC resolved in
//!   that window stays unnamed (query logs record only the queries the Resolver did
//!   not answer from its cache, and no TTL, so the window stands in for both);
//! - the client's own query wins ([`NameSource::Client`]); else the latest query of
//!   another client of the same VPC ([`NameSource::Vpc`]);
//! - the same queries in any order, split over any inputs, give the same answers: of
//!   two queries in the same second, the greater name wins;
//! - memory: each distinct name and VPC once; while reading, 72 bytes per answer (32
//!   under its (client, address) key, 32 under its (VPC, address) key, 8 for the
//!   address filter); frozen, 40 bytes per distinct key and table (a 32-byte slot,
//!   tables four fifths full: `table`), 16 more per query of a key asked more than
//!   once, and 2 bytes per answer for the filter. The tables are built one at a time,
//!   each list freed as its table is done. Keys are fingerprints: no address is held
//!   per key. A line is held at most [`crate::engine::MAX_LINE_BYTES`] long.

pub mod query;
pub mod store;
mod table;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;

use rustc_hash::FxBuildHasher;

pub use query::{Query, QueryError};
use table::{AddressFilter, Found, PairTable};

/// The default window: a name resolved up to an hour before the flow started.
pub const DEFAULT_WINDOW_SECONDS: i64 = 3600;

/// Parses a window: seconds (`900`), or a number with `s`, `m`, `h` or `d`.
pub fn parse_window(text: &str) -> Result<i64, String> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{text:?}: expected seconds, or a number with s, m, h or d"))?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit is one of s, m, h, d")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("{text:?}: too long"))
}

/// A name [`NameIndex::lookup`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Named<'a> {
    /// The name.
    pub name: &'a str,
    /// Its number in the index (0, 1, …): equal names, equal numbers, so a caller can
    /// cache what it derives from a name by number instead of hashing the text.
    pub id: u32,
    /// Whose query gave it.
    pub source: NameSource,
}

/// Whose query gave a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameSource {
    /// The flow's own client (its local address) asked.
    Client,
    /// Another client of the flow's VPC asked.
    Vpc,
}

impl NameSource {
    /// As the `name_source` column holds it.
    pub fn as_str(self) -> &'static str {
        match self {
            NameSource::Client => "client",
            NameSource::Vpc => "vpc",
        }
    }
}

/// A query log line that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A line is not a query log entry (the run is strict).
    #[error("{input}: line {line}: {error}")]
    Malformed {
        /// The input's name.
        input: String,
        /// 1-based line number in the decompressed text.
        line: u64,
        /// The field and why.
        error: QueryError,
    },
    /// A log event of CloudWatch Logs payloads is not a query log entry (the run is
    /// strict).
    #[error("{input}: log event {event}: {error}")]
    MalformedEvent {
        /// The input's name.
        input: String,
        /// 1-based number of the event in the input (payloads in order).
        event: u64,
        /// The field and why.
        error: QueryError,
    },
    /// The input looked like CloudWatch Logs payloads and is not.
    #[error("{input}: not a CloudWatch Logs subscription payload: {source}")]
    Payload {
        /// The input's name.
        input: String,
        /// The JSON reader's error (it names the line and column).
        source: serde_json::Error,
    },
    /// Reading (or decompressing) the input failed.
    #[error("{input}: read failed: {source}")]
    Read {
        /// The input's name.
        input: String,
        /// The reader's error.
        source: std::io::Error,
    },
}

/// The malformed lines [`LoadStats`] keeps as examples, at most.
pub const MAX_EXAMPLES: usize = 10;

/// What loading read.
#[derive(Debug, Default)]
pub struct LoadStats {
    /// Lines read (blank ones not counted).
    pub lines: u64,
    /// Queries whose answers held addresses.
    pub queries: u64,
    /// Lines that were not query log entries (not under `strict`).
    pub malformed: u64,
    /// The first few of them.
    pub examples: Vec<LoadError>,
}

impl LoadStats {
    /// Adds another input's counts (examples up to [`MAX_EXAMPLES`] in all).
    pub fn merge(&mut self, other: LoadStats) {
        self.lines += other.lines;
        self.queries += other.queries;
        self.malformed += other.malformed;
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
    }

    /// Counts one line (or log event) read: its query goes to `each`; a line that is
    /// not a query log entry is counted malformed, kept as an example, or under
    /// `strict` returned as the error `malformed` makes of it.
    fn take(
        &mut self,
        result: Result<Option<Query>, QueryError>,
        strict: bool,
        each: &mut impl FnMut(Query),
        malformed: impl FnOnce(QueryError) -> LoadError,
    ) -> Result<(), LoadError> {
        self.lines += 1;
        match result {
            Ok(Some(q)) => {
                self.queries += 1;
                each(q);
            }
            Ok(None) => {}
            Err(error) => {
                let error = malformed(error);
                if strict {
                    return Err(error);
                }
                self.malformed += 1;
                if self.examples.len() < MAX_EXAMPLES {
                    self.examples.push(error);
                }
            }
        }
        Ok(())
    }
}

/// One query seen for a pair: when, from which VPC, which name (ids into the index's
/// tables). Ordered by time, then name text (see [`NameIndexBuilder::finish`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    time: i64,
    vpc: u32,
    name: u32,
}

type Map<K, V> = HashMap<K, V, FxBuildHasher>;

/// Query logs being read.
#[derive(Debug, Default)]
pub struct NameIndexBuilder {
    names: Vec<Box<str>>,
    name_ids: Map<Box<str>, u32>,
    vpcs: Vec<Box<str>>,
    vpc_ids: Map<Box<str>, u32>,
    /// Each answer under its (client, address) key's fingerprint.
    by_client: Vec<((u64, u64), Seen)>,
    /// And under its (VPC, address) key, the address's bits kept until `finish`: the
    /// key's fingerprint depends on the VPC's number, which a merge renumbers.
    by_vpc: Vec<((u64, u64), Seen)>,
    /// The answered addresses' hashes, for the index's filter (repeats allowed).
    answered: Vec<u64>,
}

fn intern(list: &mut Vec<Box<str>>, ids: &mut Map<Box<str>, u32>, s: &str) -> u32 {
    if let Some(id) = ids.get(s) {
        return *id;
    }
    let id = u32::try_from(list.len()).unwrap_or(u32::MAX);
    list.push(s.into());
    ids.insert(s.into(), id);
    id
}

impl NameIndexBuilder {
    /// An empty index.
    pub fn new() -> NameIndexBuilder {
        NameIndexBuilder::default()
    }

    /// Adds one query.
    pub fn add(&mut self, q: &Query) {
        let vpc = intern(&mut self.vpcs, &mut self.vpc_ids, &q.vpc_id);
        let name = intern(&mut self.names, &mut self.name_ids, &q.name);
        let seen = Seen {
            time: q.time,
            vpc,
            name,
        };
        for address in &q.addresses {
            let client = table::client_key(q.client, *address);
            self.by_client.push((table::fingerprint(client), seen));
            self.by_vpc.push((table::address_words(*address), seen));
            self.answered.push(AddressFilter::hash(*address));
        }
    }

    /// Adds another builder's queries after this one's, as if read after them: names
    /// and VPCs keep their order of first appearance.
    pub fn append(&mut self, other: NameIndexBuilder) {
        let names: Vec<u32> = other
            .names
            .iter()
            .map(|n| intern(&mut self.names, &mut self.name_ids, n))
            .collect();
        let vpcs: Vec<u32> = other
            .vpcs
            .iter()
            .map(|v| intern(&mut self.vpcs, &mut self.vpc_ids, v))
            .collect();
        let renumber = |s: Seen| Seen {
            time: s.time,
            vpc: vpcs[s.vpc as usize],
            name: names[s.name as usize],
        };
        self.by_client
            .extend(other.by_client.into_iter().map(|(k, s)| (k, renumber(s))));
        self.by_vpc
            .extend(other.by_vpc.into_iter().map(|(k, s)| (k, renumber(s))));
        self.answered.extend(other.answered);
    }

    /// Reads a query log into the index ([`read_queries`]).
    ///
    /// The workers parse each block of lines into builders of their own, merged in
    /// line order ([`NameIndexBuilder::append`]): the index is the one reading the
    /// queries one by one gives.
    pub fn add_reader<R: Read + Send>(
        &mut self,
        input: &str,
        reader: R,
        strict: bool,
    ) -> Result<LoadStats, LoadError> {
        let lines = match open_log(input, reader)? {
            Opened::Payloads(reader) => {
                return read_payloads(input, reader, strict, |q| self.add(&q));
            }
            Opened::Lines(reader) => reader,
        };
        read_lines_in_parts(
            input,
            lines,
            strict,
            NameIndexBuilder::new,
            |part, q| part.add(&q),
            |part| self.append(part),
        )
    }

    /// Freezes the index: a name is given from queries at most `window_seconds` before
    /// a flow's start.
    pub fn finish(self, window_seconds: i64) -> NameIndex {
        let names = &self.names;
        let order = |a: &Seen, b: &Seen| {
            a.time
                .cmp(&b.time)
                .then_with(|| names[a.name as usize].cmp(&names[b.name as usize]))
                .then(a.vpc.cmp(&b.vpc))
        };
        // One at a time: each list is freed once its table is built.
        let answered = AddressFilter::build(&self.answered);
        drop(self.answered);
        let by_client = PairTable::build(self.by_client, order);
        // In place: the address's words become the (VPC, address) key's fingerprint.
        let mut by_vpc = self.by_vpc;
        for (key, seen) in &mut by_vpc {
            *key = table::fingerprint(table::vpc_key_of_words(seen.vpc, *key));
        }
        let by_vpc = PairTable::build(by_vpc, order);
        NameIndex {
            window: window_seconds.max(0),
            names: self.names,
            vpc_ids: self.vpc_ids,
            answered,
            by_client,
            by_vpc,
        }
    }
}

/// Reads a query log (gzip or plain JSON lines; blank lines skipped), handing each
/// query with addresses to `each`. A line that is not a query log entry is counted
/// malformed, or under `strict` ends the read with its error; a line longer than
/// [`crate::engine::MAX_LINE_BYTES`] is malformed without being held whole.
pub fn read_queries<R: Read + Send>(
    input: &str,
    reader: R,
    strict: bool,
    mut each: impl FnMut(Query),
) -> Result<LoadStats, LoadError> {
    let lines = match open_log(input, reader)? {
        Opened::Payloads(reader) => return read_payloads(input, reader, strict, each),
        Opened::Lines(reader) => reader,
    };
    read_lines_in_parts(input, lines, strict, Vec::new, Vec::push, |part| {
        part.into_iter().for_each(&mut each)
    })
}

/// Reads query log lines block by block: the workers parse each block's lines, a
/// chunk of them at a time, into parts of their own (`new_part`, `add`), which are
/// handed to `take_part` in line order, with the counts merged in the same order, so
/// the result is that of reading the lines one by one (under `strict`, the first
/// malformed line's error).
fn read_lines_in_parts<R: BufRead + Send, P: Send>(
    input: &str,
    lines: R,
    strict: bool,
    new_part: impl Fn() -> P + Sync,
    add: impl Fn(&mut P, Query) + Sync,
    mut take_part: impl FnMut(P),
) -> Result<LoadStats, LoadError> {
    let mut stats = LoadStats::default();
    read_blocks(input, lines, |block| {
        use rayon::prelude::*;
        let parts: Vec<Result<(P, LoadStats), LoadError>> = block
            .lines
            .par_chunks(2048)
            .map(|chunk| {
                let mut part = new_part();
                let mut part_stats = LoadStats::default();
                for &(number, span) in chunk {
                    part_stats.take(
                        block.parse(span),
                        strict,
                        &mut |q| add(&mut part, q),
                        |error| LoadError::Malformed {
                            input: input.to_owned(),
                            line: number,
                            error,
                        },
                    )?;
                }
                Ok((part, part_stats))
            })
            .collect();
        for part in parts {
            let (part, part_stats) = part?;
            take_part(part);
            stats.merge(part_stats);
        }
        Ok(())
    })?;
    Ok(stats)
}

/// A query log, decoded: CloudWatch Logs subscription payloads, or lines.
enum Opened<R> {
    Payloads(R),
    Lines(R),
}

/// Decodes a query log (gzip or plain) and tells its kind: query logs delivered
/// through CloudWatch Logs are subscription payloads (as a subscription or Firehose
/// writes them), each log event one query log line, told by their first key in the
/// first KiB.
fn open_log<R: Read>(input: &str, reader: R) -> Result<Opened<impl BufRead>, LoadError> {
    let read_error = |source| LoadError::Read {
        input: input.to_owned(),
        source,
    };
    let mut decoded = crate::decode::decode(reader).map_err(read_error)?;
    let mut head = Vec::with_capacity(1024);
    (&mut decoded)
        .take(1024)
        .read_to_end(&mut head)
        .map_err(read_error)?;
    let payloads = memchr::memmem::find(&head, b"\"messageType\"").is_some();
    let reader = BufReader::with_capacity(1 << 16, std::io::Cursor::new(head).chain(decoded));
    Ok(if payloads {
        Opened::Payloads(reader)
    } else {
        Opened::Lines(reader)
    })
}

/// Hands the lines of a query log to `each_block`, a block at a time, in order. One
/// thread reads (and gunzips) the next blocks while `each_block` works on one (with
/// the workers): JSON parsing is most of the time, decompression the rest. At most two
/// blocks wait, so memory stays a few blocks whatever the log's size. The first error
/// of `each_block` ends the read.
fn read_blocks<R: BufRead + Send>(
    input: &str,
    mut reader: R,
    mut each_block: impl FnMut(&Block) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    std::thread::scope(|scope| -> Result<(), LoadError> {
        let (send, blocks) = std::sync::mpsc::sync_channel::<std::io::Result<Block>>(2);
        scope.spawn(move || {
            let mut numbered = 0u64;
            loop {
                let block = Block::read(&mut reader, &mut numbered);
                let done = matches!(&block, Ok(b) if b.lines.is_empty()) || block.is_err();
                if send.send(block).is_err() || done {
                    return;
                }
            }
        });
        for block in blocks {
            let block = block.map_err(|source| LoadError::Read {
                input: input.to_owned(),
                source,
            })?;
            if block.lines.is_empty() {
                break;
            }
            each_block(&block)?;
        }
        // An error above drops the receiver: the reader stops at its next block, and
        // the scope waits for it.
        Ok(())
    })
}

/// Whole lines of a query log, read together: their text, and each non-blank line's
/// number and span (`None`: longer than [`crate::engine::MAX_LINE_BYTES`], skipped
/// without being held).
struct Block {
    text: Vec<u8>,
    lines: Vec<(u64, Option<(usize, usize)>)>,
}

impl Block {
    /// About this many bytes of lines a block.
    const BYTES: usize = 1 << 22;

    /// The next block of lines (none at the end), numbering them from `numbered`.
    fn read(reader: &mut impl BufRead, numbered: &mut u64) -> std::io::Result<Block> {
        let limit = crate::engine::MAX_LINE_BYTES;
        let mut block = Block {
            text: Vec::with_capacity(Self::BYTES + 1024),
            lines: Vec::new(),
        };
        while block.text.len() < Self::BYTES {
            let start = block.text.len();
            let n = (&mut *reader)
                .take(limit as u64 + 1)
                .read_until(b'\n', &mut block.text)?;
            if n == 0 {
                break;
            }
            *numbered += 1;
            if block.text.len() - start > limit && block.text.last() != Some(&b'\n') {
                block.text.truncate(start);
                // Skip the rest of the line without holding it.
                let mut rest = Vec::new();
                loop {
                    rest.clear();
                    let more = (&mut *reader)
                        .take(limit as u64)
                        .read_until(b'\n', &mut rest)?;
                    if more == 0 || rest.last() == Some(&b'\n') {
                        break;
                    }
                }
                block.lines.push((*numbered, None));
                continue;
            }
            if block.text[start..].trim_ascii().is_empty() {
                block.text.truncate(start);
                continue;
            }
            block
                .lines
                .push((*numbered, Some((start, block.text.len()))));
        }
        Ok(block)
    }

    /// One line's query.
    fn parse(&self, span: Option<(usize, usize)>) -> Result<Option<Query>, QueryError> {
        match span {
            Some((start, end)) => query::parse_line(self.text[start..end].trim_ascii()),
            None => Err(QueryError {
                field: "line".into(),
                message: format!("longer than {} bytes", crate::engine::MAX_LINE_BYTES),
            }),
        }
    }
}

/// [`read_queries`] of CloudWatch Logs subscription payloads, one or several back to
/// back (plain JSON once decoded), one at a time: each log event of a `DATA_MESSAGE`
/// is a query log line, numbered in the input (`log event N`).
fn read_payloads<R: Read>(
    input: &str,
    reader: R,
    strict: bool,
    mut each: impl FnMut(Query),
) -> Result<LoadStats, LoadError> {
    use crate::source::cloudwatch::SubscriptionPayload;
    let mut stats = LoadStats::default();
    let mut number = 0u64;
    for payload in serde_json::Deserializer::from_reader(reader).into_iter::<SubscriptionPayload>()
    {
        let payload = payload.map_err(|source| LoadError::Payload {
            input: input.to_owned(),
            source,
        })?;
        stats.merge(read_events(
            input,
            &payload,
            &mut number,
            strict,
            &mut each,
        )?);
    }
    Ok(stats)
}

/// The query log events of one CloudWatch Logs subscription payload (none for a
/// `CONTROL_MESSAGE`), each handed to `each` as a query; `numbered` counts the events
/// read before it in the same input (errors name `log event N`).
pub fn read_events(
    input: &str,
    payload: &crate::source::cloudwatch::SubscriptionPayload,
    numbered: &mut u64,
    strict: bool,
    mut each: impl FnMut(Query),
) -> Result<LoadStats, LoadError> {
    let mut stats = LoadStats::default();
    if !payload.is_data() {
        return Ok(stats);
    }
    for event in &payload.log_events {
        *numbered += 1;
        let number = *numbered;
        let result = query::parse_line(event.message.trim().as_bytes());
        stats.take(result, strict, &mut each, |error| {
            LoadError::MalformedEvent {
                input: input.to_owned(),
                event: number,
                error,
            }
        })?;
    }
    Ok(stats)
}

/// Which name a client resolved to an address, by time: read-only, shared by the
/// workers.
#[derive(Debug)]
pub struct NameIndex {
    window: i64,
    names: Vec<Box<str>>,
    vpc_ids: Map<Box<str>, u32>,
    /// Which addresses any query answered: the others need no probe.
    answered: AddressFilter,
    by_client: PairTable,
    by_vpc: PairTable,
}

/// The queries a table found, as a slice.
fn found_slice<'t>(found: &'t Found<'t>) -> &'t [Seen] {
    match found {
        Found::One(s) => std::slice::from_ref(s),
        Found::Many(list) => list,
    }
}

/// The latest entry of `list` (sorted by time) in `[start - window, start]` that
/// `keep` accepts.
fn latest(list: &[Seen], start: i64, window: i64, keep: impl Fn(&Seen) -> bool) -> Option<Seen> {
    let end = list.partition_point(|s| s.time <= start);
    list[..end]
        .iter()
        .rev()
        .take_while(|s| s.time >= start.saturating_sub(window))
        .find(|s| keep(s))
        .copied()
}

impl NameIndex {
    /// The window, seconds.
    pub fn window_seconds(&self) -> i64 {
        self.window
    }

    /// Distinct names held.
    pub fn names(&self) -> usize {
        self.names.len()
    }

    /// The name `client` (else another client of `vpc`) resolved to `remote` most
    /// recently at or before `start`, within the window. A flow whose VPC is unknown
    /// (a default-format record without an inventory) takes its client's queries in
    /// any VPC, and no VPC's.
    pub fn lookup(
        &self,
        vpc: Option<&str>,
        client: IpAddr,
        remote: IpAddr,
        start: i64,
    ) -> Option<Named<'_>> {
        if !self.answered.may_hold(remote) {
            return None;
        }
        let vpc = match vpc {
            Some(v) => Some(*self.vpc_ids.get(v)?),
            None => None,
        };
        let named = |s: Seen, source| {
            Some(Named {
                name: self.names.get(s.name as usize)?,
                id: s.name,
                source,
            })
        };
        if let Some(found) = self
            .by_client
            .get(table::fingerprint(table::client_key(client, remote)))
            && let Some(seen) = latest(found_slice(&found), start, self.window, |s| {
                vpc.is_none_or(|v| s.vpc == v)
            })
        {
            return named(seen, NameSource::Client);
        }
        let found = self
            .by_vpc
            .get(table::fingerprint(table::vpc_key(vpc?, remote)))?;
        let seen = latest(found_slice(&found), start, self.window, |_| true)?;
        named(seen, NameSource::Vpc)
    }

    /// Starts fetching what [`NameIndex::lookup`] of `client` and `remote` reads (its
    /// client's entry, and its VPC's when `vpc` is known), so that it is in cache when
    /// the record is summed.
    #[inline(always)]
    pub fn prefetch(&self, vpc: Option<&str>, client: IpAddr, remote: IpAddr) {
        // Not `may_hold`: reading the filter's word here would wait for it, the miss
        // this step exists to hide. Its word and both slots are fetched instead.
        if !self.answered.prefetch(remote) {
            return;
        }
        let (h, _) = table::fingerprint(table::client_key(client, remote));
        self.by_client.prefetch(h);
        // The VPC's entry too, when the record names its VPC: read when the client
        // did not ask.
        if let Some(v) = vpc.and_then(|v| self.vpc_ids.get(v)) {
            let (h, _) = table::fingerprint(table::vpc_key(*v, remote));
            self.by_vpc.prefetch(h);
        }
    }
}

/// The addresses the queries for `name` (any case, with or without its trailing dot)
/// answered, in address order.
pub fn addresses_of(queries: &[Query], name: &str) -> Vec<IpAddr> {
    let wanted = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let mut out: Vec<IpAddr> = queries
        .iter()
        .filter(|q| q.name == wanted)
        .flat_map(|q| q.addresses.iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The queries that resolved to `address`, by time (then client, then name).
pub fn resolved_to(queries: &[Query], address: IpAddr) -> Vec<&Query> {
    let mut out: Vec<&Query> = queries
        .iter()
        .filter(|q| q.addresses.contains(&address))
        .collect();
    out.sort_by(|a, b| (a.time, a.client, &a.name).cmp(&(b.time, b.client, &b.name)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn q(vpc: &str, client: &str, time: i64, name: &str, address: &str) -> Query {
        Query {
            account_id: None,
            vpc_id: vpc.into(),
            client: ip(client),
            time,
            name: name.into(),
            addresses: vec![ip(address)],
        }
    }

    fn index(queries: &[Query], window: i64) -> NameIndex {
        let mut b = NameIndexBuilder::new();
        for x in queries {
            b.add(x);
        }
        b.finish(window)
    }

    #[test]
    fn the_client_then_its_vpc_within_the_window_before_the_flow() {
        let i = index(
            &[
                q("vpc-1", "10.0.0.1", 1000, "a.example", "52.0.0.1"),
                q("vpc-1", "10.0.0.2", 1500, "b.example", "52.0.0.1"),
                q("vpc-1", "10.0.0.1", 6000, "late.example", "52.0.0.1"),
            ],
            3600,
        );
        let at = |client: &str, start| {
            i.lookup(Some("vpc-1"), ip(client), ip("52.0.0.1"), start)
                .map(|n| (n.name, n.source))
        };
        // The client's own query wins over a later one of its VPC.
        assert_eq!(
            at("10.0.0.1", 2000),
            Some(("a.example", NameSource::Client))
        );
        // Another client: the VPC's latest.
        assert_eq!(at("10.0.0.3", 2000), Some(("b.example", NameSource::Vpc)));
        // Before any query: nothing.
        assert_eq!(at("10.0.0.1", 999), None);
        // The same second counts.
        assert_eq!(
            at("10.0.0.1", 1000),
            Some(("a.example", NameSource::Client))
        );
        // Past the window of the client's query, the VPC's is still in it.
        assert_eq!(at("10.0.0.1", 4700), Some(("b.example", NameSource::Vpc)));
        // A name's number is the same whoever asked.
        let id = |client: &str, start| {
            i.lookup(Some("vpc-1"), ip(client), ip("52.0.0.1"), start)
                .map(|n| n.id)
        };
        assert_eq!(id("10.0.0.1", 2000), Some(0));
        assert_eq!(id("10.0.0.3", 2000), Some(1));
        assert_eq!(id("10.0.0.2", 2000), Some(1));
        // Past both: nothing, until the client asks again.
        assert_eq!(at("10.0.0.1", 5101), None);
        assert_eq!(
            at("10.0.0.1", 6000),
            Some(("late.example", NameSource::Client))
        );
        // Another VPC, or an address nobody resolved: nothing.
        assert_eq!(
            i.lookup(Some("vpc-2"), ip("10.0.0.1"), ip("52.0.0.1"), 2000),
            None
        );
        assert_eq!(
            i.lookup(Some("vpc-1"), ip("10.0.0.1"), ip("52.0.0.9"), 2000),
            None
        );
        // No VPC known: the client's queries only.
        assert_eq!(
            i.lookup(None, ip("10.0.0.1"), ip("52.0.0.1"), 2000)
                .map(|n| (n.name, n.source)),
            Some(("a.example", NameSource::Client))
        );
        assert_eq!(i.lookup(None, ip("10.0.0.3"), ip("52.0.0.1"), 2000), None);
    }

    #[test]
    fn what_resolved_to_an_address_and_what_a_name_resolved_to() {
        let qs = [
            q("vpc-1", "10.0.0.2", 1500, "b.example", "52.0.0.1"),
            q("vpc-1", "10.0.0.1", 1000, "a.example", "52.0.0.1"),
            q("vpc-2", "10.0.0.1", 1200, "a.example", "52.0.0.2"),
        ];
        let found: Vec<(&str, IpAddr, i64, &str)> = resolved_to(&qs, ip("52.0.0.1"))
            .into_iter()
            .map(|q| (q.vpc_id.as_str(), q.client, q.time, q.name.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("vpc-1", ip("10.0.0.1"), 1000, "a.example"),
                ("vpc-1", ip("10.0.0.2"), 1500, "b.example")
            ]
        );
        assert_eq!(
            addresses_of(&qs, "A.example."),
            [ip("52.0.0.1"), ip("52.0.0.2")]
        );
        assert!(addresses_of(&qs, "c.example").is_empty());
    }

    #[test]
    fn query_logs_delivered_through_cloudwatch_logs_are_read_event_by_event() {
        let line = |name: &str| {
            format!(
                "{{\"version\":\"1.100000\",\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-08-22T10:00:01Z\",\"query_name\":\"{name}.\",\"answers\":[{{\"Rdata\":\"52.0.0.1\",\"Type\":\"A\",\"Class\":\"IN\"}}],\"srcaddr\":\"10.0.0.1\"}}"
            )
        };
        let payload = |events: &[String]| {
            serde_json::json!({
                "messageType": "DATA_MESSAGE",
                "owner": "111122223333",
                "logGroup": "/aws/route53resolver/queries",
                "logStream": "vpc-1_i-0abc",
                "subscriptionFilters": ["flowpath"],
                "logEvents": events.iter().enumerate().map(|(i, m)| serde_json::json!({
                    "id": i.to_string(), "timestamp": 1_787_392_801_000_i64, "message": m
                })).collect::<Vec<_>>()
            })
            .to_string()
        };
        let control = r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}"#;
        // Two payloads back to back, as Firehose writes them to S3, gzip, and a
        // control message between them.
        let text = format!(
            "{}{control}{}",
            payload(&[line("a.example"), "not json".into()]),
            payload(&[line("b.example")])
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let mut names = Vec::new();
        let stats = read_queries("p.gz", &gz[..], false, |q| names.push(q.name)).unwrap();
        assert_eq!(names, ["a.example", "b.example"]);
        assert_eq!((stats.lines, stats.queries, stats.malformed), (3, 2, 1));
        assert!(
            stats.examples[0]
                .to_string()
                .starts_with("p.gz: log event 2: line:"),
            "{}",
            stats.examples[0]
        );
        let err = read_queries("p.gz", &gz[..], true, |_| {}).unwrap_err();
        assert!(err.to_string().starts_with("p.gz: log event 2:"), "{err}");
        let err = read_queries("p", &b"{\"messageType\": 5}"[..], false, |_| {}).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p: not a CloudWatch Logs subscription payload:"),
            "{err}"
        );
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("900"), Ok(900));
        assert_eq!(parse_window("15m"), Ok(900));
        assert_eq!(parse_window("1h"), Ok(3600));
        assert_eq!(parse_window("2d"), Ok(172_800));
        assert!(parse_window("1w").is_err());
        assert!(parse_window("h").is_err());
        assert!(parse_window("-5m").is_err());
    }

    #[test]
    fn input_order_does_not_change_an_answer() {
        let qs = [
            q("vpc-1", "10.0.0.1", 1000, "b.example", "52.0.0.1"),
            q("vpc-1", "10.0.0.1", 1000, "a.example", "52.0.0.1"),
            q("vpc-1", "10.0.0.2", 900, "c.example", "52.0.0.1"),
        ];
        let mut reversed = qs.clone();
        reversed.reverse();
        for qs in [&qs[..], &reversed[..]] {
            let i = index(qs, 60);
            let at = |client: &str| {
                i.lookup(Some("vpc-1"), ip(client), ip("52.0.0.1"), 1010)
                    .map(|n| (n.name, n.source))
            };
            assert_eq!(at("10.0.0.1"), Some(("b.example", NameSource::Client)));
            assert_eq!(at("10.0.0.9"), Some(("b.example", NameSource::Vpc)));
        }
    }

    #[test]
    fn reading_counts_and_names_bad_lines() {
        let text = "{\"version\":\"1.1\",\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-08-22T10:00:01Z\",\"query_name\":\"a.example.\",\"answers\":[{\"Rdata\":\"52.0.0.1\",\"Type\":\"A\"}],\"srcaddr\":\"10.0.0.1\"}\n\nnot json\n";
        let mut b = NameIndexBuilder::new();
        let stats = b.add_reader("q.log", text.as_bytes(), false).unwrap();
        assert_eq!((stats.lines, stats.queries, stats.malformed), (2, 1, 1));
        assert!(
            stats.examples[0]
                .to_string()
                .starts_with("q.log: line 3: line: expected"),
            "{}",
            stats.examples[0]
        );
        let err = NameIndexBuilder::new()
            .add_reader("q.log", text.as_bytes(), true)
            .unwrap_err();
        assert!(err.to_string().starts_with("q.log: line 3: line:"), "{err}");
        let long = format!(
            "{}\n{}",
            "x".repeat(crate::engine::MAX_LINE_BYTES + 10),
            text
        );
        let stats = NameIndexBuilder::new()
            .add_reader("q.log", long.as_bytes(), false)
            .unwrap();
        assert_eq!((stats.lines, stats.queries, stats.malformed), (3, 1, 2));
        assert_eq!(
            stats.examples[0].to_string(),
            format!(
                "q.log: line 1: line: longer than {} bytes",
                crate::engine::MAX_LINE_BYTES
            )
        );
    }

    #[test]
    fn logs_of_many_blocks_keep_their_line_numbers_and_order() {
        // About 9 MB: three blocks read by one thread while the workers parse.
        let line = |i: usize| {
            format!(
                "{{\"version\":\"1.1\",\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-08-22T10:00:{:02}Z\",\"query_name\":\"n{i}.example.\",\"answers\":[{{\"Rdata\":\"52.0.{}.{}\",\"Type\":\"A\"}}],\"srcaddr\":\"10.0.0.1\",\"padding\":\"{}\"}}\n",
                i % 60,
                i / 250 % 250,
                i % 250,
                "p".repeat(200)
            )
        };
        let mut text = String::new();
        for i in 1..=30_000 {
            match i {
                20_000 => text.push_str(&format!(
                    "{}\n",
                    "y".repeat(crate::engine::MAX_LINE_BYTES + 1)
                )),
                25_000 => text.push_str("not json\n"),
                27_000 => text.push('\n'),
                _ => text.push_str(&line(i)),
            }
        }
        assert!(text.len() > 2 * Block::BYTES, "{}", text.len());
        let mut names = Vec::new();
        let stats =
            read_queries("big.log", text.as_bytes(), false, |q| names.push(q.name)).unwrap();
        assert_eq!(
            (stats.lines, stats.queries, stats.malformed),
            (29_999, 29_997, 2)
        );
        let examples: Vec<String> = stats.examples.iter().map(ToString::to_string).collect();
        assert!(
            examples[0].starts_with("big.log: line 20000: line: longer than"),
            "{examples:?}"
        );
        assert!(
            examples[1].starts_with("big.log: line 25000: line:"),
            "{examples:?}"
        );
        // Queries reach the index in the log's order.
        let expected: Vec<String> = (1..=30_000)
            .filter(|i| ![20_000, 25_000, 27_000].contains(i))
            .map(|i| format!("n{i}.example"))
            .collect();
        assert_eq!(names, expected);
        let err = read_queries("big.log", text.as_bytes(), true, |_| {}).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("big.log: line 20000: line: longer than"),
            "{err}"
        );
    }

    #[test]
    fn workers_builders_appended_in_order_give_the_index_of_one_by_one() {
        // Three VPCs first seen in different chunks and blocks, clients repeating,
        // addresses answered for several names over time.
        let line = |i: usize| {
            let vpc = ["vpc-a", "vpc-b", "vpc-c"][(i / 7_000) % 3];
            format!(
                "{{\"version\":\"1.1\",\"vpc_id\":\"{vpc}\",\"query_timestamp\":\"2026-08-22T10:{:02}:{:02}Z\",\"query_name\":\"n{}.example.\",\"answers\":[{{\"Rdata\":\"52.0.{}.{}\",\"Type\":\"A\"}}],\"srcaddr\":\"10.0.{}.{}\",\"padding\":\"{}\"}}\n",
                (i / 60) % 60,
                i % 60,
                i % 997,
                i % 7 % 250,
                i % 13,
                i % 5,
                i % 11,
                "p".repeat(300)
            )
        };
        let text: String = (0..21_000).map(line).collect();
        assert!(text.len() > 2 * Block::BYTES);
        let mut parallel = NameIndexBuilder::new();
        let stats = parallel
            .add_reader("q.log", text.as_bytes(), false)
            .unwrap();
        assert_eq!(
            (stats.lines, stats.queries, stats.malformed),
            (21_000, 21_000, 0)
        );
        let mut serial = NameIndexBuilder::new();
        read_queries("q.log", text.as_bytes(), false, |q| serial.add(&q)).unwrap();
        let (parallel, serial) = (parallel.finish(3600), serial.finish(3600));
        assert_eq!(parallel.names(), serial.names());
        let start = 1_787_392_800 + 3_000;
        let mut named = 0;
        for vpc in [None, Some("vpc-a"), Some("vpc-b"), Some("vpc-c")] {
            for c in 0..5u8 {
                for d in 0..11u8 {
                    for x in 0..7u8 {
                        for y in 0..13u8 {
                            let client = IpAddr::from([10, 0, c, d]);
                            let remote = IpAddr::from([52, 0, x, y]);
                            let a = parallel.lookup(vpc, client, remote, start);
                            let b = serial.lookup(vpc, client, remote, start);
                            assert_eq!(a, b, "{vpc:?} {client} {remote}");
                            named += usize::from(a.is_some());
                        }
                    }
                }
            }
        }
        assert!(named > 100, "{named}");
    }
}
