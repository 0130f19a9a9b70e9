assert 1 > 2; 1
