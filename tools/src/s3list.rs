//! Listing the flow-log objects of `s3://bucket/prefix` with `ListObjectsV2`, without
//! listing what the selection rules out.
//!
//! With no `--account`/`--region`/`--from`/`--to`, the prefix is listed page by page.
//! With them, the listing walks AWS's key layout first with delimiter listings (one
//! request per level: the accounts under `AWSLogs/`, unless given; the regions of each
//! account; the years and months when a date range is long or open) and then lists
//! only the prefixes that can hold selected objects: per day for a date range of up
//! to [`DAYS_DIRECTLY`] days (derived, not listed), a whole month or year when the
//! range covers it, a whole region without dates. Every key listed is still checked
//! against the selection, so the walk only saves requests and never changes the result.

use flowpath_core::object::{InputKind, is_other_delivery_key};
use flowpath_s3::{Access, ListedObject, S3Error, S3Uri};
use tokio::sync::mpsc;

use crate::select::{Day, Layout, Overlap, Selection, days_from_civil, days_in_month};

/// Date ranges up to this many days are listed day by day without looking first.
pub(crate) const DAYS_DIRECTLY: i64 = 62;
/// How deep under the given prefix to look for `AWSLogs/` (custom delivery prefixes).
const FIND_DEPTH: usize = 3;

/// A flow-log object (`*.log.gz`, `*.log`, `*.log.parquet`) the selection keeps.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) bucket: String,
    pub(crate) object: ListedObject,
}

/// What the command line names: one object, or every object under a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `s3://bucket/key` of a flow-log object.
    Object(String),
    /// `s3://bucket/prefix/`: the prefix (empty, or ending with `/`).
    Prefix(String),
}

/// A URI names one object when its key ends like a flow-log file; otherwise it is a
/// "directory" (a `/` is added), as `s3://bucket/AWSLogs/123` must not also match
/// `AWSLogs/1234/`.
pub(crate) fn target(uri: &S3Uri) -> Target {
    let key = uri.key.trim_start_matches('/');
    if key.is_empty() {
        Target::Prefix(String::new())
    } else if key.ends_with('/') {
        Target::Prefix(key.to_owned())
    } else if InputKind::of_key(key).is_some() || key.ends_with(".gz") || is_other_delivery_key(key)
    {
        Target::Object(key.to_owned())
    } else {
        Target::Prefix(format!("{key}/"))
    }
}

/// Lists what `uri` selects into `tx`, in key order. Stops early (without error) when
/// the receiver is gone.
pub(crate) async fn list(
    client: &flowpath_s3::Client,
    uri: &S3Uri,
    selection: &Selection,
    tx: &mpsc::Sender<Found>,
) -> Result<(), S3Error> {
    let bucket = uri.bucket.as_str();
    match target(uri) {
        Target::Object(key) => {
            // The exact key only: a listing gives its ETag and size like any other.
            let page =
                flowpath_s3::list_page(client, bucket, &key, None, None, None, &Access::default())
                    .await?;
            let Some(object) = page.objects.into_iter().find(|o| o.key == key) else {
                return Err(S3Error {
                    op: "ListObjectsV2",
                    bucket: bucket.to_owned(),
                    key,
                    kind: flowpath_s3::S3ErrorKind::NotFound,
                    message: "no such object".to_owned(),
                });
            };
            send(tx, bucket, object, true).await;
            Ok(())
        }
        Target::Prefix(prefix) => {
            let prefixes = if selection.is_all() {
                vec![prefix]
            } else {
                plan(client, bucket, &prefix, selection).await?
            };
            for prefix in prefixes {
                let mut token: Option<String> = None;
                loop {
                    let page = flowpath_s3::list_page(
                        client,
                        bucket,
                        &prefix,
                        None,
                        None,
                        token.as_deref(),
                        &Access::default(),
                    )
                    .await?;
                    for object in page.objects {
                        if selection.key_ok(&object.key) && !send(tx, bucket, object, false).await {
                            return Ok(());
                        }
                    }
                    match page.next {
                        Some(next) => token = Some(next),
                        None => break,
                    }
                }
            }
            Ok(())
        }
    }
}

/// Sends a listed object on when it is a flow log, or an object of another delivery
/// (Firehose, CloudWatch Logs export) whose content says what it holds (a named `.gz`
/// object is read like a local `.gz` file); `false` when nobody listens.
async fn send(tx: &mpsc::Sender<Found>, bucket: &str, object: ListedObject, named: bool) -> bool {
    if InputKind::of_key(&object.key).is_none() && !is_other_delivery_key(&object.key) && !named {
        return true;
    }
    let found = Found {
        bucket: bucket.to_owned(),
        object,
    };
    tx.send(found).await.is_ok()
}

/// A step of the walk down AWS's key layout.
enum Node {
    /// Somewhere above `AWSLogs/`: look for it.
    Find { prefix: String },
    /// `…/AWSLogs/`.
    Root { prefix: String },
    /// `…/AWSLogs/<account>/vpcflowlogs/` (or the Hive form).
    Service { prefix: String, layout: Layout },
    /// `…/<region>/`: the dates below.
    Region { prefix: String, layout: Layout },
    /// `…/<yyyy>/`.
    Year {
        prefix: String,
        layout: Layout,
        year: i64,
    },
}

/// The prefixes to list flat for `selection` under `prefix` (empty or ending with `/`),
/// found with delimiter listings; sorted, so the objects come in key order.
pub(crate) async fn plan(
    client: &flowpath_s3::Client,
    bucket: &str,
    prefix: &str,
    selection: &Selection,
) -> Result<Vec<String>, S3Error> {
    let mut out = Vec::new();
    let mut stack = vec![start(prefix, selection, &mut out)];
    while let Some(node) = stack.pop() {
        let Some(node) = node else { continue };
        match node {
            Node::Find { prefix } => {
                let roots = find_roots(client, bucket, &prefix).await?;
                if roots.is_empty() {
                    // No AWS layout below: list it all, checking every key.
                    out.push(prefix);
                }
                stack.extend(roots.into_iter().map(|prefix| Some(Node::Root { prefix })));
            }
            Node::Root { prefix } => {
                let accounts: Vec<(Layout, String)> = if selection.accounts.is_empty() {
                    dirs(client, bucket, &prefix)
                        .await?
                        .iter()
                        .map(|dir| {
                            let (layout, account) = Layout::of_account(last_segment(dir));
                            (layout, account.to_owned())
                        })
                        .collect()
                } else {
                    selection
                        .accounts
                        .iter()
                        .flat_map(|a| [(Layout::Plain, a.clone()), (Layout::Hive, a.clone())])
                        .collect()
                };
                for (layout, account) in accounts {
                    if account.is_empty() || !selection.account_ok(&account) {
                        continue;
                    }
                    stack.push(Some(Node::Service {
                        prefix: format!(
                            "{prefix}{}{}",
                            layout.account_dir(&account),
                            layout.service_dir()
                        ),
                        layout,
                    }));
                }
            }
            Node::Service { prefix, layout } => {
                for dir in dirs(client, bucket, &prefix).await? {
                    let Some(region) = layout.value(last_segment(&dir), "aws-region") else {
                        continue;
                    };
                    if selection.region_ok(region) {
                        stack.push(Some(Node::Region {
                            prefix: dir,
                            layout,
                        }));
                    }
                }
            }
            Node::Region { prefix, layout } => {
                region_dates(
                    client, bucket, &prefix, layout, selection, &mut stack, &mut out,
                )
                .await?;
            }
            Node::Year {
                prefix,
                layout,
                year,
            } => {
                for dir in dirs(client, bucket, &prefix).await? {
                    let Some(m) = number(layout.value(last_segment(&dir), "month")) else {
                        continue;
                    };
                    let Ok(m) = u32::try_from(m) else { continue };
                    if !(1..=12).contains(&m) {
                        continue;
                    }
                    let first = days_from_civil(year, m, 1);
                    let last = days_from_civil(year, m, days_in_month(year, m));
                    match selection.overlap(first, last) {
                        Overlap::None => {}
                        Overlap::All => out.push(dir),
                        Overlap::Some => {
                            for d in first..=last {
                                if selection.overlap(d, d) == Overlap::All {
                                    let day = u32::try_from(d - first + 1).unwrap_or(1);
                                    out.push(format!("{dir}{}", layout.day_dir(day)));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Where the walk starts for a given prefix: above `AWSLogs/`, or at the level of
/// the layout the prefix reaches (pushing the prefix itself to `out` when it is
/// deeper than the walk goes, or outside the layout).
fn start(prefix: &str, selection: &Selection, out: &mut Vec<String>) -> Option<Node> {
    let segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let Some(at) = segments.iter().rposition(|s| *s == "AWSLogs") else {
        return Some(Node::Find {
            prefix: prefix.to_owned(),
        });
    };
    let rest = &segments[at + 1..];
    let Some(first) = rest.first() else {
        return Some(Node::Root {
            prefix: prefix.to_owned(),
        });
    };
    let (layout, account) = Layout::of_account(first);
    if !selection.account_ok(account) {
        return None;
    }
    match rest.len() {
        1 => Some(Node::Service {
            prefix: format!("{prefix}{}", layout.service_dir()),
            layout,
        }),
        2 if format!("{}/", rest[1]) == layout.service_dir() => Some(Node::Service {
            prefix: prefix.to_owned(),
            layout,
        }),
        3 if format!("{}/", rest[1]) == layout.service_dir() => {
            let region = layout.value(rest[2], "aws-region")?;
            selection.region_ok(region).then(|| Node::Region {
                prefix: prefix.to_owned(),
                layout,
            })
        }
        _ => {
            out.push(prefix.to_owned());
            None
        }
    }
}

/// The dates under a region: the region itself without a date filter, the days of a
/// short range directly, else the years that overlap the range.
async fn region_dates(
    client: &flowpath_s3::Client,
    bucket: &str,
    prefix: &str,
    layout: Layout,
    selection: &Selection,
    stack: &mut Vec<Option<Node>>,
    out: &mut Vec<String>,
) -> Result<(), S3Error> {
    if !selection.has_dates() {
        out.push(prefix.to_owned());
        return Ok(());
    }
    if let (Some(from), Some(to)) = (selection.from, selection.to)
        && to - from < DAYS_DIRECTLY
    {
        for day in from..=to {
            out.push(format!("{prefix}{}", day_path(layout, day)));
        }
        return Ok(());
    }
    for dir in dirs(client, bucket, prefix).await? {
        let Some(year) = number(layout.value(last_segment(&dir), "year")) else {
            continue;
        };
        match selection.overlap(days_from_civil(year, 1, 1), days_from_civil(year, 12, 31)) {
            Overlap::None => {}
            Overlap::All => out.push(dir),
            Overlap::Some => stack.push(Some(Node::Year {
                prefix: dir,
                layout,
                year,
            })),
        }
    }
    Ok(())
}

/// The `…/AWSLogs/` prefixes at most [`FIND_DEPTH`] levels below `prefix`.
async fn find_roots(
    client: &flowpath_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, S3Error> {
    let mut roots = Vec::new();
    let mut level = vec![prefix.to_owned()];
    for _ in 0..FIND_DEPTH {
        let mut next = Vec::new();
        for p in &level {
            for dir in dirs(client, bucket, p).await? {
                if last_segment(&dir) == "AWSLogs" {
                    roots.push(dir);
                } else {
                    next.push(dir);
                }
            }
        }
        if !roots.is_empty() || next.is_empty() {
            break;
        }
        level = next;
    }
    Ok(roots)
}

/// `yyyy/mm/dd/` or `year=yyyy/month=mm/day=dd/` of a day.
pub(crate) fn day_path(layout: Layout, day: Day) -> String {
    let (y, m, d) = flowpath_core::output::layout::civil_from_days(day);
    format!(
        "{}{}{}",
        layout.year_dir(y),
        layout.month_dir(m),
        layout.day_dir(d)
    )
}

fn number(text: Option<&str>) -> Option<i64> {
    let text = text?;
    (!text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The last segment of a prefix ending with `/`.
fn last_segment(dir: &str) -> &str {
    dir.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// The "subdirectories" of a prefix: a delimiter listing's common prefixes.
async fn dirs(
    client: &flowpath_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, S3Error> {
    let (_, prefixes) =
        flowpath_s3::list(client, bucket, prefix, Some("/"), None, &Access::default()).await?;
    Ok(prefixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |u: &str| target(&S3Uri::parse(u).unwrap());
        assert_eq!(t("s3://b"), Target::Prefix(String::new()));
        assert_eq!(t("s3://b/"), Target::Prefix(String::new()));
        assert_eq!(
            t("s3://b/AWSLogs/123"),
            Target::Prefix("AWSLogs/123/".into())
        );
        assert_eq!(t("s3://b/AWSLogs/"), Target::Prefix("AWSLogs/".into()));
        assert_eq!(t("s3://b/a/x.log.gz"), Target::Object("a/x.log.gz".into()));
        assert_eq!(t("s3://b/a/x.log"), Target::Object("a/x.log".into()));
    }

    #[test]
    fn day_paths() {
        let day = days_from_civil(2026, 8, 2);
        assert_eq!(day_path(Layout::Plain, day), "2026/08/02/");
        assert_eq!(day_path(Layout::Hive, day), "year=2026/month=08/day=02/");
    }

    #[test]
    fn starts() {
        let all = Selection {
            regions: vec!["eu-west-1".into()],
            ..Selection::default()
        };
        let mut out = Vec::new();
        let node = start("logs/AWSLogs/123/vpcflowlogs/eu-west-1/", &all, &mut out);
        assert!(matches!(node, Some(Node::Region { .. })));
        let node = start("logs/AWSLogs/123/vpcflowlogs/us-east-1/", &all, &mut out);
        assert!(node.is_none() && out.is_empty());
        let node = start("AWSLogs/aws-account-id=1/", &all, &mut out);
        assert!(
            matches!(node, Some(Node::Service { ref prefix, layout: Layout::Hive }) if prefix == "AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/")
        );
        let node = start("AWSLogs/1/vpcflowlogs/eu-west-1/2026/", &all, &mut out);
        assert!(node.is_none());
        assert_eq!(out, ["AWSLogs/1/vpcflowlogs/eu-west-1/2026/"]);
        assert!(matches!(start("", &all, &mut out), Some(Node::Find { .. })));
    }
}
