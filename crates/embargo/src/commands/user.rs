//! `embargo user`: accounts and API tokens.

use std::process::ExitCode;

use clap::Subcommand;
use embargo_service::accounts::{self, AccountChange, Scopes};
use secrecy::ExposeSecret;
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its one-time password is printed once
    Add {
        username: String,
        #[arg(long)]
        email: String,
        /// admin, team, engineer, collaborator or reporter
        #[arg(long)]
        role: String,
        /// Display name [default: the username]
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List accounts
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create an API token for an account; the token is printed once
    Token {
        username: String,
        /// A name to recognise the token by
        #[arg(long, default_value = "cli")]
        name: String,
        /// Comma-separated scopes: read, write, admin
        #[arg(long, default_value = "read,write")]
        scopes: String,
    },
    /// Change an account's role (as an admin; audited)
    Role {
        username: String,
        /// admin, team, engineer, collaborator or reporter
        role: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Disable an account: its sessions and tokens stop working (as an admin; audited)
    Disable {
        username: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Enable a disabled account again (as an admin; audited)
    Enable {
        username: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

#[derive(Serialize)]
struct UserRow {
    username: String,
    email: String,
    role: String,
    disabled: bool,
}

pub async fn run(config: Config, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        UserCommand::Add {
            username,
            email,
            role,
            name,
        } => {
            let role = accounts::parse_role(&role)?;
            let created = accounts::create_account(&app, &username, &email, &name, role).await?;
            println!(
                "created {username} ({role})\n  password: {}\nShown only now; change it after signing in.",
                created.password.expose_secret()
            );
        }
        UserCommand::List { format } => {
            let rows: Vec<UserRow> = accounts::list_accounts(&app)
                .await?
                .into_iter()
                .map(|u| UserRow {
                    username: u.username,
                    email: u.email,
                    role: u.role,
                    disabled: u.disabled,
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["username", "email", "role", "disabled"],
                |r| {
                    vec![
                        r.username.clone(),
                        r.email.clone(),
                        r.role.clone(),
                        r.disabled.to_string(),
                    ]
                },
            )?;
        }
        UserCommand::Token {
            username,
            name,
            scopes,
        } => {
            let scopes = Scopes::parse(&scopes)?;
            let secret = accounts::create_token(&app, &username, &name, &scopes).await?;
            println!("{}", secret.expose_secret());
            eprintln!("API token for {username} ({scopes}); shown only now.");
        }
        UserCommand::Role {
            username,
            role,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let role = accounts::parse_role(&role)?;
            let u =
                accounts::change_account(&app, &who, &username, AccountChange::Role(role)).await?;
            println!("{} is now {}", u.username, u.role);
        }
        UserCommand::Disable { username, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            accounts::change_account(&app, &who, &username, AccountChange::Disabled(true)).await?;
            println!("{username} is disabled");
        }
        UserCommand::Enable { username, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            accounts::change_account(&app, &who, &username, AccountChange::Disabled(false)).await?;
            println!("{username} is enabled");
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
