//! Executors from the "Ответственные исполнители" cells: a cell split into organisations, the
//! document's own abbreviations ("(далее – МБУ «ИМЦ»)") tying the short and the full form
//! together, the same organisation written two ways merged, and a stable id for each.

use std::collections::BTreeMap;

/// Words that begin the name of an organisation or a group of people: a cell that runs two
/// names together ("Управление образования района Администрация ОО района") is split before them.
const STARTS: &[&str] = &[
    "Управление",
    "Администрация",
    "Министерство",
    "Муниципальное",
    "Муниципальная",
    "Муниципальный",
    "Муниципальные",
    "МБУ",
    "МБОУ",
    "МАОУ",
    "МКОУ",
    "МОУ",
    "КГАОУ",
    "КГБОУ",
    "КГАНОУ",
    "КГБУ",
    "ФГБНУ",
    "ФГАОУ",
    "МОиН",
    "Районные",
    "Школьные",
    "Руководители",
    "Педагоги",
    "Учителя",
    "Фонд",
    "Отдел",
    "Комитет",
    "Региональный",
    "Региональные",
];

/// "(далее – X)" / "(далее - X)" / "(далее — X)": the abbreviation a text defines.
pub fn defined(text: &str) -> Option<(String, String)> {
    let at = text.find("(далее")?;
    let rest = &text[at + "(далее".len()..];
    let rest = rest.trim_start().trim_start_matches(['–', '—', '-']).trim_start();
    let end = closing(rest)?;
    let short = rest[..end].trim().to_string();
    let full = format!("{}{}", &text[..at], &rest[end + 1..]).split_whitespace().collect::<Vec<_>>().join(" ");
    (!short.is_empty()).then_some((short, full.trim().to_string()))
}

/// The position of the parenthesis closing an abbreviation, skipping «…» quotes.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '«' => depth += 1,
            '»' => depth -= 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Words that begin a role rather than an organisation: a list «директор, заместитель
/// директора по УВР, классные руководители» is three executors.
const ROLES: &[&str] = &[
    "директор",
    "заместител",
    "зам",
    "руководител",
    "учител",
    "педагог",
    "классн",
    "специалист",
    "методист",
    "психолог",
    "социальн",
    "председател",
    "член",
    "библиотекар",
    "воспитател",
    "куратор",
    "координатор",
    "эксперт",
    "инспектор",
    "начальник",
    "главн",
    "ведущ",
    "советник",
    "тьютор",
    "логопед",
    "дефектолог",
    "администрац",
    "родител",
    "обучающ",
];

/// «Н.Е.», «И.», «Т.Ю.»: a person's initials.
fn initials(word: &str) -> bool {
    let w = word.trim_end_matches([',', ';']);
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    w.contains('.') && (1..=3).contains(&letters) && w.chars().all(|c| c == '.' || c.is_uppercase())
}

/// A cell split into executor names, in order.
pub fn split(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in cell.split(['\n', ';']) {
        let mut current: Vec<&str> = Vec::new();
        let mut depth = 0i32;
        for word in line.split_whitespace() {
            let bare = word.trim_end_matches([',', ';', '.', ':']);
            let starts = STARTS.iter().any(|s| bare == *s || bare.starts_with(&format!("{s}-")));
            let previous = current.last().copied().unwrap_or_default();
            let capital = word.starts_with(char::is_uppercase);
            let lower = bare.to_lowercase();
            // After a comma a capitalised word («УМО, ОК, ЦИТ», «…, Администрация района») or a
            // role («директор, заместитель директора») starts the next name; a lowercase word
            // goes on with this one («Министерство образования, науки и …»).
            let listed = previous.ends_with(',') && (capital || ROLES.iter().any(|r| lower.starts_with(r)));
            // «Н.Е. Байрачный К.А. Федоренко», «Байрачный Н.Е. Федоренко К.А.»: people one after another.
            let person = current.len() >= 2
                && ((initials(word) && initials(current[0]) && !initials(previous))
                    || (capital && !initials(word) && initials(previous) && !initials(current[0])));
            if depth == 0 && !current.is_empty() && (listed || person) {
                out.push(current.join(" "));
                current.clear();
            }
            // A new name begins at a capitalised organisation word, outside quotes and
            // parentheses, unless the previous word joins it ("и", "по", a comma).
            let previous = current.last().copied().unwrap_or_default();
            let joined =
                previous.ends_with(',') || matches!(previous, "и" | "по" | "в" | "на" | "для" | "при" | "–" | "-");
            if starts && depth == 0 && !current.is_empty() && !joined {
                out.push(current.join(" "));
                current.clear();
            }
            depth += word.matches(['(', '«']).count() as i32 - word.matches([')', '»']).count() as i32;
            depth = depth.max(0);
            current.push(word);
        }
        if !current.is_empty() {
            out.push(current.join(" "));
        }
    }
    out.into_iter().map(|s| s.trim_matches([',', ' ']).to_string()).filter(|s| !s.is_empty()).collect()
}

/// One executor: its full name, its short form, every spelling met.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub name: String,
    pub short: Option<String>,
    pub spellings: Vec<String>,
}

/// The executors of a document, each once.
#[derive(Debug, Default)]
pub struct Directory {
    pub list: Vec<Found>,
    by_key: BTreeMap<String, usize>,
}

/// Spellings that differ only in case, spaces, quotes and dashes are the same name.
fn key(name: &str) -> String {
    name.trim_end_matches(['.', ',', ';', ':', ' '])
        .to_lowercase()
        .replace(['«', '»', '"', '“', '”', '„'], "")
        .replace(['–', '—'], "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Directory {
    /// The id of the executor written `name`, adding it when new.
    pub fn add(&mut self, name: &str) -> String {
        let (short, full) = match defined(name) {
            Some((short, full)) => (Some(short), full),
            None => (None, name.to_string()),
        };
        let keys: Vec<String> = [Some(full.as_str()), short.as_deref()].into_iter().flatten().map(key).collect();
        if let Some(&i) = keys.iter().find_map(|k| self.by_key.get(k)) {
            let found = &mut self.list[i];
            if !found.spellings.iter().any(|s| s == name) {
                found.spellings.push(name.to_string());
            }
            // A later definition gives the short form and the full name.
            if found.short.is_none() && short.is_some() {
                found.short = short;
                found.name = full;
            }
            for k in keys {
                self.by_key.entry(k).or_insert(i);
            }
            return found.id.clone();
        }
        let id = self.unique(&slug(short.as_deref().unwrap_or(&full)));
        let i = self.list.len();
        self.list.push(Found { id: id.clone(), name: full, short, spellings: vec![name.to_string()] });
        for k in keys {
            self.by_key.insert(k, i);
        }
        id
    }

    fn unique(&self, base: &str) -> String {
        let base = if base.is_empty() { "executor".to_string() } else { base.to_string() };
        (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|id| !self.list.iter().any(|f| f.id == *id))
            .unwrap_or(base)
    }
}

/// A stable id: the name transliterated (GOST 7.79 system B, simplified), its first words.
pub fn slug(name: &str) -> String {
    const SKIP: &[&str] = &["и", "в", "по", "для", "на", "с", "о", "об", "имени", "г", "района", "муниципального"];
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SKIP.contains(&w.to_lowercase().as_str()))
        .take(3)
        .map(|w| w.to_lowercase().chars().map(latin).collect::<String>())
        .collect();
    let mut id = words.join("-");
    id.truncate(40);
    id.trim_matches('-').to_string()
}

fn latin(c: char) -> String {
    let s = match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        c if c.is_ascii_alphanumeric() => return c.to_ascii_lowercase().to_string(),
        _ => "",
    };
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_and_abbreviations() {
        assert_eq!(
            split("Управление образования района Администрация ОО района"),
            ["Управление образования района", "Администрация ОО района"]
        );
        assert_eq!(split("МБУ «ИМЦ»\nАдминистрация ОО района"), ["МБУ «ИМЦ»", "Администрация ОО района"]);
        assert_eq!(
            split("Управление образования администрации района; Муниципальное учреждение «Центр оценки»"),
            ["Управление образования администрации района", "Муниципальное учреждение «Центр оценки»"]
        );
        assert_eq!(
            defined("Районные методические объединения (далее – РМО)"),
            Some(("РМО".to_string(), "Районные методические объединения".to_string()))
        );
        assert_eq!(
            defined("Муниципальное бюджетное учреждение «Центр» (далее – МБУ «ИМЦ») района"),
            Some(("МБУ «ИМЦ»".to_string(), "Муниципальное бюджетное учреждение «Центр» района".to_string()))
        );
        assert_eq!(split("УМО, ОК, ЦИТ"), ["УМО", "ОК", "ЦИТ"]);
        assert_eq!(
            split("Управление образования, Администрация района"),
            ["Управление образования", "Администрация района"]
        );
        assert_eq!(
            split("Министерство образования, науки и молодежной политики"),
            ["Министерство образования, науки и молодежной политики"]
        );
        assert_eq!(
            split("директор, заместитель директора по УВР, классные руководители"),
            ["директор", "заместитель директора по УВР", "классные руководители"]
        );
        assert_eq!(
            split("Н.Е. Байрачный К.А. Федоренко Т.Ю. Горностаева"),
            ["Н.Е. Байрачный", "К.А. Федоренко", "Т.Ю. Горностаева"]
        );
        assert_eq!(split("Байрачный Н.Е. Федоренко К.А."), ["Байрачный Н.Е.", "Федоренко К.А."]);
        assert_eq!(split("Ахметкужина Ш.И."), ["Ахметкужина Ш.И."]);
        let mut d = Directory::default();
        // Trailing punctuation does not make a second executor.
        assert_eq!(d.add("МБУ «ИМЦ»."), d.add("МБУ «ИМЦ»"));
        let mut d = Directory::default();
        let a = d.add("Районные методические объединения (далее – РМО)");
        let b = d.add("РМО");
        let c = d.add("районные  методические объединения");
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), ("rmo", "rmo", "rmo"));
        assert_eq!(d.list.len(), 1);
        assert_eq!(d.list[0].spellings.len(), 3);
        assert_eq!(slug("Управление образования района"), "upravlenie-obrazovaniya");
        assert_eq!(slug("МБУ «ИМЦ»"), "mbu-imts");
    }
}
