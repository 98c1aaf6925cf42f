// Drift compensation with reference cells.
//
// Store: once a tensor's last weight has been placed (close_i) and the writer
// is idle, programs 2^REF_LOG2 reference cells at REF_BASE + j, one request
// each, through the verifier like any cell. Reference j holds LUT knot s_j:
// DAC code round(k[s_j] * 2^(dac_bits-1)), expected read-out t = -1 + s_j / 16;
// s_j cycles over the knots inside the usable range [lo, hi] (the knot at or
// below hi when none is inside).
// Load: once per read request, from the cycle the request is taken, reads the
// references back, one at a time (the cell port is this module's meanwhile:
// the reader's first cell read waits), and sets the offset to the mean of
// (read-out - expected) in Q3.20 t units; the decoder subtracts it from every
// weight's mean. The request is taken as without compensation (write path
// idle, no weight offered), so weights offered later wait for the read and
// the references are read exactly once per request, as the functional model
// does (controller_model.cpp, program_refs / read_drift_offset). Drift in a
// log-resistance cell is a shift of the read-out, so one offset undoes its
// mean over the levels the references sample.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_refs
#(
  parameter int NumLanes = 4,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int TFrac = pcm_ctrl_reg_pkg::TFrac,
  localparam int TWidth = pcm_ctrl_reg_pkg::TWidth,
  localparam int RangeFrac = pcm_ctrl_reg_pkg::RangeFrac,
  localparam int LutLog2 = pcm_ctrl_reg_pkg::LutLog2,
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int WordWidth = pcm_ctrl_pkg::WordWidth,
  localparam int KnotCount = pcm_ctrl_reg_pkg::LutEntries,
  localparam int SegShift = TFrac + 1 - LutLog2
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // configuration (stable while busy: the registers are locked)
  input  logic                          comp_en_i,
  input  logic [2:0]                    ref_log2_i,
  input  logic [AddrWidth-1:0]          ref_base_i,
  input  logic [15:0]                   range_lo_i,
  input  logic [15:0]                   range_hi_i,
  input  logic [4:0]                    dac_bits_i,
  input  logic [4:0]                    adc_bits_i,
  input  logic [KnotCount*TWidth-1:0]   lut_i,
  // store: one-cell write requests towards the verifier
  input  logic                          close_i,
  input  logic                          writer_idle_i,
  output logic                          wq_valid_o,
  input  logic                          wq_ready_i,
  output logic [AddrWidth-1:0]          wq_addr_o,
  output logic [NumLanes*WordWidth-1:0] wq_wdata_o,
  output logic [NumLanes*AdcWidth-1:0]  wq_target_o,
  output logic                          wr_busy_o,
  // load: the references of the request taken now, read before the reader's cells
  input  logic                          rq_taken_i,
  output logic                          cr_valid_o,
  input  logic                          cr_ready_i,
  output logic [AddrWidth-1:0]          cr_addr_o,
  input  logic                          rsp_valid_i,
  output logic                          rsp_ready_o,
  input  logic [AdcWidth-1:0]           rsp_code_i,    // lane 0 of the response: the ADC code
  output logic [TWidth-1:0]             offset_o,
  output logic                          ev_read_o,
  output logic                          rd_busy_o      // reading references: the cell port is this module's
);
  localparam int KnotIdxWidth = $clog2(KnotCount);
  localparam int KnotShift = RangeFrac + 1 - LutLog2;  // Q2.14 + 1 -> knot index
  localparam int XWidth = TWidth + 1;
  localparam int SumWidth = AdcWidth + 9;              // 64 errors of AdcWidth + 1 bits
  localparam int ShiftedWidth = SumWidth + TFrac;

  // ---------------------------------------------------------------- knots
  logic [KnotIdxWidth:0] s_first, s_last, s_lo_raw, s_hi_raw;
  logic [16:0]           u_lo, u_hi;

  always_comb begin
    u_lo = 17'($signed(range_lo_i)) + 17'd16384;
    u_hi = 17'($signed(range_hi_i)) + 17'd16384;
    s_lo_raw = (KnotIdxWidth + 1)'((u_lo + 17'((1 << KnotShift) - 1)) >> KnotShift);
    s_hi_raw = (KnotIdxWidth + 1)'(u_hi >> KnotShift);
    s_last = s_hi_raw;
    s_first = (s_lo_raw > s_hi_raw) ? s_hi_raw : s_lo_raw;
  end

  // round(v * 2^(bits-1)) of a Q.TFrac value, clamped to the bits-bit range (as
  // pcm_encoder.sv; module-local: see pcm_reader.sv on Icarus and package functions)
  function automatic logic signed [XWidth-1:0] code_of(input logic signed [XWidth-1:0] v,
                                                       input logic [4:0] bits);
    logic signed [XWidth-1:0] c, cmax, cmin;
    logic [4:0] sh;
    sh = 5'(TFrac + 1) - bits;
    c = (v + (XWidth'(1) <<< (sh - 5'd1))) >>> sh;
    cmax = (XWidth'(1) <<< (bits - 5'd1)) - XWidth'(1);
    cmin = -(XWidth'(1) <<< (bits - 5'd1));
    if (c > cmax) c = cmax;
    if (c < cmin) c = cmin;
    code_of = c;
  endfunction

  // expected read-out of knot s: t = -1 + s / 16, as an ADC code
  function automatic logic signed [XWidth-1:0] target_of(input logic [KnotIdxWidth:0] s,
                                                         input logic [4:0] bits);
    logic signed [XWidth-1:0] t;
    t = (XWidth'(s) <<< SegShift) - (XWidth'(1) <<< TFrac);
    target_of = code_of(t, bits);
  endfunction

  // ---------------------------------------------------------------- store
  typedef enum logic [1:0] {WIdle, WPend, WIssue} wstate_e;
  wstate_e               w_state_q;
  logic [6:0]            w_j_q;
  logic [KnotIdxWidth:0] w_s_q;
  logic [6:0]            last_j;
  logic signed [XWidth-1:0] w_knot, w_code;
  logic [AdcWidth-1:0]      w_tgt;

  assign last_j = 7'((7'd1 << ref_log2_i) - 7'd1);

  // load
  typedef enum logic [1:0] {RIdle, RIssue, RWait} rstate_e;
  rstate_e                    r_state_q;
  logic [6:0]                 r_j_q;
  logic [KnotIdxWidth:0]      r_s_q;
  logic signed [SumWidth-1:0] sum_q, sum_next;
  logic [TWidth-1:0]          offset_q;
  logic signed [ShiftedWidth-1:0] shifted, rounded, omax, omin;
  logic signed [XWidth-1:0]   r_adc, r_tgt;
  logic [4:0]                 up;

  always_comb begin
    w_knot = XWidth'($signed(lut_i[TWidth*w_s_q[KnotIdxWidth-1:0] +: TWidth]));
    w_code = code_of(w_knot, dac_bits_i);
    w_tgt = AdcWidth'(target_of(w_s_q, adc_bits_i));
    wq_valid_o = (w_state_q == WIssue);
    wq_addr_o = ref_base_i + AddrWidth'(w_j_q);
    wq_wdata_o = '0;
    wq_wdata_o[WordWidth-1:0] = WordWidth'(w_code);
    wq_target_o = '0;
    wq_target_o[AdcWidth-1:0] = w_tgt;

    // ------------------------------------------------------------ load
    // (one process with the store's: Icarus 11 loops when two always_comb
    // blocks call the same function)
    // a response's arithmetic, used only while one is awaited (the Verilated
    // model evaluates this block twice per cycle, references or not)
    r_adc = '0;
    r_tgt = '0;
    sum_next = sum_q;
    up = '0;
    shifted = '0;
    rounded = '0;
    omax = ShiftedWidth'((1 << (TWidth - 1)) - 1);
    omin = -(ShiftedWidth'(1 << (TWidth - 1)));  // parenthesized: Yosys 0.23 reads -W'(x) as (-W)'(x)
    ev_read_o = 1'b0;
    if (r_state_q != RIdle && r_state_q != RIssue) begin  // the always_ff's default arm
      ev_read_o = rsp_valid_i;
      r_adc = XWidth'($signed(rsp_code_i));
      r_tgt = target_of(r_s_q, adc_bits_i);
      sum_next = sum_q + SumWidth'(r_adc - r_tgt);
      // mean error in Q.TFrac: sum * 2^(TFrac + 1 - adc_bits) / 2^REF_LOG2, rounded half up
      up = 5'(TFrac + 1) - adc_bits_i;
      shifted = ShiftedWidth'(sum_next) <<< up;
      rounded = shifted;
      if (ref_log2_i != 3'd0) begin
        rounded = (shifted + (ShiftedWidth'(1) <<< (ref_log2_i - 3'd1))) >>> ref_log2_i;
      end
      if (rounded > omax) rounded = omax;
      if (rounded < omin) rounded = omin;
    end

    cr_valid_o = (r_state_q == RIssue);
    cr_addr_o = ref_base_i + AddrWidth'(r_j_q);
    rsp_ready_o = (r_state_q == RWait);
  end

  assign wr_busy_o = (w_state_q != WIdle);
  assign offset_o = comp_en_i ? offset_q : '0;
  assign rd_busy_o = (r_state_q != RIdle);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_state_q <= WIdle;
      w_j_q <= '0;
      w_s_q <= '0;
      r_state_q <= RIdle;
      r_j_q <= '0;
      r_s_q <= '0;
      sum_q <= '0;
      offset_q <= '0;
    end else begin
      // each register loads only under its own condition (copied through
      // next-state values, they cost the Verilated model at every edge,
      // references or not; docs/PERFORMANCE.md, "Idle stages")
      unique case (w_state_q)
        WIdle: if (close_i && comp_en_i) w_state_q <= WPend;
        WPend: begin
          if (writer_idle_i) begin
            w_state_q <= WIssue;
            w_j_q <= '0;
            w_s_q <= s_first;
          end
        end
        default: begin  // WIssue
          if (wq_ready_i) begin
            w_j_q <= w_j_q + 7'd1;
            w_s_q <= (w_s_q >= s_last) ? s_first : w_s_q + (KnotIdxWidth + 1)'(1);
            if (w_j_q == last_j) w_state_q <= WIdle;
          end
        end
      endcase
      unique case (r_state_q)
        RIdle: begin
          if (comp_en_i && rq_taken_i) begin
            r_state_q <= RIssue;
            r_j_q <= '0;
            r_s_q <= s_first;
            sum_q <= '0;
          end
        end
        RIssue: if (cr_ready_i) r_state_q <= RWait;
        default: begin  // RWait
          if (rsp_valid_i) begin
            sum_q <= sum_next;
            r_j_q <= r_j_q + 7'd1;
            r_s_q <= (r_s_q >= s_last) ? s_first : r_s_q + (KnotIdxWidth + 1)'(1);
            if (r_j_q == last_j) begin
              offset_q <= TWidth'(rounded);
              r_state_q <= RIdle;
            end else begin
              r_state_q <= RIssue;
            end
          end
        end
      endcase
    end
  end

  `PCM_ASSERT(RefsNoResponseUnlessWaiting, !rsp_valid_i || r_state_q == RWait, clk_i, rst_ni)
  `PCM_ASSERT(RefsOnePhaseAtATime, !(wr_busy_o && rd_busy_o), clk_i, rst_ni)
  // a request taken while the previous one's references are read would get none of its own
  `PCM_ASSERT(RefsOncePerRequest, !(rq_taken_i && rd_busy_o), clk_i, rst_ni)
endmodule : pcm_refs
