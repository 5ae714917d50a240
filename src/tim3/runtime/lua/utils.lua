--- Pure table helpers and the pattern matcher behind Handlers (aos's `.utils`).
-- Clean-room: behaviour follows ao-protocol.md §1.9.2; no aos code.
-- @module utils

local utils = { _version = "0.0.5" }

local lower, find, match = string.lower, string.find, string.match

--- Curry a function of `arity` arguments.
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or 2
  if arity < 2 then return fn end
  return function(...)
    local args = { ... }
    if #args >= arity then
      return fn(table.unpack(args))
    end
    return utils.curry(function(...)
      local rest = { table.unpack(args) }
      for _, v in ipairs({ ... }) do rest[#rest + 1] = v end
      return fn(table.unpack(rest))
    end, arity - #args)
  end
end

--- Concatenate two arrays into a new one.
utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table" and type(b) == "table", "concat expects two arrays")
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end, 2)

--- Fold an array from the left: reduce(fn, initial, t).
utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function")
  assert(type(t) == "table", "third argument should be a table")
  local acc = initial
  for k, v in ipairs(t) do
    if acc == nil and k == 1 then acc = v else acc = fn(acc, v, k) end
  end
  return acc
end, 3)

--- Map an array: map(fn, t) with fn(value, index).
utils.map = utils.curry(function(fn, t)
  assert(type(fn) == "function" and type(t) == "table", "map expects a function and an array")
  local out = {}
  for i, v in ipairs(t) do out[i] = fn(v, i) end
  return out
end, 2)

--- Keep the array elements for which fn(value) is truthy.
utils.filter = utils.curry(function(fn, t)
  assert(type(fn) == "function" and type(t) == "table", "filter expects a function and an array")
  local out = {}
  for _, v in ipairs(t) do if fn(v) then out[#out + 1] = v end end
  return out
end, 2)

--- First array element for which fn(value) is truthy.
utils.find = utils.curry(function(fn, t)
  for _, v in ipairs(t) do if fn(v) then return v end end
  return nil
end, 2)

--- A predicate that checks t[name] == value.
utils.propEq = utils.curry(function(name, value, t)
  return type(t) == "table" and t[name] == value
end, 3)

--- Read t[name].
utils.prop = utils.curry(function(name, t) return t[name] end, 2)

--- Reverse an array into a new one.
function utils.reverse(t)
  local out = {}
  for i = #t, 1, -1 do out[#out + 1] = t[i] end
  return out
end

--- Compose functions right to left.
function utils.compose(...)
  local fns = { ... }
  return function(...)
    local results = { ... }
    for i = #fns, 1, -1 do results = { fns[i](table.unpack(results)) } end
    return table.unpack(results)
  end
end

--- True if the array contains value.
utils.includes = utils.curry(function(value, t)
  for _, v in ipairs(t) do if v == value then return true end end
  return false
end, 2)

--- Keys of a table, sorted when they are all strings or all numbers.
function utils.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  pcall(table.sort, out)
  return out
end

--- Values of a table, in the order of utils.keys.
function utils.values(t)
  local out = {}
  for _, k in ipairs(utils.keys(t)) do out[#out + 1] = t[k] end
  return out
end

--- True when t is a non-empty sequence 1..n with no other keys.
function utils.isArray(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

-- Normalised names, memoised: every message runs every root key and tag name through this.
local normalized, normalizedCount = {}, 0

--- aos's name normalisation: `_` → `-`, lower case, capital after start and each `-`.
function utils.normalize(s)
  if type(s) ~= "string" then return s end
  local hit = normalized[s]
  if hit then return hit end
  local n = lower((s:gsub("_", "-")))
  n = n:gsub("^%l", string.upper)
  n = n:gsub("%-(%l)", function(c) return "-" .. c:upper() end)
  if normalizedCount >= 4096 then normalized, normalizedCount = {}, 0 end
  normalized[s] = n
  normalizedCount = normalizedCount + 1
  return n
end

local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

--- Does `value` match `pattern`? ('_', function, Lua pattern, string, or a table of these).
function utils.matchesPattern(pattern, value, msg)
  if pattern == "_" then return true end
  local kind = type(pattern)
  if kind == "function" then
    return pattern(value, msg) and true or false
  elseif kind == "string" then
    -- Case-insensitive, as aos since May 2025; a non-string value errors like aos.
    local v, p = lower(value), lower(pattern)
    if find(p, MAGIC) then return match(v, p) ~= nil end
    return v == p
  elseif kind == "table" then
    for _, sub in pairs(pattern) do
      if utils.matchesPattern(sub, value, msg) then return true end
    end
    return false
  end
  return false
end

--- Does `msg` match `spec`? A function's result is returned as is; a string matches Action.
function utils.matchesSpec(msg, spec)
  local kind = type(spec)
  if kind == "function" then
    return spec(msg)
  elseif kind == "table" then
    for key, pattern in pairs(spec) do
      local value = msg[key]
      if not value then return false end
      if not utils.matchesPattern(pattern, value, msg) then return false end
    end
    return true
  elseif kind == "string" then
    return msg.Action == spec
  end
  return false
end

return utils
