/// The one error type of the service layer. The web layer maps each variant to one status
/// code; the CLI prints the message.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist, or the caller may not know that it exists.
    #[error("not found")]
    NotFound,
    /// The caller is known but this credential may not do this.
    #[error("forbidden")]
    Forbidden,
    /// No valid credential was presented.
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// Too many requests from this client; try again later.
    #[error("too many requests")]
    RateLimited,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<embargo_store::StoreError> for ServiceError {
    fn from(e: embargo_store::StoreError) -> Self {
        ServiceError::Unexpected(e.into())
    }
}
