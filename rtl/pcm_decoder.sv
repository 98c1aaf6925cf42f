// Read datapath: (sum of r ADC codes, metadata record) -> fp32 weight.
//
// Stage 1 (in -> s1): registers the sum.
// Stage 2 (s1 -> s2): mean in Q3.20 by multiplying with ceil(2^32 / r), plus
//   beta of the weight's class, sign handling.
// Stage 3 (s2 -> out): |m| * (1/alpha) as an fp32 significand product,
//   normalised and rounded (half up); underflow flushes to zero, overflow
//   clamps to the largest finite value.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_decoder
#(
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int TFrac = pcm_ctrl_reg_pkg::TFrac,
  localparam int TWidth = pcm_ctrl_reg_pkg::TWidth,
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int MetaWidth = pcm_ctrl_reg_pkg::MetaWidth,
  localparam int RecipFrac = pcm_ctrl_reg_pkg::RecipFrac,
  localparam int MantWidth = pcm_ctrl_pkg::MantWidth,
  localparam int ProdWidth = pcm_ctrl_pkg::ProdWidth,
  localparam int MetaSignBit = pcm_ctrl_pkg::MetaSignBit,
  localparam int MetaLargeBit = pcm_ctrl_pkg::MetaLargeBit,
  localparam int MetaSensBit = pcm_ctrl_pkg::MetaSensBit,
  localparam int MagWidth = TWidth - 1,
  localparam int TExtWidth = TWidth + 2,
  localparam int RecipWidth = RecipFrac + 1,
  localparam int SumWidth = AdcWidth + CellCntWidth
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // configuration
  input  logic                         sp_i,
  input  logic                         am_i,
  input  logic                         ar_i,
  input  logic                         sens_en_i,
  input  logic [30:0]                  rscale_small_i,
  input  logic [30:0]                  rscale_large_i,
  input  logic [TWidth-1:0]            shift_small_i,
  input  logic [TWidth-1:0]            shift_large_i,
  input  logic [4:0]                   adc_bits_i,
  input  logic [RecipWidth-1:0]        recip_small_i,
  input  logic [RecipWidth-1:0]        recip_large_i,
  input  logic [RecipWidth-1:0]        recip_sens_i,
  input  logic [TWidth-1:0]            drift_offset_i,  // pcm_refs: subtracted from every mean
  // summed read-outs in
  input  logic                         in_valid_i,
  output logic                         in_ready_o,
  input  logic [SumWidth-1:0]          in_sum_i,
  input  logic [MetaWidth-1:0]         in_meta_i,
  input  logic                         in_last_i,
  input  logic                         in_err_i,
  // weights out
  output logic                         out_valid_o,
  input  logic                         out_ready_i,
  output logic [31:0]                  out_weight_o,
  output logic                         out_last_o,
  output logic                         out_err_o,
  output logic                         busy_o
);
  localparam int NumWidth = SumWidth + RecipWidth + 1;
  localparam int LeadWidth = $clog2(ProdWidth);
  localparam int ExpWidth = 10;
  localparam int ExpOffset = TFrac + MantWidth - 1;  // prod * 2^-TFrac * 2^(er - 127 - 23)

  // ---------------------------------------------------------------- stage 1
  logic                 s1_valid_q, s1_last_q, s1_err_q;
  logic [SumWidth-1:0]  s1_sum_q;
  logic [MetaWidth-1:0] s1_meta_q;
  // ---------------------------------------------------------------- stage 2
  logic                 s2_valid_q, s2_last_q, s2_err_q, s2_neg_q;
  logic [MagWidth:0]    s2_mag_q;
  logic [30:0]          s2_rscale_q;
  // ---------------------------------------------------------------- out
  logic                 o_valid_q, o_last_q, o_err_q;
  logic [31:0]          o_weight_q;

  logic o_ready, s2_ready, s1_ready;
  assign o_ready = !o_valid_q || out_ready_i;
  assign s2_ready = !s2_valid_q || o_ready;
  assign s1_ready = !s1_valid_q || s2_ready;

  // stage 2 arithmetic
  logic                        map_large, sign;
  logic [RecipWidth-1:0]       recip;
  logic [TWidth-1:0]           beta;
  logic [4:0]                  up_shift, down_shift;
  logic signed [NumWidth-1:0]  num;
  /* verilator lint_off UNUSEDSIGNAL */  // high bits only repeat the sign
  logic signed [NumWidth-1:0]  mean;
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [TExtWidth-1:0] m;
  logic                        neg;
  logic [MagWidth:0]           mag;

  // Each stage works out its data only for a weight it holds: the data
  // registers are read only behind their stage's valid bit, and the
  // Verilated model evaluates these blocks at every cycle, weights or not
  // (docs/PERFORMANCE.md, "Idle stages").
  always_comb begin
    map_large = 1'b0;
    sign = 1'b0;
    recip = '0;
    beta = '0;
    up_shift = '0;
    down_shift = '0;
    num = '0;
    mean = '0;
    m = '0;
    neg = 1'b0;
    mag = '0;
    if (s1_valid_q) begin
      map_large = am_i && s1_meta_q[MetaLargeBit];
      sign = sp_i && s1_meta_q[MetaSignBit];
      if (sens_en_i && s1_meta_q[MetaSensBit]) recip = recip_sens_i;
      else if (ar_i && s1_meta_q[MetaLargeBit]) recip = recip_large_i;
      else recip = recip_small_i;
      beta = map_large ? shift_large_i : shift_small_i;
      // mean (Q.TFrac) = sum * 2^(TFrac + 1 - b) / r
      up_shift = 5'(TFrac + 1) - adc_bits_i;
      down_shift = 5'(RecipFrac) - up_shift;
      num = NumWidth'($signed(s1_sum_q)) * $signed({1'b0, recip});
      mean = (num + (NumWidth'(1) <<< (down_shift - 5'd1))) >>> down_shift;
      m = TExtWidth'(mean) - TExtWidth'($signed(drift_offset_i)) + TExtWidth'($signed(beta));
      if (sp_i && m < 0) m = '0;  // the magnitude of a sign-protected weight is >= 0
      neg = sp_i ? sign : (m < 0);
      mag = (MagWidth + 1)'(m < 0 ? -m : m);
    end
  end

  // stage 3 arithmetic
  logic [ProdWidth-1:0]   prod, rest;
  logic [LeadWidth-1:0]   lead;
  logic [MantWidth:0]     mant;
  logic signed [ExpWidth-1:0] exp_b;
  logic [31:0]            packed_w;

  always_comb begin
    prod = '0;
    lead = '0;
    rest = '0;
    exp_b = '0;
    mant = '0;
    packed_w = '0;
    if (s2_valid_q) begin
      prod = ProdWidth'(s2_mag_q) * ProdWidth'({1'b1, s2_rscale_q[22:0]});
      // the leading one (0 for prod == 0), found by halving: a scan of every
      // bit costs the Verilated model a test per bit at every cycle
      rest = prod;
      for (int s = LeadWidth - 1; s >= 0; s--) begin
        if ((rest >> (1 << s)) != '0) begin
          lead[s] = 1'b1;
          rest = rest >> (1 << s);
        end
      end
      exp_b = ExpWidth'(lead) + ExpWidth'(s2_rscale_q[30:23]) - ExpWidth'(ExpOffset);
      if (lead >= LeadWidth'(MantWidth)) begin
        mant = (MantWidth + 1)'(prod >> (lead - LeadWidth'(MantWidth - 1)));
        mant = mant + (MantWidth + 1)'(prod[lead - LeadWidth'(MantWidth)]);
        if (mant[MantWidth]) begin
          mant = mant >> 1;
          exp_b = exp_b + ExpWidth'(1);
        end
      end else begin
        mant = (MantWidth + 1)'(prod << (LeadWidth'(MantWidth - 1) - lead));
      end
      if (prod == '0 || exp_b <= 0) begin
        packed_w = {s2_neg_q, 31'd0};
      end else if (exp_b >= ExpWidth'(255)) begin
        packed_w = {s2_neg_q, 8'hfe, 23'h7fffff};
      end else begin
        packed_w = {s2_neg_q, exp_b[7:0], mant[22:0]};
      end
      if (s2_err_q) packed_w = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_last_q <= 1'b0;
      s1_err_q <= 1'b0;
      s1_sum_q <= '0;
      s1_meta_q <= '0;
      s2_valid_q <= 1'b0;
      s2_last_q <= 1'b0;
      s2_err_q <= 1'b0;
      s2_neg_q <= 1'b0;
      s2_mag_q <= '0;
      s2_rscale_q <= '0;
      o_valid_q <= 1'b0;
      o_last_q <= 1'b0;
      o_err_q <= 1'b0;
      o_weight_q <= '0;
    end else begin
      // the data registers load only with a weight (see above)
      if (s1_ready) s1_valid_q <= in_valid_i;
      if (s1_ready && in_valid_i) begin
        s1_last_q <= in_last_i;
        s1_err_q <= in_err_i;
        s1_sum_q <= in_sum_i;
        s1_meta_q <= in_meta_i;
      end
      if (s2_ready) s2_valid_q <= s1_valid_q;
      if (s2_ready && s1_valid_q) begin
        s2_last_q <= s1_last_q;
        s2_err_q <= s1_err_q;
        s2_neg_q <= neg;
        s2_mag_q <= mag;
        s2_rscale_q <= map_large ? rscale_large_i : rscale_small_i;
      end
      if (o_ready) o_valid_q <= s2_valid_q;
      if (o_ready && s2_valid_q) begin
        o_last_q <= s2_last_q;
        o_err_q <= s2_err_q;
        o_weight_q <= packed_w;
      end
    end
  end

  assign in_ready_o = s1_ready;
  assign out_valid_o = o_valid_q;
  assign out_weight_o = o_weight_q;
  assign out_last_o = o_last_q;
  assign out_err_o = o_err_q;
  assign busy_o = s1_valid_q || s2_valid_q || o_valid_q;

  `PCM_ASSERT_HANDSHAKE(RdOut, out_valid_o, out_ready_i, {out_weight_o, out_last_o, out_err_o},
                        clk_i, rst_ni)
endmodule : pcm_decoder
