//! A private Dovecot IMAP server for one test: its own config, Maildir storage, state, logs and
//! TLS certificates in a temporary directory, listening on free loopback ports, stopped on drop.
//!
//! Needs Debian's `dovecot-imapd` package (which brings `dovecot-core` and `openssl`); the system
//! Dovecot service is not used and may stay stopped.

use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use async_imap::Client;
use embargo_imap::{ImapConfig, TlsMode};
use futures_util::TryStreamExt;
use secrecy::SecretString;
use tokio::net::TcpStream;

const DOVECOT: &str = "/usr/sbin/dovecot";
pub const USER: &str = "reports";
pub const PASSWORD: &str = "Corr3ct-h0rse-Battery";
/// The name Dovecot's Maildir layout (hierarchy delimiter `.`) gives `Embargo/Processed`.
pub const PROCESSED: &str = "Embargo.Processed";

#[derive(Default)]
pub struct Options {
    /// Also listen for implicit TLS, and require TLS (STARTTLS on the plain port).
    pub tls: bool,
    /// Replace the advertised capabilities, to make the client take its fallback paths.
    pub capability: Option<&'static str>,
}

pub struct Dovecot {
    dir: PathBuf,
    /// Closing this pipe tells the supervisor shell to stop Dovecot and remove `dir`.
    stop: Option<ChildStdin>,
    _supervisor: Child,
    /// Plain IMAP (STARTTLS offered when started with TLS).
    pub port: u16,
    /// Implicit TLS, when started with TLS.
    pub tls_port: Option<u16>,
}

/// One message as the test reads it back from the server.
#[derive(Debug)]
pub struct Stored {
    pub uid: u32,
    pub raw: Vec<u8>,
    pub flags: Vec<String>,
}

impl Dovecot {
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    pub fn start_with(options: Options) -> Self {
        assert!(
            Path::new(DOVECOT).exists(),
            "{DOVECOT} is missing: these tests run a real IMAP server; install it with \
             `apt-get install -y dovecot-imapd` (Debian package dovecot-imapd)"
        );
        // The supervisor removes the directory once Dovecot has stopped.
        let dir = tempfile::Builder::new()
            .prefix("embargo-dovecot-")
            .tempdir()
            .unwrap()
            .keep();
        let root = dir.as_path();
        // Mail processes must not run as root: as root, store mail as `nobody`.
        let me = fs::metadata(root).unwrap();
        let (uid, gid) = if me.uid() == 0 {
            (65534, 65534)
        } else {
            (me.uid(), me.gid())
        };
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["run", "state", "mail"] {
            fs::create_dir(root.join(sub)).unwrap();
        }
        std::os::unix::fs::chown(root.join("mail"), Some(uid), Some(gid)).unwrap();
        fs::write(
            root.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::\n"),
        )
        .unwrap();

        let port = free_port();
        let tls_port = options.tls.then(free_port);
        let conf = root.join("dovecot.conf");
        fs::write(
            &conf,
            config(root, uid, gid, me.uid(), port, tls_port, &options),
        )
        .unwrap();
        let mut supervisor = Command::new("sh")
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("sh")
            .arg(DOVECOT)
            .arg(&conf)
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut dovecot = Dovecot {
            stop: supervisor.stdin.take(),
            _supervisor: supervisor,
            dir,
            port,
            tls_port,
        };
        dovecot.wait_until_ready();
        dovecot
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::Read;
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut greeting = [0u8; 4];
                if s.read_exact(&mut greeting).is_ok() && &greeting == b"* OK" {
                    return;
                }
            }
            let logs = self.logs();
            assert!(!logs.contains("Fatal"), "dovecot failed to start:\n{logs}");
            assert!(
                Instant::now() < deadline,
                "dovecot did not answer within 10 s:\n{logs}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Dovecot's own log and output, for failure messages.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        for name in ["dovecot.out", "dovecot.log"] {
            let text = fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            let _ = writeln!(all, "--- {name}\n{text}");
        }
        all
    }

    /// The CA certificate that signed the server certificate (TLS servers only).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// Poller settings for the plain port, with a short timeout.
    pub fn config(&self) -> ImapConfig {
        let mut cfg = ImapConfig::new("127.0.0.1", USER, SecretString::from(PASSWORD.to_owned()));
        cfg.port = self.port;
        cfg.tls = TlsMode::Plain;
        cfg.timeout = Duration::from_secs(10);
        cfg
    }

    /// A session of the test's own IMAP client, logged in over the plain port.
    pub async fn session(&self) -> async_imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut client = Client::new(tcp);
        client.read_response().await.unwrap().unwrap();
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// The capabilities the server advertises after login, upper-cased.
    pub async fn capabilities(&self) -> Vec<String> {
        let mut s = self.session().await;
        let caps = s.capabilities().await.unwrap();
        s.logout().await.unwrap();
        caps.iter()
            .map(|c| match c {
                async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
                async_imap::types::Capability::Auth(a) => format!("AUTH={}", a.to_uppercase()),
                async_imap::types::Capability::Atom(a) => a.to_uppercase(),
            })
            .collect()
    }

    /// Puts a message into `folder` with IMAP APPEND.
    pub async fn append(&self, folder: &str, raw: &[u8]) {
        let mut s = self.session().await;
        s.append(folder, None, None, raw).await.unwrap();
        s.logout().await.unwrap();
    }

    pub async fn append_all(&self, folder: &str, raws: &[Vec<u8>]) {
        let mut s = self.session().await;
        for raw in raws {
            s.append(folder, None, None, raw).await.unwrap();
        }
        s.logout().await.unwrap();
    }

    /// Every message in `folder`, by UID, read without setting `\Seen`. A folder that does not
    /// exist reads as empty.
    pub async fn messages(&self, folder: &str) -> Vec<Stored> {
        let mut s = self.session().await;
        let Ok(mailbox) = s.select(folder).await else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if mailbox.exists > 0 {
            let fetches: Vec<_> = s
                .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[])")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            for f in fetches {
                out.push(Stored {
                    uid: f.uid.unwrap(),
                    raw: f.body().unwrap().to_vec(),
                    flags: f.flags().map(|fl| format!("{fl:?}")).collect(),
                });
            }
        }
        s.logout().await.unwrap();
        out.sort_by_key(|m| m.uid);
        out
    }

    pub async fn uid_validity(&self, folder: &str) -> u32 {
        let mut s = self.session().await;
        let mailbox = s.select(folder).await.unwrap();
        s.logout().await.unwrap();
        mailbox.uid_validity.unwrap()
    }

    /// Sets `\Deleted` on a message, as another mail client might.
    pub async fn flag_deleted(&self, folder: &str, uid: u32) {
        let mut s = self.session().await;
        s.select(folder).await.unwrap();
        let _: Vec<_> = s
            .uid_store(uid.to_string(), "+FLAGS (\\Deleted)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        s.logout().await.unwrap();
    }
}

/// Runs Dovecot until its standard input closes (on drop, or when the test process ends in any
/// way), then stops it gracefully and removes its directory. Stopping takes Dovecot about a
/// second, which the tests need not wait for.
const SUPERVISOR: &str = r#"dovecot="$1"; conf="$2"; dir="$3"
"$dovecot" -F -c "$conf" </dev/null >>"$dir/dovecot.out" 2>&1 &
pid=$!
read -r _ || true
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rm -rf "$dir"
"#;

impl Drop for Dovecot {
    fn drop(&mut self) {
        drop(self.stop.take());
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(
    root: &Path,
    uid: u32,
    gid: u32,
    my_uid: u32,
    port: u16,
    tls_port: Option<u16>,
    options: &Options,
) -> String {
    let r = root.display();
    let mut c = format!(
        "base_dir = {r}/run\n\
         state_dir = {r}/state\n\
         log_path = {r}/dovecot.log\n\
         protocols = imap\n\
         listen = 127.0.0.1\n\
         disable_plaintext_auth = no\n\
         auth_failure_delay = 0\n\
         auth_mechanisms = plain login\n\
         mail_location = maildir:~/Maildir\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {r}/passwd\n}}\n\
         userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={r}/mail/%u\n}}\n\
         service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
         inet_listener imaps {{\n    address = 127.0.0.1\n    port = {}\n  }}\n}}\n",
        tls_port.unwrap_or(0)
    );
    if my_uid != 0 {
        // Running unprivileged: every process runs as us, and nothing can chroot.
        let id = |flag: &str| {
            let out = Command::new("id").arg(flag).output().unwrap().stdout;
            String::from_utf8(out).unwrap().trim().to_owned()
        };
        let (name, group) = (id("-un"), id("-gn"));
        let _ = write!(
            c,
            "default_login_user = {name}\n\
             default_internal_user = {name}\n\
             default_internal_group = {group}\n\
             service imap-login {{\n  chroot =\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
    }
    if let Some(capability) = options.capability {
        let _ = writeln!(c, "imap_capability = {capability}");
    }
    if tls_port.is_some() {
        make_certificates(root);
        let _ = write!(
            c,
            "ssl = required\nssl_cert = <{r}/server.pem\nssl_key = <{r}/server.key\n"
        );
    } else {
        c.push_str("ssl = no\n");
    }
    c
}

/// A private CA and a server certificate for 127.0.0.1 and localhost, made with the openssl CLI.
fn make_certificates(root: &Path) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(root)
            .output()
            .expect("the openssl command (Debian package openssl, a dependency of dovecot-core)");
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=Embargo test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(&ca);
    let mut csr = vec!["req", "-subj", "/CN=localhost"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(&csr);
    fs::write(
        root.join("server.ext"),
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n\
         basicConstraints = CA:FALSE\n\
         keyUsage = digitalSignature\n\
         extendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
}

/// A small report with CRLF line endings; `n` makes it unique.
pub fn report(n: usize) -> Vec<u8> {
    format!(
        "From: Reporter {n} <reporter{n}@example.org>\r\n\
         To: security@vendor.example\r\n\
         Subject: Vulnerability report {n}\r\n\
         Message-ID: <report-{n}@example.org>\r\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\
         \r\n\
         Heap overflow number {n} in the parser.\r\n"
    )
    .into_bytes()
}
