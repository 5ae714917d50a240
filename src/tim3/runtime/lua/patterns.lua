--- Lua 5.3's string patterns, matched in Lua — for calls the instruction budget must be able
-- to stop.
--
-- string.find/match/gmatch/gsub match in C, and a count hook cannot interrupt C: a backtracking
-- pattern such as ".-.-.-b" on a few hundred characters keeps the C matcher busy for minutes,
-- outside any budget. host.lua therefore guards those four functions: a call whose worst case
-- is small (see `cost`) runs the C function as it is; any other call runs the matcher below,
-- whose every step is a Lua instruction the budget counts. Same results, same errors (the
-- tests compare both on random patterns and subjects), just slower.
--
-- Behaviour follows the Lua 5.3 manual (§6.4.1) and what the C library of this runtime does,
-- including 5.3.6's rule that gmatch and gsub take no empty match right where the previous
-- match ended. A gsub callback may yield here, where C would refuse. (Errors of a string
-- function called in a tail call lose their line: see host.lua.) Written for TIM3; no code
-- taken from lstrlib.c.
--
-- @module patterns

local byte, sub, format = string.byte, string.sub, string.format
local cfind = string.find
local concat, unpack = table.concat, table.unpack
local error, type, tostring, setmetatable, getmetatable = error, type, tostring, setmetatable, getmetatable

-- The matcher's own errors ("malformed pattern …") are raised as Failure values: host.lua
-- re-raises their text at its caller's level, as the C library's errors carry the position of
-- the code that called it. Errors from a gsub callback or the budget pass through untouched.
local Failure = {}
local function fail(text) error(setmetatable({ text = text }, Failure), 0) end

local MAX_CAPTURES = 32
local MAX_DEPTH = 200                 -- C's MAXCCALLS: deeper nesting is "pattern too complex"
local UNFINISHED, POSITION = -1, -2   -- capture lengths with a meaning

local PERCENT, LBRACKET, RBRACKET, CARET, DOLLAR = 37, 91, 93, 94, 36
local LPAREN, RPAREN, DOT, STAR, PLUS, MINUS, QUESTION = 40, 41, 46, 42, 43, 45, 63

-- Character classes of the C locale, one 256-entry table per class letter, built on first use
-- (most processes never reach this matcher: the tables would only weigh on their heap).
local CLASSES = nil

local function buildClasses()
  CLASSES = {}
  local function set(test)
    local t = {}
    for c = 0, 255 do t[c] = test(c) end
    return t
  end
  local function alpha(c) return (c >= 65 and c <= 90) or (c >= 97 and c <= 122) end
  local function digit(c) return c >= 48 and c <= 57 end
  local function space(c) return c == 32 or (c >= 9 and c <= 13) end
  local function graph(c) return c >= 33 and c <= 126 end
  CLASSES[97] = set(alpha)                                                        -- a
  CLASSES[99] = set(function(c) return c < 32 or c == 127 end)                    -- c
  CLASSES[100] = set(digit)                                                       -- d
  CLASSES[103] = set(graph)                                                       -- g
  CLASSES[108] = set(function(c) return c >= 97 and c <= 122 end)                 -- l
  CLASSES[112] = set(function(c) return graph(c) and not alpha(c) and not digit(c) end) -- p
  CLASSES[115] = set(space)                                                       -- s
  CLASSES[117] = set(function(c) return c >= 65 and c <= 90 end)                  -- u
  CLASSES[119] = set(function(c) return alpha(c) or digit(c) end)                 -- w
  CLASSES[120] = set(function(c) return digit(c) or (c >= 65 and c <= 70) or (c >= 97 and c <= 102) end) -- x
  return CLASSES
end

-- Does byte c match the class letter cl of `%cl`? Other characters after `%` stand for
-- themselves.
local function matchClass(c, cl)
  local lower = (cl >= 65 and cl <= 90) and cl + 32 or cl
  local class = (CLASSES or buildClasses())[lower]
  if class == nil then return cl == c end
  if lower ~= cl then return not class[c] end
  return class[c]
end

-- A match in progress: subject, pattern, captures (1-based), remaining depth.
local function state(s, p)
  return { src = s, n = #s, pat = p, plen = #p, level = 0, init = {}, len = {}, depth = MAX_DEPTH }
end

-- The index just past the single-character class that starts at p.
local function classEnd(ms, p)
  local pat, plen = ms.pat, ms.plen
  local c = byte(pat, p)
  p = p + 1
  if c == PERCENT then
    if p > plen then fail("malformed pattern (ends with '%')") end
    return p + 1
  end
  if c == LBRACKET then
    if byte(pat, p) == CARET then p = p + 1 end
    repeat
      if p > plen then fail("malformed pattern (missing ']')") end
      local cc = byte(pat, p)
      p = p + 1
      if cc == PERCENT and p <= plen then p = p + 1 end
    until byte(pat, p) == RBRACKET
    return p + 1
  end
  return p
end

-- Does byte c match the set [...] from p (at '[') to ec (at its ']')?
local function matchBracket(ms, c, p, ec)
  local pat = ms.pat
  local found = true
  if byte(pat, p + 1) == CARET then
    found = false
    p = p + 1
  end
  while true do
    p = p + 1
    if p >= ec then break end
    local pc = byte(pat, p)
    if pc == PERCENT then
      p = p + 1
      if matchClass(c, byte(pat, p)) then return found end
    elseif byte(pat, p + 1) == MINUS and p + 2 < ec then
      p = p + 2
      if pc <= c and c <= byte(pat, p) then return found end
    elseif pc == c then
      return found
    end
  end
  return not found
end

local function singleMatch(ms, s, p, ep)
  if s > ms.n then return false end
  local c = byte(ms.src, s)
  local pc = byte(ms.pat, p)
  if pc == DOT then return true end
  if pc == PERCENT then return matchClass(c, byte(ms.pat, p + 1)) end
  if pc == LBRACKET then return matchBracket(ms, c, p, ep - 1) end
  return pc == c
end

local match   -- match(ms, s, p): the index just past the match of pattern[p..] at s, or nil

local function maxExpand(ms, s, p, ep)
  local i = 0
  while singleMatch(ms, s + i, p, ep) do i = i + 1 end
  while i >= 0 do
    local e = match(ms, s + i, ep + 1)
    if e then return e end
    i = i - 1
  end
  return nil
end

local function minExpand(ms, s, p, ep)
  while true do
    local e = match(ms, s, ep + 1)
    if e then return e end
    if not singleMatch(ms, s, p, ep) then return nil end
    s = s + 1
  end
end

local function startCapture(ms, s, p, what)
  local level = ms.level
  if level >= MAX_CAPTURES then fail("too many captures") end
  level = level + 1
  ms.init[level], ms.len[level], ms.level = s, what, level
  local e = match(ms, s, p)
  if not e then ms.level = ms.level - 1 end
  return e
end

local function endCapture(ms, s, p)
  local l = ms.level
  while l >= 1 and ms.len[l] ~= UNFINISHED do l = l - 1 end
  if l < 1 then fail("invalid pattern capture") end
  ms.len[l] = s - ms.init[l]
  local e = match(ms, s, p)
  if not e then ms.len[l] = UNFINISHED end
  return e
end

local function backReference(ms, s, digit)
  local l = digit - 48
  if l < 1 or l > ms.level or ms.len[l] == UNFINISHED then
    fail(format("invalid capture index %%%d", l))
  end
  local len, init = ms.len[l], ms.init[l]
  if len >= 0 and ms.n - s + 1 >= len
      and sub(ms.src, init, init + len - 1) == sub(ms.src, s, s + len - 1) then
    return s + len
  end
  return nil
end

local function balance(ms, s, p)
  if p >= ms.plen then fail("malformed pattern (missing arguments to '%b')") end
  local src, n = ms.src, ms.n
  local open, close = byte(ms.pat, p), byte(ms.pat, p + 1)
  if s > n or byte(src, s) ~= open then return nil end
  local depth = 1
  for i = s + 1, n do
    local c = byte(src, i)
    if c == close then
      depth = depth - 1
      if depth == 0 then return i + 1 end
    elseif c == open then
      depth = depth + 1
    end
  end
  return nil
end

local function doMatch(ms, s, p)
  local pat, plen = ms.pat, ms.plen
  while true do
    if p > plen then return s end
    local pc = byte(pat, p)
    if pc == LPAREN then
      if byte(pat, p + 1) == RPAREN then return startCapture(ms, s, p + 2, POSITION) end
      return startCapture(ms, s, p + 1, UNFINISHED)
    elseif pc == RPAREN then
      return endCapture(ms, s, p + 1)
    elseif pc == DOLLAR and p == plen then
      if s == ms.n + 1 then return s end
      return nil
    end
    local nextc = byte(pat, p + 1)
    if pc == PERCENT and nextc == 98 then                     -- %b
      s = balance(ms, s, p + 2)
      if not s then return nil end
      p = p + 4
    elseif pc == PERCENT and nextc == 102 then                -- %f
      p = p + 2
      if byte(pat, p) ~= LBRACKET then fail("missing '[' after '%f' in pattern") end
      local ep = classEnd(ms, p)
      local before = s == 1 and 0 or byte(ms.src, s - 1)
      local at = s <= ms.n and byte(ms.src, s) or 0
      if matchBracket(ms, before, p, ep - 1) or not matchBracket(ms, at, p, ep - 1) then
        return nil
      end
      p = ep
    elseif pc == PERCENT and nextc ~= nil and nextc >= 48 and nextc <= 57 then  -- %1-%9
      s = backReference(ms, s, nextc)
      if not s then return nil end
      p = p + 2
    else
      local ep = classEnd(ms, p)
      local q = byte(pat, ep)
      if not singleMatch(ms, s, p, ep) then
        if q ~= STAR and q ~= QUESTION and q ~= MINUS then return nil end
        p = ep + 1                                          -- zero repetitions will do
      elseif q == QUESTION then
        local e = match(ms, s + 1, ep + 1)
        if e then return e end
        p = ep + 1
      elseif q == PLUS then
        return maxExpand(ms, s + 1, p, ep)
      elseif q == STAR then
        return maxExpand(ms, s, p, ep)
      elseif q == MINUS then
        return minExpand(ms, s, p, ep)
      else
        s, p = s + 1, ep
      end
    end
  end
end

match = function(ms, s, p)
  local depth = ms.depth
  if depth == 0 then fail("pattern too complex") end
  ms.depth = depth - 1
  local e = doMatch(ms, s, p)
  ms.depth = depth
  return e
end

local function capture(ms, i, s, e)
  if i > ms.level then
    if i ~= 1 then fail(format("invalid capture index %%%d", i)) end
    return sub(ms.src, s, e - 1)
  end
  local len = ms.len[i]
  if len == UNFINISHED then fail("unfinished capture") end
  if len == POSITION then return ms.init[i] end
  return sub(ms.src, ms.init[i], ms.init[i] + len - 1)
end

-- The captures of a match (the whole match when there are none and s is given).
local function captures(ms, s, e)
  local n = (ms.level == 0 and s) and 1 or ms.level
  if n == 0 then return end
  if n == 1 then return capture(ms, 1, s, e) end
  local out = {}
  for i = 1, n do out[i] = capture(ms, i, s, e) end
  return unpack(out, 1, n)
end

local function fresh(ms)
  ms.level, ms.depth = 0, MAX_DEPTH
end

local M = {}

--- The text of a matcher error, or nil for any other error value.
function M.failure(e)
  if getmetatable(e) == Failure then return e.text end
  return nil
end

--- string.find / string.match for a pattern (not a plain search); init already resolved
-- (1 <= init <= #s + 1).
function M.find(isFind, s, p, init)
  local ms = state(s, p)
  local first, anchored = 1, byte(p, 1) == CARET
  if anchored then first = 2 end
  local s1 = init
  repeat
    fresh(ms)
    local e = match(ms, s1, first)
    if e then
      if isFind then
        local n = ms.level
        if n == 0 then return s1, e - 1 end
        local out = { s1, e - 1 }
        for i = 1, n do out[i + 2] = capture(ms, i, nil, nil) end
        return unpack(out, 1, n + 2)
      end
      return captures(ms, s1, e)
    end
    s1 = s1 + 1
  until anchored or s1 > ms.n + 1
  return nil
end

--- string.gmatch's iterator.
function M.gmatch(s, p)
  local ms = state(s, p)
  local src, last = 1, nil
  return function()
    while src <= ms.n + 1 do
      fresh(ms)
      local e = match(ms, src, 1)
      if e and e ~= last then
        local from = src
        src, last = e, e
        return captures(ms, from, e)
      end
      src = src + 1
    end
    return nil
  end
end

-- The replacement text for one match of gsub.
local function replacement(ms, s, e, repl, kind)
  if kind == "string" or kind == "number" then
    repl = tostring(repl)
    local out, i, n = {}, 1, #repl
    while i <= n do
      local c = byte(repl, i)
      if c ~= PERCENT then
        local j = cfind(repl, "%", i, true) or n + 1
        out[#out + 1] = sub(repl, i, j - 1)
        i = j
      else
        local d = byte(repl, i + 1)
        if d == PERCENT then
          out[#out + 1] = "%"
        elseif d ~= nil and d >= 48 and d <= 57 then
          if d == 48 then out[#out + 1] = sub(ms.src, s, e - 1)
          else out[#out + 1] = tostring(capture(ms, d - 48, s, e)) end
        else
          fail("invalid use of '%' in replacement string")
        end
        i = i + 2
      end
    end
    return concat(out)
  end
  local value
  if kind == "function" then
    value = repl(captures(ms, s, e))
  else
    value = repl[capture(ms, 1, s, e)]
  end
  if not value then return sub(ms.src, s, e - 1) end
  local vt = type(value)
  if vt ~= "string" and vt ~= "number" then
    fail(format("invalid replacement value (a %s)", vt))
  end
  return tostring(value)
end

--- string.gsub with `repl` a string, number, table or function and max a resolved integer.
function M.gsub(s, p, repl, max)
  local ms = state(s, p)
  local kind = type(repl)
  local first, anchored = 1, byte(p, 1) == CARET
  if anchored then first = 2 end
  local out, src, last, count = {}, 1, nil, 0
  while count < max do
    fresh(ms)
    local e = match(ms, src, first)
    if e and e ~= last then
      count = count + 1
      out[#out + 1] = replacement(ms, src, e, repl, kind)
      src, last = e, e
    elseif src <= ms.n then
      out[#out + 1] = sub(s, src, src)
      src = src + 1
    else
      break
    end
    if anchored then break end
  end
  out[#out + 1] = sub(s, src)
  return concat(out), count
end

--- string.find with plain = true, in windows whose C search stays short.
function M.plainFind(s, p, init, window)
  local n, m = #s, #p
  if m == 0 then return init, init - 1 end
  local start = init
  while start <= n - m + 1 do
    local stop = start + window + m - 2
    if stop > n then stop = n end
    local a = cfind(sub(s, start, stop), p, 1, true)
    if a then return start + a - 1, start + a + m - 2 end
    start = start + window
  end
  return nil
end

--- The worst-case work of matching p over m characters: the C matcher can take up to about
-- (m + 1) ^ factor * 2 ^ doubles * (#p + 1) steps; this returns (factor, doubles). Each `*`,
-- `+` and `-` item can try every length of the rest, and so can `%b` and a back-reference
-- (they scan); `?` doubles; an unanchored search tries every start. A malformed pattern
-- answers math.huge: only the Lua matcher reports its error exactly where C would.
function M.analyse(p, anchorable)
  local plen = #p
  local factor, doubles, i = 0, 0, 1
  local anchored = anchorable and byte(p, 1) == CARET
  if anchored then i = 2 end
  local ms = { pat = p, plen = plen }
  local ok = pcall(function()
    while i <= plen do
      local c, nextc = byte(p, i), byte(p, i + 1)
      if c == LPAREN or c == RPAREN then
        i = i + 1
      elseif c == PERCENT and nextc == 98 then
        factor = factor + 1
        i = i + 4
      elseif c == PERCENT and nextc == 102 then
        i = classEnd(ms, i + 2)
      elseif c == PERCENT and nextc ~= nil and nextc >= 48 and nextc <= 57 then
        factor = factor + 1
        i = i + 2
      else
        local ep = classEnd(ms, i)
        local q = byte(p, ep)
        if q == STAR or q == PLUS or q == MINUS then
          factor = factor + 1
          i = ep + 1
        elseif q == QUESTION then
          doubles = doubles + 1
          i = ep + 1
        else
          i = ep
        end
      end
    end
  end)
  if not ok then return math.huge, 0 end
  if not anchored then factor = factor + 1 end
  return factor, doubles
end

return M
