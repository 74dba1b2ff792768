"""Shared by the Python tests: where the build is, and running the command line."""
import csv
import json
import os
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("MISTAKESIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("MISTAKESIM_BINARY", os.path.join(SOURCE_DIR, "build", "mistakesim"))


def study(name):
    return os.path.join(SOURCE_DIR, "configs", name)


def run_cli(*args, expect=0):
    """Runs mistakesim with args; returns the completed process, checked against `expect`."""
    done = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if done.returncode != expect:
        raise AssertionError(f"mistakesim {' '.join(args)} exited {done.returncode}, expected {expect}:\n{done.stderr}")
    return done


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(x) for x in row] for row in rows[1:]]


def read_json(path):
    with open(path) as f:
        return json.load(f)


class TempDirTest(unittest.TestCase):
    """A test with a fresh folder self.tmp, removed afterwards."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="mistakesim-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)
