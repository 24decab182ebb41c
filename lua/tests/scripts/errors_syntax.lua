-- errors_test: a syntax error on line 3.
local x = 1
local y = x + * 2
return y
