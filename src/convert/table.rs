//! The roadmap table: its header (what each column holds, in any order and wording — «Наименование
//! мероприятия», «Содержание работы», «Направления деятельности»; «Сроки», «Срок выполнения»,
//! «Период исполнения», «дата»; «Ответст-венные» broken across lines), and its rows: headers
//! repeated on every page and column-number rows skipped, section rows («I. …», «Раздел 2.»,
//! the number in the first column and the text across the rest), editorial notes of legal
//! databases («(в ред. …)»), rows broken by a page, and activities with every other column
//! kept by its header.

use super::read::{Cell, Row};
use super::{Activity, Section};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Number,
    Title,
    Executors,
    Due,
    Result,
}

/// The columns of a roadmap table: the known roles, and the other columns by their header.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub roles: Vec<(usize, Role)>,
    pub extra: Vec<(usize, String)>,
}

impl Columns {
    pub fn of(&self, role: Role) -> Option<usize> {
        self.roles.iter().find(|(_, r)| *r == role).map(|(c, _)| *c)
    }
}

/// A header cell's text as one line: «Ответст-\nвенные» → «Ответственные», soft hyphens dropped.
fn header_text(text: &str) -> String {
    let joined = text.replace('\u{ad}', "").replace("-\n", "").replace('\n', " ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn role(header: &str) -> Option<Role> {
    let h = header_text(header).to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&[
        "мероприяти",
        "содержание",
        "направлени",
        "вид работ",
        "виды работ",
        "наименование работ",
        "форма работ",
        "формы работ",
    ]) {
        Some(Role::Title)
    } else if has(&["ответствен", "исполнител", "координатор"]) {
        Some(Role::Executors)
    } else if has(&["срок", "период исполнения", "период реализации", "период проведения", "дата", "время"])
    {
        Some(Role::Due)
    } else if has(&["результат", "показател", "ожидаем", "итогов", "форма отчет", "форма заверш", "вид документ"])
    {
        Some(Role::Result)
    } else if has(&["наименование", "задач"]) {
        Some(Role::Title)
    } else if h.contains('№') || h.contains("п/п") || h == "n" || h == "пп" || h.starts_with("номер") {
        Some(Role::Number)
    } else {
        None
    }
}

/// A row's cells laid on the grid: the text at each grid column (a spanning cell at its first).
pub fn grid(row: &Row) -> Vec<(usize, &Cell)> {
    let mut at = 0;
    row.iter()
        .map(|c| {
            let here = at;
            at += c.span.max(1);
            (here, c)
        })
        .collect()
}

/// The columns of a header row, when it is one (a title and a deadline column at least).
pub fn header(row: &Row) -> Option<Columns> {
    let mut columns = Columns::default();
    // The activities' column is the one that names them («Мероприятия») rather than their
    // area («Направление деятельности») when a table has both.
    let naming = |text: &str| {
        let h = header_text(text).to_lowercase();
        ["мероприяти", "содержание", "наименование"].iter().any(|w| h.contains(w))
    };
    let cells = grid(row);
    let title_at = cells
        .iter()
        .filter(|(_, c)| role(&c.text) == Some(Role::Title))
        .min_by_key(|(_, c)| !naming(&c.text))
        .map(|(at, _)| *at);
    for (at, cell) in cells {
        match role(&cell.text) {
            Some(Role::Title) if Some(at) != title_at => columns.extra.push((at, header_text(&cell.text))),
            Some(r) if columns.of(r).is_none() => columns.roles.push((at, r)),
            _ if !cell.text.trim().is_empty() => columns.extra.push((at, header_text(&cell.text))),
            _ => {}
        }
    }
    let (title, due) = (columns.of(Role::Title)?, columns.of(Role::Due)?);
    if title == due {
        return None;
    }
    // A header names columns in a few words; a row of an activity that happens to say
    // «направления» and «в срок до …» is not one.
    let text_at =
        |col: usize| grid(row).into_iter().find(|(at, _)| *at == col).map_or(0, |(_, c)| c.text.chars().count());
    if text_at(due) > 40 || text_at(title) > 120 {
        return None;
    }
    // An empty first header cell above the numbers.
    if columns.of(Role::Number).is_none()
        && title > 0
        && due > 0
        && row.first().is_some_and(|c| c.text.trim().is_empty())
    {
        columns.roles.push((0, Role::Number));
    }
    Some(columns)
}

/// A second header row under cells that span several columns («Срок реализации» over «начало»
/// and «окончание»): the columns it names, or `None` when the row is not one.
pub fn sub_header(columns: &Columns, header_row: &Row, row: &Row) -> Option<Columns> {
    let spans: Vec<(usize, usize, &str)> =
        grid(header_row).into_iter().filter(|(_, c)| c.span > 1).map(|(at, c)| (at, c.span, c.text.as_str())).collect();
    let under = |col: usize| spans.iter().find(|(at, span, _)| *at <= col && col < at + span);
    let filled: Vec<(usize, &Cell)> = grid(row).into_iter().filter(|(_, c)| !c.text.trim().is_empty()).collect();
    if spans.is_empty() || filled.is_empty() || !filled.iter().all(|(col, _)| under(*col).is_some()) {
        return None;
    }
    let mut refined = Columns { roles: Vec::new(), extra: Vec::new() };
    for (col, role) in &columns.roles {
        match under(*col) {
            // The deadline of a stretch «начало … окончание» is its end.
            Some((at, span, _)) if *role == Role::Due => {
                let subs: Vec<(usize, &Cell)> =
                    filled.iter().copied().filter(|(c, _)| *c >= *at && *c < at + span).collect();
                let end = subs.iter().find(|(_, c)| {
                    let t = c.text.to_lowercase();
                    t.contains("оконч") || t.contains("конец") || t.contains("заверш")
                });
                let due = end.or(subs.last()).map_or(*col, |(c, _)| *c);
                refined.roles.push((due, Role::Due));
                refined.extra.extend(subs.iter().filter(|(c, _)| *c != due).map(|(c, cell)| {
                    (*c, format!("{} / {}", header_text(under(*c).map_or("", |u| u.2)), header_text(&cell.text)))
                }));
            }
            _ => refined.roles.push((*col, *role)),
        }
    }
    for (col, name) in &columns.extra {
        let subs: Vec<(usize, &Cell)> = filled
            .iter()
            .copied()
            .filter(|(c, _)| under(*col).is_some_and(|u| u.0 == under(*c).map_or(usize::MAX, |v| v.0)))
            .collect();
        if subs.is_empty() {
            refined.extra.push((*col, name.clone()));
        } else {
            refined.extra.extend(subs.iter().map(|(c, cell)| (*c, format!("{name} / {}", header_text(&cell.text)))));
        }
    }
    Some(refined)
}

/// «1 2 3 4 5»: the column-number row repeated on every page.
fn numbering(row: &Row) -> bool {
    let texts: Vec<&str> = row.iter().map(|c| c.text.trim()).filter(|t| !t.is_empty()).collect();
    texts.len() >= 3 && texts.iter().enumerate().all(|(i, t)| t.parse::<usize>().ok() == Some(i + 1))
}

/// «(в ред. распоряжения … от … N …)», «(пункт введен …)»: what legal databases print inside a
/// table about its amendments.
fn editorial(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    t.starts_with('(')
        && ["в ред", "в редакции", "введен", "утратил", "исключен", "позиция", "пункт", "строка", "абзац", "раздел"]
            .iter()
            .any(|w| t[1..].trim_start().starts_with(w))
}

/// «1.», «1.2.», «IV.», «Раздел 2.», «Глава 1»: what numbers a section or an activity.
pub fn numbered(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    let mut at = ["раздел", "глава", "подраздел"]
        .iter()
        .find(|w| lower.starts_with(*w))
        .map_or(0, |w| t.char_indices().nth(w.chars().count()).map_or(t.len(), |(i, _)| i));
    at += t[at..].len() - t[at..].trim_start().len();
    let digits =
        t[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ')').map(char::len_utf8).sum::<usize>();
    let roman = t[at..]
        .chars()
        .take_while(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'І' | '.' | ')'))
        .map(char::len_utf8)
        .sum::<usize>();
    let len = digits.max(roman);
    let number = &t[at..at + len];
    let rest = &t[at + len..];
    let ends_word = rest.is_empty() || rest.starts_with(char::is_whitespace) || number.ends_with(['.', ')']);
    if len == 0 || !number.chars().any(|c| c != '.' && c != ')') || !ends_word {
        return None;
    }
    Some((t[..at + len].trim(), rest.trim()))
}

/// A section title without its number.
fn section_title(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match numbered(&text) {
        Some((_, rest)) if !rest.is_empty() && !stage(rest) => rest.to_string(),
        _ => text,
    }
}

/// «1 этап (подготовительный)», «Этап II»: a stage of the work, a heading over its activities.
fn stage(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    lower.starts_with("этап") || numbered(&lower).is_some_and(|(_, rest)| rest.starts_with("этап"))
}

/// Walks the rows under the header into sections of activities.
pub fn walk(rows: &[Row], columns: &Columns) -> (Vec<Section>, Vec<String>) {
    let (number_col, title_col) = (columns.of(Role::Number), columns.of(Role::Title));
    // A cell merged down from the row above counts for this row too (executors, deadline,
    // other columns), except the number and the activity's own title.
    let at = |row: &Row, col: Option<usize>| -> String {
        let Some(col) = col else { return String::new() };
        let own = Some(col) == number_col || Some(col) == title_col;
        grid(row)
            .into_iter()
            .find(|(c, cell)| *c <= col && col < c + cell.span.max(1))
            .filter(|(_, c)| !(own && c.above))
            .map(|(_, c)| c.text.trim().to_string())
            .unwrap_or_default()
    };
    let width =
        columns.roles.iter().map(|(c, _)| *c).chain(columns.extra.iter().map(|(c, _)| *c)).max().unwrap_or(0) + 1;
    let mut sections: Vec<Section> = Vec::new();
    let mut loose = Section::default();
    let mut empty_sections = Vec::new();
    let mut current: Option<Section> = None;
    let mut pending_note: Vec<String> = Vec::new();
    for row in rows {
        if header(row).is_some() || numbering(row) {
            continue;
        }
        let cells = grid(row);
        let filled: Vec<(usize, &Cell)> =
            cells.iter().copied().filter(|(_, c)| !c.above && !c.text.trim().is_empty()).collect();
        let Some(&(first_col, first)) = filled.first() else { continue };
        if filled.len() == 1 && editorial(&first.text) {
            let target = current.as_mut().unwrap_or(&mut loose);
            match target.activities.last_mut() {
                Some(last) => last.notes.push(first.text.trim().to_string()),
                None => pending_note.push(first.text.trim().to_string()),
            }
            continue;
        }
        // A section: one cell across the row, or a number in the first column and the text across the rest.
        let across = |c: &Cell| row.len() == 1 || c.span >= 3 || c.span * 2 >= width;
        // A lone cell is a heading when it runs across, stands outside the activities' column, or
        // (in a table without a number column) is numbered itself: «1.Организация …».
        let lone_heading = filled.len() == 1
            && (across(first)
                || Some(first_col) != title_col
                || (number_col.is_none() && numbered(&first.text).is_some()));
        // «1 этап (подготовительный) | август 2016 г.»: a stage with its period.
        let stage_heading = Some(first_col) == title_col && stage(&first.text) && filled.len() <= 2;
        let numbered_heading = filled.len() == 2
            && Some(first_col) == number_col
            && across(filled[1].1)
            && Some(filled[1].0) != columns.of(Role::Due);
        if lone_heading || numbered_heading || stage_heading {
            let title = if numbered_heading {
                format!("{} {}", first.text.trim(), filled[1].1.text.trim())
            } else {
                first.text.clone()
            };
            let period = if stage_heading { filled.get(1).map(|(_, c)| c.text.trim().to_string()) } else { None };
            if let Some(s) = current.take() {
                if s.activities.is_empty() {
                    empty_sections.push(s.title);
                } else {
                    sections.push(s);
                }
            }
            current = Some(Section { title: section_title(&title), period, activities: Vec::new() });
            continue;
        }
        let number = at(row, number_col);
        let title = at(row, title_col);
        let due = at(row, columns.of(Role::Due));
        let target = current.as_mut().unwrap_or(&mut loose);
        // A row broken by a page: no number, no deadline, the previous activity's text goes on.
        let continues = filled.len() > 1 || title.starts_with(char::is_lowercase);
        if number.is_empty() && due.is_empty() && continues {
            if let Some(last) = target.activities.last_mut() {
                let join = |a: &mut String, b: String| {
                    if !b.is_empty() {
                        if !a.is_empty() {
                            a.push(' ');
                        }
                        a.push_str(&b);
                    }
                };
                join(&mut last.title, title);
                join(&mut last.executors_text, at(row, columns.of(Role::Executors)));
                let mut result = last.result.take().unwrap_or_default();
                join(&mut result, at(row, columns.of(Role::Result)));
                last.result = (!result.is_empty()).then_some(result);
                continue;
            }
        }
        let listed = |l: &str| {
            ["– ", "- ", "• ", "— "].iter().find_map(|d| l.trim().strip_prefix(d)).map(str::trim).map(String::from)
        };
        let tasks: Vec<String> = title.lines().filter_map(listed).collect();
        let title = title.lines().filter(|l| listed(l).is_none()).map(str::trim).collect::<Vec<_>>().join(" ");
        let result = at(row, columns.of(Role::Result));
        let extra = columns
            .extra
            .iter()
            .map(|(col, name)| (name.clone(), at(row, Some(*col))))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        target.activities.push(Activity {
            number: (!number.is_empty()).then_some(number),
            title,
            tasks,
            executors_text: at(row, columns.of(Role::Executors)),
            // Two deadlines on two lines are one phrase to the deadline language.
            due: due.split_whitespace().collect::<Vec<_>>().join(" "),
            result: (!result.is_empty()).then(|| result.lines().map(str::trim).collect::<Vec<_>>().join(" ")),
            extra,
            notes: std::mem::take(&mut pending_note),
            ..Activity::default()
        });
    }
    if !loose.activities.is_empty() {
        loose.title = "Мероприятия".into();
        sections.insert(0, loose);
    }
    if let Some(s) = current {
        if s.activities.is_empty() {
            empty_sections.push(s.title);
        } else {
            sections.push(s);
        }
    }
    (sections, empty_sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(&str, usize)]) -> Row {
        cells.iter().map(|(t, s)| Cell { text: t.to_string(), span: *s, above: false }).collect()
    }

    #[test]
    fn headers_in_other_words() {
        let h = header(&row(&[
            ("", 1),
            ("Содержание работы", 1),
            ("Ответст-\nвенные", 1),
            ("Срок выполнения", 1),
            ("Нормативный акт", 1),
        ]))
        .expect("a header");
        assert_eq!(h.of(Role::Number), Some(0));
        assert_eq!(h.of(Role::Executors), Some(2));
        assert_eq!(h.of(Role::Due), Some(3));
        assert_eq!(h.extra, [(4, "Нормативный акт".to_string())]);
        assert!(
            header(&row(&[("N", 1), ("Направления деятельности", 1), ("Сроки", 1), ("Ответственные лица", 1)]))
                .is_some()
        );
    }

    #[test]
    fn numbers_of_sections() {
        assert_eq!(numbered("I. Организационные мероприятия"), Some(("I.", "Организационные мероприятия")));
        assert_eq!(numbered("Раздел 2. Кадры"), Some(("Раздел 2.", "Кадры")));
        assert_eq!(numbered("1.2. Мониторинг"), Some(("1.2.", "Мониторинг")));
        assert_eq!(numbered("Информационное обеспечение"), None);
        assert_eq!(section_title("IV. Мониторинг"), "Мониторинг");
    }
}
