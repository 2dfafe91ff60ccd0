//! Each statement's references resolved to the statements they depend on, and the edges of the
//! dependency graph drawn from them.

use std::collections::{BTreeMap, BTreeSet};

use crate::DialectKind;
use crate::defs::{Defs, Object, context};
use crate::facts::{Facts, Shape, StmtKind};
use crate::graph::Node;
use crate::names::{Name, Ns, NsSet, Ref};
use crate::offers::Offers;
use rustc_hash::FxHashMap;

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
                if object.owned_by(s) {
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
    dialect: DialectKind,
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
        if dialect != DialectKind::Sqlite {
            l.fks.iter().for_each(|&(k, d)| edge(d, after, Some(k)));
        }
        let needs_extensions = !matches!(f.kind, StmtKind::Schema | StmtKind::Extension);
        if dialect == DialectKind::Postgres && needs_extensions && !f.barrier {
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
pub(crate) fn optional(nodes: &[Node], links: &[Links], defs: &Defs) -> Offers {
    let mut offers = Offers::new(nodes.len());
    for (s, l) in links.iter().enumerate() {
        l.mentions.iter().for_each(|&d| offers.edge(d, s as u32));
    }
    // Users of an object follow what reshapes it; foreign keys also follow the keys they
    // reference.
    reshaped(nodes, links, defs, &mut offers);
    keyed(nodes, links, defs, &mut offers);
    loads_after_parent_loads(nodes, defs, &mut offers);
    for (s, l) in links.iter().enumerate() {
        l.body.iter().for_each(|&d| offers.edge(d, s as u32));
    }
    let mut link = |members: &mut Vec<usize>| {
        members.sort_by_key(|&m| nodes[m].rank);
        members.dedup();
        for w in members.windows(2) {
            offers.edge(w[0] as u32, w[1] as u32);
        }
    };
    for object in &defs.objects {
        let mut members: Vec<usize> = object.definers.clone();
        members.extend(object.touchers.iter().map(|&(m, _)| m));
        link(&mut members);
    }
    for members in defs.loose.values() {
        link(&mut members.clone());
    }
    offers
}

/// Which of an object's reshaping statements a user needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Via<'a> {
    /// All of them: the user was parsed, its references are exact.
    All,
    /// Those that do not say which columns they change.
    Unknown,
    /// Those adding, renaming to or retyping this column, which the user mentions.
    Column(&'a str),
}

/// The statements reshaping one object ([`Shape::Columns`]), by what they provide.
#[derive(Default)]
struct Shapers<'a> {
    all: Vec<u32>,
    unknown: Vec<u32>,
    by_column: FxHashMap<&'a str, Vec<u32>>,
}

impl<'a> Shapers<'a> {
    fn of(object: &Object, nodes: &'a [Node]) -> Self {
        let mut shapers = Shapers::default();
        for &(m, shape) in &object.touchers {
            if shape != Shape::Columns {
                continue;
            }
            shapers.all.push(m as u32);
            match &nodes[m].facts.provides {
                None => shapers.unknown.push(m as u32),
                Some(columns) => {
                    for column in columns {
                        shapers.by_column.entry(column).or_default().push(m as u32);
                    }
                }
            }
        }
        shapers
    }

    fn via(&self, via: Via<'_>) -> &[u32] {
        match via {
            Via::All => &self.all,
            Via::Unknown => &self.unknown,
            Via::Column(c) => self.by_column.get(c).map_or(&[], Vec::as_slice),
        }
    }
}

/// Users of an object after the statements reshaping it (that provide a column they use).
/// Users are grouped by object and column, so each group is joined once, however many
/// statements use the object.
fn reshaped(nodes: &[Node], links: &[Links], defs: &Defs, offers: &mut Offers) {
    let shapers: Vec<Shapers<'_>> = defs.objects.iter().map(|o| Shapers::of(o, nodes)).collect();
    let mut users: BTreeMap<(u32, Via<'_>), Vec<u32>> = BTreeMap::new();
    for (s, l) in links.iter().enumerate() {
        let user = &nodes[s];
        for &o in &l.objects {
            let of = &shapers[o as usize];
            if of.all.is_empty() {
                continue;
            }
            let mut join = |via| users.entry((o, via)).or_default().push(s as u32);
            if user.refined {
                join(Via::All);
                continue;
            }
            if !of.unknown.is_empty() {
                join(Via::Unknown);
            }
            let names = user.facts.mentions.iter().chain(&user.facts.hard);
            for name in names.map(|r| r.name.name.as_str()) {
                if of.by_column.contains_key(name) {
                    join(Via::Column(name));
                }
            }
        }
    }
    for ((o, via), mut group) in users {
        group.dedup();
        offers.all_to_all(shapers[o as usize].via(via), &group);
    }
}

/// Foreign keys after the keys they reference (`ALTER TABLE … ADD PRIMARY KEY`, a unique index
/// on the referenced columns).
fn keyed(nodes: &[Node], links: &[Links], defs: &Defs, offers: &mut Offers) {
    let mut users: BTreeMap<(u32, Option<&[String]>), Vec<u32>> = BTreeMap::new();
    for (s, l) in links.iter().enumerate() {
        for (o, columns) in &l.keyed {
            users
                .entry((*o, columns.as_deref()))
                .or_default()
                .push(s as u32);
        }
    }
    // The statements that may add keys to each object, found once per object.
    let mut keyers: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for ((o, columns), group) in users {
        let candidates = keyers.entry(o).or_insert_with(|| {
            let touchers = defs.objects[o as usize].touchers.iter();
            touchers
                .filter(|&&(m, shape)| shape == Shape::Keys || !nodes[m].facts.keys.is_empty())
                .map(|&(m, _)| m)
                .collect()
        });
        let serving: Vec<u32> = candidates
            .iter()
            .filter(|&&m| {
                let keys = &nodes[m].facts.keys;
                keys.is_empty() || keys.iter().any(|k| k.serves(columns))
            })
            .map(|&m| m as u32)
            .collect();
        offers.all_to_all(&serving, &group);
    }
}

/// Rows loaded into a table go after the rows loaded into the tables its foreign keys point to.
/// Keys written in `CREATE TABLE` come first: when keys form a cycle, the one added later by
/// `ALTER TABLE` is usually the optional one (a department's head, a store's manager).
fn loads_after_parent_loads(nodes: &[Node], defs: &Defs, offers: &mut Offers) {
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
    // (child, parent) pairs of loaded tables, by keys written in `CREATE TABLE` and by others.
    let mut by_create = BTreeSet::new();
    let mut by_alter = BTreeSet::new();
    for &table in loads.keys() {
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
                for &parent in objects.iter().filter(|&&p| p != table) {
                    if loads.contains_key(&parent) {
                        let out = if created {
                            &mut by_create
                        } else {
                            &mut by_alter
                        };
                        out.insert((table, parent));
                    }
                }
            }
        }
    }
    // One hub per parent table stands for "all its rows are loaded".
    let mut loaded: BTreeMap<usize, Option<u32>> = BTreeMap::new();
    let pairs = by_create
        .iter()
        .chain(by_alter.difference(&by_create))
        .copied()
        .collect::<Vec<_>>();
    for (child, parent) in pairs {
        let all = loaded
            .entry(parent)
            .or_insert_with(|| offers.gather(&loads[&parent]));
        if let Some(all) = *all {
            for &load in &loads[&child] {
                offers.edge(all, load);
            }
        }
    }
}
