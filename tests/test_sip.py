"""--sip: the SIPmath 3.0 library holds the CSV's cost and input columns, trial for trial, in the
structure the standard defines (docs/excel.md cites it)."""
import math
import unittest

from py_support import TempDirTest, read_csv, read_json, run_cli, study


def check_sipmath3_structure(test, library):
    """The structure of a SIPmath 3.0 library (ProbabilityManagement.org's SIPmath 3.0 JSON format and
    its published schema): the library's fields, the U01 generators, and each SIP naming a generator
    and a function of it. For stored trials: the "Index" generator counting PM_Index, and SIPs of the
    function "SIP_Array" whose arguments are {"type": "array", "value": [one number per trial]}."""
    test.assertIsInstance(library, dict)
    test.assertIsInstance(library.get("name"), str)  # the schema's one required field
    test.assertEqual(library.get("objectType"), "sipModel")
    test.assertEqual(library.get("libraryType"), "SIPmath_3_0")
    for key in ("provenance", "version"):
        test.assertIsInstance(library.get(key), str, key)
    u01 = library.get("U01")
    test.assertIsInstance(u01, dict)
    test.assertIsInstance(u01.get("rng"), list)
    generators = {}
    for rng in u01["rng"]:
        for key in ("name", "function", "arguments"):
            test.assertIn(key, rng)
        test.assertIsInstance(rng["arguments"], dict)
        generators[rng["name"]] = rng
    test.assertIsInstance(library.get("sips"), list)
    test.assertGreater(len(library["sips"]), 0)
    names = [sip.get("name") for sip in library["sips"]]
    test.assertEqual(len(names), len(set(names)), "SIP names are unique")
    trials = None
    for sip in library["sips"]:
        for key in ("name", "ref", "function", "arguments"):
            test.assertIn(key, sip)
        test.assertIsInstance(sip["name"], str)
        test.assertEqual(sip["ref"].get("source"), "rng")
        generator = generators.get(sip["ref"].get("name"))
        test.assertIsNotNone(generator, f"{sip['name']}: ref names a U01 generator")
        test.assertEqual(generator["function"], "Index")
        test.assertEqual(generator["arguments"].get("counter"), "PM_Index")
        test.assertEqual(sip["function"], "SIP_Array")
        test.assertEqual(sip["arguments"].get("type"), "array")
        values = sip["arguments"].get("value")
        test.assertIsInstance(values, list)
        for x in values:
            test.assertTrue(x is None or isinstance(x, (int, float)), f"{sip['name']}: {x!r}")
        trials = len(values) if trials is None else trials
        test.assertEqual(len(values), trials, f"{sip['name']}: every SIP has the same trials")
        test.assertIsInstance(sip.get("metadata", {}), dict)
    return trials


class SipLibrary(TempDirTest):
    def test_trials_equal_the_csv_columns(self):
        run_cli("run", study("mid-market.toml"), "--trials", "1500", "--seed", "11", "--threads", "2", "-q",
                "--sip", self.path("lib.json"), "--csv", self.path("years.csv"))
        library = read_json(self.path("lib.json"))
        self.assertEqual(check_sipmath3_structure(self, library), 1500)
        header, rows = read_csv(self.path("years.csv"))
        sips = {sip["name"]: sip for sip in library["sips"]}
        expected = [c for c in header if c.startswith(("cost", "input:"))]
        self.assertEqual(list(sips), expected, "the costs (total, known, unknown, per mistake) and the inputs")
        self.assertTrue(any(c.startswith("input:") for c in expected))
        for c, name in enumerate(header):
            if name in sips:
                column = [row[c] for row in rows]
                self.assertEqual(sips[name]["arguments"]["value"], column, name)
                self.assertTrue(math.isclose(sips[name]["metadata"]["mean"], sum(column) / len(column),
                                             rel_tol=1e-12), name)
        meta = library["metadata"]
        self.assertEqual(meta["seed"], 11)
        self.assertEqual(meta["trials"], 1500)
        self.assertEqual(meta["study"], "Mid-market team FY27")
        self.assertIn("seed 11", library["provenance"])

    def test_same_bytes_for_any_thread_count(self):
        for threads in ("1", "2"):
            run_cli("run", study("seed-case.toml"), "--trials", "700", "--threads", threads, "-q",
                    "--sip", self.path(f"lib{threads}.json"))
        with open(self.path("lib1.json"), "rb") as a, open(self.path("lib2.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_a_missing_folder_is_refused_before_the_run(self):
        done = run_cli("run", study("seed-case.toml"), "--trials", "100", "-q", "--sip",
                       self.path("no/such/lib.json"), expect=2)
        self.assertIn("--sip", done.stderr)


if __name__ == "__main__":
    unittest.main()
