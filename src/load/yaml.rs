//! A YAML tree with a source span on every node, built from saphyr's event stream under a
//! budget. Building the tree ourselves (rather than deserializing straight into the model) is
//! what lets every later stage point at the exact node — including nodes the JSON Schema
//! validator complains about — and what lets a YAML bomb stop at the budget instead of
//! exhausting memory: aliases are expanded here, and every expansion is counted.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::diag::{Code, Lines, Message, Span};
use crate::msg;

/// Limits that keep hostile input from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in the tree, counting every node an alias expands to.
    pub max_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_bytes: 16 * 1024 * 1024, max_depth: 64, max_nodes: 2_000_000 }
    }
}

/// A YAML node and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A YAML value after core-schema resolution (YAML 1.2: `yes`/`no` stay strings).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A problem found while building the tree, positioned in the file.
#[derive(Debug, Clone)]
pub struct YamlProblem {
    pub code: Code,
    pub span: Span,
    pub message: Message,
    pub hint: Option<Message>,
}

/// The result of reading one YAML file: the tree (if there is one) and every problem found.
/// Fatal problems (syntax, budget) leave no tree; duplicate keys keep the first value.
#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub problems: Vec<YamlProblem>,
}

/// One step of building the tree; a problem here stops it.
type Step = Result<(), Box<YamlProblem>>;

enum Frame {
    Seq { anchor: usize, span: Span, items: Vec<Node> },
    Map { anchor: usize, span: Span, entries: Vec<(Node, Node)>, key: Option<Node> },
}

struct Builder {
    budget: Budget,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    root: Option<Node>,
    problems: Vec<YamlProblem>,
}

struct Anchored {
    node: Node,
    size: usize,
    depth: usize,
}

/// Parses `text` into a spanned tree.
pub fn parse(text: &str, budget: Budget) -> Parsed {
    let mut builder =
        Builder { budget, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None, problems: Vec::new() };
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
                let node = Node { value: resolve_scalar(&value, plain), span };
                builder.anchor(anchor, &node, 1, 0);
                builder.value(node, 1)
            }
            Event::SequenceStart(anchor, _) => builder.open(Frame::Seq { anchor, span, items: Vec::new() }, span),
            Event::MappingStart(anchor, _) => {
                builder.open(Frame::Map { anchor, span, entries: Vec::new(), key: None }, span)
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
    Parsed { root: builder.root, problems: builder.problems }
}

impl Builder {
    fn fatal(&mut self, problem: YamlProblem) {
        self.root = None;
        self.problems.push(problem);
    }

    fn open(&mut self, frame: Frame, span: Span) -> Step {
        if self.stack.len() >= self.budget.max_depth {
            return Err(Box::new(budget_problem(
                span,
                msg!(
                "вложенность глубже {} уровней", self.budget.max_depth;
                "nesting deeper than {} levels", self.budget.max_depth),
            )));
        }
        self.count(1, span)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Step {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        let (anchor, node) = match frame {
            Frame::Seq { anchor, span, items } => (anchor, Node { value: Value::Seq(items), span }),
            Frame::Map { anchor, span, entries, .. } => (anchor, Node { value: Value::Map(entries), span }),
        };
        if anchor != 0 {
            let (size, depth) = measure(&node);
            self.anchor(anchor, &node, size, depth);
        }
        self.value(node, 0)
    }

    fn alias(&mut self, id: usize, span: Span) -> Step {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Box::new(YamlProblem {
                code: Code::Syntax,
                span,
                message: msg!("ссылка на неизвестный якорь"; "alias to an unknown anchor"),
                hint: None,
            }));
        };
        let (size, depth) = (anchored.size, anchored.depth);
        if self.stack.len() + depth > self.budget.max_depth {
            return Err(Box::new(budget_problem(
                span,
                msg!(
                "раскрытие ссылки даёт вложенность глубже {} уровней", self.budget.max_depth;
                "expanding the alias nests deeper than {} levels", self.budget.max_depth),
            )));
        }
        self.count(size, span)?;
        let mut node = self.anchors[&id].node.clone();
        node.span = span;
        self.value(node, 0)
    }

    fn anchor(&mut self, anchor: usize, node: &Node, size: usize, depth: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, Anchored { node: node.clone(), size, depth });
        }
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

    /// Places a finished node into its parent (or as the root).
    fn value(&mut self, node: Node, cost: usize) -> Step {
        if cost > 0 {
            self.count(cost, node.span)?;
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let duplicate = entries.iter().find(|(e, _)| e.value == k.value).map(|(e, _)| e.span);
                    match duplicate {
                        Some(first) => self.problems.push(YamlProblem {
                            code: Code::DuplicateKey,
                            span: k.span,
                            message: msg!("ключ `{}` повторяется", key_text(&k); "duplicate key `{}`", key_text(&k)),
                            hint: Some(msg!(
                                "первое значение задано в строке {}; повтор не учитывается", first.line;
                                "first given on line {}; the repetition is ignored", first.line)),
                        }),
                        None => entries.push((k, node)),
                    }
                }
            },
        }
        Ok(())
    }
}

/// The text of a scalar key, for messages and JSON object keys.
pub fn key_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Seq(_) | Value::Map(_) => "…".to_string(),
    }
}

fn measure(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Seq(items) => items.iter().map(measure).fold((1, 1), |(s, d), (cs, cd)| (s + cs, d.max(cd + 1))),
        Value::Map(entries) => entries
            .iter()
            .flat_map(|(k, v)| [measure(k), measure(v)])
            .fold((1, 1), |(s, d), (cs, cd)| (s + cs, d.max(cd + 1))),
        _ => (1, 0),
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
fn resolve_scalar(text: &str, plain: bool) -> Value {
    if !plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_int(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    Value::Str(text.to_string())
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

    fn root(text: &str) -> Node {
        let parsed = parse(text, Budget::default());
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        parsed.root.expect("a document")
    }

    #[test]
    fn scalars_resolve_by_the_core_schema() {
        let cases = [
            ("a: 1", Value::Int(1)),
            ("a: -3", Value::Int(-3)),
            ("a: 0.98", Value::Float(0.98)),
            ("a: 0,98", Value::Str("0,98".into())),
            ("a: yes", Value::Str("yes".into())),
            ("a: true", Value::Bool(true)),
            ("a: ~", Value::Null),
            ("a: '1'", Value::Str("1".into())),
            ("a: 2023-10-02", Value::Str("2023-10-02".into())),
        ];
        for (text, want) in cases {
            let Value::Map(entries) = root(text).value else { panic!("not a map") };
            assert_eq!(entries[0].1.value, want, "{text}");
        }
    }

    #[test]
    fn spans_point_at_nodes() {
        let node = root("title: x\nexecutors:\n  - imc\n  - uo\n");
        let Value::Map(entries) = node.value else { panic!("not a map") };
        let Value::Seq(items) = &entries[1].1.value else { panic!("not a seq") };
        assert_eq!(items[1].span, Span::new(4, 5, 2));
        assert_eq!(entries[1].0.span, Span::new(2, 1, 9));
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
        let Value::Map(entries) = parsed.root.expect("tree").value else { panic!() };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].1.value, Value::Int(1));
    }

    #[test]
    fn tabs_get_their_own_code() {
        let parsed = parse("a:\n\t- b\n", Budget::default());
        assert_eq!(parsed.problems[0].code, Code::Tabs);
    }
}
