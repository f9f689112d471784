//! Batch input in every format: every record in must give one result out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::batch::{self, InputFormat, Options};
use massage_check::report::{BatchOutput, Context};

mod common;

fuzz_target!(|data: &[u8]| {
    let engine = common::engine();
    for format in [InputFormat::Jsonl, InputFormat::Csv, InputFormat::Yaml] {
        let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(data.to_vec()));
        let mut out = Vec::new();
        let mut formatter = BatchOutput::Jsonl.formatter(false);
        let options = Options {
            input_format: format,
            ctx: Context { book: engine.book(), date: common::today(), width: 80, answers: None },
            fail_on: None,
            on_progress: None,
            threads: 1,
        };
        let stats = batch::run(engine, std::io::BufReader::new(reader), &mut out, formatter.as_mut(), &options)
            .expect("in-memory input cannot fail to read");
        let lines = out.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(lines, stats.records, "records in == results out");
    }
});
