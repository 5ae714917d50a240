--- The Handlers registry: add, order and evaluate message handlers (aos's `.handlers`).
-- Behaviour follows ao-protocol.md §1.9; clean-room, no aos code.
-- @module handlers

local utils = require(".utils")

local handlers = { _version = "0.0.5" }

handlers.list = {}
handlers.coroutines = {}
handlers.onceNonce = 0

local function indexOf(name)
  for i, h in ipairs(handlers.list) do
    if h.name == name then return i end
  end
  return nil
end

local ADD_USAGE = "Invalid arguments given. Expected: \n" ..
  "\tname : string, " ..
  "\tpattern : Action : string | MsgMatch : table,\n" ..
  "\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n" ..
  "\thandle(msg : Message) : void) | Resolver,\n" ..
  "\tMaxRuns? : number | 'inf' | nil"

local function assertAddArgs(name, pattern, handle, maxRuns)
  local kind = type(pattern)
  if type(name) ~= "string" or (kind ~= "function" and kind ~= "table" and kind ~= "string") then
    error(ADD_USAGE, 3)
  end
  if maxRuns ~= nil and maxRuns ~= "inf" and type(maxRuns) ~= "number" then
    error("maxRuns must be a number or 'inf'", 3)
  end
end

--- Turn a handle (function, or table of matchSpec → function) into one function.
function handlers.generateResolver(resolveSpec)
  return function(msg, env)
    if type(resolveSpec) == "function" then
      return resolveSpec(msg, env)
    end
    for spec, fn in pairs(resolveSpec) do
      if utils.matchesSpec(msg, spec) then
        return fn(msg, env)
      end
    end
  end
end

local function upsert(name, pattern, handle, maxRuns, atFront)
  -- The 2-argument form add(name, handle) uses the name as an Action pattern.
  if handle == nil and maxRuns == nil and type(pattern) ~= "table" and type(pattern) ~= "string" then
    handle, pattern = pattern, name
  end
  assertAddArgs(name, pattern, handle, maxRuns)
  local resolved = handlers.generateResolver(handle)
  local i = indexOf(name)
  if i then
    local h = handlers.list[i]
    h.pattern, h.handle, h.maxRuns = pattern, resolved, maxRuns
  elseif atFront then
    table.insert(handlers.list, 1, { name = name, pattern = pattern, handle = resolved, maxRuns = maxRuns })
  else
    table.insert(handlers.list, { name = name, pattern = pattern, handle = resolved, maxRuns = maxRuns })
  end
  return #handlers.list
end

--- Add or replace (in place) a handler; new ones go last. Returns the list length.
function handlers.add(name, pattern, handle, maxRuns)
  return upsert(name, pattern, handle, maxRuns, false)
end

--- Same as add, without a return value.
function handlers.append(name, pattern, handle, maxRuns)
  upsert(name, pattern, handle, maxRuns, false)
end

--- Same as add, but a new handler goes first.
function handlers.prepend(name, pattern, handle, maxRuns)
  upsert(name, pattern, handle, maxRuns, true)
end

local function inserter(offset, ref)
  local at = indexOf(ref)
  return {
    add = function(name, pattern, handle, maxRuns)
      assertAddArgs(name, pattern, handle, maxRuns)
      if at then
        table.insert(handlers.list, at + offset,
          { name = name, pattern = pattern, handle = handlers.generateResolver(handle), maxRuns = maxRuns })
      end
    end,
  }
end

--- handlers.before(ref).add(...) inserts just before the handler named ref.
function handlers.before(ref) return inserter(0, ref) end

--- handlers.after(ref).add(...) inserts just after the handler named ref.
function handlers.after(ref) return inserter(1, ref) end

--- Prepend a handler that runs once: once([name,] pattern, handle).
function handlers.once(...)
  local name, pattern, handle
  if select("#", ...) >= 3 then
    name, pattern, handle = ...
  else
    handlers.onceNonce = handlers.onceNonce + 1
    name = "_once_" .. tostring(handlers.onceNonce)
    pattern, handle = ...
  end
  handlers.prepend(name, pattern, handle, 1)
end

--- Remove the first handler with this name (no error if there is none).
function handlers.remove(name)
  local i = indexOf(name)
  if i then table.remove(handlers.list, i) end
end

--- Wait inside a handler for a message matching pattern; returns that message.
function handlers.receive(pattern)
  local self = coroutine.running()
  handlers.once(pattern, function(msg)
    local ok, err = coroutine.resume(self, msg)
    if not ok then error(err, 0) end
  end)
  return coroutine.yield(pattern)
end

local RESULT = { ["continue"] = 1, ["break"] = -1 }

local function classify(match)
  local kind = type(match)
  if kind == "boolean" then return match and -1 or 0 end
  if kind == "number" then return match end
  if kind == "string" then return RESULT[match] or 0 end
  error("Pattern result is not valid, it MUST be string, number, or boolean")
end

--- Run every matching handler in order; `_default` runs when none broke the walk.
function handlers.evaluate(msg, env)
  local handled = false
  local i = 1
  local list = handlers.list
  while i <= #list do
    local h = list[i]
    local removed = false
    if h.name ~= "_default" then
      local pattern = h.pattern
      local match
      if type(pattern) == "function" then match = pattern(msg) else match = utils.matchesSpec(msg, pattern) end
      if match == true then match = -1
      elseif match == false then match = 0
      else match = classify(match) end
      if match ~= 0 then
        if match < 0 then handled = true end
        local ok, err = pcall(h.handle, msg, env)
        if not ok then error(err, 0) end
        if h.maxRuns ~= nil and h.maxRuns ~= "inf" then
          h.maxRuns = h.maxRuns - 1
          if h.maxRuns <= 0 then
            handlers.remove(h.name)
            removed = (list[i] ~= h)
          end
        end
      end
      if match < 0 then return handled end
    end
    if not removed then i = i + 1 end
  end
  if not handled then
    local d = indexOf("_default")
    assert(d, "No _default handler: a handler list must keep '_default'")
    list[d].handle(msg, env)
  end
  return handled
end

return handlers
