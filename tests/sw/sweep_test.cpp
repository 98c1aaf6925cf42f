#include <gtest/gtest.h>

#include <set>
#include <string>

#include "pcm/sw/config_error.hpp"
#include "pcm/sw/sweep.hpp"

namespace pcm::sw {
namespace {

TEST(SweepGrid, AxesMultiplyAndBlocksAdd) {
  const auto points = expand_grid(R"({
    "set": {"model": "m.pt", "seeds": 3},
    "axes": {"strategy": ["none", "sp+am"], "cells": [1, 2, 4]},
    "blocks": [{"set": {"store": "digital"}, "axes": {"digital-bits": [32, 8]}}]
  })");
  ASSERT_EQ(points.size(), 6u + 2u);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(points[i].at("model"), "m.pt");
    EXPECT_EQ(points[i].at("seeds"), "3");
    seen.insert(points[i].at("strategy") + "@" + points[i].at("cells"));
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_TRUE(seen.count("sp+am@4"));
  EXPECT_EQ(points[6].at("store"), "digital");
  EXPECT_EQ(points[7].at("digital-bits"), "8");
  EXPECT_EQ(points[7].count("strategy"), 0u);
}

TEST(SweepGrid, NumbersBecomeOptionValues) {
  const auto points = expand_grid(R"({"axes": {"channel": ["awgn:0.01"], "cells": [1.5, 3], "prune": [0.9]}})");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].at("cells"), "1.5");
  EXPECT_EQ(points[1].at("cells"), "3");
  EXPECT_EQ(points[0].at("prune"), "0.9");
}

TEST(SweepGrid, PointIdsAreStableAndDistinct) {
  const SweepPoint a{{"strategy", "sp"}, {"cells", "1"}};
  const SweepPoint b{{"cells", "1"}, {"strategy", "sp"}};
  const SweepPoint c{{"strategy", "sp"}, {"cells", "2"}};
  const SweepPoint d{{"strategy", "sp1"}, {"cells", ""}};  // no ambiguity from concatenation
  EXPECT_EQ(point_id(a), point_id(b));
  EXPECT_NE(point_id(a), point_id(c));
  EXPECT_NE(point_id(a), point_id(d));
  EXPECT_EQ(point_id(a).size(), 16u);
}

TEST(SweepGrid, MalformedGridsAreConfigErrors) {
  EXPECT_THROW(expand_grid("{"), ConfigError);
  EXPECT_THROW(expand_grid(R"({"axes": {"cells": []}})"), ConfigError);
  EXPECT_THROW(expand_grid(R"({"axes": {"cells": [[1]]}})"), ConfigError);
  EXPECT_THROW(expand_grid(R"({"set": {"cells": 1}})"), ConfigError);
  EXPECT_THROW(expand_grid(R"({"axis": {"cells": [1]}})"), ConfigError);
}

}  // namespace
}  // namespace pcm::sw
