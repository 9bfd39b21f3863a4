//! Configuration from environment variables, validated once at cold start.
//!
//! | variable | meaning |
//! | --- | --- |
//! | `OUTPUT_BUCKET` | required: where summaries go |
//! | `OUTPUT_PREFIX` | optional key prefix of summaries (a `/` is added if missing) |
//! | `RANGES_S3_URI` | optional `s3://bucket/key` of ip-ranges.json; else the embedded snapshot |
//! | `INVENTORY_S3_URI` | optional `s3://bucket/key` of one VPC inventory document or `s3://bucket/prefix/` of several (`describe-*` JSON; see `docs/attribution.md`) |
//! | `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, `FLOWPATH_S3_PATH_STYLE=1` | S3-compatible stores |
//! | `RUST_LOG` | log filter (default `info`) |

use flowpath_s3::S3Uri;

/// The summarizer's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Bucket the summaries are written to.
    pub output_bucket: String,
    /// Key prefix of the summaries: empty, or ending in `/`.
    pub output_prefix: String,
    /// Where ip-ranges.json is kept, if not the embedded snapshot.
    pub ranges: Option<S3Uri>,
    /// Where the VPC inventory is kept, if any.
    pub inventory: Option<S3Uri>,
}

impl Config {
    /// Reads and checks the environment.
    pub fn from_env() -> Result<Config, String> {
        Config::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads and checks variables from `get` (testable without touching the process).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let output_bucket = get("OUTPUT_BUCKET").ok_or_else(|| {
            "OUTPUT_BUCKET is not set: name the bucket summaries are written to".to_owned()
        })?;
        if output_bucket.starts_with("s3://") || output_bucket.contains('/') {
            return Err(format!(
                "OUTPUT_BUCKET must be a bucket name, not `{output_bucket}` (put the key prefix in OUTPUT_PREFIX)"
            ));
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
        Ok(Config {
            output_bucket,
            output_prefix,
            ranges,
            inventory,
        })
    }
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
            ("OUTPUT_BUCKET", "out"),
            ("OUTPUT_PREFIX", "/flowpath"),
            ("RANGES_S3_URI", "s3://b/ip-ranges.json"),
        ]))
        .unwrap();
        assert_eq!(c.output_prefix, "flowpath/");
        assert_eq!(c.ranges.unwrap().key, "ip-ranges.json");
        assert_eq!(
            Config::from_vars(vars(&[("OUTPUT_BUCKET", "out")]))
                .unwrap()
                .output_prefix,
            ""
        );
        assert!(
            Config::from_vars(vars(&[]))
                .unwrap_err()
                .contains("OUTPUT_BUCKET is not set")
        );
        assert!(
            Config::from_vars(vars(&[("OUTPUT_BUCKET", "s3://out/x")]))
                .unwrap_err()
                .contains("must be a bucket name")
        );
        assert!(
            Config::from_vars(vars(&[("OUTPUT_BUCKET", "o"), ("RANGES_S3_URI", "b/x")]))
                .unwrap_err()
                .starts_with("RANGES_S3_URI:")
        );
        assert!(
            Config::from_vars(vars(&[
                ("OUTPUT_BUCKET", "o"),
                ("RANGES_S3_URI", "s3://b/")
            ]))
            .unwrap_err()
            .contains("must name an object")
        );
        let c = Config::from_vars(vars(&[
            ("OUTPUT_BUCKET", "o"),
            ("INVENTORY_S3_URI", "s3://b/inventory/"),
        ]))
        .unwrap();
        assert_eq!(c.inventory.unwrap().key, "inventory/");
        assert!(
            Config::from_vars(vars(&[
                ("OUTPUT_BUCKET", "o"),
                ("INVENTORY_S3_URI", "b/inventory")
            ]))
            .unwrap_err()
            .starts_with("INVENTORY_S3_URI:")
        );
    }
}
