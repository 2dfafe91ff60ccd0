//! The tenant set: names given inline, read from a file (one per line) or returned by a
//! query on the control database.

use std::collections::HashSet;
use std::path::PathBuf;

use mercator_driver::redact_url;

use super::FleetError;

/// Where the tenant names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tenants {
    /// Names given directly.
    List(Vec<String>),
    /// A file with one name per line; blank lines and lines starting with `#` are skipped.
    File(PathBuf),
    /// A query run on the control URL (the template without its placeholder); the first
    /// column of each row is a name.
    Query(String),
}

/// A name with where it came from, for messages.
struct Named {
    name: String,
    at: Option<String>,
}

impl Tenants {
    /// Reads the names, checks each, and refuses duplicates and an empty set.
    pub(crate) async fn resolve(&self, control_url: &str) -> Result<Vec<String>, FleetError> {
        let (named, from) = match self {
            Tenants::List(names) => (
                names
                    .iter()
                    .map(|n| Named {
                        name: n.clone(),
                        at: None,
                    })
                    .collect(),
                "no --tenant given".to_owned(),
            ),
            Tenants::File(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| FleetError::TenantsFile {
                        path: path.clone(),
                        source,
                    })?;
                (
                    from_lines(&text, &path.display().to_string()),
                    format!("file {}", path.display()),
                )
            }
            Tenants::Query(sql) => (
                query(control_url, sql).await?,
                "the query returned no rows".to_owned(),
            ),
        };
        let mut seen = HashSet::new();
        let mut names = Vec::with_capacity(named.len());
        for Named { name, at } in named {
            check_name(&name).map_err(|reason| FleetError::TenantName {
                name: name.clone(),
                at: at.clone(),
                reason,
            })?;
            if !seen.insert(name.clone()) {
                return Err(FleetError::DuplicateTenant { name, at });
            }
            names.push(name);
        }
        if names.is_empty() {
            return Err(FleetError::NoTenants { from });
        }
        Ok(names)
    }
}

fn from_lines(text: &str, file: &str) -> Vec<Named> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(i, line)| Named {
            name: line.to_owned(),
            at: Some(format!("{file}:{}", i + 1)),
        })
        .collect()
}

async fn query(control_url: &str, sql: &str) -> Result<Vec<Named>, FleetError> {
    let failed =
        |reason: String, source: Option<mercator_driver::DriverError>| FleetError::TenantsQuery {
            url: redact_url(control_url),
            reason,
            source: source.map(Box::new),
        };
    let driver = crate::open_with(control_url, mercator_driver::OpenOptions::read_only()).await?;
    let rows = {
        let mut session = driver.session().await?;
        session.query(sql).await
    };
    let closed = driver.close().await;
    let rows = rows.map_err(|e| failed(e.to_string(), Some(e)))?;
    closed?;
    if rows.columns.is_empty() {
        return Err(failed("the query returns no column".into(), None));
    }
    rows.rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| match row.into_iter().next().flatten() {
            Some(name) => Ok(Named {
                name,
                at: Some(format!("query row {}", i + 1)),
            }),
            None => Err(failed(
                format!("row {} has NULL as the tenant name", i + 1),
                None,
            )),
        })
        .collect()
}

/// Tenant names go into URLs and identifiers: letters, digits, `_`, `-` and `$`, at most 64
/// characters, so they need no escaping anywhere and cannot smuggle in SQL or URL syntax.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("a tenant name cannot be empty");
    }
    if name.len() > 64 {
        return Err("a tenant name has at most 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
    {
        return Err("a tenant name holds only ASCII letters, digits, '_', '-' and '$'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn file_lines_skip_blanks_and_comments() {
        let named = from_lines("# tenants\n t1 \n\nt2\n", "f.txt");
        let names: Vec<_> = named.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["t1", "t2"]);
        assert_eq!(named[1].at.as_deref(), Some("f.txt:4"));
    }

    #[test]
    fn bad_names_are_located() {
        let dir = std::env::temp_dir().join(format!("mercator-fleet-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tenants.txt");
        std::fs::write(&file, "ok_1\nbad name\n").unwrap();
        let err = rt()
            .block_on(Tenants::File(file.clone()).resolve("sqlite://x"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"bad name\"") && err.contains("tenants.txt:2"),
            "{err}"
        );
        std::fs::write(&file, "a\nb\na\n").unwrap();
        let err = rt()
            .block_on(Tenants::File(file.clone()).resolve("sqlite://x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("listed twice") && err.contains(":3"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
        let err = rt()
            .block_on(Tenants::List(vec![]).resolve("sqlite://x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty"), "{err}");
        assert!(check_name("x'; DROP").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
    }
}
