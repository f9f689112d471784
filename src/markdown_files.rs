//! `batch --format markdown --output-dir DIR`: one Markdown summary per assessed record
//! (`DIR/<id>.md`, the same summary as `check --format markdown`), for the therapist to
//! read before the session, and the usual summary table on stdout. Each file is written
//! whole or not at all, owner-only unless `--mode`, and never over an existing file
//! without `--force`. Owns file names and writing; renders nothing itself.

use std::cell::Cell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;

use crate::engine::Detail;
use crate::output_file;
use crate::report::{self, BatchFormat, BatchItem, BatchRecord, Context, Format};

/// Wraps the summary format: the summary goes to stdout, each record's Markdown to a file.
pub struct MarkdownFiles {
    pub summary: Box<dyn BatchFormat>,
    pub dir: PathBuf,
    pub force: bool,
    pub mode: Option<u32>,
    /// Files that could not be written (each said on stderr), for the exit code.
    pub failed: Rc<Cell<u64>>,
    names: HashSet<String>,
}

impl MarkdownFiles {
    pub fn new(
        summary: Box<dyn BatchFormat>,
        dir: PathBuf,
        force: bool,
        mode: Option<u32>,
    ) -> Self {
        MarkdownFiles {
            summary,
            dir,
            force,
            mode,
            failed: Rc::new(Cell::new(0)),
            names: HashSet::new(),
        }
    }

    /// A file name from the record's id (letters, digits, `.`, `-`, `_`, `@` kept, the rest
    /// `_`, at most 100 characters), or `record-N`; a name taken by an earlier record gets
    /// `-N` (its record number) added, so no summary replaces another.
    fn file_name(&mut self, record: &BatchRecord<'_, '_>) -> String {
        let base = match record.id() {
            Some(id) => {
                let safe: String = id
                    .chars()
                    .take(100)
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                // Never `.`, `..` or a hidden file.
                if safe.starts_with('.') {
                    format!("record-{safe}")
                } else {
                    safe
                }
            }
            None => format!("record-{}", record.number),
        };
        let mut name = base.clone();
        if !self.names.insert(name.clone()) {
            name = format!("{base}-{}", record.number);
            self.names.insert(name.clone());
        }
        format!("{name}.md")
    }
}

impl BatchFormat for MarkdownFiles {
    fn detail(&self) -> Detail {
        Detail::Full
    }

    fn begin(&mut self, out: &mut Vec<u8>) {
        self.summary.begin(out);
    }

    fn item(&mut self, record: &BatchRecord<'_, '_>, ctx: &Context<'_>, out: &mut Vec<u8>) {
        self.summary.item(record, ctx, out);
        let BatchItem::Assessed(assessment) = &record.item else {
            return;
        };
        let text = report::render(assessment, ctx, Format::Markdown);
        let name = self.file_name(record);
        let path = self.dir.join(name);
        if let Err(e) = output_file::write_whole(
            &path,
            text.as_bytes(),
            self.force,
            "--output-dir",
            self.mode,
        ) {
            eprintln!("massage-check: {}: {e:#}", record.label());
            self.failed.set(self.failed.get() + 1);
        }
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        self.summary.end(out);
    }
}
