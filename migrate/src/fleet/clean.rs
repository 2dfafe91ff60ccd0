//! The first-run check of a whole fleet in one query: which tenant schemas hold nothing
//! yet. A first run needs a clean schema; checked tenant by tenant that is one full
//! inspection each, which on a catalog of thousands of schemas costs more than the
//! migration itself. Tenants this query finds empty skip that inspection; any other
//! tenant is checked as usual, so the query only has to be conservative, not complete.

use std::collections::HashSet;

use mercator_driver::{Driver, REVISIONS_TABLE};

use super::template::Reach;

/// How many names one query carries.
const NAMES_PER_QUERY: usize = 1000;

/// The tenants whose schema holds no table, view, sequence, routine or type (the revisions
/// table aside) — or does not exist yet. Errors leave the set empty: every tenant is then
/// checked on its own.
pub(crate) async fn empty_tenants(
    driver: &dyn Driver,
    reach: Reach,
    tenants: &[String],
) -> HashSet<String> {
    let mut empty = HashSet::new();
    let Ok(mut session) = driver.session().await else {
        return empty;
    };
    for chunk in tenants.chunks(NAMES_PER_QUERY) {
        // Names are checked plain identifiers ([A-Za-z0-9_$-]); quoting is still applied.
        let list = chunk
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match reach {
            Reach::PostgresSchema => format!(
                "SELECT x.name FROM unnest(ARRAY[{list}]::text[]) AS x(name) \
                 LEFT JOIN pg_namespace n ON n.nspname = x.name \
                 WHERE n.oid IS NULL OR (\
                   NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid \
                     AND c.relname NOT IN ('{REVISIONS_TABLE}', '{REVISIONS_TABLE}_pkey', '{REVISIONS_TABLE}_version_seq')) \
                   AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid) \
                   AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid \
                     AND t.typtype IN ('e', 'd', 'r', 'm')))"
            ),
            Reach::MysqlDatabase => format!(
                "SELECT s.SCHEMA_NAME FROM information_schema.SCHEMATA s \
                 WHERE s.SCHEMA_NAME IN ({list}) \
                 AND NOT EXISTS (SELECT 1 FROM information_schema.TABLES t \
                   WHERE t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_NAME <> '{REVISIONS_TABLE}') \
                 AND NOT EXISTS (SELECT 1 FROM information_schema.ROUTINES r \
                   WHERE r.ROUTINE_SCHEMA = s.SCHEMA_NAME) \
                 AND NOT EXISTS (SELECT 1 FROM information_schema.TRIGGERS g \
                   WHERE g.TRIGGER_SCHEMA = s.SCHEMA_NAME) \
                 AND NOT EXISTS (SELECT 1 FROM information_schema.EVENTS e \
                   WHERE e.EVENT_SCHEMA = s.SCHEMA_NAME)"
            ),
            Reach::Connect => return empty,
        };
        match session.query(&sql).await {
            Ok(rows) => empty.extend(
                rows.rows
                    .into_iter()
                    .filter_map(|r| r.into_iter().next().flatten()),
            ),
            Err(e) => {
                tracing::warn!("checking which tenants are empty failed, checking each: {e}");
                return HashSet::new();
            }
        }
    }
    empty
}
