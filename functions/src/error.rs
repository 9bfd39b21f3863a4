//! The handler's error: where it happened, and whether a retry can help.

use flowpath_s3::S3Error;
use lambda_runtime::Diagnostic;

/// `error_type` of failures a retry can fix (throttling, 5xx, broken connections).
pub const RETRYABLE: &str = "Retryable";
/// `error_type` of failures a retry cannot fix (corrupt object, bad configuration).
pub const NON_RETRYABLE: &str = "NonRetryable";

/// Why an invocation, or one object of it, failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandlerError {
    /// Talking to S3 failed.
    #[error(transparent)]
    S3(Box<S3Error>),
    /// The object was read but is not usable flow-log data.
    #[error("s3://{bucket}/{key}: {source}")]
    BadObject {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What the core found.
        source: Box<flowpath_core::Error>,
    },
    /// A Route 53 Resolver query log could not be read (corrupt gzip, a broken
    /// download); its malformed lines are counted, not errors.
    #[error("{source}")]
    BadQueryLog {
        /// What the reader found (it names the object).
        source: Box<flowpath_core::names::LoadError>,
    },
    /// A delivery that is no S3 object (a CloudWatch Logs payload) is not usable
    /// flow-log data (a malformed record under `--strict` is not: it is counted).
    #[error("{input}: {source}")]
    BadDelivery {
        /// The delivery's name (`cloudwatch-logs://owner/group/stream#first event id`).
        input: String,
        /// What the core found.
        source: Box<flowpath_core::Error>,
    },
    /// The object's body stream broke before its end.
    #[error("s3://{bucket}/{key}: the download broke off: {message}")]
    Interrupted {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The transport error.
        message: String,
    },
    /// Downloading a file over HTTP failed, or it arrived damaged.
    #[error("{url}: {message}")]
    Download {
        /// What was downloaded.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The event names an object in a bucket that is not one of `LOG_BUCKETS`: refused
    /// unread, since whoever can write to the queue or topic could name any bucket.
    #[error("s3://{bucket}/{key}: refused: bucket `{bucket}` is not one of LOG_BUCKETS")]
    Refused {
        /// The bucket the event named.
        bucket: String,
        /// The key the event named.
        key: String,
    },
    /// The object was overwritten while it was summarized: the summaries written may be
    /// of the old content, so the retry summarizes it again.
    #[error(
        "s3://{bucket}/{key}: the object changed while it was summarized (ETag {read} read, {now} now)"
    )]
    Changed {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The ETag of the content summarized.
        read: String,
        /// The ETag after the summaries were written.
        now: String,
    },
    /// The event is not one this function handles.
    #[error("unrecognised event: {0}")]
    Event(String),
    /// The configuration or the ranges file is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// A blocking task panicked or was cancelled.
    #[error("internal: {0}")]
    Internal(String),
}

impl HandlerError {
    /// Whether retrying the same work later can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            HandlerError::S3(e) => e.is_retryable(),
            HandlerError::Interrupted { .. }
            | HandlerError::Changed { .. }
            | HandlerError::Download { .. }
            | HandlerError::Internal(_) => true,
            HandlerError::BadObject { .. }
            | HandlerError::BadQueryLog { .. }
            | HandlerError::BadDelivery { .. }
            | HandlerError::Refused { .. }
            | HandlerError::Event(_)
            | HandlerError::Config(_) => false,
        }
    }

    /// [`RETRYABLE`] or [`NON_RETRYABLE`].
    pub fn error_type(&self) -> &'static str {
        if self.is_retryable() {
            RETRYABLE
        } else {
            NON_RETRYABLE
        }
    }
}

impl From<S3Error> for HandlerError {
    fn from(e: S3Error) -> Self {
        HandlerError::S3(Box::new(e))
    }
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Diagnostic {
        Diagnostic {
            error_type: e.error_type().to_owned(),
            error_message: e.to_string(),
        }
    }
}
