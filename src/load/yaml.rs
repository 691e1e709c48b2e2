//! A YAML document as JSON, with the source span of every node and key, built straight from
//! saphyr's event stream under a budget (no tree of our own between the events and the JSON the
//! schema validates). Building it ourselves (rather than deserializing straight into the model)
//! is what lets every later stage point at the exact node — including nodes the JSON Schema
//! validator complains about — and what lets a YAML bomb stop at the budget instead of
//! exhausting memory: aliases are expanded here, and every expansion is counted.

use std::collections::HashMap;
use std::fmt::Write;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};
use serde_json::{Map, Value as Json};

use super::spans::Table;
use crate::diag::{Code, Lines, Message, Span};
use crate::msg;

/// Limits that keep hostile input from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in the document, counting every node an alias expands to.
    pub max_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_bytes: 16 * 1024 * 1024, max_depth: 64, max_nodes: 2_000_000 }
    }
}

/// A scalar after core-schema resolution (YAML 1.2: `yes`/`no` stay strings).
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A problem found while reading the document, positioned in the file.
#[derive(Debug, Clone)]
pub struct YamlProblem {
    pub code: Code,
    pub span: Span,
    pub message: Message,
    pub hint: Option<Message>,
}

/// The result of reading one YAML file: the document (if there is one), where each of its nodes
/// and keys is (by JSON pointer), and every problem found. Fatal problems (syntax, budget) leave
/// no document; duplicate keys keep the first value.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub root: Option<Json>,
    pub spans: Table,
    pub problems: Vec<YamlProblem>,
}

/// One step of reading; a problem here stops it.
type Step = Result<(), Box<YamlProblem>>;

/// A mapping or sequence being read.
struct Frame {
    kind: Kind,
    anchor: usize,
    span: Span,
    /// The pointer's length before this node's own segment.
    at: usize,
    /// Nothing inside is recorded: the node is (inside) a key or the value of a repeated key.
    muted: bool,
    /// Levels of nesting, as an alias of it would add them.
    depth: usize,
    /// Nodes counted before this one (an alias of it counts the difference).
    counted: usize,
    /// Where this node's entries start in the journal, when it is anchored.
    journal_from: usize,
}

enum Kind {
    Seq(Vec<Json>),
    Map { map: Map<String, Json>, key_spans: Vec<Span>, key: Option<Key> },
}

/// A mapping's key read, waiting for its value.
struct Key {
    name: String,
    span: Span,
    repeated: bool,
}

/// Where a node being read goes: the pointer's length before its segment, and whether its spans
/// are recorded.
#[derive(Clone, Copy)]
struct Slot {
    at: usize,
    muted: bool,
}

/// A node an anchor names: its JSON, its text as a key, and the spans inside it, relative to it.
struct Anchored {
    json: Json,
    key: Option<String>,
    spans: Vec<Recorded>,
    size: usize,
    depth: usize,
}

/// A span recorded inside an anchored node: of a key or a value, at which pointer, and whether
/// it went to the table (not inside a key or a repeated key's value).
struct Recorded {
    key: bool,
    pointer: String,
    span: Span,
    muted: bool,
}

struct Builder {
    budget: Budget,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Anchored>>,
    nodes: usize,
    root: Option<Json>,
    problems: Vec<YamlProblem>,
    /// The JSON pointer of the node being read: one buffer, grown and cut back along the way.
    pointer: String,
    spans: Table,
    /// Every span recorded inside an anchored node while one is open, for its aliases to
    /// record again at their places.
    journal: Vec<Recorded>,
    anchored_open: usize,
}

/// Reads `text` as one YAML document.
pub(super) fn parse(text: &str, budget: Budget) -> Parsed {
    let mut builder = Builder {
        budget,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
        problems: Vec::new(),
        pointer: String::new(),
        spans: Table::default(),
        journal: Vec::new(),
        anchored_open: 0,
    };
    let mut documents = 0;
    let lines = Lines::of(text);
    for event in Parser::new_from_str(text) {
        let (event, yspan) = match event {
            Ok(pair) => pair,
            Err(e) => {
                let m = e.marker();
                let mut span = Span::new(m.line(), m.col() + 1, 1);
                // Point at the tab itself, not at what follows it.
                let tab = lines.get(text, m.line()).and_then(|l| l.chars().position(|c| c == '\t'));
                if let (true, Some(col)) = (e.info().contains("tab"), tab) {
                    span.col = col + 1;
                }
                builder.fatal(syntax_problem(e.info(), span));
                break;
            }
        };
        let span = to_span(text, &lines, yspan);
        let step = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    Err(Box::new(YamlProblem {
                        code: Code::MultipleDocuments,
                        span,
                        message: msg!("в файле больше одного документа YAML"; "the file holds more than one YAML document"),
                        hint: Some(msg!("разделите документы на отдельные файлы"; "put each document in its own file")),
                    }))
                } else {
                    Ok(())
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain && tag.is_none();
                builder.scalar(resolve_scalar(&value, plain), anchor, span)
            }
            Event::SequenceStart(anchor, _) => builder.open(Kind::Seq(Vec::new()), anchor, span),
            Event::MappingStart(anchor, _) => {
                builder.open(Kind::Map { map: Map::new(), key_spans: Vec::new(), key: None }, anchor, span)
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(),
            Event::Alias(id) => builder.alias(id, span),
            _ => Ok(()),
        };
        if let Err(problem) = step {
            builder.fatal(*problem);
            break;
        }
    }
    if builder.root.is_none() {
        builder.spans = Table::default();
    }
    Parsed { root: builder.root, spans: builder.spans, problems: builder.problems }
}

impl Builder {
    fn fatal(&mut self, problem: YamlProblem) {
        self.root = None;
        self.problems.push(problem);
    }

    /// Starts a node at the next place of the innermost mapping or sequence: its pointer segment
    /// appended (none for a key), and whether its spans are recorded.
    fn enter(&mut self) -> Slot {
        let at = self.pointer.len();
        let muted = match self.stack.last() {
            None => false,
            Some(Frame { kind: Kind::Seq(items), muted, .. }) => {
                let _ = write!(self.pointer, "/{}", items.len());
                *muted
            }
            Some(Frame { kind: Kind::Map { key: None, .. }, .. }) => true,
            Some(Frame { kind: Kind::Map { key: Some(key), .. }, muted, .. }) => {
                self.pointer.push('/');
                push_escaped(&mut self.pointer, &key.name);
                *muted || key.repeated
            }
        };
        Slot { at, muted }
    }

    /// Records the span of the value or key at the current pointer (and in the journal, while an
    /// anchored node is open).
    fn record(&mut self, key: bool, span: Span, muted: bool) {
        if self.anchored_open > 0 {
            self.journal.push(Recorded { key, pointer: self.pointer.clone(), span, muted });
        }
        if !muted {
            if key {
                self.spans.key_at(&self.pointer, span);
            } else {
                self.spans.value_at(&self.pointer, span);
            }
        }
    }

    fn scalar(&mut self, scalar: Scalar, anchor: usize, span: Span) -> Step {
        self.count(1, span)?;
        if anchor != 0 {
            let key = Some(key_text(&scalar));
            let anchored = Anchored { json: json_of(scalar.clone()), key, spans: Vec::new(), size: 1, depth: 0 };
            self.anchors.insert(anchor, Rc::new(anchored));
        }
        // A key is only its text: no JSON is made of it.
        let (json, key) = if self.at_key() {
            let text = match scalar {
                Scalar::Str(s) => s,
                other => key_text(&other),
            };
            (Json::Null, Some(text))
        } else {
            (json_of(scalar), None)
        };
        let slot = self.enter();
        self.place(json, key, span, slot, 0);
        Ok(())
    }

    /// The next node is a mapping's key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { kind: Kind::Map { key: None, .. }, .. }))
    }

    fn open(&mut self, kind: Kind, anchor: usize, span: Span) -> Step {
        if self.stack.len() >= self.budget.max_depth {
            return Err(Box::new(budget_problem(
                span,
                msg!(
                "вложенность глубже {} уровней", self.budget.max_depth;
                "nesting deeper than {} levels", self.budget.max_depth),
            )));
        }
        let counted = self.nodes;
        self.count(1, span)?;
        let Slot { at, muted } = self.enter();
        if anchor != 0 {
            self.anchored_open += 1;
        }
        let journal_from = self.journal.len();
        self.stack.push(Frame { kind, anchor, span, at, muted, depth: 1, counted, journal_from });
        Ok(())
    }

    fn close(&mut self) -> Step {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        let json = match frame.kind {
            Kind::Seq(items) => Json::Array(items),
            Kind::Map { map, .. } => Json::Object(map),
        };
        if frame.anchor != 0 {
            let own = self.pointer.len();
            let spans = self.journal[frame.journal_from..]
                .iter()
                .map(|r| Recorded { pointer: r.pointer[own..].to_string(), ..*r })
                .collect();
            self.anchored_open -= 1;
            if self.anchored_open == 0 {
                self.journal.clear();
            }
            let anchored =
                Anchored { json: json.clone(), key: None, spans, size: self.nodes - frame.counted, depth: frame.depth };
            self.anchors.insert(frame.anchor, Rc::new(anchored));
        }
        self.place(json, None, frame.span, Slot { at: frame.at, muted: frame.muted }, frame.depth);
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Step {
        let Some(anchored) = self.anchors.get(&id).cloned() else {
            return Err(Box::new(YamlProblem {
                code: Code::Syntax,
                span,
                message: msg!("ссылка на неизвестный якорь"; "alias to an unknown anchor"),
                hint: None,
            }));
        };
        if self.stack.len() + anchored.depth > self.budget.max_depth {
            return Err(Box::new(budget_problem(
                span,
                msg!(
                "раскрытие ссылки даёт вложенность глубже {} уровней", self.budget.max_depth;
                "expanding the alias nests deeper than {} levels", self.budget.max_depth),
            )));
        }
        self.count(anchored.size, span)?;
        let slot = self.enter();
        let own = self.pointer.len();
        for inner in &anchored.spans {
            self.pointer.push_str(&inner.pointer);
            self.record(inner.key, inner.span, slot.muted || inner.muted);
            self.pointer.truncate(own);
        }
        let json = if self.at_key() { Json::Null } else { anchored.json.clone() };
        self.place(json, anchored.key.clone(), span, slot, anchored.depth);
        Ok(())
    }

    fn count(&mut self, n: usize, span: Span) -> Step {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.budget.max_nodes {
            return Err(Box::new(budget_problem(
                span,
                msg!(
                "документ раскрывается более чем в {} узлов (возможна «YAML-бомба» из ссылок)", self.budget.max_nodes;
                "the document expands to more than {} nodes (possibly a \"YAML bomb\" of aliases)", self.budget.max_nodes),
            )));
        }
        Ok(())
    }

    /// Places a finished node into its parent (or as the root), with its span recorded at its
    /// pointer; `key` is its text should it be a key (none for a mapping or sequence).
    fn place(&mut self, json: Json, key: Option<String>, span: Span, slot: Slot, depth: usize) {
        if !self.at_key() {
            self.record(false, span, slot.muted);
        }
        self.pointer.truncate(slot.at);
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(json);
            }
            return;
        };
        parent.depth = parent.depth.max(depth + 1);
        let parent_muted = parent.muted;
        let (name, first) = match &mut parent.kind {
            Kind::Seq(items) => return items.push(json),
            Kind::Map { map, key_spans, key: pending } => match pending.take() {
                Some(key) => {
                    if !key.repeated {
                        key_spans.push(key.span);
                        map.insert(key.name, json);
                    }
                    return;
                }
                None => {
                    let name = key.unwrap_or_else(|| "…".to_string());
                    let first = if map.contains_key(&name) {
                        map.keys().position(|k| *k == name).map(|i| key_spans[i])
                    } else {
                        None
                    };
                    (name, first)
                }
            },
        };
        match first {
            Some(first) => self.problems.push(YamlProblem {
                code: Code::DuplicateKey,
                span,
                message: msg!("ключ `{}` повторяется", name; "duplicate key `{}`", name),
                hint: Some(msg!(
                    "первое значение задано в строке {}; повтор не учитывается", first.line;
                    "first given on line {}; the repetition is ignored", first.line)),
            }),
            None => {
                self.pointer.push('/');
                push_escaped(&mut self.pointer, &name);
                self.record(true, span, parent_muted);
                self.pointer.truncate(slot.at);
            }
        }
        if let Some(Frame { kind: Kind::Map { key, .. }, .. }) = self.stack.last_mut() {
            *key = Some(Key { name, span, repeated: first.is_some() });
        }
    }
}

fn json_of(scalar: Scalar) -> Json {
    match scalar {
        Scalar::Null => Json::Null,
        Scalar::Bool(b) => Json::Bool(b),
        Scalar::Int(i) => Json::from(i),
        Scalar::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Scalar::Str(s) => Json::String(s),
    }
}

/// The text of a scalar key, for messages and JSON object keys.
fn key_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".to_string(),
    }
}

/// A key as a JSON pointer segment (`~` → `~0`, `/` → `~1`).
fn push_escaped(pointer: &mut String, segment: &str) {
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn budget_problem(span: Span, message: Message) -> YamlProblem {
    YamlProblem {
        code: Code::Budget,
        span,
        message,
        hint: Some(msg!("karta не раскрывает такие документы; уберите лишние ссылки (*) и вложенность";
            "karta does not expand such documents; remove the excess aliases (*) and nesting")),
    }
}

fn syntax_problem(info: &str, span: Span) -> YamlProblem {
    if info.contains("recursion limit") {
        return budget_problem(span, msg!("вложенность слишком глубока"; "nesting too deep"));
    }
    if info.contains("tab") {
        return YamlProblem {
            code: Code::Tabs,
            span,
            message: msg!("символ табуляции в отступе"; "tab character used for indentation"),
            hint: Some(msg!("в YAML отступы делаются только пробелами; замените табуляцию пробелами";
                "YAML indents with spaces only; replace the tabs with spaces")),
        };
    }
    YamlProblem {
        code: Code::Syntax,
        span,
        message: msg!("синтаксическая ошибка YAML: {}", translate(info); "YAML syntax error: {}", info),
        hint: Some(msg!("проверьте отступы, двоеточия после ключей и парные кавычки и скобки";
            "check the indentation, the colons after keys and that quotes and brackets are closed")),
    }
}

/// Russian wording for the scanner's most common complaints; the rest are shown as they are.
fn translate(info: &str) -> String {
    let known = [
        ("invalid indentation in quoted scalar", "незакрытая кавычка или неверный отступ внутри строки в кавычках"),
        ("did not find expected '-' indicator", "ожидался элемент списка «- » — проверьте отступы"),
        ("while parsing a block mapping, did not find expected key", "ожидался ключ — проверьте отступы"),
        ("did not find expected comment or line break", "лишний текст после значения"),
        (
            "found character that cannot start any token",
            "символ, с которого не может начинаться значение (закавычьте строку)",
        ),
        ("mapping values are not allowed in this context", "двоеточие в неположенном месте (значение внутри значения)"),
        ("did not find expected key", "ожидался ключ"),
        ("did not find expected node content", "ожидалось значение"),
        ("did not find expected ',' or ']'", "ожидалась `,` или `]`"),
        ("did not find expected ',' or '}'", "ожидалась `,` или `}`"),
        ("while scanning a quoted scalar, found unexpected end of stream", "незакрытая кавычка"),
        ("invalid indentation", "неверный отступ"),
        ("found unexpected end of stream", "неожиданный конец файла"),
        ("found unprintable character", "непечатаемый символ"),
        ("could not find expected ':'", "ожидалось двоеточие `:`"),
    ];
    known.iter().find(|(en, _)| info.contains(en)).map_or_else(|| info.to_string(), |(_, ru)| ru.to_string())
}

/// A saphyr span as 1-based line/column and a length that stays on the first line.
fn to_span(text: &str, lines: &Lines, span: YSpan) -> Span {
    let (start, end) = (span.start, span.end);
    let len = if end.line() == start.line() {
        end.index().saturating_sub(start.index())
    } else {
        lines.get(text, start.line()).map_or(1, |l| l.chars().count().saturating_sub(start.col()).max(1))
    };
    Span::new(start.line(), start.col() + 1, len)
}

/// YAML 1.2 core schema: plain `null`/`~`/empty, `true`/`false`, integers and floats are typed;
/// everything else, and every quoted scalar, is a string.
fn resolve_scalar(text: &str, plain: bool) -> Scalar {
    if !plain {
        return Scalar::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    if is_int(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Scalar::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Scalar::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Scalar::Int(i);
        }
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Scalar::Float(f);
            }
        }
    }
    Scalar::Str(text.to_string())
}

fn is_int(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (!a.is_empty() || !b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(is_int);
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Parsed {
        let parsed = parse(text, Budget::default());
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert!(parsed.root.is_some(), "a document");
        parsed
    }

    #[test]
    fn scalars_resolve_by_the_core_schema() {
        let cases = [
            ("a: 1", json!(1)),
            ("a: -3", json!(-3)),
            ("a: 0.98", json!(0.98)),
            ("a: 0,98", json!("0,98")),
            ("a: yes", json!("yes")),
            ("a: true", json!(true)),
            ("a: ~", json!(null)),
            ("a: '1'", json!("1")),
            ("a: 2023-10-02", json!("2023-10-02")),
            ("1: x", json!("x")),
        ];
        for (text, want) in cases {
            let root = read(text).root.unwrap_or_default();
            let (_, value) = root.as_object().and_then(|m| m.iter().next()).expect("a map");
            assert_eq!(*value, want, "{text}");
        }
        assert_eq!(read("1: x").root, Some(json!({"1": "x"})));
    }

    #[test]
    fn spans_point_at_nodes_and_keys() {
        let parsed = read("title: x\nexecutors:\n  - imc\n  - uo\n");
        assert_eq!(parsed.root, Some(json!({"title": "x", "executors": ["imc", "uo"]})));
        assert_eq!(parsed.spans.at(false, "/executors/1"), Some(Span::new(4, 5, 2)));
        assert_eq!(parsed.spans.at(true, "/executors"), Some(Span::new(2, 1, 9)));
        assert_eq!(parsed.spans.at(false, "/title"), Some(Span::new(1, 8, 1)));
        assert!(parsed.spans.at(false, "").is_some(), "the root's span");
        assert_eq!(parsed.spans.at(false, "/executors/2"), None);
    }

    #[test]
    fn an_alias_is_its_anchor_again_with_the_spans_inside_it() {
        let parsed = read("a: &x\n  b: [1, 2]\nc: *x\nd: &s sv\ne: *s\n*s : k\n");
        let want = json!({"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": "sv", "e": "sv", "sv": "k"});
        assert_eq!(parsed.root, Some(want));
        // The alias itself is where it is written; what it expands to, where the anchor's is.
        assert_eq!(parsed.spans.at(false, "/c"), Some(Span::new(3, 4, 2)));
        assert_eq!(parsed.spans.at(false, "/c/b/1"), parsed.spans.at(false, "/a/b/1"));
        assert_eq!(parsed.spans.at(true, "/c/b"), Some(Span::new(2, 3, 1)));
        assert_eq!(parsed.spans.at(true, "/sv"), Some(Span::new(6, 1, 2)));
    }

    #[test]
    fn keys_and_repeated_values_record_nothing_inside_them() {
        let parsed = parse("a: {x: 1}\na: {y: 2}\n? [p, q]\n: v\n", Budget::default());
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.root, Some(json!({"a": {"x": 1}, "…": "v"})));
        assert_eq!(parsed.spans.at(false, "/a/x"), Some(Span::new(1, 8, 1)));
        assert_eq!(parsed.spans.at(false, "/a/y"), None);
        assert_eq!(parsed.spans.at(false, "/0"), None);
    }

    #[test]
    fn billion_laughs_hits_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let parsed = parse(&text, Budget::default());
        assert!(parsed.root.is_none());
        assert_eq!(parsed.problems[0].code, Code::Budget);
    }

    #[test]
    fn an_alias_counts_every_node_it_expands_to() {
        let text = "a: &a [x, [y, z]]\nb: [*a, *a]\n";
        // a's sequence holds 5 nodes; the document: the map, 2 keys, a (5), b's sequence, 2 × 5.
        assert!(parse(text, Budget { max_nodes: 19, ..Budget::default() }).root.is_some());
        let parsed = parse(text, Budget { max_nodes: 18, ..Budget::default() });
        assert!(parsed.root.is_none());
        assert_eq!(parsed.problems[0].code, Code::Budget);
        // Nested two levels, a's copies put b's items four levels deep.
        assert!(parse(text, Budget { max_depth: 4, ..Budget::default() }).root.is_some());
        assert_eq!(parse(text, Budget { max_depth: 3, ..Budget::default() }).problems[0].code, Code::Budget);
    }

    #[test]
    fn deep_nesting_hits_the_budget() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let parsed = parse(&text, Budget::default());
        assert_eq!(parsed.problems[0].code, Code::Budget);
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_wins() {
        let parsed = parse("a: 1\nb: 2\na: 3\n", Budget::default());
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].code, Code::DuplicateKey);
        assert_eq!(parsed.problems[0].span, Span::new(3, 1, 1));
        assert_eq!(parsed.root, Some(json!({"a": 1, "b": 2})));
        assert_eq!(parsed.spans.at(false, "/a"), Some(Span::new(1, 4, 1)));
    }

    #[test]
    fn a_number_and_its_text_are_one_key() {
        let parsed = parse("b: {2023: 1, \"2023\": 2}\n", Budget::default());
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.problems[0].code, Code::DuplicateKey);
        assert_eq!(parsed.root, Some(json!({"b": {"2023": 1}})));
    }

    #[test]
    fn tabs_get_their_own_code() {
        let parsed = parse("a:\n\t- b\n", Budget::default());
        assert_eq!(parsed.problems[0].code, Code::Tabs);
    }
}
