//! The vocabulary of deadline phrases: month and weekday names in every case a clerk writes
//! them, ordinals, and the keywords of the grammar. Lookup is exact first, then tolerant of a
//! one- or two-letter typo in a long word ("ОКТАБРЬ"), never of a typo that could mean
//! something else.

use super::spec::Weekday;

/// A classified word of a phrase (already lowercased, `ё` read as `е`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Month(u32),
    Weekday(Weekday),
    /// первая … четвертая (1–4), последняя (0), пятая (5: read, then refused).
    Ordinal(u32),
    /// I, II, III, IV (Latin letters).
    Roman(u32),
    /// A count in words: «двух недель», «десяти дней».
    Number(u32),
    Kw(Kw),
}

/// Keywords of the deadline grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    Do,
    Ne,
    Later,
    V,
    Srok,
    S,
    Po,
    After,
    During,
    Each,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
    Times,
    Week,
    MonthWord,
    QuarterWord,
    HalfWord,
    YearWord,
    School,
    DayOfMonth,
    Following,
    Za,
    Reporting,
    PeriodWord,
    Working,
    Calendar,
    Days,
    Always,
    Need,
    Measure,
    Request,
    Whole,
    End,
    Inclusive,
    And,
    Hours,
    Moment,
    Basis,
    Constant,
    /// «к 1 сентября» — the same as «до».
    K,
    /// «не позднее чем …».
    Chem,
    /// «не менее чем за 10 дней до …».
    Less,
    /// «в течение суток»: one day.
    Day24,
    /// «текущего года», «этого года», «т.г.»: the year is not written.
    Current,
    /// «…, далее – ежегодно»: a first stage, then a repetition.
    Then,
    /// «I этап».
    Stage,
    /// «начиная с 2024 г.».
    Starting,
    /// «программы», «проекта»: what a period or a term belongs to.
    Programme,
    /// «срока действия».
    Validity,
    /// «через 5 дней после …».
    Through,
    /// «по московскому времени».
    Moscow,
    /// «по местному времени».
    Local,
    TimeWord,
}

const MONTHS: [&[&str]; 12] = [
    &["январь", "января", "январе", "янв"],
    &["февраль", "февраля", "феврале", "фев", "февр"],
    &["март", "марта", "марте", "мар"],
    &["апрель", "апреля", "апреле", "апр"],
    &["май", "мая", "мае"],
    &["июнь", "июня", "июне", "июн"],
    &["июль", "июля", "июле", "июл"],
    &["август", "августа", "августе", "авг"],
    &["сентябрь", "сентября", "сентябре", "сен", "сент"],
    &["октябрь", "октября", "октябре", "окт"],
    &["ноябрь", "ноября", "ноябре", "ноя", "нояб"],
    &["декабрь", "декабря", "декабре", "дек"],
];

const WEEKDAYS: [&[&str]; 7] = [
    &["понедельник", "понедельника", "понедельникам", "понедельники", "пн"],
    &["вторник", "вторника", "вторникам", "вторники", "вт"],
    &["среда", "среду", "среды", "средам", "среде", "ср"],
    &["четверг", "четверга", "четвергам", "четверги", "чт"],
    &["пятница", "пятницу", "пятницы", "пятницам", "пятнице", "пт"],
    &["суббота", "субботу", "субботы", "субботам", "субботе", "сб"],
    &["воскресенье", "воскресенья", "воскресеньям", "вс"],
];

const ORDINALS: [(u32, &[&str]); 6] = [
    (1, &["первая", "первую", "первой", "первый", "первое", "первого"]),
    (2, &["вторая", "вторую", "второй", "второе", "второго"]),
    (3, &["третья", "третью", "третьей", "третий", "третье", "третьего"]),
    (4, &["четвертая", "четвертую", "четвертой", "четвертый", "четвертое", "четвертого"]),
    (5, &["пятая", "пятую", "пятой", "пятый"]),
    (0, &["последняя", "последнюю", "последней", "последний", "последнее", "последнего"]),
];

const KEYWORDS: &[(Kw, &[&str])] = &[
    (Kw::Do, &["до"]),
    (Kw::Ne, &["не"]),
    (Kw::Later, &["позднее", "позже"]),
    (Kw::V, &["в", "во", "на"]),
    (Kw::Srok, &["срок", "сроки", "срока"]),
    (Kw::S, &["с", "со"]),
    (Kw::Po, &["по"]),
    (Kw::After, &["после"]),
    (Kw::During, &["течение", "течении", "протяжении"]),
    (Kw::Each, &["каждый", "каждую", "каждая", "каждое", "каждого", "каждой", "каждые", "каждом"]),
    (Kw::Daily, &["ежедневно"]),
    (Kw::Weekly, &["еженедельно", "еженедельный", "еженедельная", "еженедельные"]),
    (Kw::Monthly, &["ежемесячно", "ежемесячный", "ежемесячная", "ежемесячные"]),
    (Kw::Quarterly, &["ежеквартально", "ежеквартальный", "ежеквартальная", "ежеквартальные"]),
    (Kw::Yearly, &["ежегодно", "ежегодный", "ежегодная", "ежегодные"]),
    (Kw::Times, &["раз", "раза"]),
    (Kw::Week, &["неделя", "неделю", "недели", "неделе", "нед", "недель", "неделям"]),
    (Kw::MonthWord, &["месяц", "месяца", "месяце", "месяцем", "месяцев", "мес"]),
    (Kw::QuarterWord, &["квартал", "квартала", "квартале", "кварталом", "кв"]),
    (Kw::HalfWord, &["полугодие", "полугодия", "полугодии", "полугодием"]),
    (Kw::YearWord, &["год", "года", "году", "г", "гг", "годов", "годы", "годах", "годам", "годами"]),
    (Kw::School, &["учебный", "учебного", "учебном", "учебным", "уч"]),
    (Kw::DayOfMonth, &["числа", "число"]),
    (Kw::Following, &["следующего", "следующий", "следующем", "следующим"]),
    (Kw::Za, &["за"]),
    (Kw::Reporting, &["отчетным", "отчетный", "отчетного", "отчетном"]),
    (Kw::PeriodWord, &["периода", "период", "периодом", "реализации"]),
    (Kw::Working, &["рабочих", "рабочий", "рабочего", "рабочие", "рабочую", "рабочая", "рабочей", "раб"]),
    (Kw::Calendar, &["календарных", "календарный", "календарного", "календарные", "кал"]),
    (Kw::Days, &["дня", "дней", "день", "дн"]),
    (Kw::Day24, &["суток", "сутки"]),
    (Kw::Always, &["постоянно"]),
    (Kw::Need, &["необходимости", "необходимость", "потребности"]),
    (Kw::Measure, &["мере"]),
    (Kw::Request, &["требованию", "запросу"]),
    (Kw::Whole, &["весь", "всего", "всей", "всем"]),
    (Kw::End, &["конца", "конец", "концу", "окончания"]),
    (Kw::Inclusive, &["включительно"]),
    (Kw::And, &["и"]),
    (Kw::Hours, &["часов", "часа", "час", "ч"]),
    (Kw::Moment, &["момента", "дня"]),
    (Kw::Basis, &["основе"]),
    (Kw::Constant, &["постоянной"]),
    (Kw::K, &["к"]),
    (Kw::Chem, &["чем"]),
    (Kw::Less, &["менее", "меньше"]),
    (Kw::Current, &["текущего", "текущем", "текущий", "этого", "этом", "сего", "нынешнего", "т"]),
    (Kw::Then, &["далее", "затем", "дальнейшем", "впоследствии"]),
    (Kw::Stage, &["этап", "этапа", "этапе"]),
    (Kw::Starting, &["начиная"]),
    (
        Kw::Programme,
        &[
            "программы",
            "подпрограммы",
            "программ",
            "проекта",
            "проектов",
            "плана",
            "дорожной",
            "карты",
            "стратегии",
            "концепции",
            "комплекса",
        ],
    ),
    (Kw::Validity, &["действия"]),
    (Kw::Through, &["через"]),
    (Kw::Moscow, &["московскому", "московское", "мск"]),
    (Kw::Local, &["местному", "местное"]),
    (Kw::TimeWord, &["времени", "время"]),
];

/// Counts written in words, in the forms used with «в течение», «через», «за».
const NUMBERS: [(u32, &[&str]); 17] = [
    (1, &["один", "одного", "одной", "одну", "одна"]),
    (2, &["два", "двух", "две"]),
    (3, &["три", "трех"]),
    (4, &["четыре", "четырех"]),
    (5, &["пять", "пяти"]),
    (6, &["шесть", "шести"]),
    (7, &["семь", "семи"]),
    (8, &["восемь", "восьми"]),
    (9, &["девять", "девяти"]),
    (10, &["десять", "десяти"]),
    (14, &["четырнадцать", "четырнадцати"]),
    (15, &["пятнадцать", "пятнадцати"]),
    (20, &["двадцать", "двадцати"]),
    (30, &["тридцать", "тридцати"]),
    (45, &["сорокапяти"]),
    (60, &["шестьдесят", "шестидесяти"]),
    (90, &["девяносто", "девяноста"]),
];

/// Days of the month in words («до пятнадцатого числа»); the first four are ordinals.
const DAY_WORDS: [(u32, &str); 12] = [
    (5, "пятого"),
    (6, "шестого"),
    (7, "седьмого"),
    (8, "восьмого"),
    (9, "девятого"),
    (10, "десятого"),
    (15, "пятнадцатого"),
    (20, "двадцатого"),
    (25, "двадцатипятого"),
    (30, "тридцатого"),
    (12, "двенадцатого"),
    (14, "четырнадцатого"),
];

/// The stems of span adjectives: «двухнедельный», «месячный», «10-дневный» (days per unit,
/// months per unit).
const SPAN_STEMS: [(&str, u32, u32); 3] = [("дневн", 1, 0), ("недельн", 7, 0), ("месячн", 0, 1)];

/// Reads a span adjective: «двухнедельный» → 14 days, «шестимесячный» → 6 months,
/// «месячный» → 1 month; with a number written before it in digits («6-месячный»), `count`.
pub fn span(word: &str, count: Option<u32>) -> Option<(u32, u32)> {
    let (at, days, months) = SPAN_STEMS.iter().find_map(|(stem, d, m)| word.find(stem).map(|at| (at, *d, *m)))?;
    let ending = &word[at..];
    if !ending.ends_with(['й', 'м', 'о', 'е']) && !ending.ends_with("ого") {
        return None;
    }
    let n = match (&word[..at], count) {
        ("", Some(n)) => n,
        ("", None) => 1,
        (prefix, None) => match prefix {
            "одно" => 1,
            "двух" => 2,
            "трех" => 3,
            "четырех" => 4,
            "пяти" => 5,
            "шести" => 6,
            "семи" => 7,
            "десяти" => 10,
            "пятнадцати" => 15,
            "двадцати" => 20,
            "тридцати" => 30,
            _ => return None,
        },
        _ => return None,
    };
    Some((n * days, n * months))
}

/// Classifies a lowercased word exactly (a table built once: this is the hot path of parsing).
pub fn exact(word: &str) -> Option<Word> {
    type Table = std::collections::HashMap<&'static str, Word, std::hash::BuildHasherDefault<Fnv>>;
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| all_forms().collect()).get(word).copied()
}

/// FNV-1a: the table's keys are a few hundred short words known at build time, so a simple
/// fast hash beats SipHash's protection against adversarial keys, which is not needed here.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Every form of every word, in lookup priority (earlier wins on a clash, e.g. "вт" the weekday).
fn all_forms() -> impl Iterator<Item = (&'static str, Word)> {
    let mut seen = std::collections::HashSet::new();
    let mut forms = Vec::new();
    for (i, f) in MONTHS.iter().enumerate() {
        forms.extend(f.iter().map(|w| (*w, Word::Month(i as u32 + 1))));
    }
    for (i, f) in WEEKDAYS.iter().enumerate() {
        forms.extend(f.iter().map(|w| (*w, Word::Weekday(Weekday::ALL[i]))));
    }
    for (n, f) in ORDINALS {
        forms.extend(f.iter().map(|w| (*w, Word::Ordinal(n))));
    }
    for (kw, f) in KEYWORDS {
        forms.extend(f.iter().map(|w| (*w, Word::Kw(*kw))));
    }
    for (n, f) in NUMBERS {
        forms.extend(f.iter().map(|w| (*w, Word::Number(n))));
    }
    forms.extend(DAY_WORDS.iter().map(|(n, w)| (*w, Word::Number(*n))));
    forms.extend([("i", Word::Roman(1)), ("ii", Word::Roman(2)), ("iii", Word::Roman(3)), ("iv", Word::Roman(4))]);
    forms.into_iter().filter(move |(w, _)| seen.insert(*w))
}

#[cfg(test)]
fn exact_by_scan(word: &str) -> Option<Word> {
    for (i, forms) in MONTHS.iter().enumerate() {
        if forms.contains(&word) {
            return Some(Word::Month(i as u32 + 1));
        }
    }
    for (i, forms) in WEEKDAYS.iter().enumerate() {
        if forms.contains(&word) {
            return Some(Word::Weekday(Weekday::ALL[i]));
        }
    }
    for (n, forms) in ORDINALS {
        if forms.contains(&word) {
            return Some(Word::Ordinal(n));
        }
    }
    for (kw, forms) in KEYWORDS {
        if forms.contains(&word) {
            return Some(Word::Kw(*kw));
        }
    }
    for (n, forms) in NUMBERS {
        if forms.contains(&word) {
            return Some(Word::Number(n));
        }
    }
    if let Some((n, _)) = DAY_WORDS.iter().find(|(_, w)| *w == word) {
        return Some(Word::Number(*n));
    }
    match word {
        "i" => Some(Word::Roman(1)),
        "ii" => Some(Word::Roman(2)),
        "iii" => Some(Word::Roman(3)),
        "iv" => Some(Word::Roman(4)),
        _ => None,
    }
}

fn full_forms() -> impl Iterator<Item = (&'static str, Word)> {
    let months = MONTHS.iter().enumerate().flat_map(|(i, f)| f.iter().map(move |w| (*w, Word::Month(i as u32 + 1))));
    let weekdays =
        WEEKDAYS.iter().enumerate().flat_map(|(i, f)| f.iter().map(move |w| (*w, Word::Weekday(Weekday::ALL[i]))));
    let ordinals = ORDINALS.iter().flat_map(|(n, f)| f.iter().map(move |w| (*w, Word::Ordinal(*n))));
    let keywords = KEYWORDS.iter().flat_map(|(k, f)| f.iter().map(move |w| (*w, Word::Kw(*k))));
    months.chain(weekdays).chain(ordinals).chain(keywords).filter(|(w, _)| w.chars().count() >= 5)
}

/// Reads a word with a typo that does not change its meaning: one edit in a word of 5–7
/// letters, two in a longer one, and only when a single meaning is that close.
pub fn tolerant(word: &str) -> Option<Word> {
    let len = word.chars().count();
    if len < 4 {
        return None;
    }
    let limit = if len >= 8 { 2 } else { 1 };
    let mut best: Option<(usize, Word)> = None;
    let mut tie = false;
    // A four-letter word is read only as a misspelt month ("мрта"): short keywords are too close to each other.
    // The edit distance is at least the difference in length: forms further off are skipped.
    let candidates = full_forms()
        .filter(|(form, _)| form.chars().count().abs_diff(len) <= limit)
        .filter(|(_, m)| len > 4 || matches!(m, Word::Month(_)));
    for (form, meaning) in candidates {
        let d = strsim::damerau_levenshtein(word, form);
        if d > limit {
            continue;
        }
        match best {
            Some((bd, bm)) if d == bd && bm != meaning => tie = true,
            Some((bd, _)) if d >= bd => {}
            _ => {
                best = Some((d, meaning));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(_, m)| m) }
}

/// The known word nearest to an unknown one, for "did you mean".
pub fn nearest(word: &str) -> Option<&'static str> {
    let len = word.chars().count();
    full_forms()
        .filter(|(form, _)| form.chars().count().abs_diff(len) <= 3)
        .map(|(form, _)| (strsim::damerau_levenshtein(word, form), form))
        .filter(|(d, form)| *d <= 3 && *d < form.chars().count() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, form)| form)
}

/// A month's name in the genitive ("октября"), for rendering phrases.
pub fn month_genitive(m: u32) -> &'static str {
    MONTHS[(m as usize).clamp(1, 12) - 1][1]
}

/// A month's name in the nominative ("октябрь").
pub fn month_nominative(m: u32) -> &'static str {
    MONTHS[(m as usize).clamp(1, 12) - 1][0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_that_keep_the_meaning() {
        assert_eq!(tolerant("октабрь"), Some(Word::Month(10)));
        assert_eq!(tolerant("ноябяр"), Some(Word::Month(11)));
        assert_eq!(tolerant("еженедельн"), Some(Word::Kw(Kw::Weekly)));
        assert_eq!(tolerant("абвгдейка"), None);
        assert_eq!(exact("мая"), Some(Word::Month(5)));
        assert_eq!(exact("субботу"), Some(Word::Weekday(Weekday::Saturday)));
    }

    #[test]
    fn the_table_agrees_with_the_word_lists() {
        for (form, _) in all_forms() {
            assert_eq!(exact(form), exact_by_scan(form), "{form}");
        }
    }
}
