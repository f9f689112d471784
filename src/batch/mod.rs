//! Batch checks: many answer sets streamed through one compiled engine, one result per
//! record, in input order. A record that cannot be read or is invalid gets an error result
//! in its place; nothing stops the batch but an I/O error.

pub mod input;

use std::io::{self, BufReader, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::answers::AnswerProblem;
use crate::engine::Engine;
use crate::report::{BatchFormat, BatchItem, BatchRecord, Context};
use crate::rulebook::Tier;
use input::{CsvRecords, JsonLines, LineChunk, Record, YamlDocuments};

/// Input formats for `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// JSON Lines: one answers object per line.
    Jsonl,
    /// CSV: a header row of question ids (and optionally `id`), one person per row.
    Csv,
    /// Tab-separated values: as CSV, with tabs between the columns.
    Tsv,
    /// YAML: answers documents separated by `---` lines.
    Yaml,
}

impl InputFormat {
    /// The format a file name implies, if any.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            "tsv" | "tab" => Some(InputFormat::Tsv),
            "yaml" | "yml" => Some(InputFormat::Yaml),
            _ => None,
        }
    }

    /// What identifies a record without an id.
    pub fn unit(self) -> &'static str {
        match self {
            InputFormat::Jsonl | InputFormat::Csv | InputFormat::Tsv => "line",
            InputFormat::Yaml => "document",
        }
    }
}

/// The input stream, boxed so every source shares one concrete reader type.
pub type Input = BufReader<Box<dyn Read + Send>>;

/// Counts bytes read, for the progress bar.
pub struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    pub fn new(inner: R) -> (Counting<R>, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (
            Counting {
                inner,
                count: Arc::clone(&count),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

enum Source {
    Jsonl(JsonLines<Input>),
    Csv(CsvRecords<Input>),
    Yaml(YamlDocuments<Input>),
}

impl Source {
    fn next_record(&mut self, engine: &Engine) -> io::Result<Option<Record>> {
        match self {
            Source::Jsonl(s) => s.next_record(engine.book()),
            Source::Csv(s) => s.next_record(engine.book()),
            Source::Yaml(s) => s.next_record(engine.book()),
        }
    }

    /// Whether the next read may wait on the producer (nothing buffered): then what has
    /// been read so far is written out at once, so results stream as records arrive.
    fn may_block(&self) -> bool {
        match self {
            Source::Jsonl(s) => s.get_ref().buffer().is_empty(),
            Source::Yaml(s) => s.get_ref().buffer().is_empty(),
            Source::Csv(s) => s.get_ref().buffer().is_empty(),
        }
    }
}

/// Counts for the end-of-run summary and the exit code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub records: u64,
    pub invalid: u64,
    /// Indexed by tier, least strict first (`Tier as usize`).
    pub per_tier: [u64; 5],
    /// Whether any verdict met `--fail-on`.
    pub fail_on_hit: bool,
    /// CSV/TSV columns that match no question and were not read (a form's timestamp).
    pub ignored_columns: Vec<String>,
}

impl Stats {
    pub fn count(&self, tier: Tier) -> u64 {
        self.per_tier[tier as usize]
    }

    /// Adds the counts of `other` (one worker's share of the records).
    fn add(&mut self, other: &Stats) {
        self.records += other.records;
        self.invalid += other.invalid;
        for (mine, theirs) in self.per_tier.iter_mut().zip(other.per_tier) {
            *mine += theirs;
        }
        self.fail_on_hit |= other.fail_on_hit;
    }

    /// One line for stderr.
    pub fn describe(&self) -> String {
        let tiers: Vec<String> = Tier::ALL
            .iter()
            .map(|t| format!("{} {t}", self.count(*t)))
            .collect();
        let records = if self.records == 1 {
            "record"
        } else {
            "records"
        };
        format!(
            "{} {records}: {}; {} invalid",
            self.records,
            tiers.join(", "),
            self.invalid
        )
    }
}

/// What a batch run needs besides its input and output.
pub struct Options<'a> {
    pub input_format: InputFormat,
    pub ctx: Context<'a>,
    pub fail_on: Option<Tier>,
    /// Called now and then with the number of records done (for a progress bar).
    pub on_progress: Option<&'a dyn Fn(u64)>,
    /// 1: read, assess and write on one thread. N >= 2: read and parse on another
    /// thread, and assess on N threads when the format can be forked
    /// ([`BatchFormat::fork`]), else on this one.
    pub threads: usize,
    /// The CSV/TSV column that names each record (`id` when `None`).
    pub id_column: Option<&'a str>,
    /// A clinic's own wording for CSV/TSV headers and cells (`--columns`).
    pub column_map: Option<&'a crate::answers::column_map::ColumnMap>,
}

// Output is written in whole records, and flushed when this much has gathered, when
// this long has passed, or before input would block, so `batch | head` sees results
// as they come and a killed run leaves only complete lines.
const FLUSH_BYTES: usize = 64 * 1024;
const FLUSH_AFTER: Duration = Duration::from_millis(200);

/// Records handed from the reading thread to the assessing thread at a time.
const CHUNK: usize = 256;

/// What assessing one record needs: shared by every thread that assesses.
#[derive(Clone, Copy)]
struct Assessor<'e> {
    engine: &'e Engine,
    unit: &'static str,
    ctx: Context<'e>,
    fail_on: Option<Tier>,
}

impl Assessor<'_> {
    /// Assesses one record, appends its result through `format` and counts it.
    fn record(
        &self,
        record: Record,
        format: &mut dyn BatchFormat,
        stats: &mut Stats,
        out: &mut Vec<u8>,
    ) {
        stats.records += 1;
        let assessed = record
            .outcome
            .answers
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|a| {
                self.engine
                    .check_and_assess_with(a, self.ctx.date, format.detail())
            });
        match assessed {
            Ok(assessment) => {
                stats.per_tier[assessment.tier as usize] += 1;
                if self.fail_on.is_some_and(|t| assessment.tier >= t) {
                    stats.fail_on_hit = true;
                }
                let item = BatchRecord {
                    number: record.number,
                    unit: self.unit,
                    item: BatchItem::Assessed(&assessment),
                };
                // The answers go with the assessment, for a format that shows them.
                let ctx = Context {
                    answers: record.outcome.answers.as_ref().ok(),
                    ..self.ctx
                };
                format.item(&item, &ctx, out);
            }
            Err(e) => {
                stats.invalid += 1;
                let problems: Vec<AnswerProblem> = e.problems();
                let item = BatchRecord {
                    number: record.number,
                    unit: self.unit,
                    item: BatchItem::Invalid {
                        id: record.outcome.id(),
                        problems: &problems,
                    },
                };
                format.item(&item, &self.ctx, out);
            }
        }
    }
}

/// The writing half of a batch run (and, on one thread, the assessing half too).
struct Sink<'o, 'f, 'e> {
    assessor: Assessor<'e>,
    out: &'o mut dyn Write,
    format: &'f mut dyn BatchFormat,
    stats: Stats,
    buf: Vec<u8>,
    last_flush: Instant,
}

impl Sink<'_, '_, '_> {
    /// Assesses one record and appends its result; `flush_now` asks for the output to be
    /// written out (the input may pause). Returns false when the output has closed.
    fn handle(
        &mut self,
        record: Record,
        options: &Options<'_>,
        flush_now: bool,
    ) -> io::Result<bool> {
        self.assessor
            .record(record, self.format, &mut self.stats, &mut self.buf);
        // The clock is read every 64th record: reading it for each was 1% of a batch.
        let clock_due = self.stats.records % 64 == 0;
        if flush_now
            || self.buf.len() >= FLUSH_BYTES
            || (clock_due && self.last_flush.elapsed() >= FLUSH_AFTER)
        {
            if !write_out(self.out, &self.buf)? {
                return Ok(false);
            }
            self.buf.clear();
            self.last_flush = Instant::now();
            if let Some(progress) = options.on_progress {
                progress(self.stats.records);
            }
        }
        Ok(true)
    }

    fn finish(mut self) -> io::Result<Stats> {
        self.format.end(&mut self.buf);
        write_out(self.out, &self.buf)?;
        Ok(self.stats)
    }
}

/// Runs a batch: reads every record from `input`, writes one result per record to `out`
/// through `format`, in input order. With `threads >= 2`, one thread reads and parses
/// while the calling thread assesses and writes (or, for formats that allow it, several
/// threads parse JSON Lines and assess: [`run_in_parallel`]). A closed output ends the
/// run early without an error.
pub fn run(
    engine: &Engine,
    input: Input,
    out: &mut dyn Write,
    format: &mut dyn BatchFormat,
    options: &Options<'_>,
) -> io::Result<Stats> {
    let mut source = match options.input_format {
        InputFormat::Jsonl => Source::Jsonl(JsonLines::new(input)),
        InputFormat::Csv => Source::Csv(
            CsvRecords::new(input)
                .with_id_column(options.id_column)
                .with_column_map(options.column_map.cloned()),
        ),
        InputFormat::Tsv => Source::Csv(
            CsvRecords::with_delimiter(input, b'\t')
                .with_id_column(options.id_column)
                .with_column_map(options.column_map.cloned()),
        ),
        InputFormat::Yaml => Source::Yaml(YamlDocuments::new(input)),
    };
    let mut sink = Sink {
        assessor: Assessor {
            engine,
            unit: options.input_format.unit(),
            ctx: options.ctx,
            fail_on: options.fail_on,
        },
        out,
        format,
        stats: Stats::default(),
        buf: Vec::with_capacity(FLUSH_BYTES * 2),
        last_flush: Instant::now(),
    };
    sink.format.begin(&mut sink.buf);
    if let Source::Csv(csv) = &mut source {
        sink.stats.ignored_columns = csv.ignored_columns(engine.book())?;
    }

    if options.threads < 2 {
        while let Some(record) = source.next_record(engine)? {
            let flush_now = source.may_block();
            if !sink.handle(record, options, flush_now)? {
                return Ok(sink.stats);
            }
        }
        return sink.finish();
    }
    // Formats whose lines depend on one record alone are written by several assessing
    // threads; the others (a summary, files per record) keep assessing on this one.
    let forks: Option<Vec<_>> = (0..options.threads).map(|_| sink.format.fork()).collect();
    if let Some(formats) = forks {
        return run_in_parallel(source, sink, formats, options);
    }

    std::thread::scope(|scope| {
        // A bounded channel keeps memory flat: the reader waits when the writer lags.
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<Record>>>(4);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            loop {
                match source.next_record(engine) {
                    Ok(Some(record)) => {
                        chunk.push(record);
                        if (chunk.len() >= CHUNK || source.may_block())
                            && tx
                                .send(Ok(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))))
                                .is_err()
                        {
                            return;
                        }
                    }
                    Ok(None) => {
                        if !chunk.is_empty() {
                            let _ = tx.send(Ok(chunk));
                        }
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        for chunk in rx {
            let chunk = chunk?;
            // A short chunk means the input paused: show what we have.
            let short = chunk.len() < CHUNK;
            let last = chunk.len().saturating_sub(1);
            for (i, record) in chunk.into_iter().enumerate() {
                if !sink.handle(record, options, short && i == last)? {
                    return Ok(sink.stats);
                }
            }
        }
        sink.finish()
    })
}

/// Chunks of records on their way at once, per assessing thread: enough that no thread
/// waits while the oldest chunk is finished, few enough to keep memory flat.
const IN_FLIGHT_PER_THREAD: usize = 4;

/// The batch on `formats.len()` assessing threads: one thread reads chunks of records
/// (parsed, or JSON Lines as lines), each assessing thread takes the next chunk, parses
/// its lines and writes its results into a buffer, and this thread writes the buffers
/// out in input order. A chunk is handed out only when fewer than `IN_FLIGHT_PER_THREAD`
/// per thread are on their way, so memory stays flat however the threads are scheduled.
fn run_in_parallel(
    mut source: Source,
    mut sink: Sink<'_, '_, '_>,
    formats: Vec<Box<dyn BatchFormat + Send>>,
    options: &Options<'_>,
) -> io::Result<Stats> {
    let engine = sink.assessor.engine;
    let (work_tx, work_rx) = std::sync::mpsc::channel::<(u64, Chunk)>();
    // The assessing threads share one queue of chunks.
    let work_rx = std::sync::Mutex::new(work_rx);
    let assessor = sink.assessor;
    let assessor = &assessor;
    let in_flight = formats.len() * IN_FLIGHT_PER_THREAD;
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = std::sync::mpsc::channel::<(u64, Vec<u8>, Stats)>();
        let (ticket_tx, ticket_rx) = std::sync::mpsc::sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = ticket_tx.send(());
        }
        let reader = scope.spawn(move || -> io::Result<()> {
            let mut seq = 0;
            let mut chunk = Chunk::empty(&source);
            while chunk.read_one(&mut source, engine)? {
                // A short chunk means the input paused: send what we have.
                if chunk.len() >= CHUNK || source.may_block() {
                    let full = std::mem::replace(&mut chunk, Chunk::empty(&source));
                    if ticket_rx.recv().is_err() || work_tx.send((seq, full)).is_err() {
                        return Ok(());
                    }
                    seq += 1;
                }
            }
            if chunk.len() > 0 && ticket_rx.recv().is_ok() {
                let _ = work_tx.send((seq, chunk));
            }
            Ok(())
        });
        for mut format in formats {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            scope.spawn(move || {
                // Each thread learns the key order of the lines it parses.
                let mut order = crate::answers::KeyOrder::new(engine.book());
                loop {
                    // A poisoned lock still holds a working receiver.
                    let job = work_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((seq, chunk)) = job else {
                        return;
                    };
                    let mut stats = Stats::default();
                    let mut out = Vec::with_capacity(FLUSH_BYTES);
                    let mut assess = |record| {
                        assessor.record(record, format.as_mut(), &mut stats, &mut out);
                    };
                    match chunk {
                        Chunk::Records(records) => records.into_iter().for_each(&mut assess),
                        Chunk::Lines(lines) => lines
                            .records(engine.book(), &mut order)
                            .for_each(&mut assess),
                    }
                    if done_tx.send((seq, out, stats)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // What the format wrote first (a CSV header) goes before any record.
        if !write_out(sink.out, &sink.buf)? {
            return Ok(sink.stats);
        }
        sink.buf.clear();
        // Chunks finish out of order; each is written when all before it have been.
        let mut finished = std::collections::BTreeMap::new();
        let mut next = 0;
        for (seq, out, stats) in &done_rx {
            finished.insert(seq, (out, stats));
            while let Some((out, stats)) = finished.remove(&next) {
                next += 1;
                sink.stats.add(&stats);
                if !write_out(sink.out, &out)? {
                    return Ok(sink.stats);
                }
                let _ = ticket_tx.send(());
                if let Some(progress) = options.on_progress {
                    progress(sink.stats.records);
                }
            }
        }
        match reader.join() {
            Ok(read) => read?,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        sink.finish()
    })
}

/// Records on their way to an assessing thread. JSON Lines go as the lines read, and
/// the assessing threads parse them: parsing is a third of the work per record, and on
/// the reading thread it held every assessing thread back.
enum Chunk {
    Records(Vec<Record>),
    Lines(LineChunk),
}

impl Chunk {
    fn empty(source: &Source) -> Chunk {
        match source {
            Source::Jsonl(_) => Chunk::Lines(LineChunk::default()),
            _ => Chunk::Records(Vec::with_capacity(CHUNK)),
        }
    }

    /// Adds the next record (or line) of `source`; `false` at the end of the input.
    fn read_one(&mut self, source: &mut Source, engine: &Engine) -> io::Result<bool> {
        match (self, source) {
            (Chunk::Lines(lines), Source::Jsonl(jsonl)) => jsonl.next_line(lines),
            (Chunk::Records(records), source) => match source.next_record(engine)? {
                Some(record) => {
                    records.push(record);
                    Ok(true)
                }
                None => Ok(false),
            },
            // `Chunk::empty` makes lines only for JSON Lines.
            (Chunk::Lines(_), _) => Err(io::Error::other(
                "internal error: a chunk of lines for input that is not JSON Lines",
            )),
        }
    }

    fn len(&self) -> usize {
        match self {
            Chunk::Records(records) => records.len(),
            Chunk::Lines(lines) => lines.len(),
        }
    }
}

/// Writes and flushes; `Ok(false)` when the reader has gone away (a closed pipe).
fn write_out(out: &mut dyn Write, bytes: &[u8]) -> io::Result<bool> {
    match crate::whole_write::write_whole(out, bytes) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}
