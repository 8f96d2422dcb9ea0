//! `embargo settings`: what an admin changes at run time (security.txt fields, the
//! disclosure-policy text, the timeline policy), as on the `/admin` pages and the API.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::settings::{self, SecurityTxt};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the security.txt fields and the disclosure-policy text; with options, change them
    /// first (options not given keep their value)
    SecurityTxt {
        /// A Contact URI (mailto: or https://), preferred first; repeat for several. Replaces
        /// the stored contacts
        #[arg(long = "contact", value_name = "URI")]
        contacts: Vec<String>,
        /// Go back to the default contact (mailto: the security address)
        #[arg(long, conflicts_with = "contacts")]
        default_contact: bool,
        /// Expires is this many days after each request (1 to 365)
        #[arg(long, value_name = "DAYS")]
        expires_days: Option<u32>,
        /// Acknowledgments URL (https://); "" removes it
        #[arg(long, value_name = "URL")]
        acknowledgments: Option<String>,
        /// Preferred-Languages, comma-separated language tags (e.g. "en, de")
        #[arg(long, value_name = "TAGS")]
        languages: Option<String>,
        /// Hiring URL (https://); "" removes it
        #[arg(long, value_name = "URL")]
        hiring: Option<String>,
        /// Markdown file with the disclosure-policy text ("-" for stdin)
        #[arg(long, value_name = "FILE")]
        policy_file: Option<PathBuf>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// The timeline policy stored in the settings
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the stored policy (TOML); says so on stderr when none is stored
    Show {
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Check FILE with the policy parser and store it; it replaces the policy file and the
    /// default from now on, and open cases' deadlines follow it
    Set {
        file: PathBuf,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

fn read_text(file: &PathBuf) -> anyhow::Result<String> {
    if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading stdin")
    } else {
        std::fs::read_to_string(file).with_context(|| format!("{}: cannot read it", file.display()))
    }
}

fn print_security_txt(s: &SecurityTxt, mail_from: &str) {
    println!("contacts: {}", s.contacts_or_default(mail_from).join(" "));
    println!("expires_days: {}", s.expires_days);
    println!(
        "acknowledgments: {}",
        s.acknowledgments.as_deref().unwrap_or("")
    );
    println!("preferred_languages: {}", s.preferred_languages.join(", "));
    println!("hiring: {}", s.hiring.as_deref().unwrap_or(""));
    println!("policy_text:\n{}", s.policy_text);
}

pub async fn run(config: Config, cmd: SettingsCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        SettingsCommand::SecurityTxt {
            contacts,
            default_contact,
            expires_days,
            acknowledgments,
            languages,
            hiring,
            policy_file,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let mut s = settings::security_txt_for(&app, &who).await?;
            let changing = !contacts.is_empty()
                || default_contact
                || expires_days.is_some()
                || acknowledgments.is_some()
                || languages.is_some()
                || hiring.is_some()
                || policy_file.is_some();
            if changing {
                if !contacts.is_empty() {
                    s.contacts = contacts;
                }
                if default_contact {
                    s.contacts.clear();
                }
                if let Some(days) = expires_days {
                    s.expires_days = days;
                }
                if let Some(url) = acknowledgments {
                    s.acknowledgments = Some(url);
                }
                if let Some(tags) = languages {
                    s.preferred_languages = vec![tags];
                }
                if let Some(url) = hiring {
                    s.hiring = Some(url);
                }
                if let Some(file) = policy_file {
                    s.policy_text = read_text(&file)?;
                }
                s = settings::set_security_txt(&app, &who, s).await?;
                eprintln!("security.txt settings changed");
            }
            print_security_txt(&s, &app.mail.from);
        }
        SettingsCommand::Policy(PolicyCommand::Show { actor }) => {
            let who = super::operator(&app, &config, &actor).await?;
            match settings::policy_for(&app, &who).await? {
                Some(text) => print!("{text}"),
                None => {
                    eprintln!("no policy is stored: the policy file or the shipped default applies")
                }
            }
        }
        SettingsCommand::Policy(PolicyCommand::Set { file, actor }) => {
            let who = super::operator(&app, &config, &actor).await?;
            let text = read_text(&file)?;
            let moved = settings::set_policy(&app, &who, &text).await?;
            println!("policy stored; {moved} open case(s) got new deadlines");
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
