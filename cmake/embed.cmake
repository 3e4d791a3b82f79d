# Writes INPUT's bytes into OUTPUT as `extern const std::string_view telinject::SYMBOL`.
file(READ ${INPUT} content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUTPUT}
  "#include <string_view>\nnamespace telinject {\nstatic const char kData[] = {${bytes} 0};\n"
  "extern const std::string_view ${SYMBOL}(kData, ${byte_count});\n}\n")
