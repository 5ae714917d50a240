--[[ state_manager.lua — the State Manager: per-user positions of the multi-process designs
(coordinator.lua and orchestrator.lua; see docs/orchestration.md).

A position is three running totals of base units: Deposited (USDA deposited or locked),
Minted (TIM3 minted) and Redeemed (TIM3 redeemed or burned). Only processes the owner has
authorized (writers: the coordinator, the orchestrator) change them, by UpdatePosition with
amounts to add and an Update-Id, the update's id: a second update with the same Update-Id from
the same writer changes nothing and gets the first answer again (Duplicate = "true"), so a
writer can safely retry. Anyone reads them. The positions are a record, not the money: the
tokens' ledgers are the truth.

QUANTITIES are canonical decimal strings (^[1-9][0-9]*$, at most 60 digits), summed with bint.
REPLIES go to msg.From (never Reply-To) with X-Reference = the request's X-Reference or Reference;
errors are `<Action>-Error` with Error and Message-Id; read replies carry no Action; unknown or
missing Actions get no reply.

ACTIONS
  UpdatePosition  writers only. User, Update-Id, and at least one of Deposited, Minted,
                  Redeemed (amounts to add) — as tags, or as a JSON object in Data with the
                  same names in any spelling ({"user": ..., "updateId": ..., "minted": "5"}).
                  → Position-Updated (User, Update-Id, Deposited, Minted, Redeemed = the new
                    totals, [Duplicate]) to the writer.
                  ✗ UpdatePosition-Error (Error, Update-Id): not an authorized writer, bad
                    User or amount, unknown field, Update-Id used for a different update.
  GetPosition     [User] (default msg.From) → User, Deposited, Minted, Redeemed, Updates;
                  Data = the same as JSON. An unknown user has all zeros.
  GetPositions    → Count; Data = JSON object user → {deposited, minted, redeemed, updates}.
  Authorize       owner only; Process-Id (tag, `ProcessId`, JSON Data or bare id in Data)
  Revoke          → Authorize-Notice / Revoke-Notice (Process-Id, Role = "Writer", Authorized).
  CheckAuthorization [Process-Id] (default msg.From) → Authorization-Status (Process-Id,
                  Role = "Writer", Authorized).
  GetConfig       → Owner, Positions (count); Data = JSON with writers.

STATE: Positions (user → {Deposited, Minted, Redeemed, Updates, Updated}), Authorized (writer →
true), Updates ("<writer> <Update-Id>" → {User, Deposited, Minted, Redeemed}), Processed (keys of
owner actions).
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

ACTION.UpdatePosition, ACTION.PositionUpdated = "UpdatePosition", "Position-Updated"
ACTION.GetPosition, ACTION.GetPositions = "GetPosition", "GetPositions"
TAG.User, TAG.UpdateId, TAG.Updates, TAG.Count = "User", "Update-Id", "Updates", "Count"
TAG.Deposited, TAG.Minted, TAG.Redeemed = "Deposited", "Minted", "Redeemed"

local ROLE = "Writer"
local FIELDS = { TAG.Deposited, TAG.Minted, TAG.Redeemed }
local KNOWN = { user = TAG.User, updateid = TAG.UpdateId }
for _, name in ipairs(FIELDS) do KNOWN[squash(name)] = name end

-- State ---------------------------------------------------------------------------------------

Positions = Positions or {}
Authorized = Authorized or {}
Updates = Updates or {}
Processed = Processed or {}

-- Helpers -------------------------------------------------------------------------------------

local function positionOf(user)
  return Positions[user] or { Deposited = "0", Minted = "0", Redeemed = "0", Updates = 0, Updated = 0 }
end

local function positionTags(user)
  local p = positionOf(user)
  return { [TAG.User] = user, [TAG.Deposited] = p.Deposited, [TAG.Minted] = p.Minted,
    [TAG.Redeemed] = p.Redeemed, [TAG.Updates] = tostring(p.Updates) }
end

local function positionJson(p)
  return { deposited = p.Deposited, minted = p.Minted, redeemed = p.Redeemed,
    updates = tostring(p.Updates) }
end

-- Handlers (in the header's order) ------------------------------------------------------------

Handlers.add(ACTION.UpdatePosition, isAction(ACTION.UpdatePosition), function(msg)
  local fields, problem = readSettings(msg, KNOWN)
  local echoed = echo(TAG.UpdateId, fields and fields[TAG.UpdateId])
  if not Authorized[msg.From] then
    return replyError(msg, ACTION.UpdatePosition, msg.From .. " is not an authorized writer of this "
      .. "State Manager; its owner must send Authorize with Process-Id = " .. msg.From, echoed)
  end
  if not fields then return replyError(msg, ACTION.UpdatePosition, problem, echoed) end
  local id, bad = checkKey(fields[TAG.UpdateId], TAG.UpdateId)
  if not id then return replyError(msg, ACTION.UpdatePosition, bad, echoed) end
  local user = fields[TAG.User]
  if not isAddress(user) then
    return replyError(msg, ACTION.UpdatePosition, "User must be an address, got " .. quote(user), echoed)
  end
  local deltas, any = {}, false
  for _, name in ipairs(FIELDS) do
    if fields[name] ~= nil then
      local q, wrong = parseQuantity(fields[name], name)
      if not q then return replyError(msg, ACTION.UpdatePosition, wrong, echoed) end
      deltas[name], any = tostring(q), true
    else
      deltas[name] = "0"
    end
  end
  if not any then
    return replyError(msg, ACTION.UpdatePosition, "Give at least one of Deposited, Minted, Redeemed", echoed)
  end
  local key = msg.From .. " " .. id
  local before = Updates[key]
  if before then
    for _, name in ipairs(FIELDS) do
      if before.User ~= user or before[name] ~= deltas[name] then
        return replyError(msg, ACTION.UpdatePosition, "Update-Id " .. id .. " was used before for a "
          .. "different update; use a new Update-Id", echoed)
      end
    end
    local out = positionTags(user)
    out[TAG.Action], out[TAG.UpdateId], out[TAG.Duplicate] = ACTION.PositionUpdated, id, "true"
    out.Data = "Update " .. id .. " was already applied; nothing changed"
    return reply(msg, out)
  end
  local p = positionOf(user)
  local new = { Updates = p.Updates + 1, Updated = timeOf(msg) }
  for _, name in ipairs(FIELDS) do new[name] = add(p[name], deltas[name]) end

  Positions[user] = new
  deltas.User = user
  Updates[key] = deltas

  local out = positionTags(user)
  out[TAG.Action], out[TAG.UpdateId] = ACTION.PositionUpdated, id
  out.Data = json.encode(positionJson(new))
  reply(msg, out)
end)

Handlers.add(ACTION.GetPosition, isAction(ACTION.GetPosition), function(msg)
  local user = msg.Tags[TAG.User] or msg.From
  if not isAddress(user) then
    return replyError(msg, ACTION.GetPosition, "User must be an address, got " .. quote(user))
  end
  local out = positionTags(user)
  local data = positionJson(positionOf(user))
  data.user = user
  out.Data = json.encode(data)
  reply(msg, out)
end)

Handlers.add(ACTION.GetPositions, isAction(ACTION.GetPositions), function(msg)
  local all, count = {}, 0
  for user, p in pairs(Positions) do all[user], count = positionJson(p), count + 1 end
  reply(msg, { [TAG.Count] = tostring(count), Data = encodeObject(all) })
end)

addAuthorizationHandlers(ROLE)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), function(msg)
  local owner = type(Owner) == "string" and Owner or ""
  local count = 0
  for _ in pairs(Positions) do count = count + 1 end
  reply(msg, nonEmpty({ [TAG.Owner] = owner, Positions = tostring(count),
    Data = json.encode({ owner = owner, writers = authorizedList(), positions = tostring(count) }) }))
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
