let x = "b"; in assert "a${x}" != "ab"; 1
