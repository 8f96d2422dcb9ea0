//! threading
