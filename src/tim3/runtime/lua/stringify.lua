--- Render Lua values as readable text for print and Eval output (aos's `.stringify`).
-- @module stringify

local stringify = { _version = "0.0.1" }

local colors = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m",
}

local function isArray(t)
  local n = #t
  local count = 0
  for _ in next, t do count = count + 1 end
  return count == n
end

local function sortedKeys(t)
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" or ta == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

local function render(v, indent, seen)
  local kind = type(v)
  if kind == "string" then return colors.green .. string.format("%q", v) .. colors.reset end
  if kind == "number" or kind == "boolean" then return colors.blue .. tostring(v) .. colors.reset end
  if kind ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  seen[v] = true
  if next(v) == nil then seen[v] = nil; return "{}" end
  local pad = string.rep("  ", indent + 1)
  local parts = {}
  if isArray(v) then
    for _, item in ipairs(v) do parts[#parts + 1] = pad .. render(item, indent + 1, seen) end
  else
    for _, k in ipairs(sortedKeys(v)) do
      local key = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k or ("[" .. render(k, 0, seen) .. "]")
      parts[#parts + 1] = pad .. colors.red .. key .. colors.reset .. " = " .. render(v[k], indent + 1, seen)
    end
  end
  seen[v] = nil
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. string.rep("  ", indent) .. "}"
end

--- Pretty-print a value (tables with sorted keys and colours).
function stringify.format(v, indent)
  return render(v, indent or 0, {})
end

return stringify
