fn main() { let _telinject_span = crate::telinject::span("main", file!(), line!());
    println!("crlf");
}

fn helper() -> u8 { let _telinject_span = crate::telinject::span("helper", file!(), line!()); 1 }
mod telinject;