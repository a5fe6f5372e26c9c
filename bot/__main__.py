"""`python -m bot` and the `chartbot` command.

Ctrl-C is said in one line at any moment, even while the modules load (a command catches
it itself once it runs, and says more: an import, where to resume), and the process then
ends by SIGINT, as the Unix convention asks of a program that cleans up after a Ctrl-C:
a shell reports 130, and a shell loop or script running chartbot stops too (a child that
merely exits 130 is taken to have handled the Ctrl-C, and the loop goes on to the next
file). It is also the one way CPython allows here: once a KeyboardInterrupt has left code
run by exec(), as a dataclass's methods are made while the modules load, it ends the
process by the signal at exit even if the interrupt was caught.

The bot itself (`chartbot run`) is a service: SIGINT and SIGTERM shut it down cleanly,
exit 0 (bot/discord/client.py)."""

import contextlib
import os
import signal
import sys


def main() -> None:
    try:
        from bot.cli import main as cli

        cli()
    except KeyboardInterrupt:  # while the modules load: no command has caught it yet
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: said once all the same
        sys.stderr.write("chartbot: interrupted\n")
        _end_by_sigint()
    except SystemExit as exit_:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        from bot.cli.base import EXIT_INTERRUPTED  # loaded: the command ran

        if exit_.code == EXIT_INTERRUPTED:  # the command has said so and cleaned up
            _end_by_sigint()
        raise
    finally:
        # The command is done: a Ctrl-C while Python shuts down changes nothing (Python
        # puts the default handler back then, which would end the process by the signal).
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_by_sigint() -> None:
    """End the process by SIGINT, with what it has written flushed. Nothing of ours waits
    on Python's exit: the store's transactions are SQLite's to roll back, and an import's
    reader stops at its next write, which finds nobody reading."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing can reach it
            stream.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # were it blocked, it would wait
    os.kill(os.getpid(), signal.SIGINT)
    signal.pause()  # the signal ends the process as it is sent (to this thread, unblocked)


if __name__ == "__main__":
    main()
