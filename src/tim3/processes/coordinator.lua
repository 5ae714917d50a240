--[[ coordinator.lua — Coordinator v2: the deposit-based 1:1 design of seed 000 ("Coordinator v2
– Spec and Migration"). Users send USDA to this process (custody); it has the Token Manager
(token_manager.lua) mint the same number of TIM3 base units to them and records their position
in the State Manager (state_manager.lua) when one is configured. RedeemTIM3 reverses it: burn
first, then the USDA goes back. Message sequences, tag spellings and the trace assertions:
docs/orchestration.md.

CONFIGURATION (owner only). SetProcessConfig takes the settings as tags, or as a JSON object in
Data, or both (equal values). aos renames tag names on receipt (ao-protocol.md §1.5), so the
seed's spellings arrive as the left column; every spelling of a name is accepted (names are
compared without case, `-` and `_`), JSON keys arrive unchanged:
  sent as tag           arrives as            stored as               JSON key (seed)
  TokenManagerProcess   Tokenmanagerprocess   Token-Manager-Process   tokenManagerProcess
  StateManagerProcess   Statemanagerprocess   State-Manager-Process   stateManagerProcess
  AllowedUSDAProcess    Allowedusdaprocess    Allowed-Usda-Process    allowedUSDAProcess
  CollateralRatio       Collateralratio       Collateral-Ratio        collateralRatio
  SystemActive          Systemactive          System-Active           systemActive
An unknown name is an error (SetProcessConfig-Error naming it), never ignored.
  Token-Manager-Process, Allowed-Usda-Process  43-character process ids; they cannot change
                        once USDA is held (Reserve ≠ 0) or a flow is under way.
  State-Manager-Process optional; "" removes it.
  Collateral-Ratio      "1.0" or "1" (or the JSON number 1) only: this design mints 1 TIM3 base
                        unit per USDA base unit and does no float arithmetic. Default "1.0".
  System-Active         "true" | "false" (or JSON booleans). Default "false": nothing is minted
                        until the owner switches it on.
After each SetProcessConfig (and VerifyConfig) the coordinator sends CheckAuthorization to the
Token Manager and the State Manager; their Authorization-Status answers set
Token-Manager-Status / State-Manager-Status to "verified" (authorized as Minter / Writer) or
"refused: <why>" (then Configure-Warning to the owner); no answer leaves "pending" (a wrong
process id). READY means: System-Active = "true", USDA and Token Manager set, the Token Manager
verified, and the State Manager verified if one is set. Not ready: deposits are refunded and
RedeemTIM3 is refused, each with the reason.

REPLIES to requests go to msg.From (never Reply-To) with X-Reference = the request's X-Reference or
Reference; errors are `<Action>-Error` with Error (plain words) and Message-Id; read replies carry
no Action; unknown or missing Actions get no reply and are not kept.

ACTIONS
  SetProcessConfig  owner only, settings above → Configure-Response (every setting, status and
                    ledger figure as tags; Data = the same as JSON with the seed's keys).
  VerifyConfig      owner only → Configure-Response and the checks again (after an
                    authorization was fixed).
  GetConfig         → the same tags and Data as Configure-Response, without Action.
  Authorization-Status from the Token Manager or State Manager → its status (see above).
  Credit-Notice     from Allowed-Usda-Process (msg.From, nothing else) with Target = this
                    process (the seed's `msg.To == ao.id`): Sender, Quantity. Each notice counts once (From + the sender's
                    reference, else message id); the deposit id is the notice's id.
                    Ready → Mint (Recipient = Sender, Amount = Quantity, Purpose =
                    "TIM3-mint-<deposit id>") to the Token Manager and Deposit-Progress
                    (Deposit-Id, Quantity, Stage = "Minting") to Sender.
                    Not ready, or Quantity not canonical → refund: USDA Transfer of the exact
                    Quantity string to Sender with X-Refund-Reason, X-Refund-Of = deposit id,
                    and Deposit-Error (Deposit-Id, Quantity, Error) to Sender.
                    Sender missing/invalid or Sender = this process or the USDA → nothing
                    minted or sent; the amount is counted as Surplus (nobody can claim it).
                    Never raises (security.md rule 3): an internal error refunds.
                    From another process: its tokens are sent back once (Transfer, Recipient =
                    Sender, X-Refund-Reason), unless the notice is itself a refund. From a
                    wallet: ignored.
  Mint-Notice       from the Token Manager, Purpose = "TIM3-mint-<id>" of a deposit that is
                    Minting (Recipient and Quantity must match) → Minted: UpdatePosition
                    (User, Deposited, Minted, Update-Id = "deposit-<id>") to the State Manager
                    if one is set, then Deposit-Complete (Deposit-Id, Quantity, Minted) to the
                    user. Purpose = "TIM3-restore-<id>" of a redeem that is Restoring →
                    Restored: RedeemTIM3-Error (Redeem-Id, Quantity, Error) to the user.
  Mint-Error        from the Token Manager: for a deposit that is Minting → Refunded (refund as
                    above) and the Token Manager is marked "refused" (Configure-Warning to the
                    owner); for a restore → Restore-Failed and Flow-Warning to the owner.
  RedeemTIM3        Quantity (≤ the USDA backing the TIM3 this coordinator minted). Ready →
                    Burn (Account = msg.From, Quantity, Purpose = "TIM3-redeem-<id>") to the
                    Token Manager and Redeem-Progress (Redeem-Id, Quantity, Stage = "Burning").
                    ✗ RedeemTIM3-Error (not ready, bad Quantity, more than the backing).
  Burn-Notice       from the Token Manager for a redeem that is Burning → Paying: USDA Transfer
                    (Recipient = the user, Quantity, X-Payout-Id = X-Reference = redeem id).
  Burn-Error        from the Token Manager for a redeem that is Burning → Failed:
                    RedeemTIM3-Error with the Token Manager's reason (e.g. insufficient TIM3).
  Debit-Notice      from the USDA, X-Payout-Id (or X-Reference) = a redeem that is Paying,
                    Recipient, Quantity and the message chain (Pushed-For) matching → Complete:
                    UpdatePosition (User, Redeemed, Update-Id = "redeem-<id>") if a State
                    Manager is set, then Redeem-Complete (Redeem-Id, Quantity) to the user.
  Transfer-Error    from the USDA, X-Reference = a redeem that is Paying, same chain → the payout
                    failed: Restoring: Mint (Recipient = user, Amount, Purpose =
                    "TIM3-restore-<id>") to the Token Manager (the TIM3 comes back).
  Position-Updated  from the State Manager, Update-Id of a flow → Position = "Recorded".
  UpdatePosition-Error from the State Manager → Position = "Failed: <why>", Flow-Warning to the
                    owner (the money steps are not undone: the tokens' ledgers are the truth).
  RetryFlow         Flow-Id; the owner or the flow's user → sends the flow's pending step again
                    (Mint, Burn, restore Mint, UpdatePosition: all idempotent by Purpose /
                    Update-Id) → RetryFlow-Notice (Flow-Id, Step). The USDA Transfer of a payout
                    is never sent twice (not idempotent): ✗ RetryFlow-Error.
  GetFlow           Flow-Id → Flow-Id, Kind (Deposit | Redeem), User, Quantity, Status,
                    Position, [Error]; Data = the same as JSON.

FLOW STATES  deposit: Minting → Minted | Refunded.   redeem: Burning → Paying → Complete;
Burning → Failed; Paying → Restoring → Restored | Restore-Failed (→ RetryFlow → Restoring).
Position (when a State Manager is set): Recording → Recorded | Failed: … ; "None" otherwise.

LEDGER (canonical decimal strings; checked by the tests after every flow)
  Reserve          USDA held for TIM3 minted here and not yet paid out: += minted deposits,
                   -= settled payouts.
  Pending-Mints    USDA received whose TIM3 is not minted yet.
  Pending-Burns    TIM3 asked to be burned (reserved against Reserve).
  Pending-Payouts  TIM3 burned whose USDA is not paid yet.
  Pending-Restores TIM3 burned, payout failed, not minted back yet.
  Surplus          USDA from notices nobody can claim.
  USDA balance of this process == Reserve + Pending-Mints + Surplus once the network is quiet;
  TIM3 supply minted here == Reserve - Pending-Payouts - Pending-Restores.

STATE: Config, Components (Token-Manager / State-Manager → status), Deposits, Redemptions
(id → flow record), Ledger, Processed (delivery keys).
]]

local json = require("json")

-- The helpers shared by the orchestration processes (lib/orchestration.lua).
local shared = require("lib.orchestration")
local TAG, ACTION = shared.TAG, shared.ACTION
local squash, quote, isAddress = shared.squash, shared.quote, shared.isAddress
local isProcessId, parseQuantity, amount = shared.isProcessId, shared.parseQuantity, shared.amount
local add, sub, messageKey = shared.add, shared.sub, shared.messageKey
local firstDelivery, chainRoot, timeOf = shared.firstDelivery, shared.chainRoot, shared.timeOf
local send, reply, replyError = shared.send, shared.reply, shared.replyError
local isAction, isOwner, nonEmpty = shared.isAction, shared.isOwner, shared.nonEmpty
local copyX, readSettings = shared.copyX, shared.readSettings

ACTION.SetProcessConfig, ACTION.VerifyConfig = "SetProcessConfig", "VerifyConfig"
ACTION.ConfigureResponse, ACTION.ConfigureWarning = "Configure-Response", "Configure-Warning"
ACTION.CreditNotice, ACTION.DebitNotice, ACTION.Transfer = "Credit-Notice", "Debit-Notice", "Transfer"
ACTION.TransferError = "Transfer-Error"
ACTION.Mint, ACTION.MintNotice, ACTION.MintError = "Mint", "Mint-Notice", "Mint-Error"
ACTION.Burn, ACTION.BurnNotice, ACTION.BurnError = "Burn", "Burn-Notice", "Burn-Error"
ACTION.UpdatePosition, ACTION.PositionUpdated = "UpdatePosition", "Position-Updated"
ACTION.UpdatePositionError = "UpdatePosition-Error"
ACTION.DepositProgress, ACTION.DepositComplete, ACTION.DepositError = "Deposit-Progress", "Deposit-Complete", "Deposit-Error"
ACTION.RedeemTIM3, ACTION.RedeemProgress, ACTION.RedeemComplete = "RedeemTIM3", "Redeem-Progress", "Redeem-Complete"
ACTION.RetryFlow, ACTION.GetFlow, ACTION.FlowWarning = "RetryFlow", "GetFlow", "Flow-Warning"
TAG.Sender, TAG.Quantity, TAG.Recipient, TAG.Amount, TAG.Purpose = "Sender", "Quantity", "Recipient", "Amount", "Purpose"
TAG.Account, TAG.User, TAG.UpdateId = "Account", "User", "Update-Id"
TAG.Deposited, TAG.Minted, TAG.Redeemed = "Deposited", "Minted", "Redeemed"
TAG.DepositId, TAG.RedeemId, TAG.FlowId, TAG.Stage, TAG.Step = "Deposit-Id", "Redeem-Id", "Flow-Id", "Stage", "Step"
TAG.Kind, TAG.Status, TAG.Position, TAG.Ready = "Kind", "Status", "Position", "Ready"
TAG.XPayoutId, TAG.XRefundReason, TAG.XRefundOf = "X-Payout-Id", "X-Refund-Reason", "X-Refund-Of"
TAG.Component = "Component"

local SETTING = {
  TokenManager = "Token-Manager-Process", StateManager = "State-Manager-Process",
  Usda = "Allowed-Usda-Process", Ratio = "Collateral-Ratio", Active = "System-Active",
}
local SETTING_ORDER = { SETTING.TokenManager, SETTING.StateManager, SETTING.Usda, SETTING.Ratio, SETTING.Active }
local SEED_KEY = {   -- the seed's configuration names, used as JSON keys in replies
  [SETTING.TokenManager] = "tokenManagerProcess", [SETTING.StateManager] = "stateManagerProcess",
  [SETTING.Usda] = "allowedUSDAProcess", [SETTING.Ratio] = "collateralRatio", [SETTING.Active] = "systemActive",
}
local KNOWN = {}
for _, name in ipairs(SETTING_ORDER) do KNOWN[squash(name)] = name end

-- The sub-processes this coordinator checks: status key, setting, the role it must hold.
local COMPONENT = {
  { name = "Token-Manager", setting = SETTING.TokenManager, role = "Minter" },
  { name = "State-Manager", setting = SETTING.StateManager, role = "Writer" },
}
local LEDGER = { "Reserve", "Pending-Mints", "Pending-Burns", "Pending-Payouts", "Pending-Restores", "Surplus" }
local PURPOSE_MINT, PURPOSE_REDEEM, PURPOSE_RESTORE = "TIM3-mint-", "TIM3-redeem-", "TIM3-restore-"
local UPDATE_DEPOSIT, UPDATE_REDEEM = "deposit-", "redeem-"

-- State ---------------------------------------------------------------------------------------

Config = Config or {
  [SETTING.TokenManager] = "", [SETTING.StateManager] = "", [SETTING.Usda] = "",
  [SETTING.Ratio] = "1.0", [SETTING.Active] = "false",
}
Components = Components or { ["Token-Manager"] = "unconfigured", ["State-Manager"] = "unconfigured" }
Deposits = Deposits or {}
Redemptions = Redemptions or {}
Ledger = Ledger or { Reserve = "0", ["Pending-Mints"] = "0", ["Pending-Burns"] = "0",
  ["Pending-Payouts"] = "0", ["Pending-Restores"] = "0", Surplus = "0" }
Processed = Processed or {}

-- Helpers -------------------------------------------------------------------------------------

local function tokenManager() return Config[SETTING.TokenManager] end
local function stateManager() return Config[SETTING.StateManager] end
local function usda() return Config[SETTING.Usda] end

local function credit(name, q) Ledger[name] = add(Ledger[name], q) end
local function debit(name, q) Ledger[name] = sub(Ledger[name], q) end

--- nil when deposits and redeems may proceed, else the reason in words.
local function notReady()
  if Config[SETTING.Active] ~= "true" then return "the system is inactive (SystemActive is false)" end
  if usda() == "" then return "no USDA process is configured (AllowedUSDAProcess)" end
  if tokenManager() == "" then return "no Token Manager is configured (TokenManagerProcess)" end
  for _, c in ipairs(COMPONENT) do
    local status = Components[c.name]
    if Config[c.setting] ~= "" and status ~= "verified" then
      if status == "pending" then
        return "the " .. c.name .. " " .. Config[c.setting] .. " has not answered CheckAuthorization "
          .. "(is the process id right?)"
      end
      return "the " .. c.name .. " " .. Config[c.setting] .. " is not usable: " .. status
    end
  end
  return nil
end

local function inFlight()
  for _, name in ipairs(LEDGER) do
    if name ~= "Reserve" and name ~= "Surplus" and Ledger[name] ~= "0" then return true end
  end
  return false
end

--- The flows that need the owner: a failed position record or a failed restore.
local function attention()
  local ids = {}
  for id, d in pairs(Deposits) do if d.Position:find("^Failed") then ids[#ids + 1] = id end end
  for id, r in pairs(Redemptions) do
    if r.Position:find("^Failed") or r.Status == "Restore-Failed" then ids[#ids + 1] = id end
  end
  table.sort(ids)
  return ids
end

--- Every setting, status and ledger figure: tags (non-empty) and the JSON Data.
local function overview()
  local tags, data = {}, { ledger = {} }
  for _, name in ipairs(SETTING_ORDER) do
    tags[name], data[SEED_KEY[name]] = Config[name], Config[name]
  end
  data.systemActive = Config[SETTING.Active] == "true"
  for _, c in ipairs(COMPONENT) do
    tags[c.name .. "-Status"] = Components[c.name]
    data[c.name == "Token-Manager" and "tokenManagerStatus" or "stateManagerStatus"] = Components[c.name]
  end
  local why = notReady()
  tags[TAG.Ready], data.ready, data.notReadyReason = why and "false" or "true", why == nil, why
  tags["Not-Ready-Reason"] = why
  for _, name in ipairs(LEDGER) do tags[name], data.ledger[name] = Ledger[name], Ledger[name] end
  local ids = attention()
  tags["Needs-Attention"], data.needsAttention = tostring(#ids), ids
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
    local pid = Config[c.setting]
    if pid == "" then
      Components[c.name] = "unconfigured"
    else
      Components[c.name] = "pending"
      send({ Target = pid, [TAG.Action] = ACTION.CheckAuthorization, [TAG.ProcessId] = ao.id })
    end
  end
end

--- Check one setting; its stored form, or nil and what is wrong.
local function checkSetting(name, value)
  if name == SETTING.Active then
    if value == true or value == "true" then return "true" end
    if value == false or value == "false" then return "false" end
    return nil, 'SystemActive must be "true" or "false", got ' .. quote(value)
  elseif name == SETTING.Ratio then
    -- Equality tests only: a ratio other than 1 would need arithmetic this design does not do.
    if value == "1.0" or value == "1" or (math.type(value) ~= nil and value == 1) then return "1.0" end
    return nil, 'CollateralRatio must be "1.0": Coordinator v2 mints exactly 1 TIM3 base unit per '
      .. "USDA base unit and does no fractional arithmetic; got " .. quote(value)
  elseif name == SETTING.StateManager and value == "" then
    return ""
  end
  if not isProcessId(value) then
    return nil, name .. " must be a 43-character process id, got " .. quote(value)
  end
  if value == ao.id then return nil, name .. " cannot be this coordinator itself" end
  return value
end

--- The new Config for a set of changes, or nil and what is wrong.
local function configWith(changes)
  local new = {}
  for _, name in ipairs(SETTING_ORDER) do new[name] = Config[name] end
  for _, name in ipairs(SETTING_ORDER) do
    if changes[name] ~= nil then
      local value, problem = checkSetting(name, changes[name])
      if value == nil then return nil, problem end
      new[name] = value
    end
  end
  local seen = {}
  for _, name in ipairs({ SETTING.TokenManager, SETTING.StateManager, SETTING.Usda }) do
    local pid = new[name]
    if pid ~= "" then
      if seen[pid] then return nil, name .. " and " .. seen[pid] .. " are the same process " .. pid end
      seen[pid] = name
    end
  end
  local fixed = Ledger.Reserve ~= "0" or inFlight()
  for _, name in ipairs({ SETTING.TokenManager, SETTING.Usda }) do
    if fixed and new[name] ~= Config[name] then
      return nil, name .. " cannot change while this coordinator holds USDA or a flow is under way "
        .. "(Reserve " .. Ledger.Reserve .. ")"
    end
  end
  return new
end

local function configureResponse(msg)
  local out = overview()
  out[TAG.Action] = ACTION.ConfigureResponse
  reply(msg, out)
end

-- Flow steps: each builds the request of a flow's pending step; RetryFlow sends it again.

local function mintRequest(id, d)
  return { Target = tokenManager(), [TAG.Action] = ACTION.Mint, [TAG.Recipient] = d.Sender,
    [TAG.Amount] = d.Quantity, [TAG.Purpose] = PURPOSE_MINT .. id }
end

local function burnRequest(id, r)
  return { Target = tokenManager(), [TAG.Action] = ACTION.Burn, [TAG.Account] = r.User,
    [TAG.Quantity] = r.Quantity, [TAG.Purpose] = PURPOSE_REDEEM .. id }
end

local function restoreRequest(id, r)
  return { Target = tokenManager(), [TAG.Action] = ACTION.Mint, [TAG.Recipient] = r.User,
    [TAG.Amount] = r.Quantity, [TAG.Purpose] = PURPOSE_RESTORE .. id }
end

local function positionRequest(id, flow)
  local out = { Target = stateManager(), [TAG.Action] = ACTION.UpdatePosition }
  if flow.Sender then
    out[TAG.User], out[TAG.UpdateId] = flow.Sender, UPDATE_DEPOSIT .. id
    out[TAG.Deposited], out[TAG.Minted] = flow.Quantity, flow.Quantity
  else
    out[TAG.User], out[TAG.UpdateId], out[TAG.Redeemed] = flow.User, UPDATE_REDEEM .. id, flow.Quantity
  end
  return out
end

--- Record the position of a finished flow when a State Manager is configured.
local function recordPosition(id, flow)
  if stateManager() == "" then flow.Position = "None"; return end
  flow.Position = "Recording"
  send(positionRequest(id, flow))
end

--- The flow a Purpose or Update-Id refers to: kind, id, record.
local function flowOf(value, prefixes)
  if type(value) ~= "string" then return nil end
  for _, p in ipairs(prefixes) do
    if value:sub(1, #p[1]) == p[1] then
      local id = value:sub(#p[1] + 1)
      local record = p[2][id]
      if record then return p[1], id, record end
    end
  end
  return nil
end

-- Deposits ------------------------------------------------------------------------------------

local function refund(msg, sender, raw, why)
  local id = tostring(msg.Id)
  send(copyX(msg, { Target = usda(), [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = sender,
    [TAG.Quantity] = raw, [TAG.XRefundReason] = why, [TAG.XRefundOf] = id,
    [TAG.XReference] = "refund:" .. id }))
  send({ Target = sender, [TAG.Action] = ACTION.DepositError, [TAG.DepositId] = id, [TAG.Quantity] = raw,
    [TAG.Error] = why, Data = "Your deposit was not minted and is being returned: " .. why })
  print("Deposit " .. id .. " refunded: " .. why)
end

local function deposit(msg)
  local key = messageKey(msg)
  if Processed[key] then return print("Credit-Notice " .. key .. " was already processed; ignored") end
  local id, sender, raw = tostring(msg.Id), msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  local q, problem = parseQuantity(raw)
  if not isAddress(sender) or sender == ao.id or sender == usda() then
    Processed[key] = true
    if q then credit("Surplus", tostring(q)) end
    return print("Deposit " .. id .. " has no usable Sender (" .. quote(sender) .. "); counted as Surplus")
  end
  if not q then
    Processed[key] = true
    if type(raw) ~= "string" or raw == "" then return print("Deposit " .. id .. ": " .. problem) end
    return refund(msg, sender, raw, problem)
  end
  local why = notReady()
  if why then
    Processed[key] = true
    return refund(msg, sender, raw, "Nothing was minted because " .. why .. "; your USDA was returned")
  end
  local text = tostring(q)
  local d = { Sender = sender, Quantity = text, Status = "Minting", Position = "None", Created = timeOf(msg) }
  local pending = add(Ledger["Pending-Mints"], text)
  Processed[key] = true
  Deposits[id] = d
  Ledger["Pending-Mints"] = pending
  send(mintRequest(id, d))
  send({ Target = sender, [TAG.Action] = ACTION.DepositProgress, [TAG.DepositId] = id, [TAG.Quantity] = text,
    [TAG.Stage] = "Minting", Data = "Your deposit of " .. text .. " USDA base units arrived; minting TIM3" })
end

--- What the deposit logic may change, to undo a failed attempt (the handler itself must not
-- raise, so the runtime's rollback does not help here).
local function depositSnapshot(msg)
  local s = { key = messageKey(msg), id = tostring(msg.Id), outbox = #ao.outbox.Messages }
  pcall(function() s.processed = Processed[s.key] end)
  pcall(function() s.deposit = Deposits[s.id] end)
  pcall(function()
    local ledger = {}
    for k, v in pairs(Ledger) do ledger[k] = v end
    s.ledger = ledger
  end)
  return s
end

--- Last resort when the deposit logic failed: undo what it did, refund the raw Quantity once,
-- never raise.
local function emergencyRefund(msg, err, snapshot)
  local key = snapshot.key
  pcall(function() for i = #ao.outbox.Messages, snapshot.outbox + 1, -1 do table.remove(ao.outbox.Messages, i) end end)
  pcall(function() Processed[key] = snapshot.processed end)
  pcall(function() Deposits[snapshot.id] = snapshot.deposit end)
  if snapshot.ledger then Ledger = snapshot.ledger end
  pcall(print, "Deposit " .. tostring(msg.Id) .. " failed inside the coordinator: " .. tostring(err))
  if snapshot.processed then return end
  local sender, raw = msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  if not isAddress(sender) or sender == ao.id or type(raw) ~= "string" or raw == "" then return end
  pcall(function() Processed[key] = true end)
  pcall(refund, msg, sender, raw, "The coordinator could not process this deposit (internal error); your USDA was returned")
end

--- Tokens of another process: sent back once, unless that could start a loop.
local function returnForeign(msg)
  local sender, raw = msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  if msg.From == msg.Owner then return print("Credit-Notice signed by a wallet; ignored") end
  local key = messageKey(msg)
  if Processed[key] or msg.Tags[TAG.XRefundOf] or msg.Tags[TAG.XRefundReason] or not isAddress(sender)
      or sender == ao.id or type(raw) ~= "string" or raw == "" then
    return print("Credit-Notice from " .. tostring(msg.From) .. " (not the USDA); nothing minted or returned")
  end
  Processed[key] = true
  send({ Target = msg.From, [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = sender, [TAG.Quantity] = raw,
    [TAG.XRefundReason] = "This coordinator accepts only USDA from " .. (usda() ~= "" and usda() or "(none configured)"),
    [TAG.XRefundOf] = tostring(msg.Id) })
end

-- Handlers (in the header's order) ------------------------------------------------------------

Handlers.add(ACTION.SetProcessConfig, isAction(ACTION.SetProcessConfig), function(msg)
  if not firstDelivery(msg, ACTION.SetProcessConfig) then return end
  if not isOwner(msg) then
    return replyError(msg, ACTION.SetProcessConfig, "Only the process owner may use " .. ACTION.SetProcessConfig)
  end
  local changes, problem = readSettings(msg, KNOWN)
  if not changes then return replyError(msg, ACTION.SetProcessConfig, problem) end
  if next(changes) == nil then
    return replyError(msg, ACTION.SetProcessConfig, "No settings given: send tags or a JSON object in Data "
      .. "with TokenManagerProcess, StateManagerProcess, AllowedUSDAProcess, CollateralRatio, SystemActive")
  end
  local new, wrong = configWith(changes)
  if not new then return replyError(msg, ACTION.SetProcessConfig, wrong) end
  Config = new
  for _, c in ipairs(COMPONENT) do
    if Config[c.setting] ~= "" then Components[c.name] = "pending" else Components[c.name] = "unconfigured" end
  end
  configureResponse(msg)
  checkComponents()
end)

Handlers.add(ACTION.VerifyConfig, isAction(ACTION.VerifyConfig), function(msg)
  if not firstDelivery(msg, ACTION.VerifyConfig) then return end
  if not isOwner(msg) then
    return replyError(msg, ACTION.VerifyConfig, "Only the process owner may use " .. ACTION.VerifyConfig)
  end
  for _, c in ipairs(COMPONENT) do
    if Config[c.setting] ~= "" then Components[c.name] = "pending" end
  end
  configureResponse(msg)
  checkComponents()
end)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), function(msg)
  reply(msg, overview())
end)

Handlers.add(ACTION.AuthorizationStatus, isAction(ACTION.AuthorizationStatus), function(msg)
  for _, c in ipairs(COMPONENT) do
    if Config[c.setting] ~= "" and msg.From == Config[c.setting] then
      if msg.Tags[TAG.ProcessId] ~= ao.id then return print("Authorization-Status about another process; ignored") end
      local role = msg.Tags[TAG.Role]
      if role ~= c.role then
        Components[c.name] = "refused: process " .. msg.From .. " answers as a " .. quote(role)
          .. ", not as a " .. c.role .. " (is it the " .. c.name .. "?)"
      elseif msg.Tags[TAG.Authorized] ~= "true" then
        Components[c.name] = "refused: the " .. c.name .. " has not authorized this coordinator as a "
          .. c.role .. " (its owner must send Authorize with Process-Id = " .. ao.id .. ")"
      else
        Components[c.name] = "verified"
        return
      end
      return warnOwner(ACTION.ConfigureWarning, { [TAG.Component] = c.name, [TAG.Error] = Components[c.name],
        Data = c.name .. " " .. msg.From .. " " .. Components[c.name] })
    end
  end
  print("Authorization-Status from an unknown process; ignored")
end)

Handlers.add(ACTION.CreditNotice, isAction(ACTION.CreditNotice), function(msg)
  -- Security rule 3: nothing on this path may raise, or the USDA already moved is stranded.
  local checked, isUsda = pcall(function() return usda() ~= "" and msg.From == usda() and msg.Target == ao.id end)
  local fromUsda = checked and isUsda == true
  local snapshot = fromUsda and depositSnapshot(msg) or nil
  local ok, err = pcall(function()
    if fromUsda then return deposit(msg) end
    return returnForeign(msg)
  end)
  if not ok then
    if fromUsda then emergencyRefund(msg, err, snapshot)
    else pcall(print, "Credit-Notice from " .. tostring(msg.From) .. " failed: " .. tostring(err)) end
  end
end)

Handlers.add(ACTION.MintNotice, isAction(ACTION.MintNotice), function(msg)
  if tokenManager() == "" or msg.From ~= tokenManager() then return print("Mint-Notice not from the Token Manager; ignored") end
  local kind, id, flow = flowOf(msg.Tags[TAG.Purpose], { { PURPOSE_MINT, Deposits }, { PURPOSE_RESTORE, Redemptions } })
  local user = kind == PURPOSE_MINT and flow and flow.Sender or flow and flow.User
  if not flow or msg.Tags[TAG.Recipient] ~= user or msg.Tags[TAG.Quantity] ~= flow.Quantity then
    return print("Mint-Notice matches no flow; ignored")
  end
  if kind == PURPOSE_MINT and flow.Status == "Minting" then
    flow.Status = "Minted"
    debit("Pending-Mints", flow.Quantity)
    credit("Reserve", flow.Quantity)
    recordPosition(id, flow)
    send({ Target = flow.Sender, [TAG.Action] = ACTION.DepositComplete, [TAG.DepositId] = id,
      [TAG.Quantity] = flow.Quantity, [TAG.Minted] = flow.Quantity,
      Data = "You received " .. flow.Quantity .. " TIM3 base units for your deposit" })
  elseif kind == PURPOSE_RESTORE and (flow.Status == "Restoring" or flow.Status == "Restore-Failed") then
    flow.Status = "Restored"
    debit("Pending-Restores", flow.Quantity)
    send({ Target = flow.User, [TAG.Action] = ACTION.RedeemTIM3 .. "-Error", [TAG.RedeemId] = id,
      [TAG.Quantity] = flow.Quantity, [TAG.Error] = flow.Error .. "; your TIM3 was restored",
      Data = flow.Error .. "; your TIM3 was restored" })
  end
end)

Handlers.add(ACTION.MintError, isAction(ACTION.MintError), function(msg)
  if tokenManager() == "" or msg.From ~= tokenManager() then return print("Mint-Error not from the Token Manager; ignored") end
  local kind, id, flow = flowOf(msg.Tags[TAG.Purpose], { { PURPOSE_MINT, Deposits }, { PURPOSE_RESTORE, Redemptions } })
  if not flow then return print("Mint-Error matches no flow; ignored") end
  local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
  if kind == PURPOSE_MINT and flow.Status == "Minting" then
    flow.Status, flow.Error = "Refunded", "The Token Manager refused to mint: " .. why
    debit("Pending-Mints", flow.Quantity)
    Components["Token-Manager"] = "refused: Mint-Error: " .. why
    refund({ Id = id, TagArray = {} }, flow.Sender, flow.Quantity, flow.Error .. "; your USDA was returned")
    warnOwner(ACTION.ConfigureWarning, { [TAG.Component] = "Token-Manager", [TAG.Error] = Components["Token-Manager"],
      Data = "Deposits are refunded until VerifyConfig finds the Token Manager usable again" })
  elseif kind == PURPOSE_RESTORE and flow.Status == "Restoring" then
    flow.Status = "Restore-Failed"
    warnOwner(ACTION.FlowWarning, { [TAG.FlowId] = id, [TAG.Error] = "The Token Manager refused to restore "
      .. flow.Quantity .. " TIM3 to " .. flow.User .. ": " .. why .. "; send RetryFlow once it is fixed" })
  end
end)

Handlers.add(ACTION.RedeemTIM3, isAction(ACTION.RedeemTIM3), function(msg)
  if not firstDelivery(msg, ACTION.RedeemTIM3) then return end
  local why = notReady()
  if why then return replyError(msg, ACTION.RedeemTIM3, "Redeeming is not possible now: " .. why) end
  local q, problem = parseQuantity(msg.Tags[TAG.Quantity])
  if not q then return replyError(msg, ACTION.RedeemTIM3, problem) end
  local text, id = tostring(q), tostring(msg.Id)
  local backing = amount(Ledger.Reserve) - amount(Ledger["Pending-Burns"]) - amount(Ledger["Pending-Payouts"])
    - amount(Ledger["Pending-Restores"])
  if q > backing then
    return replyError(msg, ACTION.RedeemTIM3, "This coordinator backs only " .. tostring(backing)
      .. " TIM3 base units that are not being redeemed already; asked " .. text)
  end
  local r = { User = msg.From, Quantity = text, Status = "Burning", Position = "None", Created = timeOf(msg) }
  Redemptions[id] = r
  credit("Pending-Burns", text)
  send(burnRequest(id, r))
  reply(msg, { [TAG.Action] = ACTION.RedeemProgress, [TAG.RedeemId] = id, [TAG.Quantity] = text,
    [TAG.Stage] = "Burning", Data = "Burning " .. text .. " TIM3 base units; the USDA follows" })
end)

Handlers.add(ACTION.BurnNotice, isAction(ACTION.BurnNotice), function(msg)
  if tokenManager() == "" or msg.From ~= tokenManager() then return print("Burn-Notice not from the Token Manager; ignored") end
  local _, id, r = flowOf(msg.Tags[TAG.Purpose], { { PURPOSE_REDEEM, Redemptions } })
  if not r or r.Status ~= "Burning" or msg.Tags[TAG.Account] ~= r.User or msg.Tags[TAG.Quantity] ~= r.Quantity then
    return print("Burn-Notice matches no redeem that is burning; ignored")
  end
  r.Status, r.PayoutRoot = "Paying", chainRoot(msg)
  debit("Pending-Burns", r.Quantity)
  credit("Pending-Payouts", r.Quantity)
  send({ Target = usda(), [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = r.User, [TAG.Quantity] = r.Quantity,
    [TAG.XPayoutId] = id, [TAG.XReference] = id })
end)

Handlers.add(ACTION.BurnError, isAction(ACTION.BurnError), function(msg)
  if tokenManager() == "" or msg.From ~= tokenManager() then return print("Burn-Error not from the Token Manager; ignored") end
  local _, id, r = flowOf(msg.Tags[TAG.Purpose], { { PURPOSE_REDEEM, Redemptions } })
  if not r or r.Status ~= "Burning" then return print("Burn-Error matches no redeem that is burning; ignored") end
  local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
  r.Status, r.Error = "Failed", "The Token Manager refused to burn: " .. why
  debit("Pending-Burns", r.Quantity)
  send({ Target = r.User, [TAG.Action] = ACTION.RedeemTIM3 .. "-Error", [TAG.RedeemId] = id,
    [TAG.Quantity] = r.Quantity, [TAG.Error] = r.Error, Data = r.Error })
end)

--- The redeem a USDA answer is about, when it belongs to the payout's own message chain.
local function payoutOf(msg)
  if usda() == "" or msg.From ~= usda() then return nil end
  for _, name in ipairs({ TAG.XPayoutId, TAG.XReference }) do
    local id = msg.Tags[name]
    local r = type(id) == "string" and Redemptions[id] or nil
    if r and r.Status == "Paying" and chainRoot(msg) == r.PayoutRoot then return id, r end
  end
  return nil
end

Handlers.add(ACTION.DebitNotice, isAction(ACTION.DebitNotice), function(msg)
  local id, r = payoutOf(msg)
  if not r or msg.Tags[TAG.Recipient] ~= r.User or msg.Tags[TAG.Quantity] ~= r.Quantity then
    return print("Debit-Notice matches no payout under way; ignored")
  end
  r.Status = "Complete"
  debit("Pending-Payouts", r.Quantity)
  debit("Reserve", r.Quantity)
  recordPosition(id, r)
  send({ Target = r.User, [TAG.Action] = ACTION.RedeemComplete, [TAG.RedeemId] = id, [TAG.Quantity] = r.Quantity,
    Data = "You received " .. r.Quantity .. " USDA base units for your TIM3" })
end)

Handlers.add(ACTION.TransferError, isAction(ACTION.TransferError), function(msg)
  local id, r = payoutOf(msg)
  if not r then return print("Transfer-Error matches no payout under way; ignored") end
  local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
  r.Status, r.Error = "Restoring", "USDA refused the payout (" .. why .. ")"
  debit("Pending-Payouts", r.Quantity)
  credit("Pending-Restores", r.Quantity)
  send(restoreRequest(id, r))
end)

Handlers.add(ACTION.PositionUpdated, isAction(ACTION.PositionUpdated), function(msg)
  if stateManager() == "" or msg.From ~= stateManager() then return print("Position-Updated not from the State Manager; ignored") end
  local _, _, flow = flowOf(msg.Tags[TAG.UpdateId], { { UPDATE_DEPOSIT, Deposits }, { UPDATE_REDEEM, Redemptions } })
  if not flow then return print("Position-Updated matches no flow; ignored") end
  flow.Position = "Recorded"
end)

Handlers.add(ACTION.UpdatePositionError, isAction(ACTION.UpdatePositionError), function(msg)
  if stateManager() == "" or msg.From ~= stateManager() then return print("UpdatePosition-Error not from the State Manager; ignored") end
  local _, id, flow = flowOf(msg.Tags[TAG.UpdateId], { { UPDATE_DEPOSIT, Deposits }, { UPDATE_REDEEM, Redemptions } })
  if not flow or flow.Position == "Recorded" then return print("UpdatePosition-Error matches no flow; ignored") end
  local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 300) or "no reason given"
  flow.Position = "Failed: " .. why
  warnOwner(ACTION.FlowWarning, { [TAG.FlowId] = id, [TAG.Error] = "The State Manager did not record the position: "
    .. why .. "; send RetryFlow once it is fixed" })
end)

Handlers.add(ACTION.RetryFlow, isAction(ACTION.RetryFlow), function(msg)
  local id = msg.Tags[TAG.FlowId]
  local d = type(id) == "string" and Deposits[id] or nil
  local r = type(id) == "string" and Redemptions[id] or nil
  local flow = d or r
  if not flow then return replyError(msg, ACTION.RetryFlow, "No flow with Flow-Id " .. quote(id)) end
  if not isOwner(msg) and msg.From ~= (d and d.Sender or r.User) then
    return replyError(msg, ACTION.RetryFlow, "Only the owner or the flow's user may retry it")
  end
  local request, step
  if d and d.Status == "Minting" then
    request, step = mintRequest(id, d), "Mint"
  elseif r and r.Status == "Burning" then
    request, step = burnRequest(id, r), "Burn"
  elseif r and (r.Status == "Restoring" or r.Status == "Restore-Failed") then
    r.Status = "Restoring"
    request, step = restoreRequest(id, r), "Restore"
  elseif r and r.Status == "Paying" then
    return replyError(msg, ACTION.RetryFlow, "The payout is waiting for the USDA's answer; a USDA Transfer "
      .. "is never sent twice")
  elseif (flow.Position == "Recording" or flow.Position:find("^Failed")) and stateManager() ~= "" then
    flow.Position = "Recording"
    request, step = positionRequest(id, flow), "UpdatePosition"
  else
    return replyError(msg, ACTION.RetryFlow, "Nothing to retry: the flow is " .. flow.Status
      .. " and its position " .. flow.Position)
  end
  reply(msg, { [TAG.Action] = ACTION.RetryFlow .. "-Notice", [TAG.FlowId] = id, [TAG.Step] = step,
    Data = "Sent " .. step .. " again" })
  send(request)
end)

Handlers.add(ACTION.GetFlow, isAction(ACTION.GetFlow), function(msg)
  local id = msg.Tags[TAG.FlowId]
  local d = type(id) == "string" and Deposits[id] or nil
  local r = type(id) == "string" and Redemptions[id] or nil
  local flow = d or r
  if not flow then return replyError(msg, ACTION.GetFlow, "No flow with Flow-Id " .. quote(id)) end
  local out = { [TAG.FlowId] = id, [TAG.Kind] = d and "Deposit" or "Redeem", [TAG.User] = d and d.Sender or r.User,
    [TAG.Quantity] = flow.Quantity, [TAG.Status] = flow.Status, [TAG.Position] = flow.Position,
    [TAG.Error] = flow.Error }
  local data = {}
  for k, v in pairs(out) do data[k] = v end
  out.Data = json.encode(data)
  reply(msg, out)
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
