//! Which rows the catalog queries read: the selected schemas, and in a scoped read
//! ([`InspectOptions::only_tables`](mercator_driver::InspectOptions::only_tables)) only
//! the tables of some names.
//!
//! Table names are bound as parameters. With `lower_case_table_names = 0` the server keeps
//! names as given and two tables may differ only in case, but `information_schema`
//! compares with a case-insensitive collation: an `IN (…)` list would match `T` for `t`
//! while an `=` is answered by an exact file lookup. Comparing as binary makes every query
//! answer exactly the tables a full read names so, whatever the number of names. With the
//! other settings names are unique regardless of case, and the server's own comparison
//! (which folds case as its lookups do) finds the one table a name means.

use mysql_async::Value;

use super::rows::in_list;

/// The schemas and, for a scoped read, the table names the catalog queries filter on.
pub struct Scope {
    schema_list: String,
    tables: Option<Vec<String>>,
    exact: bool,
}

/// A `WHERE` condition and the values bound to its placeholders, in order.
pub struct Filter {
    /// The condition text.
    pub sql: String,
    /// The values of its `?` placeholders.
    pub params: Vec<Value>,
}

impl Filter {
    /// Both conditions.
    pub fn and(mut self, other: Filter) -> Filter {
        self.sql = format!("{} AND {}", self.sql, other.sql);
        self.params.extend(other.params);
        self
    }
}

impl Scope {
    /// Every table of `schemas`.
    pub fn all(schemas: &[String]) -> Scope {
        Scope {
            schema_list: in_list(schemas),
            tables: None,
            exact: false,
        }
    }

    /// Only the tables named `tables` in `schemas`; `exact` compares names as binary (for
    /// servers with `lower_case_table_names = 0`).
    pub fn tables(schemas: &[String], tables: &[String], exact: bool) -> Scope {
        let mut names = tables.to_vec();
        names.sort();
        names.dedup();
        Scope {
            schema_list: in_list(schemas),
            tables: Some(names),
            exact,
        }
    }

    /// Whether this is a scoped read.
    pub fn is_scoped(&self) -> bool {
        self.tables.is_some()
    }

    /// Whether no table can match (a scoped read of no names).
    pub fn is_empty(&self) -> bool {
        self.tables.as_ref().is_some_and(Vec::is_empty)
    }

    /// `schema_column IN (…)`, and in a scoped read `AND table_column` matching the names.
    /// A full read's condition is the schema list alone, with nothing bound.
    pub fn filter(&self, schema_column: &str, table_column: &str) -> Filter {
        let mut sql = format!("{schema_column} IN ({})", self.schema_list);
        let mut params = Vec::new();
        if let Some(names) = &self.tables {
            let placeholder = if self.exact { "CAST(? AS BINARY)" } else { "?" };
            // One name is an `=`, which MariaDB answers by opening that one table instead
            // of listing the schema's tables.
            if names.len() == 1 {
                sql.push_str(&format!(" AND {table_column} = {placeholder}"));
            } else {
                let list = vec![placeholder; names.len()].join(", ");
                sql.push_str(&format!(" AND {table_column} IN ({list})"));
            }
            params = names.iter().map(|n| Value::from(n.as_str())).collect();
        }
        Filter { sql, params }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn full_read_filters_on_schemas_only() {
        let filter = Scope::all(&names(&["a", "b"])).filter("TABLE_SCHEMA", "TABLE_NAME");
        assert_eq!(filter.sql, "TABLE_SCHEMA IN ('a','b')");
        assert!(filter.params.is_empty());
    }

    #[test]
    fn scoped_read_binds_names() {
        let scope = Scope::tables(&names(&["s"]), &names(&["t"]), true);
        let filter = scope.filter("k.TABLE_SCHEMA", "k.TABLE_NAME");
        assert_eq!(
            filter.sql,
            "k.TABLE_SCHEMA IN ('s') AND k.TABLE_NAME = CAST(? AS BINARY)"
        );
        assert_eq!(filter.params, vec![Value::from("t")]);

        let scope = Scope::tables(&names(&["s"]), &names(&["u", "t'x", "u"]), false);
        let both = scope
            .filter("TABLE_SCHEMA", "TABLE_NAME")
            .and(scope.filter("r.CONSTRAINT_SCHEMA", "r.TABLE_NAME"));
        assert_eq!(
            both.sql,
            "TABLE_SCHEMA IN ('s') AND TABLE_NAME IN (?, ?) AND \
             r.CONSTRAINT_SCHEMA IN ('s') AND r.TABLE_NAME IN (?, ?)"
        );
        assert_eq!(both.params.len(), 4);
        assert_eq!(both.params[0], Value::from("t'x"));
    }

    #[test]
    fn no_names_is_empty() {
        assert!(Scope::tables(&names(&["s"]), &[], false).is_empty());
        assert!(!Scope::all(&names(&["s"])).is_empty());
    }
}
