//! The OpenAPI 3.1 document of the API, generated from the typed requests and answers the
//! handlers use (`super::types`), as the roadmap schema is generated from the model, so the
//! description cannot drift from what the handlers take and give.

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::types::*;

/// Makes a schema (registering the types it names).
type Make = fn(&mut SchemaGenerator) -> Value;

/// One operation of the API.
struct Operation {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    /// Path parameters: (name, schema).
    params: &'static [(&'static str, Make)],
    query: Option<Make>,
    body: Option<Make>,
    answer: Make,
    /// The statuses it answers besides 200, 401 and 500.
    errors: &'static [u16],
}

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

fn segment(_: &mut SchemaGenerator) -> Value {
    json!({"type": "string", "minLength": 1, "pattern": "\\S"})
}

fn number(_: &mut SchemaGenerator) -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1})
}

fn nothing(_: &mut SchemaGenerator) -> Value {
    json!({"type": "object", "additionalProperties": false})
}

const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/overview",
        summary: "Обзор исполнения: итоги, дорожные карты, рейтинг, просроченное",
        params: &[],
        query: Some(nothing),
        body: None,
        answer: schema::<Overview>,
        errors: &[],
    },
    Operation {
        method: "get",
        path: "/roadmaps/{roadmap}",
        summary: "Таблица дорожной карты с состоянием каждого мероприятия",
        params: &[("roadmap", segment)],
        query: Some(schema::<RoadmapQuery>),
        body: None,
        answer: schema::<Roadmap>,
        errors: &[400, 404, 422],
    },
    Operation {
        method: "get",
        path: "/roadmaps/{roadmap}/indicators",
        summary: "Показатели дорожной карты: цели и достигнутые значения",
        params: &[("roadmap", segment)],
        query: Some(nothing),
        body: None,
        answer: schema::<Indicators>,
        errors: &[404],
    },
    Operation {
        method: "post",
        path: "/roadmaps/{roadmap}/indicators",
        summary: "Записать значение показателя",
        params: &[("roadmap", segment)],
        query: None,
        body: Some(schema::<ValueBody>),
        answer: schema::<Written>,
        errors: &[400, 403, 404, 413, 415, 422],
    },
    Operation {
        method: "get",
        path: "/roadmaps/{roadmap}/versions",
        summary: "Утверждённые версии дорожной карты: номер, приказ, кто и когда записал",
        params: &[("roadmap", segment)],
        query: Some(nothing),
        body: None,
        answer: schema::<Versions>,
        errors: &[404],
    },
    Operation {
        method: "get",
        path: "/roadmaps/{roadmap}/diff",
        summary: "Изменения между утверждёнными версиями или после последней (в рабочих файлах)",
        params: &[("roadmap", segment)],
        query: Some(schema::<DiffQuery>),
        body: None,
        answer: schema::<Diff>,
        errors: &[400, 404, 422],
    },
    Operation {
        method: "get",
        path: "/executors/{executor}",
        summary: "Сроки исполнителя: предстоящие, просроченные, выполненные",
        params: &[("executor", segment)],
        query: Some(schema::<WeeksQuery>),
        body: None,
        answer: schema::<Executor>,
        errors: &[400, 404, 422],
    },
    Operation {
        method: "get",
        path: "/occurrences/{occurrence}",
        summary: "Контрольный срок: состояние, зависимости, история, запросы на перенос",
        params: &[("occurrence", segment)],
        query: Some(nothing),
        body: None,
        answer: schema::<Occurrence>,
        errors: &[404],
    },
    Operation {
        method: "post",
        path: "/occurrences/{occurrence}/report",
        summary: "Сообщить об исполнении (выполнено, частично, не выполнено)",
        params: &[("occurrence", segment)],
        query: None,
        body: Some(schema::<ReportBody>),
        answer: schema::<Written>,
        errors: &[400, 403, 404, 409, 413, 415, 422],
    },
    Operation {
        method: "post",
        path: "/occurrences/{occurrence}/move",
        summary: "Запросить перенос срока",
        params: &[("occurrence", segment)],
        query: None,
        body: Some(schema::<MoveBody>),
        answer: schema::<Requested>,
        errors: &[400, 403, 404, 413, 415, 422],
    },
    Operation {
        method: "post",
        path: "/occurrences/{occurrence}/review",
        summary: "Принять отчёт (снять с контроля) или вернуть на доработку",
        params: &[("occurrence", segment)],
        query: None,
        body: Some(schema::<ReviewBody>),
        answer: schema::<Written>,
        errors: &[400, 403, 404, 409, 413, 415, 422],
    },
    Operation {
        method: "post",
        path: "/moves/{id}/decide",
        summary: "Решение по запросу на перенос срока",
        params: &[("id", number)],
        query: None,
        body: Some(schema::<DecideBody>),
        answer: schema::<Decided>,
        errors: &[400, 403, 404, 409, 413, 415, 422],
    },
];

fn reason(status: u16) -> &'static str {
    match status {
        200 => "Ответ",
        400 => "Запрос не разобран (неверные параметры или JSON)",
        401 => "Нет токена или токен неверен",
        403 => "Недостаточно прав",
        404 => "Не найдено",
        409 => "Уже записано: повтор ничего не меняет",
        413 => "Слишком большой запрос",
        415 => "Нужен Content-Type: application/json",
        422 => "Запрос не выполним: причина в сообщении",
        _ => "Сбой сервера",
    }
}

/// The query parameters of a query type: one per property.
fn query_parameters(schema: &Value, g: &SchemaGenerator) -> Vec<Value> {
    let resolved = schema["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| g.definitions().get(name))
        .unwrap_or(schema);
    let required: Vec<&str> = resolved["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    resolved["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            // Optional values are plain strings in a query: `null` cannot be written there.
            let mut s = s.clone();
            if let Some(types) = s["type"].as_array() {
                let only: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
                if only.len() == 1 {
                    s["type"] = only[0].clone();
                }
            }
            if let Some(any) = s["anyOf"].as_array() {
                let only: Vec<&Value> = any.iter().filter(|t| t["type"] != "null").collect();
                if only.len() == 1 {
                    s = only[0].clone();
                }
            }
            let description = s.as_object_mut().and_then(|o| o.remove("description"));
            let mut p =
                json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": s});
            if let Some(d) = description {
                p["description"] = d;
            }
            p
        })
        .collect()
}

/// The OpenAPI 3.1 document of the API, generated from the types above.
pub fn document() -> Value {
    let mut g = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "#/components/schemas/".into())
        .into_generator();
    let error = schema::<Error>(&mut g);
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut parameters: Vec<Value> = op
            .params
            .iter()
            .map(|(name, s)| json!({"name": name, "in": "path", "required": true, "schema": s(&mut g)}))
            .collect();
        if let Some(q) = op.query {
            let s = q(&mut g);
            parameters.extend(query_parameters(&s, &g));
        }
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({"description": reason(200), "content": {"application/json": {"schema": (op.answer)(&mut g)}}}),
        );
        for status in [401].iter().chain(op.errors).chain([500].iter()) {
            responses.insert(
                status.to_string(),
                json!({"description": reason(*status), "content": {"application/json": {"schema": error}}}),
            );
        }
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}{}", op.method, op.path.replace(['{', '}'], "").replace('/', "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(body) = op.body {
            operation["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body(&mut g)}}});
        }
        let item = paths.entry(op.path).or_insert_with(|| json!({}));
        item[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "karta API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Данные страниц karta и записи отчётов для других систем. Токен выдаёт `karta user token ЛОГИН`; \
                            он передаётся в заголовке Authorization: Bearer …. Сообщения об ошибках — на русском, в поле error.",
        },
        "servers": [{"url": "/api"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    })
}

/// The document as served and checked in (`schemas/openapi.json`): pretty, with a final newline.
pub fn text() -> String {
    let mut s = serde_json::to_string_pretty(&document()).unwrap_or_default();
    s.push('\n');
    s
}

/// The validators of the request bodies, made once from the document.
static VALIDATORS: std::sync::LazyLock<std::collections::HashMap<String, jsonschema::Validator>> =
    std::sync::LazyLock::new(|| {
        let doc = document();
        doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| name.ends_with("Body"))
            .filter_map(|(name, _)| {
                let root = json!({"$ref": format!("#/components/schemas/{name}"), "components": doc["components"]});
                let validator = jsonschema::options().should_validate_formats(true).build(&root).ok()?;
                Some((name.clone(), validator))
            })
            .collect()
    });

/// Holds a request body to its schema: `Err` says, in Russian, the first thing wrong.
pub fn check<T: JsonSchema>(body: &Value) -> Result<(), String> {
    let Some(validator) = VALIDATORS.get(T::schema_name().as_ref()) else { return Ok(()) };
    match validator.iter_errors(body).next() {
        None => Ok(()),
        Some(e) => Err(russian(&e)),
    }
}

/// What a schema error means, in Russian.
fn russian(e: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    let path = e.instance_path().to_string();
    let field = match path.trim_start_matches('/') {
        "" => "запрос".to_string(),
        p => format!("поле {}", p.replace('/', ".")),
    };
    match e.kind() {
        K::MaxLength { limit } => format!("{field}: не длиннее {limit} знаков"),
        K::MinLength { limit } => format!("{field}: не короче {limit} знаков"),
        K::Pattern { pattern } if pattern == TEXT => format!("{field}: не может быть пустым"),
        K::Pattern { pattern } if pattern == LINK => {
            format!("{field}: ссылка должна начинаться с https:// или http://")
        }
        K::Pattern { pattern } => format!("{field}: не соответствует образцу {pattern}"),
        K::Maximum { limit } => format!("{field}: не больше {limit}"),
        K::Minimum { limit } => format!("{field}: не меньше {limit}"),
        K::Required { property } => format!("нет обязательного поля {property}"),
        K::AdditionalProperties { unexpected } => format!("лишние поля: {}", unexpected.join(", ")),
        K::Enum { .. } | K::Constant { .. } => format!("{field}: недопустимое значение"),
        K::Type { .. } => format!("{field}: неверный тип значения"),
        K::Format { format } => format!("{field}: неверный формат ({format})"),
        // One of several kinds: the branch that matches the kind says what is wrong.
        K::OneOfNotValid { context } => context
            .iter()
            .filter(|branch| !branch.iter().any(|e| matches!(e.kind(), K::Constant { .. })))
            .min_by_key(|branch| branch.len())
            .and_then(|branch| branch.first())
            .map_or_else(|| format!("{field}: не подходит ни под один вид запроса"), russian),
        _ => format!("{field}: не соответствует описанию API"),
    }
}
