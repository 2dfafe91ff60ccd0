//! The typed schema model of Mercator: what a database's schema *is*, independent of any
//! database connection.
//!
//! A [`Realm`] holds [`Schema`]s; a schema holds [`Table`]s, [`View`]s, [`Routine`]s,
//! [`Trigger`]s, [`Rule`]s, [`EnumType`]s, [`Domain`]s, [`CompositeType`]s, [`Sequence`]s and
//! [`Collation`]s. Drivers
//! (`mercator-sqlite`, `mercator-postgres`, `mercator-mysql`) produce realms by inspecting a
//! database; `schema-diff` compares two realms; `schema-lint` reads them. This crate does no
//! I/O and is not async.
//!
//! ```
//! use schema_model::*;
//!
//! let users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Big)).not_null())
//!     .with_column(Column::new("email", ColumnType::string(StringKind::Varchar, Some(255))));
//! let a = Realm::new(vec![Schema::new("public").with_table(users.clone())]);
//!
//! // The fingerprint ignores declaration order.
//! let mut reordered = users;
//! reordered.columns.reverse();
//! let b = Realm::new(vec![Schema::new("public").with_table(reordered)]);
//! assert_eq!(fingerprint(&a).unwrap(), fingerprint(&b).unwrap());
//!
//! // Realms round-trip through JSON.
//! let json = serde_json::to_string(&a).unwrap();
//! assert_eq!(serde_json::from_str::<Realm>(&json).unwrap(), a);
//! assert!(to_mermaid(&a).contains("users {"));
//! ```
//!
//! To compute the changes between two realms use `schema-diff`; to read a realm out of a
//! database use a driver crate.

mod canonical;
mod dialect;
mod erd;
mod html;
mod objects;
mod realm;
mod table;
mod types;

pub use canonical::{
    FINGERPRINT_VERSION, FingerprintError, UnknownFingerprint, canonicalize, fingerprint,
    fingerprint_version, same_fingerprint,
};
pub use dialect::{DialectKind, UnknownDialect};
pub use erd::{to_dot, to_mermaid};
pub use html::to_html;
pub use objects::*;
pub use realm::*;
pub use table::*;
pub use types::*;

/// Serde helper: skip fields that hold their type's default.
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}
