;; A rule whose `why` is 64 KiB (the most a manifest text may be) and a response of 131073 tiny
;; findings (5.4 MiB, within the output limit) that all take the rule's why. Printed with each finding,
;; the why would come to 8 GiB: a host that copies it into every finding runs out of memory.
;; Expected: refused for what the findings come to with their why and fix (4 × the output limit).
(module
  (memory (export "memory") 97)
  (data (i32.const 16) "{\"name\":\"amplify\",\"version\":\"0.1.0\",\"description\":\"Test plugin amplify.\",\"rules\":[{\"id\":\"amplify\",\"severity\":\"info\",\"summary\":\"test rule amplify\",\"why\":\"\00")
  (data (i32.const 1024) "\",\"fix\":\"Nothing to fix.\"}]}\00")
  (data (i32.const 2048) "{\"findings\":[\00")
  (data (i32.const 2100) "{\"rule\":\"amplify\",\"nodes\":[],\"message\":\"\"},\00")
  (data (i32.const 2200) "{\"rule\":\"amplify\",\"nodes\":[],\"message\":\"\"}]}\00")
  ;; The length of the NUL-terminated string at $p.
  (func $strlen (param $p i32) (result i32)
    (local $e i32)
    (local.set $e (local.get $p))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $e))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $e) (local.get $p)))
  ;; Appends the NUL-terminated string at $s at $at; returns the new end.
  (func $append (param $at i32) (param $s i32) (result i32)
    (local $n i32)
    (local.set $n (call $strlen (local.get $s)))
    (memory.copy (local.get $at) (local.get $s) (local.get $n))
    (i32.add (local.get $at) (local.get $n)))
  ;; The slice $start..$end, packed: (ptr << 32) | len.
  (func $slice (param $start i32) (param $end i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $start)) (i64.const 32))
      (i64.extend_i32_u (i32.sub (local.get $end) (local.get $start)))))
  ;; Bump allocator: hands out fresh bytes after the answers, growing memory as needed; 0 on failure.
  (global $top (mut i32) (i32.const 0x600000))
  (func (export "kpitree_alloc") (param $len i32) (result i32)
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
  ;; The manifest at 0x10000: the prefix, 65536 × "a", the suffix.
  (func (export "kpitree_manifest") (result i64)
    (local $at i32)
    (local.set $at (call $append (i32.const 0x10000) (i32.const 16)))
    (memory.fill (local.get $at) (i32.const 97) (i32.const 65536))
    (local.set $at (call $append (i32.add (local.get $at) (i32.const 65536)) (i32.const 1024)))
    (call $slice (i32.const 0x10000) (local.get $at)))
  ;; The response at 0x40000: the prefix, the finding with its comma doubled 17 times (131072 of
  ;; them), then the last finding and the end.
  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (local $start i32) (local $at i32) (local $k i32)
    (local.set $start (call $append (i32.const 0x40000) (i32.const 2048)))
    (local.set $at (call $append (local.get $start) (i32.const 2100)))
    (block $done
      (loop $double
        (br_if $done (i32.eq (local.get $k) (i32.const 17)))
        (memory.copy (local.get $at) (local.get $start) (i32.sub (local.get $at) (local.get $start)))
        (local.set $at (i32.add (local.get $at) (i32.sub (local.get $at) (local.get $start))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $double)))
    (local.set $at (call $append (local.get $at) (i32.const 2200)))
    (call $slice (i32.const 0x40000) (local.get $at)))
)
