fn main() {
    println!("crlf");
}

fn helper() -> u8 { 1 }