"""Tests for runtime/lua/json.lua, the aos-compatible JSON encoder and decoder."""

from __future__ import annotations

import json as pyjson
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lupa import lua53

JSON_LUA = Path(__file__).resolve().parents[2] / "src" / "tim3" / "runtime" / "lua" / "json.lua"

Run = Callable[..., Any]


STRICT_GLOBALS = """
setmetatable(_G, {
  __newindex = function(_, k) error('assignment to undeclared global ' .. tostring(k), 2) end,
  __index = function(_, k) error('read of undeclared global ' .. tostring(k), 2) end,
})
"""


@pytest.fixture(scope="module")
def lua() -> Any:
    """A bare Lua 5.3 runtime where touching an undeclared global raises."""
    runtime = lua53.LuaRuntime(register_eval=False, register_builtins=False)
    runtime.execute(STRICT_GLOBALS)
    return runtime


@pytest.fixture(scope="module")
def run(lua: Any) -> Run:
    """Return run(expr, a, b): evaluates a Lua expression with `json`, `a` and `b` in scope."""
    module = lua.execute(JSON_LUA.read_text())
    cache: dict[str, Any] = {}

    def run(expr: str, *args: Any) -> Any:
        fn = cache.get(expr)
        if fn is None:
            fn = lua.eval(f"function(json, a, b) return {expr} end")
            cache[expr] = fn
        return fn(module, *args)

    return run


def test_module_has_version(run: Run) -> None:
    assert run("type(json._version)") == "string"


# --- encode ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("{}", "[]"),
        ("{1, 2, 3}", "[1,2,3]"),
        ("{'a', {}, {true}}", '["a",[],[true]]'),
        ("{a = 1}", '{"a":1}'),
        ("{b = 1, a = 2, c = {d = 'x'}}", '{"a":2,"b":1,"c":{"d":"x"}}'),
        ("{a = 1, f = function() end}", '{"a":1}'),
        ("'x'", '"x"'),
        ("''", '""'),
        ("nil", "null"),
        ("true", "true"),
        ("false", "false"),
        ("{Balances = {}}", '{"Balances":[]}'),
    ],
    ids=[
        "empty-table-is-array",
        "array",
        "nested-array",
        "object",
        "keys-sorted",
        "function-skipped",
        "string",
        "empty-string",
        "nil",
        "true",
        "false",
        "empty-balances",
    ],
)
def test_encode_values(run: Run, expr: str, expected: str) -> None:
    assert run(f"json.encode({expr})") == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0", "0"),
        ("-42", "-42"),
        ("9007199254740993", "9.007199254741e+15"),
        ("math.maxinteger", "9.2233720368548e+18"),
        ("math.mininteger", "-9.2233720368548e+18"),
        ("1.5", "1.5"),
        ("0.1", "0.1"),
        ("1/3", "0.33333333333333"),
        ("3.0", "3"),
        ("1e15", "1e+15"),
        ("2^53", "9.007199254741e+15"),
        ("-0.0", "-0"),
        ("1e-7", "1e-07"),
    ],
    ids=[
        "zero",
        "negative",
        "2^53+1",
        "maxinteger",
        "mininteger",
        "float",
        "tenth",
        "third",
        "integral-float",
        "float-1e15",
        "float-2^53",
        "negative-zero",
        "small-float",
    ],
)
def test_encode_numbers_with_14_significant_digits_like_aos(
    run: Run, expr: str, expected: str
) -> None:
    assert run(f"json.encode({expr})") == expected


@pytest.mark.parametrize(
    ("lua_string", "expected"),
    [
        (r"'say \"hi\"'", r'"say \"hi\""'),
        (r"'back\\slash'", r'"back\\slash"'),
        ("'a/b'", '"a/b"'),
        (r"'\b\f\n\r\t'", r'"\b\f\n\r\t"'),
        (r"'\0\1\31'", r'"\u0000\u0001\u001f"'),
        (r"'\127'", '"\x7f"'),
        ("'h\u00e9llo \U0001f600'", '"h\u00e9llo \U0001f600"'),
    ],
    ids=[
        "quote",
        "backslash",
        "slash-not-escaped",
        "short-escapes",
        "other-controls",
        "del-raw",
        "utf8-passes-through",
    ],
)
def test_encode_escapes_strings(run: Run, lua_string: str, expected: str) -> None:
    assert run(f"json.encode({lua_string})") == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("{1, nil, 3}", "invalid table: sparse array"),
        ("{[1] = 'a', [3] = 'c'}", "invalid table: sparse array"),
        ("{[1] = 'a', [2.5] = 'b'}", "invalid table: sparse array"),
        ("{1, 2, x = 1}", "invalid table: mixed or invalid key types"),
        ("{[2] = 'b'}", "invalid table: mixed or invalid key types"),
        ("{[true] = 1}", "invalid table: mixed or invalid key types"),
        ("{a = 1, [1.5] = 2}", "invalid table: mixed or invalid key types"),
        ("0/0", "unexpected number value"),
        ("math.huge", "unexpected number value"),
        ("{x = -math.huge}", "unexpected number value"),
        ("function() end", "unexpected type 'function'"),
        ("{print}", "unexpected type 'function'"),
        ("coroutine.create(function() end)", "unexpected type 'thread'"),
    ],
    ids=[
        "hole",
        "gap",
        "float-key",
        "mixed-keys",
        "integer-key-object",
        "boolean-key",
        "float-key-object",
        "nan",
        "inf",
        "minus-inf",
        "function",
        "function-in-array",
        "thread",
    ],
)
def test_encode_rejects_unrepresentable_values(run: Run, expr: str, message: str) -> None:
    with pytest.raises(lua53.LuaError, match=message):
        run(f"json.encode({expr})")


def test_encode_rejects_circular_references(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="circular reference"):
        run("(function() local t = {a = {}} t.a.b = t return json.encode(t) end)()")


def test_encode_allows_the_same_table_twice_when_not_circular(run: Run) -> None:
    assert run("(function() local s = {1} return json.encode({s, s}) end)()") == "[[1],[1]]"


def test_encode_is_independent_of_insertion_order(run: Run) -> None:
    forward = run(
        "(function() local t = {} for i = 1, 200 do t['k' .. i] = i end"
        " return json.encode(t) end)()"
    )
    backward = run(
        "(function() local t = {} for i = 200, 1, -1 do t['k' .. i] = i end"
        " return json.encode(t) end)()"
    )

    assert forward == backward
    assert list(pyjson.loads(forward)) == sorted(f"k{i}" for i in range(1, 201))


def test_encode_handles_deep_nesting(run: Run) -> None:
    encoded = run(
        "(function() local t = {} local cur = t for i = 1, 300 do cur[1] = {} cur = cur[1] end"
        " return json.encode(t) end)()"
    )

    assert encoded == "[" * 301 + "]" * 301


# --- decode ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "lua_type"),
    [
        ("123", 123, "integer"),
        ("-5", -5, "integer"),
        ("0", 0, "integer"),
        ("1.5", 1.5, "float"),
        ("1e3", 1000.0, "float"),
        ("-2.5E-1", -0.25, "float"),
        ("12345678901234567890", 12345678901234567890.0, "float"),
        ("9223372036854775807", 9223372036854775807, "integer"),
        ('"x"', "x", None),
        ("true", True, None),
        ("false", False, None),
        ("null", None, None),
        ("  \t\r\n 7 \n", 7, "integer"),
    ],
    ids=[
        "integer",
        "negative",
        "zero",
        "float",
        "exponent",
        "negative-exponent",
        "beyond-int64",
        "maxinteger",
        "string",
        "true",
        "false",
        "null",
        "whitespace",
    ],
)
def test_decode_scalars_through_tonumber(
    run: Run, text: str, value: Any, lua_type: str | None
) -> None:
    assert run("(function(v) return v, math.type(v) end)(json.decode(a))", text) == (
        value,
        lua_type,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r'"\u00e9"', "\u00e9"),
        (r'"\u0041\u0042"', "AB"),
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"\"\\\/\b\f\n\r\t"', '"\\/\b\f\n\r\t'),
        ('"h\u00e9llo"', "h\u00e9llo"),
        (r'"a\u0000b"', "a\x00b"),
        ('"\x7f"', "\x7f"),
    ],
    ids=["latin1", "ascii", "surrogate-pair", "short-escapes", "raw-utf8", "nul", "del-raw"],
)
def test_decode_string_escapes(run: Run, text: str, expected: str) -> None:
    assert run("json.decode(a)", text) == expected


def test_decode_drops_object_keys_holding_null(run: Run) -> None:
    assert run("(function(t) return t.a, t.b end)(json.decode(a))", '{"a": null, "b": 1}') == (
        None,
        1,
    )


def test_decode_leaves_a_hole_for_array_null(run: Run) -> None:
    assert run("(function(t) return t[1], t[2], t[3] end)(json.decode(a))", "[1, null, 3]") == (
        1,
        None,
        3,
    )


def test_decode_empty_containers_are_empty_tables(run: Run) -> None:
    assert run("next(json.decode('{}')) == nil, json.encode(json.decode('{}'))") == (True, "[]")


MALFORMED = {
    "empty": ("", "unexpected end of input"),
    "whitespace-only": ("   ", "unexpected end of input"),
    "trailing-comma-array": ("[1,]", "unexpected character ']'"),
    "trailing-comma-object": ('{"a":1,}', "expected string for key"),
    "missing-colon": ('{"a" 1}', "expected ':' after key"),
    "unquoted-key": ("{a:1}", "expected string for key"),
    "missing-comma": ("[1 2]", "expected ']' or ','"),
    "unclosed-array": ("[1", "expected ']' or ','"),
    "unclosed-object": ('{"a":1', "expected '}' or ','"),
    "unterminated-string": ('"abc', "unterminated string"),
    "control-char-in-string": ('"a\nb"', "control character in string"),
    "tab-in-string": ('"a\tb"', "control character in string"),
    "bad-escape": (r'"\q"', "invalid escape"),
    "short-unicode-escape": (r'"\u12"', "invalid unicode escape"),
    "lone-high-surrogate": (r'"\ud800"', "invalid unicode surrogate pair"),
    "lone-low-surrogate": (r'"\udc00"', "invalid unicode surrogate pair"),
    "trailing-garbage": ("[1] x", "trailing garbage"),
    "two-values": ("1 2", "trailing garbage"),
    "leading-zero": ("01", "leading zero"),
    "bare-minus": ("-", "invalid number"),
    "dot-without-digits": ("1.", "invalid number"),
    "exponent-without-digits": ("1e", "invalid number"),
    "leading-dot": (".5", "unexpected character '.'"),
    "plus-sign": ("+1", "unexpected character '+'"),
    "truncated-literal": ("tru", "unexpected character 't'"),
    "capitalised-literal": ("True", "unexpected character 'T'"),
    "nan": ("NaN", "unexpected character 'N'"),
    "single-quotes": ("'a'", "unexpected character"),
}


@pytest.mark.parametrize(("text", "message"), list(MALFORMED.values()), ids=list(MALFORMED.keys()))
def test_decode_rejects_malformed_input_with_position(run: Run, text: str, message: str) -> None:
    with pytest.raises(lua53.LuaError, match=r"at line \d+ col \d+") as excinfo:
        run("json.decode(a)", text)

    assert message in str(excinfo.value)


def test_decode_error_reports_line_and_column(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="expected string for key at line 3 col 5"):
        run("json.decode(a)", '{\n  "a": 1,\n    x: 2}')


def test_decode_rejects_non_string_argument(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="expected argument of type string"):
        run("json.decode(5)")


@pytest.mark.parametrize("depth", [200, 1000], ids=["200", "1000"])
def test_decode_handles_deep_nesting(run: Run, depth: int) -> None:
    arrays = "[" * depth + "]" * depth
    objects = '{"a":' * depth + "1" + "}" * depth

    assert run("json.encode(json.decode(a)), json.encode(json.decode(b))", arrays, objects) == (
        arrays,
        objects,
    )


def test_decode_rejects_nesting_deeper_than_the_limit(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="nesting deeper than 1000 levels"):
        run("json.decode(a)", "[" * 1001 + "]" * 1001)


# --- round trips -------------------------------------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
scalars = st.one_of(
    st.booleans(),
    # aos prints every number with %.14g, so only integers of at most 14 digits round trip.
    st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1),
    text,
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(text, children, max_size=5),
    ),
    max_leaves=30,
)


def empty_objects_as_arrays(value: Any) -> Any:
    """What aos does to a document: an empty object comes back as an empty array."""
    if isinstance(value, dict):
        if not value:
            return []
        return {k: empty_objects_as_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [empty_objects_as_arrays(v) for v in value]
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents, ascii_only=st.booleans())
def test_decode_then_encode_round_trips_documents(
    run: Run, document: Any, ascii_only: bool
) -> None:
    source = pyjson.dumps(document, ensure_ascii=ascii_only)

    encoded = run("json.encode(json.decode(a))", source)

    assert pyjson.loads(encoded) == empty_objects_as_arrays(document)


@pytest.mark.parametrize(
    "expr",
    [
        "{1, 2.5, 'x', true, {a = {b = {}}}}",
        "{Balances = {abc = '100', xyz = '0'}}",
        "0.1",
        "'\\0\\n\\u{10FFFF}'",
    ],
    ids=["mixed-array", "balances", "float", "edge-string"],
)
def test_encode_then_decode_round_trips_lua_values(run: Run, expr: str) -> None:
    assert run(f"json.encode(json.decode(json.encode({expr}))) == json.encode({expr})") is True


def test_loading_the_module_defines_no_globals() -> None:
    lua = lua53.LuaRuntime(register_eval=False, register_builtins=False)
    keys = lua.eval(
        "function() local k = {} for name in pairs(_G) do k[#k + 1] = name end return k end"
    )
    before = set(keys().values())

    lua.execute(JSON_LUA.read_text())

    assert set(keys().values()) == before
