// tb_pcm_ctrl_directed: directed cross-simulator bench for pcm_ctrl.
//
// Runs unchanged under Icarus Verilog 11 (iverilog -g2012) and Verilator 5
// (verilator --binary --timing) and writes one line per observable event to
// the file named by +out=PATH (default xsim_out.txt). run_xsim.cmake runs both
// and requires the two files to be identical.
//
// Every line starts with the number of the rising clock edge it belongs to.
// Events (APB accesses, write-stream and read-request handshakes, cell
// requests and responses, read beats) are all logged by one clocked process,
// in a fixed order, from the values sampled at the rising edge. Everything the
// bench drives changes on falling edges only (the stimulus thread and the
// environment's outputs), and the thread learns about handshakes from counters
// that the clocked process keeps. So nothing depends on how a simulator orders
// processes within a time step (Verilator 5 runs clocked blocks after the
// timing coroutines resumed by the same edge; Icarus does not).
//
// Log lines:
//   <edge> apb W|R <addr> <wdata|rdata> <pslverr>
//   <edge> wr <weight> <sens> <last>           write-stream handshake
//   <edge> rq <index> <count>                  read-request handshake
//   <edge> req W|R A|D <addr> <count> [<lane data>...]   cell request
//   <edge> rsp <lane0> .. <lane3>              cell response taken
//   <edge> rd <weight> <last> <err>            read beat
//   <edge> # <note> / final <what> <value> / end of test / ERROR <why>
//
// Kept plain on purpose (Icarus 11): no classes, queues, concurrent assertions
// or whole-array assignments; int instead of int unsigned. Plusargs: +out=PATH,
// +max_cycles=N (hang guard, default 200000).

module tb_pcm_ctrl_directed;
  import pcm_ctrl_reg_pkg::*;
  import pcm_ctrl_pkg::*;

  localparam int NumLanes = 4;
  localparam int DacWidth = 16;
  localparam int AdcWidth = 16;
  localparam int LaneCntWidth = $clog2(NumLanes + 1);
  localparam int BusWidth = NumLanes * WordWidth;
  localparam int MemWords = 4096;      // per memory; addresses wrap (power of two)
  localparam int RspDepth = 64;        // response FIFO of the cell model
  localparam int RspLatency = 2;       // request edge -> first edge the response can go
  localparam int NumVec = 40;          // weights per configuration
  localparam int MaxPolls = 5000;      // STATUS polls before giving up

  // ------------------------------------------------------------ DUT signals
  logic                        clk;
  logic                        rst_ni;
  logic                        psel, penable, pwrite;
  logic [RegAddrWidth-1:0]     paddr;
  logic [31:0]                 pwdata, prdata;
  logic                        pready, pslverr;
  logic                        wr_valid, wr_ready, wr_sens, wr_last;
  logic [31:0]                 wr_weight;
  logic                        rq_valid, rq_ready;
  logic [31:0]                 rq_index, rq_count;
  logic                        rd_valid, rd_ready, rd_last, rd_err;
  logic [31:0]                 rd_weight;
  logic                        cell_req_valid, cell_req_ready, cell_req_write, cell_req_digital;
  logic [AddrWidth-1:0]        cell_req_addr;
  logic [LaneCntWidth-1:0]     cell_req_count;
  logic [BusWidth-1:0]         cell_req_wdata;
  logic                        cell_rsp_valid, cell_rsp_ready;
  logic [BusWidth-1:0]         cell_rsp_rdata;
  logic [4:0]                  cell_dac_bits, cell_adc_bits;
  logic                        busy;

`ifdef GATE_LEVEL
  // the Yosys netlist: parameters fixed at synthesis (4 lanes, 16/16 bits)
  pcm_ctrl dut (
`else
  pcm_ctrl #(
    .NumLanes(NumLanes),
    .DacWidth(DacWidth),
    .AdcWidth(AdcWidth)
  ) dut (
`endif
    .clk_i             (clk),
    .rst_ni            (rst_ni),
    .psel_i            (psel),
    .penable_i         (penable),
    .pwrite_i          (pwrite),
    .paddr_i           (paddr),
    .pwdata_i          (pwdata),
    .prdata_o          (prdata),
    .pready_o          (pready),
    .pslverr_o         (pslverr),
    .wr_valid_i        (wr_valid),
    .wr_ready_o        (wr_ready),
    .wr_weight_i       (wr_weight),
    .wr_sens_i         (wr_sens),
    .wr_last_i         (wr_last),
    .rq_valid_i        (rq_valid),
    .rq_ready_o        (rq_ready),
    .rq_index_i        (rq_index),
    .rq_count_i        (rq_count),
    .rd_valid_o        (rd_valid),
    .rd_ready_i        (rd_ready),
    .rd_weight_o       (rd_weight),
    .rd_last_o         (rd_last),
    .rd_err_o          (rd_err),
    .cell_req_valid_o  (cell_req_valid),
    .cell_req_ready_i  (cell_req_ready),
    .cell_req_write_o  (cell_req_write),
    .cell_req_digital_o(cell_req_digital),
    .cell_req_addr_o   (cell_req_addr),
    .cell_req_count_o  (cell_req_count),
    .cell_req_wdata_o  (cell_req_wdata),
    .cell_rsp_valid_i  (cell_rsp_valid),
    .cell_rsp_ready_o  (cell_rsp_ready),
    .cell_rsp_rdata_i  (cell_rsp_rdata),
    .cell_dac_bits_o   (cell_dac_bits),
    .cell_adc_bits_o   (cell_adc_bits),
    .busy_o            (busy)
  );

  // ------------------------------------------------------------ clock, output file
  initial clk = 1'b0;
  always #5 clk = ~clk;

  string fname;
  int    fd;
  int    cyc;         // rising edges seen so far
  int    max_cycles;  // hang guard

  initial begin
    if (!$value$plusargs("out=%s", fname)) fname = "xsim_out.txt";
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 200000;
    fd = $fopen(fname, "w");
    if (fd == 0) $fatal(1, "cannot open %s", fname);
  end

  // ------------------------------------------------------------ environment modes
  // Changed by the stimulus thread on falling edges only.
  int rd_mode;    // 0: rd_ready always 1; 1: about half; 2: about three quarters
  int creq_mode;  // same for cell_req_ready

  // ------------------------------------------------------------ cell array model
  // Noiseless. Analog cells hold the DAC code (sign-extended), reads return it
  // at the ADC resolution; digital words are stored and returned as they are.
  int                  amem [MemWords];
  int                  dmem [MemWords];
  logic [BusWidth-1:0] fifo_data [RspDepth];
  int                  fifo_due [RspDepth];
  int                  fifo_head, fifo_tail, fifo_cnt;
  logic [31:0]         lfsr;

  // value = code / 2^(dac-1); ADC code = round(value * 2^(adc-1)), clamped
  function automatic int adc_of(input int code, input int dacb, input int adcb);
    int v;
    int sh;
    int half;
    int vmax;
    if (adcb >= dacb) begin
      v = code * (1 << (adcb - dacb));
    end else begin
      sh = dacb - adcb;
      half = 1 << (sh - 1);
      if (code >= 0) v = (code + half) / (1 << sh);
      else v = -((half - code) / (1 << sh));  // half away from zero
    end
    vmax = (1 << (adcb - 1)) - 1;
    if (v > vmax) v = vmax;
    if (v < -vmax - 1) v = -vmax - 1;
    return v;
  endfunction

  // Writes an ERROR line, flushes the file (Verilator's $fatal aborts without
  // flushing) and stops with a non-zero exit status.
  task automatic die(input string why);
    $fdisplay(fd, "%0d ERROR %s", cyc, why);
    $fflush(fd);
    $fatal(1, "%s at edge %0d", why, cyc);
  endtask

  // ------------------------------------------------------------ monitor + environment
  // Rising edge: log the edge's transfers (always in this order), update the
  // cell model, record what the stimulus thread waits for, and work out what
  // the environment drives next. Falling edge: drive it. The stimulus thread
  // also runs on falling edges only, so nothing the bench does shares a time
  // step with the DUT's flip-flops.
  logic [BusWidth-1:0] rsp_word;
  int                  a;
  int                  l;
  // transfers seen so far, for the stimulus thread (it compares with the
  // count before it drove, so it never misses an edge)
  int                  apb_n, wr_n, rq_n, rd_last_n;
  // every read beat, in order (the self-check of configuration 0)
  localparam int       MaxBeats = 1024;
  logic [31:0]         beats [MaxBeats];
  int                  beat_n;
  logic [31:0]         apb_rdata_seen;
  logic                apb_err_seen;
  // environment outputs for the next rising edge
  logic                nxt_rsp_valid, nxt_rd_ready, nxt_creq_ready;
  logic [BusWidth-1:0] nxt_rsp_rdata;

  always @(posedge clk) begin
    cyc = cyc + 1;
    lfsr = {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};
    if (!rst_ni) begin
      for (int i = 0; i < MemWords; i++) begin
        amem[i] = 0;
        dmem[i] = 0;
      end
      fifo_head = 0;
      fifo_tail = 0;
      fifo_cnt = 0;
    end else begin
      if (psel && penable) begin
        if (!pready) die("pready low in an access phase");
        if (pwrite) $fdisplay(fd, "%0d apb W %03h %08h %0d", cyc, paddr, pwdata, pslverr);
        else $fdisplay(fd, "%0d apb R %03h %08h %0d", cyc, paddr, prdata, pslverr);
        apb_n = apb_n + 1;
        apb_rdata_seen = prdata;
        apb_err_seen = pslverr;
      end
      if (wr_valid && wr_ready) begin
        $fdisplay(fd, "%0d wr %08h %0d %0d", cyc, wr_weight, wr_sens, wr_last);
        wr_n = wr_n + 1;
      end
      if (rq_valid && rq_ready) begin
        $fdisplay(fd, "%0d rq %0d %0d", cyc, rq_index, rq_count);
        rq_n = rq_n + 1;
      end
      if (cell_rsp_valid && cell_rsp_ready) begin
        $fwrite(fd, "%0d rsp", cyc);
        for (l = 0; l < NumLanes; l++) $fwrite(fd, " %08h", cell_rsp_rdata[l*WordWidth +: WordWidth]);
        $fwrite(fd, "\n");
        fifo_head = (fifo_head + 1) % RspDepth;
        fifo_cnt = fifo_cnt - 1;
      end
      if (cell_req_valid && cell_req_ready) begin
        $fwrite(fd, "%0d req %s %s %08h %0d", cyc, cell_req_write ? "W" : "R",
                cell_req_digital ? "D" : "A", cell_req_addr, cell_req_count);
        if (cell_req_write) begin
          for (l = 0; l < int'(cell_req_count); l++) begin
            $fwrite(fd, " %08h", cell_req_wdata[l*WordWidth +: WordWidth]);
            a = int'((cell_req_addr + 32'(l)) & 32'(MemWords - 1));
            if (cell_req_digital) dmem[a] = cell_req_wdata[l*WordWidth +: WordWidth];
            else amem[a] = cell_req_wdata[l*WordWidth +: WordWidth];
          end
        end else begin
          rsp_word = '0;
          for (l = 0; l < int'(cell_req_count); l++) begin
            a = int'((cell_req_addr + 32'(l)) & 32'(MemWords - 1));
            if (cell_req_digital) rsp_word[l*WordWidth +: WordWidth] = dmem[a];
            else rsp_word[l*WordWidth +: WordWidth] =
                adc_of(amem[a], int'(cell_dac_bits), int'(cell_adc_bits));
          end
          if (fifo_cnt == RspDepth) begin
            die("cell response FIFO overflow");
          end
          fifo_data[fifo_tail] = rsp_word;
          fifo_due[fifo_tail] = cyc + RspLatency;
          fifo_tail = (fifo_tail + 1) % RspDepth;
          fifo_cnt = fifo_cnt + 1;
        end
        $fwrite(fd, "\n");
      end
      if (rd_valid && rd_ready) begin
        $fdisplay(fd, "%0d rd %08h %0d %0d", cyc, rd_weight, rd_last, rd_err);
        beats[beat_n % MaxBeats] = rd_weight;
        beat_n = beat_n + 1;
        if (rd_last) rd_last_n = rd_last_n + 1;
      end
      if (cyc > max_cycles) die("timeout: the bench did not finish in time");
    end

    // what the environment drives for the next rising edge (cyc + 1)
    nxt_rsp_valid = 1'b0;
    nxt_rsp_rdata = '0;
    if (fifo_cnt != 0 && fifo_due[fifo_head] <= cyc + 1) begin
      nxt_rsp_valid = 1'b1;
      nxt_rsp_rdata = fifo_data[fifo_head];
    end
    case (rd_mode)
      1: nxt_rd_ready = lfsr[0];
      2: nxt_rd_ready = lfsr[0] | lfsr[5];
      default: nxt_rd_ready = 1'b1;
    endcase
    case (creq_mode)
      1: nxt_creq_ready = lfsr[7];
      2: nxt_creq_ready = lfsr[7] | lfsr[11];
      default: nxt_creq_ready = 1'b1;
    endcase
  end

  always @(negedge clk) begin
    cell_rsp_valid = nxt_rsp_valid;
    cell_rsp_rdata = nxt_rsp_rdata;
    rd_ready = nxt_rd_ready;
    cell_req_ready = nxt_creq_ready;
  end

  // ------------------------------------------------------------ stimulus helpers
  // Each helper starts and ends on a falling edge. It drives the DUT inputs
  // there and learns about handshakes from the transfer counters kept at the
  // rising edges in between.

  task automatic note(input string s);
    $fdisplay(fd, "%0d # %s", cyc, s);
  endtask

  // result of the last access
  logic [31:0] apb_rdata;
  logic        apb_err;

  task automatic apb(input logic write, input logic [RegAddrWidth-1:0] addr,
                     input logic [31:0] wdata);
    int n0;
    n0 = apb_n;
    psel = 1'b1;  // setup phase
    penable = 1'b0;
    pwrite = write;
    paddr = addr;
    pwdata = write ? wdata : 32'h0;
    @(negedge clk);
    penable = 1'b1;  // access phase
    @(negedge clk);
    if (apb_n != n0 + 1) die("APB access not seen");
    apb_rdata = apb_rdata_seen;
    apb_err = apb_err_seen;
    psel = 1'b0;
    penable = 1'b0;
    pwrite = 1'b0;
    pwdata = 32'h0;
  endtask

  task automatic wr(input logic [RegAddrWidth-1:0] addr, input logic [31:0] data);
    apb(1'b1, addr, data);
  endtask

  task automatic rd(input logic [RegAddrWidth-1:0] addr);
    apb(1'b0, addr, 32'h0);
  endtask

  // ------------------------------------------------------------ self-checks
  // Expected values come from rtl/README.md (register map, arithmetic), not
  // from the design or the model, so a wrong answer both simulators agree on
  // still fails.
  task automatic expect_err(input logic [RegAddrWidth-1:0] addr, input logic err);
    if (apb_err !== err)
      die($sformatf("APB 0x%03h: PSLVERR %0d, the register map says %0d", addr, apb_err, err));
  endtask

  task automatic wr_x(input logic [RegAddrWidth-1:0] addr, input logic [31:0] data, input logic err);
    wr(addr, data);
    expect_err(addr, err);
  endtask

  task automatic rd_x(input logic [RegAddrWidth-1:0] addr, input logic [31:0] want);
    rd(addr);
    expect_err(addr, 1'b0);
    if (apb_rdata !== want)
      die($sformatf("APB read 0x%03h: 0x%08h, expected 0x%08h", addr, apb_rdata, want));
  endtask

  // What a weight reads back as in configuration 0 (rtl/README.md: no
  // strategy, scale 1, shift 0, RANGE [-1, 1], the identity LUT, 16-bit DAC
  // and ADC, one cell, this bench's noiseless cells): t = |w| 2^20 rounded
  // half up, signed, clipped to [-2^20, 2^20]; code = (t + 16) >>> 5 clipped
  // to [-32768, 32767]; the read-back is code / 2^15 (+0 for 0).
  function automatic logic [31:0] identity_readback(input logic [31:0] w);
    int     e, s, p;
    longint m, t, c, n;
    e = int'(w[30:23]);
    m = longint'({e != 0, w[22:0]});
    if (e == 0) e = 1;
    s = 130 - e;  // |w| 2^20 = m 2^(e - 130)
    if (s <= 0) t = longint'(1) << 21;
    else if (s > 40) t = 0;
    else t = (m + (longint'(1) << (s - 1))) >> s;
    if (t > (longint'(1) << 20)) t = longint'(1) << 20;
    if (w[31]) t = -t;
    c = (t + 16) >>> 5;
    if (c > 32767) c = 32767;
    if (c < -32768) c = -32768;
    n = (c < 0) ? -c : c;
    if (n == 0) return 32'h0;
    p = 0;
    for (int i = 0; i < 17; i++) if (n >= (longint'(1) << i)) p = i;
    return {c < 0, 8'(p - 15 + 127), 23'((n << (23 - p)) & 64'h7f_ffff)};
  endfunction

  // the beats of the read of the whole tensor from beat b0 on
  task automatic check_identity(input int b0, input int n);
    int j;
    j = 0;
    for (int i = 0; i < NumVec; i++) begin
      if (vec[i][30:23] != 8'hff) begin  // NaN and infinity are not stored
        if (beats[(b0 + j) % MaxBeats] !== identity_readback(vec[i]))
          die($sformatf("cfg 0 weight %0d (0x%08h): read back 0x%08h, expected 0x%08h", j, vec[i],
                        beats[(b0 + j) % MaxBeats], identity_readback(vec[i])));
        j = j + 1;
      end
    end
    if (j != n) die($sformatf("cfg 0: NUM_WEIGHTS %0d, expected %0d", n, j));
  endtask

  task automatic wait_idle;
    int polls;
    polls = 0;
    rd(StatusOffset);
    while (apb_rdata[StatusWrBusyLsb] || apb_rdata[StatusRdBusyLsb]) begin
      polls++;
      if (polls > MaxPolls) begin
        die("controller still busy");
      end
      rd(StatusOffset);
    end
  endtask

  // takes effect from the second rising edge on
  task automatic set_modes(input int rdm, input int crm);
    rd_mode = rdm;
    creq_mode = crm;
  endtask

  task automatic send_weight(input logic [31:0] w, input logic s, input logic last);
    int n0;
    n0 = wr_n;
    wr_valid = 1'b1;
    wr_weight = w;
    wr_sens = s;
    wr_last = last;
    @(negedge clk);
    while (wr_n == n0) @(negedge clk);
    wr_valid = 1'b0;
    wr_weight = 32'h0;
    wr_sens = 1'b0;
    wr_last = 1'b0;
  endtask

  // one read request; returns after the beat with last (or the error beat)
  task automatic read_req(input int index, input int count);
    int n0;
    int m0;
    n0 = rq_n;
    m0 = rd_last_n;
    rq_valid = 1'b1;
    rq_index = index;
    rq_count = count;
    @(negedge clk);
    while (rq_n == n0) @(negedge clk);
    rq_valid = 1'b0;
    rq_index = 32'h0;
    rq_count = 32'h0;
    while (rd_last_n == m0) @(negedge clk);
  endtask

  // ------------------------------------------------------------ weight vectors
  logic [31:0] vec [NumVec];
  logic        vsens [NumVec];

  task automatic fill_vectors(input int cfg, input logic nan_last);
    logic [31:0] r;
    logic [7:0]  e;
    vec[0] = 32'h0000_0000;   // +0
    vec[1] = 32'h8000_0000;   // -0
    vec[2] = 32'h0000_0001;   // smallest subnormal
    vec[3] = 32'h807f_ffff;   // largest subnormal, negative
    vec[4] = 32'h3e80_0000;   // 0.25 = threshold
    vec[5] = 32'hbe80_0000;   // -0.25
    vec[6] = 32'h3e7f_ffff;   // just below the threshold
    vec[7] = 32'h3f00_0000;   // 0.5
    vec[8] = 32'hbf00_0000;   // -0.5
    vec[9] = 32'h3f40_0000;   // 0.75
    vec[10] = 32'hbf40_0000;  // -0.75
    vec[11] = 32'h3f80_0000;  // 1.0
    vec[12] = 32'hbf80_0000;  // -1.0
    vec[13] = 32'h7fc0_0000;  // NaN (refused)
    vec[14] = 32'h7f80_0000;  // +inf (refused)
    vec[15] = 32'h7f00_0000;  // huge
    vec[16] = 32'hff00_0000;  // huge, negative
    vec[17] = 32'h3dcc_cccd;  // 0.1
    vec[18] = 32'hbdcc_cccd;  // -0.1
    vec[19] = 32'h3c23_d70a;  // 0.01
    vec[20] = 32'h38d1_b717;  // 1e-4
    vec[21] = 32'h3eaa_aaab;  // 1/3
    vec[22] = 32'hbeaa_aaab;  // -1/3
    vec[23] = 32'h3f2a_aaab;  // 2/3
    vec[24] = 32'h3f3f_ffff;  // just below 0.75
    vec[25] = 32'hbf40_0001;  // just beyond -0.75
    vec[26] = 32'h3380_0000;  // 2^-24
    vec[27] = 32'hb700_0000;  // -2^-17
    vec[28] = 32'hff80_0000;  // -inf (refused)
    vec[29] = 32'h3e80_0001;  // just above the threshold
    r = 32'h1234_5678 ^ (32'(cfg) * 32'h9e37_79b9);
    for (int i = 30; i < NumVec; i++) begin
      r = r * 32'd1664525 + 32'd1013904223;
      e = 8'h70 + {4'h0, r[27:24]} % 8'd15;  // 2^-15 .. 2^-1
      vec[i] = {r[31], e, r[22:0]};
    end
    if (nan_last) vec[NumVec-1] = 32'h7fc0_0000;
    for (int i = 0; i < NumVec; i++) vsens[i] = ((i + cfg) % 3) == 1;
  endtask

  // ------------------------------------------------------------ one tensor
  int nweights;

  task automatic stream_tensor(input int cfg, input int gap_every, input logic nan_last,
                               input logic poke_busy);
    wr(CmdOffset, 32'h1);  // START
    fill_vectors(cfg, nan_last);
    for (int i = 0; i < NumVec; i++) begin
      send_weight(vec[i], vsens[i], i == NumVec - 1);
      if (gap_every != 0 && (i % gap_every) == gap_every - 1) @(negedge clk);
    end
    if (poke_busy) begin
      // configuration is locked and START refused while the write path is busy
      wr(ThresholdOffset, 32'h3f00_0000);
      wr(CmdOffset, 32'h1);
    end
    wait_idle();
  endtask

  logic check_cfg0;  // the stimulus thread's own: configuration 0 is self-checked

  task automatic read_back(input logic oob);
    int b0;
    rd(NumWeightsOffset);
    nweights = int'(apb_rdata);
    rd(NextCellOffset);
    note("read all");
    b0 = beat_n;
    read_req(0, nweights);
    if (check_cfg0) check_identity(b0, nweights);
    note("read 13+7");
    read_req(13, 7);
    if (oob) begin
      note("read out of range");
      read_req(nweights - 2, 5);
      note("read count 0");
      read_req(0, 0);
      rd(StatusOffset);
    end
    wait_idle();
    rd(WeightsReadOffset);
    rd(CellsReadOffset);
  endtask

  // ------------------------------------------------------------ the test
  // State shared between the stimulus thread and the clocked processes starts
  // in its own initial block: Verilator 5.006 propagates a value that the
  // thread's own block assigned across the thread's later waits, so the thread
  // would never see what the clocked block wrote in between.
  initial begin
    cyc = 0;
    lfsr = 32'hace1_2461;
    rd_mode = 0;
    creq_mode = 0;
    apb_n = 0;
    wr_n = 0;
    rq_n = 0;
    rd_last_n = 0;
    beat_n = 0;
    apb_rdata_seen = '0;
    apb_err_seen = 1'b0;
    nxt_rsp_valid = 1'b0;
    nxt_rsp_rdata = '0;
    nxt_rd_ready = 1'b1;
    nxt_creq_ready = 1'b1;
  end

  initial begin
    rst_ni = 1'b0;
    psel = 1'b0;
    penable = 1'b0;
    pwrite = 1'b0;
    paddr = '0;
    pwdata = '0;
    wr_valid = 1'b0;
    wr_weight = '0;
    wr_sens = 1'b0;
    wr_last = 1'b0;
    rq_valid = 1'b0;
    rq_index = '0;
    rq_count = '0;
    check_cfg0 = 1'b0;
    repeat (5) @(negedge clk);
    rst_ni = 1'b1;
    note("reset released");

    // ---------------------------------------------------- register checks
    note("registers: refused accesses");
    rd_x(ParamsOffset, 32'h0510_1004);  // LutLog2 5, AdcWidth 16, DacWidth 16, NumLanes 4
    rd_x(StatusOffset, 32'h0);
    wr_x(12'h0fc, 32'h1, 1'b1);                 // unmapped
    rd(12'h0fc);                                // unmapped read
    expect_err(12'h0fc, 1'b1);
    wr_x(WeightsWrittenOffset, 32'h5, 1'b1);    // read-only counter
    wr_x(StatusOffset, 32'h0, 1'b1);            // read-only
    wr_x(CellsSmallOffset, 32'h0, 1'b1);        // below 1
    wr_x(CellsLargeOffset, 32'h401, 1'b1);      // above 1024
    wr_x(RangeOffset, 32'h2000_2000, 1'b1);     // lo == hi
    wr_x(RangeOffset, 32'h1000_2000, 1'b1);     // lo > hi
    wr_x(RangeOffset, 32'h4001_c000, 1'b1);     // hi > 1
    wr_x(CtrlOffset, 32'h10, 1'b1);             // reserved bit
    wr_x(ScaleSmallOffset, 32'hbf80_0000, 1'b1);  // negative scale
    wr_x(ScaleSmallOffset, 32'h0000_0001, 1'b1);  // subnormal scale
    wr_x(ThresholdOffset, 32'h7fc0_0000, 1'b1);   // NaN threshold
    wr_x(ResOffset, 32'h0000_1011, 1'b1);       // 17 DAC bits
    wr_x(ResOffset, 32'h0000_0110, 1'b1);       // 1 ADC bit
    wr_x(ShiftSmallOffset, 32'h0040_0001, 1'b1);  // beta > 4
    wr_x(DirOffset, 32'h0, 1'b1);               // block_log2 0
    wr_x(LutOffset, 32'h0010_0001, 1'b1);       // knot > 1
    wr_x(LutOffset + 12'h2, 32'h0, 1'b1);       // misaligned in the LUT window
    rd(LutOffset + 12'h84);                     // one past the last knot
    expect_err(LutOffset + 12'h84, 1'b1);
    rd_x(ErrCountOffset, 32'd20);               // the 20 refused accesses above
    rd_x(StatusOffset, 32'h10);                 // BUS_ERR
    wr_x(CmdOffset, 32'h4, 1'b0);               // CLEAR_FLAGS
    rd_x(StatusOffset, 32'h0);
    rd_x(CtrlOffset, 32'h0);                    // reset values, unchanged by the refused writes
    rd_x(RangeOffset, 32'h4000_c000);
`ifdef DIRECTED_WRONG_EXPECTATION
    rd_x(CellsSmallOffset, 32'h2);              // deliberately wrong: the reset value is 1
`else
    rd_x(CellsSmallOffset, 32'h1);
`endif
    rd_x(CmdOffset, 32'h0);                     // reads as 0

    note("LUT: identity");
    for (int k = 0; k <= 32; k++) wr(LutOffset + 12'(4 * k), 32'(k * 65536 - 1048576));
    rd_x(LutOffset, 32'hfff0_0000);             // -1 in Q11.20
    rd_x(LutOffset + 12'h40, 32'h0);
    rd_x(LutOffset + 12'h80, 32'h0010_0000);    // +1

    // ---------------------------------------------------- configuration 0: no strategy
    note("cfg 0: CTRL=0 range [-1,1] scale 1");
    set_modes(0, 0);
    wr(CtrlOffset, 32'h0);
    wr(AnalogBaseOffset, 32'h0000_0000);
    wr(MetaBaseOffset, 32'h0000_0000);
    wr(DirBaseOffset, 32'h0000_0f00);
    stream_tensor(0, 0, 1'b0, 1'b0);
    check_cfg0 = 1'b1;
    read_back(1'b1);
    check_cfg0 = 1'b0;

    // ---------------------------------------------------- configuration 1: SP
    note("cfg 1: CTRL=1 range [-0.75,0.75] scale 1");
    set_modes(1, 0);
    wr(CtrlOffset, 32'h1);
    wr(RangeOffset, 32'h3000_d000);
    wr(AnalogBaseOffset, 32'h0000_0200);
    wr(MetaBaseOffset, 32'h0000_0100);
    rd(RangeOffset);
    stream_tensor(1, 7, 1'b0, 1'b0);
    read_back(1'b1);

    // ---------------------------------------------------- configuration 2: SP + AM
    note("cfg 2: CTRL=3 T=0.25 small scale 2 large scale 1");
    set_modes(0, 1);
    wr(CtrlOffset, 32'h3);
    wr(ThresholdOffset, 32'h3e80_0000);
    wr(ScaleSmallOffset, 32'h4000_0000);
    wr(RscaleSmallOffset, 32'h3f00_0000);
    wr(ScaleLargeOffset, 32'h3f80_0000);
    wr(RscaleLargeOffset, 32'h3f80_0000);
    wr(AnalogBaseOffset, 32'h0000_0400);
    wr(MetaBaseOffset, 32'h0000_0200);
    rd(ThresholdOffset);
    stream_tensor(2, 0, 1'b0, 1'b1);
    read_back(1'b0);

    // ---------------------------------------------------- configuration 3: SP + AM + AR
    note("cfg 3: CTRL=7 cells small 1 large 3");
    set_modes(2, 2);
    wr(CtrlOffset, 32'h7);
    wr(CellsLargeOffset, 32'h3);
    wr(CellsSmallOffset, 32'h1);
    wr(AnalogBaseOffset, 32'h0000_0600);
    wr(MetaBaseOffset, 32'h0000_0300);
    wr(DirBaseOffset, 32'h0000_0f10);
    stream_tensor(3, 5, 1'b0, 1'b0);
    read_back(1'b1);

    // ---------------------------------------------------- configuration 4: all, SENS
    note("cfg 4: CTRL=15 cells sens 5 dir block 8 NaN last");
    set_modes(1, 1);
    wr(CtrlOffset, 32'hf);
    wr(CellsSensOffset, 32'h5);
    wr(DirOffset, 32'h3);
    wr(AnalogBaseOffset, 32'h0000_0800);
    wr(MetaBaseOffset, 32'h0000_0400);
    wr(DirBaseOffset, 32'h0000_0f20);
    stream_tensor(4, 3, 1'b1, 1'b0);
    read_back(1'b1);

    // ---------------------------------------------------- configuration 5: lower resolution
    note("cfg 5: CTRL=7 RES dac 12 adc 10 shift 0.125 cells 2/4");
    set_modes(0, 0);
    wr(CtrlOffset, 32'h7);
    wr(ResOffset, 32'h0000_0a0c);
    wr(ShiftSmallOffset, 32'h0002_0000);
    wr(CellsSmallOffset, 32'h2);
    wr(CellsLargeOffset, 32'h4);
    wr(DirOffset, 32'h2);
    wr(AnalogBaseOffset, 32'h0000_0a00);
    wr(MetaBaseOffset, 32'h0000_0500);
    wr(DirBaseOffset, 32'h0000_0f40);
    stream_tensor(5, 0, 1'b0, 1'b0);
    read_back(1'b0);

    // ---------------------------------------------------- counters
    note("counters");
    set_modes(0, 0);
    rd(StatusOffset);
    for (int c = 0; c <= 10; c++) begin
      rd(WeightsWrittenOffset + 12'(4 * c));
      $fdisplay(fd, "%0d final %03h %08h", cyc, WeightsWrittenOffset + 12'(4 * c), apb_rdata);
    end
    rd(NumWeightsOffset);
    $fdisplay(fd, "%0d final NUM_WEIGHTS %08h", cyc, apb_rdata);
    rd(NextCellOffset);
    $fdisplay(fd, "%0d final NEXT_CELL %08h", cyc, apb_rdata);
    $fdisplay(fd, "%0d end of test", cyc);
    $fclose(fd);
    $finish;
  end
endmodule : tb_pcm_ctrl_directed
