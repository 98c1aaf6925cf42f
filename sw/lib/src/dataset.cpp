#include "pcm/sw/dataset.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace pcm::sw {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw DatasetError(path + ": no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw DatasetError(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw DatasetError(path + ": read error");
  return bytes;
}

uint32_t be32(const std::vector<uint8_t>& b, std::size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

// Header of an IDX file of unsigned bytes with `dims` dimensions; returns them.
std::vector<uint32_t> idx_header(const std::vector<uint8_t>& b, const std::string& path, int dims) {
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(dims);
  if (b.size() < header) {
    throw DatasetError(path + ": truncated IDX header (" + std::to_string(b.size()) + " bytes)");
  }
  const uint32_t magic = be32(b, 0);
  const uint32_t expected = 0x00000800u | static_cast<uint32_t>(dims);
  if (magic != expected) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ": not an IDX file of %d-dimensional unsigned bytes (magic 0x%08x)",
                  dims, magic);
    throw DatasetError(path + buf);
  }
  std::vector<uint32_t> d(static_cast<std::size_t>(dims));
  uint64_t payload = 1;
  bool overflow = false;  // three 32-bit dimensions can exceed 64 bits
  for (int i = 0; i < dims; ++i) {
    d[static_cast<std::size_t>(i)] = be32(b, 4 + 4 * static_cast<std::size_t>(i));
    overflow = overflow || __builtin_mul_overflow(payload, uint64_t{d[static_cast<std::size_t>(i)]}, &payload);
  }
  if (overflow) {
    std::string shape;
    for (uint32_t v : d) shape += (shape.empty() ? "" : " x ") + std::to_string(v);
    throw DatasetError(path + ": truncated or corrupt: the header's dimensions " + shape +
                       " promise more than 2^64 data bytes, file has " + std::to_string(b.size() - header));
  }
  if (b.size() - header != payload) {
    throw DatasetError(path + ": " + (b.size() - header < payload ? "truncated" : "too long") +
                       ": header promises " + std::to_string(payload) + " data bytes, file has " +
                       std::to_string(b.size() - header));
  }
  return d;
}

void check_labels(const Dataset& d, const std::string& path) {
  for (std::size_t i = 0; i < d.labels.size(); ++i) {
    if (d.labels[i] > 9) {
      throw DatasetError(path + ": label " + std::to_string(d.labels[i]) + " of item " +
                         std::to_string(i) + " is not a class 0..9");
    }
  }
}

}  // namespace

Dataset load_mnist_idx(const std::string& images_path, const std::string& labels_path) {
  std::vector<uint8_t> images = read_file(images_path);
  const std::vector<uint8_t> labels = read_file(labels_path);
  const std::vector<uint32_t> di = idx_header(images, images_path, 3);
  const std::vector<uint32_t> dl = idx_header(labels, labels_path, 1);
  if (di[0] != dl[0]) {
    throw DatasetError(labels_path + ": " + std::to_string(dl[0]) + " labels but " + images_path +
                       " has " + std::to_string(di[0]) + " images");
  }
  if (di[0] == 0 || di[1] == 0 || di[2] == 0) throw DatasetError(images_path + ": empty dataset");
  Dataset d;
  d.format = "mnist-idx";
  d.source = images_path + ", " + labels_path;
  d.count = di[0];
  d.channels = 1;
  d.height = static_cast<int>(di[1]);
  d.width = static_cast<int>(di[2]);
  d.pixels.assign(images.begin() + 16, images.end());
  d.labels.assign(labels.begin() + 8, labels.end());
  check_labels(d, labels_path);
  return d;
}

Dataset load_cifar10(const std::vector<std::string>& batch_paths) {
  constexpr std::size_t kImage = 3 * 32 * 32;
  constexpr std::size_t kRecord = 1 + kImage;
  Dataset d;
  d.format = "cifar10-bin";
  d.channels = 3;
  d.height = 32;
  d.width = 32;
  for (const std::string& path : batch_paths) {
    const std::vector<uint8_t> b = read_file(path);
    if (b.empty() || b.size() % kRecord != 0) {
      throw DatasetError(path + ": " + std::to_string(b.size()) +
                         " bytes is not a whole number of CIFAR-10 records (3073 bytes each): truncated?");
    }
    const std::size_t n = b.size() / kRecord;
    for (std::size_t i = 0; i < n; ++i) {
      const uint8_t* rec = b.data() + i * kRecord;
      if (rec[0] > 9) {
        throw DatasetError(path + ": label " + std::to_string(rec[0]) + " of record " +
                           std::to_string(i) + " is not a class 0..9");
      }
      d.labels.push_back(rec[0]);
      d.pixels.insert(d.pixels.end(), rec + 1, rec + kRecord);
    }
    d.count += n;
    d.source += (d.source.empty() ? "" : ", ") + path;
  }
  if (d.count == 0) throw DatasetError("no CIFAR-10 batch files given");
  return d;
}

Dataset load_dataset(const std::string& dir, Split split) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DatasetError(dir + ": no such dataset directory");
  const fs::path root(dir);
  const bool train = split == Split::kTrain;
  const fs::path mnist_images = root / (train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte");
  const fs::path mnist_labels = root / (train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte");
  if (fs::exists(root / "t10k-images-idx3-ubyte", ec) || fs::exists(root / "train-images-idx3-ubyte", ec)) {
    return load_mnist_idx(mnist_images.string(), mnist_labels.string());
  }
  if (fs::exists(root / "test_batch.bin", ec) || fs::exists(root / "data_batch_1.bin", ec)) {
    std::vector<std::string> batches;
    if (train) {
      for (int i = 1; i <= 5; ++i) {
        const fs::path p = root / ("data_batch_" + std::to_string(i) + ".bin");
        if (fs::exists(p, ec)) batches.push_back(p.string());
      }
      if (batches.empty()) throw DatasetError((root / "data_batch_1.bin").string() + ": no such file");
    } else {
      batches.push_back((root / "test_batch.bin").string());
    }
    return load_cifar10(batches);
  }
  throw DatasetError(dir + ": neither MNIST IDX files (t10k-images-idx3-ubyte, ...) nor CIFAR-10 "
                           "batches (test_batch.bin, ...) found");
}

}  // namespace pcm::sw
