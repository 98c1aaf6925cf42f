// Datasets in their standard on-disk formats: MNIST IDX and CIFAR-10 binary.
// Pixels stay bytes here; the model runner scales them to [0, 1].
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pcm::sw {

// A file that is missing, truncated or inconsistent with its partner. The
// message names the file.
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Dataset {
  std::string format;  // "mnist-idx" or "cifar10-bin"
  std::string source;  // what was read (file names)
  std::size_t count = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;  // count x channels x height x width, row-major
  std::vector<uint8_t> labels;  // count, each < 10

  std::size_t image_size() const {
    return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) *
           static_cast<std::size_t>(width);
  }
};

// An IDX pair: images (magic 0x00000803, dims N x H x W) and labels (magic
// 0x00000801, dim N).
Dataset load_mnist_idx(const std::string& images_path, const std::string& labels_path);
// CIFAR-10 binary batches: records of 1 label byte + 3 x 32 x 32 pixel bytes.
Dataset load_cifar10(const std::vector<std::string>& batch_paths);

enum class Split { kTrain, kTest };
// A dataset directory in either format: MNIST (`t10k-images-idx3-ubyte`,
// `t10k-labels-idx1-ubyte`; `train-...` for the training split) or CIFAR-10
// (`test_batch.bin`; `data_batch_1.bin` ... `data_batch_5.bin`, those present).
Dataset load_dataset(const std::string& dir, Split split);

}  // namespace pcm::sw
