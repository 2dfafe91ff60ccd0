//! Reading a realm out of the catalogs. Metadata only: no query touches user rows.

mod constraints;
mod objects;
mod queries;
mod relations;

use std::collections::{BTreeMap, HashMap, HashSet};

use mercator_driver::DriverError;
use schema_model::{CompositeType, Realm, Schema, Table, View};
use tokio_postgres::types::{FromSql, ToSql};
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
    /// Column names by (relation oid, attribute number), for naming index keys.
    pub attnames: HashMap<(i64, i16), String>,
}

impl Collected {
    pub(super) fn is_extension_member(&self, class: &str, oid: i64) -> bool {
        self.extension_members.contains(&(class.to_owned(), oid))
    }

    pub(super) fn schema(&mut self, name: &str) -> Option<&mut Schema> {
        self.schemas.get_mut(name)
    }

    /// The oids of the tables read so far, in order, for queries scoped to them.
    fn table_oids(&self) -> Result<Vec<u32>, DriverError> {
        let mut oids = self
            .tables
            .keys()
            .map(|&oid| {
                u32::try_from(oid).map_err(|_| DriverError::Inspect {
                    message: format!("relation oid {oid} out of range"),
                    code: None,
                    source: None,
                })
            })
            .collect::<Result<Vec<u32>, DriverError>>()?;
        oids.sort_unstable();
        Ok(oids)
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

/// Runs a query of the full read (`$1` the schemas), or with `scope` its narrowed form:
/// [`queries::scoped`] adds `condition`, which reads `$2`, the scope's values (the tables'
/// oids, or relation names).
pub(super) async fn query_in<T: ToSql + Sync>(
    client: &Client,
    sql: &str,
    condition: &str,
    schemas: &[String],
    scope: Option<&[T]>,
) -> Result<Vec<Row>, DriverError> {
    match scope {
        None => query(client, sql, schemas).await,
        Some(values) => client
            .query(&queries::scoped(sql, condition), &[&schemas, &values])
            .await
            .map_err(inspect_error),
    }
}

/// Inspects `selected` schemas (all user schemas when empty), leaving out `exclude_tables`.
/// With `only_tables`, a scoped read: only the tables of these names, with what belongs to
/// them, and the triggers and rules on relations of these names (see
/// [`mercator_driver::InspectOptions::only_tables`]).
pub(crate) async fn inspect(
    client: &Client,
    selected: &[String],
    exclude_tables: &[String],
    only_tables: Option<&[String]>,
) -> Result<Realm, DriverError> {
    let jit = JitOff::set(client).await?;
    let realm = match only_tables {
        None => inspect_catalogs(client, selected, exclude_tables).await,
        Some(names) => inspect_tables(client, selected, exclude_tables, names).await,
    };
    jit.restore(client).await;
    realm
}

/// The session's `jit` setting, switched off while the catalogs are read. The catalog
/// queries are estimated expensive enough on large catalogs (thousands of tables, as in a
/// database of tenant schemas) that the server JIT-compiles them, which takes longer than
/// running them: over half of the index query's time on 1,000 schemas went to compiling.
struct JitOff {
    previous: Option<String>,
}

impl JitOff {
    async fn set(client: &Client) -> Result<JitOff, DriverError> {
        // `current_setting(…, true)` is NULL on servers without JIT (before 11).
        let row = client
            .query_one("SELECT current_setting('jit', true)", &[])
            .await
            .map_err(inspect_error)?;
        let previous: Option<String> = get(&row, "current_setting")?;
        let previous = previous.filter(|value| value != "off");
        if previous.is_some() {
            client
                .batch_execute("SET jit = off")
                .await
                .map_err(inspect_error)?;
        }
        Ok(JitOff { previous })
    }

    /// Puts the setting back. A failure here means the connection is gone, which the
    /// next statement reports; the inspection's own outcome is what the caller needs.
    async fn restore(self, client: &Client) {
        if let Some(value) = self.previous
            && let Err(e) = client
                .query_one("SELECT set_config('jit', $1, false)", &[&value])
                .await
        {
            tracing::debug!("restoring jit = {value} after inspection: {e}");
        }
    }
}

async fn inspect_catalogs(
    client: &Client,
    selected: &[String],
    exclude_tables: &[String],
) -> Result<Realm, DriverError> {
    let mut collected = Collected::default();
    let selected: HashSet<&str> = selected.iter().map(String::as_str).collect();
    for row in client
        .query(queries::SCHEMAS, &[])
        .await
        .map_err(inspect_error)?
    {
        let name: String = get(&row, "nspname")?;
        let wanted = if selected.is_empty() {
            name != REVISIONS_TABLE
        } else {
            selected.contains(name.as_str())
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
    constraints::inspect(client, &names, None, &mut collected).await?;
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
    place_tables(tables, &mut schemas);
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
        schema.views.sort_by(|a, b| a.name.cmp(&b.name));
        schema.composites.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut realm = Realm::new(schemas.into_values().collect());
    realm.extensions = extensions;
    realm.routine_uses = routine_uses;
    Ok(realm)
}

/// A scoped read. Every query is narrowed on the server, to the tables' names first and
/// then to their oids, so its cost follows the tables read, not the schemas' size; the
/// row handlers are the full read's, so a table reads the same either way.
async fn inspect_tables(
    client: &Client,
    selected: &[String],
    exclude_tables: &[String],
    names: &[String],
) -> Result<Realm, DriverError> {
    let mut collected = Collected::default();
    for row in client
        .query(queries::SCOPED_SCHEMAS, &[&selected])
        .await
        .map_err(inspect_error)?
    {
        let name: String = get(&row, "nspname")?;
        // As in the full read: a read of every schema leaves out the revisions schema.
        if !selected.is_empty() || name != REVISIONS_TABLE {
            collected.schemas.insert(name.clone(), Schema::new(name));
        }
    }
    let schemas: Vec<String> = collected.schemas.keys().cloned().collect();
    if schemas.is_empty() || names.is_empty() {
        return Ok(Realm::new(collected.schemas.into_values().collect()));
    }
    let oids =
        relations::inspect_tables(client, &schemas, names, exclude_tables, &mut collected).await?;
    if !oids.is_empty() {
        constraints::inspect(client, &schemas, Some(&oids), &mut collected).await?;
    }
    objects::triggers(client, &schemas, Some(names), &mut collected).await?;
    objects::rules(client, &schemas, Some(names), &mut collected).await?;

    let Collected {
        tables,
        mut schemas,
        ..
    } = collected;
    place_tables(tables, &mut schemas);
    Ok(Realm::new(schemas.into_values().collect()))
}

/// Puts the tables read into their schemas, in name order (catalog order everywhere; the
/// hash map keyed by oid lost it).
fn place_tables(tables: HashMap<i64, (String, Table)>, schemas: &mut BTreeMap<String, Schema>) {
    for (schema, table) in tables.into_values() {
        if let Some(s) = schemas.get_mut(&schema) {
            s.tables.push(table);
        }
    }
    for schema in schemas.values_mut() {
        schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    }
}
