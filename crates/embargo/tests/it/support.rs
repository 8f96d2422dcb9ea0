use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `embargo` binary with a clean environment: no `EMBARGO_*` settings leak in from the
/// developer's shell, only what the test sets.
pub fn embargo(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embargo"));
    for (key, _) in std::env::vars() {
        if key.starts_with("EMBARGO_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("EMBARGO_DATA_DIR", data_dir);
    cmd.env("EMBARGO_LOG", "warn");
    cmd
}

/// A running `embargo serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// Lines printed on stdout before the server announced its address.
    pub banner: Vec<String>,
}

impl Server {
    /// Starts `embargo serve` on a free port and waits until it listens.
    pub fn start(cmd: Command) -> Server {
        Server::start_with(cmd, &[])
    }

    /// Starts `embargo serve` with extra `serve` options.
    pub fn start_with(mut cmd: Command, serve_args: &[&str]) -> Server {
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("starting embargo serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            let line = match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => line,
                Err(e) => {
                    let _ = child.kill();
                    let status = child.wait();
                    panic!("embargo serve did not announce its address ({e}); exit: {status:?}");
                }
            };
            if let Some(addr) = line.strip_prefix("Embargo is listening on ") {
                return Server {
                    child,
                    base: addr.to_owned(),
                    banner,
                };
            }
            banner.push(line);
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
        let exit = self.child.wait().expect("waiting for embargo serve");
        std::mem::forget(self);
        exit
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("building an HTTP client")
}
