//! Realm- and schema-level differences, assembled and ordered.

mod carried;
mod dependents;
mod domains;
mod inherited;
mod names;
mod order;
mod parts;
mod rules;
mod table;

use schema_model::{Realm, Schema, View};

use crate::{Change, DiffOptions, ObjectKind, RenameHint};

pub(crate) use dependents::Capabilities;
pub(crate) use names::identifiers;
use table::{Pair, by_name, diff_table};

/// Computes the changes that turn `from` into `to`, in an order that applies cleanly.
///
/// Objects are matched by name (routines by name and argument types); what the options
/// skip is left out. Whatever reads an object the changes disturb, by the
/// [`crate::DependencyGraph`] of `from` (views on a table whose columns change, foreign
/// keys on a key that is dropped or whose columns are retyped, policies, indexes and checks
/// on columns converted into a recreated enum), is dropped before and created again after,
/// since databases refuse to change what something still reads.
pub fn diff(from: &Realm, to: &Realm, options: &DiffOptions) -> Vec<Change> {
    diff_with(
        from,
        to,
        options,
        &Capabilities {
            rebuilds: &|_| false,
            table_parts: true,
            extra: &|_, _| {},
        },
    )
}

/// [`diff`], with what the dialect tells: which `ModifyTable` changes it carries out by
/// recreating the table, whether it can recreate table parts in place, and the
/// dependencies only its catalog knows.
pub(crate) fn diff_with(
    from: &Realm,
    to: &Realm,
    options: &DiffOptions,
    capabilities: &Capabilities<'_>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for pair in by_name(&from.extensions, &to.extensions, |e| e.name.clone()) {
        match pair {
            Pair::Added(extension) => changes.push(Change::AddExtension { extension }),
            Pair::Dropped(extension) if !options.skips(ObjectKind::Extension) => {
                changes.push(Change::DropExtension { extension })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => changes.push(Change::ModifyExtension { from, to }),
        }
    }
    // Schemas are compared with references to renamed objects under their new names; the
    // ordering below still reads the real `from`, whose graph has the old ones.
    let carried = carried::references_renamed(from, to, &options.renames);
    let before_realm = carried.as_ref().unwrap_or(from);
    for schema in &to.schemas {
        match before_realm.schema(&schema.name) {
            None => {
                changes.push(Change::AddSchema {
                    schema: header(schema),
                });
                diff_schema(&Schema::new(&schema.name), schema, options, &mut changes);
            }
            Some(before) => {
                if header(before) != header(schema) {
                    changes.push(Change::ModifySchema {
                        from: header(before),
                        to: header(schema),
                    });
                }
                diff_schema(before, schema, options, &mut changes);
            }
        }
    }
    for schema in &from.schemas {
        if to.schema(&schema.name).is_none() && !options.skips(ObjectKind::Schema) {
            changes.push(Change::DropSchema {
                schema: schema.clone(),
            });
        }
    }
    order::order(changes, from, to, options, capabilities)
}

/// A schema's own attributes, without its objects.
fn header(schema: &Schema) -> Schema {
    Schema {
        comment: schema.comment.clone(),
        mysql: schema.mysql.clone(),
        ..Schema::new(&schema.name)
    }
}

/// Views are compared without their inspected output columns, which follow from the
/// definition.
fn view_key(view: &View) -> View {
    View {
        columns: Vec::new(),
        ..view.clone()
    }
}

fn diff_schema(from: &Schema, to: &Schema, options: &DiffOptions, changes: &mut Vec<Change>) {
    let name = to.name.clone();
    let skips = |kind| options.skips(kind);

    // Table renames first, so the renamed table is diffed against its new self.
    let mut renamed_from = std::collections::HashSet::new();
    let mut renamed_to = std::collections::HashSet::new();
    for hint in &options.renames {
        if let RenameHint::Table {
            schema,
            from: old,
            to: new,
        } = hint
            && *schema == name
            && let (Some(before), None, Some(after), None) = (
                from.table(old),
                to.table(old),
                to.table(new),
                from.table(new),
            )
        {
            changes.push(Change::RenameTable {
                schema: name.clone(),
                from: old.clone(),
                to: new.clone(),
            });
            let mut before = before.clone();
            before.name = new.clone();
            let table_changes = diff_table(&name, &before, after, options);
            if !table_changes.is_empty() {
                changes.push(Change::ModifyTable {
                    schema: name.clone(),
                    from: before,
                    to: after.clone(),
                    changes: table_changes,
                });
            }
            renamed_from.insert(old.clone());
            renamed_to.insert(new.clone());
        }
    }
    // Name lookups through maps: a linear `Schema::table` per table makes large schemas
    // quadratic (5,000 tables took ~170 ms here).
    let old_tables: std::collections::HashMap<&str, &schema_model::Table> =
        from.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let new_tables: std::collections::HashSet<&str> =
        to.tables.iter().map(|t| t.name.as_str()).collect();
    for table in &to.tables {
        if renamed_to.contains(&table.name) {
            continue;
        }
        match old_tables.get(table.name.as_str()).copied() {
            None => changes.push(Change::AddTable {
                schema: name.clone(),
                table: table.clone(),
            }),
            // Most tables are unchanged; comparing first skips building their diffs.
            Some(before) if before == table => {}
            Some(before) => {
                let table_changes = diff_table(&name, before, table, options);
                if !table_changes.is_empty() {
                    changes.push(Change::ModifyTable {
                        schema: name.clone(),
                        from: before.clone(),
                        to: table.clone(),
                        changes: table_changes,
                    });
                }
            }
        }
    }
    if !skips(ObjectKind::Table) {
        for table in &from.tables {
            if !renamed_from.contains(&table.name) && !new_tables.contains(table.name.as_str()) {
                changes.push(Change::DropTable {
                    schema: name.clone(),
                    table: table.clone(),
                });
            }
        }
    }

    macro_rules! objects {
        ($field:ident, $key:expr, $kind:expr, $add:ident, $drop:ident, $modify:ident, $obj:ident) => {
            for pair in by_name(&from.$field, &to.$field, $key) {
                match pair {
                    Pair::Added($obj) => changes.push(Change::$add {
                        schema: name.clone(),
                        $obj,
                    }),
                    Pair::Dropped($obj) if !skips($kind) => changes.push(Change::$drop {
                        schema: name.clone(),
                        $obj,
                    }),
                    Pair::Dropped(_) => {}
                    Pair::Modified(from, to) => changes.push(Change::$modify {
                        schema: name.clone(),
                        from,
                        to,
                    }),
                }
            }
        };
    }
    // MySQL keeps functions and procedures apart, so one of each may share a name and
    // arguments; only those are told apart by kind, so that a routine that turns from one
    // kind into the other elsewhere (PostgreSQL) stays a single modification.
    let shared = shared_signatures(&from.routines, &to.routines);
    objects!(
        routines,
        |r| {
            let signature = r.signature();
            let kind = shared.contains(&signature).then_some(r.kind);
            (signature, kind)
        },
        ObjectKind::Routine,
        AddRoutine,
        DropRoutine,
        ModifyRoutine,
        routine
    );
    objects!(
        triggers,
        |t| (t.on.clone(), t.name.clone()),
        ObjectKind::Trigger,
        AddTrigger,
        DropTrigger,
        ModifyTrigger,
        trigger
    );
    objects!(
        rules,
        |r| (r.on.clone(), r.name.clone()),
        ObjectKind::Rule,
        AddRule,
        DropRule,
        ModifyRule,
        rule
    );
    objects!(
        domains,
        |d| d.name.clone(),
        ObjectKind::Domain,
        AddDomain,
        DropDomain,
        ModifyDomain,
        domain
    );
    objects!(
        composites,
        |c| c.name.clone(),
        ObjectKind::Composite,
        AddComposite,
        DropComposite,
        ModifyComposite,
        composite
    );
    objects!(
        collations,
        |c| c.name.clone(),
        ObjectKind::Collation,
        AddCollation,
        DropCollation,
        ModifyCollation,
        collation
    );
    objects!(
        sequences,
        |s| s.name.clone(),
        ObjectKind::Sequence,
        AddSequence,
        DropSequence,
        ModifySequence,
        sequence
    );

    let old_views: Vec<View> = from.views.iter().map(view_key).collect();
    let new_views: Vec<View> = to.views.iter().map(view_key).collect();
    for pair in by_name(&old_views, &new_views, |v| v.name.clone()) {
        match pair {
            Pair::Added(view) => {
                let view = to.view(&view.name).cloned().unwrap_or(view);
                changes.push(Change::AddView {
                    schema: name.clone(),
                    view,
                })
            }
            Pair::Dropped(view) if !skips(ObjectKind::View) => changes.push(Change::DropView {
                schema: name.clone(),
                view,
            }),
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => changes.push(Change::ModifyView {
                schema: name.clone(),
                from,
                to,
            }),
        }
    }
    for pair in by_name(&from.enums, &to.enums, |e| e.name.clone()) {
        match pair {
            Pair::Added(enum_type) => changes.push(Change::AddEnum {
                schema: name.clone(),
                enum_type,
            }),
            Pair::Dropped(enum_type) if !skips(ObjectKind::Enum) => {
                changes.push(Change::DropEnum {
                    schema: name.clone(),
                    enum_type,
                })
            }
            Pair::Dropped(_) => {}
            Pair::Modified(from, to) => {
                let added = appended_labels(&from.values, &to.values).unwrap_or_default();
                changes.push(Change::ModifyEnum {
                    schema: name.clone(),
                    from,
                    to,
                    added,
                })
            }
        }
    }
}

/// Signatures that a function and a procedure share on one side of the diff.
fn shared_signatures(
    from: &[schema_model::Routine],
    to: &[schema_model::Routine],
) -> std::collections::HashSet<String> {
    let mut kinds: std::collections::HashMap<String, Vec<schema_model::RoutineKind>> =
        std::collections::HashMap::new();
    let mut shared = std::collections::HashSet::new();
    for side in [from, to] {
        kinds.clear();
        for routine in side {
            let seen = kinds.entry(routine.signature()).or_default();
            if !seen.is_empty() && !seen.contains(&routine.kind) {
                shared.insert(routine.signature());
            }
            seen.push(routine.kind);
        }
    }
    shared
}

/// When `to` keeps every label of `from` in the same relative order, the labels to insert,
/// each with the label it follows (`None` = first). `None` when labels were removed or
/// reordered.
fn appended_labels(from: &[String], to: &[String]) -> Option<Vec<(String, Option<String>)>> {
    let kept: Vec<&String> = to.iter().filter(|v| from.contains(v)).collect();
    if kept.len() != from.len() || kept.iter().zip(from).any(|(a, b)| *a != b) {
        return None;
    }
    let mut added = Vec::new();
    let mut previous: Option<String> = None;
    for label in to {
        if !from.contains(label) {
            added.push((label.clone(), previous.clone()));
        }
        previous = Some(label.clone());
    }
    Some(added)
}

#[cfg(test)]
mod tests {
    use super::appended_labels;

    #[test]
    fn tables_are_matched_by_exact_name() {
        use schema_model::{Column, ColumnType, IntWidth, Realm, Schema, Table};
        let t =
            |n: &str| Table::new(n).with_column(Column::new("id", ColumnType::int(IntWidth::Int)));
        let from = Realm::new(vec![
            Schema::new("s")
                .with_table(t("a"))
                .with_table(t("b"))
                .with_table(t("B")),
        ]);
        let mut changed = t("b");
        changed.columns[0].nullable = false;
        let to = Realm::new(vec![
            Schema::new("s")
                .with_table(changed)
                .with_table(t("B"))
                .with_table(t("c")),
        ]);
        let changes = super::diff(&from, &to, &crate::DiffOptions::default());
        let kinds: Vec<String> = changes
            .iter()
            .map(|c| match c {
                crate::Change::AddTable { table, .. } => format!("add {}", table.name),
                crate::Change::DropTable { table, .. } => format!("drop {}", table.name),
                crate::Change::ModifyTable { to, .. } => format!("modify {}", to.name),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds, ["add c", "modify b", "drop a"]);
    }

    #[test]
    fn routines_of_both_kinds_share_a_signature() {
        use schema_model::{Realm, Routine, RoutineKind, Schema};
        let routine = |kind, body: &str| Routine {
            name: "f".into(),
            kind,
            args: String::new(),
            returns: None,
            language: None,
            definition: body.into(),
            comment: None,
        };
        let realm = |routines: Vec<Routine>| {
            let mut schema = Schema::new("s");
            schema.routines = routines;
            Realm::new(vec![schema])
        };
        let from = realm(vec![
            routine(RoutineKind::Function, "f1"),
            routine(RoutineKind::Procedure, "p1"),
        ]);
        let to = realm(vec![
            routine(RoutineKind::Function, "f2"),
            routine(RoutineKind::Procedure, "p1"),
        ]);
        let changes = super::diff(&from, &to, &crate::DiffOptions::default());
        assert!(
            matches!(changes.as_slice(), [crate::Change::ModifyRoutine { from, to, .. }]
                if from.definition == "f1" && to.definition == "f2"),
            "{changes:?}"
        );
        // A routine that changes kind alone stays one modification.
        let from = realm(vec![routine(RoutineKind::Function, "f1")]);
        let to = realm(vec![routine(RoutineKind::Procedure, "p1")]);
        let changes = super::diff(&from, &to, &crate::DiffOptions::default());
        assert!(
            matches!(changes.as_slice(), [crate::Change::ModifyRoutine { .. }]),
            "{changes:?}"
        );
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn enum_labels_in_place() {
        assert_eq!(
            appended_labels(&s(&["a", "c"]), &s(&["x", "a", "b", "c", "d"])),
            Some(vec![
                ("x".into(), None),
                ("b".into(), Some("a".into())),
                ("d".into(), Some("c".into()))
            ])
        );
        assert_eq!(appended_labels(&s(&["a", "b"]), &s(&["b", "a"])), None);
        assert_eq!(appended_labels(&s(&["a", "b"]), &s(&["a"])), None);
    }
}
