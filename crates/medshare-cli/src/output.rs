//! How results and errors reach the user: sentences for people, one JSON document for scripts
//! (`--json`: `{"success": true, "data": …}` or `{"success": false, "error": {…}}`, as foundry's
//! cast does), and only the essential value with `-q`.

use std::{
    fmt::Display,
    io::{ErrorKind, Write},
};

use serde::Serialize;

/// Exit code of a command line that is wrong (unknown option, malformed argument).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code of every other failure.
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code when stdout was closed under us (`medshare … | head -1`): 128 + SIGPIPE, what a
/// program killed by the signal reports to the shell.
pub(crate) const EXIT_STDOUT_CLOSED: u8 = 141;

/// A usage error: the command line is wrong, not the world. Exits with [`EXIT_USAGE`].
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A usage error with `message`.
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// A contract's refusal, explained: keeps the custom error's name for `--json`.
#[derive(Debug)]
pub(crate) struct ContractError {
    pub(crate) name: Option<&'static str>,
    pub(crate) message: String,
}

impl Display for ContractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ContractError {}

/// The panic payload that unwinds a command whose stdout was closed, so that destructors (the
/// demo's directory removal) still run; `main` turns it into a quiet exit.
pub(crate) struct StdoutClosed;

/// User input as it may appear in a message: at most 48 characters, with its length when cut,
/// and control characters escaped so that a terminal never interprets them.
pub(crate) fn cut(text: &str) -> String {
    const KEEP: usize = 48;
    let escaped: String = text
        .chars()
        .take(KEEP)
        .flat_map(char::escape_debug)
        .collect();
    let escaped = escaped.replace("\\\"", "\"").replace("\\'", "'");
    let count = text.chars().count();
    if count > KEEP {
        format!("{escaped}… ({count} characters)")
    } else {
        escaped
    }
}

/// `1 member`, `2 members`, `2 authorities`.
pub(crate) fn plural(count: impl Into<u128>, noun: &str) -> String {
    let count = count.into();
    if count == 1 {
        return format!("1 {noun}");
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{count} {stem}ies"),
        _ => format!("{count} {noun}s"),
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for a Unix timestamp.
pub(crate) fn utc(timestamp: u64) -> String {
    let secs = timestamp % 86_400;
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        date(timestamp),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `YYYY-MM-DD HH:MM UTC`: to the minute, for a time a person plans around.
pub(crate) fn utc_minutes(timestamp: u64) -> String {
    let secs = timestamp % 86_400;
    format!(
        "{} {:02}:{:02} UTC",
        date(timestamp),
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `YYYY-MM-DD` of a Unix timestamp (proleptic Gregorian calendar).
fn date(timestamp: u64) -> String {
    // Howard Hinnant's civil_from_days, shifted so that eras start on 0000-03-01.
    let z = (timestamp / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `timestamp` as seen from `now`, in its largest whole unit: `in 23 h`, `5 min ago`, `now`.
pub(crate) fn relative(timestamp: u64, now: u64) -> String {
    let seconds = timestamp.abs_diff(now);
    let amount = match seconds {
        0 => return "now".to_string(),
        // Hours stay readable up to two days; beyond, days.
        s if s >= 2 * 86_400 => format!("{} d", s / 86_400),
        s if s >= 3_600 => format!("{} h", s / 3_600),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    };
    if timestamp > now {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// Prints command results in the format chosen on the command line.
pub(crate) struct Printer {
    json: bool,
    quiet: bool,
}

impl Printer {
    pub(crate) const fn new(json: bool, quiet: bool) -> Self {
        Self { json, quiet }
    }

    /// Prints a command's result: `data` in the JSON envelope, `essential` with `-q`, else the
    /// `text` for people. Every command prints exactly one result.
    pub(crate) fn result<T: Serialize>(
        &self,
        data: &T,
        text: impl FnOnce() -> String,
        essential: impl Display,
    ) {
        if self.json {
            let document = serde_json::json!({ "success": true, "data": data });
            write_stdout(&pretty(&document));
        } else if self.quiet {
            write_stdout(essential.to_string().trim_end());
        } else {
            write_stdout(text().trim_end());
        }
    }

    /// Prints progress of a long command (text mode only, on stdout so that it interleaves
    /// with the result).
    pub(crate) fn step(&self, message: impl Display) {
        if !self.json && !self.quiet {
            write_stdout(&format!("==> {message}"));
        }
    }

    /// Reports a failed command: one line on stderr, or the error envelope on stdout.
    pub(crate) fn error(&self, err: &anyhow::Error, usage: bool) {
        let message = message(err);
        if self.json {
            let contract_error = err
                .chain()
                .find_map(|cause| cause.downcast_ref::<ContractError>())
                .and_then(|e| e.name);
            let mut error = serde_json::json!({
                "kind": if usage { "usage" } else { "failure" },
                "message": message,
            });
            if let Some(name) = contract_error {
                error["contractError"] = name.into();
            }
            write_stdout(&pretty(
                &serde_json::json!({ "success": false, "error": error }),
            ));
        } else {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {message}");
        }
    }
}

/// The error's context chain on one line ("opening chain: file is locked"), without repeating a
/// cause that a context already quotes.
fn message(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Writes `line` and a newline to stdout; a closed stdout unwinds with [`StdoutClosed`].
fn write_stdout(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    if let Err(err) = written {
        if err.kind() == ErrorKind::BrokenPipe {
            drop(stdout);
            std::panic::resume_unwind(Box::new(StdoutClosed));
        }
        let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {err}");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cuts_long_input_and_escapes_control_characters() {
        assert_eq!(cut("short"), "short");
        assert_eq!(cut("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        let long = "x".repeat(5000);
        let shown = cut(&long);
        assert!(
            shown.len() < 80 && shown.ends_with("(5000 characters)"),
            "{shown}"
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1u64, "member"), "1 member");
        assert_eq!(plural(0u64, "approval"), "0 approvals");
        assert_eq!(plural(2u64, "approval"), "2 approvals");
        assert_eq!(plural(3u64, "authority"), "3 authorities");
        assert_eq!(plural(2u64, "key"), "2 keys");
    }

    #[test]
    fn formats_known_timestamps() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_788_000), "2026-11-27 14:00:00 UTC");
        assert_eq!(utc_minutes(1_795_788_059), "2026-11-27 14:00 UTC");
    }

    #[test]
    fn relative_times() {
        let now = 1_795_788_000;
        assert_eq!(relative(now + 23 * 3_600 + 59 * 60, now), "in 23 h");
        assert_eq!(relative(now + 5 * 60 + 59, now), "in 5 min");
        assert_eq!(relative(now + 40, now), "in 40 s");
        assert_eq!(relative(now - 3 * 60, now), "3 min ago");
        assert_eq!(relative(now + 7 * 86_400, now), "in 7 d");
        assert_eq!(relative(now + 47 * 3_600, now), "in 47 h");
        assert_eq!(relative(now, now), "now");
    }

    #[test]
    fn a_context_that_quotes_its_cause_is_not_repeated() {
        let err = anyhow::anyhow!("wrong password").context("account `a`: wrong password");
        assert_eq!(message(&err), "account `a`: wrong password");
        let err = anyhow::anyhow!("file is locked").context("opening chain");
        assert_eq!(message(&err), "opening chain: file is locked");
    }
}
