//! How results and errors reach the user: text for people, JSON (`--json`) for scripts.

use serde::Serialize;

/// Prints command results in the format chosen on the command line.
pub(crate) struct Printer {
    json: bool,
    quiet: bool,
}

impl Printer {
    pub(crate) const fn new(json: bool, quiet: bool) -> Self {
        Self { json, quiet }
    }

    /// Prints a command's result: `value` as JSON, or the `text` rendering.
    pub(crate) fn result<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(json) => println!("{json}"),
                Err(err) => eprintln!("error: cannot render JSON: {err}"),
            }
        } else if !self.quiet {
            println!("{}", text().trim_end());
        }
    }

    /// Prints a result whose essence is one value (an address, an id): `line` is printed even
    /// with `--quiet`, so that scripts can capture it.
    pub(crate) fn value<T: Serialize>(&self, value: &T, line: impl std::fmt::Display) {
        if self.json {
            self.result(value, String::new);
        } else {
            println!("{line}");
        }
    }

    /// Prints progress of a long command (text mode only).
    pub(crate) fn step(&self, message: impl std::fmt::Display) {
        if !self.json && !self.quiet {
            println!("==> {message}");
        }
    }

    /// Reports a failed command: one line on stderr, or a JSON object on stdout.
    pub(crate) fn error(&self, err: &anyhow::Error) {
        // `{:#}` joins the context chain on one line: "opening chain: file is locked".
        let message = format!("{err:#}");
        if self.json {
            println!(
                "{}",
                serde_json::json!({ "success": false, "error": message })
            );
        } else {
            eprintln!("error: {message}");
        }
    }
}
