//! `kpitree serve` as a process: it answers exactly what `kpitree check --format json` (with and
//! without plugins) and `kpitree prune --format json` print, reloads plugins on
//! SIGHUP, exits cleanly on SIGTERM, and keeps answering with more idle sockets open than it has
//! file descriptors.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_kpitree");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `kpitree serve` and the address it listens on (read from its `listening` log line).
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_logging(args, &mut Vec::new())
    }

    /// Starts with `NO_COLOR` unset, as a service manager would, keeping the log up to `listening`.
    fn start_logging(args: &[&str], log: &mut Vec<String>) -> Server {
        Server::start_from(Command::new(BIN), args, log)
    }

    /// Starts `kpitree serve` with `ulimit -n files` (through `sh`, which `exec`s it: same pid).
    fn start_with_open_file_limit(files: u32, args: &[&str]) -> Server {
        let mut sh = Command::new("sh");
        sh.args(["-c", &format!("ulimit -n {files} && exec \"$0\" \"$@\""), BIN]);
        Server::start_from(sh, args, &mut Vec::new())
    }

    fn start_from(mut command: Command, args: &[&str], log: &mut Vec<String>) -> Server {
        let mut child = command
            .current_dir(repo())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("NO_COLOR")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let stderr = child.stderr.take().expect("piped");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().unwrap_or_else(|| panic!("exited: {}", log.join("\n"))).expect("reads");
            log.push(line.clone());
            if line.contains("listening") {
                let rest = line.split("addr=").nth(1).unwrap_or_else(|| panic!("no addr= in {line:?}"));
                break rest.split_whitespace().next().expect("an address").to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base: format!("http://{addr}") }
    }

    fn signal(&self, name: &str) {
        let ok =
            Command::new("kill").args([format!("-{name}"), self.child.id().to_string()]).status().expect("kill runs");
        assert!(ok.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    let mut log = Vec::new();
    let _server = Server::start_logging(&[], &mut log);
    assert!(log.iter().any(|l| l.contains("listening")));
    for line in &log {
        assert!(!line.contains('\u{1b}'), "an escape code in {line:?}");
    }
}

fn cli_json(args: &[&str]) -> Vec<u8> {
    let out = Command::new(BIN).current_dir(repo()).args(args).env("NO_COLOR", "1").output().expect("runs");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

async fn post(base: &str, file: &str) -> Vec<u8> {
    post_to(base, "/v1/check", file).await
}

async fn post_to(base: &str, path: &str, file: &str) -> Vec<u8> {
    let body = std::fs::read(repo().join(file)).expect("reads");
    let res = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), 200, "{file}");
    res.bytes().await.expect("body").to_vec()
}

fn plugin_dir(name: &str, plugins: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpitree-cli-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for p in plugins {
        std::fs::copy(repo().join(format!("tests/plugins/{p}.wat")), dir.join(format!("{p}.wasm"))).expect("copies");
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_prune_answer_byte_for_byte_what_the_cli_prints() {
    let server = Server::start(&[]);
    for example in ["examples/hospital.json", "examples/municipality.json", "examples/software-company.json"] {
        let cli = cli_json(&["check", example, "--format", "json"]);
        assert_eq!(
            String::from_utf8_lossy(&post(&server.base, example).await),
            String::from_utf8_lossy(&cli),
            "{example}"
        );
        let cli = cli_json(&["prune", example, "--format", "json"]);
        let served = post_to(&server.base, "/v1/prune", example).await;
        assert_eq!(String::from_utf8_lossy(&served), String::from_utf8_lossy(&cli), "prune {example}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_plugins_too_and_reloads_on_sighup_then_stops_on_sigterm() {
    let dir = plugin_dir("reload", &["echo"]);
    let d = dir.to_str().expect("a UTF-8 path");
    let mut server = Server::start(&["--plugins", d, "--config", "tests/cli/plugins/echo.toml"]);
    let tree = "tests/rules/orphan-kpi/fail.json";
    let cli = cli_json(&["check", tree, "--format", "json", "--plugins", d, "--config", "tests/cli/plugins/echo.toml"]);
    assert_eq!(String::from_utf8_lossy(&post(&server.base, tree).await), String::from_utf8_lossy(&cli));

    std::fs::copy(repo().join("tests/plugins/node-count.wat"), dir.join("node-count.wasm")).expect("copies");
    server.signal("HUP");
    let mut generation = serde_json::Value::Null;
    for _ in 0..100 {
        let health: serde_json::Value =
            reqwest::get(format!("{}/healthz", server.base)).await.expect("answers").json().await.expect("JSON");
        generation = health["generation"].clone();
        if generation == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(generation, 2, "reloaded");
    let cli = cli_json(&["check", tree, "--format", "json", "--plugins", d, "--config", "tests/cli/plugins/echo.toml"]);
    let served = post(&server.base, tree).await;
    assert!(String::from_utf8_lossy(&served).contains("\"plugin\": \"node-count\""), "the new plugin ran");
    assert_eq!(String::from_utf8_lossy(&served), String::from_utf8_lossy(&cli));

    server.signal("TERM");
    let status = server.child.wait().expect("exits");
    assert!(status.success(), "{status}");
}

#[test]
fn idle_sockets_do_not_use_up_the_open_file_limit() {
    // 128 descriptors: without a connection cap under that limit, 300 idle sockets make accept fail
    // (EMFILE) and keep failing, and /healthz, queued behind them, is never answered.
    let server = Server::start_with_open_file_limit(128, &[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let idle: Vec<std::net::TcpStream> =
        (0..300).map(|_| std::net::TcpStream::connect(&addr).expect("connects (the backlog holds the rest)")).collect();
    let mut s = std::net::TcpStream::connect(&addr).expect("connects");
    // A generous deadline: it turns a hang into a failure.
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("sets a timeout");
    use std::io::{Read, Write};
    write!(s, "GET /healthz HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").expect("writes");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "/healthz answers with 300 idle sockets open: {text:?}");
    drop(idle);
}
