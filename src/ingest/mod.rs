//! Ingest: the bytes of any postmortem to clean UTF-8 text, plus a record of every repair.
//!
//! Two steps: `decode` turns bytes into text (BOM, UTF-8, UTF-16, UTF-32, legacy code
//! pages), then `repair` undoes mojibake in that text line by line.

mod charinfo;
mod codepage;
mod decode;
mod pairs;
pub mod plausibility;
mod prior;
mod repair;
#[rustfmt::skip]
mod tables;

use std::fmt;

pub use repair::{Repair, Unresolved};

/// Text larger than this is refused rather than read into memory (`fix`; postmortems
/// read as markdown have a lower limit, `kb::MAX_POSTMORTEM_BYTES`).
pub const MAX_BYTES: usize = 256 << 20;

/// Text ready for parsing, and what it took to get there.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub text: String,
    /// How the bytes were decoded: "utf-8", "utf-16le", "utf-32be", "windows-1252",
    /// "utf-8+windows-1252".
    pub encoding: String,
    /// Lines of a UTF-8 file that had to be read in a legacy encoding.
    pub transcoded_lines: Vec<usize>,
    pub repairs: Vec<Repair>,
    pub unresolved: Vec<Unresolved>,
}

impl Ingested {
    /// True when the text differs from the bytes read as UTF-8.
    pub fn changed(&self) -> bool {
        !self.repairs.is_empty() || self.encoding != "utf-8"
    }

    /// True when any repair had to guess lost bytes.
    pub fn lossy(&self) -> bool {
        self.repairs.iter().any(|r| r.lossy)
    }
}

/// Why bytes could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestError {
    /// A NUL byte outside UTF-16: not a text file.
    Binary { offset: usize },
    /// Larger than `limit` bytes.
    TooLarge { size: usize, limit: usize },
    /// Nothing but whitespace: read as a postmortem, a file with no text is a mistake.
    Empty,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IngestError::Binary { offset } => {
                write!(
                    f,
                    "binary file (NUL byte at offset {offset}), not a postmortem"
                )
            }
            IngestError::TooLarge { size, limit } => write!(
                f,
                "file is over the {} MiB limit ({size} bytes)",
                limit >> 20
            ),
            IngestError::Empty => write!(f, "empty file, not a postmortem"),
        }
    }
}

impl std::error::Error for IngestError {}

/// Decode and repair `bytes`.
pub fn ingest(bytes: &[u8]) -> Result<Ingested, IngestError> {
    if bytes.len() > MAX_BYTES {
        return Err(IngestError::TooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let decoded = decode::decode(bytes).map_err(|e| match e {
        decode::DecodeError::Binary { offset } => IngestError::Binary { offset },
    })?;
    let repaired = repair::repair_text(&decoded.text);
    Ok(Ingested {
        text: repaired.text,
        encoding: decoded.encoding,
        transcoded_lines: decoded.transcoded_lines,
        repairs: repaired.repairs,
        unresolved: repaired.unresolved,
    })
}

/// `ingest`, for bytes read as a postmortem: text that is empty or only whitespace is
/// refused too. (`fix` uses `ingest`: an empty file simply needs no repair.)
pub fn ingest_postmortem(bytes: &[u8]) -> Result<Ingested, IngestError> {
    let ingested = ingest(bytes)?;
    if ingested.text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    Ok(ingested)
}

/// Repair mojibake in text that is already decoded.
pub fn repair_text(text: &str) -> (String, Vec<Repair>) {
    let r = repair::repair_text(text);
    (r.text, r.repairs)
}
