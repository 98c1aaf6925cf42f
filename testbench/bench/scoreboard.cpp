#include "bench/scoreboard.hpp"

#include <cstdio>

#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {
namespace regs = pcm::regs;

void Scoreboard::fail(const std::string& what) {
  ++mismatches_;
  if (mismatches_ <= 20) {
    std::printf("MISMATCH at cycle %llu: %s\n", static_cast<unsigned long long>(cycle_), what.c_str());
    std::fflush(stdout);  // a campaign stops the bench at its first mismatch
  }
}

void Scoreboard::on_apb(uint32_t addr, bool write, uint32_t wdata, uint32_t rdata, bool err, bool busy) {
  char buf[160];
  if (write) {
    const auto res = ref_.write_reg(addr, wdata, busy);
    if (res.ok == err) {
      std::snprintf(buf, sizeof buf, "APB write 0x%03x <- 0x%08x: design %s, model %s", addr, wdata,
                    err ? "refused" : "accepted", res.ok ? "accepts" : "refuses");
      fail(buf);
    }
    return;
  }
  const auto res = ref_.read_reg(addr, busy);
  uint32_t got = rdata;
  const uint32_t want = res.data;
  if (addr == regs::status::kOffset) {  // busy bits are timing, not state
    got &= ~(regs::status::kWrBusy.mask() | regs::status::kRdBusy.mask());
  }
  if (res.ok == err || (res.ok && got != want)) {
    std::snprintf(buf, sizeof buf, "APB read 0x%03x: design 0x%08x%s, model 0x%08x%s", addr, got,
                  err ? " (error)" : "", want, res.ok ? "" : " (error)");
    fail(buf);
  }
}

void Scoreboard::expect_read(uint32_t index, uint32_t count) {
  for (const pcm::model::ReadBeat& b : ref_.read(index, count)) expected_.push_back(b);
}

void Scoreboard::on_read_beat(uint32_t w, bool last, bool err) {
  if (expected_.empty()) {
    fail("read beat before any expectation");
    return;
  }
  const pcm::model::ReadBeat want = expected_.front();
  expected_.pop_front();
  ++beats_checked_;
  if (want.weight != w || want.last != last || want.err != err) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "read beat: design 0x%08x last=%d err=%d, model 0x%08x last=%d err=%d", w, last,
                  err, want.weight, want.last, want.err);
    fail(buf);
  }
  read_log_.push_back(w);
}

void Scoreboard::on_cell_request(bool write, bool digital, uint32_t addr, int count, const uint32_t* lanes,
                                 int dac_bits, int adc_bits) {
  for (int l = 0; l < count; ++l) {
    const uint32_t a = addr + static_cast<uint32_t>(l);
    const CellLog::Op got{write, write ? lanes[l] : 0u, digital ? 0 : (write ? dac_bits : adc_bits)};
    if (ref_.cell_log().front(digital, a) == nullptr) {
      // e.g. reference cells read before their request is taken, or twice
      char buf[160];
      std::snprintf(buf, sizeof buf, "cell %s 0x%08x: design %s it, the model made no such access",
                    digital ? "digital" : "analog", a, write ? "wrote" : "read");
      fail(buf);
    } else {
      match(digital, a, got);
    }
  }
}

// One design access against the model's oldest access of that cell: same kind,
// same analog code (lanes carry it sign-extended to 32 bits) and resolution,
// same digital word.
void Scoreboard::match(bool digital, uint32_t addr, const CellLog::Op& got) {
  CellLog& log = ref_.cell_log();
  const CellLog::Op* want = log.front(digital, addr);
  ++cells_checked_;
  if (want->write != got.write || want->value != got.value || want->bits != got.bits) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "cell %s 0x%08x: design %s 0x%08x (%d bits), model %s 0x%08x (%d bits)",
                  digital ? "digital" : "analog", addr, got.write ? "write" : "read", got.value, got.bits,
                  want->write ? "write" : "read", want->value, want->bits);
    fail(buf);
  }
  log.pop(digital, addr);
}

void Scoreboard::check_cell_leftovers() {
  CellLog& log = ref_.cell_log();
  int shown = 0;
  for (const auto& [key, op] : log.left()) {
    if (shown++ == 3) break;
    char buf[160];
    std::snprintf(buf, sizeof buf, "cell %s 0x%08x: the model %s it, the design never did",
                  (key >> 32) ? "digital" : "analog", static_cast<uint32_t>(key), op.write ? "wrote" : "read");
    fail(buf);
  }
  log.clear();
}

}  // namespace bench
