//! Every function form telinject knows in Rust, and those it leaves alone.
use std::fmt;

pub fn free(x: u32) -> u32 { let _telinject_span = crate::telinject::span("functions::free", file!(), line!());
    x + 1
}

pub fn one_line(x: u32) -> u32 { let _telinject_span = crate::telinject::span("functions::one_line", file!(), line!()); x * 2 }

fn empty() { let _telinject_span = crate::telinject::span("functions::empty", file!(), line!());}

pub fn fallible(text: &str) -> Result<u32, std::num::ParseIntError> { let _telinject_span = crate::telinject::span("functions::fallible", file!(), line!());
    let n: u32 = text.parse()?;
    if n == 0 {
        return Ok(1);
    }
    Ok(n)
}

pub async fn fetch(id: u64) -> u64 { let _telinject_span = crate::telinject::span("functions::fetch", file!(), line!());
    id
}

pub const fn constant(x: u32) -> u32 {
    x + 1
}

pub unsafe fn raw(p: *const u8) -> u8 { let _telinject_span = crate::telinject::span("functions::raw", file!(), line!());
    *p
}

extern "C" {
    fn abs(x: i32) -> i32;
}

pub extern "C" fn exported(x: i32) -> i32 { let _telinject_span = crate::telinject::span("functions::exported", file!(), line!());
    x
}

pub struct Stack<'a, T> {
    items: Vec<&'a T>,
}

impl<'a, T: fmt::Debug> Stack<'a, T>
where
    T: Clone,
{
    pub fn new() -> Self { let _telinject_span = crate::telinject::span("functions::Stack::new", file!(), line!());
        Stack { items: Vec::new() }
    }

    pub fn push(&mut self, item: &'a T) { let _telinject_span = crate::telinject::span("functions::Stack::push", file!(), line!());
        self.items.push(item);
    }
}

impl<'a, T> fmt::Display for Stack<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { let _telinject_span = crate::telinject::span("<functions::Stack as fmt::Display>::fmt", file!(), line!());
        write!(f, "{}", self.items.len())
    }
}

pub trait Shape {
    fn area(&self) -> f64;
    fn describe(&self) -> String { let _telinject_span = crate::telinject::span("functions::Shape::describe", file!(), line!());
        format!("area {}", self.area())
    }
}

impl Shape for f64 {
    fn area(&self) -> f64 { let _telinject_span = crate::telinject::span("<f64 as Shape>::area", file!(), line!());
        *self
    }
}

pub mod inner {
    pub fn nested() -> u32 { let _telinject_span = crate::telinject::span("functions::inner::nested", file!(), line!());
        fn helper(x: u32) -> u32 { let _telinject_span = crate::telinject::span("functions::inner::nested::helper", file!(), line!());
            x
        }
        let add = |a: u32, b: u32| { let _telinject_span = crate::telinject::span("functions::inner::nested::{{closure}}", file!(), line!());
            a + b
        };
        let short = |a: u32| a + 1;
        let later = async move { 1 };
        drop(later);
        add(helper(1), short(2))
    }
}

macro_rules! make {
    ($name:ident) => {
        fn $name() {
            println!("made");
        }
    };
}
make!(generated);

// telinject: ignore
pub fn opted_out() {
    println!("no span");
}

#[inline]
// telinject: ignore
pub fn opted_out_with_attribute() {
    let f = || {
        println!("nor in here");
    };
    f();
}

#[test]
fn a_test() { let _telinject_span = crate::telinject::span("functions::a_test", file!(), line!());
    assert_eq!(free(1), 2);
}

static CALLBACK: fn(u32) -> u32 = |x| {
    x
};

#[derive(PartialEq, Eq, Clone, Copy)]
pub struct Level(u8);

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering { let _telinject_span = crate::telinject::span("<functions::Level as Ord>::cmp", file!(), line!());
        self.0.cmp(&other.0)
    }
}
