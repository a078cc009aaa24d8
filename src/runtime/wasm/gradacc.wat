;; GRAD_ACC's inner kernel in WebAssembly SIMD (f64x2): the learning unit's fast path
;; (src/runtime/learning.ts, gradientsFast) over one pair's rows x columns, two cells per
;; instruction, in place in the unit's registers, which live in this module's memory. Every
;; operation is the fast path's IEEE double operation in the same order, so the result is the same
;; bit for bit (tests/runtime/grad-acc.test.ts holds all three paths to the general one).
;; (ASCII only: wabt's reader takes this text byte by byte.)
;;   nearest(q) = floor(q + 1/2), less one for a negative exact half
;;   e    = nearest(psi_c * zE_r * 2^-P)              zE_r = nearest(zbar_r * 2^(E-T))
;;   ebar = sat_E(nearest(ebar * kappa*2^-D) + nearest(e * (2^D - kappa)*2^-D))
;;   D    = sat_G(D - nearest(etaL_c * ebar * 2^-E))
;;   esum = sat_S(esum + nearest(e * 2^-(E-S)))        (with the regulariser)
;; A cell whose trainable flag or column flag is 0 keeps its registers. The saturations of the
;; three registers are counted (trainable cells only) into the three i32 at `res`.
;; Assembled by wabt at `npm install` (scripts/build.mjs) into dist/gradacc.wasm.
(module
  (memory (export "memory") 1)

  

  (func $nearest1 (param $q f64) (result f64)
    (local $up f64)
    (local.set $up (f64.floor (f64.add (local.get $q) (f64.const 0.5))))
    (if (result f64)
      (i32.and (f64.eq (f64.sub (local.get $up) (local.get $q)) (f64.const 0.5)) (f64.lt (local.get $q) (f64.const 0)))
      (then (f64.sub (local.get $up) (f64.const 1)))
      (else (local.get $up))))

  

  (func (export "grad")
    (param $ebar i32) (param $delta i32) (param $esum i32) (param $mask i32)
    (param $zb i32) (param $psi i32) (param $eta i32) (param $valid i32) (param $res i32)
    (param $rows i32) (param $pairs i32) (param $stride i32) (param $base i32)
    (param $zMul f64) (param $downP f64) (param $kD f64) (param $omk f64) (param $downE f64) (param $sumMul f64)
    (param $eLo f64) (param $eHi f64) (param $gLo f64) (param $gHi f64) (param $sLo f64) (param $sHi f64)
    (local $q v128) (local $up v128)
    (local $r i32) (local $c i32) (local $off i32) (local $cell i32)
    (local $zE v128) (local $ps v128) (local $et v128) (local $m v128)
    (local $e v128) (local $eb0 v128) (local $eb v128) (local $dl0 v128) (local $dl v128) (local $s0 v128) (local $s v128) (local $over v128)
    (local $nE i32) (local $nG i32) (local $nS i32)
    (local $vDownP v128) (local $vKD v128) (local $vOmk v128) (local $vDownE v128) (local $vSum v128)
    (local $vELo v128) (local $vEHi v128) (local $vGLo v128) (local $vGHi v128) (local $vSLo v128) (local $vSHi v128)
    (local.set $vDownP (f64x2.splat (local.get $downP)))
    (local.set $vKD (f64x2.splat (local.get $kD)))
    (local.set $vOmk (f64x2.splat (local.get $omk)))
    (local.set $vDownE (f64x2.splat (local.get $downE)))
    (local.set $vSum (f64x2.splat (local.get $sumMul)))
    (local.set $vELo (f64x2.splat (local.get $eLo)))
    (local.set $vEHi (f64x2.splat (local.get $eHi)))
    (local.set $vGLo (f64x2.splat (local.get $gLo)))
    (local.set $vGHi (f64x2.splat (local.get $gHi)))
    (local.set $vSLo (f64x2.splat (local.get $sLo)))
    (local.set $vSHi (f64x2.splat (local.get $sHi)))
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
            ;; column c*2 (a pair of lanes), cell = base + r*stride + 2c
            (local.set $off (i32.shl (local.get $c) (i32.const 4)))
            (local.set $cell (i32.shl (i32.add (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $stride))) (i32.shl (local.get $c) (i32.const 1))) (i32.const 3)))
            (local.set $ps (v128.load (i32.add (local.get $psi) (local.get $off))))
            (local.set $et (v128.load (i32.add (local.get $eta) (local.get $off))))
            (local.set $m (v128.and
              (f64x2.ne (v128.load (i32.add (local.get $mask) (local.get $cell))) (v128.const f64x2 0 0))
              (f64x2.ne (v128.load (i32.add (local.get $valid) (local.get $off))) (v128.const f64x2 0 0))))
            ;; e = nearest(psi*zE*2^-P)
            (local.set $e (block (result v128) (local.set $q (f64x2.mul (f64x2.mul (local.get $ps) (local.get $zE)) (local.get $vDownP))) (local.set $up (f64x2.floor (f64x2.add (local.get $q) (v128.const f64x2 0.5 0.5)))) (f64x2.sub (local.get $up) (v128.and (v128.and (f64x2.eq (f64x2.sub (local.get $up) (local.get $q)) (v128.const f64x2 0.5 0.5)) (f64x2.lt (local.get $q) (v128.const f64x2 0 0))) (v128.const f64x2 1 1)))))
            ;; ebar = nearest(ebar*kappa) + nearest(e*(1 - kappa)), saturated
            (local.set $eb0 (v128.load (i32.add (local.get $ebar) (local.get $cell))))
            (local.set $eb (f64x2.add
              (block (result v128) (local.set $q (f64x2.mul (local.get $eb0) (local.get $vKD))) (local.set $up (f64x2.floor (f64x2.add (local.get $q) (v128.const f64x2 0.5 0.5)))) (f64x2.sub (local.get $up) (v128.and (v128.and (f64x2.eq (f64x2.sub (local.get $up) (local.get $q)) (v128.const f64x2 0.5 0.5)) (f64x2.lt (local.get $q) (v128.const f64x2 0 0))) (v128.const f64x2 1 1))))
              (block (result v128) (local.set $q (f64x2.mul (local.get $e) (local.get $vOmk))) (local.set $up (f64x2.floor (f64x2.add (local.get $q) (v128.const f64x2 0.5 0.5)))) (f64x2.sub (local.get $up) (v128.and (v128.and (f64x2.eq (f64x2.sub (local.get $up) (local.get $q)) (v128.const f64x2 0.5 0.5)) (f64x2.lt (local.get $q) (v128.const f64x2 0 0))) (v128.const f64x2 1 1))))))
            (local.set $over (v128.and (local.get $m) (v128.or (f64x2.gt (local.get $eb) (local.get $vEHi)) (f64x2.lt (local.get $eb) (local.get $vELo)))))
            (local.set $nE (i32.add (local.get $nE) (i32.popcnt (i64x2.bitmask (local.get $over)))))
            (local.set $eb (f64x2.add (f64x2.pmin (f64x2.pmax (local.get $eb) (local.get $vELo)) (local.get $vEHi)) (v128.const f64x2 0 0)))
            (v128.store (i32.add (local.get $ebar) (local.get $cell)) (v128.bitselect (local.get $eb) (local.get $eb0) (local.get $m)))
            ;; D -= nearest(etaL*ebar*2^-E), saturated
            (local.set $dl0 (v128.load (i32.add (local.get $delta) (local.get $cell))))
            (local.set $dl (f64x2.sub (local.get $dl0)
              (block (result v128) (local.set $q (f64x2.mul (f64x2.mul (local.get $et) (local.get $eb)) (local.get $vDownE))) (local.set $up (f64x2.floor (f64x2.add (local.get $q) (v128.const f64x2 0.5 0.5)))) (f64x2.sub (local.get $up) (v128.and (v128.and (f64x2.eq (f64x2.sub (local.get $up) (local.get $q)) (v128.const f64x2 0.5 0.5)) (f64x2.lt (local.get $q) (v128.const f64x2 0 0))) (v128.const f64x2 1 1))))))
            (local.set $over (v128.and (local.get $m) (v128.or (f64x2.gt (local.get $dl) (local.get $vGHi)) (f64x2.lt (local.get $dl) (local.get $vGLo)))))
            (local.set $nG (i32.add (local.get $nG) (i32.popcnt (i64x2.bitmask (local.get $over)))))
            (local.set $dl (f64x2.pmin (f64x2.pmax (local.get $dl) (local.get $vGLo)) (local.get $vGHi)))
            (v128.store (i32.add (local.get $delta) (local.get $cell)) (v128.bitselect (local.get $dl) (local.get $dl0) (local.get $m)))
            ;; esum += nearest(e*2^-(E-S)), saturated (with the regulariser)
            (if (local.get $esum)
              (then
                (local.set $s0 (v128.load (i32.add (local.get $esum) (local.get $cell))))
                (local.set $s (f64x2.add (local.get $s0) (block (result v128) (local.set $q (f64x2.mul (local.get $e) (local.get $vSum))) (local.set $up (f64x2.floor (f64x2.add (local.get $q) (v128.const f64x2 0.5 0.5)))) (f64x2.sub (local.get $up) (v128.and (v128.and (f64x2.eq (f64x2.sub (local.get $up) (local.get $q)) (v128.const f64x2 0.5 0.5)) (f64x2.lt (local.get $q) (v128.const f64x2 0 0))) (v128.const f64x2 1 1))))))
                (local.set $over (v128.and (local.get $m) (v128.or (f64x2.gt (local.get $s) (local.get $vSHi)) (f64x2.lt (local.get $s) (local.get $vSLo)))))
                (local.set $nS (i32.add (local.get $nS) (i32.popcnt (i64x2.bitmask (local.get $over)))))
                (local.set $s (f64x2.pmin (f64x2.pmax (local.get $s) (local.get $vSLo)) (local.get $vSHi)))
                (v128.store (i32.add (local.get $esum) (local.get $cell)) (v128.bitselect (local.get $s) (local.get $s0) (local.get $m)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (i32.store (local.get $res) (i32.add (i32.load (local.get $res)) (local.get $nE)))
    (i32.store offset=4 (local.get $res) (i32.add (i32.load offset=4 (local.get $res)) (local.get $nG)))
    (i32.store offset=8 (local.get $res) (i32.add (i32.load offset=8 (local.get $res)) (local.get $nS))))
)
