//! The summarizer Lambda (packaged as `bootstrap`): see `flowpath_functions::summarize`.

use std::sync::Arc;

use flowpath_functions::{config::Config, logging, summarize::App};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init();
    let config = Config::from_env().map_err(|e| {
        tracing::error!(error = %e, "bad configuration");
        e
    })?;
    let client = flowpath_s3::client(false).await;
    let app = Arc::new(App::new(config, client));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = Arc::clone(&app);
        async move {
            // Boxed: the handler's future, nested in the runtime's, is deeper than the
            // compiler's layout queries go.
            Box::pin(app.handle(event.payload, &event.context.invoked_function_arn)).await
        }
    }))
    .await
}
