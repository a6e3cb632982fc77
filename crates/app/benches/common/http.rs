//! A plain HTTP/1.1 client over one keep-alive connection, written on `std` alone so
//! that what a bench times is the server and a socket, not a client crate's runtime:
//! a request is written whole, and the answer read to its last byte (fixed length or
//! chunked). A client can be bound to a local address of its own (anything in
//! 127.0.0.0/8 is this machine), so that each simulated person reaches the server
//! from their own address, as they would from their own tablet, and per-client
//! limits apply to them one by one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use super::measure::BenchResult;

/// One keep-alive connection of a signed-in person.
pub struct Http {
    conn: BufReader<TcpStream>,
    server: SocketAddr,
    /// The local address the connection is made from (`None`: any).
    from: Option<IpAddr>,
    cookie: String,
    /// The anti-forgery token that goes with the session, sent with every POST.
    csrf: Option<String>,
    /// Times the server had closed the idle connection and it was opened again
    /// before a request (the time that took is part of that request's latency).
    pub reconnects: usize,
}

fn open(server: SocketAddr, from: Option<IpAddr>) -> BenchResult<BufReader<TcpStream>> {
    let stream = match from {
        None => TcpStream::connect(server)?,
        Some(ip) => {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(server),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            socket.bind(&SocketAddr::new(ip, 0).into())?;
            socket.connect(&server.into())?;
            socket.into()
        }
    };
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    Ok(BufReader::new(stream))
}

/// Why one attempt at a request did not get an answer.
enum Failed {
    /// The server had closed the connection before the request reached it (an idle
    /// keep-alive connection): nothing was done, so sending it again is safe.
    Closed,
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl From<std::io::Error> for Failed {
    fn from(e: std::io::Error) -> Failed {
        Failed::Other(e.into())
    }
}

impl From<std::num::ParseIntError> for Failed {
    fn from(e: std::num::ParseIntError) -> Failed {
        Failed::Other(e.into())
    }
}

impl Http {
    /// A connection with the session cookie `session_token` (and its anti-forgery
    /// token `csrf` for POSTs), from any local address.
    pub fn connect(server: SocketAddr, session_token: &str) -> BenchResult<Http> {
        Http::connect_from(None, server, session_token, None)
    }

    /// The same, from local address `from`.
    pub fn connect_from(
        from: Option<IpAddr>,
        server: SocketAddr,
        session_token: &str,
        csrf: Option<String>,
    ) -> BenchResult<Http> {
        Ok(Http {
            conn: open(server, from)?,
            server,
            from,
            cookie: format!("vplant_session={session_token}"),
            csrf,
            reconnects: 0,
        })
    }

    /// `GET path`; the body of a 200 answer, an error otherwise.
    pub fn get(&mut self, path: &str) -> BenchResult<Vec<u8>> {
        self.send("GET", path, &[], b"")
    }

    /// `POST path` with a JSON body, the anti-forgery token and `headers`; the body
    /// of a 200 answer, an error otherwise.
    pub fn post_json(
        &mut self,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> BenchResult<Vec<u8>> {
        self.send("POST", path, headers, body.as_bytes())
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> BenchResult<Vec<u8>> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nCookie: {}\r\n",
            self.server, self.cookie
        );
        if method != "GET" {
            if let Some(csrf) = &self.csrf {
                request.push_str(&format!("X-CSRF-Token: {csrf}\r\n"));
            }
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut request = request.into_bytes();
        request.extend_from_slice(body);
        let (status, body) = match self.exchange(&request) {
            Ok(answer) => answer,
            Err(Failed::Closed) => {
                self.conn = open(self.server, self.from)?;
                self.reconnects += 1;
                match self.exchange(&request) {
                    Ok(answer) => answer,
                    Err(Failed::Closed) => return Err("the server closed a new connection".into()),
                    Err(Failed::Other(e)) => return Err(e),
                }
            }
            Err(Failed::Other(e)) => return Err(e),
        };
        if status != "200" {
            return Err(format!(
                "{method} {path}: the server answered {status}: {}",
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        Ok(body)
    }

    /// Writes the request and reads the whole answer: its status and body.
    fn exchange(&mut self, request: &[u8]) -> Result<(String, Vec<u8>), Failed> {
        if self.conn.get_mut().write_all(request).is_err() {
            return Err(Failed::Closed);
        }
        let mut line = String::new();
        match self.conn.read_line(&mut line) {
            Ok(0) => return Err(Failed::Closed),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Err(Failed::Closed);
            }
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
        let status = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut length = 0usize;
        let mut chunked = false;
        loop {
            line.clear();
            if self.conn.read_line(&mut line)? == 0 {
                return Err(Failed::Other(
                    "the server closed the connection in an answer".into(),
                ));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                let value = value.trim();
                if name == "content-length" {
                    length = value.parse()?;
                } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.conn.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)?;
                let start = body.len();
                body.resize(start + size + 2, 0);
                self.conn.read_exact(&mut body[start..])?;
                body.truncate(start + size);
                if size == 0 {
                    break;
                }
            }
        } else {
            body.resize(length, 0);
            self.conn.read_exact(&mut body)?;
        }
        Ok((status, body))
    }
}
