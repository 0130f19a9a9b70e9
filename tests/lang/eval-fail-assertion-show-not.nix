assert !true; 1
