//! A crate root: `mod telinject;` is appended.
#![deny(missing_docs)]

mod helpers;

/// Adds one.
pub fn add_one(x: u32) -> u32 { let _telinject_span = crate::telinject::span("add_one", file!(), line!());
    x + 1
}
mod telinject;
