//! The deployment template (`deploy/template.yaml`), checked offline.
//!
//! 1. `cfn-lint` must pass. It validates the plain CloudFormation resources (Glue,
//!    SQS, IAM, Logs) against their schemas and checks every `Ref`/`GetAtt` there.
//! 2. cfn-lint does not look inside the SAM functions' `Environment` and `Events` for
//!    bad references, nor check `Runtime`: the template is loaded with cfn-lint's own
//!    YAML loader (it understands `!Ref`, `!Sub`, `!GetAtt`) and its wiring asserted
//!    here: runtimes and handlers, every reference in the whole template, environment
//!    variables, the SQS and SNS events, the queue's redrive and policy, the IAM
//!    statements and the Glue table (columns, partitions, projection).
//!
//! Both need Python with cfn-lint (`FLOWPATH_PYTHON`, set by `scripts/test.sh`). Without
//! it they print a `SKIPPED:` line, unless `FLOWPATH_REQUIRE_TOOLS=1`, which makes it a
//! failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use flowpath_core::table;
use flowpath_testkit::skip;
use serde_json::{Value, json};

const SNS_TOPIC: &str = "arn:aws:sns:us-east-1:806199016981:AmazonIpSpaceChanged";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template_path() -> PathBuf {
    repo().join("deploy").join("template.yaml")
}

/// The venv's Python with cfn-lint importable; `None` means skip, after the test's
/// SKIPPED line (a failure under `FLOWPATH_REQUIRE_TOOLS=1`).
fn python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("FLOWPATH_PYTHON") else {
        skip::missing_tool(
            "cfn-lint",
            "FLOWPATH_PYTHON is not set; run scripts/test.sh (it installs cfn-lint) or set it",
        );
        return None;
    };
    let python = PathBuf::from(python);
    let probe = Command::new(&python)
        .args(["-c", "import cfnlint.decode, cfnlint.runner"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    if !probe.status.success() {
        let stderr = String::from_utf8_lossy(&probe.stderr);
        let why = format!(
            "{} cannot import cfnlint ({})",
            python.display(),
            stderr.lines().last().unwrap_or("no message")
        );
        skip::missing_tool("cfn-lint", &format!("{why}; run scripts/test.sh"));
        return None;
    }
    Some(python)
}

#[test]
fn cfn_lint_passes() {
    let Some(python) = python() else {
        return;
    };
    let o = Command::new(&python)
        .args([
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
        ])
        .arg(template_path())
        .output()
        .expect("run cfn-lint");
    assert!(
        o.status.success(),
        "cfn-lint {} failed ({}):\n{}{}",
        template_path().display(),
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The template as JSON, intrinsics in their long form (`{"Ref": ..}`, `{"Fn::Sub": ..}`).
fn load(python: &PathBuf) -> Value {
    let script = r#"
import json, sys
from cfnlint.decode import decode
template, matches = decode(sys.argv[1])
if matches or template is None:
    for m in matches:
        print(m, file=sys.stderr)
    sys.exit(1)
json.dump(template, sys.stdout)
"#;
    let o = Command::new(python)
        .args(["-c", script])
        .arg(template_path())
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "cannot load {}:\n{}",
        template_path().display(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("the loader prints JSON")
}

/// Values for the parameters in `resolve`: the template's defaults, and test names for
/// those without one.
fn parameter_values(t: &Value) -> BTreeMap<String, String> {
    let mut v: BTreeMap<String, String> = obj(&t["Parameters"])
        .iter()
        .filter_map(|(k, p)| p.get("Default").map(|d| (k.clone(), scalar(d))))
        .collect();
    v.insert("LogBucketName".into(), "logs-bucket".into());
    v.insert("OutputBucketName".into(), "out-bucket".into());
    v.insert("AWS::Partition".into(), "aws".into());
    v.insert("AWS::AccountId".into(), "123456789012".into());
    v.insert("AWS::Region".into(), "eu-west-1".into());
    v.insert("AWS::StackName".into(), "flowpath".into());
    v
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What CloudFormation makes of a string-valued property: `Ref` to a parameter, `Fn::Sub`
/// (with `${!x}` left as `${x}`), or a literal. Panics on anything else.
fn resolve(v: &Value, params: &BTreeMap<String, String>) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) if o.len() == 1 && o.contains_key("Ref") => {
            let name = o["Ref"].as_str().expect("Ref names a string");
            params
                .get(name)
                .unwrap_or_else(|| panic!("no value for Ref {name}"))
                .clone()
        }
        Value::Object(o) if o.len() == 1 && o.contains_key("Fn::Sub") => {
            let text = o["Fn::Sub"].as_str().expect("Fn::Sub with a plain string");
            let mut out = String::new();
            let mut rest = text;
            while let Some(i) = rest.find("${") {
                out.push_str(&rest[..i]);
                let end = rest[i..].find('}').expect("closed ${") + i;
                let name = &rest[i + 2..end];
                match name.strip_prefix('!') {
                    Some(literal) => out.push_str(&format!("${{{literal}}}")),
                    None => out.push_str(
                        params
                            .get(name)
                            .unwrap_or_else(|| panic!("no value for ${{{name}}}")),
                    ),
                }
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            out
        }
        other => panic!("cannot resolve {other} to a string"),
    }
}

/// Whether condition `name` holds with `params`. The template's conditions all have the
/// form "parameter P is not empty" (`!Not [!Equals [!Ref P, ""]]`), or not `"0"`.
fn condition(t: &Value, name: &str, params: &BTreeMap<String, String>) -> bool {
    let c = t["Conditions"]
        .get(name)
        .unwrap_or_else(|| panic!("no condition {name}"));
    let equals = &c["Fn::Not"][0]["Fn::Equals"];
    assert!(
        equals.is_array(),
        "condition {name} is not !Not [!Equals ..]: {c}"
    );
    resolve(&equals[0], params) != resolve(&equals[1], params)
}

/// `v` as CloudFormation deploys it with `params`: each `Fn::If` replaced by the branch
/// its condition picks, and `!Ref AWS::NoValue` removed (`None` for `v` itself).
fn specialise(t: &Value, v: &Value, params: &BTreeMap<String, String>) -> Option<Value> {
    match v {
        Value::Object(o) if o.len() == 1 && o.get("Ref") == Some(&json!("AWS::NoValue")) => None,
        Value::Object(o) if o.len() == 1 && o.contains_key("Fn::If") => {
            let args = o["Fn::If"].as_array().expect("Fn::If takes a list");
            assert_eq!(args.len(), 3, "Fn::If {v}");
            let name = args[0].as_str().expect("Fn::If names a condition");
            let branch = if condition(t, name, params) {
                &args[1]
            } else {
                &args[2]
            };
            specialise(t, branch, params)
        }
        Value::Object(o) => Some(Value::Object(
            o.iter()
                .filter_map(|(k, x)| specialise(t, x, params).map(|x| (k.clone(), x)))
                .collect(),
        )),
        Value::Array(a) => Some(Value::Array(
            a.iter().filter_map(|x| specialise(t, x, params)).collect(),
        )),
        other => Some(other.clone()),
    }
}

/// Test values for the optional parameters that switch grants on.
fn with_keys(params: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut p = params.clone();
    p.insert("LogBucketOwner".into(), "210987654321".into());
    p.insert(
        "LogBucketKmsKeyArn".into(),
        "arn:aws:kms:eu-west-1:210987654321:key/logs-key".into(),
    );
    p.insert(
        "OutputKmsKeyArn".into(),
        "arn:aws:kms:eu-west-1:123456789012:key/out-key".into(),
    );
    p
}

fn obj(v: &Value) -> &serde_json::Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected a mapping, got {v}"))
}

/// Attributes `Fn::GetAtt` may read, for the resource types this template uses.
fn getatt_attributes(resource_type: &str) -> Option<&'static [&'static str]> {
    Some(match resource_type {
        "AWS::Serverless::Function" => &["Arn"],
        "AWS::SQS::Queue" => &["Arn", "QueueName", "QueueUrl"],
        "AWS::IAM::Role" => &["Arn", "RoleId"],
        "AWS::Logs::LogGroup" => &["Arn"],
        _ => return None,
    })
}

/// Every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable under `v`, as (path, target,
/// attribute).
fn references(v: &Value, path: &str, out: &mut Vec<(String, String, Option<String>)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let here = format!("{path}/{k}");
                match (k.as_str(), x) {
                    ("Ref", Value::String(name)) => out.push((here, name.clone(), None)),
                    ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                        out.push((here, scalar(&a[0]), Some(scalar(&a[1]))));
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        let (r, a) = s.split_once('.').unwrap_or((s, ""));
                        out.push((here, r.into(), Some(a.into())));
                    }
                    ("Fn::Sub", x) => {
                        let (text, locals) = match x {
                            Value::String(s) => (s.as_str(), None),
                            Value::Array(a) => {
                                references(&a[1], &here, out);
                                (a[0].as_str().expect("Fn::Sub string"), a[1].as_object())
                            }
                            other => panic!("{here}: bad Fn::Sub {other}"),
                        };
                        let mut rest = text;
                        while let Some(i) = rest.find("${") {
                            let end = rest[i..].find('}').expect("closed ${") + i;
                            let name = &rest[i + 2..end];
                            rest = &rest[end + 1..];
                            if name.starts_with('!') || locals.is_some_and(|l| l.contains_key(name))
                            {
                                continue;
                            }
                            match name.split_once('.') {
                                Some((r, a)) => out.push((here.clone(), r.into(), Some(a.into()))),
                                None => out.push((here.clone(), name.into(), None)),
                            }
                        }
                    }
                    _ => references(x, &here, out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                references(x, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NoValue",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// The IAM statements of a SAM function's inline `Policies`.
fn statements(function: &Value) -> Vec<&Value> {
    let policies = function["Properties"]["Policies"]
        .as_array()
        .expect("Policies is a list");
    policies
        .iter()
        .flat_map(|p| {
            p["Statement"]
                .as_array()
                .expect("inline policy documents only")
        })
        .collect()
}

fn list_of_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(scalar).collect(),
        other => vec![scalar(other)],
    }
}

/// (action, resource) pairs the statements allow, resources resolved.
fn grants(function: &Value, params: &BTreeMap<String, String>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for s in statements(function) {
        assert_eq!(s["Effect"], "Allow", "{s}");
        let resources: Vec<String> = match &s["Resource"] {
            Value::Array(a) => a.iter().map(|r| resolve(r, params)).collect(),
            r => vec![resolve(r, params)],
        };
        for a in list_of_strings(&s["Action"]) {
            assert!(!a.contains('*'), "wildcard action {a} in {s}");
            for r in &resources {
                assert!(
                    !r.ends_with(":::*") && r != "*",
                    "wildcard resource {r} in {s}"
                );
                out.insert((a.clone(), r.clone()));
            }
        }
    }
    out
}

fn pairs(v: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    v.iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

#[test]
fn template_wiring() {
    let Some(python) = python() else {
        return;
    };
    let raw = load(&python);
    let params = parameter_values(&raw);
    // Every condition an Fn::If names exists; then the template as deployed by default.
    let mut refs = Vec::new();
    references(&raw["Resources"], "Resources", &mut refs);
    let t = specialise(&raw, &raw, &params).expect("a template");
    let keyed = specialise(&raw, &raw, &with_keys(&params)).expect("a template");
    let resources = obj(&t["Resources"]);
    let res = |name: &str| -> &Value {
        resources
            .get(name)
            .unwrap_or_else(|| panic!("no resource {name}"))
    };
    assert_eq!(t["Transform"], "AWS::Serverless-2016-10-31");

    // Parameters and their defaults.
    let p = &t["Parameters"];
    for name in ["LogBucketName", "OutputBucketName"] {
        assert_eq!(p[name]["Type"], "String", "{name}");
        assert!(
            p[name].get("Default").is_none(),
            "{name} has no default: it must exist"
        );
    }
    assert_eq!(p["LogPrefix"]["Default"], "AWSLogs/");
    assert_eq!(p["OutputPrefix"]["Default"], "flowpath/summaries/");
    assert_eq!(p["RangesObjectKey"]["Default"], "flowpath/ip-ranges.json");
    assert_eq!(p["InventoryPrefix"]["Default"], "flowpath/inventory/");
    assert_eq!(p["Architecture"]["Default"], "arm64");
    assert_eq!(
        p["Architecture"]["AllowedValues"],
        json!(["arm64", "x86_64"])
    );
    assert_eq!(scalar(&p["MemorySize"]["Default"]), "1024");
    assert_eq!(p["GlueDatabaseName"]["Default"], "flowpath");

    // Every reference in the template names a parameter, a resource or a pseudo
    // parameter; GetAtt a resource and an attribute it has.
    let mut refs = Vec::new();
    references(&t["Resources"], "Resources", &mut refs);
    references(&t["Outputs"], "Outputs", &mut refs);
    assert!(refs.len() > 30, "references found: {refs:?}");
    for (path, target, attr) in &refs {
        match attr {
            None => assert!(
                p.get(target).is_some()
                    || resources.contains_key(target)
                    || PSEUDO.contains(&target.as_str()),
                "{path}: reference to {target:?}, which is neither a parameter nor a resource"
            ),
            Some(attr) => {
                let r = resources.get(target).unwrap_or_else(|| {
                    panic!("{path}: GetAtt {target}.{attr}: no resource {target:?}")
                });
                let ty = r["Type"].as_str().expect("Type");
                if let Some(known) = getatt_attributes(ty) {
                    assert!(
                        known.contains(&attr.as_str()),
                        "{path}: {ty} has no attribute {attr}"
                    );
                }
            }
        }
    }

    // The functions: runtime, handler, code from cargo-lambda's output of a real binary.
    let cargo_toml = std::fs::read_to_string(repo().join("functions/Cargo.toml")).unwrap();
    for (name, bin) in [
        ("SummarizeFunction", "flowpath-lambda"),
        ("RangesRefreshFunction", "flowpath-ranges-refresh"),
    ] {
        let f = &res(name)["Properties"];
        assert_eq!(res(name)["Type"], "AWS::Serverless::Function", "{name}");
        assert_eq!(f["Runtime"], "provided.al2023", "{name}");
        assert_eq!(f["Handler"], "bootstrap", "{name}");
        assert_eq!(f["CodeUri"], format!("../target/lambda/{bin}/"), "{name}");
        assert!(
            cargo_toml.contains(&format!("name = \"{bin}\"")),
            "functions/Cargo.toml has no [[bin]] {bin}"
        );
        assert_eq!(
            f["Architectures"],
            json!([{"Ref": "Architecture"}]),
            "{name}"
        );
        assert!(
            f.get("Role").is_none(),
            "{name}: SAM makes the role from Policies"
        );
    }

    // Environment.
    let env = |name: &str| -> BTreeMap<String, String> {
        obj(&res(name)["Properties"]["Environment"]["Variables"])
            .iter()
            .map(|(k, v)| (k.clone(), resolve(v, &params)))
            .collect()
    };
    let ranges_uri = "s3://out-bucket/flowpath/ip-ranges.json";
    assert_eq!(
        env("SummarizeFunction"),
        BTreeMap::from([
            ("LOG_BUCKETS".into(), "logs-bucket".into()),
            ("LOG_BUCKET_OWNER".into(), "123456789012".into()),
            ("OUTPUT_BUCKET".into(), "out-bucket".into()),
            ("OUTPUT_BUCKET_OWNER".into(), "123456789012".into()),
            ("OUTPUT_PREFIX".into(), "flowpath/summaries/".into()),
            ("RANGES_S3_URI".into(), ranges_uri.into()),
            (
                "INVENTORY_S3_URI".into(),
                "s3://out-bucket/flowpath/inventory/".into()
            ),
            ("RUST_LOG".into(), "info".into()),
        ])
    );
    assert_eq!(
        env("RangesRefreshFunction"),
        BTreeMap::from([("RANGES_S3_URI".into(), ranges_uri.into())])
    );
    let keyed_env: BTreeMap<String, String> =
        obj(&keyed["Resources"]["SummarizeFunction"]["Properties"]["Environment"]["Variables"])
            .iter()
            .map(|(k, v)| (k.clone(), resolve(v, &with_keys(&params))))
            .collect();
    assert_eq!(keyed_env["LOG_BUCKET_OWNER"], "210987654321");
    assert_eq!(
        keyed_env["OUTPUT_KMS_KEY_ARN"],
        "arn:aws:kms:eu-west-1:123456789012:key/out-key"
    );

    // CloudWatch Logs: with a log group, a subscription filter sends its events to the
    // summarizer, which CloudWatch Logs may invoke for that log group only.
    let mut cwl = params.clone();
    cwl.insert("FlowLogGroupName".into(), "vpc-flow-logs".into());
    cwl.insert("FlowLogFormat".into(), "${version} ${interface-id}".into());
    assert!(!condition(&raw, "HasFlowLogGroup", &params));
    assert!(condition(&raw, "HasFlowLogGroup", &cwl));
    assert!(!env("SummarizeFunction").contains_key("FLOW_LOG_FORMAT"));
    let with_cwl = specialise(&raw, &raw, &cwl).expect("a template");
    let summarizer_arn = json!({"Fn::GetAtt": ["SummarizeFunction", "Arn"]});
    let permission = &with_cwl["Resources"]["FlowLogSubscriptionPermission"];
    assert_eq!(permission["Condition"], "HasFlowLogGroup");
    let pp = &permission["Properties"];
    assert_eq!(pp["Action"], "lambda:InvokeFunction");
    assert_eq!(pp["Principal"], "logs.amazonaws.com");
    assert_eq!(pp["FunctionName"], summarizer_arn);
    assert_eq!(resolve(&pp["SourceAccount"], &cwl), "123456789012");
    assert_eq!(
        resolve(&pp["SourceArn"], &cwl),
        "arn:aws:logs:eu-west-1:123456789012:log-group:vpc-flow-logs:*"
    );
    let filter = &with_cwl["Resources"]["FlowLogSubscriptionFilter"];
    assert_eq!(filter["Condition"], "HasFlowLogGroup");
    assert_eq!(filter["DependsOn"], "FlowLogSubscriptionPermission");
    let fp = &filter["Properties"];
    assert_eq!(resolve(&fp["LogGroupName"], &cwl), "vpc-flow-logs");
    assert_eq!(fp["FilterPattern"], "");
    assert_eq!(fp["DestinationArn"], summarizer_arn);
    assert_eq!(
        resolve(
            &with_cwl["Resources"]["SummarizeFunction"]["Properties"]["Environment"]["Variables"]["FLOW_LOG_FORMAT"],
            &cwl
        ),
        "${version} ${interface-id}"
    );

    // Resolver query logs: NAME_WINDOW only when NameWindow is set.
    assert!(!env("SummarizeFunction").contains_key("NAME_WINDOW"));
    let mut named = params.clone();
    named.insert("NameWindow".into(), "1h".into());
    let with_names = specialise(&raw, &raw, &named).expect("a template");
    assert_eq!(
        resolve(
            &with_names["Resources"]["SummarizeFunction"]["Properties"]["Environment"]["Variables"]
                ["NAME_WINDOW"],
            &named
        ),
        "1h"
    );

    // Tags: TAG_KEYS only when TagKeys is set.
    assert!(!env("SummarizeFunction").contains_key("TAG_KEYS"));
    let mut tagged = params.clone();
    tagged.insert("TagKeys".into(), "Team,CostCenter".into());
    let with_tags = specialise(&raw, &raw, &tagged).expect("a template");
    assert_eq!(
        resolve(
            &with_tags["Resources"]["SummarizeFunction"]["Properties"]["Environment"]["Variables"]
                ["TAG_KEYS"],
            &tagged
        ),
        "Team,CostCenter"
    );

    // Top talkers: TOP_TALKERS only when TopTalkers is not 0.
    assert!(!env("SummarizeFunction").contains_key("TOP_TALKERS"));
    let mut talkers = params.clone();
    talkers.insert("TopTalkers".into(), "20".into());
    let with_talkers = specialise(&raw, &raw, &talkers).expect("a template");
    assert_eq!(
        resolve(
            &with_talkers["Resources"]["SummarizeFunction"]["Properties"]["Environment"]["Variables"]
                ["TOP_TALKERS"],
            &talkers
        ),
        "20"
    );

    // Firehose: with FirehoseStream=create, a direct-PUT stream whose transformation is
    // the summarizer, its raw records kept outside the summaries' prefix.
    let mut fh = params.clone();
    fh.insert("FirehoseStream".into(), "create".into());
    assert!(!condition(&raw, "CreateFirehoseStream", &params));
    assert!(condition(&raw, "CreateFirehoseStream", &fh));
    let with_fh = specialise(&raw, &raw, &fh).expect("a template");
    let stream = &with_fh["Resources"]["FlowLogDeliveryStream"];
    assert_eq!(stream["Type"], "AWS::KinesisFirehose::DeliveryStream");
    assert_eq!(stream["Condition"], "CreateFirehoseStream");
    let sp = &stream["Properties"];
    assert_eq!(sp["DeliveryStreamType"], "DirectPut");
    let dest = &sp["ExtendedS3DestinationConfiguration"];
    assert_eq!(resolve(&dest["BucketARN"], &fh), "arn:aws:s3:::out-bucket");
    let raw_prefix = resolve(&dest["Prefix"], &fh);
    assert_eq!(raw_prefix, "flowpath/firehose/");
    assert!(!raw_prefix.starts_with("flowpath/summaries/"));
    assert_eq!(
        dest["RoleARN"],
        json!({"Fn::GetAtt": ["FlowLogDeliveryStreamRole", "Arn"]})
    );
    let processors = dest["ProcessingConfiguration"]["Processors"]
        .as_array()
        .expect("processors");
    assert_eq!(processors.len(), 2);
    assert_eq!(processors[0]["Type"], "Lambda");
    assert_eq!(processors[1]["Type"], "AppendDelimiterToRecord");
    let lambda_arn = processors[0]["Parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ParameterName"] == "LambdaArn")
        .expect("LambdaArn");
    assert_eq!(lambda_arn["ParameterValue"], summarizer_arn);
    let role = &with_fh["Resources"]["FlowLogDeliveryStreamRole"];
    assert_eq!(role["Condition"], "CreateFirehoseStream");
    let mut fh_grants = BTreeSet::new();
    for policy in role["Properties"]["Policies"].as_array().unwrap() {
        for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
            // The summarizer's ARN (a GetAtt, or inside a Sub) as its resource name.
            let mut fh_arn = fh.clone();
            fh_arn.insert(
                "SummarizeFunction.Arn".into(),
                "SummarizeFunction.Arn".into(),
            );
            let name = |r: &Value| match r.get("Fn::GetAtt") {
                Some(a) => format!("{}.{}", scalar(&a[0]), scalar(&a[1])),
                None => resolve(r, &fh_arn),
            };
            let resources: Vec<String> = match &st["Resource"] {
                Value::Array(a) => a.iter().map(name).collect(),
                r => vec![name(r)],
            };
            for a in list_of_strings(&st["Action"]) {
                for r in &resources {
                    fh_grants.insert((a.clone(), r.clone()));
                }
            }
        }
    }
    assert!(
        fh_grants.contains(&(
            "lambda:InvokeFunction".to_owned(),
            "SummarizeFunction.Arn".to_owned()
        )),
        "{fh_grants:?}"
    );
    assert!(
        fh_grants.contains(&(
            "s3:PutObject".to_owned(),
            "arn:aws:s3:::out-bucket/flowpath/firehose/*".to_owned()
        )),
        "{fh_grants:?}"
    );

    // Summarizer: SQS event with partial batch responses, a long enough timeout.
    let summarize = &res("SummarizeFunction")["Properties"];
    let events = obj(&summarize["Events"]);
    assert_eq!(events.len(), 1, "{events:?}");
    let sqs = events.values().next().unwrap();
    assert_eq!(sqs["Type"], "SQS");
    assert_eq!(
        sqs["Properties"]["Queue"],
        json!({"Fn::GetAtt": ["ObjectCreatedQueue", "Arn"]})
    );
    assert_eq!(sqs["Properties"]["BatchSize"], 10);
    assert_eq!(
        sqs["Properties"]["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );
    let timeout = summarize["Timeout"].as_u64().expect("numeric Timeout");
    assert_eq!(timeout, 900);

    // The queue: redrive to the DLQ, visibility timeout >= 6 x the function timeout.
    let queue = res("ObjectCreatedQueue");
    assert_eq!(queue["Type"], "AWS::SQS::Queue");
    let redrive = &queue["Properties"]["RedrivePolicy"];
    assert_eq!(
        redrive["deadLetterTargetArn"],
        json!({"Fn::GetAtt": ["ObjectCreatedDeadLetterQueue", "Arn"]})
    );
    assert_eq!(redrive["maxReceiveCount"], 5);
    assert_eq!(
        res("ObjectCreatedDeadLetterQueue")["Type"],
        "AWS::SQS::Queue"
    );
    let visibility = queue["Properties"]["VisibilityTimeout"]
        .as_u64()
        .expect("numeric");
    assert!(
        visibility >= 6 * timeout,
        "VisibilityTimeout {visibility} < 6 x {timeout}"
    );

    // Only S3, for the log bucket of this account, may send to the queue.
    let qp = &res("ObjectCreatedQueuePolicy")["Properties"];
    assert_eq!(qp["Queues"], json!([{"Ref": "ObjectCreatedQueue"}]));
    let st = qp["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    assert_eq!(st.len(), 1, "{st:?}");
    let st = &st[0];
    assert_eq!(st["Effect"], "Allow");
    assert_eq!(st["Principal"], json!({"Service": "s3.amazonaws.com"}));
    assert_eq!(st["Action"], "sqs:SendMessage");
    assert_eq!(
        st["Resource"],
        json!({"Fn::GetAtt": ["ObjectCreatedQueue", "Arn"]})
    );
    let cond = obj(&st["Condition"]);
    let source_arn = cond
        .values()
        .find_map(|c| c.get("aws:SourceArn"))
        .expect("aws:SourceArn condition");
    assert_eq!(resolve(source_arn, &params), "arn:aws:s3:::logs-bucket");
    assert_eq!(
        cond["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );

    // IAM, least privilege: exactly these grants in the inline policies.
    assert_eq!(
        grants(res("SummarizeFunction"), &params),
        pairs(&[
            ("s3:GetObject", "arn:aws:s3:::logs-bucket/AWSLogs/*"),
            (
                "s3:PutObject",
                "arn:aws:s3:::out-bucket/flowpath/summaries/*"
            ),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::out-bucket/flowpath/summaries/*"
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::out-bucket/flowpath/summaries/_flowpath/sources/*"
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::out-bucket/flowpath/summaries/_flowpath/names/*"
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::out-bucket/flowpath/ip-ranges.json"
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::out-bucket/flowpath/inventory/*"
            ),
            ("s3:ListBucket", "arn:aws:s3:::out-bucket"),
        ])
    );
    assert_eq!(
        grants(res("RangesRefreshFunction"), &params),
        pairs(&[
            (
                "s3:GetObject",
                "arn:aws:s3:::out-bucket/flowpath/ip-ranges.json"
            ),
            (
                "s3:PutObject",
                "arn:aws:s3:::out-bucket/flowpath/ip-ranges.json"
            ),
            ("s3:ListBucket", "arn:aws:s3:::out-bucket"),
        ])
    );
    // ListBucket only to tell a missing ranges object (404) from a denied one (403),
    // and (the summarizer) to list the inventory prefix.
    for f in ["SummarizeFunction", "RangesRefreshFunction"] {
        for s in statements(res(f)) {
            if list_of_strings(&s["Action"]).contains(&"s3:ListBucket".to_string()) {
                let condition = obj(&s["Condition"]);
                assert_eq!(condition.len(), 1, "{f}: {s}");
                let prefix = match condition.iter().next() {
                    Some((op, c)) if op == "StringEquals" => resolve(&c["s3:prefix"], &params),
                    Some((op, c)) if op == "StringLike" && f == "SummarizeFunction" => {
                        resolve(&c["s3:prefix"], &params)
                    }
                    other => panic!("{f}: unexpected ListBucket condition {other:?}"),
                };
                assert!(
                    prefix == "flowpath/ip-ranges.json"
                        || prefix == "flowpath/inventory/*"
                        || prefix == "flowpath/summaries/_flowpath/sources/*"
                        || prefix == "flowpath/summaries/_flowpath/names/*",
                    "{f}: ListBucket on {prefix}"
                );
            }
        }
    }

    // KMS: nothing by default; with the keys set, exactly Decrypt on the log bucket's key
    // and GenerateDataKey + Decrypt on the output key, only through S3.
    let kms = |template: &Value, params: &BTreeMap<String, String>| -> BTreeSet<(String, String)> {
        grants(&template["Resources"]["SummarizeFunction"], params)
            .into_iter()
            .filter(|(a, _)| a.starts_with("kms:"))
            .collect()
    };
    assert!(kms(&t, &params).is_empty());
    let keyed_params = with_keys(&params);
    assert_eq!(
        kms(&keyed, &keyed_params),
        pairs(&[
            (
                "kms:Decrypt",
                "arn:aws:kms:eu-west-1:210987654321:key/logs-key"
            ),
            (
                "kms:Decrypt",
                "arn:aws:kms:eu-west-1:123456789012:key/out-key"
            ),
            (
                "kms:GenerateDataKey",
                "arn:aws:kms:eu-west-1:123456789012:key/out-key"
            ),
        ])
    );
    for s in statements(&keyed["Resources"]["SummarizeFunction"]) {
        if list_of_strings(&s["Action"])
            .iter()
            .any(|a| a.starts_with("kms:"))
        {
            assert_eq!(
                s["Condition"]["StringLike"]["kms:ViaService"], "s3.*.amazonaws.com",
                "{s}"
            );
        }
    }
    let s3_grants =
        |template: &Value, params: &BTreeMap<String, String>| -> BTreeSet<(String, String)> {
            grants(&template["Resources"]["SummarizeFunction"], params)
                .into_iter()
                .filter(|(a, _)| a.starts_with("s3:"))
                .collect()
        };
    assert_eq!(s3_grants(&t, &params), s3_grants(&keyed, &keyed_params));

    // Refresher: subscribed to AWS's topic in us-east-1.
    let events = obj(&res("RangesRefreshFunction")["Properties"]["Events"]);
    assert_eq!(events.len(), 1, "{events:?}");
    let sns = events.values().next().unwrap();
    assert_eq!(sns["Type"], "SNS");
    assert_eq!(sns["Properties"]["Topic"], SNS_TOPIC);
    assert_eq!(sns["Properties"]["Region"], "us-east-1");

    // Glue: the summaries' schema, partitions, projection.
    let db = res("GlueDatabase");
    assert_eq!(db["Type"], "AWS::Glue::Database");
    assert_eq!(
        db["Properties"]["DatabaseInput"]["Name"],
        json!({"Ref": "GlueDatabaseName"})
    );
    for (resource, summaries) in [
        ("SummariesTable", table::Summaries::Flows),
        (
            "TransitGatewaySummariesTable",
            table::Summaries::TransitGateway,
        ),
        ("TopTalkersTable", table::Summaries::TopTalkers),
    ] {
        let table = res(resource);
        assert_eq!(table["Type"], "AWS::Glue::Table");
        assert_eq!(
            table["Properties"]["DatabaseName"],
            json!({"Ref": "GlueDatabase"})
        );
        let ti = &table["Properties"]["TableInput"];
        assert_eq!(ti["TableType"], "EXTERNAL_TABLE");
        // The same table as `flowpath athena-ddl`: flowpath_core::table is derived from the
        // summary schema, so a column added there fails here until the template follows.
        assert_eq!(ti["Name"], summaries.default_table());
        assert_eq!(p["GlueDatabaseName"]["Default"], table::DEFAULT_DATABASE);
        let columns = |v: &Value| -> Vec<(String, String)> {
            v.as_array()
                .expect("a list of columns")
                .iter()
                .map(|c| (scalar(&c["Name"]), scalar(&c["Type"])))
                .collect()
        };
        let sd = &ti["StorageDescriptor"];
        let core_columns: Vec<(String, String)> = table::columns_of(summaries)
            .expect("every summary column has an Athena type")
            .into_iter()
            .map(|c| (c.name, c.hive_type.to_string()))
            .collect();
        assert_eq!(columns(&sd["Columns"]), core_columns);
        assert_eq!(
            columns(&ti["PartitionKeys"]),
            table::PARTITION_KEYS
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            sd["SerdeInfo"]["SerializationLibrary"],
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
        );
        assert_eq!(
            sd["InputFormat"],
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
        );
        assert_eq!(
            sd["OutputFormat"],
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
        );
        let location = resolve(&sd["Location"], &params);
        assert_eq!(
            location,
            summaries.location("s3://out-bucket/flowpath/summaries/")
        );
        // Table parameters: exactly core's projection properties (after CloudFormation,
        // Athena must see its own ${...} placeholders, under the table's location, in the
        // layout the function writes), plus Glue's EXTERNAL and classification.
        let tp: BTreeMap<String, String> = obj(&ti["Parameters"])
            .iter()
            .map(|(k, v)| (k.clone(), resolve(v, &params)))
            .collect();
        let mut expected: BTreeMap<String, String> = table::table_properties(&location)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        expected.insert("EXTERNAL".into(), "TRUE".into());
        expected.insert("classification".into(), "parquet".into());
        assert_eq!(tp, expected);
        assert_eq!(
            tp["storage.location.template"],
            format!("{location}account_id=${{account_id}}/region=${{region}}/day=${{day}}/")
        );
    }

    // Outputs.
    let outputs = obj(&t["Outputs"]);
    for (name, value) in [
        (
            "SummarizeFunctionArn",
            json!({"Fn::GetAtt": ["SummarizeFunction", "Arn"]}),
        ),
        (
            "RangesRefreshFunctionArn",
            json!({"Fn::GetAtt": ["RangesRefreshFunction", "Arn"]}),
        ),
        (
            "ObjectCreatedQueueUrl",
            json!({"Ref": "ObjectCreatedQueue"}),
        ),
        (
            "ObjectCreatedDeadLetterQueueUrl",
            json!({"Ref": "ObjectCreatedDeadLetterQueue"}),
        ),
    ] {
        assert_eq!(
            outputs.get(name).map(|o| &o["Value"]),
            Some(&value),
            "output {name}"
        );
    }
    assert_eq!(
        resolve(
            &outputs["SummariesTableName"]["Value"],
            &BTreeMap::from([
                ("GlueDatabase".to_string(), "flowpath".to_string()),
                ("SummariesTable".to_string(), "summaries".to_string()),
            ])
        ),
        "flowpath.summaries"
    );
}

/// Every statement of every inline policy: the functions' `Policies` and the roles'
/// `Policies[].PolicyDocument`.
fn all_statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, r) in obj(&t["Resources"]) {
        match r["Type"].as_str() {
            Some("AWS::Serverless::Function") => {
                out.extend(statements(r).into_iter().map(|s| (name.clone(), s.clone())));
            }
            Some("AWS::IAM::Role") => {
                for p in r["Properties"]["Policies"].as_array().into_iter().flatten() {
                    for s in p["PolicyDocument"]["Statement"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        out.push((name.clone(), s.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn no_wildcard_resource_on_s3_or_kms_actions() {
    let Some(python) = python() else {
        return;
    };
    let raw = load(&python);
    let defaults = parameter_values(&raw);
    let mut checked = 0;
    for params in [defaults.clone(), with_keys(&defaults)] {
        let t = specialise(&raw, &raw, &params).expect("a template");
        for (name, s) in all_statements(&t) {
            let actions = list_of_strings(&s["Action"]);
            if !actions
                .iter()
                .any(|a| a.starts_with("s3:") || a.starts_with("kms:"))
            {
                continue;
            }
            let resources: Vec<String> = match &s["Resource"] {
                Value::Array(a) => a.iter().map(|r| resolve(r, &params)).collect(),
                r => vec![resolve(r, &params)],
            };
            for r in &resources {
                assert_ne!(r, "*", "{name}: {s}");
                if let Some(bucket_and_key) = r.strip_prefix("arn:aws:s3:::") {
                    // A key prefix may end in `*`; the bucket never holds one.
                    let bucket = bucket_and_key.split('/').next().unwrap_or_default();
                    assert!(
                        !bucket.is_empty() && !bucket.contains('*'),
                        "{name}: {r} in {s}"
                    );
                    assert!(!bucket_and_key.starts_with("*"), "{name}: {r}");
                } else {
                    assert!(
                        r.starts_with("arn:aws:kms:") && !r.contains('*'),
                        "{name}: {r} in {s}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} S3/KMS grants found");
}
