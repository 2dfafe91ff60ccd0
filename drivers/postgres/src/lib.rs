//! PostgreSQL support for Mercator: inspection from the catalogs, planning as PostgreSQL
//! SQL, transactional execution, advisory locks and a scratch dev database.
//!
//! [`PostgresDialect`] needs no connection: it normalizes realms and renders changes from
//! `schema-diff` as statements. [`PostgresDriver`] connects to a `postgres://` URL and
//! implements every trait of `mercator-driver`.
//!
//! ```
//! use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
//! use schema_model::*;
//! use mercator_postgres::PostgresDialect;
//!
//! let before = Realm::new(vec![Schema::new("public")]);
//! let mut mood = EnumType { name: "mood".into(), values: vec!["ok".into()], comment: None };
//! let after = Realm::new(vec![Schema { enums: vec![mood.clone()], ..Schema::new("public") }]);
//! let options = PlanOptions { unqualified_schema: Some("public".into()), ..Default::default() };
//! let plan = PostgresDialect.plan(&PostgresDialect.diff(&before, &after, &DiffOptions::default()), &options).unwrap();
//! assert_eq!(plan.statements[0].sql, "CREATE TYPE \"mood\" AS ENUM ('ok')");
//!
//! // Labels are added in place, outside the transaction.
//! mood.values.insert(0, "sad".into());
//! let later = Realm::new(vec![Schema { enums: vec![mood], ..Schema::new("public") }]);
//! let plan = PostgresDialect.plan(&PostgresDialect.diff(&after, &later, &DiffOptions::default()), &options).unwrap();
//! assert_eq!(plan.statements[0].sql, "ALTER TYPE \"mood\" ADD VALUE 'sad' BEFORE 'ok'");
//! assert!(!plan.statements[0].transactional);
//! ```
//!
//! Representation choices: serial columns (an integer column whose `nextval` default reads
//! the sequence `<table>_<column>_seq` it owns) are kept as the column with its default, and
//! render back as `serial`/`bigserial`/`smallserial`; other sequences, owned or not, are
//! objects of their own (ownership set at the end of a plan, once the table exists);
//! identity columns carry their sequence options and their sequences are not listed. Objects that
//! belong to extensions and the `atlas_schema_revisions` table are left out.
//!
//! Not supported: roles, grants and ownership; `CREATE COLLATION` objects (columns may
//! use existing collations); changing a table's partition key or turning a table into a
//! partitioned one (planning fails with `PlanError::Unsupported`); column attributes a
//! partition or child table overrides locally on inherited columns.
//!
//! For SQLite or MySQL use `mercator-sqlite` / `mercator-mysql`; to pick a driver from a URL
//! at run time use `mercator-migrate`.

mod connect;
mod definition;
mod depends;
mod dev;
mod dialect;
mod driver;
mod error;
mod inspect;
mod lock;
mod plan;
mod quote;
mod scratch;
mod sequence;
mod serial;
mod session;
mod snapshot;
mod types;

pub use dialect::PostgresDialect;
pub use driver::{FACTORY, PostgresDriver};
