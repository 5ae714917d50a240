--- Fixed-width two's-complement big integers, API-compatible with the `.bint` module of aos.
--
-- This chunk returns `newmodule(bits, wordbits)`. Each call returns a class (memoized per
-- `(bits, wordbits)`) whose instances are arrays of `bits / wordbits` little-endian words,
-- each word in `[0, 2^wordbits)`. Every operation wraps modulo `2^bits`, the way Lua's own
-- integers wrap modulo `2^64`; the sign is the top bit of the last word.
--
-- Instances are never changed after they are returned: every operator builds a new one.
-- Operators accept a bint, a Lua integer, a float with an integral value or a numeric string on
-- either side; when one side cannot become a bint (say `1.5`) the operation falls back to Lua
-- numbers, so `bint(1) + 0.5 == 1.5`.
--
--     local bint = require('.bint')(256)
--     local x = bint('123456789012345678901234567890') + 1
--     print(tostring(x))      --> 123456789012345678901234567891
--     print(bint(-7) // 2)    --> -4
--
-- Written for TIM3 from the behaviour of lua-bint 0.5 as aos uses it; no code was taken from it.
-- A token Transfer does little but parse decimal strings, add or subtract, compare and print,
-- so those paths avoid table growth and stop at the highest non-zero word where they can:
-- parsing takes 9 digits per multiply-add, printing divides the whole number by 10^9 per step.
--
-- @module bint

local error, getmetatable, setmetatable = error, getmetatable, setmetatable
local tonumber, tostring, type = tonumber, tostring, type
local math_type, math_tointeger = math.type, math.tointeger
local math_floor, math_ceil, math_abs = math.floor, math.ceil, math.abs
local math_max, math_min = math.max, math.min
local string_find, string_sub, string_format = string.find, string.sub, string.format
local string_byte, string_char, string_lower, string_match, string_rep =
  string.byte, string.char, string.lower, string.match, string.rep
local table_concat, table_unpack = table.concat, table.unpack

local VERSION = '0.1.0'

local ERR_VALUE = 'value cannot be represented by a bint'
local ERR_DIVZERO = 'attempt to divide by zero'
local ERR_INTEGER = 'number has no integer representation'

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

-- Decimal conversion works in chunks of nine digits: 10^9 < 2^30, so a word (< 2^32) times
-- 10^9 plus a carry, and a remainder (< 10^9) shifted up by one word, both stay below 2^63.
local DEC_CHUNK_DIGITS = 9
local DEC_CHUNK = 1000000000

-- DEC_FORMATS[n]: a leading piece then n zero-padded nine-digit pieces.
local DEC_FORMATS = setmetatable({}, {
  __index = function(t, n)
    local f = '%d' .. string_rep('%09d', n)
    t[n] = f
    return f
  end,
})

-- For base b, the largest m with b^m <= 2^31 (and b^m itself): a chunk of m digits is one
-- multiply-add on the words, and b^m is small enough to divide by word by word.
local CHUNK_DIGITS, CHUNK_SIZE = {}, {}
for base = 2, 36 do
  local m, p = 0, 1
  while p * base <= 0x80000000 do m, p = m + 1, p * base end
  CHUNK_DIGITS[base], CHUNK_SIZE[base] = m, p
end

local modules = {}

--- Build (or fetch the memoized) bint class for a width.
-- @tparam[opt=256] integer bits width of every bint, a multiple of `wordbits`, at least 64
-- @tparam[opt=32] integer wordbits bits per internal word, 2..32
-- @treturn table the bint class; calling it is `bint.new`
local function newmodule(bits, wordbits)
  bits = bits or 256
  wordbits = wordbits or 32
  local key = tostring(bits) .. ':' .. tostring(wordbits)
  local cached = modules[key]
  if cached then return cached end
  if math_type(bits) ~= 'integer' or math_type(wordbits) ~= 'integer' then
    error('bint: bits and wordbits must be integers, got ' .. key, 2)
  end
  if wordbits < 2 or wordbits > 32 then
    error('bint: wordbits must be between 2 and 32, got ' .. wordbits, 2)
  end
  if bits < 64 or bits % wordbits ~= 0 then
    error('bint: bits must be a multiple of wordbits and at least 64, got ' .. key, 2)
  end

  local N = bits // wordbits         -- words per bint
  local W = wordbits
  local RADIX = 1 << W
  local RADIXF = RADIX + 0.0
  local MASK = RADIX - 1
  local SIGN = 1 << (W - 1)          -- sign bit inside the top word
  local SHORTDIV = 1 << (63 - W)     -- divisors below this allow one-word short division
  local FITWORDS = 63 // W           -- this many low words always fit a Lua integer...
  local FITLIMIT = 1 << (63 - FITWORDS * W)  -- ...plus one more word below this limit
  local LOWWORDS = math_min(N, (64 + W - 1) // W)  -- words covering the low 64 bits
  local NBYTES = (bits + 7) // 8

  local bint = {}
  bint.__index = bint
  bint.bits = bits
  bint.wordbits = wordbits
  bint._version = VERSION

  ---------------------------------------------------------------------------------------------
  -- Word-array helpers. They take and return plain arrays; `wrap` turns one into a bint.
  ---------------------------------------------------------------------------------------------

  local function wrap(words) return setmetatable(words, bint) end

  -- New arrays are built with one table constructor from a template: growing `{}` word by word
  -- would reallocate it log2(N) times, which doubled the cost of an addition.
  local ZEROS = {}
  for i = 1, N do ZEROS[i] = 0 end

  local function zeros() return { table_unpack(ZEROS, 1, N) } end

  local function copywords(x) return { table_unpack(x, 1, N) } end

  local function words_fromuint(v)     -- Lua integer read as unsigned 64 bits
    local r = zeros()
    local i = 1
    while v ~= 0 do                    -- stops early: the higher words are already zero
      r[i] = v & MASK
      v = v >> W
      i = i + 1
    end
    return r
  end

  local function words_fromint(v)      -- signed Lua integer, sign-extended
    if v >= 0 then return words_fromuint(v) end
    local r = zeros()
    for i = 1, N do
      r[i] = v & MASK
      v = v // RADIX                   -- floor division is an arithmetic shift
    end
    return r
  end

  local function negate_inplace(r)
    local carry = 1
    for i = 1, N do
      local v = (MASK - r[i]) + carry
      r[i] = v & MASK
      carry = v >> W
    end
    return r
  end

  local function words_iszero(x)
    for i = 1, N do
      if x[i] ~= 0 then return false end
    end
    return true
  end

  local function words_isneg(x) return x[N] >= SIGN end

  local function words_top(x)          -- index of the highest non-zero word, 0 for zero
    local top = N
    while top > 0 and x[top] == 0 do top = top - 1 end
    return top
  end

  local function words_ult(x, y)
    for i = N, 1, -1 do
      local a, b = x[i], y[i]
      if a ~= b then return a < b end
    end
    return false
  end

  local function words_eq(x, y)
    for i = 1, N do
      if x[i] ~= y[i] then return false end
    end
    return true
  end

  local function words_lt(x, y)        -- signed
    local xn, yn = x[N] >= SIGN, y[N] >= SIGN
    if xn ~= yn then return xn end
    return words_ult(x, y)
  end

  local function words_add(x, y)
    local r = zeros()
    local carry = 0
    for i = 1, N do
      local s = x[i] + y[i] + carry
      r[i] = s & MASK
      carry = s >> W
    end
    return r
  end

  local function words_sub(x, y)
    local r = zeros()
    local borrow = 0
    for i = 1, N do
      local d = x[i] - y[i] - borrow
      if d < 0 then
        r[i] = d + RADIX
        borrow = 1
      else
        r[i] = d
        borrow = 0
      end
    end
    return r
  end

  local function words_mul(x, y)
    -- Schoolbook product truncated to N words. A word product plus the partial word plus a
    -- carry is at most 2^(2W) - 1, which fits an unsigned 64-bit value; Lua integer arithmetic
    -- wraps modulo 2^64 and `>>` is logical, so the split into word and carry stays exact.
    local r = zeros()
    local ytop = words_top(y)
    for i = 1, N do
      local xi = x[i]
      if xi ~= 0 then
        local carry = 0
        local last = math_min(ytop, N - i + 1)
        local k = i
        for j = 1, last do
          local v = xi * y[j] + r[k] + carry
          r[k] = v & MASK
          carry = v >> W
          k = k + 1
        end
        if k <= N then r[k] = carry end  -- r[k] is still 0 here: row i never reached it
      end
    end
    return r
  end

  local function words_shl(x, n)       -- 0 <= n
    local r = zeros()
    if n >= bits then return r end
    local ws, bs = n // W, n % W
    for i = 1, N do
      local src = i - ws
      local v = 0
      if src >= 1 then
        v = (x[src] << bs) & MASK
        if bs > 0 and src > 1 then v = v | (x[src - 1] >> (W - bs)) end
      end
      r[i] = v
    end
    return r
  end

  local function words_shr(x, n)       -- logical, 0 <= n
    local r = zeros()
    if n >= bits then return r end
    local ws, bs = n // W, n % W
    for i = 1, N do
      local src = i + ws
      local v = 0
      if src <= N then
        v = x[src] >> bs
        if bs > 0 and src < N then v = v | ((x[src + 1] << (W - bs)) & MASK) end
      end
      r[i] = v
    end
    return r
  end

  local function words_bitlen(x)
    local top = words_top(x)
    if top == 0 then return 0 end
    local w, n = x[top], 0
    while w ~= 0 do w, n = w >> 1, n + 1 end
    return (top - 1) * W + n
  end

  -- Short division of x[1..top] by a divisor d < SHORTDIV, in place; returns the remainder.
  local function shortdiv_inplace(x, top, d)
    local rem = 0
    for k = top, 1, -1 do
      local cur = (rem << W) | x[k]
      local q = cur // d
      x[k] = q
      rem = cur - q * d
    end
    return rem
  end

  local function words_udivmod(x, y)
    local ytop = words_top(y)
    if ytop == 0 then error(ERR_DIVZERO, 0) end
    if ytop == 1 and y[1] < SHORTDIV then
      local q = copywords(x)
      local rem = shortdiv_inplace(q, words_top(q), y[1])
      local r = zeros()
      r[1] = rem
      return q, r
    end
    if words_ult(x, y) then return zeros(), copywords(x) end
    -- Binary long division from the top aligned bit of the divisor.
    local shift = words_bitlen(x) - words_bitlen(y)
    local d = words_shl(y, shift)
    local r = copywords(x)
    local q = zeros()
    for s = shift, 0, -1 do
      if not words_ult(r, d) then
        local borrow = 0
        for i = 1, N do
          local v = r[i] - d[i] - borrow
          if v < 0 then r[i], borrow = v + RADIX, 1 else r[i], borrow = v, 0 end
        end
        local wi = s // W + 1
        q[wi] = q[wi] | (1 << (s % W))
      end
      if s > 0 then   -- d = d >> 1, in place
        for i = 1, N - 1 do d[i] = (d[i] >> 1) | ((d[i + 1] & 1) << (W - 1)) end
        d[N] = d[N] >> 1
      end
    end
    return q, r
  end

  local function words_abs(x)          -- magnitude as an unsigned array (new)
    local r = copywords(x)
    if r[N] >= SIGN then negate_inplace(r) end
    return r
  end

  -- Truncated division: quotient rounds toward zero, remainder has the sign of x.
  local function words_tdivmod(x, y)
    local xneg, yneg = words_isneg(x), words_isneg(y)
    local q, r = words_udivmod(words_abs(x), words_abs(y))
    if xneg ~= yneg then negate_inplace(q) end
    if xneg then negate_inplace(r) end
    return q, r
  end

  -- Floor division: quotient rounds toward minus infinity, remainder has the sign of y.
  local function words_idivmod(x, y)
    local q, r = words_tdivmod(x, y)
    if not words_iszero(r) and words_isneg(x) ~= words_isneg(y) then
      local one = zeros()
      one[1] = 1
      q = words_sub(q, one)
      r = words_add(r, y)
    end
    return q, r
  end

  local function words_low64(x)        -- low 64 bits as a Lua integer (wraps)
    local v = 0
    for i = LOWWORDS, 1, -1 do v = (v << W) | x[i] end
    return v
  end

  local function words_fitsint(x)      -- does x fit a signed 64-bit Lua integer?
    local v = words_low64(x)
    for i = 1, N do
      if x[i] ~= v & MASK then return false end
      v = v // RADIX
    end
    return true
  end

  -- Digits s[i..j] (already validated) in a base to an unsigned array, modulo 2^bits: a
  -- multiply-add on the words per chunk of digits.
  local function words_fromdigits(s, i, j, base)
    local r = zeros()
    local top = 0
    local m = CHUNK_DIGITS[base]
    local chunk = (j - i + 1) % m
    if chunk == 0 then chunk = m end
    local pos = i
    while pos <= j do
      local carry, mul = tonumber(string_sub(s, pos, pos + chunk - 1), base), 1
      for _ = 1, chunk do mul = mul * base end
      for k = 1, top do
        local v = r[k] * mul + carry
        r[k] = v & MASK
        carry = v >> W
      end
      while carry ~= 0 and top < N do   -- words past N are dropped: the value wraps
        top = top + 1
        r[top] = carry & MASK
        carry = carry >> W
      end
      pos = pos + chunk
      chunk = m
    end
    return r
  end

  -- Decimal digits s[i..j] (already validated) to an unsigned array, modulo 2^bits. The first
  -- piece takes up to 18 digits (it always fits a Lua integer), the rest go 9 at a time.
  local function words_fromdecimal(s, i, j)
    local len = j - i + 1
    if len <= 18 then return words_fromuint(tonumber(string_sub(s, i, j))) end
    local head = len - DEC_CHUNK_DIGITS * ((len - 18 + DEC_CHUNK_DIGITS - 1) // DEC_CHUNK_DIGITS)
    local r = words_fromuint(tonumber(string_sub(s, i, i + head - 1)))
    local top = LOWWORDS
    while top > 0 and r[top] == 0 do top = top - 1 end
    for pos = i + head, j, DEC_CHUNK_DIGITS do
      local carry = tonumber(string_sub(s, pos, pos + DEC_CHUNK_DIGITS - 1))
      for k = 1, top do
        local v = r[k] * DEC_CHUNK + carry
        r[k] = v & MASK
        carry = v >> W
      end
      while carry ~= 0 and top < N do   -- words past N are dropped: the value wraps
        top = top + 1
        r[top] = carry & MASK
        carry = carry >> W
      end
    end
    return r
  end

  -- Scratch space for printing; safe to share because printing never yields.
  local SCRATCH_WORDS, SCRATCH_PARTS = {}, {}

  -- Unsigned array to digits in base 10, with a minus sign in front when neg: divide by 10^9
  -- until the rest fits a Lua integer, then one string.format for all the pieces.
  local function words_todecimal(x, neg)
    local top = N
    while x[top] == 0 do
      top = top - 1
      if top == 0 then return '0' end
    end
    local t, parts, np = x, SCRATCH_PARTS, 0
    while top > FITWORDS + 1 or (top == FITWORDS + 1 and t[top] >= FITLIMIT) do
      if np == 0 then
        t = SCRATCH_WORDS
        for k = 1, top do t[k] = x[k] end
      end
      local rem = shortdiv_inplace(t, top, DEC_CHUNK)
      while t[top] == 0 do top = top - 1 end
      np = np + 1
      parts[np] = rem
    end
    local v = 0
    for k = top, 1, -1 do v = (v << W) | t[k] end
    local fmt = DEC_FORMATS[np]
    if neg then fmt = '-' .. fmt end
    if np == 0 then return string_format(fmt, v) end
    if np == 1 then return string_format(fmt, v, parts[1]) end
    if np == 2 then return string_format(fmt, v, parts[2], parts[1]) end
    local lo, hi = 1, np      -- most significant piece first
    while lo < hi do
      parts[lo], parts[hi] = parts[hi], parts[lo]
      lo, hi = lo + 1, hi - 1
    end
    return string_format(fmt, v, table_unpack(parts, 1, np))
  end

  -- Unsigned array to digits in any base 2..36.
  local function words_tobase(x, base, neg)
    if base == 10 then return words_todecimal(x, neg) end
    local t = copywords(x)
    local top = words_top(t)
    if top == 0 then return '0' end
    local m, div = CHUNK_DIGITS[base], CHUNK_SIZE[base]
    local chunks, nc = {}, 0
    while top > 0 do
      nc = nc + 1
      chunks[nc] = shortdiv_inplace(t, top, div)
      while top > 0 and t[top] == 0 do top = top - 1 end
    end
    local out = {}
    for c = nc, 1, -1 do
      local v, digits = chunks[c], {}
      local nd = 0
      while v > 0 do
        local d = v % base
        nd = nd + 1
        digits[nd] = string_sub(DIGITS, d + 1, d + 1)
        v = v // base
      end
      local s = string.reverse(table_concat(digits))
      if c ~= nc then s = string_rep('0', m - #s) .. s end
      out[#out + 1] = s
    end
    local s = table_concat(out)
    if neg then s = '-' .. s end
    return s
  end

  -- Integral finite float to an array; nil when it does not fit the signed range.
  local function words_fromfloat(f)
    local i = math_tointeger(f)
    if i then return words_fromint(i) end
    if f ~= f or f == math.huge or f == -math.huge or f ~= math_floor(f) then return nil end
    local neg = f < 0
    if neg then f = -f end
    local limit = 2.0 ^ (bits - 1)
    if f > limit or (f == limit and not neg) then return nil end
    local r = zeros()
    for k = 1, N do
      local w = f % RADIXF
      r[k] = math_tointeger(w)
      f = (f - w) / RADIXF
    end
    if neg then negate_inplace(r) end
    return r
  end

  ---------------------------------------------------------------------------------------------
  -- Constructors
  ---------------------------------------------------------------------------------------------

  --- Create a bint from a Lua integer read as unsigned 64 bits.
  -- @param x an integer or a float with an integral value
  -- @treturn ?bint nil when x is not an integral number
  function bint.fromuinteger(x)
    if math_type(x) == 'float' then x = math_tointeger(x) end
    if math_type(x) ~= 'integer' then return nil end
    return wrap(words_fromuint(x))
  end

  --- Create a bint from a signed Lua integer.
  -- @param x an integer or a float with an integral value in the int64 range
  -- @treturn ?bint nil when x is not an integral number
  function bint.frominteger(x)
    if math_type(x) == 'float' then x = math_tointeger(x) end
    if math_type(x) ~= 'integer' then return nil end
    return wrap(words_fromint(x))
  end
  local frominteger = bint.frominteger

  --- Create a bint from a string of digits in a base, with an optional sign.
  -- @tparam string s alphanumeric digits, optionally preceded by `+` or `-`
  -- @tparam[opt=10] integer base 2..36
  -- @treturn ?bint nil when s is not a valid number in that base
  function bint.frombase(s, base)
    if type(s) ~= 'string' then return nil end
    base = base or 10
    if math_type(base) ~= 'integer' or base < 2 or base > 36 then return nil end
    local sign, digits = string_match(s, '^([+-]?)(%w+)$')
    if not digits then return nil end
    digits = string_lower(digits)
    local last = string_sub(DIGITS, base, base)
    local class = base <= 10 and ('[^0-' .. last .. ']') or ('[^0-9a-' .. last .. ']')
    if string_find(digits, class) then return nil end
    local r
    if base == 10 then
      r = words_fromdecimal(digits, 1, #digits)
    else
      r = words_fromdigits(digits, 1, #digits, base)
    end
    if sign == '-' then negate_inplace(r) end
    return wrap(r)
  end

  --- Create a bint from a decimal, `0x` hexadecimal or `0b` binary string with optional sign.
  -- Accepts exactly `^[+-]?[0-9]+$`, `^[+-]?0[xX][0-9a-fA-F]+$` and `^[+-]?0[bB][01]+$`;
  -- anything else (spaces, a decimal point, an exponent, an empty string) gives nil.
  -- Values beyond the width wrap modulo 2^bits.
  -- @tparam string s
  -- @treturn ?bint
  function bint.fromstring(s)
    if type(s) ~= 'string' then return nil end
    if string_find(s, '^%d+$') then return wrap(words_fromdecimal(s, 1, #s)) end  -- common case
    local start, neg = 1, false
    local b = string_byte(s, 1)
    if b == 45 then          -- '-'
      start, neg = 2, true
    elseif b == 43 then      -- '+'
      start = 2
    end
    local r
    if start > 1 and string_find(s, '^%d+$', start) then
      r = words_fromdecimal(s, start, #s)
    elseif string_find(s, '^0[xX]%x+$', start) then
      r = words_fromdigits(string_lower(s), start + 2, #s, 16)
    elseif string_find(s, '^0[bB][01]+$', start) then
      r = words_fromdigits(s, start + 2, #s, 2)
    else
      return nil
    end
    if neg then negate_inplace(r) end
    return wrap(r)
  end
  local fromstring = bint.fromstring

  --- Create a bint from a little-endian byte string (missing high bytes are zero).
  -- @tparam string s
  -- @treturn ?bint nil when s is not a string
  function bint.fromle(s)
    if type(s) ~= 'string' then return nil end
    local r = zeros()
    for k = 1, math_min(#s, NBYTES) do
      local bit = (k - 1) * 8
      local wi, off = bit // W + 1, bit % W
      local byte = string_byte(s, k)
      r[wi] = (r[wi] | (byte << off)) & MASK
      if off + 8 > W and wi < N then r[wi + 1] = r[wi + 1] | (byte >> (W - off)) end
    end
    return wrap(r)
  end

  --- Create a bint from a big-endian byte string (missing high bytes are zero).
  -- @tparam string s
  -- @treturn ?bint nil when s is not a string
  function bint.frombe(s)
    if type(s) ~= 'string' then return nil end
    return bint.fromle(string.reverse(s))
  end

  --- Convert a value to a bint if possible.
  -- @param x a bint, an integral number or a string accepted by `fromstring`
  -- @tparam[opt=false] boolean clone return a copy when x is already a bint
  -- @treturn ?bint nil when x cannot be converted
  function bint.tobint(x, clone)
    if getmetatable(x) == bint then
      if clone then return wrap(copywords(x)) end
      return x
    end
    local tx = type(x)
    if tx == 'number' then return frominteger(x) end
    if tx == 'string' then return fromstring(x) end
    return nil
  end
  local tobint = bint.tobint

  --- Convert a value to a bint if possible, else to a Lua number (`tonumber(x)`).
  -- @param x any value
  -- @tparam[opt=false] boolean clone return a copy when x is already a bint
  -- @return a bint, a Lua number or nil
  function bint.parse(x, clone)
    local r = tobint(x, clone)
    if r then return r end
    return tonumber(x)
  end

  --- Create a new bint from a value; always a new reference.
  -- @param x a bint (copied), an integral number or a string accepted by `fromstring`
  -- @treturn bint
  -- @raise "value cannot be represented by a bint"
  function bint.new(x)
    if getmetatable(x) == bint then return wrap(copywords(x)) end
    local r
    local tx = type(x)
    if tx == 'string' then
      r = fromstring(x)
    elseif tx == 'number' then
      r = frominteger(x)
    end
    if not r then error(ERR_VALUE, 0) end
    return r
  end
  local new = bint.new

  --- A new bint holding 0.
  function bint.zero() return wrap(zeros()) end

  --- A new bint holding 1.
  function bint.one()
    local r = zeros()
    r[1] = 1
    return wrap(r)
  end

  --- A new bint holding the largest value, 2^(bits-1) - 1.
  function bint.maxinteger()
    local r = zeros()
    for i = 1, N do r[i] = MASK end
    r[N] = SIGN - 1
    return wrap(r)
  end

  --- A new bint holding the smallest value, -2^(bits-1).
  function bint.mininteger()
    local r = zeros()
    r[N] = SIGN
    return wrap(r)
  end

  ---------------------------------------------------------------------------------------------
  -- Predicates
  ---------------------------------------------------------------------------------------------

  --- Whether x is a bint of this class.
  function bint.isbint(x) return getmetatable(x) == bint end

  --- Whether x is a bint or a Lua integer.
  function bint.isintegral(x)
    return getmetatable(x) == bint or math_type(x) == 'integer'
  end

  --- Whether x is a bint or a Lua number.
  function bint.isnumeric(x)
    return getmetatable(x) == bint or type(x) == 'number'
  end

  --- `'bint'` for bints, else `math.type(x)` (`'integer'`, `'float'` or nil).
  function bint.type(x)
    if getmetatable(x) == bint then return 'bint' end
    return math_type(x)
  end

  --- Whether x (a bint or a number) is zero.
  function bint.iszero(x)
    if getmetatable(x) == bint then return words_iszero(x) end
    return x == 0
  end

  --- Whether x (a bint or a number) is one.
  function bint.isone(x)
    if getmetatable(x) == bint then
      if x[1] ~= 1 then return false end
      for i = 2, N do
        if x[i] ~= 0 then return false end
      end
      return true
    end
    return x == 1
  end

  --- Whether x (a bint or a number) is minus one.
  function bint.isminusone(x)
    if getmetatable(x) == bint then
      for i = 1, N do
        if x[i] ~= MASK then return false end
      end
      return true
    end
    return x == -1
  end

  --- Whether x (a bint or a number) is negative; zero never is.
  function bint.isneg(x)
    if getmetatable(x) == bint then return x[N] >= SIGN end
    return x < 0
  end

  --- Whether x (a bint or a number) is strictly positive.
  function bint.ispos(x)
    if getmetatable(x) == bint then return x[N] < SIGN and not words_iszero(x) end
    return x > 0
  end

  --- Whether x (a bint or a number) is even.
  function bint.iseven(x)
    if getmetatable(x) == bint then return x[1] & 1 == 0 end
    return x % 2 == 0
  end

  --- Whether x (a bint or a number) is odd.
  function bint.isodd(x)
    if getmetatable(x) == bint then return x[1] & 1 == 1 end
    return math_abs(x % 2) == 1
  end

  ---------------------------------------------------------------------------------------------
  -- Converters
  ---------------------------------------------------------------------------------------------

  --- Convert to a string in a base.
  -- @param x a bint or a value `tobint` accepts
  -- @tparam[opt=10] integer base 2..36
  -- @tparam[opt] boolean unsigned print the raw two's-complement bits; defaults to false for
  --   base 10 and true for other bases
  -- @treturn ?string lower-case digits, nil when x is not convertible
  -- @raise when the base is invalid
  function bint.tobase(x, base, unsigned)
    x = tobint(x)
    if not x then return nil end
    base = base or 10
    if math_type(base) ~= 'integer' or base < 2 or base > 36 then
      error('bint.tobase: base must be an integer in 2..36, got ' .. tostring(base), 2)
    end
    if unsigned == nil then unsigned = base ~= 10 end
    if not unsigned and x[N] >= SIGN then return words_tobase(words_abs(x), base, true) end
    return words_tobase(x, base, false)
  end

  --- Convert to a signed base-10 string; non-bints go through Lua's `tostring`.
  -- @param x any value
  -- @treturn string
  function bint.tostring(x)
    if getmetatable(x) == bint then
      if x[N] >= SIGN then return words_todecimal(words_abs(x), true) end
      return words_todecimal(x, false)
    end
    return tostring(x)
  end

  --- Signed base-10 string of a bint.
  function bint.__tostring(x)
    if x[N] >= SIGN then return words_todecimal(words_abs(x), true) end
    return words_todecimal(x, false)
  end

  --- Convert to a Lua integer holding the low 64 bits (wraps like lua-bint, keeping the sign for
  -- values that fit).
  -- @param x a bint or a value `tobint` accepts
  -- @treturn ?integer nil when x is not convertible
  function bint.tointeger(x)
    x = tobint(x)
    if not x then return nil end
    return words_low64(x)
  end

  --- Convert to a Lua integer holding the low 64 bits read as unsigned (wraps).
  -- @param x a bint or a value `tobint` accepts
  -- @treturn ?integer nil when x is not convertible
  function bint.touinteger(x)
    x = tobint(x)
    if not x then return nil end
    return words_low64(x)
  end

  --- Convert to a Lua number: an integer when the value fits 64 bits, else a (lossy) float.
  -- Non-bints go through Lua's `tonumber`.
  -- @param x any value
  -- @treturn ?number
  function bint.tonumber(x)
    if getmetatable(x) == bint then
      if words_fitsint(x) then return words_low64(x) end
      return tonumber(bint.tostring(x))
    end
    return tonumber(x)
  end
  local tonum = bint.tonumber

  --- Little-endian bytes of the two's-complement value.
  -- @tparam bint x
  -- @tparam[opt=false] boolean trim drop the high zero bytes
  -- @treturn string `ceil(bits / 8)` bytes (fewer when trimmed)
  function bint.tole(x, trim)
    x = new(x)
    local out = {}
    for k = 1, NBYTES do
      local bit = (k - 1) * 8
      local wi, off = bit // W + 1, bit % W
      local v = x[wi] >> off
      if off + 8 > W and wi < N then v = v | (x[wi + 1] << (W - off)) end
      out[k] = v & 0xff
    end
    if trim then
      local n = NBYTES
      while n > 0 and out[n] == 0 do
        out[n] = nil
        n = n - 1
      end
    end
    return string_char(table_unpack(out))
  end

  --- Big-endian bytes of the two's-complement value.
  -- @tparam bint x
  -- @tparam[opt=false] boolean trim drop the high zero bytes
  -- @treturn string
  function bint.tobe(x, trim)
    return string.reverse(bint.tole(x, trim))
  end

  ---------------------------------------------------------------------------------------------
  -- Arithmetic
  ---------------------------------------------------------------------------------------------

  -- Convert an integer-only operand (shift counts, bitwise operands) or raise.
  local function tointeger_operand(x)
    if getmetatable(x) == bint then return words_low64(x) end
    local i = math_tointeger(x)
    if not i and type(x) == 'string' then
      local b = fromstring(x)
      if b then return words_low64(b) end
    end
    if not i then error(ERR_INTEGER, 0) end
    return i
  end

  local function tobint_operand(x)
    if getmetatable(x) == bint then return x end
    local r = tobint(x)
    if not r then error(ERR_INTEGER, 0) end
    return r
  end

  --- x + y. Either side may be a bint, an integer or a numeric string.
  function bint.__add(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return wrap(words_add(ix, iy)) end
    return tonum(x) + tonum(y)
  end

  --- x - y.
  function bint.__sub(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return wrap(words_sub(ix, iy)) end
    return tonum(x) - tonum(y)
  end

  --- x * y (wraps).
  function bint.__mul(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return wrap(words_mul(ix, iy)) end
    return tonum(x) * tonum(y)
  end

  --- Floor division x // y.
  -- @raise "attempt to divide by zero"
  function bint.__idiv(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return wrap((words_idivmod(ix, iy))) end
    return tonum(x) // tonum(y)
  end

  --- Floor modulo x % y (the result has the sign of y).
  -- @raise "attempt to divide by zero"
  function bint.__mod(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then
      local _, r = words_idivmod(ix, iy)
      return wrap(r)
    end
    return tonum(x) % tonum(y)
  end

  --- Float division x / y.
  function bint.__div(x, y) return tonum(x) / tonum(y) end

  --- Float power x ^ y (use `ipow` for integers).
  function bint.__pow(x, y) return tonum(x) ^ tonum(y) end

  --- Negation -x (wraps: -mininteger == mininteger).
  function bint.__unm(x)
    return wrap(negate_inplace(copywords(x)))
  end

  --- Floor division and modulo together.
  -- @return quotient and remainder, bints when both operands are integral
  function bint.idivmod(x, y)
    local ix, iy = tobint(x), tobint(y)
    if ix and iy then
      local q, r = words_idivmod(ix, iy)
      return wrap(q), wrap(r)
    end
    local a, b = tonum(x), tonum(y)
    return a // b, a % b
  end

  --- Truncated division and modulo (quotient toward zero, remainder with the sign of x).
  -- @treturn bint quotient
  -- @treturn bint remainder
  function bint.tdivmod(x, y)
    local q, r = words_tdivmod(tobint_operand(x), tobint_operand(y))
    return wrap(q), wrap(r)
  end

  --- Truncated division (toward zero).
  function bint.tdiv(x, y)
    local q = words_tdivmod(tobint_operand(x), tobint_operand(y))
    return wrap(q)
  end

  --- Remainder of the truncated division (sign of x).
  function bint.tmod(x, y)
    local _, r = words_tdivmod(tobint_operand(x), tobint_operand(y))
    return wrap(r)
  end

  --- Unsigned division and modulo, both operands read as unsigned bits.
  -- @treturn bint quotient
  -- @treturn bint remainder
  function bint.udivmod(x, y)
    local q, r = words_udivmod(tobint_operand(x), tobint_operand(y))
    return wrap(q), wrap(r)
  end

  --- Unsigned division.
  function bint.udiv(x, y)
    local q = words_udivmod(tobint_operand(x), tobint_operand(y))
    return wrap(q)
  end

  --- Unsigned modulo.
  function bint.umod(x, y)
    local _, r = words_udivmod(tobint_operand(x), tobint_operand(y))
    return wrap(r)
  end

  --- Integer power x^y with wrapping; a negative y is read as unsigned.
  -- @treturn bint
  function bint.ipow(x, y)
    local base = tobint_operand(x)
    local e = tobint_operand(y)
    local result = zeros()
    result[1] = 1
    local nbits = words_bitlen(e)
    for b = 0, nbits - 1 do
      if (e[b // W + 1] >> (b % W)) & 1 == 1 then result = words_mul(result, base) end
      if b < nbits - 1 then base = words_mul(base, base) end
    end
    return wrap(result)
  end

  --- Modular power x^y mod m over unsigned values. Exact while m < 2^(bits/2): the products
  -- are taken modulo 2^bits before the reduction, as in lua-bint.
  -- @treturn bint
  function bint.upowmod(x, y, m)
    local mod = tobint_operand(m)
    local _, base = words_udivmod(tobint_operand(x), mod)
    local e = tobint_operand(y)
    local one = zeros()
    one[1] = 1
    local _, result = words_udivmod(one, mod)
    local nbits = words_bitlen(e)
    for b = 0, nbits - 1 do
      if (e[b // W + 1] >> (b % W)) & 1 == 1 then
        _, result = words_udivmod(words_mul(result, base), mod)
      end
      if b < nbits - 1 then _, base = words_udivmod(words_mul(base, base), mod) end
    end
    return wrap(result)
  end

  --- x + 1 (a bint when x is integral, else a number).
  function bint.inc(x)
    local ix = tobint(x)
    if ix then
      local one = zeros()
      one[1] = 1
      return wrap(words_add(ix, one))
    end
    return tonum(x) + 1
  end

  --- x - 1 (a bint when x is integral, else a number).
  function bint.dec(x)
    local ix = tobint(x)
    if ix then
      local one = zeros()
      one[1] = 1
      return wrap(words_sub(ix, one))
    end
    return tonum(x) - 1
  end

  --- Absolute value (abs(mininteger) == mininteger, as with Lua integers).
  function bint.abs(x)
    local ix = tobint(x)
    if ix then return wrap(words_abs(ix)) end
    return math_abs(tonum(x))
  end

  local function rounded(x, round)
    if getmetatable(x) == bint then return wrap(copywords(x)) end
    local n = tonum(x)
    if math_type(n) == 'integer' then return wrap(words_fromint(n)) end
    if type(n) ~= 'number' then error(ERR_VALUE, 0) end
    local r = words_fromfloat(round(n))
    if not r then error(ERR_VALUE, 0) end
    return wrap(r)
  end

  --- Floor of a number as a bint.
  -- @raise "value cannot be represented by a bint"
  function bint.floor(x) return rounded(x, math_floor) end

  --- Ceiling of a number as a bint.
  -- @raise "value cannot be represented by a bint"
  function bint.ceil(x) return rounded(x, math_ceil) end

  --- Truncate a number toward zero to a bint.
  -- @treturn ?bint nil when x is not a number or does not fit
  function bint.trunc(x)
    if getmetatable(x) == bint then return wrap(copywords(x)) end
    local n = tonum(x)
    if math_type(n) == 'integer' then return wrap(words_fromint(n)) end
    if type(n) ~= 'number' then return nil end
    local r = words_fromfloat(n >= 0 and math_floor(n) or math_ceil(n))
    return r and wrap(r)
  end

  --- The larger of x and y: a new bint when both are integral, else a number.
  function bint.max(x, y)
    local ix, iy = tobint(x), tobint(y)
    if ix and iy then return wrap(copywords(words_lt(ix, iy) and iy or ix)) end
    return math_max(tonum(x), tonum(y))
  end

  --- The smaller of x and y: a new bint when both are integral, else a number.
  function bint.min(x, y)
    local ix, iy = tobint(x), tobint(y)
    if ix and iy then return wrap(copywords(words_lt(iy, ix) and iy or ix)) end
    return math_min(tonum(x), tonum(y))
  end

  ---------------------------------------------------------------------------------------------
  -- Bitwise
  ---------------------------------------------------------------------------------------------

  --- x & y.
  function bint.__band(x, y)
    local a, b = tobint_operand(x), tobint_operand(y)
    local r = zeros()
    for i = 1, N do r[i] = a[i] & b[i] end
    return wrap(r)
  end

  --- x | y.
  function bint.__bor(x, y)
    local a, b = tobint_operand(x), tobint_operand(y)
    local r = zeros()
    for i = 1, N do r[i] = a[i] | b[i] end
    return wrap(r)
  end

  --- x ~ y.
  function bint.__bxor(x, y)
    local a, b = tobint_operand(x), tobint_operand(y)
    local r = zeros()
    for i = 1, N do r[i] = a[i] ~ b[i] end
    return wrap(r)
  end

  --- ~x.
  function bint.__bnot(x)
    local a = tobint_operand(x)
    local r = zeros()
    for i = 1, N do r[i] = MASK - a[i] end
    return wrap(r)
  end

  --- x << y (a negative y shifts right).
  function bint.__shl(x, y)
    local a, n = tobint_operand(x), tointeger_operand(y)
    if n < 0 then
      if n == math.mininteger then return wrap(zeros()) end
      return wrap(words_shr(a, -n))
    end
    return wrap(words_shl(a, n))
  end

  --- x >> y, logical (zeros come in from the top); a negative y shifts left.
  function bint.__shr(x, y)
    local a, n = tobint_operand(x), tointeger_operand(y)
    if n < 0 then
      if n == math.mininteger then return wrap(zeros()) end
      return wrap(words_shl(a, -n))
    end
    return wrap(words_shr(a, n))
  end

  --- Keep the low y bits of x (as an unsigned value).
  function bint.bwrap(x, y)
    local a, n = tobint_operand(x), tointeger_operand(y)
    if n <= 0 then return wrap(zeros()) end
    if n >= bits then return wrap(copywords(a)) end
    local r = copywords(a)
    local wi, rest = n // W + 1, n % W
    r[wi] = r[wi] & ((1 << rest) - 1)
    for i = wi + 1, N do r[i] = 0 end
    return wrap(r)
  end

  --- Rotate x left by y bits over the full width.
  function bint.brol(x, y)
    local a, n = tobint_operand(x), tointeger_operand(y)
    n = n % bits
    if n == 0 then return wrap(copywords(a)) end
    local l, r = words_shl(a, n), words_shr(a, bits - n)
    for i = 1, N do l[i] = l[i] | r[i] end
    return wrap(l)
  end

  --- Rotate x right by y bits over the full width.
  function bint.bror(x, y)
    local n = tointeger_operand(y)
    return bint.brol(x, -(n % bits))
  end

  ---------------------------------------------------------------------------------------------
  -- Comparisons
  ---------------------------------------------------------------------------------------------

  --- x == y for two bints (Lua calls `__eq` only when both operands are tables).
  function bint.__eq(x, y)
    if getmetatable(x) ~= bint or getmetatable(y) ~= bint then return false end
    return words_eq(x, y)
  end

  --- Equality that also works between a bint and a Lua number or numeric string.
  function bint.eq(x, y)
    local ix, iy = tobint(x), tobint(y)
    if ix and iy then return words_eq(ix, iy) end
    return tonum(x) == tonum(y)
  end

  --- x < y, signed.
  function bint.__lt(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return words_lt(ix, iy) end
    return tonum(x) < tonum(y)
  end

  --- x <= y, signed.
  function bint.__le(x, y)
    local ix = getmetatable(x) == bint and x or tobint(x)
    local iy = getmetatable(y) == bint and y or tobint(y)
    if ix and iy then return not words_lt(iy, ix) end
    return tonum(x) <= tonum(y)
  end

  --- x < y with both read as unsigned.
  function bint.ult(x, y)
    return words_ult(tobint_operand(x), tobint_operand(y))
  end

  --- x <= y with both read as unsigned.
  function bint.ule(x, y)
    return not words_ult(tobint_operand(y), tobint_operand(x))
  end

  --- `a .. b` where either side is a bint: both sides through `tostring`.
  function bint.__concat(a, b)
    return tostring(a) .. tostring(b)
  end

  setmetatable(bint, {
    __call = function(_, x)
      if type(x) == 'string' then   -- the common case: a quantity tag
        local r = fromstring(x)
        if not r then error(ERR_VALUE, 0) end
        return r
      end
      return new(x)
    end,
  })

  modules[key] = bint
  return bint
end

return newmodule
