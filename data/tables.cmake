# tables.cmake - turn the readable lists in data/ into C tables at build
# time (included by the top-level CMakeLists.txt; sets
# SQ_GENERATED_SOURCES).
#
# tools/gen-tables.c is built as a host program (libc only) and writes
# generated/wt_tables.inc, which src/whois/tables.c includes.  A bad line
# in a list prints "data/<list>:LINE: message" and fails the build.
# scripts/gen-delegation.py (python3, maintainers only) refreshes the
# delegation lists from IANA's RDAP bootstrap files.

set(SQ_TABLES_DIR ${CMAKE_BINARY_DIR}/generated)
set(SQ_TABLES_INC ${SQ_TABLES_DIR}/wt_tables.inc)
set(SQ_TABLE_LISTS
    data/delegation-ipv4.list data/delegation-ipv6.list
    data/delegation-asn.list data/rdap-dns.list data/placeholders.list)
list(TRANSFORM SQ_TABLE_LISTS PREPEND ${CMAKE_SOURCE_DIR}/
     OUTPUT_VARIABLE SQ_TABLE_LIST_PATHS)

add_executable(sq-gen-tables ${CMAKE_SOURCE_DIR}/tools/gen-tables.c)

# Paths relative to the source tree, so that messages read
# "data/placeholders.list:12: ...".
add_custom_command(
  OUTPUT ${SQ_TABLES_INC}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SQ_TABLES_DIR}
  COMMAND sq-gen-tables -o ${SQ_TABLES_INC}
          --ipv4 data/delegation-ipv4.list
          --ipv6 data/delegation-ipv6.list
          --asn data/delegation-asn.list
          --dns data/rdap-dns.list
          --placeholders data/placeholders.list
  DEPENDS sq-gen-tables ${SQ_TABLE_LIST_PATHS}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  COMMENT "Generating whois tables from data/*.list"
  VERBATIM)

set_source_files_properties(${CMAKE_SOURCE_DIR}/src/whois/tables.c PROPERTIES
  INCLUDE_DIRECTORIES ${SQ_TABLES_DIR}
  OBJECT_DEPENDS ${SQ_TABLES_INC})
set(SQ_GENERATED_SOURCES ${SQ_TABLES_INC})
