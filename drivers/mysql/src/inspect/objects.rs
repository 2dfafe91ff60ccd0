//! Views, triggers and stored routines.
//!
//! Their definitions are rebuilt from `information_schema` columns rather than taken from
//! `SHOW CREATE …`: that keeps inspection set-based, leaves out `DEFINER` clauses (which
//! name whoever ran the DDL and must not cause diffs) and lets qualifiers naming the
//! inspected database be stripped.

use std::collections::HashMap;

use mysql_async::Conn;
use schema_model::{CheckOption, Routine, RoutineKind, Schema, Trigger, View, ViewAlgorithm};

use super::rows::{in_list, query, query_with, string, text};
use super::scope::Scope;
use super::text::strip_schema;
use crate::flavor::ServerVersion;
use crate::quote;
use mercator_driver::DriverError;

fn schema_mut<'a>(schemas: &'a mut [Schema], name: &str) -> Option<&'a mut Schema> {
    schemas.iter_mut().find(|s| s.name == name)
}

/// The algorithm as the server names it; `UNDEFINED` (and anything unknown) is the default.
fn algorithm(text: &str) -> Option<ViewAlgorithm> {
    match text.to_ascii_uppercase().as_str() {
        "MERGE" => Some(ViewAlgorithm::Merge),
        "TEMPTABLE" => Some(ViewAlgorithm::Temptable),
        _ => None,
    }
}

/// The `ALGORITHM=…` clause of a `SHOW CREATE VIEW` answer.
fn algorithm_in_create(create: &str) -> Option<ViewAlgorithm> {
    let upper = create.to_ascii_uppercase();
    let head = &upper[..upper.find(" VIEW ").unwrap_or(upper.len())];
    let rest = head.split("ALGORITHM=").nth(1)?;
    algorithm(rest.split_whitespace().next()?)
}

/// Adds views.
///
/// MariaDB lists the algorithm in `information_schema.VIEWS`; MySQL keeps it only in its
/// data dictionary, so there it is read from `SHOW CREATE VIEW`, one view at a time.
pub async fn views(
    conn: &mut Conn,
    schemas: &mut [Schema],
    server: &ServerVersion,
) -> Result<(), DriverError> {
    let names: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
    let algorithm_column = if server.is_mariadb() {
        "ALGORITHM"
    } else {
        "NULL"
    };
    let rows = query(
        conn,
        &format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, \
             {algorithm_column} \
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN ({}) \
             ORDER BY TABLE_SCHEMA, TABLE_NAME",
            in_list(&names)
        ),
    )
    .await?;
    for row in &rows {
        let schema_name = string(row, 0);
        let mut view = View::new(
            string(row, 1),
            strip_schema(string(row, 2).trim(), &schema_name),
        );
        view.check_option = match string(row, 3).as_str() {
            "CASCADED" => Some(CheckOption::Cascaded),
            "LOCAL" => Some(CheckOption::Local),
            _ => None,
        };
        view.security_invoker = string(row, 4) == "INVOKER";
        view.algorithm = if server.is_mariadb() {
            algorithm(&string(row, 5))
        } else {
            let show = format!(
                "SHOW CREATE VIEW {}.{}",
                quote::ident(&schema_name),
                quote::ident(&view.name)
            );
            query(conn, &show)
                .await?
                .first()
                .and_then(|r| text(r, 1))
                .and_then(|create| algorithm_in_create(&create))
        };
        let Some(schema) = schema_mut(schemas, &schema_name) else {
            continue;
        };
        schema.views.push(view);
    }
    Ok(())
}

/// Adds triggers: of the schemas, or in a scoped read those on the scope's tables.
pub async fn triggers(
    conn: &mut Conn,
    schemas: &mut [Schema],
    scope: &Scope,
) -> Result<(), DriverError> {
    // A trigger lives in its table's schema. A scoped read filters on the table's columns,
    // which MariaDB answers by opening just that table's triggers.
    let filter = if scope.is_scoped() {
        scope.filter("EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE")
    } else {
        scope.filter("TRIGGER_SCHEMA", "EVENT_OBJECT_TABLE")
    };
    let rows = query_with(
        conn,
        &format!(
            "SELECT TRIGGER_SCHEMA, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, \
             EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS \
             WHERE {} ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, \
             ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER",
            filter.sql
        ),
        filter.params,
    )
    .await?;
    for row in &rows {
        let Some(schema) = schema_mut(schemas, &string(row, 0)) else {
            continue;
        };
        let schema_name = schema.name.clone();
        let name = string(row, 1);
        let on = string(row, 4);
        let definition = format!(
            "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
            quote::ident(&name),
            string(row, 2),
            string(row, 3),
            quote::ident(&on),
            strip_schema(string(row, 5).trim(), &schema_name)
        );
        schema.triggers.push(Trigger {
            name,
            on,
            definition,
            constraint: false,
            disabled: false,
            comment: None,
        });
    }
    Ok(())
}

/// Adds functions and procedures, their parameters read from `PARAMETERS`.
pub async fn routines(conn: &mut Conn, schemas: &mut [Schema]) -> Result<(), DriverError> {
    let names: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
    let list = in_list(&names);
    let rows = query(
        conn,
        &format!(
            "SELECT SPECIFIC_SCHEMA, SPECIFIC_NAME, PARAMETER_MODE, PARAMETER_NAME, \
             DTD_IDENTIFIER, ROUTINE_TYPE FROM information_schema.PARAMETERS \
             WHERE SPECIFIC_SCHEMA IN ({list}) AND ORDINAL_POSITION > 0 \
             ORDER BY SPECIFIC_SCHEMA, SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION"
        ),
    )
    .await?;
    let mut params: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    for row in &rows {
        let kind = string(row, 5);
        // Only procedure parameters have a mode in the declaration.
        let mode = match text(row, 2) {
            Some(m) if kind == "PROCEDURE" => format!("{m} "),
            _ => String::new(),
        };
        params
            .entry((string(row, 0), string(row, 1), kind))
            .or_default()
            .push(format!(
                "{mode}{} {}",
                quote::ident(&string(row, 3)),
                string(row, 4)
            ));
    }
    let rows = query(
        conn,
        &format!(
            "SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, \
             ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, \
             ROUTINE_COMMENT FROM information_schema.ROUTINES \
             WHERE ROUTINE_SCHEMA IN ({list}) AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE') \
             ORDER BY ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE"
        ),
    )
    .await?;
    for row in &rows {
        let schema_name = string(row, 0);
        let name = string(row, 1);
        let kind = if string(row, 2) == "PROCEDURE" {
            RoutineKind::Procedure
        } else {
            RoutineKind::Function
        };
        let args = params
            .get(&(schema_name.clone(), name.clone(), string(row, 2)))
            .map(|p| p.join(", "))
            .unwrap_or_default();
        let returns = (kind == RoutineKind::Function).then(|| string(row, 3));
        let mut definition = format!(
            "CREATE {} {}({args})",
            if kind == RoutineKind::Function {
                "FUNCTION"
            } else {
                "PROCEDURE"
            },
            quote::ident(&name)
        );
        if let Some(returns) = &returns {
            definition.push_str(&format!(" RETURNS {returns}"));
        }
        if string(row, 5) == "YES" {
            definition.push_str(" DETERMINISTIC");
        }
        let access = string(row, 6);
        if !access.is_empty() && access != "CONTAINS SQL" {
            definition.push_str(&format!(" {access}"));
        }
        if string(row, 7) == "INVOKER" {
            definition.push_str(" SQL SECURITY INVOKER");
        }
        let comment = text(row, 8).filter(|c| !c.is_empty());
        if let Some(comment) = &comment {
            definition.push_str(&format!(" COMMENT {}", quote::string(comment)));
        }
        definition.push('\n');
        definition.push_str(&strip_schema(string(row, 4).trim(), &schema_name));
        let Some(schema) = schema_mut(schemas, &schema_name) else {
            continue;
        };
        schema.routines.push(Routine {
            name,
            kind,
            args: String::new(),
            returns,
            language: None,
            definition,
            comment,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_from_show_create_view() {
        assert_eq!(
            algorithm_in_create(
                "CREATE ALGORITHM=TEMPTABLE DEFINER=`root`@`%` SQL SECURITY INVOKER VIEW `v` AS select 1"
            ),
            Some(ViewAlgorithm::Temptable)
        );
        assert_eq!(
            algorithm_in_create("CREATE ALGORITHM=UNDEFINED DEFINER=`a`@`b` VIEW `v` AS select 1"),
            None
        );
        // Text after the view name (its query) is never read as the clause.
        assert_eq!(
            algorithm_in_create("CREATE VIEW `v` AS select 'ALGORITHM=MERGE' AS a"),
            None
        );
        assert_eq!(algorithm("merge"), Some(ViewAlgorithm::Merge));
    }
}
