"""`python -m bot` and the `chartbot` command.

Ctrl-C is said in one line with exit code 130 at any moment, even while the modules
load (a command catches it itself once it runs, and says more: an import, where to
resume). While they load, CPython may end the process by the signal instead (a shell
reports 130 all the same): it does so once a KeyboardInterrupt has left code run by
exec(), as a dataclass's methods are made, even if it was caught later."""

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
