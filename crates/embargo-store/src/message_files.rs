//! Files added to a case's thread (`message_files`): each belongs to one message, in order, and
//! is read by whoever may read that message. The service checks that; this module only stores.

use embargo_domain::{Attachment, CaseId, MediaType, MessageId, Sha256Digest};
use sqlx::AnyConnection;

use crate::{StoreError, parse_uuid};

/// One stored file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFile {
    pub message: MessageId,
    pub position: usize,
    pub file: Attachment,
}

#[derive(sqlx::FromRow)]
struct Row {
    message_id: String,
    position: i64,
    name: String,
    media_type: String,
    size: i64,
    sha256: String,
}

/// Stores the files of `message` (already written by [`crate::cases::update`]), in order.
/// Each file's declared size and digest must match its bytes.
pub async fn insert(
    conn: &mut AnyConnection,
    case: CaseId,
    message: MessageId,
    files: &[(Attachment, &[u8])],
) -> Result<(), StoreError> {
    for (position, (file, bytes)) in files.iter().enumerate() {
        if bytes.len() as u64 != file.size {
            return Err(StoreError::Invalid {
                what: "message file",
                reason: format!(
                    "{:?} declares {} bytes, content has {}",
                    file.name,
                    file.size,
                    bytes.len()
                ),
            });
        }
        let size = i64::try_from(file.size).map_err(|_| StoreError::Invalid {
            what: "message file",
            reason: format!("size {} is too large", file.size),
        })?;
        sqlx::query(
            "INSERT INTO message_files (message_id, position, case_id, name, media_type, size, \
             sha256, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(message.to_string())
        .bind(position as i64)
        .bind(case.to_string())
        .bind(&file.name)
        .bind(file.media_type.as_ref())
        .bind(size)
        .bind(file.sha256.as_ref())
        .bind(*bytes)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every file of the case's thread, by message and position (no bytes).
pub async fn of_case(
    conn: &mut AnyConnection,
    case: CaseId,
) -> Result<Vec<MessageFile>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT message_id, position, name, media_type, size, sha256 FROM message_files \
         WHERE case_id = $1 ORDER BY message_id, position",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MessageFile {
                message: parse_uuid("message_files.message_id", &r.message_id)?.into(),
                position: usize::try_from(r.position).map_err(|_| StoreError::Corrupt {
                    column: "message_files.position",
                    value: r.position.to_string(),
                })?,
                file: Attachment {
                    media_type: MediaType::parse(&r.media_type).map_err(|_| {
                        StoreError::Corrupt {
                            column: "message_files.media_type",
                            value: r.media_type.clone(),
                        }
                    })?,
                    size: u64::try_from(r.size).map_err(|_| StoreError::Corrupt {
                        column: "message_files.size",
                        value: r.size.to_string(),
                    })?,
                    sha256: Sha256Digest::parse(&r.sha256).map_err(|_| StoreError::Corrupt {
                        column: "message_files.sha256",
                        value: r.sha256.clone(),
                    })?,
                    name: r.name,
                },
            })
        })
        .collect()
}

/// The bytes of file `position` of `message` in `case`; `None` when there is no such file.
pub async fn content(
    conn: &mut AnyConnection,
    case: CaseId,
    message: MessageId,
    position: usize,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT content FROM message_files \
         WHERE case_id = $1 AND message_id = $2 AND position = $3",
    )
    .bind(case.to_string())
    .bind(message.to_string())
    .bind(position as i64)
    .fetch_optional(conn)
    .await?)
}
