"""The `couverture` command run in this process (click's CliRunner), and its one-line errors."""
from __future__ import annotations

from click.testing import CliRunner

from couverture.cli import main


def run(*args):
    """``couverture ARGS`` (any argument may be a Path or a number)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result) -> str:
    """The single line a failed command printed on stderr: no traceback, no library link."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sqlalche.me" not in lines[0] and "Traceback" not in result.output
    return lines[0]
