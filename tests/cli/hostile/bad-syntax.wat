;; A WAT syntax error on a line holding control characters: the parser quotes the line.
(module
  (func $f [2J]0;pwned ‮ oops)
)
