//! Reading a database's schema and writing it out.

use mercator_driver::InspectOptions;
use schema_diff::{Dialect, DiffOptions, PlanOptions};
use schema_model::{Realm, Schema};

use crate::binding::select;
use crate::desired::load_sql;
use crate::{MigrateError, Source, open};

/// How to write an inspected schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectFormat {
    /// The SQL that creates it (the plan from an empty database).
    #[default]
    Sql,
    /// The realm as JSON (the `schema-model` serde form).
    Json,
}

/// Inspects the database at `url`: the given schemas, or when none are given the URL's
/// bound schema, or every user schema when the URL is not bound.
pub async fn inspect(url: &str, schemas: &[String]) -> Result<Realm, MigrateError> {
    let driver = open(url).await?;
    let realm = driver
        .inspect(&InspectOptions {
            schemas: schemas.to_vec(),
            exclude_tables: Vec::new(),
        })
        .await;
    let closed = driver.close().await;
    let realm = realm?;
    closed?;
    Ok(realm)
}

/// Inspects the database at `url` (see [`inspect`]) and writes its schema in `format`.
/// SQL output leaves names unqualified when the URL is bound to the one inspected schema.
pub async fn inspect_as(
    url: &str,
    schemas: &[String],
    format: InspectFormat,
) -> Result<String, MigrateError> {
    let driver = open(url).await?;
    let realm = driver
        .inspect(&InspectOptions {
            schemas: schemas.to_vec(),
            exclude_tables: Vec::new(),
        })
        .await;
    let bound = driver.bound_schema().map(str::to_owned);
    let rendered = match realm {
        Ok(realm) => match format {
            InspectFormat::Json => realm_json(&realm),
            InspectFormat::Sql => {
                let bound = bound.filter(|b| schemas.is_empty() || schemas == [b.clone()]);
                realm_sql(&realm, driver.dialect(), bound.as_deref())
            }
        },
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
    let dev_url = dev_url.ok_or(MigrateError::Missing(
        "a dev database URL (--dev-url) to load SQL files into",
    ))?;
    let dev = open(dev_url).await?;
    let realm = load_sql(source, dev.as_ref()).await;
    let rendered = realm.and_then(|realm| {
        let realm = select(realm, schemas);
        match format {
            InspectFormat::Json => realm_json(&realm),
            InspectFormat::Sql => realm_sql(&realm, dev.dialect(), dev.bound_schema()),
        }
    });
    let closed = dev.close().await;
    let rendered = rendered?;
    closed?;
    Ok(rendered)
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
    let empty = match bound {
        Some(_) => Realm::new(realm.schemas.iter().map(attributes_only).collect()),
        None => Realm::default(),
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
