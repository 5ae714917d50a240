--[[ usda_odd_notices.lua — a mock USDA whose owner can make it emit odd Credit-Notices.

For TIM3's security tests (security.md rule 10): the notices come genuinely from this token
(msg.From = its process id at the receiver) but are malformed. No balance moves: they announce
transfers that never happened.

Actions: everything of usda_mock.lua (see its header), plus
  Emit-Odd        Kind, Target (process id to notify), [Quantity] (default "1"), [Sender]
                  (default msg.From), [X-*]; only from the process Owner
                  → send one Action = Credit-Notice to Target with Sender, Quantity and the
                    X-* tags of the Emit-Odd message, made odd according to Kind:
                      zero-quantity   Quantity = "0"
                      missing-sender  no Sender tag
                      empty-sender    Sender = ""
                      negative        Quantity = "-" .. Quantity
                      float           Quantity = "1.5"
                      huge            Quantity = a 100-digit number (10^99)
                    No reply to the owner.
                  ✗ reply Action = Emit-Odd-Error, Error, Message-Id (not the owner, unknown
                    Kind, bad Target, Sender or Quantity).

How it is built: lib/token.lua (the module usda_mock.lua installs) with the default
options; install() returns the token's helpers, which the Emit-Odd handler below uses.
`tim3 build` and tim3.processes.source put the module in front of this file.
]]

local token = require("lib.token").install()

local ACTION = { EmitOdd = "Emit-Odd", EmitOddError = "Emit-Odd-Error" }
local TAG = { Kind = "Kind", Target = "Target", Quantity = "Quantity", Sender = "Sender" }

-- Each Kind turns a well-formed Credit-Notice into an odd one.
local ODDITY = {
  ["zero-quantity"] = function(notice) notice[TAG.Quantity] = "0" end,
  ["missing-sender"] = function(notice) notice[TAG.Sender] = nil end,
  ["empty-sender"] = function(notice) notice[TAG.Sender] = "" end,
  ["negative"] = function(notice) notice[TAG.Quantity] = "-" .. notice[TAG.Quantity] end,
  ["float"] = function(notice) notice[TAG.Quantity] = "1.5" end,
  ["huge"] = function(notice) notice[TAG.Quantity] = "1" .. string.rep("0", 99) end,
}

local function kindNames()
  local names = {}
  for name in pairs(ODDITY) do names[#names + 1] = name end
  table.sort(names)
  return table.concat(names, ", ")
end

Handlers.add(ACTION.EmitOdd, Handlers.utils.hasMatchingTag(token.TAG.Action, ACTION.EmitOdd), function(msg)
  if msg.From ~= Owner then
    return token.replyError(msg, ACTION.EmitOddError, "Only the process owner may use Emit-Odd")
  end
  local kind, target = msg.Tags[TAG.Kind], msg.Tags[TAG.Target]
  local oddity = ODDITY[kind]
  if not oddity then
    return token.replyError(msg, ACTION.EmitOddError,
      "Kind must be one of " .. kindNames() .. ", got " .. token.quote(kind))
  end
  if not token.isAddress(target) then
    return token.replyError(msg, ACTION.EmitOddError,
      "Target must be a 43-character process id, got " .. token.quote(target))
  end
  local sender = msg.Tags[TAG.Sender] or msg.From
  if not token.isAddress(sender) then
    return token.replyError(msg, ACTION.EmitOddError,
      "Sender must be a 43-character address, got " .. token.quote(sender))
  end
  local quantity = msg.Tags[TAG.Quantity] or "1"
  local _, problem = token.parseQuantity(quantity)
  if problem then return token.replyError(msg, ACTION.EmitOddError, problem) end

  local notice = { Target = target, [token.TAG.Action] = token.ACTION.CreditNotice,
    [TAG.Sender] = sender, [TAG.Quantity] = quantity,
    Data = "An odd Credit-Notice (" .. kind .. ") for a transfer that never happened" }
  for name, value in pairs(token.forwardedX(msg)) do notice[name] = value end
  oddity(notice)
  token.send(notice)
end)
