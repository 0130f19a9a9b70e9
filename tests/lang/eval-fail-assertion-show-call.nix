let f = _: false; in assert f { }; 1
