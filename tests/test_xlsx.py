"""--xlsx: the workbooks read back with openpyxl (no LibreOffice): the sheets, Summary numbers equal
to the JSON's to the cent, the Years sheet equal to the CSV, native charts."""
import math
import re
import unittest
import zipfile

import openpyxl

from py_support import TempDirTest, read_csv, read_json, run_cli, study

MAX_YEARS = 100_000  # kXlsxMaxYears (include/mistakesim/xlsx.hpp), documented in docs/excel.md


def cents(x):
    return round(x, 2)


def labelled(sheet):
    """Column A label -> the row's cells (the Summary's label/value lines)."""
    return {row[0].value: row for row in sheet.iter_rows() if isinstance(row[0].value, str)}


def chart_parts(path):
    """The XML of each chart part of the workbook."""
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in sorted(z.namelist()) if re.match(r"xl/charts/chart\d+\.xml$", n)]


def chart_kinds(path):
    """The chart types in the workbook's chart parts (c:barChart, c:scatterChart, ...)."""
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
        return sorted(re.search(r"<c:(\w+Chart)>", z.read(n).decode()).group(1) for n in parts)


class RunWorkbook(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory(prefix="mistakesim-xlsx-")
        d = cls._dir.name
        cls.xlsx, cls.json, cls.csv = f"{d}/run.xlsx", f"{d}/run.json", f"{d}/run.csv"
        run_cli("run", study("mid-market.toml"), "--trials", "3000", "--seed", "7", "--threads", "2", "-q",
                "--xlsx", cls.xlsx, "--json", cls.json, "--csv", cls.csv)
        cls.book = openpyxl.load_workbook(cls.xlsx)
        cls.summary = read_json(cls.json)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def test_sheets(self):
        self.assertEqual(self.book.sheetnames, ["Summary", "Charts", "Years", "Inputs", "Chart data"])

    def test_summary_numbers_equal_the_json_to_the_cent(self):
        rows = labelled(self.book["Summary"])
        total = self.summary["cost"]["total"]
        for label, value in [("Average year", total["mean"]), ("Good year (1 in 20 costs less)", total["p05"]),
                             ("Typical year (half cost more)", total["p50"]),
                             ("Bad year (1 in 20 costs more)", total["p95"]),
                             ("Worst 5% of years, on average", total["cvar95"]),
                             ("  95% confidence interval of the mean, from", total["mean_ci95"][0]),
                             ("  to", total["mean_ci95"][1]),
                             ("Known mistakes (the team notices)", self.summary["cost"]["known"]["mean"]),
                             ("Unknown mistakes (nobody notices)", self.summary["cost"]["unknown"]["mean"]),
                             ("Revenue as it happened", self.summary["pipeline"]["revenue_mean"]),
                             ("Opportunities worked", self.summary["pipeline"]["opportunities_mean"]),
                             ("Hours spent with non-buyers", self.summary["pipeline"]["nonbuyer_hours_mean"])]:
            cell = rows[label][1]
            self.assertIsInstance(cell.value, float, f"{label}: a number, not text")
            self.assertEqual(cents(cell.value), cents(value), label)
        self.assertIn("$", rows["Average year"][1].number_format, "a currency format")
        self.assertIn("Mid-market team FY27", self.book["Summary"]["A1"].value)

    def test_mistakes_table_in_the_jsons_order(self):
        sheet = self.book["Summary"]
        header = next(r for r in sheet.iter_rows() if r[0].value == "Mistake")
        first = header[0].row + 1
        for i, m in enumerate(self.summary["mistakes"]):
            row = sheet[first + i]
            self.assertEqual(row[0].value, m["name"])
            self.assertEqual(row[1].value, m["id"])
            self.assertEqual(cents(row[3].value), cents(m["cost"]["mean"]), m["id"])
            self.assertAlmostEqual(row[4].value, m["share"], places=12)
            self.assertEqual(cents(row[8].value), cents(m["cvar95_contribution"]), m["id"])

    def test_provenance(self):
        rows = labelled(self.book["Summary"])
        self.assertEqual(rows["Seed"][1].value, 7)
        self.assertEqual(rows["Simulated years"][1].value, 3000)
        self.assertRegex(rows["Study file SHA-256"][1].value, r"^[0-9a-f]{64}$")
        self.assertTrue(rows["Study file"][1].value.endswith("mid-market.toml"))
        self.assertEqual(rows["mistakesim version"][1].value, self.summary["run"]["version"])

    def test_years_sheet_equals_the_csv(self):
        header, rows = read_csv(self.csv)
        years = list(self.book["Years"].iter_rows(values_only=True))
        self.assertIn("All 3,000 simulated years", years[0][0])
        self.assertEqual(list(years[1]), header)
        self.assertEqual(len(years) - 2, len(rows))
        for got, want in zip(years[2:], rows):
            for g, w in zip(got, want):
                # libxlsxwriter writes 16 significant digits (Excel keeps 15).
                self.assertTrue(math.isclose(g, w, rel_tol=1e-15, abs_tol=1e-300), f"{g} != {w}")

    def test_inputs_as_the_study_states_them(self):
        rows = list(self.book["Inputs"].iter_rows(values_only=True))[2:]
        self.assertEqual([(r[0], r[1], r[2]) for r in rows],
                         [(i["param"], i["level"], i["distribution"]) for i in self.summary["inputs"]])

    def test_native_charts(self):
        self.assertEqual(chart_kinds(self.xlsx), ["barChart", "barChart", "scatterChart"])
        # histogram (a column chart is a c:barChart with barDir col), exceedance curve, mistakes ranked
        self.assertEqual(len(self.book["Charts"]._charts), 3)
        ranked = [x for x in chart_parts(self.xlsx) if '<c:barDir val="bar"/>' in x]
        self.assertEqual(len(ranked), 1)
        self.assertRegex(ranked[0], r'<c:catAx>.*?<c:orientation val="maxMin"/>', "the costliest mistake on top")
        self.assertRegex(ranked[0], r'<c:valAx>.*?<c:orientation val="minMax"/>')
        first = 1 + next(r[0].row for r in self.book["Summary"].iter_rows() if r[0].value == "Mistake")
        self.assertIn(f"<c:f>Summary!$A${first}:$A${first + len(self.summary['mistakes']) - 1}</c:f>", ranked[0])

    def test_same_bytes_for_any_thread_count(self):
        for threads in ("1", "2"):
            run_cli("run", study("seed-case.toml"), "--trials", "500", "--threads", threads, "-q",
                    "--xlsx", self.path(f"t{threads}.xlsx"))
        with open(self.path("t1.xlsx"), "rb") as a, open(self.path("t2.xlsx"), "rb") as b:
            self.assertEqual(a.read(), b.read())


class Capped(TempDirTest):
    def test_years_sheet_keeps_the_first_years_and_says_so(self):
        path = self.path("big.xlsx")
        run_cli("run", study("seed-case.toml"), "--trials", str(MAX_YEARS + 5), "-q", "--xlsx", path)
        book = openpyxl.load_workbook(path, read_only=True)
        years = book["Years"]
        first = [row for _, row in zip(range(3), years.iter_rows(values_only=True))]
        self.assertIn(f"The first {MAX_YEARS:,} of {MAX_YEARS + 5:,} simulated years", first[0][0])
        self.assertEqual(first[2][0], 0)
        self.assertEqual(years.max_row, MAX_YEARS + 2)


class OtherCommands(TempDirTest):
    def test_compare(self):
        x, j = self.path("c.xlsx"), self.path("c.json")
        run_cli("compare", study("training-options.toml"), "--trials", "2000", "-q", "--xlsx", x, "--json", j)
        book, summary = openpyxl.load_workbook(x), read_json(j)
        self.assertEqual(book.sheetnames, ["Summary", "Charts", "Years", "Inputs", "Chart data"])
        sheet = book["Summary"]
        header = next(r for r in sheet.iter_rows() if r[0].value == "Intervention")
        for i, iv in enumerate(summary["interventions"]):
            row = sheet[header[0].row + 1 + i]
            self.assertEqual(row[1].value, iv["id"])
            self.assertEqual(cents(row[2].value), cents(iv["savings"]["mean"]), iv["id"])
            self.assertEqual(cents(row[4].value), cents(iv["net"]["mean"]), iv["id"])
        self.assertIn("barChart", chart_kinds(x))  # savings per intervention
        years = list(book["Years"].iter_rows(values_only=True))
        self.assertEqual(len(years) - 2, 2000)
        self.assertEqual(years[1][:2], ("trial", "baseline_cost"))

    def test_sweep(self):
        x, j = self.path("s.xlsx"), self.path("s.json")
        run_cli("sweep", study("mid-market.toml"), "--param", "pipeline.close_rate", "--values", "0.4,0.5,0.6",
                "--trials", "1000", "-q", "--xlsx", x, "--json", j)
        book, summary = openpyxl.load_workbook(x), read_json(j)
        self.assertEqual(book.sheetnames, ["Summary", "Charts", "Inputs"])
        sheet = book["Summary"]
        header = next(r for r in sheet.iter_rows() if r[0].value == "pipeline.close_rate")
        for i, point in enumerate(summary["points"]):
            row = sheet[header[0].row + 1 + i]
            self.assertEqual(row[0].value, point["value"])
            self.assertEqual(cents(row[2].value), cents(point["cost"]["total"]["mean"]))
        self.assertEqual(chart_kinds(x), ["scatterChart"])  # the line

    def test_sensitivity(self):
        x, j = self.path("v.xlsx"), self.path("v.json")
        run_cli("sensitivity", study("mid-market.toml"), "--trials", "2000", "-q", "--xlsx", x, "--json", j)
        book, summary = openpyxl.load_workbook(x), read_json(j)
        sheet = book["Summary"]
        header = next(r for r in sheet.iter_rows() if r[0].value == "Input")
        for i, inp in enumerate(summary["inputs"]):
            row = sheet[header[0].row + 1 + i]
            self.assertEqual(row[0].value, inp["param"])
            self.assertAlmostEqual(row[1].value, inp["spearman"], places=12)
            self.assertEqual(cents(row[3].value), cents(inp["swing_p10_p90"]))
        self.assertEqual(len(list(book["Years"].iter_rows())) - 2, 2000)

    def test_a_missing_folder_is_refused_and_nothing_is_written(self):
        done = run_cli("run", study("seed-case.toml"), "--trials", "100", "-q", "--json", self.path("j.json"),
                       "--xlsx", self.path("no/such/w.xlsx"), expect=2)
        self.assertIn("--xlsx", done.stderr)
        import os
        self.assertEqual(os.listdir(self.tmp), [])


if __name__ == "__main__":
    unittest.main()
