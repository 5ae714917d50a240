--[[ usda_hostile.lua — a mock USDA whose owner can make it send any message at all.

For TIM3's security tests (security.md rule 10): notices for transfers that never happened,
random tags, huge quantities, duplicated notices — all genuinely from this token's process id
(msg.From at the receiver), so a receiver cannot tell them from real ones by origin.

Actions: everything of usda_mock.lua (see its header), plus
  Emit            Data = JSON: one message or an array of messages, each
                    { "Target": "<43-char id>", "Tags": {...} or [{"name", "value"}...],
                      "Data": "<string>" (optional, default "") }
                  Tags as an object sends name → value; as an array keeps order and allows
                  duplicate names. Every tag value must be a string (the messenger drops a
                  message with any other value, so it would test nothing). Only from the
                  process Owner.
                  → ao.send exactly those messages, in order; no balance moves; no reply.
                  ✗ reply Action = Emit-Error, Error, Message-Id; nothing is sent.

How it is built: lib/token.lua (the module usda_mock.lua installs) with the default
options; install() returns the token's helpers, which the Emit handler below uses.
`tim3 build` and tim3.processes.source put the module in front of this file.
]]

local token = require("lib.token").install()
local json = require("json")

local ACTION = { Emit = "Emit", EmitError = "Emit-Error" }

-- The messages described by a decoded Emit body, or nil and what is wrong with it.
local function outgoing(body)
  if type(body) ~= "table" then return nil, "Data must be a JSON object or array of messages" end
  local list = body[1] ~= nil and body or { body }
  local out = {}
  for i, m in ipairs(list) do
    local where = "message " .. i .. ": "
    if type(m) ~= "table" then return nil, where .. "must be a JSON object" end
    if not token.isAddress(m.Target) then
      return nil, where .. "Target must be a 43-character id, got " .. token.quote(m.Target)
    end
    if m.Data ~= nil and type(m.Data) ~= "string" then
      return nil, where .. "Data must be a string"
    end
    local tags = {}
    if type(m.Tags) == "table" and m.Tags[1] ~= nil then
      for j, t in ipairs(m.Tags) do
        if type(t) ~= "table" or type(t.name) ~= "string" or type(t.value) ~= "string" then
          return nil, where .. "tag " .. j .. " must be {\"name\": string, \"value\": string}"
        end
        tags[#tags + 1] = { name = t.name, value = t.value }
      end
    elseif type(m.Tags) == "table" then
      local names = {}
      for name in pairs(m.Tags) do names[#names + 1] = name end
      table.sort(names)
      for _, name in ipairs(names) do
        if type(m.Tags[name]) ~= "string" then
          return nil, where .. "tag '" .. name .. "' must have a string value"
        end
        tags[#tags + 1] = { name = name, value = m.Tags[name] }
      end
    elseif m.Tags ~= nil then
      return nil, where .. "Tags must be an object or an array"
    end
    out[#out + 1] = { Target = m.Target, Data = m.Data or "", Tags = tags }
  end
  return out
end

Handlers.add(ACTION.Emit, Handlers.utils.hasMatchingTag(token.TAG.Action, ACTION.Emit), function(msg)
  if msg.From ~= Owner then
    return token.replyError(msg, ACTION.EmitError, "Only the process owner may use Emit")
  end
  local body = msg.Data
  if type(body) == "string" then
    local ok, decoded = pcall(json.decode, body)
    if not ok then
      return token.replyError(msg, ACTION.EmitError, "Data must be JSON: " .. tostring(decoded))
    end
    body = decoded
  end
  local messages, problem = outgoing(body)
  if not messages then return token.replyError(msg, ACTION.EmitError, problem) end

  for _, m in ipairs(messages) do ao.send(m) end
end)
