// pcm_array_probe: the PCM array's side of the cell port, as ports of a
// Verilated model so that the rtl platform's FST waveform shows them beside
// pcm_ctrl's signals (VerilatedFstSc traces Verilated models only, not
// SystemC signals). Simulation only: no logic, built and driven only when the
// platform writes a trace (systemc/README.md, "Reading the waves").
module pcm_array_probe (
  input logic         clk_i,
  // state of the array in the cycle that starts at this edge
  input logic [63:0]  bank_busy_i,       // bit b: bank b busy (banks 0 .. 63)
  input logic [31:0]  busy_banks_i,      // banks busy, all of them counted
  input logic [31:0]  rsp_queue_i,       // reads accepted and not yet answered
  input logic         stall_i,           // a request waited in the cycle that ended (valid, not ready)
  input logic         rsp_offered_i,     // read data offered to the controller
  // the request accepted at this edge, as the array saw it
  input logic         accept_i,
  input logic         accept_write_i,
  input logic         accept_digital_i,
  input logic [31:0]  accept_addr_i,
  input logic [31:0]  accept_count_i,
  input logic [63:0]  accept_banks_i,    // bit b: the request occupies bank b
  input logic [31:0]  accept_busy_i,     // cycles the longest-held bank stays busy
  // per lane: the signed DAC code written, or the ADC code read from the cell
  input logic [127:0] accept_lanes_i,
  // running totals since the platform's statistics were last cleared
  input logic [63:0]  requests_i,
  input logic [63:0]  stall_cycles_i
);
  // Every input is there to be traced, none is read.
  logic unused;
  assign unused = ^{clk_i, bank_busy_i, busy_banks_i, rsp_queue_i, stall_i, rsp_offered_i, accept_i,
                    accept_write_i, accept_digital_i, accept_addr_i, accept_count_i, accept_banks_i,
                    accept_busy_i, accept_lanes_i, requests_i, stall_cycles_i};
endmodule
