{ greeting ? "hello" }:
{
  message = "${greeting} from an import";
  pathType = builtins.typeOf ./sibling;
  sameDir = toString ./. == toString ./../lib;
}
