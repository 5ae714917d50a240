--[[ lib/orchestration.lua — the helpers shared by the orchestration processes: coordinator.lua,
orchestrator.lua, token_manager.lua, state_manager.lua and lock_manager.lua each
`require("lib.orchestration")` (`tim3 build`, and every spawn from tim3.processes.source, puts
this file in front of the process as a package.preload entry).

What it returns: the limits (MAX_QUANTITY_DIGITS, MAX_LEDGER_DIGITS, MAX_KEY_LENGTH,
MAX_DATA_BYTES, MAX_FORWARD_TAGS, MAX_FORWARD_BYTES), the TAG and ACTION names common to the
family (a process adds its own names to these two tables), PROTOCOL_TAGS, and the helpers:
squash, quote, isAddress, isProcessId, parseQuantity (security.md rule 2), amount, stored, add,
sub, checkKey, echo, messageKey, firstDelivery (security.md rule 9), chainRoot, timeOf, send,
reply, replyError, isAction, isOwner, encodeObject, nonEmpty, copyX, dataObject, readSettings,
readProcessId, addAuthorizationHandlers, authorizedList.

It creates no global. The helpers read the process's globals when called: Owner, ao, Handlers,
and the state the process declares (Processed for firstDelivery, Authorized for
addAuthorizationHandlers and authorizedList).
]]

local bint = require(".bint")(256)
local json = require("json")


local MAX_QUANTITY_DIGITS = 60    -- per message; sums stay far below bint's 2^255
local MAX_LEDGER_DIGITS = 70      -- a stored sum this long means something is badly wrong
local MAX_KEY_LENGTH = 100        -- Purpose, Lock-Id, Unlock-Id, Update-Id, Flow-Id
local MAX_DATA_BYTES = 16384      -- JSON in Data
local MAX_FORWARD_TAGS, MAX_FORWARD_BYTES = 16, 2048

-- The tag names every process of this family uses; each process adds its own to these tables.
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

local M = {
  MAX_QUANTITY_DIGITS = MAX_QUANTITY_DIGITS, MAX_LEDGER_DIGITS = MAX_LEDGER_DIGITS,
  MAX_KEY_LENGTH = MAX_KEY_LENGTH, MAX_DATA_BYTES = MAX_DATA_BYTES,
  MAX_FORWARD_TAGS = MAX_FORWARD_TAGS, MAX_FORWARD_BYTES = MAX_FORWARD_BYTES, TAG = TAG,
  ACTION = ACTION, PROTOCOL_TAGS = PROTOCOL_TAGS, squash = squash, quote = quote,
  isAddress = isAddress, isProcessId = isProcessId, parseQuantity = parseQuantity, amount = amount,
  stored = stored, add = add, sub = sub, checkKey = checkKey, echo = echo, messageKey = messageKey,
  firstDelivery = firstDelivery, chainRoot = chainRoot, timeOf = timeOf, send = send,
  reply = reply, replyError = replyError, isAction = isAction, isOwner = isOwner,
  encodeObject = encodeObject, nonEmpty = nonEmpty, copyX = copyX, dataObject = dataObject,
  readSettings = readSettings, readProcessId = readProcessId,
  addAuthorizationHandlers = addAuthorizationHandlers, authorizedList = authorizedList,
}

return M
