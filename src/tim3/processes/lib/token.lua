--[[ lib/token.lua — the standard ao token of the TIM3 test environment, as a module: what
usda_mock.lua is, and what its variants (usda_no_xforward, usda_odd_notices, usda_hostile,
usda_lockable) start from. The actions, tags, replies, state and quantity rules are documented
in usda_mock.lua's header.

    local token = require("lib.token").install({ forwardX = false })

install(options) sets the token's state globals (Name, Ticker, Denomination, Logo, Balances,
TotalSupply; each kept when it already exists, so loading the process again keeps the ledger),
adds the token's handlers (Info, Balance, Balances, Total-Supply, Transfer, Mint, Burn) and
returns its helpers (ACTION, TAG, reply, send, replyError, forwardedX, isAddress, parseQuantity,
quote) for a variant's own handlers. Options: forwardX (default true) = false sends no X-* tags
of the request in Debit-, Credit-, Mint- and Burn-Notices. The module itself creates no global.
]]

local bint = require(".bint")(256)
local json = require("json")

local M = {}
local byte = string.byte

--- Make this process the standard token; returns the helpers listed above.
function M.install(options)
  options = options or {}
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
      if type(name) == "string" and byte(name, 1) == 88 and byte(name, 2) == 45  -- "X-"
          and type(value) == "string" then
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
end

return M
