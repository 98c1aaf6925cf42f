// LibTorch side of the host: a TorchScript model's parameters as flat float
// tensors, evaluation on a dataset, Fisher-diagonal sensitivity.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/script.h>

#include "pcm/sw/dataset.hpp"

namespace pcm::sw {

struct NamedTensor {
  std::string name;
  torch::Tensor value;  // the model's own tensor (writes change the model)
};

class TorchModel {
 public:
  // Throws std::runtime_error naming the file when it cannot be loaded, and
  // when a parameter is not float32.
  explicit TorchModel(const std::string& path);

  const std::string& path() const { return path_; }
  // The TorchScript module itself (training works on it in place).
  torch::jit::script::Module& module() { return module_; }
  std::vector<NamedTensor>& parameters() { return params_; }
  const std::vector<NamedTensor>& buffers() const { return buffers_; }
  uint64_t parameter_count() const;
  uint64_t buffer_count() const;

  // Throws std::runtime_error naming the parameter (or buffer) and the index
  // of the first NaN or infinite value, or saying that there is no weight to
  // store.
  void check_finite() const;

  // Snapshot and restore of every parameter (between seeds).
  std::vector<torch::Tensor> snapshot() const;
  void restore(const std::vector<torch::Tensor>& saved);

  // Top-1 accuracy in [0, 1] on the first `limit` items (0: all). Throws
  // std::runtime_error with one line when the model rejects the input shape
  // or returns something that is not [N, >= 10] logits.
  double accuracy(const Dataset& data, std::size_t limit, std::size_t batch,
                  const std::function<void(std::size_t)>& progress = {});

  // Top-1 accuracy of logits(x) against labels y ([N] int64), in batches.
  double accuracy(const torch::Tensor& x, const torch::Tensor& y, std::size_t batch);

  // The model's logits [N, >= 10] for input [N, C, H, W]; throws
  // std::runtime_error with one line naming the file when the model rejects
  // the input or returns anything else.
  torch::Tensor logits(const torch::Tensor& input);

  // Saves the module as TorchScript, written beside and renamed; through a
  // stream, so the archive's bytes do not depend on the path.
  void save(const std::string& path);

  // Fisher-diagonal sensitivity (paper eq. 7): s_j = mean over calibration
  // items of (d log p_w(y|x) / d w_j)^2, one tensor per parameter.
  std::vector<torch::Tensor> fisher_diagonal(const Dataset& data, std::size_t items,
                                             const std::function<void(std::size_t)>& progress = {});

 private:
  std::string path_;
  torch::jit::script::Module module_;
  std::vector<NamedTensor> params_;
  std::vector<NamedTensor> buffers_;
};

// Marks the `fraction` most sensitive weights of the whole model (the
// ceil(fraction x weights)-th largest Fisher value and above, zeros never):
// one flag per weight, per tensor.
std::vector<std::vector<uint8_t>> mark_sensitive(const std::vector<torch::Tensor>& fisher, double fraction);

// The labels of a dataset as an int64 tensor [count].
torch::Tensor labels_tensor(const Dataset& data);

// Images [from, from + count) as a float tensor [count, C, H, W] in [0, 1].
torch::Tensor images_tensor(const Dataset& data, std::size_t from, std::size_t count);

}  // namespace pcm::sw
