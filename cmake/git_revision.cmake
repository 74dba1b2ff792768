# Writes OUT, a header defining MISTAKESIM_GIT_REV: the source tree's commit ("unknown" outside git),
# with "-modified" when tracked files differ from it. Run at every build (the mistakesim_git_revision
# target), so a results file never names an older commit than the code that wrote it; OUT is
# rewritten only when the text changes, so an unchanged checkout recompiles nothing.
#   cmake -DSRC=<source dir> -DOUT=<header> -P git_revision.cmake
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rev)
  set(rev "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(changes)
    string(APPEND rev "-modified")
  endif()
endif()
file(WRITE ${OUT}.new "#pragma once\n// Generated at build time by cmake/git_revision.cmake.\n#define MISTAKESIM_GIT_REV \"${rev}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.new ${OUT})
file(REMOVE ${OUT}.new)
