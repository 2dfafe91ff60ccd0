//! The URL template of a fleet: where the `{tenant}` placeholder sits decides whether one
//! connection can serve many tenants (a schema switch) or each tenant needs its own.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// A parsed URL template, or a list of tenant URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    template: String,
    kind: DialectKind,
    reach: Reach,
    /// A list of URLs (database per tenant) that no template describes: tenant → URL.
    urls: Option<Arc<HashMap<String, String>>>,
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
            urls: None,
        })
    }

    /// A tenant set given as one URL per tenant (Atlas's multi-tenant envs give such
    /// lists: `urlsetpath(var.url, each.value)`). Each tenant is named after what its URL
    /// selects: the PostgreSQL `search_path`, else the database, or the SQLite file's stem.
    /// Where the URLs differ only in that name they are one template (so one connection
    /// serves many tenants, as with `{tenant}`); otherwise each tenant keeps its URL.
    /// Returns the template and the tenant names, in list order.
    pub fn from_urls(urls: &[String]) -> Result<(UrlTemplate, Vec<String>), FleetError> {
        let Some(first) = urls.first() else {
            return Err(FleetError::NoTenants {
                from: "no URL given".into(),
            });
        };
        let kind = crate::driver_for(first)?.kind;
        let mut names = Vec::with_capacity(urls.len());
        let mut templates = HashSet::new();
        for url in urls {
            if url.contains(PLACEHOLDER) {
                return Err(FleetError::Template {
                    url: redact_url(url),
                    reason: format!(
                        "a list of URLs names each tenant's URL in full, without {PLACEHOLDER}"
                    ),
                });
            }
            let other = crate::driver_for(url)?.kind;
            if other != kind {
                return Err(FleetError::Template {
                    url: redact_url(url),
                    reason: format!(
                        "every URL of a list must be of one database family ({kind:?}, not {other:?})"
                    ),
                });
            }
            let (name, template) = tenant_of(url, kind).ok_or_else(|| FleetError::Template {
                url: redact_url(url),
                reason: "it names no schema, database or file to call the tenant by".into(),
            })?;
            templates.insert(template);
            names.push(name);
        }
        let mut seen = HashSet::new();
        for (name, url) in names.iter().zip(urls) {
            if !seen.insert(name.as_str()) {
                return Err(FleetError::DuplicateTenant {
                    name: name.clone(),
                    at: Some(redact_url(url)),
                });
            }
        }
        let plain = names.iter().all(|n| super::tenants::check_name(n).is_ok());
        if templates.len() == 1
            && plain
            && let Some(template) = templates.into_iter().next()
        {
            let parsed = UrlTemplate::parse(&template)?;
            if parsed.reach != Reach::Connect {
                return Ok((parsed, names));
            }
        }
        let map = names.iter().cloned().zip(urls.iter().cloned()).collect();
        Ok((
            UrlTemplate {
                template: first.clone(),
                kind,
                reach: Reach::Connect,
                urls: Some(Arc::new(map)),
            },
            names,
        ))
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
        match &self.urls {
            Some(urls) => format!("a list of {} URLs", urls.len()),
            None => redact_url(&self.template),
        }
    }

    /// The URL of one tenant (the name must have passed [`super::tenants::check_name`], or
    /// be one of the list's).
    pub fn url_for(&self, tenant: &str) -> String {
        match self.urls.as_ref().and_then(|urls| urls.get(tenant)) {
            Some(url) => url.clone(),
            None => self.template.replace(PLACEHOLDER, tenant),
        }
    }

    /// Whether this is a list of URLs rather than a template.
    pub fn is_list(&self) -> bool {
        self.urls.is_some()
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

/// The tenant a URL selects and the URL with that name replaced by the placeholder: the
/// PostgreSQL `search_path` (a single schema), else the database (the path), or for
/// SQLite the file's stem.
fn tenant_of(url: &str, kind: DialectKind) -> Option<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    if kind == DialectKind::Postgres
        && let Some(query) = query
    {
        let params: Vec<&str> = query.split('&').collect();
        if let Some(at) = params.iter().position(|p| p.starts_with("search_path=")) {
            let value = &params[at]["search_path=".len()..];
            if !value.is_empty() && !value.contains(',') && !value.contains("%2C") {
                let mut replaced: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
                replaced[at] = format!("search_path={PLACEHOLDER}");
                return Some((value.to_owned(), format!("{base}?{}", replaced.join("&"))));
            }
        }
    }
    let suffix = query.map(|q| format!("?{q}")).unwrap_or_default();
    let (scheme, rest) = base.split_once("://")?;
    if kind == DialectKind::Sqlite {
        let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
        let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
        if stem.is_empty() {
            return None;
        }
        let dot = if ext.is_empty() { "" } else { "." };
        let dir = if rest.contains('/') {
            format!("{dir}/")
        } else {
            String::new()
        };
        return Some((
            stem.to_owned(),
            format!("{scheme}://{dir}{PLACEHOLDER}{dot}{ext}{suffix}"),
        ));
    }
    let (host, path) = rest.split_once('/')?;
    let database = path.trim_end_matches('/');
    if database.is_empty() || database.contains('/') {
        return None;
    }
    Some((
        database.to_owned(),
        format!("{scheme}://{host}/{PLACEHOLDER}{suffix}"),
    ))
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
    fn url_lists_become_templates_where_only_the_tenant_differs() {
        let urls = vec![
            "postgres://u@h/app?sslmode=disable&search_path=acme".to_owned(),
            "postgres://u@h/app?sslmode=disable&search_path=globex".to_owned(),
        ];
        let (t, names) = UrlTemplate::from_urls(&urls).unwrap();
        assert_eq!(names, ["acme", "globex"]);
        assert_eq!(t.reach(), Reach::PostgresSchema);
        assert!(!t.is_list());
        assert_eq!(t.url_for("globex"), urls[1]);

        let urls = vec![
            "mysql://root@h:3306/t1".to_owned(),
            "mysql://root@h:3306/t2".to_owned(),
        ];
        let (t, names) = UrlTemplate::from_urls(&urls).unwrap();
        assert_eq!(
            (t.reach(), names),
            (Reach::MysqlDatabase, vec!["t1".to_owned(), "t2".to_owned()])
        );

        // Databases on two servers: each tenant keeps its URL.
        let urls = vec!["postgres://a/t1".to_owned(), "postgres://b/t2".to_owned()];
        let (t, names) = UrlTemplate::from_urls(&urls).unwrap();
        assert_eq!(t.reach(), Reach::Connect);
        assert!(t.is_list());
        assert_eq!(t.url_for("t2"), "postgres://b/t2");
        assert_eq!(names, ["t1", "t2"]);

        let urls = vec![
            "sqlite:///tmp/f/a.db".to_owned(),
            "sqlite:///tmp/f/b.db".to_owned(),
        ];
        let (t, names) = UrlTemplate::from_urls(&urls).unwrap();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(t.url_for("b"), "sqlite:///tmp/f/b.db");
    }

    #[test]
    fn url_lists_refuse_duplicates_and_mixed_families() {
        let err = UrlTemplate::from_urls(&["postgres://a/t1".into(), "postgres://b/t1".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("listed twice"), "{err}");
        let err = UrlTemplate::from_urls(&["postgres://a/t1".into(), "mysql://b/t2".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("one database family"), "{err}");
        assert!(UrlTemplate::from_urls(&["postgres://a/".into()]).is_err());
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
