//! Attacks on the real server over loopback, bounded in count and time: idle sockets past the
//! connection cap, a header trickled byte by byte (slowloris), an idle keep-alive connection, a
//! plugin that outlives the request timeout, and symlinks out of the web root. Deadlines are
//! generous and only turn a hang into a failure; nothing here measures speed.

use kpitree_server::{ConnLimits, Options, Service};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A server on a loopback port, stopped by [`Running::shutdown`].
struct Running {
    addr: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(opts: Options) -> Running {
        Running::start_with(opts, ConnLimits::default()).await
    }

    async fn start_with(opts: Options, limits: ConnLimits) -> Running {
        let service = Service::new(opts).expect("loads").with_conn_limits(limits);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address").to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            service
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
        });
        Running { addr, stop, done }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn shutdown(self) {
        let _ = self.stop.send(());
        timeout(Duration::from_secs(30), self.done).await.expect("stops").expect("joins").expect("serves cleanly");
    }
}

/// Reads until the server closes the connection (or resets it); `None` if it is still open at the
/// deadline. Returns what was read.
async fn read_until_closed(s: &mut TcpStream, deadline: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let read = timeout(deadline, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| got)
}

async fn health(server: &Running) -> u16 {
    let res = timeout(Duration::from_secs(20), reqwest::get(server.url("/healthz")))
        .await
        .expect("/healthz answers before the deadline")
        .expect("answers");
    res.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_past_the_cap_do_not_stop_health() {
    // The header timeout is long: what makes room here is the cap closing the oldest idle socket.
    let limits = ConnLimits { max_connections: 32, header_timeout: Duration::from_secs(120), ..ConnLimits::default() };
    let server = Running::start_with(Options::default(), limits).await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&server.addr).await.expect("connects (the backlog holds the rest)"));
    }
    assert_eq!(health(&server).await, 200, "health answers with 300 idle sockets open");
    // The oldest idle sockets were closed to make room; with no cap they would all still be open.
    let first = read_until_closed(&mut idle[0], Duration::from_secs(20)).await;
    assert_eq!(first, Some(Vec::new()), "the oldest idle socket was closed without an answer");
    drop(idle);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_trickled_byte_by_byte_is_cut_off() {
    let limits = ConnLimits { header_timeout: Duration::from_millis(500), ..ConnLimits::default() };
    let server = Running::start_with(Options::default(), limits).await;
    let mut s = TcpStream::connect(&server.addr).await.expect("connects");
    let head = format!("GET /healthz HTTP/1.1\r\nhost: {}\r\nx-slow: {}", server.addr, "a".repeat(10_000));
    // One byte every 20 ms would take 200 s; the server must close long before.
    let trickle = timeout(Duration::from_secs(30), async {
        for b in head.as_bytes() {
            if s.write_all(std::slice::from_ref(b)).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            // A closed connection shows as EOF on a read that does not block.
            let mut probe = [0u8; 64];
            if let Ok(Ok(0)) = timeout(Duration::from_millis(1), s.read(&mut probe)).await {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(trickle, Ok(true), "the connection was closed before the header was complete");
    assert_eq!(health(&server).await, 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let limits = ConnLimits { header_timeout: Duration::from_millis(500), ..ConnLimits::default() };
    let server = Running::start_with(Options::default(), limits).await;
    let mut s = TcpStream::connect(&server.addr).await.expect("connects");
    let req = format!("GET /healthz HTTP/1.1\r\nhost: {}\r\n\r\n", server.addr);
    s.write_all(req.as_bytes()).await.expect("writes");
    // The answer, then nothing: the connection stays idle until the server closes it.
    let got = read_until_closed(&mut s, Duration::from_secs(20)).await.expect("closed before the deadline");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    server.shutdown().await;
}

/// A directory of plugins made from WAT files (the host reads the text format from `.wasm` names).
fn plugin_dir(name: &str, plugins: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpitree-attacks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for p in plugins {
        let src = repo().join("tests/plugins").join(format!("{p}.wat"));
        let stem = Path::new(p).file_name().expect("a name");
        std::fs::copy(&src, dir.join(stem).with_extension("wasm")).expect("copies");
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_evaluation_gives_its_slot_back() {
    // spin.wat loops for its whole wall time (60 s; fuel unlimited in practice), far past the
    // request timeout. One slot: while the first evaluation holds it, the second request waits
    // its queue time (2 s) and gets 503 busy.
    let dir = plugin_dir("slot", &["hostile/spin"]);
    let opts = Options {
        plugin_dirs: vec![dir],
        limit_flags: vec!["time_ms=60000".into(), "fuel=18000000000000000000".into()],
        request_timeout: Duration::from_millis(300),
        max_concurrent: 1,
        queue_timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let server = Running::start(opts).await;
    let c = reqwest::Client::new();
    let tree = std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads");
    let post = |query: &'static str| {
        let (c, url, tree) = (c.clone(), server.url(&format!("/v1/check{query}")), tree.clone());
        async move {
            let res = timeout(
                Duration::from_secs(30),
                c.post(url).header("content-type", "application/json").body(tree).send(),
            )
            .await
            .expect("answers before the deadline")
            .expect("answers");
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.expect("JSON"))
        }
    };
    let (status, body) = post("").await;
    assert_eq!((status, &body["error"]), (503, &"timeout".into()), "{body}");
    // The next request (without the plugin) gets the slot once the first evaluation has stopped.
    let (status, body) = post("?disable=spin").await;
    assert_eq!(status, 200, "the slot was given back: {body}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symlinks_out_of_the_web_root_are_not_followed() {
    let base = std::env::temp_dir().join(format!("kpitree-attacks-web-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (root, outside) = (base.join("root"), base.join("outside"));
    std::fs::create_dir_all(root.join("dist")).expect("temp dir");
    std::fs::create_dir_all(outside.join("dir")).expect("temp dir");
    std::fs::write(root.join("index.html"), "<!doctype html><title>demo</title>").expect("writes");
    std::fs::write(root.join("dist/app.js"), "export {};").expect("writes");
    std::fs::write(outside.join("secret.txt"), "the secret").expect("writes");
    std::fs::write(outside.join("dir/index.html"), "the secret page").expect("writes");
    std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("secret.txt")).expect("links");
    std::os::unix::fs::symlink(outside.join("dir"), root.join("away")).expect("links");
    std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).expect("links");
    // A symlink that stays inside is fine.
    std::os::unix::fs::symlink(root.join("dist/app.js"), root.join("app.js")).expect("links");
    let server = Running::start(Options { web: Some(root), ..Options::default() }).await;
    let c = reqwest::Client::new();
    for (path, status) in [
        ("/", 200),
        ("/dist/app.js", 200),
        ("/app.js", 200),
        ("/secret.txt", 404),
        ("/%73ecret.txt", 404),
        ("/./secret.txt", 404),
        ("/passwd", 404),
        ("/away/", 404),
        ("/away/index.html", 404),
        ("/dist/../secret.txt", 404),
    ] {
        let res = c.get(server.url(path)).send().await.expect("answers");
        assert_eq!(res.status().as_u16(), status, "{path}");
        let body = res.text().await.expect("text");
        assert!(!body.contains("secret") && !body.contains("root:"), "{path}: {body}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_at_the_cap_gets_its_whole_answer() {
    // A report of some megabytes is handed to hyper in one piece, so its body is gone long before
    // the client has read it. Connections past the cap then ask for room: the slow reader's
    // connection may close, but only after its answer is written.
    let limits = ConnLimits { max_connections: 2, header_timeout: Duration::from_secs(120), ..ConnLimits::default() };
    let server = Running::start_with(Options::default(), limits).await;
    let mut nodes = vec![r#"{"id":"s","kind":"strategy","title":"Grow","owner":"CEO"}"#.to_string()];
    nodes.extend((0..20_000).map(|i| format!(r#"{{"id":"k{i}","kind":"kpi","title":"Orphan {i}","owner":"Ops"}}"#)));
    let tree = format!(r#"{{"version":1,"organisation":"Slow","as_of":"2026-11-27","nodes":[{}]}}"#, nodes.join(","));
    let mut slow = TcpStream::connect(&server.addr).await.expect("connects");
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        server.addr,
        tree.len()
    );
    slow.write_all(head.as_bytes()).await.expect("writes the head");
    slow.write_all(tree.as_bytes()).await.expect("writes the tree");
    // Read only the status line, then stop reading while the answer is large.
    let mut first = [0u8; 12];
    timeout(Duration::from_secs(60), slow.read_exact(&mut first)).await.expect("answers").expect("reads");
    assert_eq!(&first, b"HTTP/1.1 200");
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(TcpStream::connect(&server.addr).await.expect("connects"));
    }
    assert_eq!(health(&server).await, 200, "health answers past the cap");
    let rest = read_until_closed(&mut slow, Duration::from_secs(60)).await.expect("ends before the deadline");
    let text = String::from_utf8_lossy(&rest);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
        .expect("a content length")
        .trim()
        .parse()
        .expect("a number");
    assert!(length > 1_000_000, "the answer is large enough to stay in the write buffer: {length}");
    assert_eq!(body.len(), length, "the whole answer arrived");
    drop(others);
    server.shutdown().await;
}
