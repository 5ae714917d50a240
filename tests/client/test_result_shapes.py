"""Result, Page and ResultMessage read the CU's JSON without changing it; Retry's backoff."""

from __future__ import annotations

import json

import pytest

import tim3.client
from tim3.client import Page, Result, Retry

RESULT = {
    "Output": {"data": "printed", "prompt": "> ", "print": True},
    "Messages": [
        {"Target": "T" * 43, "Anchor": "0" * 31 + "1", "Data": "hello",
         "Tags": [{"name": "Action", "value": "Pong"}, {"name": "Dup", "value": "first"},
                  {"name": "Dup", "value": "second"}]},
        {"Target": "U" * 43, "Anchor": "0" * 31 + "2", "Data": "",
         "Tags": [{"name": "Action", "value": "Other"}]},
    ],
    "Spawns": [], "Assignments": [{"Processes": ["P" * 43], "Message": "M" * 43}],
}


def test_result_reads_messages_tags_and_output() -> None:
    result = Result(RESULT)

    assert result.ok
    assert result.output == "printed"
    assert result.messages[0].tags == {"Action": "Pong", "Dup": "first"}
    assert result.messages[0].tag_list[2] == ("Dup", "second")
    assert result.messages[0].tag("Missing", "none") == "none"
    assert result.find("Other").target == "U" * 43  # type: ignore[union-attr]
    assert result.find("Nothing") is None
    assert result.assignments == RESULT["Assignments"]


def test_result_stays_the_json_it_was_given() -> None:
    result = Result(RESULT)

    assert json.loads(json.dumps(result)) == RESULT


@pytest.mark.parametrize(("raw", "error", "output"), [
    pytest.param({"Error": "boom", "Output": "", "Messages": []}, "boom", "", id="error"),
    pytest.param({"Output": "bare string"}, None, "bare string", id="string-output"),
    pytest.param({}, None, "", id="empty"),
])
def test_result_reads_the_other_shapes(raw: dict, error: str | None, output: str) -> None:
    result = Result(raw)

    assert result.error == error
    assert result.ok is (error is None)
    assert result.output == output
    assert result.messages == []


def test_page_reads_cursors_and_next_page() -> None:
    page = Page({"pageInfo": {"hasNextPage": True},
                 "edges": [{"cursor": "a", "node": RESULT}, {"cursor": "b", "node": {}}]})

    assert page.has_next_page
    assert page.cursors == ["a", "b"]
    assert page.last_cursor == "b"
    assert page.results[0].messages[0].data == "hello"


def test_an_empty_page_has_no_last_cursor() -> None:
    page = Page({"edges": []})

    assert not page.has_next_page
    assert page.last_cursor is None


def test_retry_doubles_the_wait_up_to_its_cap_and_honours_retry_after() -> None:
    retry = Retry(retries=5, backoff=0.5, max_backoff=3.0)

    waits = [retry.delay(n) for n in range(1, 6)]

    assert retry.attempts == 6
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert retry.delay(1, retry_after=2.5) == 2.5
    assert retry.delay(1, retry_after=60) == 3.0


def test_the_client_package_exports_a_sorted_all_of_existing_names() -> None:
    exported = tim3.client.__all__

    assert list(exported) == sorted(exported)
    assert all(hasattr(tim3.client, name) for name in exported)
