//! Each statement's references resolved to the statements they depend on, and the edges of the
//! dependency graph drawn from them.

use std::collections::BTreeMap;

use crate::Dialect;
use crate::defs::{Defs, context};
use crate::facts::{Facts, Shape, StmtKind};
use crate::graph::Node;
use crate::names::{Name, Ns, NsSet, Ref};

/// One statement's resolved references, as statement (or object) indexes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Links {
    /// Statements defining what the statement certainly needs.
    pub hard: Vec<u32>,
    /// Statements defining names it mentions (lexically; empty once parsed).
    pub mentions: Vec<u32>,
    /// Statements defining the table of each inline foreign key: `(clause, statement)`.
    pub fks: Vec<(usize, u32)>,
    /// Statements defining names mentioned in its routine or trigger body.
    pub body: Vec<u32>,
    /// Objects it refers to (but does not define or reshape itself).
    pub objects: Vec<u32>,
    /// Tables its foreign keys refer to, with the referenced columns (`None`: the primary key).
    pub keyed: Vec<(u32, Option<Vec<String>>)>,
}

fn fk_ref(name: &Name) -> Ref {
    Ref {
        ns: NsSet::of(Ns::Relation),
        name: name.clone(),
    }
}

impl Links {
    /// Resolves the references of statement `s`.
    pub(crate) fn new(s: usize, node: &Node, defs: &Defs) -> Self {
        #[derive(Clone, Copy, PartialEq)]
        enum Class {
            Hard,
            Mention,
            Body,
            Fk(usize),
            Foreign(usize),
        }
        let f = &node.facts;
        let ctx = context(f);
        let fk_refs: Vec<Ref> = f.fks.iter().map(|fk| fk_ref(&fk.target)).collect();
        let foreign: Vec<Ref> = f.foreign.iter().map(|r| fk_ref(&r.table)).collect();
        let (exact, mentioned) = match node.refined {
            true => (&f.mentions[..], &[][..]),
            false => (&[][..], &f.mentions[..]),
        };
        let refs = (f.hard.iter().chain(exact).map(|r| (r, Class::Hard)))
            .chain(mentioned.iter().map(|r| (r, Class::Mention)))
            .chain(f.body.iter().map(|r| (r, Class::Body)))
            .chain(fk_refs.iter().enumerate().map(|(k, r)| (r, Class::Fk(k))))
            .chain(
                foreign
                    .iter()
                    .enumerate()
                    .map(|(k, r)| (r, Class::Foreign(k))),
            );
        let mut links = Links::default();
        let mut objects = Vec::new();
        for (r, class) in refs {
            defs.resolve(r, ctx, &mut objects);
            for &o in &objects {
                let object = &defs.objects[o];
                let definers = object
                    .definers
                    .iter()
                    .filter(|&&d| d != s)
                    .map(|&d| d as u32);
                match class {
                    Class::Hard => links.hard.extend(definers),
                    Class::Mention => links.mentions.extend(definers),
                    Class::Body => links.body.extend(definers),
                    Class::Fk(k) => links.fks.extend(definers.map(|d| (k, d))),
                    Class::Foreign(_) => {}
                }
                let own = object.definers.contains(&s)
                    || object
                        .touchers
                        .iter()
                        .any(|&(t, shape)| t == s && shape != Shape::Kept);
                if own {
                    continue;
                }
                match class {
                    Class::Hard | Class::Mention => links.objects.push(o as u32),
                    Class::Fk(k) => links.keyed.push((o as u32, f.fks[k].columns.clone())),
                    Class::Foreign(k) => links.keyed.push((o as u32, f.foreign[k].columns.clone())),
                    Class::Body => {}
                }
            }
        }
        links.keyed.sort();
        links.keyed.dedup();
        for list in [
            &mut links.hard,
            &mut links.mentions,
            &mut links.body,
            &mut links.objects,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        links
    }

    /// Resolves every statement's references.
    pub(crate) fn all(nodes: &[Node], defs: &Defs) -> Vec<Links> {
        nodes
            .iter()
            .enumerate()
            .map(|(s, node)| Links::new(s, node, defs))
            .collect()
    }
}

/// Calls `edge(before, after, foreign_key_clause)` for every required edge; with `mentions`,
/// lexical mentions count as required too.
pub(crate) fn required(
    nodes: &[Node],
    links: &[Links],
    defs: &Defs,
    dialect: Dialect,
    mentions: bool,
    mut edge: impl FnMut(u32, u32, Option<usize>),
) {
    let mut last_barrier: Option<usize> = None;
    for (s, (node, l)) in nodes.iter().zip(links).enumerate() {
        let f = &node.facts;
        let after = s as u32;
        l.hard.iter().for_each(|&d| edge(d, after, None));
        if mentions {
            l.mentions.iter().for_each(|&d| edge(d, after, None));
        }
        if dialect != Dialect::Sqlite {
            l.fks.iter().for_each(|&(k, d)| edge(d, after, Some(k)));
        }
        let needs_extensions = !matches!(f.kind, StmtKind::Schema | StmtKind::Extension);
        if dialect == Dialect::Postgres && needs_extensions && !f.barrier {
            for &e in defs.extensions.iter().filter(|&&e| e != s) {
                edge(e as u32, after, None);
            }
        }
        if f.barrier && node.rank.1 == 0 {
            // Everything before the previous barrier is already before it.
            let from = last_barrier.unwrap_or(0);
            (from..s).for_each(|p| edge(p as u32, after, None));
            last_barrier = Some(s);
        }
    }
}

/// The optional edges, highest priority first.
pub(crate) fn optional(nodes: &[Node], links: &[Links], defs: &Defs) -> Vec<(u32, u32)> {
    let mut mentioned = Vec::new();
    let mut reshaped = Vec::new();
    let mut bodies = Vec::new();
    for (s, l) in links.iter().enumerate() {
        let after = s as u32;
        mentioned.extend(l.mentions.iter().map(|&d| (d, after)));
        // Users of an object follow what reshapes it; foreign keys also follow the keys they
        // reference.
        let user = &nodes[s];
        let uses = |columns: &[String]| {
            let mentions = user.facts.mentions.iter().chain(&user.facts.hard);
            user.refined || mentions.map(|r| &r.name.name).any(|n| columns.contains(n))
        };
        for &o in &l.objects {
            let touchers = defs.objects[o as usize].touchers.iter();
            let shapers = touchers.filter(|&&(m, shape)| {
                shape == Shape::Columns && nodes[m].facts.provides.as_deref().is_none_or(uses)
            });
            reshaped.extend(shapers.map(|&(m, _)| (m as u32, after)));
        }
        for (o, columns) in &l.keyed {
            let touchers = defs.objects[*o as usize].touchers.iter();
            let serving = touchers.filter(|&&(m, shape)| {
                let keys = &nodes[m].facts.keys;
                let unknown = shape == Shape::Keys && keys.is_empty();
                unknown || keys.iter().any(|k| k.serves(columns.as_deref()))
            });
            reshaped.extend(serving.map(|&(m, _)| (m as u32, after)));
        }
        bodies.extend(l.body.iter().map(|&d| (d, after)));
    }
    reshaped.extend(loads_after_parent_loads(nodes, defs));
    let mut chains = Vec::new();
    let mut link = |members: &mut Vec<usize>| {
        members.sort_by_key(|&m| nodes[m].rank);
        members.dedup();
        chains.extend(members.windows(2).map(|w| (w[0] as u32, w[1] as u32)));
    };
    for object in &defs.objects {
        let mut members: Vec<usize> = object.definers.clone();
        members.extend(object.touchers.iter().map(|&(m, _)| m));
        link(&mut members);
    }
    for members in defs.loose.values() {
        link(&mut members.clone());
    }
    [mentioned, reshaped, bodies, chains]
        .into_iter()
        .flatten()
        .filter(|(a, b)| a != b)
        .collect()
}

/// Rows loaded into a table go after the rows loaded into the tables its foreign keys point to.
/// Keys written in `CREATE TABLE` come first: when keys form a cycle, the one added later by
/// `ALTER TABLE` is usually the optional one (a department's head, a store's manager).
fn loads_after_parent_loads(nodes: &[Node], defs: &Defs) -> Vec<(u32, u32)> {
    let mut loads: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    let mut objects = Vec::new();
    for (s, node) in nodes.iter().enumerate() {
        if node.facts.kind == StmtKind::Data {
            for target in &node.facts.targets {
                defs.resolve(&Ref::to(target), context(&node.facts), &mut objects);
                objects
                    .iter()
                    .for_each(|&o| loads.entry(o).or_default().push(s as u32));
            }
        }
    }
    let mut by_create = Vec::new();
    let mut by_alter = Vec::new();
    for (&table, children) in &loads {
        let object = &defs.objects[table];
        let statements = object
            .definers
            .iter()
            .chain(object.touchers.iter().map(|(m, _)| m));
        for &m in statements {
            let f: &Facts = &nodes[m].facts;
            let keys = f.fks.iter().map(|fk| (&fk.target, true));
            for (name, created) in keys.chain(f.foreign.iter().map(|r| (&r.table, false))) {
                defs.resolve(&fk_ref(name), context(f), &mut objects);
                for parent in objects.iter().filter(|&&p| p != table) {
                    let out = if created {
                        &mut by_create
                    } else {
                        &mut by_alter
                    };
                    for &load in loads.get(parent).into_iter().flatten() {
                        out.extend(children.iter().map(|&child| (load, child)));
                    }
                }
            }
        }
    }
    by_create.extend(by_alter);
    by_create
}
