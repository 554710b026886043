//! A fake Lambda Runtime API on loopback, so a function binary can be cold-started and timed
//! without AWS, Docker or the network.
//!
//! It speaks just enough HTTP/1.1 (keep-alive, `Content-Length` and chunked bodies) for the Rust
//! `lambda_runtime` client and the Python baseline's `http.client`. The harness *arms* it with
//! one invocation at a time: the first `GET …/invocation/next` gets that event with the headers
//! the runtime clients require, and the moment the function's `POST …/{id}/response` body has
//! been read is the end of the measurement. Every later `next` is parked (never answered) until
//! the harness kills the process, exactly as a frozen Lambda sandbox would wait.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
/// Largest request head or body accepted; a Lambda response payload is at most 6 MB.
const MAX_BODY: usize = 8 << 20;

/// What the function reported for the armed invocation, and when it was fully received.
#[derive(Debug)]
pub enum Outcome {
    Response {
        at: Instant,
        body: Vec<u8>,
    },
    /// `…/{id}/error` or `…/init/error`: the function failed; `kind` says which.
    Error {
        kind: &'static str,
        body: Vec<u8>,
    },
}

struct Invocation {
    request_id: String,
    function_arn: String,
    event: Arc<Vec<u8>>,
    served: bool,
    tx: Sender<Outcome>,
}

#[derive(Default)]
struct Shared {
    current: Mutex<Option<Invocation>>,
}

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&mut Option<Invocation>) -> T) -> T {
        f(&mut self.current.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The server: one accept thread for the life of the process, one thread per connection.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    pub fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept_shared = Arc::clone(&shared);
        thread::Builder::new().name("runtime-api".into()).spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&accept_shared);
                // A connection that cannot get a thread is dropped; the run then fails by timeout.
                let _ = thread::Builder::new().spawn(move || serve(stream, &shared));
            }
        })?;
        Ok(RuntimeApi { addr, shared })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Makes `event` the next invocation; the receiver gets the function's answer to it.
    pub fn arm(&self, request_id: &str, function_name: &str, event: Arc<Vec<u8>>) -> Receiver<Outcome> {
        let (tx, rx) = mpsc::channel();
        let invocation = Invocation {
            request_id: request_id.to_string(),
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}"),
            event,
            served: false,
            tx,
        };
        self.shared.with(|current| *current = Some(invocation));
        rx
    }

    pub fn disarm(&self) {
        self.shared.with(|current| *current = None);
    }
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

/// Handles the requests of one keep-alive connection until the peer closes it.
fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    while let Ok(Some(req)) = read_request(&mut reader) {
        let reply = if req.method == "GET" && req.path == NEXT {
            match next_invocation(shared) {
                Some(reply) => reply,
                None => {
                    // Park: the process is done with its one invocation; hold the connection
                    // open until the harness kills it, so the function stays idle meanwhile.
                    let mut sink = [0u8; 512];
                    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                    return;
                }
            }
        } else if req.method == "POST" {
            post(shared, &req)
        } else {
            simple(404, "not found")
        };
        if writer.write_all(&reply).and_then(|_| writer.flush()).is_err() {
            return;
        }
    }
}

fn next_invocation(shared: &Shared) -> Option<Vec<u8>> {
    shared.with(|current| {
        let inv = current.as_mut().filter(|inv| !inv.served)?;
        inv.served = true;
        let deadline_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() + 60_000)
            .unwrap_or(0);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Lambda-Runtime-Aws-Request-Id: {}\r\nLambda-Runtime-Deadline-Ms: {deadline_ms}\r\n\
             Lambda-Runtime-Invoked-Function-Arn: {}\r\n\
             Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000;Sampled=0\r\n\r\n",
            inv.event.len(),
            inv.request_id,
            inv.function_arn,
        );
        let mut reply = head.into_bytes();
        reply.extend_from_slice(&inv.event);
        Some(reply)
    })
}

fn post(shared: &Shared, req: &Request) -> Vec<u8> {
    let at = Instant::now();
    let body = req.body.clone();
    let outcome = if req.path == INIT_ERROR {
        Outcome::Error {
            kind: "init error",
            body,
        }
    } else {
        let Some((id, action)) = req.path.strip_prefix(INVOCATION).and_then(|rest| rest.rsplit_once('/')) else {
            return simple(404, "not found");
        };
        if !is_current(shared, id) {
            return simple(
                400,
                r#"{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}"#,
            );
        }
        match action {
            "response" => Outcome::Response { at, body },
            "error" => Outcome::Error {
                kind: "invocation error",
                body,
            },
            _ => return simple(404, "not found"),
        }
    };
    shared.with(|current| {
        if let Some(inv) = current.as_ref() {
            let _ = inv.tx.send(outcome);
        }
    });
    simple(202, r#"{"status":"OK"}"#)
}

fn is_current(shared: &Shared, id: &str) -> bool {
    shared.with(|current| current.as_ref().is_some_and(|inv| inv.request_id == id))
}

fn simple(status: u16, body: &str) -> Vec<u8> {
    let reason = match status {
        202 => "Accepted",
        400 => "Bad Request",
        _ => "Not Found",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one request; `Ok(None)` when the peer closed the connection between requests.
fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(invalid(format!("malformed request line {line:?}")));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let mut content_length = 0usize;
    let mut chunked = false;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("connection closed inside the request head".into()));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value
                    .parse()
                    .map_err(|_| invalid(format!("bad Content-Length {value:?}")))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        if content_length > MAX_BODY {
            return Err(invalid(format!("body of {content_length} bytes is too large")));
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request { method, path, body }))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size_text = line.trim().split(';').next().unwrap_or_default();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| invalid(format!("bad chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailers, if any, end with an empty line.
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(invalid("chunked body is too large".into()));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        line.clear();
        reader.read_line(&mut line)?;
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
