//! Keys, indexes, constraints and policies.

use schema_model::{
    Check, Deferrable, Exclusion, ForeignKey, Index, IndexPart, IndexTarget, NullsOrder, Policy,
    PolicyCommand, PrimaryKey,
};

use super::Builder;
use super::table::columns;
use crate::quote::ident;

/// One key part: `"col"` or `(expr)`, then collation, opclass, order.
pub(super) fn part(part: &IndexPart) -> String {
    let mut sql = match &part.target {
        IndexTarget::Column(c) => ident(c),
        IndexTarget::Expr(e) => format!("({e})"),
    };
    if let Some(collation) = &part.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(opclass) = &part.opclass {
        sql.push(' ');
        sql.push_str(opclass);
    }
    if part.desc {
        sql.push_str(" DESC");
    }
    match part.nulls {
        Some(NullsOrder::First) => sql.push_str(" NULLS FIRST"),
        Some(NullsOrder::Last) => sql.push_str(" NULLS LAST"),
        None => {}
    }
    sql
}

fn parts(parts: &[IndexPart]) -> String {
    parts.iter().map(part).collect::<Vec<_>>().join(", ")
}

/// `key = value` pairs of a `WITH (…)` clause.
pub(super) fn params(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn deferrable(d: Deferrable) -> &'static str {
    match d {
        Deferrable::Not => "",
        Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
        Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

fn include(columns_: &[String]) -> String {
    if columns_.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", columns(columns_))
    }
}

fn constraint_name(name: Option<&str>) -> String {
    name.map(|n| format!("CONSTRAINT {} ", ident(n)))
        .unwrap_or_default()
}

pub(super) fn primary_key(key: &PrimaryKey) -> String {
    format!(
        "{}PRIMARY KEY ({}){}{}",
        constraint_name(key.name.as_deref()),
        parts(&key.parts),
        include(&key.include),
        deferrable(key.deferrable)
    )
}

pub(super) fn unique_constraint(index: &Index) -> String {
    let mut sql = format!("{}UNIQUE ", constraint_name(Some(&index.name)));
    if index.nulls_not_distinct {
        sql.push_str("NULLS NOT DISTINCT ");
    }
    sql.push_str(&format!("({})", parts(&index.parts)));
    sql.push_str(&include(&index.include));
    if !index.storage_params.is_empty() {
        sql.push_str(&format!(" WITH ({})", params(&index.storage_params)));
    }
    sql.push_str(deferrable(index.deferrable));
    sql
}

pub(super) fn check(check: &Check) -> String {
    let mut sql = format!(
        "{}CHECK ({})",
        constraint_name(check.name.as_deref()),
        check.expr
    );
    if check.no_inherit {
        sql.push_str(" NO INHERIT");
    }
    sql
}

pub(super) fn exclusion(exclusion: &Exclusion) -> String {
    let elements: Vec<String> = exclusion
        .elements
        .iter()
        .map(|(p, op)| format!("{} WITH {op}", part(p)))
        .collect();
    let mut sql = format!(
        "{}EXCLUDE USING {} ({}){}",
        constraint_name(Some(&exclusion.name)),
        exclusion.method,
        elements.join(", "),
        include(&exclusion.include)
    );
    if let Some(predicate) = &exclusion.predicate {
        sql.push_str(&format!(" WHERE ({predicate})"));
    }
    sql.push_str(deferrable(exclusion.deferrable));
    sql
}

pub(super) fn foreign_key(b: &Builder<'_>, schema: &str, key: &ForeignKey) -> String {
    let target = b.name(
        key.ref_table.schema.as_deref().unwrap_or(schema),
        &key.ref_table.name,
    );
    let mut sql = format!(
        "{}FOREIGN KEY ({}) REFERENCES {target} ({})",
        constraint_name(Some(&key.name)),
        columns(&key.columns),
        columns(&key.ref_columns)
    );
    if key.match_full {
        sql.push_str(" MATCH FULL");
    }
    sql.push_str(&format!(
        " ON UPDATE {} ON DELETE {}",
        key.on_update.sql(),
        key.on_delete.sql()
    ));
    sql.push_str(deferrable(key.deferrable));
    sql
}

/// `CREATE INDEX`; `concurrently` builds it without blocking writes, outside the transaction.
pub(crate) fn create_index(
    b: &mut Builder<'_>,
    schema: &str,
    table: &str,
    index: &Index,
    concurrently: bool,
) {
    let mut sql = String::from("CREATE ");
    if index.unique {
        sql.push_str("UNIQUE ");
    }
    sql.push_str("INDEX ");
    if concurrently {
        sql.push_str("CONCURRENTLY ");
    }
    sql.push_str(&format!(
        "{} ON {}",
        ident(&index.name),
        b.name(schema, table)
    ));
    if let Some(method) = &index.method {
        sql.push_str(&format!(" USING {method}"));
    }
    sql.push_str(&format!(" ({})", parts(&index.parts)));
    sql.push_str(&include(&index.include));
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !index.storage_params.is_empty() {
        sql.push_str(&format!(" WITH ({})", params(&index.storage_params)));
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE ({predicate})"));
    }
    let comment = format!("Create index {:?} to table: {:?}", index.name, table);
    let reverse = Some(format!("DROP INDEX {}", b.name(schema, &index.name)));
    if concurrently {
        b.push_outside(sql, comment, reverse, false);
    } else {
        b.push(sql, comment, reverse);
    }
    if index.comment.is_some() {
        b.comment_on(
            format!("INDEX {}", b.name(schema, &index.name)),
            index.comment.as_deref(),
            format!(
                "Set comment to index: {:?} on table: {:?}",
                index.name, table
            ),
        );
    }
}

fn role(name: &str) -> String {
    if name == "public" {
        "PUBLIC".to_owned()
    } else {
        ident(name)
    }
}

pub(super) fn create_policy(b: &mut Builder<'_>, schema: &str, table: &str, policy: &Policy) {
    let command = match policy.command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    };
    let roles: Vec<String> = if policy.roles.is_empty() {
        vec!["PUBLIC".to_owned()]
    } else {
        policy.roles.iter().map(|r| role(r)).collect()
    };
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {command} TO {}",
        ident(&policy.name),
        b.name(schema, table),
        if policy.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        roles.join(", ")
    );
    if let Some(using) = &policy.using {
        sql.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK ({check})"));
    }
    b.push(
        sql,
        format!("Create policy {:?} on table: {:?}", policy.name, table),
        Some(format!(
            "DROP POLICY {} ON {}",
            ident(&policy.name),
            b.name(schema, table)
        )),
    );
    if policy.comment.is_some() {
        b.comment_on(
            format!(
                "POLICY {} ON {}",
                ident(&policy.name),
                b.name(schema, table)
            ),
            policy.comment.as_deref(),
            format!(
                "Set comment to policy: {:?} on table: {:?}",
                policy.name, table
            ),
        );
    }
}

pub(super) fn drop_policy(b: &mut Builder<'_>, schema: &str, table: &str, policy: &Policy) {
    b.push(
        format!(
            "DROP POLICY {} ON {}",
            ident(&policy.name),
            b.name(schema, table)
        ),
        format!("Drop policy {:?} on table: {:?}", policy.name, table),
        None,
    );
}
