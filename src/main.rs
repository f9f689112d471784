use std::process::ExitCode;

use clap::Parser;
use massage_check::{app, cli::Cli};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version go to stdout through the same checked writer as reports,
        // so a full or closed stdout is an error, not a silent success.
        Err(e) if !e.use_stderr() => {
            let text = e.render().ansi().to_string();
            let styled =
                app::write_stdout_styled(text.as_bytes(), massage_check::cli::ColorWhen::Auto);
            return match styled {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err:#}");
                    ExitCode::from(app::EXIT_ERROR)
                }
            };
        }
        Err(e) => e.exit(),
    };
    massage_check::signals::install();
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Each cause on its own line (answer problems are one per line already), with
            // any control character from a file name or the input shown escaped.
            use massage_check::printable::printable;
            let mut lines = err.to_string();
            for cause in err.chain().skip(1) {
                lines.push('\n');
                lines.push_str(&cause.to_string());
            }
            for (i, line) in lines.lines().enumerate() {
                let prefix = if i == 0 { "error: " } else { "  " };
                eprintln!("{prefix}{}", printable(line));
            }
            ExitCode::from(app::exit_code(&err))
        }
    }
}

// Batch checks allocate a few dozen small objects per record; mimalloc halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
