# `if`: `JumpIfFalse` to the else branch; outside tail position the then branch jumps to a shared end (`Jump`), in tail position each branch returns.
c: x: if c then (if x then 1 else 2) + 1 else x
