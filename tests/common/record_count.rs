//! An independent count of the records in a batch input, written from each format's own
//! definition (and, for CSV, the README's rule for a quote that runs on) rather than from
//! the tool's readers, for the
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

/// CSV records, as the README defines them: a record is one line, unless a quote opens a
/// field and is not closed on that line; then it runs on over the following lines to the
/// first line end outside quotes, but only while the joined record stays valid (which
/// depends on the answers, so both outcomes are counted): a failed join is an error for
/// its first line, and the lines after it are read again, each on its own. The bounds are
/// the fewest and the most records any mix of joins and failures gives. The first record
/// is the header, which is read whole (to where its quotes close, or to the end), never
/// split. A line of whitespace (tabs included) outside a record is blank; a byte
/// order mark is not part of the first field.
fn csv_bounds(data: &[u8], delimiter: u8) -> (u64, u64) {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let lines: Vec<&[u8]> = physical_lines(data).collect();
    let n = lines.len();
    // least[i], most[i]: records from line i to the end.
    let mut least = vec![0u64; n + 1];
    let mut most = vec![0u64; n + 1];
    for i in (0..n).rev() {
        if lines[i].iter().all(u8::is_ascii_whitespace) {
            least[i] = least[i + 1];
            most[i] = most[i + 1];
            continue;
        }
        // Line i alone: a record of one line, or a join that failed.
        let (mut lo, mut hi) = (1 + least[i + 1], 1 + most[i + 1]);
        if let Some(last) = record_end(&lines, i, delimiter)
            && last > i
        {
            // The join held: lines i..=last are one record.
            lo = lo.min(1 + least[last + 1]);
            hi = hi.max(1 + most[last + 1]);
        }
        least[i] = lo;
        most[i] = hi;
    }
    // The header is read whole, never split: to where its quotes close, or to the end.
    let Some(header) = lines
        .iter()
        .position(|l| !l.iter().all(u8::is_ascii_whitespace))
    else {
        return (0, 0);
    };
    let after = record_end(&lines, header, delimiter).map_or(n, |last| last + 1);
    (least[after], most[after])
}

/// The line on which a record starting at line `first` ends: the first line end outside
/// a quoted field (RFC 4180: a quote that starts a field opens it, `""` inside is a
/// quote, a lone `"` closes it; a quote anywhere else is a plain character). `None` when
/// the input ends inside quotes.
fn record_end(lines: &[&[u8]], first: usize, delimiter: u8) -> Option<usize> {
    let mut quoted = false;
    for (n, line) in lines.iter().enumerate().skip(first) {
        let mut field_start = n == first || !quoted;
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            if quoted {
                if b == b'"' {
                    if line.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        quoted = false;
                    }
                }
            } else if b == delimiter {
                field_start = true;
                i += 1;
                continue;
            } else if b == b'"' && field_start {
                quoted = true;
            }
            field_start = false;
            i += 1;
        }
        if !quoted {
            return Some(n);
        }
    }
    None
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
