//! JSON Schema validation of a loaded document, with the validator's findings turned into
//! located, bilingual diagnostics. The schema is the one generated from the model; unions
//! (`kind` variants, phrase-or-structured deadlines) are narrowed to the branch the author
//! evidently meant, so an error inside an activity is reported there and not as "matches none
//! of the alternatives".

use std::sync::{Arc, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::Spans;
use crate::diag::{Code, Diagnostic, Message, Source, did_you_mean, suggestion};
use crate::model;
use crate::msg;

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema())
            .expect("the generated schema is valid JSON Schema")
    })
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(model::schema)
}

/// Every schema violation in `json`, located in `source`.
pub fn validate(json: &Value, source: &Arc<Source>, spans: &Spans) -> Vec<Diagnostic> {
    let errors: Vec<ValidationError<'_>> = validator().iter_errors(json).collect();
    let mut leaves = Vec::new();
    for error in &errors {
        narrow(error, &mut leaves);
    }
    // `titel:` is one mistake, not two: the missing `title` is explained by the unknown field.
    let misspelt: Vec<(String, String)> = leaves
        .iter()
        .filter_map(|e| match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => Some((e, unexpected)),
            _ => None,
        })
        .flat_map(|(e, unexpected)| {
            let allowed = allowed_properties(e);
            let path = e.instance_path().as_str().to_string();
            unexpected
                .iter()
                .filter_map(|u| did_you_mean(u, allowed.iter().map(String::as_str)).map(str::to_string))
                .map(move |name| (path.clone(), name))
                .collect::<Vec<_>>()
        })
        .collect();
    leaves.retain(|e| match e.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            !misspelt.iter().any(|(p, n)| p == e.instance_path().as_str() && n == name)
        }
        _ => true,
    });
    let mut out: Vec<Diagnostic> = leaves.iter().flat_map(|e| describe(e, source, spans)).collect();
    out.sort_by_key(|d| d.span);
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

/// Replaces "none of the alternatives matched" by the errors of the alternative the author meant.
fn narrow<'a>(error: &'a ValidationError<'a>, out: &mut Vec<&'a ValidationError<'a>>) {
    let branches = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => context,
        _ => {
            out.push(error);
            return;
        }
    };
    let at = error.instance_path().as_str();
    let meant: Vec<&Vec<ValidationError<'static>>> = branches.iter().filter(|b| !mismatched(b, at)).collect();
    match meant.iter().min_by_key(|b| b.len()) {
        Some(best) => best.iter().for_each(|e| narrow(e, out)),
        None => out.push(error),
    }
}

/// A branch whose very shape (type, or `kind` tag) differs from the value is not what the author meant.
fn mismatched(branch: &[ValidationError<'static>], at: &str) -> bool {
    let kind_path = format!("{at}/kind");
    branch.iter().any(|e| {
        let path = e.instance_path().as_str();
        match e.kind() {
            ValidationErrorKind::Type { .. } => path == at,
            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => path == kind_path,
            ValidationErrorKind::Required { property } => path == at && property == "kind",
            _ => false,
        }
    })
}

fn describe(e: &ValidationError<'_>, source: &Arc<Source>, spans: &Spans) -> Vec<Diagnostic> {
    let path = e.instance_path().as_str();
    let at = |code, message: Message| Diagnostic::error(code, message).at(source, spans.value(path));
    let shown = short(e.instance());
    let one = match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_properties(e);
            return unexpected
                .iter()
                .map(|name| {
                    let child = format!("{path}/{}", name.replace('~', "~0").replace('/', "~1"));
                    Diagnostic::error(
                        Code::UnknownField,
                        msg!("неизвестное поле `{}`", name; "unknown field `{}`", name),
                    )
                    .at(source, spans.key(&child))
                    .hint_opt(
                        did_you_mean(name, allowed.iter().map(String::as_str))
                            .map(suggestion)
                            .or_else(|| known_fields_hint(&allowed)),
                    )
                })
                .collect();
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let mut d =
                at(Code::MissingField, msg!("нет обязательного поля `{}`", name; "missing required field `{}`", name));
            if let Some(span) = object_key_span(spans, path) {
                d.span = span;
            }
            d
        }
        ValidationErrorKind::Type { kind } => {
            let (ru, en) = type_names(kind);
            let found = found_type(e.instance());
            let d = at(
                Code::WrongType,
                msg!("неверный тип: ожидается {}, а указано {}", ru, found.0; "wrong type: expected {}, found {}", en, found.1),
            );
            d.hint_opt(decimal_comma_hint(e.instance(), kind))
        }
        ValidationErrorKind::Enum { options } => {
            let names: Vec<&str> =
                options.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let list = names.join(", ");
            let d = at(
                Code::InvalidValue,
                msg!("недопустимое значение {}: допустимы {}", shown, list; "invalid value {}: expected one of {}", shown, list),
            );
            d.hint_opt(e.instance().as_str().and_then(|s| did_you_mean(s, names.iter().copied())).map(suggestion))
        }
        ValidationErrorKind::Constant { expected_value } => {
            let want = short(expected_value);
            at(
                Code::InvalidValue,
                msg!("недопустимое значение {}: ожидается {}", shown, want; "invalid value {}: expected {}", shown, want),
            )
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            union_problem(e.instance(), path, source, spans)
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = error.instance().as_str().unwrap_or_default().to_string();
            let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
            Diagnostic::error(
                Code::InvalidValue,
                msg!("недопустимый идентификатор `{}`", key; "invalid identifier `{}`", key),
            )
            .at(source, spans.key(&child))
            .hint(msg!("идентификатор состоит из строчных латинских букв, цифр и дефисов: `org-1`, `uo-lazo`";
                    "an identifier is lowercase Latin letters, digits and hyphens: `org-1`, `uo-lazo`"))
        }
        ValidationErrorKind::Pattern { pattern } => {
            pattern_problem(at(Code::InvalidValue, Message::new("", "")), pattern, &shown)
        }
        ValidationErrorKind::Format { format } => {
            let (ru, en) = match format.as_str() {
                "date" => {
                    ("дата в виде ГГГГ-ММ-ДД (например, 2023-10-02)", "a date written YYYY-MM-DD (e.g. 2023-10-02)")
                }
                "email" => ("адрес электронной почты", "an e-mail address"),
                _ => (format.as_str(), format.as_str()),
            };
            at(Code::InvalidValue, msg!("значение {} — не {}", shown, ru; "the value {} is not {}", shown, en))
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => at(
            Code::InvalidValue,
            msg!("значение {} меньше допустимого ({})", shown, limit; "the value {} is below the minimum ({})", shown, limit),
        ),
        ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => at(
            Code::InvalidValue,
            msg!("значение {} больше допустимого ({})", shown, limit; "the value {} is above the maximum ({})", shown, limit),
        ),
        _ => {
            let text = e.to_string();
            at(Code::Schema, msg!("нарушение схемы: {}", text; "schema violation: {}", text))
        }
    };
    vec![one]
}

/// No alternative fits: say which `kind` is wrong or missing, at the value that decides it.
fn union_problem(instance: &Value, path: &str, source: &Arc<Source>, spans: &Spans) -> Diagnostic {
    let document = path.is_empty();
    let kinds: &[&str] = if document {
        &["roadmap", "protocol", "directory"]
    } else {
        &["once", "window", "multiple", "recurring", "continuous", "on_demand", "relative"]
    };
    let list = kinds.join(", ");
    let kind_path = format!("{path}/kind");
    match (instance, instance.get("kind")) {
        (_, Some(Value::String(k))) => Diagnostic::error(
            Code::InvalidValue,
            msg!("неизвестный вид `{}`: допустимы {}", k, list; "unknown kind `{}`: expected one of {}", k, list),
        )
        .at(source, spans.value(&kind_path))
        .hint_opt(did_you_mean(k, kinds.iter().copied()).map(suggestion)),
        (Value::Object(_), _) if document => Diagnostic::error(
            Code::MissingField,
            msg!("нет обязательного поля `kind`"; "missing required field `kind`"),
        )
        .at(source, spans.value(path))
        .hint(msg!("документ начинается со строки `kind: roadmap` (или `protocol`, `directory`)";
            "a document starts with `kind: roadmap` (or `protocol`, `directory`)")),
        (_, _) if document => Diagnostic::error(
            Code::WrongType,
            msg!("документ должен быть набором полей, а указано {}", short(instance); "a document must be a mapping, found {}", short(instance)),
        )
        .at(source, spans.value(path))
        .hint(msg!("документ начинается со строки `kind: roadmap` (или `protocol`, `directory`)";
            "a document starts with `kind: roadmap` (or `protocol`, `directory`)")),
        _ => Diagnostic::error(
            Code::Schema,
            msg!("значение {} не подходит ни под одну из допустимых форм", short(instance); "the value {} fits none of the allowed forms", short(instance)),
        )
        .at(source, spans.value(path))
        .hint(msg!("срок пишется фразой («до 17 октября 2023 г.») или структурной формой с полем `kind` ({})", list;
            "write a deadline as a phrase or as the structured form with a `kind` field ({})", list)),
    }
}

fn pattern_problem(mut d: Diagnostic, pattern: &str, shown: &str) -> Diagnostic {
    let (message, hint) = if pattern.contains("a-z0-9") {
        (
            msg!("недопустимый идентификатор {}", shown; "invalid identifier {}", shown),
            msg!("идентификатор состоит из строчных латинских букв, цифр и дефисов: `org-1`, `uo-lazo`";
                "an identifier is lowercase Latin letters, digits and hyphens: `org-1`, `uo-lazo`"),
        )
    } else if pattern.contains("(d|wd)") {
        (
            msg!("недопустимый промежуток {}", shown; "invalid span {}", shown),
            msg!("пишите число дней: `7d` — календарных, `5wd` — рабочих"; "write a number of days: `7d` calendar, `5wd` working"),
        )
    } else if pattern.contains("{1,19}") {
        (
            msg!("недопустимый идентификатор чата {}", shown; "invalid chat id {}", shown),
            msg!("идентификатор чата — число, как его даёт мессенджер: `-1001234567890`; в Telegram — также имя публичного канала: `@uo_lazo`";
                "a chat id is the number the messenger gives: `-1001234567890`; in Telegram also a public channel's name: `@uo_lazo`"),
        )
    } else if pattern.contains("[0-5][0-9]") {
        (
            msg!("недопустимое время {}", shown; "invalid time {}", shown),
            msg!("время пишется как ЧЧ:ММ, например `18:00`"; "write the time as HH:MM, e.g. `18:00`"),
        )
    } else {
        (
            msg!("значение {} не соответствует шаблону {}", shown, pattern; "the value {} does not match {}", shown, pattern),
            msg!("проверьте запись значения"; "check how the value is written"),
        )
    };
    d.message = message;
    d.hint(hint)
}

/// The span of the key that names the object at `path` (for "missing field" errors).
fn object_key_span(spans: &Spans, path: &str) -> Option<crate::diag::Span> {
    if path.is_empty() {
        return None;
    }
    let span = spans.key(path);
    Some(span)
}

/// The property names allowed where an unknown one was found, from the schema itself.
fn allowed_properties(e: &ValidationError<'_>) -> Vec<String> {
    let location = e.absolute_keyword_location().map(|u| u.as_str().to_string());
    let fragment = location.as_deref().and_then(|l| l.split_once('#')).map(|(_, f)| f.to_string());
    let object = fragment
        .as_deref()
        .and_then(|f| f.strip_suffix("/additionalProperties"))
        .and_then(|f| schema().pointer(f))
        .or_else(|| {
            let path = e.schema_path().as_str();
            path.strip_suffix("/additionalProperties").and_then(|p| schema().pointer(p))
        });
    object
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn known_fields_hint(allowed: &[String]) -> Option<Message> {
    if allowed.is_empty() {
        return None;
    }
    let list = allowed.join(", ");
    Some(msg!("здесь допустимы поля: {}", list; "fields allowed here: {}", list))
}

fn type_names(kind: &TypeKind) -> (String, String) {
    let names: Vec<(&str, &str)> = match kind {
        TypeKind::Single(t) => vec![json_type_name(&t.to_string())],
        TypeKind::Multiple(set) => set.iter().map(|t| json_type_name(&t.to_string())).collect(),
    };
    let ru = names.iter().map(|n| n.0).collect::<Vec<_>>().join(" или ");
    let en = names.iter().map(|n| n.1).collect::<Vec<_>>().join(" or ");
    (ru, en)
}

fn json_type_name(t: &str) -> (&'static str, &'static str) {
    match t {
        "string" => ("строка", "a string"),
        "integer" => ("целое число", "an integer"),
        "number" => ("число", "a number"),
        "boolean" => ("true или false", "true or false"),
        "array" => ("список", "a list"),
        "object" => ("набор полей (словарь)", "a mapping"),
        "null" => ("пустое значение", "null"),
        _ => ("значение", "a value"),
    }
}

fn found_type(v: &Value) -> (&'static str, &'static str) {
    let name = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    json_type_name(name)
}

fn decimal_comma_hint(v: &Value, kind: &TypeKind) -> Option<Message> {
    let wants_number = match kind {
        TypeKind::Single(t) => matches!(t.to_string().as_str(), "number" | "integer"),
        TypeKind::Multiple(_) => false,
    };
    let s = v.as_str()?;
    if wants_number && s.replace(',', ".").parse::<f64>().is_ok() {
        let fixed = s.replace(',', ".");
        return Some(
            msg!("в YAML дробная часть отделяется точкой: `{}`", fixed; "YAML numbers use a decimal point: `{}`", fixed),
        );
    }
    None
}

/// A value quoted for a message, cut to a readable length.
fn short(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    };
    if text.chars().count() > 60 { format!("{}…`", text.chars().take(57).collect::<String>()) } else { text }
}
