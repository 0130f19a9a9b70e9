# String interpolation: literal parts as constants, each `${e}` forced and `CoerceInterp`ed, then `Interpolate n`; a string without interpolation (or an empty one) is a constant.
x: [ "a${x}b${toString 1}" "${x}" "plain" "" ]
