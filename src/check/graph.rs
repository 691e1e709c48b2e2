//! Dependency cycles across all checked documents: every `after` edge and every relative
//! deadline ("… после org-3") is an edge; a cycle is reported once, as the whole circle,
//! at the edge that closes it.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::document::tasks;
use crate::deadline::{self, Spec};
use crate::diag::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::Due;
use crate::msg;

/// An edge "task waits for dep", with where it is written.
#[derive(Debug, Clone)]
struct Edge {
    doc: usize,
    pointer: String,
}

/// Each task of `l` (as its key, `roadmap/activity`) with the keys of the tasks it waits for
/// and where each wait is written: its `after` list, then what its deadline counts from.
pub(super) fn links(l: &Loaded) -> Vec<(String, Vec<(String, String)>)> {
    let doc_id = l.document.id();
    let period = super::document::period_of(&l.document);
    let qualify = |dep: &str| if dep.contains('/') { dep.to_string() } else { format!("{doc_id}/{dep}") };
    tasks(&l.document)
        .into_iter()
        .map(|task| {
            let mut to: Vec<(String, String)> = task
                .after
                .iter()
                .enumerate()
                .map(|(i, dep)| (qualify(dep), format!("{}/after/{i}", task.pointer)))
                .collect();
            let relative = match (task.due, period) {
                (Some(Due::Phrase(p)), Some(per)) => deadline::read_remembered(p, per).ok(),
                (Some(Due::Structured(s)), _) => Some(s.clone()),
                _ => None,
            };
            if let Some((_, after)) = relative.as_ref().and_then(Spec::counted_from) {
                to.push((qualify(after), format!("{}/due", task.pointer)));
            }
            (format!("{doc_id}/{}", task.id), to)
        })
        .collect()
}

pub fn cycles(docs: &[Loaded]) -> Vec<Diagnostic> {
    let mut graph: DiGraph<String, Edge> = DiGraph::new();
    let mut index: rustc_hash::FxHashMap<String, NodeIndex> = Default::default();
    let mut node = |graph: &mut DiGraph<String, Edge>, name: String| {
        *index.entry(name.clone()).or_insert_with(|| graph.add_node(name))
    };
    for (d, l) in docs.iter().enumerate() {
        for (task, prerequisites) in links(l) {
            let from = node(&mut graph, task);
            for (to, pointer) in prerequisites {
                let to = node(&mut graph, to);
                graph.add_edge(from, to, Edge { doc: d, pointer });
            }
        }
    }
    let mut out = Vec::new();
    for scc in tarjan_scc(&graph) {
        let self_loop = scc.len() == 1 && graph.find_edge(scc[0], scc[0]).is_some();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let path = circle(&graph, &scc);
        let names: Vec<&str> = path.iter().map(|n| short(&graph[*n], docs)).collect();
        let text = names.join(" → ");
        let closing = path.len().checked_sub(2).and_then(|i| graph.find_edge(path[i], path[i + 1]));
        let Some(edge) = closing.map(|e| &graph[e]) else { continue };
        let loaded = &docs[edge.doc];
        // Every link of the circle, with where it is written (several files for a cross-roadmap cycle).
        let links: Vec<crate::diag::Message> = path
            .windows(2)
            .filter_map(|w| graph.find_edge(w[0], w[1]).map(|e| (w, &graph[e])))
            .map(|(w, e)| {
                let l = &docs[e.doc];
                let span = l.spans.value(&e.pointer);
                let (from, to) = (short(&graph[w[0]], docs), short(&graph[w[1]], docs));
                let place = format!("{}:{}:{}", l.source.path.display(), span.line, span.col);
                msg!("`{}` ждёт `{}`: {}", from, to, place; "`{}` waits for `{}`: {}", from, to, place)
            })
            .collect();
        let mut d =
            Diagnostic::error(Code::Cycle, msg!("циклическая зависимость: {}", text; "dependency cycle: {}", text))
                .at(&loaded.source, loaded.spans.value(&edge.pointer));
        if links.len() > 1 {
            d.hints.extend(links);
        }
        out.push(d.hint(msg!(
            "мероприятия ждут друг друга по кругу; уберите одну из ссылок `after` или относительный срок «… после …»";
            "the activities wait for each other in a circle; remove one `after` reference or relative deadline"
        )));
    }
    out
}

/// The shortest path around the cycle through the component's first node, ending where it
/// started (breadth-first, so the printed circle has no detours).
fn circle(graph: &DiGraph<String, Edge>, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let start = *scc.iter().min_by_key(|n| &graph[**n]).unwrap_or(&scc[0]);
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(current) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph.neighbors(current).filter(|n| scc.contains(n)).collect();
        next.sort_by_key(|n| &graph[*n]);
        for n in next {
            if n == start {
                let mut path = vec![start, current];
                let mut at = current;
                while let Some(p) = parent.get(&at) {
                    path.push(*p);
                    at = *p;
                }
                if current == start {
                    path.pop();
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(n) {
                e.insert(current);
                queue.push_back(n);
            }
        }
    }
    vec![start, start]
}

/// A node's name as the author writes it: the bare id inside a single-document cycle.
fn short<'a>(name: &'a str, docs: &[Loaded]) -> &'a str {
    if docs.len() == 1 { name.split_once('/').map_or(name, |(_, a)| a) } else { name }
}
