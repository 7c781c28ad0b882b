#pragma once
// The recogniser's character list (ModelFiles::text_rec_characters) from a dictionary file,
// for C++ callers: the Python package reads the same files (ppocr_native.models).
#include <string>
#include <vector>

namespace ppocr {

// Reads a one-entry-per-line UTF-8 dictionary (a model directory's dict.txt) and returns the
// full CTC class list the network indexes: "blank" first and " " last, each added only when
// the file lacks it (PaddleOCR's rule). Lines are kept exactly, minus "\n" / "\r\n"; a line
// holding one space is an entry; a leading UTF-8 byte-order mark is dropped.
// Throws ppocr::Error: kNotFound when the file cannot be read, kInvalidArgument when empty.
std::vector<std::string> load_rec_characters(const std::string& dict_path);

// The same rule on entries already in memory.
std::vector<std::string> normalize_rec_characters(std::vector<std::string> entries);

}  // namespace ppocr
