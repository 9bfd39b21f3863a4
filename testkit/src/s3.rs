//! [`S3Server`]: a real S3-compatible server (s3s-fs 0.14.1, in-process) on 127.0.0.1 with
//! SigV4 authentication on, plus direct access to its files and a log of the requests it saw.
//!
//! # s3s-fs's on-disk layout (checked against its source, `src/fs.rs` and `src/s3.rs`)
//! - A bucket is the directory `ROOT/<bucket>`; `CreateBucket` is `create_dir` and
//!   `ListBuckets` lists the directories of `ROOT`.
//! - An object is the plain file `ROOT/<bucket>/<key>`; the `/`s of the key are directories.
//!   Listing walks the bucket directory and returns every file, so the bucket directory holds
//!   objects only.
//! - Side files live in `ROOT` itself, never in a bucket directory:
//!   `.bucket-<b64(bucket)>.object-<b64(key)>.internal.json` (`{"e_tag": "<md5 hex>"}` plus any
//!   checksums), `…metadata.json` (content type and user metadata), `.upload-*` /
//!   `.upload_id-*` (multipart uploads) and `.tmp.*.internal.part` (writes in progress);
//!   `b64` is URL-safe base64 without padding.
//! - When the `internal.json` file is missing, GET and HEAD compute the MD5 of the whole file
//!   on every request to make the ETag. `DeleteObject` leaves the side files behind (harmless:
//!   every write of the object rewrites them).
//! - Those side-file names outgrow Linux's 255-byte limit once bucket and key pass about 170
//!   bytes (real VPC Flow Logs keys do): s3s-fs then fails `PutObject`. The server here wraps
//!   s3s-fs to serve such keys too (module `store`).
//!
//! # Bucket owners
//! Every bucket belongs to an account: [`OWNER`] unless [`S3Server::set_bucket_owner`] says
//! otherwise. A request carrying `x-amz-expected-bucket-owner` for another account is
//! answered `403 AccessDenied` before s3s sees it, as S3 answers it (s3s-fs itself ignores
//! the header), so a test can show a function refuses a bucket it does not expect.
//!
//! [`S3Server::on_request`] runs a hook on each request before it is answered (with
//! [`Objects`] to change objects from there).
//!
//! So [`S3Server::put_file`] writes the object file and the same `internal.json` a plain
//! `PutObject` writes (and removes stale attributes), which makes it exactly equivalent to an
//! unadorned `PutObject`; for a long key there is no `internal.json` and the ETag is the MD5
//! s3s-fs computes.

use std::collections::HashMap;
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use hyper::body::Incoming;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

use crate::background::{Background, serve_http1};
use crate::store::{
    Store, attributes_path, is_file_key, md5_hex, side_file_name, side_files_fit, write_atomically,
};

/// Access key id the server accepts (and the only one).
pub const ACCESS_KEY: &str = "FLOWPATHTESTKEY00001";
/// Secret access key matching [`ACCESS_KEY`].
pub const SECRET_KEY: &str = "flowpath-testkit-secret-key-not-a-secret";
/// Region the test clients should sign for.
pub const REGION: &str = "us-east-1";
/// The account that owns every bucket unless [`S3Server::set_bucket_owner`] says otherwise;
/// also the account of the function ARN the [`crate::RuntimeApi`] hands out.
pub const OWNER: &str = "123456789012";

/// One HTTP request the S3 server received, as sent (path and query still percent-encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Request path, e.g. `/bucket/AWSLogs/file.log.gz`.
    pub path: String,
    /// Raw query string without the `?` (empty when there is none).
    pub query: String,
    /// The request's headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The value of the first header called `name` (any case), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bucket of a path-style request (`/bucket/key`), if the path names one.
    pub fn bucket(&self) -> Option<String> {
        let first = self.path.trim_start_matches('/').split('/').next()?;
        (!first.is_empty()).then(|| decode(first))
    }

    /// The percent-decoded key of a path-style object request, if the path names one.
    pub fn key(&self) -> Option<String> {
        let (_, key) = self.path.trim_start_matches('/').split_once('/')?;
        (!key.is_empty()).then(|| decode(key))
    }

    /// The percent-decoded value of the first query parameter called `name`, if any
    /// (`Some("")` for a bare `?uploads`).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .find_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k) == name).then(|| decode(v))
            })
    }

    /// `true` for an object listing (`ListObjects` or `ListObjectsV2`): a `GET` of a bucket
    /// (path-style) that asks for no bucket sub-resource such as `?location`.
    pub fn is_list_objects(&self) -> bool {
        const SUBRESOURCES: [&str; 9] = [
            "location",
            "uploads",
            "versions",
            "versioning",
            "policy",
            "acl",
            "tagging",
            "cors",
            "lifecycle",
        ];
        let bucket = self.path.trim_matches('/');
        self.method == "GET"
            && !bucket.is_empty()
            && !bucket.contains('/')
            && SUBRESOURCES
                .iter()
                .all(|sub| self.query_param(sub).is_none())
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A real S3-compatible server on `127.0.0.1`, serving a temporary directory; stops on drop.
///
/// Path-style addressing only (`http://127.0.0.1:PORT/bucket/key`), SigV4 with
/// [`ACCESS_KEY`]/[`SECRET_KEY`].
///
/// ```no_run
/// let s3 = flowpath_testkit::S3Server::start();
/// s3.create_bucket("logs");
/// s3.put_file("logs", "AWSLogs/1.log.gz", b"...");
/// // run the code under test with s3.env() ...
/// assert!(s3.list_files("logs").contains(&"AWSLogs/1.log.gz".to_owned()));
/// ```
pub struct S3Server {
    // Declared first so it stops before the directory is removed.
    server: Background,
    requests: Arc<Mutex<Vec<Request>>>,
    owners: Arc<Mutex<HashMap<String, String>>>,
    hook: Arc<Mutex<Option<Hook>>>,
    root: tempfile::TempDir,
}

/// What [`S3Server::on_request`] runs.
type Hook = Box<dyn Fn(&Request, &Objects) + Send>;

/// The objects of an [`S3Server`], as a request hook may change them.
#[derive(Clone, Debug)]
pub struct Objects {
    root: PathBuf,
}

impl Objects {
    /// [`S3Server::put_file`], from inside a hook.
    pub fn put_file(&self, bucket: &str, key: &str, bytes: impl AsRef<[u8]>) -> String {
        put_file_at(&self.root, bucket, key, bytes.as_ref())
    }
}

impl std::fmt::Debug for S3Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Server")
            .field("endpoint", &self.endpoint())
            .field("root", &self.root.path())
            .finish_non_exhaustive()
    }
}

impl S3Server {
    /// Starts a server on `127.0.0.1:0` over a fresh temporary directory. Ready when this
    /// returns.
    pub fn start() -> Self {
        let root = tempfile::Builder::new()
            .prefix("flowpath-s3-")
            .tempdir()
            .expect("create the S3 root directory");
        let mut builder = S3ServiceBuilder::new(Store::new(root.path()));
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let s3 = builder.build();

        let requests = Arc::new(Mutex::new(Vec::new()));
        let owners: Arc<Mutex<HashMap<String, String>>> = Arc::new(Mutex::new(HashMap::new()));
        let hook: Arc<Mutex<Option<Hook>>> = Arc::new(Mutex::new(None));
        let log = Arc::clone(&requests);
        let owned = Arc::clone(&owners);
        let hooked = Arc::clone(&hook);
        let objects = Objects {
            root: root.path().to_owned(),
        };
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let seen = Request {
                method: req.method().as_str().to_owned(),
                path: req.uri().path().to_owned(),
                query: req.uri().query().unwrap_or("").to_owned(),
                headers: req
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
            };
            let refused = match (seen.bucket(), seen.header("x-amz-expected-bucket-owner")) {
                (Some(bucket), Some(expected)) => {
                    let owner = lock(&owned)
                        .get(&bucket)
                        .cloned()
                        .unwrap_or_else(|| OWNER.to_owned());
                    owner != expected
                }
                _ => false,
            };
            if let Some(hook) = lock(&hooked).as_ref() {
                hook(&seen, &objects);
            }
            lock(&log).push(seen);
            let reply: Reply = if refused {
                Box::pin(std::future::ready(Ok(access_denied())))
            } else {
                hyper::service::Service::call(&s3, req)
            };
            reply
        });
        let server = Background::start("s3", move |listener, stop| {
            serve_http1(listener, stop, service)
        });
        Self {
            server,
            requests,
            owners,
            hook,
            root,
        }
    }

    /// Runs `hook` on each request as it arrives, before the server answers it: for
    /// example, to overwrite an object between two requests of the code under test.
    /// Replaces any earlier hook.
    pub fn on_request(&self, hook: impl Fn(&Request, &Objects) + Send + 'static) {
        *lock(&self.hook) = Some(Box::new(hook));
    }

    /// Makes `account` the owner of `bucket` (every bucket belongs to [`OWNER`] until then).
    pub fn set_bucket_owner(&self, bucket: &str, account: &str) {
        lock(&self.owners).insert(bucket.to_owned(), account.to_owned());
    }

    /// The socket address the server listens on (for [`crate::FaultProxy::start`]).
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The directory the server serves (see the module docs for its layout).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Creates bucket `name` (the directory `ROOT/name`); creating it twice is fine. Panics
    /// on a name S3 (and so s3s, which answers `InvalidBucketName`) rejects, e.g. shorter
    /// than 3 characters or with capitals.
    pub fn create_bucket(&self, name: &str) {
        assert!(
            s3s::path::check_bucket_name(name),
            "not a valid S3 bucket name: {name:?}"
        );
        std::fs::create_dir_all(self.root().join(name)).expect("create the bucket directory");
    }

    /// Environment for a child process to reach this server with the standard AWS variables.
    pub fn env(&self) -> Vec<(String, String)> {
        self.env_with_endpoint(&self.endpoint())
    }

    /// Like [`S3Server::env`], but sending requests to `endpoint` (e.g. a
    /// [`crate::FaultProxy`] in front of this server; SigV4 still verifies through it).
    pub fn env_with_endpoint(&self, endpoint: &str) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", endpoint),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_REGION", REGION),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("FLOWPATH_S3_PATH_STYLE", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// Places object `bucket/key` directly on disk, exactly as a plain `PutObject` would
    /// leave it (same ETag, no content type or user metadata); returns its ETag (the MD5 in
    /// hex, without quotes). The bucket must exist. Panics on a key s3s-fs cannot store as a
    /// file (empty, leading or trailing `/`, empty, `.` or `..` segments).
    pub fn put_file(&self, bucket: &str, key: &str, bytes: impl AsRef<[u8]>) -> String {
        put_file_at(self.root(), bucket, key, bytes.as_ref())
    }

    /// The bytes of object `bucket/key` as stored, or `None` when there is no such object.
    pub fn read_file(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let path = object_path(&self.root().join(bucket), key);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => None,
            Err(e) => panic!("read {}: {e}", path.display()),
        }
    }

    /// Every object key in `bucket`, sorted as S3 sorts them (bytewise); empty when the
    /// bucket does not exist.
    pub fn list_files(&self, bucket: &str) -> Vec<String> {
        let bucket_dir = self.root().join(bucket);
        let mut keys = Vec::new();
        let mut dirs = vec![bucket_dir.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => panic!("list {}: {e}", dir.display()),
            };
            for entry in entries {
                let entry = entry.expect("read a directory entry");
                let file_type = entry.file_type().expect("file type of a directory entry");
                let path = entry.path();
                if file_type.is_dir() {
                    dirs.push(path);
                } else {
                    let relative = path
                        .strip_prefix(&bucket_dir)
                        .expect("entry under the bucket");
                    let parts: Vec<_> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect();
                    keys.push(parts.join("/"));
                }
            }
        }
        keys.sort();
        keys
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.requests).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }
}

/// What the server's service answers with.
type Reply = Pin<Box<dyn Future<Output = Result<s3s::HttpResponse, s3s::HttpError>> + Send>>;

/// S3's answer to a request whose expected bucket owner is not the bucket's owner.
fn access_denied() -> s3s::HttpResponse {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                <Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
    hyper::Response::builder()
        .status(hyper::StatusCode::FORBIDDEN)
        .header("content-type", "application/xml")
        .body(s3s::Body::from(body.to_owned()))
        .expect("a valid response")
}

/// [`S3Server::put_file`] on the server directory `root`.
fn put_file_at(root: &Path, bucket: &str, key: &str, bytes: &[u8]) -> String {
    let bucket_dir = root.join(bucket);
    assert!(
        bucket_dir.is_dir(),
        "bucket {bucket:?} does not exist: call create_bucket first"
    );
    let path = object_path(&bucket_dir, key);
    let parent = path.parent().expect("an object path has a parent");
    std::fs::create_dir_all(parent).expect("create the object's directories");
    write_atomically(root, &path, bytes).expect("write the object file");

    let e_tag = md5_hex(bytes);
    if side_files_fit(bucket, key) {
        let info = serde_json::json!({ "e_tag": e_tag }).to_string();
        let side = root.join(side_file_name(bucket, key, "internal"));
        write_atomically(root, &side, info.as_bytes()).expect("write the ETag");
        remove_if_present(&root.join(side_file_name(bucket, key, "metadata")));
    } else {
        remove_if_present(&attributes_path(root, bucket, key));
    }
    e_tag
}

fn remove_if_present(path: &Path) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => panic!("remove {}: {e}", path.display()),
        _ => {}
    }
}

/// `bucket_dir/key`, refusing keys that are not plain relative file paths.
fn object_path(bucket_dir: &Path, key: &str) -> PathBuf {
    assert!(
        is_file_key(key),
        "key {key:?} cannot be stored as a file by s3s-fs"
    );
    bucket_dir.join(key)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide the log from the others.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::Unsigned;

    #[test]
    fn put_file_agrees_with_the_server_for_short_and_long_keys() {
        let s3 = S3Server::start();
        s3.create_bucket("flowpath-logs");
        let server = Unsigned::new(s3.root());
        let long = format!(
            "AWSLogs/aws-account-id=123456789012/{}.log.gz",
            "x".repeat(160)
        );
        for key in ["AWSLogs/1/x.log.gz", long.as_str()] {
            let uri = format!("/flowpath-logs/{key}");
            let put = server.call("PUT", &uri, &[("x-amz-meta-a", "1")], b"old");
            assert_eq!(put.0, 200);
            let e_tag = s3.put_file("flowpath-logs", key, b"new");
            let head = server.call("HEAD", &uri, &[], b"");
            let served = head.1.get("etag").map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(served, Some(format!("\"{e_tag}\"")), "{key}");
            assert!(
                head.1.get("x-amz-meta-a").is_none(),
                "put_file drops old metadata: {key}"
            );
            assert_eq!(
                s3.read_file("flowpath-logs", key).as_deref(),
                Some(&b"new"[..])
            );
        }
        assert_eq!(s3.list_files("flowpath-logs").len(), 2);
    }

    #[test]
    fn query_params_are_decoded() {
        let req = Request {
            method: "GET".into(),
            path: "/logs".into(),
            query: "list-type=2&prefix=AWSLogs%2F123%2F&uploads".into(),
            headers: vec![("x-amz-expected-bucket-owner".into(), OWNER.into())],
        };
        assert_eq!(req.header("X-Amz-Expected-Bucket-Owner"), Some(OWNER));
        assert_eq!(req.bucket().as_deref(), Some("logs"));
        assert_eq!(req.key(), None);
        assert_eq!(req.query_param("prefix").as_deref(), Some("AWSLogs/123/"));
        assert_eq!(req.query_param("uploads").as_deref(), Some(""));
        assert_eq!(req.query_param("delimiter"), None);
        assert!(!req.is_list_objects(), "?uploads is ListMultipartUploads");
        let list = Request {
            query: "list-type=2&prefix=AWSLogs%2F".into(),
            ..req.clone()
        };
        assert!(list.is_list_objects());
        let v1 = Request {
            query: String::new(),
            ..req.clone()
        };
        assert!(v1.is_list_objects());
        let get = Request {
            method: "GET".into(),
            path: "/logs/a%3D1/b.gz".into(),
            query: String::new(),
            headers: Vec::new(),
        };
        assert!(!get.is_list_objects());
        assert_eq!(get.key().as_deref(), Some("a=1/b.gz"));
        assert_eq!(get.header("x-amz-expected-bucket-owner"), None);
    }
}
