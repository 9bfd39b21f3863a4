//! flowpath's AWS Lambda functions, as a library the two binaries wrap:
//!
//! - `flowpath-lambda` ([`summarize::App`]): summarizes each flow-log object AWS
//!   delivers to S3, whichever way the event arrives ([`trigger`]): S3 event
//!   notifications, the same through SQS (with partial batch failures) or SNS,
//!   EventBridge "Object Created", and S3 Batch Operations tasks; and the flow-log
//!   records a CloudWatch Logs subscription filter sends ([`summarize::App::logs`]);
//!   with `NAME_WINDOW`, also the Route 53 Resolver query logs delivered beside them,
//!   whose names the flows' remotes then get ([`names_source`]).
//! - `flowpath-ranges-refresh` ([`refresh`]): on AWS's `AmazonIpSpaceChanged`
//!   notification, downloads the new ip-ranges.json, checks it, and stores it where
//!   the summarizer reads it (`RANGES_S3_URI`).
//!
//! All flow-log work is `flowpath-core`'s, run on a blocking thread over a streaming
//! GET; S3 access is `flowpath-s3`'s. Errors ([`error::HandlerError`]) name the bucket
//! and key and say whether a retry can help; a failed object is always returned as an
//! error, so Lambda (or SQS, or Batch Operations) retries it.

pub mod config;
pub mod error;
pub mod inventory_source;
pub mod logging;
pub mod names_source;
pub mod ranges_source;
pub mod refresh;
pub mod summarize;
pub mod trigger;
