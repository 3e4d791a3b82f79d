# Python: included by core/CMakeLists.txt (one such file per folder under core/languages/).
#   factory: the function returning this language's LanguageSupport
#   grammar: the static library grammars/CMakeLists.txt builds from the pinned npm package
#   runtime: helper files embedded in the binary, as `extern const std::string_view SYMBOL`
telinject_language(FACTORY python_language
                   GRAMMARS tree-sitter-python
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/python/telinject_runtime.py kPythonRuntime)
