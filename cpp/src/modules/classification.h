#pragma once
// Shared by the two orientation classifiers: batched image classification.
#include <functional>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "image/tensor_ops.h"
#include "ppocr/engine.h"

namespace ppocr {

// Prepares one image for the classifier: returns the BGR image at the model's input size,
// or narrower / shorter (the rest of the input stays zero).
using ClassifierResize = std::function<cv::Mat(const cv::Mat&)>;

struct Classification {
  int label = 0;      // the arg-max class
  float score = 0.f;  // the model's output for it (a probability: these models end in softmax)
};

// PaddleX's image classifiers (document and PP-LCNet text-line orientation) read RGB with
// ImageNet mean/std; the tables are built once per process.
const Normalization& paddlex_classifier_normalization();

// Runs `engine` on `images` in batches of batch_size (each resized by `resize` into a
// height x width input and normalised by `norm`) and returns the arg-max class of each.
std::vector<Classification> classify(const Engine& engine, const std::vector<cv::Mat>& images,
                          int height, int width, int batch_size, const ClassifierResize& resize,
                          const Normalization& norm);

}  // namespace ppocr
