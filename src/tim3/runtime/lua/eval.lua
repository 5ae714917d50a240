--- The built-in Eval handler: run msg.Data as Lua in the process (owner only), §1.9.5.
-- @module eval

local stringify = require(".stringify")

return function(ao)
  return function(msg)
    local source = msg.Data
    if type(source) ~= "string" then
      ao.outbox.Error = "Eval expects Lua source text in Data"
      return
    end
    local fn, err = load("return " .. source, "aos", "t", _G)
    if not fn then fn, err = load(source, "aos", "t", _G) end
    if not fn then
      ao.outbox.Error = err
      return
    end
    local output, e = fn()
    if e then
      ao.outbox.Error = e
      return
    end
    if output ~= nil and HANDLER_PRINT_LOGS then
      table.insert(HANDLER_PRINT_LOGS, type(output) == "table" and stringify.format(output) or tostring(output))
    end
  end
end
