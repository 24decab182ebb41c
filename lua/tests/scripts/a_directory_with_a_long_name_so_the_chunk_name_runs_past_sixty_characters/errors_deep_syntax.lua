-- errors_test: a syntax error on line 2, at a long path.
return = 1
