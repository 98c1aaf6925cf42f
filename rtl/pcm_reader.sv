// Read path: serves a request for `count` weights starting at weight `index`.
//
// Issuer: finds the analog offset of the first weight (index * CELLS_SMALL
// when every weight has the same count; otherwise one directory read for the
// block plus metadata reads for the weights of the block before `index`),
// then per group of up to NumLanes weights reads their metadata records, and
// issues analog reads of all their cells, NumLanes lanes per request.
// Consumer: sums each weight's r read-outs from the responses (a response
// may hold cells of several weights) and hands (sum, metadata) to the decoder.
// Responses come back in request order; a metadata response is recognised by
// there being no analog response outstanding.
// Pipelining: the issuer requests a group's first cells in the cycle its
// metadata response arrives, asks for the next group's metadata as soon as
// the current group's cells are requested, and keeps the group in a second
// slot while the consumer is still busy with the one before; the consumer
// copies each analog response into a buffer at once, so that the metadata
// response behind it reaches the issuer. At one cell per weight reads so
// move one weight per cycle, with or without metadata, where the array's
// banks allow (rtl/README.md, Throughput). Two slots and a buffer, not a
// FIFO: the metadata response can only be seen once the responses before it
// are taken.
`include "pcm_assert.svh"
`include "pcm_ctrl_pkg.sv"

module pcm_reader
#(
  parameter int NumLanes = 4,
  parameter int AdcWidth = 16,
  // package constants by name, and widths derived from both packages
  // (Yosys 0.23 has no `import`, and no package may name another)
  localparam int CellCntWidth = pcm_ctrl_reg_pkg::CellCntWidth,
  localparam int MetaWidth = pcm_ctrl_reg_pkg::MetaWidth,
  localparam int AddrWidth = pcm_ctrl_pkg::AddrWidth,
  localparam int WordWidth = pcm_ctrl_pkg::WordWidth,
  localparam int MetaLargeBit = pcm_ctrl_pkg::MetaLargeBit,
  localparam int MetaSensBit = pcm_ctrl_pkg::MetaSensBit,
  localparam int LaneCntWidth = $clog2(NumLanes + 1),
  localparam int SumWidth = AdcWidth + CellCntWidth
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // configuration
  input  logic                          ar_i,
  input  logic                          sens_en_i,
  input  logic                          meta_en_i,
  input  logic                          dir_en_i,
  input  logic [3:0]                    block_log2_i,
  input  logic [AddrWidth-1:0]          analog_base_i,
  input  logic [AddrWidth-1:0]          meta_base_i,
  input  logic [AddrWidth-1:0]          dir_base_i,
  input  logic [31:0]                   num_weights_i,
  input  logic [CellCntWidth-1:0]       cells_small_i,
  input  logic [CellCntWidth-1:0]       cells_large_i,
  input  logic [CellCntWidth-1:0]       cells_sens_i,
  // read requests
  input  logic                          start_ok_i,   // the write path is idle
  input  logic                          rq_valid_i,
  output logic                          rq_ready_o,
  input  logic [31:0]                   rq_index_i,
  input  logic [31:0]                   rq_count_i,
  // cell port (reads only)
  output logic                          req_valid_o,
  input  logic                          req_ready_i,
  output logic                          req_digital_o,
  output logic [AddrWidth-1:0]          req_addr_o,
  output logic [LaneCntWidth-1:0]       req_count_o,
  input  logic                          rsp_valid_i,
  output logic                          rsp_ready_o,
  input  logic [NumLanes*WordWidth-1:0] rsp_rdata_i,
  // to the decoder
  output logic                          dec_valid_o,
  input  logic                          dec_ready_i,
  output logic [SumWidth-1:0]           dec_sum_o,
  output logic [MetaWidth-1:0]          dec_meta_o,
  output logic                          dec_last_o,
  output logic                          dec_err_o,
  // events for the counters
  output logic [LaneCntWidth-1:0]       ev_cells_o,
  output logic [LaneCntWidth-1:0]       ev_meta_o,
  output logic                          ev_dir_o,
  output logic                          ev_err_o,
  output logic                          busy_o
);
  localparam int PendWidth = CellCntWidth + 1;

  // The cell count of a metadata record (as pcm_encoder.sv's cells_for). Module-local: Icarus 11 shares a package
  // function's variables between callers in different modules, and two
  // always_comb blocks calling it then wake each other forever.
  function automatic logic [CellCntWidth-1:0] rd_cells_for(input logic [MetaWidth-1:0] meta);
    if (sens_en_i && meta[MetaSensBit]) rd_cells_for = cells_sens_i;
    else if (ar_i && meta[MetaLargeBit]) rd_cells_for = cells_large_i;
    else rd_cells_for = cells_small_i;
  endfunction
  localparam int GroupCellWidth = CellCntWidth + LaneCntWidth;

  typedef enum logic [3:0] {
    StIdle, StDirReq, StDirRsp, StWalkReq, StWalkRsp, StMetaReq, StMetaRsp, StCellReq,
    StDrain, StErr
  } state_e;

  state_e                  state_q;
  logic [31:0]             cur_q;        // first weight of the next group
  logic [32:0]             end_q;        // one past the last weight
  logic [31:0]             walk_q;       // directory walk position
  logic [31:0]             ptr_q;        // next analog cell offset to read
  logic [PendWidth-1:0]    pend_q;       // analog responses outstanding
  logic [GroupCellWidth-1:0] iss_left_q; // group cells still to request
  logic [LaneCntWidth-1:0] iss_n_q;      // weights in the group being issued
  // a group the issuer has just formed (from a metadata response, or without
  // metadata), for the consumer's slot or the next slot
  logic                    g_new, g_last;
  logic [LaneCntWidth-1:0] g_n;
  logic [MetaWidth-1:0]    g_meta [NumLanes];
  logic [CellCntWidth-1:0] g_r [NumLanes];
  logic [GroupCellWidth-1:0] g_cells;
  // request register
  logic                    rq_q_valid;
  logic                    rq_q_digital;
  logic [AddrWidth-1:0]    rq_q_addr;
  logic [LaneCntWidth-1:0] rq_q_count;
  // group the consumer works on
  logic                    grp_valid_q;
  logic                    grp_last_q;
  logic [LaneCntWidth-1:0] grp_n_q;
  logic [MetaWidth-1:0]    grp_meta_q [NumLanes];
  logic [CellCntWidth-1:0] grp_r_q [NumLanes];
  // the next group, its cells already requested
  logic                    nx_valid_q;
  logic                    nx_last_q;
  logic [LaneCntWidth-1:0] nx_n_q;
  logic [MetaWidth-1:0]    nx_meta_q [NumLanes];
  logic [CellCntWidth-1:0] nx_r_q [NumLanes];
  logic [GroupCellWidth-1:0] nx_cells_q;
  // the analog response being summed
  logic                    rb_valid_q;
  logic [AdcWidth-1:0]     rb_q [NumLanes];
  // consumer
  logic [LaneCntWidth-1:0]   c_k_q;
  logic [CellCntWidth-1:0]   c_rem_q, c_rem_next;
  logic [SumWidth-1:0]       c_acc_q;
  logic [LaneCntWidth-1:0]   c_lp_q;
  logic [GroupCellWidth-1:0] c_gleft_q;

  logic                    rq_free, issue_pop, rb_load, rb_done, cons_fire, grp_done, grp_take, nx_take;
  logic                    cell_issue, cons_step, word_done;
  logic [GroupCellWidth-1:0] iss_left_now, iss_left_next;
  logic [LaneCntWidth-1:0] cell_cnt;
  logic [LaneCntWidth-1:0] iss_n_now;
  logic [32:0]             left;
  logic [LaneCntWidth-1:0] n_group;
  logic [MetaWidth-1:0]    rsp_meta [NumLanes];
  logic [CellCntWidth-1:0] rsp_r [NumLanes];
  logic [GroupCellWidth-1:0] rsp_sum_r, walk_sum;
  logic [32:0]             walk_left;
  logic [LaneCntWidth-1:0] walk_n;
  logic [31:0]             block_mask;
  logic [CellCntWidth-1:0] avail, take_n;
  logic [SumWidth-1:0]     partial;

  // The outputs and the values the registers load are worked out here; each
  // register loads in the always_ff below only under its own condition. Kept
  // as next-state copies, the Verilated model copied every register at every
  // edge and worked out their next values twice per cycle, reads or not
  // (docs/PERFORMANCE.md, "Idle stages").
  always_comb begin
    rq_free = !rq_q_valid || req_ready_i;
    block_mask = (32'd1 << block_log2_i) - 32'd1;
    // a group's and a walk step's weights, in the states that read them
    left = '0;
    n_group = '0;
    walk_left = '0;
    walk_n = '0;
    if (state_q == StMetaReq || state_q == StMetaRsp) begin
      left = end_q - {1'b0, cur_q};
      n_group = (left < 33'(NumLanes)) ? LaneCntWidth'(left) : LaneCntWidth'(NumLanes);
    end
    if (state_q == StWalkReq || state_q == StWalkRsp) begin
      walk_left = {1'b0, cur_q} - {1'b0, walk_q};
      walk_n = (walk_left < 33'(NumLanes)) ? LaneCntWidth'(walk_left) : LaneCntWidth'(NumLanes);
    end
    // a metadata response's cell counts, used only in the states that await
    // one (the Verilated model evaluates this block twice per cycle)
    rsp_sum_r = '0;
    walk_sum = '0;
    for (int l = 0; l < NumLanes; l++) begin
      rsp_meta[l] = '0;
      rsp_r[l] = '0;
    end
    if (state_q == StMetaRsp || state_q == StWalkRsp) begin
      for (int l = 0; l < NumLanes; l++) begin
        rsp_meta[l] = meta_en_i ? rsp_rdata_i[l*WordWidth +: MetaWidth] : '0;
        rsp_r[l] = rd_cells_for(rsp_meta[l]);
        if (LaneCntWidth'(l) < n_group) rsp_sum_r = rsp_sum_r + GroupCellWidth'(rsp_r[l]);
        if (LaneCntWidth'(l) < walk_n) walk_sum = walk_sum + GroupCellWidth'(rsp_r[l]);
      end
    end

    g_new = 1'b0;
    g_last = 1'b0;
    g_n = '0;
    g_cells = '0;
    for (int l = 0; l < NumLanes; l++) begin
      g_meta[l] = '0;
      g_r[l] = '0;
    end
    issue_pop = 1'b0;
    rq_ready_o = 1'b0;
    ev_meta_o = '0;
    ev_dir_o = 1'b0;
    ev_err_o = 1'b0;

    unique case (state_q)
      StIdle: rq_ready_o = start_ok_i;
      StDirReq: ev_dir_o = rq_free;
      StDirRsp: issue_pop = rsp_valid_i;
      StWalkReq: if (rq_free) ev_meta_o = walk_n;
      StWalkRsp: issue_pop = rsp_valid_i;
      StMetaReq: begin
        if (meta_en_i) begin
          if (rq_free) ev_meta_o = n_group;
        end else if (!nx_valid_q) begin
          // no metadata: every weight has CELLS_SMALL cells
          g_new = 1'b1;
          g_n = n_group;
          g_last = ({1'b0, cur_q} + 33'(n_group)) == end_q;
          for (int l = 0; l < NumLanes; l++) g_r[l] = cells_small_i;
          g_cells = GroupCellWidth'(n_group) * GroupCellWidth'(cells_small_i);
        end
      end
      StMetaRsp: begin
        // (the next slot is free here: the responses before this one are those
        // of the last group issued, and they only leave the port once the
        // consumer has moved that group up; ReaderMetaWithNextFree)
        if (rsp_valid_i && pend_q == '0) begin
          issue_pop = 1'b1;
          g_new = 1'b1;
          g_n = n_group;
          g_last = ({1'b0, cur_q} + 33'(n_group)) == end_q;
          for (int l = 0; l < NumLanes; l++) begin
            g_meta[l] = rsp_meta[l];
            g_r[l] = rsp_r[l];
          end
          g_cells = rsp_sum_r;
        end
      end
      StErr: ev_err_o = dec_ready_i;
      default: ;  // StCellReq (the cell requests below), StDrain
    endcase

    // Cell requests: the rest of a group in StCellReq, and a group's first one
    // in the cycle the group is formed (from its metadata response, or at once
    // without metadata) if the request register is free, which saves a cycle
    // per group; the next group's metadata is asked for one cycle sooner.
    cell_issue = (state_q == StCellReq || g_new) && rq_free;
    iss_left_now = (state_q == StCellReq) ? iss_left_q : g_cells;
    iss_n_now = (state_q == StCellReq) ? iss_n_q : g_n;
    cell_cnt = (iss_left_now < GroupCellWidth'(NumLanes)) ? LaneCntWidth'(iss_left_now)
                                                           : LaneCntWidth'(NumLanes);
    iss_left_next = iss_left_now - GroupCellWidth'(cell_cnt);
    ev_cells_o = cell_issue ? cell_cnt : '0;

    // ---------------------------------------------------------- consumer
    dec_valid_o = 1'b0;
    dec_sum_o = '0;
    dec_meta_o = '0;
    dec_last_o = 1'b0;
    dec_err_o = 1'b0;
    rb_done = 1'b0;
    grp_done = 1'b0;
    cons_fire = grp_valid_q && rb_valid_q && dec_ready_i;
    avail = CellCntWidth'(NumLanes) - CellCntWidth'(c_lp_q);
    take_n = (c_rem_q < avail) ? c_rem_q : avail;
    partial = '0;
    c_rem_next = '0;
    cons_step = 1'b0;
    word_done = 1'b0;
    if (state_q == StErr) begin
      dec_valid_o = 1'b1;
      dec_last_o = 1'b1;
      dec_err_o = 1'b1;
    end else if (cons_fire) begin
      cons_step = 1'b1;
      for (int l = 0; l < NumLanes; l++) begin
        if (CellCntWidth'(l) >= CellCntWidth'(c_lp_q)
            && CellCntWidth'(l) < CellCntWidth'(c_lp_q) + take_n) begin
          partial = partial + SumWidth'($signed(rb_q[l]));
        end
      end
      rb_done = (CellCntWidth'(c_lp_q) + take_n == CellCntWidth'(NumLanes))
             || (GroupCellWidth'(take_n) == c_gleft_q);
      word_done = (take_n == c_rem_q);
      if (word_done) begin
        dec_valid_o = 1'b1;
        dec_sum_o = c_acc_q + partial;
        for (int l = 0; l < NumLanes; l++) begin
          if (LaneCntWidth'(l) == c_k_q) dec_meta_o = grp_meta_q[l];
          if (LaneCntWidth'(l) == c_k_q + LaneCntWidth'(1)) c_rem_next = grp_r_q[l];
        end
        dec_last_o = grp_last_q && (c_k_q + LaneCntWidth'(1) == grp_n_q);
        grp_done = (c_k_q + LaneCntWidth'(1) == grp_n_q);
      end
    end
    // The consumer's slot takes the next group, else the issuer's new one;
    // a new group starts the consumer afresh. (The issuer forms a group only
    // while the next slot is free.)
    grp_take = !grp_valid_q || grp_done;
    nx_take = !grp_take && g_new;

    // An analog response goes into the buffer as soon as the buffer is free
    // (or being emptied), taking it off the cell port.
    rb_load = rsp_valid_i && pend_q != '0 && (!rb_valid_q || rb_done);
    rsp_ready_o = issue_pop || rb_load;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      cur_q <= '0;
      end_q <= '0;
      walk_q <= '0;
      ptr_q <= '0;
      pend_q <= '0;
      iss_left_q <= '0;
      iss_n_q <= '0;
      rq_q_valid <= 1'b0;
      rq_q_digital <= 1'b0;
      rq_q_addr <= '0;
      rq_q_count <= '0;
      grp_valid_q <= 1'b0;
      grp_last_q <= 1'b0;
      grp_n_q <= '0;
      nx_valid_q <= 1'b0;
      nx_last_q <= 1'b0;
      nx_n_q <= '0;
      nx_cells_q <= '0;
      rb_valid_q <= 1'b0;
      for (int l = 0; l < NumLanes; l++) begin
        grp_meta_q[l] <= '0;
        grp_r_q[l] <= '0;
        nx_meta_q[l] <= '0;
        nx_r_q[l] <= '0;
        rb_q[l] <= '0;
      end
      c_k_q <= '0;
      c_rem_q <= '0;
      c_acc_q <= '0;
      c_lp_q <= '0;
      c_gleft_q <= '0;
    end else begin
      // ------------------------------------------------------ issuer
      if (req_ready_i) rq_q_valid <= 1'b0;
      unique case (state_q)
        StIdle: begin
          if (rq_valid_i && start_ok_i) begin
            cur_q <= rq_index_i;
            end_q <= {1'b0, rq_index_i} + {1'b0, rq_count_i};
            walk_q <= rq_index_i & ~block_mask;
            if (rq_count_i == '0 || ({1'b0, rq_index_i} + {1'b0, rq_count_i}) > {1'b0, num_weights_i}) begin
              state_q <= StErr;
            end else if (dir_en_i) begin
              state_q <= StDirReq;
            end else begin
              ptr_q <= rq_index_i * 32'(cells_small_i);
              state_q <= StMetaReq;
            end
          end
        end
        StDirReq: begin
          if (rq_free) begin
            rq_q_valid <= 1'b1;
            rq_q_digital <= 1'b1;
            rq_q_addr <= dir_base_i + (cur_q >> block_log2_i);
            rq_q_count <= LaneCntWidth'(1);
            state_q <= StDirRsp;
          end
        end
        StDirRsp: begin
          if (rsp_valid_i) begin
            ptr_q <= rsp_rdata_i[31:0];
            if (walk_q == cur_q) state_q <= StMetaReq;
            else state_q <= StWalkReq;
          end
        end
        StWalkReq: begin
          if (rq_free) begin
            rq_q_valid <= 1'b1;
            rq_q_digital <= 1'b1;
            rq_q_addr <= meta_base_i + walk_q;
            rq_q_count <= walk_n;
            state_q <= StWalkRsp;
          end
        end
        StWalkRsp: begin
          if (rsp_valid_i) begin
            ptr_q <= ptr_q + 32'(walk_sum);
            walk_q <= walk_q + 32'(walk_n);
            if (walk_q + 32'(walk_n) == cur_q) state_q <= StMetaReq;
            else state_q <= StWalkReq;
          end
        end
        StMetaReq: begin
          if (meta_en_i) begin
            if (rq_free) begin
              rq_q_valid <= 1'b1;
              rq_q_digital <= 1'b1;
              rq_q_addr <= meta_base_i + cur_q;
              rq_q_count <= n_group;
              state_q <= StMetaRsp;
            end
          end
        end
        StDrain: begin
          if (!grp_valid_q && !nx_valid_q && !rb_valid_q && pend_q == '0 && !rq_q_valid) state_q <= StIdle;
        end
        StErr: if (dec_ready_i) state_q <= StIdle;
        StCellReq, StMetaRsp: ;  // a group formed or issued: below
        default: state_q <= StIdle;
      endcase
      // a group formed now, and its first cell request if the register is free
      if (g_new) begin
        iss_left_q <= g_cells;
        iss_n_q <= g_n;
        state_q <= StCellReq;
      end
      if (cell_issue) begin
        rq_q_valid <= 1'b1;
        rq_q_digital <= 1'b0;
        rq_q_addr <= analog_base_i + ptr_q;
        rq_q_count <= cell_cnt;
        ptr_q <= ptr_q + 32'(cell_cnt);
        iss_left_q <= iss_left_next;
        iss_n_q <= iss_n_now;
        if (iss_left_next == '0) begin
          cur_q <= cur_q + 32'(iss_n_now);
          if ((33'(cur_q) + 33'(iss_n_now)) == end_q) state_q <= StDrain;
          else state_q <= StMetaReq;
        end else begin
          state_q <= StCellReq;
        end
      end
      pend_q <= pend_q + PendWidth'(cell_issue) - PendWidth'(rb_load);

      // ------------------------------------------------------ consumer
      if (cons_step) begin
        c_gleft_q <= c_gleft_q - GroupCellWidth'(take_n);
        c_lp_q <= rb_done ? '0 : c_lp_q + LaneCntWidth'(take_n);
        if (word_done) begin
          c_acc_q <= '0;
          c_k_q <= c_k_q + LaneCntWidth'(1);
          c_rem_q <= c_rem_next;
        end else begin
          c_acc_q <= c_acc_q + partial;
          c_rem_q <= c_rem_q - take_n;
        end
      end
      if (grp_take) begin
        grp_valid_q <= nx_valid_q || g_new;
        grp_last_q <= nx_valid_q ? nx_last_q : g_last;
        grp_n_q <= nx_valid_q ? nx_n_q : g_n;
        c_k_q <= '0;
        c_rem_q <= nx_valid_q ? nx_r_q[0] : g_r[0];
        c_acc_q <= '0;
        c_lp_q <= '0;
        c_gleft_q <= nx_valid_q ? nx_cells_q : g_cells;
        nx_valid_q <= 1'b0;
      end else if (nx_take) begin
        nx_valid_q <= 1'b1;
        nx_last_q <= g_last;
        nx_n_q <= g_n;
        nx_cells_q <= g_cells;
      end
      rb_valid_q <= rb_load || (rb_valid_q && !rb_done);
      // The lane arrays load only when their slot or buffer takes something:
      // copying them through _d every cycle cost about 3 % of the Verilated
      // model's instructions per cycle (docs/PERFORMANCE.md).
      for (int l = 0; l < NumLanes; l++) begin
        if (grp_take) begin
          grp_meta_q[l] <= nx_valid_q ? nx_meta_q[l] : g_meta[l];
          grp_r_q[l] <= nx_valid_q ? nx_r_q[l] : g_r[l];
        end
        if (nx_take) begin
          nx_meta_q[l] <= g_meta[l];
          nx_r_q[l] <= g_r[l];
        end
        if (rb_load) rb_q[l] <= rsp_rdata_i[l*WordWidth +: AdcWidth];
      end
    end
  end

  assign req_valid_o = rq_q_valid;
  assign req_digital_o = rq_q_digital;
  assign req_addr_o = rq_q_addr;
  assign req_count_o = rq_q_count;
  assign busy_o = (state_q != StIdle);

  `PCM_ASSERT(ReaderRspExpected, !rsp_valid_i || rsp_ready_o || state_q != StIdle || pend_q != '0,
              clk_i, rst_ni)
  `PCM_ASSERT(ReaderNoPopUnderflow, !(rb_load && pend_q == '0), clk_i, rst_ni)
  // the next slot and the buffer only ever hold what follows the consumer's group
  `PCM_ASSERT(ReaderNextBehindCurrent, !nx_valid_q || grp_valid_q, clk_i, rst_ni)
  `PCM_ASSERT(ReaderBufferForCurrent, !rb_valid_q || grp_valid_q, clk_i, rst_ni)
  `PCM_ASSERT(ReaderMetaWithNextFree, !(state_q == StMetaRsp && rsp_valid_i && pend_q == '0) || !nx_valid_q,
              clk_i, rst_ni)
endmodule : pcm_reader
