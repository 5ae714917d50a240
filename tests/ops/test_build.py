"""Build: one loadable file per process, its modules inlined with package.preload, its hash."""

import hashlib

import pytest

from tim3.devnet import Devnet, DevnetConfig
from tim3.errors import ConfigError
from tim3.ops.build import build_all, build_process, process_names, read_build
from tim3.processes import source


@pytest.fixture
def sources(tmp_path):
    """A process that requires a library module, which requires another."""
    root = tmp_path / "src"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "helper.lua").write_text("return { add = function(a, b) return a + b end }\n")
    (root / "lib" / "mathx.lua").write_text(
        'local helper = require("lib.helper")\nlocal M = {}\n'
        "function M.double(x) return helper.add(x, x) end\nreturn M\n")
    (root / "doubler.lua").write_text(
        '--[[ Double: require("not.a.module") in a comment is ignored ]]\n'
        'local json = require("json")\nlocal mx = require("lib.mathx")\n'
        'Handlers.add("Double", "Double", function(msg)\n'
        "  msg.reply({ Result = tostring(mx.double(tonumber(msg.Data))) })\nend)\n")
    return root


def test_a_process_using_only_runtime_modules_builds_to_its_own_source():
    bundle = build_process("tim3")

    assert bundle.source == source("tim3") and bundle.modules == ()
    assert bundle.sha256 == hashlib.sha256(source("tim3").encode()).hexdigest()


def test_required_modules_are_inlined_and_run_on_the_devnet(sources):
    bundle = build_process("doubler", sources)
    net = Devnet(config=DevnetConfig.for_tests())
    owner = net.wallet("deployer")
    pid = net.spawn(owner, bundle.source)

    receipt = net.send(owner, pid, tags={"Action": "Double"}, data="21")

    assert bundle.modules == ("lib.mathx", "lib.helper")
    assert receipt.messages[0].tag("Result") == "42"


def test_the_bundle_can_be_loaded_again_by_eval(sources):
    bundle = build_process("doubler", sources)
    net = Devnet(config=DevnetConfig.for_tests())
    owner = net.wallet("deployer")
    pid = net.spawn(owner, bundle.source)

    assert net.eval(owner, pid, bundle.source).ok
    assert net.send(owner, pid, tags={"Action": "Double"}, data="5").messages[0].tag("Result") == "10"


def test_a_missing_module_names_the_file_it_looked_for(sources):
    (sources / "broken.lua").write_text('local x = require("lib.nothing")\n')

    with pytest.raises(ConfigError, match=r"requires 'lib.nothing'.*lib/nothing.lua"):
        build_process("broken", sources)


def test_build_all_writes_each_file_and_its_sha256(tmp_path, sources):
    built = build_all(tmp_path / "build", None, sources)

    assert [b.name for b in built] == ["doubler"]
    digest = (tmp_path / "build" / "doubler.lua.sha256").read_text().split()
    assert digest == [built[0].sha256, "doubler.lua"]
    assert read_build("doubler", tmp_path / "build").sha256 == built[0].sha256


def test_an_edited_build_is_refused(tmp_path, sources):
    build_all(tmp_path / "build", None, sources)
    (tmp_path / "build" / "doubler.lua").write_text("-- edited\n")

    with pytest.raises(ConfigError, match="edited after the build"):
        read_build("doubler", tmp_path / "build")


def test_every_shipped_process_builds():
    names = process_names()

    assert "tim3" in names and "usda_mock" in names
    for name in names:
        assert len(build_process(name).sha256) == 64
