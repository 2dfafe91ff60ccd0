//! The catalog queries: one per object kind, over every selected schema at once, so the
//! cost of an inspection does not grow with round trips per table.

/// A type's description for [`crate::types::CatalogType`], for a type oid `$T` and typmod
/// `$M`: element format, kind, schema, name, and whether it is an array. `$T`/`$M` are
/// substituted textually with column expressions.
fn type_columns(oid: &str, typmod: &str, alias: &str) -> String {
    format!(
        "CASE WHEN {a}t.typsubscript = 'array_subscript_handler'::regproc \
              THEN format_type({a}t.typelem, {typmod}) ELSE format_type({oid}, {typmod}) END AS {a}formatted, \
         {a}et.typtype::text AS {a}kind, {a}etn.nspname AS {a}type_schema, {a}et.typname AS {a}type_name, \
         ({a}t.typsubscript = 'array_subscript_handler'::regproc) AS {a}is_array, \
         {a}et.typcollation::int8 AS {a}type_collation",
        a = alias
    )
}

fn type_joins(oid: &str, alias: &str) -> String {
    format!(
        "JOIN pg_type {a}t ON {a}t.oid = {oid} \
         JOIN pg_type {a}et ON {a}et.oid = CASE WHEN {a}t.typsubscript = 'array_subscript_handler'::regproc \
              THEN {a}t.typelem ELSE {a}t.oid END \
         JOIN pg_namespace {a}etn ON {a}etn.oid = {a}et.typnamespace",
        a = alias
    )
}

pub(super) const SCHEMAS: &str = "\
SELECT n.nspname, obj_description(n.oid, 'pg_namespace') AS comment \
FROM pg_namespace n \
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
ORDER BY n.nspname";

pub(super) const EXTENSION_MEMBERS: &str = "\
SELECT classid::regclass::text AS class, objid::int8 AS oid FROM pg_depend WHERE deptype = 'e'";

/// User-defined collations. Columns that moved between server versions (`colliculocale`
/// became `colllocale` in 17, `collicurules` came in 16) are read through `to_jsonb` so
/// one query serves every version.
pub(super) const COLLATIONS: &str = "\
SELECT co.oid::int8 AS oid, n.nspname AS schema, co.collname::text AS name, co.collprovider::text AS provider, \
  co.collcollate::text AS lc_collate, co.collctype::text AS lc_ctype, \
  coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale') AS locale, \
  to_jsonb(co) ->> 'collicurules' AS rules, co.collisdeterministic AS deterministic, \
  obj_description(co.oid, 'pg_collation') AS comment \
FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace \
WHERE n.nspname = ANY($1) ORDER BY n.nspname, co.collname";

pub(super) const EXTENSIONS: &str = "\
SELECT e.extname, n.nspname, e.extversion, obj_description(e.oid, 'pg_extension') AS comment \
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
WHERE e.extname <> 'plpgsql' AND n.nspname = ANY($1) ORDER BY e.extname";

pub(super) const RELATIONS: &str = "\
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, \
  c.relpersistence::text AS persistence, c.relrowsecurity AS rls, c.relforcerowsecurity AS rls_forced, \
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey, \
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound, \
  c.relispartition AS is_partition, \
  coalesce(c.reloptions, '{}')::text[] AS options, ds.description AS comment, \
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition, \
  array(SELECT pn.nspname FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent \
        JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parent_schemas, \
  array(SELECT pc.relname::text FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent \
        WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parent_names, \
  c.reltype::int8 AS reltype, obj_description(c.reltype, 'pg_type') AS type_comment \
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0 \
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'c') \
ORDER BY n.nspname, c.relname";

pub(super) fn columns() -> String {
    format!(
        "SELECT a.attrelid::int8 AS relid, a.attnum, a.attname, a.attndims, {types}, \
           a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity, \
           a.attgenerated::text AS generated, \
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> et.typcollation THEN co.collname::text END AS collation, \
           ds.description AS comment, a.attislocal \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace {joins} \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         LEFT JOIN pg_collation co ON co.oid = a.attcollation \
         LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass \
           AND ds.objsubid = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'c') AND n.nspname = ANY($1) \
         ORDER BY a.attrelid, a.attnum",
        types = type_columns("a.atttypid", "a.atttypmod", ""),
        joins = type_joins("a.atttypid", ""),
    )
}

pub(super) const SEQUENCES: &str = "\
SELECT sc.oid::int8 AS oid, n.nspname AS schema, sc.relname AS name, format_type(s.seqtypid, NULL) AS type, \
  s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
  d.deptype::text AS deptype, d.refobjid::int8 AS owner_relid, d.refobjsubid AS owner_attnum, \
  rn.nspname AS owner_schema, rc.relname::text AS owner_table, ra.attname::text AS owner_column, \
  obj_description(sc.oid, 'pg_class') AS comment \
FROM pg_sequence s JOIN pg_class sc ON sc.oid = s.seqrelid JOIN pg_namespace n ON n.oid = sc.relnamespace \
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = sc.oid \
  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') \
LEFT JOIN pg_class rc ON rc.oid = d.refobjid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
LEFT JOIN pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid \
WHERE n.nspname = ANY($1) ORDER BY n.nspname, sc.relname";

/// Operator classes that are not their type's default, by oid: an index names only those.
/// Read once and looked up while assembling indexes, because resolving them per index row
/// in SQL scanned the whole `pg_opclass` catalog for every index (most of the index
/// query's time on a database of 1,000 tenant schemas).
pub(super) const OPCLASSES: &str = "\
SELECT oid::int8 AS oid, opcname::text AS name FROM pg_opclass WHERE NOT opcdefault";

/// Names of table columns by attribute number, for index keys whose column was not among
/// the columns read: `$1` relation oids and `$2` attribute numbers, pairwise.
pub(super) const ATTRIBUTE_NAMES: &str = "\
SELECT a.attrelid::int8 AS relid, a.attnum, a.attname::text AS name \
FROM unnest($1::int8[], $2::int2[]) k(relid, attnum) \
JOIN pg_attribute a ON a.attrelid = k.relid::oid AND a.attnum = k.attnum";

/// Index rows: a key column's name comes from the columns already read ([`super::Collected`]
/// keeps them by attribute number); only expressions, and the columns of materialized
/// views (not among the columns read), are looked up here. A lookup per key column in
/// `pg_attribute` was the index query's largest cost after operator classes.
pub(super) const INDEXES: &str = "\
SELECT i.indrelid::int8 AS relid, ic.relname AS name, i.indexrelid::int8 AS oid, i.indisunique, \
  am.amname::text AS method, i.indnkeyatts, i.indnatts, i.indkey::int2[] AS keys, i.indoption::int2[] AS options, \
  i.indclass::oid[]::int8[] AS opclass_oids, \
  array(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, false) \
          WHEN c.relkind = 'm' THEN (SELECT a.attname::text FROM pg_attribute a \
          WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) END \
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) AS parts, \
  CASE WHEN NOT (i.indcollation::oid[] <@ ARRAY[0, 100]::oid[]) THEN \
  array(SELECT CASE WHEN u.coll <> 0 AND (i.indkey::int2[])[u.ord - 1] <> 0 AND u.coll <> coalesce( \
          (SELECT a.attcollation FROM pg_attribute a WHERE a.attrelid = i.indrelid \
           AND a.attnum = (i.indkey::int2[])[u.ord - 1]), 0) \
        THEN (SELECT collname::text FROM pg_collation WHERE oid = u.coll) END \
        FROM unnest(i.indcollation::oid[]) WITH ORDINALITY u(coll, ord) ORDER BY u.ord) END AS collations, \
  pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indnullsnotdistinct, \
  coalesce(ic.reloptions, '{}')::text[] AS storage, ds.description AS comment, \
  con.contype::text AS contype, coalesce(con.condeferrable, false) AS deferrable, \
  coalesce(con.condeferred, false) AS deferred, \
  CASE WHEN con.contype = 'x' THEN array(SELECT op.oprname::text FROM unnest(con.conexclop) WITH ORDINALITY u(oid, ord) \
        JOIN pg_operator op ON op.oid = u.oid ORDER BY u.ord) END AS operators, \
  inh.inhrelid IS NOT NULL AS inherited \
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid \
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = ic.relam \
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
  AND con.contype IN ('p', 'u', 'x') \
LEFT JOIN pg_inherits inh ON inh.inhrelid = i.indexrelid \
LEFT JOIN pg_description ds ON ds.objoid = i.indexrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0 \
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'm') \
ORDER BY i.indrelid, ic.relname";

/// Definitions are deparsed for checks only (`pg_get_constraintdef` is the costly column,
/// and foreign keys are read from the catalog columns).
pub(super) const CONSTRAINTS: &str = "\
SELECT con.conrelid::int8 AS relid, con.conname::text AS name, con.contype::text AS kind, \
  CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS definition, con.condeferrable, con.condeferred, \
  con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, con.confmatchtype::text AS match, \
  array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) \
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns, \
  rn.nspname::text AS ref_schema, rc.relname::text AS ref_table, \
  array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) \
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns, \
  con.connoinherit, con.conislocal, con.conparentid <> 0 AS cloned \
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
LEFT JOIN pg_class rc ON rc.oid = con.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
WHERE con.contype IN ('f', 'c') AND n.nspname = ANY($1) \
ORDER BY con.conrelid, con.conname";

pub(super) const POLICIES: &str = "\
SELECT p.polrelid::int8 AS relid, p.polname::text AS name, p.polpermissive, p.polcmd::text AS cmd, \
  array(SELECT CASE WHEN r = 0 THEN 'public' ELSE (SELECT rolname::text FROM pg_roles WHERE oid = r) END \
        FROM unnest(p.polroles) r ORDER BY 1) AS roles, \
  pg_get_expr(p.polqual, p.polrelid) AS using_expr, pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr, \
  obj_description(p.oid, 'pg_policy') AS comment \
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE n.nspname = ANY($1) ORDER BY p.polrelid, p.polname";

pub(super) const TRIGGERS: &str = "\
SELECT n.nspname AS schema, c.relname::text AS on_name, t.tgname::text AS name, pg_get_triggerdef(t.oid) AS definition, \
  t.tgconstraint <> 0 AS is_constraint, t.tgenabled = 'D' AS disabled, obj_description(t.oid, 'pg_trigger') AS comment, \
  quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified, quote_ident(c.relname) AS bare \
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND n.nspname = ANY($1) \
ORDER BY n.nspname, c.relname, t.tgname";

pub(super) const ROUTINES: &str = "\
SELECT p.oid::int8 AS oid, n.nspname AS schema, p.proname::text AS name, p.prokind::text AS kind, \
  pg_get_function_identity_arguments(p.oid) AS args, \
  CASE WHEN p.prokind = 'f' THEN pg_get_function_result(p.oid) END AS returns, \
  l.lanname::text AS language, pg_get_functiondef(p.oid) AS definition, \
  quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS qualified, quote_ident(p.proname) AS bare, \
  obj_description(p.oid, 'pg_proc') AS comment \
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang \
WHERE n.nspname = ANY($1) AND p.prokind IN ('f', 'p') \
ORDER BY n.nspname, p.proname, 5";

pub(super) const ENUMS: &str = "\
SELECT t.oid::int8 AS oid, n.nspname AS schema, t.typname::text AS name, \
  array(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels, \
  obj_description(t.oid, 'pg_type') AS comment \
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
WHERE t.typtype = 'e' AND n.nspname = ANY($1) ORDER BY n.nspname, t.typname";

pub(super) fn domains() -> String {
    format!(
        "SELECT d.oid::int8 AS oid, n.nspname AS schema, d.typname::text AS name, {types}, \
           d.typnotnull, d.typdefault, \
           CASE WHEN d.typcollation <> 0 AND d.typcollation <> et.typcollation \
                THEN (SELECT collname::text FROM pg_collation WHERE oid = d.typcollation) END AS collation, \
           array(SELECT conname::text FROM pg_constraint WHERE contypid = d.oid AND contype = 'c' ORDER BY conname) AS check_names, \
           array(SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = d.oid AND contype = 'c' ORDER BY conname) AS check_defs, \
           obj_description(d.oid, 'pg_type') AS comment \
         FROM pg_type d JOIN pg_namespace n ON n.oid = d.typnamespace {joins} \
         WHERE d.typtype = 'd' AND n.nspname = ANY($1) ORDER BY n.nspname, d.typname",
        types = type_columns("d.typbasetype", "d.typtypmod", ""),
        joins = type_joins("d.typbasetype", ""),
    )
}

/// Rewrite rules, except the `_RETURN` rules that implement views.
pub(super) const RULES: &str = "\
SELECT n.nspname AS schema, c.relname::text AS on_name, r.rulename::text AS name, \
  pg_get_ruledef(r.oid) AS definition, obj_description(r.oid, 'pg_rewrite') AS comment, \
  quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified, quote_ident(c.relname) AS bare \
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE r.rulename <> '_RETURN' AND n.nspname = ANY($1) \
ORDER BY n.nspname, c.relname, r.rulename";

/// What reads the selected schemas' routines, by the catalog's normal dependencies: the
/// reader's kind, schema, owner (table, view or domain) and own name.
pub(super) const ROUTINE_USES: &str = "\
SELECT k.kind, k.schema, k.owner, k.name, rn.nspname::text AS routine_schema, p.proname::text AS routine \
FROM pg_depend d JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = p.pronamespace \
CROSS JOIN LATERAL ( \
  SELECT CASE WHEN r.rulename = '_RETURN' THEN 'view' ELSE 'rule' END, n.nspname::text, c.relname::text, \
         CASE WHEN r.rulename = '_RETURN' THEN NULL ELSE r.rulename::text END \
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid \
  UNION ALL \
  SELECT 'default', n.nspname::text, c.relname::text, a.attname::text \
    FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum \
    WHERE d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid \
  UNION ALL \
  SELECT CASE WHEN con.contypid <> 0 THEN 'domain' ELSE 'check' END, n.nspname::text, \
         coalesce(c.relname, t.typname)::text, con.conname::text \
    FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace \
    LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_type t ON t.oid = con.contypid \
    WHERE d.classid = 'pg_constraint'::regclass AND con.oid = d.objid AND con.contype = 'c' \
  UNION ALL \
  SELECT 'index', n.nspname::text, tc.relname::text, ic.relname::text \
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid \
    JOIN pg_namespace n ON n.oid = tc.relnamespace \
    WHERE d.classid = 'pg_class'::regclass AND i.indexrelid = d.objid \
  UNION ALL \
  SELECT 'trigger', n.nspname::text, c.relname::text, tg.tgname::text \
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid AND NOT tg.tgisinternal \
  UNION ALL \
  SELECT 'policy', n.nspname::text, c.relname::text, pol.polname::text \
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE d.classid = 'pg_policy'::regclass AND pol.oid = d.objid \
  UNION ALL \
  SELECT 'domain', n.nspname::text, t.typname::text, NULL \
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid AND t.typtype = 'd' \
) k(kind, schema, owner, name) \
WHERE d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n' AND rn.nspname = ANY($1) AND k.schema = ANY($1) \
ORDER BY 1, 2, 3, 4, 5, 6";

/// A query of the full read narrowed to a scoped read's relations: `condition` (which reads
/// `$2`) joins the outer `WHERE`, placed before the query's last `ORDER BY`, which in every
/// table-level query above is the outer one. The full read's text stays as it is.
pub(super) fn scoped(sql: &str, condition: &str) -> String {
    match sql.rfind(" ORDER BY ") {
        Some(at) => format!("{} AND {condition}{}", &sql[..at], &sql[at..]),
        None => format!("{sql} AND {condition}"),
    }
}

/// The selected schemas of a scoped read: `$1` names them, or is empty for every user
/// schema. Schema comments are not read: a scoped read reports tables, triggers and rules.
pub(super) const SCOPED_SCHEMAS: &str = "\
SELECT n.nspname FROM pg_namespace n \
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
  AND (cardinality($1::name[]) = 0 OR n.nspname = ANY($1::name[])) \
ORDER BY n.nspname";

/// [`RELATIONS`] for the tables named `$2`. Extension members are left out here, per
/// table, instead of reading every extension's members as the full read does.
pub(super) const RELATIONS_SCOPE: &str = "\
c.relname = ANY($2) AND c.relkind IN ('r', 'p') \
AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass \
  AND e.objid = c.oid AND e.deptype = 'e')";

/// Scopes of the per-table queries: `$2` holds the oids of the tables read. Each names the
/// catalog's own relation column, the one its index leads with (a condition on the joined
/// `pg_class` would not reach it, and the catalog would be scanned whole).
pub(super) const COLUMNS_SCOPE: &str = "a.attrelid = ANY($2)";
pub(super) const INDEXES_SCOPE: &str = "i.indrelid = ANY($2)";
pub(super) const CONSTRAINTS_SCOPE: &str = "con.conrelid = ANY($2)";
pub(super) const POLICIES_SCOPE: &str = "p.polrelid = ANY($2)";
/// Triggers and rules are scoped by relation name, as they hang on views too.
pub(super) const TRIGGERS_SCOPE: &str = "c.relname = ANY($2)";
pub(super) const RULES_SCOPE: &str = "c.relname = ANY($2)";

/// The identity sequences of the tables `$1` (oids), with the columns of [`SEQUENCES`]
/// that [`super::relations`] reads for them. Standalone and `serial` sequences are not
/// part of a table and not read.
pub(super) const IDENTITY_SEQUENCES: &str = "\
SELECT sc.oid::int8 AS oid, format_type(s.seqtypid, NULL) AS type, \
  s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
  d.refobjid::int8 AS owner_relid, d.refobjsubid AS owner_attnum \
FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid JOIN pg_class sc ON sc.oid = s.seqrelid \
WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1) \
  AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'";

#[cfg(test)]
mod tests {
    use super::*;

    /// The scope lands in the outer `WHERE`: outside every parenthesis, after the last
    /// `WHERE` at that level.
    #[test]
    fn scope_joins_the_outer_where() {
        for sql in [
            RELATIONS.to_owned(),
            columns(),
            INDEXES.to_owned(),
            CONSTRAINTS.to_owned(),
            POLICIES.to_owned(),
            TRIGGERS.to_owned(),
            RULES.to_owned(),
        ] {
            let scoped = scoped(&sql, "MARK");
            let at = scoped.find(" AND MARK").expect("inserted");
            let before = &scoped[..at];
            let depth = before.matches('(').count() as i64 - before.matches(')').count() as i64;
            assert_eq!(depth, 0, "{scoped}");
            assert!(scoped[at..].starts_with(" AND MARK ORDER BY "), "{scoped}");
            let outer_where = before.rfind(" WHERE ").expect("where");
            let between = &before[outer_where..];
            assert_eq!(between.matches('(').count(), between.matches(')').count());
        }
    }
}
