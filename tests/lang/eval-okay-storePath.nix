# builtins.storePath: the path itself (below a store path too), with the store path as context.
let
  p = "/nix/store/ya937r4ydw0l6kayq8jkyqaips9c75jm-output";
in
[
  (builtins.storePath p)
  (builtins.getContext (builtins.storePath p))
  (builtins.storePath "${p}/sub/file")
  (builtins.getContext (builtins.storePath "${p}/sub/../file"))
]
