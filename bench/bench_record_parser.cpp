// The record scanner against nlohmann::json on the same lines, in CPU time.
//   build/bench/bench_record_parser FILE.jsonl [LINES]   (default: the first 200,000 lines)
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "record.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_record_parser FILE.jsonl [LINES]\n");
    return 2;
  }
  size_t limit = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
  std::ifstream in(argv[1]);
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (std::string line; lines.size() < limit && std::getline(in, line);) {
    bytes += line.size() + 1;
    lines.push_back(std::move(line));
  }
  using telinject::report::LineKind;
  telinject::report::RecordParser parser;
  for (bool reference : {false, true}) {
    std::clock_t start = std::clock();
    size_t spans = 0;
    for (const auto& line : lines)
      spans += (reference ? parser.parse_slow(line) : parser.parse(line)) == LineKind::kSpan;
    double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    std::printf("%-14s %zu lines (%zu spans): %.0f ns/line, %.0f MB/s of CPU\n",
                reference ? "nlohmann::json" : "scanner", lines.size(), spans,
                seconds * 1e9 / static_cast<double>(lines.size()),
                static_cast<double>(bytes) / 1e6 / seconds);
  }
  std::printf("lines the scanner left to nlohmann::json: %llu\n",
              static_cast<unsigned long long>(parser.slow_lines()));
  return 0;
}
