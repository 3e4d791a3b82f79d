# JavaScript and TypeScript: one folder, three registered languages sharing one implementation
# (javascript_language.cpp) — "javascript" (.js .mjs .cjs .jsx), "typescript" (.ts .mts .cts)
# and "tsx" (.tsx), each with its grammar. The helper files are embedded once.
telinject_language(FACTORY javascript_language
                   GRAMMARS tree-sitter-javascript
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/javascript/telinject_runtime.cjs kJsRuntimeCjs
                         ${PROJECT_SOURCE_DIR}/runtime/javascript/telinject_runtime.mjs kJsRuntimeMjs
                         ${PROJECT_SOURCE_DIR}/runtime/javascript/telinject_runtime.d.cts kJsRuntimeDcts
                         ${PROJECT_SOURCE_DIR}/runtime/javascript/telinject_runtime.d.mts kJsRuntimeDmts)
telinject_language(FACTORY typescript_language GRAMMARS tree-sitter-typescript)
telinject_language(FACTORY tsx_language GRAMMARS tree-sitter-tsx)
