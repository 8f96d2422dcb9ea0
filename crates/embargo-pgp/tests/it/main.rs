//! Integration tests of embargo-pgp's public API, one module per feature.
#![allow(clippy::unwrap_used)]

mod keys;
mod mail;
mod messages;
mod robustness;
mod signatures;

use embargo_pgp::{PublicKey, TeamKey};

/// The fixed "now" of every test.
pub fn now() -> jiff::Timestamp {
    "2026-12-01T00:00:00Z".parse().unwrap()
}

/// The team key and a reporter (played by a second secret key), made for one test.
pub struct Parties {
    pub team: TeamKey,
    pub reporter: TeamKey,
}

impl Parties {
    pub fn generate() -> Parties {
        Parties {
            team: TeamKey::generate("Example PSIRT <psirt@example.com>", now()).unwrap(),
            reporter: TeamKey::generate("Rita Reporter <rita@example.org>", now()).unwrap(),
        }
    }

    /// The reporter's public key as the team imports it.
    pub fn reporter_public(&self) -> PublicKey {
        PublicKey::from_armored(self.reporter.public_armored(), now()).unwrap()
    }

    /// The team's public key as a reporter imports it.
    pub fn team_public(&self) -> PublicKey {
        PublicKey::from_armored(self.team.public_armored(), now()).unwrap()
    }
}

/// A complete mail with the given extra headers and body (CRLF line ends).
pub fn mail(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "From: Rita Reporter <rita@example.org>\r\n\
         To: psirt@example.com\r\n\
         Subject: Vulnerability report\r\n\
         Message-ID: <r1@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         {headers}\r\n\
         \r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}
