//! Streaming record readers for batch input: JSON Lines, CSV and multi-document YAML.
//! Each reads one record at a time with bounded memory, and turns anything unreadable
//! into an error record rather than stopping.

use std::io::{self, BufRead};

use crate::answers::column_map::ColumnMap;
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

/// Reads up to and including the next line end into `buf`, keeping at most `limit` bytes.
/// A line ends at `\n`, `\r\n` or a carriage return on its own (old Mac files, and what
/// some exporters still write), so a lone CR never joins two people's lines.
/// Returns `None` at end of input, else whether the line was longer than the limit.
fn read_line_limited<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    append_line_limited(reader, buf, limit)
}

/// [`read_line_limited`], but after what `buf` already holds (the limit counts this
/// line's bytes only): JSON Lines for the assessing threads go straight into their
/// chunk's buffer.
fn append_line_limited<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    let start = buf.len();
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
        let (chunk, end) = match memchr::memchr2(b'\n', b'\r', available) {
            Some(i) => (&available[..=i], Some(available[i])),
            None => (available, None),
        };
        let room = limit.saturating_sub(buf.len() - start);
        if chunk.len() > room {
            too_long = true;
            buf.extend_from_slice(&chunk[..room]);
        } else {
            buf.extend_from_slice(chunk);
        }
        let used = chunk.len();
        reader.consume(used);
        match end {
            Some(b'\r') => {
                // A CR is a line end either way; a `\n` right after it belongs to it.
                if next_byte_is_newline(reader)? {
                    reader.consume(1);
                    if buf.len() - start < limit {
                        buf.push(b'\n');
                    }
                }
                return Ok(Some(too_long));
            }
            Some(_) => return Ok(Some(too_long)),
            None => {}
        }
    }
}

fn next_byte_is_newline<R: BufRead>(reader: &mut R) -> io::Result<bool> {
    loop {
        match reader.fill_buf() {
            Ok(b) => return Ok(b.first() == Some(&b'\n')),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// JSON Lines: one object per line; blank lines are skipped.
pub struct JsonLines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    /// The key order the records so far have used; made on the first record.
    order: Option<answers::KeyOrder>,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::with_capacity(4096),
            order: None,
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
            let order = self
                .order
                .get_or_insert_with(|| answers::KeyOrder::new(book));
            if let Some(record) = line_record(book, order, self.line, &self.buf, too_long) {
                return Ok(Some(record));
            }
        }
    }

    /// Reads the next line into `chunk` without parsing it; `false` at the end of the
    /// input. The assessing threads parse the lines ([`LineChunk::records`]), so parsing
    /// is shared among them instead of falling to the reading thread.
    pub fn next_line(&mut self, chunk: &mut LineChunk) -> io::Result<bool> {
        let start = chunk.bytes.len();
        let Some(too_long) =
            append_line_limited(&mut self.reader, &mut chunk.bytes, MAX_RECORD_BYTES)?
        else {
            return Ok(false);
        };
        self.line += 1;
        chunk.lines.push(RawLine {
            number: self.line,
            end: chunk.bytes.len(),
            start,
            too_long,
        });
        Ok(true)
    }

    pub fn get_ref(&self) -> &R {
        &self.reader
    }
}

/// JSON Lines as read, not yet parsed: the lines' bytes one after the other.
#[derive(Debug, Default)]
pub struct LineChunk {
    bytes: Vec<u8>,
    lines: Vec<RawLine>,
}

#[derive(Debug)]
struct RawLine {
    number: u64,
    start: usize,
    end: usize,
    too_long: bool,
}

impl LineChunk {
    /// How many lines it holds (blank ones included).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Its records, parsed as [`JsonLines::next_record`] parses them (blank lines
    /// skipped); `order` is the parsing thread's own key order.
    pub fn records<'a>(
        &'a self,
        book: &'a Rulebook,
        order: &'a mut answers::KeyOrder,
    ) -> impl Iterator<Item = Record> + 'a {
        self.lines.iter().filter_map(move |l| {
            let bytes = self.bytes.get(l.start..l.end).unwrap_or_default();
            line_record(book, order, l.number, bytes, l.too_long)
        })
    }
}

/// The record on JSON Lines line `number`, or `None` for a blank line.
fn line_record(
    book: &Rulebook,
    order: &mut answers::KeyOrder,
    number: u64,
    line: &[u8],
    too_long: bool,
) -> Option<Record> {
    if too_long {
        return Some(Record {
            number,
            outcome: error_outcome(format!(
                "the record is longer than the limit of {MAX_RECORD_BYTES} bytes"
            )),
        });
    }
    let bytes = strip_bom(line, number);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Some(Record {
                number,
                outcome: error_outcome(format!(
                    "not valid UTF-8 (first bad byte at offset {})",
                    e.valid_up_to()
                )),
            });
        }
    };
    if text.trim().is_empty() {
        return None;
    }
    let outcome = answers::parse_json_record(book, text, order);
    Some(Record { number, outcome })
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
    /// Where each of the record's lines starts in `bytes`, with its line number.
    starts: Vec<(u64, usize)>,
    too_long: bool,
    /// A quoted field ran on past the size limit; the line that would have passed it was
    /// set aside, unread.
    overflowed: bool,
    /// The input ended inside a quoted field.
    unterminated: bool,
}

impl CsvRaw {
    /// The record ran on past its first line because a quoted field was open.
    fn spans_lines(&self) -> bool {
        self.starts.len() > 1 || self.overflowed
    }
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
    fn after(self, byte: u8, delimiter: u8) -> Quoting {
        use Quoting::*;
        match (self, byte) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted | FieldStart, b'"') => Quoted,
            (_, b'\n' | b'\r') => FieldStart,
            (_, b) if b == delimiter => FieldStart,
            _ => Unquoted,
        }
    }
}

/// A line read ahead and given back: the lines of a broken multi-line record are read
/// again, each as the start of a record of its own.
struct PendingLine {
    number: u64,
    bytes: Vec<u8>,
    too_long: bool,
}

/// The lines of a CSV input, grouped into raw records.
struct CsvLines<R> {
    reader: R,
    delimiter: u8,
    line: Vec<u8>,
    /// The number of the line in `line`.
    line_number: u64,
    lines_read: u64,
    pending: std::collections::VecDeque<PendingLine>,
}

impl<R: BufRead> CsvLines<R> {
    fn new(reader: R, delimiter: u8) -> Self {
        CsvLines {
            reader,
            delimiter,
            line: Vec::new(),
            line_number: 0,
            lines_read: 0,
            pending: std::collections::VecDeque::new(),
        }
    }

    /// The next line into `self.line`: one given back first, else one from the input.
    fn next_line(&mut self) -> io::Result<Option<bool>> {
        if let Some(pending) = self.pending.pop_front() {
            self.line = pending.bytes;
            self.line_number = pending.number;
            return Ok(Some(pending.too_long));
        }
        let read = read_line_limited(&mut self.reader, &mut self.line, MAX_RECORD_BYTES)?;
        if read.is_some() {
            self.lines_read += 1;
            self.line_number = self.lines_read;
            if self.lines_read == 1 && self.line.starts_with(b"\xef\xbb\xbf") {
                // Gone before the quotes are followed, as the csv crate does: a quote
                // right after the mark opens a quoted field.
                self.line.drain(..3);
            }
        }
        Ok(read)
    }

    /// Reads the next non-blank CSV record, or `None` at the end of the input.
    fn next_raw(&mut self) -> io::Result<Option<CsvRaw>> {
        let mut raw = CsvRaw {
            bytes: Vec::new(),
            line: 0,
            starts: Vec::new(),
            too_long: false,
            overflowed: false,
            unterminated: false,
        };
        let mut quoting = Quoting::FieldStart;
        loop {
            let Some(line_too_long) = self.next_line()? else {
                if raw.starts.is_empty() {
                    return Ok(None);
                }
                raw.unterminated = quoting == Quoting::Quoted;
                return Ok(Some(raw));
            };
            if raw.starts.is_empty() {
                if self.line.iter().all(|b| b.is_ascii_whitespace()) && !self.line.is_empty() {
                    // A blank line between records is not a record.
                    continue;
                }
                raw.line = self.line_number;
                if line_too_long {
                    // One line over the limit is its own error; the next line starts afresh.
                    raw.too_long = true;
                    raw.starts.push((self.line_number, 0));
                    return Ok(Some(raw));
                }
            } else if line_too_long || raw.bytes.len() + self.line.len() > MAX_RECORD_BYTES {
                // An open quote has run on to the size limit: keep this line for later.
                self.pending.push_front(PendingLine {
                    number: self.line_number,
                    bytes: std::mem::take(&mut self.line),
                    too_long: line_too_long,
                });
                raw.too_long = true;
                raw.overflowed = true;
                return Ok(Some(raw));
            }
            raw.starts.push((self.line_number, raw.bytes.len()));
            raw.bytes.extend_from_slice(&self.line);
            quoting = self
                .line
                .iter()
                .fold(quoting, |q, &b| q.after(b, self.delimiter));
            if quoting != Quoting::Quoted {
                return Ok(Some(raw));
            }
        }
    }

    /// Gives back every line of `raw` after its first, to be read again as records.
    fn give_back_after_first(&mut self, raw: CsvRaw) {
        let CsvRaw {
            mut bytes, starts, ..
        } = raw;
        for &(number, start) in starts.iter().skip(1).rev() {
            let tail = bytes.split_off(start);
            self.pending.push_front(PendingLine {
                number,
                bytes: tail,
                too_long: false,
            });
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
    lines: CsvLines<R>,
    columns: Option<Vec<Column>>,
    header_error: Option<String>,
    // Boxed: the parser's tables are large, and the record readers share an enum.
    splitter: Box<FieldSplitter>,
    delimiter: u8,
    /// The header of the column that names each record (`id` unless `--id-column`).
    id_column: Option<String>,
    /// A clinic's own wording mapped to the rulebook (`--columns`).
    map: Option<Box<ColumnMap>>,
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        CsvRecords::with_delimiter(reader, b',')
    }

    /// Records separated by `delimiter` (a tab for TSV).
    pub fn with_delimiter(reader: R, delimiter: u8) -> Self {
        CsvRecords {
            lines: CsvLines::new(reader, delimiter),
            columns: None,
            header_error: None,
            splitter: Box::new(FieldSplitter::new(delimiter)),
            delimiter,
            id_column: None,
            map: None,
        }
    }

    /// Reads headers and cells through a clinic's column map (`--columns MAP.yaml`).
    pub fn with_column_map(mut self, map: Option<ColumnMap>) -> Self {
        self.map = map.map(Box::new);
        self
    }

    /// Names the column that identifies each record (a form's "Email" or "Booking").
    pub fn with_id_column(mut self, id_column: Option<&str>) -> Self {
        self.id_column = id_column.map(str::to_string);
        self
    }

    /// Reads the header row (if not read yet) and returns the headers of the columns that
    /// match no question and are not read.
    pub fn ignored_columns(&mut self, book: &Rulebook) -> io::Result<Vec<String>> {
        self.header(book)?;
        Ok(self
            .columns
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Column::Ignored(name) => Some(name.clone()),
                _ => None,
            })
            .collect())
    }

    pub fn get_ref(&self) -> &R {
        &self.lines.reader
    }

    /// Reads the header row the first time it is needed.
    fn header(&mut self, book: &Rulebook) -> io::Result<()> {
        if self.columns.is_some() {
            return Ok(());
        }
        let raw = self.lines.next_raw()?;
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
                        Ok(names) => {
                            columns = columns_for_header(
                                book,
                                names,
                                self.id_column.as_deref(),
                                self.map.as_deref(),
                            )
                        }
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
        let Some(raw) = self.lines.next_raw()? else {
            return Ok(None);
        };
        let number = raw.line;
        let outcome = match &self.header_error {
            Some(message) => error_outcome(message.clone()),
            None => self.read_cells(&raw, book),
        };
        let id = if outcome.answers.is_err() && outcome.id.is_none() {
            self.readable_id(&raw)
        } else {
            None
        };
        if raw.spans_lines() && outcome.answers.is_err() {
            // A quote opened on this line and never closed where it should have been: say
            // so for this line, and read the lines it swallowed again, each on its own.
            let message = broken_quote_message(&raw, &outcome);
            self.lines.give_back_after_first(raw);
            return Ok(Some(Record {
                number,
                outcome: RecordOutcome {
                    id,
                    ..error_outcome(message)
                },
            }));
        }
        let outcome = match id {
            Some(id) => RecordOutcome {
                id: Some(id),
                ..outcome
            },
            None => outcome,
        };
        Ok(Some(Record { number, outcome }))
    }

    /// The id cell of a row that could not be read as a whole, when the cells up to it
    /// can be: so an error result still says whose row it was.
    fn readable_id(&self, raw: &CsvRaw) -> Option<String> {
        let at = self
            .columns
            .as_deref()?
            .iter()
            .position(|c| matches!(c, Column::Id))?;
        let first_line = raw.bytes.split(|&b| b == b'\n' || b == b'\r').next()?;
        let first_line = first_line
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(first_line);
        let mut rest = first_line;
        for i in 0..=at {
            let (cell, after) = if let Some(quoted) = rest.strip_prefix(b"\"") {
                // A quoted cell must close on this line, with no doubled quote inside.
                let close = quoted.iter().position(|&b| b == b'"')?;
                let after = &quoted[close + 1..];
                if !(after.is_empty() || after[0] == self.delimiter) {
                    return None;
                }
                (&quoted[..close], after.get(1..).unwrap_or_default())
            } else {
                let end = rest
                    .iter()
                    .position(|&b| b == self.delimiter)
                    .unwrap_or(rest.len());
                (&rest[..end], rest.get(end + 1..).unwrap_or_default())
            };
            if i == at {
                let id = std::str::from_utf8(cell).ok()?.trim();
                return (!id.is_empty()).then(|| id.to_string());
            }
            rest = after;
        }
        None
    }

    /// One raw record's cells read as answers; anything unreadable is an error outcome.
    fn read_cells(&mut self, raw: &CsvRaw, book: &Rulebook) -> RecordOutcome {
        if raw.too_long {
            return error_outcome(format!(
                "the record is longer than the limit of {MAX_RECORD_BYTES} bytes"
            ));
        }
        if raw.unterminated {
            return error_outcome(
                "the record ends inside a quoted field: the input stopped before its closing quote"
                    .into(),
            );
        }
        let record = match self.splitter.fields(&raw.bytes) {
            Ok(record) => record,
            Err(e) => return error_outcome(e),
        };
        let columns = self.columns.as_deref().unwrap_or_default();
        if record.len() > columns.len() {
            return error_outcome(format!(
                "the record has {} fields but the header names {} columns",
                record.len(),
                columns.len()
            ));
        }
        let cells: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        match cells {
            Ok(cells) => answers::parse_cells(book, columns, cells, self.map.as_deref()),
            Err(e) => error_outcome(format!("not valid UTF-8 ({e})")),
        }
    }
}

/// What went wrong with a record that a quote ran on over several lines.
fn broken_quote_message(raw: &CsvRaw, outcome: &RecordOutcome) -> String {
    let why = if raw.overflowed {
        format!("ran past the record limit of {MAX_RECORD_BYTES} bytes")
    } else if raw.unterminated {
        "was still open at the end of the input".to_string()
    } else {
        let last = raw.starts.last().map_or(raw.line, |&(n, _)| n);
        let first_problem = match &outcome.answers {
            Err(e) => e
                .problems()
                .first()
                .map(|p| match p.field.as_str() {
                    "" => p.message.clone(),
                    field => format!("{field}: {}", p.message),
                })
                .unwrap_or_default(),
            Ok(_) => String::new(),
        };
        format!("ran on to line {last}, and the joined record is not valid ({first_problem})")
    };
    format!(
        "a quoted field opened on this line is not closed on it (a \" at the start of a cell opens one); it {why}. \
         The lines after this one are read again as records of their own; close the quote, or remove it"
    )
}

/// A YAML stream of documents separated by `---` lines.
pub struct YamlDocuments<R> {
    reader: R,
    document: u64,
    lines_read: u64,
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
            lines_read: 0,
            line: Vec::new(),
            text: String::new(),
            too_long: false,
            bad_utf8: false,
            done: false,
        }
    }

    fn has_content(text: &str) -> bool {
        // A lone CR ends a line too, so a comment ended by one cannot hide the next line.
        text.split(['\n', '\r']).any(|l| {
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
            self.lines_read += 1;
            // A byte order mark counts only at the very start of the input.
            let bytes = if self.lines_read == 1 {
                self.line
                    .strip_prefix(b"\xef\xbb\xbf")
                    .unwrap_or(&self.line)
            } else {
                &self.line
            };
            let is_separator =
                bytes.starts_with(b"---") && bytes.get(3).is_none_or(|b| b.is_ascii_whitespace());
            if is_separator {
                let rest = std::str::from_utf8(&bytes[3..]).map(|t| t.trim().to_string());
                let record = self.take_document(book);
                // `--- {a: 1}` starts a document with content on the separator line.
                match rest {
                    // Only content counts toward the limit: a document is the same size
                    // with or without the `---` that starts it.
                    Ok(rest) if rest.is_empty() => {}
                    Ok(rest) => {
                        self.text.push_str(&rest);
                        self.text.push('\n');
                    }
                    Err(_) => self.bad_utf8 = true,
                }
                if record.is_some() {
                    return Ok(record);
                }
                continue;
            }
            let is_end_marker =
                bytes.starts_with(b"...") && bytes[3..].iter().all(u8::is_ascii_whitespace);
            if is_end_marker {
                // `...` ends a document: its result is due now, and what follows (with or
                // without a `---`) is the next document, never part of this one.
                if let Some(record) = self.take_document(book) {
                    return Ok(Some(record));
                }
                continue;
            }
            if bytes.starts_with(b"%") && !Self::has_content(&self.text) && !self.too_long {
                // A directive (`%YAML 1.2`) before a document is not a record.
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
        let mut lines = CsvLines::new(io::BufReader::new(input), b',');
        let mut splitter = FieldSplitter::new(b',');
        let mut records = Vec::new();
        while let Some(raw) = lines.next_raw().expect("reads from memory") {
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
    fn a_lone_carriage_return_ends_a_line() {
        let records = split(b"a,1\rb,2\r\nc,3\r");
        assert_eq!(
            records,
            vec![
                Ok(vec![b"a".to_vec(), b"1".to_vec()]),
                Ok(vec![b"b".to_vec(), b"2".to_vec()]),
                Ok(vec![b"c".to_vec(), b"3".to_vec()]),
            ]
        );
    }

    #[test]
    fn a_crlf_split_across_reads_is_one_line_end() {
        // A reader that hands out one byte at a time puts the \r and the \n in
        // different buffers.
        let input: &[u8] = b"a,1\r\nb,2\r\n";
        let mut lines = CsvLines::new(io::BufReader::with_capacity(1, input), b',');
        let mut seen = Vec::new();
        while let Some(raw) = lines.next_raw().expect("reads") {
            seen.push((raw.line, raw.bytes));
        }
        assert_eq!(
            seen,
            vec![(1, b"a,1\r\n".to_vec()), (2, b"b,2\r\n".to_vec())]
        );
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
