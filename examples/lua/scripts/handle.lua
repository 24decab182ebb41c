-- handle.lua: runs for each message; ctx.msg is the message, what it returns the reply.
local msg = ctx.msg
if msg.word then
    table.insert(ctx.state.words, msg.word)
    return #ctx.state.words
elseif msg.remind then
    -- A message to ourselves later; the delay is in seconds and may be fractional.
    ctx.notify_later({tick = true}, msg.remind)
elseif msg.tick then
    ctx.state.ticks = ctx.state.ticks + 1
    local line = table.concat(ctx.state.words, " ")
    ctx.do_send("console", "tick " .. ctx.state.ticks .. ": " .. line)
    if ctx.state.ticks < 3 then
        ctx.notify_later({tick = true}, 0.02)
    else
        ctx.terminate()  -- stop after this message; stopped.lua runs then
    end
end
