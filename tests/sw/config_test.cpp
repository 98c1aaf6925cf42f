// Typed configuration and results: one field list drives the JSON, the CSV
// columns and the command-line options.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/sw/config.hpp"
#include "pcm/sw/result.hpp"
#include "pcm/sw/sweep.hpp"

namespace pcm::sw {
namespace {

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST(RunConfig, JsonRoundTripKeepsEveryField) {
  RunConfig c;
  c.model = "m.pt";
  c.plan.strategy = "sp+am";
  c.plan.rule.cells = 1.5;
  c.plan.rule.dir_log2 = 4;
  c.engine.array.write_latency = 7;
  c.engine.store = "digital";
  c.seed = 11;
  c.display.quiet = true;
  const RunConfig back = run_config_from_json(to_json(c));
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_EQ(back.engine.array.write_latency, 7u);
  EXPECT_EQ(back.plan.rule.dir_log2, 4);
  EXPECT_EQ(to_json(c).at("write_latency"), 7);
  EXPECT_EQ(to_json(c).at("dir"), 4);
  EXPECT_THROW(run_config_from_json(nlohmann::json{{"cells", "many"}}), ConfigError);
}

TEST(RunConfig, OneDefaultPerKnob) {
  EXPECT_EQ(RunConfig{}.engine.array.write_latency, model::ArrayTiming{}.write_latency);
  EXPECT_EQ(RunConfig{}.seed, kFirstSeed);
}

TEST(RunConfig, ValidationNamesTheField) {
  auto field_of = [](RunConfig c) {
    try {
      validate(c);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("(valid)");
  };
  RunConfig c;
  EXPECT_EQ(field_of(c), "(valid)");
  RunConfig a = c;
  a.plan.rule.dac_bits = 17;
  EXPECT_EQ(field_of(a), "dac_bits");
  RunConfig b = c;
  b.engine.array.banks = 0;
  EXPECT_EQ(field_of(b), "banks");
  RunConfig s = c;
  s.plan.strategy = "sp+xy";
  EXPECT_EQ(field_of(s), "strategy");
  RunConfig p = c;
  p.prune = 1.0;
  EXPECT_EQ(field_of(p), "prune");
  RunConfig d = c;
  d.engine.store = "digital";
  d.engine.digital_bits = 1;
  EXPECT_EQ(field_of(d), "digital_bits");
}

TEST(SweepCsv, ColumnsComeFromTheStructs) {
  const std::vector<std::string> cols = csv_columns({"point"});
  EXPECT_EQ(cols.front(), "point");
  for (const char* c : {"model", "engine", "strategy", "cells", "banks", "write_latency", "read_latency", "seed",
                        "clean_accuracy", "accuracy_mean", "accuracy_std", "cost_ideal_total", "cost_realistic_total",
                        "fp32_realistic", "counters_saturated", "timing_cycles", "timing_array_stall_cycles",
                        "timing_bank_utilisation", "host_wall_seconds", "provenance_version"}) {
    EXPECT_TRUE(has(cols, c)) << c;
  }
  EXPECT_FALSE(has(cols, "accuracy_per_seed"));  // lists stay in the JSON
  EXPECT_FALSE(has(cols, "tensors"));
  RunConfig c;
  c.engine.array.banks = 8;
  RunResult r;
  r.timing.cycles = 12345;
  const std::vector<std::string> values = csv_values(c, r, {"id"});
  ASSERT_EQ(values.size(), cols.size());
  const auto at = [&](const std::string& name) {
    return values[static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin())];
  };
  EXPECT_EQ(at("banks"), "8");
  EXPECT_EQ(at("timing_cycles"), "12345");
  EXPECT_EQ(csv_line({"a", "b,c", "d\"e"}), "a,\"b,c\",\"d\"\"e\"");
}

TEST(SweepCsv, RunJsonReadsBack) {
  RunConfig c;
  c.plan.strategy = "sp";
  RunResult r;
  r.accuracy_per_seed = {0.5, 0.75};
  r.tensors.push_back(TensorReport{"fc.weight", 10});
  const auto [c2, r2] = read_run_json(run_json(c, r), "x.json");
  EXPECT_EQ(c2.plan.strategy, "sp");
  EXPECT_EQ(r2.accuracy_per_seed, r.accuracy_per_seed);
  ASSERT_EQ(r2.tensors.size(), 1u);
  EXPECT_EQ(r2.tensors[0].name, "fc.weight");
  EXPECT_THROW(read_run_json(nlohmann::json{{"accuracy", 1}}, "old.json"), std::runtime_error);
}

TEST(SweepPoints, ArgumentsAreRunOptions) {
  EXPECT_EQ(run_arguments({{"cells", "2"}, {"quiet", "true"}}), (std::vector<std::string>{"run", "--cells", "2", "--quiet"}));
  EXPECT_THROW(run_arguments({{"celss", "2"}}), ConfigError);
  EXPECT_THROW(run_arguments({{"out", "x.json"}}), ConfigError);
}

TEST(Options, UnsignedValuesRefuseNegativeNumbersWithTheTextTyped) {
  RunConfig c;
  cli::Options o("test");
  o.declare(c);
  try {
    o.parse({"--seeds=-3"});
    FAIL() << "accepted --seeds=-3";
  } catch (const cli::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--seeds: expected a whole number 0 .. 4294967295, got '-3'");
  }
  RunConfig d;
  cli::Options o2("test");
  o2.declare(d);
  EXPECT_THROW(o2.parse({"--boost=-1"}), cli::UsageError);
  EXPECT_THROW(o2.parse({"--cells=nan"}), cli::UsageError);
  EXPECT_THROW(o2.parse({"--cells=2x"}), cli::UsageError);
  RunConfig e;
  cli::Options o3("test");
  o3.declare(e);
  EXPECT_TRUE(o3.parse({"--cells", "2.5", "--write-latency", "9", "--quiet", "--strategy", "sp+am"}));
  EXPECT_DOUBLE_EQ(e.plan.rule.cells, 2.5);
  EXPECT_EQ(e.engine.array.write_latency, 9u);
  EXPECT_TRUE(e.display.quiet);
  EXPECT_EQ(e.plan.strategy, "sp+am");
  EXPECT_EQ(e.seeds, 3u);  // not given: the default stays
}

TEST(Options, PositionalArgumentsAreRefused) {
  RunConfig c;
  cli::Options o("test");
  o.declare(c);
  EXPECT_ANY_THROW(o.parse({"--cells", "2", "4"}));
}

}  // namespace
}  // namespace pcm::sw
