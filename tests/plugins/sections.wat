;; A test plugin that reports which sections of the KTR1 tree its request has: one finding whose
;; message is 43 characters, `1` for a section the directory gives an offset, `0` for one marked absent
;; (offset 0xFFFF_FFFF, ABI 1.1). ABI 1.1, declaring `reads`: ["owner", "parents"]. The host tests also
;; load it with the `reads` field removed and the version set to 1.0, and with a misspelt name.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"name\":\"sections\",\"version\":\"0.1.0\",\"description\":\"Test plugin: reports which KTR1 sections its request has.\",\"rules\":[{\"id\":\"sections\",\"severity\":\"info\",\"summary\":\"the sections present\",\"why\":\"It is a test.\",\"fix\":\"Nothing to fix.\"}],\"reads\":[\"owner\",\"parents\"]}\00")
  (data (i32.const 2048) "{\"findings\":[{\"rule\":\"sections\",\"nodes\":[],\"message\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}")
  ;; The NUL-terminated manifest as a packed slice: (ptr << 32) | len.
  (func (export "kpitree_manifest") (result i64)
    (local $e i32)
    (local.set $e (i32.const 16))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $e))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $scan)))
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.extend_i32_u (i32.sub (local.get $e) (i32.const 16)))))
  (global $top (mut i32) (i32.const 8192))
  (func (export "kpitree_alloc") (param $len i32) (result i32)
    (local $p i32) (local $pages i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.add (local.get $p) (local.get $len)))
    (local.set $pages (i32.shr_u (i32.add (global.get $top) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
        (then (return (i32.const 0))))))
    (local.get $p))
  (func (export "kpitree_abi_version") (result i32) (i32.const 0x00010001))
  ;; The directory starts 8 (request header) + 28 (tree header) bytes into the request.
  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (local $k i32)
    (loop $each
      (i32.store8 (i32.add (i32.const 2102) (local.get $k))
        (select (i32.const 48) (i32.const 49)
          (i32.eq (i32.load (i32.add (local.get $ptr) (i32.add (i32.const 36) (i32.shl (local.get $k) (i32.const 2)))))
                  (i32.const -1))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $k) (i32.const 43))))
    (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.const 101))))
