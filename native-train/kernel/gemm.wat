;; C = A * B^T over row-major float32 matrices: C[i*ldc + j] = sum_p A[i*lda + p] * B[j*ldb + p].
;; Every heavy product of training has this form (cosines F*W^T, agent gradient G^T*F with both
;; operands pre-transposed), so one kernel serves both. k must be a multiple of 4 (callers pad).
;; Pointers are byte offsets into the imported memory; strides are in elements. The memory is shared
;; (max 4 GiB) so a second thread can run the same kernel on other rows (twoThreads.node.ts).
;; 2 rows of A x 4 rows of B are held in 8 SIMD accumulators (14 live registers, under x64's 16),
;; and B is walked in column blocks of `nb` rows so the block stays in L2 while A streams past.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; one dot product of k floats (tails of the 2x4 tiling)
  (func $dot (param $a i32) (param $b i32) (param $k i32) (result f32)
    (local $acc v128) (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $next)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

  ;; horizontal sums of four accumulators -> one vector [sum x0, sum x1, sum x2, sum x3]
  (func $hsum4 (param $x0 v128) (param $x1 v128) (param $x2 v128) (param $x3 v128) (result v128)
    (local $t0 v128) (local $t1 v128)
    (local.set $t0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x0) (local.get $x1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x0) (local.get $x1))))
    (local.set $t1 (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x2) (local.get $x3))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x2) (local.get $x3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t0) (local.get $t1))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t0) (local.get $t1))))

  (func (export "gemmNT")
    (param $a i32) (param $b i32) (param $c i32)
    (param $m i32) (param $n i32) (param $k i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $nb i32)
    (local $j0 i32) (local $j1 i32) (local $i i32) (local $j i32) (local $p i32) (local $kb i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $va0 v128) (local $va1 v128) (local $vb v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $pc i32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $j0 (i32.const 0))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $j0) (local.get $n)))
        (local.set $j1 (i32.add (local.get $j0) (local.get $nb)))
        (if (i32.gt_u (local.get $j1) (local.get $n)) (then (local.set $j1 (local.get $n))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $lda)) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m))
              (then
                ;; two rows of A against quads of B
                (local.set $pa1 (i32.add (local.get $pa0) (i32.shl (local.get $lda) (i32.const 2))))
                (local.set $j (local.get $j0))
                (block $quadsDone
                  (loop $quads
                    (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $j1)))
                    (local.set $pb0 (i32.add (local.get $b) (i32.shl (i32.mul (local.get $j) (local.get $ldb)) (i32.const 2))))
                    (local.set $pb1 (i32.add (local.get $pb0) (i32.shl (local.get $ldb) (i32.const 2))))
                    (local.set $pb2 (i32.add (local.get $pb1) (i32.shl (local.get $ldb) (i32.const 2))))
                    (local.set $pb3 (i32.add (local.get $pb2) (i32.shl (local.get $ldb) (i32.const 2))))
                    (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
                    (local.set $c02 (v128.const i64x2 0 0)) (local.set $c03 (v128.const i64x2 0 0))
                    (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
                    (local.set $c12 (v128.const i64x2 0 0)) (local.set $c13 (v128.const i64x2 0 0))
                    (local.set $p (i32.const 0))
                    (block $kDone
                      (loop $kLoop
                        (br_if $kDone (i32.ge_u (local.get $p) (local.get $kb)))
                        (local.set $va0 (v128.load (i32.add (local.get $pa0) (local.get $p))))
                        (local.set $va1 (v128.load (i32.add (local.get $pa1) (local.get $p))))
                        (local.set $vb (v128.load (i32.add (local.get $pb0) (local.get $p))))
                        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $va0) (local.get $vb))))
                        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $va1) (local.get $vb))))
                        (local.set $vb (v128.load (i32.add (local.get $pb1) (local.get $p))))
                        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $va0) (local.get $vb))))
                        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $va1) (local.get $vb))))
                        (local.set $vb (v128.load (i32.add (local.get $pb2) (local.get $p))))
                        (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $va0) (local.get $vb))))
                        (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $va1) (local.get $vb))))
                        (local.set $vb (v128.load (i32.add (local.get $pb3) (local.get $p))))
                        (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $va0) (local.get $vb))))
                        (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $va1) (local.get $vb))))
                        (local.set $p (i32.add (local.get $p) (i32.const 16)))
                        (br $kLoop)))
                    (local.set $pc (i32.add (local.get $c)
                      (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))
                    (v128.store (local.get $pc) (call $hsum4 (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03)))
                    (v128.store (i32.add (local.get $pc) (i32.shl (local.get $ldc) (i32.const 2)))
                      (call $hsum4 (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13)))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $quads)))
                ;; leftover columns of this block, both rows
                (block $colsDone
                  (loop $cols
                    (br_if $colsDone (i32.ge_u (local.get $j) (local.get $j1)))
                    (local.set $pb0 (i32.add (local.get $b) (i32.shl (i32.mul (local.get $j) (local.get $ldb)) (i32.const 2))))
                    (local.set $pc (i32.add (local.get $c)
                      (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))
                    (f32.store (local.get $pc) (call $dot (local.get $pa0) (local.get $pb0) (local.get $k)))
                    (f32.store (i32.add (local.get $pc) (i32.shl (local.get $ldc) (i32.const 2)))
                      (call $dot (local.get $pa1) (local.get $pb0) (local.get $k)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $cols)))
                (local.set $i (i32.add (local.get $i) (i32.const 2))))
              (else
                ;; last odd row
                (local.set $j (local.get $j0))
                (block $tailDone
                  (loop $tail
                    (br_if $tailDone (i32.ge_u (local.get $j) (local.get $j1)))
                    (local.set $pb0 (i32.add (local.get $b) (i32.shl (i32.mul (local.get $j) (local.get $ldb)) (i32.const 2))))
                    (f32.store
                      (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2)))
                      (call $dot (local.get $pa0) (local.get $pb0) (local.get $k)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $tail)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))))
            (br $rows)))
        (local.set $j0 (local.get $j1))
        (br $blocks))))
)
