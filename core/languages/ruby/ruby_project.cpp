#include "ruby/ruby_project.h"

#include <system_error>

#include "disk_memo.h"

namespace telinject {

namespace fs = std::filesystem;

namespace ruby {
namespace {

// The project folder around the file at `dir` (absolute): the nearest holding a Gemfile or a
// *.gemspec, or empty.
fs::path find_project(const fs::path& dir) {
  std::error_code error;
  for (fs::path d = dir;; d = d.parent_path()) {
    if (fs::exists(d / "Gemfile", error)) return d;
    for (fs::directory_iterator it(d, error), end; !error && it != end; it.increment(error))
      if (it->path().extension() == ".gemspec") return d;
    error.clear();
    if (d == d.parent_path() || d.empty()) return {};
  }
}

struct Place {
  fs::path root;     // absolute, normal
  fs::path file;     // absolute, normal
  fs::path project;  // absolute, or empty
};

Place place_of(const FileLocation& file) {
  Place place;
  std::error_code error;
  place.root = fs::absolute(file.root, error).lexically_normal();
  place.file = (place.root / file.relative).lexically_normal();
  fs::path dir = place.file.parent_path();
  auto lookup = [&] { return find_project(dir).generic_string(); };
  place.project = file.memo ? fs::path(file.memo->remember<std::string>(
                                  "ruby-project:" + dir.generic_string(), lookup))
                            : fs::path(lookup());
  return place;
}

}  // namespace

fs::path helper_file(const FileLocation& file) {
  if (file.root.empty()) return file.relative.parent_path() / "telinject.rb";
  Place place = place_of(file);
  fs::path folder = place.file.parent_path();
  if (!place.project.empty()) {
    std::error_code error;
    folder = fs::is_directory(place.project / "lib", error) ? place.project / "lib" : place.project;
  }
  return (folder / "telinject.rb").lexically_relative(place.root);
}

std::string helper_require_path(const FileLocation& file) {
  fs::path helper = helper_file(file);
  fs::path relative = helper.lexically_relative(file.relative.parent_path());
  if (relative.empty()) relative = helper.filename();
  relative.replace_extension();
  return relative.generic_string();
}

std::string path_in_project(const FileLocation& file) {
  if (file.root.empty()) return file.relative.generic_string();
  Place place = place_of(file);
  if (place.project.empty()) return file.relative.generic_string();
  return place.file.lexically_relative(place.project).generic_string();
}

}  // namespace ruby

}  // namespace telinject
