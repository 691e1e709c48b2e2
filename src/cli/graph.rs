//! `karta graph`: the dependency graph of activities, clustered by roadmap and section, with
//! the critical path highlighted — Graphviz DOT (default) or a Mermaid flowchart that pastes
//! into any Markdown viewer.

use std::collections::HashSet;
use std::fmt::Write as _;

use petgraph::visit::EdgeRef;
use serde_json::json;

use karta::check::Workspace;
use karta::compile::Dependencies;

use super::plan::short;
use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::GraphFormat,
    #[command(flatten)]
    pub inputs: super::Inputs,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let (workspace, plan) = super::plan(global, &args.inputs.list(), None)?;
    let critical: HashSet<(usize, usize)> =
        plan.occurrences.iter().filter(|o| o.critical).map(|o| (o.unit, o.task)).collect();
    let deps = karta::compile::dependencies(&workspace);
    match global.format {
        Format::Mermaid => out_fmt!("{}", mermaid(&workspace, &deps, &critical)),
        Format::Json => {
            let mut keys: Vec<&(usize, usize)> = deps.nodes.keys().collect();
            keys.sort();
            let nodes: Vec<_> = keys
                .into_iter()
                .map(|(u, t)| {
                    let task = &workspace.units[*u].tasks[*t];
                    json!({"id": task.key(&workspace.units[*u]), "title": task.title, "critical": critical.contains(&(*u, *t))})
                })
                .collect();
            let edges: Vec<_> = deps
                .graph
                .edge_references()
                .map(|e| json!({"from": deps.graph[e.target()], "to": deps.graph[e.source()]}))
                .collect();
            out_line!("{}", json!({"nodes": nodes, "edges": edges}));
        }
        _ => out_fmt!("{}", dot(&workspace, &deps, &critical)),
    }
    Ok(())
}

fn node_id(u: usize, t: usize) -> String {
    format!("n{u}_{t}")
}

fn label(ws: &Workspace, u: usize, t: usize) -> String {
    let task = &ws.units[u].tasks[t];
    let number = task.number.as_deref().map(|n| format!("{} ", n.trim_end_matches('.'))).unwrap_or_default();
    let due = task.phrase.as_deref().map(|p| format!("\n{}", short(p, 40))).unwrap_or_default();
    format!("{number}{}{due}", short(&task.title, 50))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn dot(ws: &Workspace, deps: &Dependencies, critical: &HashSet<(usize, usize)>) -> String {
    let mut out = String::from(
        "digraph karta {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Times New Roman\", fontsize=10];\n",
    );
    for (u, unit) in ws.units.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{u} {{\n    label=\"{}\";", escape(&short(&unit.title, 80)));
        let sections = if unit.sections.is_empty() { vec![String::new()] } else { unit.sections.clone() };
        for (s, title) in sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "    subgraph cluster_{u}_{s} {{\n      label=\"{}\"; style=dashed;",
                escape(&short(title, 60))
            );
            for (t, task) in unit.tasks.iter().enumerate().filter(|(_, t)| t.section.unwrap_or(0) == s) {
                let style = if critical.contains(&(u, t)) { ", color=red, penwidth=2" } else { "" };
                let _ = writeln!(
                    out,
                    "      {} [label=\"{}\", tooltip=\"{}\"{style}];",
                    node_id(u, t),
                    escape(&label(ws, u, t)),
                    escape(&task.key(unit))
                );
            }
            out += "    }\n";
        }
        out += "  }\n";
    }
    for e in deps.graph.edge_references() {
        let (from, to) = (deps.tasks[e.target().index()], deps.tasks[e.source().index()]);
        let style = if critical.contains(&from) && critical.contains(&to) { " [color=red, penwidth=2]" } else { "" };
        let _ = writeln!(out, "  {} -> {}{style};", node_id(from.0, from.1), node_id(to.0, to.1));
    }
    out += "}\n";
    out
}

fn mermaid(ws: &Workspace, deps: &Dependencies, critical: &HashSet<(usize, usize)>) -> String {
    let mut out = String::from("flowchart LR\n  classDef critical stroke:#c00,stroke-width:3px;\n");
    let text = |s: &str| s.replace('"', "#quot;").replace('\n', "<br/>");
    for (u, unit) in ws.units.iter().enumerate() {
        let _ = writeln!(out, "  subgraph r{u}[\"{}\"]", text(&short(&unit.title, 80)));
        let sections = if unit.sections.is_empty() { vec![String::new()] } else { unit.sections.clone() };
        for (s, title) in sections.iter().enumerate() {
            let _ = writeln!(out, "    subgraph r{u}s{s}[\"{}\"]", text(&short(title, 60)));
            for (t, _) in unit.tasks.iter().enumerate().filter(|(_, t)| t.section.unwrap_or(0) == s) {
                let class = if critical.contains(&(u, t)) { ":::critical" } else { "" };
                let _ = writeln!(out, "      {}[\"{}\"]{class}", node_id(u, t), text(&label(ws, u, t)));
            }
            out += "    end\n";
        }
        out += "  end\n";
    }
    for e in deps.graph.edge_references() {
        let (from, to) = (deps.tasks[e.target().index()], deps.tasks[e.source().index()]);
        let _ = writeln!(out, "  {} --> {}", node_id(from.0, from.1), node_id(to.0, to.1));
    }
    out
}
