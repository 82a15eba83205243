//! `--syslog TARGET`: sends each shown finding as an RFC 5424 message
//! ([`syslog_message`]) to `udp://HOST:PORT` (one datagram each), `tcp://HOST:PORT`
//! (octet counting, RFC 6587: `LEN SP MESSAGE`) or `unix:PATH` (a datagram socket such
//! as /dev/log; a stream socket gets one message per line).

use std::fmt;
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::model::Finding;
use crate::report::syslog_message;

/// How long connecting and sending may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where the messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTarget {
    /// `udp://HOST:PORT`.
    Udp(String),
    /// `tcp://HOST:PORT`.
    Tcp(String),
    /// `unix:PATH`.
    Unix(PathBuf),
}

impl FromStr for SyslogTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let address = |rest: &str| -> Result<String, String> {
            match rest.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
                    Ok(rest.to_string())
                }
                _ => Err(format!("{s}: expected HOST:PORT after the scheme")),
            }
        };
        if let Some(rest) = s.strip_prefix("udp://") {
            return address(rest).map(SyslogTarget::Udp);
        }
        if let Some(rest) = s.strip_prefix("tcp://") {
            return address(rest).map(SyslogTarget::Tcp);
        }
        if let Some(path) = s.strip_prefix("unix:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(format!("{s}: expected unix:PATH"));
            }
            return Ok(SyslogTarget::Unix(PathBuf::from(path)));
        }
        Err(format!("{s}: expected udp://HOST:PORT, tcp://HOST:PORT or unix:PATH"))
    }
}

impl fmt::Display for SyslogTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyslogTarget::Udp(a) => write!(f, "udp://{a}"),
            SyslogTarget::Tcp(a) => write!(f, "tcp://{a}"),
            SyslogTarget::Unix(p) => write!(f, "unix:{}", p.display()),
        }
    }
}

/// Sends one message per finding to `target`.
pub(super) fn send(target: &SyslogTarget, findings: &[Finding], now: DateTime<Utc>) -> Result<()> {
    let pid = std::process::id();
    let messages: Vec<Vec<u8>> = findings.iter().map(|f| syslog_message(f, now, pid)).collect();
    match target {
        SyslogTarget::Udp(address) => send_udp(address, &messages),
        SyslogTarget::Tcp(address) => send_tcp(address, &messages),
        SyslogTarget::Unix(path) => send_unix(path, &messages),
    }
    .with_context(|| format!("syslog {target}"))
}

fn resolve(address: &str) -> Result<SocketAddr> {
    address
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {address}"))?
        .next()
        .with_context(|| format!("{address} resolves to no address"))
}

fn send_udp(address: &str, messages: &[Vec<u8>]) -> Result<()> {
    let peer = resolve(address)?;
    let local: SocketAddr = if peer.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local)?;
    socket.connect(peer)?;
    socket.set_write_timeout(Some(TIMEOUT))?;
    for message in messages {
        socket.send(message)?;
    }
    Ok(())
}

fn send_tcp(address: &str, messages: &[Vec<u8>]) -> Result<()> {
    let mut stream = TcpStream::connect_timeout(&resolve(address)?, TIMEOUT)?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut frames = Vec::new();
    for message in messages {
        write!(frames, "{} ", message.len())?;
        frames.extend_from_slice(message);
    }
    stream.write_all(&frames)?;
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Write)?;
    Ok(())
}

#[cfg(unix)]
fn send_unix(path: &std::path::Path, messages: &[Vec<u8>]) -> Result<()> {
    use std::os::unix::net::{UnixDatagram, UnixStream};
    let datagram = UnixDatagram::unbound()?;
    if let Err(err) = datagram.connect(path) {
        // A stream socket (syslog-ng's unix-stream()) refuses datagrams: one message
        // per line there.
        let Ok(mut stream) = UnixStream::connect(path) else {
            return Err(err).with_context(|| format!("cannot connect to {}", path.display()));
        };
        stream.set_write_timeout(Some(TIMEOUT))?;
        for message in messages {
            stream.write_all(message)?;
            stream.write_all(b"\n")?;
        }
        stream.flush()?;
        return Ok(());
    }
    for message in messages {
        datagram.send(message)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn send_unix(path: &std::path::Path, _messages: &[Vec<u8>]) -> Result<()> {
    anyhow::bail!("{}: unix sockets are not available on this system", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_back() {
        for text in [
            "udp://127.0.0.1:514",
            "tcp://logs.example.com:6514",
            "tcp://[::1]:514",
            "unix:/dev/log",
        ] {
            let target: SyslogTarget = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(target.to_string(), text);
        }
        assert_eq!(
            "unix:///run/systemd/journal/syslog".parse::<SyslogTarget>(),
            Ok(SyslogTarget::Unix(PathBuf::from("/run/systemd/journal/syslog")))
        );
        for bad in [
            "udp://127.0.0.1",
            "tcp://:514",
            "tcp://host:0",
            "tcp://host:99999",
            "unix:",
            "syslog.example.com",
        ] {
            assert!(bad.parse::<SyslogTarget>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tcp_frames_are_octet_counted() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
        let address = listener.local_addr().expect("address").to_string();
        let reader = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("a connection");
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut stream, &mut bytes).expect("read");
            bytes
        });
        send_tcp(&address, &[b"<14>1 a".to_vec(), "<11>1 é".as_bytes().to_vec()]).expect("sent");
        let bytes = reader.join().expect("reader");
        assert_eq!(bytes, "7 <14>1 a8 <11>1 é".as_bytes());
    }

    #[cfg(unix)]
    #[test]
    fn unix_datagram_and_stream_sockets_both_receive() {
        use std::io::{BufRead, BufReader};
        use std::os::unix::net::{UnixDatagram, UnixListener};
        let dir = std::env::temp_dir().join(format!("exdoctor-syslog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("folder");
        let dgram_path = dir.join("dgram.sock");
        let receiver = UnixDatagram::bind(&dgram_path).expect("bind");
        send_unix(&dgram_path, &[b"one".to_vec(), b"two".to_vec()]).expect("sent");
        let mut buf = [0u8; 64];
        let n = receiver.recv(&mut buf).expect("first");
        assert_eq!(&buf[..n], b"one");
        let n = receiver.recv(&mut buf).expect("second");
        assert_eq!(&buf[..n], b"two");

        let stream_path = dir.join("stream.sock");
        let listener = UnixListener::bind(&stream_path).expect("bind");
        let reader = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("a connection");
            BufReader::new(stream).lines().map_while(Result::ok).collect::<Vec<_>>()
        });
        send_unix(&stream_path, &[b"one".to_vec(), b"two".to_vec()]).expect("sent");
        assert_eq!(reader.join().expect("reader"), ["one", "two"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
