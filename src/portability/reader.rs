//! Reads an export a line at a time, each bounded in length, and numbers the lines from 1 (the numbers errors
//! name). Blank lines are skipped but counted, so the numbers match what an editor shows.

use std::io::{BufRead, Read};

use super::line::Line;

/// The longest line accepted: far above any real user (a passkey is under 1 KiB), far below a memory problem.
const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// Why a line could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The line is not a valid line of the format.
    Line {
        line: u64,
        message: String,
    },
    Io(std::io::Error),
}

pub struct Lines<R> {
    input: R,
    buf: String,
    number: u64,
    bytes: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            buf: String::new(),
            number: 0,
            bytes: 0,
        }
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The next non-blank line with its number, or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<(u64, Line)>, ReadError> {
        loop {
            self.buf.clear();
            self.number += 1;
            let line = self.number;
            let read = (&mut self.input)
                .take(MAX_LINE_BYTES + 1)
                .read_line(&mut self.buf)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidData => ReadError::Line {
                        line,
                        message: "is not UTF-8 text".into(),
                    },
                    _ => ReadError::Io(e),
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.bytes += read as u64;
            if read as u64 > MAX_LINE_BYTES {
                return Err(ReadError::Line {
                    line,
                    message: format!("is longer than {MAX_LINE_BYTES} bytes"),
                });
            }
            let text = self.buf.trim();
            if text.is_empty() {
                continue;
            }
            return match serde_json::from_str::<Line>(text) {
                Ok(parsed) => Ok(Some((line, parsed))),
                Err(e) => Err(ReadError::Line {
                    line,
                    message: describe(&e),
                }),
            };
        }
    }
}

/// serde's message without its position (the line is named, and the column of a one-line object says little).
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("is not valid JSON ({message})")
        }
        _ => format!("is not a valid line: {message}"),
    }
}
