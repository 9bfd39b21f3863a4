//! Self-tests of the harness, each piece driven by a minimal std-only client (and the Lambda
//! emulator also by the real `lambda_runtime` loop, in `examples/echo_function.rs`).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use flowpath_testkit::{FUNCTION_NAME, FaultProxy, Function, Invocation, RuntimeApi, S3Server};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- a tiny HTTP/1.1 client

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// One request on a fresh connection (`Connection: close`), reading until the server closes.
fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(WAIT))
        .expect("set a read timeout");
    stream
        .set_write_timeout(Some(WAIT))
        .expect("set a write timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\
         Content-Type: application/json\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send the head");
    stream.write_all(body).expect("send the body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .expect("a status")
        .parse()
        .expect("a number");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut reply = Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    if reply
        .header("transfer-encoding")
        .is_some_and(|te| te.contains("chunked"))
    {
        reply.body = dechunk(&reply.body);
    } else if let Some(len) = reply.header("content-length") {
        reply.body.truncate(len.parse().expect("a length"));
    }
    reply
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = std::str::from_utf8(&raw[..eol]).expect("ASCII");
        let size = usize::from_str_radix(size_text.split(';').next().expect("size"), 16)
            .expect("a hex size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

// ---------------------------------------------------------------- Lambda Runtime API

const NEXT: &str = "/2018-06-01/runtime/invocation/next";

fn now_ms() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    u64::try_from(now.as_millis()).expect("fits")
}

#[test]
fn runtime_api_next_then_response() {
    let api = RuntimeApi::start();
    let addr = api.address();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let client = thread::spawn(move || {
        let next = http(&addr, "GET", NEXT, b"");
        assert_eq!(next.status, 200);
        let id = next
            .header("lambda-runtime-aws-request-id")
            .unwrap()
            .to_owned();
        let deadline: u64 = next
            .header("lambda-runtime-deadline-ms")
            .unwrap()
            .parse()
            .unwrap();
        let in_a_minute = now_ms() + 60_000;
        assert!(
            deadline.abs_diff(in_a_minute) < 5_000,
            "deadline {deadline}"
        );
        let arn = next.header("lambda-runtime-invoked-function-arn").unwrap();
        assert!(
            arn.ends_with(&format!(":function:{FUNCTION_NAME}")),
            "{arn}"
        );
        assert!(
            next.header("lambda-runtime-trace-id")
                .unwrap()
                .starts_with("Root=1-")
        );
        let answer = json!({ "echo": next.json() });
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        let posted = http(&addr, "POST", &path, answer.to_string().as_bytes());
        assert_eq!(posted.status, 202);
        // An invocation is answered once.
        let again = http(&addr, "POST", &path, b"{}");
        assert_eq!(again.status, 400);
        assert_eq!(again.json()["errorType"], "InvalidRequestID");
    });
    let got = api.invoke(json!({ "n": 1 }), WAIT);
    client.join().unwrap();
    assert_eq!(got, Invocation::Response(json!({ "echo": { "n": 1 } })));
}

#[test]
fn runtime_api_next_then_error() {
    let api = RuntimeApi::start();
    let addr = api.address();
    let client = thread::spawn(move || {
        let next = http(&addr, "GET", NEXT, b"");
        let id = next
            .header("lambda-runtime-aws-request-id")
            .unwrap()
            .to_owned();
        let diagnostic = json!({ "errorType": "flowpath::Error", "errorMessage": "boom" });
        let path = format!("/2018-06-01/runtime/invocation/{id}/error");
        let posted = http(&addr, "POST", &path, diagnostic.to_string().as_bytes());
        assert_eq!(posted.status, 202);
    });
    let got = api.invoke(json!({}), WAIT);
    client.join().unwrap();
    let raw = json!({ "errorType": "flowpath::Error", "errorMessage": "boom" });
    let want = Invocation::Error {
        error_type: "flowpath::Error".into(),
        error_message: "boom".into(),
        raw,
    };
    assert_eq!(got, want);
}

#[test]
fn runtime_api_init_error_ends_the_wait() {
    let api = RuntimeApi::start();
    let addr = api.address();
    let client = thread::spawn(move || {
        let body = json!({ "errorType": "Runtime.InitError", "errorMessage": "no config" });
        let posted = http(
            &addr,
            "POST",
            "/2018-06-01/runtime/init/error",
            body.to_string().as_bytes(),
        );
        assert_eq!(posted.status, 202);
    });
    let started = Instant::now();
    let got = api.invoke(json!({}), WAIT);
    client.join().unwrap();
    assert!(started.elapsed() < WAIT);
    let Invocation::InitError(body) = got else {
        panic!("{got:?}")
    };
    assert_eq!(body["errorMessage"], "no config");
    assert_eq!(api.init_error(), Some(body));
}

#[test]
fn runtime_api_timeout_withdraws_the_event() {
    let api = RuntimeApi::start();
    let started = Instant::now();
    assert_eq!(
        api.invoke(json!({ "first": true }), Duration::from_millis(200)),
        Invocation::TimedOut
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // The first event is gone: the next poll gets the second one.
    let addr = api.address();
    let client = thread::spawn(move || {
        let next = http(&addr, "GET", NEXT, b"");
        let id = next
            .header("lambda-runtime-aws-request-id")
            .unwrap()
            .to_owned();
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        http(&addr, "POST", &path, &next.body);
    });
    let got = api.invoke(json!({ "second": true }), WAIT);
    client.join().unwrap();
    assert_eq!(got, Invocation::Response(json!({ "second": true })));
    assert_eq!(http(&api.address(), "GET", "/elsewhere", b"").status, 404);
}

#[test]
fn runtime_api_set_deadline() {
    let api = RuntimeApi::start();
    api.set_deadline(Duration::from_secs(3));
    let addr = api.address();
    let client = thread::spawn(move || {
        let next = http(&addr, "GET", NEXT, b"");
        let deadline: u64 = next
            .header("lambda-runtime-deadline-ms")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            deadline.abs_diff(now_ms() + 3_000) < 1_000,
            "deadline {deadline}"
        );
        let id = next
            .header("lambda-runtime-aws-request-id")
            .unwrap()
            .to_owned();
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        http(&addr, "POST", &path, b"not json");
    });
    let got = api.invoke(json!({}), WAIT);
    client.join().unwrap();
    assert_eq!(got, Invocation::Response(json!("not json")));
}

// ---------------------------------------------------------------- Function (child process)

/// `target/<profile>/examples/echo_function`, built by `cargo test` next to this test binary.
fn echo_function() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile_dir.join("examples").join("echo_function");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo test`, which builds examples",
        path.display()
    );
    path
}

#[test]
fn function_runs_the_real_lambda_runtime_loop() {
    let api = RuntimeApi::start();
    let env = [("ECHO_GREETING".to_owned(), "hello from env".to_owned())];
    let function = Function::spawn(&echo_function(), &api, &env);

    let got = api.invoke(json!({ "echo": { "a": [1, 2] } }), WAIT);
    assert_eq!(
        got,
        Invocation::Response(json!({ "a": [1, 2] })),
        "{}",
        function.logs()
    );

    let got = api.invoke(json!({ "fail": "bad input" }), WAIT);
    let Invocation::Error { error_message, .. } = &got else {
        panic!("{got:?}")
    };
    assert_eq!(error_message, "bad input");

    // Still polling after an error; context headers reach the handler.
    let got = api.invoke(json!({ "context": true }), WAIT);
    let Invocation::Response(context) = got else {
        panic!("{got:?}\n{}", function.logs())
    };
    assert!(
        context["request_id"]
            .as_str()
            .unwrap()
            .starts_with("00000000-")
    );
    assert!(context["arn"].as_str().unwrap().ends_with(FUNCTION_NAME));
    assert!(context["deadline_ms"].as_u64().unwrap() > now_ms());
    assert_eq!(context["function_name"], FUNCTION_NAME);
    let lambda_vars = [
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
    ];
    assert_eq!(
        context["aws_vars"],
        json!(lambda_vars),
        "inherited AWS_* variables are removed"
    );

    assert!(
        function.wait_for_log("hello from env", WAIT),
        "{}",
        function.logs()
    );
    assert!(
        function.logs().contains("handled fail"),
        "{}",
        function.logs()
    );
}

#[test]
fn function_init_failure_exits() {
    let api = RuntimeApi::start();
    let env = [(
        "ECHO_FAIL_INIT".to_owned(),
        "missing FLOWPATH_OUTPUT".to_owned(),
    )];
    let mut function = Function::spawn(&echo_function(), &api, &env);
    let status = function.wait_exit(WAIT).expect("exits");
    assert!(!status.success());
    assert!(
        function.logs().contains("missing FLOWPATH_OUTPUT"),
        "{}",
        function.logs()
    );
    assert_eq!(
        api.invoke(json!({}), Duration::from_millis(100)),
        Invocation::TimedOut
    );
}

#[test]
fn function_is_killed_on_drop() {
    let api = RuntimeApi::start();
    let mut function = Function::spawn(&echo_function(), &api, &[]);
    assert!(
        function.wait_for_log("echo_function ready", WAIT),
        "{}",
        function.logs()
    );
    assert_eq!(
        function.wait_exit(Duration::from_millis(100)),
        None,
        "still polling"
    );
    let started = Instant::now();
    drop(function);
    assert!(started.elapsed() < Duration::from_secs(2));
}

// ---------------------------------------------------------------- FaultProxy

/// A loopback HTTP server answering every request with `body`; stops on drop.
struct TinyServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl TinyServer {
    fn start(body: Vec<u8>) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let addr = listener.local_addr().expect("bound address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        thread::spawn(move || {
            let started = Instant::now();
            while !stopping.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
                let Ok((mut conn, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let body = body.clone();
                thread::spawn(move || {
                    conn.set_nonblocking(false).expect("blocking reads");
                    conn.set_read_timeout(Some(WAIT)).expect("a read timeout");
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match conn.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    // The proxy may cut us off: write errors are expected then.
                    let _sent = conn
                        .write_all(reply.as_bytes())
                        .and_then(|()| conn.write_all(&body));
                });
            }
        });
        Self { addr, stop }
    }
}

impl Drop for TinyServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Sends a GET through `addr` and returns every byte received until the connection closed.
fn raw_get(addr: SocketAddr) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("a read timeout");
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    // A refusing proxy may have closed already; the read below tells.
    let _sent = stream.write_all(request);
    let mut got = Vec::new();
    // A reset after a cut is a close too.
    let _read = stream.read_to_end(&mut got);
    got
}

#[test]
fn fault_proxy_passes_cuts_and_refuses() {
    let body: Vec<u8> = (0..5_000u32)
        .map(|i| b'a' + u8::try_from(i % 26).unwrap())
        .collect();
    let server = TinyServer::start(body.clone());
    let proxy = FaultProxy::start(server.addr);
    assert!(proxy.endpoint().starts_with("http://127.0.0.1:"));

    let whole = raw_get(proxy.addr());
    let reply = parse_reply(&whole);
    assert_eq!((reply.status, &reply.body), (200, &body));

    proxy.cut_responses_after(100);
    let cut = raw_get(proxy.addr());
    assert_eq!(cut, whole[..100]);

    proxy.cut_responses_after(whole.len() + 10);
    assert_eq!(
        raw_get(proxy.addr()),
        whole,
        "a limit past the end cuts nothing"
    );

    proxy.refuse();
    assert!(raw_get(proxy.addr()).is_empty());

    proxy.pass();
    assert_eq!(raw_get(proxy.addr()), whole);
    assert_eq!(proxy.connections(), 5);
}

#[test]
fn fault_proxy_mode_change_closes_open_connections() {
    let server = TinyServer::start(b"ok".to_vec());
    let proxy = FaultProxy::start(server.addr);
    let mut idle = TcpStream::connect(proxy.addr()).unwrap();
    idle.set_read_timeout(Some(WAIT)).unwrap();
    // Make sure the proxy accepted it before the change.
    let started = Instant::now();
    while proxy.connections() == 0 && started.elapsed() < WAIT {
        thread::sleep(Duration::from_millis(5));
    }
    proxy.refuse();
    let mut buf = [0u8; 16];
    let read = idle.read(&mut buf);
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "closed, not timed out: {read:?}"
    );
    assert!(started.elapsed() < WAIT);
}

// ---------------------------------------------------------------- S3Server

#[test]
fn s3_server_requires_signatures_and_logs_requests() {
    let s3 = S3Server::start();
    assert!(s3.endpoint().starts_with("http://127.0.0.1:"));
    s3.create_bucket("flow-logs");
    assert!(s3.root().join("flow-logs").is_dir());
    assert!(s3.list_files("flow-logs").is_empty());

    let addr = s3.addr().to_string();
    let reply = http(
        &addr,
        "GET",
        "/flow-logs?list-type=2&prefix=AWSLogs%2F",
        b"",
    );
    assert_eq!(
        reply.status,
        403,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = String::from_utf8_lossy(&reply.body);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");

    let requests = s3.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/flow-logs")
    );
    assert_eq!(
        requests[0].query_param("prefix").as_deref(),
        Some("AWSLogs/")
    );
    assert!(requests[0].is_list_objects());
    s3.clear_requests();
    assert!(s3.requests().is_empty());

    let env = s3.env();
    let get = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(get("AWS_ENDPOINT_URL"), Some(s3.endpoint().as_str()));
    assert_eq!(get("AWS_REGION"), Some("us-east-1"));
    assert_eq!(get("AWS_EC2_METADATA_DISABLED"), Some("true"));
    assert_eq!(get("FLOWPATH_S3_PATH_STYLE"), Some("1"));
    assert!(get("AWS_ACCESS_KEY_ID").is_some() && get("AWS_SECRET_ACCESS_KEY").is_some());
}

#[test]
fn s3_server_files_round_trip() {
    let s3 = S3Server::start();
    s3.create_bucket("bkt");
    let e_tag = s3.put_file("bkt", "AWSLogs/1/x.log.gz", b"hello");
    assert_eq!(e_tag, "5d41402abc4b2a76b9719d911017c592");
    s3.put_file("bkt", "top", b"");
    assert_eq!(
        s3.read_file("bkt", "AWSLogs/1/x.log.gz").as_deref(),
        Some(&b"hello"[..])
    );
    assert_eq!(
        s3.read_file("bkt", "AWSLogs/1"),
        None,
        "a directory is no object"
    );
    assert_eq!(s3.read_file("bkt", "nope"), None);
    assert_eq!(s3.list_files("bkt"), ["AWSLogs/1/x.log.gz", "top"]);
    assert!(s3.list_files("missing").is_empty());
    let bad = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s3.create_bucket("B")));
    assert!(bad.is_err(), "S3 would answer InvalidBucketName");
}

/// What s3s-fs itself serves for files placed with `put_file`, asked in-process without auth.
#[test]
fn s3_server_files_agree_with_what_s3s_fs_serves() {
    use s3s::service::S3ServiceBuilder;

    let s3 = S3Server::start();
    s3.create_bucket("bkt");
    let unauthenticated =
        S3ServiceBuilder::new(s3s_fs::FileSystem::new(s3.root()).unwrap()).build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let call = |method: &str, uri: &str| {
        let req = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .body(s3s::Body::empty());
        let resp = runtime
            .block_on(unauthenticated.call(req.unwrap()))
            .unwrap();
        let etag = resp
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = runtime.block_on(http_body_util::BodyExt::collect(resp.into_body()));
        (
            etag,
            String::from_utf8(body.unwrap().to_bytes().to_vec()).unwrap(),
        )
    };

    let key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/02/f ü.log.gz";
    let e_tag = s3.put_file("bkt", key, b"first");
    let (served, body) = call(
        "GET",
        "/bkt/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/02/f%20%C3%BC.log.gz",
    );
    assert_eq!(
        (served, body.as_str()),
        (Some(format!("\"{e_tag}\"")), "first")
    );

    // Overwriting updates the ETag side file (a stale one would be served as is).
    let e_tag = s3.put_file("bkt", key, b"second");
    let (served, _) = call(
        "HEAD",
        "/bkt/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/02/f%20%C3%BC.log.gz",
    );
    assert_eq!(served, Some(format!("\"{e_tag}\"")));

    // The side file is the one s3s-fs reads: a planted ETag is served back.
    let side = std::fs::read_dir(s3.root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".internal.json"))
        .expect("an internal.json side file in ROOT");
    std::fs::write(&side, r#"{"e_tag":"planted"}"#).unwrap();
    let (served, _) = call(
        "HEAD",
        "/bkt/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/02/f%20%C3%BC.log.gz",
    );
    assert_eq!(served.as_deref(), Some("\"planted\""));

    s3.put_file("bkt", "a/b/c", b"x");
    let (_, listing) = call("GET", "/bkt?list-type=2");
    let listed: Vec<&str> = listing
        .split("<Key>")
        .skip(1)
        .map(|s| s.split("</Key>").next().unwrap())
        .collect();
    let files = s3.list_files("bkt");
    assert_eq!(listed, files.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(files.len(), 2, "side files are not objects: {files:?}");
}

#[test]
fn wait_for_polling_counts_functions_waiting_for_an_event() {
    let api = RuntimeApi::start();
    assert!(
        !api.wait_for_polling(1, Duration::from_millis(50)),
        "none yet"
    );
    let first = Function::spawn(&echo_function(), &api, &[]);
    let second = Function::spawn(&echo_function(), &api, &[]);
    assert!(
        api.wait_for_polling(2, WAIT),
        "{}\n{}",
        first.logs(),
        second.logs()
    );
    // One event taken: one function is still waiting, then both again once it answers.
    let got = api.invoke(json!({ "echo": 1 }), WAIT);
    assert_eq!(got, Invocation::Response(json!(1)));
    assert!(api.wait_for_polling(2, WAIT));
    assert!(!api.wait_for_polling(3, Duration::from_millis(50)));
}

#[test]
fn s3_server_runs_the_request_hook_before_answering() {
    let s3 = S3Server::start();
    s3.create_bucket("flow-logs");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    s3.on_request(move |r, objects| {
        record.lock().unwrap().push(r.key());
        objects.put_file("flow-logs", "written-by-the-hook.log", b"hook");
    });
    let reply = http(&s3.addr().to_string(), "GET", "/flow-logs/a%3D1.log", b"");
    assert_eq!(
        reply.status, 403,
        "unsigned: refused, but the hook ran first"
    );
    assert_eq!(*seen.lock().unwrap(), [Some("a=1.log".to_owned())]);
    assert_eq!(
        s3.read_file("flow-logs", "written-by-the-hook.log")
            .as_deref(),
        Some(&b"hook"[..])
    );
}
