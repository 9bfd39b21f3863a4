//! [`RuntimeApi`]: an emulator of the AWS Lambda Runtime API on 127.0.0.1, and [`Function`]:
//! a built function binary run as a child process against it, so tests drive the real
//! `lambda_runtime` loop.
//!
//! Endpoints, as `lambda_runtime` 1.5 / `lambda_runtime_api_client` 1.1 use them:
//! - `GET /2018-06-01/runtime/invocation/next` waits for an event queued by
//!   [`RuntimeApi::invoke`], then answers 200 with the event as the body and the headers
//!   `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms` (epoch ms; `lambda_runtime`
//!   panics without it), `Lambda-Runtime-Invoked-Function-Arn` and `Lambda-Runtime-Trace-Id`.
//! - `POST /2018-06-01/runtime/invocation/{id}/response` (body: the handler's JSON) and
//!   `POST /2018-06-01/runtime/invocation/{id}/error` (body: `{"errorType", "errorMessage"}`)
//!   answer 202; an id that is not awaiting an answer (never issued, already answered, or
//!   given up on by `invoke`) gets 400, which `lambda_runtime` logs and then carries on.
//! - `POST /2018-06-01/runtime/init/error` answers 202. Note that `lambda_runtime` itself
//!   only posts there for SnapStart failures: a function whose `main` fails before
//!   `lambda_runtime::run` just exits, which [`Function::wait_exit`] observes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Notify;

use crate::background::{Background, serve_http1};

/// `AWS_LAMBDA_FUNCTION_NAME` given to [`Function`]s, also used in the invoked ARN.
pub const FUNCTION_NAME: &str = "flowpath-test";

/// Deadline given to each invocation unless [`RuntimeApi::set_deadline`] changed it.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// How a function answered one [`RuntimeApi::invoke`].
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// The function posted a response: its JSON body (a body that is not JSON comes back as a
    /// JSON string of its text).
    Response(Value),
    /// The function posted an invocation error.
    Error {
        /// `errorType` of the posted diagnostic.
        error_type: String,
        /// `errorMessage` of the posted diagnostic.
        error_message: String,
        /// The whole posted body.
        raw: Value,
    },
    /// The function posted to `/runtime/init/error` (before or while this invocation waited).
    InitError(Value),
    /// No answer within the timeout; the event was withdrawn if no function had taken it yet.
    TimedOut,
}

/// Answers posted by the function, and which request ids may still be answered.
#[derive(Default)]
struct Answers {
    awaiting: HashSet<String>,
    by_id: HashMap<String, Invocation>,
    init_error: Option<Value>,
}

struct State {
    queue: Mutex<VecDeque<(String, Bytes)>>,
    queued: Notify,
    answers: Mutex<Answers>,
    answered: Condvar,
    deadline_ms: AtomicU64,
    /// `GET …/invocation/next` requests waiting for an event right now.
    polling: AtomicU64,
}

/// The Lambda Runtime API on `127.0.0.1`; stops on drop (a function polling it then exits).
///
/// ```no_run
/// use flowpath_testkit::{Function, Invocation, RuntimeApi};
/// use std::time::Duration;
/// let api = RuntimeApi::start();
/// let function = Function::spawn("target/debug/flowpath-lambda".as_ref(), &api, &[]);
/// match api.invoke(serde_json::json!({"Records": []}), Duration::from_secs(30)) {
///     Invocation::Response(body) => assert_eq!(body["ok"], true),
///     other => panic!("{other:?}\n{}", function.logs()),
/// }
/// ```
pub struct RuntimeApi {
    server: Background,
    state: Arc<State>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

impl RuntimeApi {
    /// Starts the emulator on `127.0.0.1:0`. Ready when this returns.
    pub fn start() -> Self {
        let state = Arc::new(State {
            queue: Mutex::new(VecDeque::new()),
            queued: Notify::new(),
            answers: Mutex::new(Answers::default()),
            answered: Condvar::new(),
            deadline_ms: AtomicU64::new(millis(DEFAULT_DEADLINE)),
            polling: AtomicU64::new(0),
        });
        let shared = Arc::clone(&state);
        let service = hyper::service::service_fn(move |req| handle(Arc::clone(&shared), req));
        let server = Background::start("lambda-runtime-api", move |listener, stop| {
            serve_http1(listener, stop, service)
        });
        Self {
            server,
            state,
            next_id: AtomicU64::new(1),
        }
    }

    /// `127.0.0.1:PORT`: the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.server.addr().to_string()
    }

    /// Sets how far in the future the `Lambda-Runtime-Deadline-Ms` of later invocations lies
    /// (60 s by default).
    pub fn set_deadline(&self, from_now: Duration) {
        self.state
            .deadline_ms
            .store(millis(from_now), Ordering::SeqCst);
    }

    /// Waits up to `timeout` until at least `n` functions are waiting for their next event
    /// (so that `n` events queued now go to `n` different functions); `true` if they are.
    pub fn wait_for_polling(&self, n: u64, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.state.polling.load(Ordering::SeqCst) < n {
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// The body posted to `/runtime/init/error`, if any was.
    pub fn init_error(&self) -> Option<Value> {
        lock(&self.state.answers).init_error.clone()
    }

    /// Queues `event` for the next `GET …/invocation/next` and waits up to `timeout` for the
    /// function's answer.
    pub fn invoke(&self, event: Value, timeout: Duration) -> Invocation {
        let started = Instant::now();
        let n = self.next_id.fetch_add(1, Ordering::SeqCst);
        let id = format!("00000000-0000-4000-8000-{n:012}");
        lock(&self.state.answers).awaiting.insert(id.clone());
        lock(&self.state.queue).push_back((id.clone(), Bytes::from(event.to_string())));
        self.state.queued.notify_one();

        let mut answers = lock(&self.state.answers);
        loop {
            if let Some(answer) = answers.by_id.remove(&id) {
                return answer;
            }
            let init_error = answers.init_error.clone();
            let remaining = timeout.saturating_sub(started.elapsed());
            if init_error.is_some() || remaining.is_zero() {
                answers.awaiting.remove(&id);
                drop(answers);
                lock(&self.state.queue).retain(|(queued, _)| *queued != id);
                return init_error.map_or(Invocation::TimedOut, Invocation::InitError);
            }
            answers = self
                .state
                .answered
                .wait_timeout(answers, remaining)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

type Response = hyper::Response<Full<Bytes>>;

async fn handle(state: Arc<State>, req: hyper::Request<Incoming>) -> Result<Response, Infallible> {
    const PREFIX: &str = "/2018-06-01/runtime/";
    let path = req.uri().path().to_owned();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "UnknownPath", &path));
    };
    let method = req.method().clone();
    if route == "invocation/next" && method == Method::GET {
        return Ok(next_event(&state).await);
    }
    if method != Method::POST {
        return Ok(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &path,
        ));
    }
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                "InvalidBody",
                &e.to_string(),
            ));
        }
    };
    let body = parse_json(&body);
    if route == "init/error" {
        lock(&state.answers).init_error = Some(body);
        state.answered.notify_all();
        return Ok(reply(StatusCode::ACCEPTED, "", ""));
    }
    let answer = match route
        .strip_prefix("invocation/")
        .and_then(|r| r.rsplit_once('/'))
    {
        Some((id, "response")) => (id.to_owned(), Invocation::Response(body)),
        Some((id, "error")) => {
            let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
            let (error_type, error_message) = (field("errorType"), field("errorMessage"));
            (
                id.to_owned(),
                Invocation::Error {
                    error_type,
                    error_message,
                    raw: body,
                },
            )
        }
        _ => return Ok(reply(StatusCode::NOT_FOUND, "UnknownPath", &path)),
    };
    let mut answers = lock(&state.answers);
    if !answers.awaiting.remove(&answer.0) {
        return Ok(reply(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            &answer.0,
        ));
    }
    answers.by_id.insert(answer.0, answer.1);
    drop(answers);
    state.answered.notify_all();
    Ok(reply(StatusCode::ACCEPTED, "", ""))
}

/// Waits for a queued event and hands it out with the headers `lambda_runtime` reads.
async fn next_event(state: &State) -> Response {
    state.polling.fetch_add(1, Ordering::SeqCst);
    // Counted down however the wait ends (a dropped connection cancels this future).
    let _waiting = Waiting(&state.polling);
    let (id, event) = loop {
        let notified = state.queued.notified();
        tokio::pin!(notified);
        // Register before looking, so a push between the look and the await still wakes us.
        notified.as_mut().enable();
        if let Some(queued) = lock(&state.queue).pop_front() {
            break queued;
        }
        notified.await;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let deadline = millis(now) + state.deadline_ms.load(Ordering::SeqCst);
    let arn = format!(
        "arn:aws:lambda:us-east-1:{}:function:{FUNCTION_NAME}",
        crate::OWNER
    );
    let trace = format!(
        "Root=1-00000000-{:024x};Parent=0000000000000001;Sampled=0",
        now.as_secs()
    );
    hyper::Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("Lambda-Runtime-Aws-Request-Id", &id)
        .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
        .header("Lambda-Runtime-Invoked-Function-Arn", arn)
        .header("Lambda-Runtime-Trace-Id", trace)
        .body(Full::new(event))
        .expect("a valid response")
}

/// Decrements a counter of waiting requests when dropped.
struct Waiting<'a>(&'a AtomicU64);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// 202 `{"status":"OK"}` when `error_type` is empty, else the Runtime API's error shape.
fn reply(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = if error_type.is_empty() {
        serde_json::json!({ "status": "OK" })
    } else {
        serde_json::json!({ "errorType": error_type, "errorMessage": message })
    };
    hyper::Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

fn parse_json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A function binary running against a [`RuntimeApi`] as a child process; killed on drop.
///
/// Its stdout and stderr are captured, line by line in arrival order, into [`Function::logs`].
///
/// ```no_run
/// use flowpath_testkit::{Function, RuntimeApi};
/// use std::time::Duration;
/// let api = RuntimeApi::start();
/// let env = vec![("FLOWPATH_OUTPUT".to_owned(), "not-a-uri".to_owned())];
/// let mut function = Function::spawn("target/debug/flowpath-lambda".as_ref(), &api, &env);
/// let status = function.wait_exit(Duration::from_secs(10)).expect("exits on bad config");
/// assert!(!status.success());
/// assert!(function.logs().contains("FLOWPATH_OUTPUT"));
/// ```
pub struct Function {
    child: Child,
    logs: Arc<Mutex<Vec<u8>>>,
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Function")
            .field("pid", &self.child.id())
            .finish_non_exhaustive()
    }
}

impl Function {
    /// Runs `binary` with `AWS_LAMBDA_RUNTIME_API` pointing at `api` and the other variables
    /// `lambda_runtime` reads (`AWS_LAMBDA_FUNCTION_NAME` = [`FUNCTION_NAME`], memory 1024,
    /// version `$LATEST`, log group and stream), then `env` on top (it may override them).
    /// Every other `AWS_*` variable of the test process is removed, so real credentials or
    /// profiles never reach the function.
    pub fn spawn(binary: &Path, api: &RuntimeApi, env: &[(String, String)]) -> Self {
        let mut command = Command::new(binary);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("AWS_LAMBDA_RUNTIME_API", api.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{FUNCTION_NAME}"),
            )
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/01/01/[$LATEST]0000000000000000testkit",
            )
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start the function {}: {e}", binary.display()));
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        capture(stdout, Arc::clone(&logs));
        capture(stderr, Arc::clone(&logs));
        Self { child, logs }
    }

    /// Everything the function wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        String::from_utf8_lossy(&lock(&self.logs)).into_owned()
    }

    /// Waits up to `timeout` for `needle` to appear in [`Function::logs`]; `true` if it did.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let started = Instant::now();
        loop {
            if self.logs().contains(needle) {
                return true;
            }
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits up to `timeout` for the process to exit; its status, or `None` if it still runs.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the function process") {
                return Some(status);
            }
            if started.elapsed() >= timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        // Already exited is fine; the wait reaps the process.
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }
}

/// Appends `pipe`'s lines to `logs` on a thread that ends when the pipe closes.
fn capture(pipe: impl Read + Send + 'static, logs: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
            lock(&logs).extend_from_slice(&line);
            line.clear();
        }
    });
}
