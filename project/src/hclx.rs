//! Reading HCL with positions: `hcl-edit` (re-exported by `hcl-rs` as `hcl::edit`) keeps the
//! byte span of every node, which `hcl::parse` drops, so files are parsed with it and
//! expressions are converted to `hcl-rs` expressions only to be evaluated.

use std::collections::BTreeMap;

use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body, Structure};
use hcl::eval::{Context, Evaluate};

use crate::funcs::{self, EnvLookup};
use crate::location::SourceMap;
use crate::{Location, ProjectError, Result, Warning};

/// Parses a whole file into a body, turning syntax errors into located errors.
pub(crate) fn parse(map: &SourceMap) -> Result<Body> {
    hcl::edit::parser::parse_body(map.text()).map_err(|e| ProjectError::Syntax {
        location: map.line_col(e.location().line(), e.location().column()),
        message: e.message().to_owned(),
    })
}

/// The block's n-th label.
pub(crate) fn label(block: &Block, n: usize) -> Option<&str> {
    block.labels.get(n).map(|l| l.as_str())
}

/// One item of a body.
pub(crate) enum Item<'a> {
    Attr(&'a Attribute),
    Block(&'a Block),
}

/// The items of a body, in file order.
pub(crate) fn items(body: &Body) -> impl Iterator<Item = Item<'_>> {
    body.iter().map(|s| match s {
        Structure::Attribute(a) => Item::Attr(a),
        Structure::Block(b) => Item::Block(b),
    })
}

/// Collects the warnings of one load.
#[derive(Debug, Default)]
pub(crate) struct Warnings(pub(crate) Vec<Warning>);

impl Warnings {
    pub(crate) fn push(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Warning {
            location,
            message: message.into(),
        });
    }

    pub(crate) fn unknown_attr(&mut self, map: &SourceMap, attr: &Attribute, within: &str) {
        self.push(
            map.span(attr.span()),
            format!(
                "attribute \"{}\" in {within} is not supported by Mercator and is ignored",
                attr.key.as_str()
            ),
        );
    }

    pub(crate) fn unknown_block(&mut self, map: &SourceMap, block: &Block, within: &str) {
        self.push(
            map.span(block.span()),
            format!(
                "block \"{}\" in {within} is not supported by Mercator and is ignored",
                block.ident.as_str()
            ),
        );
    }
}

/// The names visible to expressions (`var`, `local`, `data`, `each`, `atlas`, `testing`) and
/// the source of `getenv`.
#[derive(Clone)]
pub(crate) struct Scope {
    pub(crate) names: BTreeMap<String, Value>,
    pub(crate) env: EnvLookup,
}

impl Scope {
    pub(crate) fn new(env: EnvLookup) -> Self {
        Scope {
            names: BTreeMap::new(),
            env,
        }
    }

    pub(crate) fn with(&self, name: &str, value: Value) -> Scope {
        let mut scope = self.clone();
        scope.names.insert(name.to_owned(), value);
        scope
    }

    /// Evaluates an expression; errors point at the expression.
    pub(crate) fn eval(&self, map: &SourceMap, expr: &Expression) -> Result<Value> {
        let mut ctx = Context::new();
        funcs::declare(&mut ctx);
        for (name, value) in &self.names {
            ctx.declare_var(name.as_str(), value.clone());
        }
        let converted: hcl::Expression = expr.clone().into();
        funcs::with_env(&self.env, || converted.evaluate(&ctx)).map_err(|errors| {
            ProjectError::Eval {
                location: map.span(expr.span()),
                message: errors.to_string(),
            }
        })
    }
}

/// Typed reads of evaluated values; errors point at the attribute.
pub(crate) struct Typed<'a> {
    pub(crate) map: &'a SourceMap,
    pub(crate) attr: &'a Attribute,
}

impl Typed<'_> {
    fn invalid(&self, expected: &str, got: &Value) -> ProjectError {
        ProjectError::Invalid {
            location: self.map.span(self.attr.span()),
            message: format!(
                "attribute \"{}\" must be {expected}, got {}",
                self.attr.key.as_str(),
                funcs::kind(got)
            ),
        }
    }

    pub(crate) fn string(&self, value: &Value) -> Result<String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            // HCL converts primitive values to strings where a string is expected.
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(self.invalid("a string", other)),
        }
    }

    pub(crate) fn bool(&self, value: &Value) -> Result<bool> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            other => Err(self.invalid("a bool", other)),
        }
    }

    pub(crate) fn uint(&self, value: &Value) -> Result<u64> {
        let n = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        n.ok_or_else(|| self.invalid("a non-negative integer", value))
    }

    pub(crate) fn strings(&self, value: &Value) -> Result<Vec<String>> {
        match value {
            Value::Array(items) => items.iter().map(|v| self.string(v)).collect(),
            other => Err(self.invalid("a list of strings", other)),
        }
    }

    /// A string or a list of strings (Atlas's `src`).
    pub(crate) fn string_or_strings(&self, value: &Value) -> Result<Vec<String>> {
        match value {
            Value::Array(_) => self.strings(value),
            Value::String(s) => Ok(vec![s.clone()]),
            other => Err(self.invalid("a string or a list of strings", other)),
        }
    }
}

/// Rejects a second attribute with the same key in one body, as HCL requires.
pub(crate) fn check_unique_attributes(map: &SourceMap, body: &Body) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for item in items(body) {
        let Item::Attr(a) = item else { continue };
        if !seen.insert(a.key.as_str()) {
            return Err(ProjectError::Invalid {
                location: map.span(a.span()),
                message: format!("attribute \"{}\" is defined twice", a.key.as_str()),
            });
        }
    }
    Ok(())
}

/// The text of an expression that is a plain string: a quoted string or heredoc without
/// interpolations or directives. Read from `hcl-edit`'s tree directly, because converting a
/// template to `hcl-rs` and back re-escapes it lossily (`%%{` turns into `%{`).
pub(crate) fn literal_string(expr: &Expression) -> Option<String> {
    use hcl::edit::template::{Element, Template};
    fn literals(template: &Template) -> Option<String> {
        template
            .iter()
            .map(|e| match e {
                Element::Literal(s) => Some(s.value().clone()),
                _ => None,
            })
            .collect()
    }
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => literals(t),
        Expression::HeredocTemplate(h) => literals(&h.template),
        _ => None,
    }
}
