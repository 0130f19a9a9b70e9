# The right operand of `&&` must be a Boolean: a speculated body gives up and the ordinary
# call reports it.
(x: x && 1) true
