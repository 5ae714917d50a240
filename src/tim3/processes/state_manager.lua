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

local json = require("json")

-- The helpers shared by the orchestration processes (lib/orchestration.lua).
local shared = require("lib.orchestration")
local TAG, ACTION = shared.TAG, shared.ACTION
local squash, quote, isAddress = shared.squash, shared.quote, shared.isAddress
local parseQuantity, add, checkKey = shared.parseQuantity, shared.add, shared.checkKey
local echo, timeOf, reply, replyError = shared.echo, shared.timeOf, shared.reply, shared.replyError
local isAction, encodeObject, nonEmpty = shared.isAction, shared.encodeObject, shared.nonEmpty
local readSettings, addAuthorizationHandlers = shared.readSettings, shared.addAuthorizationHandlers
local authorizedList = shared.authorizedList

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
