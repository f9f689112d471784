use massage_check::batch::{self, InputFormat, Options};

// The independent record count the batch property test uses too.
#[allow(dead_code)]
#[path = "../../tests/common/record_count.rs"]
mod record_count;
use massage_check::date::Date;
use massage_check::engine::Engine;
use massage_check::report::{BatchOutput, Context};
use massage_check::rulebook::Rulebook;

pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles"))
}

pub fn today() -> Date {
    Date::from_ymd(2026, 11, 21).expect("date")
}

/// The report context every target uses: the built-in rulebook, the fixed date, 80
/// columns.
pub fn context<'a>(
    answers: Option<&'a massage_check::answers::Answers>,
    styled: bool,
) -> Context<'a> {
    Context {
        book: engine().book(),
        date: today(),
        width: 80,
        answers,
        styled,
    }
}

#[allow(dead_code)] // used by the batch targets only
/// Runs `data` through a batch in `format` and checks that every record in gave one
/// result out, against a count of the input's records made without the tool's readers.
pub fn batch_keeps_every_record(data: &[u8], format: InputFormat) {
    let engine = engine();
    let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(data.to_vec()));
    let mut out = Vec::new();
    let mut formatter = BatchOutput::Jsonl.formatter(false);
    let options = Options {
        input_format: format,
        ctx: context(None, false),
        fail_on: None,
        on_progress: None,
        threads: 1,
        id_column: None,
        column_map: None,
    };
    batch::run(
        engine,
        std::io::BufReader::new(reader),
        &mut out,
        formatter.as_mut(),
        &options,
    )
    .expect("in-memory input cannot fail to read");
    let results = out.iter().filter(|&&b| b == b'\n').count() as u64;
    let name = match format {
        InputFormat::Jsonl => "jsonl",
        InputFormat::Csv => "csv",
        InputFormat::Tsv => "tsv",
        InputFormat::Yaml => "yaml",
    };
    if data.split(|&b| b == b'\n' || b == b'\r').all(|l| l.len() < 60_000) {
        let (least, most) = record_count::expected_records(data, name);
        assert!(
            (least..=most).contains(&results),
            "{results} results, expected {least}..={most} records"
        );
    }
}
