#![no_std]
//! Not a crate root by its name: a module of a loose crate, instrumented.

pub fn f(x: u8) -> u8 {
    x
}
