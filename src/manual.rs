//! `massage-check man`: one manual page for the whole tool. clap_mangen renders a page
//! per command; this puts every command's synopsis, description, options, examples and
//! exit codes on the one page, each under a heading of its own, so `man massage-check`
//! documents everything and refers to no page that does not exist.
//! Must not describe anything clap does not (the page is generated from the command
//! line).

use clap::CommandFactory;

use crate::cli::Cli;

/// The manual page, as roff.
pub fn render() -> std::io::Result<Vec<u8>> {
    let root = Cli::command().disable_help_subcommand(true);
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(root.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut extra = Vec::new();
    man.render_extra_section(&mut extra)?;
    out.extend_from_slice(
        String::from_utf8_lossy(&extra)
            .replace(".SH EXTRA", ".SH \"EXAMPLES AND EXIT CODES\"")
            .as_bytes(),
    );
    let mut commands = Vec::new();
    collect(&root, "massage-check", &mut commands);
    for (path, cmd) in commands {
        out.extend_from_slice(format!(".SH \"{}\"\n", path.to_uppercase()).as_bytes());
        let man = clap_mangen::Man::new(cmd.clone().bin_name(path.clone()));
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut section)?;
        }
        if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
            man.render_extra_section(&mut section)?;
        }
        // The command's own headings become subsections of its heading.
        let section = String::from_utf8_lossy(&section)
            .replace(".SH EXTRA", ".SS \"EXAMPLES AND EXIT CODES\"")
            .replace(".SH ", ".SS ");
        out.extend_from_slice(section.as_bytes());
    }
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Every command below `cmd` that does work (not groups such as `rules`), with its full
/// name, depth first.
fn collect(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{path} {}", sub.get_name());
        if sub.has_subcommands() {
            collect(sub, &name, out);
        } else {
            out.push((name, sub.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_renders_every_command_under_its_own_heading() {
        let page = String::from_utf8(super::render().expect("renders")).expect("UTF-8");
        for heading in [
            "MASSAGE-CHECK CHECK",
            "MASSAGE-CHECK BATCH",
            "MASSAGE-CHECK RULES TEST",
        ] {
            assert!(page.contains(&format!(".SH \"{heading}\"")), "{heading}");
        }
        assert!(
            !page.contains("massage\\-check\\-check(1)"),
            "no page that does not exist"
        );
    }
}
