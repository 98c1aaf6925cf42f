#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "pcm/sw/dataset.hpp"

namespace pcm::sw {
namespace {

namespace fs = std::filesystem;

class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pcmsim_dataset_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                             static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  // n images of 2x3 pixels with value (item * 10 + pixel), labels item % 10.
  void write_mnist(const std::string& prefix, uint32_t n, uint32_t labels) {
    std::vector<uint8_t> img, lab;
    put32(img, 0x803);
    put32(img, n);
    put32(img, 2);
    put32(img, 3);
    for (uint32_t i = 0; i < n; ++i) {
      for (uint32_t p = 0; p < 6; ++p) img.push_back(static_cast<uint8_t>(i * 10 + p));
    }
    put32(lab, 0x801);
    put32(lab, labels);
    for (uint32_t i = 0; i < labels; ++i) lab.push_back(static_cast<uint8_t>(i % 10));
    write(prefix + "-images-idx3-ubyte", img);
    write(prefix + "-labels-idx1-ubyte", lab);
  }
  std::string error_of(Split split) {
    try {
      load_dataset(dir_.string(), split);
    } catch (const DatasetError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(DatasetFiles, ReadsMnistIdxBothSplits) {
  write_mnist("t10k", 4, 4);
  write_mnist("train", 7, 7);
  const Dataset test = load_dataset(dir_.string(), Split::kTest);
  EXPECT_EQ(test.format, "mnist-idx");
  EXPECT_EQ(test.count, 4u);
  EXPECT_EQ(test.channels, 1);
  EXPECT_EQ(test.height, 2);
  EXPECT_EQ(test.width, 3);
  EXPECT_EQ(test.pixels[2 * 6 + 5], 25);
  EXPECT_EQ(test.labels[3], 3);
  EXPECT_EQ(load_dataset(dir_.string(), Split::kTrain).count, 7u);
}

TEST_F(DatasetFiles, TruncatedImagesNameTheFile) {
  write_mnist("t10k", 4, 4);
  const fs::path images = dir_ / "t10k-images-idx3-ubyte";
  fs::resize_file(images, fs::file_size(images) - 5);
  const std::string e = error_of(Split::kTest);
  EXPECT_NE(e.find("t10k-images-idx3-ubyte: truncated"), std::string::npos) << e;
}

TEST_F(DatasetFiles, LabelCountMismatchNamesBothFiles) {
  write_mnist("t10k", 4, 3);
  const std::string e = error_of(Split::kTest);
  EXPECT_NE(e.find("3 labels"), std::string::npos) << e;
  EXPECT_NE(e.find("t10k-images-idx3-ubyte has 4 images"), std::string::npos) << e;
}

TEST_F(DatasetFiles, WrongMagicAndMissingPartner) {
  write_mnist("t10k", 2, 2);
  std::vector<uint8_t> bad = {0, 0, 8, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};  // labels where images belong
  write("t10k-images-idx3-ubyte", bad);
  EXPECT_NE(error_of(Split::kTest).find("not an IDX file of 3-dimensional"), std::string::npos);
  fs::remove(dir_ / "train-labels-idx1-ubyte");
  EXPECT_NE(error_of(Split::kTrain).find("train-images-idx3-ubyte: no such file"), std::string::npos);
}

TEST_F(DatasetFiles, ReadsCifarBatchesAndRejectsPartialRecords) {
  std::vector<uint8_t> batch;
  for (int r = 0; r < 3; ++r) {
    batch.push_back(static_cast<uint8_t>(r + 7));
    for (int p = 0; p < 3072; ++p) batch.push_back(static_cast<uint8_t>(p % 251));
  }
  write("test_batch.bin", batch);
  const Dataset d = load_dataset(dir_.string(), Split::kTest);
  EXPECT_EQ(d.format, "cifar10-bin");
  EXPECT_EQ(d.count, 3u);
  EXPECT_EQ(d.channels, 3);
  EXPECT_EQ(d.labels[2], 9);
  EXPECT_EQ(d.pixels[3072 + 300], 300 % 251);
  batch.pop_back();
  write("test_batch.bin", batch);
  EXPECT_NE(error_of(Split::kTest).find("test_batch.bin: 9218 bytes is not a whole number"), std::string::npos);
  EXPECT_NE(error_of(Split::kTrain).find("data_batch_1.bin: no such file"), std::string::npos);
}

TEST_F(DatasetFiles, EmptyDirectoryExplainsTheFormats) {
  const std::string e = error_of(Split::kTest);
  EXPECT_NE(e.find("neither MNIST IDX files"), std::string::npos) << e;
  EXPECT_THROW(load_dataset((dir_ / "missing").string(), Split::kTest), DatasetError);
}

// The loader on the real MNIST digits that scripts/prepare_mnist.py writes
// (ctest Mnist.LoaderReadsKnownLabels points PCMSIM_MNIST_DIR at them):
// shapes, counts and the first labels of both splits as tests/data/check_mnist.py records them.
TEST(MnistLoader, ReadsTheKnownLabelsOfThePreparedDigits) {
  const char* dir = std::getenv("PCMSIM_MNIST_DIR");
  if (dir == nullptr || !fs::exists(fs::path(dir) / "t10k-labels-idx1-ubyte")) {
    GTEST_SKIP() << "PCMSIM_MNIST_DIR unset or without prepared digits (scripts/fetch_mnist.sh, prepare_mnist.py)";
  }
  const std::vector<uint8_t> train_first = {9, 3, 4, 2, 1, 0, 7, 9, 1, 8, 2, 3, 8, 1, 3, 2, 7, 4, 4, 3};
  const std::vector<uint8_t> test_first = {6, 9, 9, 8, 3, 2, 6, 0, 9, 1, 1, 5, 8, 7, 9, 9, 1, 8, 7, 9};
  for (const auto& [split, count, first] : {std::tuple{Split::kTrain, std::size_t{8000}, train_first},
                                            std::tuple{Split::kTest, std::size_t{2000}, test_first}}) {
    const Dataset d = load_dataset(dir, split);
    EXPECT_EQ(d.format, "mnist-idx");
    EXPECT_EQ(d.count, count);
    EXPECT_EQ(d.channels, 1);
    EXPECT_EQ(d.height, 28);
    EXPECT_EQ(d.width, 28);
    ASSERT_GE(d.labels.size(), first.size());
    EXPECT_EQ(std::vector<uint8_t>(d.labels.begin(), d.labels.begin() + 20), first);
  }
}

}  // namespace
}  // namespace pcm::sw
