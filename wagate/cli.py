"""The `wagate` command: parses arguments, builds settings once, calls one function per command.

This module is the composition root: it may import every package, and nothing imports it.
Only here are exceptions turned into exit codes (0 ok, 1 failure, 2 usage or input error).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import traceback
from pathlib import Path

import click

from core.errors import WagateError
from core.redact import RedactingWriter, Redactor, activate, install, secret_values
from wagate import __version__
from wagate.commands import LazyGroup
from wagate.context import Context


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wagate")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder (default: $WAGATE_WORKSPACE, else ./data).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, verbose: int) -> None:
    """wagate: consent-first WhatsApp Business messaging operations."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # every log line passes through the redactor, whichever library wrote it (httpx logs URLs)
    install(_redactor())
    ctx.obj = Context(workspace)


def _redactor() -> Redactor:
    """Hides the secrets the environment names (values and *_FILE contents)."""
    return Redactor.of(secret_values(os.environ))


def main() -> None:
    """Entry point: run the CLI and map errors to one line and an exit code.

    Whatever is printed on the way out passes through the redactor: an error message may quote
    a URL or a header that carries a token.
    """
    redact = _redactor()
    activate(redact)
    # a command's own output may quote a URL or an error that carries a token, too
    sys.stdout = RedactingWriter(sys.stdout, redact)
    sys.stderr = RedactingWriter(sys.stderr, redact)
    try:
        # without standalone mode click returns what ctx.exit() was given instead of exiting
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        click.echo(redact(shown.getvalue()), err=True, nl=False)
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except WagateError as exc:
        click.echo(f"error: {redact(exc.one_line())}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: no traceback for users
        if os.environ.get("WAGATE_DEBUG"):
            click.echo(redact(traceback.format_exc()), err=True, nl=False)
        click.echo(
            f"internal error: {type(exc).__name__}: {redact(str(exc))} (set WAGATE_DEBUG=1 for the traceback and report it)",
            err=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
