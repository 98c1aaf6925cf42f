// Program-and-verify on the write path.
//
// Sits between pcm_writer and the cell port. With PV_PULSES = 1 it passes the
// writer's requests through unchanged. Otherwise, once an analog write of up
// to NumLanes cells has been accepted by the array, it takes the port: it
// reads the cells back (one verify read for the whole request), compares each
// lane's ADC code with that lane's target (t at the ADC's resolution, from
// the encoder), and re-programs every cell outside PV_TOL with a corrected
// DAC code, code + round(gain * error * 2^(dac_bits - adc_bits)), one cell at
// a time: program, verify read, compare, until the cell is within tolerance
// or has had PV_PULSES pulses (then it counts in PV_FAILED). The writer's
// next request waits (ready low) meanwhile. The functional model mirrors this
// per cell (controller_model.cpp, program_cell); the order of cells does not
// matter because every draw is keyed by the cell and its access counts.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_verifier
#(
  parameter int NumLanes = 4,
  parameter int DacWidth = 16,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int WordWidth = pcm_ctrl_pkg::WordWidth,
  localparam int LaneCntWidth = $clog2(NumLanes + 1)
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // configuration (stable while busy: the registers are locked)
  input  logic [5:0]                    pv_pulses_i,
  input  logic [15:0]                   pv_tol_i,
  input  logic [10:0]                   pv_gain_i,
  input  logic [4:0]                    dac_bits_i,
  input  logic [4:0]                    adc_bits_i,
  // requests from the writer (writes only)
  input  logic                          up_valid_i,
  output logic                          up_ready_o,
  input  logic                          up_digital_i,
  input  logic [AddrWidth-1:0]          up_addr_i,
  input  logic [LaneCntWidth-1:0]       up_count_i,
  input  logic [NumLanes*WordWidth-1:0] up_wdata_i,
  input  logic [NumLanes*AdcWidth-1:0]  up_target_i,
  // towards the cell port
  output logic                          dn_valid_o,
  input  logic                          dn_ready_i,
  output logic                          dn_write_o,
  output logic                          dn_digital_o,
  output logic [AddrWidth-1:0]          dn_addr_o,
  output logic [LaneCntWidth-1:0]       dn_count_o,
  output logic [NumLanes*WordWidth-1:0] dn_wdata_o,
  input  logic                          rsp_valid_i,
  output logic                          rsp_ready_o,
  input  logic [NumLanes*WordWidth-1:0] rsp_rdata_i,
  // events for the counters
  output logic [LaneCntWidth-1:0]       ev_pulses_o,   // analog cells programmed this cycle
  output logic [LaneCntWidth-1:0]       ev_vreads_o,   // cells verified this cycle
  output logic [LaneCntWidth-1:0]       ev_fail_o,     // cells that ran out of pulses this cycle
  output logic                          busy_o
);
  localparam int LaneIdxWidth = (NumLanes > 1) ? $clog2(NumLanes) : 1;
  localparam int ErrWidth = AdcWidth + 1;
  localparam int WideWidth = ErrWidth + 12 + 8 + 4;  // error * gain, 8 guard bits, headroom
  localparam int PreShift = 8;                        // codec.hpp kVerifyPreShift
  localparam int GainFrac = 8;                        // codec.hpp kGainFrac

  typedef enum logic [2:0] {
    StIdle, StGroupRead, StGroupWait, StProgram, StRead, StWait
  } state_e;

  state_e                  state_q;
  logic [AddrWidth-1:0]    addr_q;
  logic [LaneCntWidth-1:0] count_q;
  logic [LaneIdxWidth-1:0] lane_q;
  logic [NumLanes-1:0]     pend_q;
  logic [DacWidth-1:0]     code_q [NumLanes];
  logic [AdcWidth-1:0]     tgt_q [NumLanes];
  logic [5:0]              pulses_q [NumLanes];

  // The corrected DAC code of lane l after a verify read that gave `adc`.
  function automatic logic [DacWidth-1:0] corrected(
      input logic [DacWidth-1:0] code, input logic signed [ErrWidth-1:0] err,
      input logic [10:0] gain, input logic [4:0] dac_bits, input logic [4:0] adc_bits);
    logic signed [WideWidth-1:0] wide, delta, sum, cmax, cmin;
    logic [5:0] shift;
    wide = (WideWidth'($signed(err)) * $signed({{(WideWidth - 11){1'b0}}, gain})) <<< PreShift;
    shift = 6'(GainFrac + PreShift) + 6'(adc_bits) - 6'(dac_bits);
    delta = (wide + (WideWidth'(1) <<< (shift - 6'd1))) >>> shift;
    sum = WideWidth'($signed(code)) + delta;
    cmax = (WideWidth'(1) <<< (dac_bits - 5'd1)) - WideWidth'(1);
    cmin = -(WideWidth'(1) <<< (dac_bits - 5'd1));
    if (sum > cmax) sum = cmax;
    if (sum < cmin) sum = cmin;
    corrected = DacWidth'(sum);
  endfunction

  logic                          verify_en, take_up, dn_fire, rsp_fire;
  logic signed [ErrWidth-1:0]    err [NumLanes];
  logic [ErrWidth-1:0]           err_mag [NumLanes];
  logic [NumLanes-1:0]           lane_read, lane_ok, lane_fail, lane_retry, pend_next;
  logic [LaneIdxWidth-1:0]       first_pend;
  logic                          any_pend;
  logic [NumLanes*WordWidth-1:0] prog_wdata;

  assign verify_en = pv_pulses_i > 6'd1;

  // The cell port: the writer's request when idle, else the verify sequence.
  // Continuous assignments: each output takes one value per evaluation
  // (Icarus 11 loops on glitches that feed back through the upstream mux).
  logic st_idle, st_group_read, st_read, st_program, st_wait;
  assign st_idle = (state_q == StIdle);
  assign st_group_read = (state_q == StGroupRead);
  assign st_read = (state_q == StRead);
  assign st_program = (state_q == StProgram);
  assign st_wait = (state_q == StGroupWait) || (state_q == StWait);
  assign prog_wdata = {{(NumLanes - 1) * WordWidth{1'b0}}, WordWidth'($signed(code_q[lane_q]))};
  assign dn_valid_o = st_idle ? up_valid_i : (st_group_read || st_read || st_program);
  assign dn_write_o = st_idle || st_program;
  assign dn_digital_o = st_idle && up_digital_i;
  assign dn_addr_o = st_idle ? up_addr_i : (st_group_read ? addr_q : addr_q + AddrWidth'(lane_q));
  assign dn_count_o = st_idle ? up_count_i : (st_group_read ? count_q : LaneCntWidth'(1));
  assign dn_wdata_o = st_idle ? up_wdata_i : (st_program ? prog_wdata : '0);
  assign up_ready_o = st_idle && dn_ready_i;
  assign rsp_ready_o = st_wait;

  assign dn_fire = dn_valid_o && dn_ready_i;
  assign rsp_fire = rsp_valid_i && rsp_ready_o;
  assign take_up = (state_q == StIdle) && dn_fire && !up_digital_i && verify_en;

  // What a response does to the lanes; used only while one is awaited, so
  // only then worked out (the Verilated model evaluates this block twice
  // per cycle, verify or not).
  always_comb begin
    lane_read = '0;
    lane_ok = '0;
    lane_fail = '0;
    lane_retry = '0;
    pend_next = pend_q;
    any_pend = 1'b0;
    first_pend = '0;
    for (int l = 0; l < NumLanes; l++) begin
      // the cell of lane l is in response lane l (group) or lane 0 (one cell)
      if (state_q == StWait) begin
        err[l] = ErrWidth'($signed(tgt_q[l])) -
                 ErrWidth'($signed(rsp_rdata_i[AdcWidth-1:0]));
      end else begin
        err[l] = ErrWidth'($signed(tgt_q[l])) -
                 ErrWidth'($signed(rsp_rdata_i[l*WordWidth +: AdcWidth]));
      end
      err_mag[l] = '0;
    end
    if (st_wait) begin
      // lanes a response carries: the group's cells, or the one cell at lane 0
      for (int l = 0; l < NumLanes; l++) begin
        if (state_q == StGroupWait) lane_read[l] = LaneCntWidth'(l) < count_q && pend_q[l];
        else if (state_q == StWait) lane_read[l] = LaneIdxWidth'(l) == lane_q;
      end
      for (int l = 0; l < NumLanes; l++) begin
        err_mag[l] = err[l][ErrWidth-1] ? ErrWidth'(-err[l]) : ErrWidth'(err[l]);
        lane_ok[l] = err_mag[l] <= ErrWidth'(pv_tol_i);
        lane_fail[l] = lane_read[l] && !lane_ok[l] && pulses_q[l] >= pv_pulses_i;
        lane_retry[l] = lane_read[l] && !lane_ok[l] && pulses_q[l] < pv_pulses_i;
      end
      // cells still to re-program once this response is taken
      pend_next = (pend_q & ~lane_read) | lane_retry;
      for (int l = NumLanes - 1; l >= 0; l--) begin
        if (pend_next[l]) begin
          any_pend = 1'b1;
          first_pend = LaneIdxWidth'(l);
        end
      end
    end
  end

  // The counters' events of a response; the registers load in the always_ff
  // below, each only under its own condition (copied through next-state
  // values, every lane's code, target and pulse count cost the Verilated
  // model at every edge, verify or not; docs/PERFORMANCE.md, "Idle stages").
  always_comb begin
    ev_vreads_o = '0;
    ev_fail_o = '0;
    if (rsp_fire) begin  // only in StGroupWait and StWait (rsp_ready_o)
      for (int l = 0; l < NumLanes; l++) begin
        if (lane_read[l]) ev_vreads_o = ev_vreads_o + LaneCntWidth'(1);
        if (lane_fail[l]) ev_fail_o = ev_fail_o + LaneCntWidth'(1);
      end
    end
  end

  assign ev_pulses_o = (dn_fire && dn_write_o && !dn_digital_o) ? dn_count_o : '0;
  assign busy_o = state_q != StIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      addr_q <= '0;
      count_q <= '0;
      lane_q <= '0;
      pend_q <= '0;
      for (int l = 0; l < NumLanes; l++) begin
        code_q[l] <= '0;
        tgt_q[l] <= '0;
        pulses_q[l] <= '0;
      end
    end else begin
      unique case (state_q)
        StIdle: begin
          if (take_up) begin
            addr_q <= up_addr_i;
            count_q <= up_count_i;
            for (int l = 0; l < NumLanes; l++) begin
              code_q[l] <= up_wdata_i[l*WordWidth +: DacWidth];
              tgt_q[l] <= up_target_i[l*AdcWidth +: AdcWidth];
              pulses_q[l] <= 6'd1;
              pend_q[l] <= LaneCntWidth'(l) < up_count_i;
            end
            state_q <= StGroupRead;
          end
        end
        StGroupRead: if (dn_fire) state_q <= StGroupWait;
        StProgram: begin
          if (dn_fire) begin
            pulses_q[lane_q] <= pulses_q[lane_q] + 6'd1;
            state_q <= StRead;
          end
        end
        StRead: if (dn_fire) state_q <= StWait;
        default: begin  // StGroupWait, StWait
          if (rsp_fire) begin
            for (int l = 0; l < NumLanes; l++) begin
              if (lane_retry[l]) code_q[l] <= corrected(code_q[l], err[l], pv_gain_i, dac_bits_i, adc_bits_i);
            end
            pend_q <= pend_next;
            lane_q <= first_pend;
            if (any_pend) state_q <= StProgram;
            else state_q <= StIdle;
          end
        end
      endcase
    end
  end

  `PCM_ASSERT(VerifierPendingOnlyWhileBusy, busy_o || pend_q == '0, clk_i, rst_ni)
  `PCM_ASSERT(VerifierNoResponseWhenIdle, !(state_q == StIdle && rsp_valid_i), clk_i, rst_ni)
endmodule : pcm_verifier
