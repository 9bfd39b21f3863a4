//! One loopback listener served by its own single-threaded tokio runtime on a background
//! thread, stopped (and its connections dropped) when the owning handle is dropped.
//!
//! Every server in this crate (S3, fault proxy, Lambda Runtime API) is built on this, so tests
//! stay synchronous: they never need an async runtime of their own.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long dropping a server may wait for its runtime to wind down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Resolves once the owning handle asked the server to stop.
pub(crate) struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// Waits until a stop was requested (or the owning handle is gone).
    pub(crate) async fn stopped(&mut self) {
        // An error means the sender was dropped: that is a stop too.
        let _stopped = self.0.wait_for(|stop| *stop).await;
    }
}

/// A background thread running one server; stops it on drop.
pub(crate) struct Background {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Binds `127.0.0.1:0` now (so the address is known, and connections queue, before this
    /// returns) and runs `serve(listener, stop)` on a fresh runtime on a background thread.
    pub(crate) fn start<F, Fut>(name: &str, serve: F) -> Self
    where
        F: FnOnce(TcpListener, StopSignal) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let std_listener =
            StdListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a listener on 127.0.0.1:0");
        let addr = std_listener
            .local_addr()
            .expect("local address of a bound listener");
        std_listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let (stop, stop_rx) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name(format!("testkit-{name}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("build a tokio runtime");
                runtime.block_on(async move {
                    let listener =
                        TcpListener::from_std(std_listener).expect("register the listener");
                    serve(listener, StopSignal(stop_rx)).await;
                });
                // Drops every task still running (open connections), bounded.
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .expect("spawn a server thread");
        Self {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// The bound address (always on 127.0.0.1).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread has already been reported on stderr; do not panic
            // again while dropping.
            let _joined = thread.join();
        }
    }
}

/// Serves HTTP/1.1 with `service` on every connection accepted until `stop`.
pub(crate) async fn serve_http1<S, B>(listener: TcpListener, mut stop: StopSignal, service: S)
where
    S: Service<hyper::Request<Incoming>, Response = hyper::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _peer)) => socket,
                // Transient (e.g. out of file descriptors): keep serving, without spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = stop.stopped() => return,
        };
        let service = service.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(socket), service);
            // A client going away mid-request is normal in fault tests.
            let _served = conn.await;
        });
    }
}
