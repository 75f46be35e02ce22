;; Imports a host function `env.f` (and a second one). Plugins may import nothing.
;; Expected: refused at load, before anything runs, naming the first import.
(module
  (import "env" "f" (func $f))
  (import "env" "g" (func $g))
  (memory (export "memory") 1)
  (func (export "kpitree_abi_version") (result i32) (i32.const 0x10000))
  (func (export "kpitree_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "kpitree_manifest") (result i64) (call $f) (i64.const 0))
  (func (export "kpitree_evaluate") (param i32 i32) (result i64) (i64.const 0))
)
