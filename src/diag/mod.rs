//! Diagnostics as data: every problem karta finds in an input is a [`Diagnostic`] with a
//! severity, a stable code, a location and a bilingual message. Checking collects them; it never
//! throws. Rendering (human text with a caret, or JSON) lives in [`render`] and is separate from
//! finding problems. This module must not know about YAML, roadmaps or deadlines.

mod explain;
mod lang;
mod render;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use explain::{Explain, os_error};
pub use lang::{Lang, plural};
pub use render::{Renderer, Summary};

/// How bad a problem is: errors make `karta check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A text shown to users, in both languages karta speaks. Built where the problem is found,
/// chosen when rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub ru: String,
    pub en: String,
}

impl Message {
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Message { ru: ru.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }
}

/// Builds a [`Message`] from two format strings: `msg!("неизвестный `{}`", x; "unknown `{}`", x)`.
#[macro_export]
macro_rules! msg {
    ($ru:literal $(, $rarg:expr)* ; $en:literal $(, $earg:expr)* $(,)?) => {
        $crate::diag::Message::new(format!($ru $(, $rarg)*), format!($en $(, $earg)*))
    };
}

/// A place in a source file: 1-based line and column (in characters) and a length in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Span {
    pub fn new(line: usize, col: usize, len: usize) -> Self {
        Span { line, col, len }
    }

    /// The start of a file, for problems that concern the whole file.
    pub fn start() -> Self {
        Span { line: 1, col: 1, len: 0 }
    }
}

/// A source file as read from disk, shared by all diagnostics pointing into it.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    lines: Lines,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        Arc::new(Source { path: path.into(), lines: Lines::of(&text), text })
    }

    /// The text of 1-based line `n`, without its line break.
    pub fn line(&self, n: usize) -> Option<&str> {
        self.lines.get(&self.text, n)
    }
}

/// Where each line of a text starts, so that finding line `n` does not scan the text before it
/// (diagnostics and spans look lines up once per node of files thousands of lines long).
#[derive(Debug, Default)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        Lines { starts: std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect() }
    }

    /// The text of 1-based line `n` of `text` (the text indexed), without its line break: the
    /// same lines as [`str::lines`].
    pub fn get<'t>(&self, text: &'t str, n: usize) -> Option<&'t str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        if start >= text.len() {
            return None;
        }
        let end = self.starts.get(n).map_or(text.len(), |next| next - 1);
        let line = &text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Declares the codes once: the enum, each code's text and the list of all of them.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        /// Stable diagnostic codes. Documented in `docs/format.md`; never renumber one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $name,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$name),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }
        }
    };
}

codes! {
    /// The file cannot be read.
    Unreadable = "K0001",
    /// The file is not valid UTF-8.
    NotUtf8 = "K0002",
    /// The file is larger than the loader accepts.
    TooLarge = "K0003",
    /// YAML syntax error.
    Syntax = "K0101",
    /// Nesting, alias expansion or node count over budget (a "YAML bomb").
    Budget = "K0102",
    /// Tabs used for indentation.
    Tabs = "K0103",
    /// The file holds no document.
    Empty = "K0104",
    /// A mapping repeats a key.
    DuplicateKey = "K0105",
    /// More than one YAML document in a file.
    MultipleDocuments = "K0106",
    /// A field the format does not know.
    UnknownField = "K0201",
    /// A value of the wrong type.
    WrongType = "K0202",
    /// A required field is missing.
    MissingField = "K0203",
    /// A value outside the allowed set or pattern.
    InvalidValue = "K0204",
    /// Any other schema violation.
    Schema = "K0205",
    /// Two things share an id.
    DuplicateId = "K0301",
    /// An executor or group that is not declared.
    UnknownExecutor = "K0302",
    /// An `after` reference to an activity that does not exist.
    UnknownActivity = "K0303",
    /// Activities depend on each other in a circle.
    Cycle = "K0304",
    /// An included file that cannot be used.
    BadInclude = "K0305",
    /// A time zone that is not in the IANA database.
    UnknownTimeZone = "K0306",
    /// An indicator reference that is not declared.
    UnknownIndicator = "K0307",
    /// `for_each` names something that is not a group.
    NotAGroup = "K0308",
    /// An activity with a deadline but no executor.
    NoExecutor = "K0309",
    /// A date outside the roadmap's period.
    OutsidePeriod = "K0401",
    /// The approval is dated after the period ends.
    ApprovalAfterPeriod = "K0402",
    /// The period ends before it starts.
    ReversedPeriod = "K0403",
    /// An indicator has targets but no baseline.
    TargetWithoutBaseline = "K0404",
    /// An indicator period karta cannot read.
    BadPeriod = "K0405",
    /// An indicator's baseline and targets are for periods of different kinds.
    MixedPeriods = "K0406",
    /// An amending order dated before the approval or the amendment before it, or listed twice.
    AmendmentOutOfOrder = "K0407",
    /// An activity falls due before its prerequisite.
    DueBeforePrerequisite = "K0601",
    /// A recurring activity without any occurrence in the period.
    NoOccurrences = "K0602",
    /// Executors with deadlines but no e-mail address.
    NoEmail = "K0603",
    /// A row of an imported file that cannot be recorded.
    BadRow = "K0701",
    /// A report about something the roadmaps do not have, or that contradicts the log.
    BadReport = "K0702",
    /// An event about an occurrence the roadmaps no longer have.
    Orphan = "K0703",
    /// A deadline phrase karta cannot read.
    UnreadableDeadline = "K0501",
    /// A deadline falls on a non-working day and is kept there.
    NonWorkingDue = "K0502",
    /// A year the production calendar does not cover.
    CalendarGap = "K0503",
    /// A relative deadline counts from an event named in words, which karta cannot date.
    UndatedEvent = "K0510",
    /// A footnote mark inside a deadline phrase, read past.
    FootnoteInDeadline = "K0511",
    /// A region karta has no calendar for.
    UnknownRegion = "K0520",
    /// A calendar file's line is not `date<TAB>type<TAB>note` (or the header is missing).
    CalendarLine = "K0521",
    /// A calendar date that is not YYYY-MM-DD or does not exist.
    CalendarDate = "K0522",
    /// A calendar row of an unknown type.
    CalendarType = "K0523",
    /// A calendar row repeated, or contradicting another row of the same date.
    CalendarDuplicate = "K0524",
    /// A calendar row without its legal basis.
    CalendarBasis = "K0525",
    /// A calendar row whose type does not fit the weekday.
    CalendarWeekday = "K0526",
    /// Roadmaps of different regions in one run.
    MixedRegions = "K0527",
}

/// One problem found in the input.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub source: Option<Arc<Source>>,
    pub span: Span,
    pub message: Message,
    pub hints: Vec<Message>,
}

impl Diagnostic {
    pub fn error(code: Code, message: Message) -> Self {
        Diagnostic { severity: Severity::Error, code, source: None, span: Span::start(), message, hints: Vec::new() }
    }

    pub fn warning(code: Code, message: Message) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(code, message) }
    }

    pub fn at(mut self, source: &Arc<Source>, span: Span) -> Self {
        self.source = Some(Arc::clone(source));
        self.span = span;
        self
    }

    pub fn hint(mut self, hint: Message) -> Self {
        self.hints.push(hint);
        self
    }

    pub fn hint_opt(self, hint: Option<Message>) -> Self {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn path(&self) -> Option<&Path> {
        self.source.as_deref().map(|s| s.path.as_path())
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The usual "did you mean" hint.
pub fn suggestion(name: &str) -> Message {
    msg!("возможно, имелось в виду `{}`", name; "did you mean `{}`?", name)
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn lines_are_the_lines_of_str() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "а: ё\n  б\n\nв"] {
            let index = Lines::of(text);
            let expected: Vec<&str> = text.lines().collect();
            let found: Vec<&str> = (1..).map_while(|n| index.get(text, n)).collect();
            assert_eq!(found, expected, "{text:?}");
            assert_eq!(index.get(text, 0), None);
        }
    }
}
