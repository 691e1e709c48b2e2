//! Official documents from the roadmaps and the store: the approving order with the roadmap
//! table, protocols, status reports, overdue letters and indicator reports, as HTML (prints on
//! A4), Markdown and DOCX (GOST R 7.0.97 layout), PDF through LibreOffice, and the tables of the
//! roadmap, the status report and the indicators as Excel workbooks ([`xlsx`]).
//!
//! Pipeline: [`context`] turns the workspace and the status at `now` into data; a handlebars
//! registry per output format (each with its own escaping: HTML, Markdown, XML) fills the
//! templates in `templates/` (built in, or the user's own copies with `--templates DIR`);
//! [`docx`] packs WordprocessingML into a DOCX; [`pdf`] converts that with LibreOffice.

mod chart;
pub mod context;
mod discipline;
mod document;
pub mod docx;
pub(crate) mod helpers;
pub mod pdf;
mod xlsx;

pub use document::{Document, DocumentError, Output, Sources, document, needs_status, pick, recorded};
pub use xlsx::KINDS as XLSX_KINDS;

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use include_dir::{Dir, include_dir};
use serde::Serialize;

/// The templates shipped with karta (the repository's `templates/`).
static BUILTIN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The order approving the roadmap, with the roadmap table as its appendix.
    Roadmap,
    /// A meeting protocol (`kind: protocol`).
    Protocol,
    /// Справка о ходе реализации at `--now`.
    Status,
    /// Letters to leadership about overdue activities.
    OverdueLetter,
    /// Target against actual for every indicator, with charts.
    Indicators,
    /// The order amending the roadmap: its changes since the last approved version
    /// (docs/amendments.md).
    Amendment,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Roadmap => "roadmap",
            Kind::Protocol => "protocol",
            Kind::Status => "status",
            Kind::OverdueLetter => "overdue-letter",
            Kind::Indicators => "indicators",
            Kind::Amendment => "amendment",
        }
    }
}

/// Output formats made from templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Md,
    Docx,
}

impl Format {
    fn dir(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Docx => "docx",
        }
    }
}

/// A problem with templates: where it is (file and line when known) and what.
#[derive(Debug, thiserror::Error)]
#[error("{where_}: {message}")]
pub struct TemplateError {
    pub where_: String,
    pub message: String,
}

/// The template registries, one per format.
pub struct Templates {
    html: Handlebars<'static>,
    md: Handlebars<'static>,
    docx: Handlebars<'static>,
    /// E-mail bodies: plain text (not escaped) and HTML.
    mail_text: Handlebars<'static>,
    mail_html: Handlebars<'static>,
    /// Messenger messages (the HTML subset Telegram and MAX take).
    mail_chat: Handlebars<'static>,
    /// Pages of the web app.
    web: Handlebars<'static>,
    /// Static parts of the DOCX package (styles, header), by file name.
    parts: Vec<(String, String)>,
}

impl Templates {
    /// The built-in templates, with files in `dir` (same layout) taking their place.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        Templates::load_only(dir, None)
    }

    /// The e-mail and chat templates only (`templates/mail/`), for commands that send and
    /// nothing else: compiling the documents' and the web app's templates would cost every
    /// `karta remind` and every reply taken by `karta inbox --stdin` about 20 ms.
    pub fn load_mail(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        Templates::load_only(dir, Some("mail"))
    }

    /// No templates at all: for a notifier that only delivers what the outbox holds (the replies'
    /// reader), where compiling the mail templates was a tenth of a reply's cost.
    pub fn none() -> Templates {
        Templates {
            // Documents are typeset (quotes, dashes, non-breaking spaces) as they are escaped.
            html: registry(|s| helpers::escape_html(&crate::ru::typeset(s))),
            md: registry(|s| helpers::escape_md(&crate::ru::typeset(s))),
            docx: registry(|s| helpers::escape_xml(&crate::ru::typeset(s))),
            mail_text: registry(handlebars::no_escape),
            mail_html: registry(helpers::escape_html),
            mail_chat: registry(helpers::escape_html),
            web: registry(helpers::escape_html),
            parts: Vec::new(),
        }
    }

    /// The templates of the format directory `only` (all when `None`).
    fn load_only(dir: Option<&Path>, only: Option<&str>) -> Result<Templates, TemplateError> {
        let mut files: Vec<(String, String, String)> = Vec::new(); // (relative path, shown path, text)
        collect_builtin(&BUILTIN, &mut files);
        if let Some(dir) = dir {
            let mut own = Vec::new();
            collect_dir(dir, dir, &mut own)
                .map_err(|e| TemplateError { where_: dir.display().to_string(), message: e.to_string() })?;
            for (rel, shown, text) in own {
                match files.iter_mut().find(|f| f.0 == rel) {
                    Some(f) => *f = (rel, shown, text),
                    None => files.push((rel, shown, text)),
                }
            }
        }
        let mut templates = Templates::none();
        for (rel, shown, text) in files {
            let Some((format, name)) = rel.split_once('/') else { continue };
            if only.is_some_and(|o| o != format) {
                continue;
            }
            let (registry, name) = match (format, name) {
                ("html", _) => (&mut templates.html, name.to_string()),
                ("md", _) => (&mut templates.md, name.to_string()),
                ("docx", _) => (&mut templates.docx, name.to_string()),
                ("web", _) => (&mut templates.web, name.to_string()),
                ("mail", n) if n.contains(".txt.") => (&mut templates.mail_text, n.replace(".txt.", ".")),
                ("mail", n) if n.contains(".html.") => (&mut templates.mail_html, n.replace(".html.", ".")),
                ("mail", n) if n.contains(".chat.") => (&mut templates.mail_chat, n.replace(".chat.", ".")),
                _ => continue,
            };
            let name = name.as_str();
            let Some(stem) = name.strip_suffix(".hbs") else {
                match format {
                    "docx" => templates.parts.push((name.to_string(), text)),
                    "web" => templates.parts.push((rel.clone(), text)),
                    _ => {}
                }
                continue;
            };
            let registered = match stem.strip_prefix("partials/") {
                Some(partial) => registry.register_partial(partial, text),
                None => registry.register_template_string(stem, text),
            };
            registered.map_err(|e| TemplateError {
                where_: match e.pos() {
                    Some((line, column)) => format!("{shown}:{line}:{column}"),
                    None => shown.clone(),
                },
                message: format!("ошибка в шаблоне: {}", e.reason()),
            })?;
        }
        Ok(templates)
    }

    /// Fills the template of `kind` for `format` with `data`.
    pub fn render(&self, kind: Kind, format: Format, data: &impl Serialize) -> Result<String, TemplateError> {
        let registry = match format {
            Format::Html => &self.html,
            Format::Md => &self.md,
            Format::Docx => &self.docx,
        };
        registry.render(kind.name(), data).map_err(|e| TemplateError {
            where_: match (&e.template_name, e.line_no) {
                (Some(name), Some(line)) => {
                    format!("templates/{}/{name}.hbs:{line}:{}", format.dir(), e.column_no.unwrap_or(1))
                }
                (Some(name), None) => format!("templates/{}/{name}.hbs", format.dir()),
                _ => format!("templates/{}/{}.hbs", format.dir(), kind.name()),
            },
            message: format!("ошибка при заполнении шаблона: {}", e.reason()),
        })
    }

    /// An e-mail body (`text` or `html`) from `templates/mail/message.{txt,html}.hbs`, or a
    /// messenger message (`chat`) from `templates/mail/message.chat.hbs`.
    pub fn mail(&self, part: &str, data: &impl Serialize) -> Result<String, TemplateError> {
        let (registry, ext) = match part {
            "html" => (&self.mail_html, "html"),
            "chat" => (&self.mail_chat, "chat"),
            _ => (&self.mail_text, "txt"),
        };
        registry.render("message", data).map_err(|e| TemplateError {
            where_: format!("templates/mail/message.{ext}.hbs:{}", e.line_no.unwrap_or(1)),
            message: format!("ошибка при заполнении шаблона: {}", e.reason()),
        })
    }

    /// A page of the web app from `templates/web/NAME.hbs`.
    pub fn page(&self, name: &str, data: &impl Serialize) -> Result<String, TemplateError> {
        self.web.render(name, data).map_err(|e| TemplateError {
            where_: format!(
                "templates/web/{}.hbs:{}",
                e.template_name.as_deref().unwrap_or(name),
                e.line_no.unwrap_or(1)
            ),
            message: format!("ошибка при заполнении шаблона: {}", e.reason()),
        })
    }

    /// A static part of the DOCX package (`styles.xml`, `header.xml`, …).
    pub fn part(&self, name: &str) -> Option<&str> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }
}

fn registry(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(false);
    h.register_escape_fn(escape);
    helpers::register(&mut h);
    h
}

fn collect_builtin(dir: &Dir<'_>, out: &mut Vec<(String, String, String)>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            out.push((rel.clone(), format!("templates/{rel}"), text.to_string()));
        }
    }
    for sub in dir.dirs() {
        collect_builtin(sub, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Vec<(String, String, String)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(root, &path, out)?;
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((rel, path.display().to_string(), text));
        }
    }
    Ok(())
}
