--- The host side of a process VM: sandbox, require, instruction budget, snapshots, and the
-- flat calling convention vm.py uses. Runs once per VM with the full standard library, then
-- hides everything process code must not reach (io, os, debug, binary chunks, `python`).
-- Everything here stays local: process code cannot reach this chunk's upvalues.

local sources = ...                     -- module file name → Lua source (from vm.py)
local envRoot = {}                      -- holds the process env; a snapshot root

local dbg = debug
local sethook, getupvalue, setupvalue = dbg.sethook, dbg.getupvalue, dbg.setupvalue
local getmt, setmt = dbg.getmetatable, dbg.setmetatable
local rawload, next, type, pairs, tostring, select = load, next, type, pairs, tostring, select
local cocreate, coresume, costatus = coroutine.create, coroutine.resume, coroutine.status
-- Process code may replace any global (`error = function() end` would let a loop outrun the
-- budget): the host calls only these copies, taken before any process code runs.
local error, assert, pcall, ipairs, rawset = error, assert, pcall, ipairs, rawset
local collectgarbage = collectgarbage
local concat, unpack, pack = table.concat, table.unpack, table.pack
local utf8len, utf8char, strbyte, strsub = utf8.len, utf8.char, string.byte, string.sub
local osdate, osdifftime = os.date, os.difftime

---------------------------------------------------------------------------------------------
-- Sandbox: what process code sees.

io = nil
dofile = nil
loadfile = nil
python = nil
debug = { traceback = dbg.traceback }

local currentTime = 0
os = {
  time = function() return currentTime end,
  clock = function() return 0 end,
  date = function(fmt, t) return osdate(fmt or "!%c", t or currentTime // 1000) end,
  difftime = osdifftime,
}

-- No finalizers: a __gc metamethod runs whenever the collector gets to it — in the middle of
-- another message or of the host's own work, outside any budget — and makes a process depend
-- on collection timing. (Lua 5.3 marks an object for finalization only when its metatable has
-- __gc at setmetatable time, so this check is enough.)
local rawsetmetatable, rawget = setmetatable, rawget
function setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not available to processes (finalizers would run at "
      .. "unpredictable times)", 2)
  end
  return rawsetmetatable(t, mt)
end

-- Text chunks only: crafted bytecode can break out of any Lua sandbox.
function load(chunk, chunkname, mode, env)
  if select("#", env) > 0 and env ~= nil then
    return rawload(chunk, chunkname, "t", env)
  end
  return rawload(chunk, chunkname, "t")
end

-- Lua 5.3 built without LUA_COMPAT_5_2 lacks these; aos's Lua has them.
math.pow = function(x, y) return x ^ y end
bit32 = {
  band = function(...) local r = 0xFFFFFFFF; for i = 1, select("#", ...) do r = r & select(i, ...) end; return r & 0xFFFFFFFF end,
  bor = function(...) local r = 0; for i = 1, select("#", ...) do r = r | select(i, ...) end; return r & 0xFFFFFFFF end,
  bxor = function(...) local r = 0; for i = 1, select("#", ...) do r = r ~ select(i, ...) end; return r & 0xFFFFFFFF end,
  bnot = function(x) return (~x) & 0xFFFFFFFF end,
  lshift = function(x, n) if n >= 32 then return 0 end; return (x << n) & 0xFFFFFFFF end,
  rshift = function(x, n) if n >= 32 then return 0 end; return (x & 0xFFFFFFFF) >> n end,
  arshift = function(x, n)
    x = x & 0xFFFFFFFF
    if x & 0x80000000 ~= 0 then x = x - 0x100000000 end
    return (x >> math.min(n, 63) | (x < 0 and ~(-1 >> math.min(n, 63)) or 0)) & 0xFFFFFFFF
  end,
  btest = function(...) local r = 0xFFFFFFFF; for i = 1, select("#", ...) do r = r & select(i, ...) end; return r & 0xFFFFFFFF ~= 0 end,
  extract = function(x, f, w) w = w or 1; return (x >> f) & ((1 << w) - 1) end,
  replace = function(x, v, f, w) w = w or 1; local m = ((1 << w) - 1) << f; return ((x & ~m) | ((v << f) & m)) & 0xFFFFFFFF end,
  lrotate = function(x, n) n = n % 32; x = x & 0xFFFFFFFF; return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF end,
  rrotate = function(x, n) n = n % 32; x = x & 0xFFFFFFFF; return ((x >> n) | (x << (32 - n))) & 0xFFFFFFFF end,
}

local std = package.loaded
package = {
  loaded = {
    string = string, table = table, math = math, coroutine = coroutine, utf8 = utf8,
    os = os, debug = debug, bit32 = bit32, _G = _G,
  },
  preload = {},
  path = "",
  cpath = "",
  config = std.package and std.package.config or "/\n;\n?\n!\n-\n",
}
std = nil

--- require: package.loaded, then package.preload, then the runtime's own modules.
-- `.name` and `name` (and `-`/`_`) reach the same file, cached under one key.
function require(name)
  assert(type(name) == "string", "bad argument #1 to 'require' (string expected)")
  local loaded = package.loaded
  local hit = loaded[name]
  if hit ~= nil then return hit end
  local loader = package.preload[name]
  local key = name
  if not loader then
    local file = name:gsub("^%.", ""):gsub("%-", "_"):gsub("%.", "/")
    key = (file == "json") and "json" or ("." .. name:gsub("^%.", ""))
    hit = loaded[key]
    if hit ~= nil then loaded[name] = hit; return hit end
    local src = sources[file]
    if not src then error("module '" .. name .. "' not found", 2) end
    local err
    loader, err = rawload(src, "@" .. file .. ".lua", "t")
    if not loader then error(err, 0) end
  end
  local value = loader(name)
  if value == nil then value = loaded[key] or true end
  loaded[key] = value
  loaded[name] = value
  return value
end

---------------------------------------------------------------------------------------------
-- Pattern functions the budget can stop. The C matcher of string.find/match/gmatch/gsub runs
-- outside the count hook, and backtracking can keep it busy for hours (".-.-.-b" against a
-- few hundred characters takes seconds). A call whose worst case (patterns.lua, `analyse`)
-- stays under PATTERN_STEPS runs in C as before; any other runs patterns.lua's matcher, in
-- Lua, under the budget — same answers and errors, slower. Arguments C would refuse go to C,
-- which raises its own error before matching anything.

local patterns = rawload(sources.patterns, "@patterns.lua", "t")()
local cfind, cmatch, cgmatch, cgsub = string.find, string.match, string.gmatch, string.gsub
local tointeger, huge = math.tointeger, math.huge
local PATTERN_STEPS = 100000000         -- at worst about a second of C matching
local SPECIALS = "[%^%$%*%+%?%.%(%[%%%-]"

-- Per pattern, the longest subject (part) C may take on: the one whose worst case,
-- (m + 1) ^ factor * 2 ^ doubles * (#p + 1) (patterns.analyse), stays within PATTERN_STEPS.
-- -1 sends every call to the Lua matcher (a malformed pattern: only it raises the error where
-- C would). Remembered, so a call costs one table read; forgotten wholesale past 1,024.
local reaches = { [true] = {}, [false] = {} }    -- anchorable → pattern → longest subject
local plains = {}                                -- pattern → has no special characters
local remembered = 0

local function remember(kind, p, v)          -- kind: true/false (anchorable) or "plain"
  if remembered >= 1024 then reaches, plains, remembered = { [true] = {}, [false] = {} }, {}, 0 end
  local t = kind == "plain" and plains or reaches[kind]
  t[p] = v
  remembered = remembered + 1
  return v
end

local function longest(factor, doubles, plen)
  if factor == huge then return -1 end
  local weight = 2.0 ^ doubles * (plen + 1)
  if weight > PATTERN_STEPS then return -1 end
  if factor == 0 then return math.maxinteger end
  local estimate = (PATTERN_STEPS / weight) ^ (1 / factor)
  if estimate >= 2 ^ 50 then return math.maxinteger end   -- past exact floats: no limit
  local m = math.floor(estimate) - 1
  while m >= 0 and (m + 1.0) ^ factor * weight > PATTERN_STEPS do m = m - 1 end
  while (m + 2.0) ^ factor * weight <= PATTERN_STEPS do m = m + 1 end
  return m
end

local function reach(p, anchorable)
  local known = reaches[anchorable]
  local r = known[p]
  if r ~= nil then return r end
  local factor, doubles = patterns.analyse(p, anchorable)
  return remember(anchorable, p, longest(factor, doubles, #p))
end

local function plain(p)
  local v = plains[p]
  if v ~= nil then return v end
  return remember("plain", p, not cfind(p, SPECIALS))
end

local getinfo, xpcall = dbg.getinfo, xpcall

-- Run the Lua matcher. Its own errors name the line of the string function's caller, as C's
-- do (the string functions tail-call this, so that caller is level 2 here) — unless `tail`:
-- the string function was itself tail-called and no caller frame is left (see asIfDirect).
local function onLua(tail, fn, ...)
  local r = pack(pcall(fn, ...))
  if r[1] then return unpack(r, 2, r.n) end
  local text = patterns.failure(r[2])
  if text == nil then error(r[2], 0) end
  error(text, tail and 0 or 2)
end

local function tailCalled() return getinfo(2, "t").istailcall end

-- C's own errors, worded and placed as if the caller had called C directly: C called from
-- here names itself '?' and takes no position, so this message handler of xpcall puts back the
-- name the caller used and the caller's line (stack: 1 this handler, 2 the function that
-- raised, 3 xpcall, 4 the string function below, 5 its caller). Errors that C did not raise —
-- a gsub callback's, the budget's — pass untouched.
local LIBRARY = { [cfind] = "find", [cmatch] = "match", [cgmatch] = "gmatch", [cgsub] = "gsub" }

local function asIfDirect(e)
  if type(e) ~= "string" then return e end
  local raiser = getinfo(2, "f")
  local name = raiser and LIBRARY[raiser.func]
  if name == nil then return e end
  local called = getinfo(4, "nt")
  local shown = called and called.name or ("string." .. name)
  local arg, rest = cmatch(e, "^bad argument #(%d+) to '%?' (.*)$")
  if arg then
    arg = tointeger(arg)
    if called and called.namewhat == "method" then arg = arg - 1 end
    if arg == 0 then e = "calling '" .. shown .. "' on bad self " .. rest
    else e = "bad argument #" .. arg .. " to '" .. shown .. "' " .. rest end
  end
  -- Called in a tail call (`return s:find(p)`), the caller's frame is gone, and with it the
  -- line and the name it used: the error then says 'string.find' and gives no line, rather
  -- than a wrong one. (A C function keeps its tail caller's frame; this is the one difference.)
  if called and not called.istailcall then
    local at = getinfo(5, "Sl")
    if at and at.currentline > 0 then e = at.short_src .. ":" .. at.currentline .. ": " .. e end
  end
  return e
end

local function finish(ok, ...)
  if ok then return ... end
  error((...), 0)
end

-- A given find/match `init` as C resolves it (nil: C must see it, to raise its error).
local function start(s, init)
  local i = tointeger(init)
  if i == nil then return nil end
  local n = #s
  if i < 0 then i = (-i > n) and 0 or n + i + 1 end
  if i < 1 then i = 1 end
  return i
end

-- The common case — strings, no init, a subject within the pattern's reach — costs a table
-- read, a comparison and a protected call before C. (Fixed parameters: a vararg function
-- costs as much again. So C always sees them all, and a missing argument is reported as
-- "got nil" where a direct call would say "got no value".)
function string.find(s, p, init, isPlain)
  if type(s) == "string" and type(p) == "string" then
    local i = init == nil and 1 or start(s, init)
    if i ~= nil and i <= #s + 1 then
      local m = #s - i + 1
      if isPlain or plain(p) then
        if (m + 1.0) * (#p + 1) > PATTERN_STEPS then
          return onLua(tailCalled(), patterns.plainFind, s, p, i, PATTERN_STEPS // (#p + 1) + 1)
        end
      elseif m > reach(p, true) then
        return onLua(tailCalled(), patterns.find, true, s, p, i)
      end
    end
  end
  return finish(xpcall(cfind, asIfDirect, s, p, init, isPlain))
end

function string.match(s, p, init)
  if type(s) == "string" and type(p) == "string" then
    local i = init == nil and 1 or start(s, init)
    if i ~= nil and i <= #s + 1 and #s - i + 1 > reach(p, true) then
      return onLua(tailCalled(), patterns.find, false, s, p, i)
    end
  end
  return finish(xpcall(cmatch, asIfDirect, s, p, init))
end

function string.gmatch(s, p)
  if type(s) == "string" and type(p) == "string" and #s > reach(p, false) then
    local step = patterns.gmatch(s, p)
    return function() return onLua(tailCalled(), step) end
  end
  return finish(xpcall(cgmatch, asIfDirect, s, p))
end

function string.gsub(s, p, repl, max)
  if type(s) == "string" and type(p) == "string" and #s > reach(p, true) then
    local kind = type(repl)
    local limit = max == nil and #s + 1 or tointeger(max)
    if limit ~= nil and (kind == "string" or kind == "number" or kind == "table"
        or kind == "function") then
      return onLua(tailCalled(), patterns.gsub, s, p, repl, limit)
    end
  end
  return finish(xpcall(cgsub, asIfDirect, s, p, repl, max))
end

---------------------------------------------------------------------------------------------
-- Instruction budget: a count hook on every coroutine.

local STEP = 1000
local budget, used, tripped = math.maxinteger, 0, false

local function hook()
  used = used + STEP
  if used > budget then
    tripped = true
    sethook(hook, "", 1)                -- from now on every instruction fails, so pcall can't hide it
    error("instruction budget exceeded", 0)
  end
end

local function hookedCreate(fn)
  local co = cocreate(fn)
  sethook(co, hook, "", STEP)
  return co
end
coroutine.create = hookedCreate
coroutine.wrap = function(fn)
  local co = hookedCreate(fn)
  return function(...)
    local r = pack(coresume(co, ...))
    if r[1] then return unpack(r, 2, r.n) end
    error(r[2], 0)
  end
end

---------------------------------------------------------------------------------------------
-- Snapshots: a copy of every table's contents and every closure's upvalues reachable from
-- _G. Restoring writes them back in place, so closures and identities survive.

local snapshot = nil

local function takeSnapshot()
  local tables, funcs, exact = {}, {}, true
  local stack, top = { _G, getmt(""), envRoot }, 3
  while top > 0 do
    local o = stack[top]
    stack[top] = nil
    top = top - 1
    local kind = type(o)
    if kind == "table" then
      if tables[o] == nil then
        local copy = {}
        for k, v in next, o do
          copy[k] = v
          local tk, tv = type(k), type(v)
          if tk == "table" or tk == "function" or tk == "thread" then top = top + 1; stack[top] = k end
          if tv == "table" or tv == "function" or tv == "thread" then top = top + 1; stack[top] = v end
        end
        local mt = getmt(o)
        tables[o] = { copy, mt }
        if mt then top = top + 1; stack[top] = mt end
      end
    elseif kind == "function" then
      if funcs[o] == nil then
        local ups, i = { n = 0 }, 1
        while true do
          local name, v = getupvalue(o, i)
          if name == nil then break end
          ups[i] = v
          ups.n = i
          local tv = type(v)
          if tv == "table" or tv == "function" or tv == "thread" then top = top + 1; stack[top] = v end
          i = i + 1
        end
        funcs[o] = ups
      end
    elseif kind == "thread" then
      if costatus(o) == "suspended" then exact = false end
    end
  end
  snapshot = { tables = tables, funcs = funcs, exact = exact }
  return exact
end

local function restoreSnapshot()
  assert(snapshot, "no snapshot to restore")
  for t, rec in next, snapshot.tables do
    local copy = rec[1]
    for k in next, t do
      if copy[k] == nil then t[k] = nil end    -- clearing during traversal is allowed
    end
    for k, v in next, copy do rawset(t, k, v) end
    setmt(t, rec[2])
  end
  for f, ups in next, snapshot.funcs do
    for i = 1, ups.n do setupvalue(f, i, ups[i]) end
  end
  collectgarbage()
  return snapshot.exact
end

---------------------------------------------------------------------------------------------
-- The calling convention: vm.py passes flat argument lists and reads flat tuples back.

local function text(s)
  -- Lua strings may hold any bytes; Python receives UTF-8, invalid bytes become U+FFFD.
  if utf8len(s) then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local ok, stop = utf8len(s, i)
    if ok then out[#out + 1] = strsub(s, i); break end
    if stop > i then out[#out + 1] = strsub(s, i, stop - 1) end
    out[#out + 1] = "\u{FFFD}"
    i = stop + 1
  end
  return concat(out)
end

-- aos turns env.Process.Tags into a map in place on the first message. The env (envRoot.env,
-- declared at the top) is built once and is a snapshot root, so a restore restores its shape.

local function setEnv(pid, powner, nptags, ...)
  local ptags = {}
  for i = 1, nptags do
    local name, value = select(2 * i - 1, ...)
    ptags[i] = { name = name, value = value }
  end
  local mid, mowner, nmtags = select(2 * nptags + 1, ...)
  local mtags = {}
  for i = 1, nmtags do
    local name, value = select(2 * nptags + 3 + 2 * i - 1, ...)
    mtags[i] = { name = name, value = value }
  end
  envRoot.env = { Process = { Id = pid, Owner = powner, Tags = ptags },
                  Module = { Id = mid, Owner = mowner, Tags = mtags } }
end

local function buildMsg(nfields, ...)
  local msg, tags = {}, {}
  local args = pack(...)
  for i = 1, nfields do
    msg[args[2 * i - 1]] = args[2 * i]
  end
  local j = 2 * nfields + 1
  local n = 0
  while j < args.n do
    n = n + 1
    tags[n] = { name = args[j], value = args[j + 1] }
    j = j + 2
  end
  msg.Tags = tags
  return msg
end

-- Strings go to Python as they are; Python decodes UTF-8 and, if a string is not valid
-- UTF-8, asks for the same result again with invalid bytes replaced (reflatten).
local function raw(s) return s end
local lastResult = nil

local function flatValue(v, clean)
  if type(v) == "string" then return clean(v), nil end
  return tostring(v), type(v)
end

-- The result as one flat list (see vm.py `_parse`). `out` may be a reused table: only
-- out[1..n] is meaningful, and n is returned.
local function flatten(result, out, clean)
  if result.Error ~= nil then
    out[1], out[2] = "error", text(tostring(result.Error))
    return out, 2
  end
  local o = result.Output
  local data, prompt = "", ""
  if type(o) == "table" then
    if type(o.data) == "string" then data = o.data
    elseif o.data ~= nil then data = tostring(o.data)
    elseif o[1] ~= nil then local parts = {}; for i, v in ipairs(o) do parts[i] = tostring(v) end; data = concat(parts, "\n") end
    if type(o.prompt) == "string" then prompt = o.prompt end
  elseif o ~= nil then
    data = tostring(o)
  end
  out[1], out[2], out[3] = "ok", clean(data), clean(prompt)
  local msgs = result.Messages or {}
  local nmsgs = #msgs
  out[4] = nmsgs
  local n = 4
  for i = 1, nmsgs do
    local m = msgs[i]
    local problem = ""
    local target = m.Target
    if type(target) ~= "string" then problem = "it has no Target"; target = "" end
    local anchor = m.Anchor
    if type(anchor) ~= "string" then anchor = "" end
    local d = m.Data
    if d == nil then d = ""
    elseif type(d) == "string" then d = clean(d)
    else
      if problem == "" then problem = "its Data is a " .. type(d) .. ", not a string" end
      d = tostring(d)
    end
    out[n + 1], out[n + 2], out[n + 3] = target, anchor, d
    local slot = n + 4
    n = n + 5
    local tags = m.Tags
    local count = 0
    if type(tags) == "table" then
      for j = 1, #tags do
        local t = tags[j]
        if type(t) == "table" then
          local name, value = t.name, t.value
          if type(value) == "string" then value = clean(value)
          else
            if problem == "" then problem = "tag '" .. tostring(name) .. "' has a " .. type(value) .. " value" end
            value = tostring(value)
          end
          if type(name) ~= "string" then
            if problem == "" then problem = "a tag name is not a string" end
            name = tostring(name)
          end
          out[n + 1], out[n + 2] = clean(name), value
          n = n + 2
          count = count + 1
        end
      end
    end
    out[slot], out[slot + 1] = count, problem
  end
  local function put(v) n = n + 1; out[n] = v end
  local spawns = result.Spawns or {}
  put(#spawns)
  for _, s in ipairs(spawns) do
    local dv = flatValue(s.Data == nil and "" or s.Data, clean)
    put(type(s.Anchor) == "string" and s.Anchor or ""); put(dv)
    local tags = type(s.Tags) == "table" and s.Tags or {}
    put(#tags)
    for i = 1, #tags do
      put(clean(tostring(tags[i].name))); put((flatValue(tags[i].value, clean)))
    end
  end
  local assigns = result.Assignments or {}
  put(#assigns)
  for _, a in ipairs(assigns) do
    put(tostring(a.Message))
    local ps = a.Processes or {}
    put(#ps)
    for i = 1, #ps do put(tostring(ps[i])) end
  end
  return out, n
end

local process = nil
local scratch = {}                      -- flatten's output, reused: unpack copies it out

-- Reading the result can run process code too (a tag value's __tostring, an outbox entry's
-- __index or __len), so flatten, and the words of an error, run under the message's budget.
local function finish(ok, result, clean)
  local out, n
  if ok then
    if type(result) ~= "table" then
      ok, result = false, "process.handle returned " .. type(result)
    else
      ok, out, n = pcall(flatten, result, clean == raw and scratch or {}, clean)
      if not ok then result = "the result cannot be read: " .. tostring(out) end
    end
  end
  local problem = result
  if not ok and type(result) ~= "string" then
    local shown
    shown, problem = pcall(tostring, result)
    if not shown or type(problem) ~= "string" then problem = "an error that cannot be shown" end
  end
  if tripped then return "error", "instruction budget exceeded" end
  sethook()
  if not ok then return "error", text(problem) end
  return unpack(out, 1, n)
end

local function run(limit, timestamp, nfields, ...)
  budget, used, tripped = limit, 0, false
  currentTime = timestamp or 0
  local msg = buildMsg(nfields, ...)
  sethook(hook, "", STEP)
  local ok, result = pcall(process.handle, msg, envRoot.env)
  if ok then lastResult = result end
  return finish(ok, result, raw)
end

-- The same result again with invalid UTF-8 replaced (vm.py asks when Python cannot decode it).
local function reflatten()
  used, tripped = 0, false
  sethook(hook, "", STEP)
  return finish(true, lastResult, text)
end

local baseline = {}                     -- global names the runtime itself defines

local function boot()
  process = require(".process")
  for k in next, _G do baseline[k] = true end
end

-- The process's own state as JSON: every global the runtime did not define, functions left
-- out, cycles and non-string keys written so the result always parses (CU /state). Only raw
-- reads and the host's own copies of library functions: reading the state runs no process
-- code (no metamethod, no replaced `string.format`), so it cannot loop or change anything.
local format, gsub, sort, mathtype = string.format, string.gsub, table.sort, math.type
local rawlen, rawget, huge = rawlen, rawget, math.huge

local function keyText(k)
  local kind = type(k)
  if kind == "string" then return k end
  if kind == "number" or kind == "boolean" then return tostring(k) end
  return "<" .. kind .. ">"
end

local function byKeyText(a, b) return keyText(a) < keyText(b) end

local function escape(c) return format("\\u%04x", strbyte(c)) end

local function stateJson(limit)
  local out, size, seen = {}, 0, {}
  local function put(s)
    size = size + #s
    if size > limit then error("state larger than " .. limit .. " bytes", 0) end
    out[#out + 1] = s
  end
  local function str(s)
    put('"' .. gsub(text(s), '[%c"\\]', escape) .. '"')
  end
  local function value(v)
    local kind = type(v)
    if kind == "string" then str(v)
    elseif kind == "number" then
      if v ~= v or v == huge or v == -huge then str(tostring(v))
      elseif mathtype(v) == "integer" then put(format("%d", v))
      else put(format("%.17g", v)) end
    elseif kind == "boolean" then put(tostring(v))
    elseif kind == "table" then
      if seen[v] then str("<cycle>"); return end
      seen[v] = true
      local n = rawlen(v)
      local count = 0
      for _ in next, v do count = count + 1 end
      if n > 0 and count == n then
        put("[")
        for i = 1, n do if i > 1 then put(",") end; value(rawget(v, i)) end
        put("]")
      else
        local keys = {}
        for k, item in next, v do
          local tk = type(item)
          if tk ~= "function" and tk ~= "thread" and tk ~= "userdata" then keys[#keys + 1] = k end
        end
        sort(keys, byKeyText)
        put("{")
        for i = 1, #keys do
          local k = keys[i]
          if i > 1 then put(",") end
          str(keyText(k)); put(":"); value(rawget(v, k))
        end
        put("}")
      end
      seen[v] = nil
    else put("null") end
  end
  local state = {}
  for k, v in next, _G do
    local tv = type(v)
    if not baseline[k] and tv ~= "function" and tv ~= "thread" then state[k] = v end
  end
  value(state)
  return concat(out)
end

local function status()
  return tripped, used
end

local function eval(source)
  -- Host-side evaluation for tests and tools: runs with full _G, no budget.
  local fn, err = rawload(source, "=host", "t")
  if not fn then error(err, 0) end
  return fn()
end

-- Tests force every pattern call onto the Lua matcher with 0 (or onto C with maxinteger).
local function setPatternSteps(n)
  assert(math.type(n) == "integer", "pattern steps must be an integer")
  local old = PATTERN_STEPS
  PATTERN_STEPS = n
  reaches, plains, remembered = { [true] = {}, [false] = {} }, {}, 0
  return old
end

return {
  boot = boot,
  setPatternSteps = setPatternSteps,
  stateJson = stateJson,
  setEnv = setEnv,
  run = run,
  reflatten = reflatten,
  status = status,
  snapshot = takeSnapshot,
  restore = restoreSnapshot,
  eval = eval,
  sethook = sethook,
}
