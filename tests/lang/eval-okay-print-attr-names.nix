{
  plain = 1;
  "with space" = 2;
  "1digit" = 3;
  "dash-ok" = 4;
  "quote'ok" = 5;
  "_under" = 6;
  "" = 7;
  "if" = 8;
  "or" = 9;
  "inherit" = 10;
  "dollar${"$"}{" = 11;
  "ünicode" = 12;
  "a.b" = 13;
  Z = 14;
}
