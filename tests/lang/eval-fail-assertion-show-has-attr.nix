let s = { a = 1; }; in assert s ? b; 1
