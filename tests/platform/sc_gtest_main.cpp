// The entry point of every SystemC test program here: GoogleTest runs inside
// sc_main (libsystemc's sc_elab_and_sim calls it), with SystemC's banner off
// before the kernel prints it (gtest_discover_tests would read it as tests).
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
