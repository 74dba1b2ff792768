"""`cmake --install` into a temporary prefix: the executable, the library and headers with a CMake
package config that a separate project (tests/consumer) builds against and runs, the Python module,
the man page (from --help) and bash completion."""
import os
import subprocess
import sys
import unittest

from py_support import SOURCE_DIR, TempDirTest, study

BUILD_DIR = os.environ.get("MISTAKESIM_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
PYTHON_DIR = os.environ.get("MISTAKESIM_PYTHON_INSTALL_DIR", "")


def sh(*args, **kw):
    done = subprocess.run(args, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Install(TempDirTest):
    def setUp(self):
        super().setUp()
        self.prefix = self.path("prefix")
        sh(CMAKE, "--install", BUILD_DIR, "--prefix", self.prefix)

    def test_installed_files_and_a_consumer_project(self):
        p = self.prefix
        for f in ("bin/mistakesim", "include/mistakesim/engine.hpp", "include/mistakesim/build_info.hpp",
                  "include/mistakesim/xlsx.hpp", "lib/libmistakesim_core.a",
                  "lib/cmake/mistakesim/mistakesimConfig.cmake", "lib/cmake/mistakesim/mistakesimConfigVersion.cmake",
                  "share/man/man1/mistakesim.1", "share/bash-completion/completions/mistakesim"):
            self.assertTrue(os.path.isfile(os.path.join(p, f)), f)
        version = sh(os.path.join(p, "bin/mistakesim"), "--version")
        self.assertTrue(version.startswith("mistakesim "), version)

        build = self.path("consumer-build")
        has_ccache = sh("sh", "-c", "command -v ccache || true").strip()
        launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if has_ccache else []
        sh(CMAKE, "-S", os.path.join(SOURCE_DIR, "tests/consumer"), "-B", build, f"-DCMAKE_PREFIX_PATH={p}",
           "-DCMAKE_BUILD_TYPE=Release", *launcher)
        sh(CMAKE, "--build", build, "-j2")
        out = sh(os.path.join(build, "consumer"), study("seed-case.toml")).split()
        self.assertEqual(out[0], "mistakesim.run/1")
        self.assertGreater(float(out[1]), 0.0)

    def test_python_module(self):
        self.assertTrue(PYTHON_DIR, "the build says where the module goes")
        env = dict(os.environ, PYTHONPATH=os.path.join(self.prefix, PYTHON_DIR))
        out = sh(sys.executable, "-c", "import mistakesim, sys; r = mistakesim.run(sys.argv[1], trials=200, threads=1);"
                 "print(mistakesim.__file__); print(r.summary['schema'])", study("seed-case.toml"), env=env)
        where, schema = out.split()
        self.assertTrue(where.startswith(self.prefix), where)
        self.assertEqual(schema, "mistakesim.run/1")

    def test_man_page_lists_every_command_and_option(self):
        page = open(os.path.join(self.prefix, "share/man/man1/mistakesim.1")).read()
        self.assertTrue(page.startswith(".TH MISTAKESIM 1"))
        for command in ("run", "compare", "sweep", "sensitivity", "dist", "validate", "init"):
            self.assertIn(f".SS {command}\n", page)
        for option in ("\\-\\-xlsx", "\\-\\-sip", "\\-\\-precision", "\\-\\-param2"):
            self.assertIn(option, page)
        if sh("sh", "-c", "command -v man || true").strip():
            text = sh("man", "-l", "-P", "cat", os.path.join(self.prefix, "share/man/man1/mistakesim.1"),
                      env=dict(os.environ, MANWIDTH="120"))
            self.assertIn("--xlsx", text)

    def test_bash_completion(self):
        completion = os.path.join(self.prefix, "share/bash-completion/completions/mistakesim")
        binary = os.path.join(self.prefix, "bin/mistakesim")

        def complete(*words):
            script = (f'source "{completion}"; COMP_WORDS=("{binary}" {" ".join(repr(w) for w in words)}); '
                      f'COMP_CWORD={len(words)}; _mistakesim; printf "%s\\n" "${{COMPREPLY[@]}}"')
            return sh("bash", "-c", script, cwd=SOURCE_DIR).split()

        self.assertEqual(complete("sen"), ["sensitivity"])
        self.assertEqual(sorted(complete("s")), ["sensitivity", "serve", "sweep"])
        self.assertEqual(complete("run", "--xl"), ["--xlsx"])
        self.assertIn("--param2", complete("sweep", "--pa"))
        self.assertEqual(complete("run", "configs/mid-m"), ["configs/mid-market.toml"])


if __name__ == "__main__":
    unittest.main()
