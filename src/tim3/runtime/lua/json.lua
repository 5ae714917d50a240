--- JSON encoding and decoding compatible with the `json` module of aos.
--
--     local json = require('json')
--     json.encode({ Balances = { abc = '100' } })  --> {"Balances":{"abc":"100"}}
--     json.decode('[1, 2.5, "x", null, true]')     --> { 1, 2.5, 'x', nil, true }
--
-- Mapping (the aos conventions, written for TIM3 without taking code from aos or rxi/json):
--
-- * A table whose `[1]` is set, or an empty table, is an array: `{}` encodes as `[]`. Arrays
--   must have integer keys `1..n` with no gaps.
-- * Any other table is an object and needs string keys. Values that are functions are skipped.
--   Keys are written in ascending byte order so the output does not depend on `pairs` order
--   (aos does not sort; sorting yields the same JSON value, only stable).
-- * Every number prints with `%.14g`, integers included, as aos's json does: integers above
--   about 1e14 lose digits (1e+15). That is why money travels as strings. NaN and ±inf raise.
-- * `nil` encodes as `null`; `null` decodes as `nil`, so object keys holding null disappear and
--   array nulls leave holes.
-- * Numbers decode through `tonumber`: `123` is an integer, `1.5` and `1e3` are floats.
--
-- @module json

local error, pairs, next, type, tostring, tonumber = error, pairs, next, type, tostring, tonumber
local math_type, math_huge = math.type, math.huge
local string_byte, string_char, string_find, string_format, string_gsub, string_sub =
  string.byte, string.char, string.find, string.format, string.gsub, string.sub
local table_concat, table_sort = table.concat, table.sort
local utf8_char = utf8.char

local json = { _version = '0.1.0' }

--- Deepest nesting of arrays and objects that `decode` accepts.
json.MAX_DEPTH = 1000

---------------------------------------------------------------------------------------------
-- Encoding
---------------------------------------------------------------------------------------------

local ESCAPES = {
  ['"'] = '\\"', ['\\'] = '\\\\',
  ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}
for byte = 0, 31 do
  local c = string_char(byte)
  if not ESCAPES[c] then ESCAPES[c] = string_format('\\u%04x', byte) end
end

local ESCAPE_PATTERN = '[\0-\31"\\]'

local function encode_string(s)
  if not string_find(s, ESCAPE_PATTERN) then return '"' .. s .. '"' end
  return '"' .. string_gsub(s, ESCAPE_PATTERN, ESCAPES) .. '"'
end

local function encode_number(n)
  if n ~= n or n == math_huge or n == -math_huge then
    error("unexpected number value '" .. tostring(n) .. "'", 0)
  end
  return string_format('%.14g', n)
end

local encode_value

local function encode_table(t, buf, n, stack)
  if stack[t] then error('circular reference', 0) end
  stack[t] = true
  if t[1] ~= nil or next(t) == nil then
    -- Array: every key an integer in 1..count, hence no gaps.
    local count = 0
    for k in pairs(t) do
      if math_type(k) ~= 'integer' then
        if type(k) ~= 'number' then error('invalid table: mixed or invalid key types', 0) end
        error('invalid table: sparse array', 0)
      end
      count = count + 1
    end
    for i = 1, count do
      if t[i] == nil then error('invalid table: sparse array', 0) end
    end
    n = n + 1
    buf[n] = '['
    for i = 1, count do
      if i > 1 then
        n = n + 1
        buf[n] = ','
      end
      n = encode_value(t[i], buf, n, stack)
    end
    n = n + 1
    buf[n] = ']'
  else
    local keys, nk = {}, 0
    for k, v in pairs(t) do
      if type(k) ~= 'string' then error('invalid table: mixed or invalid key types', 0) end
      if type(v) ~= 'function' then
        nk = nk + 1
        keys[nk] = k
      end
    end
    table_sort(keys)
    n = n + 1
    buf[n] = '{'
    for i = 1, nk do
      local k = keys[i]
      n = n + 1
      buf[n] = (i > 1 and ',' or '') .. encode_string(k) .. ':'
      n = encode_value(t[k], buf, n, stack)
    end
    n = n + 1
    buf[n] = '}'
  end
  stack[t] = nil
  return n
end

encode_value = function(v, buf, n, stack)
  local tv = type(v)
  local s
  if tv == 'string' then
    s = encode_string(v)
  elseif tv == 'number' then
    s = encode_number(v)
  elseif tv == 'table' then
    return encode_table(v, buf, n, stack)
  elseif tv == 'boolean' then
    s = v and 'true' or 'false'
  elseif v == nil then
    s = 'null'
  else
    error("unexpected type '" .. tv .. "'", 0)
  end
  n = n + 1
  buf[n] = s
  return n
end

--- Encode a Lua value as JSON text.
-- @param value a string, number, boolean, nil or table of those
-- @treturn string
-- @raise "invalid table: sparse array", "invalid table: mixed or invalid key types",
--   "circular reference", "unexpected number value '…'", "unexpected type '…'"
function json.encode(value)
  local tv = type(value)
  if tv == 'string' then return encode_string(value) end
  if tv == 'number' then return encode_number(value) end
  local buf = {}
  local n = encode_value(value, buf, 0, {})
  if n == 1 then return buf[1] end
  return table_concat(buf, '', 1, n)
end

---------------------------------------------------------------------------------------------
-- Decoding
---------------------------------------------------------------------------------------------

local function decode_error(str, idx, msg)
  local line, col = 1, 1
  local pos = 1
  while true do
    local nl = string_find(str, '\n', pos, true)
    if not nl or nl >= idx then break end
    line = line + 1
    pos = nl + 1
  end
  col = idx - pos + 1
  error(string_format('%s at line %d col %d', msg, line, col), 0)
end

local ESCAPED = {
  [34] = '"', [92] = '\\', [47] = '/',
  [98] = '\b', [102] = '\f', [110] = '\n', [114] = '\r', [116] = '\t',
}

-- Next non-whitespace position at or after i (#str + 1 at the end).
local function skip(str, i)
  return string_find(str, '[^ \t\r\n]', i) or #str + 1
end

local function parse_hex4(str, i)
  local hex = string_sub(str, i, i + 3)
  if not string_find(hex, '^%x%x%x%x$') then
    decode_error(str, i - 2, 'invalid unicode escape')
  end
  return tonumber(hex, 16)
end

-- String starting at the opening quote i; returns the string and the index after the close.
local function parse_string(str, i)
  local pos = i + 1
  local buf, n = nil, 0
  while true do
    local j = string_find(str, ESCAPE_PATTERN, pos)
    if not j then decode_error(str, i, 'unterminated string') end
    local c = string_byte(str, j)
    if c == 34 then   -- closing quote
      if not buf then return string_sub(str, pos, j - 1), j + 1 end
      n = n + 1
      buf[n] = string_sub(str, pos, j - 1)
      return table_concat(buf, '', 1, n), j + 1
    end
    if c ~= 92 then decode_error(str, j, 'control character in string') end
    buf = buf or {}
    if j > pos then
      n = n + 1
      buf[n] = string_sub(str, pos, j - 1)
    end
    local e = string_byte(str, j + 1)
    if e == 117 then  -- \uXXXX, possibly a surrogate pair
      local cp = parse_hex4(str, j + 2)
      pos = j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        if string_sub(str, pos, pos + 1) ~= '\\u' then
          decode_error(str, j, 'invalid unicode surrogate pair')
        end
        local lo = parse_hex4(str, pos + 2)
        if lo < 0xDC00 or lo > 0xDFFF then
          decode_error(str, j, 'invalid unicode surrogate pair')
        end
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
        pos = pos + 6
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        decode_error(str, j, 'invalid unicode surrogate pair')
      end
      n = n + 1
      buf[n] = utf8_char(cp)
    else
      local ch = e and ESCAPED[e]
      if not ch then
        if not e then decode_error(str, i, 'unterminated string') end
        decode_error(str, j, "invalid escape '\\" .. string_char(e) .. "'")
      end
      n = n + 1
      buf[n] = ch
      pos = j + 2
    end
  end
end

local function parse_number(str, i)
  local _, e = string_find(str, '^-?%d+', i)
  if not e then decode_error(str, i, 'invalid number') end
  local digits = string_byte(str, i) == 45 and i + 1 or i
  if e > digits and string_byte(str, digits) == 48 then
    decode_error(str, i, 'invalid number (leading zero)')
  end
  if string_byte(str, e + 1) == 46 then   -- '.'
    local _, f = string_find(str, '^%d+', e + 2)
    if not f then decode_error(str, i, 'invalid number') end
    e = f
  end
  local x = string_byte(str, e + 1)
  if x == 101 or x == 69 then              -- 'e' / 'E'
    local _, f = string_find(str, '^[+-]?%d+', e + 2)
    if not f then decode_error(str, i, 'invalid number') end
    e = f
  end
  return tonumber(string_sub(str, i, e)), e + 1
end

local LITERALS = { [116] = 'true', [102] = 'false', [110] = 'null' }
local LITERAL_VALUES = { ['true'] = true, ['false'] = false }

local parse_value

local function parse_array(str, i, depth)
  local t, n = {}, 0
  i = skip(str, i + 1)
  if string_byte(str, i) == 93 then return t, i + 1 end   -- ']'
  while true do
    local v
    v, i = parse_value(str, i, depth)
    n = n + 1
    t[n] = v
    i = skip(str, i)
    local c = string_byte(str, i)
    if c == 93 then return t, i + 1 end
    if c ~= 44 then decode_error(str, i, "expected ']' or ','") end
    i = skip(str, i + 1)
  end
end

local function parse_object(str, i, depth)
  local t = {}
  i = skip(str, i + 1)
  if string_byte(str, i) == 125 then return t, i + 1 end  -- '}'
  while true do
    if string_byte(str, i) ~= 34 then decode_error(str, i, 'expected string for key') end
    local k, v
    k, i = parse_string(str, i)
    i = skip(str, i)
    if string_byte(str, i) ~= 58 then decode_error(str, i, "expected ':' after key") end
    v, i = parse_value(str, skip(str, i + 1), depth)
    t[k] = v
    i = skip(str, i)
    local c = string_byte(str, i)
    if c == 125 then return t, i + 1 end
    if c ~= 44 then decode_error(str, i, "expected '}' or ','") end
    i = skip(str, i + 1)
  end
end

-- Value at i (not whitespace); returns the value and the index after it. Nesting recurses in
-- Lua functions only, which use the Lua stack rather than the C stack.
parse_value = function(str, i, depth)
  local c = string_byte(str, i)
  if c == 34 then return parse_string(str, i) end
  if c == 123 or c == 91 then
    if depth >= json.MAX_DEPTH then
      decode_error(str, i, 'nesting deeper than ' .. json.MAX_DEPTH .. ' levels')
    end
    if c == 123 then return parse_object(str, i, depth + 1) end
    return parse_array(str, i, depth + 1)
  end
  if c == 45 or (c and c >= 48 and c <= 57) then return parse_number(str, i) end
  local word = LITERALS[c]
  if word then
    if string_sub(str, i, i + #word - 1) ~= word then
      decode_error(str, i, "unexpected character '" .. string_char(c) .. "'")
    end
    return LITERAL_VALUES[word], i + #word
  end
  if not c then decode_error(str, i, 'unexpected end of input') end
  decode_error(str, i, "unexpected character '" .. string_char(c) .. "'")
end

--- Decode JSON text to a Lua value.
-- @tparam string str
-- @return the value (nil for `null`)
-- @raise a message naming the problem and its position ("… at line L col C")
function json.decode(str)
  if type(str) ~= 'string' then
    error("expected argument of type string, got '" .. type(str) .. "'", 2)
  end
  local i = skip(str, 1)
  local value
  value, i = parse_value(str, i, 0)
  i = skip(str, i)
  if i <= #str then decode_error(str, i, 'trailing garbage') end
  return value
end

return json
