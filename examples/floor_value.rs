//! The schema-agnostic benchmark floor: parses each JSON Lines record into a
//! `serde_json::Value` (no knowledge of the questions at all) and writes a small JSON line
//! back. Beside the typed floor (`floor.rs`), it shows what reading any JSON costs.
//!
//! Usage: target/release/examples/floor_value < profiles.jsonl > /dev/null

use std::io::{BufRead, BufWriter, Write};

use serde::Serialize;

#[derive(Serialize)]
struct Out<'a> {
    record: u64,
    id: Option<&'a str>,
    ok: bool,
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = String::new();
    let mut record = 0u64;
    while input.read_line(&mut line)? > 0 {
        record += 1;
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&line);
        let (id, ok) = match &parsed {
            Ok(v) => (
                v.get("id").and_then(serde_json::Value::as_str),
                v.is_object(),
            ),
            Err(_) => (None, false),
        };
        serde_json::to_writer(&mut out, &Out { record, id, ok })?;
        out.write_all(b"\n")?;
        line.clear();
    }
    out.flush()
}
