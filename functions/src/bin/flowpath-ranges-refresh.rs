//! The ip-ranges refresher Lambda: see `flowpath_functions::refresh`.

use std::sync::Arc;

use flowpath_functions::{logging, refresh};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init();
    let target = Arc::new(refresh::target_from_env().map_err(|e| {
        tracing::error!(error = %e, "bad configuration");
        e
    })?);
    let client = Arc::new(flowpath_s3::client(false).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let (client, target) = (Arc::clone(&client), Arc::clone(&target));
        async move { refresh::handle(&client, &target, event.payload).await }
    }))
    .await
}
