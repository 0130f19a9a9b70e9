# builtins.convertHash between every format, the input's form told apart by its length or
# prefix (expected values from `nix hash to-*`).
let
  hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  sri = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  all = hash: hashAlgo:
    map (toHashFormat: builtins.convertHash { inherit hash hashAlgo toHashFormat; }) [
      "base16"
      "nix32"
      "base64"
      "sri"
    ];
  noAlgo = hash: builtins.convertHash { inherit hash; toHashFormat = "base16"; };
in
[
  (all hex "sha256")
  (all "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73" "sha256")
  (all "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" "sha256")
  (all (builtins.hashString "md5" "hello") "md5")
  (all (builtins.hashString "sha1" "hello") "sha1")
  (all (builtins.hashString "sha512" "hello") "sha512")
  (noAlgo sri)
  (noAlgo "sha256:${hex}")
  (noAlgo "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=")
  (builtins.convertHash { hash = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"; hashAlgo = "sha256"; toHashFormat = "sri"; })
]
