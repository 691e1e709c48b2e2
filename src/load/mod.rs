//! Loading a roadmap file: bytes → UTF-8 text → JSON with the spans of its nodes, straight from
//! the YAML events → JSON Schema validation → the typed [`Document`]. Every problem found on the
//! way becomes a located diagnostic; the loader never panics and never gives up at the first
//! problem it can step past. The spans of every node stay available to the checker through
//! [`Spans`], keyed by JSON pointer, so the model itself stays free of positions.

mod schema;
mod spans;
pub mod yaml;

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Source, Span};
use crate::model::Document;
use crate::msg;

pub use spans::{Asked, Spans};
pub use yaml::Budget;

/// A file that loaded into a typed document, with the spans of its nodes.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: Arc<Source>,
    /// Shared with the unit checking makes of it (and with a later check of the same bytes).
    pub document: Arc<Document>,
    pub spans: Spans,
}

/// What loading a file produced: the document (when the file is sound enough) and every problem.
#[derive(Debug, Default)]
pub struct Outcome {
    pub loaded: Option<Loaded>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file whose document is known without loading it (from the cache of an earlier run that
/// loaded the same bytes without a problem), with the positions that run was asked for: any
/// other is found in the text when asked.
pub fn known(path: &Path, text: String, document: Document, asked: Arc<Asked>) -> Loaded {
    let source = Source::new(path, normal_breaks(text));
    Loaded { spans: Spans::later(source.clone(), asked), source, document: Arc::new(document) }
}

/// Reads and loads one file from disk.
pub fn load_file(path: &Path, budget: Budget) -> Outcome {
    let unreadable = |e: std::io::Error| Outcome {
        loaded: None,
        diagnostics: vec![
            Diagnostic::error(
                Code::Unreadable,
                msg!("не удалось прочитать файл: {}", e; "cannot read the file: {}", e),
            )
            .at(&Source::new(path, ""), Span::start()),
        ],
    };
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) => return unreadable(e),
    };
    if size > budget.max_bytes {
        let source = Source::new(path, "");
        return Outcome {
            loaded: None,
            diagnostics: vec![
                Diagnostic::error(
                    Code::TooLarge,
                    msg!("файл слишком велик: {} байт при пределе {}", size, budget.max_bytes;
                    "the file is too large: {} bytes, the limit is {}", size, budget.max_bytes),
                )
                .at(&source, Span::start())
                .hint(msg!("разделите дорожную карту на несколько файлов"; "split the roadmap into several files")),
            ],
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(path, bytes, budget),
        Err(e) => unreadable(e),
    }
}

/// Loads a file's bytes (already read) as a document.
pub fn load_bytes(path: &Path, bytes: Vec<u8>, budget: Budget) -> Outcome {
    match String::from_utf8(bytes) {
        Ok(text) => load_str(path, text, budget),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let line = prefix.matches('\n').count() + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = Source::new(path, shown);
            Outcome {
                loaded: None,
                diagnostics: vec![
                    Diagnostic::error(
                        Code::NotUtf8,
                        msg!("файл не в кодировке UTF-8 (недопустимый байт 0x{:02X})", e.as_bytes()[valid];
                        "the file is not UTF-8 (invalid byte 0x{:02X})", e.as_bytes()[valid]),
                    )
                    .at(&source, Span::new(line, col, 1))
                    .hint(
                        msg!("сохраните файл в UTF-8 (в Windows-1251 его сохраняет, например, «Блокнот» старых версий)";
                    "save the file as UTF-8 (it is probably Windows-1251)"),
                    ),
                ],
            }
        }
    }
}

/// Loads a document from text.
pub fn load_str(path: &Path, text: String, budget: Budget) -> Outcome {
    let source = Source::new(path, normal_breaks(text));
    let parsed = yaml::parse(&source.text, budget);
    let mut diagnostics: Vec<Diagnostic> = parsed
        .problems
        .into_iter()
        .map(|p| Diagnostic::error(p.code, p.message).at(&source, p.span).hint_opt(p.hint))
        .collect();
    let Some(json) = parsed.root else {
        if diagnostics.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Code::Empty,
                    msg!("файл пуст: в нём нет документа"; "the file is empty: it holds no document"),
                )
                .at(&source, Span::start())
                .hint(msg!("документ начинается со строки `kind: roadmap`"; "a document starts with `kind: roadmap`")),
            );
        }
        return Outcome { loaded: None, diagnostics };
    };
    let spans = Spans::known(parsed.spans);
    let schema_problems = schema::validate(&json, &source, &spans);
    let schema_ok = schema_problems.is_empty();
    diagnostics.extend(schema_problems);
    if !schema_ok {
        return Outcome { loaded: None, diagnostics };
    }
    match document_of(json) {
        Ok(document) => Outcome { loaded: Some(Loaded { source, document: Arc::new(document), spans }), diagnostics },
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Schema,
                    msg!("документ не соответствует формату: {}", e; "the document does not fit the format: {}", e),
                )
                .at(&source, Span::start()),
            );
            Outcome { loaded: None, diagnostics }
        }
    }
}

/// The document of a checked tree, deserialised by its `kind` straight into the variant (the
/// derived tagged enum would first copy the whole tree into serde's buffer).
fn document_of(json: serde_json::Value) -> Result<Document, serde_json::Error> {
    use serde_json::{Value, from_value};
    let Value::Object(mut map) = json else { return from_value(json) };
    let kind = map.remove("kind");
    match kind.as_ref().and_then(Value::as_str) {
        Some("roadmap") => from_value(Value::Object(map)).map(Document::Roadmap),
        Some("protocol") => from_value(Value::Object(map)).map(Document::Protocol),
        Some("directory") => from_value(Value::Object(map)).map(Document::Directory),
        _ => {
            map.extend(kind.map(|k| ("kind".to_string(), k)));
            from_value(Value::Object(map))
        }
    }
}

/// Parses YAML text into plain JSON (no schema, no spans), for data files such as test corpora.
pub fn json_of(text: &str) -> Option<serde_json::Value> {
    yaml::parse(text, Budget::default()).root
}

/// The text with its line breaks as the parser and the positions count them: the YAML parser
/// breaks lines at a lone CR (old Mac files) as well as at LF; positions are counted by LF, so a
/// lone CR becomes an LF (one byte for one: every offset stays).
fn normal_breaks(text: String) -> String {
    if text.contains('\r') { lone_cr_as_lf(text) } else { text }
}

/// Every CR not followed by LF, as LF.
fn lone_cr_as_lf(text: String) -> String {
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    // Replacing one ASCII byte by another keeps the text UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}
