--- The `ao` global: identity, trust, outbox, send/spawn/assign (aos's `.ao`), §1.6–1.7.
-- @module ao

local ao = { _version = "0.0.6" }

ao.id = ""
ao._module = ""
ao.authorities = {}
ao.reference = 0
ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
ao.assignables = {}
ao.nonExtractableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
  "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
}
ao.nonForwardableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner", "Anchor",
  "Target", "Tags", "TagArray", "Hash-Chain", "Timestamp", "Nonce", "Epoch", "Signature",
  "Forwarded-By", "Pushed-For", "Read-Only", "Cron", "Block-Height", "Reference", "Id", "Reply-To",
}

local function includes(list, value)
  for _, v in ipairs(list) do if v == value then return true end end
  return false
end

local function padReference(n)
  return string.format("%032d", n)
end

--- Deep copy of a table (cycles kept).
function ao.clone(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local out = {}
  seen[obj] = out
  for k, v in pairs(obj) do out[ao.clone(k, seen)] = ao.clone(v, seen) end
  return setmetatable(out, getmetatable(obj))
end

local protected = {}
for _, name in ipairs(ao.nonExtractableTags) do protected[name] = true end

--- Copy every tag to the message root, except the protected names.
function ao.normalize(msg)
  for _, tag in ipairs(msg.Tags or {}) do
    if not protected[tag.name] then
      msg[tag.name] = tag.value
    end
  end
  return msg
end

--- A deep clone of msg without the fields that must not be forwarded.
function ao.sanitize(msg)
  local out = ao.clone(msg)
  for k in pairs(out) do
    if includes(ao.nonForwardableTags, k) then out[k] = nil end
  end
  return out
end

--- Take the process identity and authorities from env (first call sets id and module).
function ao.init(env)
  if ao.id == "" then ao.id = env.Process.Id end
  if ao._module == "" then
    for _, tag in ipairs(env.Process.Tags or {}) do
      if tag.name == "Module" then ao._module = tag.value; break end
    end
  end
  for _, tag in ipairs(env.Process.Tags or {}) do
    if tag.name == "Authority" then
      for part in string.gmatch(tag.value, "[^,]+") do
        local a = part:match("^%s*(.-)%s*$")
        if a ~= "" and not includes(ao.authorities, a) then
          table.insert(ao.authorities, a)
        end
      end
    end
  end
  ao.env = env                          -- process.handle clears the outbox next
end

--- Append text to the Output of this message.
function ao.log(txt)
  if type(ao.outbox.Output) == "string" then
    ao.outbox.Output = { ao.outbox.Output }
  end
  table.insert(ao.outbox.Output, txt)
end

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

-- Root keys in sorted order: aos uses `pairs` order, which is unspecified; sorting makes
-- replays and tests reproducible. `keys` is scratch space (sending never yields).
local sort, next, type = table.sort, next, type
local keys = {}

local function appendSorted(tags, n, t, skip)
  local nk = 0
  for k in next, t do
    if type(k) == "string" and not (skip and skip[k]) then nk = nk + 1; keys[nk] = k end
  end
  local stale = nk + 1                 -- left by a call that an error cut short
  while keys[stale] ~= nil do keys[stale] = nil; stale = stale + 1 end
  if nk > 1 then sort(keys, nil) end
  for i = 1, nk do
    local k = keys[i]
    keys[i] = nil
    n = n + 1
    tags[n] = { name = k, value = t[k] }
  end
  return n
end

-- Append msg's root fields (except `skip`) and then msg.Tags to the tag array `tags` of length n.
local function appendTags(tags, n, msg, skip)
  n = appendSorted(tags, n, msg, skip)
  local extra = msg.Tags
  if type(extra) == "table" then
    if extra[1] ~= nil then
      local i, t = 1, extra[1]
      while t ~= nil do
        n = n + 1
        tags[n] = t
        i = i + 1
        t = extra[i]
      end
    else
      appendSorted(tags, n, extra, nil)
    end
  end
end

local function replyMatcher(from, ref)
  return { From = from, ["X-Reference"] = ref }
end

local SEND_SKIP = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

-- What ao.send returns: the message plus onReply/receive, built on first use (a message is
-- sent far more often than its reply is awaited).
local SentMessage = {}
SentMessage.__index = function(sent, key)
  if key == "onReply" then
    return function(...)
      local from, handle
      if select("#", ...) == 2 then from, handle = ... else handle = ...; from = sent.Target end
      Handlers.once(replyMatcher(from, sent._ref), handle)
    end
  elseif key == "receive" then
    return function(from)
      return Handlers.receive(replyMatcher(from or sent.Target, sent._ref))
    end
  end
  return nil
end

--- Queue a message. Tag values are not stringified (the messenger drops non-strings).
function ao.send(msg)
  assert(type(msg) == "table", "msg should be a table")
  local reference = ao.reference + 1
  ao.reference = reference
  local ref = tostring(reference)
  local anchor = padReference(reference)
  local tags = {
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Message" },
    { name = "Reference", value = ref },
  }
  appendTags(tags, 4, msg, SEND_SKIP)
  local target, data = msg.Target, msg.Data
  if Handlers ~= nil then
    local box = ao.outbox.Messages
    box[#box + 1] = { Target = target, Data = data, Anchor = anchor, Tags = tags }
  end
  return setmetatable({ Target = target, Data = data, Anchor = anchor, Tags = tags, _ref = ref },
    SentMessage)
end

local SPAWN_SKIP = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

--- Queue a process spawn of `module` with the tags and data of msg.
function ao.spawn(module, msg)
  assert(type(module) == "string", "module source id is required!")
  assert(type(msg) == "table", "msg should be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local out = {
    Data = msg.Data or "NODATA",
    Anchor = padReference(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Process" },
      { name = "From-Process", value = ao.id },
      { name = "From-Module", value = ao._module },
      { name = "Module", value = module },
      { name = "Reference", value = ref },
    },
  }
  appendTags(out.Tags, 7, msg, SPAWN_SKIP)
  table.insert(ao.outbox.Spawns, { Data = out.Data, Anchor = out.Anchor, Tags = out.Tags })
  local matcher = { Action = "Spawned", From = ao.id, Reference = ref }
  out.onReply = function(handle) Handlers.once(matcher, handle) end
  out.receive = function() return Handlers.receive(matcher) end
  return out
end

--- Queue an assignment: {Processes = {...}, Message = "<id>"}.
function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  table.insert(ao.outbox.Assignments, assignment)
end

--- True when msg.From or msg.Owner is one of the process's authorities.
function ao.isTrusted(msg)
  for _, a in ipairs(ao.authorities) do
    if msg.From == a or msg.Owner == a then return true end
  end
  return false
end

--- The result of a message: Error alone, or Output, Messages, Spawns and Assignments.
function ao.result(result)
  result = result or {}
  local err = result.Error or ao.outbox.Error
  if err then return { Error = err } end
  return {
    Output = result.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

--- An assignment is a message whose Target is another process.
function ao.isAssignment(msg)
  return msg.Target ~= ao.id
end

--- Accept assignments matching spec: addAssignable([name,] spec).
function ao.addAssignable(...)
  local name, spec
  if select("#", ...) >= 2 then name, spec = ... else spec = ... end
  if name then
    for i, a in ipairs(ao.assignables) do
      if a.name == name then ao.assignables[i].pattern = spec; return end
    end
  end
  table.insert(ao.assignables, { name = name, pattern = spec })
end

--- Remove an assignable by name or index.
function ao.removeAssignable(key)
  if type(key) == "number" then
    table.remove(ao.assignables, key)
    return
  end
  for i, a in ipairs(ao.assignables) do
    if a.name == key then table.remove(ao.assignables, i); return end
  end
end

--- True when an assignment matches one of the assignables.
function ao.isAssignable(msg)
  local utils = require(".utils")
  for _, a in ipairs(ao.assignables) do
    if utils.matchesSpec(msg, a.pattern) then return true end
  end
  return false
end

return ao
