;; owner-quota: at most `max` (default 8) active KPIs per owner.
;;
;; Written by hand in WebAssembly text, without the SDK or any compiler, to show that the kpitree
;; plugin ABI (plugins/ABI.md) is implementable from its document alone. It walks the KTR1 tree bytes
;; directly: the kind, status, id and owner columns and the string table, the only sections its
;; manifest's `reads` asks for (the host leaves the others out, marked absent in the directory).
;;
;; Because KTR1 stores each distinct string once, two owners are the same exactly when their string
;; references are, so counting per owner is an array indexed by string reference: no hashing.
;;
;; Memory map (one 64 KiB page to start; grown as needed):
;;       0 ..   32  scratch for formatting numbers
;;    1024 .. 1774  the manifest (750 bytes)
;;    4096 .. 4525  text pieces of the response (offsets and lengths beside each `data` below)
;;    8192 ..       the heap: a bump allocator that never frees (every evaluation gets a fresh
;;                  instance), holding the request, the per-owner tables and the response.
(module
  (memory (export "memory") 1)

  (global $heap (mut i32) (i32.const 8192))
  (global $out (mut i32) (i32.const 0))
  ;; The string table of the tree being evaluated: offsets, bytes, count, length of the bytes.
  (global $soffs (mut i32) (i32.const 0))
  (global $sbytes (mut i32) (i32.const 0))
  (global $nstrings (mut i32) (i32.const 0))
  (global $slen (mut i32) (i32.const 0))

  (data (i32.const 1024) "{\"name\":\"owner-quota\",\"version\":\"0.1.0\",\"description\":\"Limits how many active KPIs one owner may hold. Hand-written WebAssembly text: no SDK, no compiler.\",\"rules\":[{\"id\":\"owner-kpi-quota\",\"severity\":\"warning\",\"summary\":\"an owner with more active KPIs than the quota (default 8)\",\"why\":\"Nobody can look after more than a handful of metrics. An owner with a long list reviews none of them properly, so metrics pile up unquestioned and ownership becomes a formality.\",\"fix\":\"Retire the KPIs no objective needs, or hand some to the teams closest to them.\"}],\"config_schema\":{\"type\":\"object\",\"properties\":{\"max\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000,\"default\":8,\"description\":\"most active KPIs one owner may hold\"}}},\"reads\":[\"status\",\"owner\"]}")

  (data (i32.const 4096) "{\"findings\":[")                        ;; 13
  (data (i32.const 4112) "]}")                                      ;; 2
  (data (i32.const 4120) "{\"rule\":\"owner-kpi-quota\",\"nodes\":[")  ;; 35
  (data (i32.const 4160) "],\"message\":\"\\\"")                       ;; 15
  (data (i32.const 4176) "\\\" owns ")                               ;; 8
  (data (i32.const 4184) " active KPIs, more than the quota of ")   ;; 37
  (data (i32.const 4224) "\",\"evidence\":{\"owner\":\"")               ;; 23
  (data (i32.const 4248) "\",\"kpis\":")                              ;; 9
  (data (i32.const 4264) ",\"limit\":")                               ;; 9
  (data (i32.const 4280) "}}")                                      ;; 2
  (data (i32.const 4288) "{\"error\":{\"message\":\"malformed request: its lengths do not add up\"}}")  ;; 68
  (data (i32.const 4360) "{\"error\":{\"message\":\"malformed tree: not KTR1, or a section lies outside it\"}}")  ;; 78
  (data (i32.const 4440) "{\"error\":{\"message\":\"configuration: `max` must be a whole number from 1 to 1000000\"}}")  ;; 85

  ;; (ptr << 32) | len, both unsigned: a packed slice.
  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
      (i64.extend_i32_u (local.get $len))))

  ;; ABI 1.1: the manifest's `reads` declares the parts of the tree this plugin reads (status and
  ;; owner; kind, id and the string table always come), so the host encodes only those.
  (func (export "kpitree_abi_version") (result i32)
    (i32.const 0x00010001))

  (func (export "kpitree_manifest") (result i64)
    (call $pack (i32.const 1024) (i32.const 750)))

  ;; Makes sure memory reaches byte `end` (exclusive, as a u64 so nothing wraps); 0 when it cannot.
  (func $reach (param $end i64) (result i32)
    (local $have i64)
    (local.set $have (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64
                  (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have)) (i64.const 0xFFFF))
                             (i64.const 16))))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (i32.const 1))

  ;; `len` bytes at an 8-byte-aligned address, or 0.
  (func $alloc (export "kpitree_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (if (i32.eqz (call $reach (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $len)))))
      (then (return (i32.const 0))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))

  ;; Output: bytes are appended at $out; running out of memory traps (the host reports it).
  (func $room (param $n i32)
    (if (i32.eqz (call $reach (i64.add (i64.extend_i32_u (global.get $out)) (i64.extend_i32_u (local.get $n)))))
      (then (unreachable))))

  (func $put (param $src i32) (param $len i32)
    (call $room (local.get $len))
    (memory.copy (global.get $out) (local.get $src) (local.get $len))
    (global.set $out (i32.add (global.get $out) (local.get $len))))

  (func $byte (param $b i32)
    (call $room (i32.const 1))
    (i32.store8 (global.get $out) (local.get $b))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))

  ;; Decimal digits of an unsigned number.
  (func $number (param $v i32)
    (local $p i32)
    (local.set $p (i32.const 32))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digits (local.get $v)))
    (call $put (local.get $p) (i32.sub (i32.const 32) (local.get $p))))

  ;; A string's bytes inside a JSON string: `"` and `\` escaped, control characters as \u00XX.
  ;; Room for the worst case (6 bytes a byte) is made once, then bytes are stored directly.
  (func $escaped (param $src i32) (param $len i32)
    (local $end i32) (local $b i32) (local $o i32)
    (call $room (i32.mul (local.get $len) (i32.const 6)))
    (local.set $o (global.get $out))
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $b (i32.load8_u (local.get $src)))
        (if (i32.or (i32.eq (local.get $b) (i32.const 34)) (i32.eq (local.get $b) (i32.const 92)))
          (then
            (i32.store8 (local.get $o) (i32.const 92))
            (i32.store8 offset=1 (local.get $o) (local.get $b))
            (local.set $o (i32.add (local.get $o) (i32.const 2))))
          (else
            (if (i32.lt_u (local.get $b) (i32.const 32))
              (then
                ;; \u00 then two hex digits
                (i32.store (local.get $o) (i32.const 0x3030755C))
                (i32.store8 offset=4 (local.get $o) (call $hexdigit (i32.shr_u (local.get $b) (i32.const 4))))
                (i32.store8 offset=5 (local.get $o) (call $hexdigit (i32.and (local.get $b) (i32.const 15))))
                (local.set $o (i32.add (local.get $o) (i32.const 6))))
              (else
                (i32.store8 (local.get $o) (local.get $b))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))))))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (br $each)))
    (global.set $out (local.get $o)))

  (func $hexdigit (param $d i32) (result i32)
    (select (i32.add (i32.const 48) (local.get $d)) (i32.add (i32.const 87) (local.get $d))
            (i32.lt_u (local.get $d) (i32.const 10))))

  ;; Is the section `k` of the tree at $t (tree_len $tl) inside the tree for $bytes bytes? Returns its
  ;; absolute address, or -1.
  (func $section (param $t i32) (param $tl i32) (param $k i32) (param $bytes i64) (result i32)
    (local $off i32)
    (local.set $off (i32.load (i32.add (local.get $t) (i32.add (i32.const 28) (i32.shl (local.get $k) (i32.const 2))))))
    (if (i64.gt_u (i64.add (i64.extend_i32_u (local.get $off)) (local.get $bytes)) (i64.extend_i32_u (local.get $tl)))
      (then (return (i32.const -1))))
    (i32.add (local.get $t) (local.get $off)))

  ;; Reads `max` from the configuration JSON: 8 when the key is absent, -1 when it is not a whole
  ;; number from 1 to 1000000. A plain scan for the key `"max"`, which is all this plugin's
  ;; configuration has (other keys are ignored).
  (func $max (param $c i32) (param $len i32) (result i32)
    (local $end i32) (local $p i32) (local $v i32) (local $digits i32) (local $b i32)
    (local.set $end (i32.add (local.get $c) (local.get $len)))
    (local.set $p (local.get $c))
    (block $found
      (loop $scan
        (if (i32.gt_u (i32.add (local.get $p) (i32.const 5)) (local.get $end)) (then (return (i32.const 8))))
        (br_if $found
          (i32.and
            (i32.eq (i32.load8_u (local.get $p)) (i32.const 34))
            (i32.eq (i32.load (i32.add (local.get $p) (i32.const 1))) (i32.const 0x2278616D)))) ;; max"
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (local.set $p (i32.add (local.get $p) (i32.const 5)))
    ;; whitespace, `:`, whitespace
    (local.set $digits (i32.const 0))
    (block $colon
      (loop $ws
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
        (local.set $b (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $colon (i32.eq (local.get $b) (i32.const 58)))
        (br_if $ws (i32.or (i32.or (i32.eq (local.get $b) (i32.const 32)) (i32.eq (local.get $b) (i32.const 9)))
                           (i32.or (i32.eq (local.get $b) (i32.const 10)) (i32.eq (local.get $b) (i32.const 13)))))
        (return (i32.const -1))))
    (block $number
      (loop $each
        (br_if $number (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $b (i32.load8_u (local.get $p)))
        (if (i32.and (i32.ge_u (local.get $b) (i32.const 48)) (i32.le_u (local.get $b) (i32.const 57)))
          (then
            (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10)) (i32.sub (local.get $b) (i32.const 48))))
            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
            (if (i32.gt_u (local.get $digits) (i32.const 7)) (then (return (i32.const -1)))))
          (else
            ;; leading whitespace is fine; after the digits only a separator may follow
            (if (i32.and (i32.eqz (local.get $digits))
                         (i32.or (i32.or (i32.eq (local.get $b) (i32.const 32)) (i32.eq (local.get $b) (i32.const 9)))
                                 (i32.or (i32.eq (local.get $b) (i32.const 10)) (i32.eq (local.get $b) (i32.const 13)))))
              (then)
              (else
                (br_if $number
                  (i32.or (i32.or (i32.eq (local.get $b) (i32.const 44)) (i32.eq (local.get $b) (i32.const 125)))
                          (i32.or (i32.or (i32.eq (local.get $b) (i32.const 32)) (i32.eq (local.get $b) (i32.const 9)))
                                  (i32.or (i32.eq (local.get $b) (i32.const 10)) (i32.eq (local.get $b) (i32.const 13))))))
                (return (i32.const -1))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $each)))
    (if (i32.or (i32.eqz (local.get $digits))
                (i32.or (i32.lt_u (local.get $v) (i32.const 1)) (i32.gt_u (local.get $v) (i32.const 1000000))))
      (then (return (i32.const -1))))
    (local.get $v))

  (func (export "kpitree_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (local $t i32) (local $tl i32) (local $n i32) (local $strings i32)
    (local $kind i32) (local $status i32) (local $id i32) (local $owner i32) (local $soffs i32) (local $sbytes i32)
    (local $max i32) (local $count i32) (local $head i32) (local $tail i32) (local $next i32)
    (local $i i32) (local $o i32) (local $k i32) (local $first i32) (local $start i32) (local $a i32)

    ;; request = u32 tree_len, u32 config_len, tree, config
    (if (i32.lt_u (local.get $len) (i32.const 8))
      (then (return (call $pack (i32.const 4288) (i32.const 68)))))
    (local.set $tl (i32.load (local.get $ptr)))
    (if (i64.ne (i64.add (i64.add (i64.const 8) (i64.extend_i32_u (local.get $tl)))
                         (i64.extend_i32_u (i32.load offset=4 (local.get $ptr))))
                (i64.extend_i32_u (local.get $len)))
      (then (return (call $pack (i32.const 4288) (i32.const 68)))))
    (local.set $t (i32.add (local.get $ptr) (i32.const 8)))

    ;; header: "KTR1", n, m, as_of, organisation, strings, sections (>= 43), directory
    (if (i32.or (i32.lt_u (local.get $tl) (i32.const 200))
                (i32.or (i32.ne (i32.load (local.get $t)) (i32.const 0x3152544B))
                        (i32.lt_u (i32.load offset=24 (local.get $t)) (i32.const 43))))
      (then (return (call $pack (i32.const 4360) (i32.const 78)))))
    (local.set $n (i32.load offset=4 (local.get $t)))
    (local.set $strings (i32.load offset=20 (local.get $t)))
    ;; the columns this rule reads: kind (0), status (1), id (5), owner (7), string offsets (41) and bytes (42)
    (local.set $kind (call $section (local.get $t) (local.get $tl) (i32.const 0) (i64.extend_i32_u (local.get $n))))
    (local.set $status (call $section (local.get $t) (local.get $tl) (i32.const 1) (i64.extend_i32_u (local.get $n))))
    (local.set $id (call $section (local.get $t) (local.get $tl) (i32.const 5) (i64.shl (i64.extend_i32_u (local.get $n)) (i64.const 2))))
    (local.set $owner (call $section (local.get $t) (local.get $tl) (i32.const 7) (i64.shl (i64.extend_i32_u (local.get $n)) (i64.const 2))))
    (local.set $soffs (call $section (local.get $t) (local.get $tl) (i32.const 41)
                        (i64.shl (i64.add (i64.extend_i32_u (local.get $strings)) (i64.const 1)) (i64.const 2))))
    (if (i32.or (i32.or (i32.eq (local.get $kind) (i32.const -1)) (i32.eq (local.get $status) (i32.const -1)))
                (i32.or (i32.or (i32.eq (local.get $id) (i32.const -1)) (i32.eq (local.get $owner) (i32.const -1)))
                        (i32.eq (local.get $soffs) (i32.const -1))))
      (then (return (call $pack (i32.const 4360) (i32.const 78)))))
    (global.set $slen (i32.load (i32.add (local.get $soffs) (i32.shl (local.get $strings) (i32.const 2)))))
    (local.set $sbytes (call $section (local.get $t) (local.get $tl) (i32.const 42) (i64.extend_i32_u (global.get $slen))))
    (if (i32.eq (local.get $sbytes) (i32.const -1))
      (then (return (call $pack (i32.const 4360) (i32.const 78)))))
    (global.set $soffs (local.get $soffs))
    (global.set $sbytes (local.get $sbytes))
    (global.set $nstrings (local.get $strings))

    (local.set $max (call $max (i32.add (local.get $t) (local.get $tl)) (i32.load offset=4 (local.get $ptr))))
    (if (i32.eq (local.get $max) (i32.const -1))
      (then (return (call $pack (i32.const 4440) (i32.const 85)))))

    ;; Per owner (by string reference): KPI count, first and last KPI (node index + 1, 0 = none);
    ;; per node: the next KPI of the same owner. Zeroed tables from the heap.
    (local.set $count (call $alloc (i32.shl (local.get $strings) (i32.const 2))))
    (local.set $head (call $alloc (i32.shl (local.get $strings) (i32.const 2))))
    (local.set $tail (call $alloc (i32.shl (local.get $strings) (i32.const 2))))
    (local.set $next (call $alloc (i32.shl (local.get $n) (i32.const 2))))
    (if (i32.or (i32.or (i32.eqz (local.get $count)) (i32.eqz (local.get $head)))
                (i32.or (i32.eqz (local.get $tail)) (i32.eqz (local.get $next))))
      (then (unreachable)))
    (memory.fill (local.get $count) (i32.const 0) (i32.sub (global.get $heap) (local.get $count)))

    ;; Pass 1: chain each owner's active KPIs in document order.
    (local.set $i (i32.const 0))
    (block $end1
      (loop $nodes1
        (br_if $end1 (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.and (i32.eq (i32.load8_u (i32.add (local.get $kind) (local.get $i))) (i32.const 3))
                     (i32.eqz (i32.load8_u (i32.add (local.get $status) (local.get $i)))))
          (then
            (local.set $o (i32.load (i32.add (local.get $owner) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.lt_u (local.get $o) (local.get $strings))   ;; NONE (no owner) is skipped
              (then
                (local.set $k (i32.shl (local.get $o) (i32.const 2)))
                (i32.store (i32.add (local.get $count) (local.get $k))
                           (i32.add (i32.load (i32.add (local.get $count) (local.get $k))) (i32.const 1)))
                (local.set $a (i32.load (i32.add (local.get $tail) (local.get $k))))
                (if (local.get $a)
                  (then (i32.store (i32.add (local.get $next) (i32.shl (i32.sub (local.get $a) (i32.const 1)) (i32.const 2)))
                                   (i32.add (local.get $i) (i32.const 1))))
                  (else (i32.store (i32.add (local.get $head) (local.get $k)) (i32.add (local.get $i) (i32.const 1)))))
                (i32.store (i32.add (local.get $tail) (local.get $k)) (i32.add (local.get $i) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nodes1)))

    ;; Pass 2: one finding per owner over the quota, at the owner's first KPI, in document order.
    (local.set $start (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $out (local.get $start))
    (call $put (i32.const 4096) (i32.const 13))
    (local.set $first (i32.const 1))
    (local.set $i (i32.const 0))
    (block $end2
      (loop $nodes2
        (br_if $end2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.load (i32.add (local.get $owner) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.lt_u (local.get $o) (local.get $strings))
          (then
            (local.set $k (i32.shl (local.get $o) (i32.const 2)))
            (if (i32.and (i32.eq (i32.load (i32.add (local.get $head) (local.get $k))) (i32.add (local.get $i) (i32.const 1)))
                         (i32.gt_u (i32.load (i32.add (local.get $count) (local.get $k))) (local.get $max)))
              (then
                (if (i32.eqz (local.get $first)) (then (call $byte (i32.const 44))))
                (local.set $first (i32.const 0))
                (call $put (i32.const 4120) (i32.const 35))
                ;; the owner's KPIs, in document order
                (local.set $a (i32.add (local.get $i) (i32.const 1)))
                (loop $chain
                  (call $byte (i32.const 34))
                  (call $string
                        (i32.load (i32.add (local.get $id) (i32.shl (i32.sub (local.get $a) (i32.const 1)) (i32.const 2)))))
                  (call $byte (i32.const 34))
                  (local.set $a (i32.load (i32.add (local.get $next) (i32.shl (i32.sub (local.get $a) (i32.const 1)) (i32.const 2)))))
                  (if (local.get $a) (then (call $byte (i32.const 44)) (br $chain))))
                (call $put (i32.const 4160) (i32.const 15))
                (call $string (local.get $o))
                (call $put (i32.const 4176) (i32.const 8))
                (call $number (i32.load (i32.add (local.get $count) (local.get $k))))
                (call $put (i32.const 4184) (i32.const 37))
                (call $number (local.get $max))
                (call $put (i32.const 4224) (i32.const 23))
                (call $string (local.get $o))
                (call $put (i32.const 4248) (i32.const 9))
                (call $number (i32.load (i32.add (local.get $count) (local.get $k))))
                (call $put (i32.const 4264) (i32.const 9))
                (call $number (local.get $max))
                (call $put (i32.const 4280) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nodes2)))
    (call $put (i32.const 4112) (i32.const 2))
    (call $pack (local.get $start) (i32.sub (global.get $out) (local.get $start))))

  ;; String `k` of the table, escaped for JSON. A reference outside the table writes nothing.
  (func $string (param $k i32)
    (local $a i32) (local $b i32)
    (if (i32.ge_u (local.get $k) (global.get $nstrings)) (then (return)))
    (local.set $a (i32.load (i32.add (global.get $soffs) (i32.shl (local.get $k) (i32.const 2)))))
    (local.set $b (i32.load offset=4 (i32.add (global.get $soffs) (i32.shl (local.get $k) (i32.const 2)))))
    (if (i32.or (i32.lt_u (local.get $b) (local.get $a)) (i32.gt_u (local.get $b) (global.get $slen))) (then (return)))
    (call $escaped (i32.add (global.get $sbytes) (local.get $a)) (i32.sub (local.get $b) (local.get $a))))
)
