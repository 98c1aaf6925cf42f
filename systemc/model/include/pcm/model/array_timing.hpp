#pragma once

// Timing knobs and statistics of the timed PCM array (platform/pcm_array.hpp),
// plain data without SystemC so that host code (sw/) can set and read them
// even where the platform is not built. The defaults here are the only ones:
// `pcmsim run --banks/--write-latency/--read-latency` start from them.

#include <cstdint>
#include <string>
#include <vector>

namespace pcm::model {

// How the array behind the controller's cell port answers, in clock cycles.
//
// Cells are grouped into rows of `lanes` consecutive addresses; row g lives in
// bank g % banks (analog and digital addresses alike: one bank function for
// both spaces). A request of 1..4 cells touches one or more rows; it is
// accepted only when every bank it touches is free, and each touched bank is
// then busy for `write_latency` (`read_latency`) cycles per row of the request
// it holds. While a request waits on a busy bank, or a read finds the response
// queue full, `cell_req_ready` is low (backpressure). Read data comes back in
// request order, `read_latency` cycles (times the rows a bank had to serve)
// after the request, and waits for `cell_rsp_ready`.
struct ArrayTiming {
  uint32_t banks = 4;           // 1 .. 65536
  uint32_t lanes = 4;           // cells per bank access (a row), 1 .. 65536
  uint32_t write_latency = 4;   // cycles a bank is busy per row written, 1 .. 65536
  uint32_t read_latency = 2;    // cycles from a read request to its data, 1 .. 65536
  uint32_t rsp_queue_depth = 4; // reads accepted and not yet answered, 1 .. 65536

  // The one bank function of both spaces (above): the row of an address, and
  // the bank of a row. The array and the host's layout (sw ModelLayout) use it.
  uint64_t row_of(uint64_t addr) const { return addr / lanes; }
  uint32_t bank_of_row(uint64_t row) const { return static_cast<uint32_t>(row % banks); }

  // Throws std::invalid_argument naming the first field out of range.
  void validate() const;
  // "banks 4, lanes 4, write 1, read 2, queue 4"
  std::string to_string() const;
};

struct ArrayStats {
  uint64_t cycles = 0;            // clock cycles the array saw
  uint64_t requests = 0;          // cell requests accepted
  uint64_t write_requests = 0;
  uint64_t read_requests = 0;
  uint64_t analog_cells_written = 0;
  uint64_t analog_cells_read = 0;
  uint64_t digital_words_written = 0;
  uint64_t digital_words_read = 0;
  uint64_t stall_cycles = 0;      // cell_req_valid high and cell_req_ready low
  uint64_t rsp_wait_cycles = 0;   // read data offered and not taken (controller backpressure)
  std::vector<uint64_t> bank_busy_cycles;  // one entry per bank

  // Busy cycles of a bank over all cycles, in [0, 1]; 0 before any cycle.
  double bank_utilisation(std::size_t bank) const;
  // Mean over the banks.
  double mean_bank_utilisation() const;
};

}  // namespace pcm::model
