# C and C++: two languages sharing one folder (c_family_language.cpp); one helper header for both.
telinject_language(FACTORY c_language
                   GRAMMARS tree-sitter-c
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/c/telinject.h kCRuntime)
telinject_language(FACTORY cpp_language GRAMMARS tree-sitter-cpp)
