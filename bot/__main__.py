"""`python -m bot` and the `chartbot` command.

Ctrl-C is said in one line with exit code 130 at any moment, even while the modules
load (a command catches it itself once it runs, and says more: an import, where to
resume)."""

import signal
import sys


def main() -> None:
    try:
        from bot.cli import main as cli

        cli()
    except KeyboardInterrupt:
        sys.stderr.write("chartbot: interrupted\n")
        sys.exit(130)
    finally:
        # The command is done: a Ctrl-C while Python shuts down changes nothing (Python
        # puts the default handler back then, which would end the process by the signal).
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    main()
