//! What the fuzz targets share: the ranges and thread pools built once, a summary
//! reduced to what two runs must agree on, the invariants every summary keeps, and a
//! record's value by field.

use std::sync::OnceLock;

use flowpath_core::Ranges;
use flowpath_core::engine::{Options, Stats, Summary};
use flowpath_core::error::Error;
use flowpath_core::format::{Field, Format};
use flowpath_core::output::Row;
use flowpath_core::parse::ParseErrorKind;
use flowpath_core::record::Record;
use flowpath_core::transit::TransitRow;

/// The embedded ranges, resolved once per process.
pub fn ranges() -> &'static Ranges {
    static RANGES: OnceLock<Ranges> = OnceLock::new();
    RANGES.get_or_init(Ranges::embedded)
}

/// A rayon pool of `threads` threads (1 or 3), built once per process: results must
/// not depend on how many threads share the chunks.
pub fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static ONE: OnceLock<rayon::ThreadPool> = OnceLock::new();
    static THREE: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let cell = if threads <= 1 { &ONE } else { &THREE };
    cell.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.clamp(1, 3))
            .build()
            .expect("a thread pool")
    })
}

/// Everything a summary says, in comparable form; an error as its message.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub format: Format,
    pub format_from_header: bool,
    pub gzip: bool,
    pub stats: Stats,
    pub rows: Vec<Row>,
    /// A transit gateway log's rows (its own table); empty for a VPC log.
    pub transit_rows: Vec<TransitRow>,
}

/// The outcome of a summarize call, with its invariants checked; an error as
/// `kind: message`.
pub fn outcome(result: Result<Summary, Error>, opts: &Options) -> Result<Outcome, String> {
    let s = result.map_err(|e| format!("{}: {e}", error_kind(&e)))?;
    let outcome = Outcome {
        format: s.format.clone(),
        format_from_header: s.format_from_header,
        gzip: s.gzip,
        stats: s.stats.clone(),
        transit_rows: s.transit_rows(ranges()),
        rows: s.into_rows(ranges()),
    };
    check(&outcome, opts);
    Ok(outcome)
}

/// The kind of an error, as [`outcome`] names it.
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Format { .. } => "format",
        Error::Decompress { .. } => "decompress",
        Error::Read { .. } => "read",
        Error::Malformed { .. } => "malformed",
        Error::MalformedRow { .. } => "malformed-row",
        Error::BadParquet { .. } => "bad-parquet",
        Error::ParquetSchema { .. } => "parquet-schema",
        _ => "other",
    }
}

/// The invariants of one summary: every record counted once, in exactly one class;
/// every record with traffic in exactly one group; the examples the first
/// malformed records, in order.
pub fn check(o: &Outcome, opts: &Options) {
    let c = o.stats.counts;
    assert_eq!(
        c.read,
        c.ok + c.nodata + c.skipdata + c.malformed,
        "read = ok + nodata + skipdata + malformed: {c:?}"
    );
    // A log's records are in one table: the VPC table, or a transit gateway log's own.
    assert!(
        o.rows.is_empty() || o.transit_rows.is_empty(),
        "one table per input"
    );
    assert_eq!(
        !o.transit_rows.is_empty(),
        o.format.is_transit_gateway() && c.ok > 0,
        "a transit gateway format's records, and only those, in the transit table"
    );
    let flows: i64 = o.rows.iter().map(|r| r.flows).sum::<i64>()
        + o.transit_rows.iter().map(|r| r.flows).sum::<i64>();
    assert_eq!(
        u64::try_from(flows).ok(),
        Some(c.ok),
        "flows of the rows = ok"
    );
    assert!(o.rows.iter().all(|r| r.flows > 0), "no empty group");
    assert!(o.transit_rows.iter().all(|r| r.flows > 0), "no empty group");
    let examples = &o.stats.malformed_examples;
    // A group whose sum passes INT64 makes all its records malformed, with one example
    // at line 0 that describes the group; every other example is one line's, in order.
    let (groups, lines): (Vec<_>, Vec<_>) = examples
        .iter()
        .partition(|m| m.error.kind == ParseErrorKind::SumTooLarge);
    assert!(
        groups.iter().all(|m| m.line == 0),
        "a group's example is at line 0"
    );
    assert!(
        lines.iter().all(|m| m.line >= 1),
        "a line's example has its line"
    );
    assert!(
        lines.windows(2).all(|w| w[0].line < w[1].line),
        "examples in line order, each once"
    );
    let kept = usize::try_from(c.malformed).unwrap_or(usize::MAX);
    if groups.is_empty() {
        assert_eq!(examples.len(), kept.min(opts.max_examples), "examples kept");
    } else {
        assert!(examples.len() <= opts.max_examples.max(1), "examples kept");
        assert!(
            groups.len() <= kept,
            "a group's example stands for its records"
        );
    }
    assert!(
        o.rows.windows(2).all(|w| w[0] < w[1]),
        "rows sorted and distinct"
    );
    if c.ok > 0 {
        assert!(o.stats.min_start <= o.stats.max_start);
    }
}

/// Whether `rec` holds a value for `field`.
pub fn has_value(rec: &Record<'_>, field: Field) -> bool {
    match field {
        Field::Version => rec.version.is_some(),
        Field::AccountId => rec.account_id.is_some(),
        Field::InterfaceId => rec.interface_id.is_some(),
        Field::Srcaddr => rec.srcaddr.is_some(),
        Field::Dstaddr => rec.dstaddr.is_some(),
        Field::Srcport => rec.srcport.is_some(),
        Field::Dstport => rec.dstport.is_some(),
        Field::Protocol => rec.protocol.is_some(),
        Field::Packets => rec.packets.is_some(),
        Field::Bytes => rec.bytes.is_some(),
        Field::Start => rec.start.is_some(),
        Field::End => rec.end.is_some(),
        Field::Action => rec.action.is_some(),
        Field::LogStatus => rec.log_status.is_some(),
        Field::VpcId => rec.vpc_id.is_some(),
        Field::SubnetId => rec.subnet_id.is_some(),
        Field::InstanceId => rec.instance_id.is_some(),
        Field::TcpFlags => rec.tcp_flags.is_some(),
        Field::Type => rec.traffic_type.is_some(),
        Field::PktSrcaddr => rec.pkt_srcaddr.is_some(),
        Field::PktDstaddr => rec.pkt_dstaddr.is_some(),
        Field::Region => rec.region.is_some(),
        Field::AzId => rec.az_id.is_some(),
        Field::SublocationType => rec.sublocation_type.is_some(),
        Field::SublocationId => rec.sublocation_id.is_some(),
        Field::PktSrcAwsService => rec.pkt_src_aws_service.is_some(),
        Field::PktDstAwsService => rec.pkt_dst_aws_service.is_some(),
        Field::FlowDirection => rec.flow_direction.is_some(),
        Field::TrafficPath => rec.traffic_path.is_some(),
        Field::EcsClusterArn
        | Field::EcsClusterName
        | Field::EcsContainerInstanceArn
        | Field::EcsContainerInstanceId
        | Field::EcsContainerId
        | Field::EcsSecondContainerId
        | Field::EcsServiceName
        | Field::EcsTaskDefinitionArn
        | Field::EcsTaskArn
        | Field::EcsTaskId
        | Field::RejectReason => rec.extra(field).is_some(),
        Field::PacketsLostNoRoute
        | Field::PacketsLostBlackhole
        | Field::PacketsLostMtuExceeded
        | Field::PacketsLostTtlExpired => rec.packets_lost(field).is_some(),
        _ => rec.tgw(field).is_some(),
    }
}

/// A format chosen by the fuzzer: each selector byte picks a known field (skipped when
/// already picked) or an unknown name; no selector is the default v2 format.
pub fn format_from(selectors: &[u8]) -> Format {
    use flowpath_core::format::Column;
    let mut columns: Vec<Column> = Vec::new();
    for (i, &b) in selectors.iter().enumerate() {
        let pick = usize::from(b) % (Field::ALL.len() + 1);
        match Field::ALL.get(pick) {
            Some(&f) if columns.contains(&Column::Known(f)) => {}
            Some(&f) => columns.push(Column::Known(f)),
            None => columns.push(Column::Unknown(format!("x-{i}"))),
        }
    }
    if columns.is_empty() {
        return Format::v2();
    }
    Format::from_columns(columns).expect("distinct known fields make a format")
}
