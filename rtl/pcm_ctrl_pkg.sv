// Widths shared by the pcm_ctrl modules that do not come from the register
// description. Register offsets, field positions and the fixed-point
// constants come from the generated pcm_ctrl_reg_pkg
// (rtl/regs/pcm_ctrl_regs.json); widths derived from both are computed in the
// modules' headers, since Yosys 0.23 lets no package refer to another. Every
// module file includes this file (guarded), so the sources compile in any
// order.
`ifndef PCM_CTRL_PKG_SV
`define PCM_CTRL_PKG_SV
`include "pcm_ctrl_reg_pkg.sv"

package pcm_ctrl_pkg;
  localparam int AddrWidth = 32;             // cell and metadata addresses
  localparam int WordWidth = 32;             // one lane of the cell port
  localparam int MantWidth = 24;             // fp32 significand with the hidden bit
  localparam int ProdWidth = 2 * MantWidth;  // significand products
  localparam int ExpBias = 127;

  // Bits of one metadata record.
  localparam int MetaSignBit = 0;
  localparam int MetaLargeBit = 1;
  localparam int MetaSensBit = 2;
endpackage : pcm_ctrl_pkg
`endif  // PCM_CTRL_PKG_SV
