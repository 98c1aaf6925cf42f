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
  logic                    x_valid_q, x_valid_d;
  logic                    x_first_q, x_first_d;    // first chunk still to go
  logic                    x_flush_q, x_flush_d;    // a refused last weight: flush only
  logic                    x_last_q, x_last_d;
  logic [DacWidth-1:0]     x_code_q, x_code_d;
  logic [AdcWidth-1:0]     x_tgt_q, x_tgt_d;
  logic [CellCntWidth-1:0] x_rem_q, x_rem_d;
  logic [MetaWidth-1:0]    x_meta_q, x_meta_d;

  // ------------------------------------------------------------ packers
  logic [LaneCntWidth-1:0] apk_count_q, apk_count_d;
  logic [31:0]             apk_start_q, apk_start_d;  // cell offset of lane 0
  logic [DacWidth-1:0]     apk_lane_q [NumLanes];
  logic [DacWidth-1:0]     apk_lane_d [NumLanes];
  logic [AdcWidth-1:0]     apk_tgt_q [NumLanes];
  logic [AdcWidth-1:0]     apk_tgt_d [NumLanes];
  logic [LaneCntWidth-1:0] mpk_count_q, mpk_count_d;
  logic [31:0]             mpk_start_q, mpk_start_d;  // weight index of lane 0
  logic [MetaWidth-1:0]    mpk_lane_q [NumLanes];
  logic [MetaWidth-1:0]    mpk_lane_d [NumLanes];

  // ------------------------------------------------------------ output registers
  logic                          aout_valid_q, aout_valid_d;
  logic [AddrWidth-1:0]          aout_addr_q, aout_addr_d;
  logic [LaneCntWidth-1:0]       aout_count_q, aout_count_d;
  logic [NumLanes*WordWidth-1:0] aout_data_q, aout_data_d;
  logic [NumLanes*AdcWidth-1:0]  aout_tgt_q, aout_tgt_d;
  logic                          mout_valid_q, mout_valid_d;
  logic [AddrWidth-1:0]          mout_addr_q, mout_addr_d;
  logic [LaneCntWidth-1:0]       mout_count_q, mout_count_d;
  logic [NumLanes*WordWidth-1:0] mout_data_q, mout_data_d;
  logic                          dout_valid_q, dout_valid_d;
  logic [AddrWidth-1:0]          dout_addr_q, dout_addr_d;
  logic [31:0]                   dout_data_q, dout_data_d;

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
  logic [31:0]             a_start, m_start;
  logic [31:0]             block_mask;
  logic                    ready, take, load_weight;

  always_comb begin
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
    fire = x_valid_q && (!a_emit || aout_ok) && (!m_emit || mout_ok) && (!d_emit || dout_ok);
    a_start = (apk_count_q == '0) ? cell_ptr_i : apk_start_q;
    m_start = (mpk_count_q == '0) ? index_i : mpk_start_q;

    x_valid_d = x_valid_q;
    x_first_d = x_first_q;
    x_flush_d = x_flush_q;
    x_last_d = x_last_q;
    x_code_d = x_code_q;
    x_tgt_d = x_tgt_q;
    x_rem_d = x_rem_q;
    x_meta_d = x_meta_q;
    apk_count_d = apk_count_q;
    apk_start_d = apk_start_q;
    for (int l = 0; l < NumLanes; l++) apk_lane_d[l] = apk_lane_q[l];
    for (int l = 0; l < NumLanes; l++) apk_tgt_d[l] = apk_tgt_q[l];
    mpk_count_d = mpk_count_q;
    mpk_start_d = mpk_start_q;
    for (int l = 0; l < NumLanes; l++) mpk_lane_d[l] = mpk_lane_q[l];
    aout_valid_d = aout_valid_q && !grant_a;
    aout_addr_d = aout_addr_q;
    aout_count_d = aout_count_q;
    aout_data_d = aout_data_q;
    aout_tgt_d = aout_tgt_q;
    mout_valid_d = mout_valid_q && !grant_m;
    mout_addr_d = mout_addr_q;
    mout_count_d = mout_count_q;
    mout_data_d = mout_data_q;
    dout_valid_d = dout_valid_q && !grant_d;
    dout_addr_d = dout_addr_q;
    dout_data_d = dout_data_q;
    ev_stored_o = 1'b0;
    ev_cells_o = '0;
    ev_dir_o = 1'b0;

    if (fire) begin
      ev_cells_o = n_cells;
      ev_stored_o = x_first_q && !x_flush_q;
      for (int l = 0; l < NumLanes; l++) begin
        if (LaneIdxWidth'(l) >= apk_count_q && LaneIdxWidth'(l) < a_new_count) begin
          apk_lane_d[l] = x_code_q;
          apk_tgt_d[l] = x_tgt_q;
        end
      end
      apk_start_d = a_start;
      if (a_emit) begin
        aout_valid_d = 1'b1;
        aout_addr_d = analog_base_i + a_start;
        aout_count_d = a_new_count;
        for (int l = 0; l < NumLanes; l++) begin
          aout_data_d[l*WordWidth +: WordWidth] = WordWidth'($signed(apk_lane_d[l]));
          aout_tgt_d[l*AdcWidth +: AdcWidth] = apk_tgt_d[l];
        end
        apk_count_d = '0;
      end else begin
        apk_count_d = a_new_count;
      end
      for (int l = 0; l < NumLanes; l++) begin
        if (m_add && LaneIdxWidth'(l) == mpk_count_q) mpk_lane_d[l] = x_meta_q;
      end
      mpk_start_d = m_start;
      if (m_emit) begin
        mout_valid_d = 1'b1;
        mout_addr_d = meta_base_i + m_start;
        mout_count_d = m_new_count;
        mout_data_d = '0;
        for (int l = 0; l < NumLanes; l++) begin
          mout_data_d[l*WordWidth +: WordWidth] = WordWidth'(mpk_lane_d[l]);
        end
        mpk_count_d = '0;
      end else begin
        mpk_count_d = m_new_count;
      end
      if (d_emit) begin
        ev_dir_o = 1'b1;
        dout_valid_d = 1'b1;
        dout_addr_d = dir_base_i + (index_i >> block_log2_i);
        dout_data_d = cell_ptr_i;
      end
      x_rem_d = x_rem_q - n_cells;
      x_first_d = 1'b0;
      if (last_chunk) x_valid_d = 1'b0;
    end

    // Refused (NaN/inf) weights are dropped; a refused last weight still flushes.
    ready = !x_valid_q || (fire && last_chunk);
    take = in_valid_i && ready;
    load_weight = take && (!in_nan_i || in_last_i);
    if (load_weight) begin
      x_valid_d = 1'b1;
      x_first_d = 1'b1;
      x_flush_d = in_nan_i;
      x_last_d = in_last_i;
      x_code_d = in_code_i;
      x_tgt_d = in_target_i;
      x_rem_d = in_nan_i ? '0 : in_cells_i;  // a flush token places no cells
      x_meta_d = in_meta_i;
    end
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
      x_valid_q <= x_valid_d;
      x_first_q <= x_first_d;
      x_flush_q <= x_flush_d;
      x_last_q <= x_last_d;
      x_code_q <= x_code_d;
      x_tgt_q <= x_tgt_d;
      x_rem_q <= x_rem_d;
      x_meta_q <= x_meta_d;
      apk_count_q <= apk_count_d;
      apk_start_q <= apk_start_d;
      mpk_count_q <= mpk_count_d;
      mpk_start_q <= mpk_start_d;
      for (int l = 0; l < NumLanes; l++) begin
        apk_lane_q[l] <= apk_lane_d[l];
        apk_tgt_q[l] <= apk_tgt_d[l];
        mpk_lane_q[l] <= mpk_lane_d[l];
      end
      aout_valid_q <= aout_valid_d;
      aout_addr_q <= aout_addr_d;
      aout_count_q <= aout_count_d;
      aout_data_q <= aout_data_d;
      aout_tgt_q <= aout_tgt_d;
      mout_valid_q <= mout_valid_d;
      mout_addr_q <= mout_addr_d;
      mout_count_q <= mout_count_d;
      mout_data_q <= mout_data_d;
      dout_valid_q <= dout_valid_d;
      dout_addr_q <= dout_addr_d;
      dout_data_q <= dout_data_d;
    end
  end

  `PCM_ASSERT(WriterOneGrant, $onehot0({grant_d, grant_m, grant_a}), clk_i, rst_ni)
  `PCM_ASSERT(WriterPackerBound, apk_count_q < LaneCntWidth'(NumLanes), clk_i, rst_ni)
endmodule : pcm_writer
