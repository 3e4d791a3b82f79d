//! A crate root: `mod telinject;` is appended.
#![deny(missing_docs)]

mod helpers;

/// Adds one.
pub fn add_one(x: u32) -> u32 {
    x + 1
}
