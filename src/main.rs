use std::process::ExitCode;

use clap::Parser;
use massage_check::{app, cli::Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    massage_check::signals::install();
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Each cause on its own line: answer problems are one per line already.
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                for line in cause.to_string().lines() {
                    eprintln!("  {line}");
                }
            }
            ExitCode::from(app::exit_code(&err))
        }
    }
}

// Batch checks allocate a few dozen small objects per record; mimalloc halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
