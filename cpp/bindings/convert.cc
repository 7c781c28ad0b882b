#include "convert.h"

#include <memory>

#include "geometry/quad.h"
#include "ppocr/error.h"

namespace ppocr_py {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) ppocr::throw_invalid(message);
}

// An array over `data`, which `owner` holds; the array's base capsule deletes the owner.
template <typename T, typename Owner>
py::array_t<T> lend(std::unique_ptr<Owner> owner, const std::vector<py::ssize_t>& shape,
                    const T* data) {
  py::capsule base(owner.get(), [](void* p) { delete static_cast<Owner*>(p); });
  owner.release();  // the capsule frees it from now on
  return py::array_t<T>(shape, data, base);
}

// A header over a C-contiguous uint8 H x W x `channels` array; `layout` names it in errors.
cv::Mat uint8_view(const py::array& image, int channels, const std::string& layout) {
  require(image.dtype().is(py::dtype::of<uint8_t>()),
          "image must be a uint8 array, got dtype " + std::string(py::str(image.dtype())));
  require(image.ndim() == 3 && image.shape(2) == channels, "image must be " + layout);
  require(image.shape(0) > 0 && image.shape(1) > 0, "image is empty");
  require(image.flags() & py::array::c_style, "image must be C-contiguous");
  return cv::Mat(static_cast<int>(image.shape(0)), static_cast<int>(image.shape(1)),
                 CV_8UC(channels), const_cast<void*>(image.data()));
}

}  // namespace

cv::Mat bgr_view(const py::array& image) {
  return uint8_view(image, 3, "H x W x 3 (BGR); convert grayscale or RGBA first");
}

cv::Mat bgra_view(const py::array& image) {
  return uint8_view(image, 4, "H x W x 4 (BGRA)");
}

cv::Mat float_view(const py::array& values) {
  require(values.dtype().is(py::dtype::of<float>()), "expected a float32 array");
  require(values.ndim() == 2, "expected a 2-D array");
  require(values.flags() & py::array::c_style, "array must be C-contiguous");
  return cv::Mat(static_cast<int>(values.shape(0)), static_cast<int>(values.shape(1)), CV_32FC1,
                 const_cast<void*>(values.data()));
}

py::array_t<uint8_t> to_array(const cv::Mat& image) {
  CV_Assert(image.depth() == CV_8U);
  const std::vector<py::ssize_t> shape{image.rows, image.cols, image.channels()};
  if (image.empty()) return py::array_t<uint8_t>(shape);
  // Only a Mat that owns (and reference-counts) its buffer may lend it to numpy.
  const cv::Mat dense = image.isContinuous() && image.u != nullptr ? image : image.clone();
  auto owner = std::make_unique<cv::Mat>(dense);
  const uint8_t* data = owner->data;
  return lend(std::move(owner), shape, data);
}

py::array_t<float> to_array(ppocr::Tensor&& tensor) {
  const std::vector<py::ssize_t> shape(tensor.shape.begin(), tensor.shape.end());
  auto owner = std::make_unique<ppocr::Tensor>(std::move(tensor));
  const float* data = owner->data.data();
  return lend(std::move(owner), shape, data);
}

template <typename Out, typename QuadT>
static py::array_t<Out> quads_to(const std::vector<QuadT>& quads) {
  py::array_t<Out> out(std::vector<py::ssize_t>{static_cast<py::ssize_t>(quads.size()), 4, 2});
  auto view = out.template mutable_unchecked<3>();
  for (size_t i = 0; i < quads.size(); ++i) {
    for (int k = 0; k < 4; ++k) {
      view(i, k, 0) = static_cast<Out>(quads[i][k].x);
      view(i, k, 1) = static_cast<Out>(quads[i][k].y);
    }
  }
  return out;
}

py::array_t<int16_t> quads_to_array(const std::vector<ppocr::Quad>& quads) {
  return quads_to<int16_t>(quads);
}

py::array_t<float> quads_to_array(const std::vector<ppocr::QuadF>& quads) {
  return quads_to<float>(quads);
}

ppocr::QuadF quadf_from(const py::array& points) {
  auto arr = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(points);
  require(arr && arr.ndim() == 2 && arr.shape(0) == 4 && arr.shape(1) == 2,
          "a quad must be a 4 x 2 array");
  auto view = arr.unchecked<2>();
  ppocr::QuadF quad;
  for (int k = 0; k < 4; ++k) quad[k] = cv::Point2f(view(k, 0), view(k, 1));
  return quad;
}

ppocr::Quad quad_from(const py::array& points) {
  const ppocr::QuadF f = quadf_from(points);
  ppocr::Quad quad;
  for (int k = 0; k < 4; ++k) quad[k] = cv::Point(static_cast<int>(f[k].x), static_cast<int>(f[k].y));
  return quad;
}

py::dict to_dict(const ppocr::OcrResult& r) {
  py::dict det_params;
  det_params["limit_side_len"] = r.text_det_params.limit_side_len;
  det_params["limit_type"] = ppocr::to_string(r.text_det_params.limit_type);
  det_params["thresh"] = r.text_det_params.thresh;
  det_params["max_side_limit"] = r.text_det_params.max_side_limit;
  det_params["box_thresh"] = r.text_det_params.box_thresh;
  det_params["unclip_ratio"] = r.text_det_params.unclip_ratio;

  py::array_t<int16_t> rec_boxes(std::vector<py::ssize_t>{static_cast<py::ssize_t>(r.rec_polys.size()), 4});
  auto boxes = rec_boxes.mutable_unchecked<2>();
  for (size_t i = 0; i < r.rec_polys.size(); ++i) {
    const auto box = ppocr::bounding_box(r.rec_polys[i]);
    for (int k = 0; k < 4; ++k) boxes(i, k) = static_cast<int16_t>(box[k]);
  }

  py::dict d;
  d["use_doc_preprocessor"] = r.use_doc_preprocessor;
  d["use_textline_orientation"] = r.use_textline_orientation;
  d["use_doc_orientation_classify"] = r.doc_preprocessor.use_doc_orientation_classify;
  d["use_doc_unwarping"] = r.doc_preprocessor.use_doc_unwarping;
  d["angle"] = r.doc_preprocessor.angle;
  d["preprocessed_img"] = r.doc_preprocessor.output_img.empty()
                              ? py::object(py::none())
                              : py::object(to_array(r.doc_preprocessor.output_img));
  d["dt_polys"] = quads_to_array(r.dt_polys);
  d["dt_scores"] = py::cast(r.dt_scores);
  d["text_det_params"] = det_params;
  d["textline_orientation_angles"] = py::cast(r.textline_orientation_angles);
  d["text_rec_score_thresh"] = r.text_rec_score_thresh;
  d["rec_texts"] = py::cast(r.rec_texts);
  d["rec_scores"] = py::array_t<float>(static_cast<py::ssize_t>(r.rec_scores.size()), r.rec_scores.data());
  d["rec_polys"] = quads_to_array(r.rec_polys);
  d["rec_boxes"] = rec_boxes;
  d["rec_polys_on_input"] = quads_to_array(r.rec_polys_on_input);
  py::dict timings;
  timings["doc_preprocessor"] = r.timings.doc_preprocessor;
  timings["text_det"] = r.timings.text_det;
  timings["textline_orientation"] = r.timings.textline_orientation;
  timings["text_rec"] = r.timings.text_rec;
  timings["inference"] = r.timings.inference;
  timings["total"] = r.timings.total;
  d["timings"] = timings;
  return d;
}

}  // namespace ppocr_py
