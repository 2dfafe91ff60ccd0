//! Exact references from `sqlparser`'s syntax tree.
//!
//! The lexical scan in [`crate::facts`] finds every dotted name in a statement, which may include
//! column names that happen to match a table. When a statement is caught in a dependency cycle,
//! the order depends on telling real references from coincidences, so the statement is parsed
//! here: tables in `FROM`/`JOIN`/`INSERT`, called functions, and user-defined types in column
//! definitions and casts. Parsing costs far more than scanning, so only statements in doubt are
//! parsed. Routine and trigger bodies are never taken from here (databases resolve them late).

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ArrayElemTypeDef, DataType, Expr, ObjectName,
    ObjectNamePart, Query, Statement, UserDefinedTypeRepresentation, Visit, Visitor,
};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::DialectKind;
use crate::names::{Name, Ns, NsSet, Ref, fold};

/// Whether `sqlparser` can parse `sql` as exactly one statement.
pub(crate) fn parses(sql: &str, dialect: DialectKind) -> bool {
    parse(sql, dialect).is_some()
}

fn parse(sql: &str, dialect: DialectKind) -> Option<Statement> {
    let parsed = match dialect {
        DialectKind::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        DialectKind::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        DialectKind::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    };
    let mut statements = parsed.ok()?;
    if statements.len() != 1 {
        return None;
    }
    statements.pop()
}

/// The references of `sql` according to its syntax tree, or `None` if it does not parse.
pub(crate) fn references(sql: &str, dialect: DialectKind) -> Option<Vec<Ref>> {
    let statement = parse(sql, dialect)?;
    let mut collector = Collector {
        dialect,
        refs: Vec::new(),
        ctes: HashSet::new(),
    };
    let _ = statement.visit(&mut collector);
    for data_type in declared_types(&statement) {
        collector.data_type(data_type);
    }
    let Collector { mut refs, ctes, .. } = collector;
    refs.retain(|r| {
        !(r.ns == NsSet::of(Ns::Relation) && r.name.schema.is_none() && ctes.contains(&r.name.name))
    });
    Some(refs)
}

/// Types named in column and attribute definitions, which the visitor does not reach.
fn declared_types(statement: &Statement) -> Vec<&DataType> {
    match statement {
        Statement::CreateTable(table) => table.columns.iter().map(|c| &c.data_type).collect(),
        Statement::CreateDomain(domain) => vec![&domain.data_type],
        Statement::CreateType {
            representation: Some(UserDefinedTypeRepresentation::Composite { attributes }),
            ..
        } => attributes.iter().map(|a| &a.data_type).collect(),
        Statement::AlterTable(alter) => alter
            .operations
            .iter()
            .filter_map(|op| match op {
                AlterTableOperation::AddColumn { column_def, .. } => Some(&column_def.data_type),
                AlterTableOperation::AlterColumn {
                    op: AlterColumnOperation::SetDataType { data_type, .. },
                    ..
                } => Some(data_type),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

struct Collector {
    dialect: DialectKind,
    refs: Vec<Ref>,
    ctes: HashSet<String>,
}

impl Collector {
    fn push(&mut self, ns: Ns, name: &ObjectName) {
        let mut parts = Vec::with_capacity(name.0.len());
        for part in &name.0 {
            match part {
                ObjectNamePart::Identifier(id) => {
                    parts.push(fold(&id.value, id.quote_style.is_some(), self.dialect))
                }
                _ => return,
            }
        }
        let Some(name) = Name::from_parts(&parts) else {
            return;
        };
        if let Some(schema) = &name.schema {
            self.refs.push(Ref {
                ns: NsSet::of(Ns::Schema),
                name: Name::bare(schema.clone()),
            });
        }
        self.refs.push(Ref {
            ns: NsSet::of(ns),
            name,
        });
    }

    fn data_type(&mut self, data_type: &DataType) {
        match data_type {
            DataType::Custom(name, _) => self.push(Ns::Relation, name),
            DataType::Array(
                ArrayElemTypeDef::AngleBracket(inner)
                | ArrayElemTypeDef::SquareBracket(inner, _)
                | ArrayElemTypeDef::Parenthesis(inner)
                | ArrayElemTypeDef::Qualified(inner, _),
            ) => self.data_type(inner),
            _ => {}
        }
    }
}

impl Visitor for Collector {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let alias = &cte.alias.name;
                self.ctes.insert(fold(
                    &alias.value,
                    alias.quote_style.is_some(),
                    self.dialect,
                ));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.push(Ns::Relation, relation);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match expr {
            Expr::Function(function) => self.push(Ns::Routine, &function.name),
            Expr::Cast { data_type, .. } => self.data_type(data_type),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<String> {
        let mut out: Vec<String> = references(sql, DialectKind::Postgres)
            .expect("parses")
            .into_iter()
            .filter(|r| r.ns != NsSet::of(Ns::Schema))
            .map(|r| match r.name.schema {
                Some(s) => format!("{s}.{}", r.name.name),
                None => r.name.name,
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn tables_functions_and_types() {
        assert_eq!(
            names("CREATE VIEW v AS WITH x AS (SELECT 1) SELECT f(a.b)::mood FROM s.t a, x"),
            vec!["f", "mood", "s.t", "v"]
        );
        assert_eq!(
            names("CREATE TABLE t (a common.person_id, b mood[], c int REFERENCES u)"),
            vec!["common.person_id", "mood", "t"]
        );
    }
}
