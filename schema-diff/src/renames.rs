//! Renames that look like drops and adds: the candidates a person is asked about.
//!
//! Without a [`RenameHint`] a renamed column is planned as a drop and an add, and its data
//! is lost. Like Atlas, Mercator asks instead when a plan drops a column (or table) and adds
//! one of the same shape; the answers become hints for the next plan.

use schema_model::{Column, Table};

use crate::{Change, RenameHint, TableChange};

/// Drop-and-add pairs in `changes` that may be renames: a dropped column and an added column
/// of one table that are equal but for their names, and a dropped table and an added table
/// of one schema with the same columns. A pair is offered only when neither side matches
/// anything else, so every candidate is unambiguous.
///
/// ```
/// use schema_diff::{Change, RenameHint, TableChange, rename_candidates};
/// use schema_model::{Column, ColumnType, StringKind, Table};
///
/// let mail = Column::new("mail", ColumnType::string(StringKind::Text, None));
/// let email = Column::new("email", ColumnType::string(StringKind::Text, None));
/// let changes = [Change::ModifyTable {
///     schema: "main".into(),
///     from: Table::new("users"),
///     to: Table::new("users"),
///     changes: vec![
///         TableChange::DropColumn { column: mail },
///         TableChange::AddColumn { column: email },
///     ],
/// }];
/// assert_eq!(
///     rename_candidates(&changes),
///     [RenameHint::Column {
///         schema: "main".into(),
///         table: "users".into(),
///         from: "mail".into(),
///         to: "email".into(),
///     }]
/// );
/// ```
pub fn rename_candidates(changes: &[Change]) -> Vec<RenameHint> {
    let mut out = Vec::new();
    let mut dropped_tables: Vec<(&str, &Table)> = Vec::new();
    let mut added_tables: Vec<(&str, &Table)> = Vec::new();
    for change in changes {
        match change {
            Change::DropTable { schema, table } => dropped_tables.push((schema, table)),
            Change::AddTable { schema, table } => added_tables.push((schema, table)),
            Change::ModifyTable {
                schema,
                to,
                changes,
                ..
            } => {
                let dropped: Vec<&Column> = changes
                    .iter()
                    .filter_map(|c| match c {
                        TableChange::DropColumn { column } => Some(column),
                        _ => None,
                    })
                    .collect();
                let added: Vec<&Column> = changes
                    .iter()
                    .filter_map(|c| match c {
                        TableChange::AddColumn { column } => Some(column),
                        _ => None,
                    })
                    .collect();
                for (from, to_column) in unique_pairs(&dropped, &added, |a, b| same_column(a, b)) {
                    out.push(RenameHint::Column {
                        schema: schema.clone(),
                        table: to.name.clone(),
                        from: from.name.clone(),
                        to: to_column.name.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    for ((schema, from), (_, to)) in unique_pairs(&dropped_tables, &added_tables, |a, b| {
        a.0 == b.0 && same_columns(a.1, b.1)
    }) {
        out.push(RenameHint::Table {
            schema: schema.to_owned(),
            from: from.name.clone(),
            to: to.name.clone(),
        });
    }
    out
}

/// Pairs `(a, b)` that match each other and nothing else on either side.
fn unique_pairs<T: Copy>(
    dropped: &[T],
    added: &[T],
    matches: impl Fn(&T, &T) -> bool,
) -> Vec<(T, T)> {
    let mut pairs = Vec::new();
    for a in dropped {
        let mut hits = added.iter().filter(|b| matches(a, b));
        if let (Some(b), None) = (hits.next(), hits.next())
            && dropped.iter().filter(|other| matches(other, b)).count() == 1
        {
            pairs.push((*a, *b));
        }
    }
    pairs
}

/// Equal but for the name.
fn same_column(a: &Column, b: &Column) -> bool {
    let mut renamed = b.clone();
    renamed.name.clone_from(&a.name);
    renamed == *a
}

/// The same columns, in the same order.
fn same_columns(a: &Table, b: &Table) -> bool {
    a.columns == b.columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_model::{ColumnType, IntWidth, StringKind};

    fn text(name: &str) -> Column {
        Column::new(name, ColumnType::string(StringKind::Text, None))
    }

    fn int(name: &str) -> Column {
        Column::new(name, ColumnType::int(IntWidth::Int))
    }

    fn modify(changes: Vec<TableChange>) -> Change {
        Change::ModifyTable {
            schema: "s".into(),
            from: Table::new("t"),
            to: Table::new("t"),
            changes,
        }
    }

    #[test]
    fn different_shapes_are_not_renames() {
        let changes = [modify(vec![
            TableChange::DropColumn { column: text("a") },
            TableChange::AddColumn { column: int("b") },
        ])];
        assert!(rename_candidates(&changes).is_empty());
        let changes = [modify(vec![
            TableChange::DropColumn { column: text("a") },
            TableChange::AddColumn {
                column: text("b").not_null(),
            },
        ])];
        assert!(rename_candidates(&changes).is_empty());
    }

    #[test]
    fn ambiguous_pairs_are_not_offered() {
        let changes = [modify(vec![
            TableChange::DropColumn { column: text("a") },
            TableChange::DropColumn { column: text("b") },
            TableChange::AddColumn { column: text("c") },
        ])];
        assert!(rename_candidates(&changes).is_empty());
    }

    #[test]
    fn tables_with_the_same_columns() {
        let mut old = Table::new("old");
        old.columns = vec![int("id"), text("name")];
        let mut new = Table::new("new");
        new.columns = old.columns.clone();
        let mut other = Table::new("other");
        other.columns = vec![int("id")];
        let changes = [
            Change::DropTable {
                schema: "s".into(),
                table: old,
            },
            Change::AddTable {
                schema: "s".into(),
                table: new,
            },
            Change::AddTable {
                schema: "s".into(),
                table: other,
            },
        ];
        assert_eq!(
            rename_candidates(&changes),
            [RenameHint::Table {
                schema: "s".into(),
                from: "old".into(),
                to: "new".into(),
            }]
        );
    }
}
