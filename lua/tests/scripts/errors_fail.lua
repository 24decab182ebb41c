-- errors_test: fails on line 4 when asked to.
local n = ctx.msg
if n == 'fail' then
    error('asked to fail')
end
return n
