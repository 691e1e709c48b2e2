//! Renders diagnostics for people (source line, caret, hints) and for tools (JSON lines).

use std::fmt::Write as _;

use super::{Diagnostic, Lang, Severity, plural};

/// Turns diagnostics into text in one language.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    pub lang: Lang,
}

impl Renderer {
    pub fn new(lang: Lang) -> Self {
        Renderer { lang }
    }

    /// The compiler-style form: header, location, source line with a caret, hints.
    pub fn human(&self, d: &Diagnostic) -> String {
        let mut out = String::new();
        let label = match (d.severity, self.lang) {
            (Severity::Error, Lang::Ru) => "ошибка",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::Ru) => "предупреждение",
            (Severity::Warning, Lang::En) => "warning",
        };
        let _ = writeln!(out, "{label}[{}]: {}", d.code.as_str(), d.message.get(self.lang));
        if let Some(source) = &d.source {
            let gutter = d.span.line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}--> {}:{}:{}", source.path.display(), d.span.line, d.span.col);
            if let Some(line) = source.line(d.span.line) {
                let shown: String = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
                let width = shown.chars().count();
                let col = d.span.col.max(1);
                let len = d.span.len.max(1).min(width.saturating_sub(col - 1).max(1));
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{} | {}", d.span.line, shown.trim_end());
                let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(len));
            }
        }
        let hint = match self.lang {
            Lang::Ru => "подсказка",
            Lang::En => "help",
        };
        for h in &d.hints {
            let _ = writeln!(out, "  = {hint}: {}", h.get(self.lang));
        }
        out
    }

    /// One JSON object per diagnostic, for editors and CI.
    pub fn json(&self, d: &Diagnostic) -> serde_json::Value {
        serde_json::json!({
            "severity": d.severity,
            "code": d.code.as_str(),
            "file": d.path().map(|p| p.display().to_string()),
            "line": d.source.as_ref().map(|_| d.span.line),
            "column": d.source.as_ref().map(|_| d.span.col),
            "length": d.span.len,
            "message": d.message.get(self.lang),
            "hints": d.hints.iter().map(|h| h.get(self.lang)).collect::<Vec<_>>(),
        })
    }
}

/// Counts shown in the last line of `karta check`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(files: usize, diagnostics: &[Diagnostic]) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Summary { files, errors, warnings: diagnostics.len() - errors }
    }

    pub fn render(&self, lang: Lang) -> String {
        let (f, e, w) = (self.files as u64, self.errors as u64, self.warnings as u64);
        match lang {
            Lang::Ru => format!(
                "{} {f} {}: {e} {}, {w} {}",
                plural(f, ["проверен", "проверено", "проверено"]),
                plural(f, ["файл", "файла", "файлов"]),
                plural(e, ["ошибка", "ошибки", "ошибок"]),
                plural(w, ["предупреждение", "предупреждения", "предупреждений"]),
            ),
            Lang::En => {
                let s = |n: u64| if n == 1 { "" } else { "s" };
                format!("checked {f} file{}: {e} error{}, {w} warning{}", s(f), s(e), s(w))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Source, Span};
    use crate::msg;

    #[test]
    fn caret_under_the_node() {
        let src = Source::new("r.yaml", "a: 1\nexecutors: [imcc]\n");
        let d =
            Diagnostic::error(Code::UnknownExecutor, msg!("неизвестный исполнитель `imcc`"; "unknown executor `imcc`"))
                .at(&src, Span::new(2, 13, 4))
                .hint(crate::diag::suggestion("imc"));
        let text = Renderer::new(Lang::Ru).human(&d);
        assert_eq!(
            text,
            "ошибка[K0302]: неизвестный исполнитель `imcc`\n --> r.yaml:2:13\n  |\n2 | executors: [imcc]\n  |             ^^^^\n  = подсказка: возможно, имелось в виду `imc`\n"
        );
    }

    #[test]
    fn summary_plurals() {
        let s = Summary { files: 5, errors: 0, warnings: 2 };
        assert_eq!(s.render(Lang::Ru), "проверено 5 файлов: 0 ошибок, 2 предупреждения");
        assert_eq!(s.render(Lang::En), "checked 5 files: 0 errors, 2 warnings");
        let s = Summary { files: 1, errors: 1, warnings: 1 };
        assert_eq!(s.render(Lang::Ru), "проверен 1 файл: 1 ошибка, 1 предупреждение");
    }
}
