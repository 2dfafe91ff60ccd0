//! The MySQL and MariaDB driver of Mercator.
//!
//! [`MysqlDriver::open`] connects to a `mysql://`, `maria://` or `mariadb://` URL and
//! implements every `mercator_driver` trait: it inspects `information_schema` into a
//! [`schema_model::Realm`] (metadata only, a fixed number of set-based queries), runs plans
//! statement by statement (MySQL commits DDL implicitly, so a failure reports exactly which
//! statements had already been applied), takes advisory locks with `GET_LOCK` and uses its
//! bound database as a scratch "dev" database.
//!
//! [`MysqlDialect`] normalizes realms and renders changes as MySQL SQL: one `ALTER TABLE`
//! per table, new columns placed with `AFTER`/`FIRST`, identifiers in backticks. It holds
//! the server flavor and version, so differences between MySQL 8 and MariaDB (JSON,
//! `INVISIBLE` vs `IGNORED` indexes, `NOT ENFORCED` checks, descending indexes) are decided
//! without a connection:
//!
//! ```
//! use mercator_mysql::MysqlDialect;
//! use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
//! use schema_model::*;
//!
//! let mut users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Big)).not_null());
//! users.primary_key = Some(PrimaryKey::on_columns(&["id"]));
//! let current = Realm::new(vec![Schema::new("app").with_table(users.clone())]);
//! users.columns.push(Column::new("email", ColumnType::string(StringKind::Varchar, Some(255))));
//! let mut hidden = Index::on_columns("by_email", &["email"]);
//! hidden.invisible = true;
//! users.indexes.push(hidden);
//! let desired = Realm::new(vec![Schema::new("app").with_table(users)]);
//!
//! let options = PlanOptions { unqualified_schema: Some("app".into()), ..Default::default() };
//! for (dialect, keyword) in [
//!     (MysqlDialect::mysql8(), "INVISIBLE"),
//!     (MysqlDialect::mariadb((10, 11, 6)), "IGNORED"),
//! ] {
//!     let changes = dialect.diff(&current, &desired, &DiffOptions::default());
//!     let plan = dialect.plan(&changes, &options).unwrap();
//!     assert_eq!(
//!         plan.statements[0].sql,
//!         format!(
//!             "ALTER TABLE `users` ADD COLUMN `email` varchar(255) NULL AFTER `id`, \
//!              ADD INDEX `by_email` (`email`) {keyword}"
//!         )
//!     );
//!     assert!(!plan.transactional);
//! }
//! ```
//!
//! Choosing a driver from a URL at run time (`Box<dyn Driver>`) is `mercator-migrate`'s
//! job; the shared traits live in `mercator-driver`, the diff engine in `schema-diff`.

#![warn(missing_docs)]

mod connect;
mod dialect;
mod driver;
mod error;
mod flavor;
mod inspect;
mod lock_name;
mod quote;
mod render;
mod session;

pub use connect::parse_url;
pub use dialect::MysqlDialect;
pub use driver::{FACTORY, MysqlDriver};
pub use flavor::{Flavor, ServerVersion};
pub use inspect::{SYSTEM_SCHEMAS, strip_schema};
pub use render::{column_sql, type_sql};
