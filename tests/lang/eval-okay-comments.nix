# a line comment
/* a block
   comment */
{
  a = 1; # trailing
  /* inline */ b = /* between */ 2;
  c = "# not a comment";
  d = "/* not a comment */";
  e = ''
    # kept in indented strings
  '';
}
