//! What a summary file says of itself in its footer: the flowpath version, the ranges
//! it was attributed with, its inputs and their counts, the files it compacts, the tag
//! keys it has columns for.
//!
//! Invariant: the footer keys are constants that the writer ([`FileMeta::key_values`])
//! and the reader ([`FileMeta::from_key_values`]) share, so what is written is what is
//! read.

use std::collections::BTreeMap;

use crate::error::Error;

/// Counts of an input, as written into every summary file made from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Record lines read (header and blank lines excluded).
    pub read: u64,
    /// Records with traffic (log-status OK, or no log-status field).
    pub ok: u64,
    /// NODATA records.
    pub nodata: u64,
    /// SKIPDATA records.
    pub skipdata: u64,
    /// Lines that could not be parsed.
    pub malformed: u64,
}

/// What a summary file records about how it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    /// The ranges' syncToken.
    pub ranges_sync_token: String,
    /// The ranges' createDate.
    pub ranges_create_date: String,
    /// The inputs the rows come from.
    pub inputs: Vec<String>,
    /// Their counts.
    pub counts: Counts,
    /// For a file that merges others (`flowpath compact`), their names: a later
    /// `summarize` of the same inputs finds its own output's name here and does not
    /// write it beside (which would count its rows twice). Empty for a file of one
    /// input, and then not written.
    pub compacted_from: Vec<String>,
    /// The tag keys the run asked for (`--tag`), in column order: the file has a
    /// `tag_<key>` column for each ([`crate::inventory::column_of`]), null where no
    /// resource carries the key. Empty, and then not written, without tags.
    pub tag_keys: Vec<String>,
}

/// The footer key of the flowpath version that wrote a file.
pub const VERSION_KEY: &str = "flowpath.version";
/// The footer key of [`FileMeta::ranges_sync_token`].
pub const SYNC_TOKEN_KEY: &str = "flowpath.ranges.sync_token";
/// The footer key of [`FileMeta::ranges_create_date`].
pub const CREATE_DATE_KEY: &str = "flowpath.ranges.create_date";
/// The footer key of [`FileMeta::inputs`] (a JSON list).
pub const INPUTS_KEY: &str = "flowpath.inputs";
/// The footer keys of [`FileMeta::counts`], in the order they are written.
pub const COUNTS_KEYS: [&str; 5] = [
    "flowpath.counts.read",
    "flowpath.counts.ok",
    "flowpath.counts.nodata",
    "flowpath.counts.skipdata",
    "flowpath.counts.malformed",
];
/// The footer key of [`FileMeta::compacted_from`] (a JSON list; absent when empty).
pub const COMPACTED_FROM_KEY: &str = "flowpath.compacted_from";
/// The footer key of [`FileMeta::tag_keys`] (a JSON list; absent when empty).
pub const TAG_KEYS_KEY: &str = "flowpath.tag_keys";

impl Counts {
    /// The counts in the order of [`COUNTS_KEYS`].
    fn in_key_order(self) -> [u64; 5] {
        [
            self.read,
            self.ok,
            self.nodata,
            self.skipdata,
            self.malformed,
        ]
    }
}

impl FileMeta {
    /// The key/value pairs written into the Parquet footer.
    pub fn key_values(&self) -> Vec<(String, String)> {
        let inputs = serde_json::to_string(&self.inputs).unwrap_or_default();
        [
            (VERSION_KEY, crate::VERSION.to_owned()),
            (SYNC_TOKEN_KEY, self.ranges_sync_token.clone()),
            (CREATE_DATE_KEY, self.ranges_create_date.clone()),
            (INPUTS_KEY, inputs),
        ]
        .into_iter()
        .chain(
            COUNTS_KEYS
                .into_iter()
                .zip(self.counts.in_key_order())
                .map(|(k, n)| (k, n.to_string())),
        )
        .map(|(k, v)| (k.to_owned(), v))
        .chain((!self.compacted_from.is_empty()).then(|| {
            (
                COMPACTED_FROM_KEY.to_owned(),
                serde_json::to_string(&self.compacted_from).unwrap_or_default(),
            )
        }))
        .chain((!self.tag_keys.is_empty()).then(|| {
            (
                TAG_KEYS_KEY.to_owned(),
                serde_json::to_string(&self.tag_keys).unwrap_or_default(),
            )
        }))
        .collect()
    }

    /// The metadata a footer's key/value pairs hold: the inverse of
    /// [`FileMeta::key_values`]. The inputs and every count must be there; ranges
    /// missing are empty, and so is a missing [`COMPACTED_FROM_KEY`].
    pub fn from_key_values(footer: &BTreeMap<String, String>) -> Result<FileMeta, Error> {
        let bad = |key: &str, what: &str| Error::NotASummary {
            reason: format!("footer {key} {what}"),
        };
        let list = |key: &str| -> Result<Option<Vec<String>>, Error> {
            footer
                .get(key)
                .map(|v| {
                    serde_json::from_str(v)
                        .map_err(|e| bad(key, &format!("is not a JSON list: {e}")))
                })
                .transpose()
        };
        let mut counts = [0u64; 5];
        for (n, key) in counts.iter_mut().zip(COUNTS_KEYS) {
            let value = footer.get(key).ok_or_else(|| bad(key, "is missing"))?;
            *n = value
                .parse()
                .map_err(|_| bad(key, &format!("is not a count: {value:?}")))?;
        }
        let [read, ok, nodata, skipdata, malformed] = counts;
        let text = |key: &str| footer.get(key).cloned().unwrap_or_default();
        Ok(FileMeta {
            ranges_sync_token: text(SYNC_TOKEN_KEY),
            ranges_create_date: text(CREATE_DATE_KEY),
            inputs: list(INPUTS_KEY)?.ok_or_else(|| bad(INPUTS_KEY, "is missing"))?,
            counts: Counts {
                read,
                ok,
                nodata,
                skipdata,
                malformed,
            },
            compacted_from: list(COMPACTED_FROM_KEY)?.unwrap_or_default(),
            tag_keys: list(TAG_KEYS_KEY)?.unwrap_or_default(),
        })
    }

    /// The tag columns a file with this metadata and these rows is written with: one
    /// per [`FileMeta::tag_keys`], then any other the rows hold a value in.
    pub fn tag_columns<'a>(&self, rows: &'a [super::RowRef<'a>]) -> Vec<String> {
        let mut columns: Vec<String> = self
            .tag_keys
            .iter()
            .map(|k| crate::inventory::column_of(k))
            .collect();
        for c in super::tag_columns_of(rows.iter().map(|r| r.tags.as_slice())) {
            if !columns.iter().any(|have| have == c) {
                columns.push(c.to_owned());
            }
        }
        columns
    }
}
