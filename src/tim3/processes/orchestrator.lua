--[[ orchestrator.lua — the V1 orchestrator (seed 000, first half): mints TIM3 against USDA that
stays in the user's account but is locked, by sequencing four processes — the lockable mock USDA
(usda_lockable.lua), the Lock Manager (lock_manager.lua), the Token Manager (token_manager.lua)
and the State Manager (state_manager.lua). The production USDA has no lock, which is why V1 was
abandoned for Coordinator v2 (coordinator.lua); this is the design made reliable and testable.
State machine, message sequences and tag spellings: docs/orchestration.md.

  mint = lock → mint → record        burn = burn → unlock → record
Every money step that fails is compensated, so a flow never ends with locked USDA without TIM3
or TIM3 without locked USDA: a refused mint unlocks the USDA again; a refused unlock mints the
burned TIM3 back. Recording the position is not a money step: when the State Manager refuses,
the flow ends Unrecorded, the owner gets a Flow-Warning and RetryFlow records it later. A lost
message leaves a flow in its current state; RetryFlow sends that state's request again, which
is safe because every sub-process is idempotent by the operation id (Lock-Id, Unlock-Id,
Purpose, Update-Id). Time comes from msg.Timestamp only (no os.time; the seed's lesson).

CONFIGURATION (owner only), the seed's handlers. The process id goes in a `ProcessId` tag (which
aos delivers as `Processid`; `Process-Id` is the canonical spelling), or in Data as JSON
{"processId": "..."} (any spelling of the key) or as the bare id. Each answers
Configure-Response with the whole configuration, or <Action>-Error.
  SetMockUsdaProcess      → Mock-Usda-Process      the lockable USDA the Lock Manager must use
  SetStateManagerProcess  → State-Manager-Process  must have authorized this process as Writer
  SetLockManagerProcess   → Lock-Manager-Process   must have authorized this process as Locker,
                                                   use the same USDA and be a verified locker there
  SetTokenManagerProcess  → Token-Manager-Process  must have authorized this process as Minter
After each of them (and VerifyConfig) the orchestrator sends CheckAuthorization to every
configured sub-process; the Authorization-Status answers make its status "verified" or
"refused: <why>" (Configure-Warning to the owner); no answer leaves "pending" (wrong id?).
READY = all four set and the three sub-processes verified. A process id cannot serve two roles
and cannot change while a flow is under way or USDA is locked through this process.

REPLIES to requests go to msg.From (never Reply-To), with X-Reference = the request's X-Reference
or Reference; errors are `<Action>-Error` with Error (plain words) and Message-Id; read replies
carry no Action; unknown or missing Actions get no reply and are not kept.

ACTIONS — users
  MintTIM3        Quantity → flow id = this message's id; Lock (User, Quantity, Lock-Id = id) to
                  the Lock Manager. Ends with MintTIM3-Complete (Flow-Id, Quantity, Position) or
                  MintTIM3-Error (Flow-Id, Quantity, Error) to the user.
                  ✗ MintTIM3-Error at once: not ready, bad Quantity.
  BurnTIM3        Quantity (≤ the USDA locked for the user through this orchestrator and not
                  being burned) → Burn (Account = user, Quantity, Purpose = "TIM3-burn-<id>") to
                  the Token Manager. Ends with BurnTIM3-Complete or BurnTIM3-Error.
  RetryFlow       Flow-Id; the owner or the flow's user → the pending request again →
                  RetryFlow-Notice (Flow-Id, Step); ✗ RetryFlow-Error when nothing is pending.
  GetFlow         Flow-Id → Flow-Id, Kind (Mint | Burn), User, Quantity, State, [Error]; Data.
  GetCollateral   [User] (default msg.From) → User, Collateral (USDA base units locked through
                  this orchestrator for the user's TIM3 and not reserved by a burn); Data.
  GetConfig       → the Configure-Response tags and Data, without Action.
ACTIONS — answers of the sub-processes (each from its configured process id only, matched by
the operation id; anything else is ignored)
  Lock-Notice / Lock-Error (Lock-Id), Unlock-Notice / Unlock-Error (Unlock-Id) from the Lock
  Manager; Mint-Notice / Mint-Error, Burn-Notice / Burn-Error (Purpose) from the Token Manager;
  Position-Updated / UpdatePosition-Error (Update-Id) from the State Manager;
  Authorization-Status from any of the three.

STATE MACHINE (flow id F; request sent on entering a state)
  mint  Locking     Lock  Lock-Id = F                       → Minting | Failed (Lock-Error)
        Minting     Mint  Purpose = TIM3-mint-F             → Recording | Reverting (Mint-Error)
        Recording   UpdatePosition Update-Id = mint-F       → Complete | Unrecorded
        Reverting   Unlock Unlock-Id = revert-F             → Reverted | Revert-Failed
  burn  Burning     Burn  Purpose = TIM3-burn-F             → Unlocking | Failed (Burn-Error)
        Unlocking   Unlock Unlock-Id = burn-F               → Recording | Restoring (Unlock-Error)
        Recording   UpdatePosition Update-Id = burn-F       → Complete | Unrecorded
        Restoring   Mint  Purpose = TIM3-restore-F          → Reverted | Restore-Failed
  RetryFlow: Unrecorded → Recording, Revert-Failed → Reverting, Restore-Failed → Restoring, and
  any state with a request pending sends it again. Terminal: Complete, Failed, Reverted.
  Revert-Failed and Restore-Failed are the only states where locked USDA and TIM3 differ; the
  owner is warned and RetryFlow finishes the compensation.

STATE: Config (the four process ids), Components (Lock-Manager / Token-Manager / State-Manager →
status), Flows (id → {Kind, User, Quantity, State, Error, Created, Notified}), Collateral (user →
USDA locked through this process for TIM3 minted, not reserved by a burn), Processed.
]]

local json = require("json")

-- The helpers shared by the orchestration processes (lib/orchestration.lua).
local shared = require("lib.orchestration")
local TAG, ACTION = shared.TAG, shared.ACTION
local quote, isAddress, parseQuantity = shared.quote, shared.isAddress, shared.parseQuantity
local amount, add, sub, firstDelivery = shared.amount, shared.add, shared.sub, shared.firstDelivery
local timeOf, send, reply, replyError = shared.timeOf, shared.send, shared.reply, shared.replyError
local isAction, isOwner, nonEmpty = shared.isAction, shared.isOwner, shared.nonEmpty
local readProcessId = shared.readProcessId

ACTION.VerifyConfig, ACTION.ConfigureResponse, ACTION.ConfigureWarning = "VerifyConfig", "Configure-Response", "Configure-Warning"
ACTION.MintTIM3, ACTION.BurnTIM3, ACTION.RetryFlow, ACTION.GetFlow = "MintTIM3", "BurnTIM3", "RetryFlow", "GetFlow"
ACTION.FlowWarning, ACTION.GetCollateral = "Flow-Warning", "GetCollateral"
ACTION.Lock, ACTION.LockNotice, ACTION.LockError = "Lock", "Lock-Notice", "Lock-Error"
ACTION.Unlock, ACTION.UnlockNotice, ACTION.UnlockError = "Unlock", "Unlock-Notice", "Unlock-Error"
ACTION.Mint, ACTION.MintNotice, ACTION.MintError = "Mint", "Mint-Notice", "Mint-Error"
ACTION.Burn, ACTION.BurnNotice, ACTION.BurnError = "Burn", "Burn-Notice", "Burn-Error"
ACTION.UpdatePosition, ACTION.PositionUpdated = "UpdatePosition", "Position-Updated"
ACTION.UpdatePositionError = "UpdatePosition-Error"
TAG.User, TAG.Quantity, TAG.Account, TAG.Recipient, TAG.Amount = "User", "Quantity", "Account", "Recipient", "Amount"
TAG.Purpose, TAG.LockId, TAG.UnlockId, TAG.UpdateId = "Purpose", "Lock-Id", "Unlock-Id", "Update-Id"
TAG.Deposited, TAG.Minted, TAG.Redeemed = "Deposited", "Minted", "Redeemed"
TAG.FlowId, TAG.Kind, TAG.State, TAG.Step, TAG.Position = "Flow-Id", "Kind", "State", "Step", "Position"
TAG.Ready, TAG.Component, TAG.UsdaStatus, TAG.Collateral = "Ready", "Component", "Usda-Status", "Collateral"

local SETTING = {
  Usda = "Mock-Usda-Process", StateManager = "State-Manager-Process",
  LockManager = "Lock-Manager-Process", TokenManager = "Token-Manager-Process",
}
local SETTING_ORDER = { SETTING.Usda, SETTING.StateManager, SETTING.LockManager, SETTING.TokenManager }
local SETTERS = {
  { action = "SetMockUsdaProcess", setting = SETTING.Usda },
  { action = "SetStateManagerProcess", setting = SETTING.StateManager },
  { action = "SetLockManagerProcess", setting = SETTING.LockManager },
  { action = "SetTokenManagerProcess", setting = SETTING.TokenManager },
}
local SEED_KEY = {
  [SETTING.Usda] = "mockUsdaProcess", [SETTING.StateManager] = "stateManagerProcess",
  [SETTING.LockManager] = "lockManagerProcess", [SETTING.TokenManager] = "tokenManagerProcess",
}
local COMPONENT = {
  { name = "Lock-Manager", setting = SETTING.LockManager, role = "Locker" },
  { name = "Token-Manager", setting = SETTING.TokenManager, role = "Minter" },
  { name = "State-Manager", setting = SETTING.StateManager, role = "Writer" },
}
local TERMINAL = { Complete = true, Failed = true, Reverted = true }

-- State ---------------------------------------------------------------------------------------

Config = Config or { [SETTING.Usda] = "", [SETTING.StateManager] = "", [SETTING.LockManager] = "",
  [SETTING.TokenManager] = "" }
Components = Components or { ["Lock-Manager"] = "unconfigured", ["Token-Manager"] = "unconfigured",
  ["State-Manager"] = "unconfigured" }
Flows = Flows or {}
Collateral = Collateral or {}
Processed = Processed or {}

-- Helpers -------------------------------------------------------------------------------------

local function pid(setting) return Config[setting] end

--- nil when flows may start, else the reason in words.
local function notReady()
  for _, setter in ipairs(SETTERS) do
    if pid(setter.setting) == "" then
      return "no " .. setter.setting .. " is configured (send " .. setter.action .. ")"
    end
  end
  for _, c in ipairs(COMPONENT) do
    local status = Components[c.name]
    if status == "pending" then
      return "the " .. c.name .. " " .. pid(c.setting) .. " has not answered CheckAuthorization (is the process id right?)"
    elseif status ~= "verified" then
      return "the " .. c.name .. " " .. pid(c.setting) .. " is not usable: " .. status
    end
  end
  return nil
end

local function busy()
  for _, f in pairs(Flows) do if not TERMINAL[f.State] then return true end end
  return next(Collateral) ~= nil
end

local function overview()
  local tags, data = {}, {}
  for _, name in ipairs(SETTING_ORDER) do tags[name], data[SEED_KEY[name]] = pid(name), pid(name) end
  for _, c in ipairs(COMPONENT) do
    tags[c.name .. "-Status"] = Components[c.name]
    data[c.name == "Lock-Manager" and "lockManagerStatus" or c.name == "Token-Manager"
      and "tokenManagerStatus" or "stateManagerStatus"] = Components[c.name]
  end
  local why = notReady()
  tags[TAG.Ready], tags["Not-Ready-Reason"] = why and "false" or "true", why
  data.ready, data.notReadyReason = why == nil, why
  local attention, open = {}, 0
  for id, f in pairs(Flows) do
    if f.State == "Unrecorded" or f.State == "Revert-Failed" or f.State == "Restore-Failed" then
      attention[#attention + 1] = id
    end
    if not TERMINAL[f.State] then open = open + 1 end
  end
  table.sort(attention)
  tags["Needs-Attention"], tags["Open-Flows"] = tostring(#attention), tostring(open)
  data.needsAttention, data.openFlows = attention, tostring(open)
  tags[TAG.Owner] = type(Owner) == "string" and Owner or ""
  data.owner = tags[TAG.Owner]
  local out = nonEmpty(tags)
  out.Data = json.encode(data)
  return out
end

local function warnOwner(action, fields)
  if type(Owner) ~= "string" or Owner == "" then return end
  fields.Target, fields[TAG.Action] = Owner, action
  send(fields)
end

local function checkComponents()
  for _, c in ipairs(COMPONENT) do
    if pid(c.setting) == "" then
      Components[c.name] = "unconfigured"
    else
      Components[c.name] = "pending"
      send({ Target = pid(c.setting), [TAG.Action] = ACTION.CheckAuthorization, [TAG.ProcessId] = ao.id })
    end
  end
end

local function configureResponse(msg)
  local out = overview()
  out[TAG.Action] = ACTION.ConfigureResponse
  reply(msg, out)
end

local function collateralOf(user) return Collateral[user] or "0" end

local function setCollateral(user, value)
  Collateral[user] = value ~= "0" and value or nil
end

-- Steps: the request each state sends (again on RetryFlow).
local STEP = {
  Locking = function(id, f)
    return "Lock", { Target = pid(SETTING.LockManager), [TAG.Action] = ACTION.Lock, [TAG.User] = f.User,
      [TAG.Quantity] = f.Quantity, [TAG.LockId] = id }
  end,
  Minting = function(id, f)
    return "Mint", { Target = pid(SETTING.TokenManager), [TAG.Action] = ACTION.Mint, [TAG.Recipient] = f.User,
      [TAG.Amount] = f.Quantity, [TAG.Purpose] = "TIM3-mint-" .. id }
  end,
  Recording = function(id, f)
    local out = { Target = pid(SETTING.StateManager), [TAG.Action] = ACTION.UpdatePosition, [TAG.User] = f.User }
    if f.Kind == "Mint" then
      out[TAG.UpdateId], out[TAG.Deposited], out[TAG.Minted] = "mint-" .. id, f.Quantity, f.Quantity
    else
      out[TAG.UpdateId], out[TAG.Redeemed] = "burn-" .. id, f.Quantity
    end
    return "UpdatePosition", out
  end,
  Reverting = function(id, f)
    return "Unlock", { Target = pid(SETTING.LockManager), [TAG.Action] = ACTION.Unlock, [TAG.User] = f.User,
      [TAG.Quantity] = f.Quantity, [TAG.UnlockId] = "revert-" .. id }
  end,
  Burning = function(id, f)
    return "Burn", { Target = pid(SETTING.TokenManager), [TAG.Action] = ACTION.Burn, [TAG.Account] = f.User,
      [TAG.Quantity] = f.Quantity, [TAG.Purpose] = "TIM3-burn-" .. id }
  end,
  Unlocking = function(id, f)
    return "Unlock", { Target = pid(SETTING.LockManager), [TAG.Action] = ACTION.Unlock, [TAG.User] = f.User,
      [TAG.Quantity] = f.Quantity, [TAG.UnlockId] = "burn-" .. id }
  end,
  Restoring = function(id, f)
    return "Mint", { Target = pid(SETTING.TokenManager), [TAG.Action] = ACTION.Mint, [TAG.Recipient] = f.User,
      [TAG.Amount] = f.Quantity, [TAG.Purpose] = "TIM3-restore-" .. id }
  end,
}
-- Where RetryFlow resumes a flow that stopped on a failure.
local RESUME = { Unrecorded = "Recording", ["Revert-Failed"] = "Reverting", ["Restore-Failed"] = "Restoring" }

--- Move flow id to `state` and send that state's request.
local function enter(id, f, state)
  f.State = state
  local _, request = STEP[state](id, f)
  send(request)
end

--- Tell the user how the flow ended (once).
local function finish(id, f, action, text, extra)
  if f.Notified then return end
  f.Notified = true
  local out = extra or {}
  out.Target, out[TAG.Action], out[TAG.FlowId], out[TAG.Quantity], out.Data = f.User, action, id, f.Quantity, text
  send(out)
end

local function fail(id, f, state, why)
  f.State, f.Error = state, why
  finish(id, f, (f.Kind == "Mint" and ACTION.MintTIM3 or ACTION.BurnTIM3) .. "-Error", why, { [TAG.Error] = why })
end

--- The flow an answer is about: from the configured process, with `value` = prefix .. id,
-- in one of `states`. Returns id, flow or nil.
local function flowFor(msg, setting, value, prefix, states)
  if pid(setting) == "" or msg.From ~= pid(setting) or type(value) ~= "string" then return nil end
  if value:sub(1, #prefix) ~= prefix then return nil end
  local id = value:sub(#prefix + 1)
  local f = Flows[id]
  if not f or not states[f.State] then return nil end
  if msg.Tags[TAG.Quantity] ~= nil and msg.Tags[TAG.Quantity] ~= f.Quantity then return nil end
  return id, f
end

local function errorOf(msg)
  return type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
end

local function ignored(msg)
  print(tostring(msg.Tags[TAG.Action]) .. " from " .. tostring(msg.From) .. " matches no flow in that state; ignored")
end

-- Handlers (in the header's order) ------------------------------------------------------------

for _, setter in ipairs(SETTERS) do
  Handlers.add(setter.action, isAction(setter.action), function(msg)
    if not firstDelivery(msg, setter.action) then return end
    if not isOwner(msg) then return replyError(msg, setter.action, "Only the process owner may use " .. setter.action) end
    local id, problem = readProcessId(msg)
    if not id then return replyError(msg, setter.action, problem) end
    if id == ao.id then return replyError(msg, setter.action, "The orchestrator cannot be its own sub-process") end
    for _, name in ipairs(SETTING_ORDER) do
      if name ~= setter.setting and pid(name) == id then
        return replyError(msg, setter.action, id .. " is already the " .. name .. "; one process cannot serve two roles")
      end
    end
    if id ~= pid(setter.setting) and busy() then
      return replyError(msg, setter.action, setter.setting .. " cannot change while a flow is under way or USDA "
        .. "is locked through this orchestrator")
    end
    Config[setter.setting] = id
    for _, c in ipairs(COMPONENT) do
      Components[c.name] = pid(c.setting) ~= "" and "pending" or "unconfigured"
    end
    configureResponse(msg)
    checkComponents()
  end)
end

Handlers.add(ACTION.VerifyConfig, isAction(ACTION.VerifyConfig), function(msg)
  if not firstDelivery(msg, ACTION.VerifyConfig) then return end
  if not isOwner(msg) then return replyError(msg, ACTION.VerifyConfig, "Only the process owner may use " .. ACTION.VerifyConfig) end
  for _, c in ipairs(COMPONENT) do
    Components[c.name] = pid(c.setting) ~= "" and "pending" or "unconfigured"
  end
  configureResponse(msg)
  checkComponents()
end)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), function(msg)
  reply(msg, overview())
end)

Handlers.add(ACTION.MintTIM3, isAction(ACTION.MintTIM3), function(msg)
  if not firstDelivery(msg, ACTION.MintTIM3) then return end
  local why = notReady()
  if why then return replyError(msg, ACTION.MintTIM3, "Minting is not possible now: " .. why) end
  local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not q then return replyError(msg, ACTION.MintTIM3, problem) end
  local id = tostring(msg.Id)
  local f = { Kind = "Mint", User = msg.From, Quantity = tostring(q), Created = timeOf(msg) }
  Flows[id] = f
  enter(id, f, "Locking")
end)

Handlers.add(ACTION.BurnTIM3, isAction(ACTION.BurnTIM3), function(msg)
  if not firstDelivery(msg, ACTION.BurnTIM3) then return end
  local why = notReady()
  if why then return replyError(msg, ACTION.BurnTIM3, "Burning is not possible now: " .. why) end
  local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not q then return replyError(msg, ACTION.BurnTIM3, problem) end
  local text, has = tostring(q), amount(collateralOf(msg.From))
  if has < q then
    return replyError(msg, ACTION.BurnTIM3, "You have " .. tostring(has) .. " USDA base units locked through "
      .. "this orchestrator that no burn is using; asked " .. text)
  end
  local id = tostring(msg.Id)
  local f = { Kind = "Burn", User = msg.From, Quantity = text, Created = timeOf(msg) }
  setCollateral(msg.From, sub(collateralOf(msg.From), text))
  Flows[id] = f
  enter(id, f, "Burning")
end)

Handlers.add(ACTION.RetryFlow, isAction(ACTION.RetryFlow), function(msg)
  local id = msg.Tags[TAG.FlowId]
  local f = type(id) == "string" and Flows[id] or nil
  if not f then return replyError(msg, ACTION.RetryFlow, "No flow with Flow-Id " .. quote(id)) end
  if not isOwner(msg) and msg.From ~= f.User then
    return replyError(msg, ACTION.RetryFlow, "Only the owner or the flow's user may retry it")
  end
  local state = RESUME[f.State] or f.State
  if not STEP[state] or TERMINAL[f.State] then
    return replyError(msg, ACTION.RetryFlow, "Nothing to retry: the flow is " .. f.State)
  end
  local step = STEP[state](id, f)
  reply(msg, { [TAG.Action] = ACTION.RetryFlow .. "-Notice", [TAG.FlowId] = id, [TAG.Step] = step,
    [TAG.State] = state, Data = "Sent " .. step .. " again" })
  enter(id, f, state)
end)

Handlers.add(ACTION.GetFlow, isAction(ACTION.GetFlow), function(msg)
  local id = msg.Tags[TAG.FlowId]
  local f = type(id) == "string" and Flows[id] or nil
  if not f then return replyError(msg, ACTION.GetFlow, "No flow with Flow-Id " .. quote(id)) end
  local out = { [TAG.FlowId] = id, [TAG.Kind] = f.Kind, [TAG.User] = f.User, [TAG.Quantity] = f.Quantity,
    [TAG.State] = f.State, [TAG.Error] = f.Error }
  local data = {}
  for k, v in pairs(out) do data[k] = v end
  out.Data = json.encode(data)
  reply(msg, out)
end)

Handlers.add(ACTION.GetCollateral, isAction(ACTION.GetCollateral), function(msg)
  local user = msg.Tags[TAG.User] or msg.From
  if not isAddress(user) then return replyError(msg, ACTION.GetCollateral, "User must be an address, got " .. quote(user)) end
  reply(msg, { [TAG.User] = user, [TAG.Collateral] = collateralOf(user), Data = collateralOf(user) })
end)

-- Lock Manager answers.
Handlers.add(ACTION.LockNotice, isAction(ACTION.LockNotice), function(msg)
  local id, f = flowFor(msg, SETTING.LockManager, msg.Tags[TAG.LockId], "", { Locking = true })
  if not f or f.Kind ~= "Mint" or msg.Tags[TAG.User] ~= f.User then return ignored(msg) end
  enter(id, f, "Minting")
end)

Handlers.add(ACTION.LockError, isAction(ACTION.LockError), function(msg)
  local id, f = flowFor(msg, SETTING.LockManager, msg.Tags[TAG.LockId], "", { Locking = true })
  if not f or f.Kind ~= "Mint" then return ignored(msg) end
  fail(id, f, "Failed", "The Lock Manager could not lock your USDA: " .. errorOf(msg) .. "; nothing was minted")
end)

Handlers.add(ACTION.UnlockNotice, isAction(ACTION.UnlockNotice), function(msg)
  local value = msg.Tags[TAG.UnlockId]
  local id, f = flowFor(msg, SETTING.LockManager, value, "revert-", { Reverting = true, ["Revert-Failed"] = true })
  if f then return fail(id, f, "Reverted", f.Error .. "; your USDA was unlocked again") end
  id, f = flowFor(msg, SETTING.LockManager, value, "burn-", { Unlocking = true })
  if not f then return ignored(msg) end
  enter(id, f, "Recording")
end)

Handlers.add(ACTION.UnlockError, isAction(ACTION.UnlockError), function(msg)
  local value = msg.Tags[TAG.UnlockId]
  local id, f = flowFor(msg, SETTING.LockManager, value, "revert-", { Reverting = true })
  if f then
    f.State = "Revert-Failed"
    return warnOwner(ACTION.FlowWarning, { [TAG.FlowId] = id, [TAG.Error] = "Could not unlock " .. f.Quantity
      .. " USDA of " .. f.User .. " after a refused mint: " .. errorOf(msg) .. "; send RetryFlow once fixed" })
  end
  id, f = flowFor(msg, SETTING.LockManager, value, "burn-", { Unlocking = true })
  if not f then return ignored(msg) end
  f.Error = "The Lock Manager could not unlock your USDA: " .. errorOf(msg)
  enter(id, f, "Restoring")
end)

-- Token Manager answers.
Handlers.add(ACTION.MintNotice, isAction(ACTION.MintNotice), function(msg)
  if msg.Tags[TAG.Recipient] == nil then return ignored(msg) end
  local value = msg.Tags[TAG.Purpose]
  local id, f = flowFor(msg, SETTING.TokenManager, value, "TIM3-mint-", { Minting = true })
  if f and msg.Tags[TAG.Recipient] == f.User then
    setCollateral(f.User, add(collateralOf(f.User), f.Quantity))
    return enter(id, f, "Recording")
  end
  id, f = flowFor(msg, SETTING.TokenManager, value, "TIM3-restore-", { Restoring = true, ["Restore-Failed"] = true })
  if not f or msg.Tags[TAG.Recipient] ~= f.User then return ignored(msg) end
  setCollateral(f.User, add(collateralOf(f.User), f.Quantity))
  fail(id, f, "Reverted", f.Error .. "; your TIM3 was minted back")
end)

Handlers.add(ACTION.MintError, isAction(ACTION.MintError), function(msg)
  local value = msg.Tags[TAG.Purpose]
  local id, f = flowFor(msg, SETTING.TokenManager, value, "TIM3-mint-", { Minting = true })
  if f then
    f.Error = "The Token Manager refused to mint: " .. errorOf(msg)
    return enter(id, f, "Reverting")
  end
  id, f = flowFor(msg, SETTING.TokenManager, value, "TIM3-restore-", { Restoring = true })
  if not f then return ignored(msg) end
  f.State = "Restore-Failed"
  warnOwner(ACTION.FlowWarning, { [TAG.FlowId] = id, [TAG.Error] = "Could not mint back " .. f.Quantity
    .. " TIM3 to " .. f.User .. " after a refused unlock: " .. errorOf(msg) .. "; send RetryFlow once fixed" })
end)

Handlers.add(ACTION.BurnNotice, isAction(ACTION.BurnNotice), function(msg)
  local id, f = flowFor(msg, SETTING.TokenManager, msg.Tags[TAG.Purpose], "TIM3-burn-", { Burning = true })
  if not f or msg.Tags[TAG.Account] ~= f.User then return ignored(msg) end
  enter(id, f, "Unlocking")
end)

Handlers.add(ACTION.BurnError, isAction(ACTION.BurnError), function(msg)
  local id, f = flowFor(msg, SETTING.TokenManager, msg.Tags[TAG.Purpose], "TIM3-burn-", { Burning = true })
  if not f then return ignored(msg) end
  setCollateral(f.User, add(collateralOf(f.User), f.Quantity))
  fail(id, f, "Failed", "The Token Manager refused to burn: " .. errorOf(msg) .. "; your USDA stays locked")
end)

-- State Manager answers.
local function recorded(msg)
  local value = msg.Tags[TAG.UpdateId]
  for _, prefix in ipairs({ "mint-", "burn-" }) do
    local id, f = flowFor(msg, SETTING.StateManager, value, prefix, { Recording = true, Unrecorded = true })
    if f and f.Kind == (prefix == "mint-" and "Mint" or "Burn") then return id, f end
  end
  return nil
end

Handlers.add(ACTION.PositionUpdated, isAction(ACTION.PositionUpdated), function(msg)
  local id, f = recorded(msg)
  if not f then return ignored(msg) end
  f.State, f.Error = "Complete", nil
  finish(id, f, (f.Kind == "Mint" and ACTION.MintTIM3 or ACTION.BurnTIM3) .. "-Complete",
    f.Kind .. " of " .. f.Quantity .. " complete", { [TAG.Position] = "Recorded" })
end)

Handlers.add(ACTION.UpdatePositionError, isAction(ACTION.UpdatePositionError), function(msg)
  local id, f = recorded(msg)
  if not f or f.State ~= "Recording" then return ignored(msg) end
  f.State, f.Error = "Unrecorded", "The State Manager did not record the position: " .. errorOf(msg)
  warnOwner(ACTION.FlowWarning, { [TAG.FlowId] = id, [TAG.Error] = f.Error .. "; send RetryFlow once fixed" })
  finish(id, f, (f.Kind == "Mint" and ACTION.MintTIM3 or ACTION.BurnTIM3) .. "-Complete",
    f.Kind .. " of " .. f.Quantity .. " complete; the position is not recorded yet",
    { [TAG.Position] = "Failed: " .. errorOf(msg) })
end)

Handlers.add(ACTION.AuthorizationStatus, isAction(ACTION.AuthorizationStatus), function(msg)
  for _, c in ipairs(COMPONENT) do
    if pid(c.setting) ~= "" and msg.From == pid(c.setting) then
      if msg.Tags[TAG.ProcessId] ~= ao.id then return print("Authorization-Status about another process; ignored") end
      local role, status = msg.Tags[TAG.Role], "verified"
      if role ~= c.role then
        status = "refused: process " .. msg.From .. " answers as a " .. quote(role) .. ", not as a " .. c.role
          .. " (is it the " .. c.name .. "?)"
      elseif msg.Tags[TAG.Authorized] ~= "true" then
        status = "refused: the " .. c.name .. " has not authorized this orchestrator as a " .. c.role
          .. " (its owner must send Authorize with Process-Id = " .. ao.id .. ")"
      elseif c.name == "Lock-Manager" and msg.Tags[SETTING.Usda] ~= pid(SETTING.Usda) then
        status = "refused: the Lock Manager locks on USDA " .. quote(msg.Tags[SETTING.Usda])
          .. " but this orchestrator's Mock-Usda-Process is " .. quote(pid(SETTING.Usda))
      elseif c.name == "Lock-Manager" and msg.Tags[TAG.UsdaStatus] ~= "verified" then
        status = "refused: the Lock Manager cannot lock on the USDA: " .. tostring(msg.Tags[TAG.UsdaStatus])
      end
      Components[c.name] = status
      if status == "verified" then return end
      return warnOwner(ACTION.ConfigureWarning, { [TAG.Component] = c.name, [TAG.Error] = status,
        Data = c.name .. " " .. msg.From .. " " .. status })
    end
  end
  print("Authorization-Status from an unknown process; ignored")
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
