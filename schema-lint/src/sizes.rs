//! Real table sizes and the lock risk they imply.
//!
//! The wiring reads estimated row counts and on-disk sizes from the catalog
//! (`pg_class.reltuples` / `pg_total_relation_size`, `information_schema.TABLES`,
//! `dbstat`) into [`TableSizes`]; diagnostics about locks, rewrites and full scans then
//! quote the size of their table and a [`LockRisk`] grade.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Estimated size of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableSize {
    /// Estimated number of rows.
    pub rows: u64,
    /// Size on disk in bytes (data and indexes).
    pub bytes: u64,
}

/// Sizes of tables by `(schema, table)`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableSizes {
    sizes: BTreeMap<(String, String), TableSize>,
}

impl TableSizes {
    /// No sizes known.
    pub fn new() -> Self {
        TableSizes::default()
    }

    /// Records the size of `schema.table`.
    pub fn insert(&mut self, schema: impl Into<String>, table: impl Into<String>, size: TableSize) {
        self.sizes.insert((schema.into(), table.into()), size);
    }

    /// Builder-style [`TableSizes::insert`].
    pub fn with(mut self, schema: &str, table: &str, rows: u64, bytes: u64) -> Self {
        self.insert(schema, table, TableSize { rows, bytes });
        self
    }

    /// The size of `schema.table`, if known.
    pub fn get(&self, schema: &str, table: &str) -> Option<TableSize> {
        self.sizes
            .get(&(schema.to_owned(), table.to_owned()))
            .copied()
    }

    /// Whether no size is known.
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }
}

/// How long a lock or rewrite on a table is likely to hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockRisk {
    /// Small table: the lock is held for well under a second.
    Low,
    /// Seconds to minutes of blocked writes (or reads, for `ACCESS EXCLUSIVE`).
    Medium,
    /// Minutes or more: plan a maintenance window or an online procedure.
    High,
}

impl fmt::Display for LockRisk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LockRisk::Low => "low",
            LockRisk::Medium => "medium",
            LockRisk::High => "high",
        })
    }
}

/// Size limits between lock-risk grades. A table is graded by whichever of rows or bytes
/// is worse.
///
/// Defaults: **low** below 100 000 rows and 100 MiB; **medium** below 10 000 000 rows and
/// 10 GiB; **high** above. The byte limits follow a rule of thumb of ~100 MiB/s for a
/// rewrite or scan on ordinary storage: about a second, then about two minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockThresholds {
    /// Rows from which the risk is medium.
    pub medium_rows: u64,
    /// Bytes from which the risk is medium.
    pub medium_bytes: u64,
    /// Rows from which the risk is high.
    pub high_rows: u64,
    /// Bytes from which the risk is high.
    pub high_bytes: u64,
}

impl Default for LockThresholds {
    fn default() -> Self {
        LockThresholds {
            medium_rows: 100_000,
            medium_bytes: 100 << 20,
            high_rows: 10_000_000,
            high_bytes: 10 << 30,
        }
    }
}

impl LockThresholds {
    /// The grade of a table of this size.
    pub fn grade(&self, size: TableSize) -> LockRisk {
        if size.rows >= self.high_rows || size.bytes >= self.high_bytes {
            LockRisk::High
        } else if size.rows >= self.medium_rows || size.bytes >= self.medium_bytes {
            LockRisk::Medium
        } else {
            LockRisk::Low
        }
    }
}

/// `1.2M rows, 340 MiB`.
pub(crate) fn describe(size: TableSize) -> String {
    format!(
        "~{} rows, {}",
        human_count(size.rows),
        human_bytes(size.bytes)
    )
}

fn human_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.0}k", n as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}G", n as f64 / 1e9),
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_by_the_worse_dimension() {
        let t = LockThresholds::default();
        let size = |rows, bytes| TableSize { rows, bytes };
        assert_eq!(t.grade(size(10, 8192)), LockRisk::Low);
        assert_eq!(t.grade(size(100_000, 8192)), LockRisk::Medium);
        assert_eq!(t.grade(size(10, 200 << 20)), LockRisk::Medium);
        assert_eq!(t.grade(size(20_000_000, 0)), LockRisk::High);
        assert_eq!(describe(size(1_234_567, 340 << 20)), "~1.2M rows, 340 MiB");
        assert_eq!(describe(size(12, 100)), "~12 rows, 100 B");
    }
}
