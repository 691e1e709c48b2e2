//! A DOCX package (Office Open XML, ECMA-376) around the WordprocessingML body a template
//! produced: content types, relationships, styles (Times New Roman 14, from
//! `templates/docx/styles.xml`), settings, the page-number header (top centre, from page 2) and
//! images (indicator charts, rasterised from their SVG). Written with the `zip` crate; every
//! text in the XML was escaped by the registry.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::{TemplateError, Templates};

/// A picture placed in the document: `word/media/{name}`, referenced as `r:embed="{id}"`.
pub struct Image {
    pub id: String,
    pub name: String,
    pub png: Vec<u8>,
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="png" ContentType="image/png"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"#;

/// Automatic hyphenation on (narrow table cells break words with a hyphen, not mid-word),
/// capitals not hyphenated. The first page has its own (empty) header: page numbers start on page 2 (GOST R 7.0.97 §3).
const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:defaultTabStop w:val="709"/>
<w:autoHyphenation/>
<w:consecutiveHyphenLimit w:val="3"/>
<w:hyphenationZone w:val="357"/>
<w:doNotHyphenateCaps/>
<w:characterSpacingControl w:val="doNotCompress"/>
<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>
</w:settings>"#;

/// Packs a rendered `word/document.xml` into a DOCX.
pub fn package(templates: &Templates, document: &str, title: &str, images: &[Image]) -> Result<Vec<u8>, TemplateError> {
    let missing = |name: &str| TemplateError {
        where_: format!("templates/docx/{name}"),
        message: "нет такой части пакета DOCX".into(),
    };
    let styles = templates.part("styles.xml").ok_or_else(|| missing("styles.xml"))?;
    let header = templates.part("header.xml").ok_or_else(|| missing("header.xml"))?;
    let first = templates.part("header-first.xml").ok_or_else(|| missing("header-first.xml"))?;
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
<Relationship Id="rIdHeaderFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>
"#,
    );
    for image in images {
        rels.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/{}\"/>\n",
            image.id, image.name
        ));
    }
    rels.push_str("</Relationships>");
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>karta</dc:creator><dc:language>ru-RU</dc:language></cp:coreProperties>"#,
        super::helpers::escape_xml(title)
    );
    let write = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let mut put = |name: &str, bytes: &[u8]| -> zip::result::ZipResult<()> {
            zip.start_file(name, options)?;
            zip.write_all(bytes)?;
            Ok(())
        };
        put("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        put("_rels/.rels", ROOT_RELS.as_bytes())?;
        put("docProps/core.xml", core.as_bytes())?;
        put("word/document.xml", document.as_bytes())?;
        put("word/_rels/document.xml.rels", rels.as_bytes())?;
        put("word/styles.xml", styles.as_bytes())?;
        put("word/settings.xml", SETTINGS.as_bytes())?;
        put("word/header1.xml", header.as_bytes())?;
        put("word/header2.xml", first.as_bytes())?;
        for image in images {
            put(&format!("word/media/{}", image.name), &image.png)?;
        }
        Ok(zip.finish()?.into_inner())
    };
    write().map_err(|e| TemplateError { where_: "DOCX".into(), message: e.to_string() })
}

/// Rasterises an SVG chart to PNG at twice its size (sharp in print).
pub fn png(svg: &str) -> Option<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &options).ok()?;
    let size = tree.size().to_int_size().scale_by(2.0)?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(2.0, 2.0), &mut pixmap.as_mut());
    pixmap.encode_png().ok()
}
