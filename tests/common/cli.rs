//! Running the `ocop` binary in CLI tests.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `ocop args` (in `dir` when given) with `stdin` as its input (none: closed at once).
pub fn ocop_in(dir: Option<&Path>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ocop"));
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap_or_else(|| panic!("stdin"))
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}
