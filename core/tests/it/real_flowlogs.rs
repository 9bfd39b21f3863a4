//! Every real sample in `../shared/real-flowlogs/` parses with the values its
//! SOURCES.md gives.

use std::net::IpAddr;

use flowpath_core::Ranges;
use flowpath_core::engine::Options;
use flowpath_core::format::{Field, Format};
use flowpath_core::output::Counts;
use flowpath_core::parse::{ParseErrorKind, parse_line};
use flowpath_core::record::{Action, FlowDirection, LogStatus, Record};
use flowpath_core::source::text::summarize;

/// The file's lines after the header, and the header's format.
fn load(name: &str) -> Option<(Format, Vec<String>)> {
    let dir = crate::skip::shared_dir("real flow-log samples")?;
    let text = std::fs::read_to_string(dir.join("real-flowlogs").join(name)).expect(name);
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let format = Format::from_header(header.as_bytes())
        .expect("is a header")
        .expect("valid header");
    Some((format, lines.map(str::to_owned).collect()))
}

fn parse_all<'a>(format: &Format, lines: &'a [String]) -> Vec<Record<'a>> {
    lines
        .iter()
        .map(|l| parse_line(format, l.as_bytes()).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn counts(
    name: &str,
) -> (
    Counts,
    flowpath_core::engine::Stats,
    Vec<flowpath_core::output::Row>,
) {
    summarized(name, true)
}

/// [`counts`], with `strict` as given.
fn summarized(
    name: &str,
    strict: bool,
) -> (
    Counts,
    flowpath_core::engine::Stats,
    Vec<flowpath_core::output::Row>,
) {
    let dir = crate::skip::shared_dir("real flow-log samples").expect("checked by load()");
    let file = std::fs::File::open(dir.join("real-flowlogs").join(name)).expect(name);
    let ranges = Ranges::embedded();
    let s = summarize(
        name,
        file,
        &ranges,
        &Options {
            strict,
            ..Options::default()
        },
    )
    .expect(name);
    let stats = s.stats.clone();
    (stats.counts, stats, s.into_rows(&ranges))
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("test address"))
}

#[test]
fn aws_docs_v2_examples() {
    let Some((format, lines)) = load("aws-docs-v2-examples.log") else {
        return;
    };
    assert_eq!(format, Format::v2());
    let r = parse_all(&format, &lines);
    assert_eq!(r.len(), 5);
    let first = &r[0];
    assert_eq!(first.version, Some(2));
    assert_eq!(first.account_id, Some("123456789010"));
    assert_eq!(first.interface_id, Some("eni-1235b8ca123456789"));
    assert_eq!(
        (first.srcaddr, first.dstaddr),
        (ip("172.31.16.139"), ip("172.31.16.21"))
    );
    assert_eq!(
        (first.srcport, first.dstport, first.protocol),
        (Some(20641), Some(22), Some(6))
    );
    assert_eq!((first.packets, first.bytes), (Some(20), Some(4249)));
    assert_eq!(
        (first.start, first.end),
        (Some(1418530010), Some(1418530070))
    );
    assert_eq!(
        (first.action, first.log_status),
        (Some(Action::Accept), Some(LogStatus::Ok))
    );
    assert_eq!(
        (r[1].srcaddr, r[1].dstaddr, r[1].dstport),
        (ip("172.31.9.69"), ip("172.31.9.12"), Some(3389))
    );
    assert_eq!(r[1].action, Some(Action::Reject));
    assert_eq!(
        (r[2].log_status, r[2].srcaddr, r[2].start, r[2].end),
        (
            Some(LogStatus::NoData),
            None,
            Some(1431280876),
            Some(1431280934)
        )
    );
    for (rec, action) in [(&r[3], Action::Accept), (&r[4], Action::Reject)] {
        assert_eq!(
            (rec.protocol, rec.srcport, rec.dstport),
            (Some(1), Some(0), Some(0))
        );
        assert_eq!(
            (rec.packets, rec.bytes, rec.action),
            (Some(4), Some(336), Some(action))
        );
    }
    let (c, _, rows) = counts("aws-docs-v2-examples.log");
    assert_eq!(
        c,
        Counts {
            read: 5,
            ok: 4,
            nodata: 1,
            skipdata: 0,
            malformed: 0
        }
    );
    // The ICMP pair: inbound from 203.0.113.12 (documentation space: INTERNET), outbound rejected.
    let icmp: Vec<_> = rows.iter().filter(|r| r.protocol == Some(1)).collect();
    assert_eq!(icmp.len(), 2);
    assert!(
        icmp.iter()
            .all(|r| r.remote_service.as_deref() == Some("INTERNET") && r.path == "public")
    );
    assert_eq!(
        icmp.iter()
            .map(|r| r.direction.as_str())
            .collect::<Vec<_>>(),
        ["egress", "ingress"]
    );
}

#[test]
fn aws_docs_v2_ipv6_and_skipdata() {
    let Some((format, lines)) = load("aws-docs-v2-ipv6-skipdata.log") else {
        return;
    };
    let r = parse_all(&format, &lines);
    assert_eq!(r[0].srcaddr, ip("2001:db8:1234:a100:8d6e:3477:df66:f105"));
    assert_eq!(r[0].dstaddr, ip("2001:db8:1234:a102:3304:8879:34cf:4071"));
    assert_eq!(
        (r[0].srcport, r[0].dstport, r[0].packets, r[0].bytes),
        (Some(34892), Some(22), Some(54), Some(8855))
    );
    assert_eq!((r[0].start, r[0].end), (Some(1477913708), Some(1477913820)));
    assert_eq!(r[1].interface_id, Some("eni-11111111aaaaaaaaa"));
    assert_eq!(
        (r[1].log_status, r[1].action, r[1].bytes),
        (Some(LogStatus::SkipData), None, None)
    );
    let (c, _, rows) = counts("aws-docs-v2-ipv6-skipdata.log");
    assert_eq!(
        c,
        Counts {
            read: 2,
            ok: 1,
            nodata: 0,
            skipdata: 1,
            malformed: 0
        }
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].remote_service.as_deref(), Some("INTERNET"));
}

#[test]
fn aws_docs_tcp_flags_v3() {
    let Some((format, lines)) = load("aws-docs-tcp-flags-v3.log") else {
        return;
    };
    assert_eq!(format.version(), 3);
    let r = parse_all(&format, &lines);
    assert_eq!(r.len(), 10);
    let flags: Vec<_> = r[..8].iter().map(|x| x.tcp_flags).collect();
    assert_eq!(flags, [2, 18, 2, 18, 1, 1, 3, 19].map(Some));
    assert_eq!(
        (r[0].bytes, r[0].packets, r[0].traffic_type),
        (Some(568), Some(8), Some("IPv4"))
    );
    assert_eq!(
        (r[0].srcaddr, r[0].pkt_srcaddr),
        (ip("52.213.180.42"), ip("52.213.180.42"))
    );
    assert_eq!((r[5].bytes, r[5].packets), (Some(23294588), Some(15774)));
    assert_eq!(
        (r[8].log_status, r[8].tcp_flags, r[8].srcaddr),
        (Some(LogStatus::SkipData), None, None)
    );
    assert_eq!(r[9].log_status, Some(LogStatus::NoData));
    let (c, _, _) = counts("aws-docs-tcp-flags-v3.log");
    assert_eq!(
        c,
        Counts {
            read: 10,
            ok: 8,
            nodata: 1,
            skipdata: 1,
            malformed: 0
        }
    );
}

#[test]
fn aws_docs_nat_gateway() {
    let Some((format, lines)) = load("aws-docs-nat-gateway-v3.log") else {
        return;
    };
    assert!(!format.has(Field::Version));
    let r = parse_all(&format, &lines);
    assert_eq!(r.len(), 6);
    assert_eq!(
        (r[0].instance_id, r[0].interface_id),
        (None, Some("eni-1235b8ca123456789"))
    );
    assert_eq!(
        (r[0].srcaddr, r[0].dstaddr, r[0].pkt_dstaddr),
        (ip("10.0.1.5"), ip("10.0.0.220"), ip("203.0.113.5"))
    );
    assert_eq!(
        (r[3].srcaddr, r[3].pkt_srcaddr),
        (ip("10.0.0.220"), ip("203.0.113.5"))
    );
    assert_eq!(
        (r[4].instance_id, r[4].interface_id),
        (Some("i-01234567890123456"), Some("eni-1111aaaa2222bbbb3"))
    );
    assert_eq!(r[4].pkt_dstaddr, r[4].dstaddr);
    let (c, _, rows) = counts("aws-docs-nat-gateway-v3.log");
    assert_eq!(
        c,
        Counts {
            read: 6,
            ok: 6,
            nodata: 0,
            skipdata: 0,
            malformed: 0
        }
    );
    // No start field: rows have no window and land in day=unknown; no account either.
    assert!(
        rows.iter()
            .all(|r| r.window_start.is_none() && r.day == "unknown" && r.account_id == "unknown")
    );
    assert_eq!(rows.iter().map(|r| r.flows).sum::<i64>(), 6);
}

#[test]
fn aws_docs_transit_gateway() {
    let Some((format, lines)) = load("aws-docs-transit-gateway-v3.log") else {
        return;
    };
    let r = parse_all(&format, &lines);
    assert_eq!(r.len(), 4);
    assert_eq!(
        r.iter().map(|x| x.tcp_flags).collect::<Vec<_>>(),
        [3, 19, 3, 19].map(Some)
    );
    assert_eq!(
        (r[0].subnet_id, r[0].instance_id),
        (
            Some("subnet-22222222bbbbbbbbb"),
            Some("i-01234567890123456")
        )
    );
    assert_eq!(
        (r[2].srcaddr, r[2].pkt_srcaddr, r[2].instance_id),
        (ip("10.40.1.175"), ip("10.20.33.164"), None)
    );
    assert_eq!(
        (r[3].dstaddr, r[3].pkt_dstaddr),
        (ip("10.40.2.31"), ip("10.20.33.164"))
    );
    let (c, _, rows) = counts("aws-docs-transit-gateway-v3.log");
    assert_eq!(c.ok, 4);
    assert!(
        rows.iter()
            .all(|r| r.path == "intra_vpc" && r.remote_service.as_deref() == Some("PRIVATE"))
    );
}

#[test]
fn aws_docs_v5_service_and_path() {
    let Some((format, lines)) = load("aws-docs-v5-service-path.log") else {
        return;
    };
    let r = parse_all(&format, &lines);
    assert_eq!(
        (r[0].flow_direction, r[0].traffic_path, r[0].tcp_flags),
        (Some(FlowDirection::Ingress), None, Some(19))
    );
    assert_eq!(
        (r[0].pkt_src_aws_service, r[0].pkt_dst_aws_service),
        (Some("S3"), None)
    );
    assert_eq!(
        (r[0].region, r[0].az_id, r[0].sublocation_type),
        (Some("ap-southeast-2"), Some("apse2-az3"), None)
    );
    assert_eq!((r[0].packets, r[0].bytes), (Some(14), Some(15044)));
    assert_eq!(
        (r[1].flow_direction, r[1].traffic_path),
        (Some(FlowDirection::Egress), Some(8))
    );
    assert_eq!(r[1].pkt_dst_aws_service, Some("S3"));
    let (c, stats, rows) = counts("aws-docs-v5-service-path.log");
    assert_eq!(c.ok, 2);
    // Our attribution of 52.95.128.179 agrees with AWS's label on both records.
    assert_eq!((stats.aws_labels.agree, stats.aws_labels.disagree), (2, 0));
    let paths: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.direction.as_str(),
                r.path.as_str(),
                r.remote_service.as_deref(),
                r.remote_region.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            (
                "egress",
                "internet_gateway",
                Some("S3"),
                Some("ap-southeast-2")
            ),
            ("ingress", "public", Some("S3"), Some("ap-southeast-2")),
        ]
    );
    assert!(rows.iter().all(|r| r.account_id == "123456789012"
        && r.region == "ap-southeast-2"
        && r.day == "2021-03-26"));
}

#[test]
fn v5_all_fields_from_public_fixtures() {
    let Some((format, lines)) = load("fixtures-v5-all-fields.log") else {
        return;
    };
    assert_eq!(format.len(), 29);
    let r = parse_all(&format, &lines);
    assert_eq!(
        (r[0].account_id, r[0].start, r[0].end),
        (Some("64111117617"), Some(164000066), Some(1640000297))
    );
    assert_eq!(
        (
            r[0].pkt_src_aws_service,
            r[0].pkt_dst_aws_service,
            r[0].traffic_path
        ),
        (Some("AMAZON"), Some("CLOUDFRONT"), Some(1))
    );
    assert_eq!(
        (r[0].tcp_flags, r[0].protocol, r[0].pkt_dstaddr),
        (Some(1), Some(17), ip("10.200.0.80"))
    );
    assert_eq!(
        (r[1].sublocation_type, r[1].sublocation_id, r[1].start),
        (Some("wavelength"), Some("fake-id"), Some(1616729292))
    );
    assert_eq!(
        (
            r[2].account_id,
            r[2].instance_id,
            r[2].tcp_flags,
            r[2].traffic_path
        ),
        (Some("424805057484"), None, Some(0), Some(8))
    );
    assert_eq!(
        (r[2].flow_direction, r[2].region, r[2].az_id),
        (
            Some(FlowDirection::Egress),
            Some("eu-west-1"),
            Some("euw1-az3")
        )
    );
    assert_eq!(
        (r[3].account_id, r[3].vpc_id, r[3].subnet_id),
        (Some("1111111111"), Some("vpc-1"), Some("subnet-1"))
    );
    assert_eq!(
        (r[3].start, r[3].end, r[3].tcp_flags, r[3].traffic_path),
        (Some(1739865042), Some(1739865042), Some(2), None)
    );
    let (c, stats, _) = summarized("fixtures-v5-all-fields.log", false);
    // The first record's `start` is 164000066 (1975, a digit short of its `end`): a time
    // before flow logs existed, so malformed.
    assert_eq!((c.ok, c.malformed), (3, 1));
    let m = &stats.malformed_examples[0];
    assert_eq!(
        (m.line, m.error.field, m.error.kind),
        (2, Some(Field::Start), ParseErrorKind::ImplausibleTime)
    );
    // Lines 2-3 are synthetic: AWS's "AMAZON" for a test-GeoIP address we call INTERNET.
    assert_eq!(
        stats
            .aws_labels
            .disagreements
            .first()
            .map(|d| (d.0.as_str(), d.1.as_str(), d.2)),
        Some(("AMAZON", "INTERNET", 1))
    );
}

#[test]
fn elastic_v7_ecs() {
    let Some((format, lines)) = load("elastic-vpcflow-v7-ecs.log") else {
        return;
    };
    assert_eq!(format.len(), 39);
    assert_eq!(format.version(), 7);
    let r = parse_all(&format, &lines);
    assert_eq!(r.len(), 10);
    assert_eq!(
        (r[0].srcaddr, r[0].dstaddr, r[0].interface_id),
        (ip("1.128.0.0"), ip("2a02:cf40::"), None)
    );
    assert_eq!(
        (
            r[0].srcport,
            r[0].dstport,
            r[0].protocol,
            r[0].packets,
            r[0].bytes
        ),
        (Some(64072), Some(22), Some(17), Some(46), Some(14927))
    );
    assert_eq!(
        r[0].extra(Field::EcsClusterName),
        Some(&b"frontend-cluster"[..])
    );
    assert_eq!(
        r[0].extra(Field::EcsContainerInstanceId),
        Some(&b"i-82bfd814a3c34e21a"[..])
    );
    assert_eq!(
        r[0].extra(Field::EcsServiceName),
        Some(&b"payments-service"[..])
    );
    assert_eq!(r[0].extra(Field::EcsTaskId), Some(&b"6adbd0d6-211"[..]));
    assert_eq!(r[9].extra(Field::EcsTaskId), Some(&b"e504f037-35c"[..]));
    let statuses: Vec<_> = r.iter().map(|x| x.log_status).collect();
    use LogStatus::*;
    assert_eq!(
        statuses,
        [
            Ok, NoData, SkipData, Ok, Ok, Ok, NoData, SkipData, NoData, NoData
        ]
        .map(Some)
    );
    let (c, _, rows) = counts("elastic-vpcflow-v7-ecs.log");
    // The summaries keep the cluster and service names (v7), each row's from its
    // records.
    let mut names: Vec<(Option<&str>, Option<&str>, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.ecs_cluster_name.as_deref(),
                r.ecs_service_name.as_deref(),
                r.flows,
            )
        })
        .collect();
    names.sort();
    assert!(
        names.contains(&(Some("frontend-cluster"), Some("payments-service"), 1)),
        "{names:?}"
    );
    assert_eq!(names.iter().map(|n| n.2).sum::<i64>(), 4);
    assert!(rows.iter().all(|r| r.reject_reason.is_none()));
    assert_eq!(
        c,
        Counts {
            read: 10,
            ok: 4,
            nodata: 4,
            skipdata: 2,
            malformed: 0
        }
    );
}

#[test]
fn elastic_v8_reject_reason() {
    let Some((format, lines)) = load("elastic-vpcflow-v8-reject-reason.log") else {
        return;
    };
    assert_eq!(format.version(), 8);
    let r = parse_all(&format, &lines);
    assert_eq!(r[0].extra(Field::RejectReason), Some(&b"BPA"[..]));
    assert_eq!(
        (r[0].action, r[0].log_status),
        (Some(Action::Reject), Some(LogStatus::NoData))
    );
    assert_eq!(
        (r[0].srcaddr, r[0].srcport, r[0].bytes, r[0].packets),
        (ip("2a02:cf40::"), Some(42910), Some(33615), Some(51))
    );
    assert_eq!(
        r[0].extra(Field::EcsContainerId),
        Some(&b"601a6500-efa"[..])
    );
    // Its one record is NODATA: nothing to summarize (fixtures.rs has rows with one).
    let (_, _, rows) = summarized("elastic-vpcflow-v8-reject-reason.log", false);
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn beats_v7_custom_order() {
    let Some((format, lines)) = load("beats-v7-ecs-custom.log") else {
        return;
    };
    assert_eq!(format.slot(Field::EcsTaskId), Some(14));
    let r = parse_all(&format, &lines);
    assert_eq!(
        r[0].extra(Field::EcsTaskId),
        Some(&b"b9ad2f8a90b24f7bbce4b0341034852f"[..])
    );
    assert_eq!(r[0].extra(Field::EcsClusterName), Some(&b"DEMOGO-ECS"[..]));
    assert_eq!(r[0].extra(Field::EcsSecondContainerId), None);
    assert_eq!(r[0].extra(Field::EcsServiceName), Some(&b"cats"[..]));
    assert_eq!(
        (r[0].start, r[0].end, r[0].action),
        (Some(1616729292), Some(1616729349), Some(Action::Reject))
    );
}
