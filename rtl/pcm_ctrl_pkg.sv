// Widths and helpers shared by the pcm_ctrl modules. Register offsets, field
// positions and the fixed-point constants come from the generated
// pcm_ctrl_reg_pkg (rtl/regs/pcm_ctrl_regs.json). Every module file includes
// this file (guarded), so the sources compile in any order.
`ifndef PCM_CTRL_PKG_SV
`define PCM_CTRL_PKG_SV
`include "pcm_ctrl_reg_pkg.sv"

package pcm_ctrl_pkg;
  import pcm_ctrl_reg_pkg::*;

  localparam int AddrWidth = 32;             // cell and metadata addresses
  localparam int WordWidth = 32;             // one lane of the cell port
  localparam int MantWidth = 24;             // fp32 significand with the hidden bit
  localparam int ProdWidth = 2 * MantWidth;  // significand products
  localparam int MagWidth = TWidth - 1;      // |alpha * m| saturates below 2^(TWidth-1-TFrac)
  localparam int TExtWidth = TWidth + 2;     // t before saturation
  localparam int KnotCount = (1 << LutLog2) + 1;
  localparam int SegShift = TFrac + 1 - LutLog2;  // t + 1 in [0, 2) -> segment index
  localparam int RecipWidth = RecipFrac + 1;
  localparam int ExpBias = 127;

  // Bits of one metadata record.
  localparam int MetaSignBit = 0;
  localparam int MetaLargeBit = 1;
  localparam int MetaSensBit = 2;

  // Cell count for a weight given its metadata record and the strategy enables.
  function automatic logic [CellCntWidth-1:0] cells_for(
      input logic [MetaWidth-1:0] meta, input logic ar, input logic sens,
      input logic [CellCntWidth-1:0] r_small, input logic [CellCntWidth-1:0] r_large,
      input logic [CellCntWidth-1:0] r_sens);
    if (sens && meta[MetaSensBit]) return r_sens;
    if (ar && meta[MetaLargeBit]) return r_large;
    return r_small;
  endfunction

  // ceil(2^RecipFrac / r): the controller averages by multiplying.
  function automatic logic [RecipWidth-1:0] recip_of(input logic [CellCntWidth-1:0] r);
    logic [RecipWidth:0] num;
    num = (RecipWidth + 1)'((64'd1 << RecipFrac) + 64'(r) - 64'd1);
    if (r == '0) return '0;
    return RecipWidth'(num / (RecipWidth + 1)'(r));
  endfunction
endpackage : pcm_ctrl_pkg
`endif  // PCM_CTRL_PKG_SV
