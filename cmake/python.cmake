# The Python interpreter of the module and of the Python tests: Debian's /usr/bin/python3 when
# present, whose packages (python3-numpy, python3-pandas, python3-openpyxl, scripts/setup-deps) the
# tests import, rather than whichever python3 comes first on PATH (a pyenv or venv may lack them).
# -DPython3_EXECUTABLE=... chooses another.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter of the module and the tests")
endif()
find_package(Python3 3.9 REQUIRED COMPONENTS Interpreter ${MISTAKESIM_PYTHON_COMPONENTS})
