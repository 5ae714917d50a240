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
