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

How it is built: lib/token.lua (the module usda_mock.lua installs) with the default
options; install() returns the token's helpers, which the lock handlers below use.
`tim3 build` and tim3.processes.source put the module in front of this file.
]]

local token = require("lib.token").install()
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
