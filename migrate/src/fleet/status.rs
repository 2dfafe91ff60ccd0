//! [`Fleet::status`]: every tenant's revision, and whether its schema matches the others'.
//! Tenant schemas on one server are inspected together (a few catalog passes for the whole
//! fleet), each renamed to one neutral name and fingerprinted; tenants are grouped by
//! fingerprint and every group but the largest is described against it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::{Driver, InspectOptions};
use schema_diff::{DiffOptions, diff};
use schema_model::{Realm, Schema};
use serde::Serialize;

use super::describe::describe;
use super::pool::{self, TenantWork};
use super::template::Reach;
use super::{Fleet, FleetError};
use crate::{MigrateError, MigrateStatus, Migrator, MigratorBuilder, VersionedError};

/// How many tenant schemas one catalog pass reads: bounds the memory of a pass while
/// keeping the number of passes small.
const SCHEMAS_PER_PASS: usize = 1000;

/// The name every tenant schema is given before fingerprinting, so equal schemas of
/// different tenants have equal fingerprints.
pub(super) const NEUTRAL: &str = "tenant";

/// One tenant's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantStatus {
    /// The tenant's name.
    pub tenant: String,
    /// `OK`, `PENDING`, `FAILED` (as `migrate status`), or `ERROR` when it could not be
    /// read.
    pub status: String,
    /// Its last applied version.
    pub current: Option<String>,
    /// How many files are pending.
    pub pending: usize,
    /// The last failed revision's message, or why the tenant could not be read.
    pub error: Option<String>,
    /// The fingerprint of its schema (`None`: the schema does not exist or was not read).
    pub fingerprint: Option<String>,
    /// Index of its group in [`FleetStatus::groups`].
    pub group: Option<usize>,
    /// Whether its schema is the reference group's (the largest).
    pub matches: bool,
    /// How its schema differs from the reference group's.
    pub differences: Vec<String>,
}

/// Tenants whose schemas have one fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftGroup {
    /// The fingerprint.
    pub fingerprint: String,
    /// The tenants in it, in tenant order.
    pub tenants: Vec<String>,
    /// Whether this is the reference (largest) group.
    pub reference: bool,
    /// How this group differs from the reference (empty for the reference).
    pub differences: Vec<String>,
}

/// What [`Fleet::status`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetStatus {
    /// Every tenant, in tenant order.
    pub tenants: Vec<TenantStatus>,
    /// Fingerprint groups, the reference first, then by size.
    pub groups: Vec<DriftGroup>,
    /// One line: "1,497 identical, 3 differ: tenant_17 has an extra index …".
    pub summary: String,
    /// How many catalog passes the inspection took.
    pub inspect_passes: usize,
    /// How long reading every tenant's revisions took.
    #[serde(rename = "revisions_ms", serialize_with = "millis")]
    pub revisions_duration: Duration,
    /// How long inspecting and fingerprinting the schemas took (at the same time as the
    /// revisions are read, where one connection reaches every tenant).
    #[serde(rename = "inspect_ms", serialize_with = "millis")]
    pub inspect_duration: Duration,
    /// The whole command's duration.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
}

impl FleetStatus {
    /// The tenants whose schema differs from the reference group's, or could not be read.
    pub fn drifted(&self) -> impl Iterator<Item = &TenantStatus> {
        self.tenants.iter().filter(|t| !t.matches)
    }
}

/// Reads one tenant's revisions; where tenants have connections of their own, also its
/// schema (there is no shared catalog to read them all from).
struct StatusWork {
    builder: MigratorBuilder,
    own: Migrator,
    reach: Reach,
}

#[async_trait]
impl TenantWork for StatusWork {
    type Output = (MigrateStatus, Option<Realm>);

    async fn run(
        &self,
        tenant: &str,
        driver: &dyn Driver,
    ) -> Result<(MigrateStatus, Option<Realm>), VersionedError> {
        match self.reach {
            Reach::Connect => {
                let status = self.own.status_on(driver).await?;
                let realm = driver.inspect(&InspectOptions::default()).await?;
                let schema = realm
                    .schemas
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Schema::new(tenant));
                Ok((status, Some(normalize(schema, tenant)?)))
            }
            Reach::PostgresSchema | Reach::MysqlDatabase => {
                let migrator = self.builder.clone().revisions_schema(tenant).build()?;
                Ok((migrator.status_on(driver).await?, None))
            }
        }
    }
}

impl Fleet {
    /// Reports every tenant's revision against `builder`'s directory and groups the tenants
    /// by schema fingerprint, describing how each minority group differs from the largest.
    /// Writes nothing.
    pub async fn status(&self, builder: &MigratorBuilder) -> Result<FleetStatus, FleetError> {
        self.check_builder(builder)?;
        let started = Instant::now();
        let reach = self.template.reach();
        let work = Arc::new(StatusWork {
            builder: builder.clone(),
            own: builder.clone().build()?,
            reach,
        });
        let total = self.tenants.len();
        let revisions = async {
            let started = Instant::now();
            let done = pool::run(
                &self.template,
                &self.tenants,
                0..total,
                self.parallel,
                false,
                &work,
                None,
            )
            .await;
            (done, started.elapsed())
        };
        // One connection reads every schema while the workers read the revisions.
        let inspection = async {
            let started = Instant::now();
            let mut prints = Fingerprints::new(total);
            let passes = if reach == Reach::Connect {
                0
            } else {
                self.inspect_together(&mut prints, &[]).await?
            };
            Ok::<_, FleetError>((prints, passes, started.elapsed()))
        };
        let ((done, revisions_duration), inspected) = tokio::join!(revisions, inspection);
        let (mut prints, passes, mut inspect_duration) = inspected?;
        let mut tenants: Vec<TenantStatus> = self
            .tenants
            .iter()
            .map(|t| TenantStatus {
                tenant: t.clone(),
                status: "ERROR".into(),
                current: None,
                pending: 0,
                error: Some("not read".into()),
                fingerprint: None,
                group: None,
                matches: false,
                differences: Vec::new(),
            })
            .collect();
        for outcome in done {
            let t = &mut tenants[outcome.index];
            match outcome.result {
                Ok((status, realm)) => {
                    t.status = status.status.to_owned();
                    t.current = status.current;
                    t.pending = status.pending.len();
                    t.error = status.error.map(|e| e.message);
                    if let Some(realm) = realm {
                        let started = Instant::now();
                        prints.record(outcome.index, realm, &t.tenant)?;
                        inspect_duration += started.elapsed();
                    }
                }
                Err(e) => t.error = Some(e.to_string()),
            }
        }
        let groups = group(&mut tenants, prints);
        let summary = summarize(&tenants, &groups);
        Ok(FleetStatus {
            tenants,
            groups,
            summary,
            inspect_passes: passes,
            revisions_duration,
            inspect_duration,
            duration: started.elapsed(),
        })
    }

    /// Inspects every tenant schema through one connection to the control URL, a few
    /// hundred schemas per catalog pass; a tenant whose schema is missing keeps `None`.
    pub(super) async fn inspect_together(
        &self,
        prints: &mut Fingerprints,
        exclude_tables: &[String],
    ) -> Result<usize, FleetError> {
        let driver = crate::open(&self.template.control_url()).await?;
        let mut passes = 0;
        let mut outcome = Ok(());
        for (chunk_no, chunk) in self.tenants.chunks(SCHEMAS_PER_PASS).enumerate() {
            passes += 1;
            let options = InspectOptions {
                schemas: chunk.to_vec(),
                exclude_tables: exclude_tables.to_vec(),
                only_tables: None,
            };
            let realm = match driver.inspect(&options).await {
                Ok(realm) => realm,
                Err(e) => {
                    outcome = Err(FleetError::from(e));
                    break;
                }
            };
            let mut by_name: HashMap<String, Schema> = realm
                .schemas
                .into_iter()
                .map(|s| (s.name.clone(), s))
                .collect();
            for (i, tenant) in chunk.iter().enumerate() {
                if let Some(schema) = by_name.remove(tenant) {
                    let index = chunk_no * SCHEMAS_PER_PASS + i;
                    prints.record_schema(index, schema, tenant)?;
                }
            }
        }
        let closed = driver.close().await;
        outcome?;
        closed?;
        Ok(passes)
    }
}

/// The tenant's schema under the neutral name, with references to its own name in
/// expressions (a PostgreSQL default `nextval('tenant_17.seq')` read from a connection
/// whose search path does not hold it) made unqualified, as a bound connection shows them.
pub(super) fn normalize(schema: Schema, tenant: &str) -> Result<Realm, MigrateError> {
    Ok(serde_json::from_str(&normalized_text(schema, tenant)?)?)
}

/// [`normalize`]'s realm as JSON text. Equal texts are equal schemas: a fleet of identical
/// tenants is fingerprinted once per distinct text rather than once per tenant.
pub(super) fn normalized_text(mut schema: Schema, tenant: &str) -> Result<String, MigrateError> {
    if schema.name.is_empty() {
        schema.name = tenant.to_owned();
    }
    let realm = crate::binding::bind(Realm::new(vec![schema]), NEUTRAL)?;
    let text = serde_json::to_string(&realm)?;
    Ok(unqualify_json(&text, tenant))
}

/// Removes `tenant.` (at the start of a word) and `"tenant".` qualifiers from every string
/// of a JSON text: in the text a quote inside a string is `\"`, and the quote opening a
/// string starts a word.
fn unqualify_json(text: &str, tenant: &str) -> String {
    let quoted = format!("\\\"{tenant}\\\".");
    let plain = format!("{tenant}.");
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find(tenant) {
        let start = at + found;
        let (begin, end) = if start >= 2 && text[start - 2..].starts_with(&quoted) {
            (start - 2, start - 2 + quoted.len())
        } else if text[start..].starts_with(&plain) && word_starts(bytes, start) {
            (start, start + plain.len())
        } else {
            at = start + 1;
            continue;
        };
        out.push_str(&text[copied..begin]);
        copied = end;
        at = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether a name at `start` of a JSON text begins a word: not after an identifier
/// character, nor after a quote that belongs to the string (`\"`).
fn word_starts(bytes: &[u8], start: usize) -> bool {
    let Some(&before) = start.checked_sub(1).and_then(|i| bytes.get(i)) else {
        return true;
    };
    if before.is_ascii_alphanumeric() || before == b'_' || before == b'$' {
        return false;
    }
    !(before == b'"' && start >= 2 && bytes[start - 2] == b'\\')
}

/// Every tenant's fingerprint, and one schema per fingerprint (all a description needs):
/// memory stays at one schema per distinct state, not one per tenant.
pub(super) struct Fingerprints {
    /// Each tenant's fingerprint, by tenant index (`None`: not read, or no schema).
    pub per_tenant: Vec<Option<String>>,
    /// The distinct fingerprints, in the order first seen.
    pub order: Vec<String>,
    /// One schema per fingerprint.
    pub samples: HashMap<String, Realm>,
    /// Fingerprints by normalized JSON text.
    by_text: HashMap<String, String>,
}

impl Fingerprints {
    pub(super) fn new(total: usize) -> Self {
        Fingerprints {
            per_tenant: vec![None; total],
            order: Vec::new(),
            samples: HashMap::new(),
            by_text: HashMap::new(),
        }
    }

    pub(super) fn record(
        &mut self,
        index: usize,
        realm: Realm,
        tenant: &str,
    ) -> Result<(), FleetError> {
        let fp = schema_model::fingerprint(&realm)
            .map_err(|e| FleetError::Settings(format!("tenant {tenant}: {e}")))?;
        if !self.samples.contains_key(&fp) {
            self.order.push(fp.clone());
            self.samples.insert(fp.clone(), realm);
        }
        self.per_tenant[index] = Some(fp);
        Ok(())
    }

    /// Records a schema read in a catalog pass: a text seen before has its fingerprint
    /// already, so only distinct states are parsed back and fingerprinted.
    pub(super) fn record_schema(
        &mut self,
        index: usize,
        schema: Schema,
        tenant: &str,
    ) -> Result<(), FleetError> {
        let text = normalized_text(schema, tenant)?;
        if let Some(fp) = self.by_text.get(&text) {
            self.per_tenant[index] = Some(fp.clone());
            return Ok(());
        }
        let realm: Realm = serde_json::from_str(&text).map_err(MigrateError::from)?;
        self.record(index, realm, tenant)?;
        if let Some(fp) = &self.per_tenant[index] {
            self.by_text.insert(text, fp.clone());
        }
        Ok(())
    }
}

/// Groups tenants by fingerprint, marks the largest group as the reference and describes
/// every other group against it (once per group: equal fingerprints, equal differences).
fn group(tenants: &mut [TenantStatus], prints: Fingerprints) -> Vec<DriftGroup> {
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, fp) in prints.per_tenant.iter().enumerate() {
        match fp {
            Some(fp) => members.entry(fp.as_str()).or_default().push(i),
            None if tenants[i].error.is_none() => {
                tenants[i].differences = vec!["has no schema".into()];
            }
            None => {}
        }
    }
    let mut order: Vec<&str> = prints
        .order
        .iter()
        .map(String::as_str)
        .filter(|fp| members.contains_key(fp))
        .collect();
    // Largest first; among equals, the first seen.
    order.sort_by_key(|fp| std::cmp::Reverse(members[fp].len()));
    let reference = order.first().and_then(|fp| prints.samples.get(*fp));
    let mut groups = Vec::with_capacity(order.len());
    for (g, fp) in order.iter().enumerate() {
        let list = &members[fp];
        let differences = match (reference, prints.samples.get(*fp), g) {
            (Some(reference), Some(realm), 1..) => {
                let words = describe(&diff(reference, realm, &DiffOptions::default()));
                if words.is_empty() {
                    vec!["differs in attributes the diff does not cover".into()]
                } else {
                    words
                }
            }
            _ => Vec::new(),
        };
        for &i in list {
            tenants[i].fingerprint = Some((*fp).to_owned());
            tenants[i].group = Some(g);
            tenants[i].matches = g == 0;
            tenants[i].differences = differences.clone();
        }
        groups.push(DriftGroup {
            fingerprint: (*fp).to_owned(),
            tenants: list.iter().map(|&i| tenants[i].tenant.clone()).collect(),
            reference: g == 0,
            differences,
        });
    }
    groups
}

/// "1,497 identical, 3 differ: tenant_17 has an extra index i on t; …".
fn summarize(tenants: &[TenantStatus], groups: &[DriftGroup]) -> String {
    let identical = groups.first().map_or(0, |g| g.tenants.len());
    let differ: Vec<&TenantStatus> = tenants.iter().filter(|t| !t.matches).collect();
    let mut line = format!(
        "{} identical, {} differ",
        thousands(identical),
        thousands(differ.len())
    );
    const SHOWN: usize = 5;
    let described: Vec<String> = differ
        .iter()
        .take(SHOWN)
        .map(|t| {
            let what = if t.differences.is_empty() {
                t.error.clone().unwrap_or_else(|| "was not read".into())
            } else {
                t.differences.join(", ")
            };
            format!("{} {what}", t.tenant)
        })
        .collect();
    if !described.is_empty() {
        line.push_str(": ");
        line.push_str(&described.join("; "));
        if differ.len() > SHOWN {
            line.push_str(&format!("; and {} more", differ.len() - SHOWN));
        }
    }
    line
}

/// 1497 → "1,497".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_of_the_tenant_go() {
        let json = |s: &str| serde_json::to_string(s).unwrap();
        for (before, after) in [
            ("nextval('t1.seq'::regclass)", "nextval('seq'::regclass)"),
            ("nextval('\"t1\".seq')", "nextval('seq')"),
            ("xt1.a + t1.b", "xt1.a + b"),
            ("t1.a", "a"),
            ("\"t1.a\"", "\"t1.a\""),
        ] {
            assert_eq!(unqualify_json(&json(before), "t1"), json(after), "{before}");
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1497), "1,497");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
