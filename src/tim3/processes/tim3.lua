--[[ tim3.lua — TIM3: one AO process that is both the TIM3 token and a 1:1 swap against USDA.

Send USDA to this process and it mints the same number of TIM3 base units to you; redeem TIM3
and it burns them and sends the same number of USDA base units back. Every TIM3 in existence is
a claim on one USDA base unit held by this process (../../../../shared/docs/security.md).

SPAWN TAGS (all optional except Authority; names in canonical aos form, any spelling is accepted:
`USDA-Process` and `usda_process` both mean `Usda-Process`)
  Authority        REQUIRED: the messenger (MU) address. Without it aos drops every genuine
                   Credit-Notice, so the process refuses to boot without one.
  Usda-Process     the USDA token process id (43 characters). Unset: no deposit is accepted.
  Denomination     decimal places, "0".."99"; default "12" (USDA's). Display only.
  Logo             a transaction id, optional.
  Mint-Paused      "true" | "false" (default "false").
  Redeem-Paused    "true" | "false" (default "false").
  Max-Deposit      largest accepted deposit in base units; unset = no cap.
  Max-Supply       Total-Supply may not pass it through a deposit; unset = no cap.
  Payout-Timeout   milliseconds after which a pending payout is reported stale; default
                   "3600000" (1 hour).
An invalid spawn tag stops the boot (the process then handles nothing).

QUANTITIES are whole numbers of base units as decimal strings: ^[1-9][0-9]*$, at most 60 digits
(checked before any big-integer parse), and bint must print them back unchanged.
ADDRESSES (Recipient, Sender, New-Owner) are 43-character base64url ids or 0x + 40 hex digits.

REPLIES go to msg.From, never to Reply-To (security rule 5), with X-Reference = the request's
X-Reference or Reference. Every error reply is `<Action>-Error` with `Error` (plain words) and
`Message-Id`. Read replies carry no Action, so they can never start a handler elsewhere. A message
with an unknown or missing Action gets no reply and is not kept in the Inbox.

ACTIONS — token (aos token standard, ao-protocol.md §2)
  Info            → Name, Ticker, Denomination, [Logo], Total-Supply, Reserve, Pending-Payouts,
                    Quarantined, Surplus, Shortfall, every setting, [Owner]; Data = the same
                    as a JSON object of strings.
  Balance         [Recipient | Target] (default msg.From) → Balance, Ticker, Account; Data.
  Balances        → Data = JSON object address → balance ("{}" when empty).
  Total-Supply    → Total-Supply, Ticker; Data = the supply.
  Transfer        Recipient, Quantity, [Cast], [X-*]
                  → unless Cast: Debit-Notice (Recipient, Quantity, X-*) to the sender and
                    Credit-Notice (Sender, Quantity, X-*) to Recipient.
                  Recipient = "burn" redeems instead (the seed's form): exactly like Redeem
                    with the sender as payout recipient, errors as Transfer-Error.
                  ✗ Transfer-Error. Recipient may not be this process or the USDA process.
  Mint, Burn      ✗ Mint-Error / Burn-Error: TIM3 is minted only by depositing USDA and burned
                    only by redeeming.

ACTIONS — swap
  Credit-Notice   from the USDA process (msg.From, nothing else): Sender, Quantity, [X-*]
                  → mint Quantity to Sender; Reserve += Quantity; Credit-Notice (Sender = this
                    process, Quantity, Deposit-Id, X-* of the deposit) to Sender.
                  ✗ refund: USDA Transfer of the exact original Quantity string back to Sender
                    with X-Refund-Reason, X-Refund-Of (deposit id) and the deposit's X-*, and a
                    Deposit-Error (Error, Quantity, Deposit-Id) to Sender. Reasons: minting
                    paused, Quantity not canonical, over Max-Deposit or Max-Supply, an internal
                    error. A rejected deposit that is itself a refund (X-Refund-Of or
                    X-Refund-Reason present) is quarantined instead, so two swaps never bounce
                    USDA between them forever. No Sender, a malformed Sender or Sender = this
                    process: nothing is minted or sent; a valid Quantity is counted as Surplus.
                  from any other process: never mints; its tokens are sent back once per notice
                    (Transfer to that process, Recipient = Sender, X-Refund-*), unless the notice
                    is itself a refund or Sender is unusable. From a wallet: ignored.
  Redeem          Quantity, [Recipient] (default msg.From), [X-*]
                  → burn Quantity from the sender, record a pending payout whose id is this
                    message's id, send USDA `Transfer` (Recipient, Quantity, X-Payout-Id = id,
                    X-Reference = id, the request's X-*). No immediate reply.
                  ✗ Redeem-Error (paused, bad Quantity or Recipient, insufficient balance,
                    USDA not configured, an `Id` tag on the request).
  Debit-Notice    from USDA, X-Payout-Id or X-Reference = a payout id, Recipient and Quantity
                  equal to that payout's → settled once: Reserve -= Quantity; Redeem-Notice
                  (Payout-Id, Recipient, Quantity) to the holder. Anything else is ignored.
                  For a payout already restored (below), the transfer did happen after all:
                  the restored TIM3 is taken back from the holder (what is missing is counted
                  as Shortfall) and Reserve -= Quantity.
  Transfer-Error  from USDA, X-Reference (or X-Payout-Id) = a pending payout id, and its
                  Pushed-For = the redeem's chain root → the payout failed: TIM3 restored to the
                  holder, Redeem-Error (Payout-Id, Quantity, Error) to the holder.

ACTIONS — reports (read-only)
  Reserves        → Total-Supply, Reserve, Pending-Payouts, Quarantined, Surplus, Shortfall,
                    Liabilities, Payouts-Pending, Payouts-Stale, Invariant = "ok" | "broken";
                    Data = JSON with the same plus the quarantine list.
  Payouts         [Limit] (1..1000, default 100) → Count, Data = JSON array of payouts
                    (Id, Holder, Recipient, Quantity, Created, Age, Status, Stale), oldest first.
  Get-Config      → the same tags and Data as Info.

ACTIONS — owner only (msg.From == Owner); others get <Action>-Error
  Set-Config         Data = JSON object of settings (spawn tag names above), and/or the same
                     names as tags → Set-Config-Notice with the new settings. Usda-Process and
                     Denomination change only while Reserve is "0". "" or "none" clears a cap.
  Pause-Mint, Resume-Mint, Pause-Redeem, Resume-Redeem → <Action>-Notice.
  Resolve-Payout     Payout-Id, Outcome = "Paid" | "Failed"; only for a stale pending payout
                     (the owner has checked the USDA ledger) → Resolve-Payout-Notice.
  Release-Quarantine Quarantine-Id → mints the quarantined amount to the Sender it came from.
  Transfer-Ownership New-Owner → Transfer-Ownership-Notice; the new owner must Accept-Ownership.
  Accept-Ownership   from the pending owner → Accept-Ownership-Notice; Owner changes.
  Renounce-Ownership Confirm = "Renounce-Ownership" → Owner = "" (no more Eval, no admin);
                     refused while redeeming is paused, so holders can always redeem.
  Eval (aos)         the owner can run any code, including unbacked mints: see security.md
                     rule 7; renounce to give that up.

IDEMPOTENCY: every message that may change state (Credit-Notice, Transfer, Redeem, owner actions)
is recorded in Processed before its checks, keyed on From + Anchor (the sender's own message
reference, stable across re-deliveries) for pushed messages, else on the message id; a second
delivery of it does nothing, even if it was rejected the first time. Debit-Notice and
Transfer-Error act at most once because they move a payout out of "Pending".

INVARIANTS (checked by Reserves; `Invariant = ok` means all hold)
  TotalSupply == Σ Balances; Reserve + Shortfall == TotalSupply + PendingPayouts + Quarantined;
  PendingPayouts == Σ pending payouts; Quarantined == Σ quarantine; Shortfall == 0.
]]

local bint = require(".bint")(256)
local json = require("json")

local VERSION = "1.0.0"

local ACTION = {
  Info = "Info", Balance = "Balance", Balances = "Balances", TotalSupply = "Total-Supply",
  Transfer = "Transfer", Mint = "Mint", Burn = "Burn",
  CreditNotice = "Credit-Notice", DebitNotice = "Debit-Notice", TransferError = "Transfer-Error",
  Redeem = "Redeem", RedeemNotice = "Redeem-Notice", DepositError = "Deposit-Error",
  Reserves = "Reserves", Payouts = "Payouts", GetConfig = "Get-Config",
  SetConfig = "Set-Config", PauseMint = "Pause-Mint", ResumeMint = "Resume-Mint",
  PauseRedeem = "Pause-Redeem", ResumeRedeem = "Resume-Redeem",
  ResolvePayout = "Resolve-Payout", ReleaseQuarantine = "Release-Quarantine",
  TransferOwnership = "Transfer-Ownership", AcceptOwnership = "Accept-Ownership",
  RenounceOwnership = "Renounce-Ownership",
}

local TAG = {
  Action = "Action", Error = "Error", MessageId = "Message-Id", Name = "Name", Ticker = "Ticker",
  Logo = "Logo", Denomination = "Denomination", TotalSupply = "Total-Supply", Balance = "Balance",
  Account = "Account", Recipient = "Recipient", Target = "Target", Quantity = "Quantity",
  Sender = "Sender", Cast = "Cast", Id = "Id", Timestamp = "Timestamp", Reference = "Reference",
  XReference = "X-Reference", XPayoutId = "X-Payout-Id", XRefundReason = "X-Refund-Reason",
  XRefundOf = "X-Refund-Of", DepositId = "Deposit-Id", PayoutId = "Payout-Id",
  Outcome = "Outcome", QuarantineId = "Quarantine-Id", NewOwner = "New-Owner",
  Confirm = "Confirm", Limit = "Limit", Count = "Count", Owner = "Owner",
  Reserve = "Reserve", PendingPayouts = "Pending-Payouts", Quarantined = "Quarantined",
  Surplus = "Surplus", Shortfall = "Shortfall", Liabilities = "Liabilities",
  PayoutsPending = "Payouts-Pending", PayoutsStale = "Payouts-Stale", Invariant = "Invariant",
  Version = "Version",
}

-- The settings, in report order; keys of Config.
local SETTING = {
  UsdaProcess = "Usda-Process", Denomination = "Denomination", Logo = "Logo",
  MintPaused = "Mint-Paused", RedeemPaused = "Redeem-Paused", MaxDeposit = "Max-Deposit",
  MaxSupply = "Max-Supply", PayoutTimeout = "Payout-Timeout",
}
local SETTING_ORDER = {
  SETTING.UsdaProcess, SETTING.Denomination, SETTING.Logo, SETTING.MintPaused,
  SETTING.RedeemPaused, SETTING.MaxDeposit, SETTING.MaxSupply, SETTING.PayoutTimeout,
}
local DEFAULTS = {
  [SETTING.UsdaProcess] = "", [SETTING.Denomination] = "12", [SETTING.Logo] = "",
  [SETTING.MintPaused] = "false", [SETTING.RedeemPaused] = "false", [SETTING.MaxDeposit] = "",
  [SETTING.MaxSupply] = "", [SETTING.PayoutTimeout] = "3600000",
}

local TOKEN_NAME, TOKEN_TICKER = "TIM3", "TIM3"
local MAX_QUANTITY_DIGITS = 60     -- per message; sums stay far below bint's 2^255
local MAX_LEDGER_DIGITS = 70       -- a sum this long means something is badly wrong
local MAX_FORWARD_TAGS, MAX_FORWARD_BYTES = 16, 2048
local MAX_CONFIG_BYTES = 16384
local PAYOUT_LIST_DEFAULT, PAYOUT_LIST_MAX = 100, 1000
local BURN = "burn"
-- X- tags a request may not smuggle into the USDA Transfers this process sends.
local RESERVED_X = {
  [TAG.XPayoutId] = true, [TAG.XReference] = true, [TAG.XRefundReason] = true,
  [TAG.XRefundOf] = true, ["X-Origin"] = true,
}

-- State ---------------------------------------------------------------------------------------
-- Every global this process owns (amounts are canonical decimal strings of base units).

Balances = Balances or {}             -- address → balance; zero balances are removed
TotalSupply = TotalSupply or "0"      -- Σ Balances
Reserve = Reserve or "0"              -- USDA held for TIM3: += accepted deposits, -= settled payouts
PendingPayouts = PendingPayouts or "0" -- Σ Quantity of payouts with Status "Pending"
Quarantined = Quarantined or "0"      -- Σ Quarantine
Surplus = Surplus or "0"              -- USDA announced by genuine notices that nobody can claim
Shortfall = Shortfall or "0"          -- restored TIM3 that could not be taken back (should be 0)
Payouts = Payouts or {}               -- id → {Holder, Recipient, Quantity, Created, Root, Status, Error}
Quarantine = Quarantine or {}         -- deposit id → {Sender, Quantity, Reason, Created}
Processed = Processed or {}           -- message key → true, for every message that changed state
Config = Config or nil                -- setting name → string (filled from spawn tags below)
PendingOwner = PendingOwner or ""     -- the address that may Accept-Ownership, "" when none
LastTimestamp = LastTimestamp or 0    -- latest trustworthy msg.Timestamp seen (ms)

-- Helpers -------------------------------------------------------------------------------------

--- aos's tag-name normalisation (`usda_process` → `Usda-Process`), for spawn tags and JSON keys.
local function canonicalName(s)
  local n = string.lower((string.gsub(s, "_", "-")))
  n = string.gsub(n, "^%l", string.upper)
  n = string.gsub(n, "%-(%l)", function(c) return "-" .. string.upper(c) end)
  return n
end

--- A value as it may appear inside an error text: quoted, control bytes escaped, long ones cut.
local function quote(value)
  if value == nil then return "nothing" end
  local s = tostring(value)
  local shown = #s > 40 and (s:sub(1, 20) .. "...") or s
  shown = shown:gsub("[%c\128-\255]", function(c) return string.format("\\%d", c:byte()) end)
  if #s > 40 then return "'" .. shown .. "' (" .. #s .. " characters)" end
  return "'" .. shown .. "'"
end

local function isAddress(value)
  if type(value) ~= "string" then return false end
  if #value == 43 then return string.find(value, "^[%w_-]+$") ~= nil end
  return #value == 42 and string.find(value, "^0x%x+$") ~= nil
end

--- The bint of a canonical quantity string, or nil and what is wrong, in words.
local function parseQuantity(value, name)
  name = name or TAG.Quantity
  if value == nil then
    return nil, name .. " is required: a positive whole number of base units"
  end
  if type(value) ~= "string" then
    return nil, name .. " must be a string of digits"
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

local function balanceOf(address) return amount(Balances[address] or "0") end

local function add(a, b) return stored(amount(a) + b) end
local function sub(a, b) return stored(amount(a) - b) end

--- The new stored balance of address after adding delta (a bint, may be negative); nil = remove.
local function balanceAfter(address, delta)
  local v = balanceOf(address) + delta
  if bint.isneg(v) then error("balance of " .. address .. " would go negative", 2) end
  if bint.iszero(v) then return nil end
  return stored(v)
end

local function isOn(setting) return Config[setting] == "true" end

local function isOwner(msg)
  return type(Owner) == "string" and Owner ~= "" and msg.From == Owner
end

--- The trustworthy time of msg in ms: the CU's Timestamp unless a tag overrode it (then the
-- latest trustworthy time seen). Pure: read-only handlers call it too.
local function timeOf(msg)
  local t = msg.Timestamp
  if msg.Tags[TAG.Timestamp] == nil and type(t) == "number" and math.tointeger(t) then
    return math.max(math.tointeger(t), LastTimestamp)
  end
  return LastTimestamp
end

--- timeOf, remembered as the latest trustworthy time (state-changing handlers only).
local function observeTime(msg)
  LastTimestamp = timeOf(msg)
  return LastTimestamp
end

--- The key that identifies a delivery: the sender's reference for pushed messages (stable
-- across re-deliveries and messenger retries), else the message id.
local function messageKey(msg)
  if msg.From ~= msg.Owner and type(msg.Anchor) == "string" and msg.Anchor ~= "" then
    return "ref:" .. msg.From .. ":" .. msg.Anchor
  end
  return "id:" .. tostring(msg.Id)
end

--- True the first time a message is seen; records it. Every message that may change state
-- goes through here before its checks, so a rejected message re-delivered later (when it
-- would pass) still changes nothing (security rule 9, invariant 7).
local function firstDelivery(msg, action)
  local key = messageKey(msg)
  if Processed[key] then
    print(action .. " " .. key .. " was already processed; ignored")
    return false
  end
  Processed[key] = true
  return true
end

--- The id of the user message that started msg's chain (the MU's Pushed-For, appended last).
local function chainRoot(msg)
  if msg.From ~= msg.Owner and type(msg["Pushed-For"]) == "string" then return msg["Pushed-For"] end
  return msg.Id
end

--- Copy up to MAX_FORWARD_TAGS X- tags of msg (first occurrence, message order) into out,
-- never overwriting a field of out and skipping names in `skip`.
local function copyX(msg, out, skip)
  local seen, count, bytes = {}, 0, 0
  for _, t in ipairs(msg.TagArray or {}) do
    local name, value = t.name, t.value
    if type(name) == "string" and type(value) == "string" and name:sub(1, 2) == "X-"
        and not seen[name] then
      seen[name] = true
      local size = #name + #value
      if out[name] == nil and not (skip and skip[name]) and count < MAX_FORWARD_TAGS
          and bytes + size <= MAX_FORWARD_BYTES then
        out[name] = value
        count, bytes = count + 1, bytes + size
      end
    end
  end
  return out
end

--- Send to msg.From (never Reply-To), echoing the request's reference.
local function reply(msg, fields)
  fields.Target = msg.From
  fields[TAG.XReference] = fields[TAG.XReference] or msg.Tags[TAG.XReference] or msg.Tags[TAG.Reference]
  return ao.send(fields)
end

local function replyError(msg, action, text)
  return reply(msg, {
    [TAG.Action] = action .. "-Error", [TAG.Error] = text,
    [TAG.MessageId] = type(msg.Id) == "string" and msg.Id or nil, Data = text,
  })
end

local function isAction(name)
  return Handlers.utils.hasMatchingTag(TAG.Action, name)
end

--- A JSON object text; json.encode writes an empty table as "[]".
local function encodeObject(t)
  if next(t) == nil then return "{}" end
  return json.encode(t)
end

-- Config --------------------------------------------------------------------------------------

local function readCap(value, name)
  if value == "" or value == "none" then return "" end
  local q, problem = parseQuantity(value, name)
  if not q then return nil, problem end
  return value
end

--- Check one setting; returns its stored form or nil and what is wrong.
local function checkSetting(name, value)
  if name == SETTING.MintPaused or name == SETTING.RedeemPaused then
    if value == true or value == "true" then return "true" end
    if value == false or value == "false" then return "false" end
    return nil, name .. ' must be "true" or "false", got ' .. quote(value)
  end
  if type(value) ~= "string" then
    return nil, name .. " must be a string, got a " .. type(value)
  end
  if name == SETTING.UsdaProcess then
    if not (#value == 43 and string.find(value, "^[%w_-]+$")) then
      return nil, name .. " must be a 43-character process id, got " .. quote(value)
    end
    if value == ao.id then return nil, name .. " cannot be this process itself" end
    return value
  elseif name == SETTING.Denomination then
    if not string.find(value, "^[0-9][0-9]?$") then
      return nil, name .. " must be a whole number of decimal places (0-99), got " .. quote(value)
    end
    return tostring(math.tointeger(tonumber(value)))
  elseif name == SETTING.Logo then
    if #value > 128 or not string.find(value, "^[%w_-]*$") then
      return nil, name .. " must be a transaction id (base64url, at most 128 characters), got " .. quote(value)
    end
    return value
  elseif name == SETTING.MaxDeposit or name == SETTING.MaxSupply then
    return readCap(value, name)
  elseif name == SETTING.PayoutTimeout then
    if #value > 15 or not string.find(value, "^[1-9][0-9]*$") then
      return nil, name .. " must be a positive whole number of milliseconds, got " .. quote(value)
    end
    return value
  end
  return nil, "Unknown setting " .. quote(name) .. "; known: " .. table.concat(SETTING_ORDER, ", ")
end

--- Validate a set of changes against the current state; returns the new Config or nil, problem.
local function configWith(changes)
  local new = {}
  for _, name in ipairs(SETTING_ORDER) do new[name] = Config and Config[name] or DEFAULTS[name] end
  local names = {}
  for name in pairs(changes) do names[#names + 1] = name end
  table.sort(names)
  local fixed = Reserve ~= "0" or Quarantined ~= "0" or PendingPayouts ~= "0" or TotalSupply ~= "0"
  for _, name in ipairs(names) do
    local value, problem = checkSetting(name, changes[name])
    if value == nil then return nil, problem end
    if Config and fixed and (name == SETTING.UsdaProcess or name == SETTING.Denomination)
        and value ~= Config[name] then
      return nil, name .. " cannot change while the process holds USDA (Reserve is " .. Reserve .. ")"
    end
    new[name] = value
  end
  return new
end

--- The spawn-tag settings, from the process's tag list (names normalised, first one wins).
local function spawnSettings()
  local changes, known = {}, {}
  for _, name in ipairs(SETTING_ORDER) do known[name] = true end
  local list = ao.env.Process.TagArray or ao.env.Process.Tags or {}
  for _, t in ipairs(list) do
    if type(t) == "table" and type(t.name) == "string" then
      local name = canonicalName(t.name)
      if known[name] and changes[name] == nil then changes[name] = t.value end
    end
  end
  return changes
end

--- True when the process was spawned with a non-empty Authority tag (security rule 1).
local function hasAuthority()
  for _, t in ipairs(ao.env.Process.TagArray or ao.env.Process.Tags or {}) do
    if type(t) == "table" and t.name == "Authority" and type(t.value) == "string"
        and string.find(t.value, "%S") then
      return true
    end
  end
  return false
end

if Config == nil then
  assert(hasAuthority(), "TIM3 needs an Authority spawn tag naming the messenger (MU) address: "
    .. "without it every Credit-Notice from USDA is dropped and deposits are stranded")
  local config, problem = configWith(spawnSettings())
  assert(config, "TIM3 spawn tags: " .. tostring(problem))
  Config = config
end

local function usda() return Config[SETTING.UsdaProcess] end

-- Reports -------------------------------------------------------------------------------------

local function sumBalances()
  local total = bint.zero()
  for _, v in pairs(Balances) do total = total + amount(v) end
  return total
end

local function sumPending()
  local total = bint.zero()
  for _, p in pairs(Payouts) do
    if p.Status == "Pending" then total = total + amount(p.Quantity) end
  end
  return total
end

local function sumQuarantine()
  local total = bint.zero()
  for _, e in pairs(Quarantine) do total = total + amount(e.Quantity) end
  return total
end

--- The numbers and whether every ledger invariant holds.
local function reserves()
  local supply, pending, quarantined = amount(TotalSupply), amount(PendingPayouts), amount(Quarantined)
  local ok = bint.eq(sumBalances(), supply)
    and bint.eq(sumPending(), pending)
    and bint.eq(sumQuarantine(), quarantined)
    and bint.eq(amount(Reserve) + amount(Shortfall), supply + pending + quarantined)
    and Shortfall == "0"
  return {
    [TAG.TotalSupply] = TotalSupply, [TAG.Reserve] = Reserve, [TAG.PendingPayouts] = PendingPayouts,
    [TAG.Quarantined] = Quarantined, [TAG.Surplus] = Surplus, [TAG.Shortfall] = Shortfall,
    [TAG.Liabilities] = tostring(supply + pending + quarantined),
    [TAG.Invariant] = ok and "ok" or "broken",
  }
end

local function isStale(p, now)
  return p.Status == "Pending" and now - p.Created >= tonumber(Config[SETTING.PayoutTimeout])
end

--- Every setting and number as strings, for Info and Get-Config.
local function overview()
  local out = {
    [TAG.Name] = TOKEN_NAME, [TAG.Ticker] = TOKEN_TICKER, [TAG.Version] = VERSION,
    [TAG.TotalSupply] = TotalSupply, [TAG.Reserve] = Reserve, [TAG.PendingPayouts] = PendingPayouts,
    [TAG.Quarantined] = Quarantined, [TAG.Surplus] = Surplus, [TAG.Shortfall] = Shortfall,
    [TAG.Owner] = type(Owner) == "string" and Owner or "",
  }
  for _, name in ipairs(SETTING_ORDER) do out[name] = Config[name] end
  return out
end

--- Tags must be non-empty strings on AO: copy only those.
local function withoutEmpty(t)
  local out = {}
  for k, v in pairs(t) do if v ~= "" then out[k] = v end end
  return out
end

-- Deposits ------------------------------------------------------------------------------------

local function hasRefundMarker(msg)
  return msg.Tags[TAG.XRefundOf] ~= nil or msg.Tags[TAG.XRefundReason] ~= nil
end

--- The outcome of a USDA Credit-Notice, computed without touching state.
-- kind: "mint" | "refund" | "quarantine" | "surplus" | "ignore"
local function judgeDeposit(msg)
  local sender, raw = msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  local q, problem = parseQuantity(raw)
  if not isAddress(sender) or sender == ao.id then
    local why = sender == ao.id and "Sender is this process" or ("Sender is not an address: " .. quote(sender))
    if q then return { kind = "surplus", q = q, why = why, surplus = add(Surplus, q) } end
    return { kind = "ignore", why = why .. "; " .. tostring(problem) }
  end
  local refund = { kind = "refund", sender = sender, raw = raw }
  if not q then
    refund.why = problem
    if type(raw) ~= "string" or raw == "" then return { kind = "ignore", why = problem } end
    return refund
  end
  refund.q = q
  if isOn(SETTING.MintPaused) then
    refund.why = "Minting is paused; your USDA was returned"
  elseif sender == usda() then
    refund.why = "Sender is the USDA process itself; TIM3 is minted only to depositors"
  elseif Config[SETTING.MaxDeposit] ~= "" and q > amount(Config[SETTING.MaxDeposit]) then
    refund.why = "Quantity " .. raw .. " is over Max-Deposit, the largest accepted deposit, " .. Config[SETTING.MaxDeposit]
  elseif Config[SETTING.MaxSupply] ~= "" and amount(TotalSupply) + q > amount(Config[SETTING.MaxSupply]) then
    refund.why = "Minting " .. raw .. " would take Total-Supply over Max-Supply " .. Config[SETTING.MaxSupply]
  else
    return {
      kind = "mint", sender = sender, q = q,
      balance = balanceAfter(sender, q), supply = add(TotalSupply, q), reserve = add(Reserve, q),
    }
  end
  if hasRefundMarker(msg) then
    return { kind = "quarantine", sender = sender, q = q, why = refund.why,
      quarantined = add(Quarantined, q), reserve = add(Reserve, q) }
  end
  return refund
end

local function refundMessages(msg, decision)
  local transfer = {
    Target = msg.From, [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = decision.sender,
    [TAG.Quantity] = decision.raw, [TAG.XRefundReason] = decision.why,
    [TAG.XRefundOf] = tostring(msg.Id), [TAG.XReference] = "refund:" .. tostring(msg.Id),
  }
  copyX(msg, transfer, RESERVED_X)
  local notice = {
    Target = decision.sender, [TAG.Action] = ACTION.DepositError, [TAG.Error] = decision.why,
    [TAG.Quantity] = decision.raw, [TAG.DepositId] = tostring(msg.Id),
    Data = "Your deposit was not minted and is being returned: " .. decision.why,
  }
  copyX(msg, notice)
  return { transfer, notice }
end

--- Apply a judged deposit: state first, then the messages (which cannot fail).
local function applyDeposit(msg, key, d)
  Processed[key] = true     -- first: if even this fails, nothing has changed yet
  local out = {}
  if d.kind == "mint" then
    local q = tostring(d.q)
    local notice = {
      Target = d.sender, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = ao.id,
      [TAG.Quantity] = q, [TAG.DepositId] = tostring(msg.Id),
      Data = "You received " .. q .. " base units of TIM3 for " .. q .. " base units of USDA",
    }
    copyX(msg, notice)
    out = { notice }
    Balances[d.sender] = d.balance
    TotalSupply, Reserve = d.supply, d.reserve
  elseif d.kind == "refund" then
    out = refundMessages(msg, d)
  elseif d.kind == "quarantine" then
    Quarantine[tostring(msg.Id)] = { Sender = d.sender, Quantity = tostring(d.q), Reason = d.why,
      Created = observeTime(msg) }
    Quarantined, Reserve = d.quarantined, d.reserve
  elseif d.kind == "surplus" then
    Surplus = d.surplus
  end
  for _, m in ipairs(out) do ao.send(m) end
  print("Deposit " .. tostring(msg.Id) .. ": " .. d.kind .. (d.why and (" (" .. d.why .. ")") or ""))
end

local function deposit(msg)
  local key = messageKey(msg)
  if Processed[key] then
    print("Credit-Notice " .. key .. " was already processed; ignored")
    return
  end
  local d = judgeDeposit(msg)
  applyDeposit(msg, key, d)
end

--- Last resort when the deposit logic failed: refund the raw Quantity, never raise.
local function emergencyRefund(msg, err)
  local key = messageKey(msg)
  local seen = false
  pcall(function() seen = Processed[key] == true end)
  if seen then return end
  local sender, raw = msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  pcall(print, "Deposit " .. tostring(msg.Id) .. " failed inside TIM3 and is refunded: " .. tostring(err))
  if not isAddress(sender) or sender == ao.id or type(raw) ~= "string" or raw == "" then return end
  pcall(function() Processed[key] = true end)
  local messages = refundMessages(msg, { sender = sender, raw = raw,
    why = "TIM3 could not process this deposit (internal error); your USDA was returned" })
  for _, m in ipairs(messages) do ao.send(m) end
end

--- Tokens of another process: send them back once, unless that could start a loop.
local function returnForeign(msg)
  local sender, raw = msg.Tags[TAG.Sender], msg.Tags[TAG.Quantity]
  if msg.From == msg.Owner then return print("Credit-Notice signed by a wallet; ignored") end
  local key = messageKey(msg)
  if Processed[key] or hasRefundMarker(msg) or not isAddress(sender) or sender == ao.id
      or type(raw) ~= "string" or raw == "" then
    return print("Credit-Notice from " .. tostring(msg.From) .. " (not USDA); nothing minted or returned")
  end
  Processed[key] = true
  local transfer = {
    Target = msg.From, [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = sender, [TAG.Quantity] = raw,
    [TAG.XRefundReason] = "TIM3 accepts only USDA deposits; these tokens were returned",
    [TAG.XRefundOf] = tostring(msg.Id),
  }
  copyX(msg, transfer, RESERVED_X)
  ao.send(transfer)
  print("Credit-Notice from " .. tostring(msg.From) .. " (not USDA); returned " .. raw .. " to " .. sender)
end

-- Redeems and payouts -------------------------------------------------------------------------

--- Check a redeem of quantity text `raw` by msg.From to `recipient`; returns a plan or nil, problem.
local function planRedeem(msg, raw, recipient)
  if isOn(SETTING.RedeemPaused) then return nil, "Redeeming is paused; try again later" end
  if usda() == "" then return nil, "The USDA process is not configured yet; nothing can be redeemed" end
  if msg.Tags[TAG.Id] ~= nil then return nil, "The Id tag is reserved; send the request without it" end
  local q, problem = parseQuantity(raw)
  if not q then return nil, problem end
  if not isAddress(recipient) then
    return nil, "Recipient must be an address (43-character id or 0x + 40 hex digits), got " .. quote(recipient)
  end
  if recipient == ao.id or recipient == usda() then
    return nil, "Recipient cannot be the TIM3 or the USDA process: the USDA would be lost"
  end
  local has = balanceOf(msg.From)
  if has < q then
    return nil, "Insufficient balance: has " .. tostring(has) .. ", needs " .. raw
  end
  local id = tostring(msg.Id)
  if Payouts[id] ~= nil then return nil, "A payout with id " .. id .. " already exists" end
  return {
    id = id, q = q, recipient = recipient,
    balance = balanceAfter(msg.From, -q), supply = sub(TotalSupply, q), pending = add(PendingPayouts, q),
  }
end

local function startPayout(msg, plan)
  local q = tostring(plan.q)
  local transfer = {
    Target = usda(), [TAG.Action] = ACTION.Transfer, [TAG.Recipient] = plan.recipient,
    [TAG.Quantity] = q, [TAG.XPayoutId] = plan.id, [TAG.XReference] = plan.id,
  }
  copyX(msg, transfer, RESERVED_X)
  Balances[msg.From] = plan.balance
  TotalSupply, PendingPayouts = plan.supply, plan.pending
  Payouts[plan.id] = { Holder = msg.From, Recipient = plan.recipient, Quantity = q,
    Created = observeTime(msg), Root = chainRoot(msg), Status = "Pending" }
  ao.send(transfer)
end

--- The payout a USDA reply refers to, by X-Payout-Id, else X-Reference.
local function payoutFor(msg)
  for _, name in ipairs({ TAG.XPayoutId, TAG.XReference }) do
    local id = msg.Tags[name]
    if type(id) == "string" and Payouts[id] ~= nil then return id, Payouts[id] end
  end
  return nil, nil
end

-- Handlers (in the header's order) ------------------------------------------------------------

--- Reply with every setting and number: non-empty ones as tags, all of them as JSON in Data.
local function replyOverview(msg)
  local t = overview()
  local out = withoutEmpty(t)
  out.Data = encodeObject(t)
  reply(msg, out)
end

Handlers.add(ACTION.Info, isAction(ACTION.Info), replyOverview)

Handlers.add(ACTION.Balance, isAction(ACTION.Balance), function(msg)
  local account = msg.Tags[TAG.Recipient] or msg.Tags[TAG.Target] or msg.From
  local balance = Balances[account] or "0"
  reply(msg, { [TAG.Balance] = balance, [TAG.Ticker] = TOKEN_TICKER, [TAG.Account] = account,
    Data = balance })
end)

Handlers.add(ACTION.Balances, isAction(ACTION.Balances), function(msg)
  reply(msg, { Data = encodeObject(Balances) })
end)

Handlers.add(ACTION.TotalSupply, isAction(ACTION.TotalSupply), function(msg)
  reply(msg, { [TAG.TotalSupply] = TotalSupply, [TAG.Ticker] = TOKEN_TICKER, Data = TotalSupply })
end)

Handlers.add(ACTION.Transfer, isAction(ACTION.Transfer), function(msg)
  if not firstDelivery(msg, ACTION.Transfer) then return end
  local recipient, raw = msg.Tags[TAG.Recipient], msg.Tags[TAG.Quantity]
  if recipient == BURN then
    local plan, problem = planRedeem(msg, raw, msg.From)
    if not plan then return replyError(msg, ACTION.Transfer, problem) end
    return startPayout(msg, plan)
  end
  if msg.Tags[TAG.Id] ~= nil then
    return replyError(msg, ACTION.Transfer, "The Id tag is reserved; send the request without it")
  end
  local q, problem = parseQuantity(raw)
  if not q then return replyError(msg, ACTION.Transfer, problem) end
  if not isAddress(recipient) then
    return replyError(msg, ACTION.Transfer,
      "Recipient must be an address (43-character id or 0x + 40 hex digits) or \"burn\", got " .. quote(recipient))
  end
  if recipient == ao.id then
    return replyError(msg, ACTION.Transfer,
      "Recipient cannot be the TIM3 process; to get USDA back send Action = Redeem")
  end
  if recipient == usda() then
    return replyError(msg, ACTION.Transfer, "Recipient cannot be the USDA process: the TIM3 would be lost")
  end
  local has = balanceOf(msg.From)
  if has < q then
    return replyError(msg, ACTION.Transfer, "Insufficient balance: has " .. tostring(has) .. ", needs " .. raw)
  end

  local fromAfter = balanceAfter(msg.From, -q)
  Balances[msg.From] = fromAfter
  Balances[recipient] = balanceAfter(recipient, q)

  if msg.Tags[TAG.Cast] ~= nil then return end
  local debit = { [TAG.Action] = ACTION.DebitNotice, [TAG.Recipient] = recipient, [TAG.Quantity] = raw,
    Data = "You transferred " .. raw .. " base units of TIM3 to " .. recipient }
  local credit = { Target = recipient, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = msg.From,
    [TAG.Quantity] = raw, Data = "You received " .. raw .. " base units of TIM3 from " .. msg.From }
  copyX(msg, debit)
  copyX(msg, credit)
  reply(msg, debit)
  ao.send(credit)
end)

Handlers.add(ACTION.Mint, isAction(ACTION.Mint), function(msg)
  replyError(msg, ACTION.Mint, "TIM3 is minted only by sending USDA to this process")
end)

Handlers.add(ACTION.Burn, isAction(ACTION.Burn), function(msg)
  replyError(msg, ACTION.Burn, "TIM3 is burned only by redeeming it: send Action = Redeem")
end)

Handlers.add(ACTION.CreditNotice, isAction(ACTION.CreditNotice), function(msg)
  -- Security rule 3: nothing on this path may raise, or the USDA already moved is stranded.
  local ok, err = pcall(function()
    if usda() ~= "" and msg.From == usda() then return deposit(msg) end
    return returnForeign(msg)
  end)
  if not ok then
    if usda() ~= "" and msg.From == usda() then
      emergencyRefund(msg, err)
    else
      pcall(print, "Credit-Notice from " .. tostring(msg.From) .. " failed: " .. tostring(err))
    end
  end
end)

Handlers.add(ACTION.Redeem, isAction(ACTION.Redeem), function(msg)
  if not firstDelivery(msg, ACTION.Redeem) then return end
  local recipient = msg.Tags[TAG.Recipient] or msg.From
  local plan, problem = planRedeem(msg, msg.Tags[TAG.Quantity], recipient)
  if not plan then return replyError(msg, ACTION.Redeem, problem) end
  startPayout(msg, plan)
end)

Handlers.add(ACTION.DebitNotice, isAction(ACTION.DebitNotice), function(msg)
  if usda() == "" or msg.From ~= usda() then return end
  local id, p = payoutFor(msg)
  if not p or msg.Tags[TAG.Recipient] ~= p.Recipient or msg.Tags[TAG.Quantity] ~= p.Quantity then
    return print("Debit-Notice from USDA matches no payout; ignored")
  end
  local q = amount(p.Quantity)
  if p.Status == "Pending" then
    local reserve, pending = sub(Reserve, q), sub(PendingPayouts, q)
    Reserve, PendingPayouts = reserve, pending
    Payouts[id] = nil
    ao.send({ Target = p.Holder, [TAG.Action] = ACTION.RedeemNotice, [TAG.PayoutId] = id,
      [TAG.Recipient] = p.Recipient, [TAG.Quantity] = p.Quantity,
      Data = "Your redeem of " .. p.Quantity .. " TIM3 was paid: " .. p.Quantity .. " USDA to " .. p.Recipient })
  elseif p.Status == "Failed" then
    -- USDA reported a failure earlier, yet the transfer happened: take the restored TIM3 back.
    local has = balanceOf(p.Holder)
    local taken = bint.min(has, q)
    local reserve, supply = sub(Reserve, q), sub(TotalSupply, taken)
    local shortfall, balance = add(Shortfall, q - taken), balanceAfter(p.Holder, -taken)
    Reserve, TotalSupply, Shortfall = reserve, supply, shortfall
    Balances[p.Holder] = balance
    Payouts[id] = nil
    ao.send({ Target = p.Holder, [TAG.Action] = ACTION.RedeemNotice, [TAG.PayoutId] = id,
      [TAG.Recipient] = p.Recipient, [TAG.Quantity] = p.Quantity,
      Data = "Your redeem of " .. p.Quantity .. " was paid after USDA had reported it failed; "
        .. "the TIM3 restored then (" .. tostring(taken) .. ") was burned again" })
  end
end)

Handlers.add(ACTION.TransferError, isAction(ACTION.TransferError), function(msg)
  if usda() == "" or msg.From ~= usda() then return end
  local id, p = payoutFor(msg)
  if not p or p.Status ~= "Pending" then return print("Transfer-Error from USDA matches no pending payout") end
  if chainRoot(msg) ~= p.Root then
    return print("Transfer-Error for payout " .. id .. " is not from the payout's own message chain; ignored")
  end
  local q = amount(p.Quantity)
  local balance, supply, pending = balanceAfter(p.Holder, q), add(TotalSupply, q), sub(PendingPayouts, q)
  local why = type(msg.Tags[TAG.Error]) == "string" and msg.Tags[TAG.Error]:sub(1, 200) or "no reason given"
  Balances[p.Holder], TotalSupply, PendingPayouts = balance, supply, pending
  p.Status, p.Error = "Failed", why
  ao.send({ Target = p.Holder, [TAG.Action] = ACTION.Redeem .. "-Error", [TAG.PayoutId] = id,
    [TAG.Quantity] = p.Quantity, [TAG.Error] = "USDA refused the payout (" .. why .. "); your TIM3 was restored",
    Data = "USDA refused the payout of " .. p.Quantity .. " (" .. why .. "); your TIM3 was restored" })
end)

Handlers.add(ACTION.Reserves, isAction(ACTION.Reserves), function(msg)
  local r = reserves()
  local now, pendingCount, staleCount = timeOf(msg), 0, 0
  for _, p in pairs(Payouts) do
    if p.Status == "Pending" then
      pendingCount = pendingCount + 1
      if isStale(p, now) then staleCount = staleCount + 1 end
    end
  end
  r[TAG.PayoutsPending], r[TAG.PayoutsStale] = tostring(pendingCount), tostring(staleCount)
  local quarantine, ids = {}, {}
  for id in pairs(Quarantine) do ids[#ids + 1] = id end
  table.sort(ids)
  for i = 1, math.min(#ids, PAYOUT_LIST_DEFAULT) do
    local e = Quarantine[ids[i]]
    quarantine[i] = { Id = ids[i], Sender = e.Sender, Quantity = e.Quantity, Reason = e.Reason }
  end
  local data = {}
  for k, v in pairs(r) do data[k] = v end
  data.Quarantine = quarantine
  r.Data = json.encode(data)
  reply(msg, r)
end)

Handlers.add(ACTION.Payouts, isAction(ACTION.Payouts), function(msg)
  local limit = PAYOUT_LIST_DEFAULT
  local asked = msg.Tags[TAG.Limit]
  if asked ~= nil then
    if type(asked) ~= "string" or not string.find(asked, "^[1-9][0-9]?[0-9]?[0-9]?$")
        or tonumber(asked) > PAYOUT_LIST_MAX then
      return replyError(msg, ACTION.Payouts, "Limit must be a whole number from 1 to " .. PAYOUT_LIST_MAX)
    end
    limit = math.tointeger(tonumber(asked))
  end
  local now, ids = timeOf(msg), {}
  for id in pairs(Payouts) do ids[#ids + 1] = id end
  table.sort(ids, function(a, b)
    local pa, pb = Payouts[a], Payouts[b]
    if pa.Created ~= pb.Created then return pa.Created < pb.Created end
    return a < b
  end)
  local list = {}
  for i = 1, math.min(#ids, limit) do
    local p = Payouts[ids[i]]
    list[i] = { Id = ids[i], Holder = p.Holder, Recipient = p.Recipient, Quantity = p.Quantity,
      Created = tostring(p.Created), Age = tostring(math.max(0, now - p.Created)), Status = p.Status,
      Stale = tostring(isStale(p, now)), Error = p.Error }
  end
  reply(msg, { [TAG.Count] = tostring(#ids), Data = #list == 0 and "[]" or json.encode(list) })
end)

Handlers.add(ACTION.GetConfig, isAction(ACTION.GetConfig), replyOverview)

--- Register an owner-only action: non-owners get <Action>-Error.
-- A re-delivered owner message changes nothing (security rule 9): an old Pause-Mint cannot
-- undo a later Resume-Mint.
local function ownerAction(action, fn)
  Handlers.add(action, isAction(action), function(msg)
    if not firstDelivery(msg, action) then return end
    if not isOwner(msg) then return replyError(msg, action, "Only the process owner may use " .. action) end
    return fn(msg)
  end)
end

local function notice(msg, action, text, extra)
  local t = extra or {}
  t[TAG.Action], t.Data = action .. "-Notice", text
  reply(msg, t)
end

local function applyConfig(msg, action, changes)
  local new, problem = configWith(changes)
  if not new then return replyError(msg, action, problem) end
  Config = new
  local t = {}
  for k, v in pairs(new) do t[k] = v end
  notice(msg, action, encodeObject(new), withoutEmpty(t))
end

ownerAction(ACTION.SetConfig, function(msg)
  local changes, known, any = {}, {}, false
  for _, name in ipairs(SETTING_ORDER) do known[name] = true end
  for _, t in ipairs(msg.TagArray or {}) do
    if known[t.name] and changes[t.name] == nil then changes[t.name], any = t.value, true end
  end
  local data = msg.Data
  if type(data) == "string" and data ~= "" then
    if #data > MAX_CONFIG_BYTES then
      return replyError(msg, ACTION.SetConfig, "Data must be at most " .. MAX_CONFIG_BYTES .. " bytes of JSON")
    end
    local ok, decoded = pcall(json.decode, data)
    if not ok or type(decoded) ~= "table" or decoded[1] ~= nil then
      return replyError(msg, ACTION.SetConfig, "Data must be a JSON object of settings, e.g. {\"Mint-Paused\": \"true\"}")
    end
    data = decoded
  end
  if type(data) == "table" then
    for name, value in pairs(data) do
      if type(name) ~= "string" then
        return replyError(msg, ACTION.SetConfig, "Data must be a JSON object of settings")
      end
      changes[canonicalName(name)], any = value, true
    end
  end
  if not any then
    return replyError(msg, ACTION.SetConfig,
      "No settings given: put a JSON object in Data or tags named " .. table.concat(SETTING_ORDER, ", "))
  end
  applyConfig(msg, ACTION.SetConfig, changes)
end)

for _, switch in ipairs({
  { ACTION.PauseMint, SETTING.MintPaused, "true" }, { ACTION.ResumeMint, SETTING.MintPaused, "false" },
  { ACTION.PauseRedeem, SETTING.RedeemPaused, "true" }, { ACTION.ResumeRedeem, SETTING.RedeemPaused, "false" },
}) do
  local action, setting, value = switch[1], switch[2], switch[3]
  ownerAction(action, function(msg) applyConfig(msg, action, { [setting] = value }) end)
end

ownerAction(ACTION.ResolvePayout, function(msg)
  local id, outcome = msg.Tags[TAG.PayoutId], msg.Tags[TAG.Outcome]
  local p = type(id) == "string" and Payouts[id] or nil
  if not p or p.Status ~= "Pending" then
    return replyError(msg, ACTION.ResolvePayout, "No pending payout with Payout-Id " .. quote(id))
  end
  if outcome ~= "Paid" and outcome ~= "Failed" then
    return replyError(msg, ACTION.ResolvePayout, 'Outcome must be "Paid" or "Failed", got ' .. quote(outcome))
  end
  if not isStale(p, timeOf(msg)) then
    return replyError(msg, ACTION.ResolvePayout,
      "Payout " .. id .. " is not stale yet; wait for USDA's answer (Payout-Timeout " .. Config[SETTING.PayoutTimeout] .. " ms)")
  end
  local q = amount(p.Quantity)
  if outcome == "Paid" then
    local reserve, pending = sub(Reserve, q), sub(PendingPayouts, q)
    Reserve, PendingPayouts = reserve, pending
    Payouts[id] = nil
  else
    local balance, supply, pending = balanceAfter(p.Holder, q), add(TotalSupply, q), sub(PendingPayouts, q)
    Balances[p.Holder], TotalSupply, PendingPayouts = balance, supply, pending
    p.Status, p.Error = "Failed", "resolved as failed by the owner"
  end
  notice(msg, ACTION.ResolvePayout, "Payout " .. id .. " resolved as " .. outcome,
    { [TAG.PayoutId] = id, [TAG.Outcome] = outcome, [TAG.Quantity] = p.Quantity })
end)

ownerAction(ACTION.ReleaseQuarantine, function(msg)
  local id = msg.Tags[TAG.QuarantineId]
  local e = type(id) == "string" and Quarantine[id] or nil
  if not e then return replyError(msg, ACTION.ReleaseQuarantine, "Nothing quarantined under " .. quote(id)) end
  local q = amount(e.Quantity)
  local balance, supply, quarantined = balanceAfter(e.Sender, q), add(TotalSupply, q), sub(Quarantined, q)
  Balances[e.Sender], TotalSupply, Quarantined = balance, supply, quarantined
  Quarantine[id] = nil
  ao.send({ Target = e.Sender, [TAG.Action] = ACTION.CreditNotice, [TAG.Sender] = ao.id,
    [TAG.Quantity] = e.Quantity, [TAG.DepositId] = id,
    Data = "You received " .. e.Quantity .. " base units of TIM3 for a quarantined deposit" })
  notice(msg, ACTION.ReleaseQuarantine, "Minted " .. e.Quantity .. " to " .. e.Sender,
    { [TAG.QuarantineId] = id, [TAG.Quantity] = e.Quantity, [TAG.Recipient] = e.Sender })
end)

ownerAction(ACTION.TransferOwnership, function(msg)
  local new = msg.Tags[TAG.NewOwner]
  if not isAddress(new) or new == ao.id or new == usda() then
    return replyError(msg, ACTION.TransferOwnership,
      "New-Owner must be an address other than the TIM3 and USDA processes, got " .. quote(new))
  end
  PendingOwner = new
  notice(msg, ACTION.TransferOwnership, new .. " may now send Accept-Ownership", { [TAG.NewOwner] = new })
end)

Handlers.add(ACTION.AcceptOwnership, isAction(ACTION.AcceptOwnership), function(msg)
  if not firstDelivery(msg, ACTION.AcceptOwnership) then return end
  if PendingOwner == "" or msg.From ~= PendingOwner then
    return replyError(msg, ACTION.AcceptOwnership, "Only the address named by Transfer-Ownership may accept")
  end
  Owner, PendingOwner = msg.From, ""
  notice(msg, ACTION.AcceptOwnership, msg.From .. " now owns this process", { [TAG.Owner] = msg.From })
end)

ownerAction(ACTION.RenounceOwnership, function(msg)
  if msg.Tags[TAG.Confirm] ~= ACTION.RenounceOwnership then
    return replyError(msg, ACTION.RenounceOwnership,
      "Renouncing cannot be undone: repeat with Confirm = Renounce-Ownership")
  end
  if isOn(SETTING.RedeemPaused) then
    return replyError(msg, ACTION.RenounceOwnership,
      "Resume redeeming first: with no owner it could never be resumed and holders could not redeem")
  end
  Owner, PendingOwner = "", ""
  notice(msg, ACTION.RenounceOwnership, "This process has no owner any more")
end)

-- Everything else: no reply (no ping-pong between processes) and no Inbox growth.
Handlers.add("Unhandled", function() return true end, function(msg)
  print("Ignored a message from " .. tostring(msg.From) .. " with Action " .. quote(msg.Tags[TAG.Action]))
end)
