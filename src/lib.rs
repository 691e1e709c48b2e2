//! karta: a workflow engine driven by roadmap documents (дорожные карты) of Russian education
//! authorities. The modules follow the pipeline: `load` a YAML file with spans, `check` it into
//! a validated roadmap, read its deadlines (`deadline`, `calendar`), and report problems as
//! `diag`nostics. The CLI (`cli`) is a thin layer over this library.

pub mod access;
pub mod amend;
pub mod cache;
pub mod calendar;
pub mod check;
pub mod clock;
pub mod compile;
pub mod config;
pub mod convert;
pub mod deadline;
pub mod diag;
pub mod digest;
pub mod form;
pub mod ics;
pub mod inbox;
pub mod intake;
pub mod load;
pub mod model;
pub mod notify;
pub mod render;
pub mod ru;
pub mod store;
pub mod synthetic;
pub mod table;
pub mod track;
pub mod web;
