# Go: included by core/CMakeLists.txt (see core/languages/python/language.cmake).
telinject_language(FACTORY go_language
                   GRAMMARS tree-sitter-go
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/go/telinject.go kGoRuntime
                         ${PROJECT_SOURCE_DIR}/runtime/go/otlp_http.go kGoOtlpRuntime
                         ${PROJECT_SOURCE_DIR}/runtime/go/goroutine_gc.go kGoGoroutineGc
                         ${PROJECT_SOURCE_DIR}/runtime/go/goroutine_other.go kGoGoroutineOther
                         ${PROJECT_SOURCE_DIR}/runtime/go/goroutine_amd64.s kGoGoroutineAmd64
                         ${PROJECT_SOURCE_DIR}/runtime/go/goroutine_arm64.s kGoGoroutineArm64)
