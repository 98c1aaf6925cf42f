// Write datapath: fp32 weight -> metadata record, cell count and DAC code.
//
// Stage 1 (input -> s1): NaN/inf check, sign protection, class decision,
//   fp32 * alpha to signed Q3.20 with rounding, shift by beta, saturation to
//   the usable range [lo, hi].
// Stage 2 (s1 -> s2): piecewise-linear pre-mapping x = h(t) through the LUT,
//   DAC quantization to the configured resolution, cell count selection, and
//   the verify target: t quantized at the ADC's resolution (what a read of
//   the cell should show, since the read path decodes ADC codes as t).
// Both stages hold their data while the next stage is not ready.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_encoder
#(
  parameter int DacWidth = 16,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int TFrac = pcm_ctrl_reg_pkg::TFrac,
  localparam int TWidth = pcm_ctrl_reg_pkg::TWidth,
  localparam int RangeFrac = pcm_ctrl_reg_pkg::RangeFrac,
  localparam int LutLog2 = pcm_ctrl_reg_pkg::LutLog2,
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int MetaWidth = pcm_ctrl_reg_pkg::MetaWidth,
  localparam int MantWidth = pcm_ctrl_pkg::MantWidth,
  localparam int ProdWidth = pcm_ctrl_pkg::ProdWidth,
  localparam int ExpBias = pcm_ctrl_pkg::ExpBias,
  localparam int MetaSignBit = pcm_ctrl_pkg::MetaSignBit,
  localparam int MetaLargeBit = pcm_ctrl_pkg::MetaLargeBit,
  localparam int MetaSensBit = pcm_ctrl_pkg::MetaSensBit,
  localparam int MagWidth = TWidth - 1,
  localparam int TExtWidth = TWidth + 2,
  localparam int KnotCount = pcm_ctrl_reg_pkg::LutEntries,
  localparam int SegShift = TFrac + 1 - LutLog2
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // configuration (stable while the write path is busy)
  input  logic                         sp_i,
  input  logic                         am_i,
  input  logic                         ar_i,
  input  logic                         sens_en_i,
  input  logic [30:0]                  threshold_i,  // sign bit is 0 (register check)
  input  logic [30:0]                  scale_small_i,
  input  logic [30:0]                  scale_large_i,
  input  logic [TWidth-1:0]            shift_small_i,
  input  logic [TWidth-1:0]            shift_large_i,
  input  logic [15:0]                  range_lo_i,
  input  logic [15:0]                  range_hi_i,
  input  logic [4:0]                   dac_bits_i,
  input  logic [4:0]                   adc_bits_i,
  input  logic [CellCntWidth-1:0]      cells_small_i,
  input  logic [CellCntWidth-1:0]      cells_large_i,
  input  logic [CellCntWidth-1:0]      cells_sens_i,
  input  logic [KnotCount*TWidth-1:0]  lut_i,
  // weights in
  input  logic                         in_valid_i,
  output logic                         in_ready_o,
  input  logic [31:0]                  in_weight_i,
  input  logic                         in_sens_i,
  input  logic                         in_last_i,
  // encoded weights out
  output logic                         out_valid_o,
  input  logic                         out_ready_i,
  output logic [DacWidth-1:0]          out_code_o,
  output logic [AdcWidth-1:0]          out_target_o,
  output logic [CellCntWidth-1:0]      out_cells_o,
  output logic [MetaWidth-1:0]         out_meta_o,
  output logic                         out_nan_o,
  output logic                         out_sat_o,
  output logic                         out_last_o,
  output logic                         busy_o
);
  localparam int ExpWidth = 10;  // signed exponent arithmetic
  localparam logic [MagWidth-1:0] MagMax = {MagWidth{1'b1}};  // not '1: Yosys 0.23 reads that as 1
  localparam int SegWidth = LutLog2 + 1;
  localparam int FracWidth = SegShift;
  localparam int XWidth = TWidth + 1;

  // ---------------------------------------------------------------- stage 1
  logic                 s1_valid_q, s1_valid_d;
  logic                 s1_nan_q, s1_nan_d;
  logic                 s1_sat_q, s1_sat_d;
  logic                 s1_last_q, s1_last_d;
  logic [MetaWidth-1:0] s1_meta_q, s1_meta_d;
  logic [TWidth-1:0]    s1_t_q, s1_t_d;
  logic                 s1_ready;

  logic [7:0]           w_exp, w_exp_eff, a_exp;
  logic                 w_sign, is_zero, is_large, map_large;
  logic [30:0]          scale;
  logic [TWidth-1:0]    beta;
  logic [MantWidth-1:0] w_mant, a_mant;
  logic [ProdWidth-1:0] prod;
  logic signed [ExpWidth-1:0] shamt;
  logic [ProdWidth+MagWidth-1:0] wide_left;
  logic [ProdWidth:0]   wide_right;
  logic [MagWidth-1:0]  mag;
  logic signed [TExtWidth-1:0] v, t_pre, lo, hi;

  // Each stage works out its data only for a weight it takes: the data
  // registers are read only behind their stage's valid bit, and the
  // Verilated model evaluates these blocks twice per cycle, weights or not
  // (docs/PERFORMANCE.md, "Idle stages").
  always_comb begin
    w_exp = '0;
    w_sign = 1'b0;
    is_zero = 1'b0;
    is_large = 1'b0;
    map_large = 1'b0;
    scale = '0;
    beta = '0;
    a_exp = '0;
    w_mant = '0;
    a_mant = '0;
    prod = '0;
    w_exp_eff = '0;
    shamt = '0;
    wide_left = '0;
    wide_right = '0;
    mag = '0;
    v = '0;
    t_pre = '0;
    lo = '0;
    hi = '0;

    s1_valid_d = s1_valid_q;
    s1_nan_d = s1_nan_q;
    s1_sat_d = s1_sat_q;
    s1_last_d = s1_last_q;
    s1_meta_d = s1_meta_q;
    s1_t_d = s1_t_q;
    if (s1_ready) s1_valid_d = in_valid_i;
    if (s1_ready && in_valid_i) begin
      w_exp = in_weight_i[30:23];
      w_sign = in_weight_i[31];
      is_zero = (in_weight_i[30:0] == '0);
      is_large = (am_i || ar_i) && (in_weight_i[30:0] >= threshold_i);
      map_large = am_i && is_large;
      scale = map_large ? scale_large_i : scale_small_i;
      beta = map_large ? shift_large_i : shift_small_i;
      a_exp = scale[30:23];
      w_mant = {w_exp != 8'd0, in_weight_i[22:0]};
      a_mant = {1'b1, scale[22:0]};
      prod = ProdWidth'(w_mant) * ProdWidth'(a_mant);
      // |w| * alpha = prod * 2^(ew + ea - 2*(127+23)); in Q.TFrac: shift by ew + ea - 300 + TFrac
      w_exp_eff = (w_exp == 8'd0) ? 8'd1 : w_exp;  // subnormals share exponent 1
      shamt = ExpWidth'(w_exp_eff) + ExpWidth'(a_exp)
              - ExpWidth'(2 * (ExpBias + MantWidth - 1) - TFrac);
      if (prod == '0) begin
        mag = '0;
      end else if (shamt >= 0) begin
        if (shamt >= ExpWidth'(MagWidth)) begin
          mag = MagMax;
        end else begin
          wide_left = (ProdWidth + MagWidth)'(prod) << shamt;
          mag = (wide_left > (ProdWidth + MagWidth)'(MagMax)) ? MagMax : wide_left[MagWidth-1:0];
        end
      end else if (-shamt <= ExpWidth'(ProdWidth)) begin
        // round half up on the bits shifted out
        wide_right = ((ProdWidth + 1)'(prod) + ((ProdWidth + 1)'(1) << (-shamt - 1))) >> (-shamt);
        mag = (wide_right > (ProdWidth + 1)'(MagMax)) ? MagMax : wide_right[MagWidth-1:0];
      end
      v = (sp_i || !w_sign) ? $signed(TExtWidth'(mag)) : -$signed(TExtWidth'(mag));
      t_pre = v - TExtWidth'($signed(beta));
      lo = TExtWidth'($signed(range_lo_i)) <<< (TFrac - RangeFrac);
      hi = TExtWidth'($signed(range_hi_i)) <<< (TFrac - RangeFrac);

      s1_nan_d = (w_exp == 8'hff);
      s1_last_d = in_last_i;
      s1_meta_d = '0;
      s1_meta_d[MetaSignBit] = sp_i && w_sign && !is_zero;
      s1_meta_d[MetaLargeBit] = is_large;
      s1_meta_d[MetaSensBit] = sens_en_i && in_sens_i;
      s1_sat_d = 1'b0;
      s1_t_d = TWidth'(t_pre);
      if (t_pre < lo) begin
        s1_t_d = TWidth'(lo);
        s1_sat_d = 1'b1;
      end else if (t_pre > hi) begin
        s1_t_d = TWidth'(hi);
        s1_sat_d = 1'b1;
      end
    end
  end

  // ---------------------------------------------------------------- stage 2
  logic                    s2_valid_q, s2_valid_d;
  logic                    s2_nan_q, s2_nan_d;
  logic                    s2_sat_q, s2_sat_d;
  logic                    s2_last_q, s2_last_d;
  logic [MetaWidth-1:0]    s2_meta_q, s2_meta_d;
  logic [DacWidth-1:0]     s2_code_q, s2_code_d;
  logic [AdcWidth-1:0]     s2_target_q, s2_target_d;
  logic [CellCntWidth-1:0] s2_cells_q, s2_cells_d;
  logic                    s2_ready;

  logic [TFrac+1:0]        u;
  logic [SegWidth-1:0]     seg, seg_hi;
  logic [FracWidth-1:0]    frac;
  logic signed [XWidth-1:0] knot_lo, knot_hi, x;
  logic signed [XWidth:0]  knot_diff;
  logic signed [XWidth+FracWidth:0] slope_prod;
  logic [DacWidth-1:0]     code_out;
  logic [AdcWidth-1:0]     tgt_out;

  // Cell count for a weight given its metadata record and the strategy enables
  // (pcm_reader.sv has the same rule; module-local: see there).
  function automatic logic [CellCntWidth-1:0] cells_for(
      input logic [MetaWidth-1:0] meta, input logic ar, input logic sens,
      input logic [CellCntWidth-1:0] r_small, input logic [CellCntWidth-1:0] r_large,
      input logic [CellCntWidth-1:0] r_sens);
    if (sens && meta[MetaSensBit]) cells_for = r_sens;
    else if (ar && meta[MetaLargeBit]) cells_for = r_large;
    else cells_for = r_small;
  endfunction

  // round(v * 2^(bits-1)) of a Q.TFrac value, half up, clamped to the bits-bit
  // range (module-local: see pcm_reader.sv on Icarus and package functions)
  function automatic logic signed [XWidth-1:0] code_of(input logic signed [XWidth-1:0] q,
                                                       input logic [4:0] bits);
    logic signed [XWidth-1:0] c, cmax, cmin;
    logic [4:0] sh;
    sh = 5'(TFrac + 1) - bits;
    c = (q + (XWidth'(1) <<< (sh - 5'd1))) >>> sh;
    cmax = (XWidth'(1) <<< (bits - 5'd1)) - XWidth'(1);
    cmin = -(XWidth'(1) <<< (bits - 5'd1));
    if (c > cmax) c = cmax;
    if (c < cmin) c = cmin;
    code_of = c;
  endfunction

  always_comb begin
    u = '0;
    seg = '0;
    seg_hi = '0;
    frac = '0;
    knot_lo = '0;
    knot_hi = '0;
    knot_diff = '0;
    slope_prod = '0;
    x = '0;
    code_out = '0;
    tgt_out = '0;

    s2_valid_d = s2_valid_q;
    s2_nan_d = s2_nan_q;
    s2_sat_d = s2_sat_q;
    s2_last_d = s2_last_q;
    s2_meta_d = s2_meta_q;
    s2_code_d = s2_code_q;
    s2_target_d = s2_target_q;
    s2_cells_d = s2_cells_q;
    if (s2_ready) s2_valid_d = s1_valid_q;
    if (s2_ready && s1_valid_q) begin
      u = (TFrac + 2)'(s1_t_q) + ((TFrac + 2)'(1) << TFrac);
      seg = SegWidth'(u >> SegShift);
      seg_hi = seg + SegWidth'(1);
      frac = u[FracWidth-1:0];
      knot_lo = XWidth'($signed(lut_i[TWidth*seg +: TWidth]));
      knot_hi = knot_lo;
      if (seg < SegWidth'(KnotCount - 1)) begin
        knot_hi = XWidth'($signed(lut_i[TWidth*seg_hi +: TWidth]));
        knot_diff = (XWidth + 1)'(knot_hi) - (XWidth + 1)'(knot_lo);
        slope_prod = (XWidth + FracWidth + 1)'(knot_diff) * (XWidth + FracWidth + 1)'($signed({1'b0, frac}));
      end
      x = knot_lo + XWidth'((slope_prod + ((XWidth + FracWidth + 1)'(1) << (FracWidth - 1)))
                            >>> FracWidth);
      code_out = DacWidth'(code_of(x, dac_bits_i));
      // the verify target: t at the ADC's resolution
      tgt_out = AdcWidth'(code_of(XWidth'($signed(s1_t_q)), adc_bits_i));

      s2_nan_d = s1_nan_q;
      s2_sat_d = s1_sat_q;
      s2_last_d = s1_last_q;
      s2_meta_d = s1_meta_q;
      s2_code_d = code_out;
      s2_target_d = tgt_out;
      s2_cells_d = cells_for(s1_meta_q, ar_i, sens_en_i, cells_small_i, cells_large_i,
                             cells_sens_i);
    end
  end

  assign s2_ready = !s2_valid_q || out_ready_i;
  assign s1_ready = !s1_valid_q || s2_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_nan_q <= 1'b0;
      s1_sat_q <= 1'b0;
      s1_last_q <= 1'b0;
      s1_meta_q <= '0;
      s1_t_q <= '0;
      s2_valid_q <= 1'b0;
      s2_nan_q <= 1'b0;
      s2_sat_q <= 1'b0;
      s2_last_q <= 1'b0;
      s2_meta_q <= '0;
      s2_code_q <= '0;
      s2_target_q <= '0;
      s2_cells_q <= '0;
    end else begin
      s1_valid_q <= s1_valid_d;
      s1_nan_q <= s1_nan_d;
      s1_sat_q <= s1_sat_d;
      s1_last_q <= s1_last_d;
      s1_meta_q <= s1_meta_d;
      s1_t_q <= s1_t_d;
      s2_valid_q <= s2_valid_d;
      s2_nan_q <= s2_nan_d;
      s2_sat_q <= s2_sat_d;
      s2_last_q <= s2_last_d;
      s2_meta_q <= s2_meta_d;
      s2_code_q <= s2_code_d;
      s2_target_q <= s2_target_d;
      s2_cells_q <= s2_cells_d;
    end
  end

  assign in_ready_o = s1_ready;
  assign out_valid_o = s2_valid_q;
  assign out_code_o = s2_code_q;
  assign out_target_o = s2_target_q;
  assign out_cells_o = s2_cells_q;
  assign out_meta_o = s2_meta_q;
  assign out_nan_o = s2_nan_q;
  assign out_sat_o = s2_sat_q;
  assign out_last_o = s2_last_q;
  assign busy_o = s1_valid_q || s2_valid_q;

  `PCM_ASSERT_HANDSHAKE(EncOut, out_valid_o, out_ready_i,
                        {out_code_o, out_target_o, out_cells_o, out_meta_o, out_nan_o, out_sat_o, out_last_o},
                        clk_i, rst_ni)
endmodule : pcm_encoder
