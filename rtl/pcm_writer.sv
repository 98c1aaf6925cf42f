// Cell allocation on the write path.
//
// Takes encoded weights from pcm_encoder and turns them into cell-port write
// requests: each weight's DAC code goes to r consecutive analog cells, its
// metadata record (when a strategy needs one) to the metadata region at
// META_BASE + index, and, when cell counts vary (AR or SENS), the analog
// offset of every block's first weight to the directory at DIR_BASE + block.
// Two packers combine consecutive analog cells and consecutive metadata
// records into requests of up to NumLanes lanes, so one weight per clock
// needs less than one request per clock. wr_last flushes partial packers.
// Every analog lane carries its verify target beside its DAC code
// (req_target_o, for pcm_verifier).
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_writer
#(
  parameter int NumLanes = 4,
  parameter int DacWidth = 16,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int MetaWidth = pcm_ctrl_reg_pkg::MetaWidth,
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int WordWidth = pcm_ctrl_pkg::WordWidth,
  localparam int LaneCntWidth = $clog2(NumLanes + 1)
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // configuration
  input  logic                          meta_en_i,
  input  logic                          dir_en_i,
  input  logic [3:0]                    block_log2_i,
  input  logic [AddrWidth-1:0]          analog_base_i,
  input  logic [AddrWidth-1:0]          meta_base_i,
  input  logic [AddrWidth-1:0]          dir_base_i,
  input  logic [31:0]                   index_i,      // NUM_WEIGHTS
  input  logic [31:0]                   cell_ptr_i,   // NEXT_CELL
  // encoded weights in
  input  logic                          in_valid_i,
  output logic                          in_ready_o,
  input  logic [DacWidth-1:0]           in_code_i,
  input  logic [AdcWidth-1:0]           in_target_i,
  input  logic [CellCntWidth-1:0]       in_cells_i,
  input  logic [MetaWidth-1:0]          in_meta_i,
  input  logic                          in_nan_i,
  input  logic                          in_sat_i,
  input  logic                          in_last_i,
  // cell port requests (writes only)
  output logic                          req_valid_o,
  input  logic                          req_ready_i,
  output logic                          req_digital_o,
  output logic [AddrWidth-1:0]          req_addr_o,
  output logic [LaneCntWidth-1:0]       req_count_o,
  output logic [NumLanes*WordWidth-1:0] req_wdata_o,
  output logic [NumLanes*AdcWidth-1:0]  req_target_o,   // analog requests: each lane's verify target
  // events for the counters
  output logic                          ev_stored_o,      // a weight took its index
  output logic [CellCntWidth-1:0]       ev_cells_o,       // analog cells allocated this cycle
  output logic                          ev_sat_o,
  output logic                          ev_nan_o,
  output logic [LaneCntWidth-1:0]       ev_meta_o,        // metadata records issued
  output logic                          ev_dir_o,         // directory entry issued
  output logic                          busy_o
);
  localparam int LaneIdxWidth = LaneCntWidth;

  // ------------------------------------------------------------ the weight being expanded
  logic                    x_valid_q;
  logic                    x_first_q;    // first chunk still to go
  logic                    x_flush_q;    // a refused last weight: flush only
  logic                    x_last_q;
  logic [DacWidth-1:0]     x_code_q;
  logic [AdcWidth-1:0]     x_tgt_q;
  logic [CellCntWidth-1:0] x_rem_q;
  logic [MetaWidth-1:0]    x_meta_q;

  // ------------------------------------------------------------ packers
  logic [LaneCntWidth-1:0] apk_count_q;
  logic [31:0]             apk_start_q;  // cell offset of lane 0
  logic [DacWidth-1:0]     apk_lane_q [NumLanes];
  logic [AdcWidth-1:0]     apk_tgt_q [NumLanes];
  logic [LaneCntWidth-1:0] mpk_count_q;
  logic [31:0]             mpk_start_q;  // weight index of lane 0
  logic [MetaWidth-1:0]    mpk_lane_q [NumLanes];

  // ------------------------------------------------------------ output registers
  logic                          aout_valid_q;
  logic [AddrWidth-1:0]          aout_addr_q;
  logic [LaneCntWidth-1:0]       aout_count_q;
  logic [NumLanes*WordWidth-1:0] aout_data_q;
  logic [NumLanes*AdcWidth-1:0]  aout_tgt_q;
  logic                          mout_valid_q;
  logic [AddrWidth-1:0]          mout_addr_q;
  logic [LaneCntWidth-1:0]       mout_count_q;
  logic [NumLanes*WordWidth-1:0] mout_data_q;
  logic                          dout_valid_q;
  logic [AddrWidth-1:0]          dout_addr_q;
  logic [31:0]                   dout_data_q;

  logic grant_d, grant_m, grant_a;
  logic aout_ok, mout_ok, dout_ok;
  logic sel_d, sel_m;                    // this cycle's choice (analog otherwise)
  logic held_q, held_d;                  // a request was offered and not taken
  logic held_d_q, held_m_q;              // which one

  // Arbiter: directory, then metadata, then analog; a request once offered is
  // offered unchanged until taken (valid/ready rule).
  always_comb begin
    if (held_q) begin
      sel_d = held_d_q;
      sel_m = held_m_q;
    end else begin
      sel_d = dout_valid_q;
      sel_m = !dout_valid_q && mout_valid_q;
    end
    req_valid_o = dout_valid_q || mout_valid_q || aout_valid_q;
    grant_d = sel_d && req_ready_i;
    grant_m = sel_m && req_ready_i;
    grant_a = !sel_d && !sel_m && aout_valid_q && req_ready_i;
    held_d = req_valid_o && !req_ready_i;
    req_digital_o = sel_d || sel_m;
    // each output assigned once per evaluation (Icarus 11 loops on glitches)
    if (sel_d) begin
      req_addr_o = dout_addr_q;
      req_count_o = LaneCntWidth'(1);
      req_wdata_o = {{(NumLanes - 1) * WordWidth{1'b0}}, dout_data_q};
      req_target_o = '0;
    end else if (sel_m) begin
      req_addr_o = mout_addr_q;
      req_count_o = mout_count_q;
      req_wdata_o = mout_data_q;
      req_target_o = '0;
    end else begin
      req_addr_o = aout_addr_q;
      req_count_o = aout_count_q;
      req_wdata_o = aout_data_q;
      req_target_o = aout_tgt_q;
    end
  end

  assign aout_ok = !aout_valid_q || grant_a;
  assign mout_ok = !mout_valid_q || grant_m;
  assign dout_ok = !dout_valid_q || grant_d;

  logic [CellCntWidth-1:0] n_cells, free_lanes;
  logic                    last_chunk, a_emit, m_add, m_emit, d_emit, fire;
  logic [LaneCntWidth-1:0] a_new_count, m_new_count;
  logic [NumLanes-1:0]     a_lane_new, m_lane_new;  // packer lanes the chunk fills
  logic [31:0]             a_start, m_start;
  logic [31:0]             block_mask;
  logic                    ready, take, load_weight;

  // The chunk of the weight held is worked out only while one is held (fire
  // needs x_valid_q), and each register loads only under its own condition:
  // the Verilated model evaluates this block twice per cycle and copied every
  // register through a next-state value at every edge, weights or not
  // (docs/PERFORMANCE.md, "Idle stages").
  always_comb begin
    free_lanes = '0;
    n_cells = '0;
    last_chunk = 1'b0;
    a_new_count = '0;
    a_emit = 1'b0;
    m_add = 1'b0;
    m_new_count = '0;
    m_emit = 1'b0;
    block_mask = '0;
    d_emit = 1'b0;
    fire = 1'b0;
    a_start = '0;
    m_start = '0;
    a_lane_new = '0;
    m_lane_new = '0;
    if (x_valid_q) begin
      free_lanes = CellCntWidth'(NumLanes) - CellCntWidth'(apk_count_q);
      n_cells = x_flush_q ? '0 : ((x_rem_q < free_lanes) ? x_rem_q : free_lanes);
      last_chunk = (n_cells == x_rem_q);
      a_new_count = apk_count_q + LaneCntWidth'(n_cells);
      a_emit = (a_new_count == LaneCntWidth'(NumLanes))
            || (x_last_q && last_chunk && a_new_count != '0);
      m_add = x_first_q && meta_en_i && !x_flush_q;
      m_new_count = mpk_count_q + LaneCntWidth'(m_add);
      m_emit = x_first_q && ((m_new_count == LaneCntWidth'(NumLanes))
                             || (x_last_q && m_new_count != '0));
      block_mask = (32'd1 << block_log2_i) - 32'd1;
      d_emit = x_first_q && dir_en_i && !x_flush_q && ((index_i & block_mask) == '0);
      fire = (!a_emit || aout_ok) && (!m_emit || mout_ok) && (!d_emit || dout_ok);
      a_start = (apk_count_q == '0) ? cell_ptr_i : apk_start_q;
      m_start = (mpk_count_q == '0) ? index_i : mpk_start_q;
      for (int l = 0; l < NumLanes; l++) begin
        a_lane_new[l] = LaneIdxWidth'(l) >= apk_count_q && LaneIdxWidth'(l) < a_new_count;
        m_lane_new[l] = m_add && LaneIdxWidth'(l) == mpk_count_q;
      end
    end

    ev_stored_o = 1'b0;
    ev_cells_o = '0;
    ev_dir_o = 1'b0;
    if (fire) begin
      ev_cells_o = n_cells;
      ev_stored_o = x_first_q && !x_flush_q;
      ev_dir_o = d_emit;
    end

    // Refused (NaN/inf) weights are dropped; a refused last weight still flushes.
    ready = !x_valid_q || (fire && last_chunk);
    take = in_valid_i && ready;
    load_weight = take && (!in_nan_i || in_last_i);
    ev_sat_o = take && !in_nan_i && in_sat_i;
    ev_nan_o = take && in_nan_i;
  end

  assign in_ready_o = ready;
  assign ev_meta_o = grant_m ? mout_count_q : '0;
  assign busy_o = x_valid_q || (apk_count_q != '0) || (mpk_count_q != '0)
               || aout_valid_q || mout_valid_q || dout_valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_valid_q <= 1'b0;
      x_first_q <= 1'b0;
      x_flush_q <= 1'b0;
      x_last_q <= 1'b0;
      x_code_q <= '0;
      x_tgt_q <= '0;
      x_rem_q <= '0;
      x_meta_q <= '0;
      apk_count_q <= '0;
      apk_start_q <= '0;
      mpk_count_q <= '0;
      mpk_start_q <= '0;
      for (int l = 0; l < NumLanes; l++) begin
        apk_lane_q[l] <= '0;
        apk_tgt_q[l] <= '0;
        mpk_lane_q[l] <= '0;
      end
      aout_valid_q <= 1'b0;
      aout_addr_q <= '0;
      aout_count_q <= '0;
      aout_data_q <= '0;
      aout_tgt_q <= '0;
      mout_valid_q <= 1'b0;
      mout_addr_q <= '0;
      mout_count_q <= '0;
      mout_data_q <= '0;
      dout_valid_q <= 1'b0;
      dout_addr_q <= '0;
      dout_data_q <= '0;
      held_q <= 1'b0;
      held_d_q <= 1'b0;
      held_m_q <= 1'b0;
    end else begin
      held_q <= held_d;
      held_d_q <= sel_d;
      held_m_q <= sel_m;
      aout_valid_q <= (fire && a_emit) || (aout_valid_q && !grant_a);
      mout_valid_q <= (fire && m_emit) || (mout_valid_q && !grant_m);
      dout_valid_q <= (fire && d_emit) || (dout_valid_q && !grant_d);
      if (fire) begin
        for (int l = 0; l < NumLanes; l++) begin
          if (a_lane_new[l]) begin
            apk_lane_q[l] <= x_code_q;
            apk_tgt_q[l] <= x_tgt_q;
          end
          if (m_lane_new[l]) mpk_lane_q[l] <= x_meta_q;
        end
        apk_start_q <= a_start;
        if (a_emit) begin
          aout_addr_q <= analog_base_i + a_start;
          aout_count_q <= a_new_count;
          for (int l = 0; l < NumLanes; l++) begin
            aout_data_q[l*WordWidth +: WordWidth] <= WordWidth'($signed(a_lane_new[l] ? x_code_q : apk_lane_q[l]));
            aout_tgt_q[l*AdcWidth +: AdcWidth] <= a_lane_new[l] ? x_tgt_q : apk_tgt_q[l];
          end
          apk_count_q <= '0;
        end else begin
          apk_count_q <= a_new_count;
        end
        mpk_start_q <= m_start;
        if (m_emit) begin
          mout_addr_q <= meta_base_i + m_start;
          mout_count_q <= m_new_count;
          for (int l = 0; l < NumLanes; l++) begin
            mout_data_q[l*WordWidth +: WordWidth] <= m_lane_new[l] ? WordWidth'(x_meta_q) : WordWidth'(mpk_lane_q[l]);
          end
          mpk_count_q <= '0;
        end else begin
          mpk_count_q <= m_new_count;
        end
        if (d_emit) begin
          dout_addr_q <= dir_base_i + (index_i >> block_log2_i);
          dout_data_q <= cell_ptr_i;
        end
        x_rem_q <= x_rem_q - n_cells;
        x_first_q <= 1'b0;
        if (last_chunk) x_valid_q <= 1'b0;
      end
      // (after the chunk's updates: a weight taken as the last chunk leaves wins)
      if (load_weight) begin
        x_valid_q <= 1'b1;
        x_first_q <= 1'b1;
        x_flush_q <= in_nan_i;
        x_last_q <= in_last_i;
        x_code_q <= in_code_i;
        x_tgt_q <= in_target_i;
        x_rem_q <= in_nan_i ? '0 : in_cells_i;  // a flush token places no cells
        x_meta_q <= in_meta_i;
      end
    end
  end

  `PCM_ASSERT(WriterOneGrant, $onehot0({grant_d, grant_m, grant_a}), clk_i, rst_ni)
  `PCM_ASSERT(WriterPackerBound, apk_count_q < LaneCntWidth'(NumLanes), clk_i, rst_ni)
endmodule : pcm_writer
