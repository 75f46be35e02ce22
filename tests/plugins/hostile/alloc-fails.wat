;; kpitree_alloc always returns 0, as if it had no memory left.
;; Expected: the request could not be written; the error says how much was asked for.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"name\":\"alloc-fails\",\"version\":\"0.1.0\",\"description\":\"Test plugin alloc-fails.\",\"rules\":[{\"id\":\"alloc-fails\",\"severity\":\"warning\",\"summary\":\"test rule alloc-fails\",\"why\":\"It is a test.\",\"fix\":\"Nothing to fix.\"}]}\00")
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
  (func (export "kpitree_abi_version") (result i32) (i32.const 0x10000))
  (func (export "kpitree_manifest") (result i64) (call $cstr (i32.const 16)))
  (func (export "kpitree_alloc") (param $len i32) (result i32) (i32.const 0))
  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (i64.const 0))
)
