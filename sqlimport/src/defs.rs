//! Which statement defines each object, which statements touch it, and how a mentioned name
//! resolves to objects.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::facts::{Facts, Shape, StmtKind};
use crate::names::{Ns, NsSet, Obj, Ref};

/// An object defined in the project.
#[derive(Debug)]
pub(crate) struct Object {
    pub ns: Ns,
    pub schema: Option<String>,
    /// The statements creating it (more than one with `CREATE OR REPLACE` or overloads).
    pub definers: Vec<usize>,
    /// The statements changing it or attaching to it, each with what it changes, in statement
    /// order (statements are indexed in order, so pushing keeps it sorted).
    pub touchers: Vec<(usize, Shape)>,
}

impl Object {
    /// Whether statement `s` defines the object or changes more than what others ignore.
    /// Both lists are sorted, so this is a binary search: a table with many `INSERT`s has as
    /// many touchers, and every one of them asks.
    pub(crate) fn owned_by(&self, s: usize) -> bool {
        if self.definers.binary_search(&s).is_ok() {
            return true;
        }
        let from = self.touchers.partition_point(|&(t, _)| t < s);
        self.touchers[from..]
            .iter()
            .take_while(|&&(t, _)| t == s)
            .any(|&(_, shape)| shape != Shape::Kept)
    }
}

/// The objects of a project, by name.
#[derive(Debug, Default)]
pub(crate) struct Defs {
    pub objects: Vec<Object>,
    /// Objects by bare name, all namespaces together.
    by_name: FxHashMap<String, Vec<usize>>,
    /// Statements touching objects the project does not define, by object.
    pub loose: BTreeMap<Obj, Vec<usize>>,
    /// `CREATE EXTENSION` statements.
    pub extensions: Vec<usize>,
}

/// The schema a statement works in, used to prefer same-schema objects for unqualified names.
pub(crate) fn context(f: &Facts) -> Option<&str> {
    f.defines
        .first()
        .or(f.targets.first())
        .and_then(|o| o.name.schema.as_deref())
}

impl Defs {
    /// Indexes the statements whose facts are given, in order.
    pub(crate) fn build<'a>(facts: impl Iterator<Item = &'a Facts> + Clone) -> Self {
        let mut defs = Defs::default();
        defs.extend(facts, 0);
        defs
    }

    /// Adds statements `first`, `first + 1`, … (whose facts are given) to the index.
    pub(crate) fn extend<'a>(
        &mut self,
        facts: impl Iterator<Item = &'a Facts> + Clone,
        first: usize,
    ) {
        for (node, f) in facts.clone().enumerate() {
            let node = first + node;
            if f.kind == StmtKind::Extension {
                self.extensions.push(node);
            }
            for obj in &f.defines {
                let id = self.object_id(obj);
                let definers = &mut self.objects[id].definers;
                if definers.last() != Some(&node) {
                    definers.push(node);
                }
            }
        }
        let mut found = Vec::new();
        for (node, f) in facts.enumerate() {
            let node = first + node;
            let ctx = context(f);
            for target in &f.targets {
                self.resolve(&Ref::to(target), ctx, &mut found);
                if found.is_empty() {
                    self.loose.entry(target.clone()).or_default().push(node);
                }
                for &id in &found {
                    let shape = if f.drop { Shape::Kept } else { f.shape };
                    self.objects[id].touchers.push((node, shape));
                }
            }
        }
    }

    /// The index of `obj`, added if new.
    fn object_id(&mut self, obj: &Obj) -> usize {
        let named = self.by_name.entry(obj.name.name.clone()).or_default();
        let existing = named.iter().copied().find(|&id| {
            let o = &self.objects[id];
            o.ns == obj.ns && o.schema == obj.name.schema
        });
        if let Some(id) = existing {
            return id;
        }
        self.objects.push(Object {
            ns: obj.ns,
            schema: obj.name.schema.clone(),
            definers: Vec::new(),
            touchers: Vec::new(),
        });
        named.push(self.objects.len() - 1);
        self.objects.len() - 1
    }

    /// The objects `r` may refer to. A qualified name matches objects in that schema, else
    /// objects defined without a schema; an unqualified name matches objects defined without a
    /// schema, else those in the statement's own schema, else every object of that name (one
    /// object when the name is unique).
    pub(crate) fn resolve(&self, r: &Ref, ctx: Option<&str>, out: &mut Vec<usize>) {
        out.clear();
        let Some(named) = self.by_name.get(r.name.name.as_str()) else {
            return;
        };
        let ns = r.ns;
        match r.name.schema.as_deref() {
            Some(s) => {
                self.pick(named, ns, Some(Some(s)), out);
                if out.is_empty() {
                    self.pick(named, ns, Some(None), out);
                }
            }
            None => {
                self.pick(named, ns, Some(None), out);
                if out.is_empty() && ctx.is_some() {
                    self.pick(named, ns, Some(ctx), out);
                }
                if out.is_empty() {
                    self.pick(named, ns, None, out);
                }
            }
        }
    }

    /// Adds the objects among `named` in `ns` and, if `schema` is given, in that schema.
    fn pick(&self, named: &[usize], ns: NsSet, schema: Option<Option<&str>>, out: &mut Vec<usize>) {
        for &id in named {
            let object = &self.objects[id];
            let in_schema = schema.is_none_or(|s| object.schema.as_deref() == s);
            if ns.contains(object.ns) && in_schema {
                out.push(id);
            }
        }
    }

    /// The statements defining what `r` may refer to.
    #[cfg(test)]
    pub(crate) fn definers(
        &self,
        r: &Ref,
        ctx: Option<&str>,
        objects: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) {
        self.resolve(r, ctx, objects);
        out.clear();
        for &id in objects.iter() {
            out.extend(&self.objects[id].definers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DialectKind;
    use crate::facts::analyze;
    use crate::names::Name;

    fn defs(sqls: &[&str]) -> (Vec<Facts>, Defs) {
        let facts: Vec<Facts> = sqls
            .iter()
            .map(|s| analyze(s, DialectKind::Postgres, None).expect("analyzes"))
            .collect();
        let defs = Defs::build(facts.iter());
        (facts, defs)
    }

    fn resolve(defs: &Defs, schema: Option<&str>, name: &str, ctx: Option<&str>) -> Vec<usize> {
        let r = Ref {
            ns: NsSet::of(Ns::Relation),
            name: Name {
                schema: schema.map(str::to_string),
                name: name.to_string(),
            },
        };
        let (mut objects, mut out) = (vec![], vec![]);
        defs.definers(&r, ctx, &mut objects, &mut out);
        out
    }

    #[test]
    fn qualified_and_bare_names() {
        let (_, d) = defs(&[
            "CREATE TABLE a.t (x int)",
            "CREATE TABLE b.t (x int)",
            "CREATE TABLE u (x int)",
        ]);
        assert_eq!(resolve(&d, Some("a"), "t", None), vec![0]);
        assert_eq!(resolve(&d, None, "t", Some("b")), vec![1]);
        assert_eq!(resolve(&d, None, "t", None), vec![0, 1]);
        assert_eq!(resolve(&d, Some("public"), "u", None), vec![2]);
        assert_eq!(resolve(&d, None, "missing", None), Vec::<usize>::new());
    }

    #[test]
    fn touchers_and_loose_targets() {
        let (_, d) = defs(&[
            "CREATE TABLE t (x int)",
            "ALTER TABLE t ADD COLUMN y int",
            "CREATE INDEX ON t (y)",
            "ALTER TABLE elsewhere ADD COLUMN z int",
        ]);
        assert_eq!(
            d.objects[0].touchers,
            vec![(1, Shape::Columns), (2, Shape::Kept)]
        );
        assert_eq!(d.loose.len(), 1);
    }
}
