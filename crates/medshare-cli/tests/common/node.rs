//! A `medshare node` serving a data directory, for the tests that talk to it.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
};

use super::medshare;

/// A running `medshare node` on a free port; stopped with SIGTERM on drop.
pub struct Node {
    child: Child,
    /// Its JSON-RPC endpoint.
    pub url: String,
}

impl Node {
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, options: &[&str]) -> Self {
        let mut child = medshare(dir, &[&["node", "--port", "0"][..], options].concat())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches(';')
            .to_string();
        Self { child, url }
    }

    /// Stops the node with SIGTERM and returns what it printed on stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        terminate(&self.child);
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code(), stderr)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends SIGTERM to `child`.
pub fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
