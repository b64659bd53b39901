"""`tremplin users …`: add with a password on standard input or a generated one printed once,
list, disable, enable, reset-password, and clear refusals."""

from __future__ import annotations

import io
import re

import pytest

from tremplin.cli import main


class _Pipe(io.StringIO):
    """Standard input from a pipe (not a terminal)."""

    def isatty(self) -> bool:
        return False


def _users(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", _Pipe(stdin))
    return main(["users", *argv])


def test_add_list_disable_and_reset(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _users(
            [
                "add",
                "Julie@example.org",
                "--role",
                "coach",
                "--programme",
                "cap_jeunes",
                "--name",
                "Julie Martin",
            ],
            "a long enough secret\n",
            monkeypatch,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "created julie@example.org  role=coach programme=cap_jeunes" in out
    assert "password" not in out  # it came from standard input: nothing to show

    assert _users(["add", "admin@example.org", "--role", "admin"], "", monkeypatch) == 0
    out = capsys.readouterr().out
    shown = re.search(r"password \(shown once, write it down\): (\S+)", out)
    assert shown is not None and len(shown.group(1)) >= 12

    assert _users(["list"], "", monkeypatch) == 0
    listed = capsys.readouterr().out
    assert "admin@example.org  role=admin  active" in listed
    assert "julie@example.org  role=coach programme=cap_jeunes  active" in listed

    assert _users(["disable", "julie@example.org"], "", monkeypatch) == 0
    assert "disabled" in capsys.readouterr().out
    assert _users(["list"], "", monkeypatch) == 0
    assert "programme=cap_jeunes  disabled" in capsys.readouterr().out

    assert _users(["reset-password", "admin@example.org"], "", monkeypatch) == 0
    again = re.search(r"password \(shown once, write it down\): (\S+)", capsys.readouterr().out)
    assert again is not None and again.group(1) != shown.group(1)


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "c@example.org", "--role", "coach"], "", "needs --programme"),
        (["add", "c@example.org", "--role", "coach", "--programme", "zz"], "", "no programme"),
        (["add", "not-an-address", "--role", "admin"], "", "is not an e-mail address"),
        (["add", "c@example.org", "--role", "admin"], "short\n", "at least 10 characters"),
        (["disable", "nobody@example.org"], "", "no account nobody@example.org"),
        (["reset-password", "nobody@example.org"], "", "no account"),
    ],
)
def test_refusals_say_why_and_change_nothing(
    argv: list[str],
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _users(argv, stdin, monkeypatch) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert _users(["list"], "", monkeypatch) == 0
    assert capsys.readouterr().out == ""


def test_users_commands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["users", "--help"], ["users", "add", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
    assert "--programme" in capsys.readouterr().out
