--[[ usda_lockable.lua — the mock USDA of the V1 flow: the standard mock USDA plus a lock.

The V1 orchestrator (orchestrator.lua) locks a user's USDA through the Lock Manager
(lock_manager.lua) while TIM3 exists for it and unlocks it when the TIM3 is burned. The
production USDA has no lock — the reason V1 was abandoned (seed 004, "The Problem with V1");
this token exists so the V1 design can run and be tested on the devnet.

Actions, tags, replies and quantity rules of the token part: exactly those of usda_mock.lua
(see its header). Locked USDA leaves the account's Balances entry (so Transfer and Burn cannot
spend it) and is held per locker and account until that locker unlocks it:
Total-Supply == Σ Balances + Σ Locks.

Added ACTIONS (replies go to msg.From, never to Reply-To, with X-Reference = the request's
X-Reference or Reference; errors are `<Action>-Error` with Error, Message-Id and the request's
Lock-Id/Unlock-Id)
  Lock            lockers only: Account, Quantity, Lock-Id (at most 200 characters)
                  → Lock-Notice (Account, Quantity, Lock-Id, [Duplicate]). The same Lock-Id
                    again from the same locker changes nothing and is answered again.
                  ✗ Lock-Error: not a locker, bad Account/Quantity/Lock-Id, insufficient
                    balance, Lock-Id used for a different lock.
  Unlock          lockers only: Account, Quantity, Unlock-Id → moves Quantity from what this
                  locker locked for Account back to Account's balance → Unlock-Notice
                  (Account, Quantity, Unlock-Id, [Duplicate]).
                  ✗ Unlock-Error: not a locker, more than this locker holds for Account, ...
  Locked          [Account] (default msg.From) → Account, Locked; Data = the amount.
  Locks           → Data = JSON object account → locked amount (all lockers).
  Authorize       owner only: Process-Id (tag, `ProcessId` → `Processid`, JSON Data or bare id
  Revoke          as Data) → Authorize-Notice / Revoke-Notice (Process-Id, Role = "Locker",
                  Authorized).
  CheckAuthorization [Process-Id] (default msg.From) → Authorization-Status (Process-Id,
                  Role = "Locker", Authorized).

STATE: usda_mock's (Balances, TotalSupply, Ticker, Denomination, Logo), plus Lockers (process →
true), Locks (locker → account → amount), LockOps ("<locker> <Lock-Id|Unlock-Id>" → {Kind,
Account, Quantity}).

How it is built: this file is usda_mock.lua run as a function. The block between the BEGIN/END
markers is a verbatim copy of usda_mock.lua (processes are spawned from one file; there is no
bundler yet). Never edit the copy: edit usda_mock.lua and paste it here again;
tests/orchestration/test_usda_lockable.py fails while the two differ.
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
local bint = require(".bint")(256)
local json = require("json")

local ACTION = {
  Lock = "Lock", LockNotice = "Lock-Notice", Unlock = "Unlock", UnlockNotice = "Unlock-Notice",
  Locked = "Locked", Locks = "Locks", Authorize = "Authorize", Revoke = "Revoke",
  CheckAuthorization = "CheckAuthorization", AuthorizationStatus = "Authorization-Status",
}
local TAG = {
  Action = "Action", Error = "Error", MessageId = "Message-Id", Account = "Account",
  Quantity = "Quantity", LockId = "Lock-Id", UnlockId = "Unlock-Id", Locked = "Locked",
  ProcessId = "Process-Id", Role = "Role", Authorized = "Authorized", Duplicate = "Duplicate",
  XReference = "X-Reference", Reference = "Reference",
}
local ROLE = "Locker"
local MAX_LOCK_ID = 200

-- State ---------------------------------------------------------------------------------------

Lockers = Lockers or {}
Locks = Locks or {}
LockOps = LockOps or {}

-- Helpers -------------------------------------------------------------------------------------

local quote, parseQuantity, isAddress = token.quote, token.parseQuantity, token.isAddress

--- Send to msg.From (never to a Reply-To), echoing the request's reference.
local function answer(msg, fields)
  fields.Target = msg.From
  fields[TAG.XReference] = msg.Tags[TAG.XReference] or msg.Tags[TAG.Reference]
  return token.send(fields)
end

local function answerError(msg, action, text, extra)
  local fields = extra or {}
  fields[TAG.Action], fields[TAG.Error], fields.Data = action .. "-Error", text, text
  fields[TAG.MessageId] = type(msg.Id) == "string" and msg.Id or nil
  return answer(msg, fields)
end

local function isAction(name) return Handlers.utils.hasMatchingTag(TAG.Action, name) end

local function lockedBy(locker, account)
  return bint((Locks[locker] or {})[account] or "0")
end

local function setLocked(locker, account, value)
  Locks[locker] = Locks[locker] or {}
  Locks[locker][account] = not bint.iszero(value) and tostring(value) or nil
  if next(Locks[locker]) == nil then Locks[locker] = nil end
end

local function totalLocked(account)
  local total = bint.zero()
  for _, accounts in pairs(Locks) do total = total + bint(accounts[account] or "0") end
  return total
end

local function setBalance(address, value)
  Balances[address] = not bint.iszero(value) and tostring(value) or nil
end

--- The checked request of a Lock or Unlock: account, quantity (bint), id; or nil and a problem.
local function readRequest(msg, idTag)
  if not Lockers[msg.From] then
    return nil, msg.From .. " is not a locker of " .. Ticker .. "; its owner must send Authorize with Process-Id = " .. msg.From
  end
  local account = msg.Tags[TAG.Account]
  if not isAddress(account) then return nil, "Account must be a 43-character address, got " .. quote(account) end
  local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not q then return nil, problem end
  local id = msg.Tags[idTag]
  if type(id) ~= "string" or id == "" or #id > MAX_LOCK_ID or not string.find(id, "^[%w%-_.:/ ]+$") then
    return nil, idTag .. " must be 1 to " .. MAX_LOCK_ID .. " characters of A-Z a-z 0-9 - _ . : / and space, got " .. quote(id)
  end
  return { account = account, q = q, id = id, key = msg.From .. " " .. id }
end

--- Lock or Unlock: the same checks, duplicates and replies; `apply(req)` moves the amounts or
-- returns a problem.
local function lockAction(action, notice, idTag, apply)
  Handlers.add(action, isAction(action), function(msg)
    local echo = { [idTag] = type(msg.Tags[idTag]) == "string" and msg.Tags[idTag] or nil }
    local req, problem = readRequest(msg, idTag)
    if not req then return answerError(msg, action, problem, echo) end
    local q = tostring(req.q)
    local out = { [TAG.Action] = notice, [TAG.Account] = req.account, [TAG.Quantity] = q, [idTag] = req.id }
    local op = LockOps[req.key]
    if op then
      if op.Kind ~= action or op.Account ~= req.account or op.Quantity ~= q then
        return answerError(msg, action, idTag .. " was used before for a different operation", echo)
      end
      out[TAG.Duplicate], out.Data = "true", "Already done for this " .. idTag .. "; nothing changed"
      return answer(msg, out)
    end
    local failed = apply(msg.From, req)
    if failed then return answerError(msg, action, failed, echo) end
    LockOps[req.key] = { Kind = action, Account = req.account, Quantity = q }
    out.Data = action .. "ed " .. q .. " base units of " .. Ticker .. " of " .. req.account
    answer(msg, out)
  end)
end

-- Handlers (in the header's order) ------------------------------------------------------------

lockAction(ACTION.Lock, ACTION.LockNotice, TAG.LockId, function(locker, req)
  local has = bint(Balances[req.account] or "0")
  if has < req.q then
    return "Insufficient balance: " .. req.account .. " has " .. tostring(has) .. " free base units, needs " .. tostring(req.q)
  end
  setBalance(req.account, has - req.q)
  setLocked(locker, req.account, lockedBy(locker, req.account) + req.q)
end)

lockAction(ACTION.Unlock, ACTION.UnlockNotice, TAG.UnlockId, function(locker, req)
  local held = lockedBy(locker, req.account)
  if held < req.q then
    return "Cannot unlock " .. tostring(req.q) .. ": " .. locker .. " holds " .. tostring(held)
      .. " locked base units of " .. req.account
  end
  setLocked(locker, req.account, held - req.q)
  setBalance(req.account, bint(Balances[req.account] or "0") + req.q)
end)

Handlers.add(ACTION.Locked, isAction(ACTION.Locked), function(msg)
  local account = msg.Tags[TAG.Account] or msg.From
  local total = tostring(totalLocked(account))
  answer(msg, { [TAG.Account] = account, [TAG.Locked] = total, Data = total })
end)

Handlers.add(ACTION.Locks, isAction(ACTION.Locks), function(msg)
  local all = {}
  for _, accounts in pairs(Locks) do
    for account in pairs(accounts) do all[account] = tostring(totalLocked(account)) end
  end
  answer(msg, { Data = next(all) == nil and "{}" or json.encode(all) })
end)

local function status(id)
  return { [TAG.ProcessId] = id, [TAG.Role] = ROLE, [TAG.Authorized] = Lockers[id] and "true" or "false" }
end

for _, action in ipairs({ ACTION.Authorize, ACTION.Revoke }) do
  Handlers.add(action, isAction(action), function(msg)
    if msg.From ~= Owner then return answerError(msg, action, "Only the process owner may use " .. action) end
    local id = msg.Tags[TAG.ProcessId] or msg.Tags.Processid
    if id == nil and type(msg.Data) == "string" and #msg.Data == 43 then id = msg.Data end
    if id == nil and type(msg.Data) == "string" and msg.Data ~= "" then
      local ok, decoded = pcall(json.decode, msg.Data)
      if ok and type(decoded) == "table" then id = decoded.processId or decoded.ProcessId or decoded["Process-Id"] end
    end
    if not isAddress(id) then
      return answerError(msg, action, "Process-Id must be a 43-character process id, got " .. quote(id))
    end
    Lockers[id] = action == ACTION.Authorize or nil
    local out = status(id)
    out[TAG.Action] = action .. "-Notice"
    answer(msg, out)
  end)
end

Handlers.add(ACTION.CheckAuthorization, isAction(ACTION.CheckAuthorization), function(msg)
  local id = msg.Tags[TAG.ProcessId] or msg.Tags.Processid or msg.From
  local out = status(id)
  out[TAG.Action] = ACTION.AuthorizationStatus
  answer(msg, out)
end)
