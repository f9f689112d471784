//! Batch input in every format (the first byte picks which): every record in must give
//! one result out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::batch::InputFormat;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let format = [InputFormat::Jsonl, InputFormat::Csv, InputFormat::Yaml][usize::from(mode % 3)];
    common::batch_keeps_every_record(rest, format);
});
