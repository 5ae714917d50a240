--[[ usda_mock.lua — the mock USDA of the TIM3 test environment: an ao standard token
(ao-protocol.md §2) with strict input checks and a test-network Mint.

Spawn tags (all optional): Name (default "USDA"), Ticker ("USDA"), Denomination ("12", decimal
places for display), Logo (""). Amounts are whole numbers of base units, carried as decimal
strings and computed with bint; a balance that reaches zero is removed from Balances.

Every reply goes through msg.reply: to Reply-To if the request has one, else to msg.From, with
X-Reference = the request's X-Reference or Reference. "X-*" below means every root field of the
request whose name starts with "X-" (aos has already renamed `x-memo` to `X-Memo`). Other
inputs are read from msg.Tags: with duplicate tag names, the first one counts (the one the
Action was matched on).

Actions
  Info            → reply Name, Ticker, Logo, Denomination, Total-Supply; no Data.
  Balance         [Recipient | Target] (else msg.From)
                  → reply Balance, Ticker, Account; Data = the balance ("0" if unknown).
  Balances        → reply Data = JSON object address → balance ("{}" when empty).
  Total-Supply    → reply Action = Total-Supply, Total-Supply, Ticker; Data = the supply.
                    Unanswered when sent by the token itself or when it carries a Ticker tag
                    (it is then another token's answer): no ping-pong between tokens.
  Transfer        Recipient, Quantity, [Cast], [X-*]
                  → unless Cast: reply Action = Debit-Notice, Recipient, Quantity, X-*;
                    and send Action = Credit-Notice, Sender = msg.From, Quantity, X-* to
                    Recipient. Data of both: one line of plain text.
                  ✗ reply Action = Transfer-Error, Error (plain words), Message-Id; state
                    untouched. Like the aos blueprint, Transfer-Error forwards no X-* tags;
                    match it through X-Reference.
  Mint            Quantity, [Recipient] (default: the process Owner), [Cast], [X-*]
                  only from the process Owner (a test-network faucet)
                  → reply Action = Mint-Notice, Recipient, Quantity, X-*; unless Cast, send
                    Action = Credit-Notice, Sender = this process, Quantity, X-* to Recipient.
                  ✗ reply Action = Mint-Error, Error, Message-Id.
  Burn            Quantity, [X-*]
                  → reply Action = Burn-Notice, Quantity, X-*.
                  ✗ reply Action = Burn-Error, Error, Message-Id.
  anything else   → aos's default handler (Inbox), no reply.

Quantity rules (security.md rule 2): a string matching ^[1-9][0-9]*$ of at most 60 digits
(checked before any parse) that bint prints back unchanged. Recipient: 43 characters of
base64url ([A-Za-z0-9_-]). Total-Supply never exceeds 76 digits, so 256-bit bint never wraps.

How it is built: the token lives in lib/token.lua (`tim3 build`, and every spawn from
tim3.processes.source, puts it in front of this file as a package.preload entry); this file
installs it with the default options and returns its helpers (ACTION, TAG, reply, send,
replyError, forwardedX, isAddress, parseQuantity, quote). The variants (usda_no_xforward.lua,
usda_odd_notices.lua, usda_hostile.lua, usda_lockable.lua) install the same module and add
their own handlers.
]]

return require("lib.token").install()
