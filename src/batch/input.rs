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

/// Where a CSV reader is within a record, as csv_core reads it: a quote opens a quoted
/// field only at the start of a field (elsewhere it is a literal character), `""` inside
/// quotes is one quote, and a line break outside quotes ends the record. Mirroring the
/// parser this way (rather than counting quotes) means a stray quote in an unquoted field
/// cannot join the next person's line to this record.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl Quoting {
    fn after(self, byte: u8) -> Quoting {
        use Quoting::*;
        match (self, byte) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted | FieldStart, b'"') => Quoted,
            (_, b',' | b'\n' | b'\r') => FieldStart,
            _ => Unquoted,
        }
    }
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
    let mut quoting = Quoting::FieldStart;
    loop {
        let Some(line_too_long) = read_line_limited(reader, line, MAX_RECORD_BYTES)? else {
            if raw.bytes.is_empty() && !raw.too_long {
                return Ok(None);
            }
            raw.unterminated = quoting == Quoting::Quoted;
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
        quoting = line.iter().fold(quoting, |q, &b| q.after(b));
        if line_too_long || raw.bytes.len() + line.len() > MAX_RECORD_BYTES {
            // Over the limit: the record is dropped and reading goes on at the next line.
            raw.too_long = true;
            raw.bytes.clear();
            quoting = Quoting::FieldStart;
        } else if !raw.too_long {
            raw.bytes.extend_from_slice(line);
        }
        if quoting != Quoting::Quoted {
            return Ok(Some(raw));
        }
    }
}

/// Splits complete CSV records into fields. The parser's tables are built once per
/// input, not once per record (building them costs more than reading a short record).
struct FieldSplitter {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl FieldSplitter {
    fn new(delimiter: u8) -> Self {
        FieldSplitter {
            // Built here rather than cloned from a shared copy: csv-core 0.1.13's
            // `Reader::clone` drops most of the parser's tables.
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The fields of `bytes`, one complete record (a record's own line breaks included).
    /// A second record in `bytes` is an error: only a carriage return on its own, which
    /// ends a CSV record, can put one there, and reading on would drop it.
    fn fields(&mut self, bytes: &[u8]) -> Result<csv::ByteRecord, String> {
        use csv_core::ReadRecordResult as Step;
        self.core.reset();
        let (mut input, mut out_len, mut ends_len) = (bytes, 0, 0);
        loop {
            let (step, read, written, ended) =
                self.core
                    .read_record(input, &mut self.out[out_len..], &mut self.ends[ends_len..]);
            input = &input[read..];
            out_len += written;
            ends_len += ended;
            match step {
                // More input is all there is; an empty slice tells the parser the record
                // is complete.
                Step::InputEmpty => {}
                Step::OutputFull => self.out.resize(self.out.len() * 2, 0),
                Step::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Step::Record | Step::End => break,
            }
        }
        if input.iter().any(|&b| !matches!(b, b'\r' | b'\n')) {
            return Err("a carriage return inside this line ends a CSV record early; save the file with \\n or \\r\\n line endings".into());
        }
        let mut record = csv::ByteRecord::with_capacity(out_len, ends_len);
        let mut start = 0;
        for &end in &self.ends[..ends_len] {
            record.push_field(&self.out[start..end]);
            start = end;
        }
        Ok(record)
    }
}

/// CSV with a header row of question ids (and optionally `id`).
pub struct CsvRecords<R> {
    reader: R,
    line: Vec<u8>,
    lines_read: u64,
    columns: Option<Vec<Column>>,
    header_error: Option<String>,
    // Boxed: the parser's tables are large, and the record readers share an enum.
    splitter: Box<FieldSplitter>,
    delimiter: u8,
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        CsvRecords::with_delimiter(reader, b',')
    }

    /// Records separated by `delimiter` (a tab for TSV).
    pub fn with_delimiter(reader: R, delimiter: u8) -> Self {
        CsvRecords {
            reader,
            line: Vec::new(),
            lines_read: 0,
            columns: None,
            header_error: None,
            splitter: Box::new(FieldSplitter::new(delimiter)),
            delimiter,
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
                match self.splitter.fields(bytes) {
                    Ok(fields) => match fields
                        .iter()
                        .map(std::str::from_utf8)
                        .collect::<Result<Vec<_>, _>>()
                    {
                        // One column whose name holds tabs: a tab-separated file read
                        // as CSV, which would otherwise fail column by column.
                        Ok(names)
                            if self.delimiter == b','
                                && names.len() == 1
                                && names[0].contains('\t') =>
                        {
                            self.header_error = Some(
                                "the header row is separated by tabs, not commas: this looks like tab-separated values; add --input-format tsv (or name the file .tsv), or separate the columns with commas".into(),
                            );
                        }
                        Ok(names) => columns = columns_for_header(book, names),
                        Err(_) => {
                            self.header_error = Some("the header row is not valid UTF-8".into())
                        }
                    },
                    Err(e) => self.header_error = Some(format!("the header row: {e}")),
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
        let record = match self.splitter.fields(&raw.bytes) {
            Ok(record) => record,
            Err(e) => return error(e),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records as this module splits them: each one's fields, or its error.
    fn split(input: &[u8]) -> Vec<Result<Vec<Vec<u8>>, String>> {
        let mut reader = io::BufReader::new(input);
        let (mut line, mut lines_read) = (Vec::new(), 0);
        let mut splitter = FieldSplitter::new(b',');
        let mut records = Vec::new();
        while let Some(raw) =
            read_csv_raw(&mut reader, &mut line, &mut lines_read).expect("reads from memory")
        {
            records.push(
                splitter
                    .fields(&raw.bytes)
                    .map(|r| r.iter().map(<[u8]>::to_vec).collect()),
            );
        }
        records
    }

    /// Records as the csv crate reads the whole input at once.
    fn reference(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input)
            .byte_records()
            .map(|r| {
                r.expect("the csv crate reads it")
                    .iter()
                    .map(<[u8]>::to_vec)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_stray_quote_does_not_swallow_the_next_line() {
        let records = split(b"id,age\nb,4\"0\nc,50\n");
        assert_eq!(records.len(), 3, "{records:?}");
        assert_eq!(records[1], Ok(vec![b"b".to_vec(), b"4\"0".to_vec()]));
        assert_eq!(records[2], Ok(vec![b"c".to_vec(), b"50".to_vec()]));
    }

    #[test]
    fn a_record_wider_than_the_first_buffers_is_split_whole() {
        let names: Vec<String> = (0..200).map(|i| format!("column_{i}")).collect();
        let line = names.join(",") + "\n";
        let records = split(line.repeat(2).as_bytes());
        let expected: Vec<Vec<u8>> = names.iter().map(|n| n.as_bytes().to_vec()).collect();
        assert_eq!(records, vec![Ok(expected.clone()), Ok(expected)]);
    }

    #[test]
    fn a_lone_carriage_return_is_an_error_not_a_lost_record() {
        let records = split(b"a,1\rb,2\n");
        assert_eq!(records.len(), 1);
        assert!(records[0].as_ref().unwrap_err().contains("carriage return"));
    }

    proptest! {
        /// With `\n` or `\r\n` line endings and no blank lines, the records are exactly the
        /// csv crate's, however the quotes fall (an unterminated quote aside, which is an
        /// error record elsewhere).
        #[test]
        fn records_match_the_csv_crate(
            lines in proptest::collection::vec("[a,\"]{1,6}(\r?\n[a,\"]{0,4})?", 1..6),
            crlf in any::<bool>(),
        ) {
            let ending = if crlf { "\r\n" } else { "\n" };
            let input: String = lines.iter().map(|l| format!("{l}{ending}")).collect();
            let ours = split(input.as_bytes());
            let theirs = reference(input.as_bytes());
            let ours: Vec<_> = ours.into_iter().map(|r| r.expect("no lone CR")).collect();
            // csv skips empty records, which blank lines inside our lines can produce.
            let ours: Vec<_> = ours.into_iter().filter(|r| r != &vec![Vec::<u8>::new()]).collect();
            let theirs: Vec<_> = theirs.into_iter().filter(|r| r != &vec![Vec::<u8>::new()]).collect();
            prop_assert_eq!(ours, theirs, "input {:?}", input);
        }
    }
}
