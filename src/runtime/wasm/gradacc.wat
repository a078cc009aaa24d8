;; GRAD_ACC's inner kernel in WebAssembly SIMD (f64x2): the learning unit's fast path
;; (src/runtime/learning.ts, gradientsFast) over one pair's rows x columns, two cells per
;; instruction, in place in the unit's registers, which live in this module's memory. It computes
;; the fast path's exact values (every product exact below 2^52, every scaling a power of two), so
;; the result is the same bit for bit (tests/runtime/grad-acc.test.ts holds all three paths to the
;; general one). (ASCII only: wabt's reader takes this text byte by byte.)
;;   nearest(q) = trunc(q + copysign(1/2, q)) + 0    (half away from zero; the scalar paths'
;;                floor(q + 1/2), less one for a negative exact half, is the same for such q)
;;   e    = nearest(psiD_c * zE_r)           psiD = psi * 2^-P,  zE_r = nearest(zbar_r * 2^(E-T))
;;   ebar = sat_E(nearest(ebar * kD) + nearest(e * omk))      kD = kappa*2^-D, omk = (2^D - kappa)*2^-D
;;   D    = sat_G(D - nearest(etaD_c * ebar))                 etaD = etaL * 2^-E
;;   esum = sat_S(esum + nearest(e * sumMul))                 (with the regulariser)
;; With `blend`, a cell whose trainable flag or column flag is 0 keeps its registers (without it,
;; every cell of the rows x 2*pairs block is trainable). The saturations of the three registers
;; (trainable cells only) are added to the three i32 at `res`.
;; Assembled by wabt at `npm install` (scripts/build.mjs) into dist/gradacc.wasm.
(module
  (memory (export "memory") 1)

  (func $nearest1 (param $q f64) (result f64)
    (f64.add (f64.trunc (f64.add (local.get $q) (f64.copysign (f64.const 0.5) (local.get $q)))) (f64.const 0)))

  (func (export "grad")
    (param $ebar i32) (param $delta i32) (param $esum i32) (param $mask i32)
    (param $zb i32) (param $psi i32) (param $eta i32) (param $valid i32) (param $res i32)
    (param $rows i32) (param $pairs i32) (param $stride i32) (param $base i32) (param $blend i32)
    (param $zMul f64) (param $kD f64) (param $omk f64) (param $sumMul f64)
    (param $eLo f64) (param $eHi f64) (param $gLo f64) (param $gHi f64) (param $sLo f64) (param $sHi f64)
    (local $q v128)
    (local $r i32) (local $c i32) (local $off i32) (local $cell i32)
    (local $zE v128) (local $m v128)
    (local $e v128) (local $eb0 v128) (local $eb v128) (local $dl0 v128) (local $dl v128) (local $s0 v128) (local $s v128) (local $x v128)
    (local $nE v128) (local $nG v128) (local $nS v128)
    (local $half v128) (local $sign v128) (local $zero v128) (local $ones v128)
    (local $vKD v128) (local $vOmk v128) (local $vSum v128)
    (local $vELo v128) (local $vEHi v128) (local $vGLo v128) (local $vGHi v128) (local $vSLo v128) (local $vSHi v128)
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $sign (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (local.set $zero (v128.const f64x2 0 0))
    (local.set $ones (v128.const i64x2 -1 -1))
    (local.set $vKD (f64x2.splat (local.get $kD)))
    (local.set $vOmk (f64x2.splat (local.get $omk)))
    (local.set $vSum (f64x2.splat (local.get $sumMul)))
    (local.set $vELo (f64x2.splat (local.get $eLo)))
    (local.set $vEHi (f64x2.splat (local.get $eHi)))
    (local.set $vGLo (f64x2.splat (local.get $gLo)))
    (local.set $vGHi (f64x2.splat (local.get $gHi)))
    (local.set $vSLo (f64x2.splat (local.get $sLo)))
    (local.set $vSHi (f64x2.splat (local.get $sHi)))
    (local.set $m (local.get $ones))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $zE (f64x2.splat
          (call $nearest1 (f64.mul (f64.load (i32.add (local.get $zb) (i32.shl (local.get $r) (i32.const 3)))) (local.get $zMul)))))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $pairs)))
            ;; lanes 2c, 2c + 1 of row r: cell = base + r*stride + 2c
            (local.set $off (i32.shl (local.get $c) (i32.const 4)))
            (local.set $cell (i32.shl (i32.add (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $stride))) (i32.shl (local.get $c) (i32.const 1))) (i32.const 3)))
            (if (local.get $blend)
              (then
                (local.set $m (v128.and
                  (f64x2.ne (v128.load (i32.add (local.get $mask) (local.get $cell))) (local.get $zero))
                  (f64x2.ne (v128.load (i32.add (local.get $valid) (local.get $off))) (local.get $zero))))))
            ;; e = nearest(psiD * zE)
            (local.set $q (f64x2.mul (v128.load (i32.add (local.get $psi) (local.get $off))) (local.get $zE)))
            (local.set $e (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero)))
            ;; ebar = nearest(ebar * kD) + nearest(e * omk), saturated
            (local.set $eb0 (v128.load (i32.add (local.get $ebar) (local.get $cell))))
            (local.set $q (f64x2.mul (local.get $eb0) (local.get $vKD)))
            (local.set $eb (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero)))
            (local.set $q (f64x2.mul (local.get $e) (local.get $vOmk)))
            (local.set $x (f64x2.add (local.get $eb) (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero))))
            (local.set $eb (f64x2.pmin (f64x2.pmax (local.get $x) (local.get $vELo)) (local.get $vEHi)))
            (local.set $nE (i64x2.sub (local.get $nE) (v128.and (local.get $m) (f64x2.ne (local.get $eb) (local.get $x)))))
            (v128.store (i32.add (local.get $ebar) (local.get $cell)) (v128.bitselect (local.get $eb) (local.get $eb0) (local.get $m)))
            ;; D = D - nearest(etaD * ebar), saturated
            (local.set $dl0 (v128.load (i32.add (local.get $delta) (local.get $cell))))
            (local.set $q (f64x2.mul (v128.load (i32.add (local.get $eta) (local.get $off))) (local.get $eb)))
            (local.set $x (f64x2.sub (local.get $dl0) (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero))))
            (local.set $dl (f64x2.pmin (f64x2.pmax (local.get $x) (local.get $vGLo)) (local.get $vGHi)))
            (local.set $nG (i64x2.sub (local.get $nG) (v128.and (local.get $m) (f64x2.ne (local.get $dl) (local.get $x)))))
            (v128.store (i32.add (local.get $delta) (local.get $cell)) (v128.bitselect (local.get $dl) (local.get $dl0) (local.get $m)))
            ;; esum = esum + nearest(e * sumMul), saturated (with the regulariser)
            (if (local.get $esum)
              (then
                (local.set $s0 (v128.load (i32.add (local.get $esum) (local.get $cell))))
                (local.set $q (f64x2.mul (local.get $e) (local.get $vSum)))
                (local.set $x (f64x2.add (local.get $s0) (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero))))
                (local.set $s (f64x2.pmin (f64x2.pmax (local.get $x) (local.get $vSLo)) (local.get $vSHi)))
                (local.set $nS (i64x2.sub (local.get $nS) (v128.and (local.get $m) (f64x2.ne (local.get $s) (local.get $x)))))
                (v128.store (i32.add (local.get $esum) (local.get $cell)) (v128.bitselect (local.get $s) (local.get $s0) (local.get $m)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    ;; the lane counters, summed
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res))
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $nE)) (i64x2.extract_lane 1 (local.get $nE))))))
    (i32.store offset=4 (local.get $res) (i32.add (i32.load offset=4 (local.get $res))
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $nG)) (i64x2.extract_lane 1 (local.get $nG))))))
    (i32.store offset=8 (local.get $res) (i32.add (i32.load offset=8 (local.get $res))
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $nS)) (i64x2.extract_lane 1 (local.get $nS)))))))

  ;; grad16: the same GRAD_ACC for LIF columns in narrow registers — e-bar in i16 (a signed
  ;; eligibility format of at most 16 bits), Delta in i32 (a signed gradient format of at most 32
  ;; bits) — eight cells per instruction, the exact integer arithmetic of the scalar paths:
  ;;   e    = q15mulr(psi15_c, zE_r)        psi15 = psi * 2^(15-P), so this is nearest(psi*zE*2^-P)
  ;;   ebar = min(q15mulr(ebar, kappa) + q15mulr(e, 2^15 - kappa), eHi)        (kappa in q1.15)
  ;;   D    = D - ((ebar * etaL_c + bias_c) >> E)                             (arithmetic shift)
  ;; etaL_c in i32 lanes: ebar (never negative) zero-extended to i32 and i32x4.dot_i16x8_s with
  ;; them is the exact product (the high halves meet 0), one instruction for four cells.
  ;; q15mulr rounds half up, which is nearest (half away from zero) here because psi, the traces
  ;; and so e and e-bar of a LIF synapse are never negative; bias_c = 2^(E-1), less one where
  ;; etaL_c < 0, makes the shift round half away from zero (the sign of the product is etaL's).
  ;; With `mask`, e is anded with the cell's flag (0 or -1): a cell that is not trainable keeps
  ;; its registers at 0 (they start there and nothing else writes them). It adds the eligibility
  ;; saturations to res[0] and writes the largest and smallest Delta it read to res[1], res[2]:
  ;; the caller clamps Delta (and counts) when one lies within one step's change of its bounds.
  ;; It puts back the nFix cells listed at `fix` (no_self's diagonal run unmasked; the checked
  ;; caller, which must also take their saturations off the count, passes none and does it itself).
  ;; Two variants (scripts/build.mjs expands the block, keeping a line tagged [v] in variant v
  ;; only): grad16 checks as described; grad16_unchecked, for a step whose bounds the caller has
  ;; proved keep e-bar below eHi and Delta inside its register, does neither check (a third faster);
  ;; grad16_unchecked_K (K = 1..15) is it for eShift = K, a constant shift.
  ;; <variants checked unchecked@$eShift=1..15>
  (func (export "grad16")
    (param $ebar i32) (param $delta i32) (param $mask i32)
    (param $zE i32) (param $psi i32) (param $eta i32) (param $bias i32) (param $res i32)
    (param $rows i32) (param $groups i32) (param $stride i32) (param $base i32)
    (param $kappa i32) (param $eHi i32) (param $eShift i32) (param $fix i32) (param $nFix i32)
    (local $r i32) (local $g i32) (local $cell i32) (local $pE i32) (local $pD i32) (local $pM i32) (local $o16 i32) (local $o32 i32)
    (local $i i32) (local $c i32) (local $y1 i32)
    (local $z v128) (local $vK v128) (local $vO v128) (local $vH v128)
    (local $e v128) (local $eb0 v128) (local $w v128) (local $y v128)
    (local $d0l v128) (local $d0h v128)
    (local $cnt v128) (local $gmax v128) (local $gmin v128)
    (local.set $vK (i16x8.splat (local.get $kappa)))
    (local.set $vO (i16x8.splat (i32.sub (i32.const 32768) (local.get $kappa))))
    (local.set $vH (i16x8.splat (local.get $eHi)))
    (local.set $gmax (i32x4.splat (i32.const 0x80000000)))
    (local.set $gmin (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $z (i16x8.splat (i32.load16_s (i32.add (local.get $zE) (i32.shl (local.get $r) (i32.const 1))))))
        (local.set $cell (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $pE (i32.add (local.get $ebar) (i32.shl (local.get $cell) (i32.const 1))))
        (local.set $pD (i32.add (local.get $delta) (i32.shl (local.get $cell) (i32.const 2))))
        (local.set $pM (i32.add (local.get $mask) (i32.shl (local.get $cell) (i32.const 1))))
        (local.set $g (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $g) (local.get $groups)))
            (local.set $o16 (i32.shl (local.get $g) (i32.const 4)))
            (local.set $o32 (i32.shl (local.get $g) (i32.const 5)))
            (local.set $e (i16x8.q15mulr_sat_s (v128.load (i32.add (local.get $psi) (local.get $o16))) (local.get $z)))
            (if (local.get $mask)
              (then (local.set $e (v128.and (local.get $e) (v128.load (i32.add (local.get $pM) (local.get $o16)))))))
            (local.set $eb0 (v128.load (i32.add (local.get $pE) (local.get $o16))))
            (local.set $w (i16x8.add (i16x8.q15mulr_sat_s (local.get $eb0) (local.get $vK)) (i16x8.q15mulr_sat_s (local.get $e) (local.get $vO))))
            (local.set $y (i16x8.min_u (local.get $w) (local.get $vH))) ;;[checked]
            (local.set $cnt (i16x8.sub (local.get $cnt) (i16x8.gt_u (local.get $w) (local.get $vH)))) ;;[checked]
            (local.set $y (local.get $w)) ;;[unchecked]
            (v128.store (i32.add (local.get $pE) (local.get $o16)) (local.get $y))
            (local.set $d0l (v128.load (i32.add (local.get $pD) (local.get $o32))))
            (local.set $d0h (v128.load offset=16 (i32.add (local.get $pD) (local.get $o32))))
            (local.set $gmax (i32x4.max_s (local.get $gmax) (i32x4.max_s (local.get $d0l) (local.get $d0h)))) ;;[checked]
            (local.set $gmin (i32x4.min_s (local.get $gmin) (i32x4.min_s (local.get $d0l) (local.get $d0h)))) ;;[checked]
            (v128.store (i32.add (local.get $pD) (local.get $o32))
              (i32x4.sub (local.get $d0l) (i32x4.shr_s (i32x4.add (i32x4.dot_i16x8_s (i32x4.extend_low_i16x8_u (local.get $y)) (v128.load (i32.add (local.get $eta) (local.get $o32)))) (v128.load (i32.add (local.get $bias) (local.get $o32)))) (local.get $eShift))))
            (v128.store offset=16 (i32.add (local.get $pD) (local.get $o32))
              (i32x4.sub (local.get $d0h) (i32x4.shr_s (i32x4.add (i32x4.dot_i16x8_s (i32x4.extend_high_i16x8_u (local.get $y)) (v128.load offset=16 (i32.add (local.get $eta) (local.get $o32)))) (v128.load offset=16 (i32.add (local.get $bias) (local.get $o32)))) (local.get $eShift))))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    ;; the nFix cells at fix (row, column pairs) that were not to change: e-bar back to 0, Delta back
    ;; (the change added again, modulo 2^32 as it wrapped)
    (local.set $i (i32.const 0))
    (block $fixDone
      (loop $fixLoop
        (br_if $fixDone (i32.ge_u (local.get $i) (local.get $nFix)))
        (local.set $r (i32.load (i32.add (local.get $fix) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $c (i32.load offset=4 (i32.add (local.get $fix) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $cell (i32.add (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $stride))) (local.get $c)))
        (local.set $pE (i32.add (local.get $ebar) (i32.shl (local.get $cell) (i32.const 1))))
        (local.set $y1 (i32.load16_s (local.get $pE)))
        (i32.store16 (local.get $pE) (i32.const 0))
        (local.set $pD (i32.add (local.get $delta) (i32.shl (local.get $cell) (i32.const 2))))
        (i32.store (local.get $pD) (i32.add (i32.load (local.get $pD))
          (i32.shr_s (i32.add (i32.mul (local.get $y1) (i32.load (i32.add (local.get $eta) (i32.shl (local.get $c) (i32.const 2)))))
            (i32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))) (local.get $eShift))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fixLoop)))
    ;; the lane counters summed; the extremes of Delta across the lanes
    (local.set $cnt (i32x4.extadd_pairwise_i16x8_u (local.get $cnt)))
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res))
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
        (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt))))))
    (local.set $gmax (i32x4.max_s (local.get $gmax) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gmax) (local.get $gmax))))
    (local.set $gmax (i32x4.max_s (local.get $gmax) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $gmax) (local.get $gmax))))
    (local.set $gmin (i32x4.min_s (local.get $gmin) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gmin) (local.get $gmin))))
    (local.set $gmin (i32x4.min_s (local.get $gmin) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $gmin) (local.get $gmin))))
    (i32.store offset=4 (local.get $res) (i32x4.extract_lane 0 (local.get $gmax)))
    (i32.store offset=8 (local.get $res) (i32x4.extract_lane 0 (local.get $gmin))))
  ;; </variants>

  ;; outer32: GRAD_ACC for readout columns in a narrow gradient register (Delta in i32), four
  ;; cells per instruction (the traces z_r read as doubles, integers in [0, 2^15)):
  ;; Delta -= (z_r * eta_c + bias_c) >> shift, the scalar path's
  ;; nearest(eta_c * z_r * 2^-shift) when every product fits 31 bits (the caller checks) and bias_c
  ;; is 2^(shift-1), less one where the product is negative (z_r >= 0: where eta_c < 0). A row
  ;; whose trace is 0 changes nothing and is skipped. It writes the largest and smallest Delta it
  ;; read to res[1], res[2], as grad16 does.
  (func (export "outer32")
    (param $delta i32) (param $z i32) (param $eta i32) (param $bias i32) (param $res i32)
    (param $rows i32) (param $groups i32) (param $stride i32) (param $base i32) (param $shift i32)
    (local $r i32) (local $g i32) (local $pD i32) (local $o i32) (local $zr i32)
    (local $zs v128) (local $d0 v128) (local $gmax v128) (local $gmin v128)
    (local.set $gmax (i32x4.splat (i32.const 0x80000000)))
    (local.set $gmin (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $zr (i32.trunc_f64_s (f64.load (i32.add (local.get $z) (i32.shl (local.get $r) (i32.const 3))))))
        (if (local.get $zr)
          (then
            (local.set $zs (i32x4.splat (local.get $zr)))
            (local.set $pD (i32.add (local.get $delta) (i32.shl (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $stride))) (i32.const 2))))
            (local.set $g (i32.const 0))
            (block $colsDone
              (loop $col
                (br_if $colsDone (i32.ge_u (local.get $g) (local.get $groups)))
                (local.set $o (i32.shl (local.get $g) (i32.const 4)))
                (local.set $d0 (v128.load (i32.add (local.get $pD) (local.get $o))))
                (local.set $gmax (i32x4.max_s (local.get $gmax) (local.get $d0)))
                (local.set $gmin (i32x4.min_s (local.get $gmin) (local.get $d0)))
                (v128.store (i32.add (local.get $pD) (local.get $o))
                  (i32x4.sub (local.get $d0) (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $zs) (v128.load (i32.add (local.get $eta) (local.get $o))))
                    (v128.load (i32.add (local.get $bias) (local.get $o)))) (local.get $shift))))
                (local.set $g (i32.add (local.get $g) (i32.const 1)))
                (br $col)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (local.set $gmax (i32x4.max_s (local.get $gmax) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gmax) (local.get $gmax))))
    (local.set $gmax (i32x4.max_s (local.get $gmax) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $gmax) (local.get $gmax))))
    (local.set $gmin (i32x4.min_s (local.get $gmin) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gmin) (local.get $gmin))))
    (local.set $gmin (i32x4.min_s (local.get $gmin) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $gmin) (local.get $gmin))))
    (i32.store offset=4 (local.get $res) (i32x4.extract_lane 0 (local.get $gmax)))
    (i32.store offset=8 (local.get $res) (i32x4.extract_lane 0 (local.get $gmin))))

  ;; sum4: group g's four sums s_j = sum_k B_jk * err_k (B transposed: nOut rows of `stride` i32).
  (func $sum4 (param $bt i32) (param $err i32) (param $nOut i32) (param $stride i32) (param $g i32) (result v128)
    (local $k i32) (local $p i32) (local $acc v128)
    (local.set $p (i32.add (local.get $bt) (i32.shl (local.get $g) (i32.const 4))))
    (block $kDone
      (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k) (local.get $nOut)))
        (local.set $acc (i32x4.add (local.get $acc)
          (i32x4.mul (v128.load (local.get $p)) (i32x4.splat (i32.load (i32.add (local.get $err) (i32.shl (local.get $k) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 2))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop)))
    (local.get $acc))

  ;; signal32: LEARN_SIGNAL's sums s_j = sum_k B_jk * err_k for four neurons per instruction, from
  ;; B transposed (i32, nOut rows of `stride` neurons, starting at the first neuron of the range) and
  ;; err (i32): exact when every partial sum fits 31 bits (the caller checks the formats).
  (func (export "signal32")
    (param $bt i32) (param $err i32) (param $out i32) (param $nOut i32) (param $groups i32) (param $stride i32)
    (local $g i32) (local $acc v128)
    (local.set $g (i32.const 0))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $acc (call $sum4 (local.get $bt) (local.get $err) (local.get $nOut) (local.get $stride) (local.get $g)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $g) (i32.const 4))) (local.get $acc))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $group))))

  ;; signal32r: signal32's sums, then the learning signal and its learning-rate product as the
  ;; scalar path rounds them, four neurons per instruction:
  ;;   L    = clamp((s + 2^(n-1) + (s >> 31)) >> n, lo, hi)   (nearest, half away from zero; n >= 1)
  ;;   etaL = nearest(L * mul)                                (f64 lanes: L * mul exact below 2^52)
  ;; L and etaL are written as doubles to sig and eta (four per group: the caller's arrays have room
  ;; for a last group's padding lanes); the saturations of L are added to res[0].
  (func (export "signal32r")
    (param $bt i32) (param $err i32) (param $sig i32) (param $eta i32) (param $res i32)
    (param $nOut i32) (param $groups i32) (param $stride i32) (param $n i32) (param $lo i32) (param $hi i32) (param $mul f64)
    (local $g i32) (local $acc v128) (local $L v128) (local $c v128) (local $cnt v128)
    (local $vLo v128) (local $vHi v128) (local $vHalf v128) (local $vMul v128) (local $f v128) (local $q v128)
    (local $half v128) (local $sign v128) (local $zero v128) (local $o i32)
    (local.set $vLo (i32x4.splat (local.get $lo)))
    (local.set $vHi (i32x4.splat (local.get $hi)))
    (local.set $vHalf (i32x4.splat (i32.shr_u (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))
    (local.set $vMul (f64x2.splat (local.get $mul)))
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $sign (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (local.set $zero (v128.const f64x2 0 0))
    (local.set $g (i32.const 0))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $acc (call $sum4 (local.get $bt) (local.get $err) (local.get $nOut) (local.get $stride) (local.get $g)))
        (local.set $L (i32x4.shr_s (i32x4.add (i32x4.add (local.get $acc) (local.get $vHalf)) (i32x4.shr_s (local.get $acc) (i32.const 31))) (local.get $n)))
        (local.set $c (i32x4.min_s (i32x4.max_s (local.get $L) (local.get $vLo)) (local.get $vHi)))
        (local.set $cnt (i32x4.sub (local.get $cnt) (v128.not (i32x4.eq (local.get $L) (local.get $c)))))
        (local.set $o (i32.shl (local.get $g) (i32.const 5)))
        ;; lanes 0, 1 then 2, 3: L as doubles, and nearest(L * mul)
        (local.set $f (f64x2.convert_low_i32x4_s (local.get $c)))
        (v128.store (i32.add (local.get $sig) (local.get $o)) (local.get $f))
        (local.set $q (f64x2.mul (local.get $f) (local.get $vMul)))
        (v128.store (i32.add (local.get $eta) (local.get $o))
          (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero)))
        (local.set $f (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c))))
        (v128.store offset=16 (i32.add (local.get $sig) (local.get $o)) (local.get $f))
        (local.set $q (f64x2.mul (local.get $f) (local.get $vMul)))
        (v128.store offset=16 (i32.add (local.get $eta) (local.get $o))
          (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $group)))
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res))
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
        (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  ;; trace64: TRACE_UPDATE for `pairs` pairs of traces, two per instruction, in place:
  ;;   z = clamp(nearest(z * mul) + pre * inc, lo, hi)   (nearest half away from zero, as the scalar
  ;; path's; pre 0 or 1: binary events), the clamped lanes added to res[0].
  (func (export "trace64")
    (param $z i32) (param $pre i32) (param $pairs i32) (param $mul f64) (param $inc f64) (param $lo f64) (param $hi f64) (param $res i32)
    (local $i i32) (local $o i32) (local $q v128) (local $x v128) (local $y v128) (local $n v128)
    (local $vMul v128) (local $vInc v128) (local $vLo v128) (local $vHi v128) (local $half v128) (local $sign v128) (local $zero v128)
    (local.set $vMul (f64x2.splat (local.get $mul)))
    (local.set $vInc (f64x2.splat (local.get $inc)))
    (local.set $vLo (f64x2.splat (local.get $lo)))
    (local.set $vHi (f64x2.splat (local.get $hi)))
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $sign (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (local.set $zero (v128.const f64x2 0 0))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $o (i32.shl (local.get $i) (i32.const 4)))
        (local.set $q (f64x2.mul (v128.load (i32.add (local.get $z) (local.get $o))) (local.get $vMul)))
        (local.set $x (f64x2.add
          (f64x2.add (f64x2.trunc (f64x2.add (local.get $q) (v128.or (v128.and (local.get $q) (local.get $sign)) (local.get $half)))) (local.get $zero))
          (f64x2.mul (v128.load (i32.add (local.get $pre) (local.get $o))) (local.get $vInc))))
        (local.set $y (f64x2.pmin (f64x2.pmax (local.get $x) (local.get $vLo)) (local.get $vHi)))
        (local.set $n (i64x2.sub (local.get $n) (f64x2.ne (local.get $y) (local.get $x))))
        (v128.store (i32.add (local.get $z) (local.get $o)) (local.get $y))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res))
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $n)) (i64x2.extract_lane 1 (local.get $n)))))))

  ;; psi64: NEURON_UPDATE's pseudo-derivatives for `pairs` pairs of neurons, two per instruction,
  ;; from their distances d to threshold and refractory flags (1.0 or 0.0), with their h and m*2^-s:
  ;;   psi = min(max(h - floor(|d| * mul + 1/2), 0), psiHi), or 0 where blocked and `zero`
  ;; exact while |d| * m stays below 2^52 (the caller checks the formats); the lanes clamped at psiHi
  ;; (not blocked) are added to res[0].
  (func (export "psi64")
    (param $d i32) (param $blocked i32) (param $h i32) (param $mul i32) (param $out i32) (param $pairs i32) (param $zero i32) (param $hi f64) (param $res i32)
    (local $i i32) (local $o i32) (local $p v128) (local $q v128) (local $b v128) (local $n v128) (local $vHi v128) (local $half v128) (local $zeros v128) (local $vZero v128)
    (local.set $vHi (f64x2.splat (local.get $hi)))
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $zeros (v128.const f64x2 0 0))
    (local.set $vZero (f64x2.splat (f64.convert_i32_u (i32.ne (local.get $zero) (i32.const 0)))))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $o (i32.shl (local.get $i) (i32.const 4)))
        (local.set $p (f64x2.sub (v128.load (i32.add (local.get $h) (local.get $o)))
          (f64x2.floor (f64x2.add (f64x2.mul (f64x2.abs (v128.load (i32.add (local.get $d) (local.get $o)))) (v128.load (i32.add (local.get $mul) (local.get $o)))) (local.get $half)))))
        (local.set $p (f64x2.max (local.get $p) (local.get $zeros)))
        (local.set $q (f64x2.min (local.get $p) (local.get $vHi)))
        ;; b: the lanes blocked (with `zero`), whose psi is 0 and never counted
        (local.set $b (f64x2.ne (f64x2.mul (v128.load (i32.add (local.get $blocked) (local.get $o))) (local.get $vZero)) (local.get $zeros)))
        (local.set $n (i64x2.sub (local.get $n) (v128.andnot (f64x2.ne (local.get $q) (local.get $p)) (local.get $b))))
        (v128.store (i32.add (local.get $out) (local.get $o)) (f64x2.add (v128.bitselect (local.get $zeros) (local.get $q) (local.get $b)) (local.get $zeros)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res))
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $n)) (i64x2.extract_lane 1 (local.get $n)))))))
)
