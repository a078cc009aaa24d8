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
)
