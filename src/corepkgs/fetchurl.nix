# `<nix/fetchurl.nix>`: a fixed-output derivation that Nix's builtin `fetchurl` builder
# downloads. The attributes handed to `derivation` (names, values, order-independent) are those
# of the file C++ Nix embeds, so the derivation paths are the same.
{
  # No longer used; accepted so that old callers still evaluate.
  system ? "",
  url,
  # An SRI hash, or one of the legacy per-algorithm hashes below.
  hash ? "",
  md5 ? "",
  sha1 ? "",
  sha256 ? "",
  sha512 ? "",
  outputHash ?
    if hash != "" then hash
    else if sha512 != "" then sha512
    else if sha1 != "" then sha1
    else if md5 != "" then md5
    else sha256,
  outputHashAlgo ?
    if hash != "" then ""
    else if sha512 != "" then "sha512"
    else if sha1 != "" then "sha1"
    else if md5 != "" then "md5"
    else "sha256",
  executable ? false,
  unpack ? false,
  name ? baseNameOf (toString url),
  impure ? false,
}:

let
  common = {
    builder = "builtin:fetchurl";
    system = "builtin";
    outputHashMode = if unpack || executable then "recursive" else "flat";
    inherit name url executable unpack;
    urls = [ url ];
    # Kept because it is part of the derivation C++ Nix makes; the builder ignores it.
    impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
    preferLocalBuild = true;
  };
  content = if impure then { __impure = true; } else { inherit outputHashAlgo outputHash; };
in
derivation (common // content)
