//! No framework message reaches a user: whatever axum or serde answer on their own (an unknown
//! path, a query or body that does not parse, a body too large, a wrong method) is replaced by
//! a Russian page, or by `{"error": …}` under `/api/`, with the same status.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Fail;

/// Rewrites an error response the app did not write itself.
pub async fn in_russian(request: Request<Body>, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || written_by_karta(&response) {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let message = explain(status, &text);
    let mut answer = if api {
        (status, axum::Json(json!({"error": message}))).into_response()
    } else {
        Fail::new(status, message).into_response()
    };
    for (name, value) in [(header::RETRY_AFTER, retry_after), (header::ALLOW, allow)] {
        if let Some(v) = value {
            answer.headers_mut().insert(name, v);
        }
    }
    answer
}

/// karta's own errors are HTML pages or JSON; the framework's are plain text or empty.
fn written_by_karta(response: &Response) -> bool {
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    kind.starts_with("text/html") || kind.starts_with("application/json")
}

/// What went wrong, in Russian, from the status and the framework's own text.
pub fn explain(status: StatusCode, text: &str) -> String {
    match status {
        StatusCode::NOT_FOUND => "такой страницы нет; проверьте адрес".into(),
        StatusCode::METHOD_NOT_ALLOWED => "этот адрес не принимает такой запрос".into(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "запрос слишком большой: файл больше разрешённого размера (upload_limit_mb) или форма больше 64 КБ".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "неверный тип данных запроса: формы отправляются как форма, API ждёт Content-Type: application/json".into()
        }
        StatusCode::BAD_REQUEST if text.contains("query string") => {
            format!("параметры адреса не разобраны{}", detail(text))
        }
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            format!("данные запроса не разобраны{}", detail(text))
        }
        s if s.is_server_error() => {
            "внутренняя ошибка сервера; попробуйте ещё раз, а если не поможет — сообщите администратору".into()
        }
        _ => "запрос не выполнен".into(),
    }
}

/// The field and the problem, from a serde message as axum passes it on ("Failed to deserialize
/// …: percent: invalid type: floating point `11.0`, expected u8 at line 1 column 16").
pub fn detail(text: &str) -> String {
    let after_prefix = ["target type: ", "query string: ", "form data: ", "body: "]
        .iter()
        .find_map(|p| text.split_once(p).map(|(_, rest)| rest))
        .unwrap_or(text);
    let (field, problem) = match after_prefix.split_once(": ") {
        Some((f, p)) if !f.contains(' ') && !f.is_empty() => (Some(f), p),
        _ => (None, after_prefix),
    };
    let problem = problem.split(" at line ").next().unwrap_or_default();
    let backticked = |s: &str| s.split('`').nth(1).map(str::to_string).unwrap_or_default();
    let said = if let Some(rest) = problem.strip_prefix("missing field ") {
        format!("нет обязательного поля {}", backticked(rest))
    } else if let Some(rest) = problem.strip_prefix("unknown field ") {
        format!("неизвестное поле {}", backticked(rest))
    } else if let Some(rest) = problem.strip_prefix("unknown variant ") {
        format!("недопустимое значение {}", backticked(rest))
    } else if problem.starts_with("invalid type") || problem.starts_with("invalid value") {
        match problem.split_once(", expected ") {
            Some((_, expected)) => format!("неверное значение: ожидается {}", expected_ru(expected)),
            None => "неверное значение".into(),
        }
    } else if problem.starts_with("input contains invalid characters") || problem.contains("premature end") {
        "неверная дата: ожидается ГГГГ-ММ-ДД".into()
    } else if problem.contains("invalid digit") || problem.contains("cannot parse integer") {
        "неверное значение: ожидается целое число".into()
    } else if problem.contains("too large") || problem.contains("too small") {
        "число вне допустимых пределов".into()
    } else if problem.contains("EOF") || problem.starts_with("expected") || problem.starts_with("trailing") {
        "неверный JSON".into()
    } else if field.is_some() {
        "неверное значение".into()
    } else {
        return String::new();
    };
    match field {
        Some(f) => format!(": поле {f}: {said}"),
        None => format!(": {said}"),
    }
}

fn expected_ru(expected: &str) -> String {
    match expected {
        e if e.starts_with("u8") || e.starts_with("u32") || e.starts_with("i64") || e.contains("integer") => {
            "целое число".into()
        }
        e if e.starts_with("f64") || e.contains("float") => "число".into(),
        e if e.contains("string") => "строка".into(),
        e if e.contains("bool") => "true или false".into(),
        e if e.contains("date") || e.contains("NaiveDate") => "дата ГГГГ-ММ-ДД".into(),
        e => e.trim_matches('`').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_russian_with_their_field() {
        for (text, said) in [
            (
                "Failed to deserialize the JSON body into the target type: percent: invalid type: floating point `11.0`, expected u8 at line 1 column 16",
                ": поле percent: неверное значение: ожидается целое число",
            ),
            (
                "Failed to deserialize the JSON body into the target type: missing field `kind` at line 1 column 2",
                ": нет обязательного поля kind",
            ),
            (
                "Failed to deserialize the JSON body into the target type: colour: unknown field `colour`, expected one of `kind`, `on`",
                ": поле colour: неизвестное поле colour",
            ),
            (
                "Failed to deserialize query string: from: input contains invalid characters",
                ": поле from: неверная дата: ожидается ГГГГ-ММ-ДД",
            ),
            (
                "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 1",
                ": неверный JSON",
            ),
        ] {
            assert_eq!(detail(text), said, "{text}");
        }
        assert_eq!(
            explain(
                StatusCode::BAD_REQUEST,
                "Failed to deserialize query string: weeks: invalid digit found in string"
            ),
            "параметры адреса не разобраны: поле weeks: неверное значение: ожидается целое число"
        );
    }
}
