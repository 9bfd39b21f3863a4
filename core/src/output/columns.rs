//! The summary file's columns: its Arrow schema, and rows to and from record
//! batches of it.
//!
//! Invariants: [`rows_from_batch`] is the inverse of [`batch_of`] for every column
//! the file holds (the partition fields live in the path, not in the file); columns
//! are found by name, and the columns added after the first release
//! ([`ADDED_COLUMNS`], at the end of the schema) may be missing: a file written
//! before them reads as null there, as Athena reads it. The `tag_<key>` columns
//! ([`crate::inventory::TagKeys`]) follow them, as many as the run asked for; every
//! column whose name starts with [`TAG_PREFIX`] is read back as a tag.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use super::rows::{Row, RowRef};
use crate::error::Error;

/// The first characters of every tag column's name.
pub const TAG_PREFIX: &str = "tag_";

/// The Arrow schema of a summary file without tag columns.
pub fn schema() -> SchemaRef {
    schema_with_tags(&[])
}

/// The Arrow schema of a summary file with these `tag_<key>` columns at its end.
pub fn schema_with_tags(tag_columns: &[&str]) -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let count = |name: &str, nullable| Field::new(name, DataType::Int64, nullable);
    Arc::new(Schema::new(
        vec![
            Field::new(
                "window_start",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
            text("vpc_id"),
            text("subnet_id"),
            text("interface_id"),
            text("interface_kind"),
            text("direction"),
            text("path"),
            text("attribution"),
            text("gateway_id"),
            text("remote_service"),
            text("remote_region"),
            text("action"),
            Field::new("protocol", DataType::Int32, true),
            count("flows", false),
            count("packets", true),
            count("bytes", true),
            text(ADDED_COLUMNS[0]),
            text(ADDED_COLUMNS[1]),
            text(ADDED_COLUMNS[2]),
            text(ADDED_COLUMNS[3]),
            text(ADDED_COLUMNS[4]),
            text(ADDED_COLUMNS[5]),
            text(ADDED_COLUMNS[6]),
        ]
        .into_iter()
        .chain(tag_columns.iter().map(|c| text(c)))
        .collect::<Vec<_>>(),
    ))
}

/// The tag columns the rows hold a value in, in order of first appearance.
pub fn tag_columns_of<'r>(
    rows: impl IntoIterator<Item = &'r [(&'r str, &'r str)]>,
) -> Vec<&'r str> {
    let mut columns: Vec<&str> = Vec::new();
    for tags in rows {
        for (c, _) in tags {
            if !columns.contains(c) {
                columns.push(c);
            }
        }
    }
    columns
}

/// The columns added after the first release, in schema order: a file may lack them.
pub const ADDED_COLUMNS: [&str; 7] = [
    "remote_vpc_id",
    "remote_account_id",
    "ecs_cluster_name",
    "ecs_service_name",
    "reject_reason",
    "remote_name",
    "name_source",
];

/// The rows as one Arrow record batch, with the tag columns they hold values in.
pub fn to_batch(rows: &[Row]) -> Result<RecordBatch, Error> {
    let refs: Vec<RowRef<'_>> = rows.iter().map(Row::as_ref).collect();
    let columns = tag_columns_of(refs.iter().map(|r| r.tags.as_slice()));
    batch_of(&refs, &columns)
}

/// Borrowed rows as one Arrow record batch of [`schema_with_tags`]`(tag_columns)`.
/// A row's tag in a column not listed is an error (it would be lost).
pub fn batch_of(rows: &[RowRef<'_>], tag_columns: &[&str]) -> Result<RecordBatch, Error> {
    if let Some((c, _)) = rows
        .iter()
        .flat_map(|r| &r.tags)
        .find(|(c, _)| !tag_columns.contains(c))
    {
        return Err(Error::NotASummary {
            reason: format!("a row has tag column {c} the file is not written with"),
        });
    }
    let text = |f: for<'r> fn(&'r RowRef<'_>) -> Option<&'r str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> =
        [
            Arc::new(
                rows.iter()
                    .map(|r| r.window_start.map(|s| s * 1_000_000))
                    .collect::<TimestampMicrosecondArray>()
                    .with_timezone("UTC"),
            ) as ArrayRef,
            text(|r| r.vpc_id),
            text(|r| r.subnet_id),
            text(|r| r.interface_id),
            text(|r| r.interface_kind),
            text(|r| Some(r.direction)),
            text(|r| Some(&r.path)),
            text(|r| Some(r.attribution)),
            text(|r| r.gateway_id),
            text(|r| r.remote_service),
            text(|r| r.remote_region),
            text(|r| r.action),
            Arc::new(rows.iter().map(|r| r.protocol).collect::<Int32Array>()),
            Arc::new(rows.iter().map(|r| Some(r.flows)).collect::<Int64Array>()),
            Arc::new(rows.iter().map(|r| r.packets).collect::<Int64Array>()),
            Arc::new(rows.iter().map(|r| r.bytes).collect::<Int64Array>()),
            text(|r| r.remote_vpc_id),
            text(|r| r.remote_account_id),
            text(|r| r.ecs_cluster_name),
            text(|r| r.ecs_service_name),
            text(|r| r.reject_reason),
            text(|r| r.remote_name),
            text(|r| r.name_source),
        ]
        .into_iter()
        .chain(tag_columns.iter().map(|&c| -> ArrayRef {
            Arc::new(rows.iter().map(|r| r.tag(c)).collect::<StringArray>())
        }))
        .collect();
    Ok(RecordBatch::try_new(
        schema_with_tags(tag_columns),
        columns,
    )?)
}

/// A record batch's columns, found by name and typed, for the readers of every summary
/// table: a missing column or one of another type is [`Error::NotASummary`], naming
/// the table (`what`, e.g. `top talkers: `; empty for the VPC summaries) and column.
pub(crate) struct Columns<'b> {
    batch: &'b RecordBatch,
    what: &'static str,
}

impl<'b> Columns<'b> {
    /// The columns of `batch`, a file of table `what`.
    pub(crate) fn of(batch: &'b RecordBatch, what: &'static str) -> Self {
        Columns { batch, what }
    }

    /// The error for column `name`.
    pub(crate) fn bad(&self, name: &str, why: &str) -> Error {
        Error::NotASummary {
            reason: format!("{}column {name} {why}", self.what),
        }
    }

    fn column(&self, name: &str) -> Result<&'b ArrayRef, Error> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| self.bad(name, "is missing"))
    }

    /// A string column.
    pub(crate) fn text(&self, name: &str) -> Result<&'b StringArray, Error> {
        self.column(name)?
            .as_string_opt::<i32>()
            .ok_or_else(|| self.bad(name, "is not a string"))
    }

    /// An INT32 column.
    pub(crate) fn int32(&self, name: &str) -> Result<&'b Int32Array, Error> {
        self.column(name)?
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| self.bad(name, "is not INT32"))
    }

    /// An INT64 column.
    pub(crate) fn int64(&self, name: &str) -> Result<&'b Int64Array, Error> {
        self.column(name)?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| self.bad(name, "is not INT64"))
    }

    /// A BOOLEAN column.
    pub(crate) fn boolean(&self, name: &str) -> Result<&'b arrow_array::BooleanArray, Error> {
        self.column(name)?
            .as_boolean_opt()
            .ok_or_else(|| self.bad(name, "is not BOOLEAN"))
    }

    /// `window_start`, microseconds.
    pub(crate) fn window(&self) -> Result<&'b TimestampMicrosecondArray, Error> {
        self.column("window_start")?
            .as_primitive_opt::<TimestampMicrosecondType>()
            .ok_or_else(|| self.bad("window_start", "is not a timestamp (µs)"))
    }
}

/// The rows of a record batch read back from a summary file: the inverse of
/// [`to_batch`]. Partition fields (`account_id`, `region`, `day`) are left empty:
/// they live in the file's path.
pub fn rows_from_batch(batch: &RecordBatch) -> Result<Vec<Row>, Error> {
    use arrow_array::Array;
    let columns = Columns::of(batch, "");
    let bad = |name: &str, what: &str| columns.bad(name, what);
    let (text, int64) = (|n: &str| columns.text(n), |n: &str| columns.int64(n));
    let window = columns.window()?;
    let protocol = columns.int32("protocol")?;
    let (vpc, subnet, interface, kind) = (
        text("vpc_id")?,
        text("subnet_id")?,
        text("interface_id")?,
        text("interface_kind")?,
    );
    let (direction, path, attribution, gateway) = (
        text("direction")?,
        text("path")?,
        text("attribution")?,
        text("gateway_id")?,
    );
    let (service, region, action) = (
        text("remote_service")?,
        text("remote_region")?,
        text("action")?,
    );
    let (flows, packets, bytes) = (int64("flows")?, int64("packets")?, int64("bytes")?);
    // Absent from files written before these columns: null in every row.
    let added = ADDED_COLUMNS
        .iter()
        .map(|name| match batch.column_by_name(name) {
            None => Ok(None),
            Some(c) => c
                .as_string_opt::<i32>()
                .map(Some)
                .ok_or_else(|| bad(name, "is not a string")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let added_value = |c: usize, i: usize| -> Option<String> {
        let a = added.get(c).copied().flatten()?;
        a.is_valid(i).then(|| a.value(i).to_owned())
    };
    let schema = batch.schema();
    let tags = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| f.name().starts_with(TAG_PREFIX))
        .map(|(f, c)| {
            c.as_string_opt::<i32>()
                .map(|a| (f.name().as_str(), a))
                .ok_or_else(|| bad(f.name(), "is not a string"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let opt = |a: &StringArray, i: usize| a.is_valid(i).then(|| a.value(i).to_owned());
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if flows.is_null(i) {
            return Err(Error::NotASummary {
                reason: format!("row {i}: null flows"),
            });
        }
        rows.push(Row {
            account_id: String::new(),
            region: String::new(),
            day: String::new(),
            window_start: window
                .is_valid(i)
                .then(|| window.value(i).div_euclid(1_000_000)),
            vpc_id: opt(vpc, i),
            subnet_id: opt(subnet, i),
            interface_id: opt(interface, i),
            interface_kind: opt(kind, i),
            direction: opt(direction, i).unwrap_or_default(),
            path: opt(path, i).unwrap_or_default(),
            attribution: opt(attribution, i).unwrap_or_default(),
            gateway_id: opt(gateway, i),
            remote_service: opt(service, i),
            remote_region: opt(region, i),
            action: opt(action, i),
            protocol: protocol.is_valid(i).then(|| protocol.value(i)),
            remote_vpc_id: added_value(0, i),
            remote_account_id: added_value(1, i),
            ecs_cluster_name: added_value(2, i),
            ecs_service_name: added_value(3, i),
            reject_reason: added_value(4, i),
            remote_name: added_value(5, i),
            name_source: added_value(6, i),
            tags: tags
                .iter()
                .filter(|(_, a)| a.is_valid(i))
                .map(|(c, a)| ((*c).to_owned(), a.value(i).to_owned()))
                .collect(),
            flows: flows.value(i),
            packets: packets.is_valid(i).then(|| packets.value(i)),
            bytes: bytes.is_valid(i).then(|| bytes.value(i)),
        });
    }
    Ok(rows)
}
