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

How it is built: the block between the BEGIN/END markers is a verbatim copy of usda_mock.lua
run as a function (processes are spawned from one file; there is no bundler yet); it returns the
token's helpers, which the Emit handler below uses. Never edit the copy: edit usda_mock.lua and
paste it here again; tests/processes/test_usda_variants.py fails while the two differ.
]]

local core = function(...)
-- BEGIN VERBATIM COPY OF usda_mock.lua
--[[ usda_mock.lua — the mock USDA of the TIM3 test environment: an ao standard token
(ao-protocol.md §2) with strict input checks and a test-network Mint.

Spawn tags (all optional): Name (default "USDA"), Ticker ("USDA"), Denomination ("12", decimal
places for display), Logo (""). Amounts are whole numbers of base units, carried as decimal
strings and computed with bint; a balance that reaches zero is removed from Balances.

Every reply goes through msg.reply: to Reply-To if the request has one, else to msg.From, with
X-Reference = the request's X-Reference or Reference. "X-*" below means every root field of the
request whose name starts with "X-" (aos has already renamed `x-memo` to `X-Memo`). Other
inputs are read from msg.Tags: with duplicate tag names, the first one counts (the one the
Action was matched on).

Actions
  Info            → reply Name, Ticker, Logo, Denomination, Total-Supply; no Data.
  Balance         [Recipient | Target] (else msg.From)
                  → reply Balance, Ticker, Account; Data = the balance ("0" if unknown).
  Balances        → reply Data = JSON object address → balance ("{}" when empty).
  Total-Supply    → reply Action = Total-Supply, Total-Supply, Ticker; Data = the supply.
                    Unanswered when sent by the token itself or when it carries a Ticker tag
                    (it is then another token's answer): no ping-pong between tokens.
  Transfer        Recipient, Quantity, [Cast], [X-*]
                  → unless Cast: reply Action = Debit-Notice, Recipient, Quantity, X-*;
                    and send Action = Credit-Notice, Sender = msg.From, Quantity, X-* to
                    Recipient. Data of both: one line of plain text.
                  ✗ reply Action = Transfer-Error, Error (plain words), Message-Id; state
                    untouched. Like the aos blueprint, Transfer-Error forwards no X-* tags;
                    match it through X-Reference.
  Mint            Quantity, [Recipient] (default: the process Owner), [Cast], [X-*]
                  only from the process Owner (a test-network faucet)
                  → reply Action = Mint-Notice, Recipient, Quantity, X-*; unless Cast, send
                    Action = Credit-Notice, Sender = this process, Quantity, X-* to Recipient.
                  ✗ reply Action = Mint-Error, Error, Message-Id.
  Burn            Quantity, [X-*]
                  → reply Action = Burn-Notice, Quantity, X-*.
                  ✗ reply Action = Burn-Error, Error, Message-Id.
  anything else   → aos's default handler (Inbox), no reply.

Quantity rules (security.md rule 2): a string matching ^[1-9][0-9]*$ of at most 60 digits
(checked before any parse) that bint prints back unchanged. Recipient: 43 characters of
base64url ([A-Za-z0-9_-]). Total-Supply never exceeds 76 digits, so 256-bit bint never wraps.

Reuse: loaded with no arguments (On-Boot = Data, or Eval) this is the standard token. Run as a
function with an options table, `core({ forwardX = false })`, it skips X-* forwarding; it
returns its helpers (ACTION, TAG, reply, send, forwardedX, isAddress, parseQuantity, quote) so
that a variant can add handlers. The variants (usda_no_xforward.lua, usda_odd_notices.lua,
usda_hostile.lua) carry a verbatim copy of this file, checked by tests/processes/
test_usda_variants.py, because processes are spawned from a single file (no bundler yet).
]]

local bint = require(".bint")(256)
local json = require("json")

local options = ... or {}
local FORWARD_X = options.forwardX ~= false

local ACTION = {
  Info = "Info",
  Balance = "Balance",
  Balances = "Balances",
  TotalSupply = "Total-Supply",
  Transfer = "Transfer",
  TransferError = "Transfer-Error",
  DebitNotice = "Debit-Notice",
  CreditNotice = "Credit-Notice",
  Mint = "Mint",
  MintNotice = "Mint-Notice",
  MintError = "Mint-Error",
  Burn = "Burn",
  BurnNotice = "Burn-Notice",
  BurnError = "Burn-Error",
}

local TAG = {
  Action = "Action",
  Name = "Name",
  Ticker = "Ticker",
  Logo = "Logo",
  Denomination = "Denomination",
  TotalSupply = "Total-Supply",
  Balance = "Balance",
  Account = "Account",
  Recipient = "Recipient",
  Target = "Target",
  Quantity = "Quantity",
  Sender = "Sender",
  Cast = "Cast",
  Error = "Error",
  MessageId = "Message-Id",
}

local MAX_QUANTITY_DIGITS = 60
local MAX_SUPPLY_DIGITS = 76

-- State ---------------------------------------------------------------------------------------

local spawnTags = ao.env.Process.Tags
-- The runtime names an untagged process "aos"; a token spawned without a Name is "USDA".
Name = (Name ~= nil and Name ~= "aos") and Name or spawnTags.Name or "USDA"
Ticker = Ticker or spawnTags.Ticker or "USDA"
Denomination = Denomination or spawnTags.Denomination or "12"
Logo = Logo or spawnTags.Logo or ""
Balances = Balances or {}
TotalSupply = TotalSupply or "0"

assert(string.match(Denomination, "^[0-9]+$") and #Denomination <= 2,
  "Denomination must be a whole number of decimal places (0-99), got '" .. tostring(Denomination) .. "'")

-- Helpers -------------------------------------------------------------------------------------

--- A value as it may appear inside an error text: quoted, control bytes escaped, long ones cut.
local function quote(value)
  if value == nil then return "nothing" end
  local s = tostring(value)
  local shown = #s > 40 and (s:sub(1, 20) .. "…") or s
  shown = shown:gsub("%c", function(c) return string.format("\\%d", c:byte()) end)
  if #s > 40 then return "'" .. shown .. "' (" .. #s .. " characters)" end
  return "'" .. shown .. "'"
end

--- True for a 43-character base64url string (an Arweave address or process id).
local function isAddress(value)
  return type(value) == "string" and #value == 43 and string.match(value, "^[%w%-_]+$") ~= nil
end

--- The bint of a canonical quantity string, or nil and an error in words.
local function parseQuantity(value)
  if value == nil then
    return nil, "Quantity is required: a positive whole number of base units"
  end
  if type(value) == "string" and #value > MAX_QUANTITY_DIGITS then
    return nil, "Quantity must have at most " .. MAX_QUANTITY_DIGITS .. " digits, got " .. quote(value)
  end
  if type(value) ~= "string" or not string.match(value, "^[1-9][0-9]*$") then
    return nil, "Quantity must be a positive whole number of base units, got " .. quote(value)
  end
  local q = bint(value)
  if tostring(q) ~= value then
    return nil, "Quantity must be a positive whole number of base units, got " .. quote(value)
  end
  return q
end

local function balanceOf(address)
  return bint(Balances[address] or "0")
end

local function setBalance(address, value)
  if bint.iszero(value) then Balances[address] = nil else Balances[address] = tostring(value) end
end

--- Every X-* root field of msg with a string value (empty when forwarding is switched off).
local function forwardedX(msg)
  local out = {}
  if not FORWARD_X then return out end
  for name, value in pairs(msg) do
    if type(name) == "string" and name:sub(1, 2) == "X-" and type(value) == "string" then
      out[name] = value
    end
  end
  return out
end

local function merge(into, extra)
  for k, v in pairs(extra or {}) do
    if into[k] == nil then into[k] = v end
  end
  return into
end

-- Every tag value must be a string, or the messenger drops the message (§1.7): fail loudly.
local function checkStrings(t)
  for k, v in pairs(t) do
    if type(v) ~= "string" then
      error("tag '" .. tostring(k) .. "' would be a " .. type(v) .. ", not a string", 2)
    end
  end
  return t
end

local function reply(msg, t)
  return msg.reply(checkStrings(t))
end

local function send(t)
  return ao.send(checkStrings(t))
end

local function replyError(msg, action, text)
  reply(msg, { [TAG.Action] = action, [TAG.Error] = text,
    [TAG.MessageId] = type(msg.Id) == "string" and msg.Id or nil })
end

local function isAction(name)
  return Handlers.utils.hasMatchingTag(TAG.Action, name)
end

-- Handlers (in the header's order) ------------------------------------------------------------

Handlers.add(ACTION.Info, isAction(ACTION.Info), function(msg)
  reply(msg, {
    [TAG.Name] = Name, [TAG.Ticker] = Ticker, [TAG.Logo] = Logo,
    [TAG.Denomination] = Denomination, [TAG.TotalSupply] = TotalSupply,
  })
end)

Handlers.add(ACTION.Balance, isAction(ACTION.Balance), function(msg)
  local account = msg.Tags[TAG.Recipient] or msg.Tags[TAG.Target] or msg.From
  local balance = Balances[account] or "0"
  reply(msg, { [TAG.Balance] = balance, [TAG.Ticker] = Ticker, [TAG.Account] = account, Data = balance })
end)

Handlers.add(ACTION.Balances, isAction(ACTION.Balances), function(msg)
  -- json encodes an empty table as "[]"; a ledger is an object.
  reply(msg, { Data = next(Balances) == nil and "{}" or json.encode(Balances) })
end)

Handlers.add(ACTION.TotalSupply, isAction(ACTION.TotalSupply), function(msg)
  if msg.From == ao.id or msg.Tags[TAG.Ticker] ~= nil then
    print("Total-Supply from " .. tostring(msg.From) .. " looks like an answer; not answering it")
    return
  end
  reply(msg, { [TAG.Action] = ACTION.TotalSupply, [TAG.TotalSupply] = TotalSupply,
    [TAG.Ticker] = Ticker, Data = TotalSupply })
end)

Handlers.add(ACTION.Transfer, isAction(ACTION.Transfer), function(msg)
  local recipient = msg.Tags[TAG.Recipient]
  if not isAddress(recipient) then
    return replyError(msg, ACTION.TransferError,
      "Recipient must be a 43-character address or process id, got " .. quote(recipient))
  end
  local quantity, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not quantity then return replyError(msg, ACTION.TransferError, problem) end
  local has = balanceOf(msg.From)
  if has < quantity then
    return replyError(msg, ACTION.TransferError,
      "Insufficient balance: has " .. tostring(has) .. ", needs " .. tostring(quantity))
  end

  setBalance(msg.From, has - quantity)
  setBalance(recipient, balanceOf(recipient) + quantity)

  if msg.Tags[TAG.Cast] ~= nil then return end
  local q, x = tostring(quantity), forwardedX(msg)
  reply(msg, merge({ [TAG.Action] = ACTION.DebitNotice, [TAG.Recipient] = recipient,
    [TAG.Quantity] = q, Data = "You transferred " .. q .. " base units of " .. Ticker .. " to " .. recipient }, x))
  send(merge({ Target = recipient, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = msg.From,
    [TAG.Quantity] = q, Data = "You received " .. q .. " base units of " .. Ticker .. " from " .. msg.From }, x))
end)

Handlers.add(ACTION.Mint, isAction(ACTION.Mint), function(msg)
  if msg.From ~= Owner then
    return replyError(msg, ACTION.MintError,
      "Only the process owner may mint " .. Ticker .. " (this is a test-network faucet)")
  end
  local recipient = msg.Tags[TAG.Recipient] or Owner
  if not isAddress(recipient) then
    return replyError(msg, ACTION.MintError,
      "Recipient must be a 43-character address or process id, got " .. quote(recipient))
  end
  local quantity, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not quantity then return replyError(msg, ACTION.MintError, problem) end
  local supply = bint(TotalSupply) + quantity
  if #tostring(supply) > MAX_SUPPLY_DIGITS then
    return replyError(msg, ACTION.MintError,
      "Mint would take Total-Supply past " .. MAX_SUPPLY_DIGITS .. " digits")
  end

  TotalSupply = tostring(supply)
  setBalance(recipient, balanceOf(recipient) + quantity)

  local q, x = tostring(quantity), forwardedX(msg)
  reply(msg, merge({ [TAG.Action] = ACTION.MintNotice, [TAG.Recipient] = recipient,
    [TAG.Quantity] = q, Data = "Minted " .. q .. " base units of " .. Ticker .. " to " .. recipient }, x))
  if msg.Tags[TAG.Cast] ~= nil then return end
  send(merge({ Target = recipient, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = ao.id,
    [TAG.Quantity] = q, Data = "You received " .. q .. " newly minted base units of " .. Ticker }, x))
end)

Handlers.add(ACTION.Burn, isAction(ACTION.Burn), function(msg)
  local quantity, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not quantity then return replyError(msg, ACTION.BurnError, problem) end
  local has = balanceOf(msg.From)
  if has < quantity then
    return replyError(msg, ACTION.BurnError,
      "Insufficient balance: has " .. tostring(has) .. ", needs " .. tostring(quantity))
  end

  setBalance(msg.From, has - quantity)
  TotalSupply = tostring(bint(TotalSupply) - quantity)

  local q = tostring(quantity)
  reply(msg, merge({ [TAG.Action] = ACTION.BurnNotice, [TAG.Quantity] = q,
    Data = "Burned " .. q .. " base units of " .. Ticker }, forwardedX(msg)))
end)

return {
  ACTION = ACTION, TAG = TAG, reply = reply, send = send, replyError = replyError,
  forwardedX = forwardedX, isAddress = isAddress, parseQuantity = parseQuantity, quote = quote,
}
-- END VERBATIM COPY OF usda_mock.lua
end

local token = core({})
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
