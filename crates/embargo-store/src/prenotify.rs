//! The pre-notification list (`prenotify_recipients`) and the notices sent to it
//! (`prenotifications`): who hears of an advisory before its embargo lifts, and who already did
//! for which embargo instant.

use embargo_domain::CaseId;
use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{StoreError, from_micros, to_micros};

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// Product ids; empty: every product.
    pub products: Vec<Uuid>,
    /// ASCII-armoured OpenPGP key the notice is encrypted to.
    pub public_key: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub created_by: Uuid,
}

#[derive(sqlx::FromRow)]
struct RecipientRow {
    id: String,
    name: String,
    email: String,
    products: String,
    public_key: Option<String>,
    active: i64,
    created_at: i64,
    created_by: String,
}

fn uuid(what: &'static str, s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt {
        column: what,
        value: s.to_owned(),
    })
}

impl TryFrom<RecipientRow> for Recipient {
    type Error = StoreError;
    fn try_from(r: RecipientRow) -> Result<Self, StoreError> {
        let products: Vec<String> =
            serde_json::from_str(&r.products).map_err(|_| StoreError::Corrupt {
                column: "prenotify_recipients.products",
                value: r.products.clone(),
            })?;
        Ok(Recipient {
            id: uuid("prenotify_recipients.id", &r.id)?,
            name: r.name,
            email: r.email,
            products: products
                .iter()
                .map(|p| uuid("prenotify_recipients.products", p))
                .collect::<Result<_, _>>()?,
            public_key: r.public_key,
            active: r.active != 0,
            created_at: from_micros("prenotify_recipients.created_at", r.created_at)?,
            created_by: uuid("prenotify_recipients.created_by", &r.created_by)?,
        })
    }
}

/// Adds an entry. An active entry with the same address is a unique violation.
pub async fn insert_recipient(conn: &mut AnyConnection, r: &Recipient) -> Result<(), StoreError> {
    let products: Vec<String> = r.products.iter().map(Uuid::to_string).collect();
    let products = serde_json::to_string(&products).map_err(|e| StoreError::Invalid {
        what: "recipient",
        reason: e.to_string(),
    })?;
    sqlx::query(
        "INSERT INTO prenotify_recipients \
         (id, name, email, products, public_key, active, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(r.id.to_string())
    .bind(&r.name)
    .bind(&r.email)
    .bind(products)
    .bind(r.public_key.as_deref())
    .bind(i64::from(r.active))
    .bind(to_micros(r.created_at))
    .bind(r.created_by.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The list, by name; removed entries only with `include_removed`.
pub async fn recipients(
    conn: &mut AnyConnection,
    include_removed: bool,
) -> Result<Vec<Recipient>, StoreError> {
    let rows: Vec<RecipientRow> = sqlx::query_as(
        "SELECT id, name, email, products, public_key, active, created_at, created_by \
         FROM prenotify_recipients WHERE active = 1 OR $1 = 1 ORDER BY name, email",
    )
    .bind(i64::from(include_removed))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Recipient::try_from).collect()
}

/// Removes an entry from the list (it stays for the history); `false` when there is no active
/// entry with this id.
pub async fn remove_recipient(conn: &mut AnyConnection, id: Uuid) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE prenotify_recipients SET active = 0 WHERE id = $1 AND active = 1")
            .bind(id.to_string())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Cases whose advisory is an unpublished draft and whose embargo lifts after `now` but no later
/// than `until`, with that embargo; cases that are disclosed or rejected are not.
pub async fn cases_in_window(
    conn: &mut AnyConnection,
    now: Timestamp,
    until: Timestamp,
) -> Result<Vec<(CaseId, Timestamp)>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.id, c.embargo_at FROM cases c JOIN advisories a ON a.case_id = c.id \
         WHERE a.published_at IS NULL AND c.embargo_at IS NOT NULL \
         AND c.embargo_at > $1 AND c.embargo_at <= $2 \
         AND c.state NOT IN ('disclosed', 'rejected') ORDER BY c.embargo_at, c.id",
    )
    .bind(to_micros(now))
    .bind(to_micros(until))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, at)| {
            Ok((
                CaseId::from_uuid(uuid("cases.id", &id)?),
                from_micros("cases.embargo_at", at)?,
            ))
        })
        .collect()
}

/// One notice: sent (with its outbox mail) or not (with the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub case: CaseId,
    pub recipient: Uuid,
    pub embargo: Timestamp,
    /// The advisory's public id.
    pub advisory: String,
    pub outbox: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// Records a notice. A second notice for the same case, recipient and embargo is a unique
/// violation: each is sent once.
pub async fn insert_notice(conn: &mut AnyConnection, n: &Notice) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO prenotifications \
         (case_id, recipient_id, embargo_at, advisory, outbox_id, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(n.case.to_string())
    .bind(n.recipient.to_string())
    .bind(to_micros(n.embargo))
    .bind(&n.advisory)
    .bind(n.outbox.map(|o| o.to_string()))
    .bind(n.note.as_deref())
    .bind(to_micros(n.created_at))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    case_id: String,
    recipient_id: String,
    embargo_at: i64,
    advisory: String,
    outbox_id: Option<String>,
    note: Option<String>,
    created_at: i64,
}

/// The notices about a case, oldest first.
pub async fn notices_of_case(
    conn: &mut AnyConnection,
    case: CaseId,
) -> Result<Vec<Notice>, StoreError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(
        "SELECT case_id, recipient_id, embargo_at, advisory, outbox_id, note, created_at \
         FROM prenotifications WHERE case_id = $1 ORDER BY created_at, recipient_id",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Notice {
                case: CaseId::from_uuid(uuid("prenotifications.case_id", &r.case_id)?),
                recipient: uuid("prenotifications.recipient_id", &r.recipient_id)?,
                embargo: from_micros("prenotifications.embargo_at", r.embargo_at)?,
                advisory: r.advisory,
                outbox: r
                    .outbox_id
                    .as_deref()
                    .map(|o| uuid("prenotifications.outbox_id", o))
                    .transpose()?,
                note: r.note,
                created_at: from_micros("prenotifications.created_at", r.created_at)?,
            })
        })
        .collect()
}
