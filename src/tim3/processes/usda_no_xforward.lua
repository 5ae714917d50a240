--[[ usda_no_xforward.lua — a mock USDA that does NOT forward X-* tags into its notices.

For TIM3's security tests (security.md rule 10): a token that behaves like the standard one
except that Debit-Notice, Credit-Notice, Mint-Notice and Burn-Notice carry no X-* tags of the
request. A process that settles payouts by an X- id must still cope (e.g. by keeping the payout
pending and surfacing it). X-Reference/X-Origin that msg.reply sets on replies are still there:
they are the runtime's, not forwarding.

Actions, tags, replies, state and quantity rules: exactly those of usda_mock.lua (see its
header), minus X-* forwarding.

How it is built: lib/token.lua (the module usda_mock.lua installs) installed with
`{ forwardX = false }`; `tim3 build` and tim3.processes.source put the module in front of
this file.
]]

require("lib.token").install({ forwardX = false })
