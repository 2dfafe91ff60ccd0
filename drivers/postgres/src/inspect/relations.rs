//! Tables, views, composite types, their columns, and sequences.

use std::collections::HashMap;

use mercator_driver::DriverError;
use schema_model::{
    CheckOption, Column, CompositeField, CompositeType, DefaultValue, Generated, Identity,
    IdentityGeneration, IndexPart, PartitionKey, QualifiedName, Sequence, Table, View,
};
use tokio_postgres::{Client, Row};

use super::{Collected, get, queries, query, query_in};
use crate::quote::{is_identifier, split_top_level, unquote};
use crate::sequence::{RawOptions, normalize};
use crate::types::{CatalogType, TypeKind, from_catalog, parse_builtin};

pub(super) async fn inspect(
    client: &Client,
    schemas: &[String],
    exclude_tables: &[String],
    collected: &mut Collected,
) -> Result<(), DriverError> {
    for row in query(client, queries::RELATIONS, schemas).await? {
        relation(&row, exclude_tables, collected)?;
    }
    let identities = sequences(client, schemas, collected).await?;
    for row in query(client, &queries::columns(), schemas).await? {
        column(&row, &identities, collected)?;
    }
    Ok(())
}

/// The tables named `names` in `schemas` (a scoped read) and their columns; no views,
/// composite types or standalone sequences. Returns the oids of the tables read.
pub(super) async fn inspect_tables(
    client: &Client,
    schemas: &[String],
    names: &[String],
    exclude_tables: &[String],
    collected: &mut Collected,
) -> Result<Vec<u32>, DriverError> {
    let scope = queries::RELATIONS_SCOPE;
    for row in query_in(client, queries::RELATIONS, scope, schemas, Some(names)).await? {
        relation(&row, exclude_tables, collected)?;
    }
    let oids = collected.table_oids()?;
    if oids.is_empty() {
        return Ok(oids);
    }
    let mut identities = HashMap::new();
    for row in client
        .query(queries::IDENTITY_SEQUENCES, &[&oids])
        .await
        .map_err(super::inspect_error)?
    {
        let (_, options) = sequence_options(&row)?;
        let relid: i64 = get(&row, "owner_relid")?;
        let attnum: i32 = get(&row, "owner_attnum")?;
        identities.insert((relid, attnum as i16), options);
    }
    let scope = queries::COLUMNS_SCOPE;
    for row in query_in(client, &queries::columns(), scope, schemas, Some(&oids)).await? {
        column(&row, &identities, collected)?;
    }
    Ok(oids)
}

/// `key=value` reloptions as sorted pairs.
pub(super) fn options(raw: Vec<String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = raw
        .into_iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (o, String::new()),
        })
        .collect();
    out.sort();
    out
}

fn qualified_in(schema: String, name: String, owner: &str) -> QualifiedName {
    if schema == owner {
        QualifiedName::bare(name)
    } else {
        QualifiedName::qualified(schema, name)
    }
}

/// Parses `RANGE (a, lower(b))` as printed by `pg_get_partkeydef`.
fn partition_key(text: &str) -> Option<PartitionKey> {
    let (strategy, rest) = text.split_once(' ')?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let parts = split_top_level(inner)
        .into_iter()
        .map(|p| {
            if is_identifier(&p) {
                IndexPart::column(unquote(&p))
            } else {
                IndexPart::expr(p)
            }
        })
        .collect();
    Some(PartitionKey {
        strategy: strategy.to_lowercase(),
        parts,
    })
}

fn relation(
    row: &Row,
    exclude_tables: &[String],
    collected: &mut Collected,
) -> Result<(), DriverError> {
    let oid: i64 = get(row, "oid")?;
    let schema: String = get(row, "schema")?;
    let name: String = get(row, "name")?;
    let kind: String = get(row, "kind")?;
    if collected.is_extension_member("pg_class", oid) {
        return Ok(());
    }
    if (kind == "r" || kind == "p")
        && (name == super::REVISIONS_TABLE || exclude_tables.contains(&name))
    {
        return Ok(());
    }
    let comment: Option<String> = get(row, "comment")?;
    let reloptions = options(get(row, "options")?);
    match kind.as_str() {
        "r" | "p" => {
            let mut table = Table::new(&name);
            table.comment = comment;
            let pg = &mut table.postgres;
            pg.unlogged = get::<String>(row, "persistence")? == "u";
            pg.rls_enabled = get(row, "rls")?;
            pg.rls_forced = get(row, "rls_forced")?;
            pg.storage_params = reloptions;
            if let Some(key) = get::<Option<String>>(row, "partkey")? {
                pg.partition_key = partition_key(&key);
            }
            let parent_schemas: Vec<String> = get(row, "parent_schemas")?;
            let parent_names: Vec<String> = get(row, "parent_names")?;
            let mut parents: Vec<QualifiedName> = parent_schemas
                .into_iter()
                .zip(parent_names)
                .map(|(s, n)| qualified_in(s, n, &schema))
                .collect();
            if get::<bool>(row, "is_partition")? {
                let bound: Option<String> = get(row, "bound")?;
                if let (Some(parent), Some(bound)) = (parents.first().cloned(), bound) {
                    pg.partition_of = Some((parent, bound));
                    parents.clear();
                }
            }
            pg.inherits = parents;
            collected.tables.insert(oid, (schema, table));
        }
        "v" | "m" => {
            let definition: String = get::<Option<String>>(row, "definition")?.unwrap_or_default();
            let mut view = View::new(&name, clean_definition(&definition));
            view.materialized = kind == "m";
            view.comment = comment;
            for (key, value) in reloptions {
                match (key.as_str(), value.as_str()) {
                    ("check_option", "local") => view.check_option = Some(CheckOption::Local),
                    ("check_option", "cascaded") => view.check_option = Some(CheckOption::Cascaded),
                    ("security_invoker", v) => {
                        view.security_invoker = matches!(v, "true" | "on" | "1")
                    }
                    _ => {}
                }
            }
            collected.views.insert(oid, (schema, view));
        }
        "c" => {
            let reltype: i64 = get(row, "reltype")?;
            if collected.is_extension_member("pg_type", reltype) {
                return Ok(());
            }
            let composite = CompositeType {
                name,
                fields: Vec::new(),
                comment: get(row, "type_comment")?,
            };
            collected.composites.insert(oid, (schema, composite));
        }
        _ => {}
    }
    Ok(())
}

/// A view's query as stored: `pg_get_viewdef` starts with a space and ends with `;`.
fn clean_definition(text: &str) -> String {
    text.trim().trim_end_matches(';').trim_end().to_owned()
}

/// Spelling of a default: literals are constants the server keeps as typed text.
pub(super) fn default_value(text: String) -> DefaultValue {
    let first = text.chars().next().unwrap_or(' ');
    let literal = first == '\''
        || first.is_ascii_digit()
        || (first == '-' && text[1..].starts_with(|c: char| c.is_ascii_digit()))
        || text == "true"
        || text == "false"
        || text == "NULL";
    if literal {
        DefaultValue::Literal(text)
    } else {
        DefaultValue::Expr(text)
    }
}

pub(super) fn catalog_type(
    row: &Row,
    dims: i32,
    owner: &str,
) -> Result<schema_model::ColumnType, DriverError> {
    let formatted: String = get(row, "formatted")?;
    let kind: String = get(row, "kind")?;
    let type_schema: String = get(row, "type_schema")?;
    let type_name: String = get(row, "type_name")?;
    let is_array: bool = get(row, "is_array")?;
    let ty = CatalogType {
        formatted: &formatted,
        kind: TypeKind::from_typtype(&kind),
        schema: &type_schema,
        name: &type_name,
        dimensions: if is_array { dims.max(1) as u32 } else { 0 },
    };
    Ok(from_catalog(&ty, owner))
}

fn column(
    row: &Row,
    identities: &HashMap<(i64, i16), schema_model::SequenceOptions>,
    collected: &mut Collected,
) -> Result<(), DriverError> {
    let relid: i64 = get(row, "relid")?;
    let attnum: i16 = get(row, "attnum")?;
    let name: String = get(row, "attname")?;
    let dims: i32 = get(row, "attndims")?;
    let collation: Option<String> = get(row, "collation")?;
    collected.attnames.insert((relid, attnum), name.clone());
    if let Some((schema, composite)) = collected.composites.get_mut(&relid) {
        composite.fields.push(CompositeField {
            name,
            ty: catalog_type(row, dims, schema)?,
            collation,
        });
        return Ok(());
    }
    let Some((schema, table)) = collected.tables.get_mut(&relid) else {
        return Ok(());
    };
    // Partitions and children keep the columns they only inherit, marked: they are not
    // declared again, but the child's own default and NOT NULL on them are its own.
    let has_parent = table.postgres.partition_of.is_some() || !table.postgres.inherits.is_empty();
    let inherited = has_parent && !get::<bool>(row, "attislocal")?;
    let mut column = Column::new(name, catalog_type(row, dims, schema)?);
    column.inherited = inherited;
    column.nullable = !get::<bool>(row, "attnotnull")?;
    column.collation = collation;
    column.comment = get(row, "comment")?;
    let default: Option<String> = get(row, "default_expr")?;
    let generated: String = get(row, "generated")?;
    if generated == "s" {
        column.generated = default.map(|expr| Generated { expr, stored: true });
    } else {
        column.default = default.map(default_value);
    }
    let identity: String = get(row, "identity")?;
    if identity == "a" || identity == "d" {
        column.identity = Some(Identity {
            generation: if identity == "a" {
                IdentityGeneration::Always
            } else {
                IdentityGeneration::ByDefault
            },
            sequence: identities
                .get(&(relid, attnum))
                .cloned()
                .unwrap_or_default(),
        });
    }
    table.columns.push(column);
    Ok(())
}

/// Standalone sequences go into their schemas; identity sequences are returned by column.
async fn sequences(
    client: &Client,
    schemas: &[String],
    collected: &mut Collected,
) -> Result<HashMap<(i64, i16), schema_model::SequenceOptions>, DriverError> {
    let mut identities = HashMap::new();
    for row in query(client, queries::SEQUENCES, schemas).await? {
        let oid: i64 = get(&row, "oid")?;
        if collected.is_extension_member("pg_class", oid) {
            continue;
        }
        let (ty, options) = sequence_options(&row)?;
        let deptype: Option<String> = get(&row, "deptype")?;
        if deptype.as_deref() == Some("i") {
            let relid: i64 = get(&row, "owner_relid")?;
            let attnum: i32 = get(&row, "owner_attnum")?;
            identities.insert((relid, attnum as i16), options);
            continue;
        }
        let schema: String = get(&row, "schema")?;
        let name: String = get(&row, "name")?;
        let comment: Option<String> = get(&row, "comment")?;
        let owner_schema: Option<String> = get(&row, "owner_schema")?;
        let owned_by = match (
            owner_schema,
            get::<Option<String>>(&row, "owner_table")?,
            get::<Option<String>>(&row, "owner_column")?,
        ) {
            (Some(s), Some(t), Some(c)) if s == schema => Some((t, c)),
            _ => None,
        };
        // A sequence that `serial` would have made is part of its column, not an object of
        // its own: the column's `nextval` default renders back as `serial`.
        if let Some((table, column)) = &owned_by
            && deptype.as_deref() == Some("a")
            && comment.is_none()
            && options == schema_model::SequenceOptions::default()
            && crate::serial::is_serial_sequence(&name, table, column)
        {
            continue;
        }
        let sequence = Sequence {
            name,
            ty: (ty != schema_model::ColumnType::int(schema_model::IntWidth::Big)).then_some(ty),
            options,
            owned_by,
            comment,
        };
        if let Some(s) = collected.schema(&schema) {
            s.sequences.push(sequence);
        }
    }
    Ok(identities)
}

/// A sequence row's type and options, as the model keeps them.
fn sequence_options(
    row: &Row,
) -> Result<(schema_model::ColumnType, schema_model::SequenceOptions), DriverError> {
    let ty = parse_builtin(&get::<String>(row, "type")?);
    let raw = RawOptions {
        start: get(row, "seqstart")?,
        increment: get(row, "seqincrement")?,
        min: get(row, "seqmin")?,
        max: get(row, "seqmax")?,
        cache: get(row, "seqcache")?,
        cycle: get(row, "seqcycle")?,
    };
    let options = normalize(&raw, Some(&ty));
    Ok((ty, options))
}
