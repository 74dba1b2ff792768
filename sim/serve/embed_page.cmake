# Writes the serve page (IN) as a C++ header (OUT) defining kPageHtml, in chunks of raw string
# literals (a compiler may limit one literal's length).
file(READ ${IN} page)
string(LENGTH "${page}" length)
set(body "")
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${page}" ${offset} 8000 chunk)
  string(APPEND body "R\"mistakesim_page(${chunk})mistakesim_page\"\n")
  math(EXPR offset "${offset} + 8000")
endwhile()
file(WRITE ${OUT} "#pragma once\n// Generated from sim/serve/page.html by sim/serve/embed_page.cmake; do not edit.\n#include <string_view>\nnamespace mistakesim::serve {\ninline constexpr std::string_view kPageHtml =\n${body};\n}\n")
