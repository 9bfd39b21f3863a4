//! A minimal Lambda function on the real `lambda_runtime` loop, for testkit's own tests of
//! [`flowpath_testkit::RuntimeApi`] and [`flowpath_testkit::Function`].
//!
//! Events: `{"echo": X}` answers `X`; `{"fail": "msg"}` fails with `msg`; `{"context": true}`
//! answers what the runtime handed the handler. `ECHO_FAIL_INIT=msg` makes it exit before
//! polling; `ECHO_GREETING` is printed at start.
// This is a stand-in for a function binary: it talks through stdout/stderr like one.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    if let Ok(reason) = std::env::var("ECHO_FAIL_INIT") {
        eprintln!("init failed: {reason}");
        std::process::exit(2);
    }
    if let Ok(greeting) = std::env::var("ECHO_GREETING") {
        println!("{greeting}");
    }
    println!("echo_function ready");
    lambda_runtime::run(service_fn(handle)).await
}

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    if let Some(message) = payload.get("fail").and_then(Value::as_str) {
        println!("handled fail");
        return Err(message.into());
    }
    if payload.get("context").is_some() {
        return Ok(json!({
            "request_id": context.request_id,
            "arn": context.invoked_function_arn,
            "deadline_ms": context.deadline,
            "function_name": context.env_config.function_name,
            "aws_vars": aws_vars(),
        }));
    }
    Ok(payload.get("echo").cloned().unwrap_or(Value::Null))
}

/// Names of the `AWS_*` variables this process got, sorted.
fn aws_vars() -> Vec<String> {
    let mut names: Vec<String> = std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("AWS_"))
        .collect();
    names.sort();
    names
}
