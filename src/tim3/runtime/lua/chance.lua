--- A deterministic pseudo-random generator for math.random (aos seeds one per process).
-- A 64-bit xorshift* generator; the sequence differs from aos's but is reproducible.
-- @module chance

local chance = { _version = "0.1.0" }

local state = 0x2545F4914F6CDD1D

--- Seed from any string or number.
function chance.seed(seed)
  local s = tostring(seed)
  local h = 1469598103934665603            -- FNV-1a 64-bit offset
  for i = 1, #s do
    h = (h ~ s:byte(i)) * 1099511628211
  end
  if h == 0 then h = 0x2545F4914F6CDD1D end
  state = h
end

local function next64()
  local x = state
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  state = x
  return x * 2685821657736338717
end

--- math.random semantics: () → [0,1), (m) → [1,m], (m, n) → [m,n].
function chance.random(m, n)
  local r = (next64() >> 11) * (1.0 / 9007199254740992.0)
  if m == nil then return r end
  if n == nil then m, n = 1, m end
  assert(math.type(m) and math.type(n), "bad argument to 'random' (number expected)")
  m, n = math.floor(m), math.floor(n)
  assert(m <= n, "bad argument to 'random' (interval is empty)")
  return m + math.floor(r * (n - m + 1))
end

--- The generator's state, for tests.
function chance.state() return state end

return chance
