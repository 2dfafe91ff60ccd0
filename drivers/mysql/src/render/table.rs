//! `CREATE TABLE`, `DROP TABLE` and the grouped `ALTER TABLE` of a table's changes.

use schema_diff::{PlanError, TableChange};
use schema_model::{
    Check, Column, ColumnType, ForeignKey, Index, IndexPart, IndexTarget, PrimaryKey,
    ReferentialAction, Table,
};

use super::column::column_sql;
use crate::flavor::ServerVersion;
use crate::quote;

/// Where a table lives and how names are qualified.
pub struct Scope<'a> {
    /// The table's schema.
    pub schema: &'a str,
    /// The schema rendered without qualifier.
    pub unqualified: Option<&'a str>,
    /// The target server.
    pub server: &'a ServerVersion,
}

impl Scope<'_> {
    pub fn name(&self, table: &str) -> String {
        quote::qualified(self.schema, table, self.unqualified)
    }
}

fn unsupported(change: String, reason: &str) -> PlanError {
    PlanError::Unsupported {
        change,
        reason: reason.to_owned(),
    }
}

fn part_sql(part: &IndexPart, server: &ServerVersion) -> Result<String, PlanError> {
    let mut sql = match &part.target {
        IndexTarget::Column(name) => quote::ident(name),
        IndexTarget::Expr(expr) => {
            if !server.supports_expression_index() {
                return Err(unsupported(
                    format!("index part ({expr})"),
                    &format!("{server} has no expression index parts"),
                ));
            }
            format!("({expr})")
        }
    };
    if let Some(prefix) = part.prefix {
        sql.push_str(&format!("({prefix})"));
    }
    if part.desc && server.supports_desc_index() {
        sql.push_str(" DESC");
    }
    Ok(sql)
}

fn parts_sql(parts: &[IndexPart], server: &ServerVersion) -> Result<String, PlanError> {
    let parts: Result<Vec<String>, PlanError> = parts.iter().map(|p| part_sql(p, server)).collect();
    Ok(parts?.join(", "))
}

/// `PRIMARY KEY (…)`.
pub fn primary_key_sql(key: &PrimaryKey, server: &ServerVersion) -> Result<String, PlanError> {
    Ok(format!("PRIMARY KEY ({})", parts_sql(&key.parts, server)?))
}

/// The index's kind keyword (`UNIQUE INDEX`, `FULLTEXT INDEX`, …) and its trailing options.
pub fn index_sql(index: &Index, server: &ServerVersion) -> Result<String, PlanError> {
    let method = index.method.as_deref().map(str::to_ascii_uppercase);
    let kind = match method.as_deref() {
        Some("FULLTEXT") => "FULLTEXT INDEX",
        Some("SPATIAL") => "SPATIAL INDEX",
        _ if index.unique => "UNIQUE INDEX",
        _ => "INDEX",
    };
    let mut sql = format!(
        "{kind} {} ({})",
        quote::ident(&index.name),
        parts_sql(&index.parts, server)?
    );
    if let Some(m @ ("HASH" | "BTREE" | "RTREE")) = method.as_deref() {
        sql.push_str(&format!(" USING {m}"));
    }
    if let Some(comment) = &index.comment {
        sql.push_str(&format!(" COMMENT {}", quote::string(comment)));
    }
    if index.invisible {
        sql.push(' ');
        sql.push_str(invisible_keyword(index, server, true)?);
    }
    Ok(sql)
}

fn invisible_keyword(
    index: &Index,
    server: &ServerVersion,
    hidden: bool,
) -> Result<&'static str, PlanError> {
    if !server.supports_invisible_index() {
        return Err(unsupported(
            format!("index {:?}", index.name),
            &format!("{server} cannot hide indexes from the optimizer"),
        ));
    }
    Ok(match (server.is_mariadb(), hidden) {
        (true, true) => "IGNORED",
        (true, false) => "NOT IGNORED",
        (false, true) => "INVISIBLE",
        (false, false) => "VISIBLE",
    })
}

fn action(clause: &str, action: ReferentialAction) -> String {
    match action {
        // InnoDB treats NO ACTION as RESTRICT; the inspector reports both as the default.
        ReferentialAction::NoAction | ReferentialAction::Restrict => String::new(),
        other => format!(" {clause} {}", other.sql()),
    }
}

/// `CONSTRAINT fk FOREIGN KEY (…) REFERENCES …`.
pub fn foreign_key_sql(key: &ForeignKey, scope: &Scope<'_>) -> String {
    let cols: Vec<String> = key.columns.iter().map(|c| quote::ident(c)).collect();
    let refs: Vec<String> = key.ref_columns.iter().map(|c| quote::ident(c)).collect();
    let ref_schema = key.ref_table.schema.as_deref().unwrap_or(scope.schema);
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){}{}",
        quote::ident(&key.name),
        cols.join(", "),
        quote::qualified(ref_schema, &key.ref_table.name, scope.unqualified),
        refs.join(", "),
        action("ON UPDATE", key.on_update),
        action("ON DELETE", key.on_delete),
    )
}

/// `CONSTRAINT c CHECK (…)`.
pub fn check_sql(check: &Check, server: &ServerVersion) -> Result<String, PlanError> {
    let mut sql = match &check.name {
        Some(name) => format!("CONSTRAINT {} CHECK ({})", quote::ident(name), check.expr),
        None => format!("CHECK ({})", check.expr),
    };
    if check.not_enforced {
        if !server.supports_not_enforced() {
            return Err(unsupported(
                format!("check ({})", check.expr),
                &format!("{server} always enforces checks"),
            ));
        }
        sql.push_str(" NOT ENFORCED");
    }
    Ok(sql)
}

/// Table options after the closing parenthesis of `CREATE TABLE`.
fn options_sql(table: &Table) -> Vec<String> {
    let mut options = Vec::new();
    let my = &table.mysql;
    if let Some(engine) = &my.engine {
        options.push(format!("ENGINE={engine}"));
    }
    if let Some(charset) = &my.charset {
        options.push(format!("DEFAULT CHARSET={charset}"));
    }
    if let Some(collation) = &my.collation {
        options.push(format!("COLLATE={collation}"));
    }
    if let Some(start) = my.auto_increment {
        options.push(format!("AUTO_INCREMENT={start}"));
    }
    if let Some(format) = &my.row_format {
        options.push(format!("ROW_FORMAT={format}"));
    }
    if let Some(comment) = &table.comment {
        options.push(format!("COMMENT={}", quote::string(comment)));
    }
    options
}

/// `CREATE TABLE` with every column, key, index and constraint inline.
pub fn create_table(table: &Table, scope: &Scope<'_>) -> Result<String, PlanError> {
    let server = scope.server;
    let mut lines = Vec::new();
    for column in &table.columns {
        lines.push(column_sql(column, server)?);
    }
    if let Some(key) = &table.primary_key {
        lines.push(primary_key_sql(key, server)?);
    }
    for index in &table.indexes {
        lines.push(index_sql(index, server)?);
    }
    for key in &table.foreign_keys {
        lines.push(foreign_key_sql(key, scope));
    }
    for check in &table.checks {
        lines.push(check_sql(check, server)?);
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n  {}\n)",
        scope.name(&table.name),
        lines.join(",\n  ")
    );
    let options = options_sql(table);
    if !options.is_empty() {
        sql.push(' ');
        sql.push_str(&options.join(" "));
    }
    if let Some(partition) = &table.mysql.partition {
        sql.push('\n');
        sql.push_str(partition);
    }
    Ok(sql)
}

fn position(table: &Table, column: &str) -> String {
    let at = table.columns.iter().position(|c| c.name == column);
    match at {
        Some(0) | None => " FIRST".to_owned(),
        Some(i) => format!(" AFTER {}", quote::ident(&table.columns[i - 1].name)),
    }
}

/// Whether an in-place `MODIFY COLUMN` can carry out the change: the servers refuse to
/// turn a stored column virtual (or back), or a plain column into a generated one.
fn needs_recreate(from: &Column, to: &Column) -> bool {
    match (&from.generated, &to.generated) {
        (None, None) => false,
        (Some(a), Some(b)) => a.stored != b.stored,
        _ => true,
    }
}

/// What one table change contributes to the grouped `ALTER TABLE`: clauses that must run
/// in a first statement (foreign-key and constraint drops that a re-add of the same name
/// would clash with) and clauses of the main statement.
#[derive(Default)]
pub struct AlterClauses {
    /// Clauses of the preparatory statement.
    pub first: Vec<String>,
    /// Clauses of the main statement.
    pub main: Vec<String>,
    /// Clauses of a statement that must follow the main one (columns restated after a
    /// `CONVERT TO CHARACTER SET`, which overrides column definitions in its own statement).
    pub after: Vec<String>,
    /// Notes for the statement comment (e.g. a rebuild).
    pub notes: Vec<String>,
    /// `REMOVE PARTITIONING`, run alone before everything else: the old partitioning may
    /// forbid the other changes (dropping a column its expression reads, a unique key
    /// without its columns, a foreign key).
    pub unpartition: Option<String>,
    /// `PARTITION BY …`, run alone after everything else: its expression may read columns
    /// and need keys the other statements add.
    pub partition: Option<String>,
}

impl AlterClauses {
    /// The clause groups in execution order; each becomes one `ALTER TABLE` statement.
    /// Partitioning is a table-level option that the servers take without a comma and
    /// only once per statement, hence groups of its own.
    pub fn groups(self) -> Vec<Vec<String>> {
        [
            self.unpartition.into_iter().collect(),
            self.first,
            self.main,
            self.after,
            self.partition.into_iter().collect(),
        ]
        .into_iter()
        .filter(|g: &Vec<String>| !g.is_empty())
        .collect()
    }
}

/// Renders a table's changes as `ALTER TABLE` clauses.
pub fn alter_clauses(
    from: &Table,
    to: &Table,
    changes: &[TableChange],
    scope: &Scope<'_>,
) -> Result<AlterClauses, PlanError> {
    let server = scope.server;
    let mut out = AlterClauses::default();
    let renamed_to: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            TableChange::RenameColumn { to, .. } => Some(to.as_str()),
            _ => None,
        })
        .collect();
    for change in changes {
        match change {
            TableChange::RenameColumn { from: old, to: new } => {
                let column = to.column(new).ok_or_else(|| {
                    unsupported(format!("rename of column {old:?}"), "target column missing")
                })?;
                out.main.push(format!(
                    "CHANGE COLUMN {} {}",
                    quote::ident(old),
                    column_sql(column, server)?
                ));
            }
            TableChange::AddColumn { column } => out.main.push(format!(
                "ADD COLUMN {}{}",
                column_sql(column, server)?,
                position(to, &column.name)
            )),
            TableChange::DropColumn { column } => {
                out.main
                    .push(format!("DROP COLUMN {}", quote::ident(&column.name)));
            }
            TableChange::ModifyColumn {
                from: before,
                to: after,
                ..
            } => {
                if renamed_to.contains(&after.name.as_str()) {
                    // CHANGE COLUMN above already wrote the full new definition.
                    continue;
                }
                if needs_recreate(before, after) {
                    out.main
                        .push(format!("DROP COLUMN {}", quote::ident(&before.name)));
                    out.main.push(format!(
                        "ADD COLUMN {}{}",
                        column_sql(after, server)?,
                        position(to, &after.name)
                    ));
                    out.notes
                        .push(format!("column {:?} is recreated", after.name));
                } else {
                    if let Some(note) = enum_note(&before.ty, &after.ty, &after.name) {
                        out.notes.push(note);
                    }
                    out.main
                        .push(format!("MODIFY COLUMN {}", column_sql(after, server)?));
                }
            }
            TableChange::AddPrimaryKey { key } => {
                out.main
                    .push(format!("ADD {}", primary_key_sql(key, server)?));
            }
            TableChange::DropPrimaryKey { .. } => out.main.push("DROP PRIMARY KEY".to_owned()),
            TableChange::ModifyPrimaryKey { to: key, .. } => {
                out.main.push("DROP PRIMARY KEY".to_owned());
                out.main
                    .push(format!("ADD {}", primary_key_sql(key, server)?));
            }
            TableChange::AddIndex { index } => {
                out.main.push(format!("ADD {}", index_sql(index, server)?));
            }
            TableChange::DropIndex { index } => {
                out.main
                    .push(format!("DROP INDEX {}", quote::ident(&index.name)));
            }
            TableChange::ModifyIndex { from: a, to: b } => {
                let only_visibility = Index {
                    invisible: b.invisible,
                    ..a.clone()
                } == *b;
                if only_visibility {
                    out.main.push(format!(
                        "ALTER INDEX {} {}",
                        quote::ident(&b.name),
                        invisible_keyword(b, server, b.invisible)?
                    ));
                } else {
                    out.main
                        .push(format!("DROP INDEX {}", quote::ident(&a.name)));
                    out.main.push(format!("ADD {}", index_sql(b, server)?));
                }
            }
            TableChange::AddForeignKey { key } => {
                out.main
                    .push(format!("ADD {}", foreign_key_sql(key, scope)));
            }
            TableChange::DropForeignKey { key } => {
                out.first
                    .push(format!("DROP FOREIGN KEY {}", quote::ident(&key.name)));
            }
            TableChange::ModifyForeignKey { from: a, to: b } => {
                out.first
                    .push(format!("DROP FOREIGN KEY {}", quote::ident(&a.name)));
                out.main.push(format!("ADD {}", foreign_key_sql(b, scope)));
            }
            TableChange::AddCheck { check } => {
                out.main.push(format!("ADD {}", check_sql(check, server)?));
            }
            TableChange::DropCheck { check } => out.first.push(drop_check(check, server)?),
            TableChange::ModifyCheck { from: a, to: b } => {
                out.first.push(drop_check(a, server)?);
                out.main.push(format!("ADD {}", check_sql(b, server)?));
            }
            TableChange::ModifyComment { to: comment, .. } => out.main.push(format!(
                "COMMENT {}",
                quote::string(comment.as_deref().unwrap_or(""))
            )),
            TableChange::ModifyOptions => {
                let (main, after) = option_clauses(from, to, server)?;
                out.main.extend(main);
                out.after.extend(after);
                partition_clauses(from, to, changes, &mut out);
            }
            TableChange::AddExclusion { .. }
            | TableChange::DropExclusion { .. }
            | TableChange::AddPolicy { .. }
            | TableChange::DropPolicy { .. }
            | TableChange::ModifyPolicy { .. } => {
                return Err(unsupported(
                    format!("change of table {:?}", to.name),
                    "exclusion constraints and policies do not exist in MySQL",
                ));
            }
        }
    }
    keep_implicit_indexes(to, changes, server, &mut out)?;
    Ok(out)
}

/// The server names the index it creates for a foreign key declared in `CREATE TABLE`
/// after the key's first column, and replaces such an implicit index by one named after
/// the constraint when a foreign key is added later. Recreating the index explicitly in
/// the same statement keeps its name.
fn keep_implicit_indexes(
    to: &Table,
    changes: &[TableChange],
    server: &ServerVersion,
    out: &mut AlterClauses,
) -> Result<(), PlanError> {
    let touched: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            TableChange::AddIndex { index } | TableChange::DropIndex { index } => {
                Some(index.name.as_str())
            }
            TableChange::ModifyIndex { to, .. } => Some(to.name.as_str()),
            _ => None,
        })
        .collect();
    let mut recreated: Vec<&str> = Vec::new();
    for change in changes {
        let key = match change {
            TableChange::AddForeignKey { key } | TableChange::ModifyForeignKey { to: key, .. } => {
                key
            }
            _ => continue,
        };
        let Some(first) = key.columns.first() else {
            continue;
        };
        for index in &to.indexes {
            let columns: Vec<&str> = index.column_names().collect();
            let covers = columns.len() >= key.columns.len()
                && columns.iter().zip(&key.columns).all(|(a, b)| *a == b);
            if covers
                && index.name == *first
                && index.name != key.name
                && !touched.contains(&index.name.as_str())
                && !recreated.contains(&index.name.as_str())
            {
                recreated.push(&index.name);
                out.main
                    .insert(0, format!("DROP INDEX {}", quote::ident(&index.name)));
                out.main.push(format!("ADD {}", index_sql(index, server)?));
            }
        }
    }
    Ok(())
}

fn drop_check(check: &Check, server: &ServerVersion) -> Result<String, PlanError> {
    let name = check.name.as_deref().ok_or_else(|| {
        unsupported(
            format!("drop of check ({})", check.expr),
            "the check has no name",
        )
    })?;
    // MySQL spells it DROP CHECK; MariaDB only knows DROP CONSTRAINT.
    Ok(if server.is_mariadb() {
        format!("DROP CONSTRAINT {}", quote::ident(name))
    } else {
        format!("DROP CHECK {}", quote::ident(name))
    })
}

/// Sets the partitioning statements of a change of partitioning. Both servers rebuild the
/// table and keep its rows; moving straight from one partitioning to another is one
/// rebuild, so it is used when nothing else about the table changes.
fn partition_clauses(from: &Table, to: &Table, changes: &[TableChange], out: &mut AlterClauses) {
    let (a, b) = (&from.mysql.partition, &to.mysql.partition);
    if a == b {
        return;
    }
    let others = changes.iter().any(|c| {
        !matches!(
            c,
            TableChange::ModifyOptions | TableChange::ModifyComment { .. }
        )
    });
    if a.is_some() && (b.is_none() || others) {
        out.unpartition = Some("REMOVE PARTITIONING".to_owned());
    }
    out.partition = b.clone();
    out.notes.push(match b {
        Some(_) => "repartitioning rebuilds the table".to_owned(),
        None => "removing partitioning rebuilds the table".to_owned(),
    });
}

fn option_clauses(
    from: &Table,
    to: &Table,
    server: &ServerVersion,
) -> Result<(Vec<String>, Vec<String>), PlanError> {
    let (a, b) = (&from.mysql, &to.mysql);
    let mut clauses = Vec::new();
    let mut after = Vec::new();
    if a.engine != b.engine
        && let Some(engine) = &b.engine
    {
        clauses.push(format!("ENGINE={engine}"));
    }
    if a.charset != b.charset || a.collation != b.collation {
        // Columns without their own collation follow the table's, so they are converted
        // with it (`DEFAULT` is the schema's character set). Conversion may also widen
        // TEXT types and overrides explicit column collations, so those columns are
        // restated in a following statement.
        clauses.push(match (&b.charset, &b.collation) {
            (Some(charset), Some(collation)) => {
                format!("CONVERT TO CHARACTER SET {charset} COLLATE {collation}")
            }
            (Some(charset), None) => format!("CONVERT TO CHARACTER SET {charset}"),
            (None, Some(collation)) => format!("COLLATE={collation}"),
            (None, None) => "CONVERT TO CHARACTER SET DEFAULT".to_owned(),
        });
        for column in &to.columns {
            let text_kind = matches!(
                column.ty,
                ColumnType::String {
                    string: schema_model::StringKind::Text
                        | schema_model::StringKind::TinyText
                        | schema_model::StringKind::MediumText,
                    ..
                }
            );
            if (column.collation.is_some() || text_kind) && column.generated.is_none() {
                after.push(format!("MODIFY COLUMN {}", column_sql(column, server)?));
            }
        }
    }
    if a.auto_increment != b.auto_increment
        && let Some(start) = b.auto_increment
    {
        clauses.push(format!("AUTO_INCREMENT={start}"));
    }
    if a.row_format != b.row_format {
        clauses.push(format!(
            "ROW_FORMAT={}",
            b.row_format.as_deref().unwrap_or("DEFAULT")
        ));
    }
    Ok((clauses, after))
}

/// Describes how an ENUM/SET change is carried out: appending values is an in-place
/// metadata change, inserting them in the middle renumbers the stored values and
/// rebuilds the table.
fn enum_note(from: &ColumnType, to: &ColumnType, column: &str) -> Option<String> {
    let (a, b) = match (from, to) {
        (ColumnType::Enum { values: a, .. }, ColumnType::Enum { values: b, .. })
        | (ColumnType::Set { values: a }, ColumnType::Set { values: b }) => (a, b),
        _ => return None,
    };
    if b.len() >= a.len() && b[..a.len()] == a[..] {
        None
    } else {
        Some(format!(
            "values of {column:?} inserted or reordered: rebuilds the table"
        ))
    }
}
