//! A loopback TCP proxy in front of the test database, so a test can cut the database off as an outage would,
//! and bring it back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use actix_web::rt::task::JoinHandle;
use tokio::net::{TcpListener, TcpStream};

/// Forwards connections on `addr` to a target until [`TcpProxy::cut`], and again after [`TcpProxy::restore`].
pub struct TcpProxy {
    pub addr: SocketAddr,
    target: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl TcpProxy {
    pub async fn start(target: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = TcpProxy {
            addr: listener.local_addr().unwrap(),
            target,
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.forward(listener);
        proxy
    }

    fn forward(&self, listener: TcpListener) {
        let (spawned, target) = (self.tasks.clone(), self.target);
        let accept = actix_web::rt::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = actix_web::rt::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                spawned.lock().unwrap().push(forward);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the listener and every forwarded connection: the database is gone.
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Listens on the same address again: the database is back.
    pub async fn restore(&self) {
        self.forward(TcpListener::bind(self.addr).await.unwrap());
    }
}
