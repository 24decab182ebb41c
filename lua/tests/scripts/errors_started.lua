-- errors_test: a started script that fails on line 3.
ctx.state.ready = false
error('cannot start: no config')
