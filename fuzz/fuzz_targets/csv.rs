//! CSV batch input: every record in gives one result out, whatever the quoting, and no
//! record is read past its 64 KiB.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::batch::InputFormat;

mod common;

fuzz_target!(|data: &[u8]| common::batch_keeps_every_record(data, InputFormat::Csv));
