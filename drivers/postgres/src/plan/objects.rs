//! Extensions, views, routines and triggers.

use schema_diff::Change;
use schema_model::{CheckOption, RoutineKind, View};

use super::Builder;
use super::index::create_index;
use crate::definition::{with_routine_name, with_trigger_table};
use crate::quote::{ident, is_identifier, literal};

/// The trigger's definition on the target table: the inspector left the table unqualified,
/// spelled as the server spells it (quoted only when needed).
fn trigger_definition(definition: &str, table: &str, target: &str) -> String {
    let quoted = ident(table);
    let candidates = [quoted.clone(), table.to_owned()];
    for bare in candidates
        .iter()
        .filter(|c| **c == quoted || is_identifier(c))
    {
        let rendered = with_trigger_table(definition, bare, target);
        if rendered != definition {
            return rendered;
        }
    }
    definition.to_owned()
}

pub(super) fn extension(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddExtension { extension } => {
            let mut sql = format!(
                "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
                ident(&extension.name),
                ident(&extension.schema)
            );
            if let Some(version) = &extension.version {
                sql.push_str(&format!(" VERSION {}", literal(version)));
            }
            b.push(
                sql,
                format!("Add extension {:?}", extension.name),
                Some(format!("DROP EXTENSION {}", ident(&extension.name))),
            );
            if extension.comment.is_some() {
                b.comment_on(
                    format!("EXTENSION {}", ident(&extension.name)),
                    extension.comment.as_deref(),
                    format!("Set comment to extension: {:?}", extension.name),
                );
            }
        }
        Change::DropExtension { extension } => b.push(
            format!("DROP EXTENSION {}", ident(&extension.name)),
            format!("Drop extension {:?}", extension.name),
            None,
        ),
        Change::ModifyExtension { from, to } => {
            let name = ident(&to.name);
            let comment = format!("Modify extension {:?}", to.name);
            if from.schema != to.schema {
                b.push(
                    format!("ALTER EXTENSION {name} SET SCHEMA {}", ident(&to.schema)),
                    comment.clone(),
                    None,
                );
            }
            if from.version != to.version
                && let Some(version) = &to.version
            {
                b.push(
                    format!("ALTER EXTENSION {name} UPDATE TO {}", literal(version)),
                    comment.clone(),
                    None,
                );
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("EXTENSION {name}"),
                    to.comment.as_deref(),
                    format!("Set comment to extension: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}

fn view_kind(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

fn create_view(b: &mut Builder<'_>, schema: &str, view: &View) {
    let name = b.name(schema, &view.name);
    let mut with = Vec::new();
    match view.check_option {
        Some(CheckOption::Local) => with.push("check_option = local"),
        Some(CheckOption::Cascaded) => with.push("check_option = cascaded"),
        None => {}
    }
    if view.security_invoker {
        with.push("security_invoker = true");
    }
    let with = if with.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", with.join(", "))
    };
    let columns = if view.column_names.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = view.column_names.iter().map(|c| ident(c)).collect();
        format!(" ({})", names.join(", "))
    };
    b.push(
        format!(
            "CREATE {} {name}{columns}{with} AS {}",
            view_kind(view),
            view.definition
        ),
        format!("Create {:?} view", view.name),
        Some(format!("DROP {} {name}", view_kind(view))),
    );
    for index in &view.indexes {
        create_index(b, schema, &view.name, index, false);
    }
    if view.comment.is_some() {
        b.comment_on(
            format!("{} {name}", view_kind(view)),
            view.comment.as_deref(),
            format!("Set comment to view: {:?}", view.name),
        );
    }
}

pub(super) fn view(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddView { schema, view } => create_view(b, schema, view),
        Change::DropView { schema, view } => b.push(
            format!("DROP {} {}", view_kind(view), b.name(schema, &view.name)),
            format!("Drop {:?} view", view.name),
            None,
        ),
        // The differ turns every other view modification into drop + add.
        Change::ModifyView { schema, from, to } if from.comment != to.comment => {
            let name = b.name(schema, &to.name);
            b.comment_on(
                format!("{} {name}", view_kind(to)),
                to.comment.as_deref(),
                format!("Set comment to view: {:?}", to.name),
            );
        }
        _ => {}
    }
}

fn routine_kind(kind: RoutineKind) -> &'static str {
    match kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

pub(super) fn routine(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddRoutine { schema, routine } => {
            let signature = format!("{}({})", b.name(schema, &routine.name), routine.args);
            b.push(
                with_routine_name(&routine.definition, &b.name(schema, &routine.name)),
                format!(
                    "Create {:?} {}",
                    routine.name,
                    routine_kind(routine.kind).to_lowercase()
                ),
                Some(format!("DROP {} {signature}", routine_kind(routine.kind))),
            );
            if routine.comment.is_some() {
                b.comment_on(
                    format!("{} {signature}", routine_kind(routine.kind)),
                    routine.comment.as_deref(),
                    format!("Set comment to {:?}", routine.name),
                );
            }
        }
        Change::DropRoutine { schema, routine } => b.push(
            format!(
                "DROP {} {}({})",
                routine_kind(routine.kind),
                b.name(schema, &routine.name),
                routine.args
            ),
            format!(
                "Drop {:?} {}",
                routine.name,
                routine_kind(routine.kind).to_lowercase()
            ),
            None,
        ),
        Change::ModifyRoutine { schema, from, to } => {
            let signature = format!("{}({})", b.name(schema, &to.name), to.args);
            if from.definition != to.definition {
                // CREATE OR REPLACE cannot change a function's result type or kind.
                if from.returns != to.returns || from.kind != to.kind {
                    b.push(
                        format!(
                            "DROP {} {}({})",
                            routine_kind(from.kind),
                            b.name(schema, &from.name),
                            from.args
                        ),
                        format!(
                            "Drop {:?} {}",
                            from.name,
                            routine_kind(from.kind).to_lowercase()
                        ),
                        None,
                    );
                }
                b.push(
                    with_routine_name(&to.definition, &b.name(schema, &to.name)),
                    format!(
                        "Modify {:?} {}",
                        to.name,
                        routine_kind(to.kind).to_lowercase()
                    ),
                    None,
                );
            }
            if from.comment != to.comment || (from.returns != to.returns && to.comment.is_some()) {
                b.comment_on(
                    format!("{} {signature}", routine_kind(to.kind)),
                    to.comment.as_deref(),
                    format!("Set comment to {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}

fn create_trigger(b: &mut Builder<'_>, schema: &str, trigger: &schema_model::Trigger) {
    let on = b.name(schema, &trigger.on);
    b.push(
        trigger_definition(&trigger.definition, &trigger.on, &on),
        format!("Create trigger {:?}", trigger.name),
        Some(format!("DROP TRIGGER {} ON {on}", ident(&trigger.name))),
    );
    if trigger.disabled {
        b.push(
            format!("ALTER TABLE {on} DISABLE TRIGGER {}", ident(&trigger.name)),
            format!("Disable trigger {:?}", trigger.name),
            None,
        );
    }
    if trigger.comment.is_some() {
        b.comment_on(
            format!("TRIGGER {} ON {on}", ident(&trigger.name)),
            trigger.comment.as_deref(),
            format!("Set comment to trigger: {:?}", trigger.name),
        );
    }
}

fn drop_trigger(b: &mut Builder<'_>, schema: &str, trigger: &schema_model::Trigger) {
    b.push(
        format!(
            "DROP TRIGGER {} ON {}",
            ident(&trigger.name),
            b.name(schema, &trigger.on)
        ),
        format!("Drop trigger {:?}", trigger.name),
        None,
    );
}

pub(super) fn trigger(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddTrigger { schema, trigger } => create_trigger(b, schema, trigger),
        Change::DropTrigger { schema, trigger } => drop_trigger(b, schema, trigger),
        Change::ModifyTrigger { schema, from, to } => {
            let same = schema_model::Trigger {
                comment: to.comment.clone(),
                disabled: to.disabled,
                ..from.clone()
            };
            let on = b.name(schema, &to.on);
            if same != *to {
                drop_trigger(b, schema, from);
                create_trigger(b, schema, to);
                return;
            }
            if from.disabled != to.disabled {
                let state = if to.disabled { "DISABLE" } else { "ENABLE" };
                b.push(
                    format!("ALTER TABLE {on} {state} TRIGGER {}", ident(&to.name)),
                    format!("Modify trigger {:?}", to.name),
                    None,
                );
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("TRIGGER {} ON {on}", ident(&to.name)),
                    to.comment.as_deref(),
                    format!("Set comment to trigger: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}
