//! Reading a source document into one shape: the paragraphs before the tables, the tables as
//! rows of cells (text with its paragraphs on separate lines, how many columns a cell spans),
//! and the paragraphs after. DOCX with roxmltree over the zip; XLSX and ODS with calamine; CSV
//! with the csv crate.

use std::io::Read;
use std::path::Path;

/// One cell: its text (paragraphs joined by newlines) and how many grid columns it covers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub span: usize,
    /// The cell continues one merged down from the row above; `text` is that cell's.
    pub above: bool,
}

pub type Row = Vec<Cell>;

/// A paragraph or a table of the source, in document order.
#[derive(Debug, Clone)]
pub enum Block {
    Para(String),
    Table(Vec<Row>),
}

/// A document as its blocks.
#[derive(Debug, Default)]
pub struct Source {
    pub blocks: Vec<Block>,
}

/// Why a file could not be read. Messages are for users, in Russian.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("не удалось прочитать файл: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "файл зашифрован (защищён паролем) или это документ Word/Excel старого формата (.doc/.xls); снимите пароль или сохраните его как .docx/.xlsx"
    )]
    Encrypted,
    #[error("файл повреждён или это не {kind}: {why}")]
    Corrupt { kind: &'static str, why: String },
    #[error("неизвестный формат «{0}»: karta читает .docx, .xlsx, .ods и .csv")]
    Unknown(String),
}

impl crate::diag::Explain for ReadError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            ReadError::Io(e) => {
                let why = crate::diag::os_error(e);
                msg!("не удалось прочитать файл: {}", why.ru; "cannot read the file: {}", why.en)
            }
            ReadError::Encrypted => msg!(
                "{}", self;
                "the file is encrypted (password-protected) or an old-format Word/Excel document (.doc/.xls); remove the password or save it as .docx/.xlsx"
            ),
            ReadError::Corrupt { kind, why } => msg!("{}", self; "the file is damaged or not a {}: {}", kind, why),
            ReadError::Unknown(ext) => {
                msg!("{}", self; "unknown format «{}»: karta reads .docx, .xlsx, .ods and .csv", ext)
            }
        }
    }
}

/// The OLE compound-file signature: password-protected Office files (and old .doc/.xls) start with it.
const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The most text karta takes from one part of a document (a DOCX's `document.xml`): far above
/// any real roadmap, far below what a zip bomb unpacks to.
const PART_LIMIT: u64 = 64 << 20;

pub fn read(path: &Path) -> Result<Source, ReadError> {
    let bytes = std::fs::read(path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_lowercase();
    read_bytes(&ext, &bytes)
}

/// Reads a document of the kind its extension (`docx`, `xlsx`, `ods`, `csv`) names.
pub fn read_bytes(ext: &str, bytes: &[u8]) -> Result<Source, ReadError> {
    if bytes.starts_with(&CFB) {
        return Err(ReadError::Encrypted);
    }
    match ext {
        "docx" => docx(bytes),
        "xlsx" | "xlsm" | "ods" => sheet(bytes, ext),
        "csv" | "txt" => csv(bytes),
        other => Err(ReadError::Unknown(other.to_string())),
    }
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn docx(bytes: &[u8]) -> Result<Source, ReadError> {
    let corrupt = |why: String| ReadError::Corrupt { kind: "документ DOCX", why };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| corrupt("в архиве нет word/document.xml".into()))?
        .take(PART_LIMIT + 1)
        .read_to_string(&mut xml)
        .map_err(|e| corrupt(e.to_string()))?;
    if xml.len() as u64 > PART_LIMIT {
        return Err(corrupt(format!("текст документа больше {} МБ", PART_LIMIT >> 20)));
    }
    let doc = roxmltree::Document::parse(&xml).map_err(|e| corrupt(e.to_string()))?;
    let body = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name((W, "body")))
        .ok_or_else(|| corrupt("нет тела документа".into()))?;
    // List numbers Word draws itself («1.» in a number cell with no text) come from numbering.xml.
    let mut numbering_xml = String::new();
    if let Ok(part) = zip.by_name("word/numbering.xml") {
        let _ = part.take(PART_LIMIT).read_to_string(&mut numbering_xml);
    }
    let mut numbering = roxmltree::Document::parse(&numbering_xml).map(|d| Numbering::of(&d)).unwrap_or_default();
    let mut source = Source::default();
    blocks(body, &mut source.blocks, &mut numbering);
    Ok(source)
}

/// The paragraphs and tables of a body, in order, through the content controls (`w:sdt`) Word
/// wraps parts of a template in.
fn blocks(parent: roxmltree::Node, out: &mut Vec<Block>, numbering: &mut Numbering) {
    for node in parent.children().filter(|n| n.is_element()) {
        if node.has_tag_name((W, "p")) {
            let text = paragraph(node, numbering);
            if !text.trim().is_empty() {
                out.push(Block::Para(text.trim().to_string()));
            }
        } else if node.has_tag_name((W, "tbl")) {
            out.push(Block::Table(table(node, numbering)));
        } else if node.has_tag_name((W, "sdt")) || node.has_tag_name((W, "sdtContent")) {
            blocks(node, out, numbering);
        }
    }
}

/// Word's list numbering: the format of each list level, and where each list has counted to.
#[derive(Default)]
struct Numbering {
    /// (numId, level) → (start, format, text such as «%1.» or «%1.%2.»).
    levels: std::collections::HashMap<(String, u8), (u32, String, String)>,
    counters: std::collections::HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn of(doc: &roxmltree::Document) -> Numbering {
        let val = |n: roxmltree::Node, tag: &str| {
            n.children().find(|c| c.has_tag_name((W, tag))).and_then(|c| c.attribute((W, "val"))).map(String::from)
        };
        let root = doc.root_element();
        let mut abstracts = std::collections::HashMap::new();
        for a in root.children().filter(|n| n.has_tag_name((W, "abstractNum"))) {
            let id = a.attribute((W, "abstractNumId")).unwrap_or_default().to_string();
            let levels: Vec<(u8, (u32, String, String))> = a
                .children()
                .filter(|l| l.has_tag_name((W, "lvl")))
                .filter_map(|l| {
                    let ilvl = l.attribute((W, "ilvl"))?.parse().ok()?;
                    let start = val(l, "start").and_then(|s| s.parse().ok()).unwrap_or(1);
                    Some((ilvl, (start, val(l, "numFmt").unwrap_or_default(), val(l, "lvlText").unwrap_or_default())))
                })
                .collect();
            abstracts.insert(id, levels);
        }
        let mut levels = std::collections::HashMap::new();
        for num in root.children().filter(|n| n.has_tag_name((W, "num"))) {
            let id = num.attribute((W, "numId")).unwrap_or_default().to_string();
            for (ilvl, (start, fmt, text)) in
                val(num, "abstractNumId").and_then(|a| abstracts.get(&a)).into_iter().flatten()
            {
                let start = num
                    .children()
                    .filter(|o| {
                        o.has_tag_name((W, "lvlOverride")) && o.attribute((W, "ilvl")) == Some(&ilvl.to_string())
                    })
                    .find_map(|o| val(o, "startOverride").and_then(|s| s.parse().ok()))
                    .unwrap_or(*start);
                levels.insert((id.clone(), *ilvl), (start, fmt.clone(), text.clone()));
            }
        }
        Numbering { levels, counters: std::collections::HashMap::new() }
    }

    /// The number Word draws before a numbered paragraph («1.», «2.3.»); bullets draw none here.
    fn label(&mut self, p: roxmltree::Node) -> Option<String> {
        let num =
            p.children().find(|c| c.has_tag_name((W, "pPr")))?.children().find(|c| c.has_tag_name((W, "numPr")))?;
        let val = |tag: &str| num.children().find(|c| c.has_tag_name((W, tag))).and_then(|c| c.attribute((W, "val")));
        let id = val("numId")?.to_string();
        let ilvl: u8 = val("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0).min(8);
        let (start, fmt, text) = self.levels.get(&(id.clone(), ilvl))?.clone();
        if !matches!(fmt.as_str(), "decimal" | "decimalZero" | "upperRoman" | "lowerRoman") {
            return None;
        }
        let starts: Vec<u32> = (0..9).map(|l| self.levels.get(&(id.clone(), l)).map_or(1, |x| x.0)).collect();
        let counter = self.counters.entry(id.clone()).or_insert([0; 9]);
        let level = usize::from(ilvl);
        counter[level] = if counter[level] == 0 { start } else { counter[level] + 1 };
        for deeper in counter.iter_mut().skip(level + 1) {
            *deeper = 0;
        }
        let mut out = text;
        for l in 0..=level {
            let n = if counter[l] == 0 { starts[l] } else { counter[l] };
            let shown = match self.levels.get(&(id.clone(), l as u8)).map(|x| x.1.as_str()) {
                Some("upperRoman") => roman(n),
                Some("lowerRoman") => roman(n).to_lowercase(),
                _ => n.to_string(),
            };
            out = out.replace(&format!("%{}", l + 1), &shown);
        }
        Some(out)
    }
}

fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value && out.len() < 32 {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The text of a paragraph: its list number, runs, tabs and line breaks.
fn paragraph(p: roxmltree::Node, numbering: &mut Numbering) -> String {
    let mut out = numbering.label(p).map(|l| l + " ").unwrap_or_default();
    for n in p.descendants() {
        if n.has_tag_name((W, "t")) {
            // Typography is the document's, not the author's words: non-breaking spaces and
            // hyphens read as plain ones (karta's own documents are full of them).
            out.extend(n.text().unwrap_or_default().chars().map(|c| match c {
                '\u{a0}' | '\u{202f}' => ' ',
                '\u{2011}' => '-',
                c => c,
            }));
        } else if n.has_tag_name((W, "noBreakHyphen")) {
            out.push('-');
        } else if n.has_tag_name((W, "tab")) {
            out.push('\t');
        } else if n.has_tag_name((W, "br")) || n.has_tag_name((W, "cr")) {
            out.push('\n');
        }
    }
    out
}

fn table(tbl: roxmltree::Node, numbering: &mut Numbering) -> Vec<Row> {
    let attr = |n: roxmltree::Node, name: &str| n.attribute((W, name)).map(String::from);
    // The text of the cell starting at each grid column in the row above, for vertical merges.
    let mut above: Vec<(usize, String)> = Vec::new();
    let mut rows = Vec::new();
    for tr in tbl.children().filter(|r| r.has_tag_name((W, "tr"))) {
        let mut row = Row::new();
        let mut col = 0;
        for tc in tr.children().filter(|c| c.has_tag_name((W, "tc"))) {
            let props = tc.children().find(|p| p.has_tag_name((W, "tcPr")));
            let span = props
                .and_then(|p| p.children().find(|s| s.has_tag_name((W, "gridSpan"))))
                .and_then(|s| attr(s, "val"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(1usize)
                .clamp(1, 64);
            let continued = props
                .and_then(|p| p.children().find(|s| s.has_tag_name((W, "vMerge"))))
                .is_some_and(|m| attr(m, "val").is_none_or(|v| v == "continue"));
            let text = if continued {
                above.iter().find(|(c, _)| *c == col).map(|(_, t)| t.clone()).unwrap_or_default()
            } else {
                // Paragraphs (also inside content controls and tables nested in the cell).
                tc.descendants()
                    .filter(|p| p.has_tag_name((W, "p")))
                    .map(|p| paragraph(p, numbering))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string()
            };
            row.push(Cell { text, span, above: continued });
            col += span;
        }
        let mut at = 0;
        above = row
            .iter()
            .map(|c| {
                let here = at;
                at += c.span;
                (here, c.text.clone())
            })
            .collect();
        rows.push(row);
    }
    rows
}

fn sheet(bytes: &[u8], ext: &str) -> Result<Source, ReadError> {
    let kind = if ext == "ods" { "таблица ODS" } else { "книга Excel" };
    if ext != "ods" {
        cell_references(bytes).map_err(|why| ReadError::Corrupt { kind, why })?;
    }
    // calamine is the field's reader; a workbook it cannot take must still end in an error,
    // never a crash (the references above are the one overflow fuzzing found in it).
    std::panic::catch_unwind(|| sheet_unchecked(bytes, kind)).unwrap_or_else(|_| {
        Err(ReadError::Corrupt { kind, why: "книгу не удалось разобрать".into() })
    })
}

/// Refuses cell references calamine computes without overflow checks: past Excel's last
/// column (XFD) or row (1048576), row 0, or a range that ends before it starts («B5:A3»).
fn cell_references(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else { return Ok(()) };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        // Every part: the workbook's relationships may put a sheet anywhere.
        if part.is_dir() {
            continue;
        }
        // What can be read, even of a damaged part: calamine reads that much too.
        let mut raw = Vec::new();
        let _ = (&mut part).take(PART_LIMIT).read_to_end(&mut raw);
        let xml = String::from_utf8_lossy(&raw);
        for marker in [" r=\"", " ref=\"", " sqref=\""] {
            for (at, _) in xml.match_indices(marker) {
                let value = xml[at + marker.len()..].split('"').next().unwrap_or_default();
                for range in value.split(' ') {
                    let ends: Vec<Option<(u32, u32)>> = range.split(':').map(cell).collect();
                    let ordered = match ends.as_slice() {
                        [Some(_)] => true,
                        [Some((c1, r1)), Some((c2, r2))] => {
                            (c1 <= c2 || *c1 == 0 || *c2 == 0) && (r1 <= r2 || *r1 == 0 || *r2 == 0)
                        }
                        _ => false,
                    };
                    if !ordered {
                        return Err(format!("ссылка на ячейку «{range}» за пределами листа"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// «$B$12» → (2, 12); a whole column «B» or row «12» has 0 for what it leaves out. `None` for
/// what no sheet has: more than three letters (past XFD), row 0, or past row 1048576.
fn cell(reference: &str) -> Option<(u32, u32)> {
    let r = reference.trim_start_matches('$');
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = r[letters.len()..].trim_start_matches('$');
    if letters.len() > 3 || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 7 {
        return None;
    }
    let column = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    let row = if digits.is_empty() { 0 } else { digits.parse().ok().filter(|r| (1..=1_048_576).contains(r))? };
    (column > 0 || row > 0).then_some((column, row))
}

fn sheet_unchecked(bytes: &[u8], kind: &'static str) -> Result<Source, ReadError> {
    use calamine::Reader;
    let corrupt = |why: String| ReadError::Corrupt { kind, why };
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    // Merged cells (a section row across the table) span columns, as in Word.
    let mut merged: Vec<(String, calamine::Dimensions)> = Vec::new();
    if let calamine::Sheets::Xlsx(x) = &mut book {
        if x.load_merged_regions().is_ok() {
            merged = x.merged_regions().iter().map(|(sheet, _, d)| (sheet.clone(), *d)).collect();
        }
    }
    let mut source = Source::default();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| corrupt(e.to_string()))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let spans: Vec<(u32, u32, u32)> = merged
            .iter()
            .filter(|(sheet, d)| *sheet == name && d.start.0 >= top && d.start.1 >= left && d.end.1 > d.start.1)
            .map(|(_, d)| (d.start.0 - top, d.start.1 - left, d.end.1 - d.start.1 + 1))
            .collect();
        let rows: Vec<Row> = range
            .rows()
            .enumerate()
            .map(|(r, cells)| {
                let mut row = Row::new();
                let mut c = 0;
                while c < cells.len() {
                    let span = spans
                        .iter()
                        .find(|(sr, sc, _)| *sr as usize == r && *sc as usize == c)
                        .map_or(1, |s| s.2 as usize);
                    row.push(Cell { text: cell_text(&cells[c]), span, above: false });
                    c += span.max(1);
                }
                row
            })
            .filter(|r: &Row| r.iter().any(|c| !c.text.is_empty()))
            .collect();
        if !rows.is_empty() {
            source.blocks.push(Block::Table(rows));
        }
    }
    Ok(source)
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().replace("\r\n", "\n"),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::DateTime(d) => d.as_datetime().map(|t| t.format("%d.%m.%Y").to_string()).unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

fn csv(bytes: &[u8]) -> Result<Source, ReadError> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| ReadError::Corrupt {
                kind: "CSV в UTF-8", why: "файл не в кодировке UTF-8".into()
            })?;
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    let mut reader =
        ::csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Corrupt { kind: "CSV", why: e.to_string() })?;
        let row: Row = record.iter().map(|t| Cell { text: t.trim().to_string(), span: 1, above: false }).collect();
        if row.iter().any(|c| !c.text.is_empty()) {
            rows.push(row);
        }
    }
    Ok(Source { blocks: vec![Block::Table(rows)] })
}
