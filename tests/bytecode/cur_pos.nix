# `__curPos` is a constant set of the file, line and column, made when compiling.
{ here = __curPos; }
