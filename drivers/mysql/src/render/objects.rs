//! Schemas, views, triggers and routines.

use schema_model::{CheckOption, Routine, RoutineKind, Schema, Trigger, View};

use crate::quote;

/// `CREATE DATABASE` with its defaults.
pub fn create_schema(schema: &Schema) -> String {
    let mut sql = format!("CREATE DATABASE {}", quote::ident(&schema.name));
    sql.push_str(&schema_options(schema));
    sql
}

/// `ALTER DATABASE` to the schema's defaults.
pub fn alter_schema(schema: &Schema) -> String {
    format!(
        "ALTER DATABASE {}{}",
        quote::ident(&schema.name),
        schema_options(schema)
    )
}

fn schema_options(schema: &Schema) -> String {
    let mut sql = String::new();
    if let Some(charset) = &schema.mysql.charset {
        sql.push_str(&format!(" CHARACTER SET {charset}"));
    }
    if let Some(collation) = &schema.mysql.collation {
        sql.push_str(&format!(" COLLATE {collation}"));
    }
    sql
}

/// `CREATE VIEW`.
pub fn create_view(view: &View, name: &str) -> String {
    let algorithm = view
        .algorithm
        .map(|a| format!("ALGORITHM = {} ", a.sql()))
        .unwrap_or_default();
    let security = if view.security_invoker {
        "SQL SECURITY INVOKER "
    } else {
        ""
    };
    let columns = if view.column_names.is_empty() {
        String::new()
    } else {
        let cols: Vec<String> = view.column_names.iter().map(|c| quote::ident(c)).collect();
        format!(" ({})", cols.join(", "))
    };
    let check = match view.check_option {
        Some(CheckOption::Cascaded) => " WITH CASCADED CHECK OPTION",
        Some(CheckOption::Local) => " WITH LOCAL CHECK OPTION",
        None => "",
    };
    format!(
        "CREATE {algorithm}{security}VIEW {name}{columns} AS {}{check}",
        view.definition
    )
}

/// Replaces the first occurrence of `` `name` `` after `after` in `definition` by the
/// qualified name. Definitions are stored unqualified (see the inspector), so a plan for a
/// schema other than the connection's must put the schema back.
fn qualify_first(definition: &str, after: usize, name: &str, qualified: &str) -> String {
    let needle = quote::ident(name);
    match definition[after..].find(&needle) {
        Some(pos) => {
            let start = after + pos;
            format!(
                "{}{}{}",
                &definition[..start],
                qualified,
                &definition[start + needle.len()..]
            )
        }
        None => definition.to_owned(),
    }
}

/// The trigger's `CREATE TRIGGER` statement, qualified when needed.
pub fn create_trigger(trigger: &Trigger, schema: &str, unqualified: Option<&str>) -> String {
    if unqualified == Some(schema) {
        return trigger.definition.clone();
    }
    let named = qualify_first(
        &trigger.definition,
        0,
        &trigger.name,
        &quote::qualified(schema, &trigger.name, None),
    );
    // The table follows the trigger name; it must live in the trigger's schema.
    let on = format!(" ON {}", quote::ident(&trigger.on));
    match named.find(&on) {
        Some(pos) => format!(
            "{} ON {}{}",
            &named[..pos],
            quote::qualified(schema, &trigger.on, None),
            &named[pos + on.len()..]
        ),
        None => named,
    }
}

/// The routine's `CREATE FUNCTION/PROCEDURE` statement, qualified when needed.
pub fn create_routine(routine: &Routine, schema: &str, unqualified: Option<&str>) -> String {
    if unqualified == Some(schema) {
        return routine.definition.clone();
    }
    qualify_first(
        &routine.definition,
        0,
        &routine.name,
        &quote::qualified(schema, &routine.name, None),
    )
}

/// `FUNCTION` or `PROCEDURE`.
pub fn routine_keyword(routine: &Routine) -> &'static str {
    match routine.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

/// `function` or `procedure`, for comments.
pub fn routine_noun(routine: &Routine) -> &'static str {
    match routine.kind {
        RoutineKind::Function => "function",
        RoutineKind::Procedure => "procedure",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifies_definitions() {
        let trigger = Trigger {
            name: "trg".into(),
            on: "t".into(),
            definition: "CREATE TRIGGER `trg` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.a = 1"
                .into(),
            constraint: false,
            disabled: false,
            comment: None,
        };
        assert_eq!(
            create_trigger(&trigger, "db", None),
            "CREATE TRIGGER `db`.`trg` BEFORE INSERT ON `db`.`t` FOR EACH ROW SET NEW.a = 1"
        );
        assert_eq!(
            create_trigger(&trigger, "db", Some("db")),
            trigger.definition
        );
        let view = View::new("v", "select 1 AS `a`");
        assert_eq!(
            create_view(&view, "`v`"),
            "CREATE VIEW `v` AS select 1 AS `a`"
        );
    }
}
