//! An HTML body as the plain text a reader sees: tags dropped, blocks on their own lines,
//! entities decoded, and what sits inside `<blockquote>` marked with `> ` the way plain-text
//! clients quote, so that the reply's reader strips quotes alike in both kinds of body. It is
//! no HTML parser: it only needs to find words and line breaks, and must never fail.

/// Tags whose content is never shown.
const HIDDEN: &[&str] = &["head", "style", "script", "title", "template", "xml"];

/// Tags that begin or end a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

/// The text of an HTML document or fragment.
pub fn to_text(html: &str) -> String {
    let mut out = Text::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.words(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // An unclosed `<`: the rest is text.
            out.words(rest);
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            let close = format!("</{name}");
            rest = find_ignoring_case(rest, &close)
                .map_or("", |at| rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]));
            continue;
        }
        if name == "br" {
            out.newline(true);
        } else if BLOCKS.contains(&name.as_str()) {
            out.newline(false);
        }
        match (name.as_str(), closing) {
            ("blockquote", false) => out.depth += 1,
            ("blockquote", true) => out.depth = out.depth.saturating_sub(1),
            ("pre", false) => out.pre = true,
            ("pre", true) => out.pre = false,
            _ => {}
        }
    }
    out.words(rest);
    out.finish()
}

/// Where the tag starting at `text[0] == '<'` ends (its `>`), quotes respected.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// The text being built: finished lines and the current one.
#[derive(Default)]
struct Text {
    lines: Vec<String>,
    line: String,
    /// The quoting depth of the current line, fixed by its first word.
    line_depth: usize,
    depth: usize,
    pre: bool,
}

impl Text {
    fn words(&mut self, raw: &str) {
        let decoded = entities(raw);
        if self.pre {
            for (i, part) in decoded.split('\n').enumerate() {
                if i > 0 {
                    self.newline(true);
                }
                self.push(part.trim_end_matches('\r'));
            }
            return;
        }
        let mut space = decoded.starts_with(char::is_whitespace);
        for word in decoded.split_whitespace() {
            if space && !self.line.is_empty() {
                self.line.push(' ');
            }
            self.push(word);
            space = true;
        }
        if decoded.ends_with(char::is_whitespace) && !self.line.is_empty() && !self.line.ends_with(' ') {
            self.line.push(' ');
        }
    }

    fn push(&mut self, text: &str) {
        if self.line.is_empty() {
            self.line_depth = self.depth;
        }
        self.line.push_str(text);
    }

    /// Ends the current line; a block's edge ends only a line that has words, a `<br>` (`force`)
    /// any line.
    fn newline(&mut self, force: bool) {
        let line = std::mem::take(&mut self.line);
        let line = line.trim();
        if line.is_empty() && !force {
            self.line_depth = self.depth;
            return;
        }
        let quoted = "> ".repeat(self.line_depth);
        let blank = self.lines.last().is_none_or(|l| l.trim_start_matches(['>', ' ']).is_empty());
        if !line.is_empty() || !blank {
            self.lines.push(format!("{quoted}{line}").trim_end().to_string());
        }
        self.line_depth = self.depth;
    }

    fn finish(mut self) -> String {
        self.newline(false);
        while self.lines.last().is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty()) {
            self.lines.pop();
        }
        self.lines.join("\n")
    }
}

/// `&amp;`, `&#1080;`, `&#x438;` and the named entities mail clients write; an unknown one stays.
fn entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i);
        let decoded = end.and_then(|end| entity(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "laquo" => '«',
        "raquo" => '»',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "copy" => '©',
        "numero" => '№',
        "bull" => '•',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn blocks_become_lines_and_quotes_are_marked() {
        let html = "<html><head><style>p { color: red }</style></head><body>\
            <div dir=\"ltr\">1, 3 &mdash; исполнено<br>2&nbsp;&mdash; в&nbsp;работе</div><br>\
            <div class=\"gmail_quote\"><div>пн, 14 мар. 2027&nbsp;г. в 10:00, karta &lt;karta@region.ru&gt;:</div>\
            <blockquote style=\"margin:0\"><p>Напоминание</p><p>1. Отчёт &laquo;ИМЦ&raquo;</p></blockquote></div>\
            </body></html>";
        assert_eq!(
            to_text(html),
            "1, 3 — исполнено\n2 — в работе\n\nпн, 14 мар. 2027 г. в 10:00, karta <karta@region.ru>:\n> Напоминание\n> 1. Отчёт «ИМЦ»"
        );
    }

    #[test]
    fn broken_markup_is_still_text() {
        assert_eq!(to_text("исполнено <b>14.03"), "исполнено 14.03");
        assert_eq!(to_text("a < b & c"), "a < b & c");
        assert_eq!(to_text("<p>x</p><!-- unclosed"), "x");
        assert_eq!(to_text("<script>alert(1)"), "");
        assert_eq!(to_text("&#1080;&#x441;&unknown; &#99999999;"), "ис&unknown; &#99999999;");
        assert_eq!(to_text(""), "");
    }
}
