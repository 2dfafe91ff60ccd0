//! Reading a database's schema and writing it out.

use mercator_driver::{InspectOptions, OpenOptions};
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::{DialectKind, Realm, Schema};

use crate::binding::select;
use crate::dev::{Dev, inspect_url};
use crate::open::{dialect_of, open_with};
use crate::{MigrateError, Source};

/// How to write an inspected schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectFormat {
    /// The SQL that creates it (the plan from an empty database).
    #[default]
    Sql,
    /// The realm as JSON (the `schema-model` serde form).
    Json,
    /// An entity-relationship diagram in Mermaid's syntax.
    Mermaid,
    /// An entity-relationship diagram in Graphviz's DOT syntax.
    Dot,
    /// One self-contained HTML page documenting every table, with a diagram.
    Html,
}

/// Inspects the database at `url`: the given schemas, or when none are given the URL's
/// bound schema, or every user schema when the URL is not bound.
/// The database is opened read-only: a missing SQLite file is an error, never created.
pub async fn inspect(url: &str, schemas: &[String]) -> Result<Realm, MigrateError> {
    inspect_url(url, &InspectOptions::schemas(schemas)).await
}

/// Inspects the database at `url` (see [`inspect`]) and writes its schema in `format`.
/// SQL output leaves names unqualified when the URL is bound to the one inspected schema.
pub async fn inspect_as(
    url: &str,
    schemas: &[String],
    format: InspectFormat,
) -> Result<String, MigrateError> {
    let driver = open_with(url, OpenOptions::read_only()).await?;
    let realm = driver.inspect(&InspectOptions::schemas(schemas)).await;
    let bound = driver
        .bound_schema()
        .map(str::to_owned)
        .filter(|b| schemas.is_empty() || schemas == [b.clone()]);
    let rendered = match realm {
        Ok(realm) => {
            check_schemas_exist(&realm, schemas)?;
            render(&realm, format, driver.dialect(), bound.as_deref())
        }
        Err(err) => Err(err.into()),
    };
    let closed = driver.close().await;
    let rendered = rendered?;
    closed?;
    Ok(rendered)
}

/// Like [`inspect_as`] for any source: a `file://` source is loaded on the dev database
/// (`dev_url`, required for files) and written in that database's dialect.
pub async fn inspect_source_as(
    source: &Source,
    dev_url: Option<&str>,
    schemas: &[String],
    format: InspectFormat,
) -> Result<String, MigrateError> {
    if let Source::Database(url) = source {
        return inspect_as(url, schemas, format).await;
    }
    // Without a dev URL, SQL is read as SQLite, the embedded default that needs no server.
    let kind = match dev_url {
        Some(url) => dialect_of(url)?,
        None => DialectKind::Sqlite,
    };
    let dev = Dev::choose(dev_url, kind).await?;
    let dialect = crate::open::offline_dialect(kind)
        .ok_or(MigrateError::Missing("a driver for the dev database"))?;
    let realm = dev.load(source).await;
    let rendered = realm.and_then(|realm| {
        check_schemas_exist(&realm, schemas)?;
        let realm = select(realm, schemas);
        render(&realm, format, dialect.as_ref(), dev.bound_schema())
    });
    let closed = dev.close().await;
    let rendered = rendered?;
    closed?;
    Ok(rendered)
}

/// Fails when a schema asked for by name is not in the realm.
fn check_schemas_exist(realm: &Realm, schemas: &[String]) -> Result<(), MigrateError> {
    match schemas.iter().find(|name| realm.schema(name).is_none()) {
        Some(missing) => Err(MigrateError::SchemaNotFound {
            schema: missing.clone(),
            found: realm.schemas.iter().map(|s| s.name.clone()).collect(),
        }),
        None => Ok(()),
    }
}

fn render(
    realm: &Realm,
    format: InspectFormat,
    dialect: &dyn Dialect,
    bound: Option<&str>,
) -> Result<String, MigrateError> {
    match format {
        InspectFormat::Json => realm_json(realm),
        InspectFormat::Sql => realm_sql(realm, dialect, bound),
        InspectFormat::Mermaid => Ok(schema_model::to_mermaid(realm)),
        InspectFormat::Dot => Ok(schema_model::to_dot(realm)),
        InspectFormat::Html => Ok(schema_model::to_html(realm)),
    }
}

/// The SQL that creates `realm` from nothing, in `dialect`: the plan of the diff from an
/// empty state. With `bound`, the realm's schemas are taken to exist already (a bound
/// connection cannot create its own schema) and names in `bound` are left unqualified.
///
/// ```
/// use mercator_migrate::realm_sql;
/// use schema_model::*;
///
/// let realm = Realm::new(vec![Schema::new("main").with_table(
///     Table::new("users").with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null()),
/// )]);
/// let sql = realm_sql(&realm, &mercator_sqlite::SqliteDialect, Some("main")).unwrap();
/// assert!(sql.starts_with("-- Create \"users\" table\n"));
/// ```
pub fn realm_sql(
    realm: &Realm,
    dialect: &dyn Dialect,
    bound: Option<&str>,
) -> Result<String, MigrateError> {
    // What a new database already holds (PostgreSQL's `public`) is not created again, so
    // the SQL loads into a fresh database.
    let empty = match bound {
        Some(_) => Realm::new(realm.schemas.iter().map(attributes_only).collect()),
        None => dialect.empty_database(),
    };
    let changes = dialect.diff(&empty, realm, &DiffOptions::default());
    let plan = dialect.plan(
        &changes,
        &PlanOptions {
            unqualified_schema: bound.map(str::to_owned),
            ..PlanOptions::default()
        },
    )?;
    Ok(plan.to_sql())
}

/// A schema with its attributes (comment, MySQL charset) but none of its objects.
fn attributes_only(schema: &Schema) -> Schema {
    let mut empty = Schema::new(&schema.name);
    empty.comment = schema.comment.clone();
    empty.mysql = schema.mysql.clone();
    empty
}

/// The realm as pretty-printed JSON.
pub fn realm_json(realm: &Realm) -> Result<String, MigrateError> {
    Ok(serde_json::to_string_pretty(realm)?)
}
