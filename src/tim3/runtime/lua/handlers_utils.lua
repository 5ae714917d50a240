--- Pattern and handle builders for Handlers (aos's `.handlers-utils`), §1.9.4.
-- @module handlers_utils

local utils = require(".utils")

local handlers_utils = { _version = "0.0.2" }

--- A pattern: the first `name` tag equals value exactly.
function handlers_utils.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string", "invalid arguments: (name : string, value : string)")
  return function(msg)
    return msg.Tags[name] == value
  end
end

--- A pattern: the `name` tag equals one of values; the first non-skip result wins.
function handlers_utils.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, v in ipairs(values) do
      local r = handlers_utils.hasMatchingTag(name, v)(msg)
      if r ~= 0 and r ~= false and r ~= "skip" then return r end
    end
    return 0
  end
end

--- A pattern: msg.Data equals value.
function handlers_utils.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg)
    return msg.Data == value
  end
end

--- A handle that replies with a string (as Data) or a table.
function handlers_utils.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table or string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
    else
      msg.reply(input)
    end
  end
end

--- Wrap a pattern so that a match lets the walk continue (result 1).
function handlers_utils.continue(pattern)
  return function(msg)
    local match = utils.matchesSpec(msg, pattern)
    if not match or match == 0 or match == "skip" then return match end
    return 1
  end
end

return handlers_utils
