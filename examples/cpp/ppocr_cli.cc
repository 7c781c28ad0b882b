// ppocr_cli: the OCR pipeline from the command line, on the installed C++ library.
//
//   ppocr_cli IMAGE.png --det MODEL --rec MODEL [--dict FILE] [--doc-ori MODEL]
//             [--textline-ori MODEL] [--unwarp MODEL] [--threads N] [--json]
//
// MODEL is an .onnx / .xml file or a model directory holding inference.onnx (the layout of
// the Python package's model cache and of `ppocr models download --dir`). The dictionary
// defaults to dict.txt next to the recognition model. A stage runs when its model is given.
// Prints "score<TAB>text" per line, or with --json the texts, scores and boxes.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <ppocr/dictionary.h>
#include <ppocr/error.h>
#include <ppocr/pipeline.h>

#include "png_bgr.h"

namespace fs = std::filesystem;

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  std::string image;
  std::string det, rec, dict, doc_ori, textline_ori, unwarp;
  int threads = static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
  bool json = false;
};

const char* const kUsage =
    "usage: ppocr_cli IMAGE.png --det MODEL --rec MODEL [--dict FILE] [--doc-ori MODEL]\n"
    "                 [--textline-ori MODEL] [--unwarp MODEL] [--threads N] [--json]\n";

CliOptions parse_args(int argc, char** argv) {
  CliOptions o;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw UsageError(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--det") o.det = value(i);
    else if (arg == "--rec") o.rec = value(i);
    else if (arg == "--dict") o.dict = value(i);
    else if (arg == "--doc-ori") o.doc_ori = value(i);
    else if (arg == "--textline-ori") o.textline_ori = value(i);
    else if (arg == "--unwarp") o.unwarp = value(i);
    else if (arg == "--threads") o.threads = std::stoi(value(i));
    else if (arg == "--json") o.json = true;
    else if (arg.rfind("--", 0) == 0) throw UsageError("unknown option " + arg);
    else if (o.image.empty()) o.image = arg;
    else throw UsageError("only one image, got " + o.image + " and " + arg);
  }
  if (o.image.empty()) throw UsageError("no image given");
  if (o.det.empty() || o.rec.empty()) throw UsageError("--det and --rec are required");
  return o;
}

// A model file, or the inference.onnx / inference.xml inside a model directory.
std::string model_file(const std::string& path) {
  if (path.empty() || !fs::is_directory(path)) return path;
  for (const char* name : {"inference.onnx", "inference.xml"}) {
    if (fs::exists(fs::path(path) / name)) return (fs::path(path) / name).string();
  }
  throw UsageError(path + ": no inference.onnx or inference.xml in this directory");
}

std::string dict_file(const CliOptions& o) {
  if (!o.dict.empty()) return o.dict;
  const fs::path rec = o.rec;
  return ((fs::is_directory(rec) ? rec : rec.parent_path()) / "dict.txt").string();
}

ppocr::PipelineConfig make_config(const CliOptions& o) {
  ppocr::PipelineConfig config;
  config.models.text_det = model_file(o.det);
  config.models.text_rec = model_file(o.rec);
  config.models.text_rec_characters = ppocr::load_rec_characters(dict_file(o));
  config.models.doc_orientation = model_file(o.doc_ori);
  config.models.textline_orientation = model_file(o.textline_ori);
  config.models.doc_unwarping = model_file(o.unwarp);
  config.use_doc_orientation_classify = !o.doc_ori.empty();
  config.use_textline_orientation = !o.textline_ori.empty();
  config.use_doc_unwarping = !o.unwarp.empty();
  config.engine.cpu_threads = o.threads;
  return config;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through
        }
    }
  }
  return out + "\"";
}

void print_json(const ppocr::OcrResult& r) {
  std::ostringstream out;
  out.precision(9);
  out << "{\"doc_angle\": " << r.doc_preprocessor.angle << ", \"rec_texts\": [";
  for (size_t i = 0; i < r.rec_texts.size(); ++i) out << (i ? ", " : "") << json_string(r.rec_texts[i]);
  out << "], \"rec_scores\": [";
  for (size_t i = 0; i < r.rec_scores.size(); ++i) out << (i ? ", " : "") << r.rec_scores[i];
  out << "], \"rec_polys\": [";
  for (size_t i = 0; i < r.rec_polys.size(); ++i) {
    out << (i ? ", " : "") << "[";
    for (size_t k = 0; k < 4; ++k) {
      out << (k ? ", " : "") << "[" << r.rec_polys[i][k].x << ", " << r.rec_polys[i][k].y << "]";
    }
    out << "]";
  }
  out << "]}\n";
  std::cout << out.str();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const CliOptions options = parse_args(argc, argv);
    const ppocr::OcrPipeline pipeline(make_config(options));
    const BgrImage image = read_png_bgr(options.image);
    const ppocr::OcrResult result =
        pipeline.run(image.pixels.data(), image.width, image.height, image.stride);
    if (options.json) {
      print_json(result);
    } else {
      for (size_t i = 0; i < result.rec_texts.size(); ++i) {
        std::cout << result.rec_scores[i] << '\t' << result.rec_texts[i] << '\n';
      }
    }
    return 0;
  } catch (const UsageError& e) {
    std::cerr << kUsage << "ppocr_cli: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {  // ppocr::Error, unreadable image
    std::cerr << "ppocr_cli: error: " << e.what() << '\n';
    return 1;
  }
}
