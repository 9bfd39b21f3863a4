//! S3 for flowpath: the one place that talks to S3, for the Lambda and the CLI alike.
//!
//! - [`client`] builds an `aws-sdk-s3` client from the standard AWS configuration
//!   chain (credentials, region, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3`), plus
//!   `FLOWPATH_S3_PATH_STYLE=1` for S3-compatible stores that need path-style requests.
//! - [`S3Uri`] parses `s3://bucket/key`; [`decode_event_key`] undoes the URL encoding
//!   S3 event notifications apply to keys (`+` is a space).
//! - [`get_reader`] streams an object into a blocking [`std::io::Read`] that
//!   `flowpath-core` consumes on a blocking thread: memory stays bounded by a few
//!   chunks whatever the object's size, and a transport failure mid-stream is
//!   recorded so callers can tell "S3 went away" (retry) from "the data is bad".
//! - [`list_page`] and [`list`] page through `ListObjectsV2` (keys, ETags, sizes;
//!   prefix, delimiter, start-after); [`client_with`] sets the endpoint and the retry
//!   policy explicitly (the `flowpath` CLI).
//! - [`put`] writes a whole object in one request: S3 makes it visible atomically,
//!   so readers never see half a summary.
//! - Every request takes an [`Access`]: the bucket owner S3 must check
//!   (`x-amz-expected-bucket-owner`) and, for writes, the SSE-KMS key;
//!   [`Access::default`] sends neither.
//! - [`replace_summaries`] (module `summaries`) writes an object's summaries under
//!   their one name ([`summary_file_name`]) with their one set of object metadata
//!   ([`summary_metadata`]), and keeps the per-object index that lets a new version
//!   replace them: the Lambda and the CLI's S3 backfill both write through it.
//!
//! Errors are [`S3Error`]s naming the operation, bucket and key, and saying whether
//! a retry can help.

// Without the SDK the operations' bodies are `match *client {}`: their other
// arguments go unused there, by design.
#![cfg_attr(not(feature = "sdk"), allow(unused_variables))]

use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

#[cfg(feature = "sdk")]
use aws_sdk_s3::config::http::HttpResponse;
#[cfg(feature = "sdk")]
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
#[cfg(feature = "sdk")]
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use tokio::sync::mpsc;

mod names;
mod summaries;

pub use names::{NAMES_DIR, names_hour_prefix, names_key};

pub use summaries::{
    Destination, ReplaceError, Replaced, SOURCES_DIR, SourceObject, put_delivered_summaries,
    replace_summaries, summary_file_name, summary_metadata,
};

/// An S3 client: `aws-sdk-s3`'s, built by [`client`] or [`client_with`].
#[cfg(feature = "sdk")]
pub type Client = aws_sdk_s3::Client;

/// Without the `sdk` feature there is no S3 client: this type has no values, so the
/// operations that take one can never be called, and the compiler knows it (each
/// is `match *client {}`). A caller learns that S3 is absent where it would build a
/// client, and says so there.
#[cfg(not(feature = "sdk"))]
#[derive(Clone, Debug)]
pub enum Client {}

/// The SDK's HTTP client (HTTPS and plain HTTP): hyper with rustls on ring, the one
/// crypto backend the build compiles (the SDK's default would add aws-lc, a C library).
#[cfg(feature = "sdk")]
fn https_client() -> aws_sdk_s3::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Builds an S3 client from the environment: the standard AWS chain for credentials
/// and region, `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` for the endpoint (read by
/// the SDK itself), and `FLOWPATH_S3_PATH_STYLE=1` (or `force_path_style`) for
/// path-style addressing.
#[cfg(feature = "sdk")]
pub async fn client(force_path_style: bool) -> Client {
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await;
    let path_style =
        force_path_style || std::env::var("FLOWPATH_S3_PATH_STYLE").as_deref() == Ok("1");
    let conf = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(path_style)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// An `s3://bucket/key` location. The key may be empty (a bucket) or a prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct S3Uri {
    /// The bucket name.
    pub bucket: String,
    /// The key or prefix, without a leading `/`.
    pub key: String,
}

impl S3Uri {
    /// Parses `s3://bucket/key`.
    ///
    /// ```
    /// use flowpath_s3::S3Uri;
    /// let u = S3Uri::parse("s3://logs/AWSLogs/123/x.log.gz").unwrap();
    /// assert_eq!((u.bucket.as_str(), u.key.as_str()), ("logs", "AWSLogs/123/x.log.gz"));
    /// assert_eq!(S3Uri::parse("s3://logs").unwrap().key, "");
    /// assert!(S3Uri::parse("logs/x").is_err());
    /// assert!(S3Uri::parse("s3:///x").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<S3Uri, S3UriError> {
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| S3UriError(text.to_owned()))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(S3UriError(text.to_owned()));
        }
        Ok(S3Uri {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }

    /// Whether `text` looks like an S3 URI.
    pub fn is_s3(text: &str) -> bool {
        text.starts_with("s3://")
    }
}

impl fmt::Display for S3Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Text that is not an `s3://bucket/key` URI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an S3 URI (expected s3://bucket/key)")]
pub struct S3UriError(pub String);

/// Decodes an object key as S3 event notifications carry it: URL-encoded, with `+`
/// for a space.
///
/// ```
/// use flowpath_s3::decode_event_key;
/// assert_eq!(decode_event_key("AWSLogs/aws-account-id%3D123/x+y.log.gz"), "AWSLogs/aws-account-id=123/x y.log.gz");
/// assert_eq!(decode_event_key("a%2Bb"), "a+b");
/// ```
pub fn decode_event_key(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// How requests about one bucket are sent, beyond bucket and key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// The account id the bucket must belong to: sent as `x-amz-expected-bucket-owner`,
    /// and S3 answers 403 Access Denied when another account owns the bucket.
    pub expected_owner: Option<String>,
    /// Writes only: the KMS key (ARN or id) to encrypt new objects with (SSE-KMS).
    pub kms_key_id: Option<String>,
}

impl Access {
    /// Checks the bucket's owner, nothing else.
    pub fn owned_by(account: Option<&str>) -> Access {
        Access {
            expected_owner: account.map(str::to_owned),
            kms_key_id: None,
        }
    }
}

/// What went wrong talking to S3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S3ErrorKind {
    /// The bucket or key does not exist.
    NotFound,
    /// Credentials do not allow it.
    AccessDenied,
    /// S3 asked us to slow down, or answered 5xx.
    Throttled,
    /// The connection failed, timed out or broke.
    Transport,
    /// Anything else S3 said no to.
    Other,
}

/// An S3 operation that failed, with where and why.
#[derive(Clone, Debug, thiserror::Error)]
#[error("s3://{bucket}/{key}: {op} failed: {message}")]
pub struct S3Error {
    /// `GetObject`, `PutObject`, ...
    pub op: &'static str,
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The class of failure.
    pub kind: S3ErrorKind,
    /// S3's code and message, or the transport error.
    pub message: String,
}

impl S3Error {
    /// Whether trying again later can succeed (throttling, 5xx, broken connections).
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, S3ErrorKind::Throttled | S3ErrorKind::Transport)
    }

    #[cfg(feature = "sdk")]
    fn from_sdk<E>(
        op: &'static str,
        bucket: &str,
        key: &str,
        err: SdkError<E, HttpResponse>,
    ) -> S3Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (kind, message) = match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("");
                let status = service.raw().status().as_u16();
                let kind = match (code, status) {
                    ("NoSuchKey" | "NoSuchBucket" | "NotFound", _) | (_, 404) => {
                        S3ErrorKind::NotFound
                    }
                    ("AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch", _)
                    | (_, 403) => S3ErrorKind::AccessDenied,
                    ("SlowDown" | "Throttling" | "ThrottlingException" | "RequestTimeout", _)
                    | (_, 429 | 500..=599) => S3ErrorKind::Throttled,
                    _ => S3ErrorKind::Other,
                };
                let text = format!("{code} {}", e.message().unwrap_or(""))
                    .trim()
                    .to_owned();
                (
                    kind,
                    if text.is_empty() {
                        format!("HTTP {status}")
                    } else {
                        text
                    },
                )
            }
            SdkError::DispatchFailure(_)
            | SdkError::TimeoutError(_)
            | SdkError::ResponseError(_) => (S3ErrorKind::Transport, error_chain(&err)),
            _ => (S3ErrorKind::Other, error_chain(&err)),
        };
        S3Error {
            op,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            kind,
            message,
        }
    }
}

#[cfg(feature = "sdk")]
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What a GET learned about the object besides its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The ETag, without quotes.
    pub etag: Option<String>,
    /// The version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// The size in bytes.
    pub size: Option<i64>,
}

/// A blocking reader over an object's body, fed by a task on the async runtime.
///
/// Read it from a blocking thread (`tokio::task::spawn_blocking`), never from an
/// async task. At most [`ObjectReader::CHUNKS`] chunks are buffered.
pub struct ObjectReader {
    rx: mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
    failure: Arc<Mutex<Option<String>>>,
}

impl ObjectReader {
    /// How many body chunks may wait between the network and the parser.
    pub const CHUNKS: usize = 8;

    /// The transport error that ended the stream early, if one did.
    pub fn transport_failure(&self) -> TransportFailure {
        TransportFailure(Arc::clone(&self.failure))
    }
}

/// A handle that tells, after the reader is gone, whether the stream broke.
#[derive(Clone, Debug)]
pub struct TransportFailure(Arc<Mutex<Option<String>>>);

impl TransportFailure {
    /// The error text, when the body stream failed before its end.
    pub fn get(&self) -> Option<String> {
        self.0
            .lock()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(message)) => {
                    return Err(io::Error::new(io::ErrorKind::ConnectionAborted, message));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _consumed = self.current.split_to(n);
        Ok(n)
    }
}

/// Sends a GET: the object's info and its body stream.
#[cfg(feature = "sdk")]
async fn get(
    client: &Client,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
    access: &Access,
) -> Result<(ObjectInfo, ByteStream), S3Error> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version_id.map(str::to_owned))
        .set_expected_bucket_owner(access.expected_owner.clone())
        .send()
        .await
        .map_err(|e| S3Error::from_sdk("GetObject", bucket, key, e))?;
    let info = ObjectInfo {
        etag: out.e_tag().map(|e| e.trim_matches('"').to_owned()),
        version_id: out.version_id().map(str::to_owned),
        size: out.content_length(),
    };
    Ok((info, out.body))
}

/// Starts a GET and returns the object's info and a blocking reader over its body.
/// Must be called on a tokio runtime; the body is pumped by a spawned task.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn get_reader(
    client: &Client,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
    access: &Access,
) -> Result<(ObjectInfo, ObjectReader), S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        let (info, body) = get(client, bucket, key, version_id, access).await?;
        let (tx, rx) = mpsc::channel(ObjectReader::CHUNKS);
        let failure = Arc::new(Mutex::new(None));
        let recorded = Arc::clone(&failure);
        let mut body = body;
        tokio::spawn(async move {
            loop {
                match body.next().await {
                    None => break,
                    Some(Ok(chunk)) => {
                        if tx.send(Ok(chunk)).await.is_err() {
                            break; // the reader is gone
                        }
                    }
                    Some(Err(e)) => {
                        let message = error_chain(&e);
                        if let Ok(mut slot) = recorded.lock() {
                            *slot = Some(message.clone());
                        }
                        // The reader may be gone already; nothing else to tell.
                        let _sent = tx.send(Err(message)).await.is_ok();
                        break;
                    }
                }
            }
        });
        Ok((
            info,
            ObjectReader {
                rx,
                current: Bytes::new(),
                failure,
            },
        ))
    }
}

/// Reads a whole (small) object.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn get_bytes(
    client: &Client,
    bucket: &str,
    key: &str,
    access: &Access,
) -> Result<(ObjectInfo, Vec<u8>), S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        let (info, body) = get(client, bucket, key, None, access).await?;
        let bytes = body.collect().await.map_err(|e| S3Error {
            op: "GetObject",
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            kind: S3ErrorKind::Transport,
            message: error_chain(&e),
        })?;
        Ok((info, bytes.to_vec()))
    }
}

/// The object's ETag (without quotes) and user metadata, or `None` when it does not exist.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn head(
    client: &Client,
    bucket: &str,
    key: &str,
    access: &Access,
) -> Result<Option<(Option<String>, std::collections::HashMap<String, String>)>, S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        let request = client
            .head_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(access.expected_owner.clone());
        match request.send().await {
            Ok(out) => Ok(Some((
                out.e_tag().map(|e| e.trim_matches('"').to_owned()),
                out.metadata().cloned().unwrap_or_default(),
            ))),
            Err(e) => {
                let err = S3Error::from_sdk("HeadObject", bucket, key, e);
                if err.kind == S3ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }
}

/// Writes a whole object in one request, with user metadata.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn put(
    client: &Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    metadata: &[(&str, &str)],
    access: &Access,
) -> Result<(), S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        let mut req = client
            .put_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(access.expected_owner.clone())
            .body(ByteStream::from(body));
        if let Some(kms_key) = &access.kms_key_id {
            req = req
                .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                .ssekms_key_id(kms_key);
        }
        for (k, v) in metadata {
            req = req.metadata(*k, *v);
        }
        req.send()
            .await
            .map_err(|e| S3Error::from_sdk("PutObject", bucket, key, e))?;
        Ok(())
    }
}

/// How a client is built, beyond the standard AWS chain (see [`client_with`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Path-style addressing; `FLOWPATH_S3_PATH_STYLE=1` also turns it on.
    pub force_path_style: bool,
    /// An endpoint that overrides `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// Attempts per request (the first one included) of the SDK's standard retry
    /// strategy; `None` keeps the SDK's default (3).
    pub max_attempts: Option<u32>,
}

/// Like [`client`], with an explicit endpoint and retry policy. With `max_attempts`
/// set, requests use the SDK's standard retry mode (exponential backoff with jitter
/// from 1 s up to 20 s, on throttling such as 503 SlowDown, 5xx, timeouts and broken
/// connections) with that many attempts, a 10 s connect timeout and a 60 s wait for a
/// response's first byte.
#[cfg(feature = "sdk")]
pub async fn client_with(options: &ClientOptions) -> Client {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client());
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let shared = loader.load().await;
    let path_style =
        options.force_path_style || std::env::var("FLOWPATH_S3_PATH_STYLE").as_deref() == Ok("1");
    let mut conf = aws_sdk_s3::config::Builder::from(&shared).force_path_style(path_style);
    if let Some(attempts) = options.max_attempts {
        conf = conf
            .retry_config(
                aws_sdk_s3::config::retry::RetryConfig::standard()
                    .with_max_attempts(attempts.max(1)),
            )
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(10))
                    .read_timeout(std::time::Duration::from_secs(60))
                    .build(),
            );
    }
    aws_sdk_s3::Client::from_conf(conf.build())
}

/// An object as a listing shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedObject {
    /// The key.
    pub key: String,
    /// The ETag, without quotes.
    pub etag: Option<String>,
    /// The size in bytes.
    pub size: i64,
}

/// One page of a `ListObjectsV2` listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPage {
    /// The objects of the page, in key order.
    pub objects: Vec<ListedObject>,
    /// With a delimiter: the common prefixes (ending with the delimiter), in order.
    pub common_prefixes: Vec<String>,
    /// The token of the next page, when the listing goes on.
    pub next: Option<String>,
}

/// One page of `ListObjectsV2` under `prefix`: keys after `start_after` (first page
/// only), grouped by `delimiter` when given; `continuation` is the previous page's
/// [`ListPage::next`]. S3 returns up to 1,000 keys and prefixes per page.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn list_page(
    client: &Client,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    start_after: Option<&str>,
    continuation: Option<&str>,
    access: &Access,
) -> Result<ListPage, S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        let out = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_expected_bucket_owner(access.expected_owner.clone())
            .set_delimiter(delimiter.map(str::to_owned))
            .set_start_after(start_after.map(str::to_owned))
            .set_continuation_token(continuation.map(str::to_owned))
            .send()
            .await
            .map_err(|e| S3Error::from_sdk("ListObjectsV2", bucket, prefix, e))?;
        let objects = out
            .contents()
            .iter()
            .filter_map(|o| {
                Some(ListedObject {
                    key: o.key()?.to_owned(),
                    etag: o.e_tag().map(|e| e.trim_matches('"').to_owned()),
                    size: o.size().unwrap_or(0),
                })
            })
            .collect();
        let common_prefixes = out
            .common_prefixes()
            .iter()
            .filter_map(|p| p.prefix().map(str::to_owned))
            .collect();
        let next = match out.is_truncated() {
            Some(true) => out.next_continuation_token().map(str::to_owned),
            _ => None,
        };
        Ok(ListPage {
            objects,
            common_prefixes,
            next,
        })
    }
}

/// Every page of a `ListObjectsV2` listing (see [`list_page`]), concatenated: the
/// objects, and with a delimiter the common prefixes.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn list(
    client: &Client,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    start_after: Option<&str>,
    access: &Access,
) -> Result<(Vec<ListedObject>, Vec<String>), S3Error> {
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = list_page(
            client,
            bucket,
            prefix,
            delimiter,
            if token.is_none() { start_after } else { None },
            token.as_deref(),
            access,
        )
        .await?;
        objects.extend(page.objects);
        prefixes.extend(page.common_prefixes);
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok((objects, prefixes)),
        }
    }
}

/// Deletes an object (deleting a missing key succeeds, as in S3).
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn delete(
    client: &Client,
    bucket: &str,
    key: &str,
    access: &Access,
) -> Result<(), S3Error> {
    #[cfg(not(feature = "sdk"))]
    match *client {}
    #[cfg(feature = "sdk")]
    {
        client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(access.expected_owner.clone())
            .send()
            .await
            .map_err(|e| S3Error::from_sdk("DeleteObject", bucket, key, e))?;
        Ok(())
    }
}

/// The documents `uri` names: the object itself when it exists, else every object under
/// the prefix `uri` whose key `keep` accepts; in key order. An empty result is not an
/// error; the caller decides.
/// `access` names the bucket owner S3 must check and, for writes, the SSE-KMS key
/// ([`Access::default`] sends neither).
pub async fn list_documents(
    client: &Client,
    uri: &S3Uri,
    keep: &(dyn Fn(&str) -> bool + Sync),
    access: &Access,
) -> Result<Vec<ListedObject>, S3Error> {
    let (objects, _) = list(client, &uri.bucket, &uri.key, None, None, access).await?;
    let exact = objects.iter().any(|o| o.key == uri.key);
    let mut documents: Vec<ListedObject> = objects
        .into_iter()
        .filter(|o| {
            if exact {
                o.key == uri.key
            } else {
                keep(&o.key)
            }
        })
        .collect();
    documents.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    Ok(documents)
}

/// Reads the documents of [`list_documents`] whole, each with its `s3://bucket/key`
/// name.
pub async fn get_all(
    client: &Client,
    uri: &S3Uri,
    keep: &(dyn Fn(&str) -> bool + Sync),
    access: &Access,
) -> Result<Vec<(String, Vec<u8>)>, S3Error> {
    let mut out = Vec::new();
    for o in list_documents(client, uri, keep, access).await? {
        let (_, bytes) = get_bytes(client, &uri.bucket, &o.key, access).await?;
        out.push((format!("s3://{}/{}", uri.bucket, o.key), bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_keys() {
        let u = S3Uri::parse("s3://b/p/q/").unwrap();
        assert_eq!(u.to_string(), "s3://b/p/q/");
        assert_eq!(
            S3Uri::parse("x").unwrap_err().to_string(),
            "`x` is not an S3 URI (expected s3://bucket/key)"
        );
        assert_eq!(decode_event_key("a%20b%2Fc"), "a b/c");
        assert_eq!(decode_event_key("plain/key.log.gz"), "plain/key.log.gz");
    }
}

#[cfg(all(test, feature = "sdk"))]
mod list_tests {
    use super::*;
    use flowpath_testkit::S3Server;

    pub(super) async fn test_client(s3: &S3Server) -> aws_sdk_s3::Client {
        let creds = aws_sdk_s3::config::Credentials::new(
            flowpath_testkit::ACCESS_KEY,
            flowpath_testkit::SECRET_KEY,
            None,
            None,
            "test",
        );
        let conf = aws_sdk_s3::config::Builder::new()
            .http_client(super::https_client())
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(flowpath_testkit::REGION))
            .credentials_provider(creds)
            .endpoint_url(s3.endpoint())
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    #[tokio::test]
    async fn lists_every_page_with_prefix_delimiter_and_start_after() {
        let s3 = S3Server::start();
        s3.create_bucket("logs");
        for i in 0..1005 {
            s3.put_file("logs", &format!("p/{i:04}.log.gz"), format!("{i}"));
        }
        s3.put_file("logs", "q/a.log", b"abc");
        let client = test_client(&s3).await;

        let none = Access::default();
        let (objects, prefixes) = list(&client, "logs", "p/", None, None, &none)
            .await
            .unwrap();
        assert_eq!(objects.len(), 1005);
        assert!(prefixes.is_empty());
        assert_eq!(objects[0].key, "p/0000.log.gz");
        assert_eq!(objects[1004].key, "p/1004.log.gz");
        assert_eq!(objects[10].size, 2);
        let pages = s3.requests().iter().filter(|r| r.is_list_objects()).count();
        assert_eq!(pages, 2, "1,005 keys take two pages");

        let page = list_page(&client, "logs", "", Some("/"), None, None, &none)
            .await
            .unwrap();
        assert_eq!(page.common_prefixes, ["p/", "q/"]);
        assert!(page.objects.is_empty() && page.next.is_none());

        let (after, _) = list(&client, "logs", "p/", None, Some("p/1000.log.gz"), &none)
            .await
            .unwrap();
        let keys: Vec<&str> = after.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "p/1001.log.gz",
                "p/1002.log.gz",
                "p/1003.log.gz",
                "p/1004.log.gz"
            ]
        );

        delete(&client, "logs", "q/a.log", &none).await.unwrap();
        delete(&client, "logs", "q/a.log", &none).await.unwrap();
        let (q, _) = list(&client, "logs", "q/", None, None, &none)
            .await
            .unwrap();
        assert!(q.is_empty());
    }
}

#[cfg(all(test, feature = "sdk"))]
mod access_tests {
    use super::*;
    use flowpath_testkit::{OWNER, S3Server};

    #[tokio::test]
    async fn the_expected_owner_and_kms_key_are_sent_and_the_owner_is_checked() {
        let s3 = S3Server::start();
        s3.create_bucket("logs");
        s3.create_bucket("theirs");
        s3.set_bucket_owner("theirs", "210987654321");
        s3.put_file("theirs", "a.log", b"abc");
        let client = list_tests::test_client(&s3).await;
        let ours = Access {
            expected_owner: Some(OWNER.to_owned()),
            kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k1".to_owned()),
        };
        put(&client, "logs", "a.log", b"abc".to_vec(), &[], &ours)
            .await
            .unwrap();
        let (_, bytes) = get_bytes(&client, "logs", "a.log", &ours).await.unwrap();
        assert_eq!(bytes, b"abc");
        assert!(
            head(&client, "logs", "a.log", &ours)
                .await
                .unwrap()
                .is_some()
        );
        let (listed, _) = list(&client, "logs", "", None, None, &ours).await.unwrap();
        assert_eq!(listed.len(), 1);
        delete(&client, "logs", "a.log", &ours).await.unwrap();
        let requests = s3.requests();
        assert_eq!(requests.len(), 5, "{requests:?}");
        for r in &requests {
            assert_eq!(
                r.header("x-amz-expected-bucket-owner"),
                Some(OWNER),
                "{r:?}"
            );
        }
        let first = &requests[0];
        assert_eq!(first.method, "PUT");
        assert_eq!(
            first.header("x-amz-server-side-encryption"),
            Some("aws:kms")
        );
        assert_eq!(
            first.header("x-amz-server-side-encryption-aws-kms-key-id"),
            Some("arn:aws:kms:us-east-1:123456789012:key/k1")
        );
        // Another account's bucket: refused as S3 refuses it, whatever the operation.
        let e = get_bytes(&client, "theirs", "a.log", &ours)
            .await
            .unwrap_err();
        assert_eq!(e.kind, S3ErrorKind::AccessDenied, "{e}");
        let e = put(&client, "theirs", "b.log", b"x".to_vec(), &[], &ours)
            .await
            .unwrap_err();
        assert_eq!(e.kind, S3ErrorKind::AccessDenied, "{e}");
        assert_eq!(s3.read_file("theirs", "b.log"), None);
        // Naming the real owner, or none, reaches the object.
        let theirs = Access::owned_by(Some("210987654321"));
        assert!(get_bytes(&client, "theirs", "a.log", &theirs).await.is_ok());
        assert!(
            get_bytes(&client, "theirs", "a.log", &Access::default())
                .await
                .is_ok()
        );
        s3.clear_requests();
        put(
            &client,
            "logs",
            "b.log",
            b"x".to_vec(),
            &[],
            &Access::default(),
        )
        .await
        .unwrap();
        let plain = &s3.requests()[0];
        assert_eq!(plain.header("x-amz-expected-bucket-owner"), None);
        assert_eq!(plain.header("x-amz-server-side-encryption"), None);
    }

    #[test]
    fn summary_names_ignore_versions_and_follow_bucket_and_key() {
        let key = "AWSLogs/1/vpcflowlogs/eu-west-1/2026/08/22/x_1a2b.log.gz";
        assert_eq!(
            summary_file_name("logs", key),
            summary_file_name("logs", key)
        );
        assert_ne!(
            summary_file_name("logs", key),
            summary_file_name("logs2", key)
        );
        assert_eq!(
            summary_file_name("logs", key),
            flowpath_core::output::layout::output_name(&format!("s3://logs/{key}"))
        );
    }
}
