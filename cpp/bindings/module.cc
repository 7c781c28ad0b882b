// ppocr_native._core: the only place Python meets the C++ core.
//
// Every heavy call converts its inputs under the GIL, releases the GIL for the C++ work,
// then takes it back to build Python objects. No py:: object is touched while released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <opencv2/imgproc.hpp>

#include <openvino/core/graph_util.hpp>
#include <openvino/runtime/core.hpp>

#include "allocator_tuning.h"
#include "convert.h"
#include "engine/graph_rewrites.h"
#include "geometry/crop.h"
#include "geometry/sort_boxes.h"
#include "geometry/unclip.h"
#include "image/alpha.h"
#include "modules/doc_orientation/doc_orientation_classifier.h"
#include "modules/text_det/db_postprocess.h"
#include "modules/text_det/det_resize.h"
#include "modules/text_rec/ctc_decoder.h"
#include "modules/text_rec/rec_resize.h"
#include "ppocr/error.h"
#include "ppocr/pipeline.h"
#include "python_engine.h"

namespace py = pybind11;
using namespace ppocr_py;

namespace {

// C++ exceptions -> the exception classes of ppocr_native.errors.
void translate_exceptions() {
  py::register_exception_translator([](std::exception_ptr p) {
    auto raise = [](const char* name, const char* message) {
      py::object type = py::module_::import("ppocr_native.errors").attr(name);
      PyErr_SetString(type.ptr(), message);
    };
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ppocr::Error& e) {
      switch (e.code()) {
        case ppocr::ErrorCode::kInvalidArgument: raise("InvalidArgumentError", e.what()); break;
        case ppocr::ErrorCode::kNotFound: raise("ModelNotFoundError", e.what()); break;
        case ppocr::ErrorCode::kRuntime: raise("PpocrError", e.what()); break;
      }
    } catch (const cv::Exception& e) {
      raise("PpocrError", (std::string("opencv: ") + e.what()).c_str());
    }
  });
}

void bind_config(py::module_& m) {
  py::enum_<ppocr::LimitType>(m, "LimitType")
      .value("min", ppocr::LimitType::kMin)
      .value("max", ppocr::LimitType::kMax)
      .value("resize_long", ppocr::LimitType::kResizeLong);
  m.def("parse_limit_type", &ppocr::parse_limit_type);
  m.def("parse_precision", [](const std::string& s) {
    return static_cast<int>(ppocr::parse_precision(s));
  });

  py::class_<ppocr::TextDetOptions>(m, "TextDetOptions")
      .def(py::init<>())
      .def_readwrite("limit_side_len", &ppocr::TextDetOptions::limit_side_len)
      .def_readwrite("limit_type", &ppocr::TextDetOptions::limit_type)
      .def_readwrite("max_side_limit", &ppocr::TextDetOptions::max_side_limit)
      .def_readwrite("thresh", &ppocr::TextDetOptions::thresh)
      .def_readwrite("box_thresh", &ppocr::TextDetOptions::box_thresh)
      .def_readwrite("unclip_ratio", &ppocr::TextDetOptions::unclip_ratio)
      .def_readwrite("max_candidates", &ppocr::TextDetOptions::max_candidates)
      .def_readwrite("input_height", &ppocr::TextDetOptions::input_height)
      .def_readwrite("input_width", &ppocr::TextDetOptions::input_width);

  py::class_<ppocr::TextRecOptions>(m, "TextRecOptions")
      .def(py::init<>())
      .def_readwrite("batch_size", &ppocr::TextRecOptions::batch_size)
      .def_readwrite("score_thresh", &ppocr::TextRecOptions::score_thresh)
      .def_readwrite("image_height", &ppocr::TextRecOptions::image_height)
      .def_readwrite("min_image_width", &ppocr::TextRecOptions::min_image_width)
      .def_readwrite("max_image_width", &ppocr::TextRecOptions::max_image_width)
      .def_readwrite("width_step", &ppocr::TextRecOptions::width_step);

  py::class_<ppocr::EngineOptions>(m, "EngineOptions")
      .def(py::init<>())
      .def_readwrite("device", &ppocr::EngineOptions::device)
      .def_readwrite("cpu_threads", &ppocr::EngineOptions::cpu_threads)
      .def_property(
          "precision", [](const ppocr::EngineOptions& o) { return static_cast<int>(o.precision); },
          [](ppocr::EngineOptions& o, const std::string& s) { o.precision = ppocr::parse_precision(s); })
      .def_readwrite("enable_mkldnn", &ppocr::EngineOptions::enable_mkldnn)
      .def_readwrite("throughput_streams", &ppocr::EngineOptions::throughput_streams)
      .def_readwrite("runtime_cache_capacity", &ppocr::EngineOptions::runtime_cache_capacity)
      .def_readwrite("cache_dir", &ppocr::EngineOptions::cache_dir);

  py::enum_<ppocr::Schedule>(m, "Schedule")
      .value("latency", ppocr::Schedule::kLatency)
      .value("throughput", ppocr::Schedule::kThroughput)
      .value("auto", ppocr::Schedule::kAuto);

  py::class_<ppocr::ModelFiles>(m, "ModelFiles")
      .def(py::init<>())
      .def_readwrite("doc_orientation", &ppocr::ModelFiles::doc_orientation)
      .def_readwrite("doc_unwarping", &ppocr::ModelFiles::doc_unwarping)
      .def_readwrite("text_det", &ppocr::ModelFiles::text_det)
      .def_readwrite("textline_orientation", &ppocr::ModelFiles::textline_orientation)
      .def_readwrite("text_rec", &ppocr::ModelFiles::text_rec)
      .def_readwrite("text_rec_characters", &ppocr::ModelFiles::text_rec_characters);

  py::enum_<ppocr::TextlineInput>(m, "TextlineInput")
      .value("stretched", ppocr::TextlineInput::kStretched)
      .value("aspect_padded", ppocr::TextlineInput::kAspectPadded);

  py::class_<ppocr::PipelineConfig>(m, "PipelineConfig")
      .def(py::init<>())
      .def_readwrite("models", &ppocr::PipelineConfig::models)
      .def_readwrite("engine", &ppocr::PipelineConfig::engine)
      .def_readwrite("use_doc_orientation_classify", &ppocr::PipelineConfig::use_doc_orientation_classify)
      .def_readwrite("use_doc_unwarping", &ppocr::PipelineConfig::use_doc_unwarping)
      .def_readwrite("use_textline_orientation", &ppocr::PipelineConfig::use_textline_orientation)
      .def_readwrite("textline_orientation_batch_size",
                     &ppocr::PipelineConfig::textline_orientation_batch_size)
      .def_readwrite("textline_orientation_input",
                     &ppocr::PipelineConfig::textline_orientation_input)
      .def_readwrite("idle_release_ms", &ppocr::PipelineConfig::idle_release_ms)
      .def_readwrite("text_det", &ppocr::PipelineConfig::text_det)
      .def_readwrite("text_rec", &ppocr::PipelineConfig::text_rec);

  py::class_<ppocr::RunOptions>(m, "RunOptions")
      .def(py::init<>())
      .def_readwrite("use_doc_orientation_classify", &ppocr::RunOptions::use_doc_orientation_classify)
      .def_readwrite("use_doc_unwarping", &ppocr::RunOptions::use_doc_unwarping)
      .def_readwrite("use_textline_orientation", &ppocr::RunOptions::use_textline_orientation)
      .def_readwrite("text_det_limit_side_len", &ppocr::RunOptions::text_det_limit_side_len)
      .def_readwrite("text_det_limit_type", &ppocr::RunOptions::text_det_limit_type)
      .def_readwrite("text_det_thresh", &ppocr::RunOptions::text_det_thresh)
      .def_readwrite("text_det_box_thresh", &ppocr::RunOptions::text_det_box_thresh)
      .def_readwrite("text_det_unclip_ratio", &ppocr::RunOptions::text_det_unclip_ratio)
      .def_readwrite("text_rec_score_thresh", &ppocr::RunOptions::text_rec_score_thresh);
}

void bind_pipeline(py::module_& m) {
  py::class_<ppocr::OcrPipeline>(m, "OcrPipeline")
      .def(py::init([](ppocr::PipelineConfig config) {
             py::gil_scoped_release release;  // model compilation takes seconds
             return std::make_unique<ppocr::OcrPipeline>(std::move(config));
           }),
           py::arg("config"))
      // Every model through a Python engine (python_engine.h): ONNX Runtime for GPUs.
      .def(py::init([](ppocr::PipelineConfig config, py::object engine_factory) {
             const ppocr::EngineFactory factory = ppocr_py::python_engine_factory(engine_factory);
             py::gil_scoped_release release;  // the factory takes the GIL when it needs it
             return std::make_unique<ppocr::OcrPipeline>(std::move(config), factory);
           }),
           py::arg("config"), py::arg("engine_factory"))
      .def(
          "run",
          [](const ppocr::OcrPipeline& self, const py::array& image, const ppocr::RunOptions& options,
             ppocr::Schedule schedule) {
            const cv::Mat view = bgr_view(image);  // `image` stays referenced for the call
            ppocr::OcrResult result;
            {
              py::gil_scoped_release release;
              result = self.run(view, options, schedule);
            }
            return to_dict(result);
          },
          py::arg("image"), py::arg("options") = ppocr::RunOptions{},
          py::arg("schedule") = ppocr::Schedule::kAuto)
      .def_property_readonly("throughput_streams", &ppocr::OcrPipeline::throughput_streams)
      .def(
          "run_batch",
          [](const ppocr::OcrPipeline& self, const std::vector<py::array>& images,
             const ppocr::RunOptions& options) {
            std::vector<cv::Mat> views;
            for (const auto& image : images) views.push_back(bgr_view(image));
            std::vector<ppocr::OcrResult> results;
            {
              py::gil_scoped_release release;
              results = self.run_batch(views, options);
            }
            py::list out;
            for (const auto& r : results) out.append(to_dict(r));
            return out;
          },
          py::arg("images"), py::arg("options") = ppocr::RunOptions{});
}

// Greedy CTC. The decoder is an object because its dictionary (18,385 strings for PP-OCRv5)
// costs far more to convert from Python than one line costs to decode: build it once, as the
// pipeline does, and call decode per line. ctc_decode(probs, characters) stays for one-off use.
void bind_ctc_decoder(py::module_& ops) {
  auto decode = [](const ppocr::CtcDecoder& decoder, const py::array& probs) {
    const cv::Mat p = float_view(probs);
    ppocr::DecodedText d;
    {
      py::gil_scoped_release release;
      d = decoder.decode(p.ptr<float>(), p.rows, p.cols);
    }
    return py::make_tuple(d.text, d.score);
  };
  py::class_<ppocr::CtcDecoder>(ops, "CtcDecoder")
      .def(py::init<std::vector<std::string>>(), py::arg("characters"))
      .def("decode", decode, py::arg("probs"), "(text, score) of one line's T x C probabilities")
      .def("__len__", &ppocr::CtcDecoder::class_count);
  ops.def("ctc_decode", [decode](const py::array& probs, const ppocr::CtcDecoder& decoder) {
    return decode(decoder, probs);
  }, py::arg("probs"), py::arg("decoder"));
  ops.def("ctc_decode", [decode](const py::array& probs, std::vector<std::string> characters) {
    return decode(ppocr::CtcDecoder(std::move(characters)), probs);
  }, py::arg("probs"), py::arg("characters"));
}

// Single stages, for tests and for users who assemble their own pipeline.
void bind_ops(py::module_& ops) {
  ops.def("det_input_size", [](int h, int w, const ppocr::TextDetOptions& o) {
    const auto s = ppocr::det_input_size(h, w, o);
    return py::make_tuple(s.height, s.width);
  });
  ops.def("det_input_tensor", [](const py::array& image, const ppocr::TextDetOptions& o) {
    const cv::Mat bgr = bgr_view(image);
    ppocr::Tensor t;
    {
      py::gil_scoped_release release;
      t = ppocr::det_input_tensor(bgr, o);
    }
    return to_array(std::move(t));
  });
  ops.def("db_postprocess", [](const py::array& prob_map, int dest_width, int dest_height,
                               const ppocr::TextDetOptions& o) {
    const cv::Mat map = float_view(prob_map);
    ppocr::DetectedBoxes boxes;
    {
      py::gil_scoped_release release;
      boxes = ppocr::db_postprocess(map, dest_width, dest_height, o);
    }
    return py::make_tuple(quads_to_array(boxes.quads), boxes.scores);
  });
  ops.def("box_score_fast", [](const py::array& prob_map, const py::array& quad) {
    return ppocr::box_score_fast(float_view(prob_map), quadf_from(quad));
  });
  ops.def("unclip", [](const py::array& quad, float ratio) {
    const auto points = ppocr::unclip(quadf_from(quad), ratio);
    py::array_t<int32_t> out(std::vector<py::ssize_t>{static_cast<py::ssize_t>(points.size()), 2});
    auto v = out.mutable_unchecked<2>();
    for (size_t i = 0; i < points.size(); ++i) {
      v(i, 0) = points[i].x;
      v(i, 1) = points[i].y;
    }
    return out;
  });
  ops.def("reading_order", [](const py::array& quads) {
    auto arr = py::array_t<int32_t, py::array::c_style | py::array::forcecast>::ensure(quads);
    if (!arr || arr.ndim() != 3 || arr.shape(1) != 4 || arr.shape(2) != 2) {
      ppocr::throw_invalid("quads must be an N x 4 x 2 array");
    }
    std::vector<ppocr::Quad> qs(static_cast<size_t>(arr.shape(0)));
    auto v = arr.unchecked<3>();
    for (size_t i = 0; i < qs.size(); ++i) {
      for (int k = 0; k < 4; ++k) qs[i][k] = cv::Point(v(i, k, 0), v(i, k, 1));
    }
    return ppocr::reading_order(qs);
  });
  ops.def("crop_text_line", [](const py::array& image, const py::array& quad) {
    return to_array(ppocr::crop_text_line(bgr_view(image), quad_from(quad)));
  });
  bind_ctc_decoder(ops);
  ops.def("rec_batch_tensor", [](const std::vector<py::array>& lines, const ppocr::TextRecOptions& o) {
    std::vector<cv::Mat> views;
    for (const auto& l : lines) views.push_back(bgr_view(l));
    return to_array(ppocr::rec_batch_tensor(views, o));
  });
  ops.def("doc_orientation_input", [](const py::array& image) {
    return to_array(ppocr::doc_orientation_input(bgr_view(image)));
  });
  // A transparent image flattened onto a contrasting background (image_io.to_bgr).
  ops.def("flatten_alpha", [](const py::array& image) {
    const cv::Mat bgra = bgra_view(image);
    cv::Mat bgr;
    {
      py::gil_scoped_release release;
      bgr = ppocr::flatten_alpha(bgra);
    }
    return to_array(bgr);
  });
  ops.def("rotate_upright", [](const py::array& image, int angle) {
    return to_array(ppocr::rotate_upright(bgr_view(image), angle));
  });
  // The engine's speed-only graph rewrites applied to a model file: how many nodes each
  // changed, and (given `save_to`, an .xml path) the rewritten graph as OpenVINO IR, for
  // tests and for users checking what runs for a model of their own. `top1_classes` > 0:
  // also the recogniser's top-class output (EngineOptions::top1_classes).
  ops.def(
      "graph_rewrites",
      [](const std::string& model_path, const std::string& save_to, int top1_classes) {
        ppocr::GraphRewrites done;
        {
          py::gil_scoped_release release;
          auto model = ov::Core().read_model(model_path);
          done = ppocr::apply_engine_rewrites(model, top1_classes);
          if (!save_to.empty()) ov::save_model(model, save_to, /*compress_to_fp16=*/false);
        }
        py::dict out;
        out["hswish"] = done.hard_sigmoid.hswish;
        out["hsigmoid"] = done.hard_sigmoid.hsigmoid;
        out["clamp"] = done.hard_sigmoid.clamp;
        out["block_deconvolution"] = done.block_deconvolution;
        out["top1_output"] = done.top1_output;
        return out;
      },
      py::arg("model_path"), py::arg("save_to") = "", py::arg("top1_classes") = 0);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "ppocr-native C++ core (OpenVINO + OpenCV)";
  translate_exceptions();
  tune_allocator();
  bind_config(m);
  bind_pipeline(m);
  auto ops = m.def_submodule("ops", "single pipeline stages");
  bind_ops(ops);
}
