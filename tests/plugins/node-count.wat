;; A well-behaved plugin: reads the node count `n` from the request's tree header and reports
;; one whole-tree info finding, "the tree has N nodes".
;;
;; Request: u32 tree_len, u32 config_len, then the KTR1 tree, whose header has `n` at offset 4.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"name\":\"node-count\",\"version\":\"0.1.0\",\"description\":\"Test plugin node-count.\",\"rules\":[{\"id\":\"node-count\",\"severity\":\"info\",\"summary\":\"test rule node-count\",\"why\":\"It is a test.\",\"fix\":\"Nothing to fix.\"}]}\00")
  ;; The NUL-terminated string at $p as a packed slice: (ptr << 32) | len.
  (func $cstr (param $p i32) (result i64)
    (local $e i32)
    (local.set $e (local.get $p))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $e))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $scan)))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32))
      (i64.extend_i32_u (i32.sub (local.get $e) (local.get $p)))))
  ;; Bump allocator: hands out fresh bytes after the data, growing memory as needed; 0 on failure.
  (global $top (mut i32) (i32.const 8192))
  (func $alloc_export (export "kpitree_alloc") (param $len i32) (result i32)
    (local $p i32) (local $end i32) (local $pages i32)
    (local.set $p (global.get $top))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $pages (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $top (local.get $end))
    (local.get $p))
  (func (export "kpitree_abi_version") (result i32) (i32.const 0x10000))
  (func (export "kpitree_manifest") (result i64) (call $cstr (i32.const 16)))
  (data (i32.const 4096) "{\"findings\":[{\"rule\":\"node-count\",\"nodes\":[],\"message\":\"the tree has \00")
  (data (i32.const 4352) " nodes\"}]}\00")
  ;; Appends the NUL-terminated string at $s to the output at $out; returns the new end.
  (func $append (param $out i32) (param $s i32) (result i32)
    (block $done
      (loop $copy
        (br_if $done (i32.eqz (i32.load8_u (local.get $s))))
        (i32.store8 (local.get $out) (i32.load8_u (local.get $s)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $copy)))
    (local.get $out))
  ;; Writes $n in decimal at $out; returns the new end.
  (func $decimal (param $out i32) (param $n i32) (result i32)
    (local $digits i32) (local $m i32)
    (local.set $m (local.get $n))
    (loop $count
      (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
      (local.set $m (i32.div_u (local.get $m) (i32.const 10)))
      (br_if $count (i32.ne (local.get $m) (i32.const 0))))
    (local.set $m (i32.add (local.get $out) (local.get $digits)))
    (loop $write
      (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
      (i32.store8 (i32.add (local.get $out) (local.get $digits))
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $write (i32.ne (local.get $digits) (i32.const 0))))
    (local.get $m))
  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32) (local $end i32)
    ;; The response goes to fresh memory from the allocator.
    (local.set $out (call $alloc_export (i32.const 256)))
    (local.set $end (call $append (local.get $out) (i32.const 4096)))
    (local.set $end (call $decimal (local.get $end) (i32.load (i32.add (local.get $ptr) (i32.const 12)))))
    (local.set $end (call $append (local.get $end) (i32.const 4352)))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
      (i64.extend_i32_u (i32.sub (local.get $end) (local.get $out)))))
)
