#pragma once
// Shared by the two orientation classifiers: batched image classification.
#include <functional>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/engine.h"

namespace ppocr {

// Prepares one image for the classifier: returns the BGR image at the model's input size.
using ClassifierResize = std::function<cv::Mat(const cv::Mat&)>;

// Runs `engine` on `images` in batches of batch_size (each resized by `resize` to
// height x width, RGB, ImageNet-normalised, as PaddleX's classifiers read them) and
// returns the arg-max class of each.
std::vector<int> classify(const Engine& engine, const std::vector<cv::Mat>& images,
                          int height, int width, int batch_size, const ClassifierResize& resize);

}  // namespace ppocr
