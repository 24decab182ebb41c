-- stopped.lua: runs once when the actor exits; ctx.reason says why.
ctx.do_send("console", "stopped (" .. ctx.reason .. ") after " .. ctx.state.ticks .. " ticks")
