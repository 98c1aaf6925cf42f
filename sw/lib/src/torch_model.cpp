#include "pcm/sw/torch_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pcm/sw/files.hpp"
#include "pcm/sw/store.hpp"
#include "pcm/sw/text.hpp"

namespace pcm::sw {
namespace {

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream o;
  o << "[";
  for (int64_t d = 0; d < t.dim(); ++d) o << (d ? ", " : "") << t.size(d);
  o << "]";
  return o.str();
}

bool contains(const std::string& hay, const char* needle) { return hay.find(needle) != std::string::npos; }

// What a file that TorchScript cannot load is, from its bytes: the usual
// mistakes are a torch.save() of a state_dict or of a whole module, and an
// ONNX export. "" when it is none of these.
std::string kind_of_model_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  // torch.save stores its pickle uncompressed and the zip directory lists
  // every entry, so the names and the pickle's class references are plain
  // bytes; the first and last 16 MiB hold them for any size of weights.
  constexpr std::size_t kPart = std::size_t{16} << 20;
  std::string head(kPart, '\0');
  f.read(head.data(), static_cast<std::streamsize>(kPart));
  head.resize(static_cast<std::size_t>(f.gcount()));
  std::string tail;
  f.clear();
  f.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(f.tellg());
  if (size > kPart) {
    tail.assign(std::min(kPart, size - kPart), '\0');
    f.seekg(static_cast<std::streamoff>(size - tail.size()));
    f.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  }
  const std::string bytes = head + tail;
  const bool zip = head.rfind("PK\x03\x04", 0) == 0;
  if (zip && contains(bytes, "data.pkl") && !contains(bytes, "/code/")) {
    if (contains(bytes, "torch.nn.modules") || contains(bytes, "__main__")) {
      return "a whole module pickled with torch.save(model), not TorchScript";
    }
    if (contains(bytes, "OrderedDict")) return "a state_dict saved with torch.save(model.state_dict()), not TorchScript";
    return "a torch.save() archive, not TorchScript";
  }
  if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80) {  // a pickle's PROTO opcode
    return "a legacy torch.save() pickle, not TorchScript";
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".onnx" || (!head.empty() && head[0] == '\x08' && (contains(head.substr(0, 256), "pytorch") ||
                                                                   contains(head.substr(0, 256), "onnx")))) {
    return "an ONNX model, not TorchScript (pcmsim runs TorchScript through LibTorch)";
  }
  return "";
}

}  // namespace

TorchModel::TorchModel(const std::string& path) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": no such model file");
  try {
    module_ = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    const std::string kind = kind_of_model_file(path);
    if (!kind.empty()) {
      throw std::runtime_error(path + ": " + kind + "; export one in PyTorch with torch.jit.script(model).save(\"" +
                               "model.pt\") or torch.jit.trace(model, example_input).save(\"model.pt\")");
    }
    throw std::runtime_error(path + ": not a TorchScript model: " + first_line(e.what_without_backtrace()));
  }
  module_.eval();
  for (const auto& p : module_.named_parameters(/*recurse=*/true)) {
    if (p.value.scalar_type() != torch::kFloat32) {
      throw std::runtime_error(path + ": parameter " + p.name + " is " +
                               std::string(c10::toString(p.value.scalar_type())) +
                               ", only float32 parameters can be stored");
    }
    params_.push_back({p.name, p.value});
  }
  for (const auto& b : module_.named_buffers(/*recurse=*/true)) buffers_.push_back({b.name, b.value});
  if (params_.empty()) throw std::runtime_error(path + ": the model has no parameters to store");
}

uint64_t TorchModel::parameter_count() const {
  uint64_t n = 0;
  for (const auto& p : params_) n += static_cast<uint64_t>(p.value.numel());
  return n;
}

uint64_t TorchModel::buffer_count() const {
  uint64_t n = 0;
  for (const auto& b : buffers_) n += static_cast<uint64_t>(b.value.numel());
  return n;
}

namespace {

// The first NaN or infinite value of a floating-point tensor: "value I is NaN", or "".
std::string first_non_finite(const torch::Tensor& t, const char* what) {
  if (!t.is_floating_point()) return "";
  const torch::Tensor flat = t.detach().to(torch::kDouble).contiguous().view(-1);
  const double* v = flat.data_ptr<double>();
  for (int64_t i = 0; i < flat.numel(); ++i) {
    if (!std::isfinite(v[i])) {
      return std::string(what) + " " + std::to_string(i) + " is " + (std::isnan(v[i]) ? "NaN" : "infinite");
    }
  }
  return "";
}

}  // namespace

void TorchModel::check_finite() const {
  int64_t stored = 0;
  for (const auto& p : params_) {
    stored += p.value.numel();
    const std::string bad = first_non_finite(p.value, "weight");
    if (!bad.empty()) throw std::runtime_error("parameter " + p.name + ": " + bad);
  }
  for (const auto& b : buffers_) {
    const std::string bad = first_non_finite(b.value, "value");
    if (!bad.empty()) throw std::runtime_error(path_ + ": buffer " + b.name + ": " + bad);
  }
  if (stored == 0) throw std::runtime_error(path_ + ": the model has no weight to store (no parameter, or only empty ones)");
}

void TorchModel::save(const std::string& path) {
  write_atomically(path, [&](std::ostream& f) {
    try {
      module_.save(f);
    } catch (const c10::Error& e) {
      throw std::runtime_error(path + ": cannot save: " + first_line(e.what_without_backtrace()));
    }
  });
}

double TorchModel::accuracy(const torch::Tensor& x, const torch::Tensor& y, std::size_t batch) {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  const auto step = static_cast<int64_t>(batch);
  int64_t correct = 0;
  for (int64_t at = 0; at < n; at += step) {
    const int64_t count = std::min<int64_t>(step, n - at);
    const torch::Tensor pred = logits(x.narrow(0, at, count)).argmax(1);
    correct += pred.eq(y.narrow(0, at, count)).sum().item<int64_t>();
  }
  return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
}

std::vector<std::vector<uint8_t>> mark_sensitive(const std::vector<torch::Tensor>& fisher, double fraction) {
  std::vector<torch::Tensor> flat;
  std::vector<WeightTensor> scores;
  for (const auto& f : fisher) {
    flat.push_back(f.detach().to(torch::kFloat32).contiguous());
    scores.push_back({"", flat.back().data_ptr<float>(), static_cast<std::size_t>(flat.back().numel())});
  }
  return mark_sensitive(scores, fraction);
}

torch::Tensor labels_tensor(const Dataset& data) {
  return torch::from_blob(const_cast<uint8_t*>(data.labels.data()), {static_cast<int64_t>(data.count)},
                          torch::kUInt8)
      .to(torch::kLong);
}

std::vector<torch::Tensor> TorchModel::snapshot() const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> saved;
  for (const auto& p : params_) saved.push_back(p.value.detach().clone());
  return saved;
}

void TorchModel::restore(const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].value.copy_(saved[i]);
}

torch::Tensor images_tensor(const Dataset& data, std::size_t from, std::size_t count) {
  const std::size_t size = data.image_size();
  auto bytes = torch::from_blob(const_cast<uint8_t*>(data.pixels.data() + from * size),
                                {static_cast<int64_t>(count), data.channels, data.height, data.width},
                                torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor TorchModel::logits(const torch::Tensor& input) {
  torch::jit::IValue out;
  try {
    out = module_.forward({input});
  } catch (const c10::Error& e) {
    throw std::runtime_error(path_ + ": the model rejects the dataset's input of shape " + shape_of(input) +
                             ": " + cause_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw std::runtime_error(path_ + ": the model rejects the dataset's input of shape " + shape_of(input) +
                             ": " + cause_line(e.what()));
  }
  if (!out.isTensor()) throw std::runtime_error(path_ + ": the model does not return a tensor of logits");
  torch::Tensor t = out.toTensor();
  if (t.dim() != 2 || t.size(0) != input.size(0) || t.size(1) < 10) {
    throw std::runtime_error(path_ + ": the model returns " + shape_of(t) + " for input " + shape_of(input) +
                             ", expected logits [N, K] with K at least 10 (one per class)");
  }
  return t;
}

double TorchModel::accuracy(const Dataset& data, std::size_t limit, std::size_t batch,
                            const std::function<void(std::size_t)>& progress) {
  torch::NoGradGuard no_grad;
  const std::size_t n = limit == 0 ? data.count : std::min(limit, data.count);
  std::size_t correct = 0;
  for (std::size_t at = 0; at < n; at += batch) {
    const std::size_t count = std::min(batch, n - at);
    const torch::Tensor out = logits(images_tensor(data, at, count));
    if (!torch::isfinite(out).all().item<bool>()) {
      throw std::runtime_error(path_ + ": the model's logits are NaN or infinite for test items " + std::to_string(at) +
                               " .. " + std::to_string(at + count - 1));
    }
    const torch::Tensor predicted = out.argmax(1);
    const auto* p = predicted.data_ptr<int64_t>();
    for (std::size_t i = 0; i < count; ++i) correct += p[i] == data.labels[at + i];
    if (progress) progress(at + count);
  }
  return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
}

std::vector<torch::Tensor> TorchModel::fisher_diagonal(const Dataset& data, std::size_t items,
                                                       const std::function<void(std::size_t)>& progress) {
  const std::size_t n = std::min(items, data.count);
  if (n == 0) throw std::runtime_error("no calibration items for the sensitivity");
  std::vector<torch::Tensor> sum;
  for (auto& p : params_) {
    sum.push_back(torch::zeros_like(p.value));
    p.value.set_requires_grad(true);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& p : params_) p.value.mutable_grad() = torch::Tensor();
    const torch::Tensor out = logits(images_tensor(data, i, 1));
    const torch::Tensor log_p = torch::log_softmax(out, 1)[0][data.labels[i]];
    log_p.backward();
    for (std::size_t k = 0; k < params_.size(); ++k) {
      const torch::Tensor& g = params_[k].value.grad();
      if (g.defined()) sum[k].add_(g.square());
    }
    if (progress) progress(i + 1);
  }
  for (auto& p : params_) {
    p.value.mutable_grad() = torch::Tensor();
    p.value.set_requires_grad(false);
  }
  for (auto& s : sum) s.div_(static_cast<double>(n));
  return sum;
}

}  // namespace pcm::sw
