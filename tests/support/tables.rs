//! Reading back what `karta render` writes, for tests that compare formats: the tables of a
//! DOCX (`w:tc` texts, spans, vertical merges) and an XLSX (calamine for the values, the
//! workbook's XML for what calamine does not tell: frozen panes, print setup, widths, number
//! formats, bold).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, DataType, Dimensions, Range, Reader, Xlsx};

use super::documents::docx_parts;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const S: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A DOCX table cell: its paragraphs' texts joined by line breaks, the columns it spans, and
/// whether it continues a vertically merged cell above.
#[derive(Debug, Clone)]
pub struct Tc {
    pub text: String,
    pub span: usize,
    pub continued: bool,
}

pub fn children<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children().filter(|c| c.has_tag_name((W, tag))).collect()
}

/// Every table of the DOCX body, as rows of cells.
pub fn docx_tables(docx: &[u8]) -> Vec<Vec<Vec<Tc>>> {
    let parts = docx_parts(docx);
    let doc = roxmltree::Document::parse(&parts["word/document.xml"]).expect("document.xml");
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .map(|tbl| {
            children(tbl, "tr")
                .into_iter()
                .map(|tr| {
                    children(tr, "tc")
                        .into_iter()
                        .map(|tc| {
                            let pr = |tag: &str| tc.descendants().find(|n| n.has_tag_name((W, tag)));
                            let text = children(tc, "p")
                                .into_iter()
                                .map(|p| {
                                    p.descendants()
                                        .filter(|n| n.has_tag_name((W, "t")))
                                        .filter_map(|n| n.text())
                                        .collect()
                                })
                                .collect::<Vec<String>>()
                                .join("\n")
                                // A number's non-breaking hyphen, which the workbook writes plain.
                                .replace('\u{2011}', "-");
                            Tc {
                                text,
                                span: pr("gridSpan").and_then(|g| g.attribute((W, "val"))?.parse().ok()).unwrap_or(1),
                                continued: pr("vMerge").is_some_and(|v| v.attribute((W, "val")) != Some("restart")),
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The table whose header row has a cell reading `heading`; vertically merged cells filled down.
pub fn table_with(tables: &[Vec<Vec<Tc>>], heading: &str) -> Vec<Vec<Tc>> {
    let mut table = tables
        .iter()
        .find(|t| t.first().is_some_and(|row| row.iter().any(|c| c.text == heading)))
        .unwrap_or_else(|| panic!("no DOCX table headed «{heading}»"))
        .clone();
    for r in 1..table.len() {
        for c in 0..table[r].len() {
            if table[r][c].continued {
                table[r][c].text = table[r - 1][c].text.clone();
            }
        }
    }
    table
}

pub fn texts(row: &[Tc]) -> Vec<String> {
    row.iter().map(|c| c.text.clone()).collect()
}

/// A workbook read back: calamine for the values, its XML for what calamine does not tell.
pub struct Book {
    calamine: Xlsx<Cursor<Vec<u8>>>,
    parts: HashMap<String, String>,
}

/// A cell's number format and whether its font is bold.
#[derive(Debug)]
pub struct Look {
    pub format: String,
    pub bold: bool,
}

impl Book {
    pub fn open(bytes: Vec<u8>) -> Book {
        let parts = docx_parts(&bytes);
        Book { calamine: Xlsx::new(Cursor::new(bytes)).expect("a workbook calamine reads"), parts }
    }

    pub fn names(&self) -> Vec<String> {
        self.calamine.sheet_names()
    }

    pub fn range(&mut self, sheet: &str) -> Range<Data> {
        self.calamine.worksheet_range(sheet).expect("sheet")
    }

    pub fn merged(&mut self, sheet: &str) -> Vec<Dimensions> {
        self.calamine.worksheet_merge_cells(sheet).expect("sheet").expect("merged cells")
    }

    /// The XML part of a sheet, found through the workbook's relationships.
    pub fn sheet_xml(&self, sheet: &str) -> &str {
        let book = roxmltree::Document::parse(&self.parts["xl/workbook.xml"]).expect("workbook.xml");
        let id = book
            .descendants()
            .find(|n| n.has_tag_name((S, "sheet")) && n.attribute("name") == Some(sheet))
            .and_then(|n| n.attribute((R, "id")))
            .expect("sheet in workbook.xml")
            .to_string();
        let rels = roxmltree::Document::parse(&self.parts["xl/_rels/workbook.xml.rels"]).expect("rels");
        let target = rels
            .descendants()
            .find(|n| n.attribute("Id") == Some(id.as_str()))
            .and_then(|n| n.attribute("Target"))
            .expect("relationship");
        &self.parts[&format!("xl/{}", target.trim_start_matches("/xl/"))]
    }

    /// Rows frozen at the top (the pane's `ySplit`).
    pub fn frozen(&self, sheet: &str) -> Option<u32> {
        let xml = roxmltree::Document::parse(self.sheet_xml(sheet)).expect("sheet xml");
        let pane = xml.descendants().find(|n| n.has_tag_name((S, "pane")))?;
        (pane.attribute("state") == Some("frozen")).then(|| pane.attribute("ySplit")?.parse().ok())?
    }

    /// The rows repeated on every printed page (`$2:$3`).
    pub fn print_titles(&self, sheet: &str) -> Option<String> {
        let book = roxmltree::Document::parse(&self.parts["xl/workbook.xml"]).expect("workbook.xml");
        let index = self.names().iter().position(|n| n == sheet)?.to_string();
        let titles = book.descendants().find(|n| {
            n.attribute("name") == Some("_xlnm.Print_Titles") && n.attribute("localSheetId") == Some(index.as_str())
        })?;
        titles.text()?.rsplit_once('!').map(|(_, rows)| rows.to_string())
    }

    /// Paper size, orientation and fit-to-width of the print setup.
    pub fn page(&self, sheet: &str) -> (Option<String>, Option<String>, bool) {
        let xml = roxmltree::Document::parse(self.sheet_xml(sheet)).expect("sheet xml");
        let setup = xml.descendants().find(|n| n.has_tag_name((S, "pageSetup")));
        let fit =
            xml.descendants().any(|n| n.has_tag_name((S, "pageSetUpPr")) && n.attribute("fitToPage") == Some("1"));
        let fit = fit && setup.is_some_and(|s| s.attribute("fitToHeight") == Some("0"));
        let attr = |name: &str| setup.and_then(|s| s.attribute(name)).map(String::from);
        (attr("paperSize"), attr("orientation"), fit)
    }

    /// Column widths in characters, as stored.
    pub fn widths(&self, sheet: &str) -> Vec<f64> {
        let xml = roxmltree::Document::parse(self.sheet_xml(sheet)).expect("sheet xml");
        xml.descendants()
            .filter(|n| n.has_tag_name((S, "col")))
            .filter_map(|n| n.attribute("width")?.parse().ok())
            .collect()
    }

    /// The number format and boldness of the cell at (row, col), from 0.
    pub fn look(&self, sheet: &str, row: u32, col: u32) -> Look {
        let reference = format!("{}{}", char::from(b'A' + col as u8), row + 1);
        let xml = roxmltree::Document::parse(self.sheet_xml(sheet)).expect("sheet xml");
        let xf: usize = xml
            .descendants()
            .find(|n| n.has_tag_name((S, "c")) && n.attribute("r") == Some(reference.as_str()))
            .and_then(|c| c.attribute("s")?.parse().ok())
            .unwrap_or(0);
        let styles = roxmltree::Document::parse(&self.parts["xl/styles.xml"]).expect("styles.xml");
        let list = |tag: &str| {
            let parent = styles.descendants().find(|n| n.has_tag_name((S, tag))).expect(tag);
            parent.children().filter(|n| n.is_element()).collect::<Vec<_>>()
        };
        let xf = list("cellXfs")[xf];
        let number: String = xf.attribute("numFmtId").unwrap_or("0").into();
        let format = styles
            .descendants()
            .find(|n| n.has_tag_name((S, "numFmt")) && n.attribute("numFmtId") == Some(number.as_str()))
            .and_then(|n| n.attribute("formatCode"))
            .map_or(number.clone(), String::from);
        let font: usize = xf.attribute("fontId").and_then(|f| f.parse().ok()).unwrap_or(0);
        let bold = list("fonts")[font].children().any(|n| n.has_tag_name((S, "b")));
        Look { format, bold }
    }
}

/// A cell as the DOCX words it: numbers with a decimal comma, dates as ДД.ММ.ГГГГ.
pub fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(x)) => karta::ru::decimal(*x),
        Some(Data::Int(n)) => n.to_string(),
        Some(d @ Data::DateTime(_)) => d.as_date().map(karta::ru::date_digits).unwrap_or_default(),
        Some(other) => other.to_string(),
    }
}

pub fn row_texts(range: &Range<Data>, row: u32, columns: u32) -> Vec<String> {
    (0..columns).map(|c| text(range.get_value((row, c)))).collect()
}

/// The row of a sheet whose first cell reads `heading` (the header row).
pub fn header_row(range: &Range<Data>, heading: &str) -> u32 {
    (0..range.height() as u32)
        .find(|&r| text(range.get_value((r, 0))) == heading)
        .unwrap_or_else(|| panic!("no header row starting «{heading}»"))
}

pub fn spans_row(merged: &[Dimensions], row: u32, columns: u32) -> bool {
    merged.iter().any(|d| d.start == (row, 0) && d.end == (row, columns - 1))
}

/// The DOCX grid of the roadmap table (twips).
pub fn docx_grid(docx: &[u8]) -> Vec<f64> {
    let parts = docx_parts(docx);
    let doc = roxmltree::Document::parse(&parts["word/document.xml"]).expect("document.xml");
    let table = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .find(|t| t.descendants().any(|n| n.has_tag_name((W, "t")) && n.text() == Some("Наименование мероприятия")))
        .expect("roadmap table");
    table
        .descendants()
        .filter(|n| n.has_tag_name((W, "gridCol")))
        .filter_map(|n| n.attribute((W, "w"))?.parse().ok())
        .collect()
}

/// The column of a sheet whose first row holds `name` (an exported table's heading).
pub fn column_named(sheet: &Range<Data>, name: &str) -> usize {
    (0..sheet.width())
        .find(|c| calamine::DataType::get_string(sheet.get((0, *c)).unwrap_or(&Data::Empty)) == Some(name))
        .unwrap_or_else(|| panic!("no column «{name}»"))
}
