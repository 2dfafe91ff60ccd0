//! The dev database: finding leftovers and wiping them.

use mercator_driver::DriverError;
use tokio_postgres::Client;

use crate::inspect::inspect_error;
use crate::quote::ident;

const USER_SCHEMA: &str = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1))";

fn not_member(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{class}'::regclass \
         AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

fn first_object_query() -> String {
    format!(
        "SELECT kind, name, schema FROM ( \
           SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' \
                  WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' \
                  ELSE 'table' END AS kind, c.relname::text AS name, n.nspname::text AS schema, 1 AS ord \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND {USER_SCHEMA} AND {rel} \
           UNION ALL \
           SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, p.proname::text, n.nspname::text, 2 \
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {USER_SCHEMA} AND {proc} \
           UNION ALL \
           SELECT CASE t.typtype WHEN 'e' THEN 'enum' ELSE 'domain' END, t.typname::text, n.nspname::text, 3 \
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
           WHERE t.typtype IN ('e', 'd') AND {USER_SCHEMA} AND {ty} \
         ) found ORDER BY ord, schema, name LIMIT 1",
        rel = not_member("pg_class", "c.oid"),
        proc = not_member("pg_proc", "p.oid"),
        ty = not_member("pg_type", "t.oid"),
    )
}

/// The first object found in the scratch space (`table "t" in schema "s"`), if any.
/// `schemas` limits the search; empty means the whole database, where extra schemas and
/// extensions count as leftovers too.
pub(crate) async fn first_object(
    client: &Client,
    schemas: &[String],
) -> Result<Option<String>, DriverError> {
    let rows = client
        .query(&first_object_query(), &[&schemas])
        .await
        .map_err(inspect_error)?;
    if let Some(row) = rows.first() {
        let kind: String = row.try_get(0).unwrap_or_default();
        let name: String = row.try_get(1).unwrap_or_default();
        let schema: String = row.try_get(2).unwrap_or_default();
        return Ok(Some(format!("{kind} {name:?} in schema {schema:?}")));
    }
    if !schemas.is_empty() {
        return Ok(None);
    }
    let (extra_schemas, extensions) = leftovers(client).await?;
    if let Some(schema) = extra_schemas.first() {
        return Ok(Some(format!("schema {schema:?}")));
    }
    Ok(extensions.first().map(|e| format!("extension {e:?}")))
}

/// Schemas other than `public`, and extensions other than `plpgsql`.
async fn leftovers(client: &Client) -> Result<(Vec<String>, Vec<String>), DriverError> {
    let schemas = client
        .query(
            "SELECT nspname::text FROM pg_namespace n WHERE nspname !~ '^pg_' \
             AND nspname NOT IN ('information_schema', 'public') ORDER BY 1",
            &[],
        )
        .await
        .map_err(inspect_error)?
        .iter()
        .filter_map(|r| r.try_get(0).ok())
        .collect();
    let extensions = client
        .query(
            "SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1",
            &[],
        )
        .await
        .map_err(inspect_error)?
        .iter()
        .filter_map(|r| r.try_get(0).ok())
        .collect();
    Ok((schemas, extensions))
}

/// SQL that returns the whole database to the state of a fresh one.
pub(crate) async fn reset_all(client: &Client) -> Result<String, DriverError> {
    let (schemas, extensions) = leftovers(client).await?;
    let mut sql = String::new();
    for extension in extensions {
        sql.push_str(&format!(
            "DROP EXTENSION IF EXISTS {} CASCADE;",
            ident(&extension)
        ));
    }
    for schema in schemas {
        sql.push_str(&format!(
            "DROP SCHEMA IF EXISTS {} CASCADE;",
            ident(&schema)
        ));
    }
    // Recreating `public` as a fresh database has it keeps the realm of a reset database
    // equal to a new one's (same comment, same owner).
    sql.push_str(
        "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; \
         COMMENT ON SCHEMA public IS 'standard public schema'; \
         ALTER SCHEMA public OWNER TO pg_database_owner; GRANT USAGE ON SCHEMA public TO PUBLIC;",
    );
    Ok(sql)
}

/// SQL that empties one schema, keeping its comment (so a reset `public` still compares
/// equal to a fresh database's).
pub(crate) async fn reset_schema(client: &Client, schema: &str) -> Result<String, DriverError> {
    let rows = client
        .query(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1",
            &[&schema],
        )
        .await
        .map_err(inspect_error)?;
    let comment: Option<String> = rows.first().and_then(|r| r.try_get(0).ok()).flatten();
    let name = ident(schema);
    let mut sql = format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};");
    if let Some(comment) = comment {
        sql.push_str(&format!(
            "COMMENT ON SCHEMA {name} IS {};",
            crate::quote::literal(&comment)
        ));
    }
    Ok(sql)
}

/// How many tables one statement drops while emptying a dev database. Dropping a schema
/// with thousands of tables in one transaction takes a lock per object and exhausts the
/// server's lock table ("out of shared memory"); batches keep every transaction small.
const DROP_BATCH: usize = 100;

/// Drops the tables of `schemas` (every user schema when empty) in batches, each batch its
/// own transaction, so the final `DROP SCHEMA … CASCADE` has little left to lock.
pub(crate) async fn drop_tables_in_batches(
    client: &Client,
    schemas: &[String],
) -> Result<(), DriverError> {
    let rows = client
        .query(
            &format!(
                "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND {USER_SCHEMA} \
                 AND {} ORDER BY 1",
                not_member("pg_class", "c.oid")
            ),
            &[&schemas],
        )
        .await
        .map_err(inspect_error)?;
    let names: Vec<String> = rows.iter().filter_map(|r| r.try_get(0).ok()).collect();
    for batch in names.chunks(DROP_BATCH) {
        let sql = format!("DROP TABLE IF EXISTS {} CASCADE", batch.join(", "));
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| crate::driver::exec_error(&sql, e))?;
    }
    Ok(())
}
