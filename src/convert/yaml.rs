//! Writing a converted roadmap as tidy, commented YAML in the order of the source table. Every
//! string is written double-quoted with YAML escapes, so no text can change the structure.

use std::fmt::Write;

use super::Converted;

/// A YAML double-quoted scalar.
fn q(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn write(c: &Converted) -> String {
    let mut y = String::new();
    let mut line = |indent: usize, text: &str| {
        y.push_str(&" ".repeat(indent));
        y.push_str(text);
        y.push('\n');
    };
    line(0, "# yaml-language-server: $schema=../schemas/roadmap.schema.json");
    line(0, "#");
    line(0, &format!("# karta convert: {}", c.source));
    line(
        0,
        &format!(
            "# Разделов: {}, мероприятий: {}, исполнителей: {}, нераспознанных сроков: {}.",
            c.sections.len(),
            c.activities(),
            c.executors.list.len(),
            c.unreadable()
        ),
    );
    if !c.abbreviations.is_empty() {
        line(0, "# Сокращения, которые вводит документ:");
        for (short, point) in &c.abbreviations {
            let place = if point.is_empty() { String::new() } else { format!(" (пункт {point})") };
            line(0, &format!("#   «{short}»{place}"));
        }
    }
    line(0, "kind: roadmap");
    line(0, &format!("id: {}", c.id));
    line(0, &format!("title: {}", q(&c.title)));
    match c.period {
        Some(p) => line(0, &format!("period: {{from: {}, to: {}}}", p.from, p.to)),
        None => {
            line(0, "# karta: период не удалось определить — укажите его (или --period FROM..TO)");
            line(0, "period: {from: 2024-01-01, to: 2024-12-31}");
        }
    }
    line(0, "# karta: часовой пояс в документе не указан — проверьте");
    line(0, "timezone: Europe/Moscow");
    if let Some(a) = &c.approval {
        // Without its date the approval is kept as a comment: a date is never made up.
        let (indent, hash) = match a.date {
            Some(_) => (0, ""),
            None => {
                line(0, "# karta: дата утверждения в документе не найдена — впишите её и раскомментируйте");
                (0, "# ")
            }
        };
        let mut field = |depth: usize, text: &str| line(indent, &format!("{hash}{}{text}", " ".repeat(depth)));
        field(0, "approval:");
        field(2, &format!("document: {}", q(&a.document)));
        field(2, &format!("number: {}", q(&a.number)));
        field(2, &a.date.map_or_else(|| "date: ГГГГ-ММ-ДД".to_string(), |d| format!("date: {d}")));
        if let Some(stamp) = &a.stamp {
            field(2, &format!("stamp: {}", q(stamp)));
        }
        if let Some((position, name)) = &c.signatory {
            field(2, "signatory:");
            field(4, &format!("position: {}", q(position)));
            field(4, &format!("name: {}", q(name)));
        }
    }
    if !c.executors.list.is_empty() {
        line(0, "executors:");
        for e in &c.executors.list {
            if e.spellings.len() > 1 {
                let spellings: Vec<String> = e.spellings.iter().map(|s| format!("«{s}»")).collect();
                line(2, &format!("# в документе: {}", spellings.join(", ")));
            }
            line(2, &format!("{}:", e.id));
            line(4, &format!("name: {}", q(&e.name)));
            if let Some(short) = &e.short {
                line(4, &format!("short: {}", q(short)));
            }
            let aliases: Vec<&String> =
                e.spellings.iter().filter(|s| **s != e.name && Some(*s) != e.short.as_ref()).collect();
            if !aliases.is_empty() {
                line(4, "aliases:");
                for a in aliases {
                    line(6, &format!("- {}", q(a)));
                }
            }
        }
    }
    for h in &c.headings {
        line(0, &format!("# karta: строка-раздел без мероприятий: {}", q(h)));
    }
    if c.sections.is_empty() {
        line(0, "# karta: в таблице не найдено ни одного мероприятия");
        line(0, "sections: []");
    } else {
        line(0, "sections:");
    }
    for s in &c.sections {
        if let Some(period) = &s.period {
            line(2, &format!("# karta: срок этапа в документе: {}", q(period)));
        }
        line(2, &format!("- title: {}", q(&s.title)));
        line(4, "activities:");
        for a in &s.activities {
            line(6, &format!("- id: {}", a.id));
            if let Some(n) = &a.number {
                line(8, &format!("number: {}", q(n)));
            }
            line(8, &format!("title: {}", q(&a.title)));
            if !a.tasks.is_empty() {
                line(8, "tasks:");
                for t in &a.tasks {
                    line(10, &format!("- {}", q(t)));
                }
            }
            if !a.executors.is_empty() {
                line(8, &format!("executors: [{}]", a.executors.join(", ")));
            }
            if !a.executors_text.is_empty() {
                line(8, &format!("executors_text: {}", q(&a.executors_text)));
            }
            if let Some(why) = &a.unreadable {
                line(8, &format!("# karta: не распознан срок — {why}"));
            }
            line(8, &format!("due: {}", q(&a.due)));
            if let Some(r) = &a.result {
                line(8, &format!("result: {}", q(r)));
            }
            if !a.extra.is_empty() {
                line(8, "columns:");
                for (header, text) in &a.extra {
                    line(10, &format!("{}: {}", q(header), q(text)));
                }
            }
            if !a.notes.is_empty() {
                line(8, &format!("notes: {}", q(&a.notes.join("\n"))));
            }
        }
    }
    y
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(super::q("a \"b\" \\ c\nd"), r#""a \"b\" \\ c\nd""#);
        assert_eq!(super::q("{{x}}: [y] # z"), r#""{{x}}: [y] # z""#);
    }
}
