//! PDF through LibreOffice (`soffice --headless --convert-to pdf`), when it is installed.

use std::path::PathBuf;
use std::process::Command;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "для PDF нужен LibreOffice (команда soffice или libreoffice), он не найден; установите его (apt-get install libreoffice-writer) или выберите --format docx"
    )]
    NoLibreOffice,
    #[error("LibreOffice не смог преобразовать документ в PDF: {0}")]
    Failed(String),
}

impl crate::diag::Explain for PdfError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            PdfError::NoLibreOffice => msg!(
                "{}", self;
                "PDF needs LibreOffice (the soffice or libreoffice command), which was not found; install it (apt-get install libreoffice-writer) or choose --format docx"
            ),
            PdfError::Failed(why) => msg!("{}", self; "LibreOffice could not convert the document to PDF: {}", why),
        }
    }
}

fn office() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["soffice", "libreoffice"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Converts DOCX bytes to PDF bytes.
pub fn from_docx(docx: &[u8]) -> Result<Vec<u8>, PdfError> {
    convert(docx, "docx")
}

/// Converts XLSX bytes to PDF bytes (each sheet as its print setup lays it out).
pub fn from_xlsx(xlsx: &[u8]) -> Result<Vec<u8>, PdfError> {
    convert(xlsx, "xlsx")
}

/// Converts a document LibreOffice opens by its extension `ext` to PDF.
fn convert(bytes: &[u8], ext: &str) -> Result<Vec<u8>, PdfError> {
    let office = office().ok_or(PdfError::NoLibreOffice)?;
    let dir = tempfile::tempdir().map_err(|e| PdfError::Failed(e.to_string()))?;
    let input = dir.path().join(format!("document.{ext}"));
    std::fs::write(&input, bytes).map_err(|e| PdfError::Failed(e.to_string()))?;
    // A profile of its own, so a running LibreOffice of the user's does not swallow the job.
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let output = Command::new(office)
        .arg(profile)
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .map_err(|e| PdfError::Failed(e.to_string()))?;
    let pdf = dir.path().join("document.pdf");
    match std::fs::read(&pdf) {
        Ok(bytes) if output.status.success() => Ok(bytes),
        _ => Err(PdfError::Failed(String::from_utf8_lossy(&output.stderr).trim().to_string())),
    }
}
