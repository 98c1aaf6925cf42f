// Assertion macros for the pcm_ctrl RTL.
//
// With --assert Verilator keeps concurrent SVA, so the macros emit plain SVA
// when PCM_ASSERT_ON is defined (the Verilator builds define it). Icarus
// Verilog and synthesis get nothing. Verilator is 2-state: no X checks here.
`ifndef PCM_ASSERT_SVH
`define PCM_ASSERT_SVH

`ifdef PCM_ASSERT_ON
// Property PROP holds on every rising edge of CLK outside reset.
`define PCM_ASSERT(NAME, PROP, CLK, RST_N) \
  NAME: assert property (@(posedge CLK) disable iff (!(RST_N)) (PROP)) \
    else $error("assertion %s failed", `"NAME`");

// Valid/ready rule: once VALID is high it stays high, with DATA stable, until READY.
`define PCM_ASSERT_HANDSHAKE(NAME, VALID, READY, DATA, CLK, RST_N) \
  NAME``_valid_held: assert property (@(posedge CLK) disable iff (!(RST_N)) \
    ((VALID) && !(READY)) |=> (VALID)) \
    else $error("handshake %s: valid dropped before ready", `"NAME`"); \
  NAME``_data_stable: assert property (@(posedge CLK) disable iff (!(RST_N)) \
    ((VALID) && !(READY)) |=> $stable(DATA)) \
    else $error("handshake %s: data changed while valid and not ready", `"NAME`");
`else
`define PCM_ASSERT(NAME, PROP, CLK, RST_N)
`define PCM_ASSERT_HANDSHAKE(NAME, VALID, READY, DATA, CLK, RST_N)
`endif

`endif  // PCM_ASSERT_SVH
