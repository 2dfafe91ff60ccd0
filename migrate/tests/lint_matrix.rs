//! The per-analyzer matrix: every built-in analyzer code with a positive case, negative
//! look-alikes and `-- atlas:nolint` suppression (by code, by analyzer name, all, and at
//! file level), on each dialect the code applies to, through `migrate lint` on SQLite and
//! the PostgreSQL and MySQL/MariaDB test servers.
//!
//! The cases are data ([`cases`]). Each one is linted as the newest file after a shared
//! base file; only the findings of the case's analyzer are compared, so a PostgreSQL
//! lock finding does not hide in a data-dependent case. Every positive case is then
//! re-linted with a `nolint` directive inserted above each reported line. Failures are
//! collected and reported together, each named by its case and dialect.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::lint::{LintSelection, MigrateLint};
use mercator_testkit::{Server, ServerDb};
use schema_lint::{LintConfig, Report};

/// The dialects a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    Sqlite,
    Postgres,
    Mysql,
}

use Db::{Mysql as MY, Postgres as PG, Sqlite as LT};

const ALL: &[Db] = &[LT, PG, MY];
const PG_MY: &[Db] = &[PG, MY];
const PG_LT: &[Db] = &[PG, LT];

/// Tables every case starts from (valid on all three dialects).
const BASE: &str = "\
CREATE TABLE users (id int PRIMARY KEY, email varchar(255), name varchar(100), age int);
CREATE TABLE t1 (id int PRIMARY KEY);
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int, CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE INDEX users_name ON users (name);
";

/// Naming patterns for the `naming` cases: every new name must carry its kind's prefix.
const NAMING: &str = r#"{"naming": {
    "schema": {"match": "^sch_"}, "table": {"match": "^tbl_"}, "column": {"match": "^c_"},
    "index": {"match": "^idx_"}, "foreign_key": {"match": "^fk_"}, "check": {"match": "^chk_"}
}}"#;

/// One row of the matrix.
struct Case {
    /// Shown when the case fails.
    name: &'static str,
    /// The analyzer whose findings are compared.
    analyzer: &'static str,
    /// Where the case runs.
    on: &'static [Db],
    /// Statements appended to [`BASE`] in the first file.
    base: String,
    /// The linted file.
    sql: String,
    /// The expected codes of `analyzer`, in report order.
    expect: Vec<&'static str>,
    /// PostgreSQL: use a dev URL bound to no schema (schema-level cases); others bind
    /// the dev URL to `public`, whose scratch spaces are cheap schemas.
    unbound: bool,
}

fn case(
    name: &'static str,
    analyzer: &'static str,
    on: &'static [Db],
    sql: impl Into<String>,
    expect: &[&'static str],
) -> Case {
    Case {
        name,
        analyzer,
        on,
        base: String::new(),
        sql: sql.into(),
        expect: expect.to_vec(),
        unbound: false,
    }
}

impl Case {
    fn base(mut self, base: impl Into<String>) -> Self {
        self.base = base.into();
        self
    }

    fn unbound(mut self) -> Self {
        self.unbound = true;
        self
    }
}

fn enum_of(n: usize) -> String {
    (0..n)
        .map(|i| format!("'v{i}'"))
        .collect::<Vec<_>>()
        .join(",")
}

const ENUMS: &str =
    "CREATE TABLE e (id int PRIMARY KEY, status ENUM('a','b','c'), tags SET('x','y','z'));\n";
const NOPK: &str = "CREATE TABLE nopk (id int NOT NULL, v int);\n";

/// The matrix.
fn cases() -> Vec<Case> {
    vec![
        // destructive (DS101–DS103).
        case("ds101_drop_schema", "destructive", &[PG], "DROP SCHEMA other CASCADE;\n", &["DS101"])
            .base("CREATE SCHEMA other;\nCREATE TABLE other.o (id int);\n")
            .unbound(),
        case("ds101_neg_schema_created_here", "destructive", &[PG],
            "CREATE SCHEMA scratch;\nCREATE TABLE scratch.s (id int);\nDROP SCHEMA scratch CASCADE;\n", &[])
            .unbound(),
        case("ds102_drop_table", "destructive", ALL, "DROP TABLE t1;\n", &["DS102"]),
        case("ds102_neg_created_and_dropped", "destructive", ALL,
            "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\n", &[]),
        case("ds103_drop_column", "destructive", ALL, "ALTER TABLE users DROP COLUMN age;\n", &["DS103"]),
        case("ds103_neg_column_of_new_table", "destructive", ALL,
            "CREATE TABLE n (id int, x int);\nALTER TABLE n DROP COLUMN x;\n", &[]),
        case("ds103_neg_virtual_column", "destructive", &[MY, LT], "ALTER TABLE g DROP COLUMN v;\n", &[])
            .base("CREATE TABLE g (id int PRIMARY KEY, a int, v int GENERATED ALWAYS AS (a + 1) VIRTUAL);\n"),
        case("ds103_stored_column", "destructive", &[PG, MY], "ALTER TABLE g DROP COLUMN v;\n", &["DS103"])
            .base("CREATE TABLE g (id int PRIMARY KEY, a int, v int GENERATED ALWAYS AS (a + 1) STORED);\n"),
        // data_depend (MF101–MF104, MY101, LT101 and Mercator's MC101–MC103).
        case("mf101_unique_index", "data_depend", ALL,
            "CREATE UNIQUE INDEX users_email ON users (email);\n", &["MF101"]),
        case("mf101_neg_new_column", "data_depend", ALL,
            "ALTER TABLE users ADD COLUMN code varchar(20);\nCREATE UNIQUE INDEX users_code ON users (code);\n", &[]),
        case("mf101_neg_new_table", "data_depend", ALL,
            "CREATE TABLE n (id int, e varchar(10));\nCREATE UNIQUE INDEX n_e ON n (e);\n", &[]),
        case("mf101_neg_plain_index", "data_depend", ALL,
            "CREATE INDEX users_email ON users (email);\n", &[]),
        case("mf101_neg_unique_using_index", "data_depend", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;\n", &[])
            .base("CREATE UNIQUE INDEX users_email_idx ON users (email);\n"),
        case("mf102_index_made_unique", "data_depend", &[MY],
            "ALTER TABLE users DROP INDEX users_name, ADD UNIQUE INDEX users_name (name);\n", &["MF102"]),
        case("mf102_neg_unique_made_plain", "data_depend", &[MY],
            "ALTER TABLE users DROP INDEX users_u, ADD INDEX users_u (name);\n", &[])
            .base("CREATE UNIQUE INDEX users_u ON users (name);\n"),
        case("mf103_not_null_without_default", "data_depend", &[PG, LT],
            "ALTER TABLE users ADD COLUMN nick varchar(50) NOT NULL;\n", &["MF103"]),
        case("my101_not_null_without_default", "data_depend", &[MY],
            "ALTER TABLE users ADD COLUMN nick varchar(50) NOT NULL;\n", &["MY101"]),
        case("mf103_neg_with_default", "data_depend", ALL,
            "ALTER TABLE users ADD COLUMN nick varchar(50) NOT NULL DEFAULT 'x';\n", &[]),
        case("mf103_neg_nullable", "data_depend", ALL,
            "ALTER TABLE users ADD COLUMN nick varchar(50);\n", &[]),
        case("mf103_neg_new_table", "data_depend", PG_MY,
            "CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int NOT NULL;\n", &[]),
        case("mf104_set_not_null", "data_depend", &[PG],
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n", &["MF104"]),
        case("mf104_modify_not_null", "data_depend", &[MY],
            "ALTER TABLE users MODIFY email varchar(255) NOT NULL;\n", &["MF104"]),
        case("mf104_neg_drop_not_null", "data_depend", &[PG],
            "ALTER TABLE nopk ALTER COLUMN id DROP NOT NULL;\n", &[])
            .base(NOPK),
        case("mf104_neg_new_table", "data_depend", &[PG],
            "CREATE TABLE n (id int, x int);\nALTER TABLE n ALTER COLUMN x SET NOT NULL;\n", &[]),
        case("lt101_rebuild_not_null", "data_depend", &[LT],
            "CREATE TABLE new_users (id int PRIMARY KEY, email varchar(255) NOT NULL, name varchar(100), age int);\n\
             INSERT INTO new_users SELECT * FROM users;\n\
             DROP TABLE users;\n\
             ALTER TABLE new_users RENAME TO users;\n\
             CREATE INDEX users_name ON users (name);\n", &["LT101"]),
        case("lt101_neg_rebuild_with_default", "data_depend", &[LT],
            "CREATE TABLE new_users (id int PRIMARY KEY, email varchar(255) NOT NULL DEFAULT '', name varchar(100), age int);\n\
             INSERT INTO new_users SELECT * FROM users;\n\
             DROP TABLE users;\n\
             ALTER TABLE new_users RENAME TO users;\n\
             CREATE INDEX users_name ON users (name);\n", &[]),
        case("mc101_check_added", "data_depend", PG_MY,
            "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0);\n", &["MC101"]),
        case("mc101_neg_not_valid", "data_depend", &[PG],
            "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0) NOT VALID;\n", &[]),
        case("mc102_type_narrowed_pg", "data_depend", &[PG],
            "ALTER TABLE users ALTER COLUMN email TYPE varchar(50);\n", &["MC102"]),
        case("mc102_type_narrowed_my", "data_depend", &[MY],
            "ALTER TABLE users MODIFY email varchar(50);\n", &["MC102"]),
        case("mc102_neg_widened", "data_depend", &[PG],
            "ALTER TABLE users ALTER COLUMN email TYPE varchar(500);\n", &[]),
        case("mc103_foreign_key_added", "data_depend", PG_MY,
            "ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (age) REFERENCES parent (id);\n", &["MC103"]),
        case("mc103_neg_not_valid", "data_depend", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (age) REFERENCES parent (id) NOT VALID;\n", &[]),
        case("mc103_neg_new_column", "data_depend", PG_MY,
            "ALTER TABLE users ADD COLUMN parent_id int;\n\
             ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (parent_id) REFERENCES parent (id);\n", &[]),
        // condrop (CD101).
        case("cd101_drop_foreign_key_pg", "condrop", &[PG],
            "ALTER TABLE child DROP CONSTRAINT child_parent;\n", &["CD101"]),
        case("cd101_drop_foreign_key_my", "condrop", &[MY],
            "ALTER TABLE child DROP FOREIGN KEY child_parent;\n", &["CD101"]),
        case("cd101_neg_added_in_same_file", "condrop", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (age) REFERENCES parent (id) NOT VALID;\n\
             ALTER TABLE users DROP CONSTRAINT users_parent;\n", &[]),
        case("cd101_neg_column_dropped_pg", "condrop", &[PG],
            "ALTER TABLE child DROP COLUMN parent_id;\n", &[]),
        case("cd101_neg_column_dropped_my", "condrop", &[MY],
            "ALTER TABLE child DROP FOREIGN KEY child_parent, DROP COLUMN parent_id;\n", &[]),
        // incompatible (BC101, BC102).
        case("bc101_table_renamed", "incompatible", ALL, "ALTER TABLE users RENAME TO people;\n", &["BC101"]),
        case("bc101_neg_new_table_renamed", "incompatible", ALL,
            "CREATE TABLE n (id int);\nALTER TABLE n RENAME TO m;\n", &[]),
        case("bc102_column_renamed", "incompatible", ALL,
            "ALTER TABLE users RENAME COLUMN email TO mail;\n", &["BC102"]),
        case("bc102_neg_old_name_added_back", "incompatible", ALL,
            "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users ADD COLUMN email varchar(255);\n", &[]),
        // concurrent_index (PG101–PG103).
        case("pg101_index_not_concurrent", "concurrent_index", &[PG],
            "CREATE INDEX users_age ON users (age);\n", &["PG101"]),
        case("pg101_neg_concurrently", "concurrent_index", &[PG],
            "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY users_age ON users (age);\n", &[]),
        case("pg101_neg_new_table", "concurrent_index", &[PG],
            "CREATE TABLE n (id int);\nCREATE INDEX n_id ON n (id);\n", &[]),
        case("pg102_drop_not_concurrent", "concurrent_index", &[PG], "DROP INDEX users_name;\n", &["PG102"]),
        case("pg102_neg_concurrently", "concurrent_index", &[PG],
            "-- atlas:txmode none\n\nDROP INDEX CONCURRENTLY users_name;\n", &[]),
        case("pg102_neg_index_becomes_primary_key", "concurrent_index", &[PG],
            "-- atlas:txmode none\n\nCREATE UNIQUE INDEX CONCURRENTLY nopk_id ON nopk (id);\n\
             ALTER TABLE nopk ADD CONSTRAINT nopk_pkey PRIMARY KEY USING INDEX nopk_id;\n", &[])
            .base(NOPK),
        case("pg103_concurrently_without_txmode", "concurrent_index", &[PG],
            "CREATE INDEX CONCURRENTLY users_age ON users (age);\n", &["PG103"]),
        // pg_locks (PG104, PG105, PG301–PG306).
        case("pg104_primary_key", "pg_locks", &[PG], "ALTER TABLE nopk ADD PRIMARY KEY (id);\n", &["PG104"])
            .base(NOPK),
        case("pg104_neg_using_index", "pg_locks", &[PG],
            "-- atlas:txmode none\n\nCREATE UNIQUE INDEX CONCURRENTLY nopk_id ON nopk (id);\n\
             ALTER TABLE nopk ADD CONSTRAINT nopk_pkey PRIMARY KEY USING INDEX nopk_id;\n", &[])
            .base(NOPK),
        case("pg304_primary_key_on_nullable", "pg_locks", &[PG],
            "ALTER TABLE nopk ADD PRIMARY KEY (v);\n", &["PG104", "PG304"])
            .base(NOPK),
        case("pg105_unique_constraint", "pg_locks", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n", &["PG105"]),
        case("pg105_neg_using_index", "pg_locks", &[PG],
            "-- atlas:txmode none\n\nCREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);\n\
             ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;\n", &[]),
        case("pg301_type_rewrite", "pg_locks", &[PG],
            "ALTER TABLE users ALTER COLUMN age TYPE bigint;\n", &["PG301"]),
        case("pg301_neg_varchar_widened", "pg_locks", &[PG],
            "ALTER TABLE users ALTER COLUMN email TYPE varchar(500);\n", &[]),
        case("pg301_neg_varchar_to_text", "pg_locks", &[PG],
            "ALTER TABLE users ALTER COLUMN email TYPE text;\n", &[]),
        case("pg302_volatile_default", "pg_locks", &[PG],
            "ALTER TABLE users ADD COLUMN r float8 DEFAULT random();\n", &["PG302"]),
        case("pg302_neg_constant_default", "pg_locks", &[PG],
            "ALTER TABLE users ADD COLUMN c int NOT NULL DEFAULT 0;\n", &[]),
        case("pg303_set_not_null", "pg_locks", &[PG],
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n", &["PG303"]),
        case("pg303_neg_proven_by_check", "pg_locks", &[PG],
            "ALTER TABLE chk ALTER COLUMN e SET NOT NULL;\n", &[])
            .base("CREATE TABLE chk (id int, e text, CONSTRAINT e_nn CHECK (e IS NOT NULL));\n"),
        case("pg305_check", "pg_locks", &[PG],
            "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0);\n", &["PG305"]),
        case("pg305_neg_not_valid", "pg_locks", &[PG],
            "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0) NOT VALID;\n", &[]),
        case("pg306_foreign_key", "pg_locks", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (age) REFERENCES parent (id);\n", &["PG306"]),
        case("pg306_neg_not_valid", "pg_locks", &[PG],
            "ALTER TABLE users ADD CONSTRAINT users_parent FOREIGN KEY (age) REFERENCES parent (id) NOT VALID;\n", &[]),
        case("pg3xx_neg_new_table", "pg_locks", &[PG],
            "CREATE TABLE n (id int, v int);\nALTER TABLE n ADD CONSTRAINT v_pos CHECK (v > 0);\n\
             ALTER TABLE n ALTER COLUMN v SET NOT NULL;\nALTER TABLE n ALTER COLUMN v TYPE bigint;\n", &[]),
        // mysql (MY102, MY110–MY113, MY120–MY123).
        case("my102_inline_references", "mysql", &[MY],
            "CREATE TABLE c2 (id int PRIMARY KEY, p_id int REFERENCES parent (id));\n", &["MY102"]),
        case("my102_neg_table_constraint", "mysql", &[MY],
            "CREATE TABLE c2 (id int PRIMARY KEY, p_id int, FOREIGN KEY (p_id) REFERENCES parent (id));\n", &[]),
        case("my110_enum_value_removed", "mysql", &[MY],
            "ALTER TABLE e MODIFY status ENUM('a','b');\n", &["MY110"]).base(ENUMS),
        case("my111_enum_reordered", "mysql", &[MY],
            "ALTER TABLE e MODIFY status ENUM('b','a','c');\n", &["MY111"]).base(ENUMS),
        case("my112_enum_value_inserted", "mysql", &[MY],
            "ALTER TABLE e MODIFY status ENUM('a','n','b','c');\n", &["MY112"]).base(ENUMS),
        case("my113_enum_grows", "mysql", &[MY],
            format!("ALTER TABLE e MODIFY status ENUM('a','b','c',{});\n", enum_of(253)), &["MY113"]).base(ENUMS),
        case("my11x_neg_enum_appended", "mysql", &[MY],
            "ALTER TABLE e MODIFY status ENUM('a','b','c','d');\n", &[]).base(ENUMS),
        case("my110_neg_new_table", "mysql", &[MY],
            "CREATE TABLE f (id int, s ENUM('a','b'));\nALTER TABLE f MODIFY s ENUM('a');\n", &[]),
        case("my120_set_value_removed", "mysql", &[MY],
            "ALTER TABLE e MODIFY tags SET('x','y');\n", &["MY120"]).base(ENUMS),
        case("my121_set_reordered", "mysql", &[MY],
            "ALTER TABLE e MODIFY tags SET('y','x','z');\n", &["MY121"]).base(ENUMS),
        case("my122_set_value_inserted", "mysql", &[MY],
            "ALTER TABLE e MODIFY tags SET('x','n','y','z');\n", &["MY122"]).base(ENUMS),
        case("my123_set_grows", "mysql", &[MY],
            "ALTER TABLE e MODIFY tags SET('x','y','z','a','b','c','d','e','f');\n", &["MY123"]).base(ENUMS),
        case("my12x_neg_set_appended", "mysql", &[MY],
            "ALTER TABLE e MODIFY tags SET('x','y','z','w');\n", &[]).base(ENUMS),
        // naming (NM101–NM106), with the patterns of [`NAMING`].
        case("nm101_schema", "naming", &[PG], "CREATE SCHEMA other;\n", &["NM101"]).unbound(),
        case("nm101_neg_schema", "naming", &[PG], "CREATE SCHEMA sch_other;\n", &[]).unbound(),
        case("nm102_table", "naming", ALL, "CREATE TABLE other (c_id int);\n", &["NM102"]),
        case("nm102_neg_table", "naming", ALL, "CREATE TABLE tbl_other (c_id int);\n", &[]),
        case("nm103_column", "naming", ALL, "ALTER TABLE users ADD COLUMN other int;\n", &["NM103"]),
        case("nm103_neg_column", "naming", ALL, "ALTER TABLE users ADD COLUMN c_other int;\n", &[]),
        case("nm104_index", "naming", ALL, "CREATE INDEX other ON users (age);\n", &["NM104"]),
        case("nm104_neg_index", "naming", ALL, "CREATE INDEX idx_other ON users (age);\n", &[]),
        case("nm105_foreign_key", "naming", &[PG],
            "ALTER TABLE users ADD CONSTRAINT other FOREIGN KEY (age) REFERENCES parent (id);\n", &["NM105"]),
        case("nm105_neg_foreign_key", "naming", PG_MY,
            "CREATE INDEX idx_age ON users (age);\n\
             ALTER TABLE users ADD CONSTRAINT fk_other FOREIGN KEY (age) REFERENCES parent (id);\n", &[]),
        case("nm105_foreign_key_my", "naming", &[MY],
            "CREATE INDEX idx_age ON users (age);\n\
             ALTER TABLE users ADD CONSTRAINT other FOREIGN KEY (age) REFERENCES parent (id);\n", &["NM105"]),
        case("nm106_check", "naming", PG_MY,
            "ALTER TABLE users ADD CONSTRAINT other CHECK (age > 0);\n", &["NM106"]),
        case("nm106_neg_check", "naming", PG_MY,
            "ALTER TABLE users ADD CONSTRAINT chk_other CHECK (age > 0);\n", &[]),
        case("nm_neg_existing_names", "naming", PG_LT, "DROP INDEX users_name;\n", &[]),
    ]
}

/// Where a dialect's cases run.
struct Target {
    db: Db,
    /// PostgreSQL: `(bound, unbound)`; MySQL: the database URL; SQLite: none.
    bound: Option<String>,
    unbound: Option<String>,
}

impl Target {
    fn url(&self, case: &Case) -> Option<&str> {
        if case.unbound {
            self.unbound.as_deref()
        } else {
            self.bound.as_deref()
        }
    }
}

/// A `nolint` variant of a positive case.
struct Variant {
    label: &'static str,
    sql: String,
}

/// Comment spellings: `#` only where MySQL reads it.
fn variants(
    db: Db,
    sql: &str,
    analyzer: &str,
    codes_by_line: &[(usize, Vec<String>)],
) -> Vec<Variant> {
    let insert = |directive: &dyn Fn(&[String]) -> String| -> String {
        let mut out = String::new();
        for (i, line) in sql.lines().enumerate() {
            if let Some((_, codes)) = codes_by_line.iter().find(|(l, _)| *l == i + 1) {
                out.push_str(&directive(codes));
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    };
    let by_name = if db == MY {
        "#atlas:nolint"
    } else {
        "--atlas:nolint"
    };
    let all_codes: Vec<String> = codes_by_line.iter().flat_map(|(_, c)| c.clone()).collect();
    let mut out = vec![
        Variant {
            label: "nolint by code",
            sql: insert(&|codes| format!("-- atlas:nolint {}", codes.join(" "))),
        },
        Variant {
            label: "nolint by analyzer",
            sql: insert(&|_| format!("{by_name} {analyzer}")),
        },
        Variant {
            label: "nolint all",
            sql: insert(&|_| "/*atlas:nolint*/".to_owned()),
        },
    ];
    // File level: a header followed by a blank line. Files that already have a header
    // (txmode) get the directive added to it.
    let file_level = match sql.split_once("\n\n") {
        Some((header, rest)) if header.lines().all(|l| l.starts_with("--")) => {
            format!(
                "{header}\n-- atlas:nolint {}\n\n{rest}",
                all_codes.join(" ")
            )
        }
        _ => format!("-- atlas:nolint {}\n\n{sql}", all_codes.join(" ")),
    };
    out.push(Variant {
        label: "file-level nolint by code",
        sql: file_level,
    });
    out
}

async fn lint(
    url: Option<&str>,
    config: &LintConfig,
    base: &str,
    sql: &str,
) -> Result<Report, String> {
    let mut dir = MigrationDir::default();
    dir.add_file(MigrationFile::new(
        "1_base.sql",
        format!("{BASE}{base}").into_bytes(),
    ))
    .map_err(|e| e.to_string())?;
    dir.add_file(MigrationFile::new("2_new.sql", sql.as_bytes().to_vec()))
        .map_err(|e| e.to_string())?;
    let mut builder = MigrateLint::builder(dir)
        .selection(LintSelection::Latest(1))
        .config(config.clone())
        .no_cache()
        // Every case also checks that reading only the touched tables after each
        // statement gives the schema a whole read gives.
        .verify_scoped_reads();
    if let Some(url) = url {
        builder = builder.dev_url(url);
    }
    let lint = builder.build().map_err(|e| e.to_string())?;
    lint.run()
        .await
        .map(|o| o.report)
        .map_err(|e| e.to_string())
}

fn codes_of<'a>(report: &'a Report, analyzer: &str) -> Vec<&'a str> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.analyzer == analyzer)
        .map(|d| d.code.as_str())
        .collect()
}

/// Runs every case of `target.db`; returns the failures.
async fn run_matrix(target: &Target) -> Vec<String> {
    let naming: LintConfig = serde_json::from_str(NAMING).expect("naming config");
    let plain = LintConfig::default();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases().iter().filter(|c| c.on.contains(&target.db)) {
        ran += 1;
        let config = if case.analyzer == "naming" {
            &naming
        } else {
            &plain
        };
        let url = target.url(case);
        let at = format!("{} on {:?}", case.name, target.db);
        let report = match lint(url, config, &case.base, &case.sql).await {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{at}: lint failed: {e}"));
                continue;
            }
        };
        let got = codes_of(&report, case.analyzer);
        if got != case.expect {
            failures.push(format!(
                "{at}: expected {:?}, got {got:?}\n{}",
                case.expect,
                report.to_text()
            ));
            continue;
        }
        if case.expect.is_empty() {
            continue;
        }
        if report
            .diagnostics
            .iter()
            .filter(|d| d.analyzer == case.analyzer)
            .any(|d| d.line.is_none() || d.fix.is_none())
        {
            failures.push(format!(
                "{at}: a finding lacks its line or suggested fix\n{}",
                report.to_text()
            ));
        }
        let mut by_line: Vec<(usize, Vec<String>)> = Vec::new();
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.analyzer == case.analyzer)
        {
            let line = d.line.unwrap_or(1);
            match by_line.iter_mut().find(|(l, _)| *l == line) {
                Some((_, codes)) => codes.push(d.code.clone()),
                None => by_line.push((line, vec![d.code.clone()])),
            }
        }
        for variant in variants(target.db, &case.sql, case.analyzer, &by_line) {
            let at = format!("{at} ({})", variant.label);
            match lint(url, config, &case.base, &variant.sql).await {
                Ok(r) => {
                    let left = codes_of(&r, case.analyzer);
                    if !left.is_empty() || r.suppressed < case.expect.len() {
                        failures.push(format!(
                            "{at}: left {left:?}, suppressed {}\n--- file:\n{}\n{}",
                            r.suppressed,
                            variant.sql,
                            r.to_text()
                        ));
                    }
                }
                Err(e) => failures.push(format!(
                    "{at}: lint failed: {e}\n--- file:\n{}",
                    variant.sql
                )),
            }
        }
    }
    assert!(ran > 0, "no case for {:?}", target.db);
    failures
}

fn finish(db: Db, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} matrix case(s) failed on {db:?}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[tokio::test]
async fn sqlite_matrix() {
    let target = Target {
        db: LT,
        bound: None,
        unbound: None,
    };
    finish(LT, run_matrix(&target).await);
}

#[tokio::test]
async fn postgres_matrix() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let sep = if dev.url.contains('?') { '&' } else { '?' };
    let target = Target {
        db: PG,
        bound: Some(format!("{}{sep}search_path=public", dev.url)),
        unbound: Some(dev.url.clone()),
    };
    let failures = run_matrix(&target).await;
    dev.drop_db().await;
    finish(PG, failures);
}

#[tokio::test]
async fn mysql_matrix() {
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let target = Target {
        db: MY,
        bound: Some(dev.url.clone()),
        unbound: Some(dev.url.clone()),
    };
    let failures = run_matrix(&target).await;
    dev.drop_db().await;
    finish(MY, failures);
}
