//! Reading a realm out of the catalogs. Metadata only: no query touches user rows.

mod constraints;
mod objects;
mod queries;
mod relations;

use std::collections::{BTreeMap, HashMap, HashSet};

use mercator_driver::DriverError;
use schema_model::{CompositeType, Realm, Schema, Table, View};
use tokio_postgres::types::FromSql;
use tokio_postgres::{Client, Row};

/// The table Atlas-compatible revision tracking keeps; never part of a user's schema.
pub(crate) const REVISIONS_TABLE: &str = "atlas_schema_revisions";

/// Objects read so far, keyed by catalog oid so later queries can attach to them.
#[derive(Default)]
pub(super) struct Collected {
    /// Oids of objects that belong to extensions, by catalog (`pg_class`, `pg_proc`, `pg_type`).
    pub extension_members: HashSet<(String, i64)>,
    pub tables: HashMap<i64, (String, Table)>,
    pub views: HashMap<i64, (String, View)>,
    pub composites: HashMap<i64, (String, CompositeType)>,
    pub schemas: BTreeMap<String, Schema>,
}

impl Collected {
    pub(super) fn is_extension_member(&self, class: &str, oid: i64) -> bool {
        self.extension_members.contains(&(class.to_owned(), oid))
    }

    pub(super) fn schema(&mut self, name: &str) -> Option<&mut Schema> {
        self.schemas.get_mut(name)
    }
}

/// Reads a column, turning a type mismatch into an inspection error instead of a panic.
pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, DriverError> {
    row.try_get(column).map_err(|e| DriverError::Inspect {
        message: format!("reading column {column}: {e}"),
        code: None,
        source: Some(mercator_driver::source(e)),
    })
}

pub(crate) fn inspect_error(e: tokio_postgres::Error) -> DriverError {
    if crate::driver::is_lost(&e) {
        return DriverError::ConnectionLost {
            message: crate::error::one_line(&e),
            applied: Vec::new(),
            source: Some(mercator_driver::source(e)),
        };
    }
    DriverError::Inspect {
        message: crate::error::one_line(&e),
        code: crate::driver::sqlstate(&e),
        source: Some(mercator_driver::source(e)),
    }
}

pub(super) async fn query(
    client: &Client,
    sql: &str,
    schemas: &[String],
) -> Result<Vec<Row>, DriverError> {
    client.query(sql, &[&schemas]).await.map_err(inspect_error)
}

/// Inspects `selected` schemas (all user schemas when empty), leaving out `exclude_tables`.
pub(crate) async fn inspect(
    client: &Client,
    selected: &[String],
    exclude_tables: &[String],
) -> Result<Realm, DriverError> {
    let mut collected = Collected::default();
    for row in client
        .query(queries::SCHEMAS, &[])
        .await
        .map_err(inspect_error)?
    {
        let name: String = get(&row, "nspname")?;
        let wanted = if selected.is_empty() {
            name != REVISIONS_TABLE
        } else {
            selected.contains(&name)
        };
        if wanted {
            let mut schema = Schema::new(&name);
            schema.comment = get(&row, "comment")?;
            collected.schemas.insert(name, schema);
        }
    }
    let names: Vec<String> = collected.schemas.keys().cloned().collect();
    for row in client
        .query(queries::EXTENSION_MEMBERS, &[])
        .await
        .map_err(inspect_error)?
    {
        collected
            .extension_members
            .insert((get(&row, "class")?, get(&row, "oid")?));
    }

    relations::inspect(client, &names, exclude_tables, &mut collected).await?;
    constraints::inspect(client, &names, &mut collected).await?;
    objects::inspect(client, &names, &mut collected).await?;
    let extensions = objects::extensions(client, &names).await?;
    let routine_uses = objects::routine_uses(client, &names).await?;

    let Collected {
        tables,
        views,
        composites,
        mut schemas,
        ..
    } = collected;
    for (schema, table) in tables.into_values() {
        if let Some(s) = schemas.get_mut(&schema) {
            s.tables.push(table);
        }
    }
    for (schema, view) in views.into_values() {
        if let Some(s) = schemas.get_mut(&schema) {
            s.views.push(view);
        }
    }
    for (schema, composite) in composites.into_values() {
        if let Some(s) = schemas.get_mut(&schema) {
            s.composites.push(composite);
        }
    }
    // Catalog order is name order everywhere; hash maps above lost it for these three.
    for schema in schemas.values_mut() {
        schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
        schema.views.sort_by(|a, b| a.name.cmp(&b.name));
        schema.composites.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut realm = Realm::new(schemas.into_values().collect());
    realm.extensions = extensions;
    realm.routine_uses = routine_uses;
    Ok(realm)
}
