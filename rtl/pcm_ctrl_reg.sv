// APB register block of pcm_ctrl (offsets and fields from pcm_ctrl_reg_pkg).
//
// No wait states. A write is refused with PSLVERR, counted in ERR_COUNT and
// flagged in STATUS.BUS_ERR, and changes nothing else, when: the address is
// unmapped; the register is read-only; a reserved bit is set; the value is
// illegal (a cell count outside 1..MaxCells, a range outside [-1, 1] or with
// lo >= hi, a scale that is not a positive normal fp32, a negative or non-finite
// threshold, a resolution outside 2..DacWidth/AdcWidth, a shift or LUT knot out
// of bounds); or a configuration register is written while the controller is busy.
// Reads of unmapped addresses are refused the same way; CMD reads as 0.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_ctrl_reg
#(
  parameter int NumLanes = 4,
  parameter int DacWidth = 16,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int RegAddrWidth = pcm_ctrl_reg_pkg::RegAddrWidth,
  localparam int TWidth = pcm_ctrl_reg_pkg::TWidth,
  localparam int LutLog2 = pcm_ctrl_reg_pkg::LutLog2,
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int KnotCount = pcm_ctrl_reg_pkg::LutEntries,
  localparam int RecipWidth = pcm_ctrl_reg_pkg::RecipFrac + 1,
  localparam int LaneCntWidth = $clog2(NumLanes + 1)
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // APB
  input  logic                         psel_i,
  input  logic                         penable_i,
  input  logic                         pwrite_i,
  input  logic [RegAddrWidth-1:0]      paddr_i,
  input  logic [31:0]                  pwdata_i,
  output logic [31:0]                  prdata_o,
  output logic                         pready_o,
  output logic                         pslverr_o,
  // configuration out
  output logic                         sp_o,
  output logic                         am_o,
  output logic                         ar_o,
  output logic                         sens_o,
  output logic [30:0]                  threshold_o,
  output logic [30:0]                  scale_small_o,
  output logic [30:0]                  rscale_small_o,
  output logic [TWidth-1:0]            shift_small_o,
  output logic [30:0]                  scale_large_o,
  output logic [30:0]                  rscale_large_o,
  output logic [TWidth-1:0]            shift_large_o,
  output logic [CellCntWidth-1:0]      cells_small_o,
  output logic [CellCntWidth-1:0]      cells_large_o,
  output logic [CellCntWidth-1:0]      cells_sens_o,
  output logic [RecipWidth-1:0]        recip_small_o,
  output logic [RecipWidth-1:0]        recip_large_o,
  output logic [RecipWidth-1:0]        recip_sens_o,
  output logic [15:0]                  range_lo_o,
  output logic [15:0]                  range_hi_o,
  output logic [4:0]                   dac_bits_o,
  output logic [4:0]                   adc_bits_o,
  output logic [3:0]                   block_log2_o,
  output logic [AddrWidth-1:0]         analog_base_o,
  output logic [AddrWidth-1:0]         meta_base_o,
  output logic [AddrWidth-1:0]         dir_base_o,
  output logic [31:0]                  num_weights_o,
  output logic [31:0]                  next_cell_o,
  output logic [5:0]                   pv_pulses_o,
  output logic [15:0]                  pv_tol_o,
  output logic [10:0]                  pv_gain_o,
  output logic                         comp_en_o,
  output logic [2:0]                   ref_log2_o,
  output logic [AddrWidth-1:0]         ref_base_o,
  output logic [KnotCount*TWidth-1:0]  lut_o,
  // status and events in
  input  logic                         wr_busy_i,
  input  logic                         rd_busy_i,
  input  logic                         ev_stored_i,
  input  logic [CellCntWidth-1:0]      ev_cells_wr_i,
  input  logic                         ev_sat_i,
  input  logic                         ev_nan_i,
  input  logic [LaneCntWidth-1:0]      ev_meta_wr_i,
  input  logic                         ev_dir_wr_i,
  input  logic                         ev_weight_rd_i,
  input  logic [LaneCntWidth-1:0]      ev_cells_rd_i,
  input  logic [LaneCntWidth-1:0]      ev_meta_rd_i,
  input  logic                         ev_dir_rd_i,
  input  logic                         ev_rd_err_i,
  input  logic [LaneCntWidth-1:0]      ev_pulses_i,
  input  logic [LaneCntWidth-1:0]      ev_vreads_i,
  input  logic [LaneCntWidth-1:0]      ev_pv_fail_i,
  input  logic [LaneCntWidth-1:0]      ev_ref_reads_i,
  input  logic [TWidth-1:0]            drift_offset_i
);
  typedef enum logic [3:0] {
    CntWeightsWritten, CntWeightsRead, CntCellsWritten, CntCellsRead, CntMetaWritten,
    CntMetaRead, CntDirWritten, CntDirRead, CntSat, CntNan, CntErr, CntPulses, CntVerifyReads,
    CntPvFailed, CntRefReads, CntLast
  } counter_e;
  localparam int NumCounters = 32'(CntLast);

  // ------------------------------------------------------------ state
  logic [31:0] ctrl_q, threshold_q;
  logic [31:0] scale_s_q, rscale_s_q, shift_s_q;
  logic [31:0] scale_l_q, rscale_l_q, shift_l_q;
  logic [31:0] cells_s_q, cells_l_q, cells_n_q;
  logic [RecipWidth-1:0] recip_s_q, recip_l_q, recip_n_q;
  logic [31:0] range_q, res_q, dir_q;
  logic [31:0] abase_q, mbase_q, dbase_q;
  logic [31:0] nweights_q, nextcell_q;
  logic [31:0] pvp_q, pvt_q, pvg_q;
  logic [31:0] comp_q, rbase_q;
  // The knots as the encoder reads them, TWidth bits each: a legal knot
  // (LutMin..LutMax, RegLutKnotFits) fits in TWidth signed bits, so the
  // 32-bit word written reads back as their sign extension.
  logic [KnotCount*TWidth-1:0] lut_q;
  logic [31:0] cnt_q [NumCounters];
  logic        nan_seen_q, sat_seen_q;
  logic        bus_err_q, rd_err_q;

  // ------------------------------------------------------------ checks
  // sign and exponent of an fp32 value
  function automatic logic fp32_pos_ok(input logic [8:0] se);
    fp32_pos_ok = !se[8] && se[7:0] != 8'h00 && se[7:0] != 8'hff;
  endfunction
  function automatic logic fp32_nonneg_ok(input logic [8:0] se);
    fp32_nonneg_ok = !se[8] && se[7:0] != 8'hff;
  endfunction
  function automatic logic signed_ok(input logic [31:0] v, input int lo, input int hi);
    signed_ok = $signed(v) >= lo && $signed(v) <= hi;
  endfunction
  function automatic logic unsigned_ok(input logic [31:0] v, input int lo, input int hi);
    unsigned_ok = v >= 32'(lo) && v <= 32'(hi);
  endfunction
  function automatic logic [31:0] sat_add(input logic [31:0] a, input logic [31:0] b);
    logic [32:0] s;
    s = {1'b0, a} + {1'b0, b};
    sat_add = s[32] ? 32'hffff_ffff : s[31:0];
  endfunction
  // ceil(2^RecipFrac / r): the controller averages by multiplying.
  function automatic logic [RecipWidth-1:0] recip_of(input logic [CellCntWidth-1:0] r);
    logic [RecipWidth:0] num;
    num = (RecipWidth + 1)'((64'd1 << pcm_ctrl_reg_pkg::RecipFrac) + 64'(r) - 64'd1);
    recip_of = (r == '0) ? '0 : RecipWidth'(num / (RecipWidth + 1)'(r));
  endfunction

  logic        access, wr, rd, busy, hit, ok, reserved_bits;
  logic [31:0] rdata, lut_word;
  logic [31:0] mask;
  logic        is_lut;
  logic [RegAddrWidth-1:0] lut_rel;
  logic [$clog2(KnotCount)-1:0] lut_idx;
  logic signed [16:0] rlo, rhi;
  logic [4:0]  dac_b, adc_b;

  always_comb begin
    access = psel_i && penable_i;
    wr = access && pwrite_i;
    rd = access && !pwrite_i;
    busy = wr_busy_i || rd_busy_i;
    lut_rel = paddr_i - pcm_ctrl_reg_pkg::LutOffset;
    is_lut = paddr_i >= pcm_ctrl_reg_pkg::LutOffset && lut_rel < RegAddrWidth'(4 * KnotCount) && paddr_i[1:0] == 2'b00;
    lut_idx = $clog2(KnotCount)'(lut_rel >> 2);
    rlo = 17'($signed(pwdata_i[15:0]));
    rhi = 17'($signed(pwdata_i[31:16]));
    dac_b = pwdata_i[pcm_ctrl_reg_pkg::ResDacBitsLsb +: 5];
    adc_b = pwdata_i[pcm_ctrl_reg_pkg::ResAdcBitsLsb +: 5];

    // ---- read mux and per-register legality of the value being written,
    // decoded only during an access: every use of rdata, ok and hit is gated
    // by one, and the Verilated model evaluates this block twice per cycle
    hit = 1'b1;
    ok = 1'b1;
    rdata = '0;
    mask = '1;
    reserved_bits = 1'b0;
    lut_word = '0;
    if (access) begin
      // outside the case: Verilator copies a default arm into several
      // leaves of its decision tree over paddr_i
      for (int k = 0; k < KnotCount; k++)
        if (lut_idx == $clog2(KnotCount)'(k)) lut_word = 32'($signed(lut_q[k*TWidth +: TWidth]));
      unique case (paddr_i)
        pcm_ctrl_reg_pkg::CtrlOffset:      begin rdata = ctrl_q; mask = pcm_ctrl_reg_pkg::CtrlMask; end
        pcm_ctrl_reg_pkg::StatusOffset:    begin
          rdata = '0;
          rdata[pcm_ctrl_reg_pkg::StatusWrBusyLsb] = wr_busy_i;
          rdata[pcm_ctrl_reg_pkg::StatusRdBusyLsb] = rd_busy_i;
          rdata[pcm_ctrl_reg_pkg::StatusNanSeenLsb] = nan_seen_q;
          rdata[pcm_ctrl_reg_pkg::StatusSatSeenLsb] = sat_seen_q;
          rdata[pcm_ctrl_reg_pkg::StatusBusErrLsb] = bus_err_q;
          rdata[pcm_ctrl_reg_pkg::StatusRdErrLsb] = rd_err_q;
          ok = 1'b0;  // read-only
        end
        pcm_ctrl_reg_pkg::CmdOffset:       begin rdata = '0; mask = pcm_ctrl_reg_pkg::CmdMask; ok = !(pwdata_i[pcm_ctrl_reg_pkg::CmdStartLsb] && busy); end
        pcm_ctrl_reg_pkg::ThresholdOffset: begin rdata = threshold_q; ok = fp32_nonneg_ok(pwdata_i[31:23]); end
        pcm_ctrl_reg_pkg::ScaleSmallOffset:  begin rdata = scale_s_q; ok = fp32_pos_ok(pwdata_i[31:23]); end
        pcm_ctrl_reg_pkg::RscaleSmallOffset: begin rdata = rscale_s_q; ok = fp32_pos_ok(pwdata_i[31:23]); end
        pcm_ctrl_reg_pkg::ShiftSmallOffset:  begin rdata = shift_s_q; ok = signed_ok(pwdata_i, pcm_ctrl_reg_pkg::ShiftSmallMin, pcm_ctrl_reg_pkg::ShiftSmallMax); end
        pcm_ctrl_reg_pkg::ScaleLargeOffset:  begin rdata = scale_l_q; ok = fp32_pos_ok(pwdata_i[31:23]); end
        pcm_ctrl_reg_pkg::RscaleLargeOffset: begin rdata = rscale_l_q; ok = fp32_pos_ok(pwdata_i[31:23]); end
        pcm_ctrl_reg_pkg::ShiftLargeOffset:  begin rdata = shift_l_q; ok = signed_ok(pwdata_i, pcm_ctrl_reg_pkg::ShiftLargeMin, pcm_ctrl_reg_pkg::ShiftLargeMax); end
        pcm_ctrl_reg_pkg::CellsSmallOffset:  begin rdata = cells_s_q; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::CellsSmallMin, pcm_ctrl_reg_pkg::CellsSmallMax); end
        pcm_ctrl_reg_pkg::CellsLargeOffset:  begin rdata = cells_l_q; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::CellsLargeMin, pcm_ctrl_reg_pkg::CellsLargeMax); end
        pcm_ctrl_reg_pkg::CellsSensOffset:   begin rdata = cells_n_q; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::CellsSensMin, pcm_ctrl_reg_pkg::CellsSensMax); end
        pcm_ctrl_reg_pkg::RangeOffset: begin
          rdata = range_q;
          ok = rlo >= -17'sd16384 && rhi <= 17'sd16384 && rlo < rhi;
        end
        pcm_ctrl_reg_pkg::ResOffset: begin
          rdata = res_q;
          mask = pcm_ctrl_reg_pkg::ResMask;
          ok = dac_b >= 5'(pcm_ctrl_reg_pkg::ResBitsMin) && dac_b <= 5'(DacWidth)
            && adc_b >= 5'(pcm_ctrl_reg_pkg::ResBitsMin) && adc_b <= 5'(AdcWidth);
        end
        pcm_ctrl_reg_pkg::DirOffset:        begin rdata = dir_q; mask = pcm_ctrl_reg_pkg::DirMask; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::DirMin, pcm_ctrl_reg_pkg::DirMax); end
        pcm_ctrl_reg_pkg::AnalogBaseOffset: begin rdata = abase_q; end
        pcm_ctrl_reg_pkg::MetaBaseOffset:   begin rdata = mbase_q; end
        pcm_ctrl_reg_pkg::DirBaseOffset:    begin rdata = dbase_q; end
        pcm_ctrl_reg_pkg::NumWeightsOffset: begin rdata = nweights_q; end
        pcm_ctrl_reg_pkg::NextCellOffset:   begin rdata = nextcell_q; end
        pcm_ctrl_reg_pkg::PvPulsesOffset: begin
          rdata = pvp_q; mask = pcm_ctrl_reg_pkg::PvPulsesMask; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::PvPulsesMin, pcm_ctrl_reg_pkg::PvPulsesMax);
        end
        pcm_ctrl_reg_pkg::PvTolOffset:  begin rdata = pvt_q; mask = pcm_ctrl_reg_pkg::PvTolMask; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::PvTolMin, pcm_ctrl_reg_pkg::PvTolMax); end
        pcm_ctrl_reg_pkg::PvGainOffset: begin rdata = pvg_q; mask = pcm_ctrl_reg_pkg::PvGainMask; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::PvGainMin, pcm_ctrl_reg_pkg::PvGainMax); end
        pcm_ctrl_reg_pkg::CompOffset:   begin rdata = comp_q; mask = pcm_ctrl_reg_pkg::CompMask; ok = unsigned_ok(pwdata_i, pcm_ctrl_reg_pkg::CompMin, pcm_ctrl_reg_pkg::CompMax); end
        pcm_ctrl_reg_pkg::RefBaseOffset: begin rdata = rbase_q; end
        pcm_ctrl_reg_pkg::DriftOffsetOffset: begin rdata = 32'($signed(drift_offset_i)); ok = 1'b0; end
        pcm_ctrl_reg_pkg::ParamsOffset: begin
          rdata = '0;
          rdata[pcm_ctrl_reg_pkg::ParamsNumLanesLsb +: 8] = 8'(NumLanes);
          rdata[pcm_ctrl_reg_pkg::ParamsDacWidthLsb +: 8] = 8'(DacWidth);
          rdata[pcm_ctrl_reg_pkg::ParamsAdcWidthLsb +: 8] = 8'(AdcWidth);
          rdata[pcm_ctrl_reg_pkg::ParamsLutLog2Lsb +: 8] = 8'(LutLog2);
          ok = 1'b0;
        end
        pcm_ctrl_reg_pkg::WeightsWrittenOffset: begin rdata = cnt_q[CntWeightsWritten]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::WeightsReadOffset:    begin rdata = cnt_q[CntWeightsRead]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::CellsWrittenOffset:   begin rdata = cnt_q[CntCellsWritten]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::CellsReadOffset:      begin rdata = cnt_q[CntCellsRead]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::MetaWrittenOffset:    begin rdata = cnt_q[CntMetaWritten]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::MetaReadOffset:       begin rdata = cnt_q[CntMetaRead]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::DirWrittenOffset:     begin rdata = cnt_q[CntDirWritten]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::DirReadOffset:        begin rdata = cnt_q[CntDirRead]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::SatCountOffset:       begin rdata = cnt_q[CntSat]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::NanCountOffset:       begin rdata = cnt_q[CntNan]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::ErrCountOffset:       begin rdata = cnt_q[CntErr]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::PulsesOffset:         begin rdata = cnt_q[CntPulses]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::VerifyReadsOffset:    begin rdata = cnt_q[CntVerifyReads]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::PvFailedOffset:       begin rdata = cnt_q[CntPvFailed]; ok = 1'b0; end
        pcm_ctrl_reg_pkg::RefReadsOffset:       begin rdata = cnt_q[CntRefReads]; ok = 1'b0; end
        default: begin
          if (is_lut) begin
            rdata = lut_word;
            ok = signed_ok(pwdata_i, pcm_ctrl_reg_pkg::LutMin, pcm_ctrl_reg_pkg::LutMax);
          end else begin
            hit = 1'b0;
            ok = 1'b0;
          end
        end
      endcase
      reserved_bits = (pwdata_i & ~mask) != '0;
      // configuration is locked while busy (CMD, status and counters excepted)
      if (paddr_i != pcm_ctrl_reg_pkg::CmdOffset && busy) ok = 1'b0;
      if (reserved_bits) ok = 1'b0;
    end
  end

  logic write_ok, refused;
  assign write_ok = wr && ok;
  assign refused = (wr && !ok) || (rd && !hit);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctrl_q <= pcm_ctrl_reg_pkg::CtrlReset;
      threshold_q <= pcm_ctrl_reg_pkg::ThresholdReset;
      scale_s_q <= pcm_ctrl_reg_pkg::ScaleSmallReset;
      rscale_s_q <= pcm_ctrl_reg_pkg::RscaleSmallReset;
      shift_s_q <= pcm_ctrl_reg_pkg::ShiftSmallReset;
      scale_l_q <= pcm_ctrl_reg_pkg::ScaleLargeReset;
      rscale_l_q <= pcm_ctrl_reg_pkg::RscaleLargeReset;
      shift_l_q <= pcm_ctrl_reg_pkg::ShiftLargeReset;
      cells_s_q <= pcm_ctrl_reg_pkg::CellsSmallReset;
      cells_l_q <= pcm_ctrl_reg_pkg::CellsLargeReset;
      cells_n_q <= pcm_ctrl_reg_pkg::CellsSensReset;
      recip_s_q <= recip_of(CellCntWidth'(pcm_ctrl_reg_pkg::CellsSmallReset));
      recip_l_q <= recip_of(CellCntWidth'(pcm_ctrl_reg_pkg::CellsLargeReset));
      recip_n_q <= recip_of(CellCntWidth'(pcm_ctrl_reg_pkg::CellsSensReset));
      range_q <= pcm_ctrl_reg_pkg::RangeReset;
      res_q <= pcm_ctrl_reg_pkg::ResReset;
      dir_q <= pcm_ctrl_reg_pkg::DirReset;
      abase_q <= pcm_ctrl_reg_pkg::AnalogBaseReset;
      mbase_q <= pcm_ctrl_reg_pkg::MetaBaseReset;
      dbase_q <= pcm_ctrl_reg_pkg::DirBaseReset;
      nweights_q <= pcm_ctrl_reg_pkg::NumWeightsReset;
      nextcell_q <= pcm_ctrl_reg_pkg::NextCellReset;
      pvp_q <= pcm_ctrl_reg_pkg::PvPulsesReset;
      pvt_q <= pcm_ctrl_reg_pkg::PvTolReset;
      pvg_q <= pcm_ctrl_reg_pkg::PvGainReset;
      comp_q <= pcm_ctrl_reg_pkg::CompReset;
      rbase_q <= pcm_ctrl_reg_pkg::RefBaseReset;
      lut_q <= '0;
      for (int c = 0; c < NumCounters; c++) cnt_q[c] <= '0;
      nan_seen_q <= 1'b0;
      sat_seen_q <= 1'b0;
      bus_err_q <= 1'b0;
      rd_err_q <= 1'b0;
    end else begin
      // Events first; a write in the same cycle overrides them (last
      // nonblocking assignment wins). Each flop changes only when written or
      // when its event fires, so the Verilated model evaluates no copy of the
      // whole block per cycle.
      if (ev_stored_i) nweights_q <= nweights_q + 32'd1;
      if (ev_cells_wr_i != '0) nextcell_q <= nextcell_q + 32'(ev_cells_wr_i);
      if (ev_nan_i) nan_seen_q <= 1'b1;
      if (ev_sat_i) sat_seen_q <= 1'b1;
      if (refused) bus_err_q <= 1'b1;
      if (ev_rd_err_i) rd_err_q <= 1'b1;
      if (ev_stored_i) cnt_q[CntWeightsWritten] <= sat_add(cnt_q[CntWeightsWritten], 32'd1);
      if (ev_weight_rd_i) cnt_q[CntWeightsRead] <= sat_add(cnt_q[CntWeightsRead], 32'd1);
      if (ev_cells_wr_i != '0) cnt_q[CntCellsWritten] <= sat_add(cnt_q[CntCellsWritten], 32'(ev_cells_wr_i));
      if (ev_cells_rd_i != '0) cnt_q[CntCellsRead] <= sat_add(cnt_q[CntCellsRead], 32'(ev_cells_rd_i));
      if (ev_meta_wr_i != '0) cnt_q[CntMetaWritten] <= sat_add(cnt_q[CntMetaWritten], 32'(ev_meta_wr_i));
      if (ev_meta_rd_i != '0) cnt_q[CntMetaRead] <= sat_add(cnt_q[CntMetaRead], 32'(ev_meta_rd_i));
      if (ev_dir_wr_i) cnt_q[CntDirWritten] <= sat_add(cnt_q[CntDirWritten], 32'd1);
      if (ev_dir_rd_i) cnt_q[CntDirRead] <= sat_add(cnt_q[CntDirRead], 32'd1);
      if (ev_sat_i) cnt_q[CntSat] <= sat_add(cnt_q[CntSat], 32'd1);
      if (ev_nan_i) cnt_q[CntNan] <= sat_add(cnt_q[CntNan], 32'd1);
      if (refused || ev_rd_err_i) cnt_q[CntErr] <= sat_add(cnt_q[CntErr], 32'(refused) + 32'(ev_rd_err_i));
      if (ev_pulses_i != '0) cnt_q[CntPulses] <= sat_add(cnt_q[CntPulses], 32'(ev_pulses_i));
      if (ev_vreads_i != '0) cnt_q[CntVerifyReads] <= sat_add(cnt_q[CntVerifyReads], 32'(ev_vreads_i));
      if (ev_pv_fail_i != '0) cnt_q[CntPvFailed] <= sat_add(cnt_q[CntPvFailed], 32'(ev_pv_fail_i));
      if (ev_ref_reads_i != '0) cnt_q[CntRefReads] <= sat_add(cnt_q[CntRefReads], 32'(ev_ref_reads_i));

      if (write_ok) begin
        unique case (paddr_i)
          pcm_ctrl_reg_pkg::CtrlOffset:        ctrl_q <= pwdata_i;
          pcm_ctrl_reg_pkg::CmdOffset: begin
            if (pwdata_i[pcm_ctrl_reg_pkg::CmdStartLsb]) begin
              nweights_q <= '0;
              nextcell_q <= '0;
            end
            if (pwdata_i[pcm_ctrl_reg_pkg::CmdClearCountersLsb]) begin
              for (int c = 0; c < NumCounters; c++) cnt_q[c] <= '0;
            end
            if (pwdata_i[pcm_ctrl_reg_pkg::CmdClearFlagsLsb]) begin
              nan_seen_q <= 1'b0;
              sat_seen_q <= 1'b0;
              bus_err_q <= 1'b0;
              rd_err_q <= 1'b0;
            end
          end
          pcm_ctrl_reg_pkg::ThresholdOffset:   threshold_q <= pwdata_i;
          pcm_ctrl_reg_pkg::ScaleSmallOffset:  scale_s_q <= pwdata_i;
          pcm_ctrl_reg_pkg::RscaleSmallOffset: rscale_s_q <= pwdata_i;
          pcm_ctrl_reg_pkg::ShiftSmallOffset:  shift_s_q <= pwdata_i;
          pcm_ctrl_reg_pkg::ScaleLargeOffset:  scale_l_q <= pwdata_i;
          pcm_ctrl_reg_pkg::RscaleLargeOffset: rscale_l_q <= pwdata_i;
          pcm_ctrl_reg_pkg::ShiftLargeOffset:  shift_l_q <= pwdata_i;
          pcm_ctrl_reg_pkg::CellsSmallOffset: begin
            cells_s_q <= pwdata_i;
            recip_s_q <= recip_of(CellCntWidth'(pwdata_i));
          end
          pcm_ctrl_reg_pkg::CellsLargeOffset: begin
            cells_l_q <= pwdata_i;
            recip_l_q <= recip_of(CellCntWidth'(pwdata_i));
          end
          pcm_ctrl_reg_pkg::CellsSensOffset: begin
            cells_n_q <= pwdata_i;
            recip_n_q <= recip_of(CellCntWidth'(pwdata_i));
          end
          pcm_ctrl_reg_pkg::RangeOffset:       range_q <= pwdata_i;
          pcm_ctrl_reg_pkg::ResOffset:         res_q <= pwdata_i;
          pcm_ctrl_reg_pkg::DirOffset:         dir_q <= pwdata_i;
          pcm_ctrl_reg_pkg::AnalogBaseOffset:  abase_q <= pwdata_i;
          pcm_ctrl_reg_pkg::MetaBaseOffset:    mbase_q <= pwdata_i;
          pcm_ctrl_reg_pkg::DirBaseOffset:     dbase_q <= pwdata_i;
          pcm_ctrl_reg_pkg::NumWeightsOffset:  nweights_q <= pwdata_i;
          pcm_ctrl_reg_pkg::PvPulsesOffset:    pvp_q <= pwdata_i;
          pcm_ctrl_reg_pkg::PvTolOffset:       pvt_q <= pwdata_i;
          pcm_ctrl_reg_pkg::PvGainOffset:      pvg_q <= pwdata_i;
          pcm_ctrl_reg_pkg::CompOffset:        comp_q <= pwdata_i;
          pcm_ctrl_reg_pkg::RefBaseOffset:     rbase_q <= pwdata_i;
          pcm_ctrl_reg_pkg::NextCellOffset:    nextcell_q <= pwdata_i;
          default: ;
        endcase
      end
      // The knots lie above every named register, so is_lut never meets a
      // case arm; outside the case, Verilator does not copy these writes
      // into each leaf of its decision tree over paddr_i.
      if (write_ok && is_lut)
        for (int k = 0; k < KnotCount; k++)
          if (lut_idx == $clog2(KnotCount)'(k)) lut_q[k*TWidth +: TWidth] <= pwdata_i[TWidth-1:0];
    end
  end

  assign prdata_o = (rd && hit) ? rdata : '0;
  assign pready_o = 1'b1;
  assign pslverr_o = refused;

  assign sp_o = ctrl_q[pcm_ctrl_reg_pkg::CtrlSpLsb];
  assign am_o = ctrl_q[pcm_ctrl_reg_pkg::CtrlAmLsb];
  assign ar_o = ctrl_q[pcm_ctrl_reg_pkg::CtrlArLsb];
  assign sens_o = ctrl_q[pcm_ctrl_reg_pkg::CtrlSensLsb];
  assign threshold_o = threshold_q[30:0];
  assign scale_small_o = scale_s_q[30:0];
  assign rscale_small_o = rscale_s_q[30:0];
  assign shift_small_o = shift_s_q[TWidth-1:0];
  assign scale_large_o = scale_l_q[30:0];
  assign rscale_large_o = rscale_l_q[30:0];
  assign shift_large_o = shift_l_q[TWidth-1:0];
  assign cells_small_o = cells_s_q[CellCntWidth-1:0];
  assign cells_large_o = cells_l_q[CellCntWidth-1:0];
  assign cells_sens_o = cells_n_q[CellCntWidth-1:0];
  assign recip_small_o = recip_s_q;
  assign recip_large_o = recip_l_q;
  assign recip_sens_o = recip_n_q;
  assign range_lo_o = range_q[pcm_ctrl_reg_pkg::RangeLoLsb +: 16];
  assign range_hi_o = range_q[pcm_ctrl_reg_pkg::RangeHiLsb +: 16];
  assign dac_bits_o = res_q[pcm_ctrl_reg_pkg::ResDacBitsLsb +: 5];
  assign adc_bits_o = res_q[pcm_ctrl_reg_pkg::ResAdcBitsLsb +: 5];
  assign block_log2_o = dir_q[pcm_ctrl_reg_pkg::DirBlockLog2Lsb +: 4];
  assign analog_base_o = abase_q;
  assign meta_base_o = mbase_q;
  assign dir_base_o = dbase_q;
  assign num_weights_o = nweights_q;
  assign next_cell_o = nextcell_q;
  assign pv_pulses_o = pvp_q[5:0];
  assign pv_tol_o = pvt_q[15:0];
  assign pv_gain_o = pvg_q[10:0];
  assign comp_en_o = comp_q[pcm_ctrl_reg_pkg::CompEnLsb];
  assign ref_log2_o = comp_q[pcm_ctrl_reg_pkg::CompRefLog2Lsb +: 3];
  assign ref_base_o = rbase_q;
  assign lut_o = lut_q;

  `PCM_ASSERT(RegNoSimultaneousAccessKinds, !(wr && rd), clk_i, rst_ni)
  `PCM_ASSERT(RegLutKnotFits, !(write_ok && is_lut) || pwdata_i == 32'($signed(pwdata_i[TWidth-1:0])), clk_i, rst_ni)
endmodule : pcm_ctrl_reg
