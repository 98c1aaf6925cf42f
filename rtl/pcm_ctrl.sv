// pcm_ctrl: PCM weight-storage controller (top level).
//
// Stores fp32 neural-network weights in analog PCM cells with the strategies
// of Isik et al. (sign protection, adaptive mapping, adaptive and
// sensitivity-driven redundancy, pre-mapping h through a LUT). Host side:
// APB registers, a weight write stream and a read request / read stream pair.
// Array side: one request channel (up to NumLanes consecutive analog cells or
// digital words per request) and one in-order response channel for reads.
// The ports are flat so that the Verilated model has no structs at its boundary.
// See rtl/README.md for the register map, formats and cell costs.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_ctrl
#(
  parameter int NumLanes = 4,
  parameter int DacWidth = 16,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int RegAddrWidth = pcm_ctrl_reg_pkg::RegAddrWidth,
  localparam int TWidth = pcm_ctrl_reg_pkg::TWidth,
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int MetaWidth = pcm_ctrl_reg_pkg::MetaWidth,
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int WordWidth = pcm_ctrl_pkg::WordWidth,
  localparam int KnotCount = pcm_ctrl_reg_pkg::LutEntries,
  localparam int RecipWidth = pcm_ctrl_reg_pkg::RecipFrac + 1,
  localparam int LaneCntWidth = $clog2(NumLanes + 1)
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // APB register port
  input  logic                          psel_i,
  input  logic                          penable_i,
  input  logic                          pwrite_i,
  input  logic [RegAddrWidth-1:0]       paddr_i,
  input  logic [31:0]                   pwdata_i,
  output logic [31:0]                   prdata_o,
  output logic                          pready_o,
  output logic                          pslverr_o,
  // weight write stream
  input  logic                          wr_valid_i,
  output logic                          wr_ready_o,
  input  logic [31:0]                   wr_weight_i,
  input  logic                          wr_sens_i,
  input  logic                          wr_last_i,
  // read requests and read stream
  input  logic                          rq_valid_i,
  output logic                          rq_ready_o,
  input  logic [31:0]                   rq_index_i,
  input  logic [31:0]                   rq_count_i,
  output logic                          rd_valid_o,
  input  logic                          rd_ready_i,
  output logic [31:0]                   rd_weight_o,
  output logic                          rd_last_o,
  output logic                          rd_err_o,
  // cell array port
  output logic                          cell_req_valid_o,
  input  logic                          cell_req_ready_i,
  output logic                          cell_req_write_o,
  output logic                          cell_req_digital_o,
  output logic [AddrWidth-1:0]          cell_req_addr_o,
  output logic [LaneCntWidth-1:0]       cell_req_count_o,
  output logic [NumLanes*WordWidth-1:0] cell_req_wdata_o,
  input  logic                          cell_rsp_valid_i,
  output logic                          cell_rsp_ready_o,
  input  logic [NumLanes*WordWidth-1:0] cell_rsp_rdata_i,
  output logic [4:0]                    cell_dac_bits_o,
  output logic [4:0]                    cell_adc_bits_o,
  // status
  output logic                          busy_o
);
  localparam int SumWidth = AdcWidth + CellCntWidth;

  // ------------------------------------------------------------ configuration
  logic                        sp, am, ar, sens_en, meta_en, dir_en;
  logic [30:0]                 threshold, scale_small, rscale_small, scale_large, rscale_large;
  logic [TWidth-1:0]           shift_small, shift_large;
  logic [CellCntWidth-1:0]     cells_small, cells_large, cells_sens;
  logic [RecipWidth-1:0]       recip_small, recip_large, recip_sens;
  logic [15:0]                 range_lo, range_hi;
  logic [4:0]                  dac_bits, adc_bits;
  logic [3:0]                  block_log2;
  logic [AddrWidth-1:0]        analog_base, meta_base, dir_base;
  logic [31:0]                 num_weights, next_cell;
  logic [5:0]                  pv_pulses;
  logic [15:0]                 pv_tol;
  logic [10:0]                 pv_gain;
  logic                        comp_en;
  logic [2:0]                  ref_log2;
  logic [AddrWidth-1:0]        ref_base;
  logic [TWidth-1:0]           drift_offset;
  logic [KnotCount*TWidth-1:0] lut;

  assign meta_en = sp || am || ar || sens_en;
  assign dir_en = ar || sens_en;  // cell counts vary only with AR or SENS

  // ------------------------------------------------------------ events and status
  logic                    wr_busy, rd_busy, enc_busy, writer_busy, reader_busy, dec_busy;
  logic                    ev_stored, ev_sat, ev_nan, ev_dir_wr, ev_dir_rd, ev_rd_err;
  logic [CellCntWidth-1:0] ev_cells_wr;
  logic [LaneCntWidth-1:0] ev_meta_wr, ev_meta_rd, ev_cells_rd;
  logic                    ev_weight_rd;
  logic [LaneCntWidth-1:0] ev_pulses, ev_vreads, ev_pv_fail;
  logic                    verifier_busy;
  logic                    ev_ref_read, refs_wr_busy, refs_port;
  logic                    port_r, port_f;  // the cell port is the reader's, the reference reads'

  assign wr_busy = enc_busy || writer_busy || verifier_busy || refs_wr_busy;
  assign rd_busy = reader_busy || dec_busy || refs_port;
  assign busy_o = wr_busy || rd_busy;

  pcm_ctrl_reg #(
    .NumLanes(NumLanes),
    .DacWidth(DacWidth),
    .AdcWidth(AdcWidth)
  ) u_reg (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .psel_i        (psel_i),
    .penable_i     (penable_i),
    .pwrite_i      (pwrite_i),
    .paddr_i       (paddr_i),
    .pwdata_i      (pwdata_i),
    .prdata_o      (prdata_o),
    .pready_o      (pready_o),
    .pslverr_o     (pslverr_o),
    .sp_o          (sp),
    .am_o          (am),
    .ar_o          (ar),
    .sens_o        (sens_en),
    .threshold_o   (threshold),
    .scale_small_o (scale_small),
    .rscale_small_o(rscale_small),
    .shift_small_o (shift_small),
    .scale_large_o (scale_large),
    .rscale_large_o(rscale_large),
    .shift_large_o (shift_large),
    .cells_small_o (cells_small),
    .cells_large_o (cells_large),
    .cells_sens_o  (cells_sens),
    .recip_small_o (recip_small),
    .recip_large_o (recip_large),
    .recip_sens_o  (recip_sens),
    .range_lo_o    (range_lo),
    .range_hi_o    (range_hi),
    .dac_bits_o    (dac_bits),
    .adc_bits_o    (adc_bits),
    .block_log2_o  (block_log2),
    .analog_base_o (analog_base),
    .meta_base_o   (meta_base),
    .dir_base_o    (dir_base),
    .num_weights_o (num_weights),
    .next_cell_o   (next_cell),
    .pv_pulses_o   (pv_pulses),
    .pv_tol_o      (pv_tol),
    .pv_gain_o     (pv_gain),
    .comp_en_o     (comp_en),
    .ref_log2_o    (ref_log2),
    .ref_base_o    (ref_base),
    .lut_o         (lut),
    .wr_busy_i     (wr_busy),
    .rd_busy_i     (rd_busy),
    .ev_stored_i   (ev_stored),
    .ev_cells_wr_i (ev_cells_wr),
    .ev_sat_i      (ev_sat),
    .ev_nan_i      (ev_nan),
    .ev_meta_wr_i  (ev_meta_wr),
    .ev_dir_wr_i   (ev_dir_wr),
    .ev_weight_rd_i(ev_weight_rd),
    .ev_cells_rd_i (ev_cells_rd),
    .ev_meta_rd_i  (ev_meta_rd),
    .ev_dir_rd_i   (ev_dir_rd),
    .ev_rd_err_i   (ev_rd_err),
    .ev_pulses_i   (ev_pulses),
    .ev_vreads_i   (ev_vreads),
    .ev_pv_fail_i  (ev_pv_fail),
    .ev_ref_reads_i(LaneCntWidth'(ev_ref_read)),
    .drift_offset_i(drift_offset)
  );

  // ------------------------------------------------------------ write path
  logic                    enc_in_valid, enc_in_ready;
  logic                    enc_valid, enc_ready, enc_nan, enc_sat, enc_last;
  logic [DacWidth-1:0]     enc_code;
  logic [AdcWidth-1:0]     enc_target;
  logic [CellCntWidth-1:0] enc_cells;
  logic [MetaWidth-1:0]    enc_meta;

  // Writes wait while a read is being served, and the other way round.
  assign enc_in_valid = wr_valid_i && !rd_busy;
  assign wr_ready_o = enc_in_ready && !rd_busy;

  pcm_encoder #(
    .DacWidth(DacWidth),
    .AdcWidth(AdcWidth)
  ) u_encoder (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .sp_i         (sp),
    .am_i         (am),
    .ar_i         (ar),
    .sens_en_i    (sens_en),
    .threshold_i  (threshold),
    .scale_small_i(scale_small),
    .scale_large_i(scale_large),
    .shift_small_i(shift_small),
    .shift_large_i(shift_large),
    .range_lo_i   (range_lo),
    .range_hi_i   (range_hi),
    .dac_bits_i   (dac_bits),
    .adc_bits_i   (adc_bits),
    .cells_small_i(cells_small),
    .cells_large_i(cells_large),
    .cells_sens_i (cells_sens),
    .lut_i        (lut),
    .in_valid_i   (enc_in_valid),
    .in_ready_o   (enc_in_ready),
    .in_weight_i  (wr_weight_i),
    .in_sens_i    (wr_sens_i),
    .in_last_i    (wr_last_i),
    .out_valid_o  (enc_valid),
    .out_ready_i  (enc_ready),
    .out_code_o   (enc_code),
    .out_target_o (enc_target),
    .out_cells_o  (enc_cells),
    .out_meta_o   (enc_meta),
    .out_nan_o    (enc_nan),
    .out_sat_o    (enc_sat),
    .out_last_o   (enc_last),
    .busy_o       (enc_busy)
  );

  // writer -> verifier
  logic                          a_req_valid, a_req_ready, a_req_digital;
  logic [AddrWidth-1:0]          a_req_addr;
  logic [LaneCntWidth-1:0]       a_req_count;
  logic [NumLanes*WordWidth-1:0] a_req_wdata;
  logic [NumLanes*AdcWidth-1:0]  a_req_target;
  // verifier -> cell port
  logic                          w_req_valid, w_req_ready, w_req_write, w_req_digital;
  logic [AddrWidth-1:0]          w_req_addr;
  logic [LaneCntWidth-1:0]       w_req_count;
  logic [NumLanes*WordWidth-1:0] w_req_wdata;
  logic                          v_rsp_ready, r_rsp_ready, f_rsp_ready;
  // pcm_refs -> verifier (reference cells) and -> cell port (their reads)
  logic                          f_wq_valid, f_wq_ready;
  logic [AddrWidth-1:0]          f_wq_addr;
  logic [NumLanes*WordWidth-1:0] f_wq_wdata;
  logic [NumLanes*AdcWidth-1:0]  f_wq_target;
  logic                          f_cr_valid, f_cr_ready;
  logic [AddrWidth-1:0]          f_cr_addr;
  // the verifier's upstream: the writer, or the reference cells while they are programmed
  logic                          u_valid, u_ready, u_digital;
  logic [AddrWidth-1:0]          u_addr;
  logic [LaneCntWidth-1:0]       u_count;
  logic [NumLanes*WordWidth-1:0] u_wdata;
  logic [NumLanes*AdcWidth-1:0]  u_target;

  pcm_writer #(
    .NumLanes(NumLanes),
    .DacWidth(DacWidth),
    .AdcWidth(AdcWidth)
  ) u_writer (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .meta_en_i    (meta_en),
    .dir_en_i     (dir_en),
    .block_log2_i (block_log2),
    .analog_base_i(analog_base),
    .meta_base_i  (meta_base),
    .dir_base_i   (dir_base),
    .index_i      (num_weights),
    .cell_ptr_i   (next_cell),
    .in_valid_i   (enc_valid),
    .in_ready_o   (enc_ready),
    .in_code_i    (enc_code),
    .in_target_i  (enc_target),
    .in_cells_i   (enc_cells),
    .in_meta_i    (enc_meta),
    .in_nan_i     (enc_nan),
    .in_sat_i     (enc_sat),
    .in_last_i    (enc_last),
    .req_valid_o  (a_req_valid),
    .req_ready_i  (a_req_ready),
    .req_digital_o(a_req_digital),
    .req_addr_o   (a_req_addr),
    .req_count_o  (a_req_count),
    .req_wdata_o  (a_req_wdata),
    .req_target_o (a_req_target),
    .ev_stored_o  (ev_stored),
    .ev_cells_o   (ev_cells_wr),
    .ev_sat_o     (ev_sat),
    .ev_nan_o     (ev_nan),
    .ev_meta_o    (ev_meta_wr),
    .ev_dir_o     (ev_dir_wr),
    .busy_o       (writer_busy)
  );

  pcm_verifier #(
    .NumLanes(NumLanes),
    .DacWidth(DacWidth),
    .AdcWidth(AdcWidth)
  ) u_verifier (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .pv_pulses_i (pv_pulses),
    .pv_tol_i    (pv_tol),
    .pv_gain_i   (pv_gain),
    .dac_bits_i  (dac_bits),
    .adc_bits_i  (adc_bits),
    .up_valid_i  (u_valid),
    .up_ready_o  (u_ready),
    .up_digital_i(u_digital),
    .up_addr_i   (u_addr),
    .up_count_i  (u_count),
    .up_wdata_i  (u_wdata),
    .up_target_i (u_target),
    .dn_valid_o  (w_req_valid),
    .dn_ready_i  (w_req_ready),
    .dn_write_o  (w_req_write),
    .dn_digital_o(w_req_digital),
    .dn_addr_o   (w_req_addr),
    .dn_count_o  (w_req_count),
    .dn_wdata_o  (w_req_wdata),
    .rsp_valid_i (cell_rsp_valid_i && !reader_busy && !refs_port),
    .rsp_ready_o (v_rsp_ready),
    .rsp_rdata_i (cell_rsp_rdata_i),
    .ev_pulses_o (ev_pulses),
    .ev_vreads_o (ev_vreads),
    .ev_fail_o   (ev_pv_fail),
    .busy_o      (verifier_busy)
  );

  // The reference cells take the verifier while they are issued (pcm_refs
  // waits for the writer to drain first). Continuous assignments: one value
  // per evaluation (Icarus 11 loops on glitches).
  assign u_valid = f_wq_valid ? f_wq_valid : a_req_valid;
  assign u_digital = !f_wq_valid && a_req_digital;
  assign u_addr = f_wq_valid ? f_wq_addr : a_req_addr;
  assign u_count = f_wq_valid ? LaneCntWidth'(1) : a_req_count;
  assign u_wdata = f_wq_valid ? f_wq_wdata : a_req_wdata;
  assign u_target = f_wq_valid ? f_wq_target : a_req_target;
  assign a_req_ready = !f_wq_valid && u_ready;
  assign f_wq_ready = f_wq_valid && u_ready;

  pcm_refs #(
    .NumLanes(NumLanes),
    .AdcWidth(AdcWidth)
  ) u_refs (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .comp_en_i    (comp_en),
    .ref_log2_i   (ref_log2),
    .ref_base_i   (ref_base),
    .range_lo_i   (range_lo),
    .range_hi_i   (range_hi),
    .dac_bits_i   (dac_bits),
    .adc_bits_i   (adc_bits),
    .lut_i        (lut),
    .close_i      (enc_valid && enc_ready && enc_last),
    .writer_idle_i(!writer_busy),
    .wq_valid_o   (f_wq_valid),
    .wq_ready_i   (f_wq_ready),
    .wq_addr_o    (f_wq_addr),
    .wq_wdata_o   (f_wq_wdata),
    .wq_target_o  (f_wq_target),
    .wr_busy_o    (refs_wr_busy),
    .rq_taken_i   (rq_valid_i && rq_ready_o),
    .cr_valid_o   (f_cr_valid),
    .cr_ready_i   (f_cr_ready),
    .cr_addr_o    (f_cr_addr),
    .rsp_valid_i  (cell_rsp_valid_i && refs_port),
    .rsp_ready_o  (f_rsp_ready),
    .rsp_code_i   (cell_rsp_rdata_i[AdcWidth-1:0]),
    .offset_o     (drift_offset),
    .ev_read_o    (ev_ref_read),
    .rd_busy_o    (refs_port)
  );

  // ------------------------------------------------------------ read path
  logic                    r_req_valid, r_req_ready, r_req_digital;
  logic [AddrWidth-1:0]    r_req_addr;
  logic [LaneCntWidth-1:0] r_req_count;
  logic                    dec_valid, dec_ready, dec_last, dec_err;
  logic [SumWidth-1:0]     dec_sum;
  logic [MetaWidth-1:0]    dec_meta;

  pcm_reader #(
    .NumLanes(NumLanes),
    .AdcWidth(AdcWidth)
  ) u_reader (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .ar_i         (ar),
    .sens_en_i    (sens_en),
    .meta_en_i    (meta_en),
    .dir_en_i     (dir_en),
    .block_log2_i (block_log2),
    .analog_base_i(analog_base),
    .meta_base_i  (meta_base),
    .dir_base_i   (dir_base),
    .num_weights_i(num_weights),
    .cells_small_i(cells_small),
    .cells_large_i(cells_large),
    .cells_sens_i (cells_sens),
    // (after an error beat the reader is idle while the references may still be read)
    .start_ok_i   (!wr_busy && !wr_valid_i && !dec_busy && !refs_port),
    .rq_valid_i   (rq_valid_i),
    .rq_ready_o   (rq_ready_o),
    .rq_index_i   (rq_index_i),
    .rq_count_i   (rq_count_i),
    .req_valid_o  (r_req_valid),
    .req_ready_i  (r_req_ready),
    .req_digital_o(r_req_digital),
    .req_addr_o   (r_req_addr),
    .req_count_o  (r_req_count),
    .rsp_valid_i  (cell_rsp_valid_i && port_r),
    .rsp_ready_o  (r_rsp_ready),
    .rsp_rdata_i  (cell_rsp_rdata_i),
    .dec_valid_o  (dec_valid),
    .dec_ready_i  (dec_ready),
    .dec_sum_o    (dec_sum),
    .dec_meta_o   (dec_meta),
    .dec_last_o   (dec_last),
    .dec_err_o    (dec_err),
    .ev_cells_o   (ev_cells_rd),
    .ev_meta_o    (ev_meta_rd),
    .ev_dir_o     (ev_dir_rd),
    .ev_err_o     (ev_rd_err),
    .busy_o       (reader_busy)
  );

  pcm_decoder #(
    .AdcWidth(AdcWidth)
  ) u_decoder (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .sp_i          (sp),
    .am_i          (am),
    .ar_i          (ar),
    .sens_en_i     (sens_en),
    .rscale_small_i(rscale_small),
    .rscale_large_i(rscale_large),
    .shift_small_i (shift_small),
    .shift_large_i (shift_large),
    .adc_bits_i    (adc_bits),
    .recip_small_i (recip_small),
    .recip_large_i (recip_large),
    .recip_sens_i  (recip_sens),
    .drift_offset_i(drift_offset),
    .in_valid_i    (dec_valid),
    .in_ready_o    (dec_ready),
    .in_sum_i      (dec_sum),
    .in_meta_i     (dec_meta),
    .in_last_i     (dec_last),
    .in_err_i      (dec_err),
    .out_valid_o   (rd_valid_o),
    .out_ready_i   (rd_ready_i),
    .out_weight_o  (rd_weight_o),
    .out_last_o    (rd_last_o),
    .out_err_o     (rd_err_o),
    .busy_o        (dec_busy)
  );

  assign ev_weight_rd = rd_valid_o && rd_ready_i && !rd_err_o;

  // ------------------------------------------------------------ cell port
  // The reference reads own the port while drift compensation reads them (from
  // the cycle the request is taken: before the reader's first cell read), the
  // reader while it serves a request, the writer (through the verifier)
  // otherwise.
  assign port_r = reader_busy && !refs_port;
  assign port_f = refs_port;
  assign cell_req_valid_o = port_r ? r_req_valid : (port_f ? f_cr_valid : w_req_valid);
  assign cell_req_write_o = !port_r && !port_f && w_req_write;
  assign cell_req_digital_o = port_r ? r_req_digital : (!port_f && w_req_digital);
  assign cell_req_addr_o = port_r ? r_req_addr : (port_f ? f_cr_addr : w_req_addr);
  assign cell_req_count_o = port_r ? r_req_count : (port_f ? LaneCntWidth'(1) : w_req_count);
  assign cell_req_wdata_o = (port_r || port_f) ? '0 : w_req_wdata;
  assign w_req_ready = cell_req_ready_i && !port_r && !port_f;
  assign r_req_ready = cell_req_ready_i && port_r;
  assign f_cr_ready = cell_req_ready_i && port_f;

  // responses go to whoever issued the reads: the reader, or the verifier
  assign cell_rsp_ready_o = port_r ? r_rsp_ready : (refs_port ? f_rsp_ready : v_rsp_ready);

  assign cell_dac_bits_o = dac_bits;
  assign cell_adc_bits_o = adc_bits;

  // ------------------------------------------------------------ interface rules
  `PCM_ASSERT_HANDSHAKE(CellReq, cell_req_valid_o, cell_req_ready_i,
                        {cell_req_write_o, cell_req_digital_o, cell_req_addr_o, cell_req_count_o,
                         cell_req_wdata_o}, clk_i, rst_ni)
  `PCM_ASSERT(CellReqCountInRange,
              !cell_req_valid_o || (cell_req_count_o != '0
                                    && cell_req_count_o <= LaneCntWidth'(NumLanes)),
              clk_i, rst_ni)
  `PCM_ASSERT(NoWriterRequestWhileReading, !(reader_busy && w_req_valid), clk_i, rst_ni)
  // the environment's side of the streams
  `PCM_ASSERT_HANDSHAKE(WrStream, wr_valid_i, wr_ready_o, {wr_weight_i, wr_sens_i, wr_last_i},
                        clk_i, rst_ni)
  `PCM_ASSERT_HANDSHAKE(RdRequest, rq_valid_i, rq_ready_o, {rq_index_i, rq_count_i},
                        clk_i, rst_ni)
  `PCM_ASSERT_HANDSHAKE(CellRsp, cell_rsp_valid_i, cell_rsp_ready_o, cell_rsp_rdata_i,
                        clk_i, rst_ni)
  `PCM_ASSERT(ApbSetupBeforeAccess, !(psel_i && penable_i) || $past(psel_i), clk_i, rst_ni)
endmodule : pcm_ctrl
