"""The Python module: its summaries equal the command line's JSON (byte for byte after
json.dumps(sort_keys=True), the timing field run.seconds aside), per-year NumPy arrays equal to the
CSV, located exceptions, the GIL released while the engine runs."""
import json
import os
import threading
import time
import unittest

import numpy as np

import mistakesim
from py_support import TempDirTest, read_csv, read_json, run_cli, study

TIMING_FIELDS = [("run", "seconds")]  # differ between two runs of the same study; nothing else may


def canonical(summary):
    summary = json.loads(json.dumps(summary))
    for outer, inner in TIMING_FIELDS:
        del summary[outer][inner]
    return json.dumps(summary, sort_keys=True)


class SameAsTheCli(TempDirTest):
    def cli_json(self, *args):
        path = self.path("out.json")
        run_cli(*args, "--threads", "2", "-q", "--json", path)
        return read_json(path)

    def test_run(self):
        s = study("mid-market.toml")
        r = mistakesim.run(s, trials=3000, seed=5, threads=2)
        self.assertEqual(canonical(r.summary), canonical(self.cli_json("run", s, "--trials", "3000", "--seed", "5")))

    def test_compare(self):
        s = study("training-options.toml")
        r = mistakesim.compare(s, trials=1500, seed=3, threads=2)
        self.assertEqual(canonical(r.summary),
                         canonical(self.cli_json("compare", s, "--trials", "1500", "--seed", "3")))
        first = r.summary["interventions"][0]["id"]
        self.assertEqual(r.columns[f"savings:{first}"].shape, (1500,))

    def test_compare_one_intervention(self):
        s = study("training-options.toml")
        wanted = mistakesim.compare(s, trials=10, threads=1).summary["interventions"][-1]["id"]
        r = mistakesim.compare(s, interventions=[wanted], trials=1000, threads=2)
        self.assertEqual(canonical(r.summary),
                         canonical(self.cli_json("compare", s, "--trials", "1000", "--intervention", wanted)))

    def test_sweep(self):
        s = study("mid-market.toml")
        r = mistakesim.sweep(s, "pipeline.close_rate", [0.4, 0.55, 0.7], trials=1000, threads=2)
        self.assertEqual(canonical(r.summary), canonical(self.cli_json(
            "sweep", s, "--param", "pipeline.close_rate", "--values", "0.4,0.55,0.7", "--trials", "1000")))
        frame = r.to_pandas()
        self.assertEqual(list(frame["pipeline.close_rate"]), [0.4, 0.55, 0.7])
        self.assertEqual(list(frame["cost_mean"]), [p["cost"]["total"]["mean"] for p in r.summary["points"]])

    def test_sweep_grid(self):
        s = study("mid-market.toml")
        r = mistakesim.sweep(s, "pipeline.close_rate", [0.5, 0.6], param2="mistake.late-pricing.probability",
                             values2=[0.1, 0.3], trials=500, threads=2)
        self.assertEqual(canonical(r.summary), canonical(self.cli_json(
            "sweep", s, "--param", "pipeline.close_rate", "--values", "0.5,0.6", "--param2",
            "mistake.late-pricing.probability", "--values2", "0.1,0.3", "--trials", "500")))

    def test_sensitivity(self):
        s = study("mid-market.toml")
        r = mistakesim.sensitivity(s, trials=2000, seed=9, threads=2)
        self.assertEqual(canonical(r.summary),
                         canonical(self.cli_json("sensitivity", s, "--trials", "2000", "--seed", "9")))


class Columns(TempDirTest):
    def test_years_equal_the_csv(self):
        s = study("mid-market.toml")
        run_cli("run", s, "--trials", "800", "--seed", "2", "-q", "--csv", self.path("y.csv"))
        header, rows = read_csv(self.path("y.csv"))
        r = mistakesim.run(s, trials=800, seed=2, threads=2)
        self.assertEqual(list(r.columns), header)
        table = np.array(rows)
        for c, name in enumerate(header):
            np.testing.assert_array_equal(r.columns[name], table[:, c], err_msg=name)
        frame = r.to_pandas()
        self.assertEqual(frame.index.name, "trial")
        self.assertEqual(frame.shape, (800, len(header) - 1))
        self.assertEqual(frame["cost_total"].mean(), r.columns["cost_total"].mean())

    def test_arrays_view_the_results_and_keep_them_alive(self):
        r = mistakesim.run(study("seed-case.toml"), trials=300, threads=1)
        cost = r.columns["cost_total"]
        self.assertFalse(cost.flags.owndata, "a view of the engine's column, not a copy")
        self.assertFalse(cost.flags.writeable)
        expected = cost.copy()
        del r
        np.testing.assert_array_equal(cost, expected)  # still valid with the result gone
        self.assertEqual(cost.dtype, np.float64)


class Errors(TempDirTest):
    def test_a_bad_study_raises_with_the_location(self):
        path = self.path("bad.toml")
        with open(study("seed-case.toml")) as f:
            text = f.read()
        # the first probability of the study made impossible
        import re
        bad, n = re.subn(r"probability = [0-9.]+", "probability = 1.7", text, count=1)
        self.assertEqual(n, 1)
        with open(path, "w") as f:
            f.write(bad)
        cli = run_cli("run", path, "-q", expect=2).stderr.strip()
        with self.assertRaises(mistakesim.StudyError) as caught:
            mistakesim.run(path, trials=100)
        e = caught.exception
        self.assertIsInstance(e, ValueError)
        self.assertEqual(f"mistakesim: {e}", cli, "the command line's message")
        self.assertEqual(e.file, path)
        line = bad[: bad.index("probability = 1.7")].count("\n") + 1
        self.assertEqual(e.line, line)
        self.assertGreater(e.column, 0)
        self.assertTrue(e.param.endswith(".probability"), e.param)

    def test_a_missing_file(self):
        with self.assertRaises(mistakesim.StudyError) as caught:
            mistakesim.run(self.path("nowhere.toml"))
        self.assertIn("nowhere.toml", str(caught.exception))

    def test_an_unknown_intervention_or_parameter(self):
        with self.assertRaises(mistakesim.StudyError) as caught:
            mistakesim.compare(study("training-options.toml"), interventions=["no-such"], trials=10)
        self.assertEqual(caught.exception.param, "interventions")
        with self.assertRaises(mistakesim.StudyError) as caught:
            mistakesim.sweep(study("mid-market.toml"), "pipeline.no_such", [0.1], trials=10)
        self.assertEqual(caught.exception.param, "param")


class Gil(unittest.TestCase):
    def test_other_python_threads_run_while_the_engine_works(self):
        ticks = []
        done = threading.Event()

        def tick():
            while not done.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        ticker = threading.Thread(target=tick)
        ticker.start()
        time.sleep(0.05)
        start = time.perf_counter()
        mistakesim.run(study("mid-market.toml"), trials=5000, threads=1)
        end = time.perf_counter()
        done.set()
        ticker.join()
        during = [t for t in ticks if start < t < end]
        # Holding the GIL for the whole run would leave no tick inside it; released, the ticker runs
        # every millisecond or so (a generous floor for a busy machine).
        self.assertGreater(end - start, 0.05, "the run must be long enough to tell")
        self.assertGreater(len(during), 5, f"{len(during)} ticks in {end - start:.2f} s")


if __name__ == "__main__":
    unittest.main()
