//! TCP and TLS (rustls with the ring provider) under the IMAP client, and the login.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::{ImapConfig, ImapError, TlsMode};

/// The byte stream an IMAP session runs on.
#[derive(Debug)]
pub(crate) enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

pub(crate) type Session = async_imap::Session<Transport>;
type Client = async_imap::Client<Transport>;

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Runs `fut`, failing with [`ImapError::Timeout`] naming `step` if it takes longer than `limit`.
pub(crate) async fn within<T>(
    limit: Duration,
    step: &'static str,
    fut: impl Future<Output = T>,
) -> Result<T, ImapError> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| ImapError::Timeout { step, after: limit })
}

/// Connects, secures the connection as configured, reads the greeting and logs in.
pub(crate) async fn connect_and_login(cfg: &ImapConfig) -> Result<Session, ImapError> {
    // Read the trust roots before touching the network, so a bad file is reported as such.
    let tls = match cfg.tls {
        TlsMode::Plain => None,
        TlsMode::Implicit | TlsMode::StartTls => Some(tls_connector(cfg)?),
    };
    let tcp = within(
        cfg.timeout,
        "connect",
        TcpStream::connect((cfg.host.as_str(), cfg.port)),
    )
    .await?
    .map_err(|source| ImapError::Connect {
        host: cfg.host.clone(),
        port: cfg.port,
        source,
    })?;

    let client = match (cfg.tls, tls) {
        (TlsMode::Implicit, Some(connector)) => {
            let stream = handshake(cfg, &connector, tcp).await?;
            let mut client = Client::new(stream);
            read_greeting(cfg, &mut client).await?;
            client
        }
        (TlsMode::StartTls, Some(connector)) => {
            let mut client = Client::new(Transport::Plain(tcp));
            read_greeting(cfg, &mut client).await?;
            within(
                cfg.timeout,
                "STARTTLS",
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await?
            .map_err(|e| ImapError::Tls {
                host: cfg.host.clone(),
                reason: format!("STARTTLS refused: {e}"),
            })?;
            let Transport::Plain(tcp) = client.into_inner() else {
                return Err(ImapError::Tls {
                    host: cfg.host.clone(),
                    reason: "connection was already encrypted before STARTTLS".to_owned(),
                });
            };
            // No greeting follows STARTTLS.
            Client::new(handshake(cfg, &connector, tcp).await?)
        }
        _ => {
            let mut client = Client::new(Transport::Plain(tcp));
            read_greeting(cfg, &mut client).await?;
            client
        }
    };

    let login = within(
        cfg.timeout,
        "login",
        client.login(&cfg.user, cfg.password.expose_secret()),
    )
    .await?;
    login.map_err(|(e, _client)| ImapError::Login {
        host: cfg.host.clone(),
        user: cfg.user.clone(),
        reason: login_failure(&e),
    })
}

/// Describes a failed login without ever echoing what was sent.
fn login_failure(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    match e {
        Error::No(text) => format!("server refused: {text}"),
        Error::Bad(text) => format!("server rejected the command: {text}"),
        // The message of this error names the offending character, which may be the password's.
        Error::Validate(_) => {
            "the user name or password contains a line break, which IMAP LOGIN cannot carry"
                .to_owned()
        }
        Error::ConnectionLost => "the server closed the connection".to_owned(),
        Error::Io(io) => format!("I/O error: {io}"),
        _ => "unexpected answer from the server".to_owned(),
    }
}

async fn read_greeting(cfg: &ImapConfig, client: &mut Client) -> Result<(), ImapError> {
    let greeting = within(cfg.timeout, "greeting", client.read_response()).await?;
    match greeting {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(ImapError::Greeting {
            host: cfg.host.clone(),
            reason: "connection closed".to_owned(),
        }),
        Err(e) => Err(ImapError::Greeting {
            host: cfg.host.clone(),
            reason: e.to_string(),
        }),
    }
}

async fn handshake(
    cfg: &ImapConfig,
    connector: &TlsConnector,
    tcp: TcpStream,
) -> Result<Transport, ImapError> {
    let tls_err = |reason: String| ImapError::Tls {
        host: cfg.host.clone(),
        reason,
    };
    let name = ServerName::try_from(cfg.host.clone())
        .map_err(|e| tls_err(format!("{:?} is not a valid server name: {e}", cfg.host)))?;
    let stream = within(cfg.timeout, "TLS handshake", connector.connect(name, tcp))
        .await?
        .map_err(|e| tls_err(e.to_string()))?;
    Ok(Transport::Tls(Box::new(stream)))
}

/// A rustls client using the ring provider, trusting the public web roots and `ca_file`.
fn tls_connector(cfg: &ImapConfig) -> Result<TlsConnector, ImapError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &cfg.ca_file {
        let ca_err = |reason: String| ImapError::CaFile {
            path: path.clone(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| ca_err(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ca_err(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_err("no PEM certificate in the file".to_owned()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| ca_err(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Tls {
            host: cfg.host.clone(),
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}
