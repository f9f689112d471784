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

/// One CSV record's raw bytes, read line by line: a line ends the record unless a quoted
/// field is still open, so a record is handed on as soon as its last line arrives.
struct CsvRaw {
    bytes: Vec<u8>,
    /// The line the record starts on, from 1.
    line: u64,
    too_long: bool,
    /// The input ended inside a quoted field.
    unterminated: bool,
}

/// Reads the next non-blank CSV record, or `None` at the end of the input.
fn read_csv_raw<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    lines_read: &mut u64,
) -> io::Result<Option<CsvRaw>> {
    let mut raw = CsvRaw {
        bytes: Vec::new(),
        line: 0,
        too_long: false,
        unterminated: false,
    };
    let mut in_quotes = false;
    loop {
        let Some(line_too_long) = read_line_limited(reader, line, MAX_RECORD_BYTES)? else {
            if raw.bytes.is_empty() && !raw.too_long {
                return Ok(None);
            }
            raw.unterminated = in_quotes;
            return Ok(Some(raw));
        };
        *lines_read += 1;
        if raw.line == 0 {
            if line.iter().all(|b| b.is_ascii_whitespace()) && !line.is_empty() {
                // A blank line between records is not a record.
                continue;
            }
            raw.line = *lines_read;
        }
        // A `""` inside quotes toggles twice, so counting quotes finds open fields.
        in_quotes ^= line.iter().filter(|&&b| b == b'"').count() % 2 == 1;
        if line_too_long || raw.bytes.len() + line.len() > MAX_RECORD_BYTES {
            // Over the limit: the record is dropped and reading goes on at the next line.
            raw.too_long = true;
            raw.bytes.clear();
            in_quotes = false;
        } else if !raw.too_long {
            raw.bytes.extend_from_slice(line);
        }
        if !in_quotes {
            return Ok(Some(raw));
        }
    }
}

/// The fields of one complete CSV record.
fn csv_fields(bytes: &[u8]) -> Result<csv::ByteRecord, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(_) => Ok(record),
        Err(e) => Err(e.to_string()),
    }
}

/// CSV with a header row of question ids (and optionally `id`).
pub struct CsvRecords<R> {
    reader: R,
    line: Vec<u8>,
    lines_read: u64,
    columns: Option<Vec<Column>>,
    header_error: Option<String>,
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        CsvRecords {
            reader,
            line: Vec::new(),
            lines_read: 0,
            columns: None,
            header_error: None,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Reads the header row the first time it is needed.
    fn header(&mut self, book: &Rulebook) -> io::Result<()> {
        if self.columns.is_some() {
            return Ok(());
        }
        let raw = read_csv_raw(&mut self.reader, &mut self.line, &mut self.lines_read)?;
        let mut columns = Vec::new();
        match raw {
            None => {}
            Some(raw) if raw.too_long => {
                self.header_error = Some(format!(
                    "the header row is longer than the limit of {MAX_RECORD_BYTES} bytes"
                ));
            }
            Some(raw) => {
                let bytes = raw
                    .bytes
                    .strip_prefix(b"\xef\xbb\xbf")
                    .unwrap_or(&raw.bytes);
                match csv_fields(bytes) {
                    Ok(fields) => match fields
                        .iter()
                        .map(std::str::from_utf8)
                        .collect::<Result<Vec<_>, _>>()
                    {
                        Ok(names) => columns = columns_for_header(book, names),
                        Err(_) => {
                            self.header_error = Some("the header row is not valid UTF-8".into())
                        }
                    },
                    Err(e) => self.header_error = Some(format!("cannot read the header row: {e}")),
                }
            }
        }
        self.columns = Some(columns);
        Ok(())
    }

    pub fn next_record(&mut self, book: &Rulebook) -> io::Result<Option<Record>> {
        self.header(book)?;
        let Some(raw) = read_csv_raw(&mut self.reader, &mut self.line, &mut self.lines_read)?
        else {
            return Ok(None);
        };
        let number = raw.line;
        let error = |message: String| {
            Ok(Some(Record {
                number,
                outcome: error_outcome(message),
            }))
        };
        if let Some(message) = &self.header_error {
            return error(message.clone());
        }
        if raw.too_long {
            return error(format!(
                "the record is longer than the limit of {MAX_RECORD_BYTES} bytes"
            ));
        }
        if raw.unterminated {
            return error(
                "the record ends inside a quoted field: the input stopped before its closing quote"
                    .into(),
            );
        }
        let record = match csv_fields(&raw.bytes) {
            Ok(record) => record,
            Err(e) => return error(format!("cannot read this CSV record: {e}")),
        };
        let columns = self.columns.as_deref().unwrap_or_default();
        if record.len() > columns.len() {
            return error(format!(
                "the record has {} fields but the header names {} columns",
                record.len(),
                columns.len()
            ));
        }
        let cells: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let outcome = match cells {
            Ok(cells) => answers::parse_cells(book, columns, cells),
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
