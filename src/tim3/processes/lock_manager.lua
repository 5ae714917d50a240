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

local bint = require(".bint")(256)
local json = require("json")

-- BEGIN SHARED HELPERS (orchestration)
-- Identical in coordinator.lua, orchestrator.lua, token_manager.lua, state_manager.lua and
-- lock_manager.lua (processes are spawned from one file; there is no bundler yet).
-- tests/orchestration/test_orchestration_sources.py fails while the copies differ.

local MAX_QUANTITY_DIGITS = 60    -- per message; sums stay far below bint's 2^255
local MAX_LEDGER_DIGITS = 70      -- a stored sum this long means something is badly wrong
local MAX_KEY_LENGTH = 100        -- Purpose, Lock-Id, Unlock-Id, Update-Id, Flow-Id
local MAX_DATA_BYTES = 16384      -- JSON in Data
local MAX_FORWARD_TAGS, MAX_FORWARD_BYTES = 16, 2048

-- The tag names every process of this family uses; each file adds its own below the block.
local TAG = {
  Action = "Action", Error = "Error", MessageId = "Message-Id", Reference = "Reference",
  XReference = "X-Reference", ProcessId = "Process-Id", Authorized = "Authorized", Role = "Role",
  Owner = "Owner", Timestamp = "Timestamp", Duplicate = "Duplicate",
}
local ACTION = {
  Authorize = "Authorize", Revoke = "Revoke", CheckAuthorization = "CheckAuthorization",
  AuthorizationStatus = "Authorization-Status", GetConfig = "GetConfig",
}
-- Tags that transport and tooling put on messages: never read as settings.
local PROTOCOL_TAGS = {
  ["Data-Protocol"] = true, Variant = true, Type = true, Action = true, Reference = true,
  ["Content-Type"] = true, ["From-Process"] = true, ["From-Module"] = true,
  ["Pushed-For"] = true, Sdk = true, Nonce = true,
}

--- A spelling-free key for a setting name: `TokenManagerProcess`, `Tokenmanagerprocess` (what
-- aos makes of it), `Token-Manager-Process` and `token_manager_process` all give
-- `tokenmanagerprocess`.
local function squash(name)
  return (string.gsub(string.lower(name), "[-_]", ""))
end

--- A value as it may appear inside an error text: quoted, control bytes escaped, long ones cut.
local function quote(value)
  if value == nil then return "nothing" end
  local s = tostring(value)
  local shown = #s > 60 and (s:sub(1, 30) .. "...") or s
  shown = shown:gsub("[%c\128-\255]", function(c) return string.format("\\%d", c:byte()) end)
  if #s > 60 then return "'" .. shown .. "' (" .. #s .. " characters)" end
  return "'" .. shown .. "'"
end

--- True for a 43-character base64url id (wallet address or process id) or 0x + 40 hex digits.
local function isAddress(value)
  if type(value) ~= "string" then return false end
  if #value == 43 then return string.find(value, "^[%w_-]+$") ~= nil end
  return #value == 42 and string.find(value, "^0x%x+$") ~= nil
end

--- True for a 43-character process id.
local function isProcessId(value)
  return type(value) == "string" and #value == 43 and string.find(value, "^[%w_-]+$") ~= nil
end

--- The bint of a canonical quantity string, or nil and what is wrong, in words
-- (security.md rule 2: ^[1-9][0-9]*$, length checked before any parse, prints back unchanged).
local function parseQuantity(value, name)
  name = name or "Quantity"
  if value == nil then
    return nil, name .. " is required: a positive whole number of base units"
  end
  if type(value) ~= "string" then
    return nil, name .. " must be a string of digits, got a " .. type(value)
  end
  if #value > MAX_QUANTITY_DIGITS then
    return nil, name .. " must have at most " .. MAX_QUANTITY_DIGITS .. " digits, got " .. quote(value)
  end
  if not string.find(value, "^[1-9][0-9]*$") then
    return nil, name .. " must be a positive whole number of base units without sign, spaces, "
      .. "decimal point or leading zeros, got " .. quote(value)
  end
  local q = bint.fromstring(value)
  if q == nil or tostring(q) ~= value then
    return nil, name .. " is not a number this process can represent exactly: " .. quote(value)
  end
  return q
end

--- A stored amount as a bint; raises on anything but a canonical string (a corrupt state).
local function amount(stored)
  if stored == "0" then return bint.zero() end
  if type(stored) ~= "string" or not string.find(stored, "^[1-9][0-9]*$")
      or #stored > MAX_LEDGER_DIGITS then
    error("corrupt stored amount " .. quote(stored), 2)
  end
  return bint.fromstring(stored)
end

--- A bint as a stored amount; raises when negative or absurdly large.
local function stored(b)
  local s = tostring(b)
  if bint.isneg(b) or #s > MAX_LEDGER_DIGITS then error("amount out of range: " .. s, 2) end
  return s
end

local function add(a, b) return stored(amount(a) + amount(b)) end
local function sub(a, b) return stored(amount(a) - amount(b)) end

--- Checks an operation id (Purpose, Lock-Id, Update-Id ...): printable, at most MAX_KEY_LENGTH.
local function checkKey(value, name)
  if type(value) ~= "string" or value == "" then return nil, name .. " is required" end
  if #value > MAX_KEY_LENGTH or not string.find(value, "^[%w%-_.:/]+$") then
    return nil, name .. " must be at most " .. MAX_KEY_LENGTH
      .. " characters of A-Z a-z 0-9 - _ . : /, got " .. quote(value)
  end
  return value
end

--- {[name] = value} when value is a well-formed operation id worth echoing in a reply, else {}.
local function echo(name, value)
  if checkKey(value, name) then return { [name] = value } end
  return {}
end

--- The key that identifies a delivery: the sender's reference for pushed messages (stable
-- across re-deliveries by the messenger), else the message id.
local function messageKey(msg)
  if msg.From ~= msg.Owner and type(msg.Anchor) == "string" and msg.Anchor ~= "" then
    return "ref:" .. msg.From .. ":" .. msg.Anchor
  end
  return "id:" .. tostring(msg.Id)
end

--- True the first time a delivery is seen; records it in Processed (security.md rule 9).
local function firstDelivery(msg, action)
  local key = messageKey(msg)
  if Processed[key] then
    print(action .. " " .. key .. " was already processed; ignored")
    return false
  end
  Processed[key] = true
  return true
end

--- The id of the user message that started msg's chain (the messenger's Pushed-For).
local function chainRoot(msg)
  if msg.From ~= msg.Owner and type(msg["Pushed-For"]) == "string" then return msg["Pushed-For"] end
  return tostring(msg.Id)
end

--- msg.Timestamp in ms, unless a Timestamp tag overrode the root field (then 0: unknown).
local function timeOf(msg)
  if msg.Tags[TAG.Timestamp] == nil then return math.tointeger(msg.Timestamp) or 0 end
  return 0
end

--- Queue a message; Target and every field but Data must be non-empty strings, or the
-- messenger would drop it (ao-protocol.md §1.7): fail loudly instead.
local function send(fields)
  if type(fields.Target) ~= "string" or fields.Target == "" then
    error("a message needs a Target, got " .. quote(fields.Target), 2)
  end
  for k, v in pairs(fields) do
    if k ~= "Target" and k ~= "Data" and (type(v) ~= "string" or v == "") then
      error("tag " .. tostring(k) .. " must be a non-empty string, got " .. quote(v), 2)
    end
  end
  if type(fields.Data) ~= "string" then fields.Data = "" end
  return ao.send(fields)
end

--- Send to msg.From (never to a Reply-To), echoing the request's reference.
local function reply(msg, fields)
  fields.Target = msg.From
  fields[TAG.XReference] = fields[TAG.XReference] or msg.Tags[TAG.XReference] or msg.Tags[TAG.Reference]
  return send(fields)
end

--- Reply `<action>-Error` with Error (plain words), Message-Id and any extra tags.
local function replyError(msg, action, text, extra)
  local fields = extra or {}
  fields[TAG.Action], fields[TAG.Error], fields.Data = action .. "-Error", text, text
  fields[TAG.MessageId] = type(msg.Id) == "string" and msg.Id or nil
  return reply(msg, fields)
end

local function isAction(name)
  return Handlers.utils.hasMatchingTag(TAG.Action, name)
end

local function isOwner(msg)
  return type(Owner) == "string" and Owner ~= "" and msg.From == Owner
end

--- A JSON object text; json.encode writes an empty table as "[]".
local function encodeObject(t)
  if next(t) == nil then return "{}" end
  return json.encode(t)
end

--- The tags of a table without empty values (AO tag values are non-empty strings).
local function nonEmpty(t)
  local out = {}
  for k, v in pairs(t) do if v ~= "" then out[k] = v end end
  return out
end

--- Copy up to MAX_FORWARD_TAGS X- tags of msg into out (first occurrence, message order),
-- never overwriting a field of out.
local function copyX(msg, out)
  local seen, count, bytes = {}, 0, 0
  for _, t in ipairs(msg.TagArray or {}) do
    local name, value = t.name, t.value
    if type(name) == "string" and type(value) == "string" and value ~= "" and name:sub(1, 2) == "X-"
        and not seen[name] then
      seen[name] = true
      local size = #name + #value
      if out[name] == nil and count < MAX_FORWARD_TAGS and bytes + size <= MAX_FORWARD_BYTES then
        out[name], count, bytes = value, count + 1, bytes + size
      end
    end
  end
  return out
end

--- The JSON object in Data (a table when aos already decoded it), {} for empty Data, or nil
-- and what is wrong.
local function dataObject(msg)
  local data = msg.Data
  if data == nil or (type(data) == "string" and string.find(data, "^%s*$")) then return {} end  -- AO clients send " " for no data
  if type(data) == "string" then
    if #data > MAX_DATA_BYTES then return nil, "Data must be at most " .. MAX_DATA_BYTES .. " bytes" end
    if not string.find(data, "^%s*{") then return nil, "Data must be a JSON object" end
    local ok, decoded = pcall(json.decode, data)
    if not ok or type(decoded) ~= "table" then return nil, "Data must be a JSON object" end
    data = decoded
  end
  if type(data) ~= "table" or data[1] ~= nil then return nil, "Data must be a JSON object" end
  return data
end

--- Settings from a message's tags (names as aos normalised them) and from the JSON object in
-- its Data (any spelling). `known` maps squash(name) → canonical name. Returns canonical →
-- value, or nil and what is wrong: an unknown name is an error, never silently ignored.
local function readSettings(msg, known)
  local changes, unknown = {}, {}
  for _, t in ipairs(msg.TagArray or {}) do
    local name = t.name
    if type(name) == "string" and not PROTOCOL_TAGS[name] and name:sub(1, 2) ~= "X-" then
      local canonical = known[squash(name)]
      if canonical == nil then
        unknown[#unknown + 1] = "tag " .. quote(name)
      elseif changes[canonical] == nil then
        changes[canonical] = t.value
      end
    end
  end
  local data, problem = dataObject(msg)
  if not data then return nil, problem end
  for name, value in pairs(data) do
    local canonical = type(name) == "string" and known[squash(name)] or nil
    if canonical == nil then
      unknown[#unknown + 1] = "Data key " .. quote(name)
    elseif changes[canonical] ~= nil and changes[canonical] ~= value then
      return nil, canonical .. " is given twice with different values (a tag and a Data key)"
    else
      changes[canonical] = value
    end
  end
  if #unknown > 0 then
    local names = {}
    for _, canonical in pairs(known) do names[canonical] = true end
    local list = {}
    for canonical in pairs(names) do list[#list + 1] = canonical end
    table.sort(list)
    table.sort(unknown)
    return nil, "Unknown " .. table.concat(unknown, ", ") .. " (aos renames tags: TokenManagerProcess "
      .. "arrives as Tokenmanagerprocess; any spelling of a known name works); known: "
      .. table.concat(list, ", ")
  end
  return changes
end

--- The Process-Id of an Authorize/Revoke/Set...Process request: a Process-Id tag (or
-- ProcessId, which arrives as Processid), a JSON object in Data, or a bare id as Data.
local function readProcessId(msg)
  if type(msg.Data) == "string" and isProcessId(msg.Data) then
    local changes, problem = readSettings({ TagArray = msg.TagArray, Data = "" }, { processid = TAG.ProcessId })
    if not changes then return nil, problem end
    if changes[TAG.ProcessId] ~= nil and changes[TAG.ProcessId] ~= msg.Data then
      return nil, "Process-Id is given twice with different values (a tag and Data)"
    end
    return msg.Data
  end
  local changes, problem = readSettings(msg, { processid = TAG.ProcessId })
  if not changes then return nil, problem end
  local id = changes[TAG.ProcessId]
  if id == nil then
    return nil, "Process-Id is required: a tag Process-Id (or ProcessId), JSON {\"processId\": ...} or the id as Data"
  end
  if not isProcessId(id) then return nil, "Process-Id must be a 43-character process id, got " .. quote(id) end
  return id
end

--- Register Authorize, Revoke and CheckAuthorization for a sub-process whose Authorized table
-- lists the processes allowed to use it in `role`. `details()` adds tags to the status reply.
local function addAuthorizationHandlers(role, details)
  local function status(id)
    local out = details and details() or {}
    out[TAG.ProcessId], out[TAG.Role] = id, role
    out[TAG.Authorized] = Authorized[id] and "true" or "false"
    return out
  end
  for _, action in ipairs({ ACTION.Authorize, ACTION.Revoke }) do
    Handlers.add(action, isAction(action), function(msg)
      if not firstDelivery(msg, action) then return end
      if not isOwner(msg) then return replyError(msg, action, "Only the process owner may use " .. action) end
      local id, problem = readProcessId(msg)
      if not id then return replyError(msg, action, problem) end
      if id == ao.id then return replyError(msg, action, "A process cannot authorize itself") end
      Authorized[id] = action == ACTION.Authorize or nil
      local out = status(id)
      out[TAG.Action] = action .. "-Notice"
      out.Data = id .. (Authorized[id] and " may now act as " or " may no longer act as ") .. role
      reply(msg, out)
    end)
  end
  Handlers.add(ACTION.CheckAuthorization, isAction(ACTION.CheckAuthorization), function(msg)
    local id = msg.Tags[TAG.ProcessId] or msg.Tags.Processid or msg.From
    if not isAddress(id) then
      return replyError(msg, ACTION.CheckAuthorization, "Process-Id must be a 43-character id, got " .. quote(id))
    end
    local out = status(id)
    out[TAG.Action] = ACTION.AuthorizationStatus
    reply(msg, out)
  end)
end

--- The authorized processes as a sorted list.
local function authorizedList()
  local list = {}
  for id in pairs(Authorized or {}) do list[#list + 1] = id end
  table.sort(list)
  return list
end
-- END SHARED HELPERS (orchestration)

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
