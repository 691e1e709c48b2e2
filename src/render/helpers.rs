//! Template helpers for Russian official wording, and the escaping of each output format.
//!
//! `{{date_words d}}` → «2 октября 2023 г.», `{{date_digits d}}` → «02.10.2023»,
//! `{{counted n "мероприятие" "мероприятия" "мероприятий"}}` → «5 мероприятий»,
//! `{{plural n "день" "дня" "дней"}}` → «дней», `{{decimal x}}` → «5,74»,
//! `{{percent share}}` → «55 %», `{{number_sign "380"}}` → «№ 380»,
//! `{{month_range from to}}` → «октябрь – ноябрь 2023 г.», `{{school_year 2023}}`,
//! `{{inc i}}`, `{{eq a b}}`, `{{gt a b}}`, `{{upper s}}`, `{{join list ", "}}`, `{{lines s}}`
//! (a text split into its lines, for `#each`), `{{url s}}` (a percent-encoded path segment),
//! `{{chart_height svg width}}` (an SVG's height at `width`, aspect kept).

use chrono::NaiveDate;
use handlebars::{Handlebars, handlebars_helper};
use serde_json::Value;

use crate::ru;

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

handlebars_helper!(date_words: |d: Value| date(&d).map(ru::date_words).unwrap_or_else(|| text(&d)));
handlebars_helper!(date_digits: |d: Value| date(&d).map(ru::date_digits).unwrap_or_else(|| text(&d)));
handlebars_helper!(counted: |n: u64, one: str, few: str, many: str| ru::counted(n, [one, few, many]));
handlebars_helper!(plural: |n: u64, one: str, few: str, many: str| crate::diag::plural(n, [one, few, many]).to_string());
handlebars_helper!(decimal: |x: Value| x.as_f64().map(ru::decimal).unwrap_or_else(|| text(&x)));
handlebars_helper!(percent: |x: Value| x.as_f64().map(ru::percent).unwrap_or_else(|| "—".to_string()));
handlebars_helper!(number_sign: |n: Value| ru::number_sign(&text(&n)));
handlebars_helper!(month_range: |from: Value, to: Value| match (date(&from), date(&to)) {
    (Some(f), Some(t)) => ru::month_range(f, t),
    _ => String::new(),
});
handlebars_helper!(school_year: |y: i64| ru::school_year(y as i32));
handlebars_helper!(inc: |i: u64| i + 1);
handlebars_helper!(eq: |a: Value, b: Value| a == b);
handlebars_helper!(gt: |a: f64, b: f64| a > b);
handlebars_helper!(upper: |s: Value| text(&s).to_uppercase());
handlebars_helper!(join: |list: Value, sep: str| match list {
    Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(sep),
    other => text(&other),
});
/// What a path segment escapes: everything but letters, digits and `-._~` (RFC 3986 unreserved).
pub const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

handlebars_helper!(url: |s: Value| percent_encoding::utf8_percent_encode(&text(&s), SEGMENT).to_string());
// The height (in the width's unit) that keeps an SVG's aspect ratio at `width`.
handlebars_helper!(chart_height: |svg: str, width: u64| {
    let view = svg.split("viewBox=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("0 0 1 1");
    let n: Vec<f64> = view.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    match n.as_slice() {
        [_, _, w, h] if *w > 0.0 => (width as f64 * h / w).round() as u64,
        _ => width / 2,
    }
});
handlebars_helper!(lines: |s: Value| text(&s).lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect::<Vec<_>>());

pub fn register(h: &mut Handlebars<'static>) {
    h.register_helper("date_words", Box::new(date_words));
    h.register_helper("date_digits", Box::new(date_digits));
    h.register_helper("counted", Box::new(counted));
    h.register_helper("plural", Box::new(plural));
    h.register_helper("decimal", Box::new(decimal));
    h.register_helper("percent", Box::new(percent));
    h.register_helper("number_sign", Box::new(number_sign));
    h.register_helper("month_range", Box::new(month_range));
    h.register_helper("school_year", Box::new(school_year));
    h.register_helper("inc", Box::new(inc));
    h.register_helper("eq", Box::new(eq));
    h.register_helper("gt", Box::new(gt));
    h.register_helper("upper", Box::new(upper));
    h.register_helper("join", Box::new(join));
    h.register_helper("lines", Box::new(lines));
    h.register_helper("chart_height", Box::new(chart_height));
    h.register_helper("url", Box::new(url));
}

/// HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// XML character data and attribute values (WordprocessingML).
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Markdown text: punctuation that would start markup is backslash-escaped, and HTML is
/// neutralised, so a title renders as the words it is.
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let title = r#"<script>alert("x")</script> & 'q' {{x}} | *b*"#;
        assert_eq!(
            escape_html(title),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; {{x}} | *b*"
        );
        assert_eq!(
            escape_xml(title),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos; {{x}} | *b*"
        );
        assert_eq!(escape_md(title), r#"&lt;script&gt;alert("x")&lt;/script&gt; &amp; 'q' {{x}} \| \*b\*"#);
        assert_eq!(escape_xml("a\u{1}b"), "ab");
    }
}
