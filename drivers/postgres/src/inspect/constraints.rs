//! Indexes, keys, checks, exclusion constraints and policies.

use std::collections::HashMap;

use mercator_driver::DriverError;
use schema_model::{
    Check, Deferrable, Exclusion, ForeignKey, Index, IndexPart, NullsOrder, Policy, PolicyCommand,
    PrimaryKey, QualifiedName, ReferentialAction,
};
use tokio_postgres::{Client, Row};

use super::relations::options;
use super::{Collected, get, queries, query_in};

/// Reads the selected schemas' indexes, constraints and policies, or with `tables` (a
/// scoped read) only those of the tables of these oids.
pub(super) async fn inspect(
    client: &Client,
    schemas: &[String],
    tables: Option<&[u32]>,
    collected: &mut Collected,
) -> Result<(), DriverError> {
    let rows = query_in(
        client,
        queries::INDEXES,
        queries::INDEXES_SCOPE,
        schemas,
        tables,
    )
    .await?;
    let mut opclasses = HashMap::new();
    // A scoped read of tables without indexes needs no operator class.
    if tables.is_none() || !rows.is_empty() {
        for row in client
            .query(queries::OPCLASSES, &[])
            .await
            .map_err(super::inspect_error)?
        {
            opclasses.insert(get::<i64>(&row, "oid")?, get::<String>(&row, "name")?);
        }
    }
    name_missing_keys(client, &rows, collected).await?;
    for row in rows {
        index(&row, &opclasses, collected)?;
    }
    let scope = queries::CONSTRAINTS_SCOPE;
    for row in query_in(client, queries::CONSTRAINTS, scope, schemas, tables).await? {
        constraint(&row, collected)?;
    }
    let scope = queries::POLICIES_SCOPE;
    for row in query_in(client, queries::POLICIES, scope, schemas, tables).await? {
        policy(&row, collected)?;
    }
    Ok(())
}

/// Reads the names of index key columns the columns query did not return, so every key
/// of [`index`] has its name.
async fn name_missing_keys(
    client: &Client,
    rows: &[Row],
    collected: &mut Collected,
) -> Result<(), DriverError> {
    let (mut relids, mut attnums) = (Vec::new(), Vec::new());
    for row in rows {
        let relid: i64 = get(row, "relid")?;
        let keys: Vec<i16> = get(row, "keys")?;
        for attnum in keys {
            if attnum != 0 && !collected.attnames.contains_key(&(relid, attnum)) {
                relids.push(relid);
                attnums.push(attnum);
            }
        }
    }
    if relids.is_empty() {
        return Ok(());
    }
    for row in client
        .query(queries::ATTRIBUTE_NAMES, &[&relids, &attnums])
        .await
        .map_err(super::inspect_error)?
    {
        collected.attnames.insert(
            (get(&row, "relid")?, get(&row, "attnum")?),
            get(&row, "name")?,
        );
    }
    Ok(())
}

fn deferrable(deferrable: bool, deferred: bool) -> Deferrable {
    match (deferrable, deferred) {
        (false, _) => Deferrable::Not,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    }
}

/// Bits of `pg_index.indoption`.
const INDOPTION_DESC: i16 = 1;
const INDOPTION_NULLS_FIRST: i16 = 2;

/// One index row; `opclasses` holds the non-default operator classes by oid.
fn index(
    row: &Row,
    opclasses: &HashMap<i64, String>,
    collected: &mut Collected,
) -> Result<(), DriverError> {
    let relid: i64 = get(row, "relid")?;
    if get::<bool>(row, "inherited")? {
        return Ok(());
    }
    let name: String = get(row, "name")?;
    let key_count: i16 = get(row, "indnkeyatts")?;
    let keys: Vec<i16> = get(row, "keys")?;
    let flags: Vec<i16> = get(row, "options")?;
    let opclasses: Vec<Option<String>> = get::<Vec<i64>>(row, "opclass_oids")?
        .into_iter()
        .map(|oid| opclasses.get(&oid).cloned())
        .collect();
    let keys_text: Vec<Option<String>> = get(row, "parts")?;
    // Expressions (and materialized views' columns) come as text; table columns by number.
    let texts: Vec<String> = keys_text
        .into_iter()
        .enumerate()
        .map(|(i, text)| match (text, keys.get(i)) {
            (Some(text), _) => text,
            (None, Some(&attnum)) => collected
                .attnames
                .get(&(relid, attnum))
                .cloned()
                .unwrap_or_default(),
            (None, None) => String::new(),
        })
        .collect();
    let collations: Vec<Option<String>> =
        get::<Option<Vec<Option<String>>>>(row, "collations")?.unwrap_or_default();
    let method: String = get(row, "method")?;
    let mut parts = Vec::new();
    let mut include = Vec::new();
    for (i, text) in texts.into_iter().enumerate() {
        let is_column = keys.get(i).is_some_and(|k| *k != 0);
        // Columns come as catalog names; only expressions are deparsed text.
        if i >= key_count as usize {
            include.push(text);
            continue;
        }
        let mut part = if is_column {
            IndexPart::column(text)
        } else {
            IndexPart::expr(text)
        };
        let flag = flags.get(i).copied().unwrap_or(0);
        part.desc = flag & INDOPTION_DESC != 0;
        let nulls_first = flag & INDOPTION_NULLS_FIRST != 0;
        part.nulls = match (part.desc, nulls_first) {
            (false, true) => Some(NullsOrder::First),
            (true, false) => Some(NullsOrder::Last),
            _ => None,
        };
        part.opclass = opclasses.get(i).cloned().flatten();
        part.collation = collations.get(i).cloned().flatten();
        parts.push(part);
    }
    let contype: Option<String> = get(row, "contype")?;
    let defer = deferrable(get(row, "deferrable")?, get(row, "deferred")?);
    let predicate: Option<String> = get(row, "predicate")?;
    let target_table = collected.tables.get_mut(&relid).map(|(_, t)| t);
    match (contype.as_deref(), target_table) {
        (Some("p"), Some(table)) => {
            table.primary_key = Some(PrimaryKey {
                name: Some(name),
                parts,
                include,
                deferrable: defer,
                on_conflict: None,
            });
            return Ok(());
        }
        (Some("x"), Some(table)) => {
            let operators: Vec<String> =
                get::<Option<Vec<String>>>(row, "operators")?.unwrap_or_default();
            table.exclusions.push(Exclusion {
                name,
                method,
                elements: parts.into_iter().zip(operators).collect(),
                predicate,
                include,
                deferrable: defer,
            });
            return Ok(());
        }
        _ => {}
    }
    let index = Index {
        name,
        unique: get(row, "indisunique")?,
        constraint: contype.as_deref() == Some("u"),
        parts,
        method: (method != "btree").then_some(method),
        predicate,
        include,
        nulls_not_distinct: get(row, "indnullsnotdistinct")?,
        storage_params: options(get(row, "storage")?),
        deferrable: defer,
        invisible: false,
        on_conflict: None,
        comment: get(row, "comment")?,
    };
    if let Some((_, table)) = collected.tables.get_mut(&relid) {
        table.indexes.push(index);
    } else if let Some((_, view)) = collected.views.get_mut(&relid) {
        view.indexes.push(index);
    }
    Ok(())
}

fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// `CHECK ((a > 0)) NO INHERIT` → `(a > 0)`: one layer of parentheses and the keywords go.
pub(super) fn check_expr(definition: &str) -> String {
    let text = definition.trim();
    let text = text.strip_prefix("CHECK ").unwrap_or(text);
    let text = text.strip_suffix(" NOT VALID").unwrap_or(text);
    let text = text.strip_suffix(" NO INHERIT").unwrap_or(text);
    let text = text.trim();
    match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if balanced(inner) => inner.to_owned(),
        _ => text.to_owned(),
    }
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

fn constraint(row: &Row, collected: &mut Collected) -> Result<(), DriverError> {
    let relid: i64 = get(row, "relid")?;
    let Some((schema, table)) = collected.tables.get_mut(&relid) else {
        return Ok(());
    };
    if get::<bool>(row, "cloned")? {
        return Ok(());
    }
    let name: String = get(row, "name")?;
    let kind: String = get(row, "kind")?;
    if kind == "c" {
        if !get::<bool>(row, "conislocal")? {
            return Ok(());
        }
        let definition: String = get::<Option<String>>(row, "definition")?.unwrap_or_default();
        table.checks.push(Check {
            name: Some(name),
            expr: check_expr(&definition),
            no_inherit: get(row, "connoinherit")?,
            not_enforced: false,
        });
        return Ok(());
    }
    let ref_schema: Option<String> = get(row, "ref_schema")?;
    let ref_table: Option<String> = get(row, "ref_table")?;
    let ref_table = match (ref_schema, ref_table) {
        (Some(s), Some(t)) if s == *schema => QualifiedName::bare(t),
        (Some(s), Some(t)) => QualifiedName::qualified(s, t),
        _ => return Ok(()),
    };
    table.foreign_keys.push(ForeignKey {
        name,
        columns: get(row, "columns")?,
        ref_table,
        ref_columns: get(row, "ref_columns")?,
        on_update: action(&get::<String>(row, "on_update")?),
        on_delete: action(&get::<String>(row, "on_delete")?),
        deferrable: deferrable(get(row, "condeferrable")?, get(row, "condeferred")?),
        match_full: get::<String>(row, "match")? == "f",
    });
    Ok(())
}

fn policy(row: &Row, collected: &mut Collected) -> Result<(), DriverError> {
    let relid: i64 = get(row, "relid")?;
    let Some((_, table)) = collected.tables.get_mut(&relid) else {
        return Ok(());
    };
    let command = match get::<String>(row, "cmd")?.as_str() {
        "r" => PolicyCommand::Select,
        "a" => PolicyCommand::Insert,
        "w" => PolicyCommand::Update,
        "d" => PolicyCommand::Delete,
        _ => PolicyCommand::All,
    };
    table.policies.push(Policy {
        name: get(row, "name")?,
        permissive: get(row, "polpermissive")?,
        command,
        roles: get(row, "roles")?,
        using: get(row, "using_expr")?,
        with_check: get(row, "check_expr")?,
        comment: get(row, "comment")?,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_expr;

    #[test]
    fn check_text() {
        assert_eq!(check_expr("CHECK ((a > 0))"), "(a > 0)");
        assert_eq!(check_expr("CHECK ((a > 0)) NO INHERIT"), "(a > 0)");
        assert_eq!(
            check_expr("CHECK ((a > 0) AND (b < 1))"),
            "(a > 0) AND (b < 1)"
        );
        assert_eq!(check_expr("CHECK (a)"), "a");
    }
}
