// Dictionary files -> CTC class list; mirrors read_dict_file + normalize_character_list in
// python/ppocr_native/models/dictionaries.py so both languages build the same list from the
// same file.
#include "ppocr/dictionary.h"

#include <fstream>
#include <iterator>

#include "ppocr/error.h"

namespace ppocr {

namespace {

constexpr const char* kBlank = "blank";  // PaddleOCR's CTC blank token
constexpr const char* kUtf8Bom = "\xEF\xBB\xBF";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, "cannot read dictionary file: " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();  // no final newline
    std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    begin = end + 1;
  }
  return lines;
}

}  // namespace

std::vector<std::string> normalize_rec_characters(std::vector<std::string> entries) {
  if (entries.empty()) throw_invalid("empty character dictionary");
  if (entries.front() != kBlank) entries.insert(entries.begin(), kBlank);
  if (entries.back() != " ") entries.push_back(" ");
  return entries;
}

std::vector<std::string> load_rec_characters(const std::string& dict_path) {
  std::string text = read_file(dict_path);
  if (text.compare(0, 3, kUtf8Bom) == 0) text.erase(0, 3);
  try {
    return normalize_rec_characters(split_lines(text));
  } catch (const Error& e) {
    throw_invalid(std::string(e.what()) + ": " + dict_path);
  }
}

}  // namespace ppocr
