-- started.lua: runs once, before the first message. ctx.state lives as long as the actor.
ctx.state.words = {}
ctx.state.ticks = 0
ctx.log("info", "started at", ctx.self)
