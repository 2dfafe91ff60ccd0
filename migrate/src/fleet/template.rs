//! The URL template of a fleet: where the `{tenant}` placeholder sits decides whether one
//! connection can serve many tenants (a schema switch) or each tenant needs its own.

use mercator_driver::redact_url;
use schema_model::DialectKind;

use super::FleetError;

/// The placeholder a template holds exactly once.
pub const PLACEHOLDER: &str = "{tenant}";

/// How tenants are reached from one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// PostgreSQL `search_path={tenant}`: one connection to the database serves every
    /// tenant by `SET search_path`.
    PostgresSchema,
    /// MySQL/MariaDB `/{tenant}` as the database: one connection to the server serves
    /// every tenant by `USE`.
    MysqlDatabase,
    /// Anything else (a PostgreSQL database per tenant, SQLite files): one connection per
    /// tenant, at most `parallel` at a time.
    Connect,
}

/// A parsed URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    template: String,
    kind: DialectKind,
    reach: Reach,
}

impl UrlTemplate {
    /// Parses a template holding `{tenant}` exactly once, for a known driver.
    pub fn parse(template: &str) -> Result<UrlTemplate, FleetError> {
        let count = template.matches(PLACEHOLDER).count();
        if count != 1 {
            return Err(FleetError::Template {
                url: redact_url(template),
                reason: format!(
                    "expected the placeholder {PLACEHOLDER} exactly once (found it {count} times), e.g. postgres://host/app?search_path={PLACEHOLDER} or mysql://host/{PLACEHOLDER}"
                ),
            });
        }
        let kind = crate::driver_for(&template.replace(PLACEHOLDER, "tenant"))?.kind;
        let reach = match kind {
            DialectKind::Postgres if query_param_is_placeholder(template, "search_path") => {
                Reach::PostgresSchema
            }
            DialectKind::Mysql if path_is_placeholder(template) => Reach::MysqlDatabase,
            _ => Reach::Connect,
        };
        Ok(UrlTemplate {
            template: template.to_owned(),
            kind,
            reach,
        })
    }

    /// The database family.
    pub fn kind(&self) -> DialectKind {
        self.kind
    }

    /// How tenants are reached.
    pub fn reach(&self) -> Reach {
        self.reach
    }

    /// The template, password masked.
    pub fn redacted(&self) -> String {
        redact_url(&self.template)
    }

    /// The URL of one tenant (the name must have passed [`super::tenants::check_name`]).
    pub fn url_for(&self, tenant: &str) -> String {
        self.template.replace(PLACEHOLDER, tenant)
    }

    /// The control URL: the template with the placeholder left out (the `search_path`
    /// parameter dropped, the database path emptied), a connection bound to no tenant.
    pub fn control_url(&self) -> String {
        let t = &self.template;
        let (base, query) = match t.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (t.as_str(), None),
        };
        let query: Vec<&str> = query
            .map(|q| q.split('&').filter(|p| !p.contains(PLACEHOLDER)).collect())
            .unwrap_or_default();
        let base = base.replace(PLACEHOLDER, "");
        if query.is_empty() {
            base
        } else {
            format!("{base}?{}", query.join("&"))
        }
    }
}

/// Whether the query has `name={tenant}` as one of its parameters.
fn query_param_is_placeholder(url: &str, name: &str) -> bool {
    url.split_once('?').is_some_and(|(_, q)| {
        q.split('&')
            .any(|p| p.split_once('=') == Some((name, PLACEHOLDER)))
    })
}

/// Whether the URL's path is exactly `/{tenant}`.
fn path_is_placeholder(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let rest = rest.split('?').next().unwrap_or_default();
    rest.split_once('/')
        .is_some_and(|(_, path)| path == PLACEHOLDER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_schema_template() {
        let t = UrlTemplate::parse(
            "postgres://u:secret@h:5432/app?sslmode=disable&search_path={tenant}",
        )
        .unwrap();
        assert_eq!(t.reach(), Reach::PostgresSchema);
        assert_eq!(
            t.control_url(),
            "postgres://u:secret@h:5432/app?sslmode=disable"
        );
        assert_eq!(
            t.url_for("t1"),
            "postgres://u:secret@h:5432/app?sslmode=disable&search_path=t1"
        );
        assert!(!t.redacted().contains("secret"));
    }

    #[test]
    fn mysql_database_template() {
        let t = UrlTemplate::parse("mysql://root@h:3306/{tenant}?x=1").unwrap();
        assert_eq!(t.reach(), Reach::MysqlDatabase);
        assert_eq!(t.control_url(), "mysql://root@h:3306/?x=1");
    }

    #[test]
    fn other_templates_connect_per_tenant() {
        let t = UrlTemplate::parse("postgres://h/{tenant}").unwrap();
        assert_eq!(t.reach(), Reach::Connect);
        let t = UrlTemplate::parse("sqlite:///tmp/fleet/{tenant}.db").unwrap();
        assert_eq!(t.reach(), Reach::Connect);
        assert_eq!(t.kind(), DialectKind::Sqlite);
    }

    #[test]
    fn placeholder_exactly_once() {
        let err = UrlTemplate::parse("postgres://h/app")
            .unwrap_err()
            .to_string();
        assert!(err.contains("exactly once (found it 0 times)"), "{err}");
        let err = UrlTemplate::parse("mysql://h/{tenant}?a={tenant}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("found it 2 times"), "{err}");
        assert!(UrlTemplate::parse("oracle://h/{tenant}").is_err());
    }
}
