;; A plugin whose manifest holds what the host's cleaning keeps (bidi marks, tabs, newlines): the
;; CLI escapes them where one line is expected (`kpitree rules`, `plugin inspect`).
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"name\":\"marks\",\"version\":\"0.1.0\",\"description\":\"Bidi marks \\u200e\\u200f\\u061c and a\\ttab\\nthen a second line.\",\"rules\":[{\"id\":\"marks\",\"severity\":\"info\",\"summary\":\"summary \\u200f with\\na fake line\",\"why\":\"Why \\u061c,\\nin two lines.\",\"fix\":\"Fix \\u200e\\ttabbed.\"}]}\00")
  (data (i32.const 4096) "{\"findings\":[]}\00")
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
  (func (export "kpitree_manifest") (result i64) (call $cstr (i32.const 16)))
  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (call $cstr (i32.const 4096)))
)
