# Java: included by core/CMakeLists.txt (see core/languages/python/language.cmake).
telinject_language(FACTORY java_language
                   GRAMMARS tree-sitter-java
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/java/Telinject.java kJavaRuntime)
