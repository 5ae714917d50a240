--[[ lock_manager.lua — the Lock Manager of the V1 design: locks and unlocks a user's USDA on
the lockable mock USDA (usda_lockable.lua) for the V1 orchestrator (orchestrator.lua). See
docs/orchestration.md for the message sequences and the V1 state machine.

Chain of trust (the seed's "each process needs explicit coordinator authorization"): the
orchestrator authenticates the user by msg.From; this process accepts Lock/Unlock only from
processes its owner authorized; the USDA accepts Lock/Unlock only from lockers its owner
authorized (this process). When configured with SetMockUsdaProcess it asks the USDA
CheckAuthorization and reports the answer as Usda-Status, and it passes that on in its own
Authorization-Status, so the orchestrator sees a broken link before any money moves.

Operations are idempotent by id: the orchestrator's Lock-Id / Unlock-Id. A request repeated
with the same id and content is answered again if done, or sent to the USDA again if still
under way (the USDA is idempotent on the id too) — that is how a lost message is retried. The
USDA sees the id "<lock|unlock>:<requester>:<id>".

REPLIES go to msg.From (never Reply-To) with X-Reference = the request's X-Reference or
Reference; errors are `<Action>-Error` with Error, Message-Id and the request's Lock-Id or
Unlock-Id; read replies carry no Action; unknown or missing Actions get no reply.

ACTIONS
  SetMockUsdaProcess owner only; Process-Id (tag `Process-Id`, or `ProcessId` which arrives as
                  `Processid`, or JSON Data {"processId": ...}, or the bare id as Data)
                  → Configure-Response (Mock-Usda-Process, Usda-Status = "pending"), then
                    CheckAuthorization to the USDA. Refused while a lock or unlock is under way.
  VerifyConfig    owner only → CheckAuthorization to the USDA again; Configure-Response.
  Lock            authorized requesters only: User, Quantity, Lock-Id
                  → USDA Lock (Account = User, Quantity, Lock-Id = "lock:<requester>:<Lock-Id>");
                    on its Lock-Notice: Lock-Notice (User, Quantity, Lock-Id) to the requester;
                    on its Lock-Error: Lock-Error (Error, Lock-Id).
  Unlock          authorized requesters only: User, Quantity, Unlock-Id → the same with USDA
                  Unlock, Unlock-Notice / Unlock-Error (Unlock-Id).
                  ✗ Lock-Error / Unlock-Error at once: not authorized, USDA not configured or
                    not verified, bad User/Quantity/id, id used for a different operation.
  Lock-Notice, Lock-Error, Unlock-Notice, Unlock-Error
                  from the USDA only (msg.From), for an operation under way: settle it as
                  above. Anything else is ignored.
  Authorization-Status from the USDA only → Usda-Status = "verified" when it names this
                  process as an authorized Locker, else "refused: <why>".
  Authorize, Revoke  owner only; Process-Id → Authorize-Notice / Revoke-Notice (Role = "Locker").
  CheckAuthorization [Process-Id] (default msg.From) → Authorization-Status (Process-Id,
                  Role = "Locker", Authorized, Mock-Usda-Process, Usda-Status).
  GetConfig       → Mock-Usda-Process, Usda-Status, Owner; Data = JSON with the requesters
                  and the operations under way.

STATE: Config (Mock-Usda-Process), UsdaStatus, Authorized (requester → true), Operations (USDA id
→ {Kind, Requester, Id, User, Quantity, Status = Pending | Done | Failed, Error}), Processed.
]]

local json = require("json")

-- The helpers shared by the orchestration processes (lib/orchestration.lua).
local shared = require("lib.orchestration")
local TAG, ACTION = shared.TAG, shared.ACTION
local quote, isAddress, parseQuantity = shared.quote, shared.isAddress, shared.parseQuantity
local sub, checkKey, echo = shared.sub, shared.checkKey, shared.echo
local firstDelivery, send, reply = shared.firstDelivery, shared.send, shared.reply
local replyError, isAction, isOwner = shared.replyError, shared.isAction, shared.isOwner
local nonEmpty, readProcessId = shared.nonEmpty, shared.readProcessId
local addAuthorizationHandlers = shared.addAuthorizationHandlers
local authorizedList = shared.authorizedList

ACTION.SetMockUsdaProcess, ACTION.VerifyConfig = "SetMockUsdaProcess", "VerifyConfig"
ACTION.ConfigureResponse = "Configure-Response"
ACTION.Lock, ACTION.LockNotice, ACTION.LockError = "Lock", "Lock-Notice", "Lock-Error"
ACTION.Unlock, ACTION.UnlockNotice, ACTION.UnlockError = "Unlock", "Unlock-Notice", "Unlock-Error"
TAG.MockUsdaProcess, TAG.UsdaStatus = "Mock-Usda-Process", "Usda-Status"
TAG.User, TAG.Account, TAG.Quantity = "User", "Account", "Quantity"
TAG.LockId, TAG.UnlockId = "Lock-Id", "Unlock-Id"

local ROLE, USDA_ROLE = "Locker", "Locker"
-- Per kind: the request, its notice and error, the id tag.
local KINDS = {
  [ACTION.Lock] = { prefix = "lock", notice = ACTION.LockNotice, error = ACTION.LockError, id = TAG.LockId },
  [ACTION.Unlock] = { prefix = "unlock", notice = ACTION.UnlockNotice, error = ACTION.UnlockError, id = TAG.UnlockId },
}

-- State ---------------------------------------------------------------------------------------

Config = Config or { [TAG.MockUsdaProcess] = "" }
UsdaStatus = UsdaStatus or "unconfigured"
Authorized = Authorized or {}
Operations = Operations or {}
Processed = Processed or {}

-- Helpers -------------------------------------------------------------------------------------

local function usda() return Config[TAG.MockUsdaProcess] end

local function underWay()
  for _, op in pairs(Operations) do if op.Status == "Pending" then return true end end
  return false
end

local function configTags()
  return nonEmpty({ [TAG.MockUsdaProcess] = usda(), [TAG.UsdaStatus] = UsdaStatus })
end

local function checkUsda()
  if usda() == "" then UsdaStatus = "unconfigured"; return end
  UsdaStatus = "pending"
  send({ Target = usda(), [TAG.Action] = ACTION.CheckAuthorization, [TAG.ProcessId] = ao.id })
end

local function configureResponse(msg)
  local out = configTags()
  out[TAG.Action] = ACTION.ConfigureResponse
  out.Data = "Mock-Usda-Process = " .. (usda() ~= "" and usda() or "(none)") .. "; Usda-Status = " .. UsdaStatus
  reply(msg, out)
end

--- Send the operation's request to the USDA (again, when retried).
local function forward(key, op)
  local kind = KINDS[op.Kind]
  send({ Target = usda(), [TAG.Action] = op.Kind, [TAG.Account] = op.User, [TAG.Quantity] = op.Quantity,
    [kind.id] = key })
end

local function answer(op, action, extra)
  local kind = KINDS[op.Kind]
  local out = extra or {}
  out.Target, out[TAG.Action] = op.Requester, action
  out[kind.id], out[TAG.User], out[TAG.Quantity] = op.Id, op.User, op.Quantity
  send(out)
end

-- Handlers (in the header's order) ------------------------------------------------------------

Handlers.add(ACTION.SetMockUsdaProcess, isAction(ACTION.SetMockUsdaProcess), function(msg)
  if not firstDelivery(msg, ACTION.SetMockUsdaProcess) then return end
  if not isOwner(msg) then
    return replyError(msg, ACTION.SetMockUsdaProcess, "Only the process owner may use " .. ACTION.SetMockUsdaProcess)
  end
  local id, problem = readProcessId(msg)
  if not id then return replyError(msg, ACTION.SetMockUsdaProcess, problem) end
  if id == ao.id then return replyError(msg, ACTION.SetMockUsdaProcess, "The USDA cannot be this process") end
  if id ~= usda() and underWay() then
    return replyError(msg, ACTION.SetMockUsdaProcess, "A lock or unlock is under way; change the USDA later")
  end
  Config[TAG.MockUsdaProcess] = id
  UsdaStatus = "pending"
  configureResponse(msg)
  checkUsda()
end)

Handlers.add(ACTION.VerifyConfig, isAction(ACTION.VerifyConfig), function(msg)
  if not firstDelivery(msg, ACTION.VerifyConfig) then return end
  if not isOwner(msg) then
    return replyError(msg, ACTION.VerifyConfig, "Only the process owner may use " .. ACTION.VerifyConfig)
  end
  if usda() ~= "" then UsdaStatus = "pending" end
  configureResponse(msg)
  checkUsda()
end)

for _, action in ipairs({ ACTION.Lock, ACTION.Unlock }) do
  local kind = KINDS[action]
  Handlers.add(action, isAction(action), function(msg)
    local raw = msg.Tags[kind.id]
    local echoed = echo(kind.id, raw)
    if not Authorized[msg.From] then
      return replyError(msg, action, msg.From .. " is not authorized to use this Lock Manager; its owner "
        .. "must send Authorize with Process-Id = " .. msg.From, echoed)
    end
    if UsdaStatus ~= "verified" then
      return replyError(msg, action, "The Lock Manager is not ready: Usda-Status is " .. UsdaStatus, echoed)
    end
    local id, bad = checkKey(raw, kind.id)
    if not id then return replyError(msg, action, bad, echoed) end
    local user = msg.Tags[TAG.User]
    if not isAddress(user) then return replyError(msg, action, "User must be an address, got " .. quote(user), echoed) end
    local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
    if not q then return replyError(msg, action, problem, echoed) end
    local key = kind.prefix .. ":" .. msg.From .. ":" .. id
    local op = Operations[key]
    if op and (op.User ~= user or op.Quantity ~= tostring(q)) then
      return replyError(msg, action, kind.id .. " " .. id .. " was used before for a different operation", echoed)
    end
    if op and op.Status == "Done" then
      return answer(op, kind.notice, { [TAG.Duplicate] = "true", Data = "Already done; nothing changed" })
    end
    if not op then
      op = { Kind = action, Requester = msg.From, Id = id, User = user, Quantity = tostring(q) }
      Operations[key] = op
    end
    op.Status, op.Error = "Pending", nil
    forward(key, op)
  end)
end

--- USDA's answers: settle the operation under way and tell the requester.
for _, action in ipairs({ ACTION.Lock, ACTION.Unlock }) do
  local kind = KINDS[action]
  for _, outcome in ipairs({ kind.notice, kind.error }) do
    Handlers.add(outcome, isAction(outcome), function(msg)
      if usda() == "" or msg.From ~= usda() then return print(outcome .. " not from the USDA; ignored") end
      local key = msg.Tags[kind.id]
      local op = type(key) == "string" and Operations[key] or nil
      if not op or op.Kind ~= action or op.Status ~= "Pending" then
        return print(outcome .. " for " .. quote(key) .. " matches no operation under way; ignored")
      end
      if outcome == kind.notice then
        if msg.Tags[TAG.Account] ~= op.User or msg.Tags[TAG.Quantity] ~= op.Quantity then
          return print(outcome .. " for " .. key .. " does not match the operation; ignored")
        end
        op.Status = "Done"
        answer(op, kind.notice, { Data = action .. " of " .. op.Quantity .. " done" })
      else
        local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
        op.Status, op.Error = "Failed", why
        answer(op, kind.error, { [TAG.Error] = "USDA refused the " .. string.lower(action) .. ": " .. why,
          Data = "USDA refused the " .. string.lower(action) .. ": " .. why })
      end
    end)
  end
end

Handlers.add(ACTION.AuthorizationStatus, isAction(ACTION.AuthorizationStatus), function(msg)
  if usda() == "" or msg.From ~= usda() then return print("Authorization-Status not from the USDA; ignored") end
  if msg.Tags[TAG.ProcessId] ~= ao.id then return print("Authorization-Status about another process; ignored") end
  if msg.Tags[TAG.Authorized] == "true" and msg.Tags[TAG.Role] == USDA_ROLE then
    UsdaStatus = "verified"
  else
    UsdaStatus = "refused: the USDA " .. usda() .. " has not authorized this Lock Manager as a "
      .. USDA_ROLE .. " (its owner must send Authorize with Process-Id = " .. ao.id .. ")"
  end
end)

addAuthorizationHandlers(ROLE, function()
  return nonEmpty({ [TAG.MockUsdaProcess] = usda(), [TAG.UsdaStatus] = UsdaStatus })
end)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), function(msg)
  local owner = type(Owner) == "string" and Owner or ""
  local pending = {}
  for key, op in pairs(Operations) do
    if op.Status == "Pending" then pending[#pending + 1] = key end
  end
  table.sort(pending)
  local out = configTags()
  out[TAG.Owner] = owner ~= "" and owner or nil
  out.Data = json.encode({ mockUsdaProcess = usda(), usdaStatus = UsdaStatus, owner = owner,
    requesters = authorizedList(), underWay = pending })
  reply(msg, out)
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
