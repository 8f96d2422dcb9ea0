//! Forms with files: a `multipart/form-data` body read into its text fields (as a [`Form`], so
//! the session checks read them the same way) and its files. The body is parsed from the bytes
//! as received, so the report form can keep them as the report's raw original. An urlencoded
//! body is read as before, without files.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use embargo_service::intake::Upload;

use crate::ui::Form;

/// A posted form's fields and files.
pub(crate) struct Posted {
    pub form: Form,
    pub files: Vec<Upload>,
}

/// Reads a posted body; an unreadable multipart body is an error naming what was wrong.
pub(crate) async fn read(headers: &HeaderMap, body: Bytes) -> Result<Posted, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|e| format!("unreadable form: {e}"))?;
        return Ok(Posted {
            form: Form(fields),
            files: Vec::new(),
        });
    }
    let boundary =
        multer::parse_boundary(content_type).map_err(|e| format!("unreadable form: {e}"))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(format!("unreadable form: {e}")),
        };
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let media_type = field
                    .content_type()
                    .map(|m| m.essence_str().to_owned())
                    .unwrap_or_default();
                let content = field
                    .bytes()
                    .await
                    .map_err(|e| format!("unreadable file in field {name:?}: {e}"))?;
                // A file input left empty still sends a part with no name and no bytes.
                if file_name.is_empty() && content.is_empty() {
                    continue;
                }
                files.push(Upload {
                    name: file_name,
                    media_type,
                    content: content.to_vec(),
                });
            }
            None => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| format!("unreadable field {name:?}: {e}"))?;
                fields.push((name, text));
            }
        }
    }
    Ok(Posted {
        form: Form(fields),
        files,
    })
}
