//! The Lambda binaries as deployed: the real `lambda_runtime` loop, driven through a
//! Lambda Runtime API on loopback, against a real S3-compatible server on loopback.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use flate2::{Compression, write::GzEncoder};
use flowpath_testkit::{
    FaultProxy, Function, Invocation, OWNER, RuntimeApi, S3Server, SummaryFile, read_summary,
};
use serde_json::Value;

const LOGS: &str = "flowpath-logs";
const OUT: &str = "flowpath-summaries";
const HIVE: &str = "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=08/day=22/hour=10/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1005Z_5e6f7a8b.log.gz";
const PLAIN: &str = "AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1105Z_1a2b3c4d.log.gz";
const WAIT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures").join(rel)).unwrap()
}

fn event(name: &str) -> Value {
    serde_json::from_slice(&fixture(&format!("events/{name}"))).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// An S3 server with the log bucket holding the two fixture objects the events name.
fn s3_with_logs() -> S3Server {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    s3.put_file(LOGS, PLAIN, fixture(&format!("flowlogs/{PLAIN}")));
    s3.put_file(LOGS, HIVE, gzip(&fixture("flowlogs/v2-default.log")));
    s3
}

struct Lambda {
    api: RuntimeApi,
    function: Function,
}

impl Lambda {
    fn start(binary: &str, env: Vec<(String, String)>) -> Lambda {
        let api = RuntimeApi::start();
        let function = Function::spawn(&PathBuf::from(binary), &api, &env);
        Lambda { api, function }
    }

    fn summarizer(s3_env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Lambda {
        let mut env = s3_env;
        env.push(("LOG_BUCKETS".into(), LOGS.into()));
        env.push(("OUTPUT_BUCKET".into(), OUT.into()));
        env.push(("OUTPUT_PREFIX".into(), "summaries".into()));
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Lambda::start(env!("CARGO_BIN_EXE_flowpath-lambda"), env)
    }

    fn invoke(&self, payload: Value) -> Invocation {
        self.api.invoke(payload, WAIT)
    }

    fn respond(&self, payload: Value) -> Value {
        match self.invoke(payload) {
            Invocation::Response(v) => v,
            other => panic!("{other:?}\nlogs:\n{}", self.function.logs()),
        }
    }
}

/// The VPC summaries in the output bucket (not the top talkers beside them, nor the
/// per-object indexes).
fn outputs(s3: &S3Server) -> Vec<String> {
    s3.list_files(OUT)
        .into_iter()
        .filter(|k| k.starts_with("summaries/account_id="))
        .collect()
}

/// Every output an object leaves: its summaries and its top talkers.
fn all_outputs(s3: &S3Server) -> Vec<String> {
    s3.list_files(OUT)
        .into_iter()
        .filter(|k| k.starts_with("summaries/") && !k.starts_with("summaries/_flowpath/"))
        .collect()
}

/// The summaries in the output bucket with their bytes.
fn outputs_with_bytes(s3: &S3Server) -> Vec<(String, Vec<u8>)> {
    outputs(s3)
        .into_iter()
        .map(|k| {
            let b = s3.read_file(OUT, &k).unwrap();
            (k, b)
        })
        .collect()
}

/// The per-object indexes in the output bucket, parsed.
fn indexes(s3: &S3Server) -> Vec<Value> {
    s3.list_files(OUT)
        .into_iter()
        .filter(|k| k.starts_with("summaries/_flowpath/sources/"))
        .map(|k| serde_json::from_slice(&s3.read_file(OUT, &k).unwrap()).unwrap())
        .collect()
}

fn parquet(bytes: Vec<u8>) -> SummaryFile {
    read_summary(bytes)
}

/// Total bytes per remote service of one output object.
fn bytes_by_service(s3: &S3Server, key: &str) -> Vec<(String, i64)> {
    let mut totals: Vec<(String, i64)> = Vec::new();
    for row in parquet(s3.read_file(OUT, key).unwrap()).rows {
        let s = row.remote_service.unwrap_or_default();
        let bytes = row.bytes.unwrap_or(0);
        match totals.iter_mut().find(|(n, _)| *n == s) {
            Some(t) => t.1 += bytes,
            None => totals.push((s, bytes)),
        }
    }
    totals.sort();
    totals
}

fn error_of(inv: Invocation) -> (String, String) {
    match inv {
        Invocation::Error {
            error_type,
            error_message,
            ..
        } => (error_type, error_message),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn s3_notification_summarizes_both_key_layouts() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let response = lambda.respond(event("s3-put.json"));
    let objects = response["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0]["status"], "summarized");
    assert_eq!(objects[0]["input"], format!("s3://{LOGS}/{HIVE}"));
    assert_eq!(
        objects[0]["counts"],
        serde_json::json!({"read": 9, "ok": 7, "nodata": 1, "skipdata": 1, "malformed": 0})
    );
    let keys = outputs(&s3);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k
                .starts_with("summaries/account_id=123456789012/region=eu-west-1/day=2026-08-22/")),
        "{keys:?}"
    );
    // The Hive-layout object holds v2-default.log: region comes from the key.
    let hive_out = objects[0]["outputs"][0].as_str().unwrap();
    assert_eq!(
        bytes_by_service(&s3, hive_out),
        [
            ("DYNAMODB".into(), 2400),
            ("INTERNET".into(), 1080),
            ("PRIVATE".into(), 7000),
            ("S3".into(), 560_000)
        ]
    );
    let plain_out = objects[1]["outputs"][0].as_str().unwrap();
    assert_eq!(
        bytes_by_service(&s3, plain_out),
        [("DYNAMODB".into(), 300), ("S3".into(), 50_000)]
    );
    let meta = parquet(s3.read_file(OUT, plain_out).unwrap()).meta;
    assert_eq!(meta.ranges_sync_token, "1787411825");
    assert_eq!(meta.inputs, [format!("s3://{LOGS}/{PLAIN}")]);
    assert!(
        lambda
            .function
            .logs()
            .contains("\"message\":\"summarized\""),
        "structured logs:\n{}",
        lambda.function.logs()
    );
}

#[test]
fn a_redelivered_event_overwrites_the_same_objects() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    lambda.respond(event("s3-put.json"));
    let first: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    lambda.respond(event("s3-put.json"));
    let second: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    assert_eq!(first.len(), 2);
    assert_eq!(first, second);
}

#[test]
fn test_events_sns_and_eventbridge() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    assert_eq!(
        lambda.respond(event("s3-test-event.json"))["status"],
        "test event acknowledged"
    );
    assert_eq!(
        lambda.respond(event("s3-removed.json"))["objects"],
        serde_json::json!([])
    );
    assert!(all_outputs(&s3).is_empty());
    let sns = lambda.respond(event("sns-s3.json"));
    assert_eq!(sns["objects"][0]["input"], format!("s3://{LOGS}/{PLAIN}"));
    let eb = lambda.respond(event("eventbridge-object-created.json"));
    assert_eq!(eb["objects"][0]["input"], format!("s3://{LOGS}/{HIVE}"));
    assert_eq!(outputs(&s3).len(), 2);
}

#[test]
fn sqs_reports_only_the_failed_message() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let response = lambda.respond(event("sqs-s3.json"));
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "0b7a2f4e-0000-4000-8000-000000000003"}]})
    );
    assert_eq!(outputs(&s3).len(), 2, "the good messages were summarized");
}

#[test]
fn batch_operations_result_codes() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let response = lambda.respond(event("s3-batch-v1.json"));
    assert_eq!(response["invocationSchemaVersion"], "1.0");
    assert_eq!(response["treatMissingKeysAs"], "PermanentFailure");
    assert_eq!(
        response["invocationId"],
        "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo"
    );
    let codes: Vec<(&str, &str)> = response["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["taskId"].as_str().unwrap(),
                r["resultCode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("dGFza2lkZ29lc2hlcmUK", "Succeeded"),
            ("dGFza2lkZ29lc2hlcmUL", "Succeeded"),
            ("dGFza2lkZ29lc2hlcmUM", "PermanentFailure")
        ]
    );
    assert!(
        response["results"][2]["resultString"]
            .as_str()
            .unwrap()
            .contains("NoSuchKey"),
        "{response}"
    );
    let v2 = lambda.respond(event("s3-batch-v2.json"));
    assert_eq!(v2["invocationSchemaVersion"], "2.0");
    assert_eq!(v2["results"][0]["resultCode"], "Succeeded");
}

#[test]
fn a_corrupt_object_is_a_non_retryable_error_with_no_output() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    let good = gzip(&fixture("flowlogs/v2-default.log"));
    s3.put_file(LOGS, PLAIN, &good[..good.len() / 2]);
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().remove(0);
    let (error_type, message) = error_of(lambda.invoke(payload));
    assert_eq!(error_type, "NonRetryable");
    assert!(
        message.starts_with(&format!("s3://{LOGS}/{PLAIN}: ")),
        "{message}"
    );
    assert!(message.contains("bad gzip data"), "{message}");
    assert!(all_outputs(&s3).is_empty());
}

#[test]
fn s3_going_away_mid_stream_is_retryable_with_no_output() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    // About 1.5 MB of gzip: the cut happens well inside the body.
    let mut text = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    for i in 0..200_000u32 {
        text.push_str(&format!(
            "2 123456789012 eni-{:05} 10.{}.{}.{} 3.5.98.{} {} 443 6 {} {} 1787392810 1787392870 ACCEPT OK\n",
            i % 977, i % 251, i % 13, i % 199, i % 200, 1024 + i % 60000, i % 97 + 1, i.wrapping_mul(2654435761) % 100_000
        ));
    }
    let body = gzip(text.as_bytes());
    assert!(body.len() > 500_000, "{}", body.len());
    s3.put_file(LOGS, PLAIN, &body);
    let proxy = FaultProxy::start(s3.addr());
    proxy.cut_responses_after(200_000);
    let lambda = Lambda::summarizer(s3.env_with_endpoint(&proxy.endpoint()), &[]);
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().remove(0);
    let (error_type, message) = error_of(lambda.invoke(payload.clone()));
    assert_eq!(error_type, "Retryable", "{message}");
    assert!(
        message.starts_with(&format!("s3://{LOGS}/{PLAIN}: ")),
        "{message}"
    );
    assert!(all_outputs(&s3).is_empty(), "no partial output");
    // When S3 is back, the retry succeeds.
    proxy.pass();
    let response = lambda.respond(payload);
    assert_eq!(response["objects"][0]["counts"]["ok"], 200_000);
    assert_eq!(outputs(&s3).len(), 1);
}

#[test]
fn ranges_come_from_s3_and_reload_when_they_change() {
    let s3 = s3_with_logs();
    let uri = format!("s3://{OUT}/config/ip-ranges.json");
    s3.put_file(
        OUT,
        "config/ip-ranges.json",
        fixture("ip-ranges/small.json"),
    );
    let lambda = Lambda::summarizer(s3.env(), &[("RANGES_S3_URI", &uri)]);
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().remove(0);
    let first = lambda.respond(payload.clone());
    let key = first["objects"][0]["outputs"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let token = |s3: &S3Server| {
        parquet(s3.read_file(OUT, &key).unwrap())
            .meta
            .ranges_sync_token
    };
    assert_eq!(token(&s3), "1700000000");
    // With the small table, 3.5.98.x is not S3 any more: it is INTERNET.
    // The small table lists neither 3.5.98.0/23 nor 52.94.26.0/23: both are INTERNET now.
    assert_eq!(bytes_by_service(&s3, &key), [("INTERNET".into(), 50_300)]);
    let newer = String::from_utf8(fixture("ip-ranges/small.json"))
        .unwrap()
        .replace("1700000000", "1700000600");
    s3.put_file(OUT, "config/ip-ranges.json", newer);
    lambda.respond(payload);
    assert_eq!(token(&s3), "1700000600");
}

#[test]
fn inventory_comes_from_s3_and_reloads_when_it_changes() {
    let s3 = s3_with_logs();
    let nat_log = "flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/08/22/\
                   123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6a7b8_20260822T1110Z_5f6a7b8c.log";
    let key = nat_log.trim_start_matches("flowlogs/");
    s3.put_file(LOGS, key, gzip(&fixture(nat_log)));
    for doc in std::fs::read_dir(root().join("fixtures/inventory")).unwrap() {
        let path = doc.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        s3.put_file(
            OUT,
            &format!("config/inventory/{name}"),
            std::fs::read(&path).unwrap(),
        );
    }
    let lambda = Lambda::summarizer(
        s3.env(),
        &[
            ("INVENTORY_S3_URI", &format!("s3://{OUT}/config/inventory/")),
            ("TAG_KEYS", "Team"),
        ],
    );
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().truncate(1);
    payload["Records"][0]["s3"]["object"]["key"] = key.into();
    // TAG_KEYS: each interface's team, from the instance, the NAT gateway, the subnet.
    let teams = |response: &Value| {
        let out = response["objects"][0]["outputs"][0].as_str().unwrap();
        let mut teams = std::collections::BTreeMap::<(String, Option<String>), i64>::new();
        for r in parquet(s3.read_file(OUT, out).unwrap()).rows {
            let key = (
                r.interface_id.clone().unwrap(),
                r.tag("tag_team").map(str::to_owned),
            );
            *teams.entry(key).or_default() += r.bytes.unwrap();
        }
        teams
    };
    let response = lambda.respond(payload.clone());
    let team = |eni: &str, team: &str, bytes: i64| ((eni.to_owned(), Some(team.to_owned())), bytes);
    assert_eq!(
        teams(&response),
        [
            team("eni-0a1b2c3d4e5f60031", "data-pipeline", 2_531_700),
            team("eni-0a1b2c3d4e5f60041", "network", 5_130_600),
            team("eni-0a1b2c3d4e5f60051", "platform", 31_000),
            team("eni-0a1b2c3d4e5f60061", "data", 10_000),
        ]
        .into_iter()
        .collect()
    );
    let nat_rows = |response: &Value| {
        let out = response["objects"][0]["outputs"][0]
            .as_str()
            .unwrap()
            .to_owned();
        let rows = parquet(s3.read_file(OUT, &out).unwrap()).rows;
        let nat: i64 = rows
            .iter()
            .filter(|r| r.path == "nat_gateway" && r.remote_service.as_deref() == Some("S3"))
            .map(|r| r.bytes.unwrap())
            .sum();
        let vpcs: Vec<Option<String>> = rows.iter().map(|r| r.vpc_id.clone()).collect();
        (nat, vpcs)
    };
    let (nat, vpcs) = nat_rows(&lambda.respond(payload.clone()));
    assert_eq!(nat, 1_550_000, "{}", lambda.function.logs());
    assert!(
        vpcs.iter()
            .all(|v| v.as_deref() == Some("vpc-0abc1234def567890"))
    );
    assert!(lambda.function.logs().contains("loaded the VPC inventory"));

    // The NAT gateway leaves the inventory: the next invocation reads it again.
    s3.put_file(
        OUT,
        "config/inventory/describe-nat-gateways.json",
        r#"{"NatGateways": []}"#,
    );
    let enis: Value =
        serde_json::from_slice(&fixture("inventory/describe-network-interfaces.json")).unwrap();
    let without_nat: Vec<Value> = enis["NetworkInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["InterfaceType"] != "natGateway")
        .cloned()
        .collect();
    s3.put_file(
        OUT,
        "config/inventory/describe-network-interfaces.json",
        serde_json::to_vec(&serde_json::json!({ "NetworkInterfaces": without_nat })).unwrap(),
    );
    let (nat, _) = nat_rows(&lambda.respond(payload));
    assert_eq!(nat, 0);

    // An inventory that cannot be read fails the object as non-retryable, naming it.
    s3.put_file(OUT, "config/inventory/broken.json", "{");
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().truncate(1);
    payload["Records"][0]["s3"]["object"]["key"] = key.into();
    let (kind, message) = error_of(lambda.invoke(payload));
    assert_eq!(kind, "NonRetryable", "{message}");
    assert!(
        message.contains("config/inventory/broken.json"),
        "{message}"
    );
}

#[test]
fn parquet_format_objects_give_the_same_rows_as_text() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    let text_key = PLAIN.replace("_1a2b3c4d.log.gz", "_text.log.gz");
    let parquet_key = PLAIN.replace("_1a2b3c4d.log.gz", "_parquet.log.parquet");
    s3.put_file(LOGS, &text_key, gzip(&fixture("flowlogs/v5-custom.log")));
    s3.put_file(
        LOGS,
        &parquet_key,
        fixture("flowlogs-parquet/v5-custom.log.parquet"),
    );
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let mut payload = event("s3-put.json");
    payload["Records"][0]["s3"]["object"]["key"] = text_key.into();
    payload["Records"][1]["s3"]["object"]["key"] = parquet_key.into();
    let response = lambda.respond(payload);
    let objects = response["objects"].as_array().unwrap();
    assert_eq!(objects[0]["counts"], objects[1]["counts"]);
    assert_eq!(objects[1]["counts"]["ok"], 6);
    let rows = |i: usize| {
        parquet(
            s3.read_file(OUT, objects[i]["outputs"][0].as_str().unwrap())
                .unwrap(),
        )
        .rows
    };
    assert_eq!(rows(0), rows(1));
}

#[test]
fn bad_configuration_stops_the_function_at_cold_start() {
    let api = RuntimeApi::start();
    let mut function = Function::spawn(
        &PathBuf::from(env!("CARGO_BIN_EXE_flowpath-lambda")),
        &api,
        &[("OUTPUT_PREFIX".into(), "x".into())],
    );
    let status = function.wait_exit(WAIT).expect("the function exits");
    assert!(!status.success());
    assert!(
        function.logs().contains("OUTPUT_BUCKET is not set"),
        "{}",
        function.logs()
    );
    // Without LOG_BUCKETS the function would read any bucket an event names: it stops.
    let mut function = Function::spawn(
        &PathBuf::from(env!("CARGO_BIN_EXE_flowpath-lambda")),
        &api,
        &[("OUTPUT_BUCKET".into(), OUT.into())],
    );
    let status = function.wait_exit(WAIT).expect("the function exits");
    assert!(!status.success());
    assert!(
        function.logs().contains("LOG_BUCKETS is not set"),
        "{}",
        function.logs()
    );
}

/// Serves `body` on loopback for every request until dropped.
struct FileServer {
    url: String,
    _stop: std::sync::mpsc::Sender<()>,
}

fn serve(body: Vec<u8>) -> FileServer {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/ip-ranges.json",
        server.server_addr().to_ip().unwrap()
    );
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        while stopped.try_recv() == Err(std::sync::mpsc::TryRecvError::Empty) {
            if let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(100)) {
                req.respond(tiny_http::Response::from_data(body.clone()))
                    .expect("answer");
            }
        }
    });
    FileServer { url, _stop: stop }
}

fn ip_space_changed(url: &str, md5: &str, synctoken: &str) -> Value {
    let mut e = event("sns-ip-space-changed.json");
    let message = e["Records"][0]["Sns"]["Message"]
        .as_str()
        .unwrap()
        .replace("URL_OF_THE_FILE", url)
        .replace("MD5_OF_THE_FILE", md5)
        .replace("1787411825", synctoken);
    e["Records"][0]["Sns"]["Message"] = message.into();
    e
}

#[test]
fn ranges_refresh_checks_md5_and_order() {
    let s3 = S3Server::start();
    s3.create_bucket(OUT);
    let file = fixture("ip-ranges/small.json");
    let md5 = format!("{:x}", <md5::Md5 as md5::Digest>::digest(&file));
    let server = serve(file.clone());
    let mut env = s3.env();
    env.push((
        "RANGES_S3_URI".into(),
        format!("s3://{OUT}/config/ip-ranges.json"),
    ));
    let lambda = Lambda::start(env!("CARGO_BIN_EXE_flowpath-ranges-refresh"), env);

    // A damaged download (wrong MD5) is retryable and stores nothing.
    let (error_type, message) = error_of(lambda.invoke(ip_space_changed(
        &server.url,
        "00000000000000000000000000000000",
        "1700000000",
    )));
    assert_eq!(error_type, "Retryable");
    assert!(message.contains("MD5 is"), "{message}");
    assert_eq!(s3.read_file(OUT, "config/ip-ranges.json"), None);

    let stored = lambda.respond(ip_space_changed(&server.url, &md5, "1700000000"));
    assert_eq!(stored["results"][0]["status"], "stored");
    assert_eq!(s3.read_file(OUT, "config/ip-ranges.json"), Some(file));
    // The same or an older notification, arriving late, is ignored.
    let again = lambda.respond(ip_space_changed(&server.url, &md5, "1700000000"));
    assert_eq!(again["results"][0]["status"], "ignored");
    let older = lambda.respond(ip_space_changed(&server.url, &md5, "1600000000"));
    assert_eq!(older["results"][0]["status"], "ignored");
    // A notification whose token does not match the file is refused.
    let (error_type, message) =
        error_of(lambda.invoke(ip_space_changed(&server.url, &md5, "1800000000")));
    assert_eq!(error_type, "NonRetryable");
    assert!(
        message.contains("has syncToken 1700000000, the notification says 1800000000"),
        "{message}"
    );
}

/// The s3-put.json event reduced to its second record (the object at `PLAIN`), naming
/// `bucket` and `key`.
fn one_object(bucket: &str, key: &str) -> Value {
    let mut payload = event("s3-put.json");
    payload["Records"].as_array_mut().unwrap().remove(0);
    payload["Records"][0]["s3"]["bucket"]["name"] = bucket.into();
    payload["Records"][0]["s3"]["bucket"]["arn"] = format!("arn:aws:s3:::{bucket}").into();
    payload["Records"][0]["s3"]["object"]["key"] = key.into();
    payload
}

/// Default-format flow-log text: a header, then one record per (start, bytes).
fn records(rows: &[(u64, u64)]) -> String {
    let mut text = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    for (i, (start, bytes)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.{} 3.5.98.10 {} 443 6 10 {bytes} {start} {} ACCEPT OK\n",
            10 + i % 200,
            40_000 + i % 20_000,
            start + 60
        ));
    }
    text
}

/// 2026-08-22 10:00:10 UTC, and a day later.
const DAY1: u64 = 1_787_392_810;
const DAY2: u64 = DAY1 + 86_400;

/// The sum of `bytes` over every summary in the output bucket: what Athena would sum.
fn total_bytes(s3: &S3Server) -> i64 {
    outputs(s3)
        .iter()
        .map(|k| {
            parquet(s3.read_file(OUT, k).unwrap())
                .rows
                .iter()
                .map(|r| r.bytes.unwrap_or(0))
                .sum::<i64>()
        })
        .sum()
}

/// The `fields` of each JSON log line of `function` whose message is `message`, once
/// one has arrived (logs are read from the process's pipes a little after it writes).
fn log_events(function: &Function, message: &str) -> Vec<Value> {
    // Whether it arrived or not, the caller's assertion on the result tells.
    let _arrived = function.wait_for_log(&format!("\"message\":{}", Value::from(message)), WAIT);
    function
        .logs()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| v["fields"].clone())
        .filter(|f| f["message"] == message)
        .collect()
}

#[test]
fn every_request_names_the_expected_bucket_owner_and_a_foreign_owner_is_refused() {
    let s3 = s3_with_logs();
    // Ranges and inventory in the output bucket, as the template deploys them.
    s3.put_file(
        OUT,
        "config/ip-ranges.json",
        fixture("ip-ranges/small.json"),
    );
    s3.put_file(
        OUT,
        "config/inventory/describe-vpcs.json",
        fixture("inventory/describe-vpcs.json"),
    );
    let ranges = format!("s3://{OUT}/config/ip-ranges.json");
    let inventory = format!("s3://{OUT}/config/inventory/");
    let lambda = Lambda::summarizer(
        s3.env(),
        &[("RANGES_S3_URI", &ranges), ("INVENTORY_S3_URI", &inventory)],
    );
    let response = lambda.respond(event("s3-put.json"));
    assert_eq!(response["objects"].as_array().unwrap().len(), 2);
    let requests = s3.requests();
    let to = |bucket: &str| -> Vec<&flowpath_testkit::Request> {
        requests
            .iter()
            .filter(|r| r.bucket().as_deref() == Some(bucket))
            .collect()
    };
    // Per object: GET and HEAD of the log; LIST the index, PUT summary and index.
    assert_eq!(to(LOGS).len(), 4, "{requests:?}");
    assert!(to(OUT).len() >= 6, "{requests:?}");
    assert_eq!(
        to(LOGS).len() + to(OUT).len(),
        requests.len(),
        "{requests:?}"
    );
    for r in &requests {
        // The function's own account (from its ARN), as nothing else is configured.
        assert_eq!(
            r.header("x-amz-expected-bucket-owner"),
            Some(OWNER),
            "{r:?}"
        );
        assert_eq!(r.header("x-amz-server-side-encryption"), None, "{r:?}");
    }

    // A log bucket of the same name owned by another account: S3 refuses, nothing is written.
    let s3 = s3_with_logs();
    s3.set_bucket_owner(LOGS, "210987654321");
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let (error_type, message) = error_of(lambda.invoke(one_object(LOGS, PLAIN)));
    assert_eq!(error_type, "NonRetryable", "{message}");
    assert!(message.contains("AccessDenied"), "{message}");
    assert!(s3.list_files(OUT).is_empty());

    // Configured as that account's, the same bucket is read; the output is still ours.
    s3.clear_requests();
    let lambda = Lambda::summarizer(s3.env(), &[("LOG_BUCKET_OWNER", "210987654321")]);
    lambda.respond(one_object(LOGS, PLAIN));
    assert_eq!(outputs(&s3).len(), 1);
    for r in s3.requests() {
        let expected = if r.bucket().as_deref() == Some(LOGS) {
            "210987654321"
        } else {
            OWNER
        };
        assert_eq!(
            r.header("x-amz-expected-bucket-owner"),
            Some(expected),
            "{r:?}"
        );
    }
}

#[test]
fn objects_in_other_buckets_are_refused_unread_whatever_the_event() {
    const OTHER: &str = "someone-elses-bucket";
    let s3 = s3_with_logs();
    s3.create_bucket(OTHER);
    s3.put_file(OTHER, PLAIN, fixture(&format!("flowlogs/{PLAIN}")));
    let lambda = Lambda::summarizer(s3.env(), &[]);

    let (error_type, message) = error_of(lambda.invoke(one_object(OTHER, PLAIN)));
    assert_eq!(error_type, "NonRetryable", "{message}");
    assert_eq!(
        message,
        format!("s3://{OTHER}/{PLAIN}: refused: bucket `{OTHER}` is not one of LOG_BUCKETS")
    );
    let refused = log_events(
        &lambda.function,
        "refused: the event names a bucket that is not one of LOG_BUCKETS",
    );
    assert_eq!(refused.len(), 1, "{}", lambda.function.logs());
    assert_eq!(refused[0]["bucket"], OTHER);

    // Through SQS: only that message fails (plus the fixture's own bad one).
    let mut sqs = event("sqs-s3.json");
    let body = sqs["Records"][0]["body"]
        .as_str()
        .unwrap()
        .replace(LOGS, OTHER);
    sqs["Records"][0]["body"] = body.into();
    let response = lambda.respond(sqs);
    assert_eq!(
        response["batchItemFailures"],
        serde_json::json!([
            {"itemIdentifier": "0b7a2f4e-0000-4000-8000-000000000001"},
            {"itemIdentifier": "0b7a2f4e-0000-4000-8000-000000000003"}
        ])
    );
    // Through S3 Batch Operations: a permanent failure.
    let mut batch = event("s3-batch-v2.json");
    batch["tasks"][0]["s3Bucket"] = OTHER.into();
    let response = lambda.respond(batch);
    assert_eq!(response["results"][0]["resultCode"], "PermanentFailure");
    assert!(
        response["results"][0]["resultString"]
            .as_str()
            .unwrap()
            .contains("not one of LOG_BUCKETS"),
        "{response}"
    );
    // Not one request ever reached the other bucket.
    let reached: Vec<_> = s3
        .requests()
        .into_iter()
        .filter(|r| r.bucket().as_deref() == Some(OTHER))
        .collect();
    assert!(reached.is_empty(), "{reached:?}");
}

#[test]
fn summaries_are_written_with_the_configured_kms_key() {
    const KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[("OUTPUT_KMS_KEY_ARN", KEY)]);
    lambda.respond(one_object(LOGS, PLAIN));
    let puts: Vec<_> = s3
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    // The summary and the object's index.
    assert_eq!(puts.len(), 2, "{puts:?}");
    for r in &puts {
        assert_eq!(r.bucket().as_deref(), Some(OUT));
        assert_eq!(
            r.header("x-amz-server-side-encryption"),
            Some("aws:kms"),
            "{r:?}"
        );
        assert_eq!(
            r.header("x-amz-server-side-encryption-aws-kms-key-id"),
            Some(KEY),
            "{r:?}"
        );
    }
}

#[test]
fn two_invocations_of_the_same_object_at_once_leave_one_set_of_summaries() {
    let s3 = s3_with_logs();
    // 40,000 records over two days, so each invocation takes a while and both overlap.
    let rows: Vec<(u64, u64)> = (0..40_000u64)
        .map(|i| {
            (
                if i % 2 == 0 { DAY1 } else { DAY2 } + i % 3_000,
                100 + i % 900,
            )
        })
        .collect();
    let expected: i64 = rows.iter().map(|(_, b)| i64::try_from(*b).unwrap()).sum();
    s3.put_file(LOGS, PLAIN, gzip(records(&rows).as_bytes()));
    let api = RuntimeApi::start();
    let mut env = s3.env();
    env.push(("LOG_BUCKETS".into(), LOGS.into()));
    env.push(("OUTPUT_BUCKET".into(), OUT.into()));
    env.push(("OUTPUT_PREFIX".into(), "summaries".into()));
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_flowpath-lambda"));
    let first = Function::spawn(&binary, &api, &env);
    let second = Function::spawn(&binary, &api, &env);
    // Both wait for an event, so the two invocations go to two processes at once.
    assert!(
        api.wait_for_polling(2, WAIT),
        "{}\n{}",
        first.logs(),
        second.logs()
    );
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| api.invoke(one_object(LOGS, PLAIN), WAIT));
        let b = scope.spawn(|| api.invoke(one_object(LOGS, PLAIN), WAIT));
        (a.join().unwrap(), b.join().unwrap())
    });
    for inv in [&a, &b] {
        assert!(
            matches!(inv, Invocation::Response(v) if v["objects"][0]["counts"]["ok"] == 40_000),
            "{inv:?}\n{}\n{}",
            first.logs(),
            second.logs()
        );
    }
    // Each process handled one of them: they ran at once, not one after the other.
    for f in [&first, &second] {
        assert_eq!(log_events(f, "summarized").len(), 1, "{}", f.logs());
    }
    let keys = outputs(&s3);
    assert_eq!(keys.len(), 2, "one summary per day: {keys:?}");
    assert_eq!(total_bytes(&s3), expected, "totals not doubled");
    let index = indexes(&s3);
    assert_eq!(index.len(), 1);
    let mut listed: Vec<String> = serde_json::from_value(index[0]["outputs"].clone()).unwrap();
    listed.sort();
    assert_eq!(listed, all_outputs(&s3));
}

#[test]
fn a_new_version_replaces_the_summaries_of_the_old_one() {
    let s3 = s3_with_logs();
    // With top talkers: they are replaced with the summaries.
    let lambda = Lambda::summarizer(s3.env(), &[("TOP_TALKERS", "20")]);
    // Version 1: records on two days.
    s3.put_file(
        LOGS,
        PLAIN,
        gzip(records(&[(DAY1, 1_000), (DAY2, 2_000)]).as_bytes()),
    );
    let old_event = one_object(LOGS, PLAIN);
    lambda.respond(old_event.clone());
    let days = |s3: &S3Server| -> Vec<String> {
        outputs(s3)
            .iter()
            .map(|k| {
                k.split('/')
                    .find(|p| p.starts_with("day="))
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(days(&s3), ["day=2026-08-22", "day=2026-08-23"]);
    assert_eq!(total_bytes(&s3), 3_000);

    // Version 2 (the object overwritten): the second day only, other totals.
    let etag = s3.put_file(LOGS, PLAIN, gzip(records(&[(DAY2, 5_000)]).as_bytes()));
    let mut new_event = one_object(LOGS, PLAIN);
    new_event["Records"][0]["s3"]["object"]["versionId"] = "version-2".into();
    new_event["Records"][0]["s3"]["object"]["eTag"] = etag.clone().into();
    lambda.respond(new_event);
    // The first day's summary of version 1 is gone, and its top talkers; the second
    // day's were overwritten.
    assert_eq!(days(&s3), ["day=2026-08-23"]);
    let talker_days: Vec<&str> = all_outputs(&s3)
        .iter()
        .filter(|k| k.starts_with("summaries/top_talkers/"))
        .map(|k| {
            if k.contains("day=2026-08-23") {
                "day=2026-08-23"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(talker_days, ["day=2026-08-23"]);
    assert_eq!(total_bytes(&s3), 5_000, "Athena sums version 2 only");
    let index = indexes(&s3);
    assert_eq!(index.len(), 1);
    assert_eq!(index[0]["etag"], etag.as_str());
    let mut listed: Vec<String> = serde_json::from_value(index[0]["outputs"].clone()).unwrap();
    listed.sort();
    assert_eq!(listed, all_outputs(&s3));
    let deleted = log_events(
        &lambda.function,
        "deleted the summary of a previous version",
    );
    assert_eq!(deleted.len(), 2, "{}", lambda.function.logs());

    // Version 1's event redelivered late: the current content is summarized again.
    let before: Vec<Vec<u8>> = outputs(&s3)
        .iter()
        .map(|k| s3.read_file(OUT, k).unwrap())
        .collect();
    lambda.respond(old_event);
    let after: Vec<Vec<u8>> = outputs(&s3)
        .iter()
        .map(|k| s3.read_file(OUT, k).unwrap())
        .collect();
    assert_eq!(before, after);
    assert_eq!(total_bytes(&s3), 5_000);
}

#[test]
fn a_zero_byte_object_succeeds_with_no_output_and_is_logged() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    s3.put_file(LOGS, PLAIN, b"");
    let response = lambda.respond(one_object(LOGS, PLAIN));
    let object = &response["objects"][0];
    assert_eq!(object["status"], "summarized");
    assert_eq!(
        object["counts"],
        serde_json::json!({"read": 0, "ok": 0, "nodata": 0, "skipdata": 0, "malformed": 0})
    );
    assert_eq!(object["outputs"], serde_json::json!([]));
    assert!(all_outputs(&s3).is_empty());
    let logged = log_events(&lambda.function, "empty object: no records, no summaries");
    assert_eq!(logged.len(), 1, "{}", lambda.function.logs());
    assert_eq!(logged[0]["size"], 0);

    // An object emptied after it was summarized leaves no summaries behind either.
    s3.put_file(LOGS, PLAIN, gzip(records(&[(DAY1, 1_000)]).as_bytes()));
    lambda.respond(one_object(LOGS, PLAIN));
    assert_eq!(outputs(&s3).len(), 1);
    s3.put_file(LOGS, PLAIN, b"");
    lambda.respond(one_object(LOGS, PLAIN));
    assert!(all_outputs(&s3).is_empty(), "{:?}", all_outputs(&s3));
    assert_eq!(indexes(&s3)[0]["outputs"], serde_json::json!([]));
}

#[test]
fn malformed_lines_are_counted_in_the_log_line_and_the_footer() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let mut text = records(&[(DAY1, 1_000), (DAY1 + 60, 2_000), (DAY1 + 120, 3_000)]);
    text.push_str("2 123456789012 eni-0a1b2c3d4e5f60001 not-an-address 3.5.98.10 1 443 6 10 10 1787392810 1787392870 ACCEPT OK\n");
    text.push_str("2 123456789012 too few fields\n");
    s3.put_file(LOGS, PLAIN, gzip(text.as_bytes()));
    let response = lambda.respond(one_object(LOGS, PLAIN));
    let counts = &response["objects"][0]["counts"];
    assert_eq!(counts["ok"], 3);
    assert_eq!(counts["malformed"], 2);
    let summarized = log_events(&lambda.function, "summarized");
    assert_eq!(summarized.len(), 1, "{}", lambda.function.logs());
    assert_eq!(summarized[0]["malformed"], 2);
    assert_eq!(summarized[0]["ok"], 3);
    let lines = log_events(&lambda.function, "malformed line");
    let numbers: Vec<&Value> = lines.iter().map(|l| &l["line"]).collect();
    assert_eq!(numbers, [5, 6]);
    let key = response["objects"][0]["outputs"][0].as_str().unwrap();
    let footer = parquet(s3.read_file(OUT, key).unwrap()).meta;
    assert_eq!(footer.counts.malformed, 2);
    assert_eq!(footer.counts.ok, 3);
    assert_eq!(total_bytes(&s3), 6_000);
}

#[test]
fn an_object_overwritten_while_it_is_summarized_is_retried_and_its_new_content_wins() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    // Version 1 on two days; version 2 on the second day only.
    let rows: Vec<(u64, u64)> = (0..1_000u64)
        .map(|i| (if i % 2 == 0 { DAY1 } else { DAY2 } + i % 3_000, 100))
        .collect();
    s3.put_file(LOGS, PLAIN, gzip(records(&rows).as_bytes()));
    let version2 = gzip(records(&[(DAY2, 5_000)]).as_bytes());
    // Overwritten when the first summary is written: version 1 was read whole by then,
    // and the function's check after writing sees version 2.
    let overwritten = std::sync::atomic::AtomicBool::new(false);
    s3.on_request(move |r, objects| {
        if r.method == "PUT"
            && r.bucket().as_deref() == Some(OUT)
            && !overwritten.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            objects.put_file(LOGS, PLAIN, &version2);
        }
    });
    let first = lambda.invoke(one_object(LOGS, PLAIN));
    let (error_type, message) = error_of(first);
    assert_eq!(error_type, "Retryable", "{message}");
    assert!(
        message.contains("the object changed while it was summarized"),
        "{message}"
    );
    assert_eq!(
        outputs(&s3).len(),
        2,
        "version 1's summaries, written before the check"
    );
    // The retry (SQS or Lambda redelivers the same event) summarizes version 2 only.
    lambda.respond(one_object(LOGS, PLAIN));
    assert_eq!(outputs(&s3).len(), 1, "{:?}", outputs(&s3));
    assert_eq!(total_bytes(&s3), 5_000);
}

/// A CloudWatch Logs subscription payload as CloudWatch Logs builds it, its events
/// numbered from `first_event`.
fn cwl_payload(message_type: &str, stream: &str, messages: &[&str], first_event: usize) -> Value {
    let events: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            serde_json::json!({
                "id": format!("{:056}", 36_000_000 + first_event + i),
                "timestamp": DAY1 * 1000,
                "message": m,
            })
        })
        .collect();
    serde_json::json!({
        "messageType": message_type,
        "owner": "123456789012",
        "logGroup": "vpc-flow-logs",
        "logStream": stream,
        "subscriptionFilters": ["to-flowpath"],
        "logEvents": events,
    })
}

/// The Lambda event of a payload: `{"awslogs": {"data": base64(gzip(json))}}`.
fn awslogs(payload: &Value) -> Value {
    use base64::Engine as _;
    let data =
        base64::engine::general_purpose::STANDARD.encode(gzip(payload.to_string().as_bytes()));
    serde_json::json!({ "awslogs": { "data": data } })
}

/// The rows of the summaries under `keys`, sorted.
fn rows_of(s3: &S3Server, keys: &[String]) -> Vec<flowpath_testkit::Row> {
    let mut rows: Vec<_> = keys
        .iter()
        .flat_map(|k| parquet(s3.read_file(OUT, k).unwrap()).rows)
        .collect();
    rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    rows
}

/// CloudWatch Logs subscription events, built as CloudWatch Logs builds them, through
/// the real runtime loop: the control message is acknowledged; two batches give the
/// rows of the same records delivered as an S3 object (account from the record, region
/// from the function's); a record in another format is counted malformed, by its
/// event; a redelivered batch overwrites its summaries with the same bytes.
#[test]
fn cloudwatch_logs_subscription_events_give_what_s3_delivery_gives() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let stream = "eni-0a1b2c3d4e5f60001-all";

    let r = lambda.respond(awslogs(&cwl_payload(
        "CONTROL_MESSAGE",
        "",
        &["CWL CONTROL MESSAGE: Checking health of destination Lambda function."],
        0,
    )));
    assert_eq!(r["objects"][0]["status"], "skipped", "{r}");
    assert!(all_outputs(&s3).is_empty());

    let text = records(&[(DAY1, 1_000), (DAY1 + 60, 2_000), (DAY2, 4_000)]);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let first = awslogs(&cwl_payload("DATA_MESSAGE", stream, &lines[..2], 0));
    let r = lambda.respond(first.clone());
    assert_eq!(r["objects"][0]["status"], "summarized", "{r}");
    assert_eq!(r["objects"][0]["counts"]["ok"], 2, "{r}");
    let v5 = "5 eni-0a1b2c3d4e5f60001 10.0.1.10 3.5.98.10 40000 443 6 10 99 1787392810 1787392870 ACCEPT OK ingress 1";
    let r = lambda.respond(awslogs(&cwl_payload(
        "DATA_MESSAGE",
        stream,
        &[lines[2], v5],
        2,
    )));
    let counts = &r["objects"][0]["counts"];
    assert_eq!(
        (&counts["read"], &counts["ok"], &counts["malformed"]),
        (&2.into(), &1.into(), &1.into()),
        "{r}"
    );
    let cwl: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    assert_eq!(
        cwl.len(),
        2,
        "one summary a batch (each batch one day): {cwl:?}"
    );
    assert_eq!(total_bytes(&s3), 7_000);

    // Redelivered: the same keys, the same bytes, nothing counted twice.
    lambda.respond(first);
    let again: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    assert_eq!(cwl, again);

    // The same records as an S3 delivery give the same rows.
    let key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/08/22/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f6a7b8_20260822T1005Z_cafe0001.log.gz";
    s3.put_file(LOGS, key, gzip(text.as_bytes()));
    lambda.respond(one_object(LOGS, key));
    let cwl_keys: Vec<String> = cwl.into_iter().map(|(k, _)| k).collect();
    let s3_keys: Vec<String> = outputs(&s3)
        .into_iter()
        .filter(|k| !cwl_keys.contains(k))
        .collect();
    assert_eq!(s3_keys.len(), 2);
    let rows = rows_of(&s3, &cwl_keys);
    assert_eq!(rows, rows_of(&s3, &s3_keys));
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Account from the records, region from the function's: the S3 key's partitions.
    let dir = |k: &String| k.rsplit_once('/').map(|(d, _)| d.to_owned());
    let mut cwl_dirs: Vec<_> = cwl_keys.iter().map(dir).collect();
    let mut s3_dirs: Vec<_> = s3_keys.iter().map(dir).collect();
    cwl_dirs.sort();
    s3_dirs.sort();
    assert_eq!(cwl_dirs, s3_dirs);
    assert_eq!(
        cwl_dirs,
        [
            Some("summaries/account_id=123456789012/region=us-east-1/day=2026-08-22".to_owned()),
            Some("summaries/account_id=123456789012/region=us-east-1/day=2026-08-23".to_owned()),
        ]
    );
}

/// The format of a log group's records comes from its flow log's definition
/// (`describe-flow-logs` in the inventory), over `FLOW_LOG_FORMAT`: records in a
/// custom format without `account-id` are read right, and take the payload's owner.
#[test]
fn a_log_groups_format_comes_from_describe_flow_logs() {
    let s3 = s3_with_logs();
    let flow_logs = serde_json::json!({"FlowLogs": [{
        "FlowLogId": "fl-0123456789abcdef0", "FlowLogStatus": "ACTIVE", "ResourceId": "vpc-0a1b2c3d",
        "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
        "LogDestination": "arn:aws:logs:us-east-1:123456789012:log-group:vpc-flow-logs",
        "LogGroupName": "vpc-flow-logs", "DeliverLogsStatus": "SUCCESS", "MaxAggregationInterval": 60,
        "LogFormat": "${interface-id} ${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
    }]});
    s3.put_file(
        OUT,
        "config/inventory/describe-flow-logs.json",
        flow_logs.to_string(),
    );
    let lambda = Lambda::summarizer(
        s3.env(),
        &[
            ("INVENTORY_S3_URI", &format!("s3://{OUT}/config/inventory/")),
            // Overruled by the flow log's own definition.
            ("FLOW_LOG_FORMAT", "${version} ${srcaddr}"),
        ],
    );
    let messages = [
        "eni-0a1b2c3d4e5f60001 10.0.1.10 3.5.98.10 10 1000 1787392810 1787392870 ACCEPT OK",
        "eni-0a1b2c3d4e5f60001 10.0.1.11 3.5.98.10 5 500 1787392810 1787392870 ACCEPT OK",
    ];
    let r = lambda.respond(awslogs(&cwl_payload(
        "DATA_MESSAGE",
        "eni-0a1b2c3d4e5f60001-all",
        &messages,
        0,
    )));
    let counts = &r["objects"][0]["counts"];
    assert_eq!(
        (&counts["ok"], &counts["malformed"]),
        (&2.into(), &0.into()),
        "{r}"
    );
    let out = outputs(&s3);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].starts_with("summaries/account_id=123456789012/region=us-east-1/day=2026-08-22/eni-0a1b2c3d4e5f60001-all-"),
        "{out:?}"
    );
    assert_eq!(total_bytes(&s3), 1_500);
}

/// A Firehose data-transformation batch as Firehose sends it: CloudWatch Logs
/// payloads relayed by the stream (gzip, base64), a control message, and data that is
/// neither. Every record is answered with its id and data; the flow logs are
/// summarized, and a retried batch overwrites its summaries. Flow logs delivered to
/// the stream directly (a line a record) are summarized too.
#[test]
fn firehose_transformation_answers_every_record_and_summarizes_the_flow_logs() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let stream = "eni-0a1b2c3d4e5f60001-all";
    let text = records(&[(DAY1, 1_000), (DAY1 + 60, 2_000), (DAY2, 4_000)]);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let record = |id: &str, data: &[u8]| {
        serde_json::json!({
            "recordId": id,
            "approximateArrivalTimestamp": (DAY1 + 120) * 1000,
            "data": b64(data),
        })
    };
    let data = [
        gzip(
            cwl_payload("DATA_MESSAGE", stream, &lines[..2], 0)
                .to_string()
                .as_bytes(),
        ),
        gzip(
            cwl_payload(
                "CONTROL_MESSAGE",
                "",
                &["CWL CONTROL MESSAGE: Checking health of destination Firehose."],
                0,
            )
            .to_string()
            .as_bytes(),
        ),
        gzip(
            cwl_payload("DATA_MESSAGE", stream, &lines[2..], 2)
                .to_string()
                .as_bytes(),
        ),
        b"\x1f\x8b\x08\x00 not gzip after all".to_vec(),
    ];
    let ids = [
        "49546986683135544286507457936321625675700192471156785154",
        "r2",
        "r3",
        "r4",
    ];
    let event = serde_json::json!({
        "invocationId": "invoked-1",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/flow-logs",
        "region": "us-east-1",
        "records": ids.iter().zip(&data).map(|(id, d)| record(id, d)).collect::<Vec<_>>(),
    });
    let r = lambda.respond(event.clone());
    let answers = r["records"].as_array().unwrap();
    assert_eq!(answers.len(), 4, "{r}");
    let results: Vec<&str> = answers
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["Ok", "Dropped", "Ok", "ProcessingFailed"]);
    for ((answer, id), d) in answers.iter().zip(ids).zip(&data) {
        assert_eq!(answer["recordId"], id);
        assert_eq!(answer["data"], b64(d), "the data goes on unchanged");
    }
    let first: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(total_bytes(&s3), 7_000);

    // Firehose retries the batch: the same summaries, nothing counted twice.
    lambda.respond(event);
    let again: Vec<(String, Vec<u8>)> = outputs_with_bytes(&s3);
    assert_eq!(first, again);

    // Flow logs delivered to the stream directly: a record a line.
    let direct = serde_json::json!({
        "invocationId": "invoked-2",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/direct",
        "region": "us-east-1",
        "records": lines.iter().enumerate()
            .map(|(i, l)| record(&format!("d{i}"), l.as_bytes()))
            .collect::<Vec<_>>(),
    });
    let r = lambda.respond(direct);
    assert!(
        r["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["result"] == "Ok"),
        "{r}"
    );
    assert_eq!(total_bytes(&s3), 14_000);
}

/// Objects the other deliveries write to S3, as their S3 notifications name them:
/// Firehose's (no extension; here CloudWatch Logs payloads relayed by the stream, one
/// gzip member each) and a CloudWatch Logs export task's (`000000.gz`, a timestamp
/// before each message) are told by content and give the same totals.
#[test]
fn firehose_and_export_objects_in_s3_are_read_by_content() {
    let s3 = s3_with_logs();
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let text = records(&[(DAY1, 1_000), (DAY1 + 60, 2_000), (DAY2, 4_000)]);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let stream = "eni-0a1b2c3d4e5f60001-all";
    let mut firehose = gzip(
        cwl_payload("DATA_MESSAGE", stream, &lines[..1], 0)
            .to_string()
            .as_bytes(),
    );
    firehose.extend(gzip(
        cwl_payload("DATA_MESSAGE", stream, &lines[1..], 1)
            .to_string()
            .as_bytes(),
    ));
    let key = "firehose/2026/08/22/10/flow-logs-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
    s3.put_file(LOGS, key, firehose);
    let r = lambda.respond(one_object(LOGS, key));
    assert_eq!(r["objects"][0]["status"], "summarized", "{r}");
    assert_eq!(r["objects"][0]["counts"]["ok"], 3, "{r}");
    assert_eq!(total_bytes(&s3), 7_000);

    let export: String = lines
        .iter()
        .map(|l| format!("2026-08-22T10:00:10.000Z {l}\n"))
        .collect();
    let key =
        "exportedlogs/0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/eni-0a1b2c3d4e5f60001-all/000000.gz";
    s3.put_file(LOGS, key, gzip(export.as_bytes()));
    let r = lambda.respond(one_object(LOGS, key));
    assert_eq!(r["objects"][0]["counts"]["ok"], 3, "{r}");
    assert_eq!(total_bytes(&s3), 14_000);

    // Anything else outside the flow-log layout is still skipped unread.
    let r = lambda.respond(one_object(LOGS, "firehose/notes.txt"));
    assert_eq!(r["objects"][0]["status"], "skipped", "{r}");
}

#[test]
fn a_transit_gateway_log_object_is_summarized_into_its_own_table() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    // AWS writes transit gateway logs under the same `vpcflowlogs` layout as VPC logs.
    let key = "AWSLogs/999988887777/vpcflowlogs/eu-west-1/2026/08/22/\
               999988887777_vpcflowlogs_eu-west-1_fl-0tgw1234567890abc_20260822T0000Z_5e6f7a8b.log.gz";
    s3.put_file(
        LOGS,
        key,
        gzip(&fixture("transit-gateway/hub-and-spoke.log")),
    );
    let lambda = Lambda::summarizer(s3.env(), &[]);
    let mut payload = event("s3-put.json");
    payload["Records"][0]["s3"]["object"]["key"] = key.into();
    if let Some(records) = payload["Records"].as_array_mut() {
        records.truncate(1);
    }
    let response = lambda.respond(payload.clone());
    let object = &response["objects"][0];
    assert_eq!(object["counts"]["ok"], 11, "{response}");
    assert_eq!(object["counts"]["nodata"], 1, "{response}");
    let written = all_outputs(&s3);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].starts_with(
            "summaries/transit_gateway/account_id=999988887777/region=eu-west-1/day=2026-08-22/"
        ),
        "{written:?}"
    );
    let rows = flowpath_testkit::read_transit_summary(s3.read_file(OUT, &written[0]).unwrap());
    assert_eq!(rows.iter().filter_map(|r| r.bytes).sum::<i64>(), 3_109_180);
    // Redelivered: the same object, overwritten.
    lambda.respond(payload);
    assert_eq!(all_outputs(&s3), written);
}

/// The fixture query log's key (`fixtures/resolver/query-logs/…`), as AWS delivers it.
const QUERY_LOG: &str = "AWSLogs/111122223333/vpcdnsquerylogs/vpc-0abc1234def567890/2026/08/22/vpc-0abc1234def567890_vpcdnsquerylogs_111122223333_20260822T1000Z_1a2b3c4d.log.gz";
/// `fixtures/resolver/flowlogs/resolved.log`, delivered at 10:05 under the same account.
const NAMED_FLOWS: &str = "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/08/22/111122223333_vpcflowlogs_eu-west-1_fl-0123456789abcdef0_20260822T1005Z_9a8b7c6d.log.gz";

/// (interface, direction, remote name, name source, bytes) of a row.
type NamedRow = (String, String, Option<String>, Option<String>, i64);

/// The [`NamedRow`]s of an output, sorted.
fn names_of(s3: &S3Server, key: &str) -> Vec<NamedRow> {
    let mut rows: Vec<_> = parquet(s3.read_file(OUT, key).unwrap())
        .rows
        .into_iter()
        .map(|r| {
            (
                r.interface_id.unwrap(),
                r.direction,
                r.remote_name,
                r.name_source,
                r.bytes.unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn query_logs_are_indexed_in_s3_and_name_the_flows_of_their_account() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    put_named_fixtures(&s3, QUERY_LOG);

    // Without NAME_WINDOW a query log is not an input.
    let plain = Lambda::summarizer(s3.env(), &[]);
    let r = plain.respond(one_object(LOGS, QUERY_LOG));
    assert_eq!(r["objects"][0]["status"], "skipped");

    let lambda = Lambda::summarizer(s3.env(), &[("NAME_WINDOW", "1h")]);
    // A flow log summarized before its query log arrived: no names (documented).
    let r = lambda.respond(one_object(LOGS, NAMED_FLOWS));
    let flows_out = r["objects"][0]["outputs"][0].as_str().unwrap().to_owned();
    assert!(names_of(&s3, &flows_out).iter().all(|r| r.2.is_none()));

    // The query log: its queries written back by hour (08:30 and 10:00).
    assert_fixture_names_written(&lambda, &lambda.respond(one_object(LOGS, QUERY_LOG)));
    // Indexed again (a redelivery): the same keys, nothing added.
    lambda.respond(one_object(LOGS, QUERY_LOG));
    assert_eq!(names_files(&s3), 2);

    // The flow log again: every remote named as the CLI names it.
    lambda.respond(one_object(LOGS, NAMED_FLOWS));
    assert_eq!(
        names_of(&s3, &flows_out),
        resolved_names(),
        "{}",
        lambda.function.logs()
    );
}

/// Query logs a Firehose stream delivered to S3 (the Resolver's query logging sent to
/// a stream): the key names no account and has no `.log.gz`; the first line says they
/// are query logs, each query's `account_id` whose index they join. A Firehose object
/// of flow-log lines beside them is still summarized.
#[test]
fn query_logs_delivered_by_firehose_are_indexed_by_their_accounts() {
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    let firehose = "rq/2026/08/22/10/resolver-queries-1-2026-08-22-10-05-12-0b6f2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.gz";
    put_named_fixtures(&s3, firehose);
    let flows_by_firehose =
        "fl/2026/08/22/10/flow-logs-1-2026-08-22-10-06-40-1c7a3d4e-5f60-7b8c-9d0e-1f2a3b4c5d6e";
    s3.put_file(LOGS, flows_by_firehose, fixture("flowlogs/v2-default.log"));

    let lambda = Lambda::summarizer(s3.env(), &[("NAME_WINDOW", "1h")]);
    assert_fixture_names_written(&lambda, &lambda.respond(one_object(LOGS, firehose)));
    assert_eq!(names_files(&s3), 2);

    // The flows of that account get the names AWS's own delivery gives them.
    let r = lambda.respond(one_object(LOGS, NAMED_FLOWS));
    let flows_out = r["objects"][0]["outputs"][0].as_str().unwrap().to_owned();
    assert_eq!(
        names_of(&s3, &flows_out),
        resolved_names(),
        "{}",
        lambda.function.logs()
    );

    // Flow-log lines under a Firehose name: summarized, not taken for query logs.
    let r = lambda.respond(one_object(LOGS, flows_by_firehose));
    let object = &r["objects"][0];
    assert_ne!(object["status"], "indexed", "{r}");
    assert!(object["counts"]["read"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(object["counts"]["malformed"], 0, "{r}");
    assert_eq!(names_files(&s3), 2);
}

/// Puts the fixture query log under `query_key` and its VPC's flow log under
/// [`NAMED_FLOWS`] in the logs bucket.
fn put_named_fixtures(s3: &S3Server, query_key: &str) {
    s3.put_file(
        LOGS,
        query_key,
        fixture(&format!("resolver/query-logs/{QUERY_LOG}")),
    );
    s3.put_file(
        LOGS,
        NAMED_FLOWS,
        gzip(&fixture("resolver/flowlogs/resolved.log")),
    );
}

/// The response `r` indexed the fixture query log's queries: its one delivery is
/// `indexed`, into one names file per hour of its queries (08:30 and 10:00).
fn assert_fixture_names_written(lambda: &Lambda, r: &Value) {
    let object = &r["objects"][0];
    assert_eq!(
        object["status"],
        "indexed",
        "{r} {}",
        lambda.function.logs()
    );
    let written: Vec<&str> = object["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    for (file, hour) in written.iter().zip(["08", "10"]) {
        assert!(
            file.starts_with(&format!(
                "summaries/_flowpath/names/account_id=111122223333/hour=2026-08-22T{hour}/"
            )),
            "{written:?}"
        );
    }
}

/// How many names files the output bucket holds.
fn names_files(s3: &S3Server) -> usize {
    s3.list_files(OUT)
        .into_iter()
        .filter(|k| k.starts_with("summaries/_flowpath/names/"))
        .count()
}

/// The names `fixtures/resolver/flowlogs/resolved.log` gets from the fixture query log,
/// sorted as [`names_of`] gives them.
fn resolved_names() -> Vec<NamedRow> {
    let (a, b, c) = (
        "eni-0aaa1111bbbb22221",
        "eni-0bbb2222cccc33331",
        "eni-0ccc3333dddd44441",
    );
    let row = |eni: &str, dir: &str, name: Option<(&str, &str)>, bytes: i64| {
        (
            eni.to_owned(),
            dir.to_owned(),
            name.map(|n| n.0.to_owned()),
            name.map(|n| n.1.to_owned()),
            bytes,
        )
    };
    let s3name = "my-bucket.s3.eu-west-1.amazonaws.com";
    let mut want = vec![
        row(a, "egress", Some((s3name, "client")), 1000),
        row(a, "ingress", Some((s3name, "client")), 1500),
        row(
            b,
            "egress",
            Some(("logs-archive.s3.eu-west-1.amazonaws.com", "client")),
            2000,
        ),
        // 08:30 is outside the hour before the 10:00:30 flow.
        row(a, "egress", None, 3000),
        row(
            c,
            "egress",
            Some(("sqs.eu-west-1.amazonaws.com", "vpc")),
            4000,
        ),
        row(a, "egress", None, 5000),
    ];
    want.sort();
    want
}

/// Query logs delivered through a CloudWatch Logs subscription (the Resolver's log
/// group subscribed to the function): the same events as the fixture object, as
/// CloudWatch Logs batches them, are indexed for the payload's owner and name the
/// flows as the S3 delivery does.
#[test]
fn query_logs_from_a_cloudwatch_logs_subscription_name_the_flows_too() {
    use std::io::Read as _;
    let s3 = S3Server::start();
    s3.create_bucket(LOGS);
    s3.create_bucket(OUT);
    s3.put_file(
        LOGS,
        NAMED_FLOWS,
        gzip(&fixture("resolver/flowlogs/resolved.log")),
    );
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&fixture(&format!("resolver/query-logs/{QUERY_LOG}"))[..])
        .read_to_string(&mut text)
        .unwrap();
    let events: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::json!({
                "id": format!("3720000000000000000000000000000000000000000000000000000{i}"),
                "timestamp": 1_787_392_800_000_i64 + i as i64,
                "message": l,
            })
        })
        .collect();
    let payload = serde_json::json!({
        "messageType": "DATA_MESSAGE",
        "owner": "111122223333",
        "logGroup": "/aws/route53resolver/query-logs",
        "logStream": "vpc-0abc1234def567890_vpcdnsquerylogs_111122223333",
        "subscriptionFilters": ["flowpath"],
        "logEvents": events,
    });
    let lambda = Lambda::summarizer(s3.env(), &[("NAME_WINDOW", "1h")]);
    assert_fixture_names_written(&lambda, &lambda.respond(awslogs(&payload)));
    // Redelivered: the same keys.
    lambda.respond(awslogs(&payload));
    assert_eq!(names_files(&s3), 2);
    let r = lambda.respond(one_object(LOGS, NAMED_FLOWS));
    let flows_out = r["objects"][0]["outputs"][0].as_str().unwrap();
    assert_eq!(
        names_of(&s3, flows_out),
        resolved_names(),
        "{}",
        lambda.function.logs()
    );
    // Without NAME_WINDOW the same events are read as flow logs, and none is one.
    let plain = Lambda::summarizer(s3.env(), &[]);
    let r = plain.respond(awslogs(&payload));
    assert_ne!(r["objects"][0]["status"], "indexed", "{r}");
}
