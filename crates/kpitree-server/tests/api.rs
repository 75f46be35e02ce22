//! The real server on 127.0.0.1, port 0: request fixtures in `tests/server/cases/` (`NAME.http`: a
//! request line, headers, a blank line, the body) with the expected status and JSON beside them
//! (`NAME.expected.json`; `KPITREE_BLESS=1` rewrites them), then auth, limits, reload, a hostile
//! plugin under concurrent requests, static files, the OpenAPI document and graceful shutdown.

use kpitree_server::{Options, Service};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A server running on a loopback port, stopped when `stop` is sent.
struct Running {
    base: String,
    service: Service,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(opts: Options) -> Running {
        let service = Service::new(opts).expect("loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("has an address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let s = service.clone();
        let done = tokio::spawn(async move {
            s.serve(listener, async move {
                let _ = stopped.await;
            })
            .await
        });
        Running { base, service, stop: Some(stop), done }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.done.await.expect("joins").expect("serves cleanly");
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post_json(c: &reqwest::Client, url: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    c.post(url).header("content-type", "application/json").body(body).send().await.expect("answers")
}

/// A directory of plugins made from WAT files (the host reads the text format from `.wasm` names).
fn plugin_dir(name: &str, plugins: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpitree-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for p in plugins {
        let src = repo().join("tests/plugins").join(format!("{p}.wat"));
        let stem = Path::new(p).file_name().expect("a name");
        std::fs::copy(&src, dir.join(stem).with_extension("wasm")).expect("copies");
    }
    dir
}

fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("examples").join(name)).expect("example exists")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_fixtures_answer_as_expected() {
    let server = Running::start(Options::default()).await;
    let c = client();
    let dir = repo().join("tests/server/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "the cases are there");
    let bless = std::env::var_os("KPITREE_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read(case).expect("reads");
        let split = text.windows(2).position(|w| w == b"\n\n").expect("a blank line after the headers");
        let head = std::str::from_utf8(&text[..split]).expect("headers are text");
        let body = text[split + 2..].to_vec();
        let mut lines = head.lines();
        let (method, path) = lines.next().and_then(|l| l.split_once(' ')).expect("METHOD PATH");
        let mut req = c.request(method.parse().expect("a method"), server.url(path)).body(body);
        for l in lines {
            let (k, v) = l.split_once(':').expect("NAME: VALUE");
            req = req.header(k.trim(), v.trim());
        }
        let res = req.send().await.expect("answers");
        let status = res.status().as_u16();
        assert_eq!(
            res.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{}",
            case.display()
        );
        assert!(res.headers().contains_key("x-request-id"), "every answer names its request");
        let body: serde_json::Value = res.json().await.expect("JSON body");
        let got = serde_json::json!({ "status": status, "body": body });
        let expected_path = case.with_extension("expected.json");
        if bless {
            std::fs::write(&expected_path, serde_json::to_string_pretty(&got).expect("prints") + "\n").expect("writes");
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
                panic!("{} is missing; run with KPITREE_BLESS=1 and read it", expected_path.display())
            }))
            .expect("expected JSON");
        if got != expected {
            failures.push(format!("{}: got\n{}", case.display(), serde_json::to_string_pretty(&got).expect("prints")));
        }
    }
    // Every expected file has its request.
    for e in std::fs::read_dir(&dir).expect("cases") {
        let p = e.expect("entry").path();
        if p.to_string_lossy().ends_with(".expected.json") {
            let stem =
                p.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".expected.json")).expect("a name");
            assert!(dir.join(format!("{stem}.http")).is_file(), "{} has no request", p.display());
        }
    }
    server.shutdown().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_answers_the_report_json_of_the_shared_pipeline() {
    let server = Running::start(Options::default()).await;
    let c = client();
    for name in ["hospital.json", "municipality.json", "software-company.json"] {
        let text = example(name);
        let res = post_json(&c, &server.url("/v1/check"), text.clone()).await;
        assert_eq!(res.status(), 200, "{name}");
        let got = res.bytes().await.expect("body");
        // What `kpitree check --format json` prints (the CLI's own test compares with the binary).
        let doc = kpitree_core::parse_json(name, &text).expect("parses");
        let tree = kpitree_core::tree::Tree::new(name, doc.clone()).expect("valid");
        let settings = kpitree_core::settings(&Default::default()).expect("defaults");
        let report = kpitree_run::check::check(
            &tree,
            &Default::default(),
            &Default::default(),
            &Default::default(),
            &settings,
            &[],
        );
        assert_eq!(got.as_ref(), kpitree_run::check::report_json(&report).as_slice(), "{name}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_answers_the_diff_json_of_the_shared_pipeline() {
    let server = Running::start(Options::default()).await;
    let c = client();
    let old = std::fs::read_to_string(repo().join("tests/diff/charity/old.json")).expect("old");
    let new = std::fs::read_to_string(repo().join("tests/diff/charity/new.json")).expect("new");
    let body = format!("{{\"old\": {old}, \"new\": {new}}}");
    let res = post_json(&c, &server.url("/v1/diff"), body).await;
    assert_eq!(res.status(), 200);
    let got = res.bytes().await.expect("body");
    // What `kpitree diff --format json` prints (the CLI's test `diff` compares with the binary).
    let tree = |name: &str, text: &str| {
        kpitree_core::tree::Tree::new(name, kpitree_core::parse_json(name, text).expect("parses")).expect("valid")
    };
    let config = kpitree_core::config::Config::default();
    let settings = kpitree_core::settings(&config).expect("defaults");
    let checked = kpitree_run::diff::diff(
        tree("old.json", &old),
        tree("new.json", &new),
        &Default::default(),
        &Default::default(),
        &config,
        &settings,
        &[],
    );
    let want = kpitree_run::diff::diff_json(&checked.diff());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
    assert!(!checked.diff().findings.new.is_empty(), "the pair has new findings");
    // A CSV body is not a pair of trees.
    let res = c
        .post(server.url("/v1/diff"))
        .header("content-type", "text/csv")
        .body("id,kind,title\n")
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), 415);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413_and_the_server_goes_on() {
    let opts = Options { max_body: 64 * 1024, ..Options::default() };
    let server = Running::start(opts).await;
    let c = client();
    let big = vec![b' '; 200 * 1024];
    let res = post_json(&c, &server.url("/v1/check"), big).await;
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.expect("JSON");
    assert_eq!(body["error"], "body-too-large");
    // Sent chunked, without a length: the limit applies while reading.
    assert_eq!(chunked_post(&server.base, 100, 4096).await, 413);
    let ok = post_json(
        &c,
        &server.url("/v1/check"),
        std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads"),
    )
    .await;
    assert_eq!(ok.status(), 200);
    server.shutdown().await;
}

/// POSTs `n` chunks of `size` spaces with `Transfer-Encoding: chunked` over a raw socket and returns
/// the status (reqwest would need its `stream` feature for this).
async fn chunked_post(base: &str, n: usize, size: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connects");
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("writes");
    let chunk = format!("{size:x}\r\n{}\r\n", " ".repeat(size));
    for _ in 0..n {
        // The server may answer and close before the whole body is sent.
        if s.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_the_api_but_not_health() {
    let opts = Options { token: Some("s3cret".into()), ..Options::default() };
    let server = Running::start(opts).await;
    let c = client();
    let tree = std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads");
    let missing = post_json(&c, &server.url("/v1/check"), tree.clone()).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
    let wrong = c.get(server.url("/v1/rules")).bearer_auth("s3creT").send().await.expect("answers");
    assert_eq!(wrong.status(), 401);
    let body: serde_json::Value = wrong.json().await.expect("JSON");
    assert_eq!(body["error"], "unauthorized");
    let right = c
        .post(server.url("/v1/check"))
        .bearer_auth("s3cret")
        .header("content-type", "application/json")
        .body(tree)
        .send()
        .await
        .expect("answers");
    assert_eq!(right.status(), 200);
    assert_eq!(c.get(server.url("/healthz")).send().await.expect("answers").status(), 200);
    server.shutdown().await;
    assert!(kpitree_server::check_exposure(&"0.0.0.0:8080".parse().expect("addr"), false, false).is_err());
    assert!(kpitree_server::check_exposure(&"0.0.0.0:8080".parse().expect("addr"), true, false).is_ok());
    assert!(kpitree_server::check_exposure(&"0.0.0.0:8080".parse().expect("addr"), false, true).is_ok());
    assert!(kpitree_server::check_exposure(&"[::1]:8080".parse().expect("addr"), false, false).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_list_built_in_and_plugin_rules() {
    let dir = plugin_dir("rules", &["node-count", "echo"]);
    let config = dir.join("kpitree.toml");
    std::fs::write(&config, "[rules.node-count]\nseverity = \"warning\"\n[rules.stale-kpi]\nenabled = false\n")
        .expect("writes");
    let opts = Options { plugin_dirs: vec![dir.clone()], config: Some(config), ..Options::default() };
    let server = Running::start(opts).await;
    let body: serde_json::Value =
        client().get(server.url("/v1/rules")).send().await.expect("answers").json().await.expect("JSON");
    let rules = body["rules"].as_array().expect("a list");
    assert_eq!(rules.len(), kpitree_core::rules::builtin().len() + 3, "15 built-in, echo-a, echo-b, node-count");
    let stale = rules.iter().find(|r| r["id"] == "stale-kpi").expect("listed");
    assert_eq!(stale["enabled"], false);
    assert!(stale.get("plugin").is_none());
    let nc = rules.iter().find(|r| r["id"] == "node-count").expect("listed");
    assert_eq!(
        (&nc["plugin"], &nc["default_severity"], &nc["severity"]),
        (&"node-count".into(), &"info".into(), &"warning".into())
    );
    assert_eq!(nc["why"], "It is a test.");
    // A request switches and grades plugin rules for itself, over the server's configuration.
    let of_rule = |report: &serde_json::Value, rule: &str| -> Vec<String> {
        let findings = report["findings"].as_array().expect("findings");
        findings.iter().filter(|f| f["rule"] == rule).map(|f| f["severity"].as_str().unwrap_or("").to_owned()).collect()
    };
    let res = c_post_query(&server, "/v1/check").await;
    assert_eq!(res.0, 200);
    assert_eq!(of_rule(&res.1, "node-count"), ["warning"], "graded by the server's configuration");
    let res = c_post_query(&server, "/v1/check?set=node-count.severity=error").await;
    assert_eq!((res.0, of_rule(&res.1, "node-count")), (200, vec!["error".to_owned()]));
    let res = c_post_query(&server, "/v1/check?disable=node-count").await;
    assert_eq!((res.0, of_rule(&res.1, "node-count")), (200, Vec::<String>::new()));
    // ... and only for itself: the next request sees the server's settings again.
    let res = c_post_query(&server, "/v1/check").await;
    assert_eq!(of_rule(&res.1, "node-count"), ["warning"]);
    // A plugin rule has no options of its own.
    let res = c_post_query(&server, "/v1/check?set=node-count.max=3").await;
    assert_eq!(res.0, 422);
    assert_eq!(res.1["problems"][0]["rule"], "node-count");
    server.shutdown().await;
}

async fn c_post_query(server: &Running, path: &str) -> (u16, serde_json::Value) {
    let tree = std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads");
    let res = post_json(&client(), &server.url(path), tree).await;
    (res.status().as_u16(), res.json().await.expect("JSON"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_swaps_in_a_good_set_and_keeps_the_old_one_on_failure() {
    let dir = plugin_dir("reload", &["node-count"]);
    let opts = Options { plugin_dirs: vec![dir.clone()], ..Options::default() };
    let server = Running::start(opts).await;
    let rules_of = |v: serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["plugin"].as_str().map(str::to_owned))
            .collect()
    };
    let (status, report) = c_post_query(&server, "/v1/check").await;
    assert_eq!(status, 200);
    assert_eq!(rules_of(report), ["node-count"]);

    // A good new set: echo joins.
    std::fs::copy(repo().join("tests/plugins/echo.wat"), dir.join("echo.wasm")).expect("copies");
    let s = server.service.clone();
    let generation = tokio::task::spawn_blocking(move || s.reload()).await.expect("joins").expect("reloads");
    assert_eq!(generation, 2);
    assert_eq!(server.service.plugin_names(), ["echo", "node-count"]);
    let rules: serde_json::Value =
        client().get(server.url("/v1/rules")).send().await.expect("answers").json().await.expect("JSON");
    assert!(
        rules["rules"].as_array().expect("a list").iter().any(|r| r["plugin"] == "echo"),
        "echo's rules are listed"
    );

    // A bad one: the old set stays and the reason is given.
    std::fs::copy(repo().join("tests/plugins/hostile/imports.wat"), dir.join("imports.wasm")).expect("copies");
    let s = server.service.clone();
    let errors = tokio::task::spawn_blocking(move || s.reload()).await.expect("joins").expect_err("refused");
    assert!(errors.iter().any(|e| e.contains("imports")), "{errors:?}");
    let health: serde_json::Value =
        client().get(server.url("/healthz")).send().await.expect("answers").json().await.expect("JSON");
    assert_eq!(health["generation"], 2);
    assert_eq!(server.service.plugin_names(), ["echo", "node-count"]);
    let (status, _) = c_post_query(&server, "/v1/check").await;
    assert_eq!(status, 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hostile_plugin_under_concurrent_requests_starves_nothing() {
    // spin.wat loops forever; the 300 ms wall-time limit stops it before the default fuel runs out,
    // so each evaluation holds its slot that long.
    let dir = plugin_dir("hostile", &["hostile/spin", "node-count"]);
    let opts = Options {
        plugin_dirs: vec![dir],
        limit_flags: vec!["time_ms=300".into()],
        max_concurrent: 2,
        max_queue: 4,
        queue_timeout: Duration::from_millis(100),
        ..Options::default()
    };
    let server = Running::start(opts).await;
    let c = client();
    let tree = std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads");
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (c, url, tree) = (c.clone(), server.url("/v1/check"), tree.clone());
        tasks.push(tokio::spawn(async move {
            let res = post_json(&c, &url, tree).await;
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.expect("JSON"))
        }));
    }
    // While the evaluations spin, the async workers still answer.
    let health = c.get(server.url("/healthz")).send().await.expect("answers");
    assert_eq!(health.status(), 200);
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let (status, body) = t.await.expect("joins");
        match status {
            200 => {
                ok += 1;
                assert_eq!(body["plugin_errors"][0]["plugin"], "spin", "{body}");
                let code = &body["plugin_errors"][0]["code"];
                assert!(code == "timeout" || code == "out-of-fuel", "stopped by a host limit: {code}");
                assert!(body["findings"].as_array().expect("findings").iter().any(|f| f["rule"] == "node-count"));
            }
            503 => {
                busy += 1;
                assert_eq!(body["error"], "busy");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(ok >= 2, "some evaluations ran ({ok} ok, {busy} busy)");
    assert!(busy >= 1, "excess requests were turned away, not queued without bound ({ok} ok, {busy} busy)");
    // And once the burst is over, a request runs again.
    let res = post_json(&c, &server.url("/v1/check"), tree).await;
    assert_eq!(res.status(), 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluation_over_the_request_timeout_gets_503_timeout() {
    let dir = plugin_dir("timeout", &["hostile/spin"]);
    let opts = Options {
        plugin_dirs: vec![dir],
        limit_flags: vec!["time_ms=2000".into()],
        request_timeout: Duration::from_millis(200),
        ..Options::default()
    };
    let server = Running::start(opts).await;
    let (status, body) = c_post_query(&server, "/v1/check").await;
    assert_eq!(status, 503);
    assert_eq!(body["error"], "timeout");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_have_their_content_types() {
    let dir = std::env::temp_dir().join(format!("kpitree-server-web-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dist")).expect("temp dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").expect("writes");
    std::fs::write(dir.join("dist/kpi-tree.js"), "export {};").expect("writes");
    std::fs::write(dir.join("dist/kpitree_web_bg.wasm"), b"\0asm\x01\0\0\0").expect("writes");
    let server = Running::start(Options { web: Some(dir), ..Options::default() }).await;
    let c = client();
    for (path, ty) in [
        ("/", "text/html"),
        ("/dist/kpi-tree.js", "text/javascript"),
        ("/dist/kpitree_web_bg.wasm", "application/wasm"),
    ] {
        let res = c.get(server.url(path)).send().await.expect("answers");
        assert_eq!(res.status(), 200, "{path}");
        let got = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(got.starts_with(ty), "{path}: {got}");
    }
    assert_eq!(c.get(server.url("/nope.js")).send().await.expect("answers").status(), 404);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_real_answers() {
    let dir = plugin_dir("openapi", &["node-count"]);
    let server = Running::start(Options { plugin_dirs: vec![dir], ..Options::default() }).await;
    let c = client();
    let doc: serde_json::Value =
        c.get(server.url("/openapi.json")).send().await.expect("answers").json().await.expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let validator = |schema: &str| {
        let mut root = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
        root["components"] = doc["components"].clone();
        jsonschema::validator_for(&root).expect("a valid schema")
    };
    let check = |schema: &str, value: &serde_json::Value| {
        let errors: Vec<String> =
            validator(schema).iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{schema}: {errors:?}");
    };
    for name in ["hospital.json", "municipality.json", "software-company.json"] {
        let body: serde_json::Value =
            post_json(&c, &server.url("/v1/check"), example(name)).await.json().await.expect("JSON");
        check("Report", &body);
        let body: serde_json::Value =
            post_json(&c, &server.url("/v1/prune"), example(name)).await.json().await.expect("JSON");
        check("PruneReport", &body);
        let pair = format!("{{\"old\": {}, \"new\": {}}}", example(name), example("charity.json"));
        let body: serde_json::Value = post_json(&c, &server.url("/v1/diff"), pair).await.json().await.expect("JSON");
        check("Diff", &body);
    }
    let old = std::fs::read_to_string(repo().join("tests/diff/charity/old.json")).expect("old");
    let new = std::fs::read_to_string(repo().join("tests/diff/charity/new.json")).expect("new");
    let body: serde_json::Value = post_json(&c, &server.url("/v1/diff"), format!("{{\"old\": {old}, \"new\": {new}}}"))
        .await
        .json()
        .await
        .expect("JSON");
    check("Diff", &body);
    let rules: serde_json::Value =
        c.get(server.url("/v1/rules")).send().await.expect("answers").json().await.expect("JSON");
    check("Rules", &rules);
    let health: serde_json::Value =
        c.get(server.url("/healthz")).send().await.expect("answers").json().await.expect("JSON");
    check("Health", &health);
    // Every error answer of the fixtures matches the Error schema, and every path is documented.
    for e in std::fs::read_dir(repo().join("tests/server/cases")).expect("cases") {
        let p = e.expect("entry").path();
        if p.to_string_lossy().ends_with(".expected.json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).expect("reads")).expect("JSON");
            if v["status"] != 200 {
                check("Error", &v["body"]);
            }
        }
    }
    for path in ["/v1/check", "/v1/prune", "/v1/diff", "/v1/rules", "/healthz", "/openapi.json"] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    // A plugin that spins for its 1.5 s wall time keeps the request in flight while we stop.
    let dir = plugin_dir("shutdown", &["hostile/spin"]);
    let opts = Options { plugin_dirs: vec![dir], limit_flags: vec!["time_ms=1500".into()], ..Options::default() };
    let server = Running::start(opts).await;
    let url = server.url("/v1/check");
    let tree = std::fs::read(repo().join("tests/rules/orphan-kpi/fail.json")).expect("reads");
    let in_flight = tokio::spawn(async move { post_json(&client(), &url, tree).await.status().as_u16() });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let base = server.base.clone();
    server.shutdown().await;
    assert_eq!(in_flight.await.expect("joins"), 200, "the request in flight got its answer");
    assert!(client().get(format!("{base}/healthz")).send().await.is_err(), "no longer listening");
}
