//! The S3 implementation behind [`crate::S3Server`]: s3s-fs's `FileSystem`, plus object keys
//! too long for s3s-fs's side files.
//!
//! s3s-fs keeps an object's ETag, checksums, content type and user metadata in side files
//! named `ROOT/.bucket-<b64(bucket)>.object-<b64(key)>.{internal,metadata}.json`. That is
//! one file name, so once bucket and key pass roughly 170 bytes together it exceeds Linux's
//! 255-byte limit: s3s-fs then stores the object file but answers `PutObject` with
//! `InternalError`. Real VPC Flow Logs keys (and outputs named after them) are that long.
//!
//! So for such keys this wrapper serves `PutObject` itself: same checks (`If-None-Match: *`,
//! `If-Match`, `Content-MD5`), the object file written the same way,
//! and the attributes s3s-fs would have kept (content type and encoding, cache control,
//! disposition, language, redirect, user metadata) in a short-named side file
//! `ROOT/.testkit-attrs-<md5(bucket NUL key)>.json`, which `GetObject`/`HeadObject` then add
//! to s3s-fs's answer. The ETag needs no side file: without one s3s-fs computes the MD5 of
//! the file, which is what `PutObject` returns. Not covered for long keys (flowpath does
//! not use them): `CopyObject` and multipart uploads, which still fail as in s3s-fs, and
//! additional checksums (`x-amz-checksum-*`), which are neither verified nor returned.
//!
//! For every key, `PutObject` into a bucket that does not exist answers `NoSuchBucket`, as S3
//! does (s3s-fs would silently create the bucket directory).

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::BodyExt;
use md5::{Digest, Md5};
use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CopyObjectInput, CopyObjectOutput, CreateBucketInput,
    CreateBucketOutput, CreateMultipartUploadInput, CreateMultipartUploadOutput, DeleteBucketInput,
    DeleteBucketOutput, DeleteObjectInput, DeleteObjectOutput, DeleteObjectsInput,
    DeleteObjectsOutput, ETag, ETagCondition, GetBucketLocationInput, GetBucketLocationOutput,
    GetObjectInput, GetObjectOutput, HeadBucketInput, HeadBucketOutput, HeadObjectInput,
    HeadObjectOutput, ListBucketsInput, ListBucketsOutput, ListObjectsInput, ListObjectsOutput,
    ListObjectsV2Input, ListObjectsV2Output, ListPartsInput, ListPartsOutput, PutObjectInput,
    PutObjectOutput, UploadPartCopyInput, UploadPartCopyOutput, UploadPartInput, UploadPartOutput,
};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};
use s3s_fs::FileSystem;
use serde_json::{Map, Value, json};

/// Linux's limit on one file name (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// s3s-fs plus long keys (see the module docs).
pub(crate) struct Store {
    fs: FileSystem,
    root: PathBuf,
}

impl Store {
    /// Serves `root` (which must exist).
    pub(crate) fn new(root: &Path) -> Self {
        let fs = FileSystem::new(root).expect("open the S3 root directory");
        Self {
            fs,
            root: root.to_owned(),
        }
    }

    /// Handles `PutObject` for a key s3s-fs cannot keep side files for.
    async fn put_long(&self, input: PutObjectInput) -> S3Result<S3Response<PutObjectOutput>> {
        let bucket_dir = self.root.join(&input.bucket);
        if !is_file_key(&input.key) {
            return Err(s3_error!(InvalidArgument, "key cannot be stored as a file"));
        }
        let path = bucket_dir.join(&input.key);
        if input
            .if_none_match
            .as_ref()
            .is_some_and(ETagCondition::is_any)
            && path.is_file()
        {
            return Err(s3_error!(PreconditionFailed, "Object already exists"));
        }
        if let Some(condition) = &input.if_match {
            let Ok(current) = std::fs::read(&path) else {
                return Err(s3_error!(PreconditionFailed, "Object does not exist"));
            };
            if let ETagCondition::ETag(expected) = condition
                && !ETag::Strong(md5_hex(&current)).strong_cmp(expected)
            {
                return Err(s3_error!(PreconditionFailed, "ETag does not match"));
            }
        }
        let Some(body) = input.body else {
            return Err(s3_error!(IncompleteBody));
        };
        let bytes = match s3s::Body::from(body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return Err(s3_error!(IncompleteBody, "reading the body: {e}")),
        };
        let digest = Md5::digest(&bytes);
        if let Some(content_md5) = &input.content_md5
            && content_md5.trim() != base64(&digest, STANDARD, true)
        {
            return Err(s3_error!(BadDigest, "content_md5 mismatch"));
        }
        let parent = path.parent().expect("an object path has a parent");
        let stored = std::fs::create_dir_all(parent)
            .and_then(|()| write_atomically(&self.root, &path, &bytes))
            .and_then(|()| {
                let attrs = Attributes(Value::Object(input_attributes(
                    input.metadata,
                    [
                        ("content_type", input.content_type),
                        ("content_encoding", input.content_encoding),
                        ("content_disposition", input.content_disposition),
                        ("content_language", input.content_language),
                        ("cache_control", input.cache_control),
                        ("website_redirect_location", input.website_redirect_location),
                    ],
                )));
                let side = attributes_path(&self.root, &input.bucket, &input.key);
                write_atomically(&self.root, &side, attrs.0.to_string().as_bytes())
            });
        if let Err(e) = stored {
            return Err(s3_error!(InternalError, "storing the object: {e}"));
        }
        let output = PutObjectOutput {
            e_tag: Some(ETag::Strong(hex(&digest))),
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    /// The attributes kept for a long key, if it is one and has them.
    fn long_key_attributes(&self, bucket: &str, key: &str) -> Option<Attributes> {
        if side_files_fit(bucket, key) {
            return None;
        }
        let text = std::fs::read(attributes_path(&self.root, bucket, key)).ok()?;
        serde_json::from_slice(&text).ok().map(Attributes)
    }
}

/// An object's stored attributes: `{"metadata": {..}, "content_type": "..", ..}`.
struct Attributes(Value);

impl Attributes {
    fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).and_then(Value::as_str).map(str::to_owned)
    }

    fn metadata(&self) -> Option<HashMap<String, String>> {
        let map = self.0.get("metadata")?.as_object()?;
        Some(
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect(),
        )
    }
}

fn input_attributes<const N: usize>(
    metadata: Option<HashMap<String, String>>,
    fields: [(&str, Option<String>); N],
) -> Map<String, Value> {
    let mut map = Map::new();
    if let Some(metadata) = metadata {
        map.insert("metadata".to_owned(), json!(metadata));
    }
    for (name, value) in fields {
        if let Some(value) = value {
            map.insert(name.to_owned(), Value::String(value));
        }
    }
    map
}

/// Copies stored attributes into a `GetObjectOutput` or `HeadObjectOutput`.
macro_rules! apply_attributes {
    ($output:expr, $attrs:expr) => {{
        let attrs: Attributes = $attrs;
        $output.metadata = attrs.metadata();
        $output.content_type = attrs.text("content_type");
        $output.content_encoding = attrs.text("content_encoding");
        $output.content_disposition = attrs.text("content_disposition");
        $output.content_language = attrs.text("content_language");
        $output.cache_control = attrs.text("cache_control");
        $output.website_redirect_location = attrs.text("website_redirect_location");
    }};
}

/// What `#[async_trait]` turns an `async fn` of the `S3` trait into.
type Op<'a, T> = Pin<Box<dyn Future<Output = S3Result<S3Response<T>>> + Send + 'a>>;

/// Hands operations to s3s-fs unchanged.
macro_rules! delegate {
    ($($op:ident($input:ty) -> $output:ty;)*) => {$(
        fn $op<'life0, 'async_trait>(&'life0 self, req: S3Request<$input>) -> Op<'async_trait, $output>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            self.fs.$op(req)
        }
    )*};
}

impl S3 for Store {
    delegate! {
        abort_multipart_upload(AbortMultipartUploadInput) -> AbortMultipartUploadOutput;
        complete_multipart_upload(CompleteMultipartUploadInput) -> CompleteMultipartUploadOutput;
        copy_object(CopyObjectInput) -> CopyObjectOutput;
        create_bucket(CreateBucketInput) -> CreateBucketOutput;
        create_multipart_upload(CreateMultipartUploadInput) -> CreateMultipartUploadOutput;
        delete_bucket(DeleteBucketInput) -> DeleteBucketOutput;
        delete_object(DeleteObjectInput) -> DeleteObjectOutput;
        delete_objects(DeleteObjectsInput) -> DeleteObjectsOutput;
        get_bucket_location(GetBucketLocationInput) -> GetBucketLocationOutput;
        head_bucket(HeadBucketInput) -> HeadBucketOutput;
        list_buckets(ListBucketsInput) -> ListBucketsOutput;
        list_objects(ListObjectsInput) -> ListObjectsOutput;
        list_objects_v2(ListObjectsV2Input) -> ListObjectsV2Output;
        list_parts(ListPartsInput) -> ListPartsOutput;
        upload_part(UploadPartInput) -> UploadPartOutput;
        upload_part_copy(UploadPartCopyInput) -> UploadPartCopyOutput;
    }

    fn put_object<'life0, 'async_trait>(
        &'life0 self,
        req: S3Request<PutObjectInput>,
    ) -> Op<'async_trait, PutObjectOutput>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let input = &req.input;
        // s3s-fs would create the bucket directory; S3 answers NoSuchBucket.
        if !self.root.join(&input.bucket).is_dir() {
            return Box::pin(async { Err(s3_error!(NoSuchBucket)) });
        }
        if side_files_fit(&input.bucket, &input.key) || input.key.ends_with('/') {
            return self.fs.put_object(req);
        }
        Box::pin(self.put_long(req.input))
    }

    fn get_object<'life0, 'async_trait>(
        &'life0 self,
        req: S3Request<GetObjectInput>,
    ) -> Op<'async_trait, GetObjectOutput>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let attrs = self.long_key_attributes(&req.input.bucket, &req.input.key);
            let mut response = self.fs.get_object(req).await?;
            if let Some(attrs) = attrs {
                apply_attributes!(response.output, attrs);
            }
            Ok(response)
        })
    }

    fn head_object<'life0, 'async_trait>(
        &'life0 self,
        req: S3Request<HeadObjectInput>,
    ) -> Op<'async_trait, HeadObjectOutput>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let attrs = self.long_key_attributes(&req.input.bucket, &req.input.key);
            let mut response = self.fs.head_object(req).await?;
            if let Some(attrs) = attrs {
                apply_attributes!(response.output, attrs);
            }
            Ok(response)
        })
    }
}

/// s3s-fs's side-file name for an object (`kind` is `internal` or `metadata`).
pub(crate) fn side_file_name(bucket: &str, key: &str, kind: &str) -> String {
    let (bucket, key) = (
        base64(bucket.as_bytes(), URL_SAFE, false),
        base64(key.as_bytes(), URL_SAFE, false),
    );
    format!(".bucket-{bucket}.object-{key}.{kind}.json")
}

/// Whether s3s-fs can keep side files for this object.
pub(crate) fn side_files_fit(bucket: &str, key: &str) -> bool {
    side_file_name(bucket, key, "metadata").len() <= NAME_MAX
}

/// Where this wrapper keeps a long key's attributes.
pub(crate) fn attributes_path(root: &Path, bucket: &str, key: &str) -> PathBuf {
    let id = md5_hex(format!("{bucket}\0{key}").as_bytes());
    root.join(format!(".testkit-attrs-{id}.json"))
}

/// A key s3s-fs stores as a plain file under the bucket directory.
pub(crate) fn is_file_key(key: &str) -> bool {
    s3s::path::check_key(key)
        && !key.is_empty()
        && !key.contains('\\')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// Writes through a temporary file in `root` and a rename, so the server never serves half
/// a file (the name cannot clash with s3s-fs's own `.tmp.N.internal.part`).
pub(crate) fn write_atomically(root: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = root.join(format!(".testkit-{}-{n}.part", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        // Best effort: the error being reported matters more than the stray file.
        let _removed = std::fs::remove_file(&tmp);
    })
}

pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 with `alphabet`, padded with `=` or not.
fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if pad {
            out.push_str(&"=="[..3 - chunk.len()]);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use s3s::service::{S3Service, S3ServiceBuilder};

    /// An in-process, unauthenticated s3s service over `root`, and a runtime to call it.
    pub(crate) struct Unsigned {
        service: S3Service,
        runtime: tokio::runtime::Runtime,
    }

    /// Status, headers and body of one response.
    pub(crate) type Reply = (u16, hyper::HeaderMap, Vec<u8>);

    impl Unsigned {
        pub(crate) fn new(root: &Path) -> Self {
            let service = S3ServiceBuilder::new(Store::new(root)).build();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            Self {
                service,
                runtime: runtime.unwrap(),
            }
        }

        pub(crate) fn call(
            &self,
            method: &str,
            uri: &str,
            headers: &[(&str, &str)],
            body: &[u8],
        ) -> Reply {
            let mut req = hyper::Request::builder().method(method).uri(uri);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let req = req
                .header("content-length", body.len().to_string())
                .body(s3s::Body::from(bytes::Bytes::copy_from_slice(body)))
                .unwrap();
            let resp = self.runtime.block_on(self.service.call(req)).unwrap();
            let (parts, body) = resp.into_parts();
            let body = self
                .runtime
                .block_on(body.collect())
                .unwrap()
                .to_bytes()
                .to_vec();
            (parts.status.as_u16(), parts.headers, body)
        }
    }

    fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
        reply.1.get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn long_keys_round_trip() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("flowpath-summaries")).unwrap();
        let s3 = Unsigned::new(root.path());
        let key = format!(
            "summaries/account_id=123456789012/day=2026-08-22/{}.parquet",
            "x".repeat(150)
        );
        assert!(!side_files_fit("flowpath-summaries", &key));
        let uri = format!("/flowpath-summaries/{key}");

        let meta = [
            ("x-amz-meta-sync-token", "42"),
            ("content-type", "application/vnd.apache.parquet"),
        ];
        let put = s3.call("PUT", &uri, &meta, b"hello");
        assert_eq!(put.0, 200, "{}", String::from_utf8_lossy(&put.2));
        let e_tag = "\"5d41402abc4b2a76b9719d911017c592\"";
        assert_eq!(header(&put, "etag"), Some(e_tag));

        let head = s3.call("HEAD", &uri, &[], b"");
        assert_eq!((head.0, header(&head, "etag")), (200, Some(e_tag)));
        assert_eq!(header(&head, "x-amz-meta-sync-token"), Some("42"));
        assert_eq!(
            header(&head, "content-type"),
            Some("application/vnd.apache.parquet")
        );
        let get = s3.call("GET", &uri, &[], b"");
        assert_eq!((get.0, get.2.as_slice()), (200, &b"hello"[..]));
        assert_eq!(header(&get, "x-amz-meta-sync-token"), Some("42"));

        let exists = s3.call("PUT", &uri, &[("if-none-match", "*")], b"again");
        assert_eq!(exists.0, 412);
        let stale = s3.call("PUT", &uri, &[("if-match", "\"0000\"")], b"again");
        assert_eq!(stale.0, 412);
        let bad_md5 = s3.call(
            "PUT",
            &uri,
            &[("content-md5", "AAAAAAAAAAAAAAAAAAAAAA==")],
            b"x",
        );
        assert_eq!(bad_md5.0, 400);
        let good_md5 = s3.call(
            "PUT",
            &uri,
            &[
                ("content-md5", "XUFAKrxLKna5cZ2REBfFkg=="),
                ("if-match", e_tag),
            ],
            b"hello",
        );
        assert_eq!(good_md5.0, 200, "{}", String::from_utf8_lossy(&good_md5.2));
        let plain = s3.call("HEAD", &uri, &[], b"");
        assert_eq!(
            header(&plain, "x-amz-meta-sync-token"),
            None,
            "a new PUT replaces metadata"
        );

        let listing = s3.call("GET", "/flowpath-summaries?list-type=2", &[], b"");
        assert!(String::from_utf8_lossy(&listing.2).contains(&format!("<Key>{key}</Key>")));
        for missing in [
            format!("/no-such-bucket/{key}"),
            "/no-such-bucket/short".to_owned(),
        ] {
            assert_eq!(s3.call("PUT", &missing, &[], b"x").0, 404, "NoSuchBucket");
        }
        assert!(!root.path().join("no-such-bucket").exists());
    }

    #[test]
    fn base64_matches_rfc4648() {
        let url = |s: &str| base64(s.as_bytes(), URL_SAFE, false);
        assert_eq!(url(""), "");
        assert_eq!(url("f"), "Zg");
        assert_eq!(url("fo"), "Zm8");
        assert_eq!(url("foo"), "Zm9v");
        assert_eq!(url("foob"), "Zm9vYg");
        assert_eq!(url("\u{fb}\u{ff}"), "w7vDvw");
        assert_eq!(url("??>"), "Pz8-");
        assert_eq!(url("???"), "Pz8_");
        assert_eq!(base64(b"f", STANDARD, true), "Zg==");
        assert_eq!(base64(b"fo", STANDARD, true), "Zm8=");
        assert_eq!(base64(b"???", STANDARD, true), "Pz8/");
    }

    #[test]
    fn long_keys_are_detected() {
        assert!(side_files_fit("flowpath-logs", "AWSLogs/1/x.log.gz"));
        assert!(!side_files_fit("flowpath-logs", &"k".repeat(180)));
        assert!(is_file_key("a/b.c"));
        for bad in ["", "/a", "a/", "a//b", "a/../b", "./a", "a\\b"] {
            assert!(!is_file_key(bad), "{bad:?}");
        }
    }
}
