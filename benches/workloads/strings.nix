# Strings: interpolation, concatStringsSep, replaceStrings, substring, match.
let
  n = 5000;
  words = builtins.genList (i: "word${toString i}") n;
  joined = builtins.concatStringsSep " " words;
  interpolated = builtins.foldl' (acc: w: "${w}-${toString (builtins.stringLength acc)}") "" words;
  replaced = builtins.replaceStrings [ "word" "1" ] [ "w" "one" ] joined;
  pieces = builtins.genList (i: builtins.substring (i * 3) 5 joined) 2000;
  matches = builtins.filter (w: builtins.match "word[0-9]*7" w != null) words;
in
[ (builtins.stringLength joined) interpolated (builtins.stringLength replaced) (builtins.length pieces) (builtins.length matches) ]
