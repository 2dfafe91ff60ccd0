//! Routines, triggers, enums, domains, collations and extensions.

use mercator_driver::DriverError;
use schema_model::{
    Check, Collation, CollationProvider, Domain, EnumType, Extension, Routine, RoutineKind,
    RoutineReader, RoutineUse, Rule, Trigger,
};
use tokio_postgres::Client;

use super::constraints::check_expr;
use super::relations::{catalog_type, default_value};
use super::{Collected, get, queries, query, query_in};

pub(super) async fn inspect(
    client: &Client,
    schemas: &[String],
    collected: &mut Collected,
) -> Result<(), DriverError> {
    for row in query(client, queries::ROUTINES, schemas).await? {
        if collected.is_extension_member("pg_proc", get(&row, "oid")?) {
            continue;
        }
        let schema: String = get(&row, "schema")?;
        let definition: String = get(&row, "definition")?;
        let qualified: String = get(&row, "qualified")?;
        let bare: String = get(&row, "bare")?;
        // The server always qualifies the routine's own name; leaving the schema out keeps
        // the definition equal across schemas (a dev schema and its target).
        let definition = crate::definition::unqualify(&definition, &qualified, &bare, "(");
        let routine = Routine {
            name: get(&row, "name")?,
            kind: if get::<String>(&row, "kind")? == "p" {
                RoutineKind::Procedure
            } else {
                RoutineKind::Function
            },
            args: get(&row, "args")?,
            returns: get(&row, "returns")?,
            language: get(&row, "language")?,
            definition: definition.trim_end().to_owned(),
            comment: get(&row, "comment")?,
        };
        if let Some(s) = collected.schema(&schema) {
            s.routines.push(routine);
        }
    }
    triggers(client, schemas, None, collected).await?;
    for row in query(client, queries::ENUMS, schemas).await? {
        if collected.is_extension_member("pg_type", get(&row, "oid")?) {
            continue;
        }
        let schema: String = get(&row, "schema")?;
        let enum_type = EnumType {
            name: get(&row, "name")?,
            values: get(&row, "labels")?,
            comment: get(&row, "comment")?,
        };
        if let Some(s) = collected.schema(&schema) {
            s.enums.push(enum_type);
        }
    }
    for row in query(client, &queries::domains(), schemas).await? {
        if collected.is_extension_member("pg_type", get(&row, "oid")?) {
            continue;
        }
        let schema: String = get(&row, "schema")?;
        let names: Vec<String> = get(&row, "check_names")?;
        let defs: Vec<String> = get(&row, "check_defs")?;
        let domain = Domain {
            name: get(&row, "name")?,
            ty: catalog_type(&row, 1, &schema)?,
            nullable: !get::<bool>(&row, "typnotnull")?,
            default: get::<Option<String>>(&row, "typdefault")?.map(default_value),
            collation: get(&row, "collation")?,
            checks: names
                .into_iter()
                .zip(defs)
                .map(|(name, def)| Check {
                    name: Some(name),
                    expr: check_expr(&def),
                    no_inherit: false,
                    not_enforced: false,
                })
                .collect(),
            comment: get(&row, "comment")?,
        };
        if let Some(s) = collected.schema(&schema) {
            s.domains.push(domain);
        }
    }
    rules(client, schemas, None, collected).await?;
    for row in query(client, queries::COLLATIONS, schemas).await? {
        if collected.is_extension_member("pg_collation", get(&row, "oid")?) {
            continue;
        }
        let schema: String = get(&row, "schema")?;
        let name: String = get(&row, "name")?;
        let Some(collation) = collation(&row, name)? else {
            continue;
        };
        if let Some(s) = collected.schema(&schema) {
            s.collations.push(collation);
        }
    }
    Ok(())
}

/// Triggers of the selected schemas, or with `relations` (a scoped read) only those on
/// relations of these names.
pub(super) async fn triggers(
    client: &Client,
    schemas: &[String],
    relations: Option<&[String]>,
    collected: &mut Collected,
) -> Result<(), DriverError> {
    for row in query_in(
        client,
        queries::TRIGGERS,
        queries::TRIGGERS_SCOPE,
        schemas,
        relations,
    )
    .await?
    {
        let schema: String = get(&row, "schema")?;
        let trigger = Trigger {
            name: get(&row, "name")?,
            on: get(&row, "on_name")?,
            definition: crate::definition::unqualify(
                &get::<String>(&row, "definition")?,
                &format!(" ON {}", get::<String>(&row, "qualified")?),
                &format!(" ON {}", get::<String>(&row, "bare")?),
                " ",
            ),
            constraint: get(&row, "is_constraint")?,
            disabled: get(&row, "disabled")?,
            comment: get(&row, "comment")?,
        };
        if let Some(s) = collected.schema(&schema) {
            s.triggers.push(trigger);
        }
    }
    Ok(())
}

/// Rules of the selected schemas, or with `relations` (a scoped read) only those on
/// relations of these names.
pub(super) async fn rules(
    client: &Client,
    schemas: &[String],
    relations: Option<&[String]>,
    collected: &mut Collected,
) -> Result<(), DriverError> {
    for row in query_in(
        client,
        queries::RULES,
        queries::RULES_SCOPE,
        schemas,
        relations,
    )
    .await?
    {
        let schema: String = get(&row, "schema")?;
        let rule = Rule {
            name: get(&row, "name")?,
            on: get(&row, "on_name")?,
            // Left unqualified like triggers, so definitions compare equal across schemas.
            definition: crate::definition::unqualify(
                &get::<String>(&row, "definition")?,
                &format!(" TO {}", get::<String>(&row, "qualified")?),
                &format!(" TO {}", get::<String>(&row, "bare")?),
                "",
            ),
            comment: get(&row, "comment")?,
        };
        if let Some(s) = collected.schema(&schema) {
            s.rules.push(rule);
        }
    }
    Ok(())
}

/// A collation row as the model holds it; `None` for the `default` provider, which only
/// the database's own default collation uses.
fn collation(row: &tokio_postgres::Row, name: String) -> Result<Option<Collation>, DriverError> {
    let provider = match get::<String>(row, "provider")?.as_str() {
        "c" => CollationProvider::Libc,
        "i" => CollationProvider::Icu,
        "b" => CollationProvider::Builtin,
        _ => return Ok(None),
    };
    let lc_collate: Option<String> = get(row, "lc_collate")?;
    let lc_ctype: Option<String> = get(row, "lc_ctype")?;
    let mut collation = Collation {
        name,
        provider,
        locale: None,
        lc_collate: None,
        lc_ctype: None,
        rules: get(row, "rules")?,
        nondeterministic: !get::<bool>(row, "deterministic")?,
        comment: get(row, "comment")?,
    };
    match provider {
        // `CREATE COLLATION … (LOCALE = x)` sets both; keeping them apart only when they
        // differ makes both spellings inspect the same.
        CollationProvider::Libc if lc_collate == lc_ctype => collation.locale = lc_collate,
        CollationProvider::Libc => {
            collation.lc_collate = lc_collate;
            collation.lc_ctype = lc_ctype;
        }
        // Before PostgreSQL 15, ICU kept its locale in `collcollate`.
        _ => collation.locale = get::<Option<String>>(row, "locale")?.or(lc_collate),
    }
    Ok(Some(collation))
}

pub(super) async fn extensions(
    client: &Client,
    schemas: &[String],
) -> Result<Vec<Extension>, DriverError> {
    let mut out = Vec::new();
    for row in query(client, queries::EXTENSIONS, schemas).await? {
        out.push(Extension {
            name: get(&row, "extname")?,
            schema: get(&row, "nspname")?,
            version: get(&row, "extversion")?,
            comment: get(&row, "comment")?,
        });
    }
    Ok(out)
}

/// Which objects of the selected schemas read which of their routines (`pg_depend`).
pub(super) async fn routine_uses(
    client: &Client,
    schemas: &[String],
) -> Result<Vec<RoutineUse>, DriverError> {
    let mut out = Vec::new();
    for row in query(client, queries::ROUTINE_USES, schemas).await? {
        let reader = match get::<String>(&row, "kind")?.as_str() {
            "view" => RoutineReader::View,
            "rule" => RoutineReader::Rule,
            "default" => RoutineReader::Default,
            "check" => RoutineReader::Check,
            "index" => RoutineReader::Index,
            "trigger" => RoutineReader::Trigger,
            "policy" => RoutineReader::Policy,
            "domain" => RoutineReader::Domain,
            _ => continue,
        };
        out.push(RoutineUse {
            reader,
            schema: get(&row, "schema")?,
            owner: get(&row, "owner")?,
            name: get(&row, "name")?,
            routine_schema: get(&row, "routine_schema")?,
            routine: get(&row, "routine")?,
        });
    }
    Ok(out)
}
