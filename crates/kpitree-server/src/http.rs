//! Routes, handlers and middleware. Handlers parse, then run the CPU-bound work (parsing the tree,
//! rules, plugins, serialising) on tokio's blocking pool under an evaluation slot, so the async
//! workers stay free for other requests whatever a tree or a plugin does.

use crate::state::{Loaded, Shared};
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kpitree_core::Format;
use kpitree_core::config::Config;
use kpitree_core::csv::CsvMeta;
use kpitree_core::prune::Reason;
use kpitree_run::check::{Cancel, Cancelled};
use kpitree_run::{catalog, check, setup};
use serde_json::json;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The OpenAPI document served at `/openapi.json` (checked against real responses by the tests).
pub const OPENAPI: &str = include_str!("../openapi.json");

type AppState = Arc<Shared>;

/// The whole application.
pub fn router(shared: AppState) -> Router {
    let api = Router::new()
        .route("/v1/check", post(check_handler))
        .route("/v1/prune", post(prune_handler))
        .route("/v1/diff", post(diff_handler))
        .route("/v1/rules", get(rules_handler))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), auth));
    let mut app = Router::new().merge(api).route("/healthz", get(healthz)).route("/openapi.json", get(openapi));
    if let Some(dir) = &shared.opts.web {
        let web = Arc::new(WebRoot::new(dir));
        app = app.fallback(move |req: Request| {
            let web = Arc::clone(&web);
            async move { web.serve(req).await }
        });
    }
    let request_timeout = shared.opts.request_timeout;
    // Layers wrap what is above them: the JSON mapping sees the limit and timeout layers' answers.
    app.layer(tower_http::limit::RequestBodyLimitLayer::new(shared.opts.max_body))
        // A whole request (a slow upload too) gets a little longer than its evaluation.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout + std::time::Duration::from_secs(5),
        ))
        .layer(middleware::map_response(json_limit_errors))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // The id is the client's text: Debug escapes what a terminal would act on. Method
                    // and path are tokens and URI characters only (checked by the http crate).
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id = ?id, method = %req.method(), path = %req.uri().path())
                })
                // One line per answer (status, latency) at info; the rest of tower-http's at debug.
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(shared)
}

/// An error answer: `{"error": code, "message": ..., more fields}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, body: json!({ "error": code, "message": message.into() }) }
    }

    fn with(mut self, key: &str, value: serde_json::Value) -> ApiError {
        if let Some(map) = self.body.as_object_mut() {
            map.insert(key.to_owned(), value);
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, check::pretty_json(&self.body))
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// The limit layers answer in plain text; the API answers in JSON.
async fn json_limit_errors(res: Response) -> Response {
    let is_json =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !is_json => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "the request body is larger than the server's limit",
        )
        .into_response(),
        StatusCode::REQUEST_TIMEOUT if !is_json => {
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "the request took longer than the server's limit")
                .into_response()
        }
        _ => res,
    }
}

/// Bearer-token check for `/v1/*` when the server has a token.
async fn auth(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = &s.opts.token else { return next.run(req).await };
    let given =
        req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(g) if constant_time_eq(g.trim().as_bytes(), token.as_bytes()) => next.run(req).await,
        Some(_) => unauthorized("the bearer token is wrong"),
        None => unauthorized("this server requires `Authorization: Bearer TOKEN`"),
    }
}

fn unauthorized(message: &str) -> Response {
    let mut res = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

async fn healthz(State(s): State<AppState>) -> Response {
    let l = s.current();
    let body = json!({
        "status": "ok",
        "generation": l.generation,
        "plugins": l.plugins.plugins().iter().map(|p| json!({"name": p.name(), "version": p.manifest().version})).collect::<Vec<_>>(),
    });
    json_response(StatusCode::OK, check::pretty_json(&body))
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, OPENAPI.as_bytes().to_vec())
}

async fn rules_handler(State(s): State<AppState>) -> Response {
    let l = s.current();
    let rules = catalog::catalog(&l.settings, &l.plugins, &l.custom, &l.written);
    json_response(StatusCode::OK, check::pretty_json(&catalog::Listing { rules: &rules }))
}

/// Query parameters of `/v1/check` and `/v1/prune`.
#[derive(Default)]
struct Query {
    set: Vec<String>,
    enable: Vec<String>,
    disable: Vec<String>,
    meta: CsvMeta,
    reasons: Vec<Reason>,
}

fn parse_query(raw: Option<&str>, prune: bool) -> Result<Query, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad-query", m);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| bad(e.to_string()))?;
    let mut q = Query::default();
    let list = |v: &str| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    for (k, v) in pairs {
        match k.as_str() {
            "set" => q.set.push(v),
            "enable" => q.enable.extend(list(&v)),
            "disable" => q.disable.extend(list(&v)),
            "as_of" => {
                q.meta.as_of = Some(
                    kpitree_core::Date::parse(&v).ok_or_else(|| bad(format!("as_of={v}: not a date as YYYY-MM-DD")))?,
                );
            }
            "organisation" => q.meta.organisation = Some(v),
            "reasons" if prune => {
                for r in list(&v) {
                    let reason = Reason::parse(&r);
                    q.reasons.push(
                        reason.ok_or_else(|| {
                            bad(format!("reasons: unknown reason `{r}` ({})", Reason::NAMES.join(", ")))
                        })?,
                    );
                }
            }
            _ => return Err(bad(format!("unknown query parameter `{k}`"))),
        }
    }
    if q.reasons.is_empty() {
        q.reasons = Reason::ALL.to_vec();
    }
    Ok(q)
}

fn content_format(headers: &HeaderMap) -> Result<Format, ApiError> {
    let unsupported = |got: &str| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            format!("content type `{got}` is not accepted; send application/json or text/csv"),
        )
    };
    let value = headers.get(header::CONTENT_TYPE).ok_or_else(|| unsupported("(none)"))?;
    let text = value.to_str().map_err(|_| unsupported("(not text)"))?;
    let media = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" => Ok(Format::Json),
        "text/csv" => Ok(Format::Csv),
        _ => Err(unsupported(text)),
    }
}

async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("the request body is larger than {limit} bytes"),
        )
    })
}

/// Runs `work` on the blocking pool once an evaluation slot is free: waits at most the queue timeout
/// (503 after), and answers 503 at once when too many already wait. The slot is held by the work
/// itself, so a request that timed out still counts until its evaluation really ends; but `work` gets
/// a [`Cancel`] that is set as soon as nobody waits for its answer (the request timed out, or its
/// connection closed and dropped this future), and stops at its next stage.
async fn evaluate<T: Send + 'static>(
    s: &Shared,
    work: impl FnOnce(&Cancel) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let busy = |m: &str| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", m);
    let permit = match Arc::clone(&s.permits).try_acquire_owned() {
        Ok(p) => Some(p),
        Err(_) => {
            let waiting = s.waiting.fetch_add(1, Ordering::SeqCst);
            let permit = if waiting >= s.opts.max_queue {
                None
            } else {
                tokio::time::timeout(s.opts.queue_timeout, Arc::clone(&s.permits).acquire_owned())
                    .await
                    .ok()
                    .and_then(Result::ok)
            };
            s.waiting.fetch_sub(1, Ordering::SeqCst);
            permit
        }
    };
    let Some(permit) = permit else {
        tracing::warn!("no evaluation slot free");
        return Err(busy("every evaluation slot is taken; retry later").with("retry_after_seconds", json!(1)));
    };
    // The request's span (with its id) follows the work onto the blocking thread.
    let span = tracing::Span::current();
    // The deadline is the request timeout's: plugins are cut off at it, and the flag covers the
    // client going away earlier.
    let cancel = Cancel::with_deadline(std::time::Instant::now() + s.opts.request_timeout);
    let _stop = CancelOnDrop(cancel.clone());
    let task = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        span.in_scope(|| work(&cancel))
    });
    match tokio::time::timeout(s.opts.request_timeout, task).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            // A panic's message may quote the input: Debug escapes control characters.
            tracing::error!(error = ?e, "evaluation panicked");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the evaluation failed unexpectedly"))
        }
        Err(_) => {
            tracing::warn!("evaluation timed out; it stops at its next stage");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!("the evaluation took longer than {} ms", s.opts.request_timeout.as_millis()),
            ))
        }
    }
}

/// Sets its flag when dropped: whatever ends the wait for an evaluation (its answer, the timeout, the
/// client going away) tells the evaluation nobody needs it any more.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn check_handler(State(s): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap, body: Body) -> Response {
    evaluate_request(s, q, headers, body, false, run_check).await
}

async fn prune_handler(State(s): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap, body: Body) -> Response {
    evaluate_request(s, q, headers, body, true, run_prune).await
}

async fn diff_handler(State(s): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap, body: Body) -> Response {
    evaluate_request(s, q, headers, body, false, run_diff).await
}

/// An evaluation of a request body: the loaded generation, the body's format, the query, the body.
type Run = fn(&Loaded, Format, &Query, &[u8], &Cancel) -> Result<Vec<u8>, ApiError>;

/// What `POST /v1/check` and `POST /v1/prune` share: content type, query (`prune` allows `reason`),
/// body within its limit, then `run` off the async workers under the evaluation limits.
async fn evaluate_request(
    s: AppState,
    q: Option<String>,
    headers: HeaderMap,
    body: Body,
    prune: bool,
    run: Run,
) -> Response {
    let answer = async {
        let format = content_format(&headers)?;
        let query = parse_query(q.as_deref(), prune)?;
        let bytes = read_body(body, s.opts.max_body).await?;
        let loaded = s.current();
        evaluate(&s, move |cancel| run(&loaded, format, &query, &bytes, cancel)).await?
    };
    match answer.await {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => e.into_response(),
    }
}

/// A request: the tree's text (with its offset in the body, for line numbers) and the request's own
/// configuration.
struct Input<'a> {
    name: &'static str,
    text: &'a str,
    /// (lines before the tree, columns before it on its first line).
    offset: (usize, usize),
    config: Config,
    custom_rules: Vec<kpitree_session::CustomRuleDef>,
}

/// `{"tree": {...}, "config": {...}}`: a tree with configuration in one JSON body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(borrow)]
    tree: &'a serde_json::value::RawValue,
    #[serde(default)]
    config: Option<Config>,
    /// Custom rules for this request, with the server's.
    #[serde(default)]
    custom_rules: Vec<kpitree_session::CustomRuleDef>,
}

/// Only whether the body has a top-level `tree` (other fields skipped without allocating).
#[derive(serde::Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    tree: Option<&'a serde_json::value::RawValue>,
}

fn input<'a>(format: Format, bytes: &'a [u8]) -> Result<Input<'a>, ApiError> {
    let name = if format == Format::Csv { "request.csv" } else { "request.json" };
    // As the CLI reads files: a byte-order mark is skipped, bad UTF-8 is located (400 `syntax`).
    let text = kpitree_core::decode_text(name, bytes).map_err(|e| load_error(e, (0, 0)))?;
    let whole = Input { name, text, offset: (0, 0), config: Config::default(), custom_rules: Vec::new() };
    if format == Format::Csv || !matches!(serde_json::from_str::<Probe<'_>>(text), Ok(Probe { tree: Some(_) })) {
        // Not an envelope (or not JSON at all: the tree parser says where).
        return Ok(whole);
    }
    let env: Envelope<'_> = serde_json::from_str(text).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-envelope", format!("request envelope: {e}"))
            .with("line", json!(e.line()))
            .with("column", json!(e.column()))
    })?;
    let tree = env.tree.get();
    Ok(Input {
        name,
        text: tree,
        offset: offset_in(text, tree),
        config: env.config.unwrap_or_default(),
        custom_rules: env.custom_rules,
    })
}

/// Where `part` (a raw value borrowed from `text`) starts in `text`: (lines before it, columns before it
/// on its first line). The raw value borrows from `text`, so its address gives its offset.
fn offset_in(text: &str, part: &str) -> (usize, usize) {
    let at = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
    let before = &text[..at];
    let lines = before.matches('\n').count();
    (lines, at - before.rfind('\n').map_or(0, |k| k + 1))
}

fn load_error(e: kpitree_core::LoadError, offset: (usize, usize)) -> ApiError {
    let mut e = e;
    e.offset_by(offset.0, offset.1);
    let syntax = e.problems.iter().any(|p| matches!(p.kind, kpitree_core::ProblemKind::Syntax { .. }));
    let (status, code) =
        if syntax { (StatusCode::BAD_REQUEST, "syntax") } else { (StatusCode::UNPROCESSABLE_ENTITY, "invalid-tree") };
    let n = e.problems.len();
    ApiError::new(status, code, format!("{} invalid: {n} problem{}", e.file, if n == 1 { "" } else { "s" }))
        .with("file", json!(e.file))
        .with("problems", serde_json::to_value(&e.problems).unwrap_or_default())
}

/// The request's configuration (envelope, then query) over the server's. Plugin rules are set in the
/// server's configuration only (the host applies their switches when plugins load).
fn request_config(l: &Loaded, input: &mut Input<'_>, q: &Query) -> Result<RequestRules, ApiError> {
    let mut over = std::mem::take(&mut input.config);
    setup::apply_overrides(&mut over, &q.set, &q.disable, &q.enable)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad-query", e.join("; ")))?;
    let invalid = |problems: Vec<serde_json::Value>| {
        let n = problems.len();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-config",
            format!("the request's configuration has {n} problem{}", if n == 1 { "" } else { "s" }),
        )
        .with("problems", json!(problems))
    };
    let problems = |errors: &[kpitree_core::config::ConfigError]| -> Vec<serde_json::Value> {
        errors
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
                if let Some(m) = v.as_object_mut() {
                    m.insert("message".into(), json!(e.to_string()));
                }
                v
            })
            .collect()
    };
    // The request's custom rules are compiled with the server's (ids unique among them all), and
    // switched by the server's configuration, then the request's.
    let mut custom = l.custom.clone();
    if !input.custom_rules.is_empty() {
        let mut sources = l.custom_sources.clone();
        sources.push(kpitree_session::RuleSource {
            file: "request".to_owned(),
            rules: std::mem::take(&mut input.custom_rules),
        });
        // One problem per mistake, as the Problem schema has them (`code`, `message`, `rule`, and
        // `field`, `line`, `column` when known).
        let problem = |e: &kpitree_session::CustomRuleError| {
            let mut p = json!({"code": "custom-rule", "message": e.to_string(), "rule": e.rule});
            if let Some(field) = e.field {
                p["field"] = json!(field);
            }
            if let Some((line, column)) = e.at {
                p["line"] = json!(line);
                p["column"] = json!(column);
            }
            p
        };
        let custom_errors =
            |errors: Vec<kpitree_session::CustomRuleError>| invalid(errors.iter().map(problem).collect());
        custom = kpitree_session::CustomRules::compile(&sources).map_err(custom_errors)?;
        setup::check_clashes(&custom, &l.plugins).map_err(custom_errors)?;
        // The server's `[rules.<custom id>]` were checked when it loaded.
        let _ = custom.configure(&mut l.written.clone());
    }
    let errors = custom.configure(&mut over);
    if !errors.is_empty() {
        return Err(invalid(problems(&errors)));
    }
    // Plugin rules named by the request switch a copy of the server's switches, for this request.
    let mut switches = l.plugins.switches();
    let errors = l.plugins.take_rule_settings(&mut over.rules, &mut switches);
    if !errors.is_empty() {
        return Err(invalid(problems(&errors)));
    }
    let mut config = l.config.clone();
    setup::merge(&mut config, over);
    let settings = kpitree_core::settings(&config).map_err(|errors| invalid(problems(&errors)))?;
    Ok(RequestRules { config, settings, switches, custom })
}

/// A request's rules: the server's with the request's configuration and custom rules.
struct RequestRules {
    config: Config,
    settings: kpitree_core::config::Settings,
    switches: Vec<kpitree_plugin_host::RuleSwitches>,
    custom: kpitree_session::CustomRules,
}

/// What a cancelled evaluation answers: nobody reads it (its client got `timeout` or left).
fn cancelled(_: Cancelled) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the evaluation was stopped")
}

fn run_check(l: &Loaded, format: Format, q: &Query, bytes: &[u8], cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
    cancel.check().map_err(cancelled)?;
    let mut input = input(format, bytes)?;
    let r = request_config(l, &mut input, q)?;
    let tree = kpitree_core::load(input.name, input.text, format, &q.meta).map_err(|e| load_error(e, input.offset))?;
    let report = check::check_until(&tree, &l.plugins, &r.switches, &r.custom, &r.config, &r.settings, cancel)
        .map_err(cancelled)?;
    for e in &report.plugin_errors {
        // The plugin's name and message are its own text: Debug escapes control characters.
        tracing::warn!(plugin = ?e.plugin, code = %e.code, message = ?e.message, "plugin failed");
    }
    cancel.check().map_err(cancelled)?;
    Ok(check::report_json(&report))
}

fn run_prune(l: &Loaded, format: Format, q: &Query, bytes: &[u8], cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
    cancel.check().map_err(cancelled)?;
    let mut input = input(format, bytes)?;
    let r = request_config(l, &mut input, q)?;
    let tree = kpitree_core::load(input.name, input.text, format, &q.meta).map_err(|e| load_error(e, input.offset))?;
    cancel.check().map_err(cancelled)?;
    // Custom rules count in the health before and after, as in `check`.
    let (report, _) = kpitree_core::prune::prune_with(&tree, &r.settings, &q.reasons, &|t| r.custom.run(t));
    cancel.check().map_err(cancelled)?;
    Ok(check::pretty_json(&report))
}

/// `{"old": {...}, "new": {...}, "config": {...}, "custom_rules": [...]}`: the two versions of a tree
/// `POST /v1/diff` compares, with the request's configuration.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffEnvelope<'a> {
    #[serde(borrow)]
    old: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    new: &'a serde_json::value::RawValue,
    #[serde(default)]
    config: Option<Config>,
    #[serde(default)]
    custom_rules: Vec<kpitree_session::CustomRuleDef>,
}

/// `POST /v1/diff`: both trees loaded (every problem of both reported, each naming its tree), checked
/// with the request's rules and compared: the bytes of `kpitree diff --format json`.
fn run_diff(l: &Loaded, format: Format, q: &Query, bytes: &[u8], cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
    cancel.check().map_err(cancelled)?;
    if format != Format::Json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "a diff takes a JSON body `{\"old\": tree, \"new\": tree}`; send application/json",
        ));
    }
    let text = kpitree_core::decode_text("request.json", bytes).map_err(|e| load_error(e, (0, 0)))?;
    let env: DiffEnvelope<'_> = serde_json::from_str(text).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-envelope", format!("request envelope: {e}"))
            .with("line", json!(e.line()))
            .with("column", json!(e.column()))
    })?;
    let mut input = Input {
        name: "request.json",
        text,
        offset: (0, 0),
        config: env.config.unwrap_or_default(),
        custom_rules: env.custom_rules,
    };
    let r = request_config(l, &mut input, q)?;
    let load = |name: &str, raw: &serde_json::value::RawValue| {
        kpitree_core::load(name, raw.get(), Format::Json, &q.meta).map_err(|mut e| {
            let (lines, cols) = offset_in(text, raw.get());
            e.offset_by(lines, cols);
            e
        })
    };
    let (old, new) = kpitree_run::diff::both(load("old", env.old), load("new", env.new)).map_err(invalid_trees)?;
    cancel.check().map_err(cancelled)?;
    let checked =
        kpitree_run::diff::diff_until(old, new, &l.plugins, &r.switches, &r.custom, &r.config, &r.settings, cancel)
            .map_err(cancelled)?;
    let diff = checked.diff();
    for e in &diff.plugin_errors {
        tracing::warn!(plugin = ?e.plugin, code = %e.code, message = ?e.message, "plugin failed");
    }
    cancel.check().map_err(cancelled)?;
    Ok(kpitree_run::diff::diff_json(&diff))
}

/// The problems of one or both trees of a diff, each naming its tree (`"tree": "old"` or `"new"`, the
/// file name of its errors) with its line and column in the request body: 400 `syntax` when one does
/// not parse, else 422 `invalid-tree`.
fn invalid_trees(errors: Vec<kpitree_core::LoadError>) -> ApiError {
    let syntax =
        errors.iter().flat_map(|e| &e.problems).any(|p| matches!(p.kind, kpitree_core::ProblemKind::Syntax { .. }));
    let (status, code) =
        if syntax { (StatusCode::BAD_REQUEST, "syntax") } else { (StatusCode::UNPROCESSABLE_ENTITY, "invalid-tree") };
    let mut problems = Vec::new();
    let mut message = Vec::new();
    for e in &errors {
        let n = e.problems.len();
        message.push(format!("{} invalid: {n} problem{}", e.file, if n == 1 { "" } else { "s" }));
        for p in &e.problems {
            let mut v = serde_json::to_value(p).unwrap_or_else(|_| json!({}));
            if let Some(m) = v.as_object_mut() {
                m.insert("tree".into(), json!(e.file));
            }
            problems.push(v);
        }
    }
    ApiError::new(status, code, message.join("; ")).with("problems", json!(problems))
}

/// The `--web` directory: its files, but none that a symlink places outside it.
struct WebRoot {
    /// The directory with every symlink resolved, what a file's resolved path must start with.
    root: PathBuf,
    files: hyper_util::service::TowerToHyperService<tower_http::services::ServeDir>,
}

impl WebRoot {
    fn new(dir: &Path) -> WebRoot {
        let root = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
        WebRoot {
            files: hyper_util::service::TowerToHyperService::new(tower_http::services::ServeDir::new(&root)),
            root,
        }
    }

    async fn serve(&self, req: Request) -> Response {
        use hyper::service::Service as _;
        let root = self.root.clone();
        let path = req.uri().path().to_owned();
        // Resolving symlinks touches the file system: off the async workers.
        let outside = tokio::task::spawn_blocking(move || leaves_root(&root, &path)).await.unwrap_or(true);
        if outside {
            return StatusCode::NOT_FOUND.into_response();
        }
        match self.files.call(req).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        }
    }
}

/// True when the file `uri_path` names under `root` (a canonical path), or the `index.html` served
/// for a directory, resolves through a symlink to somewhere outside `root`, or cannot be decoded
/// strictly (malformed percent-encoding). Paths the file service refuses anyway (`..`) are left to it.
fn leaves_root(root: &Path, uri_path: &str) -> bool {
    // A path we cannot decode as ServeDir would is not served (ServeDir decodes leniently).
    let Some(decoded) = percent_decode(uri_path.trim_start_matches('/')) else { return true };
    let mut path = root.to_path_buf();
    for c in Path::new(&decoded).components() {
        match c {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return false,
        }
    }
    let outside = |p: &Path| p.canonicalize().is_ok_and(|real| !real.starts_with(root));
    outside(&path) || (path.is_dir() && outside(&path.join("index.html")))
}

/// `%XX` escapes decoded, as UTF-8; `None` for a malformed escape or text.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secre", b"secret"));
        assert!(!constant_time_eq(b"", b"secret"));
    }

    #[test]
    fn envelope_offsets_count_lines_and_columns() {
        let body = b"{\"config\": {},\n  \"tree\": {\"version\": 1}}";
        let i = input(Format::Json, body).expect("an envelope");
        assert_eq!(i.text, "{\"version\": 1}");
        assert_eq!(i.offset, (1, 10));
        let plain = input(Format::Json, b"{\"version\": 1}").expect("a tree");
        assert_eq!(plain.offset, (0, 0));
    }
}
