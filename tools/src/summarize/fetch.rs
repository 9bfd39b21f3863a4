//! Downloading one S3 object whole for `summarize`, with retries of a body cut off
//! mid-stream (the SDK retries a request that fails, not a body that breaks after
//! its first bytes arrived).

use std::time::Duration;

use flowpath_s3::{Access, ObjectInfo, S3Error};

/// Whole-download attempts when the body breaks off after the SDK's own retries of
/// the request (which do not cover a body cut mid-stream).
const BODY_ATTEMPTS: u32 = 4;

/// GETs a whole object; a body cut off mid-stream (which the SDK does not retry) is
/// fetched again, with backoff.
pub(super) async fn get_with_retries(
    client: &flowpath_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<(ObjectInfo, Vec<u8>), S3Error> {
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        match flowpath_s3::get_bytes(client, bucket, key, &Access::default()).await {
            Ok(got) => return Ok(got),
            Err(e) if e.is_retryable() && attempt < BODY_ATTEMPTS => {
                let jitter = Duration::from_millis(u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_millis())
                        % 100,
                ));
                tokio::time::sleep(delay + jitter).await;
                delay = (delay * 2).min(Duration::from_secs(8));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}
