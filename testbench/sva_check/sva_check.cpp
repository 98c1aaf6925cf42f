// Checker unit test of testbench/sva/pcm_ctrl_sva.sv: the checker alone as the
// Verilated top (no pcm_ctrl, no bind), every port driven from here.
//
// A fixed legal sequence runs first: reset with rule-breaking junk (disable
// iff must hide it), then one scenario per group of assertions, each making
// every assertion's antecedent true at least once. With --violate NAME the
// scenario that owns NAME runs once more with the one deviation that breaks
// NAME and nothing else, so a ctest (expect_assertion.cmake) can require that
// exactly NAME's message is printed.
//
// Exit status: 0 when nothing fired and nothing was to fire; 1 when an
// assertion fired (wanted or not) or --violate NAME fired nothing; 2 usage.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Vpcm_ctrl_sva.h"
#include "verilated.h"

namespace {

// Every input of pcm_ctrl_sva, as the bind would connect them; held from one
// clock to the next unless a scenario changes them.
struct Ports {
  bool rst_n = false;
  bool psel = false, penable = false, pwrite = false;
  uint32_t paddr = 0, pwdata = 0, prdata = 0;
  bool pready = false, pslverr = false;
  bool wr_valid = false, wr_ready = false;
  bool rq_valid = false, rq_ready = false;
  bool rd_valid = false, rd_ready = false;
  uint32_t rd_weight = 0;
  bool rd_last = false, rd_err = false;
  bool req_valid = false, req_ready = false, req_write = false;
  bool rsp_valid = false, rsp_ready = false;
  bool wr_busy = false, rd_busy = false;
  bool dec_valid = false, dec_ready = false;
  uint64_t dec_data = 0;
  uint32_t cfg[4] = {0, 0, 0, 0};  // cfg_i[127:0], word 0 least significant
};

class Harness {
 public:
  Harness() : ctx_(std::make_unique<VerilatedContext>()) {
    // report an $error and go on to the end of the eval (so that every
    // assertion failing in the same cycle is printed), rather than abort()
    ctx_->fatalOnError(false);
    top_ = std::make_unique<Vpcm_ctrl_sva>(ctx_.get());
  }
  ~Harness() { top_->final(); }

  Ports p;  // what the next cycle drives

  // One clock: inputs change while the clock is low, sampled at the rising edge.
  // Once an assertion has fired the clock stops, so that only the first
  // failing cycle is reported, not what a broken sequence does next.
  bool cycle() {
    if (ctx_->gotError()) return false;
    top_->clk_i = 0;
    apply();
    top_->eval();
    ctx_->timeInc(5);
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(5);
    ++cycles_;
    return !ctx_->gotError();
  }
  bool fired() const { return ctx_->gotError(); }
  uint64_t cycles() const { return cycles_; }

  // Back to the idle bus and streams (reset, configuration kept).
  void idle() {
    Ports q;
    q.rst_n = p.rst_n;
    for (int k = 0; k < 4; ++k) q.cfg[k] = p.cfg[k];
    p = q;
  }

 private:
  void apply() {
    Vpcm_ctrl_sva& t = *top_;
    t.rst_ni = p.rst_n;
    t.psel_i = p.psel;
    t.penable_i = p.penable;
    t.pwrite_i = p.pwrite;
    t.paddr_i = p.paddr & 0xfffu;
    t.pwdata_i = p.pwdata;
    t.prdata_o = p.prdata;
    t.pready_o = p.pready;
    t.pslverr_o = p.pslverr;
    t.wr_valid_i = p.wr_valid;
    t.wr_ready_o = p.wr_ready;
    t.rq_valid_i = p.rq_valid;
    t.rq_ready_o = p.rq_ready;
    t.rd_valid_o = p.rd_valid;
    t.rd_ready_i = p.rd_ready;
    // rd_beat_o = {weight, last, err}, as the bind packs it
    t.rd_beat_o = (uint64_t{p.rd_weight} << 2) | (uint64_t{p.rd_last} << 1) | uint64_t{p.rd_err};
    t.rd_last_o = p.rd_last;
    t.cell_req_valid_o = p.req_valid;
    t.cell_req_ready_i = p.req_ready;
    t.cell_req_write_o = p.req_write;
    t.cell_rsp_valid_i = p.rsp_valid;
    t.cell_rsp_ready_o = p.rsp_ready;
    t.wr_busy_i = p.wr_busy;
    t.rd_busy_i = p.rd_busy;
    t.dec_valid_i = p.dec_valid;
    t.dec_ready_i = p.dec_ready;
    t.dec_data_i = p.dec_data;
    for (int k = 0; k < 4; ++k) t.cfg_i[k] = p.cfg[k];
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vpcm_ctrl_sva> top_;
  uint64_t cycles_ = 0;
};

// The scenario runs; `bad` is the assertion to break ("" in the legal run).
// Each starts and ends on an idle bus with nothing outstanding.
using Scenario = std::function<void(Harness&, const std::string& bad)>;

// One APB transfer: setup, `waits` access cycles without PREADY, then the
// completing access. The hooks let a scenario bend one phase.
struct Apb {
  bool write = false;
  uint32_t addr = 0, wdata = 0, rdata = 0;
  int waits = 0;
  bool err = false;
  std::function<void(Ports&)> on_setup, on_wait, on_access;
};

void apb(Harness& h, const Apb& t) {
  h.idle();
  h.p.psel = true;
  h.p.pwrite = t.write;
  h.p.paddr = t.addr;
  h.p.pwdata = t.write ? t.wdata : 0;
  if (t.on_setup) t.on_setup(h.p);
  h.cycle();
  for (int w = 0; w < t.waits; ++w) {
    h.p.penable = true;
    if (t.on_wait) t.on_wait(h.p);
    h.cycle();
  }
  h.p.penable = true;
  h.p.pready = true;
  h.p.pslverr = t.err;
  h.p.prdata = t.write ? 0 : t.rdata;
  if (t.on_access) t.on_access(h.p);
  h.cycle();
  h.idle();
  h.cycle();
}

Apb apb_read(uint32_t addr, uint32_t rdata) {
  Apb t;
  t.addr = addr;
  t.rdata = rdata;
  return t;
}

Apb apb_write(uint32_t addr, uint32_t wdata) {
  Apb t;
  t.write = true;
  t.addr = addr;
  t.wdata = wdata;
  return t;
}

// APB, the requester's and the completer's rules.
void scenario_apb(Harness& h, const std::string& bad) {
  // a write with a wait state: the access follows the setup, address held
  Apb w = apb_write(0x010, 0x1234);
  w.waits = 1;
  if (bad == "ApbAccessFollowsSetup_A")  // the bus goes idle instead of the access
    w.on_wait = [](Ports& q) { q.psel = false; q.penable = false; };
  if (bad == "ApbSetupStable_A") w.on_wait = [](Ports& q) { q.paddr = 0x014; };
  apb(h, w);
  // an error response: PSLVERR only together with PREADY
  Apb e = apb_write(0xffc, 1);
  e.waits = 1;
  e.err = true;
  if (bad == "ApbErrOnlyWithReady_A") e.on_wait = [](Ports& q) { q.pslverr = true; };
  apb(h, e);
  // read data only in a read access (also while it waits)
  Apb r = apb_read(0x000, 0x55aa);
  r.waits = 1;
  r.on_wait = [](Ports& q) { q.prdata = 0xdead; };
  if (bad == "ApbRdataOnlyInRead_A") r.on_setup = [](Ports& q) { q.prdata = 0xdead; };
  apb(h, r);
}

// Counters read over APB: rising, then lower only after CMD.CLEAR_COUNTERS.
void scenario_counters(Harness& h, const std::string& bad) {
  apb(h, apb_read(0x084, 9));
  apb(h, apb_read(0x084, 12));
  apb(h, apb_read(0x0bc, 7));  // another counter is tracked on its own
  Apb failed = apb_read(0x084, 1);
  failed.err = true;  // a failed read is no reading
  apb(h, failed);
  if (bad != "CountersNeverDecrease_A") apb(h, apb_write(0x008, 0x2));
  apb(h, apb_read(0x084, 3));
}

// The write path: a weight offered, taken, cells written; no read request
// taken meanwhile, configuration held while busy and changed once idle.
void scenario_write(Harness& h, const std::string& bad) {
  h.idle();
  h.p.wr_valid = true;  // offered, not yet taken
  if (bad == "RqNotReadyWhileWriting_A") h.p.rq_ready = true;
  h.cycle();
  h.p.wr_ready = true;  // taken
  h.cycle();
  h.idle();
  h.p.wr_busy = true;
  h.p.req_valid = true;
  h.p.req_write = true;
  h.cycle();
  h.p.req_ready = true;
  if (bad == "ConfigStableWhileBusy_A") h.p.cfg[3] ^= 0x1u;  // cfg_i[96], the top bit the bind packs (sp)
  h.cycle();
  h.idle();
  h.p.wr_busy = true;
  h.cycle();
  h.idle();
  h.cycle();
  // idle since the last clock: the configuration may change now
  h.p.cfg[0] ^= 0x0f0fu;
  h.p.cfg[3] ^= 0x1u;
  h.cycle();
  h.cycle();
}

// The read path: request, cell read and response, reader to decoder, read
// beats up to the last one.
void scenario_read(Harness& h, const std::string& bad) {
  h.idle();
  h.p.wr_ready = true;  // weights may be taken while not reading
  h.p.rq_valid = true;
  if (bad == "RdNoBeatWithoutRequest_A") {
    h.p.rd_valid = true;
    h.p.rd_ready = true;
  }
  h.cycle();
  h.p.wr_ready = false;
  h.p.rq_ready = true;  // the request is taken
  h.p.rd_busy = true;
  h.p.rd_valid = false;
  h.p.rd_ready = false;
  h.cycle();
  h.idle();
  h.p.rd_busy = true;
  h.p.req_valid = true;  // a cell read, taken at once
  h.p.req_ready = true;
  if (bad == "WrNotReadyWhileReading_A") h.p.wr_ready = true;
  if (bad == "CellRspOnlyWhenRequested_A") h.p.rsp_valid = true;  // before the read is taken
  h.cycle();
  h.idle();
  h.p.rd_busy = true;
  h.p.rsp_valid = true;  // answered, held a cycle
  h.cycle();
  h.p.rsp_ready = true;
  h.cycle();
  h.idle();
  h.p.rd_busy = true;
  const uint64_t dec = 0x0123456789abcdefull;
  h.p.dec_valid = true;  // reader to decoder, held a cycle
  h.p.dec_data = dec;
  h.cycle();
  if (bad == "DecInValidHeld_A") h.p.dec_valid = false;
  if (bad == "DecInDataStable_A") h.p.dec_data = dec ^ (1ull << 63);  // the port's top bit
  h.cycle();
  h.p.dec_valid = true;
  h.p.dec_ready = true;
  h.cycle();
  h.idle();
  h.p.rd_busy = true;
  h.p.rd_valid = true;  // a beat, held a cycle
  h.p.rd_weight = 0x3f800000u;
  h.cycle();
  if (bad == "RdValidHeld_A") h.p.rd_valid = false;
  if (bad == "RdDataStable_A") h.p.rd_weight ^= 0x80000000u;  // the top bit of rd_beat_o
  h.cycle();
  h.p.rd_valid = true;
  h.p.rd_ready = true;
  h.cycle();
  h.p.rd_weight = 0xbf800000u;  // the last beat closes the request
  h.p.rd_last = true;
  h.p.rd_err = true;
  h.cycle();
  h.idle();
  h.cycle();
}

// Reset: junk that breaks most rules, up to the last reset cycle, which
// disable iff must hide (also the |=> attempts started in reset).
void reset(Harness& h) {
  h.p.rst_n = false;
  h.p.pslverr = true;
  h.p.prdata = 0xffffffffu;
  h.p.psel = true;
  h.p.rd_valid = true;
  h.p.rsp_valid = true;
  h.p.dec_valid = true;
  h.p.wr_busy = true;
  h.p.rq_ready = true;
  h.p.wr_ready = true;
  h.p.rd_busy = true;
  h.cycle();
  h.p.cfg[1] = 0xa5a5a5a5u;  // changes while "busy"
  h.p.dec_data = 1;          // changes while "not taken"
  h.cycle();
  h.p.rst_n = true;
  h.idle();  // everything the junk started drops at once
  h.cycle();
}

struct Owned {
  const char* assertion;
  Scenario scenario;
};

const std::vector<Owned>& owners() {
  static const std::vector<Owned> table = {
      {"ApbAccessFollowsSetup_A", scenario_apb},
      {"ApbSetupStable_A", scenario_apb},
      {"ApbErrOnlyWithReady_A", scenario_apb},
      {"ApbRdataOnlyInRead_A", scenario_apb},
      {"CountersNeverDecrease_A", scenario_counters},
      {"RqNotReadyWhileWriting_A", scenario_write},
      {"ConfigStableWhileBusy_A", scenario_write},
      {"WrNotReadyWhileReading_A", scenario_read},
      {"RdValidHeld_A", scenario_read},
      {"RdDataStable_A", scenario_read},
      {"RdNoBeatWithoutRequest_A", scenario_read},
      {"DecInValidHeld_A", scenario_read},
      {"DecInDataStable_A", scenario_read},
      {"CellRspOnlyWhenRequested_A", scenario_read},
  };
  return table;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "pcm_ctrl_sva_check: %s\nusage: pcm_ctrl_sva_check [--violate NAME] [--list]\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string violate;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--violate" && i + 1 < argc) {
      violate = argv[++i];
    } else if (a == "--list") {
      for (const Owned& o : owners()) std::printf("%s\n", o.assertion);
      return 0;
    } else {
      usage("unknown argument '" + a + "'");
    }
  }
  const Owned* target = nullptr;
  for (const Owned& o : owners()) {
    if (violate == o.assertion) target = &o;
  }
  if (!violate.empty() && target == nullptr) usage("no scenario breaks '" + violate + "'");

  Harness h;
  reset(h);
  for (const Scenario& s : {Scenario(scenario_apb), Scenario(scenario_counters), Scenario(scenario_write),
                            Scenario(scenario_read)}) {
    s(h, "");
  }
  if (h.fired()) {
    std::printf("FAIL: an assertion fired in the legal sequence (by cycle %llu)\n",
                static_cast<unsigned long long>(h.cycles()));
    return 1;
  }
  const uint64_t legal = h.cycles();
  if (target == nullptr) {
    std::printf("PASS: legal sequence of %llu cycles, no assertion fired\n", static_cast<unsigned long long>(legal));
    return 0;
  }
  target->scenario(h, violate);
  for (int k = 0; k < 3; ++k) h.cycle();  // a |=> fires a clock after the deviation
  if (!h.fired()) {
    std::printf("FAIL: --violate %s: no assertion fired\n", violate.c_str());
    return 1;
  }
  std::printf("violation of %s after a legal sequence of %llu cycles: fired (see above)\n", violate.c_str(),
              static_cast<unsigned long long>(legal));
  return 1;
}
