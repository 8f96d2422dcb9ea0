//! The bytes behind a case: each report's raw original and attachments (for the team and the
//! case's engineers, who see the reports as received), and the files added to the thread (for
//! whoever may read the message they came with). Every read loads the case through the same
//! access check as the case itself, so a case the caller may not see is `NotFound`, and so is a
//! report or message outside the case or a message outside the caller's view of it; the reports
//! of a case the caller sees without its reports are `Forbidden`.

use embargo_domain::{Access, Channel, MessageId, ReportId, access};
pub use embargo_store::message_files::MessageFile;

use crate::accounts::{Principal, Scope};
use crate::cases::{CaseRef, load_visible, resolve};
use crate::{App, ServiceError};

/// A file to hand out: what to call it, what it says it is, its bytes.
#[derive(Debug, Clone)]
pub struct Download {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Loads the case for a reader of its reports: the team and engineer members.
async fn reports_reader(
    conn: &mut embargo_store::AnyConnection,
    who: &Principal,
    case: CaseRef,
    report: ReportId,
) -> Result<(), ServiceError> {
    who.require(Scope::Read)?;
    let id = resolve(conn, case).await?;
    let case = load_visible(conn, who, id).await?;
    if !matches!(
        access::case_access(&who.actor, &case.membership(&who.actor)),
        Some(Access::Team | Access::Engineer)
    ) {
        // The case is visible, its reports are not (collaborators, reporters): as for
        // `cases::reports`.
        return Err(ServiceError::Forbidden);
    }
    if !case.reports.contains(&report) {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// A report's raw original exactly as received: the mail (`.eml`), the form post or the API
/// body.
pub async fn report_raw(
    app: &App,
    who: &Principal,
    case: CaseRef,
    report: ReportId,
) -> Result<Download, ServiceError> {
    let mut conn = app.db.acquire().await?;
    reports_reader(&mut conn, who, case, report).await?;
    let stored = embargo_store::reports::get(&mut conn, report)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let bytes = embargo_store::reports::raw(&mut conn, report)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tracking = stored.report.tracking_id();
    let (name, media_type) = match stored.report.channel() {
        Channel::Email => (format!("{tracking}.eml"), "message/rfc822"),
        Channel::Api => (format!("{tracking}.json"), "application/json"),
        _ => (format!("{tracking}.txt"), "text/plain"),
    };
    Ok(Download {
        name,
        media_type: media_type.to_owned(),
        bytes,
    })
}

/// Attachment `position` of a report.
pub async fn report_attachment(
    app: &App,
    who: &Principal,
    case: CaseRef,
    report: ReportId,
    position: usize,
) -> Result<Download, ServiceError> {
    let mut conn = app.db.acquire().await?;
    reports_reader(&mut conn, who, case, report).await?;
    let stored = embargo_store::reports::get(&mut conn, report)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let meta = stored
        .report
        .attachments()
        .get(position)
        .cloned()
        .ok_or(ServiceError::NotFound)?;
    let bytes = embargo_store::reports::attachment_content(&mut conn, report, position)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Download {
        name: meta.name,
        media_type: meta.media_type.as_ref().to_owned(),
        bytes,
    })
}

/// The files of the thread messages the caller may read.
pub async fn thread_files(
    app: &App,
    who: &Principal,
    case: CaseRef,
) -> Result<Vec<MessageFile>, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let id = resolve(&mut conn, case).await?;
    let case = load_visible(&mut conn, who, id).await?;
    let readable: Vec<MessageId> = case.visible_messages(&who.actor).map(|m| m.id).collect();
    let files = embargo_store::message_files::of_case(&mut conn, id).await?;
    Ok(files
        .into_iter()
        .filter(|f| readable.contains(&f.message))
        .collect())
}

/// File `position` of a thread message the caller may read.
pub async fn message_file(
    app: &App,
    who: &Principal,
    case: CaseRef,
    message: MessageId,
    position: usize,
) -> Result<Download, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let id = resolve(&mut conn, case).await?;
    let case = load_visible(&mut conn, who, id).await?;
    if !case.visible_messages(&who.actor).any(|m| m.id == message) {
        return Err(ServiceError::NotFound);
    }
    let files = embargo_store::message_files::of_case(&mut conn, id).await?;
    let meta = files
        .into_iter()
        .find(|f| f.message == message && f.position == position)
        .ok_or(ServiceError::NotFound)?;
    let bytes = embargo_store::message_files::content(&mut conn, id, message, position)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Download {
        name: meta.file.name,
        media_type: meta.file.media_type.as_ref().to_owned(),
        bytes,
    })
}
