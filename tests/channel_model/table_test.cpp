#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/capacity.hpp"
#include "pcm/channel_model/channel.hpp"
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
  EXPECT_NE(error_of("").find("t.csv:1: no column header"), std::string::npos);
  EXPECT_NE(error_of(h).find("t.csv:1: no data rows"), std::string::npos);
  EXPECT_NE(error_of("in,out\n1,5\n1,6\n2,7\n").find("t.csv:4: level at input 2"), std::string::npos);
  EXPECT_NE(error_of("v_V,r_ohm\n1,5\n1,-6\n").find("t.csv:3: output -6"), std::string::npos);
  EXPECT_NE(error_of("# output_map: 2 1\n" + h + "0,0,0.1,10\n1,1,0.1,10\n").find("t.csv:1: output_map"), std::string::npos);
  EXPECT_EQ(error_of(h + "0,0,0.1,10\n1,1,0.1,10\n"), "");
}

TEST(Table, MissingFileIsATableError) {
  EXPECT_THROW(cm::load_table("no/such/table.csv"), cm::TableError);
  EXPECT_THROW(cm::load_builtin_table("nonexistent"), cm::TableError);
  try {
    cm::load_table("no/such/table.csv");
  } catch (const cm::TableError& e) {
    EXPECT_EQ(std::string(e.what()), "no/such/table.csv: cannot open table file (No such file or directory)");
  }
}

// Numbers too large for what is computed from them (1e308 - (-1e308)
// overflows) are refused where they are written, not deep in the interpolation.
TEST(Table, HugeValuesAreRefusedAtTheirLine) {
  const std::string h = "input,mean,std,count\n";
  EXPECT_EQ(error_of(h + "0,-1e308,0.1,10\n1,1e308,0.1,10\n"),
            "t.csv:2: column 'mean' value -1e308 is out of the range this tool accepts (|v| <= 1e+100)");
  EXPECT_EQ(error_of(h + "0,0,0.1,10\n1e308,1,0.1,10\n"),
            "t.csv:3: column 'input' value 1e308 is out of the range this tool accepts (|v| <= 1e+100)");
  EXPECT_EQ(error_of(h + "0,0,0.1,10\n1,1,1e308,10\n"),
            "t.csv:3: column 'std' value 1e308 is out of the range this tool accepts (|v| <= 1e+100)");
  EXPECT_EQ(error_of("in,out\n1,5\n1,-1e200\n2,6\n2,7\n"),
            "t.csv:3: column 'out' value -1e200 is out of the range this tool accepts (|v| <= 1e+100)");
  EXPECT_EQ(error_of("# output_map: -1e308 1e308\n" + h + "0,0,0.1,10\n1,1,0.1,10\n"),
            "t.csv:1: output_map value -1e308 is out of the range this tool accepts (|v| <= 1e+100)");
  EXPECT_EQ(error_of("# drift_t0: 1e308\n# output_unit: log10(ohm)\n# drift: aihwkit\n" + h +
                     "0,0,0.1,10\n1,1,0.1,10\n"),
            "t.csv:1: drift_t0 value 1e308 is out of the range this tool accepts (|v| <= 1e+100)");
  // The edges of the range are accepted, and make a channel like any other.
  const std::string edges[] = {h + "-1e100,-1e100,1e100,10\n1e100,1e100,0,10\n",
                               "# input_map: 0 1e-100\n# output_map: 0 1e-100\n" + h +
                                   "-4e-95,-4e-95,4e-95,10\n4e-95,4e-95,0,10\n"};
  for (const std::string& text : edges) {
    std::istringstream in(text);
    const cm::TableChannel ch(cm::parse_table(in, "edge.csv"));
    const cm::PreMapping pre(ch);
    EXPECT_TRUE(std::isfinite(pre.h(0.0)));
    EXPECT_TRUE(std::isfinite(ch.mean(0.3)) && std::isfinite(ch.stddev(0.3)));
    EXPECT_NEAR(cm::table_capacity(ch.table()).bits, 1.0, 0.01);
  }
}

TEST(Table, NarrowMapsAndFarMappedValuesAreRefusedAtTheirLine) {
  const std::string h = "input,mean,std,count\n";
  EXPECT_EQ(error_of("# output_map: 0 1e-200\n" + h + "0,0,0.1,10\n1,1,0.1,10\n"),
            "t.csv:1: output_map 0 1e-200 is 1e-200 wide; a map must be at least 1e-100 wide to place values "
            "on [-1, 1]");
  EXPECT_EQ(error_of(h + "0,1e-250,0.1,10\n1,2e-250,0.1,10\n"),
            "t.csv:2: the outputs' range [1e-250, 2e-250] is 1e-250 wide; a map must be at least 1e-100 wide to "
            "place values on [-1, 1]");
  EXPECT_EQ(error_of(h + "0,3,0.1,10\n1,3,0.1,10\n"),
            "t.csv:2: all outputs are equal (3); cannot map them onto [-1, 1]");
  EXPECT_EQ(error_of("# input_map: 0 1e-100\n# output_map: 0 1e-100\n" + h +
                     "-1e100,-1e100,1e100,10\n1e100,1e100,0,10\n"),
            "t.csv:4: column 'input' value -1e+100 maps to -2e+200 under the input map; mapped values must stay "
            "within +-1000000 of its [-1, 1]");
  EXPECT_EQ(error_of(h + "0,0,0.1,10\n1,1,3e6,10\n"),
            "t.csv:3: column 'std' value 3000000 maps to 6000000 under the output map; mapped values must stay "
            "within +-1000000 of its [-1, 1]");
  EXPECT_EQ(error_of("# output_map: 1 1.000001\nin,out_ohm\n1,10\n1,11\n2,20\n2,1e9\n"),
            "t.csv:6: column 'out_ohm' value 1000000000 maps to 15999999 under the output map; mapped values "
            "must stay within +-1000000 of its [-1, 1]");
  EXPECT_EQ(error_of("# input_map: 0 1e90\n" + h + "1,0,0.1,10\n1.0000001,1,0.1,10\n"),
            "t.csv:4: input 1.0000001 is too close to the previous level's (line 3): less than 1e-12 apart once "
            "the input map puts them on [-1, 1]");
}

// A stream that fails after its first line, as a disk might.
TEST(Table, ReadErrorNamesTheLine) {
  struct Failing : std::streambuf {
    std::string first = "input,mean,std,count\n";
    Failing() { setg(first.data(), first.data(), first.data() + first.size()); }
    int_type underflow() override { throw std::runtime_error("I/O error"); }
  } buf;
  std::istream in(&buf);
  try {
    cm::parse_table(in, "t.csv");
    ADD_FAILURE() << "a failing stream parsed";
  } catch (const cm::TableError& e) {
    EXPECT_EQ(std::string(e.what()), "t.csv:2: read error");
  }
}

TEST(Table, DirectoryIsNotATable) {
  const std::string dir = testing::TempDir();
  try {
    cm::load_table(dir);
    ADD_FAILURE() << "a directory loaded as a table";
  } catch (const cm::TableError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a table");
  }
}

// A UTF-8 byte order mark (Windows editors write one) is not part of the first line.
TEST(Table, ByteOrderMarkIsSkipped) {
  const std::string bom = "\xEF\xBB\xBF";
  std::istringstream meta_first(bom + "# name: x\ninput,mean,std,count\n0,0,0.1,10\n1,1,0.1,10\n");
  const cm::Table t = cm::parse_table(meta_first, "t.csv");
  EXPECT_EQ(t.meta("name"), "x");
  std::istringstream header_first(bom + "input,mean,std,count\n0,0,0.1,10\n1,1,0.1,10\n");
  EXPECT_EQ(cm::parse_table(header_first, "t.csv").levels.size(), 2u);
  EXPECT_EQ(error_of(bom + "input,mean,std,count\n0,0,0.1,10\n1,abc,0.1,10\n"),
            "t.csv:3: column 'mean': 'abc' is not a number");
  // also through a file
  const std::string path = testing::TempDir() + "table_bom.csv";
  std::ofstream(path) << bom << "# name: from a file\ninput,mean,std,count\n0,0,0.1,10\n1,1,0.1,10\n";
  EXPECT_EQ(cm::load_table(path).meta("name"), "from a file");
  std::filesystem::remove(path);
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
