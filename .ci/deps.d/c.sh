# The C suite (make c-test, mk/c.mk): a C11 and C++17 compiler with the
# ASan/UBSan runtimes, valgrind, pkg-config for the install test, and
# python3 (the test scripts parse the broker's JSON line with it).
packages+=(gcc g++ libc6-dev libasan8 libubsan1 valgrind pkg-config python3)
