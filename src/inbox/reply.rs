//! What a reply to a notice says. A notice listing n occurrences numbers them 1…n; the reply's
//! own text ([`own_text`]) names them and says, in the words shared with the CSV import
//! ([`crate::track::answer`]), whether each is done, partly done or not done, or asks to move
//! its deadline («прошу перенести до 15 марта 2027 г.», read by karta's deadline reader). Each
//! line (or each part of a line between «;») is one statement. What cannot be read with
//! certainty is refused ([`Unclear`]), never guessed: the author is asked again. Nothing here
//! knows which occurrences the numbers stand for; the caller does.

use chrono::NaiveDate;

use super::dates::{date_in, leading_date, new_date};
use crate::model::Period;
use crate::track::answer::{self, Answer, fold};

pub use super::strip::own_text;

/// What the reply is read against: the notice it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// How many occurrences the notice listed (numbered 1…count).
    pub count: usize,
    /// The day the notice was sent: a reported date without a year is the nearest to it.
    pub sent: NaiveDate,
    /// The roadmap's period: a new deadline without a year is read inside it.
    pub period: Period,
}

/// What a statement decides about its occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Done, on the date the reply gives (the caller takes the reply's date when none).
    Done {
        on: Option<NaiveDate>,
    },
    Partly {
        percent: Option<u8>,
        comment: Option<String>,
    },
    NotDone {
        reason: Option<String>,
    },
    /// A request to move the deadline, for the approver.
    Move {
        to: NaiveDate,
        reason: Option<String>,
    },
}

/// One statement of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The occurrences (1-based, as the notice numbered them); empty for a notice of one.
    pub items: Vec<usize>,
    pub decision: Decision,
    /// The author's words after the decision («отчёт направлен»).
    pub comment: Option<String>,
}

/// Why a reply cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unclear {
    /// No decision at all, or a line naming items without one (`line`).
    NoDecision { line: Option<String> },
    /// An item the notice did not have.
    NoSuchItem { item: usize, count: usize },
    /// A notice of several occurrences, and a decision that names none of them.
    WhichItems { count: usize },
    /// Two decisions for one item that cannot both hold.
    Contradiction { item: usize },
    /// A date that does not exist («31.02»).
    BadDate { text: String },
    /// A move asked for without a date karta can read.
    NoNewDate { line: String },
}

/// How many item numbers one list may hold.
const MOST_ITEMS: usize = 200;

/// How many characters of a reply's own text are read.
const LONGEST: usize = 20_000;

/// The statements of a reply's text (the whole text: quotes and signatures are stripped here;
/// of the rest, the first 20,000 characters are read).
pub fn read(text: &str, context: &Context) -> Result<Vec<Statement>, Unclear> {
    let own = own_text(text);
    // A reply's own words are a few lines; past this, it is pasted text, and reading it whole
    // would only cost time.
    let own = own.char_indices().nth(LONGEST).map_or(own.as_str(), |(end, _)| &own[..end]);
    let mut found: Vec<Found> = Vec::new();
    let segments = own.lines().flat_map(|l| l.split(';')).flat_map(statements_of).map(str::trim);
    for segment in segments.filter(|s| !s.is_empty()) {
        let read = segment_statements(segment, context)?;
        let named = read.iter().any(|f| !f.items.is_empty() || (f.all && context.count > 1));
        let repeats = read.iter().all(|f| found.last().is_some_and(|last| last.kind == f.kind));
        let continues = !found.is_empty() && !named && (context.count > 1 || repeats);
        if read.is_empty() || continues {
            if starts_with_items(segment) {
                return Err(Unclear::NoDecision { line: Some(segment.to_string()) });
            }
            if let Some(last) = found.last_mut() {
                match &mut last.comment {
                    Some(c) => {
                        c.push(' ');
                        c.push_str(segment);
                    }
                    None => last.comment = Some(segment.to_string()),
                }
            }
            continue;
        }
        found.extend(read);
    }
    if found.is_empty() {
        return Err(Unclear::NoDecision { line: None });
    }
    resolve(found, context)
}

/// A part of a line split where, after a decision, a comma or a full stop is followed by more
/// items: «Пункты 1 и 2 выполнены, пункт 3 в работе», «1 — исполнено. 2 — в работе».
fn statements_of(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut checked, mut decided) = (0, 0, false);
    for (at, c) in line.char_indices() {
        if !matches!(c, ',' | '.') || !line[at + 1..].starts_with(char::is_whitespace) {
            continue;
        }
        // Decision phrases hold no «,» or «.»: each stretch between two candidates is looked at once.
        decided = decided || decision_in(&line[checked..at]).is_some();
        checked = at;
        let next = line[at + 1..].trim_start();
        if decided && starts_with_items(next) {
            parts.push(&line[start..at]);
            start = line.len() - next.len();
            (checked, decided) = (start, false);
        }
    }
    parts.push(&line[start..]);
    parts
}

/// A decision without its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Done { on: Option<NaiveDate> },
    Partly { percent: Option<u8> },
    NotDone,
    Move { to: NaiveDate },
}

/// A statement as written, before its items are checked.
#[derive(Debug)]
struct Found {
    items: Vec<usize>,
    /// «Все пункты …»: every item of the notice.
    all: bool,
    kind: Kind,
    comment: Option<String>,
}

/// The statements of one segment: none, one, or a report followed by a move request
/// («не исполнено, прошу перенести до 20.03»).
fn segment_statements(segment: &str, context: &Context) -> Result<Vec<Found>, Unclear> {
    let (mut items, rest) = leading_items(segment);
    let all = items.is_empty() && starts_with_all(rest);
    let mut out = Vec::new();
    // «перенос» may be a reason's word («в связи с переносом»): a move needs its new date, or,
    // with no other decision beside it, is refused for want of one.
    let moved = move_stem(rest).map(|(stem, after)| (stem, new_date(&rest[after..], context.period)));
    if let Some((_, None)) = moved
        && decision_in(rest).is_none()
    {
        return Err(Unclear::NoNewDate { line: segment.to_string() });
    }
    if let Some((stem, Some((to, after)))) = moved {
        let before = &rest[..stem];
        if items.is_empty() {
            items = items_anywhere(rest).0;
        }
        let mut reason = clean(after);
        if let Some((answer, _, end)) = decision_in(before) {
            out.push(report(answer, clean(strip_asking(&before[end..])), before));
        } else if reason.is_none() {
            reason = clean(strip_asking(before));
        }
        out.push(Found { items: Vec::new(), all, kind: Kind::Move { to }, comment: reason });
    } else if let Some((answer, _, end)) = decision_in(rest) {
        let mut tail = rest[end..].to_string();
        if items.is_empty() {
            let (named, at) = items_anywhere(rest);
            if at.start >= end {
                tail.replace_range(at.start - end..at.end - end, "");
            }
            items = named;
        }
        let tail = tail.as_str();
        let (on, tail) = match answer {
            Answer::Done => match leading_date(tail, context.sent)? {
                Some((on, after)) => (Some(on), after),
                None => (date_in(rest, context.sent)?, tail),
            },
            _ => (None, tail),
        };
        let mut found = report(answer, clean(tail), rest);
        if let Kind::Done { on: date } = &mut found.kind {
            *date = on;
        }
        out.push(found);
    }
    for f in &mut out {
        f.items.clone_from(&items);
        f.all = all;
    }
    Ok(out)
}

/// A report statement (done, partly, not done) with its comment.
fn report(answer: Answer, comment: Option<String>, text: &str) -> Found {
    let kind = match answer {
        Answer::Done => Kind::Done { on: None },
        Answer::Partial => Kind::Partly { percent: percent_in(text) },
        Answer::NotDone => Kind::NotDone,
    };
    Found { items: Vec::new(), all: false, kind, comment }
}

/// Checks items against the notice and decisions against each other.
fn resolve(found: Vec<Found>, context: &Context) -> Result<Vec<Statement>, Unclear> {
    let count = context.count;
    let mut seen: Vec<Vec<Kind>> = vec![Vec::new(); count + 1];
    let mut out = Vec::new();
    for f in found {
        let items: Vec<usize> = match (f.items.is_empty(), f.all, count) {
            (false, _, _) => f.items,
            (true, true, _) => (1..=count).collect(),
            (true, false, 0 | 1) => vec![1],
            (true, false, _) => return Err(Unclear::WhichItems { count }),
        };
        let mut kept = Vec::new();
        for item in items {
            let Some(before) = seen.get_mut(item).filter(|_| item >= 1) else {
                return Err(Unclear::NoSuchItem { item, count });
            };
            if before.contains(&f.kind) || kept.contains(&item) {
                continue;
            }
            if before.iter().any(|&b| !compatible(b, f.kind)) {
                return Err(Unclear::Contradiction { item });
            }
            before.push(f.kind);
            kept.push(item);
        }
        if kept.is_empty() {
            continue;
        }
        let comment = f.comment;
        let decision = match f.kind {
            Kind::Done { on } => Decision::Done { on },
            Kind::Partly { percent } => Decision::Partly { percent, comment: comment.clone() },
            Kind::NotDone => Decision::NotDone { reason: comment.clone() },
            Kind::Move { to } => Decision::Move { to, reason: comment.clone() },
        };
        let items = if count == 1 { Vec::new() } else { kept };
        out.push(Statement { items, decision, comment });
    }
    Ok(out)
}

/// Whether two different decisions can both hold for one item: a report of not done or partly
/// done may come with a request to move; nothing else may come with another.
fn compatible(a: Kind, b: Kind) -> bool {
    matches!(
        (a, b),
        (Kind::NotDone | Kind::Partly { .. }, Kind::Move { .. })
            | (Kind::Move { .. }, Kind::NotDone | Kind::Partly { .. })
    )
}

/// The item numbers a segment starts with («1, 3 —», «1-3», «п. 2:», «2)»), and the rest after
/// them and their separator. Numbers count as items only when a separator or a decision
/// follows, so «2 школы не сдали» names no item.
fn leading_items(segment: &str) -> (Vec<usize>, &str) {
    let text = segment.trim_start();
    let (prefixed, after_prefix) = match item_prefix(text) {
        Some(n) => (true, &text[n..]),
        None => (false, text),
    };
    let Some((items, used)) = numbers(after_prefix) else { return (Vec::new(), segment) };
    let rest = &after_prefix[used..];
    let trimmed = rest.trim_start();
    let separated = trimmed.is_empty() || trimmed.starts_with(['-', '–', '—', ':', '.', ')']);
    let decided = answer::leading(trimmed).is_some() || move_stem(trimmed).is_some_and(|(s, _)| s == 0);
    if !(prefixed || separated || decided || items.len() > 1) {
        return (Vec::new(), segment);
    }
    let rest =
        trimmed.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '.' | ')'));
    (items, rest)
}

fn starts_with_items(segment: &str) -> bool {
    !leading_items(segment).0.is_empty()
}

/// The bytes of an item prefix («по пунктам», «пункт», «п.», «№») at the start of `text`.
fn item_prefix(text: &str) -> Option<usize> {
    const PREFIXES: &[&str] =
        &["по пунктам", "по пункту", "пунктам", "пункты", "пункту", "пункта", "пункт", "пп.", "п.", "№", "no.", "по "];
    let lower: String = text.chars().take(12).map(fold).collect();
    let prefix = PREFIXES.iter().find(|p| lower.starts_with(*p))?;
    let chars = prefix.chars().count();
    let end = text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i);
    Some(end + text[end..].len() - text[end..].trim_start().len())
}

/// Item numbers named after the decision («исполнено по пунктам 1 и 3») and the bytes of
/// `text` that name them.
fn items_anywhere(text: &str) -> (Vec<usize>, std::ops::Range<usize>) {
    let lower: String = text.chars().map(fold).collect();
    let Some(at) = ["по пункт", "пункт", "п. "].iter().find_map(|p| lower.find(p)) else {
        return (Vec::new(), 0..0);
    };
    let start = text.char_indices().nth(lower[..at].chars().count()).map_or(text.len(), |(i, _)| i);
    let after = &text[start..];
    match item_prefix(after).and_then(|n| numbers(&after[n..]).map(|(items, used)| (items, n + used))) {
        Some((items, used)) => (items, start..start + used),
        None => (Vec::new(), 0..0),
    }
}

/// A list of item numbers at the start of `text`: «1», «1, 3», «1 и 3», «1-3», «1–3, 5».
/// Dates («14.03»), times, percentages and long numbers are not item numbers.
fn numbers(text: &str) -> Option<(Vec<usize>, usize)> {
    let mut items = Vec::new();
    let mut pos = 0;
    loop {
        if items.len() > MOST_ITEMS {
            // No notice lists so many: the rest is not read, and the list is refused as it is.
            return Some((items, pos));
        }
        let (first, used) = number(&text[pos..])?;
        pos += used;
        let mut last = first;
        let after = &text[pos..];
        let dash = after.trim_start().strip_prefix(['-', '–', '—']).map(str::trim_start);
        if let Some((to, used)) = dash.and_then(number) {
            let dash = dash.unwrap_or_default();
            pos += after.len() - dash.len() + used;
            last = to;
        }
        let (low, high) = (first.min(last), first.max(last));
        if high - low <= 100 {
            items.extend(low..=high);
        } else {
            items.extend([low, high]);
        }
        let after = &text[pos..];
        let trimmed = after.trim_start();
        let next = trimmed.strip_prefix(',').or_else(|| trimmed.strip_prefix("и ")).map(str::trim_start);
        match next {
            Some(next) if number(next).is_some() => pos += after.len() - next.len(),
            _ => return Some((items, pos)),
        }
    }
}

/// One item number (1 to 3 digits) and its bytes, when it is not part of a date, time or
/// percentage.
fn number(text: &str) -> Option<(usize, usize)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let next = &text[digits..];
    let continues_as_number =
        next.strip_prefix(['.', ':']).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    if continues_as_number || next.trim_start().starts_with('%') || next.starts_with(char::is_alphabetic) {
        return None;
    }
    Some((text[..digits].parse().ok()?, digits))
}

/// «Все пункты исполнены», «Всё выполнено», «По всем пунктам —».
fn starts_with_all(text: &str) -> bool {
    let lower: String = text.chars().take(16).map(fold).collect();
    ["все ", "все,", "все —", "по всем"].iter().any(|p| lower.starts_with(p))
}

/// The earliest decision phrase in `text`: its answer and byte range. Short words («да», «нет»,
/// «+») count only at the start and standing alone («Да, исполнено»), not inside a sentence
/// («замечаний нет», «нет финансирования»).
fn decision_in(text: &str) -> Option<(Answer, usize, usize)> {
    let mut previous = None;
    for (pos, c) in text.char_indices() {
        let at_word = previous.is_none_or(|p: char| !p.is_alphanumeric());
        previous = Some(c);
        if !at_word || c.is_whitespace() {
            continue;
        }
        let Some((answer, len, phrase)) = answer::leading(&text[pos..]) else { continue };
        if phrase == "-" {
            continue;
        }
        if phrase.chars().count() <= 3 {
            let alone = text[pos + len..].trim_start().chars().next().is_none_or(|n| ",.!:;—–-)".contains(n));
            if pos > 0 || !alone {
                continue;
            }
        }
        return Some((answer, pos, pos + len));
    }
    None
}

/// Where a request to move begins in `text` («прошу перенести», «перенос срока», «продлить
/// срок») and where the word that says it ends.
fn move_stem(text: &str) -> Option<(usize, usize)> {
    const STEMS: &[&str] = &["перенест", "перенос", "продлить", "продлен", "сдвинуть"];
    let lower: String = text.chars().map(fold).collect();
    let at = STEMS
        .iter()
        .filter_map(|s| {
            lower.match_indices(s).find(|(i, _)| !lower[..*i].ends_with(char::is_alphanumeric)).map(|(i, _)| i)
        })
        .min()?;
    let start = text.char_indices().nth(lower[..at].chars().count()).map_or(text.len(), |(i, _)| i);
    let word = text[start..].find(|c: char| !c.is_alphanumeric()).unwrap_or(text.len() - start);
    Some((start, start + word))
}

/// The words before a move's verb without the asking («…, прошу»).
fn strip_asking(text: &str) -> &str {
    let trimmed = text.trim_end();
    let lower: String = trimmed.chars().map(fold).collect();
    for ask in ["прошу вас", "просим вас", "прошу", "просим", "просьба"] {
        if lower.ends_with(ask) {
            let keep = lower.chars().count() - ask.chars().count();
            return trimmed.char_indices().nth(keep).map_or(trimmed, |(i, _)| &trimmed[..i]);
        }
    }
    trimmed
}

/// A comment as the author wrote it, without the punctuation and connective that tie it to
/// the decision («, так как …» → «…»); `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let separators = |c: char| c.is_whitespace() || ",:;—–-.)".contains(c);
    let mut rest = text.trim_start_matches(separators);
    let lower: String = rest.chars().take(16).map(fold).collect();
    for connective in ["так как", "т.к.", "т. к.", "поскольку", "потому что", "причина"]
    {
        if lower.starts_with(connective) {
            let chars = connective.chars().count();
            rest = rest.char_indices().nth(chars).map_or("", |(i, _)| &rest[i..]).trim_start_matches(separators);
            break;
        }
    }
    let rest = rest.trim();
    rest.contains(char::is_alphanumeric).then(|| rest.to_string())
}

/// A percentage anywhere in `text`: «60%», «60 %».
fn percent_in(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    (0..bytes.len()).filter(|&i| bytes[i] == b'%').find_map(|i| {
        let before = text[..i].trim_end();
        let digits = before.bytes().rev().take_while(u8::is_ascii_digit).count();
        before[before.len() - digits..].parse::<u8>().ok().filter(|&p| p <= 100 && digits > 0)
    })
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
