// Shared doctest main for all coil test executables (unit, regress, cuda).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
