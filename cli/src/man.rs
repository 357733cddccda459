//! The man page, `cli/mqttws.1`, generated from the clap definition by
//! clap_mangen and checked in (so `make install` needs no build); the test
//! here fails when the checked-in page drifts from the flags, and rewrites
//! it with `MQTTWS_UPDATE_MAN=1` (`make man`).
//!
//! One page for the whole program, as `man mqttws` is what people type:
//! the top-level name, synopsis and description, then one section per
//! subcommand (its synopsis, description, options by heading and notes),
//! then the exit codes, environment and examples.

use clap::CommandFactory;
use clap_mangen::Man;

use crate::args::Cli;

/// The page as roff.
fn render() -> std::io::Result<Vec<u8>> {
    let mut top = Cli::command();
    top.build();
    let man = Man::new(top.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_owned();
        let man = Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        man.render_options_section(&mut section)?;
        man.render_extra_section(&mut section)?;
        // The subcommand's sections become subsections of its own section.
        page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        for line in String::from_utf8_lossy(&section).lines() {
            let line = match line.strip_prefix(".SH ") {
                Some("EXTRA") => ".SS NOTES".to_owned(),
                Some(heading) => format!(".SS {heading}"),
                None => line.to_owned(),
            };
            page.extend_from_slice(line.as_bytes());
            page.push(b'\n');
        }
    }
    let mut notes = Vec::new();
    man.render_extra_section(&mut notes)?;
    let notes = String::from_utf8_lossy(&notes).replacen(
        ".SH EXTRA",
        ".SH \"EXIT STATUS, ENVIRONMENT AND EXAMPLES\"",
        1,
    );
    page.extend_from_slice(notes.as_bytes());
    man.render_version_section(&mut page)?;
    Ok(page)
}

#[test]
fn man_page_is_generated_from_the_flags_and_checked_in() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/mqttws.1");
    let page = render().unwrap();
    if std::env::var_os("MQTTWS_UPDATE_MAN").is_some() {
        std::fs::write(path, &page).unwrap();
    }
    let checked_in = std::fs::read(path).unwrap_or_default();
    assert!(
        checked_in == page,
        "{path} differs from the flags: run `make man` and commit the result"
    );
    let text = String::from_utf8_lossy(&page);
    for needle in [
        ".SH \"MQTTWS SUB\"",
        ".SH \"MQTTWS PUB\"",
        ".SH \"MQTTWS CREDS\"",
        "\\-\\-ws\\-path",
        "Exit codes:",
    ] {
        assert!(text.contains(needle), "the page lacks {needle:?}");
    }
}
