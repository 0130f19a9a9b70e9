# A number where a binding belongs.
{ 1.5 = x; }
