//! Files handed out (report originals, attachments, thread files): always as a download of
//! opaque bytes, never rendered by the browser in this site's origin. The declared media type is
//! only shown, in `X-Embargo-Media-Type`; the body is `application/octet-stream` with
//! `Content-Disposition: attachment`, `nosniff` and a sandboxing CSP, so a hostile HTML or SVG
//! file from a reporter cannot run as this site.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_service::files::Download;

/// The response for `d`.
pub(crate) fn download(d: Download) -> Response {
    let disposition = content_disposition(&d.name);
    let mut response = (StatusCode::OK, d.bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&d.media_type) {
        h.insert(HeaderName::from_static("x-embargo-media-type"), v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `attachment` with an ASCII fallback name and the exact name per RFC 6266 / RFC 8187.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()[]+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_cannot_break_out_of_the_header() {
        let d = content_disposition("a\"; filename=evil.html\r\nX: y.txt");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.starts_with("attachment; filename=\"a__ filename_evil.html__X_ y.txt\";"));
        assert!(d.ends_with("filename*=UTF-8''a%22%3B%20filename%3Devil.html%0D%0AX%3A%20y.txt"));
    }

    #[test]
    fn unicode_names_keep_their_exact_form_encoded() {
        let d = content_disposition("résumé.pdf");
        assert!(d.contains("filename=\"r_sum_.pdf\""), "{d}");
        assert!(d.ends_with("UTF-8''r%C3%A9sum%C3%A9.pdf"), "{d}");
    }
}
