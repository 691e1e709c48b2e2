//! What stands around the roadmap table: the approval block («УТВЕРЖДЕН приказом … от … № …»,
//! «Приложение N 2 к распоряжению … от … N …», «УТВЕРЖДАЮ … 19 июня 2018 г.»), the title
//! («Дорожная карта …», «План мероприятий …», «Комплекс мер …», in capitals too) and the
//! signature under the table. What is not found stays unknown: a date is never made up.

use chrono::{Datelike, NaiveDate};

use super::read::Block;
use crate::deadline::Spec;
use crate::model::Period;

/// The approving act, as far as the text gives it.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub document: String,
    pub number: String,
    pub date: Option<NaiveDate>,
    /// The act in the instrumental: «приказом министерства образования …».
    pub stamp: Option<String>,
    /// The head who signed «УТВЕРЖДАЮ»: position and name.
    pub signed: Option<(String, String)>,
}

/// The lines of text before the table, in reading order: paragraphs, the cells of layout
/// tables, and the two columns of a line laid out with spaces («Принят …      «Утверждаю»»),
/// left column first.
pub fn lines(blocks: &[Block]) -> Vec<String> {
    let mut out = Vec::new();
    let mut right: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<String>, right: &mut Vec<String>| out.append(right);
    for block in blocks {
        match block {
            Block::Para(p) => {
                for line in p.lines() {
                    match split_columns(line) {
                        Some((l, r)) => {
                            if !l.is_empty() {
                                out.push(l);
                            }
                            right.push(r);
                        }
                        None => {
                            flush(&mut out, &mut right);
                            out.push(line.trim().to_string());
                        }
                    }
                }
            }
            Block::Table(rows) => {
                flush(&mut out, &mut right);
                for cell in rows.iter().flatten() {
                    out.extend(cell.text.lines().map(|l| l.trim().to_string()));
                }
            }
        }
    }
    flush(&mut out, &mut right);
    out
}

/// A line of two columns separated by a wide gap of spaces or a tab.
fn split_columns(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim();
    let gap = trimmed.find('\t').map(|i| (i, 1)).or_else(|| trimmed.find("     ").map(|i| (i, 5)))?;
    let (left, right) = (trimmed[..gap.0].trim(), trimmed[gap.0 + gap.1..].trim());
    (!right.is_empty()).then(|| (left.to_string(), right.to_string()))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words a roadmap's title starts with.
const TITLE_STARTS: &[&str] = &[
    "дорожная карта",
    "«дорожная карта",
    "план",
    "комплекс мер",
    "перечень мероприятий",
    "система основных мероприятий",
    "мероприятия по",
    "программа",
    "график",
];

/// The title: the last line before the table that starts like a title, with the lines that
/// continue it.
pub fn title(lines: &[String]) -> Option<String> {
    let starts = |l: &String| {
        let l = l.trim().trim_start_matches(['"', '«']).to_lowercase();
        // «Типовой план …», «Примерный план …», «Индивидуальный план …» too.
        let second_is_plan = l.split_whitespace().nth(1).is_some_and(|w| w == "план" || w == "планы");
        TITLE_STARTS.iter().any(|s| l.starts_with(s.trim_start_matches('«'))) || second_is_plan
    };
    let at = lines.iter().rposition(starts)?;
    let mut parts = vec![lines[at].trim()];
    for l in &lines[at + 1..] {
        let l = l.trim();
        let lower = l.to_lowercase();
        if l.is_empty()
            || ["(в ред", "(с изм", "(утв", "тема", "цель", "задачи", "утвержд", "приложение"]
                .iter()
                .any(|w| lower.starts_with(w))
            || super::table::numbered(l)
                .is_some_and(|(n, rest)| n.ends_with(['.', ')']) || rest.chars().all(|c| !c.is_lowercase()))
            || date_in(l).is_some_and(|(_, rest)| rest.trim().is_empty() && l.chars().count() < 24)
        {
            break;
        }
        parts.push(l);
    }
    Some(squeeze(&parts.join(" ")))
}

/// The approval block above the table.
pub fn approval(lines: &[String]) -> Option<Approval> {
    let upper = |l: &String| l.trim().trim_start_matches(['«', '"']).to_uppercase();
    let start = lines.iter().position(|l| {
        let u = upper(l);
        u.starts_with("УТВЕРЖД") || u.starts_with("ПРИЛОЖЕНИЕ")
    })?;
    let block: Vec<&String> = lines[start..].iter().take(10).collect();
    let signs = upper(block[0]).starts_with("УТВЕРЖДАЮ");
    let mut by: Vec<&str> = Vec::new();
    for line in block.iter().skip(1) {
        let l = line.trim();
        if l.to_lowercase().starts_with("(в ред") {
            break;
        }
        let Some((date, rest)) = date_in(l) else {
            if !l.is_empty() && !upper(line).starts_with("УТВЕРЖД") {
                by.push(l);
            }
            continue;
        };
        if signs {
            // «УТВЕРЖДАЮ / Министр … / О.Ю. Васильева / 19 июня 2018 г.»: signed, not ordered.
            let name = by.iter().rposition(|l| looks_like_name(l));
            let signed = name.map(|n| (squeeze(&by[..n].join(" ")), by[n].trim_start_matches('_').trim().to_string()));
            return Some(Approval {
                document: "утверждение".into(), number: String::new(), date, stamp: None, signed
            });
        }
        let by = squeeze(&by.join(" "));
        let (document, stamp) = act(&by);
        return Some(Approval { document, number: number(rest), date, stamp, signed: None });
    }
    // The block is there, its date is not («от «___» ______ 2015 г.»): kept without a date.
    let by = squeeze(&by.join(" "));
    let (document, stamp) = if signs { ("утверждение".to_string(), None) } else { act(&by) };
    Some(Approval { document, number: String::new(), date: None, stamp, signed: None })
}

/// «приказом Управления образования» / «к приказу министерства …»: the kind of act, and the
/// approval stamp in the instrumental.
fn act(by: &str) -> (String, Option<String>) {
    let lower = by.to_lowercase();
    const KINDS: [(&str, &str, &str); 5] = [
        ("распоряжени", "распоряжение", "распоряжением"),
        ("постановлени", "постановление", "постановлением"),
        ("решени", "решение", "решением"),
        ("протокол", "протокол", "протоколом"),
        ("приказ", "приказ", "приказом"),
    ];
    let Some((at, kind, instrumental)) =
        KINDS.iter().find_map(|(stem, kind, instr)| lower.find(stem).map(|at| (at, *kind, *instr)))
    else {
        return ("приказ".into(), (!by.is_empty()).then(|| by.to_string()));
    };
    // «к приказу министерства …» → «приказом министерства …»
    let word_end = by[at..].find(' ').map_or(by.len(), |e| at + e);
    let rest = by[word_end..].trim();
    let stamp = if rest.is_empty() { instrumental.to_string() } else { format!("{instrumental} {rest}") };
    (kind.to_string(), Some(stamp))
}

/// The registration number after «№» or «N» (Гарант and Кодекс print «N»).
fn number(rest: &str) -> String {
    let rest = rest.trim();
    let after = rest
        .find('№')
        .map(|i| &rest[i + '№'.len_utf8()..])
        .or_else(|| rest.strip_prefix("N ").or_else(|| rest.find(" N ").map(|i| &rest[i + 3..])));
    after
        .and_then(|a| a.split_whitespace().next())
        .map(|n| n.trim_end_matches([',', ';', ')']))
        .unwrap_or("")
        .to_string()
}

/// The first date written in a line («от 02.10.2023», «от 5 июля 2019 г.», «19 июня 2018 г.»)
/// and the text after it.
fn date_in(line: &str) -> Option<(Option<NaiveDate>, &str)> {
    let wide = Period {
        from: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or_default(),
    };
    let words: Vec<(usize, &str)> =
        line.split_whitespace().map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w)).collect();
    for (k, (at, _)) in words.iter().enumerate() {
        for len in [4usize, 3, 1] {
            let Some(last) = words.get(k + len - 1) else { continue };
            let end = last.0 + last.1.len();
            let text = line[*at..end].trim_end_matches([',', ';']);
            if !text.chars().any(|c| c.is_ascii_digit()) || !text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Ok(Spec::Once { date, .. }) = crate::deadline::read(text, wide) {
                // A year must be written: «от 02.10.2023», not a bare «02.10».
                if text.contains(&date.year().to_string()) {
                    return Some((Some(date), &line[end..]));
                }
            }
        }
    }
    None
}

fn looks_like_name(s: &str) -> bool {
    let s = s.trim().trim_start_matches('_').trim();
    let initials = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        w.contains('.') && letters.len() <= 3 && letters.iter().all(|c| c.is_uppercase())
    };
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [one] => {
            // «О.Ю.ВАСИЛЬЕВА»
            let (head, tail) = one.rsplit_once('.').unwrap_or_default();
            initials(&format!("{head}.")) && tail.chars().count() > 2
        }
        [a, b] => initials(a) || initials(b),
        _ => false,
    }
}

/// The signature under the table: a position and «И.О. Фамилия» (a paragraph, or a
/// borderless two-cell table).
pub fn signatory(after: &[Block]) -> Option<(String, String)> {
    for block in after.iter().filter(|b| !matches!(b, Block::Para(p) if p.trim().is_empty())).take(3) {
        match block {
            Block::Para(p) => {
                let Some((position, name)) = p.rsplit_once('\t').or_else(|| p.trim().rsplit_once("   ")) else {
                    continue;
                };
                if looks_like_name(name) {
                    return Some((squeeze(position), name.trim().to_string()));
                }
            }
            Block::Table(t) if t.len() == 1 && t[0].len() == 2 && looks_like_name(&t[0][1].text) => {
                return Some((squeeze(&t[0][0].text), t[0][1].text.trim().to_string()));
            }
            Block::Table(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn approvals_as_printed() {
        let a = approval(&l(&[
            "Приложение N 2",
            "к приказу министерства образования",
            "и науки края",
            "от 13 ноября 2015 г. N 5976",
        ]))
        .expect("found");
        assert_eq!((a.document.as_str(), a.number.as_str()), ("приказ", "5976"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2015, 11, 13));
        assert_eq!(a.stamp.as_deref(), Some("приказом министерства образования и науки края"));
        let a = approval(&l(&["УТВЕРЖДЕН", "распоряжением Правительства", "от 02.07.2019 N 241-рп"])).expect("found");
        assert_eq!((a.document.as_str(), a.number.as_str()), ("распоряжение", "241-рп"));
        let a = approval(&l(&["Утверждаю", "Министр просвещения", "О.Ю.ВАСИЛЬЕВА", "19 июня 2018 г."])).expect("found");
        assert_eq!(a.signed, Some(("Министр просвещения".into(), "О.Ю.ВАСИЛЬЕВА".into())));
        // A blank date is not a date.
        let blank = approval(&l(&["«Утверждаю»", "Директор школы:", "«___» __________ 2015г."])).expect("found");
        assert_eq!(blank.date, None);
    }

    #[test]
    fn titles_and_columns() {
        let lines = lines(&[Block::Para(" Принят          «Утверждаю»\nрешением педсовета     Директор".into())]);
        assert_eq!(lines, ["Принят", "решением педсовета", "«Утверждаю»", "Директор"]);
        let t = title(&l(&[
            "Приложение",
            "от 5 июля 2019 г. N 605-р",
            "Комплекс мер (дорожная карта)",
            "по созданию центров",
        ]));
        assert_eq!(t.as_deref(), Some("Комплекс мер (дорожная карта) по созданию центров"));
    }
}
