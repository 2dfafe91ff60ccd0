//! Differences inside one table.

use std::collections::{HashMap, HashSet};

use schema_model::{Check, Column, IndexPart, IndexTarget, Table};

use crate::{ColumnChanges, DiffOptions, ObjectKind, RenameHint, TableChange};

/// What differs between two columns (by attribute).
pub(crate) fn column_changes(from: &Column, to: &Column) -> ColumnChanges {
    ColumnChanges {
        ty: from.ty != to.ty,
        // The NOT NULL constraint's conflict clause (SQLite) is part of the constraint.
        nullable: from.nullable != to.nullable || from.not_null_conflict != to.not_null_conflict,
        default: from.default != to.default,
        identity: from.identity != to.identity || from.auto_increment != to.auto_increment,
        generated: from.generated != to.generated,
        collation: from.collation != to.collation,
        comment: from.comment != to.comment,
        attrs: from.mysql != to.mysql,
    }
}

/// The changes turning `from` into `to` (same table, possibly renamed), in apply order:
/// renames, then drops of constraints, then column changes, then additions.
pub(crate) fn diff_table(
    schema: &str,
    from: &Table,
    to: &Table,
    options: &DiffOptions,
) -> Vec<TableChange> {
    let mut renames = Vec::new();
    let mut drops = Vec::new();
    let mut columns = Vec::new();
    let mut adds = Vec::new();

    // Column renames only apply when the old name is gone and the new one is new.
    let renamed: HashMap<&str, &str> = options
        .renames
        .iter()
        .filter_map(|hint| match hint {
            RenameHint::Column {
                schema: s,
                table,
                from: old,
                to: new,
            } if s == schema
                && *table == to.name
                && from.column(old).is_some()
                && to.column(old).is_none()
                && to.column(new).is_some()
                && from.column(new).is_none() =>
            {
                Some((old.as_str(), new.as_str()))
            }
            _ => None,
        })
        .collect();
    // A renamed column carries its keys, indexes and foreign keys along (every dialect's
    // RENAME COLUMN does), so they are compared under the new name: otherwise each would be
    // dropped and rebuilt after the rename for nothing.
    let carried;
    let from = if renamed.is_empty() {
        from
    } else {
        carried = with_renamed_columns(from, &renamed);
        &carried
    };
    for (old, new) in &renamed {
        renames.push(TableChange::RenameColumn {
            from: (*old).to_owned(),
            to: (*new).to_owned(),
        });
    }

    for column in &from.columns {
        let new_name = renamed
            .get(column.name.as_str())
            .copied()
            .unwrap_or(&column.name);
        match to.column(new_name) {
            None => {
                if !options.skips(ObjectKind::Column) {
                    columns.push(TableChange::DropColumn {
                        column: column.clone(),
                    });
                }
            }
            Some(target) => {
                let mut before = column.clone();
                before.name = target.name.clone();
                let changes = column_changes(&before, target);
                if changes.any() {
                    columns.push(TableChange::ModifyColumn {
                        from: before,
                        to: target.clone(),
                        changes,
                    });
                }
            }
        }
    }
    let old_names: HashSet<&str> = from
        .columns
        .iter()
        .map(|c| renamed.get(c.name.as_str()).copied().unwrap_or(&c.name))
        .collect();
    for column in &to.columns {
        if !old_names.contains(column.name.as_str()) {
            columns.push(TableChange::AddColumn {
                column: column.clone(),
            });
        }
    }

    match (&from.primary_key, &to.primary_key) {
        (Some(key), None) if !options.skips(ObjectKind::PrimaryKey) => {
            drops.push(TableChange::DropPrimaryKey { key: key.clone() })
        }
        (None, Some(key)) => adds.push(TableChange::AddPrimaryKey { key: key.clone() }),
        (Some(a), Some(b)) if a != b => drops.push(TableChange::ModifyPrimaryKey {
            from: a.clone(),
            to: b.clone(),
        }),
        _ => {}
    }

    for pair in by_name(&from.indexes, &to.indexes, |i| i.name.clone()) {
        match pair {
            Pair::Added(index) => adds.push(TableChange::AddIndex { index }),
            Pair::Dropped(index) if !options.skips(ObjectKind::Index) => {
                drops.push(TableChange::DropIndex { index })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => adds.push(TableChange::ModifyIndex { from, to }),
        }
    }
    for pair in by_name(&from.foreign_keys, &to.foreign_keys, |f| f.name.clone()) {
        match pair {
            Pair::Added(key) => adds.push(TableChange::AddForeignKey { key }),
            Pair::Dropped(key) if !options.skips(ObjectKind::ForeignKey) => {
                drops.push(TableChange::DropForeignKey { key })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => adds.push(TableChange::ModifyForeignKey { from, to }),
        }
    }
    for pair in by_name(&from.checks, &to.checks, check_key) {
        match pair {
            Pair::Added(check) => adds.push(TableChange::AddCheck { check }),
            Pair::Dropped(check) if !options.skips(ObjectKind::Check) => {
                drops.push(TableChange::DropCheck { check })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => adds.push(TableChange::ModifyCheck { from, to }),
        }
    }
    for pair in by_name(&from.exclusions, &to.exclusions, |e| e.name.clone()) {
        match pair {
            Pair::Added(exclusion) => adds.push(TableChange::AddExclusion { exclusion }),
            Pair::Dropped(exclusion) => drops.push(TableChange::DropExclusion { exclusion }),
            Pair::Modified(from, to) => {
                drops.push(TableChange::DropExclusion { exclusion: from });
                adds.push(TableChange::AddExclusion { exclusion: to });
            }
        }
    }
    for pair in by_name(&from.policies, &to.policies, |p| p.name.clone()) {
        match pair {
            Pair::Added(policy) => adds.push(TableChange::AddPolicy { policy }),
            Pair::Dropped(policy) if !options.skips(ObjectKind::Policy) => {
                drops.push(TableChange::DropPolicy { policy })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => adds.push(TableChange::ModifyPolicy { from, to }),
        }
    }
    if from.comment != to.comment {
        adds.push(TableChange::ModifyComment {
            from: from.comment.clone(),
            to: to.comment.clone(),
        });
    }
    if from.sqlite != to.sqlite || from.mysql != to.mysql || from.postgres != to.postgres {
        adds.push(TableChange::ModifyOptions);
    }

    renames.extend(drops);
    renames.extend(columns);
    renames.extend(adds);
    renames
}

/// `table` with its keys, indexes and foreign keys referring to renamed columns by their
/// new names. Expressions (checks, expression index parts) are left as written: the
/// database prints them again after the rename, and a text rewrite could not be trusted.
fn with_renamed_columns(table: &Table, renamed: &HashMap<&str, &str>) -> Table {
    let rename = |name: &mut String| {
        if let Some(new) = renamed.get(name.as_str()) {
            *name = (*new).to_owned();
        }
    };
    let rename_parts = |parts: &mut Vec<IndexPart>| {
        for part in parts {
            if let IndexTarget::Column(name) = &mut part.target {
                rename(name);
            }
        }
    };
    let mut table = table.clone();
    if let Some(key) = &mut table.primary_key {
        rename_parts(&mut key.parts);
        key.include.iter_mut().for_each(rename);
    }
    for index in &mut table.indexes {
        rename_parts(&mut index.parts);
        index.include.iter_mut().for_each(rename);
    }
    for key in &mut table.foreign_keys {
        key.columns.iter_mut().for_each(rename);
    }
    table
}

/// Checks are matched by name; unnamed ones (SQLite) by their expression.
fn check_key(check: &Check) -> String {
    match &check.name {
        Some(name) => format!("n:{name}"),
        None => format!("e:{}", check.expr),
    }
}

/// One entry of a pairing of two lists by key.
pub(crate) enum Pair<T> {
    /// Only in the new list.
    Added(T),
    /// Only in the old list.
    Dropped(T),
    /// In both, different.
    Modified(T, T),
}

/// Pairs two lists by a key: removals in the order of `from`, then additions and
/// modifications in the order of `to`. Equal pairs are left out.
pub(crate) fn by_name<T: Clone + PartialEq, K: std::hash::Hash + Eq>(
    from: &[T],
    to: &[T],
    key: impl Fn(&T) -> K,
) -> Vec<Pair<T>> {
    let old: HashMap<K, &T> = from.iter().map(|x| (key(x), x)).collect();
    let new: HashSet<K> = to.iter().map(&key).collect();
    let mut out = Vec::new();
    for item in from {
        if !new.contains(&key(item)) {
            out.push(Pair::Dropped(item.clone()));
        }
    }
    for item in to {
        match old.get(&key(item)) {
            None => out.push(Pair::Added(item.clone())),
            Some(before) if *before != item => {
                out.push(Pair::Modified((*before).clone(), item.clone()))
            }
            Some(_) => {}
        }
    }
    out
}
