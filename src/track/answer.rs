//! The words that say how far an occurrence is done: one list for CSV imports, report forms and
//! replies to notices, so that a word accepted in one place is accepted in all of them. Matching
//! ignores case, takes «ё» for «е» and any run of spaces for one; it knows nothing of where the
//! word came from (a cell, a line of a letter).

/// The three answers a report gives, whatever words say them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Done,
    Partial,
    NotDone,
}

/// Every phrase with its answer, lowercase, «е» for «ё». Negated and qualified phrases are listed
/// whole («не выполнено», «выполнено частично») so that the longest match decides.
pub const WORDS: &[(&str, Answer)] = &[
    ("выполнено", Answer::Done),
    ("выполнена", Answer::Done),
    ("выполнен", Answer::Done),
    ("исполнено", Answer::Done),
    ("исполнена", Answer::Done),
    ("исполнен", Answer::Done),
    ("выполнены", Answer::Done),
    ("исполнены", Answer::Done),
    ("сделаны", Answer::Done),
    ("сделано", Answer::Done),
    ("сделана", Answer::Done),
    ("сделан", Answer::Done),
    ("готово", Answer::Done),
    ("готова", Answer::Done),
    ("готов", Answer::Done),
    ("да", Answer::Done),
    ("done", Answer::Done),
    ("+", Answer::Done),
    ("частично", Answer::Partial),
    ("выполнено частично", Answer::Partial),
    ("исполнено частично", Answer::Partial),
    ("частично выполнено", Answer::Partial),
    ("частично исполнено", Answer::Partial),
    ("выполнено не полностью", Answer::Partial),
    ("исполнено не полностью", Answer::Partial),
    ("выполнено не в полном объеме", Answer::Partial),
    ("исполнено не в полном объеме", Answer::Partial),
    ("в работе", Answer::Partial),
    ("в процессе", Answer::Partial),
    ("в процессе исполнения", Answer::Partial),
    ("partial", Answer::Partial),
    ("partly", Answer::Partial),
    ("не выполнено", Answer::NotDone),
    ("не выполнена", Answer::NotDone),
    ("не выполнен", Answer::NotDone),
    ("не исполнено", Answer::NotDone),
    ("не исполнена", Answer::NotDone),
    ("не исполнен", Answer::NotDone),
    ("не выполнены", Answer::NotDone),
    ("не исполнены", Answer::NotDone),
    ("не сделано", Answer::NotDone),
    ("не готово", Answer::NotDone),
    ("нет", Answer::NotDone),
    ("not done", Answer::NotDone),
    ("not_done", Answer::NotDone),
    ("-", Answer::NotDone),
];

/// The answer a whole word gives (case and spaces aside), as a spreadsheet cell or a form's
/// field holds it.
pub fn answer(word: &str) -> Option<Answer> {
    // The word spelled as the list spells it, compared whole: what `leading` finds when it
    // takes the whole word, without trying every phrase letter by letter (an import asks this
    // of every row).
    let mut spelled = String::with_capacity(word.len());
    for c in word.trim().chars() {
        match c {
            c if c.is_whitespace() => {
                if !spelled.ends_with(' ') {
                    spelled.push(' ');
                }
            }
            c => spelled.push(fold(c)),
        }
    }
    WORDS.iter().find(|(phrase, _)| *phrase == spelled).map(|&(_, answer)| answer)
}

/// The longest phrase of the list that `text` starts with, ending where a word ends: its answer,
/// how many bytes of `text` it takes, and the phrase as listed.
pub fn leading(text: &str) -> Option<(Answer, usize, &'static str)> {
    WORDS
        .iter()
        .filter_map(|&(phrase, answer)| prefix(text, phrase).map(|len| (answer, len, phrase)))
        .max_by_key(|&(_, len, _)| len)
}

/// The bytes of `text` that spell `phrase` at its start, ending at a word's end.
fn prefix(text: &str, phrase: &str) -> Option<usize> {
    let mut rest = text.char_indices().peekable();
    for want in phrase.chars() {
        if want == ' ' {
            // One or more spaces in the text for one in the phrase.
            let mut spaces = 0;
            while rest.next_if(|&(_, c)| c.is_whitespace()).is_some() {
                spaces += 1;
            }
            if spaces == 0 {
                return None;
            }
            continue;
        }
        let (_, got) = rest.next()?;
        if fold(got) != want {
            return None;
        }
    }
    let end = rest.peek().map_or(text.len(), |&(i, _)| i);
    let last_is_word = phrase.chars().last().is_some_and(char::is_alphanumeric);
    let next_is_word = text[end..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
    if last_is_word && next_is_word { None } else { Some(end) }
}

/// A character as the list spells it: lowercase, «е» for «ё».
pub fn fold(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower == 'ё' { 'е' } else { lower }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_word_is_what_the_longest_leading_phrase_takes_whole() {
        let cells = [
            "выполнено",
            " Выполнено\tчастично ",
            "НЕ  ИСПОЛНЕНО",
            "в\u{a0}работе",
            "Готово!",
            "да",
            "дан",
            "+",
            "-",
            "Ёжик",
            "исполнено 14.03",
            "",
            " ",
            "not_done",
            "Not  Done",
            "выполнено не в  полном объёме",
        ];
        for cell in cells {
            let word = cell.trim();
            let by_phrases = leading(word).filter(|&(_, len, _)| len == word.len()).map(|(a, _, _)| a);
            assert_eq!(answer(cell), by_phrases, "{cell:?}");
        }
    }

    #[test]
    fn whole_words_as_cells_hold_them() {
        for (word, expected) in [
            ("выполнено", Some(Answer::Done)),
            (" Исполнено ", Some(Answer::Done)),
            ("СДЕЛАНО", Some(Answer::Done)),
            ("+", Some(Answer::Done)),
            ("Выполнено  частично", Some(Answer::Partial)),
            ("в работе", Some(Answer::Partial)),
            ("не выполнено", Some(Answer::NotDone)),
            ("-", Some(Answer::NotDone)),
            ("not_done", Some(Answer::NotDone)),
            ("уточняется", None),
            ("выполнено 14.03", None),
            ("дата", None),
            ("", None),
        ] {
            assert_eq!(answer(word), expected, "{word}");
        }
    }

    #[test]
    fn the_longest_phrase_at_the_start_wins() {
        assert_eq!(
            leading("Выполнено частично: 60%"),
            Some((Answer::Partial, "Выполнено частично".len(), "выполнено частично"))
        );
        assert_eq!(
            leading("выполнено, отчёт направлен").map(|(a, n, _)| (a, n)),
            Some((Answer::Done, "выполнено".len()))
        );
        assert_eq!(leading("не исполнено, так как").map(|(a, _, _)| a), Some(Answer::NotDone));
        assert_eq!(leading("данные направлены"), None, "«да» is not the start of «данные»");
        assert_eq!(leading("исполнено не в полном объёме").map(|(a, _, _)| a), Some(Answer::Partial));
    }
}
