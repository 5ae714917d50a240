"""Tests for runtime/lua/bint.lua, the aos-compatible fixed-width big integer.

Values cross the Python/Lua boundary as decimal strings (a Python int above 2^63 - 1 cannot
enter Lua), and every expected value comes from Python's int reduced to two's complement.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lupa import lua53

BINT_LUA = Path(__file__).resolve().parents[2] / "src" / "tim3" / "runtime" / "lua" / "bint.lua"

BITS = 256
MOD = 1 << BITS
MIN = -(1 << (BITS - 1))
MAX = (1 << (BITS - 1)) - 1

Run = Callable[..., Any]


def wrap(value: int, bits: int = BITS) -> int:
    """Reduce a Python int to the signed two's-complement range of `bits` bits."""
    value %= 1 << bits
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def make_runner(lua: Any, module: Any) -> Run:
    """Return run(expr, a, b, c): evaluates a Lua expression with `bint`, `a`, `b`, `c` in scope.

    Bint results come back as decimal strings, byte strings through `hex`; several results
    come back as a tuple.
    """
    cache: dict[str, Any] = {}

    def run(expr: str, *args: Any) -> Any:
        fn = cache.get(expr)
        if fn is None:
            fn = lua.eval(
                "function(bint, ...)\n"
                "  local a, b, c = ...\n"
                "  local function hex(s)\n"
                "    return (s:gsub('.', function(ch) return ('%02x'):format(ch:byte()) end))\n"
                "  end\n"
                "  local function out(...)\n"
                "    local r = table.pack(...)\n"
                "    for i = 1, r.n do\n"
                "      if bint.isbint(r[i]) then r[i] = tostring(r[i]) end\n"
                "    end\n"
                "    return table.unpack(r, 1, r.n)\n"
                "  end\n"
                f"  return out({expr})\n"
                "end"
            )
            cache[expr] = fn
        return fn(module, *args)

    return run


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
def factory(lua: Any) -> Any:
    """The function bint.lua returns: newmodule(bits, wordbits)."""
    return lua.execute(BINT_LUA.read_text())


@pytest.fixture(scope="module")
def run(lua: Any, factory: Any) -> Run:
    """Evaluate Lua expressions against the 256-bit class."""
    return make_runner(lua, factory(256))


ints256 = st.integers(min_value=MIN, max_value=MAX)


def to_base(value: int, base: int) -> str:
    """Lower-case digits of a non-negative int in a base."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while value:
        value, d = divmod(value, base)
        out = digits[d] + out
    return out or "0"


# --- the factory -------------------------------------------------------------------------------


def test_factory_memoizes_classes_per_size(lua: Any, factory: Any) -> None:
    same = lua.eval("function(f) return f(256) == f(256), f() == f(256, 32), f(512) ~= f(256) end")

    assert same(factory) == (True, True, True)


@pytest.mark.parametrize(
    ("bits", "wordbits"),
    [(100, 32), (32, 32), (256, 64), (256, 1)],
    ids=["not-multiple-of-word", "below-64-bits", "word-too-wide", "word-too-narrow"],
)
def test_factory_rejects_impossible_widths(factory: Any, bits: int, wordbits: int) -> None:
    with pytest.raises(lua53.LuaError, match="bint: "):
        factory(bits, wordbits)


def test_class_has_version_and_width(run: Run) -> None:
    assert run("type(bint._version), bint.bits") == ("string", 256)


# --- constructors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", "100"),
        ("007", "7"),
        ("+5", "5"),
        ("-5", "-5"),
        ("0", "0"),
        ("-0", "0"),
        ("0x10", "16"),
        ("0XfF", "255"),
        ("-0x10", "-16"),
        ("0b101", "5"),
        ("0B11", "3"),
        ("+0b1", "1"),
        ("12345678901234567890123", "12345678901234567890123"),
        ("000000000000000000000000000000000042", "42"),
    ],
    ids=lambda v: repr(v),
)
def test_fromstring_accepts_decimal_hex_and_binary(run: Run, text: str, expected: str) -> None:
    assert run("bint.fromstring(a)", text) == expected
    assert run("bint(a)", text) == expected


REJECTED = {
    "decimal-point": "1.5",
    "exponent": "1e6",
    "leading-space": " 5",
    "trailing-space": "5 ",
    "empty": "",
    "sign-only": "+",
    "minus-only": "-",
    "double-sign": "--5",
    "mixed-signs": "+-5",
    "hex-prefix-only": "0x",
    "bad-hex-digit": "0xg",
    "bad-binary-digit": "0b102",
    "octal-prefix": "0o7",
    "letters": "abc",
    "underscore": "1_000",
    "trailing-sign": "5-",
    "non-ascii-digit": "\u0663",
    "inner-newline": "1\n2",
}


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_fromstring_rejects_malformed_text(run: Run, text: str) -> None:
    assert run("bint.fromstring(a)", text) is None


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_new_raises_value_cannot_be_represented_for_malformed_text(run: Run, text: str) -> None:
    with pytest.raises(lua53.LuaError, match="value cannot be represented by a bint"):
        run("bint(a)", text)


def test_fromstring_rejects_decimal_point(run: Run) -> None:
    assert run("bint.fromstring('1.5')") is None


@pytest.mark.parametrize(
    "expr",
    [
        "bint(1.5)",
        "bint(0/0)",
        "bint(math.huge)",
        "bint(1e300)",
        "bint(true)",
        "bint(nil)",
        "bint({})",
        "bint.new('x')",
    ],
    ids=["fraction", "nan", "inf", "float-beyond-int64", "boolean", "nil", "table", "new-string"],
)
def test_new_raises_for_values_without_a_bint(run: Run, expr: str) -> None:
    with pytest.raises(lua53.LuaError, match="value cannot be represented by a bint"):
        run(expr)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint(42)", "42"),
        ("bint(-42)", "-42"),
        ("bint(2.0)", "2"),
        ("bint(1e16)", "10000000000000000"),
        ("bint(math.maxinteger)", str(2**63 - 1)),
        ("bint(math.mininteger)", str(-(2**63))),
        ("bint.new(bint(7))", "7"),
    ],
    ids=[
        "integer",
        "negative",
        "integral-float",
        "token-supply-float",
        "maxinteger",
        "mininteger",
        "from-bint",
    ],
)
def test_new_accepts_integers_integral_floats_and_bints(run: Run, expr: str, expected: str) -> None:
    assert run(expr) == expected


def test_new_returns_a_copy_of_a_bint(run: Run) -> None:
    assert run("(function(x) return rawequal(bint.new(x), x) end)(bint(7))") is False


def test_tobint_returns_nil_on_failure_and_the_same_bint_unless_cloned(run: Run) -> None:
    result = run(
        "(function(x) return bint.tobint('1.5'), rawequal(bint.tobint(x), x),"
        " rawequal(bint.tobint(x, true), x), bint.tobint(' 1'), bint.tobint({}) end)(bint(3))"
    )

    assert result == (None, True, False, None, None)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.tobint('12')", "12"),
        ("bint.tobint(12)", "12"),
        ("bint.tobint(12.0)", "12"),
        ("bint.parse('12')", "12"),
        ("bint.parse('1.5')", 1.5),
        ("bint.parse(2.5)", 2.5),
        ("bint.parse('abc')", None),
    ],
    ids=[
        "tobint-string",
        "tobint-int",
        "tobint-float",
        "parse-string",
        "parse-float-string",
        "parse-float",
        "parse-junk",
    ],
)
def test_tobint_and_parse_convert_what_they_can(run: Run, expr: str, expected: Any) -> None:
    assert run(expr) == expected


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("ff", 16, "255"),
        ("FF", 16, "255"),
        ("-zz", 36, "-1295"),
        ("777", 8, "511"),
        ("101", 2, "5"),
        ("+10", 10, "10"),
        ("12345678901234567890123456789", 10, "12345678901234567890123456789"),
        ("102", 2, None),
        ("12", 37, None),
        ("12", 1, None),
        ("", 10, None),
        ("1 2", 10, None),
        ("0x10", 16, None),
    ],
    ids=lambda v: repr(v),
)
def test_frombase_reads_digits_in_any_base(run: Run, text: str, base: int, expected: Any) -> None:
    assert run("bint.frombase(a, b)", text, base) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.frominteger(-1)", "-1"),
        ("bint.frominteger(2.0)", "2"),
        ("bint.frominteger(2.5)", None),
        ("bint.frominteger('5')", None),
        ("bint.fromuinteger(-1)", str(2**64 - 1)),
        ("bint.fromuinteger(math.mininteger)", str(2**63)),
        ("bint.fromuinteger(3)", "3"),
        ("bint.fromuinteger(0.5)", None),
    ],
    ids=[
        "int-minus-one",
        "int-integral-float",
        "int-fraction",
        "int-string",
        "uint-minus-one",
        "uint-mininteger",
        "uint-three",
        "uint-fraction",
    ],
)
def test_frominteger_and_fromuinteger(run: Run, expr: str, expected: Any) -> None:
    assert run(expr) == expected


def test_byte_string_constructors_and_converters_round_trip(run: Run) -> None:
    result = run(
        "bint.frombe('\\1\\0'), bint.fromle('\\1\\0'), hex(bint.tobe(bint(256))),"
        " hex(bint.tole(bint(-1))), hex(bint.tobe(bint(258), true)),"
        " bint.frombe(bint.tobe(bint(a))), bint.fromle(bint.tole(bint(a)))",
        str(MIN + 12345),
    )

    assert result == (
        "256",
        "1",
        "00" * 30 + "0100",
        "ff" * 32,
        "0102",
        str(MIN + 12345),
        str(MIN + 12345),
    )


def test_frombe_drops_bytes_beyond_the_width(run: Run) -> None:
    assert run("bint.frombe(string.rep('\\255', 40))") == "-1"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.zero()", "0"),
        ("bint.one()", "1"),
        ("bint.maxinteger()", str(MAX)),
        ("bint.mininteger()", str(MIN)),
    ],
    ids=["zero", "one", "maxinteger", "mininteger"],
)
def test_constant_constructors(run: Run, expr: str, expected: str) -> None:
    assert run(expr) == expected


# --- wrap-around -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2**255, MIN),
        (2**256, 0),
        (2**256 - 1, -1),
        (2**256 + 5, 5),
        (2**255 - 1, MAX),
        (-(2**255), MIN),
        (-(2**255) - 1, MAX),
        (10**80, wrap(10**80)),
        (-(10**100), wrap(-(10**100))),
    ],
    ids=[
        "2^255",
        "2^256",
        "2^256-1",
        "2^256+5",
        "2^255-1",
        "-2^255",
        "-2^255-1",
        "10^80",
        "-10^100",
    ],
)
def test_decimal_strings_beyond_the_width_wrap_silently(
    run: Run, value: int, expected: int
) -> None:
    assert run("bint(a)", str(value)) == str(expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.maxinteger() + 1", MIN),
        ("bint.mininteger() - 1", MAX),
        ("-bint.mininteger()", MIN),
        ("bint.mininteger() // -1", MIN),
        ("bint.mininteger() % -1", 0),
        ("bint.maxinteger() * 2", -2),
        ("bint.abs(bint.mininteger())", MIN),
    ],
    ids=[
        "max-plus-one",
        "min-minus-one",
        "negate-min",
        "min-idiv-minus-one",
        "min-mod-minus-one",
        "max-times-two",
        "abs-min",
    ],
)
def test_arithmetic_wraps_like_lua_integers(run: Run, expr: str, expected: int) -> None:
    assert run(expr) == str(expected)


# --- converters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        -1,
        -5,
        999999999,
        10**9,
        -(10**9),
        2**63 - 1,
        2**63,
        -(2**63),
        -(2**63) - 1,
        12345678901234567890123,
        10**18,
        10**27,
        MIN,
        MAX,
    ],
    ids=str,
)
def test_tostring_prints_signed_decimal(run: Run, value: int) -> None:
    assert run("tostring(bint(a)), bint.tostring(bint(a)), bint(a):tostring()", str(value)) == (
        (str(value),) * 3
    )


def test_tostring_of_mininteger(run: Run) -> None:
    assert run("tostring(bint.mininteger())") == str(MIN)


def test_tostring_passes_other_values_to_lua_tostring(run: Run) -> None:
    assert run("bint.tostring(5), bint.tostring('x')") == ("5", "x")


@pytest.mark.parametrize(
    ("value", "base", "unsigned", "expected"),
    [
        (255, 16, None, "ff"),
        (-1, 16, None, "f" * 64),
        (-255, 16, False, "-ff"),
        (-5, 10, None, "-5"),
        (-5, 10, True, str(2**256 - 5)),
        (5, 2, None, "101"),
        (0, 7, None, "0"),
        (MAX, 36, None, to_base(MAX, 36)),
        (MIN, 10, None, str(MIN)),
        (123456789, 8, None, "726746425"),
    ],
    ids=[
        "hex",
        "hex-minus-one",
        "signed-hex",
        "decimal-signed",
        "decimal-unsigned",
        "binary",
        "zero",
        "base36-max",
        "decimal-min",
        "octal",
    ],
)
def test_tobase(run: Run, value: int, base: int, unsigned: bool | None, expected: str) -> None:
    assert run("bint.tobase(bint(a), b, c)", str(value), base, unsigned) == expected


def test_tobase_raises_on_invalid_base(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="base"):
        run("bint.tobase(bint(1), 37)")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.tonumber(bint(5))", (5, "integer")),
        ("bint.tonumber(bint(-5))", (-5, "integer")),
        ("bint.tonumber(bint('1180591620717411303424'))", (2.0**70, "float")),
        ("bint.tonumber(bint('-1180591620717411303424'))", (-(2.0**70), "float")),
        ("bint.tonumber('7')", (7, "integer")),
    ],
    ids=["small", "small-negative", "2^70", "-2^70", "string"],
)
def test_tonumber_gives_an_integer_when_it_fits_else_a_float(
    run: Run, expr: str, expected: tuple[Any, str]
) -> None:
    assert run(f"(function(v) return v, math.type(v) end)({expr})") == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.tointeger(bint(-5))", -5),
        ("bint.tointeger(bint(a))", 2**63 - 1),
        ("bint.tointeger(bint('18446744073709551623'))", 7),
        ("bint.touinteger(bint(-1))", -1),
        ("bint.tointeger('x')", None),
        ("bint.tointeger(12)", 12),
    ],
    ids=["negative", "maxinteger", "wraps-low-64-bits", "uinteger-all-ones", "junk", "number"],
)
def test_tointeger_keeps_the_low_64_bits(run: Run, expr: str, expected: Any) -> None:
    assert run(expr, str(2**63 - 1)) == expected


# --- predicates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "bint.iszero(bint(0)), bint.iszero(bint(1)), bint.iszero(0), bint.iszero(0.5)",
            (True, False, True, False),
        ),
        (
            "bint.isone(bint(1)), bint.isone(bint(-1)), bint.isone(1), bint.isone(2)",
            (True, False, True, False),
        ),
        (
            "bint.isminusone(bint(-1)), bint.isminusone(bint(1)), bint.isminusone(-1)",
            (True, False, True),
        ),
        (
            "bint.isneg(bint(-1)), bint.isneg(bint(0)), bint.isneg(bint.mininteger()),"
            " bint.isneg(-2)",
            (True, False, True, True),
        ),
        (
            "bint.ispos(bint(1)), bint.ispos(bint(0)), bint.ispos(bint(-1)), bint.ispos(3)",
            (True, False, False, True),
        ),
        (
            "bint.iseven(bint(-4)), bint.iseven(bint(3)), bint.iseven(0), bint.iseven(3)",
            (True, False, True, False),
        ),
        (
            "bint.isodd(bint(-3)), bint.isodd(bint(4)), bint.isodd(-3), bint.isodd(4)",
            (True, False, True, False),
        ),
        (
            "bint.isbint(bint(1)), bint.isbint(1), bint.isbint('1'), bint.isbint({})",
            (True, False, False, False),
        ),
        (
            "bint.isintegral(bint(1)), bint.isintegral(1), bint.isintegral(1.0),"
            " bint.isintegral('1')",
            (True, True, False, False),
        ),
        (
            "bint.isnumeric(bint(1)), bint.isnumeric(1), bint.isnumeric(1.5), bint.isnumeric('1')",
            (True, True, True, False),
        ),
        (
            "bint.type(bint(1)), bint.type(1), bint.type(1.5), bint.type('1')",
            ("bint", "integer", "float", None),
        ),
        ("bint(0):iszero(), bint(5):isodd()", (True, True)),
    ],
    ids=[
        "iszero",
        "isone",
        "isminusone",
        "isneg",
        "ispos",
        "iseven",
        "isodd",
        "isbint",
        "isintegral",
        "isnumeric",
        "type",
        "as-methods",
    ],
)
def test_predicates(run: Run, expr: str, expected: tuple[Any, ...]) -> None:
    assert run(expr) == expected


# --- arithmetic against Python ints ------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, y=ints256)
def test_add_sub_mul_match_python_modulo_2_256(run: Run, x: int, y: int) -> None:
    result = run("bint(a) + bint(b), bint(a) - bint(b), bint(a) * bint(b)", str(x), str(y))

    assert result == (str(wrap(x + y)), str(wrap(x - y)), str(wrap(x * y)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, y=ints256.filter(lambda v: v != 0))
def test_floor_division_and_modulo_match_python(run: Run, x: int, y: int) -> None:
    result = run(
        "bint(a) // bint(b), bint(a) % bint(b), bint.idivmod(bint(a), bint(b))", str(x), str(y)
    )

    q, r = wrap(x // y), x % y
    assert result == (str(q), str(r), str(q), str(r))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=ints256,
    y=st.one_of(st.integers(min_value=1, max_value=2**40), ints256).filter(lambda v: v != 0),
)
def test_truncated_and_unsigned_division_match_python(run: Run, x: int, y: int) -> None:
    truncated = run("bint.tdivmod(bint(a), bint(b))", str(x), str(y))
    unsigned = run("bint.udivmod(bint(a), bint(b))", str(x), str(y))

    tq = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
    tr = x - tq * y
    ux, uy = x % MOD, y % MOD
    assert truncated == (str(wrap(tq)), str(tr))
    assert unsigned == (str(wrap(ux // uy)), str(wrap(ux % uy)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, y=ints256)
def test_comparisons_match_python(run: Run, x: int, y: int) -> None:
    result = run(
        "bint(a) < bint(b), bint(a) <= bint(b), bint(a) == bint(b), bint.eq(bint(a), bint(b)),"
        " bint.ult(bint(a), bint(b)), bint.ule(bint(a), bint(b))",
        str(x),
        str(y),
    )

    assert result == (x < y, x <= y, x == y, x == y, x % MOD < y % MOD, x % MOD <= y % MOD)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256)
def test_tostring_round_trips_every_value(run: Run, x: int) -> None:
    assert run("tostring(bint(a)), -bint(a)", str(x)) == (str(x), str(wrap(-x)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, y=ints256, n=st.integers(min_value=-300, max_value=300))
def test_bitwise_operators_match_python(run: Run, x: int, y: int, n: int) -> None:
    result = run(
        "bint(a) & bint(b), bint(a) | bint(b), bint(a) ~ bint(b), ~bint(a),"
        " bint(a) << c, bint(a) >> c",
        str(x),
        str(y),
        n,
    )

    ux = x % MOD
    shl = ux << n if n >= 0 else ux >> -n
    shr = ux >> n if n >= 0 else ux << -n
    assert result == (
        str(wrap(x & y)),
        str(wrap(x | y)),
        str(wrap(x ^ y)),
        str(wrap(~x)),
        str(wrap(shl)),
        str(wrap(shr)),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, n=st.integers(min_value=-600, max_value=600))
def test_rotations_and_bwrap_match_python(run: Run, x: int, n: int) -> None:
    result = run(
        "bint.brol(bint(a), c), bint.bror(bint(a), c), bint.bwrap(bint(a), c)", str(x), None, n
    )

    ux, k = x % MOD, n % BITS
    rol = ((ux << k) | (ux >> (BITS - k))) % MOD
    ror = ((ux >> k) | (ux << (BITS - k))) % MOD
    kept = 0 if n <= 0 else ux % (1 << min(n, BITS))
    assert result == (str(wrap(rol)), str(wrap(ror)), str(wrap(kept)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=ints256, e=st.integers(min_value=0, max_value=300))
def test_ipow_matches_python_modulo_2_256(run: Run, x: int, e: int) -> None:
    assert run("bint.ipow(bint(a), b)", str(x), e) == str(wrap(pow(x, e, MOD)))


@pytest.mark.parametrize(
    ("base", "exp", "expected"),
    [
        (2, 10, 1024),
        (2, 255, MIN),
        (2, 256, 0),
        (3, 0, 1),
        (-2, 3, -8),
        (10, 77, wrap(10**77)),
        (0, 0, 1),
        (-1, 2**40 + 1, -1),
    ],
    ids=[
        "2^10",
        "2^255",
        "2^256",
        "x^0",
        "negative-base",
        "10^77",
        "0^0",
        "odd-power-of-minus-one",
    ],
)
def test_ipow(run: Run, base: int, exp: int, expected: int) -> None:
    assert run("bint.ipow(bint(a), b)", str(base), exp) == str(expected)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.integers(min_value=0, max_value=MAX),
    y=st.integers(min_value=0, max_value=2**64),
    m=st.integers(min_value=1, max_value=2**127),
)
def test_upowmod_matches_python_for_moduli_below_half_the_width(
    run: Run, x: int, y: int, m: int
) -> None:
    assert run("bint.upowmod(bint(a), bint(b), bint(c))", str(x), str(y), str(m)) == str(
        pow(x, y, m)
    )


@pytest.mark.parametrize(
    "expr",
    [
        "bint(1) // bint(0)",
        "bint(1) % bint(0)",
        "bint.udivmod(bint(1), bint(0))",
        "bint.tdivmod(bint(1), 0)",
        "bint.idivmod(bint(1), 0)",
        "bint(5) // 0",
        "bint.umod(1, 0)",
    ],
    ids=["idiv", "mod", "udivmod", "tdivmod", "idivmod", "idiv-integer", "umod"],
)
def test_division_by_zero_raises(run: Run, expr: str) -> None:
    with pytest.raises(lua53.LuaError, match="attempt to divide by zero"):
        run(expr)


# --- mixed operands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint(5) + 3", "8"),
        ("3 + bint(5)", "8"),
        ("bint(5) - '2'", "3"),
        ("'10' - bint(4)", "6"),
        ("2 * bint(3)", "6"),
        ("bint(7) // 2", "3"),
        ("-7 // bint(2)", "-4"),
        ("bint(7) % -3", "-2"),
        ("bint(5) + 0.5", 5.5),
        ("bint(7) / 2", 3.5),
        ("bint(2) ^ 3", 8.0),
        ("3 < bint(5)", True),
        ("bint(5) <= 5", True),
        ("bint(5) < 5.5", True),
        ("bint(5) > '4'", True),
        ("bint(5) == 5", False),
        ("bint(5) == bint(5)", True),
        ("bint.eq(bint(5), 5)", True),
        ("bint.eq(bint(5), 5.5)", False),
        ("'x' .. bint(5)", "x5"),
        ("bint(-5) .. 'y'", "-5y"),
        ("1 << bint(4)", "16"),
        ("bint(6) & 3", "2"),
    ],
    ids=[
        "bint+int",
        "int+bint",
        "bint-string",
        "string-bint",
        "int*bint",
        "bint//int",
        "int//bint",
        "bint%negative",
        "bint+float",
        "div-is-float",
        "pow-is-float",
        "int<bint",
        "bint<=int",
        "bint<float",
        "bint>string",
        "eq-needs-two-bints",
        "eq-two-bints",
        "eq-function",
        "eq-function-float",
        "concat-left",
        "concat-right",
        "shift-int-by-bint",
        "band-int",
    ],
)
def test_mixed_operands(run: Run, expr: str, expected: Any) -> None:
    assert run(expr) == expected


def test_bitwise_operator_rejects_fractional_operand(run: Run) -> None:
    with pytest.raises(lua53.LuaError, match="no integer representation"):
        run("bint(6) & 1.5")


def test_operators_leave_their_operands_unchanged(run: Run) -> None:
    result = run(
        "(function(x, y) local _ = x + y, x - y, x * y, -x, ~x, x << 3, x // y, bint.abs(x),"
        " bint.inc(x), bint.dec(x) return x, y end)(bint(-12), bint(5))"
    )

    assert result == ("-12", "5")


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("bint.inc(bint(5))", "6"),
        ("bint.inc(bint.maxinteger())", str(MIN)),
        ("bint.inc(1.5)", 2.5),
        ("bint.dec(bint(0))", "-1"),
        ("bint.abs(bint(-5))", "5"),
        ("bint.abs(-2.5)", 2.5),
        ("bint.floor(2.5)", "2"),
        ("bint.floor(-2.5)", "-3"),
        ("bint.ceil(2.5)", "3"),
        ("bint.ceil(-2.5)", "-2"),
        ("bint.floor(bint(9))", "9"),
        ("bint.trunc(-2.5)", "-2"),
        ("bint.trunc(1e20)", "100000000000000000000"),
        ("bint.trunc(-2^255)", str(MIN)),
        ("bint.trunc(2^255)", None),
        ("bint.trunc('x')", None),
        ("bint.max(bint(3), 5)", "5"),
        ("bint.max(bint(-3), bint(-5))", "-3"),
        ("bint.min(bint(3), 5)", "3"),
        ("bint.max(1.5, bint(1))", 1.5),
        ("bint.min(bint(2), 1.5)", 1.5),
    ],
    ids=lambda v: str(v),
)
def test_inc_dec_abs_floor_ceil_trunc_max_min(run: Run, expr: str, expected: Any) -> None:
    assert run(expr) == expected


# --- other widths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bits", "wordbits"),
    [(64, 8), (128, 16), (96, 24), (512, 32)],
    ids=["64x8", "128x16", "96x24", "512x32"],
)
def test_other_widths_wrap_at_their_own_size(
    lua: Any, factory: Any, bits: int, wordbits: int
) -> None:
    run_other = make_runner(lua, factory(bits, wordbits))
    big = 3**200 + 12345

    result = run_other(
        "bint(a), bint(a) * bint(b), bint(a) // bint(b), tostring(bint.mininteger())",
        str(big),
        "-987654321987",
    )

    x, y = wrap(big, bits), -987654321987
    assert result == (
        str(x),
        str(wrap(x * y, bits)),
        str(wrap(x // y, bits)),
        str(-(1 << (bits - 1))),
    )


@pytest.fixture(scope="module")
def run96(lua: Any, factory: Any) -> Run:
    """Evaluate Lua expressions against a 96-bit class of 24-bit words."""
    return make_runner(lua, factory(96, 24))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.integers(min_value=-(2**95), max_value=2**95 - 1),
    y=st.integers(min_value=-(2**95), max_value=2**95 - 1).filter(lambda v: v != 0),
)
def test_odd_word_size_matches_python(run96: Run, x: int, y: int) -> None:
    result = run96(
        "bint(a) + bint(b), bint(a) * bint(b), bint(a) // bint(b), bint(a) % bint(b),"
        " bint.tobase(bint(a), 16)",
        str(x),
        str(y),
    )

    assert result == (
        str(wrap(x + y, 96)),
        str(wrap(x * y, 96)),
        str(wrap(x // y, 96)),
        str(x % y),
        format(x % 2**96, "x"),
    )


def test_loading_the_module_defines_no_globals() -> None:
    lua = lua53.LuaRuntime(register_eval=False, register_builtins=False)
    keys = lua.eval(
        "function() local k = {} for name in pairs(_G) do k[#k + 1] = name end return k end"
    )
    before = set(keys().values())

    lua.execute(BINT_LUA.read_text())(256)

    assert set(keys().values()) == before
