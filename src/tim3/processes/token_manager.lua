--[[ token_manager.lua — the Token Manager: the TIM3 token of the multi-process designs (the
Coordinator v2 of coordinator.lua and the V1 orchestrator of orchestrator.lua). See
docs/orchestration.md for the message sequences.

It is an ao standard token (ao-protocol.md §2) whose supply changes only through processes the
owner has authorized (the seed's `allowedMinters`): they Mint to a recipient and Burn from an
account. Every Mint and every Burn by a minter carries a Purpose, the operation's id: a second
request with the same Purpose from the same minter changes nothing and gets the first answer
again (with Duplicate = "true"), so a minter can safely retry a request whose answer was lost.

SPAWN TAGS (optional): Name (default "TIM3"), Ticker ("TIM3"), Denomination ("12").

QUANTITIES are whole numbers of base units as decimal strings: ^[1-9][0-9]*$, at most 60 digits,
checked before any big-integer parse (security.md rule 2). Mint and Burn take the amount in
`Amount` (the seed's name) or `Quantity`; given both, they must be equal.
REPLIES go to msg.From, never to Reply-To, with X-Reference = the request's X-Reference or
Reference. Errors are `<Action>-Error` with Error (plain words) and Message-Id. Read replies carry
no Action. A message with an unknown or missing Action gets no reply and is not kept.

ACTIONS — token
  Info            → Name, Ticker, Denomination, Total-Supply.
  Balance         [Recipient | Target] (default msg.From) → Balance, Ticker, Account; Data.
  Balances        → Data = JSON object address → balance ("{}" when empty).
  Total-Supply    → Total-Supply, Ticker; Data = the supply.
  Transfer        Recipient, Quantity, [Cast], [X-*] → unless Cast: Debit-Notice (Recipient,
                  Quantity, X-*) to the sender, Credit-Notice (Sender, Quantity, X-*) to
                  Recipient. ✗ Transfer-Error. A re-delivered Transfer changes nothing.
ACTIONS — supply (authorized minters only, else <Action>-Error)
  Mint            Recipient, Amount | Quantity, Purpose
                  → Mint-Notice (Recipient, Quantity, Amount, Purpose, [Duplicate]) to the
                    minter; Credit-Notice (Sender = this process, Quantity, Purpose) to
                    Recipient (not for a duplicate).
                  ✗ Mint-Error (Error, Purpose): not an authorized minter, bad Recipient or
                    amount, Purpose used before for a different operation.
  Burn            Amount | Quantity, [Account] (default msg.From), [Purpose]
                  Burning from another Account needs an authorized minter and a Purpose.
                  → Burn-Notice (Account, Quantity, Amount, Purpose, [Duplicate]) to msg.From.
                  ✗ Burn-Error (Error, Purpose): insufficient balance, not authorized, ...
ACTIONS — authorization
  Authorize       owner only; Process-Id (tag `Process-Id`, or `ProcessId` which arrives as
  Revoke          `Processid`, or JSON Data {"processId": ...}, or the bare id as Data)
                  → Authorize-Notice / Revoke-Notice (Process-Id, Role = "Minter", Authorized).
  CheckAuthorization [Process-Id] (default msg.From) → Authorization-Status (Process-Id,
                  Role = "Minter", Authorized = "true" | "false"). The coordinator and the
                  orchestrator send it when configured, to catch a missing authorization
                  before any money moves.
  GetConfig       → Name, Ticker, Denomination, Total-Supply, Owner; Data = JSON with
                  allowedMinters.

STATE: Balances (address → canonical string; zero balances removed), TotalSupply (= Σ Balances),
Authorized (minter → true), Operations ("<minter> <Purpose>" → {Kind, Account, Quantity}),
Processed (delivery keys of Transfers and owner actions), and the token's Name, Ticker,
Denomination.
]]

local bint = require(".bint")(256)
local json = require("json")

-- The helpers shared by the orchestration processes (lib/orchestration.lua).
local shared = require("lib.orchestration")
local TAG, ACTION = shared.TAG, shared.ACTION
local quote, isAddress, parseQuantity = shared.quote, shared.isAddress, shared.parseQuantity
local amount, stored, sub, checkKey = shared.amount, shared.stored, shared.sub, shared.checkKey
local echo, firstDelivery, send = shared.echo, shared.firstDelivery, shared.send
local reply, replyError, isAction = shared.reply, shared.replyError, shared.isAction
local encodeObject, nonEmpty, copyX = shared.encodeObject, shared.nonEmpty, shared.copyX
local addAuthorizationHandlers = shared.addAuthorizationHandlers
local authorizedList = shared.authorizedList

ACTION.Info, ACTION.Balance, ACTION.Balances = "Info", "Balance", "Balances"
ACTION.TotalSupply, ACTION.Transfer = "Total-Supply", "Transfer"
ACTION.DebitNotice, ACTION.CreditNotice = "Debit-Notice", "Credit-Notice"
ACTION.Mint, ACTION.MintNotice, ACTION.Burn, ACTION.BurnNotice = "Mint", "Mint-Notice", "Burn", "Burn-Notice"
TAG.Name, TAG.Ticker, TAG.Denomination, TAG.TotalSupply = "Name", "Ticker", "Denomination", "Total-Supply"
TAG.Balance, TAG.Account, TAG.Recipient, TAG.Target = "Balance", "Account", "Recipient", "Target"
TAG.Quantity, TAG.Amount, TAG.Purpose, TAG.Sender, TAG.Cast = "Quantity", "Amount", "Purpose", "Sender", "Cast"

local ROLE = "Minter"
local MAX_SUPPLY_DIGITS = 70

-- State ---------------------------------------------------------------------------------------

local spawnTags = ao.env.Process.Tags
Name = (Name ~= nil and Name ~= "aos") and Name or spawnTags.Name or "TIM3"
Ticker = Ticker or spawnTags.Ticker or "TIM3"
Denomination = Denomination or spawnTags.Denomination or "12"
Balances = Balances or {}
TotalSupply = TotalSupply or "0"
Authorized = Authorized or {}
Operations = Operations or {}
Processed = Processed or {}

assert(string.find(Denomination, "^[0-9][0-9]?$"),
  "Denomination must be a whole number of decimal places (0-99), got " .. quote(Denomination))

-- Helpers -------------------------------------------------------------------------------------

local function balanceOf(address) return amount(Balances[address] or "0") end

--- The stored balance of address after adding delta (may be negative); nil when zero.
local function balanceAfter(address, delta)
  local v = balanceOf(address) + delta
  if bint.isneg(v) then error("balance of " .. address .. " would go negative", 2) end
  if bint.iszero(v) then return nil end
  return stored(v)
end

--- The amount of a Mint or Burn: Amount (the seed's name) or Quantity, equal if both given.
local function amountOf(msg)
  local a, q = msg.Tags[TAG.Amount], msg.Tags[TAG.Quantity]
  if a ~= nil and q ~= nil and a ~= q then
    return nil, "Amount and Quantity differ (" .. quote(a) .. " and " .. quote(q) .. "); give one"
  end
  if a ~= nil then return parseQuantity(a, TAG.Amount) end
  return parseQuantity(q, TAG.Quantity)
end

--- The earlier operation with this key, or nil; an error when it was a different one.
local function earlier(key, kind, account, q)
  local op = Operations[key]
  if op == nil then return nil end
  if op.Kind ~= kind or op.Account ~= account or op.Quantity ~= q then
    return nil, "Purpose was used before for a different operation (" .. op.Kind .. " of "
      .. op.Quantity .. " for " .. op.Account .. "); use a new Purpose"
  end
  return op
end

-- Handlers (in the header's order) ------------------------------------------------------------

Handlers.add(ACTION.Info, isAction(ACTION.Info), function(msg)
  reply(msg, { [TAG.Name] = Name, [TAG.Ticker] = Ticker, [TAG.Denomination] = Denomination,
    [TAG.TotalSupply] = TotalSupply })
end)

Handlers.add(ACTION.Balance, isAction(ACTION.Balance), function(msg)
  local account = msg.Tags[TAG.Recipient] or msg.Tags[TAG.Target] or msg.From
  local balance = Balances[account] or "0"
  reply(msg, { [TAG.Balance] = balance, [TAG.Ticker] = Ticker, [TAG.Account] = account, Data = balance })
end)

Handlers.add(ACTION.Balances, isAction(ACTION.Balances), function(msg)
  reply(msg, { Data = encodeObject(Balances) })
end)

Handlers.add(ACTION.TotalSupply, isAction(ACTION.TotalSupply), function(msg)
  reply(msg, { [TAG.TotalSupply] = TotalSupply, [TAG.Ticker] = Ticker, Data = TotalSupply })
end)

Handlers.add(ACTION.Transfer, isAction(ACTION.Transfer), function(msg)
  if not firstDelivery(msg, ACTION.Transfer) then return end
  local recipient = msg.Tags[TAG.Recipient]
  if not isAddress(recipient) or recipient == ao.id then
    return replyError(msg, ACTION.Transfer,
      "Recipient must be an address other than this process, got " .. quote(recipient))
  end
  local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not q then return replyError(msg, ACTION.Transfer, problem) end
  local has = balanceOf(msg.From)
  if has < q then
    return replyError(msg, ACTION.Transfer, "Insufficient balance: has " .. tostring(has) .. ", needs " .. tostring(q))
  end

  Balances[msg.From] = balanceAfter(msg.From, -q)
  Balances[recipient] = balanceAfter(recipient, q)

  if msg.Tags[TAG.Cast] ~= nil then return end
  local text = tostring(q)
  reply(msg, copyX(msg, { [TAG.Action] = ACTION.DebitNotice, [TAG.Recipient] = recipient,
    [TAG.Quantity] = text, Data = "You transferred " .. text .. " base units of " .. Ticker .. " to " .. recipient }))
  send(copyX(msg, { Target = recipient, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = msg.From,
    [TAG.Quantity] = text, Data = "You received " .. text .. " base units of " .. Ticker .. " from " .. msg.From }))
end)

Handlers.add(ACTION.Mint, isAction(ACTION.Mint), function(msg)
  local purpose, bad = checkKey(msg.Tags[TAG.Purpose], TAG.Purpose)
  local echoed = echo(TAG.Purpose, msg.Tags[TAG.Purpose])
  if not Authorized[msg.From] then
    return replyError(msg, ACTION.Mint, msg.From .. " is not an allowed minter of " .. Ticker
      .. "; the Token Manager's owner must send Authorize with Process-Id = " .. msg.From, echoed)
  end
  if not purpose then return replyError(msg, ACTION.Mint, bad, echoed) end
  local recipient = msg.Tags[TAG.Recipient]
  if not isAddress(recipient) or recipient == ao.id then
    return replyError(msg, ACTION.Mint, "Recipient must be an address other than this process, got "
      .. quote(recipient), echoed)
  end
  local q, problem = amountOf(msg)
  if not q then return replyError(msg, ACTION.Mint, problem, echoed) end
  local text, key = tostring(q), msg.From .. " " .. purpose
  local op, conflict = earlier(key, ACTION.Mint, recipient, text)
  if conflict then return replyError(msg, ACTION.Mint, conflict, echoed) end
  local notice = { [TAG.Action] = ACTION.MintNotice, [TAG.Recipient] = recipient, [TAG.Quantity] = text,
    [TAG.Amount] = text, [TAG.Purpose] = purpose }
  if op then
    notice[TAG.Duplicate], notice.Data = "true", "Already minted for this Purpose; nothing changed"
    return reply(msg, notice)
  end
  local supply = stored(amount(TotalSupply) + q)
  if #supply > MAX_SUPPLY_DIGITS then
    return replyError(msg, ACTION.Mint, "Minting would take Total-Supply past " .. MAX_SUPPLY_DIGITS .. " digits",
      echoed)
  end

  Balances[recipient] = balanceAfter(recipient, q)
  TotalSupply = supply
  Operations[key] = { Kind = ACTION.Mint, Account = recipient, Quantity = text }

  notice.Data = "Minted " .. text .. " base units of " .. Ticker .. " to " .. recipient
  reply(msg, notice)
  send({ Target = recipient, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = ao.id,
    [TAG.Quantity] = text, [TAG.Purpose] = purpose,
    Data = "You received " .. text .. " newly minted base units of " .. Ticker })
end)

Handlers.add(ACTION.Burn, isAction(ACTION.Burn), function(msg)
  local raw = msg.Tags[TAG.Purpose]
  local echoed = echo(TAG.Purpose, raw)
  local account = msg.Tags[TAG.Account] or msg.From
  if not isAddress(account) then
    return replyError(msg, ACTION.Burn, "Account must be an address, got " .. quote(account), echoed)
  end
  if account ~= msg.From and not Authorized[msg.From] then
    return replyError(msg, ACTION.Burn, msg.From .. " may not burn from another account: it is not an "
      .. "allowed minter of " .. Ticker, echoed)
  end
  local purpose, bad = nil, nil
  if raw ~= nil or account ~= msg.From then
    purpose, bad = checkKey(raw, TAG.Purpose)
    if not purpose then return replyError(msg, ACTION.Burn, bad, echoed) end
  end
  local q, problem = amountOf(msg)
  if not q then return replyError(msg, ACTION.Burn, problem, echoed) end
  local text = tostring(q)
  local key = purpose and (msg.From .. " " .. purpose) or nil
  local op, conflict = nil, nil
  if key then op, conflict = earlier(key, ACTION.Burn, account, text) end
  if conflict then return replyError(msg, ACTION.Burn, conflict, echoed) end
  local notice = { [TAG.Action] = ACTION.BurnNotice, [TAG.Account] = account, [TAG.Quantity] = text,
    [TAG.Amount] = text, [TAG.Purpose] = purpose }
  if op then
    notice[TAG.Duplicate], notice.Data = "true", "Already burned for this Purpose; nothing changed"
    return reply(msg, notice)
  end
  local has = balanceOf(account)
  if has < q then
    return replyError(msg, ACTION.Burn, "Insufficient balance: " .. account .. " has " .. tostring(has)
      .. " base units of " .. Ticker .. ", needs " .. text, echoed)
  end

  Balances[account] = balanceAfter(account, -q)
  TotalSupply = sub(TotalSupply, text)
  if key then Operations[key] = { Kind = ACTION.Burn, Account = account, Quantity = text } end

  notice.Data = "Burned " .. text .. " base units of " .. Ticker .. " from " .. account
  reply(msg, notice)
end)

addAuthorizationHandlers(ROLE)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), function(msg)
  local owner = type(Owner) == "string" and Owner or ""
  reply(msg, nonEmpty({ [TAG.Name] = Name, [TAG.Ticker] = Ticker, [TAG.Denomination] = Denomination,
    [TAG.TotalSupply] = TotalSupply, [TAG.Owner] = owner,
    Data = json.encode({ name = Name, ticker = Ticker, denomination = Denomination,
      totalSupply = TotalSupply, owner = owner, allowedMinters = authorizedList() }) }))
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
