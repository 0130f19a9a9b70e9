# A keyword where an attribute name belongs.
{ if = 1; }
