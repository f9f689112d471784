//! Streaming record readers for batch input: JSON Lines, CSV and multi-document YAML.
//! Each reads one record at a time with bounded memory, and turns anything unreadable
//! into an error record rather than stopping.

use std::io::{self, BufRead};

use crate::answers::{
    self, AnswerProblem, AnswersError, Column, RecordOutcome, columns_for_header,
};
use crate::rulebook::Rulebook;

/// One batch record: where it was in the input, and what was read.
#[derive(Debug)]
pub struct Record {
    /// Line number (JSON Lines, CSV) or document number (YAML), from 1.
    pub number: u64,
    pub outcome: RecordOutcome,
}

/// The largest single record accepted; a longer one becomes an error record.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

fn error_outcome(message: String) -> RecordOutcome {
    RecordOutcome {
        id: None,
        answers: Err(AnswersError::Invalid(vec![AnswerProblem {
            field: String::new(),
            message,
        }])),
    }
}

/// Reads up to and including the next `\n` into `buf`, keeping at most `limit` bytes.
/// Returns `None` at end of input, else whether the line was longer than the limit.
fn read_line_limited<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read_any.then_some(too_long));
        }
        read_any = true;
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = limit.saturating_sub(buf.len());
        if chunk.len() > room {
            too_long = true;
            buf.extend_from_slice(&chunk[..room]);
        } else {
            buf.extend_from_slice(chunk);
        }
        let used = chunk.len();
        reader.consume(used);
        if done {
            return Ok(Some(too_long));
        }
    }
}

/// JSON Lines: one object per line; blank lines are skipped.
pub struct JsonLines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    pub fn next_record(&mut self, book: &Rulebook) -> io::Result<Option<Record>> {
        loop {
            let Some(too_long) =
                read_line_limited(&mut self.reader, &mut self.buf, MAX_RECORD_BYTES)?
            else {
                return Ok(None);
            };
            self.line += 1;
            let number = self.line;
            if too_long {
                return Ok(Some(Record {
                    number,
                    outcome: error_outcome(format!(
                        "the record is longer than the limit of {MAX_RECORD_BYTES} bytes"
                    )),
                }));
            }
            let bytes = strip_bom(&self.buf, number);
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    return Ok(Some(Record {
                        number,
                        outcome: error_outcome(format!(
                            "not valid UTF-8 (first bad byte at offset {})",
                            e.valid_up_to()
                        )),
                    }));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let outcome = answers::parse_json_record(book, text);
            return Ok(Some(Record { number, outcome }));
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.reader
    }
}

fn strip_bom(bytes: &[u8], number: u64) -> &[u8] {
    if number == 1 {
        bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
    } else {
        bytes
    }
}

/// CSV with a header row of question ids (and optionally `id`).
pub struct CsvRecords<R: io::Read> {
    reader: csv::Reader<R>,
    columns: Vec<Column>,
    record: csv::ByteRecord,
    header_error: Option<String>,
}

impl<R: io::Read> CsvRecords<R> {
    pub fn new(book: &Rulebook, reader: R) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(reader);
        let (columns, header_error) = match reader.byte_headers() {
            Ok(h) => match h
                .iter()
                .map(std::str::from_utf8)
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(names) => (columns_for_header(book, names), None),
                Err(_) => (
                    Vec::new(),
                    Some("the header row is not valid UTF-8".to_string()),
                ),
            },
            Err(e) => (Vec::new(), Some(format!("cannot read the header row: {e}"))),
        };
        CsvRecords {
            reader,
            columns,
            record: csv::ByteRecord::new(),
            header_error,
        }
    }

    pub fn next_record(&mut self, book: &Rulebook) -> io::Result<Option<Record>> {
        let more = match self.reader.read_byte_record(&mut self.record) {
            Ok(more) => more,
            Err(e) => {
                if let csv::ErrorKind::Io(io_err) = e.kind() {
                    return Err(io::Error::new(io_err.kind(), io_err.to_string()));
                }
                let number = e.position().map_or(0, |p| p.line());
                return Ok(Some(Record {
                    number,
                    outcome: error_outcome(format!("cannot read this CSV record: {e}")),
                }));
            }
        };
        if !more {
            return Ok(None);
        }
        let number = self.record.position().map_or(0, |p| p.line());
        if let Some(message) = &self.header_error {
            return Ok(Some(Record {
                number,
                outcome: error_outcome(message.clone()),
            }));
        }
        if self.record.len() > self.columns.len() {
            return Ok(Some(Record {
                number,
                outcome: error_outcome(format!(
                    "the record has {} fields but the header names {} columns",
                    self.record.len(),
                    self.columns.len()
                )),
            }));
        }
        let cells: Result<Vec<&str>, _> = self.record.iter().map(std::str::from_utf8).collect();
        let outcome = match cells {
            Ok(cells) => answers::parse_cells(book, &self.columns, cells),
            Err(e) => error_outcome(format!("not valid UTF-8 ({e})")),
        };
        Ok(Some(Record { number, outcome }))
    }
}

/// A YAML stream of documents separated by `---` lines.
pub struct YamlDocuments<R> {
    reader: R,
    document: u64,
    line: Vec<u8>,
    text: String,
    too_long: bool,
    bad_utf8: bool,
    done: bool,
}

impl<R: BufRead> YamlDocuments<R> {
    pub fn new(reader: R) -> Self {
        YamlDocuments {
            reader,
            document: 0,
            line: Vec::new(),
            text: String::new(),
            too_long: false,
            bad_utf8: false,
            done: false,
        }
    }

    fn has_content(text: &str) -> bool {
        text.lines().any(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && t != "..."
        })
    }

    /// Ends the current document; returns it as a record if it had any content.
    fn take_document(&mut self, book: &Rulebook) -> Option<Record> {
        let text = std::mem::take(&mut self.text);
        let (too_long, bad_utf8) = (self.too_long, self.bad_utf8);
        self.too_long = false;
        self.bad_utf8 = false;
        if !too_long && !bad_utf8 && !Self::has_content(&text) {
            return None;
        }
        self.document += 1;
        let number = self.document;
        let outcome = if too_long {
            error_outcome(format!(
                "the document is longer than the limit of {MAX_RECORD_BYTES} bytes"
            ))
        } else if bad_utf8 {
            error_outcome("not valid UTF-8".into())
        } else {
            answers::parse_yaml_record(book, &text)
        };
        Some(Record { number, outcome })
    }

    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    pub fn next_record(&mut self, book: &Rulebook) -> io::Result<Option<Record>> {
        while !self.done {
            let Some(line_too_long) =
                read_line_limited(&mut self.reader, &mut self.line, MAX_RECORD_BYTES)?
            else {
                self.done = true;
                return Ok(self.take_document(book));
            };
            let bytes = if self.document == 0 && self.text.is_empty() {
                self.line
                    .strip_prefix(b"\xef\xbb\xbf")
                    .unwrap_or(&self.line)
            } else {
                &self.line
            };
            let is_separator =
                bytes.starts_with(b"---") && bytes.get(3).is_none_or(|b| b.is_ascii_whitespace());
            if is_separator {
                let rest = String::from_utf8_lossy(&bytes[3..]).trim().to_string();
                let record = self.take_document(book);
                // `--- {a: 1}` starts a document with content on the separator line.
                self.text.push_str(&rest);
                self.text.push('\n');
                if record.is_some() {
                    return Ok(record);
                }
                continue;
            }
            if line_too_long || self.text.len() + bytes.len() > MAX_RECORD_BYTES {
                self.too_long = true;
                continue;
            }
            match std::str::from_utf8(bytes) {
                Ok(t) => self.text.push_str(t),
                Err(_) => self.bad_utf8 = true,
            }
        }
        Ok(None)
    }
}
