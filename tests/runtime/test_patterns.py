"""string.find/match/gmatch/gsub under the budget: patterns.lua's matcher against Lua's C one.

A backtracking pattern used to keep the C matcher busy outside the instruction budget, so one
message could hang the devnet. The host now sends any call whose worst case is large to a
matcher written in Lua, which the budget can stop. These tests hold that matcher to the C
library's answers and errors on random patterns and subjects (with the host forced to use it
for every call), and show that the pathological cases now end in an Error.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lupa import lua53

from tim3.devnet import Devnet, DevnetConfig
from tim3.runtime.vm import ProcessVM

# Runs each case and renders what it returned (or the error, with the position C gives it: the
# caller's line) as one string. The same chunk runs in a plain Lua 5.3 (Lua's own C functions)
# and in a process VM forced onto patterns.lua.
HARNESS = """
return function(cases)
  local out = {}
  local function render(r)
    local parts = {}
    for j = 1, r.n do parts[j] = math.type(r[j]) or type(r[j]); parts[j] = parts[j] .. ":" .. tostring(r[j]) end
    return table.concat(parts, "|")
  end
  local repls = {
    str = "<%0|%1>",
    pct = "%%",
    num = 7,
    tbl = setmetatable({ a = "A", b = false, ["("] = 2.5 }, { __index = function(_, k) if k == "c" then return {} end end }),
    fn = function(...) return select("#", ...) .. ":" .. table.concat({ ... }, ",") end,
    nilfn = function() return nil end,
    endpct = "x%", cap2 = "%2", badesc = "%x", bool = true,
  }
  for i = 1, #cases do
    local c = cases[i]
    local fn, s, p, a, b = c[1], c[2], c[3], c[4], c[5]
    local r
    if fn == "gmatch" then
      r = table.pack(pcall(function()
        local acc, n = {}, 0
        for x, y, z in string.gmatch(s, p) do
          n = n + 1
          if n > 60 then break end
          acc[n] = tostring(x) .. "," .. tostring(y) .. "," .. tostring(z)
        end
        return table.concat(acc, ";")
      end))
    elseif fn == "gsub" then
      r = table.pack(pcall(function()
        local got = table.pack(string.gsub(s, p, repls[a], b))   -- not a tail call: see
        return table.unpack(got, 1, got.n)                        -- patterns.lua's header
      end))
    elseif i % 2 == 0 then
      r = table.pack(pcall(string[fn], s, p, a, b))
    else
      r = table.pack(pcall(function()
        local got = table.pack(string[fn](s, p, a, b))
        return table.unpack(got, 1, got.n)
      end))
    end
    out[i] = render(r)
  end
  return out
end
"""

ATOMS = ["a", "b", "(", ")", "%", "[", "]", "^", "$", "*", "+", "-", "?", ".", "%a", "%d",
         "%s", "%w", "%b()", "%f[%w]", "%1", "%2", "[ab]", "[^a]", "[a-c]", "()", " "]
SUBJECT = st.text(alphabet="ab(c) 1-[]%^", max_size=12)
PATTERN = st.lists(st.sampled_from(ATOMS), max_size=7).map("".join)
INIT = st.one_of(st.none(), st.integers(-14, 14))
CASE = st.one_of(
    st.tuples(st.sampled_from(["find", "match"]), SUBJECT, PATTERN, INIT, st.none()),
    st.tuples(st.just("find"), SUBJECT, PATTERN, INIT, st.just(True)),
    st.tuples(st.just("gmatch"), SUBJECT, PATTERN, st.none(), st.none()),
    st.tuples(st.just("gsub"), SUBJECT, PATTERN,
              st.sampled_from(["str", "pct", "num", "tbl", "fn", "nilfn"]),
              st.one_of(st.none(), st.integers(0, 3))),
)


@pytest.fixture(scope="module")
def reference():
    """Lua's own C string functions."""
    lua = lua53.LuaRuntime()
    return lua, lua.eval("load")(HARNESS, "=harness")()


def guarded(steps):
    vm = ProcessVM("p" * 43, "o" * 43, [("Name", "patterns")])
    vm._host.setPatternSteps(steps)
    return vm._lua, vm.eval_host("return load")(HARNESS, "=harness")()


@pytest.fixture(scope="module", params=["lua", "c"])
def forced(request):
    """A process VM's string functions with every call sent to patterns.lua's matcher, or
    every call sent on to C (through the guard, which must not change C's answers or errors)."""
    return guarded(0 if request.param == "lua" else 2**63 - 1)


def outcomes(side, cases):
    lua, harness = side
    return list(harness(lua.table_from([lua.table_from(list(c)) for c in cases])).values())


def compare(reference, forced, cases):
    for case, want, got in zip(cases, outcomes(reference, cases), outcomes(forced, cases),
                               strict=True):
        assert got == want, f"{case!r}: C gives {want!r}, patterns.lua gives {got!r}"


@settings(max_examples=300, deadline=None)
@given(st.lists(CASE, min_size=1, max_size=40))
def test_the_lua_matcher_answers_as_lua_does(reference, forced, cases):
    compare(reference, forced, cases)


@pytest.mark.parametrize("case", [
    ("find", "hello world", "o w", None, None),
    ("find", "a.b", ".", None, True),
    ("find", "abc", "", 10, None),
    ("find", "abc", "", -10, None),
    ("match", "key = value", "^(%w+)%s*=%s*(%w+)$", None, None),
    ("match", "  trim me  ", "^%s*(.-)%s*$", None, None),
    ("match", "f(a(b)c)d", "%b()", None, None),
    ("match", "THE (quick) fox", "%f[%a]%a+", 5, None),
    ("match", "abcabc", "(abc)%1", None, None),
    ("match", "x", "()", None, None),
    ("match", "aaa", "a" + "a?" * 250, None, None),     # pattern too complex
    ("match", "x", "()" * 33, None, None),               # too many captures
    ("match", "x", "(x", None, None),                   # unfinished capture
    ("match", "x", "x)", None, None),                   # invalid pattern capture
    ("match", "x", "%", None, None),
    ("match", "x", "[x", None, None),
    ("match", "x", "%bx", None, None),
    ("match", "x", "%fx", None, None),
    ("match", "x", "%0", None, None),
    ("gsub", "hello", "", "str", None),
    ("gsub", "abc", "%w*", "str", None),
    ("gsub", "a(b)c", "%((%w)%)", "fn", 1),
    ("gsub", "abc", "(b)", "tbl", None),
    ("gsub", "abc", "c", "tbl", None),                  # __index answers a table: an error
    ("gsub", "x", "x", "str", None),                    # %1 of a pattern without captures
    ("gsub", "abc", "b", "endpct", None),               # a replacement ending in %
    ("gsub", "abc", "(b)", "cap2", None),               # %2 of a pattern with one capture
    ("gsub", "abc", "b", "badesc", None),               # %x in a replacement
    ("gmatch", "one two  three", "%a+", None, None),
    ("gmatch", "abc", "%w*", None, None),
    ("gmatch", "^a^a", "^a", None, None),               # no anchor in gmatch
    ("find", "abcabc", "b", "2", None),                 # init as C converts it ...
    ("find", "abcabc", "b", 2.0, None),
    ("find", "abc", "b", 2.5, None),                    # ... or refuses it
    ("match", "abc", "(b)", "x", None),
    ("gsub", "abab", "b", "str", "1"),
    ("gsub", "abab", "b", "str", 1.5),
    ("gsub", "ab", "b", "bool", None),                  # a replacement of the wrong type
])
def test_the_lua_matcher_on_chosen_cases(reference, forced, case):
    compare(reference, forced, [case])


@pytest.mark.parametrize("code", [
    'string.find(string.rep("a", 600), ".-.-.-b")',
    'string.match(string.rep("a", 600), "^(.-)(.-)(.-)b$")',
    'string.gsub(string.rep("a", 3000), "a*a*a*b", "")',
    'for w in string.gmatch(string.rep("a", 600), ".-.-.-b") do end',
])
def test_a_pattern_that_would_run_for_minutes_ends_the_message_with_an_error(code):
    net = Devnet(config=DevnetConfig.for_tests())
    owner = net.wallet("owner")
    pid = net.spawn(owner, "Ok = true")
    started = time.monotonic()

    receipt = net.eval(owner, pid, code)

    assert receipt.error is not None and "instruction budget exceeded" in receipt.error
    assert time.monotonic() - started < 30
    assert net.eval(owner, pid, "return Ok").result.output == "true"   # the process goes on


def test_ordinary_pattern_work_on_long_text_still_succeeds():
    net = Devnet(config=DevnetConfig.for_tests())
    owner = net.wallet("owner")
    pid = net.spawn(owner, "Ok = true")
    text = "word " * 20_000

    receipt = net.eval(owner, pid, """
      local s = string.rep("word ", 20000)
      local squeezed, n = s:gsub("%s+", "_")
      local words = 0
      for _ in s:gmatch("%a+") do words = words + 1 end
      local trimmed = s:match("^%s*(.-)%s*$")
      return n .. " " .. words .. " " .. #trimmed .. " " .. tostring(s:find("word", 99990, true))
    """)

    assert receipt.error is None
    assert receipt.result.output == f"20000 20000 {len(text.strip())} 99991"


SNIPPET = """
return function(code)
  local ok, e = pcall(load(code, "=snippet"))
  return tostring(ok) .. " " .. tostring(e)
end
"""


@pytest.mark.parametrize(("code", "tail"), [
    ('local r = { string.find("x", nil) }', False),
    ('local r = { ("abc"):find("b", 2.5) }', False),  # a method call does not count self
    ('local s = "abc"\nlocal r = { s:gsub("b", true) }', False),
    ('local r = { string.gmatch(nil, "x") }', False),
    ('local f = string.find\nlocal a, b = f(1, {})\nreturn a', False),
    ('local r = { string.match("x", "(") }\nreturn r[1]', False),
    ('local r = { string.gsub("abc", "%w", "%9") }', False),
    ('local ok, e = pcall(string.gsub, "abc", "%w", function() error({}) end)\nreturn type(e)',
     False),
    ('return string.find("x", nil)', True),
    ('return ("x"):match("%")', True),
])
@pytest.mark.parametrize("steps", [0, 2**63 - 1], ids=["lua", "c"])
def test_errors_name_the_function_and_line_as_lua_does(code, tail, steps):
    lua = lua53.LuaRuntime()
    want = lua.eval("load")(SNIPPET, "=snippets")()(code)
    if tail:     # after a tail call no caller is left to give its line or the name it used
        want = re.sub(r"^false snippet:\d+: ", "false ", want).replace("'find'", "'string.find'")
    vm = ProcessVM("p" * 43, "o" * 43, [("Name", "patterns")])
    vm._host.setPatternSteps(steps)

    assert vm.eval_host("return load")(SNIPPET, "=snippets")()(code) == want
