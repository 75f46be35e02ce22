//! The accept loop: hyper's HTTP/1 connections under a header-read timeout (which hyper also runs
//! while a keep-alive connection waits for its next request, so it is the idle timeout too), a write
//! timeout, and a cap on open connections at which the oldest connection waiting for a request is
//! closed to make room. `axum::serve` has none of these knobs; this replaces it.

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::BTreeMap;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};

/// What bounds connections (`kpitree serve`'s connection flags); [`crate::Service::with_conn_limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnLimits {
    /// How long a connection may take to send a request's head, counted from when it opens or from
    /// its previous answer: the slowloris bound and the keep-alive idle timeout (hyper runs one
    /// timer for both).
    pub header_timeout: Duration,
    /// How long a write to a client may make no progress (a client that stops reading its answer)
    /// before its connection is closed.
    pub write_timeout: Duration,
    /// Connections open at once, lowered to stay under the open-file limit (`ulimit -n`). At the cap
    /// the oldest connection waiting for a request is closed to make room for a new one; while every
    /// connection is answering, new ones wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for ConnLimits {
    fn default() -> ConnLimits {
        ConnLimits {
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting, closes idle
/// connections, lets requests in flight finish and returns once every connection has closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // The semaphore counts open connections; at the end, taking all its permits waits for the last.
    let cap = effective_cap(limits.max_connections);
    let permits = Arc::new(Semaphore::new(cap));
    let open = Arc::new(Open::default());
    let (stop, stopped) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_error(&e).await;
                    continue;
                }
            },
        };
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                // At the cap (one accepted socket over it, at most): the oldest connection waiting for
                // a request makes room; when every connection is busy, the next to close does, and
                // new ones wait in the kernel's backlog meanwhile.
                let permit = tokio::select! {
                    () = &mut shutdown => break,
                    p = make_room(&open, &permits) => p,
                };
                match permit {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        let conn = open.add();
        let listed = Listed { open: Arc::clone(&open), id: conn.id };
        let service = Tracked { inner: TowerToHyperService::new(router.clone()), conn: Arc::clone(&conn) };
        let io = TokioIo::new(WriteTimeout::new(stream, limits.write_timeout));
        let mut stopped = stopped.clone();
        let builder = builder.clone();
        tokio::spawn(async move {
            // Dropped however the task ends (a panic included): the permit frees its place and the
            // connection leaves the list of open ones.
            let _permit = permit;
            let _listed = listed;
            let mut http = pin!(builder.serve_connection(io, service));
            let mut stopping = false;
            loop {
                tokio::select! {
                    done = http.as_mut() => {
                        if let Err(e) = done {
                            tracing::debug!(error = %e, "connection closed");
                        }
                        break;
                    }
                    _ = stopped.changed(), if !stopping => {
                        stopping = true;
                        http.as_mut().graceful_shutdown();
                    }
                    () = conn.evict.notified(), if !stopping => {
                        if conn.busy.load(Ordering::SeqCst) == 0 {
                            // Graceful: an answer whose body is gone but whose last bytes are still
                            // being written is finished first, then the connection closes.
                            tracing::debug!("closing an idle connection to make room for a new one");
                            stopping = true;
                            conn.closing.store(true, Ordering::SeqCst);
                            http.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    // Requests in flight are bounded by the request timeout and writes by the write timeout; this
    // bound only guarantees that a shutdown ends whatever a connection does.
    let grace = limits.write_timeout.saturating_add(Duration::from_secs(30));
    if tokio::time::timeout(grace, permits.acquire_many(all)).await.is_err() {
        tracing::warn!("connections still open after the shutdown grace period; stopping anyway");
    }
    Ok(())
}

/// `wanted`, lowered so that connections cannot use up the open-file limit: a quarter of it (at least
/// 32 descriptors) stays for everything else (the listener, static files, logs, plugin files on a
/// reload). Without this, a cap above `ulimit -n` would let accept fail with `EMFILE` first, and no
/// idle connection would be closed to make room.
fn effective_cap(wanted: usize) -> usize {
    let wanted = wanted.clamp(1, 1 << 20);
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let Some(files) = limit.and_then(|n| usize::try_from(n).ok()) else { return wanted };
    let cap = wanted.min(files.saturating_sub((files / 4).max(32)).max(1));
    if cap < wanted {
        tracing::warn!(
            max_connections = cap,
            open_file_limit = files,
            "connection cap lowered to stay under the open-file limit (ulimit -n)"
        );
    }
    cap
}

/// Evicts the oldest idle connection, again every 50 ms while none has closed, until a permit is free.
/// `None` if the semaphore was closed (it never is).
async fn make_room(open: &Open, permits: &Arc<Semaphore>) -> Option<tokio::sync::OwnedSemaphorePermit> {
    loop {
        open.evict_oldest_idle();
        if let Ok(p) = tokio::time::timeout(Duration::from_millis(50), Arc::clone(permits).acquire_owned()).await {
            return p.ok();
        }
    }
}

/// As axum::serve: errors about one connection are skipped; others (out of file descriptors) are
/// logged and retried after a pause, since closing connections will free what is missing.
async fn accept_error(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The open connections, by age.
#[derive(Default)]
struct Open {
    next: AtomicU64,
    conns: Mutex<BTreeMap<u64, Arc<Conn>>>,
}

/// One connection: how many of its requests are being answered, and the signal to close when idle.
struct Conn {
    id: u64,
    busy: AtomicUsize,
    /// Set once it was asked to close: the next eviction picks another connection.
    closing: AtomicBool,
    evict: Notify,
}

impl Open {
    fn add(&self) -> Arc<Conn> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let conn =
            Arc::new(Conn { id, busy: AtomicUsize::new(0), closing: AtomicBool::new(false), evict: Notify::new() });
        self.lock().insert(id, Arc::clone(&conn));
        conn
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Asks the oldest connection that is not answering a request to close (it checks again before
    /// it does, so one that just got a request stays).
    fn evict_oldest_idle(&self) {
        if let Some(c) =
            self.lock().values().find(|c| c.busy.load(Ordering::SeqCst) == 0 && !c.closing.load(Ordering::SeqCst))
        {
            c.evict.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        // The map stays consistent whatever panicked while holding it.
        self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Takes a connection off the list of open ones when its task ends.
struct Listed {
    open: Arc<Open>,
    id: u64,
}

impl Drop for Listed {
    fn drop(&mut self) {
        self.open.remove(self.id);
    }
}

/// Marks its connection busy from a request's arrival until its answer's body is dropped (written
/// or abandoned).
struct Busy(Arc<Conn>);

impl Busy {
    fn new(conn: &Arc<Conn>) -> Busy {
        conn.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(conn))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The router as a hyper service that marks the connection busy while it answers.
#[derive(Clone)]
struct Tracked {
    inner: TowerToHyperService<Router>,
    conn: Arc<Conn>,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Tracked {
    type Response = hyper::Response<Guarded>;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn call(&self, req: hyper::Request<Incoming>) -> Self::Future {
        let busy = Busy::new(&self.conn);
        let answer = self.inner.call(req);
        Box::pin(async move {
            let res = answer.await?;
            Ok(res.map(|body| Guarded { body, _busy: busy }))
        })
    }
}

/// An answer's body that keeps its connection busy until it is dropped.
struct Guarded {
    body: Body,
    _busy: Busy,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A socket whose writes fail when they make no progress for `timeout` (a client that stops reading
/// its answer). Reads are bounded elsewhere: the head by hyper's header timeout, the body by the
/// request timeout.
struct WriteTimeout<S> {
    inner: S,
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// True while a write is pending and `sleep` runs for it.
    waiting: bool,
}

impl<S> WriteTimeout<S> {
    fn new(inner: S, timeout: Duration) -> WriteTimeout<S> {
        WriteTimeout { inner, timeout, sleep: Box::pin(tokio::time::sleep(timeout)), waiting: false }
    }

    /// What a write or flush gives: progress resets the clock, `Pending` runs it.
    fn watch<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.waiting = false;
            return polled;
        }
        if !self.waiting {
            self.waiting = true;
            let deadline = tokio::time::Instant::now() + self.timeout;
            self.sleep.as_mut().reset(deadline);
        }
        ready!(self.sleep.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, polled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_write_timeout() {
        // 64 bytes of buffer and a reader that never reads: the write stalls and must fail.
        let (ours, _theirs) = tokio::io::duplex(64);
        let mut io = WriteTimeout::new(ours, Duration::from_millis(50));
        let stalled = tokio::time::timeout(Duration::from_secs(20), io.write_all(&[b'x'; 1024]))
            .await
            .expect("fails before the deadline");
        assert_eq!(stalled.expect_err("times out").kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn a_write_that_progresses_never_times_out() {
        // The reader drains slowly (8 bytes at a time, each after more than the timeout in total):
        // every bit of progress resets the clock.
        let (ours, mut theirs) = tokio::io::duplex(8);
        let mut io = WriteTimeout::new(ours, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut buf = [0u8; 8];
            while got.len() < 256 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let n = theirs.read(&mut buf).await.expect("reads");
                got.extend_from_slice(&buf[..n]);
            }
            got
        });
        io.write_all(&[b'y'; 256]).await.expect("writes it all");
        assert_eq!(reader.await.expect("joins"), vec![b'y'; 256]);
    }
}
