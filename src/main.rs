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
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidSubcommand => {
            // clap orders its "similar subcommands" alphabetically (`chek` offered
            // `schema` before `check`); name the closest one.
            use clap::CommandFactory;
            let typed = e
                .get(clap::error::ContextKind::InvalidSubcommand)
                .map(ToString::to_string)
                .unwrap_or_default();
            let command = Cli::command();
            let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            let guess = massage_check::suggest::closest(&typed, names.iter().copied())
                .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            report_error(&format!(
                "`{typed}` is not a command{guess}\n`massage-check --help` lists the commands"
            ));
            return ExitCode::from(app::EXIT_USAGE);
        }
        Err(e) => e.exit(),
    };
    massage_check::signals::install();
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Each cause on its own line (answer problems are one per line already).
            let mut lines = err.to_string();
            for cause in err.chain().skip(1) {
                lines.push('\n');
                lines.push_str(&cause.to_string());
            }
            report_error(&lines);
            ExitCode::from(app::exit_code(&err))
        }
    }
}

/// Prints an error on stderr: "error: " before the first line, the rest indented, any
/// control character from a file name or the input shown escaped, and every line wrapped
/// to the terminal's width when stderr is a terminal.
fn report_error(text: &str) {
    use massage_check::printable::printable;
    use std::io::IsTerminal;
    let width = std::io::stderr()
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(std::io::stderr()))
        .flatten()
        .map(|(w, _)| usize::from(w.0).max(40));
    for (i, line) in text.lines().enumerate() {
        let prefix = if i == 0 { "error: " } else { "  " };
        let line = printable(line);
        match width {
            Some(width) => {
                let options = textwrap::Options::new(width)
                    .initial_indent(prefix)
                    .subsequent_indent("    ")
                    .word_separator(textwrap::WordSeparator::AsciiSpace)
                    .break_words(false);
                for wrapped in textwrap::wrap(&line, options) {
                    eprintln!("{wrapped}");
                }
            }
            None => eprintln!("{prefix}{line}"),
        }
    }
}

/// mimalloc asks Linux for transparent huge pages for its arena, and the first touch of
/// each one zeroes 2 MiB: about a millisecond of a `check` that needs a few hundred KiB in
/// all, a third of its run (measured with `perf`; issue 24). Batch runs, whose memory stays
/// near 20 MiB, ran no slower without them. The Rust runtime touches the arena before
/// `main` runs, so this is a constructor: the loader calls it before the runtime starts,
/// and every fault after it gets ordinary pages.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static WITHOUT_HUGE_PAGES: extern "C" fn() = without_huge_pages;

#[cfg(target_os = "linux")]
extern "C" fn without_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's
    // memory policy; a kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

// Batch checks allocate a few dozen small objects per record; mimalloc halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
