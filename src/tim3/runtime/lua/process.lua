--- The process entry point: process.handle(msg, env), step by step as ao-protocol.md §1.4.
-- Installs the aos globals (ao, Handlers, Send, Spawn, Assign, print, Prompt …) once.
-- @module process

local json = require("json")
local utils = require(".utils")
local stringify = require(".stringify")
local chance = require(".chance")

local process = { _version = "2.0.4" }

local MAX_INBOX = 10000

ao = ao or require(".ao")
Handlers = require(".handlers")
Handlers.utils = require(".handlers-utils")
Utils = utils
Dump = stringify.format
Bell = "\x07"
Colors = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", gray = "\27[90m", reset = "\27[0m",
}

math.random = chance.random
math.randomseed = function() end

-- Data given as a table travels as JSON, as in aos.
local function encodeData(msg)
  if type(msg) == "table" and type(msg.Data) == "table" then
    msg.Data = json.encode(msg.Data)
    msg["Content-Type"] = "application/json"
  end
end

local rawSend, rawSpawn = ao.send, ao.spawn
if not ao._dataWrapped then
  ao.send = function(msg) encodeData(msg); return rawSend(msg) end
  ao.spawn = function(module, msg) encodeData(msg); return rawSpawn(module, msg) end
  ao._dataWrapped = true
end

--- Print into the message's Output (tables pretty-printed, scalars coloured).
function print(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local a = select(i, ...)
    local kind = type(a)
    if kind == "table" then a = stringify.format(a)
    elseif kind == "boolean" or kind == "number" then a = Colors.blue .. tostring(a) .. Colors.reset
    elseif kind == "nil" then a = Colors.red .. "nil" .. Colors.reset
    else a = tostring(a) end
    parts[#parts + 1] = a
  end
  local line = table.concat(parts, "\t")
  if HANDLER_PRINT_LOGS then table.insert(HANDLER_PRINT_LOGS, line) end
  local out = ao.outbox.Output
  if type(out) == "table" then
    out.data = out.data and (out.data .. "\n" .. line) or line
  end
  return nil
end

local promptName, promptInbox, promptText = nil, nil, nil

--- The aos prompt: Name@aos-<version>[Inbox:N]>
function Prompt()
  if Name == promptName and #Inbox == promptInbox and promptText then return promptText end
  promptName, promptInbox = Name, #Inbox
  promptText = Colors.green .. tostring(Name) .. Colors.gray .. "@" .. Colors.blue .. "aos-" .. process._version ..
    Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox) .. Colors.gray .. "]" .. Colors.reset .. "> "
  return promptText
end

--- Queue a message; warns when it has no Target (it will not be delivered).
function Send(msg)
  if msg.Target == nil then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local result = ao.send(msg)
  return { output = "Message added to outbox", receive = result.receive, onReply = result.onReply }
end

--- Queue a spawn: Spawn([module,] msg); one argument spawns this process's module.
function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then module, msg = ao._module, ... else module, msg = ... end
  if not msg then msg = {} end
  local result = ao.spawn(module, msg)
  return { output = "Spawn process request added to outbox", after = result.after, receive = result.receive }
end

--- Queue an assignment.
function Assign(assignment)
  ao.assign(assignment)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

Receive = Handlers.receive

--- A name → value map of a message's tag list; the first occurrence of a name wins.
function Tab(msg)
  local map = {}
  for _, tag in ipairs(msg.Tags or {}) do
    if map[tag.name] == nil then map[tag.name] = tag.value end
  end
  return map
end

local function insertInbox(msg)
  table.insert(Inbox, msg)
  while #Inbox > MAX_INBOX do table.remove(Inbox, 1) end
end

local defaultHandle = require(".default")(insertInbox)

-- utils.normalize for every root key and tag name of every message: the answers are kept
-- here (bounded), so a name already seen costs one table read.
local normalName, normalCount = {}, 0

local function normalize(name)
  local n = normalName[name]
  if n ~= nil then return n end
  n = utils.normalize(name)
  if normalCount >= 4096 then normalName, normalCount = {}, 0 end
  normalName[name] = n
  normalCount = normalCount + 1
  return n
end

local function normalizeMsg(msg)
  local moves = nil
  for k in next, msg do
    if type(k) == "string" then
      local n = normalName[k] or normalize(k)
      if n ~= k then
        moves = moves or {}
        moves[#moves + 1] = { k, n }
      end
    end
  end
  if moves then
    if moves[2] then table.sort(moves, function(a, b) return a[1] < b[1] end) end
    for _, m in ipairs(moves) do
      msg[m[2]] = msg[m[1]]
      msg[m[1]] = nil
    end
  end
  local tags = msg.Tags
  if tags then
    for i = 1, #tags do
      local tag = tags[i]
      local name = tag.name
      tag.name = normalName[name] or normalize(name)
    end
  end
  ao.normalize(msg)
end

local function byteSum(s)
  local sum = 0
  for i = 1, #s do sum = sum + s:byte(i) end
  return sum
end

local function initializeState(msg, env)
  if not Seeded then
    chance.seed(tostring(msg["Block-Height"]) .. tostring(byteSum(tostring(msg.Owner) .. tostring(msg.Module) .. tostring(msg.Id))))
    Seeded = true
  end
  Errors = Errors or {}
  Inbox = Inbox or {}
  if Owner == nil and env.Process.Id == msg.Id then
    local processTags = Tab(env.Process)
    Owner = processTags["From-Process"] or msg.From
  end
  if Name == nil then
    Name = Tab(env.Process).Name or "aos"
  end
end

local function attachReply(msg)
  msg.reply = function(replyMsg)
    replyMsg.Target = msg["Reply-To"] or replyMsg.Target or msg.From
    replyMsg["X-Reference"] = msg["X-Reference"] or msg.Reference
    replyMsg["X-Origin"] = msg["X-Origin"]
    return ao.send(replyMsg)
  end
  msg.forward = function(target, extra)
    local out = ao.sanitize(msg)
    for k, v in pairs(extra or {}) do out[k] = v end
    out.Target = target
    out["Reply-To"] = msg["Reply-To"] or msg.From
    out["X-Reference"] = msg["X-Reference"] or msg.Reference
    out["X-Origin"] = msg["X-Origin"] or msg.From
    out.reply = nil
    out.forward = nil
    ao.send(out)
  end
end

local currentTimestamp = nil
local function msgTime() return currentTimestamp end

local function logs()
  return table.concat(HANDLER_PRINT_LOGS or {}, "\n")
end

local function keepIfSuspended(co)
  if coroutine.status(co) == "dead" then return end
  local live = {}
  for _, c in ipairs(Handlers.coroutines) do
    if coroutine.status(c) ~= "dead" then live[#live + 1] = c end
  end
  live[#live + 1] = co
  Handlers.coroutines = live
end

local function isEval(m) return m.Action == "Eval" and Owner == m.From end
local function isBoot(m) return m.Tags.Type == "Process" and Owner == m.From end
local function always() return true end
local evalHandle = require(".eval")(ao)
local bootHandle = require(".boot")(ao)
local builtinEval, builtinDefault = nil, nil

-- aos re-registers _eval and _default on every message; doing it only when they are missing
-- or were changed gives the same list without rebuilding two handlers per message.
local function ensureBuiltins(isBootMessage)
  local hasEval, hasDefault = false, false
  for _, h in ipairs(Handlers.list) do
    if h == builtinEval and h.name == "_eval" and h.pattern == isEval then hasEval = true end
    if h == builtinDefault and h.name == "_default" and h.pattern == always then hasDefault = true end
  end
  if not hasEval then
    Handlers.add("_eval", isEval, evalHandle)
    for _, h in ipairs(Handlers.list) do if h.name == "_eval" then builtinEval = h end end
  end
  if isBootMessage then
    Handlers.once("_boot", isBoot, bootHandle)
  end
  if not hasDefault then
    Handlers.append("_default", always, defaultHandle)
    for _, h in ipairs(Handlers.list) do if h.name == "_default" then builtinDefault = h end end
  end
end


--- Evaluate one message; returns {Error} or {Output, Messages, Spawns, Assignments}.
function process.handle(msg, envArg)
  local env = envArg.Process and envArg or envArg.env
  ao.init(env)
  normalizeMsg(msg)
  ao.id = ao.env.Process.Id
  initializeState(msg, ao.env)
  HANDLER_PRINT_LOGS = {}
  currentTimestamp = msg.Timestamp
  os.time = msgTime

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  if ao.env.Process.TagArray == nil then
    ao.env.Process.TagArray = ao.env.Process.Tags
    ao.env.Process.Tags = Tab(ao.env.Process)
  end
  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = json.decode(msg.Data or "{}")
  end
  ao.clearOutbox()

  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    print("Message is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end
  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end

  ensureBuiltins(env.Process.Id == msg.Id)

  attachReply(msg)

  local co = coroutine.create(function() return pcall(Handlers.evaluate, msg, ao.env) end)
  local resumed, ok, err = coroutine.resume(co)
  keepIfSuspended(co)
  if not resumed then ok, err = false, ok end

  ao.Nonce = msg.Nonce

  if not ok then
    local text = type(err) == "string" and err or stringify.format(err)
    if msg.Action == "Eval" then
      table.insert(Errors, text)
      return { Error = logs() .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. text }
    end
    print(Colors.red .. "Error" .. Colors.gray .. " handling message with Action = " .. tostring(msg.Action) .. Colors.reset)
    print(Colors.green .. text .. Colors.reset)
    return ao.result({ Error = logs() .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. text })
  end

  if msg.Action == "Eval" then
    local response = ao.result({ Output = { data = logs(), prompt = Prompt(), test = Dump(HANDLER_PRINT_LOGS) } })
    HANDLER_PRINT_LOGS = {}
    return response
  end
  return ao.result({ Output = { data = logs(), prompt = Prompt(), print = true } })
end

return process
