# A string left open at the end of the file.
{ x = "a${"b"}; }
