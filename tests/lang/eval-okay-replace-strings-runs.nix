# replaceStrings copies the runs between bytes that start a pattern as they are: patterns at
# the start, the end, next to each other, sharing a first byte, longer than what is left,
# non-ASCII, and an empty pattern (which matches between every two bytes).
let
  r = builtins.replaceStrings;
in
[
  (r [ "a" ] [ "A" ] "abracadabra")
  (r [ "ab" "a" ] [ "X" "Y" ] "abac-a")
  (r [ "\"" "\\" ] [ "\\\"" "\\\\" ] "say \"hi\" \\ there")
  (r [ "xyz" ] [ "!" ] "xy")
  (r [ "é" ] [ "e" ] "café crème")
  (r [ "" ] [ "-" ] "abc")
  (r [ "" "b" ] [ "-" "B" ] "abc")
  (r [ "c" ] [ "" ] "ccc")
  (r [ "q" ] [ "Q" ] "")
  (r [ "long pattern" ] [ "P" ] "no match in this long text at all")
]
