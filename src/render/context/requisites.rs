//! The requisites GOST R 7.0.97 asks of a document, chosen from the directory: the
//! organisation and its letterhead (05, 08), the addressee (15), the signature (22) and the
//! executor mark (25). What the directory cannot give becomes a visible blank in the document
//! and a [`Missing`] entry that `render` prints as a warning naming the field to add and where.

use serde::Serialize;

use super::capitalized;
use crate::check::Unit;
use crate::model::{Document, Executor, ExecutorKind, Person};

/// The organisation a document comes from (requisite 05, with the parent body above it) and
/// its reference data (08).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Org {
    pub parent: Option<String>,
    pub name: String,
    /// The organisation's own short name, printed in brackets under its name.
    pub short: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

/// A signature block (requisite 22): position flush left, "И.О. Фамилия" flush right.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub position: String,
    pub name: String,
}

/// The executor mark (requisite 25): the full name of who prepared the document and a phone.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A requisite the directory does not give: the document shows a blank to fill in by hand.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Missing {
    /// The requisite, in Russian: "подпись".
    pub what: String,
    /// What to add where: "roadmaps/lazo-2023-2024.yaml:52: добавьте исполнителю `uo-lazo` поле `contact` …".
    pub fix: String,
}

/// The requisites of one document, and what is missing for them.
pub(super) struct Requisites<'u> {
    unit: &'u Unit,
    pub missing: Vec<Missing>,
}

impl<'u> Requisites<'u> {
    pub fn new(unit: &'u Unit) -> Self {
        Requisites { unit, missing: Vec::new() }
    }

    fn executor(&self, id: &str) -> Option<&'u Executor> {
        self.unit.executors.get(id)
    }

    /// Who controls the roadmap (and signs about it): `controller`, else the issuer.
    pub fn controller(&self) -> Option<&'u str> {
        self.unit.controller.as_deref().or(self.unit.issuer())
    }

    /// The organisation an executor belongs to: itself, or a person's `parent`.
    pub fn org_id(&self, id: Option<&'u str>) -> Option<&'u str> {
        let id = id?;
        let e = self.executor(id)?;
        match e.kind {
            ExecutorKind::Person => e.parent.as_deref(),
            ExecutorKind::Org => Some(id),
        }
    }

    /// The organisation of `id` as its letterhead shows it. With `letterhead`, the reference
    /// data a letter needs (address, phone, e-mail) is required.
    pub fn org(&mut self, id: Option<&'u str>, letterhead: bool) -> Org {
        let Some(org_id) = self.org_id(id) else {
            self.miss("наименование организации", None, "issuer", "кто издаёт документ (идентификатор исполнителя)");
            return Org::default();
        };
        let Some(e) = self.executor(org_id) else { return Org::default() };
        if letterhead {
            let lacking: Vec<&str> =
                [("address", e.address.is_none()), ("phone", e.phone.is_none()), ("email", e.email.is_none())]
                    .into_iter()
                    .filter_map(|(field, lacks)| lacks.then_some(field))
                    .collect();
            if !lacking.is_empty() {
                let fields = lacking.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
                self.miss("справочные данные на бланке", Some(org_id), &fields, "адрес, телефон и e-mail организации");
            }
        }
        Org {
            parent: e.parent.as_deref().and_then(|p| self.executor(p)).map(|p| p.name.clone()),
            name: e.name.clone(),
            short: e.abbreviation.clone(),
            address: e.address.clone(),
            phone: e.phone.clone(),
            email: e.email.clone(),
            website: e.website.clone(),
        }
    }

    /// Who signs for `id`: a person signs themselves, an organisation by its head. The
    /// position loses the words the letterhead already says (`under`, the organisation).
    pub fn signer(&mut self, id: Option<&'u str>, under: Option<&'u str>) -> Option<Signer> {
        let Some(id) = id else {
            self.miss(
                "подпись",
                None,
                "controller",
                "кто подписывает документ (идентификатор исполнителя или сотрудника)",
            );
            return None;
        };
        let e = self.executor(id)?;
        let person = match e.kind {
            ExecutorKind::Person => Some((e.name.as_str(), e.position.as_deref())),
            ExecutorKind::Org => e.head.as_ref().map(|h| (h.name.as_str(), h.position.as_deref())),
        };
        let Some((name, position)) = person else {
            self.miss(
                "подпись",
                Some(id),
                "`head` (`position`, `name`)",
                "руководитель организации: должность и «И.О. Фамилия»",
            );
            return None;
        };
        let position = match position {
            Some(p) => capitalized(&short_position(p, under.and_then(|o| self.executor(o)))),
            None => {
                self.miss("должность подписывающего", Some(id), "`position`", "должность того, кто подписывает");
                String::new()
            }
        };
        Some(Signer { position, name: signed_name(name) })
    }

    /// The executor mark for documents prepared on behalf of `id`: a person with a phone is
    /// their own executor, else the organisation's `contact`.
    pub fn mark(&mut self, id: Option<&'u str>) -> Option<Mark> {
        let e = id.and_then(|id| self.executor(id));
        if let Some(e) = e.filter(|e| e.kind == ExecutorKind::Person && e.phone.is_some()) {
            return Some(Mark { name: e.name.clone(), phone: e.phone.clone(), email: e.email.clone() });
        }
        let org = self.org_id(id);
        match org.and_then(|o| self.executor(o)).and_then(|o| o.contact.as_ref()) {
            Some(c) if c.phone.is_some() => {
                Some(Mark { name: c.name.clone(), phone: c.phone.clone(), email: c.email.clone() })
            }
            Some(c) => {
                self.miss("телефон исполнителя", org, "`contact.phone`", "телефон в отметке об исполнителе");
                Some(Mark { name: c.name.clone(), phone: None, email: c.email.clone() })
            }
            None => {
                self.miss(
                    "отметка об исполнителе",
                    org,
                    "`contact` (`name`, `phone`)",
                    "кто готовит документы: фамилия, имя, отчество и телефон",
                );
                None
            }
        }
    }

    /// The requisites of a report about the roadmap (справка, indicators): from the
    /// controller's organisation, signed by the controller, with the executor mark.
    pub fn report(&mut self) -> (Org, Option<Signer>, Option<Mark>) {
        let by = self.controller();
        let org_id = self.org_id(by);
        (self.org(by, false), self.signer(by, org_id), self.mark(by))
    }

    /// The addressee (in the dative) and salutation of a letter to the head of `to`.
    /// A memo needs no salutation.
    pub fn addressee(&mut self, to: Option<&'u str>, salutation: bool) -> (Vec<String>, Option<String>) {
        let head = to.and_then(|id| self.executor(id)).and_then(|e| e.head.as_ref());
        let Some(head) = head else {
            self.miss("адресат", to, "`head`", "руководитель организации-адресата");
            return (Vec::new(), None);
        };
        let lines = match &head.addressee {
            Some(a) => addressee_lines(a),
            None => {
                self.miss(
                    "адресат в дательном падеже",
                    to,
                    "`head.addressee`",
                    "должность, организация и «И.О. Фамилия» в дательном падеже, например «Начальнику управления образования И.И. Иванову»",
                );
                Vec::new()
            }
        };
        if salutation && head.salutation.is_none() {
            self.miss("обращение", to, "`head.salutation`", "например «Уважаемый Иван Иванович!»");
        }
        (lines, head.salutation.clone().filter(|_| salutation))
    }

    /// Records a missing requisite: `field` of executor `id` (located in its file), or of the
    /// document itself when there is no executor to name.
    pub fn miss(&mut self, what: &str, id: Option<&str>, field: &str, meaning: &str) {
        let fix = match id {
            Some(id) => {
                let field = if field.starts_with('`') { field.to_string() } else { format!("`{field}`") };
                format!("{}: добавьте исполнителю `{id}` {field} — {meaning}", locate(self.unit, id))
            }
            None => format!("{}: добавьте поле `{field}` — {meaning}", self.unit.source.path.display()),
        };
        let missing = Missing { what: what.to_string(), fix };
        if !self.missing.contains(&missing) {
            self.missing.push(missing);
        }
    }
}

/// Where executor `id` is declared: "file:line" in the roadmap itself or an included directory.
fn locate(unit: &Unit, id: &str) -> String {
    let key = format!("{id}:");
    let line_of =
        |text: &str| text.lines().position(|l| l.trim_start() == key || l.trim_start().starts_with(&format!("{key} ")));
    if let Some(n) = line_of(&unit.source.text) {
        return format!("{}:{}", unit.source.path.display(), n + 1);
    }
    let includes: &[String] = match &*unit.document {
        Document::Roadmap(r) => &r.include,
        Document::Protocol(p) => &p.include,
        Document::Directory(_) => &[],
    };
    let canonical = crate::check::Canonical::default();
    for inc in includes {
        let path = canonical.include(&unit.source.path, inc);
        if let Some(n) = std::fs::read_to_string(&path).ok().as_deref().and_then(line_of) {
            let shown = std::env::current_dir().ok().and_then(|d| path.strip_prefix(d).ok().map(|p| p.to_path_buf()));
            return format!("{}:{}", shown.unwrap_or(path).display(), n + 1);
        }
    }
    unit.source.path.display().to_string()
}

/// A name as signed: "Филонова Людмила Витальевна" → "Л.В. Филонова", "Черепанов Д.Г." →
/// "Д.Г. Черепанов"; "Д.Г. Черепанов" stays.
pub fn signed_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let initial = |w: &str| w.chars().next().map(|c| format!("{c}.")).unwrap_or_default();
    match words.as_slice() {
        [initials, surname] if initials.ends_with('.') => format!("{initials} {surname}"),
        [surname, initials] if initials.ends_with('.') => format!("{initials} {surname}"),
        [surname, first, middle] if is_patronymic(middle) => format!("{}{} {surname}", initial(first), initial(middle)),
        [first, middle, surname] if is_patronymic(middle) => format!("{}{} {surname}", initial(first), initial(middle)),
        [surname, first] if !first.ends_with('.') && !surname.ends_with('.') => format!("{} {surname}", initial(first)),
        _ => name.to_string(),
    }
}

fn is_patronymic(word: &str) -> bool {
    ["вич", "вна", "ична", "инична", "оглы", "кызы"].iter().any(|end| word.ends_with(end))
}

/// A position on the organisation's own blank: the organisation's name it repeats goes.
/// "Проректор ГАУ ДПО «АМИРО» по учебно-методической работе" → "Проректор по учебно-методической
/// работе"; "заместитель начальника Управления образования администрации района …" →
/// "заместитель начальника Управления образования".
pub fn short_position(position: &str, org: Option<&Executor>) -> String {
    let Some(org) = org else { return position.to_string() };
    let mut p = position.to_string();
    for short in org.abbreviation.iter().chain(org.short.iter()) {
        if let Some(at) = p.find(short.as_str()) {
            p = format!("{} {}", p[..at].trim_end(), p[at + short.len()..].trim_start()).trim().to_string();
        }
    }
    // The full name declined: cut where the position starts repeating it, keeping the words
    // that say which kind of body ("Управления образования").
    let stem = |w: &str| w.to_lowercase().chars().filter(|c| c.is_alphabetic()).take(5).collect::<String>();
    let name: Vec<String> = org.name.split_whitespace().map(stem).collect();
    let words: Vec<&str> = p.split_whitespace().collect();
    if let Some(start) = words.iter().position(|w| name.first().is_some_and(|n| n.len() >= 4 && stem(w) == *n)) {
        let matched = words[start..].iter().zip(&name).take_while(|(w, n)| stem(w) == **n).count();
        if matched >= 3 {
            // "министр образования и науки края" → "министр"; "заместитель начальника Управления
            // образования администрации района" → "заместитель начальника Управления образования".
            let keep = if start == 0 { 1 } else { start + 2.min(matched) };
            return words[..keep].join(" ");
        }
    }
    p
}

/// "Начальнику Управления образования А.Г. Виноградовой" → the position, then the name on a
/// line of its own; lines the author broke stay broken.
fn addressee_lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    if lines.len() > 1 {
        return lines;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [head @ .., initials, surname] if initials.ends_with('.') && !head.is_empty() => {
            vec![head.join(" "), format!("{initials} {surname}")]
        }
        _ => lines,
    }
}

/// The person as a directory entry would have them (for protocols' attendees).
pub fn person(name: &str, position: Option<&str>) -> Person {
    Person {
        name: name.to_string(),
        position: position.map(String::from),
        email: None,
        phone: None,
        addressee: None,
        salutation: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_signed_with_initials_first() {
        assert_eq!(signed_name("Филонова Людмила Витальевна"), "Л.В. Филонова");
        assert_eq!(signed_name("Людмила Витальевна Филонова"), "Л.В. Филонова");
        assert_eq!(signed_name("Черепанов Д.Г."), "Д.Г. Черепанов");
        assert_eq!(signed_name("Д.Г. Черепанов"), "Д.Г. Черепанов");
    }

    #[test]
    fn addressee_puts_the_name_on_its_own_line() {
        assert_eq!(
            addressee_lines("Начальнику Управления образования А.Г. Виноградовой"),
            ["Начальнику Управления образования", "А.Г. Виноградовой"]
        );
    }
}
