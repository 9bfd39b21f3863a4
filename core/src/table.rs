//! The Athena (Glue) tables over the summaries: one definition for `flowpath athena-ddl`
//! and the SAM template's `AWS::Glue::Table`s, for the VPC summaries and, with the same
//! partitions, the transit gateway summaries ([`Summaries`]).
//!
//! - **Columns** come from [`crate::output::schema`], each Arrow type mapped to the
//!   Hive type Athena reads it as ([`hive_type`]): `Timestamp(µs, UTC)` → `timestamp`,
//!   `Utf8` → `string`, `Int32` → `int`, `Int64` → `bigint`, `Boolean` → `boolean`. A column of any other type
//!   is an error, so a schema change cannot silently give a table that does not match
//!   the files.
//! - **Partition keys** are the Hive path segments of [`crate::output::layout::partition_path`]:
//!   `account_id`, `region` and `day`, all `string` (an account id keeps its leading
//!   zeros; `day` compares as `YYYY-MM-DD` text).
//! - **Partition projection** ([`table_properties`]), so Athena computes partition
//!   locations instead of listing them from a catalog (no crawler, no `MSCK REPAIR`):
//!   - `account_id`: `injected`. Account ids cannot be enumerated in advance; Athena takes
//!     the value from the query, so every query must filter `account_id` with `=` or
//!     `IN` on literals (or execution parameters).
//!   - `region`: `enum` of [`REGIONS`] (the aws partition's regions and flowpath's
//!     `unknown`). A region missing from the list is invisible to Athena.
//!   - `day`: `date`, format `yyyy-MM-dd`, from 2020-01-01 to `NOW`, one day apart;
//!     filter it (`day BETWEEN '2026-08-01' AND '2026-08-31'`) or Athena plans every
//!     day since 2020.
//!   - `storage.location.template`: `<location>account_id=${account_id}/region=${region}/day=${day}/`.
//! - [`create_table`] renders all of it as a `CREATE EXTERNAL TABLE ... STORED AS PARQUET`
//!   statement with backquoted identifiers.

use arrow_schema::{DataType, TimeUnit};

use crate::output;

/// Why a table definition cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// A summary column has an Arrow type with no Hive type mapped here.
    #[error("column {column}: Arrow type {data_type} has no Athena type mapping")]
    UnmappedType {
        /// The column.
        column: String,
        /// Its Arrow type, as Arrow prints it.
        data_type: String,
    },
    /// The location is not `s3://bucket/...`, or holds a character the DDL cannot carry.
    #[error("bad location {location:?}: {reason}")]
    BadLocation {
        /// The location as given.
        location: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A database or table name Athena does not accept.
    #[error("bad {what} name {name:?}: use lowercase letters, digits and underscores")]
    BadName {
        /// `database` or `table`.
        what: &'static str,
        /// The name as given.
        name: String,
    },
}

/// A column: its name and Hive/Athena type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Hive type, as Glue and Athena DDL write it (`string`, `bigint`, ...).
    pub hive_type: &'static str,
}

/// The database `flowpath athena-ddl` and the SAM template use by default.
pub const DEFAULT_DATABASE: &str = "flowpath";

/// The table name `flowpath athena-ddl` and the SAM template use.
pub const DEFAULT_TABLE: &str = "summaries";

/// Which summaries a table is over: the VPC flow-log summaries at the output's root,
/// or the transit gateway summaries under its `transit_gateway/` ([`crate::transit`]).
/// Both have the same partitions and projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summaries {
    /// `OUT/account_id=…`: [`output::schema`].
    Flows,
    /// `OUT/transit_gateway/account_id=…`: [`crate::transit::schema`].
    TransitGateway,
    /// `OUT/top_talkers/account_id=…`: [`crate::talkers::schema`].
    TopTalkers,
}

impl Summaries {
    /// The files' Arrow schema.
    pub fn schema(self) -> arrow_schema::SchemaRef {
        match self {
            Summaries::Flows => output::schema(),
            Summaries::TransitGateway => crate::transit::schema(),
            Summaries::TopTalkers => crate::talkers::schema(),
        }
    }

    /// The table name `flowpath athena-ddl` and the SAM template use.
    pub const fn default_table(self) -> &'static str {
        match self {
            Summaries::Flows => DEFAULT_TABLE,
            Summaries::TransitGateway => "transit_gateway_summaries",
            Summaries::TopTalkers => "top_talkers",
        }
    }

    /// Where the table's partitions are under an output's location (ending in `/`).
    pub fn location(self, output: &str) -> String {
        match self {
            Summaries::Flows => output.to_owned(),
            Summaries::TransitGateway => format!("{output}{}/", crate::transit::TABLE_DIR),
            Summaries::TopTalkers => format!("{output}{}/", crate::talkers::TABLE_DIR),
        }
    }
}

/// The partition keys, in path order, with their Hive types.
pub const PARTITION_KEYS: [(&str, &str); 3] = [
    ("account_id", "string"),
    ("region", "string"),
    ("day", "string"),
];

/// The `region` projection's values: the aws partition's regions (as listed in
/// ip-ranges.json) and flowpath's `unknown` (records with no region and no key layout).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "me-west-1",
    "mx-central-1",
    "sa-east-1",
    "sa-west-1",
    "us-east-1",
    "us-east-2",
    "us-south-1",
    "us-west-1",
    "us-west-2",
    crate::output::layout::UNKNOWN,
];

/// The first day the `day` projection covers.
pub const FIRST_DAY: &str = "2020-01-01";

/// The Hive type Athena reads an Arrow type of the summaries as; `None` when there is
/// no mapping here.
pub fn hive_type(data_type: &DataType) -> Option<&'static str> {
    match data_type {
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if tz.as_ref() == "UTC" => {
            Some("timestamp")
        }
        DataType::Utf8 => Some("string"),
        DataType::Int32 => Some("int"),
        DataType::Int64 => Some("bigint"),
        DataType::Boolean => Some("boolean"),
        _ => None,
    }
}

/// The columns of the summary files ([`output::schema`]), in file order.
pub fn columns() -> Result<Vec<Column>, TableError> {
    columns_of(Summaries::Flows)
}

/// The columns of one kind of summary file, in file order.
pub fn columns_of(summaries: Summaries) -> Result<Vec<Column>, TableError> {
    summaries
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let hive_type = hive_type(f.data_type()).ok_or_else(|| TableError::UnmappedType {
                column: f.name().clone(),
                data_type: f.data_type().to_string(),
            })?;
            Ok(Column {
                name: f.name().clone(),
                hive_type,
            })
        })
        .collect()
}

/// `s3://bucket/prefix/` from `s3://bucket/prefix` or `s3://bucket/prefix/`: an S3
/// URI with a bucket, a `/` added at the end. Characters that would need escaping in
/// the DDL's string literals (quotes, backslashes, control characters) are refused.
pub fn normalize_location(location: &str) -> Result<String, TableError> {
    let bad = |reason| TableError::BadLocation {
        location: location.to_owned(),
        reason,
    };
    let rest = location
        .strip_prefix("s3://")
        .ok_or_else(|| bad("not an s3:// URI (s3://bucket/prefix/)"))?;
    let bucket = rest.split('/').next().unwrap_or_default();
    if bucket.is_empty() {
        return Err(bad("no bucket"));
    }
    if location
        .chars()
        .any(|c| matches!(c, '\'' | '"' | '\\' | '`' | '$' | '?' | '#') || c.is_control())
    {
        return Err(bad(
            "quotes, backslashes, $, ?, # and control characters are not allowed",
        ));
    }
    if rest.contains("//") {
        return Err(bad("empty path segment (//)"));
    }
    if location.ends_with('/') {
        Ok(location.to_owned())
    } else {
        Ok(format!("{location}/"))
    }
}

/// `storage.location.template` for a location ending in `/`.
pub fn location_template(location: &str) -> String {
    format!("{location}account_id=${{account_id}}/region=${{region}}/day=${{day}}/")
}

/// The table properties that turn on partition projection, in this order, with the
/// location template for `location` (which must end in `/`; see
/// [`normalize_location`]).
pub fn table_properties(location: &str) -> Vec<(&'static str, String)> {
    vec![
        ("projection.enabled", "true".to_owned()),
        ("projection.account_id.type", "injected".to_owned()),
        ("projection.region.type", "enum".to_owned()),
        ("projection.region.values", REGIONS.join(",")),
        ("projection.day.type", "date".to_owned()),
        ("projection.day.format", "yyyy-MM-dd".to_owned()),
        ("projection.day.range", format!("{FIRST_DAY},NOW")),
        ("projection.day.interval", "1".to_owned()),
        ("projection.day.interval.unit", "DAYS".to_owned()),
        ("storage.location.template", location_template(location)),
    ]
}

fn check_name(what: &'static str, name: &str) -> Result<(), TableError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(TableError::BadName {
            what,
            name: name.to_owned(),
        })
    }
}

/// The `CREATE EXTERNAL TABLE` statement for the summaries under `location`
/// (`s3://bucket/prefix`, a `/` is added), as Athena runs it.
///
/// ```
/// let ddl = flowpath_core::table::create_table("flowpath", "summaries", "s3://b/p").unwrap();
/// assert!(ddl.starts_with("CREATE EXTERNAL TABLE `flowpath`.`summaries` (\n  `window_start` timestamp,"));
/// assert!(ddl.contains("LOCATION 's3://b/p/'"));
/// assert!(ddl.contains("'storage.location.template' = 's3://b/p/account_id=${account_id}/region=${region}/day=${day}/'"));
/// ```
pub fn create_table(database: &str, table: &str, location: &str) -> Result<String, TableError> {
    create_table_of(Summaries::Flows, database, table, location)
}

/// [`create_table`] for either kind of summaries; `location` is the output's (the
/// transit gateway table's is its `transit_gateway/`).
///
/// ```
/// use flowpath_core::table::{Summaries, create_table_of};
/// let ddl = create_table_of(Summaries::TransitGateway, "flowpath", "transit_gateway_summaries", "s3://b/p").unwrap();
/// assert!(ddl.contains("`tgw_attachment_id` string"));
/// assert!(ddl.contains("LOCATION 's3://b/p/transit_gateway/'"));
/// ```
pub fn create_table_of(
    summaries: Summaries,
    database: &str,
    table: &str,
    location: &str,
) -> Result<String, TableError> {
    create_table_with(summaries, columns_of(summaries)?, database, table, location)
}

/// [`create_table`] with a `tag_<key>` column (`string`) per tag key, after the
/// others, as `flowpath summarize --tag` writes them. Files without a tag column
/// read as null there.
///
/// ```
/// use flowpath_core::inventory::TagKeys;
/// let tags = TagKeys::new(["Team", "aws:cloudformation:stack-name"]).unwrap();
/// let ddl = flowpath_core::table::create_tagged_table("flowpath", "summaries", "s3://b/p", &tags).unwrap();
/// assert!(ddl.contains("  `name_source` string,\n  `tag_team` string,\n  `tag_aws_cloudformation_stack_name` string\n)"));
/// ```
pub fn create_tagged_table(
    database: &str,
    table: &str,
    location: &str,
    tags: &crate::inventory::TagKeys,
) -> Result<String, TableError> {
    let mut columns = columns()?;
    columns.extend(tags.iter().map(|(_, column)| Column {
        name: column.to_owned(),
        hive_type: "string",
    }));
    create_table_with(Summaries::Flows, columns, database, table, location)
}

fn create_table_with(
    summaries: Summaries,
    columns: Vec<Column>,
    database: &str,
    table: &str,
    location: &str,
) -> Result<String, TableError> {
    check_name("database", database)?;
    check_name("table", table)?;
    let location = summaries.location(&normalize_location(location)?);
    let list = |items: Vec<String>| items.join(",\n");
    let columns = list(
        columns
            .into_iter()
            .map(|c| format!("  `{}` {}", c.name, c.hive_type))
            .collect(),
    );
    let partitions = list(
        PARTITION_KEYS
            .iter()
            .map(|(name, ty)| format!("  `{name}` {ty}"))
            .collect(),
    );
    let properties = list(
        table_properties(&location)
            .into_iter()
            .map(|(k, v)| format!("  '{k}' = '{v}'"))
            .collect(),
    );
    Ok(format!(
        "CREATE EXTERNAL TABLE `{database}`.`{table}` (\n{columns}\n)\n\
         PARTITIONED BY (\n{partitions}\n)\n\
         STORED AS PARQUET\n\
         LOCATION '{location}'\n\
         TBLPROPERTIES (\n{properties}\n)\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_schema() {
        let cols = columns().unwrap();
        let schema = output::schema();
        assert_eq!(cols.len(), schema.fields().len());
        let pairs: Vec<(&str, &str)> = cols
            .iter()
            .map(|c| (c.name.as_str(), c.hive_type))
            .collect();
        assert_eq!(
            pairs,
            [
                ("window_start", "timestamp"),
                ("vpc_id", "string"),
                ("subnet_id", "string"),
                ("interface_id", "string"),
                ("interface_kind", "string"),
                ("direction", "string"),
                ("path", "string"),
                ("attribution", "string"),
                ("gateway_id", "string"),
                ("remote_service", "string"),
                ("remote_region", "string"),
                ("action", "string"),
                ("protocol", "int"),
                ("flows", "bigint"),
                ("packets", "bigint"),
                ("bytes", "bigint"),
                ("remote_vpc_id", "string"),
                ("remote_account_id", "string"),
                ("ecs_cluster_name", "string"),
                ("ecs_service_name", "string"),
                ("reject_reason", "string"),
                ("remote_name", "string"),
                ("name_source", "string"),
            ]
        );
        // No partition key is also a file column.
        for (key, _) in PARTITION_KEYS {
            assert!(cols.iter().all(|c| c.name != key), "{key}");
        }
    }

    #[test]
    fn type_mapping() {
        let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        assert_eq!(hive_type(&utc), Some("timestamp"));
        assert_eq!(hive_type(&DataType::Utf8), Some("string"));
        assert_eq!(hive_type(&DataType::Int32), Some("int"));
        assert_eq!(hive_type(&DataType::Int64), Some("bigint"));
        // Not what the summaries hold: no mapping rather than a guess.
        for t in [
            DataType::Timestamp(TimeUnit::Microsecond, None),
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            DataType::Timestamp(TimeUnit::Microsecond, Some("Europe/Paris".into())),
            DataType::LargeUtf8,
            DataType::UInt64,
            DataType::Float64,
        ] {
            assert_eq!(hive_type(&t), None, "{t}");
        }
    }

    #[test]
    fn locations() {
        assert_eq!(normalize_location("s3://b/p").unwrap(), "s3://b/p/");
        assert_eq!(normalize_location("s3://b/p/").unwrap(), "s3://b/p/");
        assert_eq!(normalize_location("s3://b").unwrap(), "s3://b/");
        assert_eq!(
            normalize_location("s3://my-bucket/flowpath/summaries").unwrap(),
            "s3://my-bucket/flowpath/summaries/"
        );
        for bad in [
            "",
            "b/p",
            "/tmp/out",
            "https://b/p",
            "S3://b/p",
            "s3://",
            "s3:///p",
            "s3://b/p'; DROP TABLE x; --",
            "s3://b/a//c",
            "s3://b/${x}",
            "s3://b/p\n",
        ] {
            let e = normalize_location(bad).unwrap_err();
            assert!(matches!(e, TableError::BadLocation { .. }), "{bad:?}: {e}");
        }
    }

    #[test]
    fn properties() {
        let p = table_properties("s3://b/p/");
        let get = |k: &str| {
            p.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(get("projection.enabled"), "true");
        assert_eq!(get("projection.account_id.type"), "injected");
        assert_eq!(get("projection.region.type"), "enum");
        let regions: Vec<&str> = get("projection.region.values").split(',').collect();
        for r in [
            "us-east-1",
            "eu-west-1",
            "ap-southeast-2",
            "sa-east-1",
            "unknown",
        ] {
            assert!(regions.contains(&r), "{r}");
        }
        let mut sorted = regions.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), regions.len(), "duplicate regions");
        assert!(regions.iter().all(|r| !r.is_empty() && r.trim() == *r));
        assert_eq!(get("projection.day.type"), "date");
        assert_eq!(get("projection.day.format"), "yyyy-MM-dd");
        assert_eq!(get("projection.day.range"), "2020-01-01,NOW");
        assert_eq!(get("projection.day.interval"), "1");
        assert_eq!(get("projection.day.interval.unit"), "DAYS");
        // The template, filled in, is where the writer puts a partition.
        let filled = get("storage.location.template")
            .replace("${account_id}", "012345678901")
            .replace("${region}", "eu-west-1")
            .replace("${day}", "2026-08-22");
        assert_eq!(
            filled,
            format!(
                "s3://b/p/{}/",
                crate::output::layout::partition_path("012345678901", "eu-west-1", "2026-08-22")
            )
        );
    }

    #[test]
    fn ddl() {
        let ddl = create_table("flowpath", "summaries", "s3://bucket/flowpath/summaries").unwrap();
        let expected_start = "CREATE EXTERNAL TABLE `flowpath`.`summaries` (\n  `window_start` timestamp,\n  `vpc_id` string,\n";
        assert!(ddl.starts_with(expected_start), "{ddl}");
        assert!(
            ddl.contains(
                "  `protocol` int,\n  `flows` bigint,\n  `packets` bigint,\n  `bytes` bigint,\n  \
                 `remote_vpc_id` string,\n  `remote_account_id` string,\n  `ecs_cluster_name` string,\n  \
                 `ecs_service_name` string,\n  `reject_reason` string,\n  `remote_name` string,\n  \
                 `name_source` string\n)\n\
                 PARTITIONED BY (\n  `account_id` string,\n  `region` string,\n  `day` string\n)\n\
                 STORED AS PARQUET\nLOCATION 's3://bucket/flowpath/summaries/'\nTBLPROPERTIES (\n  'projection.enabled' = 'true',\n"
            ),
            "{ddl}"
        );
        assert!(ddl.ends_with(
            "  'storage.location.template' = 's3://bucket/flowpath/summaries/account_id=${account_id}/region=${region}/day=${day}/'\n)\n"
        ), "{ddl}");
        assert_eq!(
            ddl.matches(" = '").count(),
            table_properties("s3://x/").len()
        );
    }

    #[test]
    fn ddl_refuses_bad_names_and_locations() {
        for (db, table) in [
            ("", "t"),
            ("d", ""),
            ("Flowpath", "t"),
            ("d", "flow-summaries"),
            ("d`x", "t"),
            ("d", "t; DROP"),
        ] {
            let e = create_table(db, table, "s3://b/p").unwrap_err();
            assert!(
                matches!(e, TableError::BadName { .. }),
                "{db:?} {table:?}: {e}"
            );
        }
        let e = create_table("d", "t", "s3:/b/p").unwrap_err();
        assert!(e.to_string().contains("not an s3:// URI"), "{e}");
    }
}
