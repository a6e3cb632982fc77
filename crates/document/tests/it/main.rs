//! The printed record as a reader and an inspector see it: what the HTML page and the
//! PDF say (read back with a PDF text extractor), how they mark corrections, and how
//! they cope with long tables and unbreakable words.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod html;
mod pdf;
