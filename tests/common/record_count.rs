//! An independent count of the records in a batch input, written from each format's own
//! definition (and, for CSV, the csv crate) rather than from the tool's readers, for the
//! invariant "every record in gives one result out". Shared by the batch property test and
//! the fuzz targets (`fuzz/fuzz_targets/common.rs` includes this file).
//!
//! Inputs are assumed to hold no line over the 64 KiB record limit (fuzz inputs are a few
//! KiB); the limit has tests of its own.

/// How many results a batch of `data` must give: at least `.0`, at most `.1`.
pub fn expected_records(data: &[u8], format: &str) -> (u64, u64) {
    // A byte order mark starts the text of JSON Lines and YAML; in CSV it stays a byte of
    // the header row.
    let text = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    match format {
        "jsonl" => {
            let n = physical_lines(text).filter(|line| !is_blank(line)).count() as u64;
            (n, n)
        }
        "csv" => csv_bounds(data, b','),
        "tsv" => csv_bounds(data, b'\t'),
        "yaml" => {
            let n = yaml_documents(text);
            (n, n)
        }
        other => panic!("no record count for {other}"),
    }
}

/// Lines as a reader of text sees them: ended by `\n`, `\r\n` or a lone `\r`.
fn physical_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
        let (line, next) = match end {
            None => (rest, &rest[rest.len()..]),
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => {
                (&rest[..i], &rest[i + 2..])
            }
            Some(i) => (&rest[..i], &rest[i + 1..]),
        };
        rest = next;
        Some(line)
    })
}

/// Whitespace only (as text); a line that is not UTF-8 is never blank.
fn is_blank(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(|t| t.trim().is_empty())
}

/// CSV records: no fewer than the csv crate reads as one pass over the whole input (a
/// reader may split a record whose quote never closes, never join two), no more than one
/// per non-blank line; the first record is the header. A line of whitespace (tabs
/// included) is blank, whatever the delimiter.
fn csv_bounds(data: &[u8], delimiter: u8) -> (u64, u64) {
    let whole = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data)
        .byte_records()
        .filter_map(Result::ok)
        .filter(|r| {
            !r.iter()
                .all(|field| field.iter().all(u8::is_ascii_whitespace))
        })
        .count() as u64;
    let lines = physical_lines(data)
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count() as u64;
    (whole.saturating_sub(1), lines.saturating_sub(1))
}

/// YAML documents with content: separated by `---` lines (content may follow the marker)
/// and ended by `...` lines; blank lines, comments and directives before a document are
/// not content. A line that is not UTF-8 is content (it is an error record).
fn yaml_documents(data: &[u8]) -> u64 {
    let mut count = 0;
    let mut has_content = false;
    for line in physical_lines(data) {
        let marker =
            |m: &[u8]| line.starts_with(m) && line.get(3).is_none_or(|b| b.is_ascii_whitespace());
        if marker(b"---") {
            count += u64::from(has_content);
            has_content = is_content(&line[3..]);
            continue;
        }
        if marker(b"...") && line[3..].iter().all(u8::is_ascii_whitespace) {
            count += u64::from(has_content);
            has_content = false;
            continue;
        }
        if !has_content && line.starts_with(b"%") {
            continue;
        }
        has_content |= is_content(line);
    }
    count + u64::from(has_content)
}

fn is_content(line: &[u8]) -> bool {
    match std::str::from_utf8(line) {
        Ok(text) => {
            let t = text.trim();
            !(t.is_empty() || t.starts_with('#') || t == "...")
        }
        Err(_) => true,
    }
}
