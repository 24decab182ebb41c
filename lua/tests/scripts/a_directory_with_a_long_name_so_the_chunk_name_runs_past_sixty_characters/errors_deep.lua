-- errors_test: a script at a path longer than Lua's 60-character chunk names.
error('deep failure')
