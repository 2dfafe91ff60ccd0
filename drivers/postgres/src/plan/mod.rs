//! Rendering changes as PostgreSQL statements.

mod collation;
mod column;
mod index;
mod objects;
mod options;
mod table;
mod types;

use std::collections::{HashMap, HashSet};

use schema_diff::{Change, Plan, PlanError, PlanOptions, PlannedStatement, TableChange};
use schema_model::Table;

use crate::quote::{ident, literal, qualified};

/// Collects statements for one plan.
pub(crate) struct Builder<'a> {
    pub options: &'a PlanOptions,
    /// Non-transactional statements that run before everything else.
    leading: Vec<PlannedStatement>,
    statements: Vec<PlannedStatement>,
    /// Non-transactional statements that run after everything else.
    closing: Vec<PlannedStatement>,
    /// Statements that must wait until every object exists (`ALTER SEQUENCE … OWNED BY`).
    trailing: Vec<PlannedStatement>,
    change: usize,
    /// Existing tables that gain a primary key or unique index in this plan: foreign keys
    /// of new tables that point at them wait until the end.
    pub keyed_later: HashSet<(String, String)>,
    /// Sequences this plan creates or keeps as standalone objects: a column default that
    /// reads one of them is a plain default, not a `serial` column, even when the name
    /// follows `serial`'s pattern.
    pub standalone_sequences: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(options: &'a PlanOptions) -> Self {
        Builder {
            options,
            leading: Vec::new(),
            statements: Vec::new(),
            closing: Vec::new(),
            trailing: Vec::new(),
            change: 0,
            keyed_later: HashSet::new(),
            standalone_sequences: HashSet::new(),
        }
    }

    fn statement(&self, sql: String, comment: String, reverse: Option<String>) -> PlannedStatement {
        PlannedStatement {
            sql,
            comment,
            change: self.change,
            reverse,
            transactional: true,
        }
    }

    /// Adds a statement that may run inside the plan's transaction.
    pub fn push(&mut self, sql: String, comment: impl Into<String>, reverse: Option<String>) {
        let statement = self.statement(sql, comment.into(), reverse);
        self.statements.push(statement);
    }

    /// Adds a statement that PostgreSQL refuses to run inside a transaction block. `first`
    /// statements (enum labels, concurrent index drops) are safe to run before the rest of
    /// the plan; the others (concurrent index builds) run after it, so the executor needs
    /// one transaction in between.
    pub fn push_outside(
        &mut self,
        sql: String,
        comment: impl Into<String>,
        reverse: Option<String>,
        first: bool,
    ) {
        let mut statement = self.statement(sql, comment.into(), reverse);
        statement.transactional = false;
        if first {
            self.leading.push(statement);
        } else {
            self.closing.push(statement);
        }
    }

    /// Adds a statement that runs after every other statement of the plan.
    pub fn push_last(&mut self, sql: String, comment: impl Into<String>) {
        let statement = self.statement(sql, comment.into(), None);
        self.trailing.push(statement);
    }

    /// `"schema"."name"`, or `"name"` in the plan's unqualified schema.
    pub fn name(&self, schema: &str, name: &str) -> String {
        qualified(schema, name, self.options.unqualified_schema.as_deref())
    }

    pub fn unqualified(&self) -> Option<&str> {
        self.options.unqualified_schema.as_deref()
    }

    /// `COMMENT ON <what> IS '…'` (or `IS NULL`).
    pub fn comment_on(&mut self, what: String, comment: Option<&str>, description: String) {
        let value = comment.map(literal).unwrap_or_else(|| "NULL".to_owned());
        self.push(format!("COMMENT ON {what} IS {value}"), description, None);
    }
}

/// Renders `changes` in order.
pub(crate) fn plan(changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
    let mut builder = Builder::new(options);
    builder.keyed_later = gaining_keys(changes);
    builder.standalone_sequences = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddSequence { sequence, .. } | Change::ModifySequence { to: sequence, .. } => {
                Some(sequence.name.clone())
            }
            _ => None,
        })
        .collect();
    for i in parents_first(changes) {
        builder.change = i;
        render(&mut builder, &changes[i])?;
    }
    let Builder {
        mut leading,
        statements,
        trailing,
        closing,
        ..
    } = builder;
    leading.extend(statements);
    leading.extend(trailing);
    leading.extend(closing);
    let statements = leading;
    Ok(Plan {
        statements,
        transactional: true,
    })
}

fn gaining_keys(changes: &[Change]) -> HashSet<(String, String)> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::ModifyTable {
                schema,
                to,
                changes,
                ..
            } if changes.iter().any(|t| {
                matches!(
                    t,
                    TableChange::AddPrimaryKey { .. }
                        | TableChange::ModifyPrimaryKey { .. }
                        | TableChange::ModifyIndex { .. }
                ) || matches!(t, TableChange::AddIndex { index } if index.unique)
            }) =>
            {
                Some((schema.clone(), to.name.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The tables `table` inherits from or is a partition of, as (schema, name); a parent
/// without a schema is in the child's.
fn parents<'a>(schema: &'a str, table: &'a Table) -> impl Iterator<Item = (&'a str, &'a str)> {
    let pg = &table.postgres;
    pg.inherits
        .iter()
        .chain(pg.partition_of.iter().map(|(p, _)| p))
        .map(move |p| (p.schema.as_deref().unwrap_or(schema), p.name.as_str()))
}

/// A table change's identity for ordering: (is an addition, schema, table name after).
type TableKey<'a> = (bool, &'a str, &'a str);

/// Indexes of `changes` in render order: the differ's order, except that a parent table
/// (of `INHERITS` or `PARTITION OF`) is created before its children, and modified before
/// them, since columns dropped from a parent leave its children and a child cannot add a
/// column its parent still passes down.
///
/// The order is the one of repeatedly moving, for the first change (in the current order)
/// that has a parent change after it, the nearest such parent to just before it, with at
/// most as many moves as changes so inheritance cycles end. Lookups go through maps of
/// borrowed names, so plans without inheritance cost linear time.
fn parents_first(changes: &[Change]) -> Vec<usize> {
    let mut keys: HashMap<TableKey<'_>, Vec<usize>> = HashMap::new();
    // For each change, the keys of the parent changes it must follow.
    let wanted: Vec<Vec<TableKey<'_>>> = changes
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let (added, schema, from, to) = match change {
                Change::ModifyTable {
                    schema, from, to, ..
                } => (false, schema.as_str(), from, to),
                Change::AddTable { schema, table } => (true, schema.as_str(), table, table),
                _ => return Vec::new(),
            };
            keys.entry((added, schema, to.name.as_str()))
                .or_default()
                .push(i);
            parents(schema, from)
                .chain(parents(schema, to))
                .map(|(s, t)| (added, s, t))
                .collect()
        })
        .collect();
    let order = move_before((0..changes.len()).collect(), |i| {
        wanted[i]
            .iter()
            .filter_map(|key| keys.get(key))
            .flatten()
            .copied()
            .collect()
    });
    children_dropped_first(changes, order)
}

/// Moves drops of child tables before the drop of their parent (a parent with children
/// cannot be dropped without CASCADE).
fn children_dropped_first(changes: &[Change], order: Vec<usize>) -> Vec<usize> {
    let mut children: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut dropped: Vec<Option<(&str, &str)>> = vec![None; changes.len()];
    for (i, change) in changes.iter().enumerate() {
        if let Change::DropTable { schema, table } = change {
            dropped[i] = Some((schema.as_str(), table.name.as_str()));
            for parent in parents(schema, table) {
                children.entry(parent).or_default().push(i);
            }
        }
    }
    move_before(order, |i| {
        dropped[i]
            .and_then(|key| children.get(&key))
            .cloned()
            .unwrap_or_default()
    })
}

/// Reorders `order` (a permutation of change indexes): while some change has a change from
/// `before(change)` after it, the first such change (in the current order) gets the nearest
/// of those moved to just before it. At most `order.len()` moves, so cycles end.
///
/// A move happens behind every position before the moving change's, so those positions
/// stay settled: the scan resumes where the move happened instead of starting over.
fn move_before(mut order: Vec<usize>, before: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
    let mut position = vec![0; order.len()];
    for (at, &i) in order.iter().enumerate() {
        position[i] = at;
    }
    let mut moves = 0;
    let mut p = 0;
    while p < order.len() && moves < order.len() {
        let nearest = before(order[p])
            .into_iter()
            .map(|i| position[i])
            .filter(|&q| q > p)
            .min();
        match nearest {
            Some(q) => {
                let moved = order.remove(q);
                order.insert(p, moved);
                for (at, &i) in order.iter().enumerate().take(q + 1).skip(p) {
                    position[i] = at;
                }
                moves += 1;
            }
            None => p += 1,
        }
    }
    order
}

fn render(b: &mut Builder<'_>, change: &Change) -> Result<(), PlanError> {
    match change {
        Change::AddSchema { schema } => {
            b.push(
                format!("CREATE SCHEMA {}", ident(&schema.name)),
                format!("Add new schema named {:?}", schema.name),
                Some(format!("DROP SCHEMA {} CASCADE", ident(&schema.name))),
            );
            if schema.comment.is_some() {
                b.comment_on(
                    format!("SCHEMA {}", ident(&schema.name)),
                    schema.comment.as_deref(),
                    format!("Set comment to schema: {:?}", schema.name),
                );
            }
        }
        Change::DropSchema { schema } => b.push(
            format!("DROP SCHEMA {} CASCADE", ident(&schema.name)),
            format!("Drop schema named {:?}", schema.name),
            None,
        ),
        Change::ModifySchema { from, to } => {
            if from.comment != to.comment {
                b.comment_on(
                    format!("SCHEMA {}", ident(&to.name)),
                    to.comment.as_deref(),
                    format!("Set comment to schema: {:?}", to.name),
                );
            }
        }
        Change::AddExtension { .. }
        | Change::DropExtension { .. }
        | Change::ModifyExtension { .. } => objects::extension(b, change),
        Change::AddTable { schema, table } => table::create(b, schema, table)?,
        Change::DropTable { schema, table } => b.push(
            format!("DROP TABLE {}", b.name(schema, &table.name)),
            format!("Drop {:?} table", table.name),
            None,
        ),
        Change::RenameTable { schema, from, to } => b.push(
            format!(
                "ALTER TABLE {} RENAME TO {}",
                b.name(schema, from),
                ident(to)
            ),
            format!("Rename a table from {from:?} to {to:?}"),
            Some(format!(
                "ALTER TABLE {} RENAME TO {}",
                b.name(schema, to),
                ident(from)
            )),
        ),
        Change::ModifyTable {
            schema,
            from,
            to,
            changes,
        } => table::modify(b, schema, from, to, changes)?,
        Change::AddView { .. } | Change::DropView { .. } | Change::ModifyView { .. } => {
            objects::view(b, change)
        }
        Change::AddRoutine { .. } | Change::DropRoutine { .. } | Change::ModifyRoutine { .. } => {
            objects::routine(b, change)
        }
        Change::AddTrigger { .. } | Change::DropTrigger { .. } | Change::ModifyTrigger { .. } => {
            objects::trigger(b, change)
        }
        Change::AddEnum { .. } | Change::DropEnum { .. } | Change::ModifyEnum { .. } => {
            types::enumeration(b, change)
        }
        Change::AddDomain { .. } | Change::DropDomain { .. } | Change::ModifyDomain { .. } => {
            types::domain(b, change)?
        }
        Change::AddComposite { .. }
        | Change::DropComposite { .. }
        | Change::ModifyComposite { .. } => types::composite(b, change),
        Change::AddSequence { .. }
        | Change::DropSequence { .. }
        | Change::ModifySequence { .. } => types::sequence(b, change),
        Change::AddCollation { .. }
        | Change::DropCollation { .. }
        | Change::ModifyCollation { .. } => collation::collation(b, change)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use schema_diff::Change;
    use schema_model::{QualifiedName, Schema, Table};

    use super::parents_first;

    /// The original quadratic ordering, kept as the reference the fast one must match.
    fn reference(changes: &[Change]) -> Vec<usize> {
        fn owned(schema: &str, table: &Table) -> Vec<(String, String)> {
            super::parents(schema, table)
                .map(|(s, t)| (s.to_owned(), t.to_owned()))
                .collect()
        }
        let modified = |i: usize| match &changes[i] {
            Change::ModifyTable {
                schema, from, to, ..
            } => Some((false, schema, from, to)),
            Change::AddTable { schema, table } => Some((true, schema, table, table)),
            _ => None,
        };
        let mut order: Vec<usize> = (0..changes.len()).collect();
        for _ in 0..changes.len() {
            let mut moved = false;
            for p in 0..order.len() {
                let Some((added, schema, from, to)) = modified(order[p]) else {
                    continue;
                };
                let mut wanted = owned(schema, from);
                wanted.extend(owned(schema, to));
                let later = (p + 1..order.len()).find(|&q| {
                    modified(order[q]).is_some_and(|(a, s, _, t)| {
                        a == added && wanted.contains(&(s.clone(), t.name.clone()))
                    })
                });
                if let Some(q) = later {
                    let parent = order.remove(q);
                    order.insert(p, parent);
                    moved = true;
                    break;
                }
            }
            if !moved {
                break;
            }
        }
        let dropped = |i: usize| match &changes[i] {
            Change::DropTable { schema, table } => Some((schema, table)),
            _ => None,
        };
        for _ in 0..changes.len() {
            let mut moved = false;
            for p in 0..order.len() {
                let Some((schema, parent)) = dropped(order[p]) else {
                    continue;
                };
                let key = (schema.clone(), parent.name.clone());
                let child = (p + 1..order.len())
                    .find(|&q| dropped(order[q]).is_some_and(|(s, t)| owned(s, t).contains(&key)));
                if let Some(q) = child {
                    let child = order.remove(q);
                    order.insert(p, child);
                    moved = true;
                    break;
                }
            }
            if !moved {
                break;
            }
        }
        order
    }

    /// A small deterministic pseudo-random generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn random_table(rng: &mut Rng) -> Table {
        let mut table = Table::new(format!("t{}", rng.below(6)));
        for _ in 0..rng.below(3) {
            let mut parent = QualifiedName::bare(format!("t{}", rng.below(6)));
            if rng.below(4) == 0 {
                parent.schema = Some(["a", "b"][rng.below(2) as usize].to_owned());
            }
            table.postgres.inherits.push(parent);
        }
        if rng.below(4) == 0 {
            table.postgres.partition_of = Some((
                QualifiedName::bare(format!("t{}", rng.below(6))),
                "FOR VALUES IN (1)".to_owned(),
            ));
        }
        table
    }

    fn random_changes(rng: &mut Rng) -> Vec<Change> {
        (0..rng.below(14))
            .map(|_| {
                let schema = ["a", "b"][rng.below(2) as usize].to_owned();
                match rng.below(4) {
                    0 => Change::AddTable {
                        schema,
                        table: random_table(rng),
                    },
                    1 => Change::ModifyTable {
                        schema,
                        from: random_table(rng),
                        to: random_table(rng),
                        changes: Vec::new(),
                    },
                    2 => Change::DropTable {
                        schema,
                        table: random_table(rng),
                    },
                    _ => Change::AddSchema {
                        schema: Schema::new(schema),
                    },
                }
            })
            .collect()
    }

    #[test]
    fn matches_the_reference_ordering() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut moved = 0;
        for case in 0..5_000 {
            let changes = random_changes(&mut rng);
            let expected = reference(&changes);
            if expected.iter().enumerate().any(|(at, &i)| at != i) {
                moved += 1;
            }
            assert_eq!(
                parents_first(&changes),
                expected,
                "case {case}: {changes:#?}"
            );
        }
        // The cases must exercise reordering, not only the identity order.
        assert!(moved > 500, "only {moved} cases reordered anything");
    }
}
