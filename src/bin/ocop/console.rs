//! Writing to standard output and standard error without ever panicking.
//!
//! `println!` and `eprintln!` panic when the write fails (`ocop list >/dev/full`, `ocop check
//! 2>/dev/full`); every write of the tool goes through here instead:
//!
//! - a failed write to stdout ends the command with an error (exit code 1), except a closed pipe
//!   (`ocop list | head -1`), which ends it quietly with success, as `cat` and `rg` do;
//! - a failed write to stderr is remembered and makes the exit code 1 (there is nowhere left to
//!   say why);
//! - stdout is flushed and checked before the program ends, so no output is lost unnoticed.
//!
//! Text from input (file names, diagnostics) is escaped for a terminal before it is written
//! ([`ocop_rating::terminal`]).

use ocop_rating::terminal::{escape, escape_diagnostics, escape_lines};
use ocop_rating::{Diagnostic, render_all};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Why a command ends early: what to say on stderr (if anything) and the exit code.
#[derive(Debug)]
pub struct Exit {
    pub message: Option<String>,
    pub code: u8,
}

impl From<String> for Exit {
    fn from(message: String) -> Exit {
        Exit { message: Some(message), code: 1 }
    }
}

impl Exit {
    /// Ends quietly with `code`.
    pub fn quiet(code: u8) -> Exit {
        Exit { message: None, code }
    }
}

/// The exit for a failed write of output: success for a closed pipe, else an error.
pub fn output_failed(e: std::io::Error) -> Exit {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Exit::quiet(0)
    } else {
        Exit::from(format!("error[io]: output: {e}"))
    }
}

/// Writes text to stdout.
pub fn out(text: &str) -> Result<(), Exit> {
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(output_failed)
}

/// Flushes stdout; the last write's error shows here when stdout is line-buffered.
pub fn flush_out() -> Result<(), Exit> {
    std::io::stdout().lock().flush().map_err(output_failed)
}

/// Writes a message and a line break to stderr; control characters other than line breaks are
/// escaped. A failure is remembered ([`stderr_failed`]).
pub fn err_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let text = escape_lines(text);
    if stderr.write_all(text.as_bytes()).and_then(|()| stderr.write_all(b"\n")).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Writes to stderr as is (the progress display); false when it failed, which is remembered.
pub fn err_raw(text: &str) -> bool {
    let mut stderr = std::io::stderr().lock();
    if stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush()).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
        return false;
    }
    true
}

/// Whether a write to stderr failed.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

/// A path for a message, escaped.
pub fn name(path: &std::path::Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

/// A library error made of diagnostics (`LoadError`, `AssessmentError`): its first line, then
/// every diagnostic escaped, so that no text of the input can forge or hide a line.
pub fn diagnostics_text(error: &dyn std::fmt::Display, diagnostics: &[Diagnostic]) -> String {
    let text = error.to_string();
    let head = text.lines().next().unwrap_or_default();
    format!("{}\n{}", escape(head), render_all(&escape_diagnostics(diagnostics)).trim_end())
}

/// JSON text with the characters that [`ocop_rating::terminal::needs_escape`] names and serde
/// leaves raw (DEL, the C1 controls, the bidirectional controls, the line separators) written
/// as `\uXXXX` escapes: the same JSON value, safe on a terminal. They can only occur inside
/// strings, where such an escape means the same character.
pub fn json_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && ocop_rating::terminal::needs_escape(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Prints a command-line parsing error (escaped: it quotes the arguments) or the help and
/// version texts; returns the exit code.
pub fn clap_error(e: &clap::Error) -> u8 {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    if e.use_stderr() {
        err_line(e.render().to_string().trim_end());
        return code;
    }
    // --help, --version: no argument text in them, and clap colours them on a terminal.
    match e.print() {
        Ok(()) => code,
        Err(err) => {
            let exit = output_failed(err);
            if let Some(message) = &exit.message {
                err_line(message);
            }
            exit.code.max(code)
        }
    }
}

/// `n` and the noun, singular for one: `1 criterion`, `2 criteria`, `0 rows`.
pub fn plural<N>(n: N, one: &str, many: &str) -> String
where
    N: Copy + std::fmt::Display + TryInto<u64>,
{
    let word = if n.try_into().is_ok_and(|n| n == 1) { one } else { many };
    format!("{n} {word}")
}
