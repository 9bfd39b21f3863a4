//! [`FaultProxy`]: a TCP proxy on 127.0.0.1 in front of one loopback address, whose behaviour
//! tests switch at run time to make a server go away mid-stream.
//!
//! The mode is read when a connection is accepted and holds for that connection's life.
//! Every mode change closes all connections already open, so a client's pooled keep-alive
//! connection cannot carry an old mode past the change (a client may see that as one
//! connection error on an idle pooled connection, as with any real server restart).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::background::{Background, StopSignal};

/// What the proxy does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Forward both ways untouched.
    Pass,
    /// Forward the request; forward the first N bytes of the response, then close.
    CutAfter(usize),
    /// Accept, then close at once.
    Refuse,
}

/// A fault-injecting TCP proxy on `127.0.0.1`; stops (closing every connection) on drop.
///
/// ```no_run
/// use flowpath_testkit::{FaultProxy, S3Server};
/// let s3 = S3Server::start();
/// let proxy = FaultProxy::start(s3.addr());
/// let env = s3.env_with_endpoint(&proxy.endpoint());
/// proxy.cut_responses_after(64 * 1024); // every response dies after 64 KiB
/// // ... run the code under test with `env` and assert it fails cleanly or retries ...
/// proxy.pass();
/// ```
pub struct FaultProxy {
    server: Background,
    mode: watch::Sender<Mode>,
    connections: Arc<AtomicUsize>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr())
            .field("mode", &*self.mode.borrow())
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Starts a proxy to `target` (which must be a loopback address), in pass mode.
    pub fn start(target: SocketAddr) -> Self {
        assert!(
            target.ip().is_loopback(),
            "FaultProxy only forwards to loopback, not {target}"
        );
        let (mode, mode_rx) = watch::channel(Mode::Pass);
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let server = Background::start("fault-proxy", move |listener, stop| {
            accept_loop(listener, stop, target, mode_rx, counter)
        });
        Self {
            server,
            mode,
            connections,
        }
    }

    /// The proxy's own address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:PORT` of the proxy.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// From now on forward everything untouched (the initial mode).
    pub fn pass(&self) {
        self.mode.send_replace(Mode::Pass);
    }

    /// From now on, on each new connection, forward the request but only the first `bytes`
    /// bytes of what the target sends back (counted per connection), then close it.
    pub fn cut_responses_after(&self, bytes: usize) {
        self.mode.send_replace(Mode::CutAfter(bytes));
    }

    /// From now on accept each connection and close it at once.
    pub fn refuse(&self) {
        self.mode.send_replace(Mode::Refuse);
    }

    /// How many connections the proxy has accepted so far (in any mode).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn accept_loop(
    listener: TcpListener,
    mut stop: StopSignal,
    target: SocketAddr,
    mode: watch::Receiver<Mode>,
    connections: Arc<AtomicUsize>,
) {
    loop {
        let client = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _peer)) => client,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = stop.stopped() => return,
        };
        connections.fetch_add(1, Ordering::SeqCst);
        let mut changes = mode.clone();
        let current = *changes.borrow_and_update();
        tokio::spawn(async move {
            tokio::select! {
                () = proxy_connection(client, target, current) => {}
                // Any mode change closes the connection (see the module docs).
                _ = changes.changed() => {}
            }
        });
    }
}

async fn proxy_connection(mut client: TcpStream, target: SocketAddr, mode: Mode) {
    let limit = match mode {
        Mode::Refuse => return,
        Mode::Pass => None,
        Mode::CutAfter(bytes) => Some(bytes),
    };
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        return;
    };
    let Some(limit) = limit else {
        let _copied = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    let requests = async {
        let _copied = tokio::io::copy(&mut client_read, &mut upstream_write).await;
        let _closed = upstream_write.shutdown().await;
        // The response side decides when the connection ends.
        std::future::pending::<()>().await;
    };
    let responses = async {
        let mut left = limit;
        let mut buf = vec![0u8; 16 * 1024];
        while left > 0 {
            let want = left.min(buf.len());
            let n = match upstream_read.read(&mut buf[..want]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            left -= n;
        }
        let _flushed = client_write.flush().await;
    };
    tokio::select! {
        () = requests => {}
        () = responses => {}
    }
    // Both sockets close here.
}
