//! Configuration from environment variables, validated once at cold start.
//!
//! | variable | meaning |
//! | --- | --- |
//! | `LOG_BUCKETS` | required: the buckets (comma-separated names) events may name; an object in any other bucket is refused unread |
//! | `LOG_BUCKET_OWNER` | optional account id that owns the log buckets (sent as the expected bucket owner); default: the function's own account, from its ARN |
//! | `OUTPUT_BUCKET` | required: where summaries go |
//! | `OUTPUT_BUCKET_OWNER` | optional account id that owns `OUTPUT_BUCKET`; default: the function's own account |
//! | `OUTPUT_KMS_KEY_ARN` | optional KMS key (ARN) the summaries are encrypted with (SSE-KMS); else the bucket's default encryption |
//! | `OUTPUT_PREFIX` | optional key prefix of summaries (a `/` is added if missing) |
//! | `RANGES_S3_URI` | optional `s3://bucket/key` of ip-ranges.json; else the embedded snapshot |
//! | `FLOW_LOG_FORMAT` | optional format of flow logs delivered without a header line (CloudWatch Logs subscriptions): `${version} ${account-id} ...` or plain field names; default v2 |
//! | `AWS_REGION` | set by Lambda: the region of CloudWatch Logs records whose format lacks `region` |
//! | `INVENTORY_S3_URI` | optional `s3://bucket/key` of one VPC inventory document or `s3://bucket/prefix/` of several (`describe-*` JSON; see `docs/attribution.md`) |
//! | `TAG_KEYS` | optional, with `INVENTORY_S3_URI`: resource tag keys (comma-separated; AWS keys hold no comma) whose `tag_<key>` columns the summaries get, as `flowpath summarize --tag` (see `docs/attribution.md`) |
//! | `TOP_TALKERS` | optional: how many top talkers (remote addresses and ports by bytes) each hour, VPC, path, gateway and service lists under `top_talkers/` (e.g. 20; unset or 0: none) |
//! | `NAME_WINDOW` | optional: name each flow's remote from Route 53 Resolver query logs delivered to a log bucket (`…/vpcdnsquerylogs/…`): the window before a flow in which a query names its address (`1h`; seconds, or `s`, `m`, `h`, `d`). Unset: query logs are skipped |
//! | `NAMES_MAX_ROWS` | optional cap on the answers a flow log's names are read from (default 2,000,000, about 400 MB); past it, older hours are left out (see `names_source`) |
//! | `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, `FLOWPATH_S3_PATH_STYLE=1` | S3-compatible stores |
//! | `RUST_LOG` | log filter (default `info`) |

use flowpath_core::format::Format;
use flowpath_s3::S3Uri;

/// The summarizer's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The buckets events may name.
    pub log_buckets: Vec<String>,
    /// The account owning the log buckets, when not the function's own.
    pub log_bucket_owner: Option<String>,
    /// The account owning the output bucket, when not the function's own.
    pub output_bucket_owner: Option<String>,
    /// The KMS key new summaries are encrypted with.
    pub output_kms_key: Option<String>,
    /// Bucket the summaries are written to.
    pub output_bucket: String,
    /// Key prefix of the summaries: empty, or ending in `/`.
    pub output_prefix: String,
    /// Where ip-ranges.json is kept, if not the embedded snapshot.
    pub ranges: Option<S3Uri>,
    /// Where the VPC inventory is kept, if any.
    pub inventory: Option<S3Uri>,
    /// The format of records delivered without a header line (CloudWatch Logs).
    pub flow_log_format: Option<Format>,
    /// The function's region: that of CloudWatch Logs records without `region`.
    pub region: Option<String>,
    /// With Resolver query logs: the name window, seconds.
    pub name_window: Option<i64>,
    /// The most answers a flow log's names are read from.
    pub names_max_rows: usize,
    /// The tag keys of the `tag_<key>` columns.
    pub tags: flowpath_core::inventory::TagKeys,
    /// How many top talkers each group lists.
    pub top_talkers: usize,
}

/// The default of `NAMES_MAX_ROWS`.
pub const NAMES_MAX_ROWS: usize = 2_000_000;

impl Config {
    /// Reads and checks the environment.
    pub fn from_env() -> Result<Config, String> {
        Config::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads and checks variables from `get` (testable without touching the process).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let account = |name: &str| -> Result<Option<String>, String> {
            match get(name) {
                Some(a) if is_account_id(a.trim()) => Ok(Some(a.trim().to_owned())),
                Some(a) => Err(format!("{name} must be a 12-digit account id, not `{a}`")),
                None => Ok(None),
            }
        };
        let log_bucket_owner = account("LOG_BUCKET_OWNER")?;
        let output_bucket_owner = account("OUTPUT_BUCKET_OWNER")?;
        let output_kms_key = get("OUTPUT_KMS_KEY_ARN").map(|k| k.trim().to_owned());
        if let Some(k) = &output_kms_key
            && !k.starts_with("arn:")
        {
            return Err(format!("OUTPUT_KMS_KEY_ARN must be a key ARN, not `{k}`"));
        }
        let output_bucket = get("OUTPUT_BUCKET").ok_or_else(|| {
            "OUTPUT_BUCKET is not set: name the bucket summaries are written to".to_owned()
        })?;
        if output_bucket.starts_with("s3://") || output_bucket.contains('/') {
            return Err(format!(
                "OUTPUT_BUCKET must be a bucket name, not `{output_bucket}` (put the key prefix in OUTPUT_PREFIX)"
            ));
        }
        let log_buckets: Vec<String> = get("LOG_BUCKETS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect();
        if log_buckets.is_empty() {
            return Err(
                "LOG_BUCKETS is not set: name the bucket(s) flow logs are delivered to (comma-separated); events naming any other bucket are refused"
                    .to_owned(),
            );
        }
        if let Some(bad) = log_buckets
            .iter()
            .find(|b| b.starts_with("s3://") || b.contains('/'))
        {
            return Err(format!("LOG_BUCKETS must hold bucket names, not `{bad}`"));
        }
        let mut output_prefix = get("OUTPUT_PREFIX")
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_owned();
        if !output_prefix.is_empty() && !output_prefix.ends_with('/') {
            output_prefix.push('/');
        }
        let ranges = get("RANGES_S3_URI")
            .map(|u| S3Uri::parse(&u).map_err(|e| format!("RANGES_S3_URI: {e}")))
            .transpose()?;
        if let Some(r) = &ranges
            && (r.key.is_empty() || r.key.ends_with('/'))
        {
            return Err(format!("RANGES_S3_URI must name an object, not `{r}`"));
        }
        let inventory = get("INVENTORY_S3_URI")
            .map(|u| S3Uri::parse(&u).map_err(|e| format!("INVENTORY_S3_URI: {e}")))
            .transpose()?;
        let flow_log_format = get("FLOW_LOG_FORMAT")
            .map(|f| Format::parse(&f).map_err(|e| format!("FLOW_LOG_FORMAT: {e}")))
            .transpose()?;
        let region = get("AWS_REGION").map(|r| r.trim().to_owned());
        let name_window = get("NAME_WINDOW")
            .map(|w| {
                flowpath_core::names::parse_window(w.trim())
                    .map_err(|e| format!("NAME_WINDOW: {e}"))
            })
            .transpose()?;
        let names_max_rows = get("NAMES_MAX_ROWS")
            .map(|n| {
                n.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("NAMES_MAX_ROWS must be a positive number, not `{n}`"))
            })
            .transpose()?
            .unwrap_or(NAMES_MAX_ROWS);
        let tags = flowpath_core::inventory::TagKeys::new(
            get("TAG_KEYS")
                .iter()
                .flat_map(|k| k.split(','))
                .map(str::trim)
                .filter(|k| !k.is_empty()),
        )
        .map_err(|e| format!("TAG_KEYS: {e}"))?;
        if !tags.is_empty() && inventory.is_none() {
            return Err(
                "TAG_KEYS needs INVENTORY_S3_URI: tags are read from the inventory".to_owned(),
            );
        }
        let top_talkers = get("TOP_TALKERS")
            .map(|n| {
                n.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= 1000)
                    .ok_or_else(|| {
                        format!("TOP_TALKERS must be a number from 0 to 1000, not `{n}`")
                    })
            })
            .transpose()?
            .unwrap_or(0);
        Ok(Config {
            log_buckets,
            log_bucket_owner,
            output_bucket_owner,
            output_kms_key,
            output_bucket,
            output_prefix,
            ranges,
            inventory,
            flow_log_format,
            region,
            name_window,
            names_max_rows,
            tags,
            top_talkers,
        })
    }
}

/// Whether `text` is an AWS account id (12 digits).
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account id in an ARN (`arn:partition:service:region:ACCOUNT:...`), if it has one.
///
/// ```
/// use flowpath_functions::config::account_of_arn;
/// assert_eq!(account_of_arn("arn:aws:lambda:eu-west-1:123456789012:function:f"), Some("123456789012"));
/// assert_eq!(account_of_arn("arn:aws:s3:::bucket"), None);
/// ```
pub fn account_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(3))
        .flatten()
        .filter(|a| is_account_id(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn valid_and_invalid() {
        let c = Config::from_vars(vars(&[
            ("LOG_BUCKETS", "logs"),
            ("OUTPUT_BUCKET", "out"),
            ("OUTPUT_PREFIX", "/flowpath"),
            ("RANGES_S3_URI", "s3://b/ip-ranges.json"),
        ]))
        .unwrap();
        assert_eq!(c.output_prefix, "flowpath/");
        assert_eq!(c.ranges.unwrap().key, "ip-ranges.json");
        assert_eq!(
            Config::from_vars(vars(&[("LOG_BUCKETS", "logs"), ("OUTPUT_BUCKET", "out")]))
                .unwrap()
                .output_prefix,
            ""
        );
        assert!(
            Config::from_vars(vars(&[("LOG_BUCKETS", "logs")]))
                .unwrap_err()
                .contains("OUTPUT_BUCKET is not set")
        );
        assert!(
            Config::from_vars(vars(&[("OUTPUT_BUCKET", "out")]))
                .unwrap_err()
                .contains("LOG_BUCKETS is not set")
        );
        assert!(
            Config::from_vars(vars(&[
                ("LOG_BUCKETS", "l"),
                ("OUTPUT_BUCKET", "s3://out/x")
            ]))
            .unwrap_err()
            .contains("must be a bucket name")
        );
        assert!(
            Config::from_vars(vars(&[
                ("LOG_BUCKETS", "l"),
                ("OUTPUT_BUCKET", "o"),
                ("RANGES_S3_URI", "b/x")
            ]))
            .unwrap_err()
            .starts_with("RANGES_S3_URI:")
        );
        assert!(
            Config::from_vars(vars(&[
                ("LOG_BUCKETS", "l"),
                ("OUTPUT_BUCKET", "o"),
                ("RANGES_S3_URI", "s3://b/")
            ]))
            .unwrap_err()
            .contains("must name an object")
        );
        let c = Config::from_vars(vars(&[
            ("LOG_BUCKETS", "l"),
            ("OUTPUT_BUCKET", "o"),
            ("INVENTORY_S3_URI", "s3://b/inventory/"),
        ]))
        .unwrap();
        assert_eq!(c.inventory.unwrap().key, "inventory/");
        assert!(
            Config::from_vars(vars(&[
                ("LOG_BUCKETS", "l"),
                ("OUTPUT_BUCKET", "o"),
                ("INVENTORY_S3_URI", "b/inventory")
            ]))
            .unwrap_err()
            .starts_with("INVENTORY_S3_URI:")
        );
    }

    #[test]
    fn tag_keys_need_the_inventory_and_one_column_each() {
        let c = Config::from_vars(vars(&[
            ("LOG_BUCKETS", "l"),
            ("OUTPUT_BUCKET", "o"),
            ("INVENTORY_S3_URI", "s3://b/inventory/"),
            ("TAG_KEYS", " Team, aws:cloudformation:stack-name ,"),
        ]))
        .unwrap();
        assert_eq!(
            c.tags.iter().collect::<Vec<_>>(),
            [
                ("Team", "tag_team"),
                (
                    "aws:cloudformation:stack-name",
                    "tag_aws_cloudformation_stack_name"
                )
            ]
        );
        let err = Config::from_vars(vars(&[
            ("LOG_BUCKETS", "l"),
            ("OUTPUT_BUCKET", "o"),
            ("TAG_KEYS", "Team"),
        ]))
        .unwrap_err();
        assert!(err.contains("needs INVENTORY_S3_URI"), "{err}");
        let err = Config::from_vars(vars(&[
            ("LOG_BUCKETS", "l"),
            ("OUTPUT_BUCKET", "o"),
            ("INVENTORY_S3_URI", "s3://b/inventory/"),
            ("TAG_KEYS", "Team,team"),
        ]))
        .unwrap_err();
        assert!(
            err.starts_with("TAG_KEYS: tag keys \"Team\" and \"team\""),
            "{err}"
        );
    }

    #[test]
    fn buckets_owners_and_kms_key() {
        let c = Config::from_vars(vars(&[
            ("LOG_BUCKETS", " logs-a, logs-b ,"),
            ("LOG_BUCKET_OWNER", "210987654321"),
            ("OUTPUT_BUCKET", "o"),
            (
                "OUTPUT_KMS_KEY_ARN",
                "arn:aws:kms:eu-west-1:123456789012:key/k",
            ),
        ]))
        .unwrap();
        assert_eq!(c.log_buckets, ["logs-a", "logs-b"]);
        assert_eq!(c.log_bucket_owner.as_deref(), Some("210987654321"));
        assert_eq!(c.output_bucket_owner, None);
        assert_eq!(
            c.output_kms_key.as_deref(),
            Some("arn:aws:kms:eu-west-1:123456789012:key/k")
        );
        for (name, value, error) in [
            ("LOG_BUCKET_OWNER", "12345", "must be a 12-digit account id"),
            ("OUTPUT_BUCKET_OWNER", "me", "must be a 12-digit account id"),
            ("OUTPUT_KMS_KEY_ARN", "alias/x", "must be a key ARN"),
            ("LOG_BUCKETS", "s3://logs", "must hold bucket names"),
        ] {
            let e = Config::from_vars(vars(&[
                (name, value),
                ("LOG_BUCKETS", "l"),
                ("OUTPUT_BUCKET", "o"),
            ]))
            .unwrap_err();
            assert!(e.contains(error), "{name}: {e}");
        }
        assert_eq!(
            account_of_arn("arn:aws:lambda:r:123456789012"),
            Some("123456789012")
        );
        assert_eq!(account_of_arn("arn:aws:lambda:r:1234:function:f"), None);
        assert_eq!(account_of_arn("123456789012"), None);
    }
}
