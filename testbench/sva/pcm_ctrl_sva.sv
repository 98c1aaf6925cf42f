// Interface assertions of pcm_ctrl, bound into the design for the Verilator
// bench only (testbench/CMakeLists.txt; rtl/ stays untouched). Named
// Name_A after OpenTitan's habit. Every input is a port (the bind connects
// them), so the checker also runs alone: testbench/sva_check/ drives it and
// breaks each assertion once (ctests Rtl.SvaFires.*). In the bench, the
// environment-side ones also fire on `pcm_ctrl_bench --break KIND`
// (Rtl.AssertionFires*), the design-side ones on mutants (testbench/mutation/).
module pcm_ctrl_sva (
  input logic         clk_i,
  input logic         rst_ni,
  // APB
  input logic         psel_i,
  input logic         penable_i,
  input logic         pwrite_i,
  input logic [11:0]  paddr_i,
  input logic [31:0]  pwdata_i,
  input logic [31:0]  prdata_o,
  input logic         pready_o,
  input logic         pslverr_o,
  // streams
  input logic         wr_valid_i,
  input logic         wr_ready_o,
  input logic         rq_valid_i,
  input logic         rq_ready_o,
  input logic         rd_valid_o,
  input logic         rd_ready_i,
  input logic [33:0]  rd_beat_o,   // {weight, last, err}
  input logic         rd_last_o,
  // cell port
  input logic         cell_req_valid_o,
  input logic         cell_req_ready_i,
  input logic         cell_req_write_o,
  input logic         cell_rsp_valid_i,
  input logic         cell_rsp_ready_o,
  // inside pcm_ctrl
  input logic         wr_busy_i,
  input logic         rd_busy_i,
  input logic         dec_valid_i,   // reader -> decoder
  input logic         dec_ready_i,
  input logic [63:0]  dec_data_i,    // {sum, meta, last, err}, zero-extended
  input logic [127:0] cfg_i          // configuration the datapath uses, zero-extended
);
  // ---------------------------------------------------------------- APB
  // the requester's side: setup then access, address and data held
  ApbAccessFollowsSetup_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (psel_i && !penable_i) |=> (psel_i && penable_i))
    else $error("ApbAccessFollowsSetup_A: setup phase not followed by an access phase");
  ApbSetupStable_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (psel_i && !penable_i) |=> ($stable(paddr_i) && $stable(pwrite_i) && $stable(pwdata_i)))
    else $error("ApbSetupStable_A: address, direction or write data changed between setup and access");
  // the completer's side: an error only in an access phase with PREADY, no
  // read data outside a read access
  ApbErrOnlyWithReady_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      pslverr_o |-> (psel_i && penable_i && pready_o))
    else $error("ApbErrOnlyWithReady_A: PSLVERR outside an access phase with PREADY");
  ApbRdataOnlyInRead_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(psel_i && penable_i && !pwrite_i) |-> (prdata_o == '0))
    else $error("ApbRdataOnlyInRead_A: PRDATA driven outside a read access");

  // ------------------------------------------------------- write and read paths
  // a weight is never taken while the read path is busy, a read request never
  // while the write path is
  WrNotReadyWhileReading_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rd_busy_i |-> !wr_ready_o)
    else $error("WrNotReadyWhileReading_A: wr_ready_o while the read path is busy");
  RqNotReadyWhileWriting_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (wr_busy_i || wr_valid_i) |-> !rq_ready_o)
    else $error("RqNotReadyWhileWriting_A: rq_ready_o while the write path is busy or a weight is offered");
  RdValidHeld_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (rd_valid_o && !rd_ready_i) |=> rd_valid_o)
    else $error("RdValidHeld_A: rd_valid_o dropped before rd_ready_i");
  RdDataStable_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (rd_valid_o && !rd_ready_i) |=> $stable(rd_beat_o))
    else $error("RdDataStable_A: read beat changed while not taken");
  // read requests taken and not finished by a last beat
  logic [7:0] rq_open_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rq_open_q <= '0;
    else rq_open_q <= rq_open_q + 8'(rq_valid_i && rq_ready_o) - 8'(rd_valid_o && rd_ready_i && rd_last_o);
  end
  RdNoBeatWithoutRequest_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rd_valid_o |-> (rq_open_q != '0))
    else $error("RdNoBeatWithoutRequest_A: a read beat with no read request open");

  // reader -> decoder stream inside pcm_ctrl
  DecInValidHeld_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (dec_valid_i && !dec_ready_i) |=> dec_valid_i)
    else $error("DecInValidHeld_A: reader-to-decoder valid dropped before ready");
  DecInDataStable_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (dec_valid_i && !dec_ready_i) |=> $stable(dec_data_i))
    else $error("DecInDataStable_A: reader-to-decoder data changed while not taken");

  // ------------------------------------------------------------ cell port
  // responses only to read requests the design made (the array's side)
  logic [15:0] rsp_open_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rsp_open_q <= '0;
    else rsp_open_q <= rsp_open_q + 16'(cell_req_valid_o && cell_req_ready_i && !cell_req_write_o)
                                  - 16'(cell_rsp_valid_i && cell_rsp_ready_o);
  end
  CellRspOnlyWhenRequested_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      cell_rsp_valid_i |-> (rsp_open_q != '0))
    else $error("CellRspOnlyWhenRequested_A: a cell response with no read request outstanding");

  // ------------------------------------------------- configuration and counters
  // locked registers cannot change while either path is busy
  ConfigStableWhileBusy_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (wr_busy_i || rd_busy_i) |=> $stable(cfg_i))
    else $error("ConfigStableWhileBusy_A: configuration changed while busy");
  // counters (0x080 .. 0x0B8) read over APB never decrease, except after CMD.CLEAR_COUNTERS
  logic [31:0] cnt_last_q [16];
  logic [15:0] cnt_seen_q;
  logic        cnt_read, clear;
  logic [3:0]  cnt_idx;
  assign cnt_read = psel_i && penable_i && !pwrite_i && !pslverr_o && paddr_i >= 12'h080 && paddr_i <= 12'h0bc;
  assign cnt_idx = paddr_i[5:2];
  assign clear = psel_i && penable_i && pwrite_i && !pslverr_o && paddr_i == 12'h008 && pwdata_i[1];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_seen_q <= '0;
      for (int k = 0; k < 16; k++) cnt_last_q[k] <= '0;
    end else if (clear) begin
      cnt_seen_q <= '0;
    end else if (cnt_read) begin
      CountersNeverDecrease_A: assert (!cnt_seen_q[cnt_idx] || prdata_o >= cnt_last_q[cnt_idx])
        else $error("CountersNeverDecrease_A: counter 0x%03x read 0x%08x after 0x%08x without CLEAR_COUNTERS",
                    paddr_i, prdata_o, cnt_last_q[cnt_idx]);
      cnt_seen_q[cnt_idx] <= 1'b1;
      cnt_last_q[cnt_idx] <= prdata_o;
    end
  end
endmodule : pcm_ctrl_sva

bind pcm_ctrl pcm_ctrl_sva u_sva (
  .clk_i            (clk_i),
  .rst_ni           (rst_ni),
  .psel_i           (psel_i),
  .penable_i        (penable_i),
  .pwrite_i         (pwrite_i),
  .paddr_i          (paddr_i),
  .pwdata_i         (pwdata_i),
  .prdata_o         (prdata_o),
  .pready_o         (pready_o),
  .pslverr_o        (pslverr_o),
  .wr_valid_i       (wr_valid_i),
  .wr_ready_o       (wr_ready_o),
  .rq_valid_i       (rq_valid_i),
  .rq_ready_o       (rq_ready_o),
  .rd_valid_o       (rd_valid_o),
  .rd_ready_i       (rd_ready_i),
  .rd_beat_o        ({rd_weight_o, rd_last_o, rd_err_o}),
  .rd_last_o        (rd_last_o),
  .cell_req_valid_o (cell_req_valid_o),
  .cell_req_ready_i (cell_req_ready_i),
  .cell_req_write_o (cell_req_write_o),
  .cell_rsp_valid_i (cell_rsp_valid_i),
  .cell_rsp_ready_o (cell_rsp_ready_o),
  .wr_busy_i        (wr_busy),
  .rd_busy_i        (rd_busy),
  .dec_valid_i      (dec_valid),
  .dec_ready_i      (dec_ready),
  .dec_data_i       (64'({dec_sum, dec_meta, dec_last, dec_err})),
  .cfg_i            (128'({sp, am, ar, sens_en, threshold, scale_small, scale_large}))
);
