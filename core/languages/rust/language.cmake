# Rust: included by core/CMakeLists.txt (see core/languages/python/language.cmake).
telinject_language(FACTORY rust_language
                   GRAMMARS tree-sitter-rust
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/rust/telinject.rs kRustRuntime)
