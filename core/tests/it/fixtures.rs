//! The bundled fixtures: golden values asserted row by row, every input path agreeing
//! (plain, gzip, multi-member gzip, chunk sizes, threads), and bad input reported.

use std::io::Write;

use flate2::{Compression, write::GzEncoder};
use flowpath_core::engine::{Options, Summary};
use flowpath_core::format::{Field, Format};
use flowpath_core::output::Counts;
use flowpath_core::output::Row;
use flowpath_core::parse::ParseErrorKind;
use flowpath_core::source::text::summarize;
use flowpath_core::{Error, Ranges};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(crate::fixtures().join(rel)).expect(rel)
}

fn run_bytes(name: &str, bytes: &[u8], opts: &Options) -> Result<Summary, Error> {
    summarize(name, bytes, &Ranges::embedded(), opts)
}

fn rows(name: &str, bytes: &[u8]) -> (Counts, Vec<Row>) {
    let ranges = Ranges::embedded();
    let s = summarize(name, bytes, &ranges, &Options::default()).expect(name);
    (s.stats.counts, s.into_rows(&ranges))
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(p).unwrap();
        out.extend(e.finish().unwrap());
    }
    out
}

/// (direction, path, remote_service, remote_region, action, window hour, flows, packets, bytes)
type Golden<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
    i64,
    i64,
    i64,
);

fn golden(rows: &[Row]) -> Vec<Golden<'_>> {
    rows.iter()
        .map(|r| {
            (
                r.direction.as_str(),
                r.path.as_str(),
                r.remote_service.as_deref(),
                r.remote_region.as_deref(),
                r.action.as_deref(),
                (r.window_start.unwrap() - 1_787_356_800) / 3600,
                r.flows,
                r.packets.unwrap(),
                r.bytes.unwrap(),
            )
        })
        .collect()
}

#[test]
fn v2_default_golden() {
    let (counts, rows) = rows("v2-default.log", &read("flowlogs/v2-default.log"));
    assert_eq!(
        counts,
        Counts {
            read: 9,
            ok: 7,
            nodata: 1,
            skipdata: 1,
            malformed: 0
        }
    );
    assert!(
        rows.iter().all(|r| r.account_id == "123456789012"
            && r.region == "unknown"
            && r.day == "2026-08-22")
    );
    assert!(rows.iter().all(
        |r| r.interface_id.as_deref() == Some("eni-0a1b2c3d4e5f60001") && r.protocol == Some(6)
    ));
    let (s3, euw1, ok) = (Some("S3"), Some("eu-west-1"), Some("ACCEPT"));
    // Sorted by window, then direction, path, service (the summary's row order).
    let want: Vec<Golden<'_>> = vec![
        (
            "egress",
            "public",
            Some("DYNAMODB"),
            euw1,
            ok,
            10,
            1,
            10,
            2400,
        ),
        (
            "egress",
            "public",
            Some("INTERNET"),
            None,
            ok,
            10,
            1,
            5,
            900,
        ),
        ("egress", "public", s3, euw1, ok, 10, 2, 200, 150_000),
        ("ingress", "public", s3, euw1, ok, 10, 1, 300, 410_000),
        (
            "unknown",
            "intra_vpc",
            Some("PRIVATE"),
            None,
            ok,
            10,
            1,
            40,
            7000,
        ),
        (
            "ingress",
            "public",
            Some("INTERNET"),
            None,
            Some("REJECT"),
            11,
            1,
            3,
            180,
        ),
    ];
    assert_eq!(golden(&rows), want);
}

#[test]
fn v5_custom_golden() {
    let ranges = Ranges::embedded();
    let s = summarize(
        "v5-custom.log",
        &read("flowlogs/v5-custom.log")[..],
        &ranges,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        s.stats.counts,
        Counts {
            read: 7,
            ok: 6,
            nodata: 1,
            skipdata: 0,
            malformed: 0
        }
    );
    assert_eq!(
        (s.stats.aws_labels.agree, s.stats.aws_labels.disagree),
        (5, 1)
    );
    assert_eq!(
        s.stats.aws_labels.disagreements,
        [("AMAZON".to_owned(), "DYNAMODB".to_owned(), 1)]
    );
    let rows = s.into_rows(&ranges);
    assert!(
        rows.iter()
            .all(|r| r.account_id == "123456789012" && r.region == "eu-west-1")
    );
    assert!(
        rows.iter()
            .all(|r| r.vpc_id.as_deref() == Some("vpc-0abc1234def567890"))
    );
    assert!(
        rows.iter()
            .all(|r| r.subnet_id.as_deref() == Some("subnet-0abc1234def567891"))
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.direction.as_str(),
                r.path.as_str(),
                r.remote_service.as_deref(),
                r.flows,
                r.bytes.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("egress", "gateway_endpoint", Some("S3"), 1, 64_000),
            ("egress", "internet_gateway", Some("INTERNET"), 1, 1200),
            ("egress", "internet_gateway", Some("S3"), 1, 15_000),
            (
                "egress",
                "internet_gateway_or_gateway_endpoint",
                Some("DYNAMODB"),
                2,
                4100
            ),
            ("ingress", "public", Some("S3"), 1, 91_000),
        ]
    );
}

#[test]
fn headerless_input_uses_the_given_or_default_format() {
    let (counts, rows) = rows("no-header-v2.log", &read("flowlogs/no-header-v2.log"));
    assert_eq!(
        counts,
        Counts {
            read: 2,
            ok: 2,
            nodata: 0,
            skipdata: 0,
            malformed: 0
        }
    );
    assert!(
        rows.iter()
            .all(|r| r.remote_service.as_deref() == Some("S3")
                && r.remote_region.as_deref() == Some("eu-west-1"))
    );
    // The same lines read with a wrong --format are malformed, and reported.
    let opts = Options {
        format: Some(Format::parse("srcaddr dstaddr").unwrap()),
        ..Options::default()
    };
    let s = run_bytes(
        "no-header-v2.log",
        &read("flowlogs/no-header-v2.log"),
        &opts,
    )
    .unwrap();
    assert_eq!(s.stats.counts.malformed, 2);
}

#[test]
fn key_layout_and_multi_member_gzip() {
    let name = "flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1105Z_1a2b3c4d.log.gz";
    let ranges = Ranges::embedded();
    let s = summarize(name, &read(name)[..], &ranges, &Options::default()).unwrap();
    assert!(s.gzip && s.format_from_header);
    assert_eq!(
        s.stats.counts,
        Counts {
            read: 3,
            ok: 3,
            nodata: 0,
            skipdata: 0,
            malformed: 0
        }
    );
    let rows = s.into_rows(&ranges);
    assert!(rows.iter().all(|r| r.region == "eu-west-1"
        && r.account_id == "123456789012"
        && r.day == "2026-08-22"));
    let by_service: Vec<_> = rows
        .iter()
        .map(|r| (r.remote_service.as_deref(), r.flows, r.bytes.unwrap()))
        .collect();
    assert_eq!(
        by_service,
        [(Some("DYNAMODB"), 1, 300), (Some("S3"), 2, 50_000)]
    );
}

#[test]
fn every_input_path_gives_the_same_summary() {
    for file in ["flowlogs/v2-default.log", "flowlogs/v5-custom.log"] {
        let plain = read(file);
        let want = rows(file, &plain);
        assert_eq!(rows(file, &gzip(&[&plain])), want, "{file} gzip");
        let (a, b) = plain.split_at(plain.len() / 3);
        assert_eq!(
            rows(file, &gzip(&[a, b])),
            want,
            "{file} two gzip members split mid-line"
        );
        for (chunk, threads) in [(64, 1), (64, 2), (200, 8)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| {
                let ranges = Ranges::embedded();
                let opts = Options {
                    chunk_bytes: chunk,
                    ..Options::default()
                };
                let s = summarize(file, &plain[..], &ranges, &opts).unwrap();
                (s.stats.counts, s.into_rows(&ranges))
            });
            assert_eq!(got, want, "{file} chunk {chunk} threads {threads}");
        }
    }
}

#[test]
fn malformed_lines_are_counted_and_located() {
    // (file, malformed lines, where: (line, field))
    type Case<'a> = (&'a str, u64, &'a [(u64, Option<Field>)]);
    let cases: [Case<'_>; 4] = [
        ("bad/wrong-field-count.log", 2, &[(3, None), (5, None)]),
        ("bad/bad-integer.log", 1, &[(3, Some(Field::Bytes))]),
        ("bad/bad-address.log", 1, &[(2, Some(Field::Srcaddr))]),
        ("bad/non-utf8.log", 1, &[(3, Some(Field::InterfaceId))]),
    ];
    for (file, malformed, where_) in cases {
        let s = run_bytes(file, &read(file), &Options::default()).unwrap();
        let c = s.stats.counts;
        assert_eq!(c.malformed, malformed, "{file}");
        assert_eq!(c.read, c.ok + c.malformed, "{file}");
        let got: Vec<_> = s
            .stats
            .malformed_examples
            .iter()
            .map(|m| (m.line, m.error.field))
            .collect();
        assert_eq!(got, where_, "{file}");
        // --strict: the first malformed line fails the input, naming file, line and field.
        let err = run_bytes(
            file,
            &read(file),
            &Options {
                strict: true,
                ..Options::default()
            },
        )
        .unwrap_err();
        let first = where_[0];
        assert!(
            err.to_string()
                .starts_with(&format!("{file}: line {}: ", first.0)),
            "{err}"
        );
        if let Some(field) = first.1 {
            assert!(
                err.to_string().contains(&format!("field `{field}`")),
                "{err}"
            );
        }
    }
    let s = run_bytes("x", &read("bad/non-utf8.log"), &Options::default()).unwrap();
    assert_eq!(
        s.stats.malformed_examples[0].error.kind,
        ParseErrorKind::NotUtf8
    );
    let s = run_bytes("x", &read("bad/wrong-field-count.log"), &Options::default()).unwrap();
    assert_eq!(
        s.stats.malformed_examples[0].error.kind,
        ParseErrorKind::TooFewFields {
            expected: 14,
            found: 13
        }
    );
    assert_eq!(
        s.stats.malformed_examples[1].error.kind,
        ParseErrorKind::TooManyFields { expected: 14 }
    );
}

#[test]
fn empty_and_header_only_inputs_have_no_records() {
    for file in ["bad/empty.log", "bad/header-only.log"] {
        let s = run_bytes(file, &read(file), &Options::default()).unwrap();
        assert_eq!(s.stats.counts, Counts::default(), "{file}");
        assert_eq!(s.group_count(), 0);
    }
    let s = run_bytes("e.gz", &gzip(&[b""]), &Options::default()).unwrap();
    assert_eq!(s.stats.counts.read, 0);
}

#[test]
fn unusable_inputs_fail_with_their_name() {
    let err = run_bytes(
        "bad/truncated.log.gz",
        &read("bad/truncated.log.gz"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Decompress { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("bad/truncated.log.gz: bad gzip data"),
        "{err}"
    );
    let err = run_bytes(
        "bad/not-gzip-after-magic.log.gz",
        &read("bad/not-gzip-after-magic.log.gz"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bad/not-gzip-after-magic.log.gz: bad gzip data"),
        "{err}"
    );
    let err = run_bytes(
        "bad/bad-header.log",
        &read("bad/bad-header.log"),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad/bad-header.log: line 1: bad format: field `srcaddr` appears twice in the format"
    );
}

/// `Summary::encode` (borrowed rows) writes exactly the files that owned rows give.
#[test]
fn encode_gives_the_bytes_of_owned_rows() {
    let ranges = Ranges::embedded();
    let inputs = [
        "flowlogs/v2-default.log",
        "flowlogs/v5-custom.log",
        "flowlogs/no-header-v2.log",
        "flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1110Z_5f6a7b8c.log",
    ];
    // Records over two days, a day without a window (NODATA has `start`; a `-` start
    // does not), and several accounts and regions: more than one partition.
    let mixed = "version account-id region interface-id srcaddr dstaddr packets bytes start action log-status\n\
                 2 111111111111 us-east-1 eni-1 10.0.0.1 3.5.98.40 1 100 1787392810 ACCEPT OK\n\
                 2 111111111111 us-east-1 eni-1 10.0.0.1 3.5.98.40 1 100 1787479210 ACCEPT OK\n\
                 2 111111111111 eu-west-1 eni-2 10.0.0.2 52.94.26.1 1 50 1787392810 REJECT OK\n\
                 2 222222222222 us-east-1 eni-3 10.0.0.3 203.0.113.9 1 70 - ACCEPT OK\n";
    let mut all: Vec<(String, Vec<u8>)> = inputs
        .iter()
        .map(|rel| (rel.to_string(), read(rel)))
        .collect();
    all.push(("mixed.log".to_owned(), mixed.as_bytes().to_vec()));
    for (name, bytes) in all {
        let owned = summarize(&name, &bytes[..], &ranges, &Options::default()).unwrap();
        let borrowed = summarize(&name, &bytes[..], &ranges, &Options::default()).unwrap();
        let (meta, partitions) = owned.into_partitions(&ranges);
        let expected: Vec<(String, Vec<u8>)> = partitions
            .iter()
            .map(|p| {
                let mut body = Vec::new();
                flowpath_core::output::write_parquet(&mut body, &p.rows, &meta).unwrap();
                (p.dir(), body)
            })
            .collect();
        let (meta2, files) = borrowed.encode(&ranges).unwrap();
        // The top talkers beside are their own table (`talkers`' tests).
        let files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter(|(dir, _)| !dir.starts_with(flowpath_core::talkers::TABLE_DIR))
            .collect();
        assert_eq!(meta, meta2);
        assert_eq!(files, expected, "{name}");
        if name == "mixed.log" {
            let dirs: Vec<&str> = files.iter().map(|(d, _)| d.as_str()).collect();
            assert_eq!(
                dirs,
                [
                    "account_id=111111111111/region=eu-west-1/day=2026-08-22",
                    "account_id=111111111111/region=us-east-1/day=2026-08-22",
                    "account_id=111111111111/region=us-east-1/day=2026-08-23",
                    "account_id=222222222222/region=us-east-1/day=unknown",
                ]
            );
        }
    }
}

#[test]
fn v7_and_v8_dimensions_are_summary_columns() {
    // A v8 custom format with the ECS names and `reject-reason`, as AWS writes it:
    // `-` where a record has no value (not an ECS task, not rejected by Block Public
    // Access).
    let text = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status ecs-cluster-name ecs-service-name reject-reason
8 123456789012 eni-1 10.0.1.5 3.5.98.10 41000 443 6 10 5000 1787400000 1787400060 ACCEPT OK backend payments -
8 123456789012 eni-1 10.0.1.5 3.5.98.10 41001 443 6 10 7000 1787400000 1787400060 ACCEPT OK backend payments -
8 123456789012 eni-1 198.51.100.7 10.0.1.5 51000 22 6 1 60 1787400000 1787400060 REJECT OK - - BPA
8 123456789012 eni-1 198.51.100.8 10.0.1.5 51001 22 6 1 60 1787400000 1787400060 REJECT OK - - -
";
    let (counts, rows) = rows("v8.log", text);
    assert_eq!((counts.ok, counts.malformed), (4, 0));
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.ecs_cluster_name.as_deref(),
                r.ecs_service_name.as_deref(),
                r.reject_reason.as_deref(),
                r.action.as_deref(),
                r.flows,
                r.bytes,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // Egress first (rows sort by direction before the new columns).
            (
                Some("backend"),
                Some("payments"),
                None,
                Some("ACCEPT"),
                2,
                Some(12_000)
            ),
            (None, None, None, Some("REJECT"), 1, Some(60)),
            (None, None, Some("BPA"), Some("REJECT"), 1, Some(60)),
        ]
    );
}
