// The random bench of rtl/pcm_ctrl (Verilated C++): owns the design and the
// clock, and wires the parts together. Per clock (tick, bench.cpp): the array
// environment drives the cell port's inputs, the handshakes are sampled, the
// clock edges are evaluated, then the monitors feed the reference with what
// the design accepted and the scoreboard with what it produced. The drivers
// (drivers.cpp) stall every valid/ready interface at random; the end-of-run
// checks are in checks.cpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "Vpcm_ctrl.h"
#include "bench/array_env.hpp"
#include "bench/common.hpp"
#include "bench/config_gen.hpp"
#include "bench/coverage.hpp"
#include "bench/ref_model.hpp"
#include "bench/scoreboard.hpp"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace bench {

class Bench {
 public:
  explicit Bench(const Options& opt);
  ~Bench();
  // Every configuration, then the report; 0 when it passed.
  int run();

 private:
  // clock and monitors (bench.cpp)
  void reset();
  void tick_raw();
  void tick();
  void target_coverage();
  int report();
  // drivers (drivers.cpp)
  std::pair<bool, uint32_t> apb(uint32_t addr, bool write, uint32_t data = 0);
  bool reg_write(uint32_t addr, uint32_t data) { return !apb(addr, true, data).first; }
  void wait_idle();
  void configure(int k, bool lsb_mode);
  void refused_accesses();
  void stream_weights(int count, bool lsb_mode, bool append = false);
  // drain: return once the design is idle again; else once the beats are in
  void request(uint32_t index, uint32_t count, bool drain = true);
  void read_back(bool lsb_mode);
  void write_while_busy();
  void register_sweep();
  void reopen_tensor();
  void start_background_read(uint32_t index, uint32_t count);
  // checks (checks.cpp)
  void check_lsb();
  void check_registers();
  void cover_compensation();
  void cover_verify(const pcm::model::ControllerModel::VerifyStats& before);
  void check_packing(uint64_t analog_reqs, uint64_t digital_reqs, uint32_t cells0, uint32_t meta0, uint32_t dir);
  void resume_after_close();
  void on_weight_accepted(uint32_t w, bool sens);
  void finish();

  struct Written {
    uint32_t bits;
    bool saturated;
  };

  Options opt_;
  Random rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vpcm_ctrl> top_;
  std::unique_ptr<VerilatedFstC> trace_;
  Coverage cov_;
  ArrayEnv array_;
  ControllerRef ref_;
  uint64_t cycle_ = 0;
  Scoreboard sb_;
  TensorConfig cfg_;
  bool wr_fired_ = false;  // handshakes of the last clock, as the monitor saw them
  bool rq_fired_ = false;
  std::vector<Written> written_;
  static constexpr uint64_t kStallLimit = 100'000;
  uint64_t last_progress_ = 0;
  std::string phase_ = "reset";
  uint64_t weights_written_ = 0;
  uint64_t lsb_checked_ = 0;
  uint64_t free_cycles_ = 0;
  uint64_t free_weights_ = 0;
  uint64_t lsb_fail_ = 0;
  double max_lsb_err_ = 0.0;
  int cfg_index_ = 0;
  // write requests on the cell port (the packing check)
  uint64_t analog_wr_reqs_ = 0;
  uint64_t digital_wr_reqs_ = 0;
  // a read request made while weights stream (overlapping traffic): tick()
  // drives its read stream until its beats are in
  bool bg_read_ = false;
  uint64_t packing_checked_ = 0;
  // closes in mid-stream (a weight with wr_last, then more weights): the model's
  // NEXT_CELL and METADATA_WRITTEN after each, where the packers were flushed
  struct Cut {
    uint32_t cells, meta;
  };
  std::vector<Cut> cuts_;
  bool ref_read_seen_ = false;  // a reference cell read on the cell port since cleared
  uint32_t last_cells_ = 0;     // cells of the last weight accepted (0: refused)
  // --break: whether the protocol violation was driven yet; true once for
  // the kind asked for (after the reset-value reads)
  bool broken_ = false;
  bool breaking(const char* kind) {
    if (broken_ || opt_.break_kind != kind || cycle_ < 2000) return false;
    std::printf("breaking the protocol on purpose at cycle %llu: %s\n", static_cast<unsigned long long>(cycle_), kind);
    return broken_ = true;
  }
};

}  // namespace bench
