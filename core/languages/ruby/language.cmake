# Ruby: included by core/CMakeLists.txt (see core/languages/python/language.cmake).
telinject_language(FACTORY ruby_language
                   GRAMMARS tree-sitter-ruby
                   EMBED ${PROJECT_SOURCE_DIR}/runtime/ruby/telinject.rb kRubyRuntime)
