#!/usr/bin/python3
"""spinelens-cli's command table from outside: --help of every command lists its options and
exits 0; a wrong command line (unknown option or command, a bad number, a missing argument)
exits 2 with one line on stderr naming what is wrong; an internal error exits 3 with one line.

usage: check_cli_table.py SPINELENS_CLI
"""
import subprocess
import sys

COMMANDS = {
    "info": ["PATH"],
    "convert": ["INPUT", "OUTPUT", "--series", "--slice"],
    "sample": ["OUTDIR", "--seed"],
    "phantom": ["--kind", "--count", "--seed", "--out"],
    "train": ["--architecture", "--data", "--out", "--name", "--epochs", "--batch", "--lr", "--l2",
              "--seed", "--patience", "--freeze", "--unfreeze-after", "--init-weights", "--resume",
              "--max-samples", "--no-augment", "--no-class-weights", "--int8-weights"],
    "calibrate": ["--model", "--data"],
    "classify": ["--model", "--any-modality", "PATH"],
    "explain": ["--model", "--method", "--class", "--series", "--slice", "--opacity",
                "--allow-out-of-domain", "--any-modality", "PATH", "--out", "--raw"],
    "evaluate": ["--model", "--data", "--out", "--split", "--seed", "--no-heatmaps"],
    "metrics": ["RUN", "--no-curves"],
    "export": ["RUN", "--csv", "--html"],
}

# (arguments, what the one stderr line must name)
WRONG = [
    ([], "no command"),
    (["frobnicate"], "frobnicate"),
    (["info"], "PATH"),
    (["classify", "--model", "m", "--bogus", "x"], "--bogus"),
    (["classify", "x.dcm"], "--model"),
    (["evaluate", "--model", "m", "--data", "d", "--out", "o", "--seed", "-1"], "--seed"),
    (["train", "--architecture", "a", "--data", "d", "--out", "o", "--lr", "0.1abc"], "--lr"),
    (["train", "--architecture", "a", "--data", "d", "--out", "o", "--epochs", "0"], "--epochs"),
    (["phantom", "--kind", "ct", "--count", "3", "--out", "o"], "--kind"),
    (["phantom", "--kind", "xray", "--count", "many", "--out", "o"], "--count"),
    (["explain", "--model", "m", "p.dcm", "--out", "o.png", "--opacity", "2"], "--opacity"),
    (["evaluate", "--model", "m", "--data", "d", "--out", "o", "--split", "train"], "--split"),
    (["export", "run.sqlite"], "--csv"),
    (["convert", "in.dcm"], "OUTPUT"),
    (["train", "--architecture", "a", "--data", "d", "--out", "o", "--freeze", "conv1", "oops"],
     "oops"),
]

# Command lines that must parse (they then fail on their missing inputs: exit 1, not 2).
PARSES = [
    ["convert", "/nonexistent/in.dcm", "out.png", "--slice", "-1"],  # -1: the middle slice
    ["classify", "--model", "/nonexistent", "--model", "/nonexistent2", "a.dcm", "b.dcm"],
    ["train", "--architecture", "/nonexistent", "--data", "d", "--out", "o", "--freeze", "a",
     "--freeze", "b"],
]


def run(cli, args, env=None):
    return subprocess.run([cli] + args, capture_output=True, text=True, env=env)


def main():
    cli = sys.argv[1]
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    top = run(cli, ["--help"])
    check(top.returncode == 0, f"--help exit {top.returncode}")
    for command in COMMANDS:
        check(command in top.stdout, f"--help does not list {command}")
    version = run(cli, ["--version"])
    check(version.returncode == 0 and version.stdout.startswith("spinelens-cli "), "--version")
    for command, options in COMMANDS.items():
        r = run(cli, [command, "--help"])
        check(r.returncode == 0, f"{command} --help exit {r.returncode}")
        check(f"Usage: spinelens-cli {command}" in r.stdout, f"{command} --help has no usage line")
        for option in options:
            check(option in r.stdout, f"{command} --help does not mention {option}")
        check("Exit codes" in r.stdout or "Exit codes" in top.stdout, "exit codes undocumented")
    for args, naming in WRONG:
        r = run(cli, args)
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        check(r.returncode == 2, f"{args}: exit {r.returncode}, expected 2 ({r.stderr.strip()})")
        check(len(lines) == 1, f"{args}: {len(lines)} stderr lines: {r.stderr!r}")
        check(naming in r.stderr, f"{args}: the message does not name {naming}: {r.stderr!r}")
        check(r.stdout == "", f"{args}: wrote to stdout: {r.stdout!r}")
    for args in PARSES:
        r = run(cli, args)
        check(r.returncode == 1, f"{args}: exit {r.returncode}, expected 1 ({r.stderr.strip()})")
    import os
    env = dict(os.environ, SPINELENS_TEST_INTERNAL_ERROR="1")
    r = run(cli, ["info", "/nonexistent"], env)
    check(r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1
          and "internal error" in r.stderr, f"internal error: exit {r.returncode} {r.stderr!r}")
    checked = 2 + len(COMMANDS) + len(WRONG) + len(PARSES) + 1
    for f in failures:
        print("FAIL:", f)
    print(f"{checked} command lines checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
