//! SQL text for tables, columns, indexes and views.

use schema_diff::PlanError;
use schema_model::{
    Check, Column, ConflictResolution, Deferrable, ForeignKey, Index, IndexPart, IndexTarget,
    ReferentialAction, Table, View,
};

use crate::names::{foreign_key_name, quote, unique_name};
use crate::types::{render_default, render_type};

/// `CREATE TABLE "name" (…)` for `table` under the given name (the rebuild procedure
/// creates the target definition under a temporary name).
pub(crate) fn create_table(table: &Table, name: &str) -> Result<String, PlanError> {
    let unsupported = |reason: &str| PlanError::Unsupported {
        change: format!("table {:?}", table.name),
        reason: reason.to_owned(),
    };
    if !table.exclusions.is_empty() {
        return Err(unsupported("SQLite has no exclusion constraints"));
    }
    if !table.policies.is_empty() {
        return Err(unsupported("SQLite has no row-level security policies"));
    }
    let inline_pk = inline_primary_key(table);
    let mut items: Vec<String> = Vec::with_capacity(table.columns.len() + 4);
    for column in &table.columns {
        let mut def = column_definition(column)?;
        if inline_pk.as_deref() == Some(column.name.as_str()) {
            let conflict = table.primary_key.as_ref().and_then(|k| k.on_conflict);
            def.push_str(&format!(
                " PRIMARY KEY{} AUTOINCREMENT",
                on_conflict(conflict)
            ));
        }
        items.push(def);
    }
    if let (Some(key), None) = (&table.primary_key, &inline_pk) {
        let parts = key
            .parts
            .iter()
            .map(index_part)
            .collect::<Result<Vec<_>, _>>()?;
        items.push(format!(
            "PRIMARY KEY ({}){}",
            parts.join(", "),
            on_conflict(key.on_conflict)
        ));
    }
    for index in table.indexes.iter().filter(|i| i.constraint) {
        let parts = index
            .parts
            .iter()
            .map(index_part)
            .collect::<Result<Vec<_>, _>>()?;
        let columns: Vec<String> = index.column_names().map(str::to_owned).collect();
        let label = if index.name == unique_name(&table.name, &columns) {
            String::new()
        } else {
            format!("CONSTRAINT {} ", quote(&index.name))
        };
        items.push(format!(
            "{label}UNIQUE ({}){}",
            parts.join(", "),
            on_conflict(index.on_conflict)
        ));
    }
    for fk in &table.foreign_keys {
        items.push(foreign_key(&table.name, fk));
    }
    for check in &table.checks {
        items.push(check_clause(check));
    }
    let mut sql = format!("CREATE TABLE {} ({})", quote(name), items.join(", "));
    let mut options = Vec::new();
    if table.sqlite.strict {
        options.push("STRICT");
    }
    if table.sqlite.without_rowid {
        options.push("WITHOUT ROWID");
    }
    if !options.is_empty() {
        sql.push(' ');
        sql.push_str(&options.join(", "));
    }
    Ok(sql)
}

/// The column that carries `PRIMARY KEY AUTOINCREMENT` inline: SQLite accepts the keyword
/// only there, on a single-column integer key.
fn inline_primary_key(table: &Table) -> Option<String> {
    let key = table.primary_key.as_ref()?;
    let [part] = key.parts.as_slice() else {
        return None;
    };
    let IndexTarget::Column(name) = &part.target else {
        return None;
    };
    table
        .column(name)
        .filter(|c| c.auto_increment)
        .map(|c| c.name.clone())
}

/// A column definition as used by `CREATE TABLE` and `ADD COLUMN`.
pub(crate) fn column_definition(column: &Column) -> Result<String, PlanError> {
    if column.identity.is_some() {
        return Err(PlanError::Unsupported {
            change: format!("column {:?}", column.name),
            reason: "SQLite has no identity columns (use INTEGER PRIMARY KEY)".into(),
        });
    }
    let mut def = quote(&column.name);
    let ty = render_type(&column.ty);
    if !ty.is_empty() {
        def.push(' ');
        def.push_str(&ty);
    }
    if !column.nullable {
        def.push_str(" NOT NULL");
        def.push_str(&on_conflict(column.not_null_conflict));
    }
    if let Some(default) = &column.default {
        def.push_str(" DEFAULT ");
        def.push_str(&render_default(default));
    }
    if let Some(collation) = &column.collation {
        def.push_str(" COLLATE ");
        def.push_str(&quote_collation(collation));
    }
    if let Some(generated) = &column.generated {
        def.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            generated.expr,
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
    }
    Ok(def)
}

/// ` ON CONFLICT …`, or nothing for the default (`ABORT`).
fn on_conflict(resolution: Option<ConflictResolution>) -> String {
    resolution
        .map(|r| format!(" ON CONFLICT {}", r.sql()))
        .unwrap_or_default()
}

/// Collation names are written bare when they are plain words (so the stored text reads
/// back the same), quoted otherwise.
fn quote_collation(name: &str) -> String {
    if !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        name.to_owned()
    } else {
        quote(name)
    }
}

fn index_part(part: &IndexPart) -> Result<String, PlanError> {
    if part.nulls.is_some() || part.opclass.is_some() || part.prefix.is_some() {
        return Err(PlanError::Unsupported {
            change: "index part".into(),
            reason: "SQLite indexes have no NULLS order, operator classes or prefixes".into(),
        });
    }
    let mut sql = match &part.target {
        IndexTarget::Column(name) => quote(name),
        IndexTarget::Expr(expr) => expr.clone(),
    };
    if let Some(collation) = &part.collation {
        sql.push_str(" COLLATE ");
        sql.push_str(&quote_collation(collation));
    }
    if part.desc {
        sql.push_str(" DESC");
    }
    Ok(sql)
}

fn foreign_key(table: &str, fk: &ForeignKey) -> String {
    let columns: Vec<String> = fk.columns.iter().map(|c| quote(c)).collect();
    let mut sql = String::new();
    if fk.name != foreign_key_name(table, &fk.columns) {
        sql.push_str(&format!("CONSTRAINT {} ", quote(&fk.name)));
    }
    sql.push_str(&format!(
        "FOREIGN KEY ({}) REFERENCES {}",
        columns.join(", "),
        quote(&fk.ref_table.name)
    ));
    if !fk.ref_columns.is_empty() {
        let refs: Vec<String> = fk.ref_columns.iter().map(|c| quote(c)).collect();
        sql.push_str(&format!(" ({})", refs.join(", ")));
    }
    if fk.on_update != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.on_delete != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.match_full {
        sql.push_str(" MATCH FULL");
    }
    match fk.deferrable {
        Deferrable::Not => {}
        Deferrable::InitiallyImmediate => sql.push_str(" DEFERRABLE INITIALLY IMMEDIATE"),
        Deferrable::InitiallyDeferred => sql.push_str(" DEFERRABLE INITIALLY DEFERRED"),
    }
    sql
}

fn check_clause(check: &Check) -> String {
    match &check.name {
        Some(name) => format!("CONSTRAINT {} CHECK ({})", quote(name), check.expr),
        None => format!("CHECK ({})", check.expr),
    }
}

/// `CREATE [UNIQUE] INDEX` for an index that is not a table constraint.
pub(crate) fn create_index(table: &str, index: &Index) -> Result<String, PlanError> {
    if index.method.is_some() || !index.include.is_empty() || index.nulls_not_distinct {
        return Err(PlanError::Unsupported {
            change: format!("index {:?}", index.name),
            reason: "SQLite indexes have no method, INCLUDE or NULLS NOT DISTINCT".into(),
        });
    }
    let parts = index
        .parts
        .iter()
        .map(index_part)
        .collect::<Result<Vec<_>, _>>()?;
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        quote(&index.name),
        quote(table),
        parts.join(", ")
    );
    if let Some(predicate) = &index.predicate {
        sql.push_str(" WHERE ");
        sql.push_str(predicate);
    }
    Ok(sql)
}

/// `CREATE VIEW`.
pub(crate) fn create_view(view: &View) -> Result<String, PlanError> {
    if view.materialized {
        return Err(PlanError::Unsupported {
            change: format!("view {:?}", view.name),
            reason: "SQLite has no materialized views".into(),
        });
    }
    let columns = if view.column_names.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = view.column_names.iter().map(|c| quote(c)).collect();
        format!(" ({})", names.join(", "))
    };
    Ok(format!(
        "CREATE VIEW {}{columns} AS {}",
        quote(&view.name),
        view.definition
    ))
}
