//! Enums, domains, composite types and sequences.

use schema_diff::{Change, PlanError};
use schema_model::{Domain, EnumType};

use super::Builder;
use super::index;
use crate::quote::{ident, literal};
use crate::sequence;
use crate::types::render;

fn labels(values: &[String]) -> String {
    values
        .iter()
        .map(|v| literal(v))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn enumeration(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddEnum { schema, enum_type } => {
            let name = b.name(schema, &enum_type.name);
            b.push(
                format!("CREATE TYPE {name} AS ENUM ({})", labels(&enum_type.values)),
                format!("Create enum type {:?}", enum_type.name),
                Some(format!("DROP TYPE {name}")),
            );
            if enum_type.comment.is_some() {
                b.comment_on(
                    format!("TYPE {name}"),
                    enum_type.comment.as_deref(),
                    format!("Set comment to type: {:?}", enum_type.name),
                );
            }
        }
        Change::DropEnum { schema, enum_type } => b.push(
            format!("DROP TYPE {}", b.name(schema, &enum_type.name)),
            format!("Drop enum type {:?}", enum_type.name),
            None,
        ),
        Change::ModifyEnum {
            schema,
            from,
            to,
            added,
        } => {
            let name = b.name(schema, &to.name);
            if from.values != to.values {
                if added.is_empty() {
                    recreate_enum(b, schema, to);
                } else {
                    for (label, after) in added {
                        let position = match after {
                            Some(prev) => format!("AFTER {}", literal(prev)),
                            None => match from.values.first() {
                                Some(first) => format!("BEFORE {}", literal(first)),
                                None => String::new(),
                            },
                        };
                        // A label added in a transaction cannot be used before it
                        // commits, so it runs on its own ahead of what may use it.
                        b.push_outside(
                            format!("ALTER TYPE {name} ADD VALUE {} {position}", literal(label))
                                .trim_end()
                                .to_owned(),
                            format!("Add value to enum type: {:?}", to.name),
                            None,
                            true,
                        );
                    }
                }
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("TYPE {name}"),
                    to.comment.as_deref(),
                    format!("Set comment to type: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}

/// Labels removed or reordered: rename the old type away, create the new one, move every
/// column (found in the catalog at run time) over through text, drop the old type.
fn recreate_enum(b: &mut Builder<'_>, schema: &str, to: &EnumType) {
    let old_name = format!("{}__old", to.name);
    let name = b.name(schema, &to.name);
    let old = b.name(schema, &old_name);
    let comment = format!("Recreate enum type {:?}", to.name);
    b.push(
        format!("ALTER TYPE {name} RENAME TO {}", ident(&old_name)),
        comment.clone(),
        None,
    );
    b.push(
        format!("CREATE TYPE {name} AS ENUM ({})", labels(&to.values)),
        comment.clone(),
        None,
    );
    let body = format!(
        "DO $mercator$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT a.attrelid::regclass AS tbl, a.attname AS col, pg_get_expr(d.adbin, d.adrelid) AS def,\n    CASE WHEN a.atttypid = t.oid THEN '' ELSE '[]' END AS arr\n    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n    JOIN pg_class c ON c.oid = a.attrelid\n    JOIN pg_type t ON t.oid = {old_lit}::regtype\n    WHERE a.atttypid IN (t.oid, t.typarray) AND a.attinhcount = 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')\n  LOOP\n    IF r.def IS NOT NULL THEN\n      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', r.tbl, r.col);\n    END IF;\n    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE %s%s USING %I::text::%s%s', r.tbl, r.col, {new_lit}, r.arr, r.col, {new_lit}, r.arr);\n    IF r.def IS NOT NULL THEN\n      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', r.tbl, r.col, regexp_replace(r.def, '::[^'']+$', ''));\n    END IF;\n  END LOOP;\nEND\n$mercator$",
        old_lit = literal(&old),
        new_lit = literal(&name),
    );
    b.push(body, comment.clone(), None);
    b.push(format!("DROP TYPE {old}"), comment, None);
}

/// Moves every table column of the type `old` (found in the catalog at run time, with
/// arrays of it when `arrays`) to the type `new`, each value converted by `using`, in which
/// `@col@` stands for the column and `@arr@` for `[]` on array columns. A column's default
/// is dropped first and set again after, without the cast to the old type.
fn convert_columns(
    b: &mut Builder<'_>,
    old: &str,
    new: &str,
    using: &str,
    arrays: bool,
    comment: &str,
) {
    let types = if arrays {
        "(t.oid, t.typarray)"
    } else {
        "(t.oid)"
    };
    let body = format!(
        "DO $mercator$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT a.attrelid::regclass AS tbl, a.attname AS col, pg_get_expr(d.adbin, d.adrelid) AS def,\n    CASE WHEN a.atttypid = t.oid THEN '' ELSE '[]' END AS arr\n    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n    JOIN pg_class c ON c.oid = a.attrelid\n    JOIN pg_type t ON t.oid = {old_lit}::regtype\n    WHERE a.atttypid IN {types} AND a.attinhcount = 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')\n  LOOP\n    IF r.def IS NOT NULL THEN\n      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', r.tbl, r.col);\n    END IF;\n    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE %s%s USING %s', r.tbl, r.col, {new_lit}, r.arr,\n      replace(replace({using_lit}, '@col@', quote_ident(r.col)), '@arr@', r.arr));\n    IF r.def IS NOT NULL THEN\n      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', r.tbl, r.col, regexp_replace(r.def, '::[^'']+$', ''));\n    END IF;\n  END LOOP;\nEND\n$mercator$",
        old_lit = literal(old),
        new_lit = literal(new),
        using_lit = literal(using),
    );
    b.push(body, comment.to_owned(), None);
}

/// Base type or collation changed, which `ALTER DOMAIN` cannot do: rename the old domain
/// away, create the new one, move its columns over through text (the new domain's checks
/// then hold for every stored value), drop the old one. The differ drops what reads the
/// columns (views, rules, indexes, checks) before and recreates it after.
fn recreate_domain(b: &mut Builder<'_>, schema: &str, to: &Domain) {
    let old_name = format!("{}__old", to.name);
    let name = b.name(schema, &to.name);
    let old = b.name(schema, &old_name);
    let comment = format!("Recreate domain {:?}", to.name);
    b.push(
        format!("ALTER DOMAIN {name} RENAME TO {}", ident(&old_name)),
        comment.clone(),
        None,
    );
    b.push(
        format!("CREATE DOMAIN {name} {}", domain_body(b, schema, to)),
        comment.clone(),
        None,
    );
    convert_columns(
        b,
        &old,
        &name,
        &format!("@col@::text::{name}@arr@"),
        true,
        &comment,
    );
    b.push(format!("DROP DOMAIN {old}"), comment, None);
    if to.comment.is_some() {
        b.comment_on(
            format!("DOMAIN {name}"),
            to.comment.as_deref(),
            format!("Set comment to domain: {:?}", to.name),
        );
    }
}

fn domain_body(b: &Builder<'_>, schema: &str, domain: &Domain) -> String {
    let mut sql = format!("AS {}", render(&domain.ty, schema, b.unqualified()));
    if let Some(collation) = &domain.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(default) = &domain.default {
        sql.push_str(&format!(" DEFAULT {}", default.sql()));
    }
    if !domain.nullable {
        sql.push_str(" NOT NULL");
    }
    for check in &domain.checks {
        sql.push(' ');
        sql.push_str(&index::check(check));
    }
    sql
}

pub(super) fn domain(b: &mut Builder<'_>, change: &Change) -> Result<(), PlanError> {
    match change {
        Change::AddDomain { schema, domain } => {
            let name = b.name(schema, &domain.name);
            b.push(
                format!("CREATE DOMAIN {name} {}", domain_body(b, schema, domain)),
                format!("Create domain {:?}", domain.name),
                Some(format!("DROP DOMAIN {name}")),
            );
            if domain.comment.is_some() {
                b.comment_on(
                    format!("DOMAIN {name}"),
                    domain.comment.as_deref(),
                    format!("Set comment to domain: {:?}", domain.name),
                );
            }
        }
        Change::DropDomain { schema, domain } => b.push(
            format!("DROP DOMAIN {}", b.name(schema, &domain.name)),
            format!("Drop domain {:?}", domain.name),
            None,
        ),
        Change::ModifyDomain { schema, from, to } => {
            let name = b.name(schema, &to.name);
            if from.ty != to.ty || from.collation != to.collation {
                recreate_domain(b, schema, to);
                return Ok(());
            }
            let comment = format!("Modify domain {:?}", to.name);
            if from.default != to.default {
                let clause = match &to.default {
                    Some(d) => format!("SET DEFAULT {}", d.sql()),
                    None => "DROP DEFAULT".to_owned(),
                };
                b.push(
                    format!("ALTER DOMAIN {name} {clause}"),
                    comment.clone(),
                    None,
                );
            }
            if from.nullable != to.nullable {
                let clause = if to.nullable {
                    "DROP NOT NULL"
                } else {
                    "SET NOT NULL"
                };
                b.push(
                    format!("ALTER DOMAIN {name} {clause}"),
                    comment.clone(),
                    None,
                );
            }
            for check in from.checks.iter().filter(|c| !to.checks.contains(c)) {
                if let Some(n) = &check.name {
                    b.push(
                        format!("ALTER DOMAIN {name} DROP CONSTRAINT {}", ident(n)),
                        comment.clone(),
                        None,
                    );
                }
            }
            for check in to.checks.iter().filter(|c| !from.checks.contains(c)) {
                b.push(
                    format!("ALTER DOMAIN {name} ADD {}", index::check(check)),
                    comment.clone(),
                    None,
                );
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("DOMAIN {name}"),
                    to.comment.as_deref(),
                    format!("Set comment to domain: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

fn field_def(b: &Builder<'_>, schema: &str, field: &schema_model::CompositeField) -> String {
    let mut sql = format!(
        "{} {}",
        ident(&field.name),
        render(&field.ty, schema, b.unqualified())
    );
    if let Some(collation) = &field.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    sql
}

pub(super) fn composite(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddComposite { schema, composite } => {
            let name = b.name(schema, &composite.name);
            let fields: Vec<String> = composite
                .fields
                .iter()
                .map(|f| field_def(b, schema, f))
                .collect();
            b.push(
                format!("CREATE TYPE {name} AS ({})", fields.join(", ")),
                format!("Create composite type {:?}", composite.name),
                Some(format!("DROP TYPE {name}")),
            );
            if composite.comment.is_some() {
                b.comment_on(
                    format!("TYPE {name}"),
                    composite.comment.as_deref(),
                    format!("Set comment to type: {:?}", composite.name),
                );
            }
        }
        Change::DropComposite { schema, composite } => b.push(
            format!("DROP TYPE {}", b.name(schema, &composite.name)),
            format!("Drop composite type {:?}", composite.name),
            None,
        ),
        Change::ModifyComposite { schema, from, to }
            if from.fields.iter().any(|f| {
                to.fields
                    .iter()
                    .any(|t| t.name == f.name && (t.ty != f.ty || t.collation != f.collation))
            }) =>
        {
            recreate_composite(b, schema, from, to)
        }
        Change::ModifyComposite { schema, from, to } => {
            let name = b.name(schema, &to.name);
            let comment = format!("Modify composite type {:?}", to.name);
            for field in &from.fields {
                match to.fields.iter().find(|f| f.name == field.name) {
                    None => b.push(
                        format!("ALTER TYPE {name} DROP ATTRIBUTE {}", ident(&field.name)),
                        comment.clone(),
                        None,
                    ),
                    Some(new) if new != field => b.push(
                        format!(
                            "ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}",
                            ident(&new.name),
                            field_def(b, schema, new)
                                .split_once(' ')
                                .map(|(_, t)| t.to_owned())
                                .unwrap_or_default()
                        ),
                        comment.clone(),
                        None,
                    ),
                    Some(_) => {}
                }
            }
            for field in to
                .fields
                .iter()
                .filter(|f| !from.fields.iter().any(|o| o.name == f.name))
            {
                b.push(
                    format!(
                        "ALTER TYPE {name} ADD ATTRIBUTE {}",
                        field_def(b, schema, field)
                    ),
                    comment.clone(),
                    None,
                );
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("TYPE {name}"),
                    to.comment.as_deref(),
                    format!("Set comment to type: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}

/// Attributes change type, which PostgreSQL refuses while a column holds the type: rename
/// the old type away, create the new one, rebuild every column's values attribute by
/// attribute (new attributes NULL), drop the old type. Arrays of the type are not
/// converted (the old type's drop then fails and names them).
fn recreate_composite(
    b: &mut Builder<'_>,
    schema: &str,
    from: &schema_model::CompositeType,
    to: &schema_model::CompositeType,
) {
    let old_name = format!("{}__old", to.name);
    let name = b.name(schema, &to.name);
    let old = b.name(schema, &old_name);
    let comment = format!("Recreate composite type {:?}", to.name);
    b.push(
        format!("ALTER TYPE {name} RENAME TO {}", ident(&old_name)),
        comment.clone(),
        None,
    );
    let fields: Vec<String> = to.fields.iter().map(|f| field_def(b, schema, f)).collect();
    b.push(
        format!("CREATE TYPE {name} AS ({})", fields.join(", ")),
        comment.clone(),
        None,
    );
    let values: Vec<String> = to
        .fields
        .iter()
        .map(|f| {
            let ty = render(&f.ty, schema, b.unqualified());
            if from.fields.iter().any(|o| o.name == f.name) {
                format!("(@col@).{}::{ty}", ident(&f.name))
            } else {
                format!("NULL::{ty}")
            }
        })
        .collect();
    // `num_nulls` tells a NULL value from a row whose attributes are all NULL.
    let using = format!(
        "CASE WHEN num_nulls(@col@) = 1 THEN NULL ELSE ROW({})::{name} END",
        values.join(", ")
    );
    convert_columns(b, &old, &name, &using, false, &comment);
    b.push(format!("DROP TYPE {old}"), comment, None);
    if to.comment.is_some() {
        b.comment_on(
            format!("TYPE {name}"),
            to.comment.as_deref(),
            format!("Set comment to type: {:?}", to.name),
        );
    }
}

/// Ownership is given at the end of the plan, once the table exists, and taken away right
/// away, before a table drop could take the sequence with it.
fn owned_by(b: &mut Builder<'_>, schema: &str, seq: &schema_model::Sequence) {
    let name = b.name(schema, &seq.name);
    let comment = format!("Set owner of sequence {:?}", seq.name);
    match &seq.owned_by {
        Some((table, column)) => {
            let owner = format!("{}.{}", b.name(schema, table), ident(column));
            b.push_last(format!("ALTER SEQUENCE {name} OWNED BY {owner}"), comment);
        }
        None => b.push(
            format!("ALTER SEQUENCE {name} OWNED BY NONE"),
            comment,
            None,
        ),
    }
}

pub(super) fn sequence(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddSequence {
            schema,
            sequence: seq,
        } => {
            let name = b.name(schema, &seq.name);
            let mut sql = format!("CREATE SEQUENCE {name}");
            if let Some(ty) = &seq.ty {
                sql.push_str(&format!(" AS {}", render(ty, schema, b.unqualified())));
            }
            for clause in sequence::clauses(&seq.options) {
                sql.push(' ');
                sql.push_str(&clause);
            }
            b.push(
                sql,
                format!("Create sequence {:?}", seq.name),
                Some(format!("DROP SEQUENCE {name}")),
            );
            if seq.owned_by.is_some() {
                owned_by(b, schema, seq);
            }
            if seq.comment.is_some() {
                b.comment_on(
                    format!("SEQUENCE {name}"),
                    seq.comment.as_deref(),
                    format!("Set comment to sequence: {:?}", seq.name),
                );
            }
        }
        // A sequence owned by a dropped table is gone already.
        Change::DropSequence {
            schema,
            sequence: seq,
        } => b.push(
            format!("DROP SEQUENCE IF EXISTS {}", b.name(schema, &seq.name)),
            format!("Drop sequence {:?}", seq.name),
            None,
        ),
        Change::ModifySequence { schema, from, to } => {
            let name = b.name(schema, &to.name);
            let comment = format!("Modify sequence {:?}", to.name);
            // A narrower type waits until the bounds fit it; a wider one comes first so the
            // bounds can grow.
            let retype = (from.ty != to.ty).then(|| {
                let ty = to
                    .ty
                    .as_ref()
                    .map(|t| render(t, schema, b.unqualified()))
                    .unwrap_or_else(|| "bigint".to_owned());
                format!("ALTER SEQUENCE {name} AS {ty}")
            });
            let narrows_type = sequence::narrower(from.ty.as_ref(), to.ty.as_ref());
            if let Some(sql) = retype.clone().filter(|_| !narrows_type) {
                b.push(sql, comment.clone(), None);
            }
            if from.options != to.options || from.ty != to.ty {
                let (clauses, narrowing) = sequence::transition(
                    &from.options,
                    from.ty.as_ref(),
                    &to.options,
                    to.ty.as_ref(),
                );
                b.push(
                    format!("ALTER SEQUENCE {name} {}", clauses.join(" ")),
                    comment.clone(),
                    None,
                );
                if let Some(narrowing) = narrowing {
                    b.push(
                        narrowing.clamp(&format!("{}::regclass", literal(&name))),
                        comment.clone(),
                        None,
                    );
                    b.push(
                        format!("ALTER SEQUENCE {name} {}", narrowing.clauses().join(" ")),
                        comment.clone(),
                        None,
                    );
                }
            }
            if let Some(sql) = retype.filter(|_| narrows_type) {
                b.push(sql, comment.clone(), None);
            }
            if from.owned_by != to.owned_by {
                owned_by(b, schema, to);
            }
            if from.comment != to.comment {
                b.comment_on(
                    format!("SEQUENCE {name}"),
                    to.comment.as_deref(),
                    format!("Set comment to sequence: {:?}", to.name),
                );
            }
        }
        _ => {}
    }
}
