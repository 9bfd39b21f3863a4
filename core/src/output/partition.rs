//! Rows split into Hive partitions (`account_id=…/region=…/day=…`), one summary file
//! each.
//!
//! Invariant: the rows come sorted, so a partition's rows are contiguous and the
//! partitions come in order.

use super::layout;
use super::rows::{Row, RowRef};

/// The rows of one Hive partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// `account_id` partition value.
    pub account_id: String,
    /// `region` partition value.
    pub region: String,
    /// `day` partition value.
    pub day: String,
    /// The rows, sorted.
    pub rows: Vec<Row>,
}

impl Partition {
    /// `account_id=<a>/region=<r>/day=<d>`.
    pub fn dir(&self) -> String {
        layout::partition_path(&self.account_id, &self.region, &self.day)
    }
}

/// Splits sorted rows into partitions, in order.
pub fn partitions(rows: Vec<Row>) -> Vec<Partition> {
    let mut out: Vec<Partition> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some(p)
                if p.account_id == row.account_id && p.region == row.region && p.day == row.day =>
            {
                p.rows.push(row);
            }
            _ => out.push(Partition {
                account_id: row.account_id.clone(),
                region: row.region.clone(),
                day: row.day.clone(),
                rows: vec![row],
            }),
        }
    }
    out
}

/// The partitions of sorted borrowed rows: `(account_id=…/region=…/day=… directory,
/// range of rows)`, in order.
pub fn partition_ranges(rows: &[RowRef<'_>]) -> Vec<(String, std::ops::Range<usize>)> {
    runs(rows, RowRef::same_partition)
        .into_iter()
        .map(|range| {
            let first = &rows[range.start];
            let dir = layout::partition_path(first.account_id, first.region, &first.day());
            (dir, range)
        })
        .collect()
}

/// The runs of sorted rows that `same` puts together (each row compared with its run's
/// first), in order: a table's partitions, whatever its row type.
pub(crate) fn runs<T>(rows: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || !same(&rows[i], &rows[start]) {
            out.push(start..i);
            start = i;
        }
    }
    out
}
