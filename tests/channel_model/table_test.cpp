#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/errors.hpp"
#include "pcm/channel_model/table.hpp"

namespace cm = pcm::channel_model;

namespace {
// The message a malformed table raises ("" when it parses).
std::string error_of(const std::string& text) {
  std::istringstream in(text);
  try {
    cm::parse_table(in, "t.csv");
  } catch (const cm::TableError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Table, ParsesStatsTableIntoNormalizedUnits) {
  std::istringstream in("# input_map: 0 2\n# output_map: 0 4\ninput,mean,std,count\n0,1,0.2,10\n2,3,0.4,20\n");
  const cm::Table t = cm::parse_table(in, "t.csv");
  ASSERT_EQ(t.levels.size(), 2u);
  EXPECT_DOUBLE_EQ(t.levels[0].input, -1.0);
  EXPECT_DOUBLE_EQ(t.levels[1].input, 1.0);
  EXPECT_DOUBLE_EQ(t.levels[0].mean, -0.5);
  EXPECT_DOUBLE_EQ(t.levels[1].std, 0.2);
  EXPECT_EQ(t.total_count(), 30u);
}

TEST(Table, RawTableGroupsLevelsAndTakesLog10OfOhms) {
  std::istringstream in("pulse_V,resistance_ohm\n1,10\n2,1000\n1,100\n2,10000\n");
  const cm::Table t = cm::parse_table(in, "t.csv");
  ASSERT_EQ(t.kind, cm::TableKind::kRaw);
  ASSERT_EQ(t.levels.size(), 2u);
  EXPECT_EQ(t.output_unit, "log10(ohm)");
  EXPECT_DOUBLE_EQ(t.output_map.lo, 1.0);
  EXPECT_DOUBLE_EQ(t.output_map.hi, 4.0);
  EXPECT_EQ(t.levels[0].samples.size(), 2u);
  EXPECT_DOUBLE_EQ(t.levels[0].samples.front(), -1.0);
}

TEST(Table, RejectsEveryMalformedCaseWithFileAndLine) {
  const std::string h = "input,mean,std,count\n";
  EXPECT_NE(error_of("input,mean,count\n0,0,1\n1,1,1\n").find("t.csv:1: missing column 'std'"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n1,abc,0.1,10\n").find("t.csv:3: column 'mean': 'abc' is not a number"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n1,nan,0.1,10\n").find("t.csv:3: column 'mean' is NaN"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n").find("t.csv:2: fewer than 2 levels"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n0,1,0.1,10\n").find("t.csv:3: inputs must be strictly increasing"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n1,1,-0.1,10\n").find("t.csv:3: negative std"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n1,1,0.1,0\n").find("t.csv:3: empty level"), std::string::npos);
  EXPECT_NE(error_of(h + "0,0,0.1,10\n1,1,0.1\n").find("t.csv:3: expected 4 fields"), std::string::npos);
  EXPECT_NE(error_of("").find("t.csv: no column header"), std::string::npos);
  EXPECT_NE(error_of(h).find("t.csv:1: no data rows"), std::string::npos);
  EXPECT_NE(error_of("in,out\n1,5\n1,6\n2,7\n").find("t.csv:4: level at input 2"), std::string::npos);
  EXPECT_NE(error_of("v_V,r_ohm\n1,5\n1,-6\n").find("t.csv:3: output -6"), std::string::npos);
  EXPECT_NE(error_of("# output_map: 2 1\n" + h + "0,0,0.1,10\n1,1,0.1,10\n").find("t.csv:1: output_map"), std::string::npos);
  EXPECT_EQ(error_of(h + "0,0,0.1,10\n1,1,0.1,10\n"), "");
}

TEST(Table, MissingFileIsATableError) {
  EXPECT_THROW(cm::load_table("no/such/table.csv"), cm::TableError);
  EXPECT_THROW(cm::load_builtin_table("nonexistent"), cm::TableError);
}

TEST(Table, StatsRoundTripThroughWriter) {
  const cm::Table t = cm::load_builtin_table("default");
  std::ostringstream out;
  cm::write_stats_table(out, t, {{"name", "copy"}});
  std::istringstream in(out.str());
  const cm::Table back = cm::parse_table(in, "copy");
  ASSERT_EQ(back.levels.size(), t.levels.size());
  for (std::size_t i = 0; i < t.levels.size(); ++i) {
    EXPECT_NEAR(back.levels[i].mean, t.levels[i].mean, 1e-9);
    EXPECT_NEAR(back.levels[i].std, t.levels[i].std, 1e-9);
  }
}
