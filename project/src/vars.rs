//! Input variables: `variable "x" { type = …, default = … }` blocks and the `--var x=value`
//! values that fill them.

use std::collections::BTreeMap;
use std::fmt;

use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;

use crate::funcs::parse_number;
use crate::hclx::{self, Item, Scope, Warnings};
use crate::location::SourceMap;
use crate::{ProjectError, Result};

/// Values for input variables, as given on the command line (`--var name=value`, repeated
/// for list variables) or by an embedding program.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    flags: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, Value>,
}

impl Inputs {
    /// No values.
    pub fn new() -> Self {
        Inputs::default()
    }

    /// Reads `NAME=VALUE` arguments; a name given twice collects a list.
    pub fn from_flags<I, S>(flags: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut inputs = Inputs::new();
        for flag in flags {
            let flag = flag.as_ref();
            let (name, value) = flag
                .split_once('=')
                .filter(|(n, _)| !n.trim().is_empty())
                .ok_or_else(|| ProjectError::VarFlag(flag.to_owned()))?;
            inputs = inputs.with(name.trim(), value);
        }
        Ok(inputs)
    }

    /// Adds a command-line style value (converted to the variable's declared type).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.flags
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }

    /// Sets an already typed value (for example from an env's `test { … vars = {…} }`).
    pub fn with_value(mut self, name: impl Into<String>, value: Value) -> Self {
        self.values.insert(name.into(), value);
        self
    }

    /// Whether no value is set.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty() && self.values.is_empty()
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        self.flags.keys().chain(self.values.keys())
    }
}

/// A variable's declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum VarType {
    Any,
    String,
    Number,
    Bool,
    List(Box<VarType>),
    Set(Box<VarType>),
    Map(Box<VarType>),
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarType::Any => f.write_str("any"),
            VarType::String => f.write_str("string"),
            VarType::Number => f.write_str("number"),
            VarType::Bool => f.write_str("bool"),
            VarType::List(t) => write!(f, "list({t})"),
            VarType::Set(t) => write!(f, "set({t})"),
            VarType::Map(t) => write!(f, "map({t})"),
        }
    }
}

fn parse_type(map: &SourceMap, expr: &Expression) -> Result<VarType> {
    let invalid = || ProjectError::Invalid {
        location: map.span(expr.span()),
        message: "unsupported variable type: expected string, number, bool, any, list(T), \
                  set(T) or map(T)"
            .to_owned(),
    };
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(VarType::String),
            "number" | "int" => Ok(VarType::Number),
            "bool" => Ok(VarType::Bool),
            "any" => Ok(VarType::Any),
            _ => Err(invalid()),
        },
        Expression::FuncCall(call) => {
            let args: Vec<&Expression> = call.args.iter().collect();
            if !call.name.namespace.is_empty() || args.len() != 1 {
                return Err(invalid());
            }
            let inner = Box::new(parse_type(map, args[0])?);
            match call.name.name.as_str() {
                "list" => Ok(VarType::List(inner)),
                "set" => Ok(VarType::Set(inner)),
                "map" => Ok(VarType::Map(inner)),
                _ => Err(invalid()),
            }
        }
        _ => Err(invalid()),
    }
}

/// Whether an evaluated value fits the type (primitives convert to strings, as in HCL).
fn fits(ty: &VarType, value: &Value) -> bool {
    match (ty, value) {
        (VarType::Any, _) | (_, Value::Null) => true,
        (VarType::String, Value::String(_) | Value::Number(_) | Value::Bool(_)) => true,
        (VarType::Number, Value::Number(_)) => true,
        (VarType::Number, Value::String(s)) => parse_number(s).is_some(),
        (VarType::Bool, Value::Bool(_)) => true,
        (VarType::Bool, Value::String(s)) => s == "true" || s == "false",
        (VarType::List(t) | VarType::Set(t), Value::Array(items)) => {
            items.iter().all(|v| fits(t, v))
        }
        (VarType::Map(t), Value::Object(o)) => o.values().all(|v| fits(t, v)),
        _ => false,
    }
}

/// Converts one command-line string to a scalar of the type.
fn scalar_from_flag(ty: &VarType, raw: &str) -> Option<Value> {
    match ty {
        VarType::String | VarType::Any => Some(Value::String(raw.to_owned())),
        VarType::Number => parse_number(raw).map(Value::Number),
        VarType::Bool => match raw {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        VarType::List(_) | VarType::Set(_) | VarType::Map(_) => None,
    }
}

/// Converts the strings given with `--var` to the declared type: scalars take one value,
/// lists and sets one value per repetition of the flag.
fn from_flags(ty: &VarType, raw: &[String]) -> Option<Value> {
    match ty {
        VarType::List(inner) | VarType::Set(inner) => raw
            .iter()
            .map(|r| scalar_from_flag(inner, r))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        VarType::Map(_) => None,
        scalar => match raw {
            [one] => scalar_from_flag(scalar, one),
            _ => None,
        },
    }
}

/// Resolves every `variable` block of a file into the `var` object. Inputs that name no
/// declared variable are reported as warnings.
pub(crate) fn resolve(
    map: &SourceMap,
    blocks: &[&Block],
    inputs: &Inputs,
    scope: &Scope,
    warnings: &mut Warnings,
) -> Result<Value> {
    let mut vars = hcl::Map::new();
    for block in blocks {
        let location = map.span(block.span());
        let name = hclx::label(block, 0).ok_or_else(|| ProjectError::Invalid {
            location: location.clone(),
            message: "variable block needs a name label".to_owned(),
        })?;
        hclx::check_unique_attributes(map, &block.body)?;
        let mut ty = VarType::Any;
        let mut default = None;
        for item in hclx::items(&block.body) {
            match item {
                Item::Attr(a) => match a.key.as_str() {
                    "type" => ty = parse_type(map, &a.value)?,
                    "default" => default = Some((scope.eval(map, &a.value)?, a)),
                    // Documentation only.
                    "description" => {}
                    _ => warnings.unknown_attr(map, a, &format!("variable \"{name}\"")),
                },
                Item::Block(b) => warnings.unknown_block(map, b, &format!("variable \"{name}\"")),
            }
        }
        let value = if let Some(raw) = inputs.flags.get(name) {
            from_flags(&ty, raw).ok_or_else(|| ProjectError::VariableType {
                location: location.clone(),
                name: name.to_owned(),
                expected: ty.to_string(),
                value: raw.join(","),
            })?
        } else if let Some(value) = inputs.values.get(name) {
            if !fits(&ty, value) {
                return Err(ProjectError::VariableType {
                    location,
                    name: name.to_owned(),
                    expected: ty.to_string(),
                    value: serde_json::to_string(value).unwrap_or_default(),
                });
            }
            value.clone()
        } else if let Some((value, attr)) = default {
            if !fits(&ty, &value) {
                return Err(ProjectError::Invalid {
                    location: map.span(attr.span()),
                    message: format!("default of variable \"{name}\" is not of type {ty}"),
                });
            }
            value
        } else {
            return Err(ProjectError::MissingVariable {
                location,
                name: name.to_owned(),
            });
        };
        vars.insert(name.to_owned(), value);
    }
    for name in inputs.names() {
        if !vars.contains_key(name) {
            warnings.push(
                map.at(0),
                format!("--var {name}: no variable \"{name}\" is declared in this file"),
            );
        }
    }
    Ok(Value::Object(vars))
}
