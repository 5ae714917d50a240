"""`tim3 devnet` as the README's first command runs it: serving the node and the web app."""

import re
import signal
import subprocess
import sys

import httpx


def start(data, *options):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tim3.cli", "devnet", "--data", str(data), "--port", "0",
         "--gateway-port", "0", *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Listening on"):
            break
    return proc, "".join(lines)


def stop(proc):
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    proc.stdout.close()
    return code


def test_devnet_serves_the_node_and_the_web_app_and_stops_on_ctrl_c(tmp_path):
    proc, screen = start(tmp_path)
    try:
        node = re.search(r"Listening on (http://127\.0\.0\.1:\d+)", screen).group(1)
        web = re.search(r"Web app\s+(http://127\.0\.0\.1:\d+/)", screen).group(1)

        info = httpx.get(node + "/", timeout=30).json()
        page = httpx.get(web, timeout=30)
        env = httpx.get(web + "api/environment", timeout=30).json()
    finally:
        code = stop(proc)

    assert info["processes"] == 2
    assert page.status_code == 200 and "<html" in page.text
    assert env["environment"]["mu_url"] == node
    assert code == 0


def test_the_web_app_answers_the_names_allowed_and_no_other(tmp_path):
    proc, screen = start(tmp_path, "--allow-host", "devbox.example")
    try:
        web = re.search(r"Web app\s+(http://127\.0\.0\.1:\d+/)", screen).group(1)
        port = web.rsplit(":", 1)[1].rstrip("/")
        answers = {name: httpx.get(web + "api/environment", timeout=30,
                                   headers={"host": f"{name}:{port}"}).status_code
                   for name in ("127.0.0.1", "localhost", "devbox.example", "other.example")}
    finally:
        stop(proc)

    assert answers == {"127.0.0.1": 200, "localhost": 200, "devbox.example": 200,
                       "other.example": 421}


def test_a_second_start_reuses_the_processes(tmp_path):
    first, screen1 = start(tmp_path)
    stop(first)

    second, screen2 = start(tmp_path)
    stop(second)

    ids = re.compile(r"^(USDA|TIM3)\s+(\S{43})", re.M)
    assert ids.findall(screen1) == ids.findall(screen2) != []
    assert "reused" in screen2


def test_a_second_devnet_on_a_folder_in_use_says_so(tmp_path):
    first, _ = start(tmp_path)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "tim3.cli", "devnet", "--data", str(tmp_path), "--port", "0",
             "--gateway-port", "0"], capture_output=True, text=True, timeout=120)
    finally:
        code = stop(first)

    assert second.returncode == 1
    assert "is in use by another devnet" in second.stdout + second.stderr
    assert code == 0
