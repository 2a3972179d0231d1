"""What the worklist's command-line checks share: one line per assertion, a failure count,
and spinelens-cli run as a user runs it (captured, never raising)."""
import os
import subprocess


class Checks:
    def __init__(self, cli):
        self.cli_path = cli
        self.failures = []

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)

    def cli(self, *args, env=None, cwd=None):
        run = subprocess.run([self.cli_path, *args], capture_output=True, text=True,
                             env=dict(os.environ, **(env or {})), cwd=cwd)
        return run.returncode, run.stdout, run.stderr

    def exit_code(self):
        print(f"{len(self.failures)} failure(s)")
        return 1 if self.failures else 0
